"""Confidence intervals and paired tests, vectorized with numpy.

Every function is seeded so results are reproducible, and bootstraps resample *items* (pairs, units) with
replacement. Intervals are percentile intervals.

Why the fast paths are exact: resampling ``n`` items with replacement gives each *distinct* item (a distinct row of
whatever the statistic reads) a count, and the vector of counts over the ``U`` distinct rows is
``Multinomial(n, f / n)`` where ``f`` are their frequencies. Drawing those counts directly is the same bootstrap
distribution as drawing item indices, without touching ``n`` items per resample. For 0/1 data it is the binomial
shortcut; for labels (kappa, agreement), it is a multinomial over the cells of the confusion table. When almost
every row is distinct (continuous data), indices are drawn in chunks that fit the CPU cache, on a few threads.

Chunks get their own random streams (``SeedSequence(seed).spawn``), fixed by the data size alone, so results do
not depend on the number of threads.

Many distinct rows, many items (``n >= POISSON_MIN_ITEMS``): statistics of sums (:func:`bootstrap_sums`: means,
Pearson's r, Krippendorff's alpha at the interval level, ICC, MAE) switch to the *Poisson bootstrap* (Oza 2001;
Hanley & MacGibbon 2006; Chamandy et al. 2012, "Estimating uncertainty for massive data streams"): every item gets
an independent weight ``w_i`` with the moments of Poisson(1) instead of a multinomial count, and the statistic reads
the weighted sums rescaled to the item count, ``n * sum(w_i f_i) / sum(w_i)``. Conditional on ``N = sum(w_i)``,
Poisson(1) counts are ``Multinomial(N, 1/n)``, so this is Efron's bootstrap with a resample size ``N ~ Poisson(n)``
instead of ``n``; for a smooth function of means the two agree to ``O(1/n)`` in the interval, and the weights'
third central moment of 1 (as the multinomial's) keeps the percentile interval's skewness correction. The weights
are drawn one byte each from a 256-atom table, ``P(w = 0, 1, 2, 3) = (102, 126, 18, 10) / 256``, three byte
comparisons: mean 3/4, and ``4w/3`` has the first three moments of Poisson(1) exactly (mean 1, variance 1, third
central moment 1; fourth 4.11 against 4). Only the weights' moments relative to their mean matter, as the
statistic reads ``n * sum(w f) / sum(w)``. A weighted bootstrap with iid weights of coefficient of variation 1 is
consistent for smooth functions of means (Mason & Newton 1992; Praestgaard & Wellner 1993). Why: the sums become a
``(resamples x n) @ (n x k)`` float32 matrix product of byte weights, about 0.6-0.8 ns per weight in all on one core
(random bytes from SFC64 0.2, comparisons and the float32 copy 0.3, the product 0.07-0.14), where drawing and
counting 10^9 item indices costs 5-9 ns each. Intervals made this way are labelled ``Poisson bootstrap (...)``.

Statistics that are not functions of sums (rank correlations on continuous values) can bootstrap their
linearisation instead, ``value + mean of their influence values`` (:func:`bootstrap_linearisation`), with the same
engine; those intervals say so in their label (``... of the influence-function linearisation (...)``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

DEFAULT_RESAMPLES = 10_000
DEFAULT_SEED = 0
DEFAULT_CONFIDENCE = 0.95
_CHUNK_ELEMENTS = 1 << 22  # random draws per chunk: ~16 MB of int32 indices, cache-friendly
_MAX_THREADS = 4


@dataclass(frozen=True, slots=True)
class Interval:
    """A confidence interval and how it was made (``n_undefined``: resamples where the statistic was undefined)."""

    low: float
    high: float
    method: str
    n_resamples: int = 0
    n_undefined: int = 0

    @property
    def is_bootstrap(self) -> bool:
        """Whether resampling made it: Efron's ``bootstrap (...)``, ``Poisson bootstrap (...)``, stratified or of a
        linearisation alike (an analytic interval, such as ``Fisher z``, has no ``bootstrap`` in its method)."""
        return "bootstrap" in self.method

    def to_dict(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high, "method": self.method, "n_resamples": self.n_resamples, "n_undefined": self.n_undefined}


@dataclass(frozen=True, slots=True)
class Estimate:
    """A statistic on ``n`` items with its intervals and p-value.

    ``value is None`` means the statistic is undefined on this data and ``reason`` says why (one class only,
    zero variance, fewer than two raters, ...); a defined value may still carry a ``reason`` as a note.
    """

    name: str
    value: float | None
    n: int
    intervals: tuple[Interval, ...] = ()
    p_value: float | None = None
    reason: str | None = None

    @property
    def is_defined(self) -> bool:
        return self.value is not None

    def bootstrap_interval(self) -> Interval | None:
        """The first interval made by resampling (``Interval.is_bootstrap``), whatever its scheme."""
        return next((i for i in self.intervals if i.is_bootstrap), None)

    def interval(self, prefix: str = "") -> Interval | None:
        """The first interval whose method starts with ``prefix`` (``""``: the first)."""
        return next((i for i in self.intervals if i.method.startswith(prefix)), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "n": self.n,
            "defined": self.is_defined,
            "intervals": [i.to_dict() for i in self.intervals],
            "p_value": self.p_value,
            "reason": self.reason,
        }


def undefined(name: str, n: int, reason: str) -> Estimate:
    """An undefined statistic, with the reason to show instead of a number."""
    return Estimate(name=name, value=None, n=n, reason=reason)


def finite_or_none(x: float) -> float | None:
    """``float(x)`` or ``None`` for NaN/inf, so that no NaN leaks into reports."""
    x = float(x)
    return x if math.isfinite(x) else None


# ---------------------------------------------------------------------------------------------------------------
# resampling engine


def bootstrap_indices(n: int, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """An ``(n_resamples, n)`` array of item indices drawn with replacement (int32 to halve memory)."""
    return rng.integers(0, n, size=(n_resamples, n), dtype=np.int32)


def _chunk_bounds(n_resamples: int, row_cost: int) -> list[tuple[int, int]]:
    rows = max(1, min(n_resamples, _CHUNK_ELEMENTS // max(1, row_cost)))
    return [(s, min(s + rows, n_resamples)) for s in range(0, n_resamples, rows)]


def _run_chunks(
    work: Callable[[np.random.Generator, int], np.ndarray],
    n_resamples: int,
    seed: int,
    row_cost: int,
    bit_generator: Callable[[np.random.SeedSequence], np.random.BitGenerator] = np.random.PCG64,
) -> np.ndarray:
    """Run ``work(rng, rows) -> (rows, ...)`` over chunks of resamples with independent streams; concatenate."""
    bounds = _chunk_bounds(n_resamples, row_cost)
    seqs = np.random.SeedSequence(seed).spawn(len(bounds))
    jobs = [(np.random.Generator(bit_generator(s)), b - a) for s, (a, b) in zip(seqs, bounds, strict=True)]
    threads = min(_MAX_THREADS, os.cpu_count() or 1, len(jobs))
    if threads <= 1:
        parts = [work(rng, rows) for rng, rows in jobs]
    else:
        with ThreadPoolExecutor(threads) as pool:  # numpy releases the GIL in draws, gathers and reductions
            parts = list(pool.map(lambda job: work(*job), jobs))
    return np.concatenate([np.asarray(p, dtype=float).reshape(rows, *np.shape(p)[1:]) for p, (_, rows) in zip(parts, jobs, strict=True)], axis=0)


def _unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct rows of a 2-D array, their frequencies and each row's index into them."""
    uniq, inverse, freq = np.unique(rows, axis=0, return_inverse=True, return_counts=True)
    return uniq, freq.astype(np.int64), inverse.reshape(-1)


def many_distinct_rows(rows: np.ndarray) -> bool:
    """Whether the ``(n, k)`` rows are too varied for the exact multinomial path (more than ``n / 16`` distinct rows),
    the case in which :func:`bootstrap_sums` draws index gathers or, from ``POISSON_MIN_ITEMS`` items, Poisson weights."""
    f = np.asarray(rows).reshape(len(rows), -1)
    return _many_distinct_values(f) or not _uses_multinomial(len(np.unique(f, axis=0)), len(f))


def large_and_continuous(rows: np.ndarray) -> bool:
    """Whether ``rows`` are at least ``POISSON_MIN_ITEMS`` items with many distinct rows (``many_distinct_rows``):
    where a statistic without a sums shortcut is bootstrapped through its linearisation. The threshold is read when
    called, so setting ``stats.POISSON_MIN_ITEMS`` (a test, ``bench_metrics``' exact baseline) moves it."""
    return len(rows) >= POISSON_MIN_ITEMS and many_distinct_rows(rows)


def _many_distinct_values(f: np.ndarray) -> bool:
    """Whether some column of ``(n, k)`` has too many distinct values for the multinomial path: then so have the
    rows (a cheap, exact sufficient test for ``not _uses_multinomial``; columns are tried up to the first such)."""
    n = len(f)
    return any(not _uses_multinomial(np.unique(f[:, j]).size, n) for j in range(f.shape[1]))


def _uses_multinomial(n_unique: int, n: int) -> bool:
    # multinomial draws cost ~100 ns per category, index draws ~7 ns per item (measured; see tests/perf)
    return n_unique * 16 <= n


def _resampled_counts(rng: np.random.Generator, rows: int, freq: np.ndarray, inverse: np.ndarray) -> np.ndarray:
    """``(rows, U)`` bootstrap counts of the ``U`` distinct rows (each row of the result sums to ``n``)."""
    n, u = int(freq.sum()), freq.size
    if _uses_multinomial(u, n):
        return rng.multinomial(n, freq / n, size=rows).astype(float)
    idx = bootstrap_indices(n, rows, rng)
    codes = inverse[idx] + (np.arange(rows, dtype=np.int64) * u)[:, None]
    return np.bincount(codes.ravel(), minlength=rows * u).reshape(rows, u).astype(float)


def percentile_interval(samples: np.ndarray, *, confidence: float = DEFAULT_CONFIDENCE, method: str = "bootstrap") -> Interval | None:
    """Percentile interval of bootstrap replicates, ignoring undefined (NaN) replicates.

    Returns:
        The interval, with the counts of replicates and undefined ones; ``None`` when every replicate is undefined.
    """
    s = np.asarray(samples, dtype=float)
    ok = s[np.isfinite(s)]
    if ok.size == 0:
        return None
    a = (1 - confidence) / 2
    low, high = np.quantile(ok, [a, 1 - a])
    return Interval(float(low), float(high), method, n_resamples=int(s.size), n_undefined=int(s.size - ok.size))


class Replicates(np.ndarray):
    """Bootstrap replicates (a numpy array) that remember their resampling ``scheme`` for the interval's label."""

    scheme: str = "bootstrap"

    def __array_finalize__(self, obj: object) -> None:
        self.scheme = getattr(obj, "scheme", "bootstrap")


def _with_scheme(replicates: np.ndarray, scheme: str) -> np.ndarray:
    out = np.asarray(replicates).view(Replicates)
    out.scheme = scheme
    return out


def scheme_of(replicates: np.ndarray) -> str:
    """``"bootstrap"`` (Efron's: multinomial counts) or ``"Poisson bootstrap"``, as drawn by ``bootstrap_*``."""
    return str(getattr(replicates, "scheme", "bootstrap"))


def _method(n_resamples: int, seed: int, scheme: str = "bootstrap") -> str:
    return f"{scheme} ({n_resamples} resamples, seed {seed})"


# Poisson bootstrap weights, one byte each: counts of the 256 byte values that map to weights 0, 1, 2, 3. Their mean
# is 3/4 (sum k m_k = 192); scaled by 4/3 they have the first three moments of Poisson(1) exactly: variance 1
# (sum k^2 m_k = 288 = 2 * 192^2 / 256) and third central moment 1. Only the scale-free moments matter, because the
# statistic reads the sums rescaled to the item count, ``n * sum(w f) / sum(w)``.
POISSON_WEIGHT_COUNTS = (102, 126, 18, 10)
POISSON_WEIGHT_MEAN = 0.75
POISSON_MIN_ITEMS = 20_000  # from here on, sums over many distinct rows use the Poisson bootstrap
_POISSON_THRESHOLDS = tuple(int(t) for t in np.cumsum(POISSON_WEIGHT_COUNTS)[:-1])  # weight = #thresholds <= byte
# Weights per matrix product (512 resamples x 1024 items; 2 MB of float32) and resamples per job. Smaller blocks fit
# a core's L2 and run 5-10% faster on one thread, but on two threads their many short numpy calls hand the GIL back
# and forth: 128 x 1024 made 13,000 context switches per 10^9 weights and took 0.6 s, 512 x 1024 700 and 0.38 s.
_POISSON_BLOCK = 1 << 19
_POISSON_ROWS = 512


def _uses_poisson(n_unique: int, n: int) -> bool:
    return n >= POISSON_MIN_ITEMS and not _uses_multinomial(n_unique, n)


def poisson_weights(rng: np.random.Generator, rows: int, n: int) -> np.ndarray:
    """``(rows, n)`` float32 Poisson-bootstrap weights in ``{0, 1, 2, 3}`` with mean ``POISSON_WEIGHT_MEAN`` (see the
    module docstring): one random byte per weight."""
    size = rows * n
    return _poisson_weights_into(rng.bit_generator, np.empty(size, dtype=np.uint8), np.empty(size, dtype=bool), np.empty(size, dtype=np.float32)).reshape(rows, n)


def _poisson_weights_into(bits: np.random.BitGenerator, count: np.ndarray, hit: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Fill ``out`` (float32) with Poisson-bootstrap weights, reusing the byte buffers ``count`` and ``hit``."""
    raw = bits.random_raw(-(-out.size // 8)).view(np.uint8)[: out.size]
    np.greater_equal(raw, _POISSON_THRESHOLDS[0], out=count.view(bool))  # a bool is the byte 0 or 1
    for t in _POISSON_THRESHOLDS[1:]:  # byte comparisons: a third of the cost of a table gather
        np.greater_equal(raw, t, out=hit)
        np.add(count, hit.view(np.uint8), out=count)
    np.copyto(out, count, casting="unsafe")
    return out


def _product_width(columns: int) -> int:
    """Columns of the float32 product for ``columns`` sums (with the weight total).

    OpenBLAS's ``sgemm`` on ``(64 x 2048) @ (2048 x c)`` (and 128 x 1024), measured on one core: c = 2, 4, 6, 7 take
    0.07, 0.09, 0.14, 0.2 ns per weight, but c = 3 0.12, c = 8 0.33 and c = 9-15 0.4-0.7 (c = 16: 0.41), so 3 is
    padded to 4 and more than 8 to a multiple of 8."""
    if columns == 3:
        return 4
    return columns if columns <= 8 else -(-columns // 8) * 8


def _poisson_sums(f: np.ndarray, statistic: Callable[[np.ndarray], np.ndarray], n_resamples: int, seed: int) -> np.ndarray:
    """Poisson-bootstrap replicates of ``statistic(n * sum(w f) / sum(w))``: byte weights times the features (BLAS).

    The features are centred at their means before the float32 products and the means added back in float64, so
    the sums keep float32's relative precision on each feature's spread, not on its level; partial products over
    slices of items are accumulated in float64. The random bytes come from SFC64 (a quarter faster than PCG64 here),
    one stream per chunk of resamples.
    """
    n, k = f.shape
    mu = f.mean(axis=0)
    width = _product_width(k + 1)
    fc = np.zeros((n, width), dtype=np.float32)
    fc[:, :k] = f - mu
    fc[:, k] = 1.0  # the weight total: exact, a sum of small integers below 2^24 per slice
    rows_per_job = _POISSON_ROWS
    cols = max(1, min(n, _POISSON_BLOCK // rows_per_job))

    def work(rng: np.random.Generator, rows: int) -> np.ndarray:
        acc = np.zeros((rows, fc.shape[1]))
        size = rows * cols
        count, hit, weights = np.empty(size, dtype=np.uint8), np.empty(size, dtype=bool), np.empty(size, dtype=np.float32)
        for a in range(0, n, cols):
            m = min(cols, n - a) * rows
            w = _poisson_weights_into(rng.bit_generator, count[:m], hit[:m], weights[:m]).reshape(rows, -1)
            acc += w @ fc[a : a + w.shape[1]]
        total = acc[:, k : k + 1]
        return statistic(n * acc[:, :k] / total + n * mu)

    from threadpoolctl import threadpool_limits  # a dependency of scikit-learn, so always installed

    with threadpool_limits(1, user_api="blas"):  # one BLAS thread per chunk thread: threaded BLAS on small products spins
        return _run_chunks(work, n_resamples, seed, max(1, _CHUNK_ELEMENTS // rows_per_job), np.random.SFC64)


def bootstrap_counts(
    codes: np.ndarray | Sequence[int],
    n_categories: int,
    statistic: Callable[[np.ndarray], np.ndarray],
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> np.ndarray:
    """Bootstrap replicates of a statistic that depends on the items only through category counts.

    Args:
        codes: one category code in ``[0, n_categories)`` per item (e.g. a confusion-table cell).
        n_categories: number of categories.
        statistic: maps resampled counts ``(r, n_categories)`` to ``(r,)`` values (or ``(r, k)`` for several
            statistics at once; NaN where undefined).

    Returns:
        ``(n_resamples,)`` (or ``(n_resamples, k)``) replicates, drawn exactly as ``Multinomial(n, observed shares)``.
    """
    c = np.asarray(codes, dtype=np.int64).reshape(-1)
    if c.size and (c.min() < 0 or c.max() >= n_categories):
        raise ValueError(f"codes must lie in [0, {n_categories}); got range [{c.min()}, {c.max()}]")
    counts = np.bincount(c, minlength=n_categories)
    n = int(c.size)
    if n == 0:
        return np.full(n_resamples, np.nan)

    def work(rng: np.random.Generator, rows: int) -> np.ndarray:
        return statistic(rng.multinomial(n, counts / n, size=rows).astype(float))

    return _run_chunks(work, n_resamples, seed, n_categories * 8)


def bootstrap_sums(
    features: np.ndarray,
    statistic: Callable[[np.ndarray], np.ndarray],
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> np.ndarray:
    """Bootstrap replicates of a statistic of column sums: ``statistic(sum over resampled items of features)``.

    Many statistics are such a function (means, Pearson's r from five sums, Krippendorff's alpha from coincidences,
    Fleiss' kappa, ratios of counts). Few distinct rows: exact multinomial counts times the distinct rows; many:
    chunked index gathers, or from ``POISSON_MIN_ITEMS`` items on the Poisson bootstrap (byte weights times the
    features as one matrix product; see the module docstring), whose replicates carry ``scheme_of(...) ==
    "Poisson bootstrap"`` so that :func:`interval_of` labels the interval with it. The statistic must read the sums
    as sums over ``n`` items (the Poisson bootstrap rescales its weights to total ``n``).

    Args:
        features: ``(n, k)`` (or ``(n,)``) per-item features.
        statistic: maps ``(r, k)`` resampled sums to ``(r,)`` values (NaN where undefined).
    """
    f = np.asarray(features, dtype=float)
    f = f.reshape(len(f), -1)
    n, k = f.shape
    if n == 0:
        return np.full(n_resamples, np.nan)
    if n >= POISSON_MIN_ITEMS and _many_distinct_values(f):  # skips np.unique over rows, which costs ~0.1 s here
        return _with_scheme(_poisson_sums(f, statistic, n_resamples, seed), "Poisson bootstrap")
    uniq, freq, inverse = _unique_rows(f)
    if _uses_multinomial(len(uniq), n):

        def work(rng: np.random.Generator, rows: int) -> np.ndarray:
            return statistic(rng.multinomial(n, freq / n, size=rows).astype(float) @ uniq)

        return _run_chunks(work, n_resamples, seed, len(uniq) * 8)
    if _uses_poisson(len(uniq), n):
        return _with_scheme(_poisson_sums(f, statistic, n_resamples, seed), "Poisson bootstrap")

    if k == 1:  # one feature: gather and sum

        def gather(rng: np.random.Generator, rows: int) -> np.ndarray:
            return statistic(np.take(f[:, 0], bootstrap_indices(n, rows, rng)).sum(axis=1)[:, None])

        return _run_chunks(gather, n_resamples, seed, n)

    def counts_matmul(rng: np.random.Generator, rows: int) -> np.ndarray:  # several: one count pass, then BLAS
        return statistic(_resampled_counts(rng, rows, freq, inverse) @ uniq)

    return _run_chunks(counts_matmul, n_resamples, seed, n + len(uniq))


LINEARISATION = "of the influence-function linearisation"


def bootstrap_linearisation(
    value: float,
    influence: np.ndarray,
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> np.ndarray:
    """Bootstrap replicates of a statistic's linearisation: ``value + mean over the resample of its influence values``.

    For a statistic ``T`` of the empirical distribution ``F_n`` with empirical influence values
    ``l_i = d/de T((1 - e) F_n + e delta_i)`` at ``e = 0`` (which sum to 0), a resample with counts ``f_i`` has
    ``T* ~ T + sum(f_i l_i) / n``, to first order. This is the linear approximation ``t*_L`` of Davison & Hinkley (1997,
    *Bootstrap Methods and their Application*, section 2.7), whose variance ``sum(l_i^2) / n^2`` is the
    infinitesimal-jackknife variance (Jaeckel 1972; Efron 1982, *The Jackknife, the Bootstrap and Other Resampling
    Plans*, ch. 6). Its replicates are the bootstrapped mean of the ``l_i``, so they come from the engine of
    :func:`bootstrap_sums` (the Poisson bootstrap from ``POISSON_MIN_ITEMS`` distinct values on). It keeps the skewness
    of the influence values but drops the statistic's curvature (an ``O(1/n)`` term, against the ``O(1/sqrt(n))``
    spread), so it is meant for many items, where the exact bootstrap of a rank statistic is the expensive one.

    Returns:
        ``(n_resamples,)`` replicates whose ``scheme_of`` is the engine's scheme followed by ``LINEARISATION``, so
        that :func:`interval_of` labels the interval as a bootstrap of the linearisation.
    """
    lv = np.asarray(influence, dtype=float).reshape(-1)
    n = lv.size
    reps = bootstrap_sums(lv, lambda s: value + s[:, 0] / n, n_resamples=n_resamples, seed=seed)
    return _with_scheme(reps, f"{scheme_of(reps)} {LINEARISATION}")


def bootstrap_weighted(
    rows: np.ndarray,
    statistic: Callable[[np.ndarray, np.ndarray], np.ndarray],
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> np.ndarray:
    """Bootstrap replicates of any statistic of the weighted empirical distribution.

    Args:
        rows: ``(n, k)`` per-item data (or ``(n,)``).
        statistic: ``statistic(weights, unique_rows)`` with ``weights`` of shape ``(r, U)`` (resampled counts of the
            ``U`` distinct rows, each row summing to ``n``) returns ``(r,)`` values (NaN where undefined).
    """
    x = np.asarray(rows, dtype=float)
    x = x.reshape(len(x), -1)
    if len(x) == 0:
        return np.full(n_resamples, np.nan)
    uniq, freq, inverse = _unique_rows(x)

    def work(rng: np.random.Generator, r: int) -> np.ndarray:
        return statistic(_resampled_counts(rng, r, freq, inverse), uniq)

    cost = len(uniq) * 8 if _uses_multinomial(len(uniq), len(x)) else len(x) + len(uniq)
    return _run_chunks(work, n_resamples, seed, cost)


def bootstrap_ci(
    statistic: Callable[..., np.ndarray],
    *arrays: np.ndarray | Sequence[float],
    confidence: float = DEFAULT_CONFIDENCE,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> Interval | None:
    """Percentile CI of an arbitrary vectorized statistic of paired arrays (resampled together, by item).

    ``statistic(*resampled)`` receives arrays of shape ``(r, n)`` and returns ``(r,)`` values, like
    ``scipy.stats.bootstrap(..., vectorized=True)`` with ``axis=-1``. Prefer :func:`bootstrap_counts`,
    :func:`bootstrap_sums` or :func:`bootstrap_weighted` when the statistic allows it: they are much faster.

    Returns:
        The interval, or ``None`` for empty input or when every replicate is undefined.
    """
    arrs = [np.asarray(a) for a in arrays]
    if not arrs or len({len(a) for a in arrs}) != 1:
        raise ValueError("bootstrap_ci needs one or more arrays of equal length")
    n = len(arrs[0])
    if n == 0:
        return None

    def work(rng: np.random.Generator, rows: int) -> np.ndarray:
        idx = bootstrap_indices(n, rows, rng)
        return statistic(*(np.take(a, idx, axis=0) for a in arrs))

    reps = _run_chunks(work, n_resamples, seed, n * len(arrs))
    return percentile_interval(reps, confidence=confidence, method=_method(n_resamples, seed))


def interval_of(replicates: np.ndarray, *, confidence: float = DEFAULT_CONFIDENCE, seed: int = DEFAULT_SEED) -> Interval | None:
    """Percentile interval of replicates from the ``bootstrap_*`` functions, labelled with the scheme, resamples and seed."""
    return percentile_interval(replicates, confidence=confidence, method=_method(len(replicates), seed, scheme_of(replicates)))


def bootstrap_mean_ci(
    values: np.ndarray | list[float],
    *,
    confidence: float = 0.95,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    chunk: int = 1000,
) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean of ``values`` (e.g. per-pair 0/1 correctness).

    For 0/1 data the resampled mean is drawn from the binomial distribution directly, which is exactly
    equivalent to resampling items and much faster; other data go through :func:`bootstrap_sums` (exact
    multinomial counts when few values are distinct, chunked gathers otherwise, the Poisson bootstrap from
    ``POISSON_MIN_ITEMS`` mostly distinct values on). ``chunk`` is kept for
    compatibility; chunk sizes are now chosen from the data size.

    Returns:
        ``(low, high)``; ``(nan, nan)`` for empty input. A constant input gives a zero-width interval.
    """
    del chunk
    x = np.asarray(values, dtype=float)
    n = x.size
    if n == 0:
        return float("nan"), float("nan")
    if np.all((x == 0) | (x == 1)):
        rng = np.random.default_rng(seed)
        means = rng.binomial(n, x.mean(), size=n_resamples) / n
    else:
        means = bootstrap_sums(x, lambda s: s[:, 0] / n, n_resamples=n_resamples, seed=seed)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(means, [alpha, 1 - alpha])
    return float(low), float(high)


def _mean_of_sums(n: int) -> Callable[[np.ndarray], np.ndarray]:
    def mean(sums: np.ndarray) -> np.ndarray:
        return sums[:, 0] / n

    return mean


def stratified_mean_ci(
    strata: Mapping[str, Sequence[float] | np.ndarray],
    weights: Mapping[str, float] | None = None,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> tuple[float, Interval | None]:
    """A weighted mean of per-stratum means, ``sum_s w_s mean(x_s) / sum_s w_s``, with a stratified percentile
    bootstrap CI (items resampled within each stratum, so each stratum keeps its size, as a benchmark's sections
    keep theirs).

    This is the shape of the headline of every benchmark that averages sections: RewardBench's sections (subset
    means weighted by ``EXAMPLE_COUNTS``) and overall (the mean of the sections: the product of the two weights),
    RM-Bench's mean of domains (each domain the mean over prompts of a prompt's 9 cells), RewardBench 2's and
    RMB's unweighted means of subsets.

    Args:
        strata: per-item values (e.g. 0/1 credits) of each stratum; empty strata are left out.
        weights: the weight of each stratum (default: 1 each, an unweighted mean of the strata); a stratum without
            a weight has weight 0 (left out).

    Returns:
        ``(value, interval)`` in the units of the values; ``(nan, None)`` when no stratum with weight has items.
    """
    present = [(k, np.asarray(v, dtype=float).reshape(-1)) for k, v in strata.items() if len(v)]
    w = {k: float(1.0 if weights is None else weights.get(k, 0.0)) for k, _ in present}
    present = [(k, v) for k, v in present if w[k] > 0]
    total = sum(w[k] for k, _ in present)
    if not present or total <= 0:
        return float("nan"), None
    value = sum(w[k] * float(v.mean()) for k, v in present) / total
    reps = np.zeros(n_resamples)
    schemes = set()
    for (k, v), child in zip(present, np.random.SeedSequence(seed).spawn(len(present)), strict=True):
        means = bootstrap_sums(v, _mean_of_sums(v.size), n_resamples=n_resamples, seed=int(child.generate_state(1)[0]))
        schemes.add(scheme_of(means))
        reps += w[k] * np.asarray(means)
    scheme = "Poisson bootstrap" if "Poisson bootstrap" in schemes else "bootstrap"
    return value, percentile_interval(reps / total, confidence=confidence, method=f"stratified {_method(n_resamples, seed, scheme)}")


# ---------------------------------------------------------------------------------------------------------------
# analytic intervals and paired tests

CorrelationKind = Literal["pearson", "spearman", "kendall"]


def fisher_z_interval(r: float, n: int, *, kind: CorrelationKind = "pearson", confidence: float = DEFAULT_CONFIDENCE) -> Interval | None:
    """Fisher z-transform interval for a correlation: ``tanh(atanh(r) -/+ q * se)``.

    Standard errors: Pearson ``1/sqrt(n-3)``; Spearman ``sqrt((1 + r^2/2)/(n-3))`` (Bonett & Wright 2000);
    Kendall ``sqrt(0.437/(n-4))`` (Fieller, Hartley & Pearson 1957).

    Returns:
        ``None`` when ``n`` is too small (Pearson/Spearman need ``n > 3``, Kendall ``n > 4``) or ``r`` is not finite.
        ``|r| = 1`` gives the degenerate interval ``[r, r]``.
    """
    from scipy.stats import norm

    need = 5 if kind == "kendall" else 4
    if n < need or not math.isfinite(r):
        return None
    if abs(r) >= 1:
        return Interval(float(r), float(r), f"Fisher z ({kind})")
    if kind == "pearson":
        se = 1 / math.sqrt(n - 3)
    elif kind == "spearman":
        se = math.sqrt((1 + r * r / 2) / (n - 3))
    elif kind == "kendall":
        se = math.sqrt(0.437 / (n - 4))
    else:
        raise ValueError(f"unknown correlation kind {kind!r}; expected pearson, spearman or kendall")
    q = float(norm.ppf(1 - (1 - confidence) / 2))
    z = math.atanh(r)
    return Interval(math.tanh(z - q * se), math.tanh(z + q * se), f"Fisher z ({kind})")


@dataclass(frozen=True, slots=True)
class McNemarResult:
    """Exact McNemar test on paired 0/1 outcomes.

    ``b``: items only A got right; ``c``: items only B got right. ``p_value`` is the two-sided exact binomial
    p-value of ``b`` out of ``b + c`` under p = 1/2 (1.0 when there is no discordant item).
    """

    b: int
    c: int
    n: int
    p_value: float


def mcnemar_exact(correct_a: np.ndarray | Sequence[float], correct_b: np.ndarray | Sequence[float]) -> McNemarResult:
    """Exact (binomial) McNemar test: do judges A and B differ in accuracy on the same items?

    Raises:
        ValueError: when the arrays differ in length or hold values other than 0/1 (e.g. half credits of the
            ``average`` rule, which McNemar's test cannot take; use :func:`paired_bootstrap_difference`).
    """
    from scipy.stats import binomtest

    a = np.asarray(correct_a, dtype=float)
    b_ = np.asarray(correct_b, dtype=float)
    if a.shape != b_.shape:
        raise ValueError(f"paired arrays differ in length: {a.size} vs {b_.size}")
    if not (np.isin(a, (0, 1)).all() and np.isin(b_, (0, 1)).all()):
        raise ValueError("McNemar's test needs 0/1 correctness per item; got other values")
    b = int(((a == 1) & (b_ == 0)).sum())
    c = int(((a == 0) & (b_ == 1)).sum())
    p = 1.0 if b + c == 0 else float(binomtest(b, b + c, 0.5).pvalue)
    return McNemarResult(b=b, c=c, n=int(a.size), p_value=min(1.0, p))


def paired_bootstrap_difference(
    a: np.ndarray | Sequence[float],
    b: np.ndarray | Sequence[float],
    *,
    name: str = "accuracy difference",
    confidence: float = DEFAULT_CONFIDENCE,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> Estimate:
    """Mean of ``a - b`` over the same items (e.g. per-pair credit of two judges), resampling items jointly.

    The p-value is the two-sided percentile-bootstrap p-value ``min(1, 2 * min(P*(d <= 0), P*(d >= 0)))``.

    Returns:
        An estimate; undefined for empty input.
    """
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"paired arrays differ in length: {x.size} vs {y.size}")
    n = x.size
    if n == 0:
        return undefined(name, 0, "no items")
    d = x - y
    reps = bootstrap_sums(d, lambda s: s[:, 0] / n, n_resamples=n_resamples, seed=seed)
    p = min(1.0, 2 * min(float(np.mean(reps <= 0)), float(np.mean(reps >= 0))))
    ci = interval_of(reps, confidence=confidence, seed=seed)
    return Estimate(name, float(d.mean()), n, intervals=(ci,) if ci else (), p_value=p)
