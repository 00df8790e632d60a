"""Reliability among many raters: Krippendorff's alpha, Fleiss' kappa, consensus labels, the human baseline.

Data are ``(raters, units)`` matrices (Krippendorff's orientation: one row per rater, one column per item) of
numeric ratings with ``NaN`` for a missing rating. Every function returns a :class:`~judgebench.metrics.stats.Estimate`
that is ``None``-valued with a reason where the statistic is undefined.

Krippendorff's alpha (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"):
``alpha = 1 - D_o / D_e = 1 - (n - 1) * sum(o_ck * delta_ck) / sum(n_c * n_k * delta_ck)``, where ``o`` is the
coincidence matrix of pairable values (each unit with ``m_u >= 2`` ratings adds its ordered value pairs divided
by ``m_u - 1``), ``n_c`` its marginals and ``n`` the number of pairable values. Metrics ``delta``: nominal
``c != k``; ordinal ``(M_k - M_c)^2`` with ``M_c = n_{<c} + n_c / 2`` (equal to Krippendorff's
``(sum_{g=c..k} n_g - (n_c + n_k)/2)^2``); interval ``(c - k)^2``; ratio ``((c - k)/(c + k))^2``.
The point estimate comes from the ``krippendorff`` package; the bootstrap (over units) reuses the same formula,
vectorized, on resampled coincidence matrices. For interval data with many distinct values, where the package
would build a units x values x values array, the closed form below is used instead (tested equal).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Literal

import numpy as np

from .stats import (
    DEFAULT_CONFIDENCE,
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    Estimate,
    Interval,
    bootstrap_sums,
    interval_of,
    undefined,
)

logger = logging.getLogger(__name__)

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")
MAX_COINCIDENCE_VALUES = 40
"""Above this many distinct values the coincidence-matrix bootstrap (``V^2`` features per unit) is skipped,
except for the interval level, which has a closed form."""


def reliability_matrix(data: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """``data`` as a float ``(raters, units)`` matrix (``None`` -> ``NaN``).

    Raises:
        ValueError: when ``data`` is not two-dimensional.
    """
    m = np.asarray(data, dtype=float)
    if m.ndim != 2:
        raise ValueError(f"reliability data must be 2-D (raters x units), got shape {m.shape}")
    return m


def _value_counts(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values and the ``(units, V)`` count of each value in each unit."""
    values = np.unique(m[~np.isnan(m)])
    counts = np.zeros((m.shape[1], values.size))
    for r in range(m.shape[0]):
        ok = ~np.isnan(m[r])
        np.add.at(counts, (np.flatnonzero(ok), np.searchsorted(values, m[r, ok])), 1)
    return values, counts


def _delta(values: np.ndarray, marginals: np.ndarray, level: Level) -> np.ndarray:
    """Squared-difference matrices ``(r, V, V)`` for marginals ``(r, V)`` (only ordinal depends on them)."""
    c = values[:, None]
    k = values[None, :]
    if level == "nominal":
        d = (c != k).astype(float)
    elif level == "interval":
        d = (c - k) ** 2
    elif level == "ratio":
        with np.errstate(divide="ignore", invalid="ignore"):
            d = np.where(c + k != 0, ((c - k) / np.where(c + k != 0, c + k, 1)) ** 2, 0.0)
    elif level == "ordinal":
        mid = np.cumsum(marginals, axis=1) - marginals / 2
        return (mid[:, None, :] - mid[:, :, None]) ** 2
    else:
        raise ValueError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
    return np.broadcast_to(d, (marginals.shape[0], *d.shape))


def alpha_from_coincidences(coincidence: np.ndarray, values: np.ndarray, level: Level) -> np.ndarray:
    """Krippendorff's alpha of each ``(V, V)`` coincidence matrix in ``coincidence`` ``(r, V, V)``; NaN if ``D_e = 0``."""
    o = np.asarray(coincidence, dtype=float)
    nc = o.sum(axis=2)
    n = nc.sum(axis=1)
    d = _delta(np.asarray(values, dtype=float), nc, level)
    observed = (o * d).sum(axis=(1, 2))
    expected = np.einsum("rc,rk,rck->r", nc, nc, d)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > 0, 1 - (n - 1) * observed / np.where(expected > 0, expected, 1), np.nan)


def unit_coincidences(counts: np.ndarray) -> np.ndarray:
    """Each unit's contribution ``(units, V, V)`` to the coincidence matrix: ``(N N' - diag N) / (m_u - 1)``."""
    m = counts.sum(axis=1)
    pairs = counts[:, :, None] * counts[:, None, :] - np.einsum("uc,ck->uck", counts, np.eye(counts.shape[1]))
    scale = np.where(m >= 2, 1 / np.where(m >= 2, m - 1, 1), 0.0)
    return pairs * scale[:, None, None]


def _interval_features(m: np.ndarray) -> np.ndarray:
    """Per-unit sums for the interval closed form: pairable count, sum, sum of squares, within-unit disagreement."""
    ok = ~np.isnan(m)
    cnt = ok.sum(axis=0).astype(float)
    x = np.where(ok, m, 0.0)
    s1 = x.sum(axis=0)
    s2 = (x * x).sum(axis=0)
    pairable = cnt >= 2
    within = np.where(pairable, (2 * cnt * s2 - 2 * s1 * s1) / np.where(pairable, cnt - 1, 1), 0.0)
    f = np.column_stack([cnt, s1, s2, within])
    f[~pairable] = 0.0
    return f


def _alpha_interval_from_sums(s: np.ndarray) -> np.ndarray:
    n, s1, s2, within = (s[:, i] for i in range(4))
    expected = 2 * n * s2 - 2 * s1 * s1
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > 1e-12 * np.maximum(1, n * s2), 1 - (n - 1) * within / np.where(expected > 0, expected, 1), np.nan)


def krippendorff_alpha(
    data: Sequence[Sequence[float]] | np.ndarray,
    level: Level = "nominal",
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> Estimate:
    """Krippendorff's alpha of a ``(raters, units)`` matrix at a level of measurement, with a bootstrap over units.

    Args:
        data: ratings, one row per rater and one column per unit; ``NaN`` = missing. Transposed data silently
            gives a wrong value, so the orientation is part of the interface.
        level: ``nominal``, ``ordinal``, ``interval`` or ``ratio``.

    Returns:
        An estimate with ``n`` = number of pairable units (units with at least two ratings). Undefined with a
        reason for fewer than two raters, no pairable unit, or a single distinct value (no variation: 0/0).
    """
    import krippendorff

    name = f"Krippendorff's alpha ({level})"
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
    m = reliability_matrix(data)
    if m.shape[0] < 2:
        return undefined(name, 0, f"needs at least 2 raters, got {m.shape[0]}")
    pairable = (~np.isnan(m)).sum(axis=0) >= 2
    n_units = int(pairable.sum())
    if n_units == 0:
        return undefined(name, 0, "no unit has ratings from at least 2 raters")
    if level == "ratio" and np.nanmin(m[:, pairable]) < 0:
        return undefined(name, n_units, "ratio level needs non-negative ratings")
    distinct = np.unique(m[:, pairable][~np.isnan(m[:, pairable])])
    if distinct.size < 2:
        return undefined(name, n_units, f"every pairable rating is {distinct[0]:g}: no variation, alpha is 0/0")
    note = None
    if distinct.size <= MAX_COINCIDENCE_VALUES or level != "interval":
        if distinct.size > 2000:
            return undefined(name, n_units, f"{distinct.size} distinct values; round the ratings or use the interval level")
        value = float(krippendorff.alpha(reliability_data=m, level_of_measurement=level))
    else:
        value = float(_alpha_interval_from_sums(_interval_features(m).sum(axis=0, keepdims=True))[0])
    if level == "interval" and distinct.size > MAX_COINCIDENCE_VALUES:
        # alpha is invariant to shifting and scaling every value: centred, scaled values keep the sums' precision
        z = (m - np.nanmean(m)) / np.nanstd(m)
        reps = bootstrap_sums(_interval_features(z), _alpha_interval_from_sums, n_resamples=n_resamples, seed=seed)
    elif distinct.size <= MAX_COINCIDENCE_VALUES:
        values, counts = _value_counts(m)
        v = values.size
        feats = unit_coincidences(counts).reshape(-1, v * v)
        reps = bootstrap_sums(feats, lambda s: alpha_from_coincidences(s.reshape(-1, v, v), values, level), n_resamples=n_resamples, seed=seed)
    else:
        reps = None
        note = f"no bootstrap interval: {distinct.size} distinct values (> {MAX_COINCIDENCE_VALUES}) at the {level} level"
    ci = interval_of(reps, confidence=confidence, seed=seed) if reps is not None else None
    return Estimate(name, value, n_units, intervals=(ci,) if ci else (), reason=note)


# ---------------------------------------------------------------------------------------------------------------
# Fleiss' kappa


def category_counts(data: Sequence[Sequence[float]] | np.ndarray, categories: Sequence[float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(units, K)`` counts of each category per unit from a ``(raters, units)`` matrix, and the categories."""
    m = reliability_matrix(data)
    cats = np.unique(m[~np.isnan(m)]) if categories is None else np.asarray(categories, dtype=float)
    counts = np.stack([(m == c).sum(axis=0) for c in cats], axis=1).astype(float) if cats.size else np.zeros((m.shape[1], 0))
    return counts, cats


def fleiss_from_sums(s: np.ndarray, n_units: int, raters: int) -> np.ndarray:
    """Fleiss' kappa from per-unit sums ``[P_i, n_i1..n_iK]`` summed over (resampled) units; NaN if ``P_e = 1``."""
    p_bar = s[:, 0] / n_units
    p = s[:, 1:] / (n_units * raters)
    pe = (p * p).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(pe < 1 - 1e-12, (p_bar - pe) / np.where(pe < 1, 1 - pe, 1), np.nan)


def fleiss_kappa(
    counts: Sequence[Sequence[float]] | np.ndarray,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> Estimate:
    """Fleiss' kappa (Fleiss 1971) from a ``(units, categories)`` table of rating counts, with a bootstrap over units.

    ``P_i = (sum_j n_ij^2 - m) / (m (m - 1))``, ``P_bar = mean P_i``, ``p_j = sum_i n_ij / (N m)``,
    ``P_e = sum p_j^2``, ``kappa = (P_bar - P_e) / (1 - P_e)``; every unit must have the same number ``m`` of ratings.

    Returns:
        Undefined with a reason for no units, unequal or fewer than 2 ratings per unit, or a single category.
    """
    name = "Fleiss' kappa"
    c = np.asarray(counts, dtype=float)
    if c.ndim != 2 or c.shape[0] == 0:
        return undefined(name, 0, "no units")
    per_unit = c.sum(axis=1)
    if not np.all(per_unit == per_unit[0]):
        return undefined(name, c.shape[0], f"needs the same number of ratings per unit, got {int(per_unit.min())} to {int(per_unit.max())}; use Krippendorff's alpha")
    m = int(per_unit[0])
    if m < 2:
        return undefined(name, c.shape[0], f"needs at least 2 ratings per unit, got {m}")
    n = c.shape[0]
    feats = np.column_stack([((c * c).sum(axis=1) - m) / (m * (m - 1)), c])
    value = float(fleiss_from_sums(feats.sum(axis=0, keepdims=True), n, m)[0])
    if not np.isfinite(value):
        return undefined(name, n, "all ratings fall in one category: chance agreement is 1, kappa is 0/0")
    reps = bootstrap_sums(feats, lambda s: fleiss_from_sums(s, n, m), n_resamples=n_resamples, seed=seed)
    ci = interval_of(reps, confidence=confidence, seed=seed)
    return Estimate(name, value, n, intervals=(ci,) if ci else ())


# ---------------------------------------------------------------------------------------------------------------
# consensus and the human baseline


def majority(data: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """Per-unit most frequent rating of a ``(raters, units)`` matrix; ``NaN`` when no rating or a tie for the top."""
    m = reliability_matrix(data)
    values, counts = _value_counts(m) if np.isfinite(m).any() else (np.empty(0), np.zeros((m.shape[1], 0)))
    out = np.full(m.shape[1], np.nan)
    if values.size == 0:
        return out
    top = counts.max(axis=1)
    unique_top = (counts == top[:, None]).sum(axis=1) == 1
    ok = (top > 0) & unique_top
    out[ok] = values[counts[ok].argmax(axis=1)]
    return out


def consensus(data: Sequence[Sequence[float]] | np.ndarray, level: Level = "nominal") -> np.ndarray:
    """The reference label per unit from several raters: the majority (nominal; ``NaN`` on a tie), the lower median
    (ordinal: stays on the scale), or the mean (interval, ratio). ``NaN`` where no rater rated the unit."""
    m = reliability_matrix(data)
    if level == "nominal":
        return majority(m)
    out = np.full(m.shape[1], np.nan)
    ok = (~np.isnan(m)).any(axis=0)
    if level == "ordinal":
        s = np.sort(m[:, ok], axis=0)  # NaN sorts last
        k = (~np.isnan(s)).sum(axis=0)
        out[ok] = s[(k - 1) // 2, np.arange(s.shape[1])]
    else:
        out[ok] = np.nanmean(m[:, ok], axis=0)
    return out


def human_baseline(
    humans: Sequence[Sequence[float]] | np.ndarray,
    judge: Sequence[float] | np.ndarray,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> tuple[Estimate, Estimate]:
    """Leave-one-out agreement of each human with the majority of the other humans, and the judge's agreement
    with that same majority (as in the AlpacaEval evaluator leaderboard).

    The reference for human ``h`` is the *plurality* of the other humans, as :func:`majority` computes it: their
    unique most frequent label, which need not be more than half of their labels (others labelling ``A, A, B, tie``
    give ``A``), and is missing when two labels tie for the top (``A, A, B, B``) or no other human labelled the
    item. With two labels and an odd number of others this is the strict majority; with ties as a third label it is
    not, and a strict-majority rule would drop such items. We take the plurality because it is the consensus every
    other agreement statistic here uses (``consensus(level="nominal")``) and the mode of the other annotators that
    AlpacaEval's ``analyze.py`` (``_get_mode``) takes, except that a tie is dropped here, not broken at random.

    For each human ``h``: the items where ``h``, the judge and that plurality all have a label (a tie for the top
    drops the item for that ``h``); ``human_h`` = share where ``h`` equals the plurality, ``judge_h`` = share where
    the judge does. Both reported values are means over humans, so the two numbers are
    computed on exactly the same (human, item) cases; the bootstrap resamples items.

    Returns:
        ``(human vs humans, judge vs humans)``; both undefined with a reason for fewer than 2 humans or no usable item.
    """
    h = reliability_matrix(humans)
    j = np.asarray(judge, dtype=float).reshape(-1)
    names = ("human vs majority of other humans", "judge vs majority of the same humans")
    if h.shape[1] != j.size:
        raise ValueError(f"humans cover {h.shape[1]} items, judge {j.size}")
    if h.shape[0] < 2:
        reason = f"needs at least 2 human raters, got {h.shape[0]}"
        return undefined(names[0], 0, reason), undefined(names[1], 0, reason)
    feats = []
    for i in range(h.shape[0]):
        ref = majority(np.delete(h, i, axis=0))
        valid = ~np.isnan(ref) & ~np.isnan(h[i]) & ~np.isnan(j)
        feats += [(h[i] == ref) & valid, (j == ref) & valid, valid]
    f = np.column_stack(feats).astype(float)
    valid_any = f[:, 2::3].any(axis=1)
    f = f[valid_any]
    n = int(f.shape[0])
    usable = f[:, 2::3].sum(axis=0) > 0
    if n == 0 or not usable.any():
        reason = "no item has a label from the judge, the held-out human and a most frequent label (no tie) among the others"
        return undefined(names[0], 0, reason), undefined(names[1], 0, reason)

    def stat(s: np.ndarray, col: int) -> np.ndarray:
        valid = s[:, 2::3]
        with np.errstate(divide="ignore", invalid="ignore"):
            per_human = np.where(valid > 0, s[:, col::3] / np.where(valid > 0, valid, 1), np.nan)
        return np.nanmean(np.where(usable, per_human, np.nan), axis=1)

    out = []
    for col, name in ((0, names[0]), (1, names[1])):
        value = float(stat(f.sum(axis=0, keepdims=True), col)[0])
        reps = bootstrap_sums(f, lambda s, c=col: stat(s, c), n_resamples=n_resamples, seed=seed)  # type: ignore[misc]
        ci: Interval | None = interval_of(reps, confidence=confidence, seed=seed)
        note = f"mean over {int(usable.sum())} humans of leave-one-out agreement" if col == 0 else None
        out.append(Estimate(name, value, n, intervals=(ci,) if ci else (), reason=note))
    return out[0], out[1]
