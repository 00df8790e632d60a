"""Bradley-Terry fits against logistic regression, planted strengths, and ranking agreement."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as sps

from judgebench.errors import InputError
from judgebench.metrics.ranking import battles_array, bradley_terry, elo, fit_ranking, ranking_agreement, read_ranking

FAST = {"n_resamples": 300}


def simulate_battles(strengths: list[float], n: int, *, tie_rate: float = 0.1, seed: int = 0) -> list[tuple[str, str, float]]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        a, b = rng.choice(len(strengths), 2, replace=False)
        p = 1 / (1 + np.exp(-(strengths[a] - strengths[b])))
        o = 0.0 if rng.random() < tie_rate else (1.0 if rng.random() < p else -1.0)
        out.append((f"s{a}", f"s{b}", o))
    return out


def test_bradley_terry_equals_unpenalized_logistic_regression() -> None:
    from sklearn.linear_model import LogisticRegression

    battles = simulate_battles([-1.0, -0.3, 0.2, 1.1], 600, seed=1)
    systems, a, b, o = battles_array(battles)
    m = len(systems)
    ranking = fit_ranking(battles, **FAST)
    # Reference: logit P(a beats b) = theta_a - theta_b, no intercept; a tie is half a win each way (weights 0.5).
    x = np.zeros((len(o), m))
    x[np.arange(len(o)), a] = 1
    x[np.arange(len(o)), b] = -1
    xx = np.vstack([x, x])[:, 1:]  # theta_0 = 0 identifies the model
    y = np.r_[np.ones(len(o)), np.zeros(len(o))]
    w = np.r_[np.where(o == 1, 1, np.where(o == 0, 0.5, 0)), np.where(o == -1, 1, np.where(o == 0, 0.5, 0))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lr = LogisticRegression(C=np.inf, fit_intercept=False, tol=1e-12, max_iter=10_000).fit(xx, y, sample_weight=w)
    ref = np.r_[0.0, lr.coef_[0]]
    assert ranking.strengths == pytest.approx(ref - ref.mean(), abs=1e-6)


def test_fit_ranking_recovers_planted_order_with_intervals_covering_truth() -> None:
    truth = np.array([-1.5, -0.5, 0.5, 1.5])
    # no ties: with ties counted as half wins the fit is shrunk toward 0 relative to the tie-free generating model
    ranking = fit_ranking(simulate_battles(list(truth), 4000, tie_rate=0.0, seed=2), n_resamples=1000)
    assert [r["system"] for r in ranking.to_rows()] == ["s3", "s2", "s1", "s0"]
    covered = [ci.low <= t <= ci.high for ci, t in zip(ranking.intervals, truth - truth.mean(), strict=True) if ci]
    assert len(covered) == 4 and sum(covered) >= 3


def test_bradley_terry_unbeaten_system_has_no_finite_fit() -> None:
    wins = np.array([[0, 3, 2], [0, 0, 1], [0, 1, 0]], dtype=float)  # system 0 never lost
    assert np.isnan(bradley_terry(wins)).all()
    ranking = fit_ranking([("a", "b", 1.0), ("a", "c", 1.0), ("b", "c", 1.0), ("c", "b", 1.0)], **FAST)
    assert ranking.reason is not None and "never lost" in ranking.reason


def test_elo_scale_is_400_over_ln10_per_unit() -> None:
    assert elo(np.array([0.0, np.log(10)])) == pytest.approx([1000.0, 1400.0])


def test_ranking_agreement_with_given_ranking_matches_scipy_on_fitted_strengths() -> None:
    battles = simulate_battles([0.0, 0.4, 0.8, 1.2, 1.6], 3000, seed=3)
    human = {"s0": 1.0, "s1": 3.0, "s2": 2.0, "s3": 4.0, "s4": 5.0}  # humans swap s1 and s2
    rho, tau = ranking_agreement(battles, human, **FAST)
    theta = fit_ranking(battles, n_resamples=10).strengths
    ref = [human[f"s{i}"] for i in range(5)]
    assert rho.value == pytest.approx(sps.spearmanr(theta, ref).statistic)
    assert tau.value == pytest.approx(sps.kendalltau(theta, ref).statistic)
    assert rho.n == 5 and rho.interval("bootstrap") is not None


def test_ranking_agreement_with_human_battles_on_same_items() -> None:
    rng = np.random.default_rng(4)
    judge = simulate_battles([0.0, 0.5, 1.0, 1.5], 2000, seed=5)
    # humans agree with the judge on 80% of the items and pick at random otherwise
    human = [(a, b, o if rng.random() < 0.8 else float(rng.choice([-1.0, 1.0]))) for a, b, o in judge]
    rho, tau = ranking_agreement(judge, human, **FAST)
    assert rho.value == pytest.approx(1.0) and tau.value == pytest.approx(1.0)
    with pytest.raises(ValueError, match="same items"):
        ranking_agreement(judge, human[:-1])


def test_ranking_agreement_fewer_than_three_systems_is_undefined() -> None:
    rho, _ = ranking_agreement([("a", "b", 1.0), ("b", "a", 1.0)], {"a": 1.0, "b": 2.0})
    assert rho.value is None and "at least 3 systems" in (rho.reason or "")


def test_read_ranking_scores_and_ranks(tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text("model,rank\nx,1\ny,2\n")
    (tmp_path / "s.jsonl").write_text('{"system": "x", "elo": 1200}\n{"system": "y", "elo": 1100}\n')
    assert read_ranking(tmp_path / "r.csv") == {"x": -1.0, "y": -2.0}
    assert read_ranking(tmp_path / "s.jsonl") == {"x": 1200.0, "y": 1100.0}


def test_read_ranking_bad_rows_name_line_and_field(tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text("model,score\nx,1\ny,high\n")
    with pytest.raises(InputError) as e:
        read_ranking(tmp_path / "r.csv")
    assert e.value.line == 3 and e.value.field == "score"
    (tmp_path / "d.csv").write_text("model,score\nx,1\nx,2\n")
    with pytest.raises(InputError, match="duplicate system"):
        read_ranking(tmp_path / "d.csv")
