"""judgelm: JudgeLM's exact raw prompt (conv_judge_pair) and its first-line score pair."""

from __future__ import annotations

import jinja2
import pytest

from judgebench.errors import InputError
from judgebench.judges import JudgeContext, get_judge
from judgebench.judges._calibrated import CalibratedJudge
from judgebench.judges._prompted import render_template
from judgebench.judges.judgelm import parse_scores, parse_verdict
from judgebench.schema import Decision, Item, Preference, Response

from .helpers import ScriptedBackend, fixture, run, user_text

# Copied from github.com/baaivision/JudgeLM judgelm/llm_judge/common.py (commit 0da7c22): conv_judge_pair and
# conv_judge_pair_w_reference; gen_model_judgement.py builds conv.system + '\n' + prompt_template.format(...) + appendix.
SYSTEM = "You are a helpful and precise assistant for checking the quality of the answer."
PROMPT = (
    "We would like to request your feedback on the performance of two AI assistants in response to the user question displayed above.\n"
    "Please rate the helpfulness, relevance, accuracy, level of details of their responses. Each assistant receives an overall score on a scale of 1 to 10, "
    "where a higher score indicates better overall performance.\n"
    "Please first output a single line containing only two values indicating the scores for Assistant 1 and 2, respectively. The two scores are separated by a space. "
    "In the subsequent line, please provide a comprehensive explanation of your evaluation, avoiding any potential bias and ensuring that the order in which the "
    "responses were presented does not affect your judgment."
)
TEMPLATE = (
    "[Question]\n{question}\n\n[The Start of Assistant 1's Answer]\n{answer_1}\n\n[The End of Assistant 1's Answer]\n\n"
    "[The Start of Assistant 2's Answer]\n{answer_2}\n\n[The End of Assistant 2's Answer]\n\n[System]\n{prompt}\n\n"
)
TEMPLATE_W_REFERENCE = (
    "[Question]\n{question}\n\n[Reference Answer]\n{reference}\n\n[The Start of Assistant 1's Answer]\n{answer_1}\n\n[The End of Assistant 1's Answer]\n\n"
    "[The Start of Assistant 2's Answer]\n{answer_2}\n\n[The End of Assistant 2's Answer]\n\n[System]\n{prompt}\n\n"
)
APPENDIX = "### Response:"
Q, A, B = "Why is the sky blue?", "Rayleigh scattering.", "It reflects the ocean."


def test_judgelm_render_matches_upstream_data_sample_exactly() -> None:
    expected = SYSTEM + "\n" + TEMPLATE.format(question=Q, answer_1=A, answer_2=B, prompt=PROMPT) + APPENDIX
    assert get_judge("judgelm", ScriptedBackend([""])).messages(JudgeContext.of_question(Q), A, B) == [{"role": "user", "content": expected}]


def test_judgelm_render_with_reference_matches_upstream() -> None:
    expected = SYSTEM + "\n" + TEMPLATE_W_REFERENCE.format(question=Q, reference="Rayleigh.", answer_1=A, answer_2=B, prompt=PROMPT) + APPENDIX
    assert user_text(get_judge("judgelm", ScriptedBackend([""]), reference_answer="Rayleigh.").messages(JudgeContext.of_question(Q), A, B)) == expected


def _item(reference: str | None) -> Item:
    return Item("sky", Q, (Response(A, "m"), Response(B, "m")), Preference(0), reference=reference)


@pytest.mark.parametrize("calibrated", [{}, {"bpc": True}], ids=["plain", "bpc"])
def test_judgelm_item_reference_is_rendered_over_the_option(calibrated: dict[str, object]) -> None:
    # The item's own reference wins over the reference_answer option, in the real template, in the prompt sent.
    backend = ScriptedBackend(["8 3"])
    judge = get_judge("judgelm", backend, reference_answer="OPTION-REFERENCE", **calibrated)
    j = run(judge.judge(JudgeContext.of(_item("Light scatters off air molecules.")), A, B))
    expected = SYSTEM + "\n" + TEMPLATE_W_REFERENCE.format(question=Q, reference="Light scatters off air molecules.", answer_1=A, answer_2=B, prompt=PROMPT) + APPENDIX
    assert user_text(backend.calls[0][0]) == expected
    assert "OPTION-REFERENCE" not in j.prompt and "[Reference Answer]\nLight scatters off air molecules.\n" in j.prompt


def test_judgelm_item_without_reference_gets_the_option() -> None:
    backend = ScriptedBackend(["8 3"])
    run(get_judge("judgelm", backend, reference_answer="Rayleigh.").judge(JudgeContext.of(_item(None)), A, B))
    expected = SYSTEM + "\n" + TEMPLATE_W_REFERENCE.format(question=Q, reference="Rayleigh.", answer_1=A, answer_2=B, prompt=PROMPT) + APPENDIX
    assert user_text(backend.calls[0][0]) == expected


def test_judgelm_item_reference_without_option_switches_to_the_reference_prompt() -> None:
    context = JudgeContext.of(_item("Rayleigh."))
    with_ref = SYSTEM + "\n" + TEMPLATE_W_REFERENCE.format(question=Q, reference="Rayleigh.", answer_1=A, answer_2=B, prompt=PROMPT) + APPENDIX
    assert user_text(get_judge("judgelm", ScriptedBackend([""])).messages(context, A, B)) == with_ref
    without = SYSTEM + "\n" + TEMPLATE.format(question=Q, answer_1=A, answer_2=B, prompt=PROMPT) + APPENDIX
    assert user_text(get_judge("judgelm", ScriptedBackend([""])).messages(JudgeContext.of(_item(None)), A, B)) == without


def test_judgelm_render_assistant_1_is_response_a() -> None:
    user = user_text(get_judge("judgelm", ScriptedBackend([""])).messages(JudgeContext.of_question(Q), "FIRST", "SECOND"))
    assert user.index("Assistant 1's Answer]\nFIRST") < user.index("Assistant 2's Answer]\nSECOND")


def test_judgelm_template_missing_variable_raises() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render_template("judgelm", question=Q, response_a=A, response_b=B)  # no reference_answer


@pytest.mark.parametrize(
    ("name", "expected", "scores"),
    [
        ("scores_8_6", Decision.A_BETTER, (8.0, 6.0)),
        ("scores_comma", Decision.B_BETTER, (7.0, 9.0)),
        ("tie", Decision.TIE, (8.0, 8.0)),  # equal scores are a tie (upstream T = 0)
        ("fast_eval", Decision.B_BETTER, (3.0, 9.0)),
        ("prompt_echo", Decision.A_BETTER, (9.0, 4.0)),  # "10 1" inside an echoed answer is dropped
        ("scores_not_first", Decision.NONE, None),  # the format puts the scores first
        ("truncated", Decision.NONE, None),
        ("out_of_range", Decision.NONE, None),
        ("empty", Decision.NONE, None),
    ],
)
def test_judgelm_parse_recorded_output_gives_expected_decision(name: str, expected: Decision, scores: tuple[float, float] | None) -> None:
    verdict = parse_verdict(fixture("judgelm", name))
    assert verdict.decision is expected and verdict.scores == scores
    assert parse_scores(fixture("judgelm", name)) == scores


def test_judgelm_judge_records_scores() -> None:
    j = run(get_judge("judgelm", ScriptedBackend([fixture("judgelm", "scores_8_6")])).judge(JudgeContext.of_question(Q), A, B))
    assert j.decision is Decision.A_BETTER and j.scores == (8.0, 6.0) and j.output == fixture("judgelm", "scores_8_6")


def test_judgelm_fast_eval_stops_at_first_newline_with_16_tokens() -> None:
    backend = ScriptedBackend(["3 9"])
    run(get_judge("judgelm", backend, fast_eval=True).judge(JudgeContext.of_question(Q), A, B))
    params = backend.calls[0][1]
    assert params.stop == ("\n",) and params.max_tokens == 16 and params.temperature == 0.0


def test_judgelm_calibration_options_build_calibrated_judge() -> None:
    judge = get_judge("judgelm", ScriptedBackend([""]), mec_k=3, bpc=True)
    assert isinstance(judge, CalibratedJudge) and judge.order_invariant
    assert not get_judge("judgelm", ScriptedBackend([""])).order_invariant


def test_judgelm_bad_calibration_option_raises_input_error() -> None:
    with pytest.raises(InputError, match="mec_k"):
        get_judge("judgelm", ScriptedBackend([""]), mec_k=0)
    with pytest.raises(InputError, match="bpc"):
        get_judge("judgelm", ScriptedBackend([""]), bpc="yes")
