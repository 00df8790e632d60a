"""pairwise_score: FairEval's exact score prompt and its "Score of the Assistant N" parsing."""

from __future__ import annotations

import jinja2
import pytest

from judgebench.judges import JudgeContext, get_judge
from judgebench.judges._prompted import PromptedJudge, render_template
from judgebench.judges.pairwise_score import parse_scores, parse_verdict
from judgebench.schema import Decision

from .helpers import ScriptedBackend, fixture, run, user_text

# Copied from github.com/i-Eval/FairEval FairEval.py::gen_prompt (commit aa71378). default_prompt is an indented
# triple-quoted string: 4-space indents, and the "responses." and "judgment." lines end with a space.
SYS_PROMPT = "You are a helpful and precise assistant for checking the quality of the answer."
PROMPT_TEMPLATE = (
    "[Question]\n{question}\n\n[The Start of Assistant 1's Answer]\n{answer_1}\n[The End of Assistant 1's Answer]\n\n"
    "[The Start of Assistant 2's Answer]\n{answer_2}\n[The End of Assistant 2's Answer]\n\n[System]\n{prompt}\n"
)
DEFAULT_PROMPT = (
    "We would like to request your feedback on the performance of two AI assistants in response to the user question displayed above.\n"
    "    Please rate the helpfulness, relevance, accuracy, level of details of their responses. \n"
    "\n"
    "    Each assistant receives an overall score on a scale of 1 to 10, where a higher score indicates better overall performance.\n"
    "    Please first provide a comprehensive explanation of your evaluation, avoiding any potential bias and ensuring that the order in which the responses were presented does not affect your judgment. \n"
    "    Then, output two lines indicating the scores for Assistant 1 and 2, respectively.\n"
    "\n"
    "    Output with the following format:\n"
    "    Evaluation evidence: <your evluation explanation here>\n"
    "    Score of the Assistant 1: <score>\n"
    "    Score of the Assistant 2: <score>"
)
Q, A, B = "Why do we have seasons?", "Axial tilt.", "Distance to the Sun."


def test_pairwise_score_render_matches_faireval_gen_prompt_exactly() -> None:
    messages = get_judge("pairwise_score", ScriptedBackend([""])).messages(JudgeContext.of_question(Q), A, B)
    assert messages == [
        {"role": "system", "content": SYS_PROMPT},
        {"role": "user", "content": PROMPT_TEMPLATE.format(question=Q, answer_1=A, answer_2=B, prompt=DEFAULT_PROMPT)},
    ]


def test_pairwise_score_render_assistant_1_is_response_a() -> None:
    user = user_text(get_judge("pairwise_score", ScriptedBackend([""])).messages(JudgeContext.of_question(Q), "FIRST", "SECOND"))
    assert user.index("Assistant 1's Answer]\nFIRST") < user.index("Assistant 2's Answer]\nSECOND") and "{#" not in user


def test_pairwise_score_template_missing_variable_raises() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render_template("pairwise_score", question=Q, response_b=B)


@pytest.mark.parametrize(
    ("name", "scores", "expected"),
    [
        ("scores_8_6", (8.0, 6.0), Decision.A_BETTER),
        ("tie", (9.0, 9.0), Decision.TIE),
        ("markdown", (3.0, 9.0), Decision.B_BETTER),  # bold labels and "/10"
        ("draft_then_final", (4.0, 8.0), Decision.B_BETTER),  # a draft score inside the evidence is superseded
        ("prompt_echo", (9.0, 3.0), Decision.A_BETTER),  # the echoed "<score>" placeholders are dropped
        ("truncated", None, Decision.NONE),  # score 2 missing
        ("empty", None, Decision.NONE),
    ],
)
def test_pairwise_score_parse_recorded_output(name: str, scores: tuple[float, float] | None, expected: Decision) -> None:
    assert parse_scores(fixture("pairwise_score", name)) == scores
    assert parse_verdict(fixture("pairwise_score", name)).decision is expected


def test_pairwise_score_default_is_uncalibrated_greedy_prompted_judge() -> None:
    backend = ScriptedBackend([fixture("pairwise_score", "scores_8_6")])
    judge = get_judge("pairwise_score", backend)
    assert isinstance(judge, PromptedJudge) and not judge.order_invariant
    j = run(judge.judge(JudgeContext.of_question(Q), A, B))
    assert j.decision is Decision.A_BETTER and j.scores == (8.0, 6.0)
    assert backend.calls[0][1].temperature == 0.0 and backend.calls[0][1].max_tokens == 512
