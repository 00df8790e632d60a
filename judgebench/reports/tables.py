"""Render rows of results as Markdown, LaTeX (booktabs) or CSV, and check LaTeX tables structurally. Pure
formatting, no I/O.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..files import finite_json

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    # In LaTeX's default OT1 encoding these print as other glyphs (< as an inverted exclamation mark).
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    "\u2013": "--",  # en dash (used in CI ranges)
    "\u2014": "---",
    "\u00a0": "~",
    "\u2193": r"$\downarrow$",  # lower is better (column headers)
    "\u2020": r"$^\dagger$",
    "\u2021": r"$^\ddagger$",  # partial run (table notes)
    "\u2191": r"$\uparrow$",
}


def latex_escape(text: str) -> str:
    """Escape LaTeX special characters in plain text, so that it prints as written.

    Covers the ten specials (``\\ & % $ # _ { } ~ ^``), ``< > |`` (which the default OT1 font encoding prints as
    other glyphs), en and em dashes and the no-break space. Other non-ASCII characters are kept; pdflatex's UTF-8
    input handles accented Latin letters, other scripts need a suitable font package in the document.
    """
    return "".join(_LATEX_SPECIAL.get(c, c) for c in text)


@dataclass(frozen=True)
class Column:
    """A table column: the row key, its header, and how numbers are shown (``digits``; ``None`` = text)."""

    key: str
    header: str
    digits: int | None = 1


def format_cell(value: Any, digits: int | None) -> str:
    """A cell's text: ``–`` for missing/NaN, floats with ``digits`` decimals, ints and text as they are."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if digits is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:.{digits}f}" if isinstance(value, float) else str(value)
    return str(value)


def _md_text(text: str) -> str:
    # Only "|" breaks a table; "_" inside names does not emphasise in GitHub Markdown and stays readable as text.
    return text.replace("|", "\\|")


def to_markdown(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[Column],
    *,
    bold: dict[str, set[int]] | None = None,
    dagger_rows: set[int] | None = None,
    italic_rows: set[int] | None = None,
    ddagger_rows: set[int] | None = None,
) -> str:
    """A GitHub-flavoured Markdown table; numeric columns are right-aligned.

    ``|`` in cells is escaped. ``bold``, ``dagger_rows``, ``ddagger_rows`` and ``italic_rows`` work as in
    :func:`to_latex`.
    """
    bold = bold or {}
    dagger_rows = dagger_rows or set()
    italic_rows = italic_rows or set()
    header = "| " + " | ".join(_md_text(c.header) for c in columns) + " |"
    sep = "|" + "|".join("---" if c.digits is None else "---:" for c in columns) + "|"
    body = []
    for i, r in enumerate(rows):
        cells = []
        for j, c in enumerate(columns):
            text = _md_text(format_cell(r.get(c.key), c.digits))
            if i in bold.get(c.key, set()) and text:
                text = f"**{text}**"
            if j == 0 and i in dagger_rows:
                text += " †"
            if j == 0 and ddagger_rows and i in ddagger_rows:
                text += " ‡"
            if i in italic_rows and text:  # an empty cell stays empty (not "**")
                text = f"*{text}*"
            cells.append(text)
        body.append("| " + " | ".join(cells) + " |")
    return "\n".join([header, sep, *body]) + "\n"


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> str:
    """CSV with the column *keys* as header and full-precision values (missing = empty cell)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([c.key for c in columns])
    for r in rows:
        w.writerow(["" if r.get(c.key) is None else r.get(c.key) for c in columns])
    return buf.getvalue()


def to_latex(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[Column],
    *,
    caption: str | None = None,
    label: str | None = None,
    bold: dict[str, set[int]] | None = None,
    dagger_rows: set[int] | None = None,
    dagger_note: str | None = None,
    italic_rows: set[int] | None = None,
    rule_before: set[int] | None = None,
    ddagger_rows: set[int] | None = None,
) -> str:
    """A booktabs ``table`` environment (needs ``\\usepackage{booktabs}``).

    Args:
        bold: column key -> indices of the rows whose cell is set in bold.
        dagger_rows: rows whose first cell gets a dagger; ``dagger_note`` explains it in the caption.
        ddagger_rows: rows whose first cell gets a double dagger (partial runs; the caller explains it).
        italic_rows: rows set in italics (e.g. reference rows that are not runs).
        rule_before: row indices preceded by a ``\\midrule`` (to set reference rows apart).
    """
    bold = bold or {}
    dagger_rows = dagger_rows or set()
    italic_rows = italic_rows or set()
    rule_before = rule_before or set()
    spec = "".join("l" if c.digits is None else "r" for c in columns)
    lines = [r"\begin{table}[t]", r"\centering", r"\small", rf"\begin{{tabular}}{{{spec}}}", r"\toprule"]
    lines.append(" & ".join(latex_escape(c.header) for c in columns) + r" \\")
    lines.append(r"\midrule")
    for i, r in enumerate(rows):
        if i in rule_before:
            lines.append(r"\midrule")
        cells = []
        for j, c in enumerate(columns):
            text = latex_escape(format_cell(r.get(c.key), c.digits))
            if i in bold.get(c.key, set()):
                text = rf"\textbf{{{text}}}"
            if i in italic_rows:
                text = rf"\textit{{{text}}}"
            if j == 0 and i in dagger_rows:
                text += r"$^\dagger$"
            if j == 0 and ddagger_rows and i in ddagger_rows:
                text += r"$^\ddagger$"
            cells.append(text)
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    if caption or dagger_note:
        cap = latex_escape(caption or "")
        if dagger_note:
            cap += (" " if cap else "") + r"$^\dagger$\," + latex_escape(dagger_note)
        lines.append(rf"\caption{{{cap}}}")
    if label:
        lines.append(rf"\label{{{latex_escape(label)}}}")
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"


def standalone_latex(body: str) -> str:
    """A minimal compilable document around one or more ``table`` environments (article, booktabs)."""
    return "\n".join(
        [
            r"\documentclass{article}",
            r"\usepackage{booktabs}",
            r"\usepackage[margin=1.5cm,landscape]{geometry}",
            r"\begin{document}",
            body.rstrip("\n"),
            r"\end{document}",
            "",
        ]
    )


_ESCAPED_BRACE = re.compile(r"\\[{}]")
_UNESCAPED_AMP = re.compile(r"(?<!\\)&")


def latex_table_problems(tex: str) -> list[str]:
    """Structural problems of the booktabs tables in ``tex``; an empty list means none were found.

    Checks, for every ``tabular``: the braces of the whole text balance (escaped ``\\{``/``\\}`` ignored) and never
    close more than they opened; ``\\toprule``, ``\\midrule`` and ``\\bottomrule`` appear in that order; every row
    (a line ending in ``\\\\``) has as many cells (unescaped ``&`` + 1) as the column spec has columns.
    This does not replace compiling the document; it catches what breaks compilation most often.
    """
    problems: list[str] = []
    depth = 0
    for lineno, line in enumerate(tex.splitlines(), start=1):
        for ch in _ESCAPED_BRACE.sub("", line.replace(r"\\", "")):
            depth += ch == "{"
            depth -= ch == "}"
            if depth < 0:
                problems.append(f"line {lineno}: '}}' closes a brace that was never opened")
                depth = 0
    if depth:
        problems.append(f"{depth} unclosed '{{'")
    blocks = re.findall(r"\\begin\{tabular\}\{([^}]*)\}(.*?)\\end\{tabular\}", tex, flags=re.S)
    if not blocks:
        problems.append("no tabular environment")
    for k, (spec, body) in enumerate(blocks, start=1):
        n_cols = len(re.findall(r"[lcrp]", re.sub(r"\{[^}]*\}", "", spec)))
        positions = [body.find(m) for m in (r"\toprule", r"\midrule", r"\bottomrule")]
        if -1 in positions:
            missing = ", ".join("\\" + m for m, p in zip(("toprule", "midrule", "bottomrule"), positions, strict=True) if p == -1)
            problems.append(f"table {k}: missing {missing}")
        elif positions != sorted(positions):
            problems.append(f"table {k}: rules out of order (expected \\toprule, \\midrule, \\bottomrule)")
        for line in body.splitlines():
            s = line.strip()
            if not s.endswith(r"\\"):
                continue
            cells = len(_UNESCAPED_AMP.findall(s)) + 1
            if cells != n_cols:
                problems.append(f"table {k}: row has {cells} cells, the column spec {spec!r} has {n_cols}: {s[:80]}")
    return problems


# ---------------------------------------------------------------------------------------------------------------
# leaderboard tables: rows of judgebench.reports.leaderboard (one per run, optionally with a "group"), marked best and dagger

_ROW_FIELDS = frozenset(
    {"judge", "model", "response_model", "dataset", "benchmark", "origin", "rule", "n", "path", "overall", "ci", "ci_low", "ci_high", "consistency"}
    | {"no_decision", "failed", "games", "label", "group", "categories", "best", "p_vs_best", "n_paired", "sig_test", "tied_with_best"}
    | {"is_baseline", "pair_set", "set_size", "partial", "compared"}
    | {"judged"}
)
_LOWER_IS_BETTER = frozenset({"no_decision"})
_NOT_RANKED = frozenset({"n", "ci", "ci_low", "ci_high", "failed", "games", "p_vs_best", "n_paired"})
BASELINE_NOTE = "random choice (expected): expected accuracy of picking A or B uniformly at random once per pair; a reference value, not a run."
PARTIAL_NOTE = "partial run: judged fewer pairs than its pair set has (n is the number judged)"
FAILED_NOTE = (
    "Judged: judgments that ran of all judgments; a run below total had failed calls, which score as no decision "
    "(not correct) under the rule, so its accuracy is not a clean result. Run its command again to retry them."
)


def has_failures(rows: Sequence[dict[str, Any]]) -> bool:
    """Whether any row is a run with failed judgments (``failed`` > 0)."""
    return any((_number(r.get("failed")) or 0) > 0 for r in rows)


def with_judged_column(cols: list[Column], rows: Sequence[dict[str, Any]]) -> list[Column]:
    """``cols`` with the ``Judged`` column (``judged/total`` judgments) after ``n`` when a run in ``rows`` has failed
    judgments; unchanged otherwise, or when it is already there."""
    if not has_failures(rows) or any(c.key == "judged" for c in cols):
        return cols
    at = next((k + 1 for k, c in enumerate(cols) if c.key == "n"), len(cols))
    return [*cols[:at], Column("judged", "Judged", None), *cols[at:]]


def failure_notes(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The note explaining the ``Judged`` column, when a run in ``rows`` has failed judgments."""
    return [FAILED_NOTE] if has_failures(rows) else []


def category_key(name: str) -> str:
    """Row key of a category's accuracy: ``Knowledge`` -> ``knowledge``; a name that clashes with a row field
    (e.g. a source prefix ``n``) gets a ``cat_`` prefix."""
    key = name.lower().replace(" ", "_")
    return f"cat_{key}" if key in _ROW_FIELDS else key


def row_benchmark(row: dict[str, Any]) -> str:
    """The benchmark a row belongs to: the one it names (row ``benchmark``), else JudgeBench (the fallback
    benchmark, ``analysis.scoring.fallback_benchmark``: older runs and JudgeBench's released files name none)."""
    from ..benchmarks import fallback_benchmark

    return str(row.get("benchmark") or fallback_benchmark().name)


def row_categories(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Categories present in any row, in the order of the benchmark the rows name (row ``benchmark``; rows naming
    none count as JudgeBench's when another row names a benchmark). Rows of several benchmarks: benchmark by
    benchmark (by name), each one's categories in its own order; a benchmark this install does not know keeps
    each row's own order, the rows' lists merged in order.

    When no row lists its categories (rows read back from a CSV written before categories were listed), the
    fallback benchmark's categories (JudgeBench's, see ``analysis.scoring.fallback_benchmark``).
    """
    from ..benchmarks import fallback_benchmark, get_benchmark
    from ..errors import JudgebenchError

    lists = [list(r.get("categories") or ()) for r in rows]
    if not any(lists):
        return list(fallback_benchmark().categories)
    if not any(r.get("benchmark") for r in rows):
        return _merge_orders(lists)
    by_bench: dict[str, list[list[str]]] = {}
    for r, cats in zip(rows, lists, strict=True):
        by_bench.setdefault(row_benchmark(r), []).append(cats)
    out: list[str] = []
    for name in sorted(by_bench):
        names = list(dict.fromkeys(c for cats in by_bench[name] for c in cats))
        try:
            ordered = get_benchmark(name).ordered(names)
        except JudgebenchError:
            ordered = _merge_orders(by_bench[name])
        out += [c for c in ordered if c not in out]
    return out


def table_rule(rows: Sequence[dict[str, Any]], rule: str | None = None) -> str | None:
    """The rule a table of ``rows`` is under: ``rule`` when one was named for all runs; else the rule the runs
    among ``rows`` share (reference rows left out; ``vote`` when no row records one, as in rows read back from an
    older CSV); ``None`` when the runs have different rules (the table then shows a Rule column)."""
    if rule:
        return rule
    rules = {str(r["rule"]) for r in rows if r.get("origin") != "baseline" and r.get("rule")}
    if len(rules) > 1:
        return None
    return rules.pop() if rules else "vote"


def _merge_orders(lists: Sequence[Sequence[str]]) -> list[str]:
    """One order of every name in ``lists`` that keeps the order within each list (a name that must follow
    another waits for it); otherwise names come in order of first appearance."""
    names = list(dict.fromkeys(c for cats in lists for c in cats))
    before: dict[str, set[str]] = {c: set() for c in names}
    for cats in lists:
        for k, c in enumerate(cats):
            before[c].update(cats[:k])
    out: list[str] = []
    while len(out) < len(names):
        placed = set(out)
        ready = next((c for c in names if c not in placed and before[c] <= placed), None)
        out.append(ready if ready is not None else next(c for c in names if c not in placed))  # a cycle: first seen
    return out


MIXED_RULES = "each run's rule"
"""The Overall header's rule when the runs of a table were scored under different rules (a Rule column follows)."""


def default_columns(rule: str | None = "vote", categories: Sequence[str] = ()) -> list[Column]:
    """Judge, judge model, pair source, n, one column per category, Overall, its 95% CI, consistency, no-decision.

    ``rule=None`` (runs under different rules): Overall is headed "Overall (each run's rule)" and a Rule column
    follows it."""
    if rule is None:
        cols = default_columns(MIXED_RULES, categories)
        at = next(k + 1 for k, c in enumerate(cols) if c.key == "overall")
        return [*cols[:at], Column("rule", "Rule", None), *cols[at:]]
    return [
        Column("judge", "Judge", None),
        Column("model", "Judge model", None),
        Column("response_model", "Pairs from", None),
        Column("n", "n", 0),
        *(Column(category_key(c), c) for c in categories),
        Column("overall", f"Overall ({rule})"),
        Column("ci", "95% CI", None),
        Column("consistency", "Consistency"),
        Column("no_decision", "No-decision % \u2193"),
    ]


def available_columns(rows: Sequence[dict[str, Any]], rule: str | None = "vote") -> dict[str, Column]:
    """Every column a leaderboard can show, by key: the defaults plus identity, CI bounds and test fields."""
    cols = default_columns(rule, row_categories(rows))
    cols = [c for c in cols if c.key != "rule"]  # listed below, in its place among the extra columns
    cols += [
        Column("label", "Run", None),
        Column("dataset", "Dataset", None),
        Column("origin", "Origin", None),
        Column("rule", "Rule", None),
        Column("ci_low", "CI low"),
        Column("ci_high", "CI high"),
        Column("failed", "Failed", 0),
        Column("judged", "Judged", None),
        Column("p_vs_best", "p vs best", 3),
        Column("n_paired", "Pairs tested", 0),
        Column("sig_test", "Test", None),
        Column("benchmark", "Benchmark", None),
        Column("items_accuracy", "Accuracy over items"),
        Column("headline", "Overall is", None),
        *RATING_COLUMNS,
    ]
    return {c.key: c for c in cols}


RATING_COLUMNS = [Column("pearson", "Pearson r", 3), Column("spearman", "Spearman ρ", 3), Column("kendall", "Kendall τ", 3)]
"""Columns of a pointwise run on rated items: its correlations with the reference ratings, per response."""


def pick_columns(rows: Sequence[dict[str, Any]], names: Sequence[str] | None, rule: str | None = "vote") -> list[Column]:
    """The columns named in ``names`` (row keys, in that order), or the default columns for ``rows``.

    Raises:
        ValueError: for an unknown column name, listing the known ones.
    """
    known = available_columns(rows, rule)
    if not names:
        cols = default_columns(rule, row_categories(rows))
        rated = [r for r in rows if r.get("pearson") is not None or r.get("spearman") is not None]
        if rated and len(rated) == len(rows):  # ratings only: correlations with the reference, no accuracy
            cols = [c for c in cols if c.key in ("judge", "model", "response_model", "n", "no_decision")]
            cols[4:4] = RATING_COLUMNS
        elif rated:
            cols = [*cols, *RATING_COLUMNS]
        return with_judged_column(cols, rows)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown column(s) {', '.join(map(repr, unknown))}; choose from {', '.join(known)}")
    return [known[n] for n in names]


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and math.isnan(v)):
        return None
    return float(v)


def is_baseline_row(row: dict[str, Any]) -> bool:
    """Whether a leaderboard row is a baseline or reference (a judge with no model such as ``longer``, or the
    expected random-choice row): such rows are shown but never compared for "best"."""
    return bool(row.get("is_baseline")) or row.get("origin") == "baseline"


def best_cells(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> dict[str, set[int]]:
    """Row indices holding the best value of each ranked numeric column (highest; lowest for the columns in
    ``_LOWER_IS_BETTER``, whose headers carry a down arrow), among rows that are judge runs.

    Baseline and reference rows (:func:`is_baseline_row`) never take the mark: an order-blind baseline's 100.0
    position consistency is not an achievement; nor do rows left out of the comparison (``compared`` false: a
    partial run). Values are compared only among rows on the same pair set (``pair_set``), so a table holding
    several pair sets marks the best of each. Nothing is marked in a column where fewer than two runs have a
    value, or where the best value is shared by more than half of the runs (0.0 no-decision in most rows marks
    nothing)."""
    out: dict[str, set[int]] = {}
    sets: dict[Any, list[int]] = {}
    for i, r in enumerate(rows):
        if not is_baseline_row(r) and r.get("compared", True):
            sets.setdefault(r.get("pair_set"), []).append(i)
    for c in columns:
        if c.digits is None or c.key in _NOT_RANKED:
            continue
        for members in sets.values():
            vals = [(v, i) for i in members if (v := _number(rows[i].get(c.key))) is not None]
            if len(vals) < 2:
                continue
            target = (min if c.key in _LOWER_IS_BETTER else max)(v for v, _ in vals)
            marked = {i for v, i in vals if v == target}
            if 2 * len(marked) <= len(vals):
                out.setdefault(c.key, set()).update(marked)
    return out


def pair_sets(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The distinct ``pair_set`` values of the runs among ``rows`` (reference rows left out), in order."""
    return list(dict.fromkeys(str(r["pair_set"]) for r in rows if r.get("origin") != "baseline" and r.get("pair_set") is not None))


def _data_notes(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Notes on partial runs (marked ‡) and on a table that holds several pair sets; empty when neither."""
    notes = []
    partial = [r for r in rows if r.get("partial")]
    if partial:
        how = (
            "compared like the others (--include-partial)"
            if all(r.get("compared") for r in partial)
            else "not marked best, not bold, not tested against the best (--include-partial compares it)"
        )
        notes.append(f"‡ {PARTIAL_NOTE[0].upper() + PARTIAL_NOTE[1:]}; {how}.")
    own = dict.fromkeys(f"{row_benchmark(r)}: {r['headline']}" for r in rows if r.get("headline"))
    if own:
        notes.append("Overall is the benchmark's own score (" + "; ".join(own) + "); the accuracy over items is the column items_accuracy.")
    k = len(pair_sets(rows))
    if k > 1:
        notes.append(f"These runs are on {k} different pair sets (column Pair set): bold and † compare runs on the same pair set only.")
    return notes


def _notes(rows: Sequence[dict[str, Any]]) -> tuple[str | None, bool]:
    """The dagger note (naming the paired test actually used) and whether a baseline row is present."""
    tests = sorted({str(r["sig_test"]) for r in rows if r.get("sig_test")})
    dagger = None
    if any(r.get("tied_with_best") for r in rows) or tests:
        dagger = (
            f"not significantly different from the best Overall (two-sided {' / '.join(tests) or 'paired'} test on "
            "per-pair correctness, on the pairs both runs judged, p >= 0.05)."
        )
    return dagger, any(r.get("origin") == "baseline" for r in rows)


def benchmarks_of(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The distinct benchmarks of ``rows`` (:func:`row_benchmark`), in order of first appearance."""
    return list(dict.fromkeys(row_benchmark(r) for r in rows))


def table_groups(rows: Sequence[dict[str, Any]]) -> list[tuple[tuple[str | None, Any], list[dict[str, Any]]]]:
    """The tables of ``rows``: one per benchmark (when the rows hold several) and ``group``, in order of first
    appearance; the key is (benchmark or ``None`` when there is only one, group)."""
    multi = len(benchmarks_of(rows)) > 1
    groups: dict[tuple[str | None, Any], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((row_benchmark(r) if multi else None, r.get("group")), []).append(r)
    return list(groups.items())


def _where(bench: str | None, group: Any) -> tuple[str, str]:
    """A table's Markdown heading (``""``: none) and the words its LaTeX caption adds (``" on ..."``)."""
    if bench is None:
        return (f"### Pairs from {group}\n\n" if group is not None else ""), (f" on pairs from {group}" if group is not None else "")
    if group is None:
        return f"### Benchmark {bench}\n\n", f" on {bench}"
    return f"### Benchmark {bench}: pairs from {group}\n\n", f" on {bench}, pairs from {group}"


def render_leaderboard(
    rows: Sequence[dict[str, Any]], fmt: str, *, rule: str | None = None, caption: str | None = None, columns: Sequence[str] | None = None
) -> str:
    """Render leaderboard rows as ``md``, ``latex``, ``csv`` or ``json``.

    Rows make one table per benchmark (when they hold several: rows of different benchmarks never share a table,
    each shows its own categories in its own order) and, within it, per ``group`` (Markdown heading / LaTeX
    ``table``); CSV and JSON stay one table with ``group`` (and, for several benchmarks, ``benchmark``) columns.
    Each table's Overall is headed with its rule (:func:`table_rule`: ``rule`` when named, else the rule its runs
    share; runs under different rules get "each run's rule" and a Rule column). The best value of each column is
    bold (Markdown and LaTeX), rows with ``tied_with_best`` get a dagger, baseline rows are italic and set apart;
    a note under each table explains the marks and names the test. CSV without ``columns`` holds every field the
    plots need.

    Raises:
        ValueError: for an unknown format or column.
    """
    if fmt == "json":
        return json.dumps(finite_json([dict(r) for r in rows]), indent=2, default=str) + "\n"
    cols = pick_columns(rows, columns, table_rule(rows, rule))
    if fmt == "csv":
        if not columns:
            known = available_columns(rows, rule)
            extra = [known[k] for k in ("label", "dataset", "origin", "rule", "ci_low", "ci_high", "p_vs_best", "n_paired", "sig_test") if all(c.key != k for c in cols)]
            cols = cols + extra + [Column("group", "group", None), Column("best", "best", None), Column("tied_with_best", "tied_with_best", None)]
            rows = [dict(r, categories=";".join(r.get("categories") or [])) for r in rows]
            cols.append(Column("categories", "categories", None))
            if any(r.get("partial") for r in rows) or any(len(pair_sets(m)) > 1 for _, m in table_groups(rows)):
                cols += [Column(k, k, None) for k in ("pair_set", "set_size", "partial", "compared")]  # only when they tell something
            if len(benchmarks_of(rows)) > 1:
                rows = [dict(r, benchmark=row_benchmark(r)) for r in rows]
                cols.append(Column("benchmark", "benchmark", None))
        return to_csv(rows, cols)
    if fmt not in ("md", "latex"):
        raise ValueError(f"unknown format {fmt!r}; use md, latex, csv or json")
    parts = []
    groups = table_groups(rows)
    for k, ((bench, group), members) in enumerate(groups, start=1):
        members_rule = table_rule(members, rule)
        if columns:
            cols = pick_columns(rows, columns, members_rule)
        else:
            cols = pick_columns(members, None, members_rule)  # each group shows the categories its own pairs have
            if len(pair_sets(members)) > 1:  # runs on different pairs side by side: say which pairs each judged
                at = next((k + 1 for k, c in enumerate(cols) if c.key == "response_model"), 1)
                cols = [*cols[:at], Column("pair_set", "Pair set", None), *cols[at:]]
        partial = {i for i, r in enumerate(members) if r.get("partial")}
        data_notes = _data_notes(members) + failure_notes(members)
        # Markdown marks the best cells only for compared leaderboard rows; `score` and `bench` tables stay plain
        bold = best_cells(members, cols) if fmt == "latex" or any("best" in r for r in members) else {}
        dagger = {i for i, r in enumerate(members) if r.get("tied_with_best")}
        italic = {i for i, r in enumerate(members) if r.get("origin") == "baseline"}
        dagger_note, has_baseline = _notes(members)
        head, where = _where(bench, group)
        if fmt == "md":
            notes = []
            if bold:
                notes.append("Bold: best value per column among judges with a model (baselines are not compared); ↓: lower is better.")
            if dagger_note:
                notes.append("† " + dagger_note[0].upper() + dagger_note[1:])
            if has_baseline:
                notes.append(BASELINE_NOTE[0].upper() + BASELINE_NOTE[1:])
            notes += data_notes
            tail = "\n" + " ".join(notes) + "\n" if notes else ""
            parts.append(head + to_markdown(members, cols, bold=bold, dagger_rows=dagger, italic_rows=italic, ddagger_rows=partial) + tail)
        else:
            rule_text = members_rule or f"{MIXED_RULES}, column Rule"
            cap = caption or f"Judge accuracy in % (rule: {rule_text}){where}; 95% bootstrap CI over pairs."
            if bold:
                cap += " Bold: best value per column among judges with a model (baselines are not compared); \u2193: lower is better."
            if has_baseline:
                cap += " Italic: " + BASELINE_NOTE
            if data_notes:
                cap += " " + " ".join(data_notes)
            label = "tab:judgebench" + (f"-{k}" if len(groups) > 1 else "")
            first = min(italic) if italic and len(italic) < len(members) else None
            parts.append(
                to_latex(
                    members, cols, caption=cap, label=label, bold=bold, dagger_rows=dagger, dagger_note=dagger_note, italic_rows=italic, rule_before={first} if first is not None else set(), ddagger_rows=partial
                )
            )
    return "\n".join(parts)
