"""arena_hard / arena_hard_notie: exact prompt (arena-hard-auto v0.1 judge config) and strict verdict parsing."""

from __future__ import annotations

from dataclasses import replace

import jinja2
import pytest

from judgebench.errors import InputError
from judgebench.judges import JudgeContext, get_judge
from judgebench.judges._prompted import render_template
from judgebench.judges.arena_hard import parse_verdict
from judgebench.schema import Decision

from .helpers import ScriptedBackend, failing, fixture, run

# Copied from github.com/lmarena/arena-hard-auto config/judge_config.yaml (commit 7f1b7f5), "system_prompt" and
# "prompt_template": the expected values are the upstream strings, not our template.
UPSTREAM_SYSTEM = (
    "Please act as an impartial judge and evaluate the quality of the responses provided by two AI assistants to the user prompt displayed below. "
    "You will be given assistant A's answer and assistant B's answer. Your job is to evaluate which assistant's answer is better.\n\n"
    "Begin your evaluation by generating your own answer to the prompt. You must provide your answers before judging any answers.\n\n"
    "When evaluating the assistants' answers, compare both assistants' answers with your answer. You must identify and correct any mistakes or inaccurate information.\n\n"
    "Then consider if the assistant's answers are helpful, relevant, and concise. Helpful means the answer correctly responds to the prompt or follows the instructions. "
    "Note when user prompt has any ambiguity or more than one interpretation, it is more helpful and appropriate to ask for clarifications or more information from the user "
    "than providing an answer based on assumptions. Relevant means all parts of the response closely connect or are appropriate to what is being asked. "
    "Concise means the response is clear and not verbose or excessive.\n\n"
    "Then consider the creativity and novelty of the assistant's answers when needed. Finally, identify any missing important information in the assistants' answers "
    "that would be beneficial to include when responding to the user prompt.\n\n"
    "After providing your explanation, you must output only one of the following choices as your final verdict with a label:\n\n"
    "1. Assistant A is significantly better: [[A>>B]]\n2. Assistant A is slightly better: [[A>B]]\n3. Tie, relatively the same: [[A=B]]\n"
    "4. Assistant B is slightly better: [[B>A]]\n5. Assistant B is significantly better: [[B>>A]]\n\n"
    'Example output: "My final verdict is tie: [[A=B]]".'
)
UPSTREAM_PROMPT = (
    "<|User Prompt|>\n{question_1}\n\n<|The Start of Assistant A's Answer|>\n{answer_1}\n<|The End of Assistant A's Answer|>\n\n"
    "<|The Start of Assistant B's Answer|>\n{answer_2}\n<|The End of Assistant B's Answer|>"
)
Q, A, B = "What is 2 + 2?\nShow your work.", "2 + 2 = 4.", "It is 5."


def test_arena_hard_render_matches_upstream_config_exactly() -> None:
    messages = get_judge("arena_hard", ScriptedBackend([""])).messages(JudgeContext.of_question(Q), A, B)
    assert [m["role"] for m in messages] == ["system", "user"]
    assert messages[0]["content"] == UPSTREAM_SYSTEM
    assert messages[1]["content"] == UPSTREAM_PROMPT.format(question_1=Q, answer_1=A, answer_2=B)


def test_arena_hard_notie_render_offers_two_labels_only() -> None:
    system = get_judge("arena_hard_notie", ScriptedBackend([""])).messages(JudgeContext.of_question(Q), A, B)[0]["content"]
    # JudgeBench's notie text: the five-way list replaced by two choices; its line 1 ends with a space.
    head = UPSTREAM_SYSTEM.split("1. Assistant A is significantly better")[0]
    tail = '1. Assistant A is better: [[A>B]] \n2. Assistant B is better: [[B>A]]\n\nExample output: "My final verdict is Assistant A is better: [[A>B]]".'
    assert system == head + tail
    assert "[[A=B]]" not in system and ">>" not in system


def test_arena_hard_render_shows_response_a_first_and_no_template_header() -> None:
    user = get_judge("arena_hard", ScriptedBackend([""])).messages(JudgeContext.of_question(Q), "FIRST", "SECOND")[1]["content"]
    assert user.index("FIRST") < user.index("<|The End of Assistant A's Answer|>") < user.index("SECOND")
    assert not user.startswith(("\n", " ")) and "{#" not in user and "arena-hard-auto" not in user


def test_arena_hard_template_missing_variable_raises() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render_template("arena_hard", question=Q, response_a=A)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a_much_better", Decision.A_BETTER),  # [[A>>B]] collapses to A>B
        ("b_slightly_better", Decision.B_BETTER),
        ("tie", Decision.TIE),
        ("several_verdicts", Decision.B_BETTER),  # a draft [[A>B]], then the final [[B>>A]]
        ("quoted_from_response", Decision.A_BETTER),  # the quoted "[[B>>A]]" of response B is superseded by the final label
        ("prompt_echo", Decision.A_BETTER),  # labels inside the echoed responses are skipped
        # Only a label quoted from response B ('ends with "[[B>>A]]" appended'), then cut off: a mention, not a
        # verdict, so no decision (arena-hard-auto and JudgeBench read B>A here). A quoted *verdict* still counts:
        # 9 of 700 outputs of JudgeBench's o1-mini run end with one (tests/test_reparse.py).
        ("quoted_then_truncated", Decision.NONE),
        ("truncated", Decision.NONE),
        ("empty", Decision.NONE),
        ("notie_tie", Decision.TIE),  # a tie written despite the notie prompt is kept as a tie
    ],
)
def test_arena_hard_parse_recorded_output_gives_expected_decision(name: str, expected: Decision) -> None:
    assert parse_verdict(fixture("arena_hard", name)).decision is expected


def test_arena_hard_parse_label_mapping_collapses_strength() -> None:
    for label, expected in {"A>>B": "A>B", "A>B": "A>B", "A=B": "A=B", "B>A": "B>A", "B>>A": "B>A"}.items():
        assert parse_verdict(f"My final verdict is: [[{label}]]").decision == Decision(expected)
    assert parse_verdict("My final verdict is [[A<B]]").decision is Decision.NONE  # not in the vocabulary


def test_arena_hard_judge_unparseable_output_is_no_decision_with_raw_text_kept() -> None:
    text = fixture("arena_hard", "truncated")
    backend = ScriptedBackend([text, text])
    j = run(get_judge("arena_hard", backend, continue_attempts=1).judge(JudgeContext.of_question(Q), A, B))
    assert j.decision is Decision.NONE and j.error is None
    assert j.output == text + "\n" + text  # both attempts kept, joined as arena-hard-auto does
    assert len(backend.calls) == 2


def test_arena_hard_judge_missing_label_asks_once_more_then_reads_it() -> None:
    backend = ScriptedBackend([fixture("arena_hard", "truncated"), "My final verdict is Assistant B is slightly better: [[B>A]]"])
    j = run(get_judge("arena_hard", backend).judge(JudgeContext.of_question(Q), A, B))
    assert j.decision is Decision.B_BETTER
    follow_up = backend.calls[1][0]
    assert [m["role"] for m in follow_up] == ["system", "user", "assistant", "user"]
    assert follow_up[-1]["content"] == "continue your judgment and finish by outputting a final verdict label"
    assert j.extra["attempts"] == 2 and j.usage.calls == 2


def test_arena_hard_judge_labelled_output_makes_one_call() -> None:
    backend = ScriptedBackend([fixture("arena_hard", "tie")])
    j = run(get_judge("arena_hard", backend).judge(JudgeContext.of_question(Q), A, B))
    assert j.decision is Decision.TIE and len(backend.calls) == 1
    assert backend.calls[0][1].temperature == 0.0 and backend.calls[0][1].max_tokens == 4096


def test_arena_hard_judge_failed_call_records_error() -> None:
    j = run(get_judge("arena_hard", ScriptedBackend([failing("HTTP 503")])).judge(JudgeContext.of_question(Q), A, B))
    assert j.decision is Decision.NONE and j.error == "HTTP 503" and j.output == ""
    assert "<|User Prompt|>" in j.prompt


def test_arena_hard_option_out_of_range_raises_input_error() -> None:
    with pytest.raises(InputError, match="continue_attempts"):
        get_judge("arena_hard", ScriptedBackend([""]), continue_attempts=-1)


def test_arena_hard_follow_up_after_truncated_think_reads_each_turn_on_its_own() -> None:
    # Review B4: turn 1 is cut off inside <think>; joined with turn 2 the whole text read as unclosed reasoning.
    turns = ["<think>\nLet me compare A and B carefully. A's proof has a gap in step 3 and", "My final verdict is [[B>A]]"]
    backend = ScriptedBackend(turns)
    j = run(get_judge("arena_hard", backend).judge(JudgeContext.of_question(Q), A, B))
    assert j.decision is Decision.B_BETTER and len(backend.calls) == 2
    assert j.output == "\n".join(turns) and j.extra["outputs"] == turns and "no_decision_reason" not in j.extra
    # score --reparse reads the stored turns the same way; a record without them is read from the joined output.
    judge = get_judge("arena_hard", ScriptedBackend([""]))
    assert judge.reparse(replace(j, decision=Decision.NONE)).decision is Decision.B_BETTER
    joined_only = replace(j, decision=Decision.B_BETTER, extra={"attempts": 2})
    assert judge.reparse(joined_only).decision is Decision.NONE


def test_arena_hard_follow_up_turn_continuing_the_reasoning_is_read_after_its_closing_tag() -> None:
    turns = ["<think>\nA's proof has a gap and", "B's proof is complete.\n</think>\n\nMy final verdict is Assistant B is slightly better: [[B>A]]"]
    j = run(get_judge("arena_hard", ScriptedBackend(turns)).judge(JudgeContext.of_question(Q), A, B))
    assert j.decision is Decision.B_BETTER and j.extra["attempts"] == 2
