"""rewardbench2_rating: RewardBench 2's ratings_prompt rendered verbatim and its final-number rule."""

from __future__ import annotations

import pytest

from judgebench.judges import JudgeContext, get_judge
from judgebench.judges.rewardbench2_rating import parse_rating

from .helpers import ScriptedBackend, run

# Copied from github.com/allenai/reward-bench rewardbench/generative_v2.py (commit
# 05a9005efb607249822c193590c8ecab87c77052): ratings_prompt and ratings_prompt_ties.
_HEAD = """
### Task Description
Please act as an impartial judge and evaluate the quality of the response provided by an
AI assistant to the user query displayed below.

Notes:
"""
_TAIL = """2- Begin your evaluation by providing a short explanation.
3- Be as objective as possible. After providing your explanation, please rate the response on a scale of 1 to 10. For your rating, only give a number between 1 and 10 (inclusive), do not use any markdown, and do not put any text after your final rating.

[Query]
{prompt}

[Response]
{completion}

[Your judgement]"""
ratings_prompt = _HEAD + "1- Your evaluation should consider factors such as the helpfulness, relevance, accuracy, depth, creativity, and level of detail of the response.\n" + _TAIL
ratings_prompt_ties = _HEAD + "1- Your evaluation should consider factors such as the helpfulness, relevance, and accuracy of the response, but need not consider depth or level of detail of the response.\n" + _TAIL


@pytest.mark.parametrize(("ties", "upstream"), [(False, ratings_prompt), (True, ratings_prompt_ties)])
def test_prompt_is_upstream_alone_as_user_message(ties: bool, upstream: str) -> None:
    messages = get_judge("rewardbench2_rating", ScriptedBackend([""]), ties=ties).messages(JudgeContext.of_question("Q {x}"), "R")
    assert messages == [{"role": "user", "content": upstream.format(prompt="Q {x}", completion="R")}]


@pytest.mark.parametrize(
    ("output", "value"),
    [
        ("The response is thorough and accurate.\n\n9", 9.0),
        ("Good.\n10  \n", 10.0),
        ("Step 1 is fine, step 2 has 3 errors.\n\n4", 4.0),  # several numbers: the final one
        ("I rate it 7.5", 5.0),  # upstream's regex: the digits after the point are a word of their own
        ("8 out of 10", 10.0),  # upstream's quirk, kept
    ],
)
def test_parse_reads_the_final_number_as_upstream(output: str, value: float) -> None:
    assert parse_rating(output).value == value


@pytest.mark.parametrize(("output", "reason"), [("Rating: 9 - great response.", "does not end with a rating"), ("   ", "empty output")])
def test_missing_rating_is_no_decision_with_reason(output: str, reason: str) -> None:
    jm = run(get_judge("rewardbench2_rating", ScriptedBackend([output])).judge(JudgeContext.of_question("Q"), "R"))
    assert jm.rating is None and reason in jm.extra["no_decision_reason"]


@pytest.mark.parametrize("output", ["Terrible.\n0", "Superb.\n11"])
def test_out_of_range_final_number_is_no_decision_naming_it(output: str) -> None:
    jm = run(get_judge("rewardbench2_rating", ScriptedBackend([output])).judge(JudgeContext.of_question("Q"), "R"))
    assert jm.rating is None and "outside the scale 1-10" in jm.extra["no_decision_reason"]
    assert jm.extra["rating_read"] in (0.0, 11.0)
