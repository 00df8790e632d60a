"""Accuracy vs coverage and expected calibration error: hand-made cases and simulated judges."""

from __future__ import annotations

import numpy as np
import pytest

from judgebench.analysis.calibration import (
    _top_accuracy,
    accuracy_at_coverage,
    calibration_report,
    expected_calibration_error,
    pair_confidences,
)
from judgebench.schema import Decision, ItemResult, Judgment, Pair

A, B = Decision.A_BETTER, Decision.B_BETTER
FAST = {"n_resamples": 300}


def test_accuracy_at_coverage_hand_example_with_ties_at_the_cutoff() -> None:
    # confidences 0.9, 0.8, 0.8, 0.8, 0.1 with correctness 1, 1, 0, 0, 1.
    # 20% -> top 1 item: 1.0. 40% -> top 2: item 1 plus one of the three tied at 0.8, whose accuracy is 1/3:
    # (1 + 1/3) / 2 = 2/3. 100% -> 3/5.
    conf = [0.9, 0.8, 0.8, 0.8, 0.1]
    corr = [1, 1, 0, 0, 1]
    est = accuracy_at_coverage(conf, corr, (0.2, 0.4, 1.0), **FAST)
    assert [e.value for e in est] == pytest.approx([1.0, 2 / 3, 0.6])
    assert [e.n for e in est] == [1, 2, 5]


def test_accuracy_at_coverage_does_not_depend_on_input_order() -> None:
    rng = np.random.default_rng(0)
    conf = rng.integers(0, 4, 50).astype(float)
    corr = rng.integers(0, 2, 50).astype(float)
    perm = rng.permutation(50)
    a = [e.value for e in accuracy_at_coverage(conf, corr, **FAST)]
    b = [e.value for e in accuracy_at_coverage(conf[perm], corr[perm], **FAST)]
    assert a == pytest.approx(b)


def test_top_accuracy_weighted_equals_unweighted_on_expanded_items() -> None:
    rows = np.array([[0.9, 1.0], [0.5, 0.0], [0.5, 1.0], [0.2, 0.0]])
    w = np.array([[2.0, 1.0, 3.0, 1.0]])
    expanded = np.repeat(rows, w[0].astype(int), axis=0)
    for c in (0.3, 0.5, 0.8, 1.0):
        ref = _top_accuracy(np.ones((1, len(expanded))), expanded, c)[0]
        assert _top_accuracy(w, rows, c)[0] == pytest.approx(ref)


def test_ece_hand_example() -> None:
    # bin [0.6, 0.7): conf 0.6, 0.6, correct 1, 0 -> |0.5 - 0.6| = 0.1 weight 2/4;
    # bin [0.9, 1.0]: conf 0.9, 1.0, correct 1, 1 -> |1 - 0.95| = 0.05 weight 2/4. ECE = 0.05 + 0.025 = 0.075.
    est = expected_calibration_error([0.6, 0.6, 0.9, 1.0], [1, 0, 1, 1], **FAST)
    assert est.value == pytest.approx(0.075)


def test_ece_simulated_judges_calibrated_near_zero_overconfident_near_gap() -> None:
    rng = np.random.default_rng(1)
    p = rng.uniform(0.5, 1.0, 20_000)
    calibrated = (rng.random(p.size) < p).astype(float)
    over = (rng.random(p.size) < p - 0.2).astype(float)  # states 0.2 more confidence than it has
    assert expected_calibration_error(p, calibrated, **FAST).value < 0.02  # type: ignore[operator]
    assert expected_calibration_error(p, over, **FAST).value == pytest.approx(0.2, abs=0.02)


def test_ece_confidences_outside_unit_interval_are_undefined() -> None:
    est = expected_calibration_error([3.0, 7.0], [1, 0])
    assert est.value is None and "not probabilities" in (est.reason or "")
    assert expected_calibration_error([np.nan], [1]).value is None


def _rm_result(i: int, label: Decision, score_a: float, score_b: float) -> ItemResult:
    d = A if score_a > score_b else B
    pair = Pair(f"p{i}", "q", "a", "b", label)
    return ItemResult.of_pair(pair, "reward_model", "rm", (Judgment(d, game=1, scores=(score_a, score_b), score_kind="reward"),))


def test_pair_confidences_margin_source_ranks_but_is_no_probability() -> None:
    res = [_rm_result(0, A, 2.0, 0.0), _rm_result(1, A, 0.0, 0.5)]
    raw, prob, source = pair_confidences(res)
    assert source == "margin" and raw.tolist() == [2.0, 0.5]
    assert np.isnan(prob).all()  # a reward margin is not a probability: no sigmoid reading


def test_pair_confidences_stated_source_ignores_no_decision_games() -> None:
    pair = Pair("p0", "q", "a", "b", A)
    games = (Judgment(A, game=1, confidence=0.9), Judgment(Decision.NONE, game=2, confidence=0.1))
    raw, _, source = pair_confidences([ItemResult.of_pair(pair, "j", "m", games)])
    assert source == "stated" and raw.tolist() == [0.9]


def test_calibration_report_informative_margins_raise_accuracy_at_low_coverage() -> None:
    # A reward model whose margin predicts correctness: P(right) = sigmoid(margin).
    rng = np.random.default_rng(2)
    res = []
    for i in range(2000):
        margin = rng.exponential(1.0)
        right = rng.random() < 1 / (1 + np.exp(-margin))
        res.append(_rm_result(i, A if right else B, margin, 0.0))
    source, est = calibration_report(res, **FAST)
    by_name = {e.name: e for e in est}
    assert source == "margin"
    assert by_name["accuracy at 10% coverage"].value > by_name["accuracy at 100% coverage"].value + 0.15  # type: ignore[operator]
    assert by_name["AUROC (confidence vs correctness)"].value > 0.6  # type: ignore[operator]
    ece = by_name["expected calibration error (10 bins)"]
    assert ece.value is None and ece.reason == "no probabilities (reward margins are not probabilities)"


def test_calibration_report_without_any_confidence_is_undefined() -> None:
    pair = Pair("p0", "q", "a", "b", A)
    _, est = calibration_report([ItemResult.of_pair(pair, "j", "m", (Judgment(A, game=1),))], **FAST)
    assert all(e.value is None and "no item has a confidence" in (e.reason or "") for e in est)
