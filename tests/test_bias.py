"""Bias probes recover biases planted in simulated judges; hand-made cases pin the definitions."""

from __future__ import annotations

import numpy as np
import pytest

from judgebench.analysis.bias import (
    bias_probes,
    length_bias,
    length_slope,
    normalize_model,
    position_bias,
    rates,
    self_preference,
)
from judgebench.metrics.stats import Estimate
from judgebench.schema import Decision, ItemResult, Judgment, Pair

A, B, T, N = Decision.A_BETTER, Decision.B_BETTER, Decision.TIE, Decision.NONE
FAST = {"n_resamples": 1000}


def _result(i: int, label: Decision, shown: tuple[Decision, ...], *, len_a: int = 10, len_b: int = 10, model: str = "judge-m", meta: dict | None = None, response_model: str = "") -> ItemResult:
    pair = Pair(f"p{i}", "q", "a" * len_a, "b" * len_b, label, response_model=response_model, metadata=meta or {})
    return ItemResult.of_pair(pair, "sim", model, tuple(Judgment(d, game=g) for g, d in enumerate(shown, start=1)))  # type: ignore[arg-type]


def _shown(picked_original_a: bool, game: int) -> Decision:
    """The decision as shown that picks original A (or B): game 2 shows (B, A)."""
    d = A if picked_original_a else B
    return d if game == 1 else d.flipped()


def _within(est: Estimate, planted: float, k: float = 4.0) -> bool:
    """Estimate within k standard errors of the planted value (SE from the 95% bootstrap interval's width)."""
    ci = est.interval("bootstrap")
    assert ci is not None and est.value is not None
    se = (ci.high - ci.low) / (2 * 1.96)
    return abs(est.value - planted) <= k * se


def simulate_position_judge(n: int, *, p_sure: float, p_position: float, seed: int) -> list[ItemResult]:
    """A judge that is sure with probability ``p_sure`` (then right in both games); when unsure it picks the first
    shown position with probability ``p_position`` and otherwise flips a fair coin, independently per game."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        label = A if rng.random() < 0.5 else B
        sure = rng.random() < p_sure
        shown = []
        for g in (1, 2):
            if sure:
                shown.append(_shown(label == A, g))
            else:
                first = rng.random() < p_position or rng.random() < 0.5
                shown.append(A if first else B)
        out.append(_result(i, label, tuple(shown)))
    return out


def test_position_bias_planted_first_position_preference_is_recovered() -> None:
    # Unsure (40%): picks the first position 30% of the time, else a coin: P(first | unsure) = 0.3 + 0.7 * 0.5 = 0.65.
    # First-position rate = 0.6 * 0.5 (a sure judge picks the right one, first in one game of two) + 0.4 * 0.65 = 0.56.
    # Same shown position twice only when unsure: first share = 0.65^2 / (0.65^2 + 0.35^2) = 0.7752.
    # Consistent: sure, or unsure with different shown positions: 0.6 + 0.4 * 2 * 0.65 * 0.35 = 0.782.
    res = simulate_position_judge(4000, p_sure=0.6, p_position=0.3, seed=1)
    consistency, first_share, first_rate = position_bias(res, **FAST)
    assert _within(consistency, 0.782) and _within(first_share, 0.65**2 / (0.65**2 + 0.35**2)) and _within(first_rate, 0.56)
    assert first_rate.interval("bootstrap").low > 0.5  # type: ignore[union-attr]


def test_position_bias_unbiased_judge_first_rate_is_one_half() -> None:
    res = simulate_position_judge(4000, p_sure=0.6, p_position=0.0, seed=2)
    _, first_share, first_rate = position_bias(res, **FAST)
    assert _within(first_rate, 0.5) and _within(first_share, 0.5)


def test_position_bias_hand_made_definitions() -> None:
    res = [
        _result(0, A, (A, B)),  # consistent (A twice in the original frame)
        _result(1, A, (A, A)),  # first position twice
        _result(2, B, (B, B)),  # second position twice
        _result(3, A, (A, A)),  # first position twice
        _result(4, A, (A,)),  # single game: no consistency, counts for the rate
    ]
    consistency, first_share, first_rate = position_bias(res, **FAST)
    assert consistency.value == 0.25 and consistency.n == 4
    assert first_share.value == pytest.approx(2 / 3) and first_share.n == 3
    assert first_rate.value == pytest.approx(6 / 9)


def test_position_bias_single_game_results_are_undefined() -> None:
    consistency, first_share, _ = position_bias([_result(0, A, (A,))], **FAST)
    assert consistency.value is None and "both orders" in (consistency.reason or "")
    assert first_share.value is None


def simulate_length_judge(n: int, *, beta_len: float, beta_label: float, seed: int) -> list[ItemResult]:
    """P(pick original A) = sigmoid(beta_len * (len_A - len_B) / 1000 + beta_label * label direction), per game."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        la, lb = rng.integers(200, 3000, size=2)
        label = A if rng.random() < 0.5 else B
        p = 1 / (1 + np.exp(-(beta_len * (la - lb) / 1000 + beta_label * (1 if label == A else -1))))
        shown = tuple(_shown(bool(rng.random() < p), g) for g in (1, 2))
        out.append(_result(i, label, shown, len_a=int(la), len_b=int(lb)))
    return out


def test_length_slope_planted_verbosity_bias_is_recovered() -> None:
    res = simulate_length_judge(3000, beta_len=0.8, beta_label=1.0, seed=3)
    est = length_slope(res, **FAST)
    wald = est.interval("Wald")
    assert wald is not None and est.value is not None
    assert abs(est.value - 0.8) < 4 * (wald.high - wald.low) / (2 * 1.96)
    assert "label" in (est.reason or "") and est.p_value is not None and est.p_value < 1e-6


def test_length_slope_equals_statsmodels_logit_with_cluster_robust_se() -> None:
    import statsmodels.api as sm

    res = simulate_length_judge(400, beta_len=0.5, beta_label=0.7, seed=4)
    est = length_slope(res, **FAST)
    # reference: one row per decisive judgment, clustered by pair
    xs, ys, groups = [], [], []
    for k, r in enumerate(res):
        d = (len(r.pair.response_A) - len(r.pair.response_B)) / 1000
        lab = 1.0 if r.pair.label == A else -1.0
        for g in r.games:
            orig = g.decision if g.game == 1 else g.decision.flipped()
            xs.append([1.0, d, lab])
            ys.append(float(orig == A))
            groups.append(k)
    fit = sm.Logit(np.array(ys), np.array(xs)).fit(disp=0, cov_type="cluster", cov_kwds={"groups": np.array(groups), "use_correction": False})
    assert est.value == pytest.approx(fit.params[1], rel=1e-6)
    wald = est.interval("Wald")
    assert wald is not None and (wald.high - wald.low) / (2 * 1.959963984540054) == pytest.approx(fit.bse[1], rel=1e-4)


def test_length_bias_judge_that_always_picks_the_longer_response() -> None:
    res = [_result(i, A if i % 2 else B, (_shown(True, 1), _shown(True, 2)), len_a=100 + i, len_b=50) for i in range(10)]
    judge, labels, _ = length_bias(res, **FAST)
    assert judge.value == 1.0 and labels.value == 0.5


def test_length_slope_perfect_separation_is_undefined() -> None:
    res = [_result(i, A, (_shown(i % 2 == 0, 1), _shown(i % 2 == 0, 2)), len_a=100 + (50 if i % 2 == 0 else -50), len_b=100) for i in range(10)]
    est = length_slope(res, **FAST)
    assert est.value is None and "separated" in (est.reason or "")


def test_rates_tie_and_no_decision_hand_made() -> None:
    res = [_result(0, A, (T, N)), _result(1, A, (A, T)), _result(2, B, (N, N)), _result(3, A, (A,))]
    tie, none = rates(res, **FAST)
    assert tie.value == pytest.approx(2 / 7) and none.value == pytest.approx(3 / 7)


def test_self_preference_planted_own_response_preference_is_recovered() -> None:
    # The judge (gpt-4o) wrote one response of every pair; it picks its own with probability 0.8 whatever the label,
    # and its own response is the correct one in half of the pairs: planted gap = 0.8 - 0.5 = 0.3.
    rng = np.random.default_rng(5)
    res = []
    for i in range(3000):
        own_is_a = rng.random() < 0.5
        label = A if rng.random() < 0.5 else B
        meta = {"model_A": "gpt-4o" if own_is_a else "llama-3", "model_B": "llama-3" if own_is_a else "OpenAI/GPT-4o"}
        shown = tuple(_shown((rng.random() < 0.8) == own_is_a, g) for g in (1, 2))
        res.append(_result(i, label, shown, model="openai:gpt-4o", meta=meta))
    gap, acc_gap = self_preference(res, **FAST)
    assert _within(gap, 0.3)
    assert acc_gap.value is None and "none of the pairs" in (acc_gap.reason or "")


def test_self_preference_without_per_response_models_is_undefined_with_reason() -> None:
    gap, _ = self_preference([_result(0, A, (A, B))], **FAST)
    assert gap.value is None and "model_A" in (gap.reason or "")


def test_own_model_accuracy_gap_hand_made() -> None:
    # own pairs (response_model = judge model): 2 of 2 correct; other pairs: 1 of 2 correct -> gap 0.5
    res = [
        _result(0, A, (A, B), response_model="gpt-4o"),
        _result(1, B, (B, A), response_model="gpt-4o"),
        _result(2, A, (A, B), response_model="claude"),
        _result(3, A, (B, A), response_model="claude"),
    ]
    _, acc_gap = self_preference(res, judge_model="openai:gpt-4o", **FAST)
    assert acc_gap.value == pytest.approx(0.5)


def test_normalize_model_strips_provider_and_org_exactly() -> None:
    assert normalize_model("openai:OpenAI/GPT-4o") == "gpt-4o"
    assert normalize_model("gpt-4o") != normalize_model("gpt-4o-mini")


def test_bias_probes_returns_every_probe_once() -> None:
    names = [e.name for e in bias_probes(simulate_position_judge(50, p_sure=0.5, p_position=0.3, seed=0), n_resamples=100)]
    assert len(names) == len(set(names)) == 10
