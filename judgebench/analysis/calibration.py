"""Confidence and calibration: accuracy vs coverage, AUROC, expected calibration error (ECE).

A pair's **confidence** comes from its judgments (``source``):

* ``stated``: the mean ``Judgment.confidence`` of its decisive games: a *probability*, in [0, 1], that the verdict
  is right (a verdict-token probability from logprobs, or a probability the judge states);
* ``margin``: the mean absolute score margin ``|s_A - s_B|`` over games, of whatever kind the scores are
  (``schema.ScoreKind``: a reward model's reward margin, the ``longer`` baseline's length difference in
  characters, a rating gap). A margin only *orders* pairs: it feeds the rank-based measures (accuracy vs
  coverage, AUROC) and never the ECE. Reading a reward margin as ``sigmoid(margin)`` would assume every reward
  model is a calibrated Bradley-Terry model on one scale, which offsets, temperatures and length-normalised
  rewards break; a length difference is no probability at all;
* ``auto``: ``stated`` when any judgment carries a confidence, else ``margin``.

A pair is **correct** when the vote rule credits it (``scoring.pair_credit``; a tie counts as wrong). Pairs
without a confidence are left out and counted.

* **Accuracy at coverage c**: accuracy on the ``ceil(c * n)`` most confident pairs. Pairs tied in confidence at the
  cut-off enter in proportion (the expected accuracy under a random tie-break), so the curve does not depend on
  the input order. Accuracy rising as coverage falls means the confidence is informative.
* **AUROC**: the probability that a correct pair has a higher confidence than an incorrect one, ties counted
  half (the Mann-Whitney statistic); 0.5 means the confidence does not tell right from wrong. Undefined when all
  pairs are correct or all incorrect. Rank-based: any increasing transform of the confidence gives the same value.
* **ECE** (Guo et al. 2017): ``sum_b (n_b / n) |accuracy_b - mean confidence_b|`` over 10 equal-width bins of
  [0, 1] (a confidence of exactly 1 falls in the last bin). Defined only for probabilities: undefined, with the
  reason, for margins.

Intervals are bootstrap intervals over pairs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np

from ..metrics.stats import (
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    Estimate,
    bootstrap_sums,
    bootstrap_weighted,
    interval_of,
    undefined,
)
from ..schema import SCORE_KINDS, Decision, ItemResult, legacy_score_kind
from .scoring import original_frame, pair_credit

ConfidenceSource = Literal["auto", "stated", "margin"]
DEFAULT_COVERAGES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def pair_confidences(results: Sequence[ItemResult], source: ConfidenceSource = "auto") -> tuple[np.ndarray, np.ndarray, str]:
    """Per-pair confidence (``NaN`` where none), its probability reading, and the source used.

    Returns:
        ``(raw, probability, source)``: ``raw`` orders pairs (probabilities for ``stated``, margins for
        ``margin``); ``probability`` equals ``raw`` for ``stated`` and is all ``NaN`` for ``margin`` (a margin is
        not a probability).
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
    prob = raw.copy() if source == "stated" else np.full(len(results), np.nan)
    return raw, prob, source


def margin_kind(results: Sequence[ItemResult]) -> str:
    """What the score margins of ``results`` are, for reports: ``"reward margins"``, ``"length differences in
    characters"``, ``"rating differences"``, ... (``schema.SCORE_KINDS``), or ``"score margins"`` when the kinds
    are unknown or mixed. Judgments without a recorded kind (JudgeBench's released files, older runs) take the
    kind their judge writes (``schema.legacy_score_kind``)."""
    kinds = {g.score_kind or legacy_score_kind(r.judge) for r in results for g in r.games if g.scores is not None}
    kind = kinds.pop() if len(kinds) == 1 else None
    return SCORE_KINDS[kind] if kind else "score margins"


def _correct(results: Sequence[ItemResult]) -> np.ndarray:
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


def _auroc(w: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Weighted Mann-Whitney AUROC of ``rows[:, 0]`` (confidence) for ``rows[:, 1]`` (correct, 0/1), per weight
    row of ``w`` ``(r, U)``; ties in confidence count half. NaN where one class has no weight."""
    order = np.argsort(rows[:, 0], kind="stable")
    conf = rows[order, 0]
    starts = np.flatnonzero(np.r_[True, conf[1:] != conf[:-1]])
    pos = np.add.reduceat(w[:, order] * rows[order, 1], starts, axis=1)
    neg = np.add.reduceat(w[:, order] * (1 - rows[order, 1]), starts, axis=1)
    below = np.cumsum(neg, axis=1) - neg  # incorrect weight strictly below each confidence level
    n_pos, n_neg = pos.sum(axis=1), neg.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((n_pos > 0) & (n_neg > 0), (pos * (below + 0.5 * neg)).sum(axis=1) / (n_pos * n_neg), np.nan)


def auroc(
    confidence: Sequence[float] | np.ndarray,
    correct: Sequence[float] | np.ndarray,
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> Estimate:
    """AUROC of the confidence for telling correct items from incorrect ones (see the module docstring).

    Items with a ``NaN`` confidence are dropped; ``correct`` must be 0/1. Undefined when no item is left or every
    item left is correct, or every one incorrect.
    """
    name = "AUROC (confidence vs correctness)"
    conf = np.asarray(confidence, dtype=float)
    corr = np.asarray(correct, dtype=float)
    keep = np.isfinite(conf)
    rows = np.column_stack([conf[keep], corr[keep]])
    if len(rows) == 0:
        return undefined(name, 0, "no item has a confidence")
    if not np.isin(rows[:, 1], (0, 1)).all():
        raise ValueError("auroc needs 0/1 correctness")
    if rows[:, 1].min() == rows[:, 1].max():
        return undefined(name, len(rows), f"every item is {'correct' if rows[0, 1] else 'incorrect'}: nothing to tell apart")
    value = float(_auroc(np.ones((1, len(rows))), rows)[0])
    reps = bootstrap_weighted(rows, _auroc, n_resamples=n_resamples, seed=seed)
    ci = interval_of(reps, seed=seed)
    return Estimate(name, value, len(rows), intervals=(ci,) if ci else ())


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
    results: Sequence[ItemResult],
    *,
    source: ConfidenceSource = "auto",
    coverages: Sequence[float] = DEFAULT_COVERAGES,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> tuple[str, list[Estimate]]:
    """Accuracy at each coverage, the AUROC and the ECE of a run's pairs; returns ``(source used, estimates)``.

    With ``margin`` confidences the ECE is undefined with the reason (``"no probabilities (reward margins are
    not probabilities)"``); the rank-based measures use the margins.
    """
    raw, prob, used = pair_confidences(results, source)
    correct = _correct(results)
    missing = int(np.isnan(raw).sum())
    kw = {"n_resamples": n_resamples, "seed": seed}
    est = accuracy_at_coverage(raw, correct, coverages, **kw)
    est.append(auroc(raw, correct, **kw))
    ece_name = "expected calibration error (10 bins)"
    if used == "margin" and missing < len(results):
        ece = undefined(ece_name, 0, f"no probabilities ({margin_kind(results)} are not probabilities)")
    else:
        ece = expected_calibration_error(prob, correct, **kw)
    if missing and ece.is_defined:
        ece = Estimate(ece.name, ece.value, ece.n, ece.intervals, ece.p_value, f"{missing} pairs without a confidence left out")
    return used, [*est, ece]
