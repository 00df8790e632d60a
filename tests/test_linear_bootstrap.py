"""Spearman's rho bootstrapped through its linearisation (``bootstrap="linear"``, the default from
``POISSON_MIN_ITEMS`` items with many distinct rows): the influence values match the jackknife, and the interval
matches Efron's bootstrap written as a plain loop over ``scipy.stats.spearmanr``.

Expected values come from scipy, the jackknife or the textbook loop, never from the code under test. Each check is
paired with the same check on the *fixed-rank* linearisation (Pearson's r of the ranks, as if the ranks were data),
which leaves out the terms from estimating the ranks: it must fail the check, or the check would not tell."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from judgebench.metrics import agreement as ag
from judgebench.metrics import stats


def fixed_rank_influence(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Influence values of Pearson's r on the midranks taken as fixed data (the wrong linearisation of rho)."""
    n = x.size
    u, v = sps.rankdata(x) / n, sps.rankdata(y) / n
    du, dv = u - u.mean(), v - v.mean()
    a, b, c = np.mean(du * du), np.mean(dv * dv), np.mean(du * dv)
    r = c / np.sqrt(a * b)
    return (du * dv - c) / np.sqrt(a * b) - r / 2 * ((du * du - a) / a + (dv * dv - b) / b)


def skewed_pairs(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.exponential(size=n)
    return x, x**2 + rng.exponential(size=n)  # monotone, skewed, heteroscedastic: rho about 0.77


def jackknife(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``(n - 1) (rho - rho_{-i})`` with scipy: a numerical derivative of rho in the direction of each item."""
    n = x.size
    rho = sps.spearmanr(x, y).statistic
    return np.array([(n - 1) * (rho - sps.spearmanr(np.delete(x, i), np.delete(y, i)).statistic) for i in range(n)])


@pytest.mark.parametrize("ties", [False, True])
def test_influence_values_match_the_jackknife(ties: bool) -> None:
    x, y = skewed_pairs(300, 1)
    if ties:  # Likert-like y and half-point x: the tie terms of the mid-distribution functions are exercised
        x, y = np.round(2 * x) / 2, np.minimum(np.round(y), 5)
    rho, lv = ag.spearman_influence(x, y)
    assert rho == pytest.approx(sps.spearmanr(x, y).statistic, abs=1e-12)
    assert abs(lv.sum()) < 1e-9  # empirical influence values sum to 0
    jk = jackknife(x, y)
    # (n-1)(T(F_n) - T(F_n^{-i})) = l_i + O(1/n), the second-order term of the expansion: below 0.005 here (1.5/n),
    # against a spread of the l_i of 0.5; the fixed-rank values miss by 0.3
    assert lv.std() > 0.4
    assert np.abs(jk - lv).max() < 0.02
    assert np.abs(jk - fixed_rank_influence(x, y)).max() > 0.1


def test_interval_matches_the_textbook_bootstrap_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    n, loops = 4000, 1500
    x, y = skewed_pairs(n, 12)
    rng = np.random.default_rng(7)
    reps = np.array([sps.spearmanr(x[i], y[i]).statistic for i in (rng.integers(0, n, n) for _ in range(loops))])
    lo, hi = np.percentile(reps, [2.5, 97.5])
    width = hi - lo
    # Monte Carlo error of the loop (1,500 resamples): a 2.5% quantile has sd sqrt(.025 * .975 / 1500) / phi(1.96) =
    # 0.07 sd of rho, 1.8% of the 95% width; the width 2.5%; the sd of the replicates 1 / sqrt(2 * 1500) = 1.8%. The
    # engine's 10,000 resamples add a third of that. Tolerances are about 3.5 of those standard errors; the fixed-rank
    # linearisation is 13% narrow on these data, so it fails them.
    rho, lv = ag.spearman_influence(x, y)
    assert np.sqrt(np.sum(lv**2)) / n == pytest.approx(reps.std(), rel=0.06)
    assert not np.sqrt(np.sum(fixed_rank_influence(x, y) ** 2)) / n == pytest.approx(reps.std(), rel=0.06)
    gathers = ag.spearman(x, y, bootstrap="linear", seed=1).intervals[0]  # n < POISSON_MIN_ITEMS: index gathers
    monkeypatch.setattr(stats, "POISSON_MIN_ITEMS", 1000)  # the default ("auto") path of 100,000 items, on 4,000
    poisson = ag.spearman(x, y, seed=1).intervals[0]
    assert gathers.method == "bootstrap of the influence-function linearisation (10000 resamples, seed 1)"
    assert poisson.method == "Poisson bootstrap of the influence-function linearisation (10000 resamples, seed 1)"
    for ci in (gathers, poisson):
        assert ci.is_bootstrap
        assert ci.high - ci.low == pytest.approx(width, rel=0.08)
        assert ci.low == pytest.approx(lo, abs=0.07 * width) and ci.high == pytest.approx(hi, abs=0.07 * width)


def test_auto_keeps_the_exact_bootstrap_below_the_threshold_and_for_few_distinct_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    x, y = skewed_pairs(3000, 3)
    assert ag.spearman(x, y, n_resamples=200).intervals[0].method == "bootstrap (200 resamples, seed 0)"
    monkeypatch.setattr(stats, "POISSON_MIN_ITEMS", 1000)
    assert ag.spearman(x, y, n_resamples=200).intervals[0].method.endswith("linearisation (200 resamples, seed 0)")
    assert ag.spearman(x, y, n_resamples=200, bootstrap="exact").intervals[0].method == "bootstrap (200 resamples, seed 0)"
    likert = np.clip(np.round(x), 1, 5), np.clip(np.round(y / 4), 1, 5)  # 25 distinct rows: exact multinomial counts
    assert ag.spearman(*likert, n_resamples=200).intervals[0].method == "bootstrap (200 resamples, seed 0)"
    with pytest.raises(ValueError, match="unknown bootstrap"):
        ag.spearman(x, y, bootstrap="fast")  # type: ignore[arg-type]
