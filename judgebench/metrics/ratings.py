"""Agreement of a judge's ratings with reference ratings (a pointwise judge against human or GPT-4 scores).

A *unit* is one rated response. The judge's rating of a unit is the mean of its samples (``judge`` of shape
``(samples, units)``, or ``(units,)`` for one sample); the reference is the mean over raters of ``reference``
``(raters, units)`` (or ``(units,)``), or each rater in turn (``reference_mode="each"``). ``NaN`` is a missing
rating: a sample or rater that is missing is left out of that unit's mean, and a unit without a judge mean or a
reference is left out of every measure.

Measures (each an :class:`~judgebench.metrics.stats.Estimate` with a bootstrap interval over units):

* **per response** (``item``): Pearson's r, Spearman's rho, Kendall's tau-b (``agreement.correlation``; p-value,
  bootstrap and Fisher z intervals), the mean absolute error (:func:`mae`), the quadratic-weighted kappa on the
  scale's integer categories (:func:`quadratic_kappa`, wrapping ``agreement.cohen_kappa``), Krippendorff's alpha
  of (judge, reference) at the ordinal and the interval level (``reliability.krippendorff_alpha``) and the
  intraclass correlation ICC(A,1) (:func:`icc`);
* **per system** (``system``, when each unit names the system that wrote it): the mean rating of each system by the
  judge and by the reference, compared by Pearson, Spearman, Kendall and MAE over systems (the bootstrap resamples
  systems; at least 3 systems for a correlation).

Prometheus' protocol (Kim et al. 2024, *Prometheus 2*, arXiv 2405.01535, absolute grading): each response is rated
N times (3 samples at temperature 1.0), the judge's score is the mean of its samples and the reference the mean of
the three GPT-4 scores, compared by Pearson, Spearman and Kendall (scipy's ``pearsonr``, ``spearmanr``,
``kendalltau``, i.e. tau-b) over responses: ``calculate_results`` in prometheus-eval's ``eval/utils.py`` @ 8536c6d.
``rating_agreement(..., protocol="prometheus")`` reports exactly those three (prometheus-eval drops a response with
no score from one side only, which misaligns the lists; here it is dropped from both).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Literal

import numpy as np

from .agreement import cohen_kappa, correlation, paired
from .reliability import krippendorff_alpha
from .stats import (
    DEFAULT_CONFIDENCE,
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    Estimate,
    Interval,
    bootstrap_sums,
    finite_or_none,
    interval_of,
    undefined,
)

RatingProtocol = Literal["all", "prometheus"]
"""Which measures ``rating_agreement`` reports: ``all`` of them, or Prometheus 2's three correlations."""
ReferenceMode = Literal["mean", "each"]
"""The reference of several raters: their ``mean`` per unit, or ``each`` rater in turn."""
IccForm = Literal["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]
ICC_NAMES = {
    "ICC1": "ICC(1) one-way, single",
    "ICC2": "ICC(A,1) absolute agreement, single",
    "ICC3": "ICC(C,1) consistency, single",
    "ICC1k": "ICC(1,k) one-way, average",
    "ICC2k": "ICC(A,k) absolute agreement, average",
    "ICC3k": "ICC(C,k) consistency, average",
}
PROMETHEUS_SAMPLES = 3
"""Prometheus 2 rates each response this many times (``runs=3`` for absolute grading in ``eval/run_evaluate.py``)."""


def _row_mean(data: Sequence[float] | Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """Per-unit mean of a ``(rows, units)`` matrix over its non-missing rows (``NaN`` where none); 1-D passes."""
    m = np.asarray(data, dtype=float)
    if m.ndim == 1:
        return m
    if m.ndim != 2:
        raise ValueError(f"ratings must be (units,) or (rows, units), got shape {m.shape}")
    ok = ~np.isnan(m)
    cnt = ok.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cnt > 0, np.where(ok, m, 0.0).sum(axis=0) / np.where(cnt > 0, cnt, 1), np.nan)


def mae(
    judge: Sequence[float] | np.ndarray,
    reference: Sequence[float] | np.ndarray,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> Estimate:
    """Mean absolute error ``mean |judge - reference|`` over units both rated, on the ratings' own scale (0 is perfect).

    Returns:
        Undefined with a reason when no unit has both ratings. One unit gives its error with a zero-width interval.
    """
    name = "mean absolute error"
    x, y = paired(judge, reference)
    n = x.size
    if n == 0:
        return undefined(name, 0, "no unit has both ratings")
    d = np.abs(x - y)
    reps = bootstrap_sums(d, lambda s: s[:, 0] / n, n_resamples=n_resamples, seed=seed)
    ci = interval_of(reps, confidence=confidence, seed=seed)
    return Estimate(name, float(d.mean()), n, intervals=(ci,) if ci else ())


def to_scale_points(values: Sequence[float] | np.ndarray, scale: Sequence[float]) -> np.ndarray:
    """Each rating rounded to the nearest point of an integer ``scale`` (halves round up: 3.5 -> 4), clipped to it.

    A mean of several samples or raters (3.67) is not a category; kappa needs one, so it is rounded. ``NaN`` stays.
    """
    v = np.asarray(values, dtype=float)
    lo, hi = float(min(scale)), float(max(scale))
    with np.errstate(invalid="ignore"):
        return np.where(np.isnan(v), np.nan, np.clip(np.floor(v + 0.5), lo, hi))


def quadratic_kappa(
    judge: Sequence[float] | np.ndarray,
    reference: Sequence[float] | np.ndarray,
    scale: Sequence[float],
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> Estimate:
    """Quadratic-weighted Cohen's kappa on the integer categories of ``scale`` (every point, used or not).

    ``kappa_w = 1 - sum w_ij O_ij / sum w_ij E_ij`` with ``w_ij = (i - j)^2`` by position on the scale (scikit-learn's
    ``cohen_kappa_score(weights="quadratic")``, through ``agreement.cohen_kappa``). Ratings that are not scale
    points (means of samples or raters) are first rounded to the nearest point (:func:`to_scale_points`).

    Returns:
        Undefined with a reason for no unit, or zero chance disagreement (both sides used one and the same point).
    """
    points = [float(p) for p in scale]
    if any(p != math.floor(p) for p in points):
        raise ValueError(f"the scale must be integer points, got {points}")
    est = cohen_kappa(to_scale_points(judge, points), to_scale_points(reference, points), labels=points, weights="quadratic", confidence=confidence, n_resamples=n_resamples, seed=seed)
    return Estimate("quadratic-weighted kappa", est.value, est.n, est.intervals, est.p_value, est.reason)


def _icc_from_sums(s: np.ndarray, form: str) -> np.ndarray:
    """ICC of two raters from resampled sums ``[n, x, y, x^2, y^2, xy]`` (two-way ANOVA mean squares, k = 2)."""
    n, sx, sy, sxx, syy, sxy = (s[:, i] for i in range(6))
    k = 2.0
    total = sx + sy
    grand = total / (k * n)
    ss_total = sxx + syy - total * total / (k * n)
    # rows (units): k * sum (m_i - M)^2 with m_i = (x_i + y_i) / 2  ->  sum (x_i + y_i)^2 / 2 - total^2 / (2n)
    ss_rows = (sxx + syy + 2 * sxy) / k - total * total / (k * n)
    ss_cols = n * ((sx / n - grand) ** 2 + (sy / n - grand) ** 2)
    ss_err = ss_total - ss_rows - ss_cols
    with np.errstate(divide="ignore", invalid="ignore"):
        msr = ss_rows / (n - 1)
        msc = ss_cols / (k - 1)
        mse = ss_err / ((n - 1) * (k - 1))
        msw = (ss_cols + ss_err) / (n * (k - 1))
        if form == "ICC1":
            num, den = msr - msw, msr + (k - 1) * msw
        elif form == "ICC2":
            num, den = msr - mse, msr + (k - 1) * mse + k * (msc - mse) / n
        elif form == "ICC3":
            num, den = msr - mse, msr + (k - 1) * mse
        elif form == "ICC1k":
            num, den = msr - msw, msr
        elif form == "ICC2k":
            num, den = msr - mse, msr + (msc - mse) / n
        elif form == "ICC3k":
            num, den = msr - mse, msr
        else:
            raise ValueError(f"unknown ICC form {form!r}; expected one of {', '.join(ICC_NAMES)}")
        return np.where(np.abs(den) > 1e-12 * np.maximum(1.0, np.abs(msr)), num / np.where(den != 0, den, 1), np.nan)


def icc(
    judge: Sequence[float] | np.ndarray,
    reference: Sequence[float] | np.ndarray,
    *,
    form: IccForm = "ICC2",
    confidence: float = DEFAULT_CONFIDENCE,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> Estimate:
    """Intraclass correlation of the judge and the reference as two raters of the same units (``pingouin.intraclass_corr``).

    The default is ``ICC2`` = ICC(A,1) of McGraw & Wong (1996): two-way model, **absolute agreement**, **single**
    rater. Absolute agreement, because a judge that rates every response one point higher than the humans does not
    agree with them (consistency, ``ICC3`` = ICC(C,1), forgives that offset, as Pearson's r already does); single,
    because the question is how far *one* judge's rating can stand in for the reference, not the reliability of
    the average of judge and reference (the ``k`` forms). ICC(A,1) has the same formula whether the judge is seen
    as a random draw from judges (two-way random) or as this fixed judge (two-way mixed), so the choice between
    those models does not change the number. Other forms: ``form=`` any of pingouin's ``ICC1 .. ICC3k``.

    Intervals: a bootstrap over units (vectorized two-way ANOVA from six sums; checked against pingouin in the
    tests) and pingouin's F-distribution interval (second; pingouin rounds it to 2 decimals; 95% only).

    Returns:
        Undefined with a reason for fewer than 3 units with both ratings, or no variance at all (0/0).
    """
    import pandas as pd
    import pingouin

    name = ICC_NAMES[form] if form in ICC_NAMES else form
    if form not in ICC_NAMES:
        raise ValueError(f"unknown ICC form {form!r}; expected one of {', '.join(ICC_NAMES)}")
    x, y = paired(judge, reference)
    n = x.size
    if n < 3:
        return undefined(name, n, f"needs at least 3 units with both ratings, got {n}")
    if np.all(x == x[0]) and np.all(y == y[0]):
        return undefined(name, n, "zero variance: every unit has the same two ratings, ICC is 0/0")
    feats = np.column_stack([np.ones(n), x, y, x * x, y * y, x * y])
    value = finite_or_none(float(_icc_from_sums(feats.sum(axis=0, keepdims=True), form)[0]))
    if value is None:
        return undefined(name, n, "no between-unit variance (the ANOVA's denominator is 0)")
    long = pd.DataFrame({"unit": np.r_[np.arange(n), np.arange(n)], "rater": ["judge"] * n + ["reference"] * n, "rating": np.r_[x, y]})
    with warnings.catch_warnings():  # a perfect fit divides by a zero error mean square inside pingouin's F test
        warnings.simplefilter("ignore", RuntimeWarning)
        table = pingouin.intraclass_corr(data=long, targets="unit", raters="rater", ratings="rating")
    row = table.iloc[list(ICC_NAMES).index(form)]  # pingouin's rows are ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k in order
    value = float(row["ICC"])
    lo, hi = (float(v) for v in row["CI95" if "CI95" in row.index else "CI95%"])
    reps = bootstrap_sums(feats, lambda s: _icc_from_sums(s, form), n_resamples=n_resamples, seed=seed)
    boot = interval_of(reps, confidence=confidence, seed=seed)
    intervals: tuple[Interval, ...] = (boot,) if boot else ()
    if confidence == 0.95 and math.isfinite(lo) and math.isfinite(hi):
        intervals += (Interval(lo, hi, "F test (pingouin)"),)
    return Estimate(name, value, n, intervals=intervals, p_value=finite_or_none(float(row["pval"])))


def _renamed(e: Estimate, name: str) -> Estimate:
    return Estimate(name, e.value, e.n, e.intervals, e.p_value, e.reason)


def per_response(
    judge: np.ndarray,
    reference: np.ndarray,
    scale: Sequence[float] | None,
    *,
    protocol: RatingProtocol = "all",
    icc_form: IccForm = "ICC2",
    confidence: float = DEFAULT_CONFIDENCE,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> dict[str, Estimate]:
    """The per-response measures of one judge vector against one reference vector (see the module docstring)."""
    kw = {"confidence": confidence, "n_resamples": n_resamples, "seed": seed}
    out = {k: correlation(k, judge, reference, **kw) for k in ("pearson", "spearman", "kendall")}  # type: ignore[arg-type]
    if protocol == "prometheus":
        return out
    out["mae"] = mae(judge, reference, **kw)  # type: ignore[arg-type]
    if scale is not None and all(float(p) == math.floor(float(p)) for p in scale):
        out["qwk"] = quadratic_kappa(judge, reference, scale, **kw)  # type: ignore[arg-type]
    else:
        out["qwk"] = undefined("quadratic-weighted kappa", int((~np.isnan(judge) & ~np.isnan(reference)).sum()), "no integer rating scale given")
    both = np.vstack([judge, reference])
    out["alpha_ordinal"] = krippendorff_alpha(both, "ordinal", **kw)  # type: ignore[arg-type]
    out["alpha_interval"] = krippendorff_alpha(both, "interval", **kw)  # type: ignore[arg-type]
    out["icc"] = icc(judge, reference, form=icc_form, **kw)  # type: ignore[arg-type]
    return out


def system_means(values: np.ndarray, systems: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """The systems in order of first appearance and the mean of ``values`` over each one's units (``NaN`` skipped)."""
    names = list(dict.fromkeys(systems))
    pos = {s: i for i, s in enumerate(names)}
    idx = np.array([pos[s] for s in systems], dtype=np.int64)
    ok = ~np.isnan(values)
    tot = np.bincount(idx[ok], weights=values[ok], minlength=len(names))
    cnt = np.bincount(idx[ok], minlength=len(names))
    with np.errstate(invalid="ignore", divide="ignore"):
        return names, np.where(cnt > 0, tot / np.where(cnt > 0, cnt, 1), np.nan)


def per_system(
    judge: np.ndarray,
    reference: np.ndarray,
    systems: Sequence[str],
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> dict[str, Estimate]:
    """System-level agreement: each system's mean rating (over the units both sides rated) by the judge and by the
    reference, compared by Pearson, Spearman, Kendall and MAE; ``n`` counts systems and the bootstrap resamples them."""
    if len(systems) != judge.size:
        raise ValueError(f"systems name {len(systems)} units, the ratings hold {judge.size}")
    both = ~np.isnan(judge) & ~np.isnan(reference)
    kept = [s for s, b in zip(systems, both, strict=True) if b]
    _, j = system_means(judge[both], kept)
    _, r = system_means(reference[both], kept)
    kw = {"confidence": confidence, "n_resamples": n_resamples, "seed": seed}
    out = {k: correlation(k, j, r, **kw) for k in ("pearson", "spearman", "kendall")}  # type: ignore[arg-type]
    out["mae"] = mae(j, r, **kw)  # type: ignore[arg-type]
    return out


def rating_agreement(
    judge: Sequence[float] | Sequence[Sequence[float]] | np.ndarray,
    reference: Sequence[float] | Sequence[Sequence[float]] | np.ndarray,
    scale: Sequence[float] | None = None,
    *,
    systems: Sequence[str] | None = None,
    raters: Sequence[str] | None = None,
    reference_mode: ReferenceMode = "mean",
    protocol: RatingProtocol = "all",
    icc_form: IccForm = "ICC2",
    confidence: float = DEFAULT_CONFIDENCE,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> dict[str, Estimate]:
    """Every rating-agreement measure of a judge against a reference, as named estimates.

    Args:
        judge: ``(units,)`` ratings, or ``(samples, units)``: several samples per unit, averaged (``NaN`` skipped).
        reference: ``(units,)``, or ``(raters, units)``: the mean over raters per unit, or each rater.
        scale: the integer points of the rating scale (e.g. ``[1, 2, 3, 4, 5]``) for the weighted kappa; ``None``:
            no kappa (undefined with a reason).
        systems: the system that wrote each unit, for the per-system measures (``None``: none).
        raters: names of the reference's rows (for ``reference_mode="each"``; default ``rater 1, ...``).
        reference_mode: ``mean`` (one reference: the raters' mean) or ``each`` (every measure against each rater).
        protocol: ``all`` measures, or ``prometheus`` (Pearson, Spearman, Kendall of the sample mean against the
            raters' mean, per response, as Prometheus 2 reports them; see the module docstring).
        icc_form: the ICC form (default ICC(A,1); see :func:`icc`).

    Returns:
        ``{key: Estimate}``, keys ``item/<measure>`` and ``system/<measure>`` (``<measure>``: ``pearson``,
        ``spearman``, ``kendall``, ``mae``, ``qwk``, ``alpha_ordinal``, ``alpha_interval``, ``icc``); with
        ``reference_mode="each"`` every key is prefixed ``<rater>:``. Each estimate is undefined with a reason
        where its data do not allow it (too few units, constant ratings, no scale, ...).

    Raises:
        ValueError: for judge, reference and systems that cover different numbers of units.
    """
    j = _row_mean(judge)
    ref = np.asarray(reference, dtype=float)
    if ref.ndim == 1:
        ref = ref[None, :]
    if ref.ndim != 2 or ref.shape[1] != j.size:
        raise ValueError(f"the judge rates {j.size} units, the reference has shape {ref.shape}")
    if protocol == "prometheus" and reference_mode != "mean":
        raise ValueError("Prometheus' protocol compares with the raters' mean (reference_mode='mean')")
    kw = {"confidence": confidence, "n_resamples": n_resamples, "seed": seed}
    if reference_mode == "mean":
        targets = [("", _row_mean(ref))]
    elif reference_mode == "each":
        names = list(raters) if raters is not None else [f"rater {i + 1}" for i in range(ref.shape[0])]
        targets = [(f"{name}:", ref[i]) for i, name in enumerate(names)]
    else:
        raise ValueError(f"unknown reference_mode {reference_mode!r}; expected mean or each")
    out: dict[str, Estimate] = {}
    for prefix, r in targets:
        for key, e in per_response(j, r, scale, protocol=protocol, icc_form=icc_form, **kw).items():  # type: ignore[arg-type]
            out[f"{prefix}item/{key}"] = e
        if systems is not None and protocol != "prometheus":
            for key, e in per_system(j, r, systems, **kw).items():  # type: ignore[arg-type]
                out[f"{prefix}system/{key}"] = _renamed(e, f"{e.name} of system means")
    return out
