"""Certainty-aware judging: accuracy against coverage by a judge's *stated* certainty, its calibration, and the
verdict token's probability beside it.

After "Can LLM be a Personalized Judge?" (Dong, Hu & Collier 2024, arXiv 2406.11657), whose judges state a certainty
with each verdict and whose agreement is reported on the items above a certainty threshold (>= 80). Two confidence
sources per item, on one 0-100 scale:

* **stated**: the certainty the judge wrote (``Judgment.extra["certainty"]``, 0-100; ``vanilla_certainty``), the
  mean over the item's decisive judgments; read as a probability ``certainty / 100``;
* **token**: the verdict token's probability (``Judgment.confidence``, from logprobs), as
  :mod:`judgebench.analysis.calibration` reads it (``pair_confidences(..., "stated")``), times 100.

An item is **correct** when the vote rule credits it (``calibration``; a tie counts as wrong). Per source:

* **Accuracy at threshold t**: the share of items whose confidence is >= t (its *coverage*) and the accuracy on
  them, for t in :data:`THRESHOLDS` (the paper's >= 80 highlighted). Undefined when no item reaches t.
* **ECE** (10 equal-width bins of [0, 1]) and **AUROC**: ``calibration.expected_calibration_error`` and
  ``calibration.auroc``, with their bootstrap intervals.
* **Overconfidence**: mean confidence minus accuracy (positive: the source overstates accuracy), with a bootstrap
  interval.
* **Reliability bins**: per bin, the items, their accuracy and mean confidence (the reliability diagram).

Items without a value of a source are left out of that source and counted. Intervals are bootstrap intervals over
items.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..metrics.stats import (
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    Estimate,
    bootstrap_sums,
    finite_or_none,
    interval_of,
    undefined,
)
from ..schema import Decision, ItemResult
from .calibration import _correct, auroc, expected_calibration_error, pair_confidences

THRESHOLDS = (50, 60, 70, 80, 90, 100)
HIGHLIGHT = 80
"""The threshold the paper reports agreement above (certainty >= 80)."""
BINS = 10
SOURCES = {"stated": "stated certainty", "token": "token probability"}


def item_certainties(results: Sequence[ItemResult]) -> np.ndarray:
    """Per item, the mean stated certainty (0-100) of its decisive judgments that state one; NaN where none."""
    out = np.full(len(results), np.nan)
    for i, r in enumerate(results):
        vals = [float(c) for g in r.games if g.decision != Decision.NONE and isinstance(c := g.extra.get("certainty"), (int, float)) and math.isfinite(c)]
        if vals:
            out[i] = float(np.mean(vals))
    return out


def has_certainty(results: Sequence[ItemResult]) -> bool:
    """Whether any judgment of ``results`` states a certainty (a run of a certainty-stating judge)."""
    return any("certainty" in g.extra for r in results for g in r.games)


@dataclass(frozen=True)
class ThresholdRow:
    """Items at or above ``threshold`` (0-100): their share of the items with a value (``coverage``) and accuracy."""

    threshold: float
    coverage: Estimate
    accuracy: Estimate


@dataclass(frozen=True)
class ReliabilityBin:
    """One bin of the reliability diagram: ``[low, high)`` (the last bin includes 1), its items, their accuracy and
    mean confidence (None for an empty bin)."""

    low: float
    high: float
    n: int
    accuracy: float | None
    confidence: float | None


@dataclass(frozen=True)
class SourceReport:
    """The measures of one confidence source (``stated`` or ``token``) on one run."""

    source: str
    n: int
    missing: int
    thresholds: tuple[ThresholdRow, ...]
    accuracy: Estimate
    mean_confidence: float | None
    overconfidence: Estimate
    ece: Estimate
    auroc: Estimate
    bins: tuple[ReliabilityBin, ...]

    @property
    def label(self) -> str:
        return SOURCES[self.source]

    def at(self, threshold: float) -> ThresholdRow | None:
        return next((t for t in self.thresholds if t.threshold == threshold), None)


@dataclass(frozen=True)
class CertaintyReport:
    """A run's certainty report: both sources (``None`` where the run has no value of one), the stated certainties
    that could not be read (reason -> judgments) and the personas judged on behalf of (persona -> judgments)."""

    name: str
    n_items: int
    stated: SourceReport | None
    token: SourceReport | None
    unread: dict[str, int] = field(default_factory=dict)
    personas: dict[str, int] = field(default_factory=dict)

    @property
    def sources(self) -> tuple[SourceReport, ...]:
        return tuple(s for s in (self.stated, self.token) if s is not None)


def _ratio(num: int, den: int) -> Any:
    def stat(s: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(s[:, den] > 0, s[:, num] / np.where(s[:, den] > 0, s[:, den], 1), np.nan)

    return stat


def _estimate(name: str, feats: np.ndarray, num: int, den: int, *, n_resamples: int, seed: int, n: int) -> Estimate:
    total = feats.sum(axis=0)
    if total[den] <= 0:
        return undefined(name, 0, "no item")
    value = float(total[num] / total[den])
    reps = bootstrap_sums(feats, _ratio(num, den), n_resamples=n_resamples, seed=seed)
    ci = interval_of(reps, seed=seed)
    return Estimate(name, value, n, intervals=(ci,) if ci else ())


def reliability_bins(probability: np.ndarray, correct: np.ndarray, bins: int = BINS) -> tuple[ReliabilityBin, ...]:
    """The reliability diagram's bins (equal width over [0, 1], as the ECE's); NaN probabilities are dropped."""
    keep = np.isfinite(probability)
    p, y = probability[keep], correct[keep]
    b = np.minimum((p * bins).astype(int), bins - 1)
    out = []
    for k in range(bins):
        m = b == k
        n = int(m.sum())
        out.append(ReliabilityBin(k / bins, (k + 1) / bins, n, float(y[m].mean()) if n else None, float(p[m].mean()) if n else None))
    return tuple(out)


def source_report(
    source: str,
    values: np.ndarray,
    correct: np.ndarray,
    *,
    thresholds: Sequence[float] = THRESHOLDS,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> SourceReport:
    """The measures of one source from per-item ``values`` on the 0-100 scale (NaN: none) and 0/1 ``correct``."""
    keep = np.isfinite(values)
    v, y = values[keep], correct[keep]
    n = int(keep.sum())
    kw = {"n_resamples": n_resamples, "seed": seed}
    rows = []
    for t in thresholds:
        above = (v >= t - 1e-9).astype(float)
        feats = np.column_stack([np.ones(n), above, above * y]) if n else np.zeros((0, 3))
        k = int(above.sum())
        cov = _estimate(f"coverage at >= {t:g}", feats, 1, 0, n=n, **kw) if n else undefined(f"coverage at >= {t:g}", 0, "no item has a value")
        acc = _estimate(f"accuracy at >= {t:g}", feats, 2, 1, n=k, **kw) if k else undefined(f"accuracy at >= {t:g}", 0, f"no item at or above {t:g}")
        rows.append(ThresholdRow(float(t), cov, acc))
    p = v / 100.0
    feats = np.column_stack([np.ones(n), y, p]) if n else np.zeros((0, 3))
    accuracy = _estimate("accuracy", feats, 1, 0, n=n, **kw) if n else undefined("accuracy", 0, "no item has a value")
    if n:
        total = feats.sum(axis=0)
        reps = bootstrap_sums(feats, lambda s: (s[:, 2] - s[:, 1]) / s[:, 0], **kw)
        ci = interval_of(reps, seed=seed)
        over = Estimate("overconfidence (mean confidence - accuracy)", float((total[2] - total[1]) / total[0]), n, intervals=(ci,) if ci else ())
    else:
        over = undefined("overconfidence (mean confidence - accuracy)", 0, "no item has a value")
    return SourceReport(
        source=source,
        n=n,
        missing=int(len(values) - n),
        thresholds=tuple(rows),
        accuracy=accuracy,
        mean_confidence=finite_or_none(p.mean()) if n else None,
        overconfidence=over,
        ece=expected_calibration_error(p, y, bins=BINS, **kw),
        auroc=auroc(v, y, **kw),
        bins=reliability_bins(p, y),
    )


def certainty_report(
    results: Sequence[ItemResult],
    name: str = "",
    *,
    thresholds: Sequence[float] = THRESHOLDS,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> CertaintyReport:
    """Both sources' measures for one run's results (see the module docstring)."""
    correct = _correct(results)
    stated = item_certainties(results)
    token = pair_confidences(results, "stated")[0] * 100.0
    kw: dict[str, Any] = {"thresholds": thresholds, "n_resamples": n_resamples, "seed": seed}
    unread: Counter[str] = Counter()
    personas: Counter[str] = Counter()
    for r in results:
        for g in r.games:
            if "certainty_reason" in g.extra:
                unread[str(g.extra["certainty_reason"])] += 1
            if g.extra.get("persona"):
                personas[str(g.extra["persona"])] += 1
    return CertaintyReport(
        name=name,
        n_items=len(results),
        stated=source_report("stated", stated, correct, **kw) if np.isfinite(stated).any() else None,
        token=source_report("token", token, correct, **kw) if np.isfinite(token).any() else None,
        unread=dict(unread.most_common()),
        personas=dict(personas.most_common()),
    )


# ---- text -------------------------------------------------------------------------------------------------------


def fmt(e: Estimate, *, percent: bool = True) -> str:
    """``value [low, high]`` (percent points by default), or the reason it is undefined."""
    if e.value is None:
        return f"n/a ({e.reason})"
    scale = 100.0 if percent else 1.0
    ci = e.interval()
    text = f"{e.value * scale:.1f}" if percent else f"{e.value:.3f}"
    if ci is not None and ci.low is not None and ci.high is not None:
        text += f" [{ci.low * scale:.1f}, {ci.high * scale:.1f}]" if percent else f" [{ci.low:.3f}, {ci.high:.3f}]"
    return text


def threshold_table(report: CertaintyReport, highlight: float = HIGHLIGHT) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """(header, rows) of accuracy against coverage by threshold, both sources side by side; the ``highlight`` row
    is marked with ``*``."""
    header: tuple[str, ...] = ("threshold",)
    for s in report.sources:
        header += (f"{s.label}: coverage %", f"{s.label}: accuracy %")
    thresholds = sorted({t.threshold for s in report.sources for t in s.thresholds})
    rows = []
    for t in thresholds:
        row: tuple[str, ...] = (f">= {t:g}" + (" *" if t == highlight else ""),)
        for s in report.sources:
            r = s.at(t)
            row += (fmt(r.coverage), fmt(r.accuracy)) if r else ("", "")
        rows.append(row)
    return header, rows


def summary_table(report: CertaintyReport) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """(header, rows): per source, items, accuracy, mean confidence, overconfidence, ECE and AUROC."""
    header: tuple[str, ...] = ("source", "items", "accuracy %", "mean confidence %", "overconfidence (points)", "ECE (points)", "AUROC")
    rows: list[tuple[str, ...]] = []
    for s in report.sources:
        mean = f"{s.mean_confidence * 100:.1f}" if s.mean_confidence is not None else "n/a"
        items = f"{s.n}" + (f" ({s.missing} without)" if s.missing else "")
        rows.append((s.label, items, fmt(s.accuracy), mean, fmt(s.overconfidence), fmt(s.ece), fmt(s.auroc, percent=False)))
    return header, rows


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    cells = [list(header), ["---"] * len(header), *[list(r) for r in rows]]
    return "".join("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |\n" for row in cells)


def render_markdown(reports: Sequence[CertaintyReport], highlight: float = HIGHLIGHT) -> str:
    """The Markdown tables of ``judgebench certainty``: per run, the summary and accuracy against coverage."""
    out = []
    for rep in reports:
        out.append(f"## {rep.name or 'run'} ({rep.n_items} items)\n\n")
        if not rep.sources:
            out.append("No judgment states a certainty or has a verdict-token probability.\n\n")
            continue
        out.append(markdown_table(*summary_table(rep)) + "\n")
        out.append(f"Accuracy against coverage (* the paper's >= {highlight:g} row; 95% bootstrap intervals):\n\n")
        out.append(markdown_table(*threshold_table(rep, highlight)) + "\n")
        if rep.unread:
            out.append("Certainty not read: " + "; ".join(f"{k} ({v})" for k, v in rep.unread.items()) + "\n\n")
        if rep.personas:
            out.append("Personas: " + "; ".join(f"{k} ({v} judgments)" for k, v in rep.personas.items()) + "\n\n")
    return "".join(out)


def report_json(report: CertaintyReport) -> dict[str, Any]:
    """A JSON-ready dict of a report."""

    def source(s: SourceReport) -> dict[str, Any]:
        return {
            "source": s.source,
            "n": s.n,
            "missing": s.missing,
            "accuracy": s.accuracy.to_dict(),
            "mean_confidence": s.mean_confidence,
            "overconfidence": s.overconfidence.to_dict(),
            "ece": s.ece.to_dict(),
            "auroc": s.auroc.to_dict(),
            "thresholds": [{"threshold": t.threshold, "coverage": t.coverage.to_dict(), "accuracy": t.accuracy.to_dict()} for t in s.thresholds],
            "bins": [{"low": b.low, "high": b.high, "n": b.n, "accuracy": b.accuracy, "confidence": b.confidence} for b in s.bins],
        }

    return {
        "name": report.name,
        "n_items": report.n_items,
        "stated": source(report.stated) if report.stated else None,
        "token": source(report.token) if report.token else None,
        "unread": report.unread,
        "personas": report.personas,
    }
