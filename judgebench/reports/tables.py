"""Leaderboard tables: rows of ``reports.leaderboard`` (one per run) as Markdown, LaTeX that fits a two-column paper,
CSV or JSON, with the best values in bold, daggers, notes and display names. Pure formatting, no I/O.

The generic pieces live beside it and are re-exported here: ``reports.cells`` (:class:`Column`, Markdown, CSV) and
``reports.latex`` (escaping, fitting, floats, structural checks).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from ..files import finite_json
from .cells import Column, format_cell, to_csv, to_markdown
from .latex import (
    LADDER,
    WIDTHS,
    LatexTable,
    Layout,
    TexCell,
    Width,
    ci_cell,
    latex_escape,
    latex_label,
    latex_table_problems,
    standalone_latex,
    to_latex,
)
from .names import Names
from .table_content import (
    BASELINE_NOTE,
    FAILED_NOTE,
    MIXED_RULES,
    PARTIAL_NOTE,
    RATING_COLUMNS,
    RunName,
    abbreviate,
    available_columns,
    benchmarks_of,
    best_cells,
    category_columns,
    category_key,
    dagger_note,
    data_notes,
    default_columns,
    failure_notes,
    group_name,
    has_baseline,
    has_failures,
    is_baseline_row,
    name_column,
    named_rows,
    pair_sets,
    pick_columns,
    row_benchmark,
    row_categories,
    run_names,
    table_groups,
    table_rule,
    with_judged_column,
    with_pair_set_column,
)

logger = logging.getLogger(__name__)

__all__ = [  # re-exported: the renderers and what a table holds (reports.cells, reports.latex, reports.table_content)
    "BASELINE_NOTE",
    "FAILED_NOTE",
    "MIXED_RULES",
    "PARTIAL_NOTE",
    "RATING_COLUMNS",
    "WIDTHS",
    "Column",
    "RunName",
    "abbreviate",
    "available_columns",
    "benchmarks_of",
    "best_cells",
    "category_columns",
    "category_key",
    "dagger_note",
    "default_columns",
    "failure_notes",
    "format_cell",
    "has_failures",
    "is_baseline_row",
    "latex_escape",
    "latex_table_problems",
    "pair_sets",
    "with_pair_set_column",
    "pick_columns",
    "render_leaderboard",
    "row_benchmark",
    "row_categories",
    "run_names",
    "standalone_latex",
    "table_groups",
    "table_rule",
    "to_csv",
    "to_latex",
    "to_markdown",
    "with_judged_column",
]


def _where(bench: str | None, group: Any, members: Sequence[dict[str, Any]] = (), names: Names | None = None) -> tuple[str, str]:
    """A table's Markdown heading (``""``: none) and the words its caption adds (``" on ..."``), with display names
    when ``names`` is given."""
    if names is not None:
        bench = names.benchmark(bench) if bench is not None else None
        group = group_name(group, members, names) if group is not None else None
    if bench is None:
        return (f"### Pairs from {group}\n\n" if group is not None else ""), (f" on pairs from {group}" if group is not None else "")
    if group is None:
        return f"### Benchmark {bench}\n\n", f" on {bench}"
    return f"### Benchmark {bench}: pairs from {group}\n\n", f" on {bench}, pairs from {group}"


def _without(cols: Sequence[Column], *keys: str) -> list[Column]:
    return [c for c in cols if c.key not in keys]


def _latex_candidates(
    members: Sequence[dict[str, Any]], names: Sequence[RunName], rule: str | None, width: Width, *, pairs_named: bool, display: Names
) -> tuple[list[tuple[list[Column], str, Sequence[Layout], bool]], list[str]]:
    """The default LaTeX column sets of a table, best first, each with its wrapping column, the layouts to try and
    whether it leaves out the categories; and the facts (LaTeX) its caption states instead of a column that would repeat one value in every row.

    ``column``: the run, the categories (abbreviated when needed), Overall with its CI as offsets; ``text``: the
    run, the categories, Overall, its CI, consistency and no-decision. Both: pair set, Pairs from and n only when
    they differ between rows, the Rule when the runs' rules differ, Judged when a run had failed judgments. The run
    is shown as judge and model apart (down to footnotesize), else as one name (the runs section of a names file
    always names the run as one); the categories are left out last.
    """
    cols = with_pair_set_column(pick_columns(members, None, rule), members)
    facts = []
    sources = {str(r.get("response_model") or "") for r in members}
    if len(sources) == 1:
        cols = _without(cols, "response_model")
        if not pairs_named and (source := sources.pop()):
            facts.append("pairs from " + latex_escape(display.model(source) or source))
    ns = {r.get("n") for r in members if r.get("n") is not None}
    if len(ns) == 1 and any(c.key == "n" for c in cols):
        cols = _without(cols, "n")
        facts.append(f"$n = {ns.pop()}$ pairs")
    if width == "column":
        cols = [Column("overall", "Overall") if c.key == "overall" else c for c in _without(cols, "ci", "consistency", "no_decision")]
    elif all(r.get("no_decision") in (0, 0.0, None) for r in members) and any(r.get("no_decision") == 0 for r in members):
        cols = _without(cols, "no_decision")
        facts.append("every judgment reached a decision")
    cats = {category_key(c) for c in row_categories(members)} & {c.key for c in cols}
    split = not any(n.whole for n in names) and any(n.model for n in names)
    out: list[tuple[list[Column], str, Sequence[Layout], bool]] = []
    for dropped in (False, True) if cats else (False,):
        base = _without(cols, *cats) if dropped else cols
        if split:
            out.append(([Column("model", "Model", None) if c.key == "model" else c for c in base], "model", LADDER[:-1], dropped))
        out.append((name_column(base), "name", LADDER, dropped))
    return out, facts


def _latex_leaderboard(
    members: Sequence[dict[str, Any]],
    all_rows: Sequence[dict[str, Any]],
    *,
    bench: str | None,
    group: Any,
    rule: str | None,
    caption: str | None,
    columns: Sequence[str] | None,
    names: Names,
    width: Width,
) -> str:
    """One table of the leaderboard as a LaTeX float that fits ``width`` (see :func:`render_leaderboard`)."""
    members_rule = table_rule(members, rule)
    shown_names = run_names(members, names)
    shown = named_rows(members, shown_names, names)
    italic = frozenset(i for i, r in enumerate(members) if r.get("origin") == "baseline")
    first = min(italic) if italic and len(italic) < len(members) else None
    marks: dict[str, Any] = {
        "dagger_rows": frozenset(i for i, r in enumerate(members) if r.get("tied_with_best")),
        "ddagger_rows": frozenset(i for i, r in enumerate(members) if r.get("partial")),
        "italic_rows": italic,
        "rule_before": frozenset({first} if first is not None else ()),
    }
    _, where = _where(bench, group, members, names)
    facts: list[str] = []
    if columns:
        candidates: list[tuple[list[Column], str | None, Sequence[Layout], bool]] = [(pick_columns(all_rows, columns, members_rule), None, LADDER, False)]
    else:
        pairs_named = group is not None and all(r.get("response_model") == group for r in members)  # the caption says "pairs from"
        found, facts = _latex_candidates(members, shown_names, members_rule, width, pairs_named=pairs_named, display=names)
        candidates = list(found)
        if width == "column":
            shown = [dict(r, overall=ci_cell(r.get("overall"), r.get("ci_low"), r.get("ci_high"))) for r in shown]
    table, layout, dropped, used = None, None, False, width
    for used in WIDTHS[WIDTHS.index(width) :]:  # a table too wide for a column in every form becomes a table*
        for cols, flex, ladder, without_categories in candidates:
            table = LatexTable(shown, cols, best_cells(members, cols), flex=flex, **marks)
            layout, dropped = table.fit(used, ladder), without_categories
            if layout is not None:
                break
        if layout is not None:
            break
    assert table is not None
    what = f"leaderboard table{where}"
    scale = layout is None
    if layout is None:
        layout = LADDER[-1]
        logger.warning("the LaTeX %s is about %.0f pt wide, wider than \\textwidth in every layout: scaled down with \\resizebox (needs graphicx); show shorter names (--names) or fewer --columns", what, table.width(layout))
    elif used != width:
        logger.warning("the LaTeX %s does not fit \\columnwidth in any layout: set as table* over \\textwidth; shorter names (--names) or fewer --columns make it fit a column", what)
    elif dropped:
        logger.warning("the LaTeX %s leaves out the per-category columns to fit %s%s", what, "\\columnwidth" if width == "column" else "\\textwidth", "; --latex-width text shows them" if width == "column" else "")
    rule_text = members_rule or f"{MIXED_RULES}, column Rule"
    cap = [latex_escape(caption) if caption else latex_escape(f"Judge accuracy in % (rule: {rule_text}){where}") + "".join(f", {f}" for f in facts)]
    if not caption:
        if any(isinstance(r.get("overall"), TexCell) for r in table.rows) and any(c.key == "overall" for c in table.columns):
            cap.append(r"; Overall with its 95\% bootstrap CI over pairs as $x^{+u}_{-l}$, the interval \mbox{$[x-l,\,x+u]$}.")
        else:
            cap.append(latex_escape("; 95% bootstrap CI over pairs."))
    legend = table.legend(layout)
    if legend:
        cap.append(" " + latex_escape("; ".join(legend)) + ".")
    if table.bold:
        lower = any("\u2193" in table.header(c, layout) for c in table.columns)
        cap.append(" " + latex_escape("Bold: best value per column among judges with a model (baselines are not compared)" + ("; \u2193: lower is better." if lower else ".")))
    if has_baseline(members):
        cap.append(" Italic: " + latex_escape(BASELINE_NOTE.split(": ", 1)[1]))
    notes = data_notes(members) + failure_notes(members)
    if notes:
        cap.append(" " + latex_escape(" ".join(notes)))
    note = dagger_note(members)
    if note:
        cap.append(" " + note[1])
    label = latex_label("judgebench", row_benchmark(members[0]), key=group)  # the same whatever other tables there are
    return table.render(layout, width=used, caption_tex="".join(cap), label=label, scale=scale)


def _with_names(rows: Sequence[dict[str, Any]], names: Names) -> list[dict[str, Any]]:
    """``rows`` with a ``name`` field: each run's display name, distinct within its table (:func:`table_groups`)."""
    name_of = {id(r): n.name for _, members in table_groups(rows) for r, n in zip(members, run_names(members, names), strict=True)}
    return [dict(r, name=name_of[id(r)]) for r in rows]


def render_leaderboard(
    rows: Sequence[dict[str, Any]],
    fmt: str,
    *,
    rule: str | None = None,
    caption: str | None = None,
    columns: Sequence[str] | None = None,
    names: Names | None = None,
    width: Width = "column",
) -> str:
    """Render leaderboard rows as ``md``, ``latex``, ``csv`` or ``json``.

    Rows make one table per benchmark (when they hold several: rows of different benchmarks never share a table,
    each shows its own categories in its own order) and, within it, per ``group`` (Markdown heading / LaTeX float);
    CSV and JSON stay one table with ``group`` (and, for several benchmarks, ``benchmark``) columns. Each table's
    Overall is headed with its rule (:func:`table_rule`: ``rule`` when named, else the rule its runs share; runs
    under different rules get "each run's rule" and a Rule column). The best value of each column is bold
    (Markdown and LaTeX), rows with ``tied_with_best`` get a dagger, baseline rows are italic and set apart; a note
    under each table explains the marks and names the test. CSV without ``columns`` holds every field the plots need.

    Names (``reports.names``): LaTeX always shows display names (``names``, else the defaults: model ids without
    provider, organisation and date); Markdown shows them when ``names`` is given (else the ids as they are); CSV
    and JSON keep the ids and, when ``names`` is given, add each run's display name as ``name``.

    LaTeX: each table is a float that fits ``width`` (``column``: a ``table`` for ``\\columnwidth``, with the
    compact default columns; ``text``: a ``table*`` for ``\\textwidth`` with the fuller set; see
    :func:`_latex_candidates` and ``reports.latex``), labelled from its benchmark and group
    (``tab:judgebench-<benchmark>[-<hash of the group>]``, the same whatever other tables there are).

    Raises:
        ValueError: for an unknown format, column or width.
    """
    if width not in WIDTHS:
        raise ValueError(f"unknown LaTeX width {width!r}; use {' or '.join(WIDTHS)}")
    if fmt == "json":
        return json.dumps(finite_json(_with_names(rows, names) if names is not None else [dict(r) for r in rows]), indent=2, default=str) + "\n"
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
            if names is not None:
                at = next((k + 1 for k, c in enumerate(cols) if c.key == "model"), 0)
                cols.insert(at, Column("name", "name", None))
        return to_csv(_with_names(rows, names) if names is not None else rows, cols)
    if fmt not in ("md", "latex"):
        raise ValueError(f"unknown format {fmt!r}; use md, latex, csv or json")
    parts = []
    for (bench, group), members in table_groups(rows):
        if fmt == "latex":
            parts.append(_latex_leaderboard(members, rows, bench=bench, group=group, rule=rule, caption=caption, columns=columns, names=names or Names(), width=width))
            continue
        members_rule = table_rule(members, rule)
        if columns:
            cols = pick_columns(rows, columns, members_rule)
        else:
            cols = with_pair_set_column(pick_columns(members, None, members_rule), members)  # each group: its own pairs' categories
        shown = members
        if names is not None:
            named = run_names(members, names)
            shown = named_rows(members, named, names)
            if not columns and any(n.whole for n in named):
                cols = name_column(cols)
        partial = {i for i, r in enumerate(members) if r.get("partial")}
        # Markdown marks the best cells only for compared leaderboard rows; `score` and `bench` tables stay plain
        bold = best_cells(members, cols) if any("best" in r for r in members) else {}
        dagger = {i for i, r in enumerate(members) if r.get("tied_with_best")}
        italic = {i for i, r in enumerate(members) if r.get("origin") == "baseline"}
        head, _ = _where(bench, group, members, names)
        notes = []
        if bold:
            notes.append("Bold: best value per column among judges with a model (baselines are not compared); ↓: lower is better.")
        note = dagger_note(members)
        if note:
            notes.append(note[0])
        if has_baseline(members):
            notes.append(BASELINE_NOTE[0].upper() + BASELINE_NOTE[1:])
        notes += data_notes(members) + failure_notes(members)
        tail = "\n" + " ".join(notes) + "\n" if notes else ""
        parts.append(head + to_markdown(shown, cols, bold=bold, dagger_rows=dagger, italic_rows=italic, ddagger_rows=partial) + tail)
    return "\n".join(parts)
