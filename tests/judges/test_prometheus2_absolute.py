"""prometheus2_absolute: prometheus-eval's absolute-grading prompt (with and without reference, raw and chat) and its
[RESULT] N parser."""

from __future__ import annotations

import pytest

from judgebench.judges import JudgeContext, get_judge
from judgebench.judges.prometheus2_absolute import RUBRICS, parse_rating
from judgebench.schema import Item, Response

from .helpers import ScriptedBackend, run

# Copied from github.com/prometheus-eval/prometheus-eval libs/prometheus-eval/prometheus_eval/prompts.py (commit
# dcfb44272d5d0414832f5dbb8c2a05ebc2614234): ABS_SYSTEM_PROMPT, ABSOLUTE_PROMPT, ABSOLUTE_PROMPT_WO_REF.
ABS_SYSTEM_PROMPT = "You are a fair judge assistant tasked with providing clear, objective feedback based on specific criteria, ensuring each assessment reflects the absolute standards set for performance."
ABSOLUTE_PROMPT = """###Task Description:
An instruction (might include an Input inside it), a response to evaluate, a reference answer that gets a score of 5, and a score rubric representing a evaluation criteria are given.
1. Write a detailed feedback that assess the quality of the response strictly based on the given score rubric, not evaluating in general.
2. After writing a feedback, write a score that is an integer between 1 and 5. You should refer to the score rubric.
3. The output format should look as follows: "(write a feedback for criteria) [RESULT] (an integer number between 1 and 5)"
4. Please do not generate any other opening, closing, and explanations.

###The instruction to evaluate:
{instruction}

###Response to evaluate:
{response}

###Reference Answer (Score 5):
{reference_answer}

###Score Rubrics:
{rubric}

###Feedback: """
ABSOLUTE_PROMPT_WO_REF = """###Task Description:
An instruction (might include an Input inside it), a response to evaluate, and a score rubric representing a evaluation criteria are given.
1. Write a detailed feedback that assess the quality of the response strictly based on the given score rubric, not evaluating in general.
2. After writing a feedback, write a score that is an integer between 1 and 5. You should refer to the score rubric.
3. The output format should look as follows: "(write a feedback for criteria) [RESULT] (an integer number between 1 and 5)"
4. Please do not generate any other opening, closing, and explanations.

###The instruction to evaluate:
{instruction}

###Response to evaluate:
{response}

###Score Rubrics:
{rubric}

###Feedback: """
Q, R = "What is the capital of Australia?", "Canberra."
RUBRIC = "[Is it right?]\nScore 1: wrong\nScore 2: mostly wrong\nScore 3: half\nScore 4: mostly right\nScore 5: right"


def test_raw_render_is_the_mistral_wrapping_of_the_upstream_prompt() -> None:
    user = ABSOLUTE_PROMPT_WO_REF.format(instruction=Q, response=R, rubric=RUBRICS["factual_validity"])
    messages = get_judge("prometheus2_absolute", ScriptedBackend([""])).messages(JudgeContext.of_question(Q), R)
    assert messages == [{"role": "user", "content": f"[INST] {ABS_SYSTEM_PROMPT}\n{user} [/INST]"}]


def test_item_rubric_and_reference_come_first_options_after() -> None:
    item = Item("p", Q, (Response(R),), reference="Canberra", rubric=RUBRIC)
    judge = get_judge("prometheus2_absolute", ScriptedBackend([""]), prompt_format="chat", rubric="helpfulness", reference_answer="other")
    assert judge.messages(JudgeContext.of(item), R) == [
        {"role": "system", "content": ABS_SYSTEM_PROMPT},
        {"role": "user", "content": ABSOLUTE_PROMPT.format(instruction=Q, response=R, reference_answer="Canberra", rubric=RUBRIC)},
    ]
    bare = judge.messages(JudgeContext.of_question(Q), R)[1]["content"]
    assert bare == ABSOLUTE_PROMPT.format(instruction=Q, response=R, reference_answer="other", rubric=RUBRICS["helpfulness"])
    assert RUBRICS["helpfulness"].count("\nScore ") == 5


@pytest.mark.parametrize(
    ("output", "value"),
    [
        ("The response is correct. [RESULT] 5", 5.0),
        ("Feedback. [RESULT] (3)", 3.0),
        ("Feedback. Score: 4/5", 4.0),
        ("Feedback. [RESULT] 2\n", 2.0),
        ("It deserves a score of 3 out of 5", 3.0),
    ],
)
def test_parse_reads_prometheus_evals_pattern(output: str, value: float) -> None:
    assert parse_rating(output).value == value


@pytest.mark.parametrize("output", ["[RESULT] 4 because it is right", "No score here.", ""])
def test_parse_without_a_final_score_is_no_rating(output: str) -> None:
    assert parse_rating(output).value is None  # upstream: the score must end the output


@pytest.mark.parametrize("output", ["[RESULT] 0", "[RESULT] 6", "[RESULT] 10"])
def test_out_of_scale_score_is_no_decision(output: str) -> None:
    jm = run(get_judge("prometheus2_absolute", ScriptedBackend([output])).judge(JudgeContext.of_question(Q), R))
    assert jm.rating is None and "outside the scale 1-5" in jm.extra["no_decision_reason"]


def test_several_numbers_the_final_result_counts() -> None:
    jm = run(get_judge("prometheus2_absolute", ScriptedBackend(["Score 1 would be wrong, score 5 right. [RESULT] 4"])).judge(JudgeContext.of_question(Q), R))
    assert jm.rating == 4.0 and jm.extra["template"] == "ABSOLUTE_PROMPT_WO_REF"
