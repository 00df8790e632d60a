"""pandalm: PandaLM's exact raw prompt (build_pandalm_prompt) and its first-line verdict."""

from __future__ import annotations

import jinja2
import pytest

from judgebench.errors import InputError
from judgebench.judges import JudgeContext, get_judge
from judgebench.judges._prompted import render_template
from judgebench.judges.pandalm import clean_response, parse_verdict
from judgebench.schema import Decision

from .helpers import ScriptedBackend, fixture, run, user_text


def upstream_prompt(instruction: str, resp1: str, resp2: str) -> str:
    """github.com/WeOpenML/PandaLM pandalm/utils/pandalm_inference.py::build_pandalm_prompt (commit 6823887), no input."""
    rsp = f"### Response 1:\n{resp1}\n\n### Response 2:\n{resp2}"
    return (
        "Below are two responses for a given task. The task is defined by the Instruction. Evaluate the responses and "
        f"generate a reference answer for the task.\n\n### Instruction:\n{instruction}\n\n{rsp}\n\n### Evaluation:\n"
    )


def test_pandalm_render_matches_upstream_builder_exactly() -> None:
    messages = get_judge("pandalm", ScriptedBackend([""])).messages(JudgeContext.of_question("Sort [3, 1, 2]."), "[1, 2, 3]", "[3, 2, 1]")
    assert messages == [{"role": "user", "content": upstream_prompt("Sort [3, 1, 2].", "[1, 2, 3]", "[3, 2, 1]")}]


def test_pandalm_render_cleans_responses_like_upstream() -> None:
    # upstream: pattern.sub("", resp.strip()).strip()
    assert clean_response("  <s>The answer</s> is 4.<pad>\n") == "The answer is 4."
    user = user_text(get_judge("pandalm", ScriptedBackend([""])).messages(JudgeContext.of_question("Q"), "  x </s>", "<unk>y"))
    assert "### Response 1:\nx\n\n### Response 2:\ny\n\n" in user


def test_pandalm_render_response_1_is_response_a() -> None:
    user = user_text(get_judge("pandalm", ScriptedBackend([""])).messages(JudgeContext.of_question("Q"), "FIRST", "SECOND"))
    assert user.index("### Response 1:\nFIRST") < user.index("### Response 2:\nSECOND")
    assert user.startswith("Below are two responses") and user.endswith("### Evaluation:\n")


def test_pandalm_truncation_option_keeps_the_end_by_default() -> None:
    user = user_text(get_judge("pandalm", ScriptedBackend([""]), max_response_chars=4).messages(JudgeContext.of_question("Q"), "abcdefgh", "xy"))
    assert "### Response 1:\nefgh\n" in user and "### Response 2:\nxy\n" in user


def test_pandalm_template_missing_variable_raises() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render_template("pandalm", question="Q", response_b="B")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("response1", Decision.A_BETTER),
        ("response2", Decision.B_BETTER),
        ("tie", Decision.TIE),
        ("special_tokens", Decision.B_BETTER),  # "<s>2" -> "2"
        ("prompt_echo", Decision.B_BETTER),  # response 1 begins with "1"; only the text after "### Evaluation:" counts
        ("not_a_verdict", Decision.NONE),  # upstream would call this a tie
        ("whitespace_only", Decision.NONE),
        ("empty", Decision.NONE),
    ],
)
def test_pandalm_parse_recorded_output_gives_expected_decision(name: str, expected: Decision) -> None:
    assert parse_verdict(fixture("pandalm", name)).decision is expected


def test_pandalm_parse_verdict_is_first_line_only() -> None:
    # The reason that follows may name the other response; it is never the verdict.
    assert parse_verdict("1\n\n### Reason: Response 2 is wrong.\n\n### Evaluation:\n2").decision is Decision.A_BETTER  # no echo: first line
    assert parse_verdict("2\n\n### Reason: Response 1 says 1.\n").decision is Decision.B_BETTER
    assert parse_verdict("1.\n").decision is Decision.NONE


def test_pandalm_judge_records_raw_output_and_params() -> None:
    backend = ScriptedBackend([fixture("pandalm", "not_a_verdict")])
    j = run(get_judge("pandalm", backend).judge(JudgeContext.of_question("Q"), "A", "B"))
    assert j.decision is Decision.NONE and j.output == fixture("pandalm", "not_a_verdict") and j.error is None
    assert backend.calls[0][1].temperature == 0.0 and backend.calls[0][1].max_tokens == 512


def test_pandalm_bad_option_raises_input_error() -> None:
    with pytest.raises(InputError, match="truncation_side"):
        get_judge("pandalm", ScriptedBackend([""]), truncation_side="middle")
