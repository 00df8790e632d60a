"""``metrics.ratings``: every value checked against an independent computation here (scipy, scikit-learn, the
``krippendorff`` package and pingouin called directly, and hand-derived examples), plus NaN/constant/one-unit cases."""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pingouin
import pytest
from scipy import stats as sps
from sklearn.metrics import cohen_kappa_score

from judgebench.metrics import ratings as R

FAST = {"n_resamples": 300, "seed": 0}


def _data(n: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Judge samples ``(3, n)`` and three raters ``(3, n)`` on a 1-5 scale around a common quality."""
    rng = np.random.default_rng(seed)
    q = rng.integers(1, 6, n)
    judge = np.clip(q + rng.integers(-1, 2, (3, n)), 1, 5).astype(float)
    raters = np.clip(q + rng.integers(-1, 2, (3, n)), 1, 5).astype(float)
    return judge, raters


def test_hand_example_mae_and_quadratic_kappa() -> None:
    # judge [1, 2, 3, 3], reference [1, 3, 3, 2] on the scale 1-3.
    # MAE: |0| + |1| + |0| + |1| = 2 over 4 units = 0.5.
    # QWK, weights (i - j)^2 by position: observed disagreement sum w*O = 1 (2 vs 3) + 1 (3 vs 2) = 2.
    # Marginals: judge (1, 1, 2), reference (1, 1, 2); expected E_ij = a_i b_j / 4, so
    # sum w*E = (1*1*1 + 1*2*4 + 1*1*1 + 1*2*1 + 2*1*4 + 2*1*1) / 4 = 22 / 4 = 5.5 and kappa = 1 - 2 / 5.5 = 7/11.
    j, r = [1, 2, 3, 3], [1, 3, 3, 2]
    assert R.mae(j, r, **FAST).value == pytest.approx(0.5)
    assert R.quadratic_kappa(j, r, [1, 2, 3], **FAST).value == pytest.approx(7 / 11)
    assert cohen_kappa_score(j, r, weights="quadratic") == pytest.approx(7 / 11)  # the hand value is sklearn's


def test_rating_agreement_matches_scipy_sklearn_krippendorff_and_pingouin() -> None:
    judge, raters = _data()
    j, r = judge.mean(axis=0), raters.mean(axis=0)
    out = R.rating_agreement(judge, raters, [1, 2, 3, 4, 5], **FAST)
    assert out["item/pearson"].value == pytest.approx(sps.pearsonr(j, r).statistic)
    assert out["item/spearman"].value == pytest.approx(sps.spearmanr(j, r).statistic)
    assert out["item/kendall"].value == pytest.approx(sps.kendalltau(j, r, variant="b").statistic)
    assert out["item/mae"].value == pytest.approx(np.abs(j - r).mean())
    # QWK on the scale's points: means rounded half up to the nearest point
    jr, rr = np.floor(j + 0.5), np.floor(r + 0.5)
    assert out["item/qwk"].value == pytest.approx(cohen_kappa_score(jr, rr, labels=[1, 2, 3, 4, 5], weights="quadratic"))
    both = np.vstack([j, r])
    assert out["item/alpha_ordinal"].value == pytest.approx(krippendorff.alpha(reliability_data=both, level_of_measurement="ordinal"))
    assert out["item/alpha_interval"].value == pytest.approx(krippendorff.alpha(reliability_data=both, level_of_measurement="interval"))
    n = j.size
    long = pd.DataFrame({"u": np.r_[np.arange(n), np.arange(n)], "who": ["j"] * n + ["r"] * n, "v": np.r_[j, r]})
    table = pingouin.intraclass_corr(data=long, targets="u", raters="who", ratings="v")
    assert out["item/icc"].value == pytest.approx(float(table.loc[table["Type"] == "ICC2", "ICC"].iloc[0]) if "ICC2" in set(table["Type"]) else float(table["ICC"].iloc[1]))
    for key, e in out.items():
        assert e.is_defined and e.interval("bootstrap") is not None, key
        boot = e.interval("bootstrap")
        assert boot is not None and boot.low <= e.value <= boot.high, key  # type: ignore[operator]


def test_icc_bootstrap_formula_matches_pingouin_for_every_form() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(3, 1, 25)
    y = 0.8 * x + rng.normal(0.5, 0.6, 25)
    n = x.size
    long = pd.DataFrame({"u": np.r_[np.arange(n), np.arange(n)], "who": ["j"] * n + ["r"] * n, "v": np.r_[x, y]})
    table = pingouin.intraclass_corr(data=long, targets="u", raters="who", ratings="v")
    sums = np.column_stack([np.ones(n), x, y, x * x, y * y, x * y]).sum(axis=0, keepdims=True)
    for row, form in enumerate(R.ICC_NAMES):  # pingouin's rows: ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k
        assert R._icc_from_sums(sums, form)[0] == pytest.approx(float(table["ICC"].iloc[row])), form
        assert R.icc(x, y, form=form, **FAST).value == pytest.approx(float(table["ICC"].iloc[row])), form  # type: ignore[arg-type]


def test_icc_absolute_agreement_penalises_an_offset_consistency_does_not() -> None:
    x = np.array([1.0, 2, 3, 4, 5, 2, 4])
    assert R.icc(x, x + 1, form="ICC3", **FAST).value == pytest.approx(1.0)
    assert R.icc(x, x + 1, **FAST).value < 0.9  # type: ignore[operator]


def test_missing_constant_and_one_unit_edge_cases() -> None:
    j = np.array([1.0, np.nan, 3, 4, 5])
    r = np.array([[1.0, 2, np.nan, 4, 4], [np.nan, 2, np.nan, 5, 5]])
    out = R.rating_agreement(j, r, [1, 2, 3, 4, 5], **FAST)
    # unit 2 has no judge rating, unit 3 no reference: 3 units left, reference means (1, 4.5, 4.5)
    assert out["item/mae"].n == 3 and out["item/mae"].value == pytest.approx((0 + 0.5 + 0.5) / 3)
    assert out["item/pearson"].value == pytest.approx(sps.pearsonr([1, 4, 5], [1, 4.5, 4.5]).statistic)
    const = R.rating_agreement([3.0, 3, 3, 3], [1.0, 2, 3, 4], [1, 2, 3, 4, 5], **FAST)
    for key in ("item/pearson", "item/spearman", "item/kendall"):
        assert not const[key].is_defined and "zero variance" in (const[key].reason or ""), key
    assert const["item/mae"].value == pytest.approx(1.0)
    same = R.icc([2.0, 2, 2], [2.0, 2, 2], **FAST)
    assert not same.is_defined and "0/0" in (same.reason or "")
    one = R.rating_agreement([4.0], [5.0], [1, 2, 3, 4, 5], **FAST)
    assert one["item/mae"].value == 1.0 and one["item/mae"].n == 1
    for key in ("item/pearson", "item/kendall", "item/icc"):
        assert not one[key].is_defined and one[key].reason, key
    empty = R.mae([np.nan], [1.0], **FAST)
    assert not empty.is_defined and "no unit" in (empty.reason or "")
    assert not R.rating_agreement([1.0, 2, 3], [1.0, 2, 2])["item/qwk"].is_defined  # no scale given
    assert not any(np.isnan(e.value) for e in out.values() if e.value is not None)


def test_prometheus_protocol_each_rater_and_per_system() -> None:
    judge, raters = _data(n=30, seed=2)
    prom = R.rating_agreement(judge, raters, protocol="prometheus", **FAST)
    assert sorted(prom) == ["item/kendall", "item/pearson", "item/spearman"]
    assert prom["item/pearson"].value == pytest.approx(sps.pearsonr(judge.mean(axis=0), raters.mean(axis=0)).statistic)
    each = R.rating_agreement(judge, raters, [1, 2, 3, 4, 5], raters=["a", "b", "c"], reference_mode="each", **FAST)
    assert each["b:item/spearman"].value == pytest.approx(sps.spearmanr(judge.mean(axis=0), raters[1]).statistic)
    systems = [f"s{k % 5}" for k in range(30)]
    out = R.rating_agreement(judge, raters, [1, 2, 3, 4, 5], systems=systems, **FAST)
    js = np.array([judge.mean(axis=0)[k::5].mean() for k in range(5)])
    rs = np.array([raters.mean(axis=0)[k::5].mean() for k in range(5)])
    assert out["system/pearson"].n == 5 and out["system/pearson"].value == pytest.approx(sps.pearsonr(js, rs).statistic)
    assert out["system/kendall"].value == pytest.approx(sps.kendalltau(js, rs).statistic)
    assert out["system/mae"].value == pytest.approx(np.abs(js - rs).mean())
    with pytest.raises(ValueError, match="reference_mode='mean'"):
        R.rating_agreement(judge, raters, protocol="prometheus", reference_mode="each")
