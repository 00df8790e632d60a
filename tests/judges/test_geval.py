"""geval: the probability-weighted rating sum_s p(s) * s from the rating token's log-probabilities, checked against
a hand computation; no log-probabilities gives the parsed rating, marked."""

from __future__ import annotations

import math
from typing import Any

import pytest

from judgebench.backends import ChatParams, Completion
from judgebench.judges import JudgeContext, get_judge
from judgebench.schema import Usage

from .helpers import run


class LogprobBackend:
    """Returns one output spelled by ``tokens``, each with its log-probability and alternatives."""

    def __init__(self, tokens: list[tuple[str, dict[str, float]]] | None, text: str | None = None):
        self.tokens = tokens
        self.text = text if text is not None else "".join(t for t, _ in tokens or [])
        self.params: list[ChatParams] = []

    async def chat(self, messages: Any, params: ChatParams | None = None, *, sample_index: int = 0) -> Completion:
        self.params.append(params or ChatParams())
        lp = None
        if self.tokens is not None:
            lp = tuple({"token": t, "logprob": math.log(top[t]) if t in top else 0.0, "top": {k: math.log(v) for k, v in top.items()}} for t, top in self.tokens)
        return Completion(texts=(self.text,), usage=Usage(calls=1), logprobs=lp)


def test_expected_rating_by_hand_mt_bench() -> None:
    # At the rating position: p(8) = 0.6, p(7) = 0.3, p(9) = 0.05, p("]") = 0.05 (not a rating).
    # Renormalised over the ratings (mass 0.95): (8 * 0.6 + 7 * 0.3 + 9 * 0.05) / 0.95 = 7.35 / 0.95 = 7.7368...
    tokens = [("Good", {}), (".", {}), (" Rating", {}), (":", {}), (" [[", {}), ("8", {"8": 0.6, "7": 0.3, "9": 0.05, "]": 0.05}), ("]]", {})]
    backend = LogprobBackend(tokens)
    judge = get_judge("geval", backend)
    jm = run(judge.judge(JudgeContext.of_question("Q"), "R"))
    assert backend.params[0].logprobs is True
    assert jm.rating == pytest.approx(7.35 / 0.95)
    assert jm.extra["parsed_rating"] == 8.0 and jm.extra["probability_mass"] == pytest.approx(0.95)
    assert jm.extra["rating_probabilities"] == pytest.approx({"7": 0.3 / 0.95, "8": 0.6 / 0.95, "9": 0.05 / 0.95})
    assert "no_probabilities" not in jm.extra and jm.extra["wraps"] == "mt_bench_single"


def test_expected_rating_rewardbench2_template_final_number() -> None:
    # "... 3 errors ... \n\n4": the final number's token, not the earlier 3. p(4) = 0.5, p(" 5")... leading space is
    # the same value: p(5) = 0.25, p(3) = 0.25 -> 0.5 * 4 + 0.25 * 5 + 0.25 * 3 = 4.0
    tokens = [("It has", {}), (" 3", {"3": 0.9}), (" errors", {}), (".\n\n", {}), ("4", {"4": 0.5, " 5": 0.25, "3": 0.25})]
    jm = run(get_judge("geval", LogprobBackend(tokens), template="rewardbench2_rating").judge(JudgeContext.of_question("Q"), "R"))
    assert jm.rating == pytest.approx(4.0) and jm.extra["template"] == "ratings_prompt"


def test_no_logprobs_gives_the_parsed_rating_marked() -> None:
    jm = run(get_judge("geval", LogprobBackend(None, text="Rating: [[6]]")).judge(JudgeContext.of_question("Q"), "R"))
    assert jm.rating == 6.0 and "no log-probabilities" in jm.extra["no_probabilities"]


def test_rating_split_over_tokens_is_not_presented_as_geval() -> None:
    tokens = [("Rating: [[", {}), ("1", {"1": 0.7, "9": 0.3}), ("0", {}), ("]]", {})]
    jm = run(get_judge("geval", LogprobBackend(tokens)).judge(JudgeContext.of_question("Q"), "R"))
    assert jm.rating == 10.0 and "split over several tokens" in jm.extra["no_probabilities"]


def test_missing_or_out_of_scale_rating_is_no_decision() -> None:
    tokens = [("Rating: [[", {}), ("11", {"11": 0.9}), ("]]", {})]
    jm = run(get_judge("geval", LogprobBackend(tokens)).judge(JudgeContext.of_question("Q"), "R"))
    assert jm.rating is None and "outside the scale" in jm.extra["no_decision_reason"]
    none = run(get_judge("geval", LogprobBackend([("No idea.", {})])).judge(JudgeContext.of_question("Q"), "R"))
    assert none.rating is None and "no_decision_reason" in none.extra
