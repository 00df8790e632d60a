"""The runs the reading commands show (``leaderboard``, ``plot``, ``report``): every run under a results folder plus
included judgment files, scored, grouped, sorted and compared with the best; and where the HTML report goes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from ..errors import InputError
from .leaderboard import LoadedRun, leaderboard, load_runs


def leaderboard_runs(
    results_dir: str | Path | None,
    include: Iterable[str | Path] = (),
    *,
    rule: str | None = None,
    seed: int = 0,
    include_partial: bool = False,
    baseline: bool = False,
    group_by: str = "none",
    sort: str = "overall",
) -> list[LoadedRun]:
    """The runs under ``results_dir`` and in the ``include``'d judgment files, grouped, sorted and compared with
    the best (``reports.leaderboard.leaderboard``).

    Args:
        results_dir: a results folder (every run below it) or one run folder; ``None`` or a missing folder with
            ``include`` given: only the included files.
        include: judgment files or folders to add (e.g. JudgeBench's released outputs).
        rule: the pair scoring rule every run is rescored under; ``None``: each run's own rule
            (``reports.leaderboard.own_rule``).
        seed: seed of the bootstrap CIs and paired bootstrap tests.
        include_partial: compare partial runs like complete ones.
        baseline: add the random-choice reference row to each group.
        group_by: ``none``, ``response_model`` or ``dataset``.
        sort: the row field to sort by.

    Raises:
        InputError: for a missing ``results_dir`` without ``include``, or when no run is found.
    """
    include = list(include)
    folder = Path(results_dir) if results_dir else None
    if folder is not None and not folder.exists():
        if not include:
            raise InputError("no such folder; run `make bench` first or pass --include FILES", path=folder)
        folder = None
    runs = load_runs(folder, include, rule=rule, seed=seed)
    if not runs:
        raise InputError("no runs found (folders with metrics.json and run.json, or --include'd judgment files); run `make bench` first", path=results_dir)
    return leaderboard(runs, group_by=group_by, sort=sort, baseline=baseline, rule=rule, seed=seed, include_partial=include_partial)


def select_response_models(runs: Sequence[LoadedRun], names: Sequence[str]) -> list[LoadedRun]:
    """The runs on pairs from one of the response models ``names`` (all runs when ``names`` is empty).

    Raises:
        InputError: (field ``--response-model``) when ``names`` leaves no run.
    """
    if not names:
        return list(runs)
    kept = [r for r in runs if r.row.get("response_model") in names]
    if not kept:
        raise InputError(f"no run on pairs from {', '.join(names)}", field="--response-model")
    return kept


def default_report_path(results_dir: str | Path | None) -> Path:
    """``RESULTS_DIR/report.html`` (a run folder's own folder when RESULTS_DIR is one run), never the current folder."""
    return Path(results_dir or "results") / "report.html"
