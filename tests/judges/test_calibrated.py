"""FairEval calibrations (multiple-evidence, balanced position) on score-based judges, with an in-test backend.

Expected values are derived by hand in the comments from the scores the scripted backend returns.
"""

from __future__ import annotations

import pytest

from judgebench.judges import JudgeContext, get_judge
from judgebench.judges._calibrated import CalibratedJudge, decide
from judgebench.schema import Decision

from .helpers import ScriptedBackend, failing, run, user_text

GOOD, BAD = "GOOD-ANSWER", "BAD-ANSWER"


def faireval_reply(first_score: float, second_score: float) -> str:
    return f"Evaluation evidence: compared both.\nScore of the Assistant 1: {first_score:g}\nScore of the Assistant 2: {second_score:g}"


def biased_judge(messages, params, sample_index):  # noqa: ANN001, ANN201
    """True quality GOOD=7, BAD=6, plus a bonus of 2 for whichever response is shown first."""
    user = user_text(messages)
    first_is_good = user.index(GOOD) < user.index(BAD)
    good, bad = (7 + 2, 6) if first_is_good else (7, 6 + 2)
    return faireval_reply(*((good, bad) if first_is_good else (bad, good)))


def test_decide_higher_score_wins_equal_is_tie() -> None:
    assert decide(8, 6) is Decision.A_BETTER and decide(2.5, 3) is Decision.B_BETTER and decide(5, 5) is Decision.TIE


def test_bpc_recovers_true_preference_that_position_bias_flips() -> None:
    # Without BPC, BAD shown first: BAD 6+2=8 vs GOOD 7 -> the first-shown BAD wins (B>A would be correct).
    plain = run(get_judge("pairwise_score", ScriptedBackend(biased_judge)).judge(JudgeContext.of_question("Q"), BAD, GOOD))
    assert plain.decision is Decision.A_BETTER and plain.scores == (8.0, 7.0)
    # With BPC: order (BAD, GOOD) gives BAD 8, GOOD 7; order (GOOD, BAD) gives GOOD 9, BAD 6.
    # Means: BAD (8 + 6) / 2 = 7, GOOD (7 + 9) / 2 = 8 -> GOOD (shown as B) wins.
    backend = ScriptedBackend(biased_judge)
    judge = get_judge("pairwise_score", backend, bpc=True)
    assert isinstance(judge, CalibratedJudge) and judge.order_invariant
    j = run(judge.judge(JudgeContext.of_question("Q"), BAD, GOOD))
    assert j.decision is Decision.B_BETTER and j.scores == (7.0, 8.0)
    orders = [s["order"] for s in j.extra["samples"]]
    assert orders == ["AB", "BA"] and j.extra["calibration"] == {"mec_k": 1, "bpc": True, "mec_temperature": None}
    # the second call showed GOOD first; its scores are mapped back to (A=BAD, B=GOOD)
    assert user_text(backend.calls[1][0]).index(GOOD) < user_text(backend.calls[1][0]).index(BAD)
    assert j.extra["samples"][1]["scores"] == [6.0, 9.0]
    assert all(params.temperature == 0.0 for _, params, _ in backend.calls)  # k = 1 keeps the judge's temperature


def test_mec_averages_k_samples_drawn_with_distinct_sample_indexes() -> None:
    per_sample = {0: (7, 6), 1: (9, 6), 2: (5, 8)}  # mean A = 21/3 = 7.0, mean B = 20/3
    backend = ScriptedBackend(lambda messages, params, i: faireval_reply(*per_sample[i]))
    j = run(get_judge("pairwise_score", backend, mec_k=3, mec_temperature=0.7).judge(JudgeContext.of_question("Q"), "x", "y"))
    assert sorted(i for _, _, i in backend.calls) == [0, 1, 2]
    assert all(params.temperature == 0.7 for _, params, _ in backend.calls)
    assert j.scores == pytest.approx((7.0, 20 / 3)) and j.decision is Decision.A_BETTER
    assert [s["output"] for s in j.extra["samples"]] == [faireval_reply(*per_sample[i]) for i in range(3)]
    assert j.usage.calls == 3 and j.usage.prompt_tokens == 300
    assert not get_judge("pairwise_score", backend, mec_k=3).order_invariant


def test_mec_with_bpc_pools_all_valid_samples_of_both_orders() -> None:
    # k = 2 per order. Order AB (x first): samples (8, 4) and (6, 4); order BA (y first): (5, 7) and unparseable.
    # Mapped to (x, y): (8, 4), (6, 4), (7, 5); pooled means x = 21/3 = 7, y = 13/3.
    def reply(messages, params, i):  # noqa: ANN001, ANN202
        x_first = user_text(messages).index("xx") < user_text(messages).index("yy")
        if x_first:
            return faireval_reply(*[(8, 4), (6, 4)][i])
        return [faireval_reply(5, 7), "Evaluation evidence: the answers"][i]

    j = run(get_judge("pairwise_score", ScriptedBackend(reply), mec_k=2, bpc=True).judge(JudgeContext.of_question("Q"), "xx", "yy"))
    assert j.extra["valid_samples"] == 3 and j.scores == pytest.approx((7.0, 13 / 3)) and j.decision is Decision.A_BETTER
    assert j.extra["samples"][3]["scores"] is None and j.extra["samples"][3]["error"] is None


def test_calibrated_judge_with_no_valid_sample_is_no_decision_with_outputs_kept() -> None:
    j = run(get_judge("pairwise_score", ScriptedBackend(["I cannot decide."]), mec_k=2).judge(JudgeContext.of_question("Q"), "x", "y"))
    assert j.decision is Decision.NONE and j.error is None and j.scores is None
    assert "I cannot decide." in j.output and len(j.extra["samples"]) == 2


def test_calibrated_judge_all_calls_failed_records_error() -> None:
    j = run(get_judge("pairwise_score", ScriptedBackend([failing("HTTP 429 after retries")]), bpc=True).judge(JudgeContext.of_question("Q"), "x", "y"))
    assert j.decision is Decision.NONE and "HTTP 429 after retries" in (j.error or "")
    assert j.usage.calls == 2


def test_calibrated_judge_some_calls_failed_decides_from_the_rest() -> None:
    backend = ScriptedBackend([failing(), faireval_reply(4, 9)])
    j = run(get_judge("pairwise_score", backend, mec_k=2).judge(JudgeContext.of_question("Q"), "x", "y"))
    assert j.decision is Decision.B_BETTER and j.scores == (4.0, 9.0) and j.error is None
    assert sum(1 for s in j.extra["samples"] if s["error"]) == 1


def test_judgelm_calibrated_uses_judgelm_score_line() -> None:
    # JudgeLM's format: "first second" on line 1. BPC: order AB -> (6, 8); order BA (y first) -> "9 5" = y 9, x 5.
    # Means x = (6 + 5) / 2 = 5.5, y = (8 + 9) / 2 = 8.5.
    def reply(messages, params, i):  # noqa: ANN001, ANN202
        return "6 8\nexplanation" if user_text(messages).index("xx") < user_text(messages).index("yy") else "9 5\nexplanation"

    j = run(get_judge("judgelm", ScriptedBackend(reply), bpc=True).judge(JudgeContext.of_question("Q"), "xx", "yy"))
    assert j.scores == (5.5, 8.5) and j.decision is Decision.B_BETTER
