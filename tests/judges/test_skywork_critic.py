"""skywork_critic: the Skywork-Critic model-card prompt and [[A]]/[[B]] parsing."""

from __future__ import annotations

import jinja2
import pytest

from judgebench.judges import JudgeContext, get_judge
from judgebench.judges._prompted import render_template
from judgebench.judges.skywork_critic import parse_verdict
from judgebench.schema import Decision

from .helpers import ScriptedBackend, fixture, run, user_text

# The card's prompt_template (huggingface.co/Skywork/Skywork-Critic-Llama-3.1-8B), as in ScalerLab/JudgeBench
# utils/templates/skywork_critic_prompt.jinja2; lines 1 and 2 end with a space.
PROMPT = (
    "Please act as an impartial judge and evaluate the quality of the responses provided by two AI assistants to the user question displayed below. "
    "You should choose the assistant that follows the user's instructions and answers the user's question better. \n"
    "Your evaluation should consider factors such as the helpfulness, relevance, accuracy, depth, creativity, and level of detail of their responses. "
    "Avoid any position biases and ensure that the order in which the responses were presented does not influence your decision. "
    "Do not allow the length of the responses to influence your evaluation. Do not favor certain names of the assistants. Be as objective as possible. \n"
    'Please directly output your final verdict by strictly following this format: "[[A]]" if assistant A is better, "[[B]]" if assistant B is better.\n\n'
    "[User Question]\n{input}\n\n[The Start of Assistant A's Answer]\n{response_a}\n[The End of Assistant A's Answer]\n\n"
    "[The Start of Assistant B's Answer]\n{response_b}\n[The End of Assistant B's Answer]\n"
)
Q, A, B = "Jane has 12 apples and gives 4 away. How many are left?", "8 apples.", "9 apples."


def test_skywork_critic_render_matches_card_prompt_exactly() -> None:
    expected = PROMPT.format(input=Q, response_a=A, response_b=B)
    assert get_judge("skywork_critic", ScriptedBackend([""])).messages(JudgeContext.of_question(Q), A, B) == [{"role": "user", "content": expected}]


def test_skywork_critic_render_response_a_first() -> None:
    user = user_text(get_judge("skywork_critic", ScriptedBackend([""])).messages(JudgeContext.of_question(Q), "FIRST", "SECOND"))
    assert user.index("Assistant A's Answer]\nFIRST") < user.index("Assistant B's Answer]\nSECOND")
    assert user.startswith("Please act as an impartial judge") and "{#" not in user


def test_skywork_critic_template_missing_variable_raises() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render_template("skywork_critic", response_a=A, response_b=B)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a", Decision.A_BETTER),
        ("b", Decision.B_BETTER),
        ("with_explanation", Decision.B_BETTER),
        ("several", Decision.B_BETTER),  # "[[A]]", then a correction ending "[[B]]"
        ("prompt_echo", Decision.B_BETTER),  # "[[A]]" inside the echoed answer of A is dropped
        ("restated_format", Decision.A_BETTER),  # the restated format sentence is blanked, then [[A]] is the only label
        ("truncated", Decision.NONE),
        ("no_brackets", Decision.NONE),  # strict: JudgeBench's '"A" in output' would read this and much else
        ("empty", Decision.NONE),
    ],
)
def test_skywork_critic_parse_recorded_output_gives_expected_decision(name: str, expected: Decision) -> None:
    assert parse_verdict(fixture("skywork_critic", name)).decision is expected


def test_skywork_critic_judge_unparseable_keeps_raw_output() -> None:
    backend = ScriptedBackend([fixture("skywork_critic", "no_brackets")])
    j = run(get_judge("skywork_critic", backend).judge(JudgeContext.of_question(Q), A, B))
    assert j.decision is Decision.NONE and j.output == "B" and j.error is None
    assert backend.calls[0][1].temperature == 0.0
