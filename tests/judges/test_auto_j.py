"""auto_j: Auto-J's exact pairwise_tie prompt and [INST] wrapper, and its "final decision" parsing."""

from __future__ import annotations

import jinja2
import pytest

from judgebench.judges import JudgeContext, get_judge
from judgebench.judges._prompted import render_template
from judgebench.judges.auto_j import parse_verdict
from judgebench.schema import Decision

from .helpers import ScriptedBackend, fixture, run, user_text

# Copied from github.com/GAIR-NLP/auto-j codes/usage/constants_prompt.py (commit 5e280be): pairwise_tie and
# PROMPT_INPUT_WO_SYSTEM (llama2_wrapper without a system message).
PAIRWISE_TIE = """You are assessing two submitted responses on a given user's query and judging which response is better or they are tied. Here is the data:

[BEGIN DATA]
***
[Query]: {prompt}
***
[Response 1]: {response}
***
[Response 2]: {response_another}
***
[END DATA]

Here are the instructions to assess and compare the two responses:

1. Pinpoint the key factors to distinguish these two responses.
2. Conclude your comparison by providing a final decision on which response is better, or they are tied. Begin your final decision statement with "So, the final decision is Response 1 / Response 2 / Tie". Ensure that your decision aligns coherently with the comprehensive evaluation and comparison you've provided."""
PROMPT_INPUT_WO_SYSTEM = "[INST] {input} [/INST]"
Q, A, B = "what is 1+0?", "1+0 is 11", "the answer is 1"  # Auto-J's own example.py inputs


def test_auto_j_raw_render_equals_build_autoj_input() -> None:
    expected = PROMPT_INPUT_WO_SYSTEM.format(input=PAIRWISE_TIE.format(prompt=Q, response=A, response_another=B))
    assert get_judge("auto_j", ScriptedBackend([""])).messages(JudgeContext.of_question(Q), A, B) == [{"role": "user", "content": expected}]


def test_auto_j_chat_render_is_the_bare_protocol_body() -> None:
    messages = get_judge("auto_j", ScriptedBackend([""]), prompt_format="chat").messages(JudgeContext.of_question(Q), A, B)
    assert messages == [{"role": "user", "content": PAIRWISE_TIE.format(prompt=Q, response=A, response_another=B)}]


def test_auto_j_render_response_1_is_response_a() -> None:
    user = user_text(get_judge("auto_j", ScriptedBackend([""])).messages(JudgeContext.of_question(Q), "FIRST", "SECOND"))
    assert user.index("[Response 1]: FIRST") < user.index("[Response 2]: SECOND")
    assert "{#" not in user


def test_auto_j_template_missing_variable_raises() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render_template("auto_j_raw", question=Q, response_a=A)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("response1", Decision.A_BETTER),
        ("response2", Decision.B_BETTER),
        ("tie", Decision.TIE),
        ("several", Decision.B_BETTER),  # "... the final decision is Response 1" mid-text, final "Response 2"
        ("restated_instruction", Decision.A_BETTER),  # "Response 1 / Response 2 / Tie" is the instruction, skipped
        ("quoted", Decision.A_BETTER),  # the decision quoted from response 2 is superseded by the final one
        ("prompt_echo", Decision.B_BETTER),  # response 1's own "final decision" sits in the echoed prompt
        ("truncated", Decision.NONE),
        ("empty", Decision.NONE),
    ],
)
def test_auto_j_parse_recorded_output_gives_expected_decision(name: str, expected: Decision) -> None:
    assert parse_verdict(fixture("auto_j", name)).decision is expected


def test_auto_j_judge_params_follow_upstream_example() -> None:
    backend = ScriptedBackend([fixture("auto_j", "tie")])
    j = run(get_judge("auto_j", backend).judge(JudgeContext.of_question(Q), A, B))
    assert j.decision is Decision.TIE
    params = backend.calls[0][1]
    assert (params.temperature, params.top_p, params.max_tokens) == (0.0, 1.0, 1024)
