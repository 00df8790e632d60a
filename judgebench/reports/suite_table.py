"""The suite table: one row per judge (and model), one column per benchmark with its official headline score and
95% CI, as a paper reports a judge on several benchmarks at once (``judgebench suite``, ``leaderboard``, ``report``).

Each cell is the run's :meth:`judgebench.analysis.scoring.RunMetrics.headline`: the benchmark's own rule when it has
one (RewardBench's mean of sections, RM-Bench's mean of domains, ...), else its accuracy under its rule, else the
Pearson correlation of ratings. The headline names differ between benchmarks, so the table's notes say what each
column is. A column is a data set as judged (``rewardbench:filtered``, ``llmbar:natural``): two splits of one
benchmark are two columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..analysis.scoring import Headline, RunMetrics
from .cells import Column, to_csv, to_markdown
from .latex import LatexTable, TexCell, Width, ci_cell, latex_escape, render_first_fit
from .names import Names, unique_run_names


class ScoredRun(Protocol):
    """What the table reads of a run (``leaderboard.LoadedRun``): its leaderboard row and its scores."""

    @property
    def row(self) -> dict[str, Any]: ...

    @property
    def metrics(self) -> RunMetrics | None: ...


@dataclass(frozen=True)
class SuiteCell:
    """One run's headline on one data set, with what qualifies it: ``n`` items, ``failed`` judgments, ``partial``
    (fewer items than the set: a ``--limit`` run)."""

    dataset: str
    headline: Headline
    n: int
    failed: int = 0
    partial: bool = False

    def text(self) -> str:
        """The cell as printed: ``72.3 (68.1–76.0)``, with ``‡`` for a partial run and ``*`` when judgments failed."""
        return self.headline.text() + ("‡" if self.partial else "") + ("*" if self.failed else "")


@dataclass(frozen=True)
class SuiteTable:
    """Rows (a judge and model each: ``label`` -> cells by data set), the data sets in column order, each data
    set's headline name, and each label's run (``identities``: label -> (judge, model), for display names; a label
    without one is shown as it is)."""

    labels: tuple[str, ...]
    datasets: tuple[str, ...]
    cells: dict[tuple[str, str], SuiteCell]
    headline_names: dict[str, str]
    identities: dict[str, tuple[str, str]] = field(default_factory=dict)

    def display_names(self, names: Names | None = None) -> dict[str, str]:
        """Label -> the run's display name (``reports.names``: ``names``, else the defaults), distinct for distinct
        runs; ``names=None`` and no identity: the label itself."""
        known = [label for label in self.labels if label in self.identities]
        shown = unique_run_names([{"judge": self.identities[lb][0], "model": self.identities[lb][1]} for lb in known], names or Names())
        return {label: label for label in self.labels} | dict(zip(known, shown, strict=True))

    def rows(self, names: Names | None = None) -> list[dict[str, Any]]:
        """One dict per judge: ``judge`` (the label; its display name when ``names`` is given) and one text cell per
        data set (``–`` where not run)."""
        shown = self.display_names(names) if names is not None else {label: label for label in self.labels}
        return [{"judge": shown[label], **{d: self._text(label, d) for d in self.datasets}} for label in self.labels]

    def _text(self, label: str, dataset: str) -> str:
        c = self.cells.get((label, dataset))
        if c is None:
            return "–"
        return c.text() + ("§" if c.headline.name != self.headline_names[dataset] else "")

    def records(self, names: Names | None = None) -> list[dict[str, Any]]:
        """Every cell as a flat record (for CSV and JSON): judge (the label), benchmark (the data set,
        ``NAME:SPLIT``), headline name, value, CI, n, failed, partial; with ``names``, the run's display ``name``
        after judge."""
        shown = self.display_names(names) if names is not None else {}
        out = []
        for (label, dataset), c in self.cells.items():
            h = c.headline
            name = {"name": shown[label]} if names is not None else {}
            out.append({"judge": label, **name, "benchmark": dataset, "headline": h.name, "value": h.value, "ci_low": h.ci_low, "ci_high": h.ci_high, "n": c.n, "failed": c.failed, "partial": c.partial})
        return out

    def notes(self, names: Names | None = None) -> list[str]:
        """What each column's number is, and the marks (with display names when ``names`` is given)."""
        shown = self.display_names(names) if names is not None else {label: label for label in self.labels}
        bench = names.benchmark if names is not None else str
        out = [f"{bench(d)}: {self.headline_names[d]}" for d in self.datasets]
        # a run whose headline is another measure than its column's (Auto-J's one-order agreement for a run judged in
        # one order only) says so
        out += [f"§ {shown[label]} on {bench(d)}: {c.headline.name}" for (label, d), c in self.cells.items() if c.headline.name != self.headline_names[d]]
        if any(c.partial for c in self.cells.values()):
            out.append("‡ partial run (fewer items than the set)")
        if any(c.failed for c in self.cells.values()):
            out.append("* some judgments failed (scored as no decision)")
        return out


def suite_table(runs: Sequence[ScoredRun]) -> SuiteTable:
    """The suite table of ``runs`` (baseline reference rows and runs without scores are left out). A judge and model
    with several runs on one data set (e.g. a rerun under another protocol) keeps the one with the most items."""
    cells: dict[tuple[str, str], SuiteCell] = {}
    names: dict[str, str] = {}
    labels: list[str] = []
    identities: dict[str, tuple[str, str]] = {}
    # a released file (JudgeBench's outputs) names only its benchmark, but its pairs are a set a run names with its
    # split (judgebench:gpt): the same column
    by_pair_set = {r.row["pair_set"]: name for r in runs if r.row.get("pair_set") and r.row.get("origin") != "baseline" and ":" in (name := _column_name(r.row))}
    for run in runs:
        row = run.row
        if row.get("origin") == "baseline" or run.metrics is None:
            continue
        dataset = _column_name(row)
        if ":" not in dataset:
            dataset = by_pair_set.get(row.get("pair_set"), dataset)
        label = str(row.get("label") or row.get("judge"))
        cell = SuiteCell(dataset, run.metrics.headline(), int(row.get("n") or 0), int(row.get("failed") or 0), bool(row.get("partial")))
        key = (label, dataset)
        if key not in cells or cell.n > cells[key].n:
            cells[key] = cell
        names.setdefault(dataset, cell.headline.name)
        if label not in labels:
            labels.append(label)
        if row.get("judge"):
            identities.setdefault(label, (str(row["judge"]), str(row.get("model") or "")))
    datasets = tuple(names)  # in the order the runs come (the suite's order; the leaderboard's benchmark order)
    return SuiteTable(tuple(labels), datasets, cells, names, identities)


def _column_name(row: dict[str, Any]) -> str:
    """A run's column: its data set as ``benchmark:split`` (the results folder's ``llmbar-natural`` is
    ``llmbar:natural``), else the data set's name."""
    dataset, bench = str(row.get("dataset") or ""), str(row.get("benchmark") or "")
    if bench and dataset.startswith(bench + "-"):
        return f"{bench}:{dataset[len(bench) + 1 :]}"
    return dataset or bench or "?"


def spans_benchmarks(runs: Sequence[ScoredRun]) -> bool:
    """Whether ``runs`` cover more than one benchmark (then ``leaderboard`` and ``report`` add the suite table)."""
    return len({run.row.get("benchmark") or "judgebench" for run in runs if run.row.get("origin") != "baseline"}) > 1


def render_suite_table(table: SuiteTable, fmt: str, *, names: Names | None = None, width: Width = "column") -> str:
    """The table as ``md`` (with its notes below), ``latex`` (notes in the caption) or ``csv`` (one record per cell:
    :meth:`SuiteTable.records`; for JSON use ``records`` directly).

    Names (``reports.names``): LaTeX always shows display names (``names``, else the defaults); Markdown shows them
    when ``names`` is given, else each run's label; CSV keeps the label and adds ``name`` when ``names`` is given.
    LaTeX: see :func:`suite_latex` (``width``: ``column`` or ``text``).

    Raises:
        ValueError: for another format.
    """
    if fmt == "md":
        bench = names.benchmark if names is not None else str
        columns = [Column("judge", "Judge", None), *(Column(d, bench(d), None) for d in table.datasets)]
        return to_markdown(table.rows(names), columns) + "\n" + "".join(f"- {n}\n" for n in table.notes(names))
    if fmt == "latex":
        return suite_latex(table, names or Names(), width)
    if fmt == "csv":
        keys = ("judge", *(("name",) if names is not None else ()), "benchmark", "headline", "value", "ci_low", "ci_high", "n", "failed", "partial")
        return to_csv(table.records(names), [Column(k, k, None) for k in keys])
    raise ValueError(f"unknown suite table format {fmt!r}; use md, latex or csv")


def _cell_tex(table: SuiteTable, label: str, dataset: str) -> TexCell | str:
    """A cell as LaTeX: the headline with its CI as offsets (:func:`reports.latex.ci_cell`) and its marks."""
    c = table.cells.get((label, dataset))
    if c is None or c.headline.value is None:
        return "–"
    h = c.headline
    cell = ci_cell(h.value, h.ci_low, h.ci_high, 1 if h.percent else 3)
    assert cell is not None
    marks = ("‡" if c.partial else "") + ("*" if c.failed else "") + ("§" if h.name != table.headline_names[dataset] else "")
    return TexCell(cell.tex + latex_escape(marks), cell.plain + marks, cell.script)


def suite_latex(table: SuiteTable, names: Names, width: Width = "column") -> str:
    """The suite table as a LaTeX float that fits ``width``: a judge per row and a benchmark per column, or, when
    there are more benchmarks than judges, a benchmark per row and a judge per column, so that the many fit down
    the page. Each cell is the headline with its CI as offsets (``72.3$^{+3.7}_{-4.2}$``); column headers wrap onto
    several lines when needed; the row names wrap in the one stretching column. A table too wide for ``\\columnwidth`` in every
    layout is set as ``table*``, and one too wide for ``\\textwidth`` is scaled down (see
    ``reports.latex.render_first_fit``, which warns). Label ``tab:judgebench-suite``."""
    shown = table.display_names(names)
    bench = {d: names.benchmark(d) for d in table.datasets}
    by_benchmark = len(table.datasets) > len(table.labels)
    if by_benchmark:
        rows = [{"row": bench[d], **{f"c{k}": _cell_tex(table, label, d) for k, label in enumerate(table.labels)}} for d in table.datasets]
        columns = [Column("row", "Benchmark", None), *(Column(f"c{k}", shown[label]) for k, label in enumerate(table.labels))]
    else:
        rows = [{"row": shown[label], **{f"c{k}": _cell_tex(table, label, d) for k, d in enumerate(table.datasets)}} for label in table.labels]
        columns = [Column("row", "Judge", None), *(Column(f"c{k}", bench[d]) for k, d in enumerate(table.datasets))]
    variants = [LatexTable(rows, columns, flex="row", header_width=hw) for hw in (None, 80.0, 50.0, 30.0)]  # headers on more lines
    caption = r"Headline score of each benchmark with its 95\% CI, as $x^{+u}_{-l}$ for the interval \mbox{$[x-l,\,x+u]$}. " + latex_escape("; ".join(table.notes(names)) + ".")
    return render_first_fit(variants, width=width, caption_tex=caption, label="tab:judgebench-suite", what="suite table")
