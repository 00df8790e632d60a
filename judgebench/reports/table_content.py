"""What a leaderboard table holds, whatever its format: the categories and columns of rows of
``reports.leaderboard`` (one per run, optionally with a ``group``), the best cells, the notes, the tables a set of
rows makes, and the runs' display names. Rendering is ``reports.tables``."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .cells import Column
from .latex import latex_escape
from .names import Names, unique_run_names

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
    "Judged: judgments that ran of all judgments; a run below total had failed calls, each scored as a no-decision "
    "under the rule (under vote the pair's other game then decides; its pairs are left out of Consistency), so its "
    "accuracy is not a clean result: it is not compared with the other runs (never best, bold or tested; "
    "--include-partial compares it). Run its command again to retry them."
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
        Column("model", "Judge model", None, "Model"),
        Column("response_model", "Pairs from", None, "Pairs"),
        Column("n", "n", 0),
        *category_columns(categories),
        Column("overall", f"Overall ({rule})", 1, "Overall"),
        Column("ci", "95% CI", None),
        Column("consistency", "Consistency", 1, "Cons."),
        Column("no_decision", "No-decision % \u2193", 1, "No dec. \u2193"),
    ]


def abbreviate(name: str) -> str:
    """A header of at most 6 characters for a narrow table: the name itself when it is that short, the initials of
    a name of several words (``Chat Hard`` -> ``CH``), else its first four letters and a dot (``Knowledge`` ->
    ``Know.``)."""
    if len(name) <= 6:
        return name
    words = [w for w in re.split(r"[\s/_-]+", name) if w]
    if len(words) > 1:
        return "".join(w[0].upper() for w in words)[:6]
    return name[:4] + "."


def category_columns(categories: Sequence[str]) -> list[Column]:
    """One column per category, with an abbreviated header (:func:`abbreviate`) that no other category shares
    (one that would is left unabbreviated)."""
    short = [abbreviate(c) for c in categories]
    return [Column(category_key(c), c, 1, s if short.count(s) == 1 else None) for c, s in zip(categories, short, strict=True)]


def available_columns(rows: Sequence[dict[str, Any]], rule: str | None = "vote") -> dict[str, Column]:
    """Every column a leaderboard can show, by key: the defaults plus identity, CI bounds and test fields."""
    cols = default_columns(rule, row_categories(rows))
    cols = [c for c in cols if c.key != "rule"]  # listed below, in its place among the extra columns
    cols += [
        Column("name", "Judge", None),
        Column("label", "Run", None),
        Column("dataset", "Dataset", None),
        Column("origin", "Origin", None),
        Column("rule", "Rule", None),
        Column("pair_set", "Pair set", None, "Set"),
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


RATING_COLUMNS = [Column("pearson", "Pearson r", 3, "r"), Column("spearman", "Spearman ρ", 3, "ρ"), Column("kendall", "Kendall τ", 3, "τ")]
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


def with_pair_set_column(cols: Sequence[Column], rows: Sequence[dict[str, Any]]) -> list[Column]:
    """``cols`` with a Pair set column after Pairs from (else after the first) when ``rows`` hold runs on more than
    one pair set: runs on different pairs side by side say which pairs each judged (Markdown, LaTeX and HTML)."""
    if len(pair_sets(rows)) <= 1:
        return list(cols)
    at = next((k + 1 for k, c in enumerate(cols) if c.key == "response_model"), 1)
    return [*cols[:at], Column("pair_set", "Pair set", None, "Set"), *cols[at:]]


def data_notes(rows: Sequence[dict[str, Any]]) -> list[str]:
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
        notes.append("Overall is the benchmark's own score (" + "; ".join(own) + "); the accuracy over items is items_accuracy in the CSV and JSON.")
    k = len(pair_sets(rows))
    if k > 1:
        notes.append(f"These runs are on {k} different pair sets (column Pair set): bold and † compare runs on the same pair set only.")
    return notes


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


def dagger_note(rows: Sequence[dict[str, Any]]) -> tuple[str, str] | None:
    """The note on the significance tests of ``rows`` against the best run, as plain text and as LaTeX, each a whole
    sentence with its mark; ``None`` when no row was tested against the best.

    When a row is marked († , ``tied_with_best``): "† Not significantly different from the best Overall (two-sided
    <test> test ..., p >= 0.05)." (LaTeX ``$^\\dagger$\\,not significantly ... $p \\ge 0.05$).``). When rows were
    tested and none is marked, the note says so instead of explaining a mark no row carries: every run tested differs
    from the best at p < 0.05."""
    tests = sorted({str(r["sig_test"]) for r in rows if r.get("sig_test")})
    tied = any(r.get("tied_with_best") for r in rows)
    if not (tied or tests):
        return None
    how = f"two-sided {' / '.join(tests) or 'paired'} test on per-pair correctness, on the pairs both runs judged, "
    if tied:
        head = f"not significantly different from the best Overall ({how}"
        return "\u2020 " + head[0].upper() + head[1:] + "p >= 0.05).", r"$^\dagger$\," + latex_escape(head) + r"$p \ge 0.05$)."
    head = f"No run is marked \u2020: every run tested differs significantly from the best Overall ({how}"
    return head + "p < 0.05).", latex_escape(head.replace("\u2020", "with a dagger")) + r"$p < 0.05$)."


def has_baseline(rows: Sequence[dict[str, Any]]) -> bool:
    """Whether ``rows`` hold the reference row (random choice, expected)."""
    return any(r.get("origin") == "baseline" for r in rows)


@dataclass(frozen=True)
class RunName:
    """How a run is shown: ``name`` (the run's display name, distinct from the other runs' of its table), the
    judge's and the model's display names (the model's carries what tells apart two runs whose names would
    repeat), and ``whole``: the names file names the run as a whole, so it is not shown as judge and model apart."""

    name: str
    judge: str
    model: str
    whole: bool


def run_names(rows: Sequence[dict[str, Any]], names: Names | None = None) -> list[RunName]:
    """The display names of the rows of one table (``reports.names``: ``names``, else the defaults); a reference row
    (random choice, expected) is its short ``label`` (else its judge text), with no model."""
    names = names or Names()
    shown = [dict(r, judge=r.get("label") or r.get("judge"), model="") if r.get("origin") == "baseline" else r for r in rows]
    out = []
    for r, unique in zip(shown, unique_run_names(shown, names), strict=True):
        judge, model = str(r.get("judge", "?")), str(r.get("model") or "")
        base = names.run(judge, model)
        m = names.model(model)
        parts = f"{names.judge(judge)} ({m})" if m else names.judge(judge)
        out.append(RunName(unique, names.judge(judge), m + unique[len(base) :], base != parts))
    return out


def named_rows(rows: Sequence[dict[str, Any]], run_name: Sequence[RunName], names: Names | None = None) -> list[dict[str, Any]]:
    """``rows`` with their display names as ``name``, ``judge`` and ``model``, and, with ``names``, the pair source's
    (``response_model``), for rendering only."""
    out = [dict(r, name=n.name, judge=n.judge, model=n.model) for r, n in zip(rows, run_name, strict=True)]
    if names is not None:
        for r in out:
            if r.get("response_model"):
                r["response_model"] = names.model(str(r["response_model"])) or r["response_model"]
    return out


def name_column(cols: Sequence[Column]) -> list[Column]:
    """``cols`` with the judge and model columns replaced by one ``name`` column headed Judge, where judge was."""
    at = next((k for k, c in enumerate(cols) if c.key in ("judge", "model")), 0)
    rest = [c for c in cols if c.key not in ("judge", "model", "name")]
    return [*rest[:at], Column("name", "Judge", None), *rest[at:]]


def group_name(group: Any, members: Sequence[dict[str, Any]], names: Names) -> str:
    """A group's display name: the model's (``--group-by response_model``) or the data set's."""
    if all(r.get("response_model") == group for r in members):
        return names.model(str(group)) or str(group)
    return names.benchmark(str(group))
