"""The report's weakness-profile section: for each run with per-item results (the first ``MAX_RUNS``, best first),
its weak nodes (``analysis.weakness``: categories significantly below the rest of the run, Holm-corrected) as a
table, and the tree as a figure; also what ``judgebench weakness`` reads runs and draws figures with
(:func:`profile_dir`, :func:`figure`), since loading runs and plotting belong to ``reports``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..analysis.weakness import WeaknessProfile, profile_results
from ..errors import InputError
from .sections import ReportSection, SectionTable, register_section

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .leaderboard import LoadedRun

logger = logging.getLogger(__name__)

MAX_RUNS = 4
"""At most this many runs are profiled (the best by accuracy), to keep the report short."""


def _accuracy(run: Any) -> float:
    value = run.row.get("accuracy")
    return float(value) if isinstance(value, (int, float)) and value == value else float("-inf")


@register_section("weakness")
def weakness_section(runs: Sequence[Any], names: Any = None, *, figures: bool = True) -> ReportSection | None:
    """The section, or ``None`` when no run has per-item results with a category tree of more than one node."""
    from ..analysis.weakness import HEADER, table_rows

    chosen = sorted((r for r in runs if r.results), key=_accuracy, reverse=True)[:MAX_RUNS]
    tables: list[SectionTable] = []
    figs: list[tuple[bytes, str]] = []
    notes: list[str] = []
    for run in chosen:
        try:
            profile = profile_run(run)
        except InputError as e:  # a run of ratings only: nothing to profile
            logger.info("weakness section: %s", e)
            continue
        if len(profile.nodes) < 2:
            continue
        name = run_name(run)
        rows = table_rows(profile, only_weak=True)
        o = profile.overall
        title = f"{name}: {len(profile.weak)} weak of {len(profile.tested)} nodes tested (overall {o.accuracy:.1f}, n={o.n})"
        tables.append(SectionTable(HEADER, tuple(rows) if rows else (("no node is significantly below the rest", "", "", "", "", "", ""),), title=title))
        if figures:
            try:
                figs.append((figure_png(profile, title=name), f"{name}: accuracy per node with 95% CIs; dashed line: overall; vermillion: weak"))
            except Exception as e:  # noqa: BLE001 - a figure that fails must not lose the tables
                logger.warning("weakness figure for %s failed: %s", name, e)
        if not notes:
            notes = list(profile.notes)
    if not tables:
        return None
    notes.append("Tree: the benchmark's own grouping (RewardBench: section > subset; others: the category split on /). `judgebench weakness RUN_DIR --by FIELD` slices by other fields.")
    return ReportSection("weakness", "Weakness profiles", tables=tuple(tables), notes=tuple(notes), figures=tuple(figs), order=60)


def run_name(run: LoadedRun) -> str:
    row = run.row
    return f"{row.get('judge', '?')}: {row.get('model', '?')}"


def profile_run(
    run: LoadedRun, *, by: Sequence[str] = (), alpha: float = 0.05, min_n: int = 20, correction: str = "holm", seed: int = 0, n_resamples: int = 10_000
) -> WeaknessProfile:
    """The weakness profile of a loaded run (``reports.leaderboard.load_runs``) under its rule.

    Raises:
        InputError: for a run without per-item results (only ``metrics.json``, or a streamed large run).
    """
    if not run.results:
        raise InputError(f"run {run_name(run)} has no per-item results to profile (only metrics.json, or a run too large to hold)", path=run.row.get("path"))
    rule = run.metrics.rule if run.metrics is not None else str(run.row.get("rule", "vote"))
    root = run.benchmark.name if run.benchmark is not None else str(run.row.get("dataset") or "all")
    return profile_results(
        run.results, run.credits, benchmark=run.benchmark, rule=rule, root=root, by=by, alpha=alpha, min_n=min_n, correction=correction, seed=seed, n_resamples=n_resamples
    )


def profile_dir(
    path: str | Path, *, by: Sequence[str] = (), rule: str | None = None, alpha: float = 0.05, min_n: int = 20, correction: str = "holm", seed: int = 0
) -> list[tuple[str, WeaknessProfile]]:
    """The weakness profile of every run under ``path`` (a results folder or one run's folder or judgment file).

    Raises:
        InputError: when no run with per-item results is found.
    """
    from .leaderboard import load_runs

    p = Path(path)
    runs = load_runs(p, rule=rule, seed=seed) if p.is_dir() else load_runs(None, [p], rule=rule, seed=seed)
    runs = [r for r in runs if r.results]
    if not runs:
        raise InputError("no run with per-item results (judgments.jsonl) found", path=p)
    out = []
    for r in runs:
        profile = profile_run(r, by=by, alpha=alpha, min_n=min_n, correction=correction, seed=seed)
        failed = sum(j.is_failed for res in r.results for j in res.judgments)
        if failed:  # a run with failed calls must not read as a clean profile
            total = sum(len(res.judgments) for res in r.results)
            note = f"{failed} of {total} judgments failed (their items score as no decision, so failures count against the nodes they fall in); rerun the same bench command to retry them."
            profile = replace(profile, notes=(*profile.notes, note))
        out.append((run_name(r), profile))
    return out


def figure(profile: WeaknessProfile, *, title: str = "", size: str = "page", max_nodes: int = 60) -> Figure:
    """A horizontal bar chart of the nodes (labels indented by depth, depth first) with their 95% CIs, the overall
    accuracy as a dashed line, weak nodes in vermillion, the rest in blue, untested nodes pale (Okabe-Ito)."""
    from .plot_style import LINE_IN, PALETTE, new_figure, paper_style

    nodes = list(profile.nodes[:max_nodes])
    with paper_style():
        fig = new_figure(0.9 + LINE_IN * 1.5 * len(nodes) + (LINE_IN if title else 0), size)
        ax = fig.add_subplot()
        y = np.arange(len(nodes))[::-1]
        colours = [PALETTE[5] if n.weak else (PALETTE[0] if n.p is not None else PALETTE[4]) for n in nodes]
        acc = np.array([n.accuracy for n in nodes])
        err = np.array([[n.accuracy - n.ci_low for n in nodes], [n.ci_high - n.accuracy for n in nodes]])
        ax.barh(y, acc, color=colours, height=0.7)
        ax.errorbar(acc, y, xerr=np.nan_to_num(err), fmt="none", ecolor="black", elinewidth=0.6, capsize=1.5)
        ax.axvline(profile.overall.accuracy, color=PALETTE[7], linestyle="--", linewidth=0.8)
        ax.set_yticks(y, [("  " * n.depth + n.name + (" *" if n.weak else "")) if n.path else profile.root for n in nodes])
        for tick in ax.get_yticklabels():
            tick.set_horizontalalignment("left")
        width = max((len(t.get_text()) for t in ax.get_yticklabels()), default=10)
        ax.tick_params(axis="y", pad=min(200, 4 + 3.6 * width))
        ax.set_xlim(0, 100)
        ax.set_xlabel(f"accuracy (%, {profile.rule} rule), 95% CI; dashed: overall {profile.overall.accuracy:.1f}; * / vermillion: weak")
        if title:
            ax.set_title(title)
    return fig


def figure_png(profile: WeaknessProfile, *, title: str = "", size: str = "page") -> bytes:
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = figure(profile, title=title, size=size)
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150)
    return buf.getvalue()
