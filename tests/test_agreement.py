"""Agreement and reliability measures against scikit-learn, scipy, krippendorff, statsmodels and published examples."""

from __future__ import annotations

import math
import warnings

import krippendorff
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from sklearn.metrics import cohen_kappa_score

from judgebench.metrics import agreement as ag
from judgebench.metrics import reliability as rl

FAST = {"n_resamples": 200}
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C (reliability data with missing
# values): 4 observers x 12 units, values 1-5, "*" = missing. Published: nominal 0.743, ordinal 0.815, interval 0.849.
K2011 = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, np.nan, np.nan, np.nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, np.nan, 3],
        [np.nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, np.nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, np.nan],
    ]
)

# Fleiss (1971), "Measuring nominal scale agreement among many raters", Psychological Bulletin 76(5):378-382,
# Table 1: 30 patients, 6 psychiatric diagnoses each, 5 categories; published kappa = .430. The ratings per
# subject as distributed with R's irr package (`diagnoses`) and statsmodels' test_inter_rater.py.
FLEISS_1971 = np.array(
    [
        [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
        [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
        [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
        [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
        [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
        [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
    ]
)  # fmt: skip

# Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories (counts per category);
# the article computes P_bar = 0.378, P_e = 0.213, kappa = 0.210 (not 0.430, which is Fleiss' own table above).
WIKI_FLEISS = np.array(
    [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
     [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
)  # fmt: skip


def _sk_kappa(a: np.ndarray, b: np.ndarray, labels: list[float], weights: str | None) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(cohen_kappa_score(a, b, labels=labels, weights=weights))


label_pairs = st.integers(2, 60).flatmap(
    lambda n: st.tuples(st.lists(st.integers(1, 5), min_size=n, max_size=n), st.lists(st.integers(1, 5), min_size=n, max_size=n))
)


@SETTINGS
@given(label_pairs, st.sampled_from([None, "linear", "quadratic"]))
def test_cohen_kappa_random_labels_equals_sklearn(pair: tuple[list[int], list[int]], weights: str | None) -> None:
    a, b = (np.array(v, dtype=float) for v in pair)
    scale = [1.0, 2.0, 3.0, 4.0, 5.0]  # the full scale, including categories nobody used
    ref = _sk_kappa(a, b, scale, weights)
    est = ag.cohen_kappa(a, b, labels=scale, weights=weights, **FAST)  # type: ignore[arg-type]
    if math.isnan(ref):
        assert est.value is None and est.reason
    else:
        assert est.value == pytest.approx(ref, abs=1e-12)


@SETTINGS
@given(st.lists(st.lists(st.integers(0, 9), min_size=9, max_size=9), min_size=1, max_size=4), st.sampled_from([None, "linear", "quadratic"]))
def test_kappa_from_confusion_vectorized_equals_sklearn(tables: list[list[int]], weights: str | None) -> None:
    conf = np.array(tables, dtype=float).reshape(-1, 3, 3)
    got = ag.kappa_from_confusion(conf, ag.kappa_weight_matrix(3, weights))  # type: ignore[arg-type]
    for c, g in zip(conf, got, strict=True):
        a = np.repeat(np.repeat([0, 1, 2], 3), c.ravel().astype(int))
        b = np.repeat(np.tile([0, 1, 2], 3), c.ravel().astype(int))
        ref = _sk_kappa(a, b, [0, 1, 2], weights) if a.size else float("nan")
        assert (math.isnan(ref) and math.isnan(g)) or g == pytest.approx(ref, abs=1e-12)


def test_cohen_kappa_wikipedia_50_item_example_is_0_4() -> None:
    # Wikipedia, "Cohen's kappa", simple example: 50 proposals, A and B both "yes" 20, A yes/B no 5, A no/B yes 10,
    # both "no" 15: p_o = 0.7, p_e = 0.5, kappa = 0.4.
    a = [1] * 20 + [1] * 5 + [0] * 10 + [0] * 15
    b = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    est = ag.cohen_kappa(a, b, **FAST)
    assert round(est.value, 3) == 0.4  # type: ignore[arg-type]
    assert ag.percent_agreement(a, b, **FAST).value == pytest.approx(0.7)


def test_cohen_kappa_unused_category_changes_weighted_kappa_so_scale_matters() -> None:
    # nobody used 3 or 4: by position among the observed labels, 2 and 5 are neighbours; on the full scale they are 3 apart
    a, b = [1, 2, 5, 5, 1, 2], [1, 5, 5, 2, 2, 2]
    full = ag.cohen_kappa(a, b, labels=[1, 2, 3, 4, 5], weights="linear", **FAST)
    assert full.value == pytest.approx(_sk_kappa(np.array(a), np.array(b), [1, 2, 3, 4, 5], "linear"))
    assert full.value != pytest.approx(ag.cohen_kappa(a, b, weights="linear", **FAST).value)


def test_cohen_kappa_one_category_only_is_undefined_with_reason() -> None:
    est = ag.cohen_kappa([2, 2, 2], [2, 2, 2])
    assert est.value is None and "0/0" in (est.reason or "")
    assert ag.cohen_kappa([], []).value is None
    off = ag.cohen_kappa([1, 7], [1, 2], labels=[1, 2, 3])
    assert off.value is None and "not on the scale" in (off.reason or "")


def test_cohen_kappa_bootstrap_interval_contains_estimate() -> None:
    rng = np.random.default_rng(0)
    a = rng.integers(0, 3, 300)
    b = np.where(rng.random(300) < 0.7, a, rng.integers(0, 3, 300))
    est = ag.cohen_kappa(a, b, n_resamples=2000)
    ci = est.interval("bootstrap")
    assert ci is not None and ci.low < est.value < ci.high and ci.n_resamples == 2000  # type: ignore[operator]


def test_percent_agreement_drops_items_with_a_missing_rating() -> None:
    est = ag.percent_agreement([1, 2, np.nan, 3], [1, 3, 2, np.nan], **FAST)
    assert est.n == 2 and est.value == 0.5


correlated = st.integers(3, 80).flatmap(
    lambda n: st.tuples(st.lists(st.integers(1, 7), min_size=n, max_size=n), st.lists(st.integers(1, 7), min_size=n, max_size=n))
)


@SETTINGS
@given(correlated, st.sampled_from(["pearson", "spearman", "kendall"]))
def test_correlations_random_ties_equal_scipy_value_and_p(pair: tuple[list[int], list[int]], kind: str) -> None:
    x, y = (np.array(v, dtype=float) for v in pair)
    est = ag.correlation(kind, x, y, **FAST)  # type: ignore[arg-type]
    if np.all(x == x[0]) or np.all(y == y[0]):
        assert est.value is None and "zero variance" in (est.reason or "")
        return
    ref = {"pearson": sps.pearsonr, "spearman": sps.spearmanr, "kendall": sps.kendalltau}[kind](x, y)
    assert est.value == pytest.approx(ref.statistic, abs=1e-12)
    assert est.p_value == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-15)


@SETTINGS
@given(correlated, st.lists(st.integers(0, 4), min_size=80, max_size=80))
def test_weighted_rank_correlations_equal_scipy_on_expanded_resample(pair: tuple[list[int], list[int]], counts: list[int]) -> None:
    rows = np.unique(np.column_stack([np.array(v, dtype=float) for v in pair]), axis=0)
    w = np.array(counts[: len(rows)], dtype=float)
    if w.sum() < 3:
        return
    x, y = np.repeat(rows[:, 0], w.astype(int)), np.repeat(rows[:, 1], w.astype(int))
    rho = ag._weighted_spearman(w[None], rows)[0]
    tau = ag._weighted_kendall_tau_b(w[None], rows)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref_rho, ref_tau = sps.spearmanr(x, y).statistic, sps.kendalltau(x, y).statistic
    for got, ref in ((rho, ref_rho), (tau, ref_tau)):
        assert (math.isnan(ref) and math.isnan(got)) or got == pytest.approx(ref, abs=1e-9)


def test_correlation_reports_bootstrap_and_fisher_intervals() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    y = x + rng.normal(size=200)
    est = ag.pearson(x, y, n_resamples=2000)
    assert [i.method.split(" ")[0] for i in est.intervals] == ["bootstrap", "Fisher"]
    assert all(i.low < est.value < i.high for i in est.intervals)  # type: ignore[operator]


def test_correlation_fewer_than_three_items_is_undefined() -> None:
    est = ag.spearman([1, 2], [2, 1])
    assert est.value is None and "at least 3" in (est.reason or "")


# ---------------------------------------------------------------------------------------------------------------
# Krippendorff's alpha, Fleiss' kappa, human baseline


@pytest.mark.parametrize(("level", "published"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)])
def test_krippendorff_alpha_2011_example_with_missing_values_reproduces_published(level: str, published: float) -> None:
    est = rl.krippendorff_alpha(K2011, level, **FAST)  # type: ignore[arg-type]
    assert round(est.value, 3) == published  # type: ignore[arg-type]
    assert est.n == 11  # unit 12 has a single rating: not pairable


reliability_data = st.tuples(st.integers(2, 5), st.integers(2, 25)).flatmap(
    lambda s: st.lists(st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=s[1], max_size=s[1]), min_size=s[0], max_size=s[0])
)


@SETTINGS
@given(reliability_data, st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
def test_krippendorff_alpha_random_data_equals_package_and_vectorized_formula(data: list[list[int | None]], level: str) -> None:
    m = np.array([[np.nan if v is None else v for v in row] for row in data], dtype=float)
    est = rl.krippendorff_alpha(m, level, **FAST)  # type: ignore[arg-type]
    pairable = (~np.isnan(m)).sum(axis=0) >= 2
    vals = np.unique(m[:, pairable][~np.isnan(m[:, pairable])])
    if vals.size < 2:
        assert est.value is None and est.reason
        return
    ref = krippendorff.alpha(reliability_data=m, level_of_measurement=level)
    assert est.value == pytest.approx(ref, abs=1e-9)
    values, counts = rl._value_counts(m)
    mine = rl.alpha_from_coincidences(rl.unit_coincidences(counts).sum(axis=0)[None], values, level)[0]  # type: ignore[arg-type]
    assert mine == pytest.approx(ref, abs=1e-9)


def test_krippendorff_alpha_interval_closed_form_many_values_equals_package() -> None:
    rng = np.random.default_rng(0)
    m = rng.normal(size=(3, 60))
    m[1] += m[0]
    m[rng.random(m.shape) < 0.15] = np.nan
    est = rl.krippendorff_alpha(m, "interval", **FAST)
    assert est.value == pytest.approx(krippendorff.alpha(reliability_data=m, level_of_measurement="interval"), abs=1e-9)
    assert est.interval("bootstrap") is not None


def test_krippendorff_alpha_undefined_cases_say_why() -> None:
    assert "2 raters" in (rl.krippendorff_alpha([[1, 2, 3]]).reason or "")
    assert "no variation" in (rl.krippendorff_alpha([[1, 1], [1, 1]]).reason or "")
    assert "at least 2 raters" in (rl.krippendorff_alpha([[1, np.nan], [np.nan, 2]]).reason or "")


def test_fleiss_kappa_1971_table_reproduces_published_0_430() -> None:
    counts, _ = rl.category_counts(FLEISS_1971.T)  # (raters, units) -> (units, categories)
    assert round(rl.fleiss_kappa(counts, **FAST).value, 3) == 0.430  # type: ignore[arg-type]


def test_fleiss_kappa_wikipedia_table_reproduces_published_0_210() -> None:
    assert round(rl.fleiss_kappa(WIKI_FLEISS, **FAST).value, 3) == 0.210  # type: ignore[arg-type]


@SETTINGS
@given(st.lists(st.lists(st.integers(0, 3), min_size=3, max_size=3), min_size=2, max_size=30))
def test_fleiss_kappa_random_tables_equal_statsmodels(rows: list[list[int]]) -> None:
    from statsmodels.stats.inter_rater import fleiss_kappa

    c = np.array(rows, dtype=float)
    c = np.column_stack([c, 10 - c.sum(axis=1)])  # 10 ratings per unit
    est = rl.fleiss_kappa(c, **FAST)
    with np.errstate(all="ignore"):
        ref = fleiss_kappa(c)
    if not np.isfinite(ref):
        assert est.value is None
    else:
        assert est.value == pytest.approx(ref, abs=1e-12)


def test_fleiss_kappa_unequal_ratings_per_unit_is_undefined() -> None:
    est = rl.fleiss_kappa([[2, 1], [1, 1]])
    assert est.value is None and "same number of ratings" in (est.reason or "")


def test_consensus_majority_tie_is_missing_lower_median_and_mean() -> None:
    m = np.array([[1, 1, 2], [1, 2, 4], [2, np.nan, 5]], dtype=float)
    maj = rl.consensus(m, "nominal")
    assert maj[0] == 1 and math.isnan(maj[1]) and math.isnan(maj[2])  # unit 2: 1 vs 2 tie; unit 3: three-way tie
    assert list(rl.consensus(m, "ordinal")) == [1, 1, 4]
    assert list(rl.consensus(m, "interval")) == pytest.approx([4 / 3, 1.5, 11 / 3])


def test_human_baseline_hand_example() -> None:
    # 3 humans, 4 items. Leave out h0: majority of (h1, h2) exists where they agree: items 0, 1 (labels 1, 0);
    # h0 matches both (2/2), judge matches item 0 only (1/2). Leave out h1: (h0, h2) agree on items 0, 1, 3
    # (1, 0, 1); h1 matches 0, 1 and not 3 (2/3); judge matches 0 and 3 (2/3). Leave out h2: (h0, h1) agree on
    # 0, 1, 2 (1, 0, 1); h2 matches 0, 1 (2/3); judge matches 0, 2 (2/3).
    # Human: mean(1, 2/3, 2/3) = 7/9; judge: mean(1/2, 2/3, 2/3) = 11/18.
    h = np.array([[1, 0, 1, 1], [1, 0, 1, 0], [1, 0, 0, 1]], dtype=float)
    j = np.array([1, 1, 1, 1], dtype=float)
    human, judge = rl.human_baseline(h, j, **FAST)
    assert human.value == pytest.approx(7 / 9) and judge.value == pytest.approx(11 / 18)


def test_human_baseline_one_human_is_undefined() -> None:
    human, judge = rl.human_baseline([[1, 0, 1]], [1, 0, 1])
    assert human.value is None and judge.value is None and "2 human" in (human.reason or "")
