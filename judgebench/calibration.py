"""Confidence and calibration: accuracy vs coverage, expected calibration error (ECE).

A pair's **confidence** comes from its judgments (``source``):

* ``stated``: the mean ``Judgment.confidence`` of its decisive games: a probability, in [0, 1], that the verdict
  is right (a verdict-token probability from logprobs, or a confidence the judge states);
* ``margin``: for reward models, the mean absolute score margin ``|s_A - s_B|`` over games; as a probability it
  is read as ``sigmoid(margin)``, the Bradley-Terry probability that the preferred response is better, which is
  how Bradley-Terry reward models are trained (Skywork-Reward, InternLM2-Reward, GRM);
* ``auto``: ``stated`` when any judgment carries a confidence, else ``margin``.

A pair is **correct** when the vote rule credits it (``scoring.pair_credit``; a tie counts as wrong). Pairs
without a confidence are left out and counted.

* **Accuracy at coverage c**: accuracy on the ``ceil(c * n)`` most confident pairs. Pairs tied in confidence at the
  cut-off enter in proportion (the expected accuracy under a random tie-break), so the curve does not depend on
  the input order. Accuracy rising as coverage falls means the confidence is informative.
* **ECE** (Guo et al. 2017): ``sum_b (n_b / n) |accuracy_b - mean confidence_b|`` over 10 equal-width bins of
  [0, 1] (a confidence of exactly 1 falls in the last bin). Undefined when confidences are not probabilities.

Intervals are bootstrap intervals over pairs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np

from .schema import Decision, PairResult
from .scoring import original_frame, pair_credit
from .stats import DEFAULT_RESAMPLES, DEFAULT_SEED, Estimate, bootstrap_sums, bootstrap_weighted, interval_of, undefined

ConfidenceSource = Literal["auto", "stated", "margin"]
DEFAULT_COVERAGES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def pair_confidences(results: Sequence[PairResult], source: ConfidenceSource = "auto") -> tuple[np.ndarray, np.ndarray, str]:
    """Per-pair confidence (``NaN`` where none), its probability reading, and the source used.

    Returns:
        ``(raw, probability, source)``: ``raw`` orders pairs (margins for ``margin``), ``probability`` is in [0, 1]
        when the source yields probabilities (``NaN`` otherwise).
    """
    if source not in ("auto", "stated", "margin"):
        raise ValueError(f"unknown confidence source {source!r}; expected auto, stated or margin")
    if source == "auto":
        source = "stated" if any(g.confidence is not None for r in results for g in r.games) else "margin"
    raw = np.full(len(results), np.nan)
    for i, r in enumerate(results):
        if source == "stated":
            vals = [float(g.confidence) for g in r.games if g.confidence is not None and g.decision != Decision.NONE]
        else:
            vals = [abs(g.scores[0] - g.scores[1]) for g in r.games if g.scores is not None and len(g.scores) == 2]
        vals = [v for v in vals if math.isfinite(v)]
        if vals:
            raw[i] = float(np.mean(vals))
    prob = raw.copy() if source == "stated" else 1 / (1 + np.exp(-raw))
    return raw, prob, source


def _correct(results: Sequence[PairResult]) -> np.ndarray:
    return np.array([pair_credit(r.pair.label, original_frame(r), "vote") for r in results], dtype=float)


def _top_accuracy(w: np.ndarray, rows: np.ndarray, coverage: float) -> np.ndarray:
    """Accuracy of the ``ceil(coverage * n)`` most confident items under weights ``w`` ``(r, U)``; ties in proportion."""
    order = np.argsort(-rows[:, 0], kind="stable")
    conf = rows[order, 0]
    starts = np.flatnonzero(np.r_[True, conf[1:] != conf[:-1]])
    wl = np.add.reduceat(w[:, order], starts, axis=1)
    cl = np.add.reduceat(w[:, order] * rows[order, 1], starts, axis=1)
    n = w.sum(axis=1)
    k = np.ceil(coverage * n - 1e-9)
    cw, cc = np.cumsum(wl, axis=1), np.cumsum(cl, axis=1)
    j = np.minimum((cw < k[:, None]).sum(axis=1), wl.shape[1] - 1)  # level where the cut-off falls
    rr = np.arange(w.shape[0])
    before_w = np.where(j > 0, cw[rr, j - 1], 0.0)
    before_c = np.where(j > 0, cc[rr, j - 1], 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(wl[rr, j] > 0, cl[rr, j] / np.where(wl[rr, j] > 0, wl[rr, j], 1), 0.0)
        return np.where(k > 0, (before_c + (k - before_w) * frac) / np.where(k > 0, k, 1), np.nan)


def accuracy_at_coverage(
    confidence: Sequence[float] | np.ndarray,
    correct: Sequence[float] | np.ndarray,
    coverages: Sequence[float] = DEFAULT_COVERAGES,
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> list[Estimate]:
    """Accuracy on the most confident share ``c`` of items, for each ``c`` in ``coverages`` (see the module docstring).

    Items with a ``NaN`` confidence are dropped. Returns one estimate per coverage, undefined when no item is left.
    """
    conf = np.asarray(confidence, dtype=float)
    corr = np.asarray(correct, dtype=float)
    keep = np.isfinite(conf)
    rows = np.column_stack([conf[keep], corr[keep]])
    out = []
    for c in coverages:
        if not 0 < c <= 1:
            raise ValueError(f"coverage must be in (0, 1], got {c}")
        name = f"accuracy at {c:.0%} coverage"
        if len(rows) == 0:
            out.append(undefined(name, 0, "no item has a confidence"))
            continue
        value = float(_top_accuracy(np.ones((1, len(rows))), rows, c)[0])
        reps = bootstrap_weighted(rows, lambda w, u, c=c: _top_accuracy(w, u, c), n_resamples=n_resamples, seed=seed)  # type: ignore[misc]
        ci = interval_of(reps, seed=seed)
        out.append(Estimate(name, value, math.ceil(c * len(rows) - 1e-9), intervals=(ci,) if ci else ()))
    return out


def _ece_from_sums(s: np.ndarray, bins: int) -> np.ndarray:
    cnt, acc, conf = s[:, :bins], s[:, bins : 2 * bins], s[:, 2 * bins :]
    n = cnt.sum(axis=1)
    return np.abs(acc - conf).sum(axis=1) / n


def expected_calibration_error(
    probability: Sequence[float] | np.ndarray,
    correct: Sequence[float] | np.ndarray,
    *,
    bins: int = 10,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> Estimate:
    """ECE over ``bins`` equal-width bins of [0, 1] (see the module docstring); ``NaN`` probabilities are dropped.

    Returns:
        Undefined with a reason for no items or probabilities outside [0, 1].
    """
    name = f"expected calibration error ({bins} bins)"
    p = np.asarray(probability, dtype=float)
    y = np.asarray(correct, dtype=float)
    keep = np.isfinite(p)
    p, y = p[keep], y[keep]
    if p.size == 0:
        return undefined(name, 0, "no item has a confidence")
    if p.min() < 0 or p.max() > 1:
        return undefined(name, int(p.size), f"confidences range over [{p.min():g}, {p.max():g}], not probabilities in [0, 1]")
    b = np.minimum((p * bins).astype(int), bins - 1)
    onehot = np.eye(bins)[b]
    feats = np.hstack([onehot, onehot * y[:, None], onehot * p[:, None]])
    value = float(_ece_from_sums(feats.sum(axis=0, keepdims=True), bins)[0])
    reps = bootstrap_sums(feats, lambda s: _ece_from_sums(s, bins), n_resamples=n_resamples, seed=seed)
    ci = interval_of(reps, seed=seed)
    return Estimate(name, value, int(p.size), intervals=(ci,) if ci else ())


def calibration_report(
    results: Sequence[PairResult],
    *,
    source: ConfidenceSource = "auto",
    coverages: Sequence[float] = DEFAULT_COVERAGES,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> tuple[str, list[Estimate]]:
    """Accuracy at each coverage and the ECE of a run's pairs; returns ``(source used, estimates)``."""
    raw, prob, used = pair_confidences(results, source)
    correct = _correct(results)
    missing = int(np.isnan(raw).sum())
    kw = {"n_resamples": n_resamples, "seed": seed}
    est = accuracy_at_coverage(raw, correct, coverages, **kw)
    ece = expected_calibration_error(prob, correct, **kw)
    if missing and ece.is_defined:
        ece = Estimate(ece.name, ece.value, ece.n, ece.intervals, ece.p_value, f"{missing} pairs without a confidence left out")
    return used, [*est, ece]
