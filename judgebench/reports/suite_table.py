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
from dataclasses import dataclass
from typing import Any, Protocol

from ..analysis.scoring import Headline, RunMetrics
from .tables import Column, to_csv, to_latex, to_markdown


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
    """Rows (a judge and model each: ``label`` -> cells by data set), the data sets in column order, and each data
    set's headline name."""

    labels: tuple[str, ...]
    datasets: tuple[str, ...]
    cells: dict[tuple[str, str], SuiteCell]
    headline_names: dict[str, str]

    def rows(self) -> list[dict[str, Any]]:
        """One dict per judge: ``judge`` (the label) and one text cell per data set (``–`` where not run)."""
        return [{"judge": label, **{d: self._text(label, d) for d in self.datasets}} for label in self.labels]

    def _text(self, label: str, dataset: str) -> str:
        c = self.cells.get((label, dataset))
        if c is None:
            return "–"
        return c.text() + ("§" if c.headline.name != self.headline_names[dataset] else "")

    def records(self) -> list[dict[str, Any]]:
        """Every cell as a flat record (for CSV and JSON): judge, benchmark (the data set, ``NAME:SPLIT``), headline
        name, value, CI, n, failed, partial."""
        out = []
        for (label, dataset), c in self.cells.items():
            h = c.headline
            out.append({"judge": label, "benchmark": dataset, "headline": h.name, "value": h.value, "ci_low": h.ci_low, "ci_high": h.ci_high, "n": c.n, "failed": c.failed, "partial": c.partial})
        return out

    def notes(self) -> list[str]:
        """What each column's number is, and the marks."""
        out = [f"{d}: {self.headline_names[d]}" for d in self.datasets]
        # a run whose headline is another measure than its column's (Auto-J's one-order agreement for a run judged in
        # one order only) says so
        out += [f"§ {label} on {d}: {c.headline.name}" for (label, d), c in self.cells.items() if c.headline.name != self.headline_names[d]]
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
    for run in runs:
        row = run.row
        if row.get("origin") == "baseline" or run.metrics is None:
            continue
        dataset = _column_name(row)
        label = str(row.get("label") or row.get("judge"))
        cell = SuiteCell(dataset, run.metrics.headline(), int(row.get("n") or 0), int(row.get("failed") or 0), bool(row.get("partial")))
        key = (label, dataset)
        if key not in cells or cell.n > cells[key].n:
            cells[key] = cell
        names.setdefault(dataset, cell.headline.name)
        if label not in labels:
            labels.append(label)
    datasets = tuple(names)  # in the order the runs come (the suite's order; the leaderboard's benchmark order)
    return SuiteTable(tuple(labels), datasets, cells, names)


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


def render_suite_table(table: SuiteTable, fmt: str) -> str:
    """The table as ``md`` (with its notes below), ``latex`` (notes in the caption) or ``csv`` (one record per cell:
    :meth:`SuiteTable.records`; for JSON use ``records`` directly).

    Raises:
        ValueError: for another format.
    """
    columns = [Column("judge", "Judge", None), *(Column(d, d, None) for d in table.datasets)]
    if fmt == "md":
        return to_markdown(table.rows(), columns) + "\n" + "".join(f"- {n}\n" for n in table.notes())
    if fmt == "latex":
        caption = "Headline score of each benchmark with its 95% CI. " + "; ".join(table.notes()) + "."
        return to_latex(table.rows(), columns, caption=caption, label="tab:judgebench-suite")
    if fmt == "csv":
        keys = ("judge", "benchmark", "headline", "value", "ci_low", "ci_high", "n", "failed", "partial")
        return to_csv(table.records(), [Column(k, k, None) for k in keys])
    raise ValueError(f"unknown suite table format {fmt!r}; use md, latex or csv")
