"""Run one judge over several benchmarks in one process (one call cache, one results folder) and gather each
benchmark's headline score into one table: ``judgebench suite``.

Each benchmark is run exactly as ``judgebench bench --benchmark NAME`` runs it (``runner.run``: its protocol, its
rule, resumable, its results folder); the headline is the benchmark's own rule when it has one
(``RunMetrics.extra["benchmark"]["headline"]``: RewardBench's section mean, RM-Bench's 3x3 matrix, ...), else its
accuracy under its rule, else (rated items) the Pearson correlation with the reference.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..analysis.scoring import RunMetrics
from ..benchmarks import get_benchmark, list_benchmarks
from ..errors import InputError, JudgebenchError
from .progress import SuiteBar
from .runner import RunOutcome, run
from .spec import RunSpec

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SuiteEntry:
    """One benchmark of a suite: its name, what was run, and its headline (``None`` when it could not run)."""

    benchmark: str
    headline_name: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    outcome: RunOutcome | None = None
    error: str | None = None


@dataclass(frozen=True)
class SuiteRun:
    """A suite member as the suite table reads it (``reports.suite_table.ScoredRun``): a row (``label``,
    ``dataset``, ``n``, ``failed``, ``partial``) and the run's scores."""

    row: dict[str, Any]
    metrics: RunMetrics | None


def default_benchmarks() -> list[str]:
    """Every registered benchmark that has a local copy (``Benchmark.local_copy``): the ones a suite can run
    offline."""
    return [b.name for b in list_benchmarks() if b.local_copy(None) is not None]


def suite_targets(names: Sequence[str], judge_kind: str) -> list[str]:
    """What a suite runs for ``names``: ``NAME:SPLIT`` as given; a bare ``NAME`` as the splits its benchmark runs
    for a ``judge_kind`` judge (``Benchmark.splits_for``: ``prometheus`` is ``prometheus:hhh_alignment`` for a
    pairwise judge, its two rated sets for a pointwise one; a benchmark without ``suite_splits`` for the kind runs
    its default split under its bare name), each once.

    Raises:
        InputError: for an unknown benchmark name.
    """
    out: list[str] = []
    for name in names:
        bench_name, sep, _ = name.partition(":")
        try:
            bench = get_benchmark(bench_name)
        except JudgebenchError as e:
            raise InputError(str(e), field="--benchmarks") from None
        splits = bench.suite_splits.get(judge_kind)
        expanded = [name] if sep or not splits else [f"{bench_name}:{s}" for s in splits]
        out += [x for x in expanded if x not in out]
    return out


def headline(outcome: RunOutcome) -> tuple[str, float | None, float | None, float | None]:
    """A run's headline (``RunMetrics.headline``): (name, value, CI low, CI high) in the units its benchmark reports
    (percent, or a correlation for rated items)."""
    h = outcome.metrics.headline()
    return h.name, h.value, h.ci_low, h.ci_high


def run_suite(spec: RunSpec, benchmarks: Sequence[str]) -> list[SuiteEntry]:
    """Run ``spec``'s judge on each of ``benchmarks`` (``NAME[:SPLIT]``) in turn; a benchmark whose items the
    judge cannot be scored on, or whose data is missing, is reported with the reason and the others still run.

    Raises:
        InputError: for an unknown benchmark name (before anything runs).
    """
    for name in benchmarks:
        try:
            get_benchmark(name.split(":", 1)[0])
        except JudgebenchError as e:
            raise InputError(str(e), field="--benchmarks") from None
    out: list[SuiteEntry] = []
    bar = SuiteBar(len(benchmarks)) if spec.progress else None  # one display for the whole suite
    try:
        for name in benchmarks:
            if bar is not None:
                bar.next_benchmark(name)
            try:
                outcome = run(replace(spec, data=name), progress=bar)
            except JudgebenchError as e:  # bad input for this benchmark (missing copy, unscorable items): say why
                logger.warning("suite: %s not run: %s", name, e)
                out.append(SuiteEntry(name, "not run", None, None, None, 0, error=str(e)))
                continue
            title, value, low, high = headline(outcome)
            out.append(SuiteEntry(name, title, value, low, high, outcome.metrics.n_pairs, outcome))
    finally:
        if bar is not None:
            bar.close()
    return out


def suite_rows(entries: Sequence[SuiteEntry]) -> list[dict[str, Any]]:
    """The suite table's rows: benchmark, headline name, value, 95% CI, n, and why a benchmark did not run."""
    rows = []
    for e in entries:
        ci = f"{e.ci_low:.1f}–{e.ci_high:.1f}" if isinstance(e.ci_low, (int, float)) and isinstance(e.ci_high, (int, float)) and e.ci_low == e.ci_low else None
        percent = "Pearson" not in e.headline_name  # correlations are on [-1, 1]; every other headline is a percentage
        score = (f"{e.value:.1f}" if percent else f"{e.value:.3f}") if isinstance(e.value, (int, float)) and e.value == e.value else None
        if ci is not None and not percent:
            ci = f"{e.ci_low:.3f}–{e.ci_high:.3f}"
        failed = e.outcome.metrics.n_failed if e.outcome is not None else 0
        rows.append({"benchmark": e.benchmark, "headline": e.headline_name, "value": e.value, "score": score, "ci": ci, "n": e.n, "failed": failed, "note": e.error})
    return rows
