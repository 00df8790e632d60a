"""The Poisson bootstrap of ``bootstrap_sums`` (many items, many distinct rows): its weights have the moments it
claims, and its intervals match independent references — Efron's bootstrap written as a plain resampling loop, the
normal approximation, the Fisher z interval — and cover the truth about 95% of the time on simulated data.

Expected values come from those references or from the weight table's counts by hand, never from the engine."""

from __future__ import annotations

import numpy as np
import pytest

from judgebench.metrics import agreement as ag
from judgebench.metrics import reliability as rl
from judgebench.metrics import stats
from judgebench.metrics.stats import bootstrap_sums, interval_of, scheme_of

N = 30_000  # above POISSON_MIN_ITEMS, so the Poisson path runs


def efron_percentiles(stat, arrays: list[np.ndarray], n_resamples: int, seed: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Textbook bootstrap: draw n item indices with replacement, evaluate the statistic, take the 2.5/97.5 percentiles."""
    rng = np.random.default_rng(seed)
    n = len(arrays[0])
    reps = [stat(*(a[idx] for a in arrays)) for idx in (rng.integers(0, n, n) for _ in range(n_resamples))]
    lo, hi = np.percentile(reps, [2.5, 97.5])
    return float(lo), float(hi)


def test_weight_table_has_the_moments_of_poisson_1_up_to_the_third() -> None:
    # by hand from the counts (102, 126, 18, 10) / 256 of the weights 0, 1, 2, 3: sum k m_k = 126 + 36 + 30 = 192
    # (mean 3/4), sum k^2 m_k = 126 + 72 + 90 = 288, sum k^3 m_k = 126 + 144 + 270 = 540. Scaled by 4/3 (v = 4w/3):
    # E v^2 = 288 / 256 * 16 / 9 = 2 (variance 1); E v^3 = 540 / 256 * 64 / 27 = 5, so E (v - 1)^3 = 5 - 3 * 2 + 2 = 1,
    # as Poisson(1): 1, 1, 1. (Fourth central moment 4.11; Poisson(1): 4.)
    counts = np.array(stats.POISSON_WEIGHT_COUNTS)
    assert counts.sum() == 256
    k = np.arange(counts.size)
    assert (k * counts).sum() == 192 and (k * k * counts).sum() == 288 and (k**3 * counts).sum() == 540
    assert stats.POISSON_WEIGHT_MEAN == 0.75
    w = stats.poisson_weights(np.random.default_rng(3), 200, 10_000)
    assert w.dtype == np.float32 and set(np.unique(w)) <= set(range(4))
    freq = np.bincount(w.astype(int).ravel(), minlength=4) / w.size
    assert freq == pytest.approx(counts / 256, abs=5e-4)  # 2 million draws: sd of a share <= 3.5e-4
    v = w.astype(float) / 0.75
    assert float(v.mean()) == pytest.approx(1, abs=2e-3) and float(v.var()) == pytest.approx(1, abs=5e-3)
    assert float(((v - v.mean()) ** 3).mean()) == pytest.approx(1, abs=0.03)


def test_mean_interval_matches_efron_and_the_normal_approximation() -> None:
    x = np.random.default_rng(1).exponential(size=N)  # skewed, every value distinct
    reps = bootstrap_sums(x, lambda s: s[:, 0] / N, n_resamples=4000, seed=2)
    assert scheme_of(reps) == "Poisson bootstrap"
    ci = interval_of(reps, seed=2)
    assert ci is not None and ci.method == "Poisson bootstrap (4000 resamples, seed 2)"
    lo, hi = efron_percentiles(np.mean, [x], 1500, 7)
    normal = 2 * 1.959964 * x.std() / np.sqrt(N)
    # Monte Carlo error of a 95% percentile width at 1,500-4,000 resamples is about 2-3%
    assert ci.high - ci.low == pytest.approx(hi - lo, rel=0.08)
    assert ci.high - ci.low == pytest.approx(normal, rel=0.06)
    assert (ci.low + ci.high) / 2 == pytest.approx((lo + hi) / 2, abs=0.1 * normal)


def test_pearson_interval_matches_efron_and_fisher_z_and_ignores_the_level_of_the_data() -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(size=N)
    y = 0.5 * x + rng.normal(size=N)
    est = ag.pearson(x, y, n_resamples=3000, seed=1)
    boot, fz = est.intervals[0], est.intervals[1]
    assert boot.method.startswith("Poisson bootstrap") and fz.method == "Fisher z (pearson)"
    lo, hi = efron_percentiles(lambda a, b: np.corrcoef(a, b)[0, 1], [x, y], 600, 9)
    assert boot.high - boot.low == pytest.approx(hi - lo, rel=0.12)
    assert boot.high - boot.low == pytest.approx(fz.high - fz.low, rel=0.1)
    shifted = ag.pearson(x * 3 + 1e6, y - 5e5, n_resamples=3000, seed=1).intervals[0]  # float32 sums, centred
    assert (shifted.low, shifted.high) == pytest.approx((boot.low, boot.high), abs=1e-6)


def test_alpha_interval_level_on_continuous_values_matches_efron_over_units() -> None:
    rng = np.random.default_rng(5)
    truth = rng.normal(size=N)
    m = truth + rng.normal(scale=0.8, size=(3, N))

    def alpha(*cols: np.ndarray) -> float:  # interval alpha, written out: 1 - D_o / D_e over all pairable values
        d = np.stack(cols)
        v = d.ravel()
        within = ((d[:, None, :] - d[None, :, :]) ** 2).sum() / (d.shape[0] - 1)
        total = ((v[:, None] - v[None, :]) ** 2).sum() if v.size < 3000 else 2 * v.size**2 * v.var()
        return 1 - (v.size - 1) * within / total

    est = rl.krippendorff_alpha(m, "interval", n_resamples=3000, seed=3)
    (boot,) = est.intervals
    assert boot.method.startswith("Poisson bootstrap")
    assert est.value == pytest.approx(alpha(*m), abs=1e-9)
    lo, hi = efron_percentiles(alpha, list(m), 600, 11)
    assert boot.high - boot.low == pytest.approx(hi - lo, rel=0.12)
    assert (boot.low + boot.high) / 2 == pytest.approx((lo + hi) / 2, abs=0.15 * (hi - lo))


def test_results_do_not_depend_on_the_number_of_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    x = np.random.default_rng(6).normal(size=N)
    resamples = 2 * stats._POISSON_ROWS + 100  # three jobs, so that two threads share them
    many = bootstrap_sums(x, lambda s: s[:, 0], n_resamples=resamples, seed=5)
    monkeypatch.setattr(stats, "_MAX_THREADS", 1)
    one = bootstrap_sums(x, lambda s: s[:, 0], n_resamples=resamples, seed=5)
    assert np.array_equal(np.asarray(one), np.asarray(many))


def test_few_distinct_rows_stay_on_the_exact_multinomial_path() -> None:
    x = (np.random.default_rng(7).random(N) < 0.7).astype(float)  # 0/1 accuracies: published CIs must not move
    reps = bootstrap_sums(x, lambda s: s[:, 0] / N, n_resamples=200, seed=0)
    assert scheme_of(reps) == "bootstrap"


def test_coverage_of_the_mean_is_near_95_percent(monkeypatch: pytest.MonkeyPatch) -> None:
    # small data sets so that 400 simulated intervals stay cheap: lower the threshold for this test only
    monkeypatch.setattr(stats, "POISSON_MIN_ITEMS", 100)
    rng = np.random.default_rng(8)
    hits = 0
    trials = 400
    for t in range(trials):
        x = rng.normal(loc=2.0, size=400)
        reps = bootstrap_sums(x, lambda s: s[:, 0] / 400, n_resamples=400, seed=t)
        assert scheme_of(reps) == "Poisson bootstrap"
        lo, hi = np.percentile(reps, [2.5, 97.5])
        hits += lo <= 2.0 <= hi
    # binomial sd of the coverage over 400 trials: 1.1 points; the percentile interval at n = 400 is slightly short
    assert 0.91 <= hits / trials <= 0.98
