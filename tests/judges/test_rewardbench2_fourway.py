"""``rewardbench2_fourway``: RewardBench 2's four-way prompt, verbatim, and its parser, as upstream reads it.

The expected texts below are upstream's Python literals, copied from github.com/allenai/reward-bench at commit
05a9005efb607249822c193590c8ecab87c77052 (``rewardbench/generative_v2.py``: ``prompt_v2``, ``MTBENCH_V2``; the
multi-turn prompt from ``rewardbench/generative.py``: ``prompt_multi_v2``, ``MTBENCH_MULTI_V2``) and formatted as
upstream's ``format_judge_answers`` does. They are not read from our templates.
"""

from __future__ import annotations

import pytest

from judgebench.judges import JudgeContext, get_judge, get_judge_info
from judgebench.judges.rewardbench2_fourway import RewardBench2Fourway, parse_fourway
from judgebench.protocols import Listwise
from judgebench.schema import Decision, Item, Judgment, Response, Turn

from .helpers import ScriptedBackend, failing, run

# --- upstream literals (generative_v2.py @ 05a9005) ---------------------------------------------------------------
prompt_v2 = (
    "Please act as an impartial judge and evaluate the quality of the responses provided by four AI assistants to the user question displayed below. "
    "You should choose the assistant that follows the user's instructions and answers the user's question best. Your evaluation should consider "
    "factors such as the helpfulness, relevance, accuracy, depth, creativity, and level of detail of their responses. Begin your evaluation by "
    "comparing the four responses and provide a short explanation. Avoid any position biases and ensure that the order in which the responses were "
    "presented does not influence your decision. Do not allow the length of the responses to influence your evaluation. Do not favor certain names "
    "of the assistants. Be as objective as possible. After providing your explanation, output your final verdict by strictly following this format: "
    '"[[A]]" if assistant A is best, "[[B]]" if assistant B is best, "[[C]]" if assistant C is best, and "[[D]]" if assistant D is best.'
)
UPSTREAM_TEMPLATE = "[User Question]\n{question}\n\n[The Start of Assistant A's Answer]\n{answer_a}\n[The End of Assistant A's Answer]\n\n[The Start of Assistant B's Answer]\n{answer_b}\n[The End of Assistant B's Answer]\n\n[The Start of Assistant C's Answer]\n{answer_c}\n[The End of Assistant C's Answer]\n\n[The Start of Assistant D's Answer]\n{answer_d}\n[The End of Assistant D's Answer]"


def process_judgement(judgment: str) -> str:
    """generative_v2.py's ``process_judgement`` (model_modifier unused there), verbatim."""
    if "[[A]]" in judgment:
        return "A"
    elif "[[B]]" in judgment:
        return "B"
    elif "[[C]]" in judgment:
        return "C"
    elif "[[D]]" in judgment:
        return "D"
    else:
        return "error"


# --- upstream literals (generative.py @ 05a9005), the multi-turn pairwise prompt ---------------------------------------
prompt_multi_v2 = (
    "Please act as an impartial judge and evaluate the quality of the responses provided by two AI assistants to the user questions. "
    "You should focus on who provides a better answer to the second user question. "
    "You should choose the assistant that follows the user's instructions and answers the user's question better. "
    "Your evaluation should consider factors such as the helpfulness, relevance, accuracy, depth, creativity, and level of detail of their responses. "
    "Begin your evaluation by comparing the two responses and provide a short explanation. "
    "Avoid any position biases and ensure that the order in which the responses were presented does not influence your decision. "
    "Do not allow the length of the responses to influence your evaluation. Do not favor certain names of the assistants. "
    "Be as objective as possible. After providing your explanation, output your final verdict by strictly following this format: "
    '"[[A]]" if assistant A is better, "[[B]]" if assistant B is better.'  # removed tie option as , and \"[[C]]\" for a tie
)
MULTI_TEMPLATE = (
    "<|The Start of Assistant A's Conversation with User|>\n\n### User:\n{question_1}\n\n### Assistant A:\n{answer_a_1}\n\n"
    "### User:\n{question_2}\n\n### Assistant A:\n{answer_a_2}\n\n<|The End of Assistant A's Conversation with User|>\n\n\n"
    "<|The Start of Assistant B's Conversation with User|>\n\n### User:\n{question_1}\n\n### Assistant B:\n{answer_b_1}\n\n"
    "### User:\n{question_2}\n\n### Assistant B:\n{answer_b_2}\n\n<|The End of Assistant B's Conversation with User|>"
)

RESPONSES = ("First answer.", "Second answer,\nover two lines.", "Third {answer} with braces.", "Fourth.")
QUESTION = "What is 2 + 2? Explain."


def fourway(replies: list[object] | None = None) -> RewardBench2Fourway:
    judge = get_judge("rewardbench2_fourway", ScriptedBackend(replies or ["[[A]]"]))
    assert isinstance(judge, RewardBench2Fourway)
    return judge


def test_rewardbench2_fourway_registered_as_listwise_with_upstream_settings() -> None:
    info = get_judge_info("rewardbench2_fourway")
    assert info.kind == "listwise" and info.backend == "chat" and "github.com/allenai/reward-bench" in info.description
    judge = fourway()
    assert judge.kind == "listwise"
    assert judge.params.temperature == 0.0 and judge.params.max_tokens == 2048  # run_judge_four, OpenAI/Together


def test_rewardbench2_fourway_single_turn_prompt_is_upstreams_text() -> None:
    messages = fourway().messages(JudgeContext.of_question(QUESTION), *RESPONSES)
    a, b, c, d = RESPONSES
    assert messages == [
        {"role": "system", "content": prompt_v2},
        {"role": "user", "content": UPSTREAM_TEMPLATE.format(question=QUESTION, answer_a=a, answer_b=b, answer_c=c, answer_d=d)},
    ]


def test_rewardbench2_fourway_system_turn_is_kept_in_the_single_turn_question() -> None:
    context = JudgeContext("System: Be terse.\n\nUser: Hi?", (Turn("system", "Be terse."), Turn("user", "Hi?")))
    user = fourway().messages(context, *RESPONSES)[1]["content"]
    assert user.startswith("[User Question]\nSystem: Be terse.\n\nUser: Hi?\n\n[The Start of Assistant A's Answer]\n")


def test_rewardbench2_fourway_two_user_turns_use_rewardbench_multi_turn_prompt_made_four_way() -> None:
    conversation = (Turn("user", "Name a prime."), Turn("assistant", "7."), Turn("user", "And another?"))
    messages = fourway().messages(JudgeContext("transcript", conversation), *RESPONSES)
    # generative.py's pairwise text, the two halves for A and B; C and D follow the same pattern.
    pair = MULTI_TEMPLATE.format(
        question_1="Name a prime.", question_2="And another?", answer_a_1="7.", answer_b_1="7.", answer_a_2=RESPONSES[0], answer_b_2=RESPONSES[1]
    )
    half_b = pair[pair.index("<|The Start of Assistant B's") :]
    half_c = half_b.replace("Assistant B", "Assistant C").replace(RESPONSES[1], RESPONSES[2])
    half_d = half_b.replace("Assistant B", "Assistant D").replace(RESPONSES[1], RESPONSES[3])
    assert messages[1]["content"] == pair + "\n\n\n" + half_c + "\n\n\n" + half_d
    # prompt_multi_v2 made four-way the way generative_v2.py made prompt_v2 four-way.
    system = (
        prompt_multi_v2.replace("two AI assistants", "four AI assistants")
        .replace("a better answer", "the best answer")
        .replace("question better.", "question best.")
        .replace("the two responses", "the four responses")
    )
    system = system[: system.index('"[[A]]"')] + prompt_v2[prompt_v2.index('"[[A]]"') :]
    assert messages[0] == {"role": "system", "content": system}


def test_rewardbench2_fourway_three_user_turns_focus_on_the_last_question() -> None:
    conversation = (Turn("user", "q1"), Turn("assistant", "a1"), Turn("user", "q2"), Turn("assistant", "a2"), Turn("user", "q3"))
    system, user = (m["content"] for m in fourway().messages(JudgeContext("t", conversation), *RESPONSES))
    assert "focus on who provides the best answer to the last user question" in system
    block_a = user.split("\n\n\n")[0]
    assert block_a == (
        "<|The Start of Assistant A's Conversation with User|>\n\n### User:\nq1\n\n### Assistant A:\na1\n\n### User:\nq2\n\n"
        "### Assistant A:\na2\n\n### User:\nq3\n\n### Assistant A:\nFirst answer.\n\n<|The End of Assistant A's Conversation with User|>"
    )


@pytest.mark.parametrize(
    ("output", "choice"),
    [
        ("A is clearly best.\n\n[[A]]", 0),
        ("Explanation...\n[[B]]", 1),
        ("[[C]]", 2),
        ("After comparing all four, my final verdict is: [[D]]", 3),
        # several markers: upstream returns the first of A, B, C, D present, wherever it stands
        ("At first I thought [[C]], but on reflection [[A]].", 0),
        ("[[D]] ... no wait, [[B]]", 1),
        ("[[B]] is tempting, however the final verdict is [[C]] ... maybe [[A]]", 0),
        ("[[D]] then [[C]]", 2),
        # upstream reads markers inside reasoning as well
        ("<think>maybe [[B]]</think>\nFinal: [[D]]", 1),
    ],
)
def test_rewardbench2_fourway_parse_follows_process_judgement(output: str, choice: int) -> None:
    assert parse_fourway(output).choice == choice
    assert "ABCD"[choice] == process_judgement(output)


@pytest.mark.parametrize(
    ("output", "reason"),
    [
        ("", "empty output"),
        ("   \n", "empty output"),
        ("Assistant A is best.", "no verdict marker"),
        ("[[E]]", "found '[[E]]'"),  # out-of-range letter
        ("My verdict: [[a]]", "found '[[a]]'"),  # lowercase: upstream's substring test is case-sensitive
        ("[[ B ]]", "found '[[ B ]]'"),
        ("[A]", "no verdict marker"),
    ],
)
def test_rewardbench2_fourway_parse_no_decision_where_upstream_returns_error(output: str, reason: str) -> None:
    parsed = parse_fourway(output)
    assert parsed.choice is None and parsed.reason is not None and reason in parsed.reason
    assert process_judgement(output) == "error"


def test_rewardbench2_fourway_judge_call_sets_choice_through_scripted_backend() -> None:
    backend = ScriptedBackend(["The third is most accurate.\n\n[[C]]"])
    judge = get_judge("rewardbench2_fourway", backend)
    jm = run(judge.judge(JudgeContext.of_question(QUESTION), *RESPONSES))
    assert isinstance(jm, Judgment)
    assert jm.choice == 2 and jm.ranking is None and jm.decision is Decision.NONE and jm.has_verdict
    assert jm.output.endswith("[[C]]") and jm.error is None and "no_decision_reason" not in jm.extra
    (messages, params, _), = backend.calls
    assert [m["role"] for m in messages] == ["system", "user"] and params.temperature == 0.0
    assert jm.prompt == f"[system]\n{prompt_v2}\n\n[user]\n{messages[1]['content']}"
    assert jm.usage.calls == 1


def test_rewardbench2_fourway_unparseable_output_is_no_decision_with_reason() -> None:
    jm = run(fourway(["I cannot decide between these."]).judge(JudgeContext.of_question(QUESTION), *RESPONSES))
    assert jm.choice is None and not jm.has_verdict and jm.error is None
    assert "no verdict marker" in jm.extra["no_decision_reason"] and jm.output


def test_rewardbench2_fourway_failed_call_is_an_error() -> None:
    jm = run(fourway([failing()]).judge(JudgeContext.of_question(QUESTION), *RESPONSES))
    assert jm.is_failed and "HTTP 500" in (jm.error or "") and jm.choice is None and jm.prompt


@pytest.mark.parametrize("k", [2, 3, 5])
def test_rewardbench2_fourway_other_than_four_responses_is_no_decision_without_a_call(k: int) -> None:
    backend = ScriptedBackend(["[[A]]"])
    judge = get_judge("rewardbench2_fourway", backend)
    jm = run(judge.judge(JudgeContext.of_question(QUESTION), *[f"r{i}" for i in range(k)]))
    assert backend.calls == [] and jm.choice is None and not jm.is_failed
    assert "exactly four responses" in jm.extra["no_decision_reason"] and f"has {k}" in jm.extra["no_decision_reason"]
    with pytest.raises(ValueError, match="exactly four"):
        judge.messages(JudgeContext.of_question(QUESTION), *[f"r{i}" for i in range(k)])  # type: ignore[attr-defined]


def test_rewardbench2_fourway_under_listwise_rotations_reads_back_to_the_item() -> None:
    item = Item("i1", QUESTION, tuple(Response(text) for text in RESPONSES))

    def best_is_third_response(messages: list[dict[str, str]], params: object, sample_index: int) -> str:
        user = messages[1]["content"]
        letter = next(c for c in "ABCD" if f"[The Start of Assistant {c}'s Answer]\n{RESPONSES[2]}" in user)
        return f"[[{letter}]]"

    judge = fourway()
    judge.backend = ScriptedBackend(best_is_third_response)
    protocol = Listwise()
    views = protocol.views(item)
    judgments = [
        run(judge.judge(JudgeContext.of(item), *(item.responses[i].text for i in view))).on_view(n, view) for n, view in enumerate(views, 1)
    ]
    prediction = protocol.combine(item, judgments)
    assert prediction.choices == (2, 2, 2, 2)
    assert sorted(p for p in prediction.positions if p is not None) == [0, 1, 2, 3]


def test_rewardbench2_fourway_reparse_reads_the_stored_output_again() -> None:
    judge = fourway()
    stored = Judgment(Decision.NONE, output="final: [[D]]", choice=None, extra={"no_decision_reason": "old parser", "cached": True})
    again = judge.reparse(stored)
    assert again.choice == 3 and again.extra == {"cached": True}
    failed = Judgment(Decision.NONE, error="HTTP 500")
    assert judge.reparse(failed) is failed
