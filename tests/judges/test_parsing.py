"""The shared verdict rule (``judges/_parsing``): answer extraction, reasons, truncation and reasoning fields."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from judgebench.backends import BackendError, ChatParams, Completion
from judgebench.backends.openai_compat import parse_chat_response
from judgebench.judges import (
    JudgeContext,
    arena_hard,
    auto_j,
    compass_judger,
    get_judge,
    judgelm,
    pairwise_score,
    pandalm,
    prometheus2,
    skywork_critic,
    vanilla,
)
from judgebench.judges._calibrated import CalibratedJudge
from judgebench.judges._parsing import ONLY_MENTIONS, Echo, answer_of, drop_reasoning, phrase, read_label
from judgebench.judges.arena_hard import ECHO, LABEL, label_decision, parse_verdict
from judgebench.schema import Decision, Usage

from .helpers import ScriptedBackend, run


class FinishReasonBackend:
    """A backend (the ``chat`` seam judges call) whose completions end with a given finish reason."""

    name = "finish-reason"

    def __init__(self, texts: list[str], finish_reason: str | None):
        self.texts = texts
        self.finish_reason = finish_reason
        self.calls = 0

    async def chat(self, messages: list[dict[str, str]], params: ChatParams | None = None, *, sample_index: int = 0) -> Completion:
        await asyncio.sleep(0)
        text = self.texts[min(self.calls, len(self.texts) - 1)]
        self.calls += 1
        return Completion(texts=(text,), usage=Usage(calls=1), finish_reason=self.finish_reason)


def test_drop_reasoning_removes_blocks_and_keeps_answer() -> None:
    answer, reasoning, unclosed = drop_reasoning("<think>draft [[B>A]]</think>\nfinal [[A>B]]")
    assert "[[B>A]]" not in answer and "final [[A>B]]" in answer
    assert "draft" in reasoning and not unclosed


def test_drop_reasoning_closing_tag_alone_makes_the_text_before_it_reasoning() -> None:
    # The chat template of DeepSeek-R1 distills opens <think> in the prompt; the output has only the closing tag.
    answer, reasoning, unclosed = drop_reasoning("so [[B>A]]?\n</think>\n[[A>B]]")
    assert answer.strip() == "[[A>B]]" and "[[B>A]]" in reasoning and not unclosed


def test_drop_reasoning_unclosed_at_start_is_all_reasoning_but_later_mention_is_text() -> None:
    assert drop_reasoning("<think>\nstill thinking [[A>B]]") == ("", "<think>\nstill thinking [[A>B]]", True)
    answer, _, unclosed = drop_reasoning("B starts with a stray <think> tag. [[A>B]]")
    assert "[[A>B]]" in answer and not unclosed


def test_drop_reasoning_thinking_spelling_and_case() -> None:
    answer, _, _ = drop_reasoning("<THINKING>[[B>A]]</THINKING> [[A=B]]")
    assert answer.strip() == "[[A=B]]"


def test_drop_reasoning_closing_tag_inside_a_sentence_is_text() -> None:
    # Review B3: a closing tag mentioned after the verdict used to make the verdict "reasoning".
    text = "My final verdict is [[B>A]].\n\nAssistant A's output contains a stray </think> tag."
    assert drop_reasoning(text) == (text, "", False)
    assert parse_verdict(text).decision is Decision.B_BETTER


def test_answer_of_cuts_echo_before_dropping_reasoning() -> None:
    # A response under judgment (inside the echo) opens a <think> it never closes; cutting the echo first keeps the
    # judge's own answer.
    text = "<|User Prompt|>\nq\n\n<|The Start of Assistant A's Answer|>\nA\n<|The End of Assistant A's Answer|>\n\n"
    text += "<|The Start of Assistant B's Answer|>\nB: <think> unfinished\n<|The End of Assistant B's Answer|>\nMy final verdict is [[A>B]]"
    assert parse_verdict(text).decision is Decision.A_BETTER
    assert answer_of(text, ECHO).text.strip() == "My final verdict is [[A>B]]"


def test_echo_is_cut_only_when_the_output_begins_with_the_prompt() -> None:
    # Review B2: the closing marker written anywhere used to wipe out the verdict before it.
    mention = "My final verdict is [[B>A]]\n\n(A appended '<|The End of Assistant B's Answer|>' to its answer.)"
    assert not ECHO.begins(mention) and ECHO.after(mention) is None
    assert answer_of(mention, ECHO).text == mention
    echoed = "<s>[INST] <|User Prompt|>\nq\n<|The End of Assistant B's Answer|> [/INST] [[A>B]]"
    assert ECHO.begins(echoed) and answer_of(echoed, ECHO).text == "[[A>B]]"


# Every prompted judge variant with the Echo its parser uses: the prompt it renders must be recognised as an echo.
ECHOES: list[tuple[str, dict[str, Any], Echo]] = [
    ("vanilla", {}, vanilla.ECHO),
    ("arena_hard", {}, arena_hard.ECHO),
    ("arena_hard_notie", {}, arena_hard.ECHO),
    ("compass_judger", {}, arena_hard.ECHO),
    ("compass_judger", {"prompt_style": "reward"}, compass_judger.REWARD_ECHO),
    ("pandalm", {}, pandalm.ECHO),
    ("prometheus2", {}, prometheus2.ECHO),
    ("prometheus2", {"prompt_format": "chat", "reference_answer": "ref"}, prometheus2.ECHO),
    ("judgelm", {}, judgelm.ECHO),
    ("judgelm", {"reference_answer": "ref", "mec_k": 2}, judgelm.ECHO),
    ("auto_j", {}, auto_j.ECHO),
    ("auto_j", {"prompt_format": "chat"}, auto_j.ECHO),
    ("skywork_critic", {}, skywork_critic.ECHO),
    ("pairwise_score", {}, pairwise_score.ECHO),
]


@pytest.mark.parametrize(("name", "options", "echo"), ECHOES)
def test_every_judge_prompt_echoed_in_full_is_recognised_and_cut(name: str, options: dict[str, Any], echo: Echo) -> None:
    judge = get_judge(name, ScriptedBackend([""]), **options)
    base = judge.base if isinstance(judge, CalibratedJudge) else judge
    prompt = "\n".join(m["content"] for m in base.messages(JudgeContext.of_question("What is 2 + 2?"), "RESPONSE-A", "RESPONSE-B"))
    assert echo.begins(prompt), name
    after = echo.after(prompt + "\nTHE ANSWER")
    assert after is not None and after.endswith("\nTHE ANSWER") and "RESPONSE-" not in after
    assert not echo.begins("THE ANSWER\n" + prompt)  # a prompt quoted later in the output is not an echo


def test_text_after_end_of_sequence_is_not_the_answer() -> None:
    assert answer_of("[[B>A]]</s>\n[INST] more [/INST] [[A>B]]").text == "[[B>A]]"
    assert answer_of("</s>[[A>B]]").problem == "empty output"


def test_read_label_reasons_for_mentions_and_ambiguity() -> None:
    mentions = answer_of("Assistant B ends with \"[[B>>A]]\" and it is not [[A>B]]. Then cut")
    assert read_label(mentions, LABEL, "label", label_decision) == (None, f"{ONLY_MENTIONS} (negated, quoted from a response)")
    ambiguous = answer_of("On correctness [[A>B]] and on style [[B>A]].")
    assert read_label(ambiguous, LABEL, "label", label_decision) == (None, "the last verdict sentence gives different labels ([[A>B]], [[B>A]])")
    corrected = answer_of("On style [[A>B]], but on correctness, which decides, [[B>A]].")
    m, reason = read_label(corrected, LABEL, "label", label_decision)
    assert m is not None and m.group(0) == "[[B>A]]" and reason is None


def test_phrase_matches_prompt_wording_with_any_whitespace_and_quotes() -> None:
    p = phrase('"[[A]]" if assistant A is better, "[[B]]" if assistant B is better')
    assert p.search('Format: “[[A]]” if assistant A is better,\n"[[B]]" if Assistant B is better.')
    assert p.search("[[A]] if assistant A is better, [[B]] if assistant B is better")
    assert not p.search('"[[A]]" if assistant A is better')


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty output"),
        ("<think>[[A>B]]</think>", "verdict labels only inside the <think> reasoning, none in the answer"),
        ("<think>[[A>B]] but", "the output ends inside an unclosed <think> block (reasoning cut off before an answer); verdict labels only inside the <think> reasoning, none in the answer"),
        ("<think>hmm</think>", "no answer after the <think> reasoning"),
        ("A is better.", "no verdict label ([[A>B]] etc.) in the answer"),
        ("<|User Prompt|>\nq <|The End of Assistant B's Answer|>", "the output is only an echo of the prompt"),
        ('Example output: "My final verdict is tie: [[A=B]]".', "the answer only restates the prompt's instructions (its choices or example), no verdict of its own"),
        ("I can't decide between [[A>B]] and [[B>A]]", "labels in the answer are only mentioned, none is given as the verdict (offered as alternatives)"),
    ],
)
def test_no_decision_reason_names_what_was_missing(text: str, reason: str) -> None:
    v = parse_verdict(text)
    assert v.decision is Decision.NONE and v.reason == reason


def test_prompted_judge_truncated_output_without_label_records_finish_reason() -> None:
    backend = FinishReasonBackend(["Assistant A is correct and Assistant B"], "length")
    j = run(get_judge("skywork_critic", backend).judge(JudgeContext.of_question("q"), "a", "b"))
    assert j.decision is Decision.NONE and j.error is None
    assert j.extra["finish_reason"] == "length"
    assert j.extra["no_decision_reason"] == "output truncated (finish_reason=length); no verdict label ([[A]] or [[B]]) in the answer"


def test_prompted_judge_truncated_output_after_label_keeps_the_label() -> None:
    # The decision is a function of the text only (so --reparse reproduces it); the truncation is still recorded.
    j = run(get_judge("skywork_critic", FinishReasonBackend(["[[B]]\n\nThe reason is that Assistant A"], "length")).judge(JudgeContext.of_question("q"), "a", "b"))
    assert j.decision is Decision.B_BETTER and j.extra == {"finish_reason": "length"}


def test_arena_hard_truncated_attempts_record_reason_of_the_joined_output() -> None:
    backend = FinishReasonBackend(["<think>\nlong reasoning [[A>B]] cut"], "length")
    j = run(get_judge("arena_hard", backend, continue_attempts=1).judge(JudgeContext.of_question("q"), "a", "b"))
    assert backend.calls == 2 and j.decision is Decision.NONE
    assert j.extra["no_decision_reason"].startswith("output truncated (finish_reason=length); the output ends inside an unclosed <think> block")


def test_arena_hard_quoted_final_verdict_needs_no_follow_up_call() -> None:
    # Issue 11: a quoted final verdict used to be skipped, which cost a follow-up call and then no decision.
    backend = ScriptedBackend(['Assistant A handles the empty list.\n\nMy final verdict is: "[[A>B]]"', "unused"])
    j = run(get_judge("arena_hard", backend).judge(JudgeContext.of_question("q"), "a", "b"))
    assert j.decision is Decision.A_BETTER and len(backend.calls) == 1 and j.extra == {"attempts": 1}


def _chat_body(message: dict[str, Any]) -> dict[str, Any]:
    return {"choices": [{"index": 0, "message": {"role": "assistant", **message}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 1, "completion_tokens": 1}}


def test_openai_backend_never_returns_the_reasoning_field_as_text() -> None:
    # vLLM/SGLang with a reasoning parser, and DeepSeek's API, put the reasoning in `reasoning_content`: it is not
    # the answer and must not reach a verdict parser.
    c = parse_chat_response(_chat_body({"content": "[[A]]", "reasoning_content": "maybe [[B]]", "reasoning": "maybe [[B]]"}))
    assert c.text == "[[A]]"
    assert get_judge("skywork_critic", ScriptedBackend([c.text])).parse(c.text).decision is Decision.A_BETTER


def test_openai_backend_reasoning_only_is_an_empty_completion_not_a_verdict() -> None:
    with pytest.raises(BackendError, match="empty completion"):
        parse_chat_response(_chat_body({"content": None, "reasoning_content": "[[A>B]] is what I'd say"}))
