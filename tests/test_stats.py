"""The bootstrap engine, Fisher z intervals, McNemar and the paired bootstrap, against references."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from judgebench.metrics import stats
from judgebench.metrics.stats import (
    bootstrap_ci,
    bootstrap_counts,
    bootstrap_mean_ci,
    bootstrap_sums,
    bootstrap_weighted,
    fisher_z_interval,
    mcnemar_exact,
    paired_bootstrap_difference,
    percentile_interval,
)


def test_bootstrap_counts_small_sample_matches_exact_bootstrap_distribution() -> None:
    # Items (0, 1, 1): a resample's number of zeros is Binomial(3, 1/3), so the resampled mean takes the values
    # 1, 2/3, 1/3, 0 with probabilities 8/27, 12/27, 6/27, 1/27. A chi-square test must not reject that.
    reps = bootstrap_counts([0, 1, 1], 2, lambda c: c[:, 1] / 3, n_resamples=20_000, seed=1)
    observed = [np.sum(np.isclose(reps, v)) for v in (1, 2 / 3, 1 / 3, 0)]
    expected = np.array([8, 12, 6, 1]) / 27 * 20_000
    assert sum(observed) == 20_000
    assert sps.chisquare(observed, expected).pvalue > 1e-3


def test_bootstrap_sums_multinomial_and_gather_paths_agree() -> None:
    rng = np.random.default_rng(0)
    x = rng.choice([0.0, 0.5, 1.0], size=5000)  # 3 distinct values: multinomial path
    jitter = x + rng.uniform(0, 1e-9, size=x.size)  # all distinct: gather path, same distribution to 1e-9
    assert stats._uses_multinomial(3, x.size) and not stats._uses_multinomial(x.size, x.size)
    a = bootstrap_sums(x, lambda s: s[:, 0] / x.size, n_resamples=4000, seed=1)
    b = bootstrap_sums(jitter, lambda s: s[:, 0] / x.size, n_resamples=4000, seed=2)
    se = x.std() / math.sqrt(x.size)
    assert abs(a.std() - se) < 0.05 * se and abs(b.std() - se) < 0.05 * se
    assert abs(a.mean() - b.mean()) < 0.1 * se


def test_bootstrap_ci_mean_matches_scipy_percentile_bootstrap() -> None:
    rng = np.random.default_rng(3)
    x = rng.exponential(size=400)
    ours = bootstrap_ci(lambda s: s.mean(axis=1), x, n_resamples=20_000, seed=0)
    ref = sps.bootstrap((x,), np.mean, n_resamples=20_000, method="percentile", rng=np.random.default_rng(0)).confidence_interval
    se = x.std() / math.sqrt(x.size)
    assert ours is not None
    assert abs(ours.low - ref.low) < 0.05 * se and abs(ours.high - ref.high) < 0.05 * se


def test_bootstrap_results_do_not_depend_on_thread_count(monkeypatch: pytest.MonkeyPatch) -> None:
    x = np.random.default_rng(0).normal(size=3000)
    monkeypatch.setattr(stats, "_CHUNK_ELEMENTS", 3000 * 7)  # many chunks
    monkeypatch.setattr(stats, "_MAX_THREADS", 1)
    one = bootstrap_sums(x, lambda s: s[:, 0], n_resamples=100, seed=5)
    monkeypatch.setattr(stats, "_MAX_THREADS", 4)
    four = bootstrap_sums(x, lambda s: s[:, 0], n_resamples=100, seed=5)
    assert np.array_equal(one, four)


def test_bootstrap_weighted_counts_sum_to_n_and_match_unweighted_statistic() -> None:
    rows = np.array([[1.0], [2.0], [2.0], [5.0]])
    seen = []

    def stat(w: np.ndarray, u: np.ndarray) -> np.ndarray:
        seen.append(w.sum(axis=1))
        return (w @ u[:, 0]) / w.sum(axis=1)

    reps = bootstrap_weighted(rows, stat, n_resamples=500, seed=0)
    assert all(np.all(s == 4) for s in seen)
    assert reps.min() >= 1 and reps.max() <= 5


def test_bootstrap_mean_ci_binary_data_keeps_binomial_shortcut_and_signature() -> None:
    x = np.array([1, 0, 1, 1, 0, 1, 1, 1, 0, 1], dtype=float)
    low, high = bootstrap_mean_ci(x, confidence=0.95, n_resamples=10_000, seed=0, chunk=10)
    means = np.random.default_rng(0).binomial(10, 0.7, size=10_000) / 10
    assert (low, high) == tuple(float(q) for q in np.quantile(means, [0.025, 0.975]))


def test_bootstrap_mean_ci_edge_cases_empty_is_nan_constant_is_zero_width() -> None:
    assert all(math.isnan(v) for v in bootstrap_mean_ci([]))
    assert bootstrap_mean_ci([0.5] * 20) == (0.5, 0.5)


def test_percentile_interval_ignores_undefined_replicates_and_counts_them() -> None:
    ci = percentile_interval(np.array([np.nan, 1.0, 2.0, 3.0, np.nan]))
    assert ci is not None and ci.n_undefined == 2 and ci.n_resamples == 5
    assert percentile_interval(np.array([np.nan, np.nan])) is None


def test_fisher_z_interval_pearson_matches_scipy() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=50)
    y = x + rng.normal(size=50)
    res = sps.pearsonr(x, y)
    ref = res.confidence_interval(confidence_level=0.95)
    ours = fisher_z_interval(float(res.statistic), 50, kind="pearson")
    assert ours is not None
    assert ours.low == pytest.approx(ref.low, abs=1e-12) and ours.high == pytest.approx(ref.high, abs=1e-12)


def test_fisher_z_interval_small_n_is_none_and_perfect_r_is_degenerate() -> None:
    assert fisher_z_interval(0.5, 3) is None
    assert fisher_z_interval(0.5, 4, kind="kendall") is None
    ci = fisher_z_interval(1.0, 10)
    assert ci is not None and ci.low == ci.high == 1.0


def test_fisher_z_interval_spearman_uses_bonett_wright_se() -> None:
    # Bonett & Wright (2000): se = sqrt((1 + r^2 / 2) / (n - 3)); for r = 0.5, n = 28: sqrt(1.125 / 25) = 0.2121
    ci = fisher_z_interval(0.5, 28, kind="spearman")
    z, se = math.atanh(0.5), math.sqrt(1.125 / 25)
    assert ci is not None and ci.low == pytest.approx(math.tanh(z - 1.959963984540054 * se))


def test_mcnemar_exact_matches_statsmodels() -> None:
    from statsmodels.stats.contingency_tables import mcnemar

    rng = np.random.default_rng(1)
    a = rng.integers(0, 2, size=120)
    b = np.where(rng.random(120) < 0.2, 1 - a, a)
    ours = mcnemar_exact(a, b)
    table = [[np.sum((a == 1) & (b == 1)), ours.b], [ours.c, np.sum((a == 0) & (b == 0))]]
    assert ours.p_value == pytest.approx(mcnemar(table, exact=True).pvalue, rel=1e-12)


def test_mcnemar_exact_no_discordant_pairs_gives_p_one_and_rejects_half_credits() -> None:
    assert mcnemar_exact([1, 0, 1], [1, 0, 1]).p_value == 1.0
    with pytest.raises(ValueError, match="0/1"):
        mcnemar_exact([0.5, 1], [1, 1])
    with pytest.raises(ValueError, match="length"):
        mcnemar_exact([1], [1, 0])


def test_paired_bootstrap_difference_identical_judges_p_one_and_planted_gap_significant() -> None:
    rng = np.random.default_rng(0)
    a = (rng.random(500) < 0.7).astype(float)
    same = paired_bootstrap_difference(a, a)
    assert same.value == 0 and same.p_value == 1.0
    b = np.where(rng.random(500) < 0.5, 0.0, a)  # B loses half of A's correct answers: gap ~ 0.35
    est = paired_bootstrap_difference(a, b)
    ci = est.interval()
    assert est.value == pytest.approx(a.mean() - b.mean())
    assert ci is not None and ci.low > 0.25 and est.p_value is not None and est.p_value < 1e-3
    assert paired_bootstrap_difference([], []).value is None


@pytest.mark.parametrize(("kind", "n"), [("pearson", 4), ("spearman", 4), ("kendall", 5)])
def test_fisher_z_interval_smallest_valid_n_is_finite(kind: str, n: int) -> None:
    ci = fisher_z_interval(-1 / 3, n, kind=kind)  # type: ignore[arg-type]
    assert ci is not None and -1 < ci.low < -1 / 3 < ci.high < 1


def test_stratified_mean_ci_is_the_weighted_mean_of_stratum_means_with_the_normal_width() -> None:
    """The value is sum_s w_s mean_s / sum_s w_s (by hand below); the interval's width matches the normal
    approximation of a stratified mean, 2 * 1.96 * sqrt(sum_s (w_s / W)^2 p_s (1 - p_s) / n_s), within 10%."""
    from judgebench.metrics.stats import stratified_mean_ci

    a = [1] * 300 + [0] * 100  # p = 0.75, n = 400
    b = [1] * 100 + [0] * 400  # p = 0.2, n = 500
    c: list[float] = []  # an empty stratum is left out
    value, interval = stratified_mean_ci({"a": a, "b": b, "c": c}, {"a": 1.0, "b": 3.0, "c": 5.0}, n_resamples=20_000, seed=1)
    assert value == pytest.approx((1 * 0.75 + 3 * 0.2) / 4)
    assert interval is not None and interval.method.startswith("stratified bootstrap")
    sd = math.sqrt((1 / 4) ** 2 * 0.75 * 0.25 / 400 + (3 / 4) ** 2 * 0.2 * 0.8 / 500)
    assert interval.high - interval.low == pytest.approx(2 * 1.959964 * sd, rel=0.1)
    assert interval.low < value < interval.high
    # default weights: the unweighted mean of the strata (RewardBench 2's and RM-Bench's overall)
    assert stratified_mean_ci({"a": a, "b": b}, n_resamples=100)[0] == pytest.approx((0.75 + 0.2) / 2)
    assert math.isnan(stratified_mean_ci({"c": c})[0])


def test_bootstrap_interval_finds_every_resampling_scheme_but_no_analytic_interval() -> None:
    from judgebench.metrics.stats import Estimate, Interval

    fisher = Interval(0.1, 0.3, "Fisher z (pearson)")
    labels = ["bootstrap (10 resamples, seed 0)", "Poisson bootstrap (10 resamples, seed 0)", "stratified bootstrap (10 resamples, seed 0)"]
    labels.append("Poisson bootstrap of the influence-function linearisation (10 resamples, seed 0)")
    for method in labels:
        boot = Interval(0.0, 0.4, method)
        assert boot.is_bootstrap and not fisher.is_bootstrap
        assert Estimate("r", 0.2, 100, intervals=(fisher, boot)).bootstrap_interval() is boot
    assert Estimate("r", 0.2, 100, intervals=(fisher,)).bootstrap_interval() is None
