"""The inputs of the figures (``judgebench plot``): leaderboard rows and each run's judgments, from a results
folder or a ``leaderboard.csv``; the ``agree --json`` outputs of the agreement figure; and every figure the inputs
allow at once (``plot all``: one file per kind, each with one panel per benchmark and pair set, see
``reports.plots.facets``). matplotlib is imported only when a figure is built."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..schema import ItemResult
from .names import Names

if TYPE_CHECKING:
    from matplotlib.figure import Figure

RunJudgments = tuple[str, tuple[ItemResult, ...]]
"""A run's label (unique among the runs shown) and its per-pair results."""


@dataclass(frozen=True)
class FigureInputs:
    """What the figures read: leaderboard rows, each judged run's ``(label, results)``, and the title of the panel
    (benchmark and pair set, ``""`` with one panel) each of those runs is drawn in."""

    rows: list[dict[str, Any]]
    runs: list[RunJudgments] = field(default_factory=list)
    run_facets: list[str] = field(default_factory=list)


def figure_inputs(
    source: str | Path,
    *,
    include: Iterable[str | Path] = (),
    rule: str | None = None,
    seed: int = 0,
    include_partial: bool = False,
    baseline: bool = False,
    response_models: Sequence[str] = (),
    names: Names | None = None,
    benchmarks: Sequence[str] = (),
) -> FigureInputs:
    """Leaderboard rows and ``(label, results)`` per run, from a results folder or a leaderboard CSV.

    Args:
        source: a ``.csv`` file (rows only: no judgments) or a results folder (read with ``leaderboard_runs``).
        include, rule, seed, include_partial, baseline: as ``reports.sources.leaderboard_runs``.
        response_models: only rows and runs on pairs from these response models (all when empty).
        benchmarks: only rows and runs of these benchmarks (``tables.row_benchmark``; all when empty): one
            benchmark per figure, sized for a paper, instead of a panel per benchmark.
        names: the display names of runs, benchmarks and models (``reports.names``; defaults when ``None``).

    Raises:
        InputError: as ``leaderboard_runs``, or for an unreadable CSV.
    """
    from .plots import facet_key, facets, read_leaderboard_csv, unique_labels
    from .sources import leaderboard_runs
    from .tables import row_benchmark

    def keep(row: dict[str, Any]) -> bool:
        return (not response_models or row.get("response_model") in response_models) and (not benchmarks or row_benchmark(row) in benchmarks)

    source = Path(source)
    if source.is_file() and source.suffix == ".csv":
        return FigureInputs([r for r in read_leaderboard_csv(source) if keep(r)])
    runs = leaderboard_runs(str(source), include, rule=rule, seed=seed, include_partial=include_partial, baseline=baseline)
    rows = [r.row for r in runs if keep(r.row)]
    if not rows:
        from ..errors import InputError

        raise InputError(f"no run of {', '.join(benchmarks) or 'these benchmarks'}{' on pairs from ' + ', '.join(response_models) if response_models else ''}", path=source)
    judged = [r.row for r in runs if r.results and keep(r.row)]
    titles = {f.key: f.title for f in facets(rows, names)}
    labels = unique_labels(judged, names)
    results = [r.results for r in runs if r.results and keep(r.row)]
    return FigureInputs(rows, list(zip(labels, results, strict=True)), [titles.get(facet_key(r), "") for r in judged])


def load_agreement_entries(paths: Iterable[str | Path]) -> list[Any]:
    """Every judge's ``agree --json`` output in the files ``paths``, one list (a file may hold one or a list).

    Raises:
        InputError: for a missing or unreadable file.
    """
    from .plots_judgments import load_agreement_json

    loaded = [load_agreement_json(p) for p in paths]
    return [x for d in loaded for x in (d if isinstance(d, list) else [d])]


def build_figure(
    kind: str,
    rows: Sequence[dict[str, Any]],
    runs: Sequence[RunJudgments] = (),
    *,
    agreement: Any = None,
    measure: str | None = None,
    source: str | Path | None = None,
    bins: int = 5,
    names: Names | None = None,
    size: str = "column",
    run_facets: Sequence[str] = (),
) -> Figure:
    """The figure ``kind`` (``reports.plots.PLOT_KINDS``) from rows, runs' judgments and agreement entries.

    Raises:
        InputError: for a length-bias curve without judgments (``source`` named in the error), or inputs the
            figure cannot use.
    """
    from .plots import make_figure

    if kind == "length" and not runs:
        raise InputError("the length-bias curve needs judgments: give a results folder (or --include judgment files), not a CSV", path=source)
    return make_figure(kind, rows, runs, agreement=agreement, measure=measure, bins=bins, names=names, size=size, run_facets=run_facets)


def all_figures(
    rows: Sequence[dict[str, Any]],
    runs: Sequence[RunJudgments] = (),
    *,
    agreement: Sequence[Any] | None = None,
    measure: str | None = None,
    bins: int = 5,
    names: Names | None = None,
    size: str = "column",
    run_facets: Sequence[str] = (),
) -> tuple[dict[str, Figure], dict[str, str]]:
    """Every figure of ``PLOT_KINDS`` the inputs allow (``plot all``): the length curve only with judgments, the
    agreement figure only with ``agreement`` entries. Runs of several benchmarks or pair sets are drawn in one
    panel each (``reports.plots.facets``; ``run_facets`` for the length curve), never in one sorted chart.

    Returns:
        The figures by kind, and the kinds skipped because their inputs could not make them (e.g. no two-game run
        for the consistency plot), with the reason.
    """
    from .plots import PLOT_KINDS, make_figure

    figures: dict[str, Figure] = {}
    skipped: dict[str, str] = {}
    for kind in PLOT_KINDS:
        if (kind == "length" and not runs) or (kind == "agreement" and agreement is None):
            continue
        try:
            figures[kind] = make_figure(kind, rows, runs, agreement=agreement, measure=measure, bins=bins, names=names, size=size, run_facets=run_facets)
        except InputError as e:
            skipped[kind] = e.reason
    return figures, skipped
