"""prometheus2: prometheus-eval's exact relative-grading prompt and [INST] wrapper, and [RESULT] parsing."""

from __future__ import annotations

import jinja2
import pytest

from judgebench.errors import InputError
from judgebench.judges import JudgeContext, get_judge
from judgebench.judges._prompted import render_template
from judgebench.judges.prometheus2 import parse_verdict
from judgebench.schema import Decision, Item, Preference, Response, Turn

from .helpers import ScriptedBackend, fixture, run

# Copied from github.com/prometheus-eval/prometheus-eval libs/prometheus-eval/prometheus_eval/prompts.py (commit
# 485d2b4): REL_SYSTEM_PROMPT, RELATIVE_PROMPT_WO_REF and RELATIVE_PROMPT.
REL_SYSTEM_PROMPT = "You are a fair judge assistant assigned to deliver insightful feedback that compares individual performances, highlighting how each stands relative to others within the same cohort."
_STEPS = """1. Write a detailed feedback that assess the quality of two responses strictly based on the given score rubric, not evaluating in general.
2. After writing a feedback, choose a better response between Response A and Response B. You should refer to the score rubric.
3. The output format should look as follows: "(write a feedback for criteria) [RESULT] (A or B)"
4. Please do not generate any other opening, closing, and explanations.

###Instruction:
{instruction}

###Response A:
{response_A}

###Response B:
{response_B}

"""
RELATIVE_PROMPT_WO_REF = (
    "###Task Description:\nAn instruction (might include an Input inside it), a response to evaluate, and a score rubric representing a evaluation criteria are given.\n"
    + _STEPS
    + "###Score Rubric:\n{rubric}\n\n###Feedback: "
)
RELATIVE_PROMPT = (
    "###Task Description:\nAn instruction (might include an Input inside it), a response to evaluate, a reference answer, and a score rubric representing a evaluation criteria are given.\n"
    + _STEPS
    + "###Reference Answer:\n{reference_answer}\n\n###Score Rubric:\n{rubric}\n\n###Feedback: "
)
FACTUAL = "[Are the model's responses factually correct and well-supported by evidence?]"
Q, A, B = "What is the capital of Australia?", "Sydney.", "Canberra."


def test_prometheus2_raw_render_is_fastchat_mistral_wrapping_of_upstream_prompt() -> None:
    # judge.py::_get_conversation_prompt with FastChat's "mistral" template: "[INST] {system}\n" + user + " " + "[/INST]"
    user = RELATIVE_PROMPT_WO_REF.format(instruction=Q, response_A=A, response_B=B, rubric=FACTUAL)
    messages = get_judge("prometheus2", ScriptedBackend([""])).messages(JudgeContext.of_question(Q), A, B)
    assert messages == [{"role": "user", "content": f"[INST] {REL_SYSTEM_PROMPT}\n{user} [/INST]"}]
    assert messages[0]["content"].endswith("###Feedback:  [/INST]")


def test_prometheus2_chat_render_sends_system_and_user_messages() -> None:
    messages = get_judge("prometheus2", ScriptedBackend([""]), prompt_format="chat").messages(JudgeContext.of_question(Q), A, B)
    assert messages == [
        {"role": "system", "content": REL_SYSTEM_PROMPT},
        {"role": "user", "content": RELATIVE_PROMPT_WO_REF.format(instruction=Q, response_A=A, response_B=B, rubric=FACTUAL)},
    ]


def test_prometheus2_reference_and_named_rubric_use_upstream_with_reference_prompt() -> None:
    judge = get_judge("prometheus2", ScriptedBackend([""]), prompt_format="chat", rubric="helpfulness", reference_answer="Canberra")
    rubric = "[Does the model provide relevant and useful responses to the user's needs or questions?]"
    assert judge.messages(JudgeContext.of_question(Q), A, B)[1]["content"] == RELATIVE_PROMPT.format(instruction=Q, response_A=A, response_B=B, reference_answer="Canberra", rubric=rubric)


CHAT_Q = f"System: Answer briefly.\n\nUser: {Q}"
"""A chat prompt reaches the judge as a transcript of its turns (``Item.question``): the system turn is kept."""


def _item(reference: str | None) -> Item:
    prompt = (Turn("system", "Answer briefly."), Turn("user", Q))
    return Item("capital", prompt, (Response(A, "m"), Response(B, "m")), Preference(1), reference=reference, rubric="ITEM-RUBRIC")


@pytest.mark.parametrize("prompt_format", ["raw", "chat"])
def test_prometheus2_item_reference_is_rendered_over_the_option(prompt_format: str) -> None:
    # The item's own reference wins over the reference_answer option, in the real template, in the prompt sent.
    backend = ScriptedBackend(["Response B names the capital. [RESULT] B"])
    judge = get_judge("prometheus2", backend, prompt_format=prompt_format, reference_answer="OPTION-REFERENCE")
    j = run(judge.judge(JudgeContext.of(_item("Canberra is the capital.")), A, B))
    user = RELATIVE_PROMPT.format(instruction=CHAT_Q, response_A=A, response_B=B, reference_answer="Canberra is the capital.", rubric=FACTUAL)
    sent = backend.calls[0][0]
    assert (sent[0]["content"] == f"[INST] {REL_SYSTEM_PROMPT}\n{user} [/INST]") if prompt_format == "raw" else (sent[1]["content"] == user)
    assert j.decision is Decision.B_BETTER and "OPTION-REFERENCE" not in j.prompt and "ITEM-RUBRIC" not in j.prompt


def test_prometheus2_item_without_reference_gets_the_option() -> None:
    backend = ScriptedBackend(["[RESULT] B"])
    run(get_judge("prometheus2", backend, prompt_format="chat", reference_answer="Canberra").judge(JudgeContext.of(_item(None)), A, B))
    assert backend.calls[0][0][1]["content"] == RELATIVE_PROMPT.format(instruction=CHAT_Q, response_A=A, response_B=B, reference_answer="Canberra", rubric=FACTUAL)


def test_prometheus2_item_reference_without_option_switches_to_the_reference_prompt() -> None:
    judge = get_judge("prometheus2", ScriptedBackend([""]), prompt_format="chat")
    user = judge.messages(JudgeContext.of(_item("Canberra")), A, B)[1]["content"]
    assert user == RELATIVE_PROMPT.format(instruction=CHAT_Q, response_A=A, response_B=B, reference_answer="Canberra", rubric=FACTUAL)
    assert judge.messages(JudgeContext.of(_item(None)), A, B)[1]["content"] == RELATIVE_PROMPT_WO_REF.format(instruction=CHAT_Q, response_A=A, response_B=B, rubric=FACTUAL)


def test_prometheus2_custom_rubric_text_is_used_verbatim() -> None:
    user = get_judge("prometheus2", ScriptedBackend([""]), prompt_format="chat", rubric="[Is the final answer correct?]").messages(JudgeContext.of_question(Q), A, B)[1]["content"]
    assert "###Score Rubric:\n[Is the final answer correct?]\n\n###Feedback: " in user


def test_prometheus2_render_response_a_first() -> None:
    user = get_judge("prometheus2", ScriptedBackend([""])).messages(JudgeContext.of_question(Q), "FIRST", "SECOND")[0]["content"]
    assert user.index("###Response A:\nFIRST") < user.index("###Response B:\nSECOND")
    assert "{#" not in user and user.startswith("[INST] You are a fair judge")


def test_prometheus2_template_missing_variable_raises() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render_template("prometheus2", question=Q, response_a=A, response_b=B, reference_answer=None)  # no criterion


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a", Decision.A_BETTER),
        ("b", Decision.B_BETTER),
        ("several", Decision.B_BETTER),  # "[RESULT] A" first, then the final "[RESULT] B"
        ("restated_instruction", Decision.B_BETTER),  # the restated "[RESULT] (A or B)" is not a verdict
        ("prompt_echo", Decision.B_BETTER),  # "[RESULT] A" inside an echoed response is dropped
        ("quoted", Decision.A_BETTER),  # the quoted "[RESULT] B" is superseded by the final marker
        ("truncated", Decision.NONE),
        ("empty", Decision.NONE),
    ],
)
def test_prometheus2_parse_recorded_output_gives_expected_decision(name: str, expected: Decision) -> None:
    assert parse_verdict(fixture("prometheus2", name)).decision is expected


def test_prometheus2_parse_accepts_result_variants_and_rejects_loose_forms() -> None:
    for text in ("... [RESULT] B", "... [RESULT]: B", "... [RESULT] (B)", "... [RESULT] Response B", "... **[RESULT]** B.", "... [RESULT] B</s>"):
        assert parse_verdict(text).decision is Decision.B_BETTER, text
    for text in ("Result: B", "[Response B]", "[RESULT] (A or B)", "[RESULT] Both"):
        assert parse_verdict(text).decision is Decision.NONE, text


def test_prometheus2_judge_keeps_output_and_uses_greedy_params() -> None:
    backend = ScriptedBackend([fixture("prometheus2", "truncated")])
    j = run(get_judge("prometheus2", backend).judge(JudgeContext.of_question(Q), A, B))
    assert j.decision is Decision.NONE and j.output == fixture("prometheus2", "truncated")
    assert backend.calls[0][1].temperature == 0.0 and backend.calls[0][1].max_tokens == 1024


def test_prometheus2_bad_prompt_format_raises_input_error() -> None:
    with pytest.raises(InputError, match="prompt_format"):
        get_judge("prometheus2", ScriptedBackend([""]), prompt_format="completion")
