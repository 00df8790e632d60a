"""Agreement between two raters (a judge and a human reference): accuracy, Cohen's kappa, correlations.

Ratings are numeric arrays with ``NaN`` for a missing rating; pairwise preferences are coded ``A>B = 1``,
``A=B = 0``, ``B>A = -1`` (see ``labels.py``), so that the ordinal levels order them. Items where either rater
is missing are dropped. Every function returns a :class:`~judgebench.metrics.stats.Estimate`: its ``value`` is ``None``
with a ``reason`` where the statistic is undefined, never a silent ``NaN``.

Point estimates come from the reference implementations (scikit-learn for kappa, scipy for correlations).
Bootstrap intervals resample items with the engine of ``stats.py`` (exact multinomial counts for labels and Likert
ratings); the vectorized formulas used there are checked against the same references in ``tests/test_agreement.py``.
Spearman's rho and Kendall's tau-b on many items with many distinct rows bootstrap their linearisation instead
(influence values, :func:`spearman_influence`, :func:`kendall_influence`; see :func:`correlation`), checked against
the jackknife and a resampling loop over scipy in ``tests/test_linear_bootstrap.py``.
Reliability among many raters (Krippendorff's alpha, Fleiss' kappa, the human baseline) is in ``reliability.py``.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np

from .stats import (
    DEFAULT_CONFIDENCE,
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    Estimate,
    Interval,
    bootstrap_counts,
    bootstrap_linearisation,
    bootstrap_sums,
    bootstrap_weighted,
    finite_or_none,
    fisher_z_interval,
    interval_of,
    large_and_continuous,
    undefined,
)

logger = logging.getLogger(__name__)

KappaWeights = Literal["linear", "quadratic"] | None
MAX_KENDALL_BOOTSTRAP_ROWS = 256
"""Kendall's tau is bootstrapped with an ``O(U^2)`` quadratic form over the ``U`` distinct (x, y) rows."""


def paired(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The two ratings as float arrays, keeping items that both raters rated.

    Raises:
        ValueError: when the arrays differ in length.
    """
    x = np.asarray(a, dtype=float).reshape(-1)
    y = np.asarray(b, dtype=float).reshape(-1)
    if x.shape != y.shape:
        raise ValueError(f"the two raters' arrays differ in length: {x.size} vs {y.size}")
    keep = ~(np.isnan(x) | np.isnan(y))
    return x[keep], y[keep]


def _ci(reps: np.ndarray, confidence: float, seed: int) -> tuple[Interval, ...]:
    ci = interval_of(reps, confidence=confidence, seed=seed)
    return (ci,) if ci else ()


def percent_agreement(
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    *,
    name: str = "percent agreement",
    confidence: float = DEFAULT_CONFIDENCE,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> Estimate:
    """Share of items on which the two raters give the same label (accuracy when ``b`` is the truth), in [0, 1].

    Returns:
        Undefined with a reason when no item has both ratings.
    """
    x, y = paired(a, b)
    n = x.size
    if n == 0:
        return undefined(name, 0, "no item has both ratings")
    same = (x == y).astype(np.int64)
    reps = bootstrap_counts(same, 2, lambda c: c[:, 1] / n, n_resamples=n_resamples, seed=seed)
    return Estimate(name, float(same.mean()), n, intervals=_ci(reps, confidence, seed))


def accuracy(pred: Sequence[float] | np.ndarray, truth: Sequence[float] | np.ndarray, **kw: object) -> Estimate:
    """Share of items where ``pred`` equals ``truth`` (percent agreement with a reference)."""
    return percent_agreement(pred, truth, name="accuracy", **kw)  # type: ignore[arg-type]


def kappa_weight_matrix(k: int, weights: KappaWeights = None) -> np.ndarray:
    """Disagreement weights by position in the scale, as scikit-learn defines them.

    ``None``: 0 on the diagonal, 1 elsewhere; ``linear``: ``|i - j|``; ``quadratic``: ``(i - j)^2``.
    """
    i, j = np.indices((k, k))
    if weights is None:
        return (i != j).astype(float)
    if weights == "linear":
        return np.abs(i - j).astype(float)
    if weights == "quadratic":
        return ((i - j) ** 2).astype(float)
    raise ValueError(f"unknown kappa weights {weights!r}; expected None, 'linear' or 'quadratic'")


def kappa_from_confusion(confusion: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Cohen's kappa of each ``(k, k)`` confusion table in ``confusion`` (shape ``(r, k, k)``), vectorized.

    ``kappa = 1 - sum(w * observed) / sum(w * expected)`` with ``expected = outer(row sums, column sums) / n``
    (the formula of ``sklearn.metrics.cohen_kappa_score``). NaN where the expected disagreement is 0.
    """
    c = np.asarray(confusion, dtype=float)
    n = c.sum(axis=(1, 2))
    expected = c.sum(axis=2)[:, :, None] * c.sum(axis=1)[:, None, :] / np.where(n > 0, n, 1)[:, None, None]
    num = (weights * c).sum(axis=(1, 2))
    den = (weights * expected).sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, 1 - num / np.where(den > 0, den, 1), np.nan)


def cohen_kappa(
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    *,
    labels: Sequence[float] | None = None,
    weights: KappaWeights = None,
    confidence: float = DEFAULT_CONFIDENCE,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> Estimate:
    """Cohen's kappa between two raters, unweighted or with linear/quadratic weights (scikit-learn).

    Args:
        labels: the full scale, in order. Weighted kappa measures distance by *position* in this list, so it must
            hold every category of the scale, used or not (default: the sorted union of the observed values).
        weights: ``None``, ``"linear"`` or ``"quadratic"``.

    Returns:
        Undefined with a reason for no items, a label outside ``labels``, or when chance disagreement is zero
        (both raters used one and the same category: kappa is 0/0).
    """
    from sklearn.metrics import cohen_kappa_score

    name = "Cohen's kappa" + (f" ({weights})" if weights else "")
    x, y = paired(a, b)
    n = x.size
    if n == 0:
        return undefined(name, 0, "no item has both ratings")
    scale = np.asarray(sorted(set(x.tolist()) | set(y.tolist())) if labels is None else list(labels), dtype=float)
    if len(set(scale.tolist())) != scale.size:
        raise ValueError(f"labels must be distinct, got {scale.tolist()}")
    pos = {v: i for i, v in enumerate(scale.tolist())}
    outside = sorted({v for v in np.concatenate([x, y]).tolist() if v not in pos})
    if outside:
        return undefined(name, n, f"ratings {outside} are not on the scale {scale.tolist()}")
    k = scale.size
    w = kappa_weight_matrix(k, weights)
    ix = np.array([pos[v] for v in x.tolist()])
    iy = np.array([pos[v] for v in y.tolist()])
    conf = np.bincount(ix * k + iy, minlength=k * k).reshape(1, k, k)
    if not np.isfinite(kappa_from_confusion(conf, w)[0]):
        used = sorted(set(x.tolist()) | set(y.tolist()))
        return undefined(name, n, f"chance disagreement is zero (both raters used only {used}): kappa is 0/0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = float(cohen_kappa_score(ix, iy, labels=np.arange(k), weights=weights))  # positions: float labels such as 3.5 read as 'continuous'
    reps = bootstrap_counts(ix * k + iy, k * k, lambda c: kappa_from_confusion(c.reshape(-1, k, k), w), n_resamples=n_resamples, seed=seed)
    return Estimate(name, value, n, intervals=_ci(reps, confidence, seed))


# ---------------------------------------------------------------------------------------------------------------
# correlations


def _correlation_guard(name: str, x: np.ndarray, y: np.ndarray) -> Estimate | None:
    n = x.size
    if n < 3:
        return undefined(name, n, f"needs at least 3 items with both ratings, got {n}")
    for who, v in (("first rater (judge)", x), ("second rater (reference)", y)):
        if np.all(v == v[0]):
            return undefined(name, n, f"zero variance: the {who} gave every item {v[0]:g}")
    return None


def _rank_moments(w: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Midranks (1-based, ties averaged) of each distinct row under resample weights ``w`` ``(r, U)``, and
    ``sum w * (rank - mean)^2`` per resample, which only depends on the tie counts: ``(n^3 - n - sum(t^3 - t)) / 12``.
    """
    new_level = np.r_[True, values[1:] != values[:-1]]
    if np.all(values[1:] >= values[:-1]):  # rows from np.unique are sorted by their first column
        order, sv_new = None, new_level
        counts = np.add.reduceat(w, np.flatnonzero(new_level), axis=1)
    else:
        order = np.argsort(values, kind="stable")
        sv = values[order]
        sv_new = np.r_[True, sv[1:] != sv[:-1]]
        counts = np.add.reduceat(w[:, order], np.flatnonzero(sv_new), axis=1)
    level = np.cumsum(sv_new) - 1
    mid = np.cumsum(counts, axis=1) - (counts - 1) / 2
    if order is None:
        ranks = mid[:, level]
    else:
        ranks = np.empty_like(w)
        ranks[:, order] = mid[:, level]
    n = w.sum(axis=1)
    return ranks, (n**3 - n - (counts**3 - counts).sum(axis=1)) / 12


def _weighted_spearman(w: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Spearman's rho under resample weights: Pearson's r of midranks, in one pass over the rows."""
    rx, sxx = _rank_moments(w, rows[:, 0])
    ry, syy = _rank_moments(w, rows[:, 1])
    n = w.sum(axis=1)
    sxy = np.einsum("ru,ru,ru->r", w, rx, ry) - n * ((n + 1) / 2) ** 2
    den = np.sqrt(np.maximum(sxx, 0) * np.maximum(syy, 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, sxy / np.where(den > 0, den, 1), np.nan)


def _weighted_kendall_tau_b(w: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Kendall's tau-b under weights: ``(C - D) / sqrt((n0 - n1)(n0 - n2))`` with ``C - D = w'Sw / 2``."""
    x, y = rows[:, 0], rows[:, 1]
    s = np.sign(x[:, None] - x[None, :]) * np.sign(y[:, None] - y[None, :])
    cd = np.einsum("ru,uv,rv->r", w, s, w) / 2
    n = w.sum(axis=1)
    n0 = n * (n - 1) / 2

    def ties(v: np.ndarray) -> np.ndarray:
        eq = (v[:, None] == v[None, :]).astype(float)
        tot = np.einsum("ru,uv,rv->r", w, eq, w)  # sum over ordered pairs in the same level, incl. an item with itself
        return (tot - n) / 2

    den = np.sqrt((n0 - ties(x)) * (n0 - ties(y)))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, cd / np.where(den > 0, den, 1), np.nan)


def _upper_mid_sums(v: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """For values ``v`` (n,): a map from ``(n, k)`` columns ``c`` to ``(1/n) sum_j (1{v_j > v_i} + 1{v_j = v_i}/2) c_j``
    for every item ``i`` (one sort, reused): the mass above each item, ties counted half, weighted by ``c``."""
    n = v.size
    order = np.argsort(v, kind="stable")
    sv = v[order]
    new_level = np.r_[True, sv[1:] != sv[:-1]]
    starts, level = np.flatnonzero(new_level), np.cumsum(new_level) - 1

    def sums(c: np.ndarray) -> np.ndarray:
        per_level = np.add.reduceat(c[order], starts, axis=0)
        above = per_level[::-1].cumsum(axis=0)[::-1] - per_level
        out = np.empty_like(c)
        out[order] = (above + per_level / 2)[level]
        return out / n

    return sums


def spearman_influence(x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Spearman's rho (midranks) and its empirical influence values, in ``O(n log n)``.

    With the mid-distribution functions ``F(s) = P(X < s) + P(X = s) / 2`` and ``G`` (of ``Y``), ``u = F(X)``,
    ``v = G(Y)``, rho is the functional ``C / sqrt(A B)`` with ``C = E[u v] - 1/4``, ``A = E[u^2] - 1/4``,
    ``B = E[v^2] - 1/4`` (``E u = E v = 1/2`` for any distribution); at the empirical distribution, ``u`` is
    ``(midrank - 1/2) / n``, so this is the Pearson correlation of midranks, as scipy computes rho. Differentiating
    at the item ``(x, y)``, with the ranks themselves moving (the Hajek projection, not Pearson on fixed ranks):

    - ``IF_C = F(x) G(y) + E[H_x(X) v] + E[H_y(Y) u] - 3 E[u v]``, with ``H_x(s) = 1{s > x} + 1{s = x}/2``;
    - ``IF_A = F(x)^2 + 2 E[H_x(X) u] - 3 E[u^2]`` (0 without ties: ``A = 1/12`` then), ``IF_B`` likewise;
    - ``IF_rho = IF_C / sqrt(A B) - rho (IF_A / A + IF_B / B) / 2``.

    Without ties this is Croux & Dehon (2010, "Influence functions of the Spearman and Kendall correlation measures",
    *Statistical Methods & Applications* 19, 497-515): ``IF = 12 [F(x) G(y) + E F(X) 1{Y >= y} + E G(Y) 1{X >= x}]
    - 9 - 3 rho``. The values sum to 0 exactly; ``tests/test_linear_bootstrap.py`` checks them against the jackknife.
    """
    n = x.size
    above_x, above_y = _upper_mid_sums(x), _upper_mid_sums(y)
    ones = np.ones((n, 1))
    u, v = 1 - above_x(ones)[:, 0], 1 - above_y(ones)[:, 0]
    sx, sy = above_x(np.column_stack([v, u])), above_y(np.column_stack([u, v]))
    uv, uu, vv = float(np.mean(u * v)), float(np.mean(u * u)), float(np.mean(v * v))
    c, a, b = uv - 0.25, uu - 0.25, vv - 0.25
    root = np.sqrt(a * b)
    rho = c / root
    inf_c = u * v + sx[:, 0] + sy[:, 0] - 3 * uv
    inf_a = u * u + 2 * sx[:, 1] - 3 * uu
    inf_b = v * v + 2 * sy[:, 1] - 3 * vv
    return float(rho), inf_c / root - rho * (inf_a / a + inf_b / b) / 2


def _run_starts(*keys: np.ndarray) -> np.ndarray:
    """For a sequence sorted by the composite ``keys``, the position where each element's run of equal keys starts."""
    new = np.zeros(keys[0].size, dtype=bool)
    new[0] = True
    for k in keys:
        new[1:] |= k[1:] != k[:-1]
    return np.maximum.accumulate(np.where(new, np.arange(new.size), 0))


def _less_and_greater_within(group: np.ndarray, sub: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``#{j: group_j = group_i, sub_j < sub_i}`` and ``#{j: group_j = group_i, sub_j > sub_i}`` for every ``i``."""
    n = group.size
    order = np.lexsort((sub, group))
    g, s = group[order], sub[order]
    group_end = n - 1 - _run_starts(g[::-1])[::-1]
    block_end = n - 1 - _run_starts(g[::-1], s[::-1])[::-1]
    less, greater = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    less[order] = _run_starts(g, s) - _run_starts(g)
    greater[order] = group_end - block_end
    return less, greater


def _lower_left(rx: np.ndarray, ry: np.ndarray) -> np.ndarray:
    """``#{j: rx_j < rx_i and ry_j < ry_i}`` for every ``i`` (dense integer ranks), in ``O(n log^2 n)``.

    ``ry_j < ry_i`` when, at the highest bit where they differ, ``ry_j`` has a 0 and ``ry_i`` a 1: for each bit ``b``,
    items are grouped by ``ry >> (b + 1)`` (a stable radix sort that keeps the x order within a group), and an item
    with bit ``b`` set counts the 0-bit items of its group with a smaller x (a cumulative sum).
    """
    n = rx.size
    by_x = np.argsort(rx, kind="stable")
    ryo = ry[by_x]
    rxo = rx[by_x] if np.bincount(rx).max() > 1 else None  # ties in x: an item's x-block starts before it
    zeros_before = np.zeros(n + 1, dtype=np.int64)
    out_x, level = np.zeros(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    for b in range(max(1, int(ry.max()).bit_length())):
        key = ryo >> (b + 1)
        o = np.argsort(key.astype(np.uint16) if key.max() < 1 << 16 else key, kind="stable")
        yo = ryo[o]
        k, bit = yo >> (b + 1), (yo >> b) & 1
        np.cumsum(bit == 0, out=zeros_before[1:])
        sizes = np.bincount(k)
        group_start = (np.cumsum(sizes) - sizes)[k]
        block_start = zeros_before[:-1] if rxo is None else zeros_before[_run_starts(k, rxo[o])]
        level[o] = bit * (block_start - zeros_before[group_start])
        out_x += level
    out = np.empty(n, dtype=np.int64)
    out[by_x] = out_x
    return out


def kendall_influence(x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Kendall's tau-b and its empirical influence values, in ``O(n log^2 n)``.

    tau-b is the functional ``N / sqrt(D_x D_y)`` with ``N = E[sign(X - X') sign(Y - Y')]`` and
    ``D_x = 1 - P(X = X')`` over independent copies (at the empirical distribution: ``C - D = n^2 N / 2`` and
    ``n_0 - n_1 = n^2 D_x / 2``, so it is scipy's tau-b). Both are quadratic functionals, so at the item ``(x, y)``
    ``IF_N = 2 (E[sign(x - X) sign(y - Y)] - N)``, ``IF_Dx = -2 (P(X = x) - P(X = X'))`` and
    ``IF_tau = IF_N / sqrt(D_x D_y) - tau (IF_Dx / D_x + IF_Dy / D_y) / 2``; without ties,
    ``IF = 2 (2 P[(X - x)(Y - y) > 0] - 1 - tau)`` (Croux & Dehon 2010). The per-item concordance
    ``K_i = sum_j sign(x_i - x_j) sign(y_i - y_j)`` comes from dominance counts (:func:`_lower_left`) and the tie
    groups: ``K = 2 (2 LL - L_x + LE) + G_y - L_y - (G_xy - L_xy)``, with ``LL = #{x_j < x_i, y_j < y_i}``,
    ``LE = #{x_j < x_i, y_j = y_i}``, ``L_x = #{x_j < x_i}``, ``L_y``, ``G_y`` likewise, and ``L_xy``, ``G_xy`` the
    items of the same x with a smaller or larger y.
    """
    n = x.size
    _, rx, tx = np.unique(x, return_inverse=True, return_counts=True)
    _, ry, ty = np.unique(y, return_inverse=True, return_counts=True)
    rx, ry = rx.reshape(-1), ry.reshape(-1)
    below_x, below_y = (np.cumsum(tx) - tx)[rx], (np.cumsum(ty) - ty)[ry]
    above_y = n - below_y - ty[ry]
    x_before = _less_and_greater_within(ry, rx)[0] if ty.max() > 1 else 0  # 0 without ties in y
    y_below, y_above = _less_and_greater_within(rx, ry) if tx.max() > 1 else (0, 0)
    k = 2 * (2 * _lower_left(rx, ry) - below_x + x_before) + above_y - below_y - (y_above - y_below)
    tie_x, tie_y = tx[rx] / n, ty[ry] / n
    concord = float(k.sum()) / n**2
    dx, dy = 1 - float(tie_x.mean()), 1 - float(tie_y.mean())
    root = np.sqrt(dx * dy)
    tau = concord / root
    inf_n = 2 * (k / n - concord)
    inf_dx, inf_dy = -2 * (tie_x - (1 - dx)), -2 * (tie_y - (1 - dy))
    return float(tau), inf_n / root - tau * (inf_dx / dx + inf_dy / dy) / 2


BootstrapMode = Literal["auto", "exact", "linear"]


def correlation(
    kind: Literal["pearson", "spearman", "kendall"],
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    bootstrap: BootstrapMode = "auto",
) -> Estimate:
    """Pearson's r, Spearman's rho or Kendall's tau-b (scipy), with its p-value and two 95% intervals.

    Intervals: a bootstrap over items (first) and the Fisher z interval (second; see ``stats.fisher_z_interval``).
    Spearman and Kendall handle ties (midranks; tau-b). Pearson assumes interval ratings.

    The rank correlations' bootstrap (``bootstrap``): ``"exact"`` recomputes weighted midranks (Spearman) or
    concordances (Kendall, up to ``MAX_KENDALL_BOOTSTRAP_ROWS`` distinct rows; above, Fisher z only) in every resample
    (Efron's bootstrap, or multinomial counts of the distinct rows); ``"linear"`` bootstraps the statistic's
    linearisation, ``value + mean of its influence values`` (:func:`spearman_influence`, :func:`kendall_influence`,
    ``stats.bootstrap_linearisation``), labelled ``... of the influence-function linearisation (...)``; ``"auto"``
    (default) takes the linearisation from ``stats.POISSON_MIN_ITEMS`` items with many distinct rows (continuous
    data, where exact Spearman costs ~10 ns per item and resample, 10 s or more for 100,000 items), and for Kendall
    also below it whenever the exact path cannot run (more than ``MAX_KENDALL_BOOTSTRAP_ROWS`` distinct rows); the
    exact path otherwise (labels, Likert ratings: their published intervals stay exact). ``"exact"`` on Kendall with
    too many distinct rows gives the Fisher z interval only.
    Pearson's r is a function of sums and ignores the option.

    Returns:
        Undefined with a reason for fewer than 3 items or a rater with zero variance (a constant rating).
    """
    from scipy import stats as sps

    name = {"pearson": "Pearson's r", "spearman": "Spearman's rho", "kendall": "Kendall's tau-b"}[kind]
    x, y = paired(a, b)
    guard = _correlation_guard(name, x, y)
    if guard is not None:
        return guard
    n = x.size
    if kind == "pearson":
        res = sps.pearsonr(x, y)
    elif kind == "spearman":
        res = sps.spearmanr(x, y)
    else:
        res = sps.kendalltau(x, y, variant="b")
    value = finite_or_none(res.statistic)
    if value is None:
        return undefined(name, n, "scipy returned no value (degenerate data)")
    rows = np.column_stack([x, y])
    note = None
    if kind == "pearson":
        # r is invariant to shifting and scaling either variable: standardized values keep the sums' float
        # precision (the Poisson bootstrap's products run in float32) whatever the ratings' level
        x, y = (x - x.mean()) / x.std(), (y - y.mean()) / y.std()
        feats = np.column_stack([x, y, x * x, y * y, x * y])

        def stat(s: np.ndarray) -> np.ndarray:
            sx, sy, sxx, syy, sxy = (s[:, i] for i in range(5))
            cov = sxy - sx * sy / n
            den = np.sqrt(np.maximum(sxx - sx * sx / n, 0) * np.maximum(syy - sy * sy / n, 0))
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(den > 0, cov / np.where(den > 0, den, 1), np.nan)

        reps: np.ndarray | None = bootstrap_sums(feats, stat, n_resamples=n_resamples, seed=seed)
    elif kind == "spearman" and _linearise(bootstrap, rows):
        reps = bootstrap_linearisation(value, spearman_influence(x, y)[1], n_resamples=n_resamples, seed=seed)
    elif kind == "spearman":
        reps = bootstrap_weighted(rows, _weighted_spearman, n_resamples=n_resamples, seed=seed)
    elif _linearise(bootstrap, rows):
        reps = bootstrap_linearisation(value, kendall_influence(x, y)[1], n_resamples=n_resamples, seed=seed)
    elif (n_unique := len(np.unique(rows, axis=0))) <= MAX_KENDALL_BOOTSTRAP_ROWS:
        reps = bootstrap_weighted(rows, _weighted_kendall_tau_b, n_resamples=n_resamples, seed=seed)
    elif bootstrap == "auto":  # no exact path at this many distinct rows: the linearisation, at any n
        reps = bootstrap_linearisation(value, kendall_influence(x, y)[1], n_resamples=n_resamples, seed=seed)
    else:
        reps = None
        note = f"no bootstrap interval: {n_unique} distinct rating pairs (> {MAX_KENDALL_BOOTSTRAP_ROWS}) have no exact bootstrap; Fisher z only (bootstrap='auto' or 'linear' bootstraps its linearisation)"
    boot = _ci(reps, confidence, seed) if reps is not None else ()
    fz = fisher_z_interval(value, n, kind=kind, confidence=confidence)
    return Estimate(name, value, n, intervals=boot + ((fz,) if fz else ()), p_value=finite_or_none(res.pvalue), reason=note)


def _linearise(mode: BootstrapMode, rows: np.ndarray) -> bool:
    if mode not in ("auto", "exact", "linear"):
        raise ValueError(f"unknown bootstrap {mode!r}; expected auto, exact or linear")
    return mode == "linear" or (mode == "auto" and large_and_continuous(rows))


def spearman(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray, **kw: object) -> Estimate:
    """Spearman's rank correlation (see :func:`correlation`)."""
    return correlation("spearman", a, b, **kw)  # type: ignore[arg-type]


def kendall(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray, **kw: object) -> Estimate:
    """Kendall's tau-b (see :func:`correlation`)."""
    return correlation("kendall", a, b, **kw)  # type: ignore[arg-type]


def pearson(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray, **kw: object) -> Estimate:
    """Pearson's correlation, for interval ratings (see :func:`correlation`)."""
    return correlation("pearson", a, b, **kw)  # type: ignore[arg-type]
