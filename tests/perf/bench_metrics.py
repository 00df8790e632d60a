"""Metrics speed: bootstrap CIs (10,000 resamples) and Krippendorff's alpha on 100,000 items.

Each row times judgebench's function (point estimate plus its 10,000-resample bootstrap) and, in the same run, a
naive baseline: a Python loop that resamples item indices and calls the reference implementation (numpy mean,
scikit-learn's ``cohen_kappa_score``, ``krippendorff.alpha``) or ``scipy.stats.bootstrap``, timed on a few
resamples and extrapolated linearly to 10,000. Continuous statistics (every item distinct) get a second baseline:
the same engine with the Poisson bootstrap switched off (Efron's bootstrap by index gathers, the path before it);
for Spearman's rho it is the exact bootstrap (weighted midranks per resample) that the linearisation replaces.
The ratio is baseline / ours. Nothing here asserts a time.

Run: ``python -m tests.perf.bench_metrics`` (or ``make perf``).
"""

from __future__ import annotations

import os
import platform
import time
import warnings
from collections.abc import Callable

import numpy as np

N = 100_000
R = 10_000


def timed(fn: Callable[[], object], repeat: int = 1) -> float:
    """Best wall time of ``repeat`` calls (seconds)."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def naive_loop(stat: Callable[[np.ndarray], float], n: int, resamples: int, seed: int = 0) -> float:
    """Seconds per resample of the textbook loop: draw n indices, evaluate the statistic."""
    rng = np.random.default_rng(seed)
    t = time.perf_counter()
    for _ in range(resamples):
        stat(rng.integers(0, n, n))
    return (time.perf_counter() - t) / resamples


EFRON = "Efron's bootstrap, exact index gathers (the engine's path before the Poisson bootstrap)"


def efron(fn: Callable[[], object]) -> float:
    """Seconds of ``fn`` with the Poisson bootstrap switched off: the same engine drawing and counting item indices."""
    from judgebench.metrics import stats

    saved = stats.POISSON_MIN_ITEMS
    stats.POISSON_MIN_ITEMS = 1 << 62
    try:
        return timed(fn)
    finally:
        stats.POISSON_MIN_ITEMS = saved


def main() -> None:
    import krippendorff
    from scipy import stats as sps
    from sklearn.metrics import cohen_kappa_score

    from judgebench.metrics import agreement as ag
    from judgebench.metrics import reliability as rl
    from judgebench.metrics.stats import bootstrap_mean_ci

    warnings.simplefilter("ignore")
    rng = np.random.default_rng(0)
    print(f"{N:,} items, {R:,} bootstrap resamples, {os.cpu_count()} CPU cores ({platform.machine()}), numpy {np.__version__}, load average {os.getloadavg()[0]:.2f}\n")
    print("| statistic | judgebench s | baseline | baseline s (10,000 resamples) | ratio |")
    print("|---|---:|---|---:|---:|")

    def row(name: str, ours: float, base_name: str, base: float | None) -> None:
        ratio = f"{base / ours:,.0f}x" if base else "–"
        print(f"| {name} | {ours:.3f} | {base_name} | {base:,.1f} |" if base else f"| {name} | {ours:.3f} | {base_name} | – |", ratio, "|", flush=True)

    # 1. accuracy: mean of 0/1 correctness (binomial shortcut)
    correct = (rng.random(N) < 0.7).astype(float)
    ours = timed(lambda: bootstrap_mean_ci(correct, n_resamples=R), 3)
    base = naive_loop(lambda i: correct[i].mean(), N, 100) * R
    row("accuracy CI (0/1 mean)", ours, "loop: resample + mean (100 extrapolated)", base)

    # 2. Cohen's kappa on 3 categories (multinomial over the 9 confusion cells)
    a = rng.integers(0, 3, N)
    b = np.where(rng.random(N) < 0.7, a, rng.integers(0, 3, N))
    ours = timed(lambda: ag.cohen_kappa(a, b, labels=[0, 1, 2], n_resamples=R), 3)
    base = naive_loop(lambda i: cohen_kappa_score(a[i], b[i], labels=[0, 1, 2]), N, 10) * R
    row("Cohen's kappa + CI (3 classes)", ours, "loop: resample + sklearn (10 extrapolated)", base)

    # 3. mean of continuous values (every item distinct: the Poisson bootstrap, byte weights @ features)
    x = rng.normal(size=N)
    ours = timed(lambda: bootstrap_mean_ci(x, n_resamples=R), 2)
    t = time.perf_counter()
    sps.bootstrap((x,), np.mean, n_resamples=200, batch=50, method="percentile", rng=np.random.default_rng(0))
    base = (time.perf_counter() - t) / 200 * R
    row("mean CI (continuous)", ours, "scipy.stats.bootstrap percentile (200 extrapolated)", base)
    exact = efron(lambda: bootstrap_mean_ci(x, n_resamples=R))
    row("mean CI (continuous)", ours, EFRON, exact)

    # 4. Pearson's r on continuous pairs (five bootstrapped sums) and Spearman's rho on 1-5 ratings
    y = x + rng.normal(size=N)
    ours = timed(lambda: ag.pearson(x, y, n_resamples=R))
    base = naive_loop(lambda i: sps.pearsonr(x[i], y[i]).statistic, N, 20) * R
    row("Pearson's r + CIs (continuous)", ours, "loop: resample + scipy.pearsonr (20 extrapolated)", base)
    row("Pearson's r + CIs (continuous)", ours, EFRON, efron(lambda: ag.pearson(x, y, n_resamples=R)))
    lik_a = rng.integers(1, 6, N).astype(float)
    lik_b = np.clip(lik_a + rng.integers(-1, 2, N), 1, 5)
    ours = timed(lambda: ag.spearman(lik_a, lik_b, n_resamples=R))
    base = naive_loop(lambda i: sps.spearmanr(lik_a[i], lik_b[i]).statistic, N, 10) * R
    row("Spearman's rho + CIs (1-5 ratings)", ours, "loop: resample + scipy.spearmanr (10 extrapolated)", base)

    # 5. Krippendorff's alpha: 3 raters x 100,000 units, values 1-5, 10% missing
    m = rng.integers(1, 6, size=(3, N)).astype(float)
    m[1] = np.where(rng.random(N) < 0.6, m[0], m[1])
    m[rng.random(m.shape) < 0.1] = np.nan
    point = timed(lambda: krippendorff.alpha(reliability_data=m, level_of_measurement="nominal"), 3)
    print(f"| Krippendorff's alpha (nominal), point estimate only | {point:.3f} | `krippendorff.alpha` itself | – | – |")
    for level in ("nominal", "ordinal", "interval"):
        ours = timed(lambda lv=level: rl.krippendorff_alpha(m, lv, n_resamples=R))  # type: ignore[misc]
        base = naive_loop(lambda i, lv=level: krippendorff.alpha(reliability_data=m[:, i], level_of_measurement=lv), N, 3) * R
        row(f"Krippendorff's alpha ({level}) + CI", ours, "loop: resample units + krippendorff.alpha (3 extrapolated)", base)
    cont = rng.normal(size=(3, N))
    cont[1] += cont[0]
    ours = timed(lambda: rl.krippendorff_alpha(cont, "interval", n_resamples=R))
    row("Krippendorff's alpha (interval, continuous) + CI", ours, "krippendorff.alpha needs units x values^2 memory (~84 GiB): not run", None)
    row("Krippendorff's alpha (interval, continuous) + CI", ours, EFRON, efron(lambda: rl.krippendorff_alpha(cont, "interval", n_resamples=R)))

    # 6. rank correlations on continuous pairs: the default from POISSON_MIN_ITEMS distinct rows bootstraps the
    # statistic's linearisation (influence values, then the Poisson bootstrap of their mean). Baselines: the exact
    # path (Spearman: weighted midranks per resample, timed on 50 resamples and extrapolated; Kendall has none on
    # continuous values, it reports Fisher z only) and the loops over scipy
    ours = timed(lambda: ag.spearman(x, y, n_resamples=R))
    few = 50
    exact = timed(lambda: ag.spearman(x, y, n_resamples=few, bootstrap="exact")) * R / few
    row("Spearman's rho + CIs (continuous; linearisation)", ours, "exact bootstrap: weighted midranks per resample (50 extrapolated)", exact)
    base = naive_loop(lambda i: sps.spearmanr(x[i], y[i]).statistic, N, 5) * R
    row("Spearman's rho + CIs (continuous; linearisation)", ours, "loop: resample + scipy.spearmanr (5 extrapolated)", base)
    ours = timed(lambda: ag.kendall(x, y, n_resamples=R))
    base = naive_loop(lambda i: sps.kendalltau(x[i], y[i]).statistic, N, 5) * R
    row("Kendall's tau-b + CIs (continuous; linearisation)", ours, "loop: resample + scipy.kendalltau (5 extrapolated)", base)
    print(f"\nload average after: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
