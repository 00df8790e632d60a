"""mt_bench_single: FastChat's four single-answer prompts rendered verbatim, and Rating: [[N]] read as FastChat does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from judgebench.judges import JudgeContext, get_judge
from judgebench.judges.mt_bench_single import parse_rating
from judgebench.schema import Item, Response, Turn

from .helpers import ScriptedBackend, failing, run

PROMPTS = Path("/work/shared/data/mt-bench/judge_prompts.jsonl")
# fastchat/llm_judge/data/judge_prompts.jsonl (commit 0e6d3e4), the same file; a copy of single-v1 for machines
# without the shared data.
SINGLE_V1_SYSTEM = "You are a helpful assistant."


def upstream(name: str) -> dict[str, str]:
    if not PROMPTS.exists():
        pytest.skip("the shared MT-Bench data is not on this machine")
    return next(d for d in map(json.loads, PROMPTS.read_text().splitlines()) if d["name"] == name)


def context(item: Item) -> JudgeContext:
    return JudgeContext.of(item)


def test_single_v1_is_fastchats_prompt() -> None:
    p = upstream("single-v1")
    assert p["system_prompt"] == SINGLE_V1_SYSTEM
    judge = get_judge("mt_bench_single", ScriptedBackend([""]))
    messages = judge.messages(JudgeContext.of_question("What is 2+2?"), "4.")
    assert messages == [
        {"role": "system", "content": p["system_prompt"]},
        {"role": "user", "content": p["prompt_template"].format(question="What is 2+2?", answer="4.")},
    ]


def test_single_math_v1_uses_the_items_reference() -> None:
    p = upstream("single-math-v1")
    item = Item("m1", "Solve x+1=3.", (Response("x=2"),), reference="x = 2")
    messages = get_judge("mt_bench_single", ScriptedBackend([""])).messages(context(item), "x=2")
    assert messages[0]["content"] == p["system_prompt"]
    assert messages[1]["content"] == p["prompt_template"].format(question="Solve x+1=3.", answer="x=2", ref_answer_1="x = 2")
    no_ref = get_judge("mt_bench_single", ScriptedBackend([""]), reference="never").messages(context(item), "x=2")
    assert no_ref[1]["content"] == upstream("single-v1")["prompt_template"].format(question="Solve x+1=3.", answer="x=2")


def two_turns(**kw: object) -> Item:
    prompt = (Turn("user", "Q one"), Turn("assistant", "A one"), Turn("user", "Q two"))
    return Item("t2", prompt, (Response("A two"),), **kw)  # type: ignore[arg-type]


def test_multi_turn_fills_the_two_turn_template() -> None:
    p = upstream("single-v1-multi-turn")
    judge = get_judge("mt_bench_single", ScriptedBackend(["Rating: [[6]]"]))
    messages = judge.messages(context(two_turns()), "A two")
    assert messages == [
        {"role": "system", "content": p["system_prompt"]},
        {"role": "user", "content": p["prompt_template"].format(question_1="Q one", answer_1="A one", question_2="Q two", answer_2="A two")},
    ]
    assert p["system_prompt"].endswith("\n\n")
    jm = run(judge.judge(context(two_turns()), "A two"))
    assert jm.rating == 6.0 and jm.extra["template"] == "single-v1-multi-turn"


def test_multi_turn_math_takes_both_turns_references() -> None:
    p = upstream("single-math-v1-multi-turn")
    item = two_turns(reference="R two", metadata={"reference_turns": ["R one", "R two"]})
    messages = get_judge("mt_bench_single", ScriptedBackend([""])).messages(context(item), "A two")
    assert messages[0]["content"] == p["system_prompt"]
    assert messages[1]["content"] == p["prompt_template"].format(
        question_1="Q one", answer_1="A one", question_2="Q two", answer_2="A two", ref_answer_1="R one", ref_answer_2="R two"
    )
    # one reference cannot fill both turns: the general two-turn prompt, recorded
    jm = run(get_judge("mt_bench_single", ScriptedBackend(["[[3]]"])).judge(context(two_turns(reference="R two")), "A two"))
    assert jm.extra["template"] == "single-v1-multi-turn"


@pytest.mark.parametrize(
    ("output", "rating"),
    [
        ("The answer is right.\n\nRating: [[9]]", 9.0),
        ("Rating: [[7.5]]", 7.5),
        ("Rating: [10]", 10.0),  # the backup pattern
        ("First [[3]], on reflection Rating: [[8]]", 3.0),  # FastChat takes the first match
        ("[[4]] and the backup [6]", 4.0),
    ],
)
def test_parse_reads_fastchats_first_match(output: str, rating: float) -> None:
    assert parse_rating(output).value == rating


@pytest.mark.parametrize(("output", "reason"), [("Rating: 7", "no [[rating]]"), ("", "empty output"), ("Rating: [[ 7 ]]", "no [[rating]]")])
def test_parse_missing_rating_is_no_decision(output: str, reason: str) -> None:
    read = parse_rating(output)
    assert read.value is None and reason in (read.reason or "")


@pytest.mark.parametrize("output", ["Rating: [[0]]", "Rating: [[11]]", "Rating: [[10.5]]"])
def test_out_of_scale_rating_is_no_decision_with_the_number(output: str) -> None:
    jm = run(get_judge("mt_bench_single", ScriptedBackend([output])).judge(JudgeContext.of_question("Q"), "R"))
    assert jm.rating is None and not jm.is_failed
    assert "outside the scale 1-10" in jm.extra["no_decision_reason"] and "rating_read" in jm.extra


def test_judgment_is_a_rating_and_a_failed_call_an_error() -> None:
    jm = run(get_judge("mt_bench_single", ScriptedBackend(["Fine.\nRating: [[5]]"])).judge(JudgeContext.of_question("Q"), "R"))
    assert (jm.rating, jm.score_kind, jm.decision.value, jm.extra["template"]) == (5.0, "rating", "none", "single-v1")
    assert jm.has_verdict
    failed = run(get_judge("mt_bench_single", ScriptedBackend([failing()])).judge(JudgeContext.of_question("Q"), "R"))
    assert failed.is_failed and failed.rating is None


def test_registered_as_pointwise() -> None:
    from judgebench.judges import get_judge_info

    assert get_judge_info("mt_bench_single").kind == "pointwise"
    assert get_judge("mt_bench_single", ScriptedBackend([""])).scale == (1.0, 10.0)
