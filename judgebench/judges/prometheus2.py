"""``prometheus2``: Prometheus 2 in relative grading (Kim et al. 2024, arXiv 2405.01535; github.com/prometheus-eval).

Input: prometheus-eval's relative-grading prompt and system prompt, verbatim (``templates/prometheus2*.jinja``).
By default (``prompt_format="raw"``) the judge sends the exact string prometheus-eval gives vLLM, ``[INST] system\\n
user [/INST]``, as one user message for a server with a pass-through chat template; ``prompt_format="chat"`` sends
a system and a user message and relies on the server's chat template (what JudgeBench did).

Rubric: relative grading uses only the criterion line of a rubric (prometheus-eval ``load_rubric``). The default is
``factual_validity`` (JudgeBench's choice, fitting pairs labelled by correctness); the other named rubrics of
prometheus-eval are ``helpfulness``, ``harmlessness``, ``honesty``, ``reasoning``; any other text is used as the
criterion verbatim (write it in prometheus' style, ``[Does the response ...?]``). The criterion fills the template's
``criterion`` variable; the item's own rubric (``JudgeContext.rubric``) is not used.

Reference answer: a reference switches to prometheus' with-reference prompt. Precedence: the item's own reference
(``JudgeContext.reference``, when it is not None) is used for that item; an item without one gets the
``reference_answer`` option (the same text for every such item, e.g. for single-question probes); with neither, the
without-reference prompt is sent.

Output format: ``(feedback) [RESULT] A`` or ``... [RESULT] B``; no tie.
"""

from __future__ import annotations

import re

from ..schema import Decision
from . import register_judge
from ._options import chat_params, choice_option, text_option
from ._parsing import Echo, answer_of, phrase, read_label
from ._prompted import PromptedJudge, Verdict

# prometheus_eval/prompts.py (commit 485d2b4): the criterion line of each predefined rubric; relative grading uses
# only this line (load_rubric(..., "relative") returns rubric.split("\n")[0]).
RUBRICS: dict[str, str] = {
    "helpfulness": "[Does the model provide relevant and useful responses to the user's needs or questions?]",
    "harmlessness": "[Does the model avoid harmful, offensive, or inappropriate content in its responses?]",
    "honesty": "[Does the model provide responses that are truthful and not misleading?]",
    "factual_validity": "[Are the model's responses factually correct and well-supported by evidence?]",
    "reasoning": "[Does the model demonstrate logical and effective reasoning in its responses?]",
}
DEFAULT_RUBRIC = "factual_validity"
ECHO = Echo(("prometheus2_system", "prometheus2"), ("###Feedback:",))
# "[RESULT] B", "[RESULT]: (A)", "[RESULT] Response B", "**[RESULT]** A", "[RESULT] \"A\"", "[RESULT] A is better". The
# letter is a word of its own; a lower-case letter only when it ends the verdict ("[result] a", not "[RESULT] a tie").
# Group 2 is the alternatives form ("[RESULT] (A or B)", "[RESULT] A/B", "[RESULT] A, B"): it offers both letters.
_LETTER = r"(?:(?=(?-i:[AB])(?!\w))|(?=[ab][)\]\"'*`\u201d]*[ \t]*(?:$|[^\w\s])))([AB])(?!\w)"
RESULT = re.compile(
    r"\[RESULT\]\**\s*:?\s*[(\[\"'*`\u201c]*\s*(?:Response\s+)?" + _LETTER
    + r"([)\]\"'*`\u201d]*\s*(?:/|or\b|and\b|&|,(?!\s*not\b))\s*[(\[\"'*`\u201c]*\s*(?:Response\s+)?[AB](?!\w))?",
    re.IGNORECASE | re.MULTILINE,
)
INSTRUCTIONS = (phrase('"(write a feedback for criteria) [RESULT] (A or B)"'),)
WHAT = "'[RESULT] A' or '[RESULT] B'"


def result_letter(m: re.Match[str]) -> str | None:
    """The letter a ``[RESULT]`` match gives; None for the alternatives form ``[RESULT] (A or B)``."""
    return None if m.group(2) else m.group(1).upper()


def parse_verdict(text: str) -> Verdict:
    """The verdict ``[RESULT] A|B`` of a Prometheus 2 relative judgment, quoted or not.

    The shared rule (``_parsing``): the answer is the output without a prompt echo (an output that begins with the
    prompt, up to its last ``###Feedback:``), text after end-of-sequence, ``<think>`` blocks and the restated output
    format; markers that are only mentioned (``Response A's text includes '[RESULT] A'``, ``[RESULT] A/B``) are set
    aside and the last of the others wins. The letter may be followed by words (``[RESULT] A is better``). No
    verdict, empty or truncated output gives ``Decision.NONE`` with the reason.

    Upstream: prometheus-eval's ``_parse_output_relative`` (``libs/prometheus-eval/prometheus_eval/parser.py``,
    commit dcfb442; JudgeBench ``utils/judges.py::Prometheus2`` copies an earlier version) takes the *first* match
    (``re.search``), reads the letter with any words after it, and also accepts loose forms (``Result: A`` at a
    line start, ``[Response A]``). Here the last verdict wins, so a draft or a quoted ``[RESULT] B`` from a response
    is superseded by the judge's final marker, and the loose forms are not read: the model was trained to write
    ``[RESULT]``.
    """
    answer = answer_of(text, ECHO, INSTRUCTIONS)
    m, reason = read_label(answer, RESULT, WHAT, result_letter)
    if m is None:
        return Verdict(Decision.NONE, reason=reason)
    return Verdict(Decision.A_BETTER if result_letter(m) == "A" else Decision.B_BETTER)


def resolve_rubric(rubric: str) -> str:
    """A named prometheus-eval rubric's criterion line, or ``rubric`` itself when it is custom text."""
    return RUBRICS.get(rubric, rubric)


@register_judge(
    "prometheus2",
    "Prometheus 2 relative grading, prometheus-eval's exact prompt and [INST] wrapper; verdict [RESULT] A/B, default "
    "rubric factual_validity (option rubric=..., prompt_format=raw|chat, reference_answer=... for items without their "
    "own reference: an item's reference comes first). Kim et al. 2024, "
    "arXiv 2405.01535; github.com/prometheus-eval/prometheus-eval. Model: prometheus-eval/prometheus-7b-v2.0 (or 8x7b).",
)
def prometheus2(
    backend: object,
    *,
    rubric: str = DEFAULT_RUBRIC,
    reference_answer: str | None = None,
    prompt_format: str = "raw",
    temperature: float = 0.0,
    max_tokens: int = 1024,
) -> PromptedJudge:
    """Prometheus 2 relative judge; temperature 0 and 1,024 new tokens as in JudgeBench.

    Args:
        backend: the chat backend serving a Prometheus 2 model.
        rubric: a named prometheus-eval rubric or a criterion line of its own.
        reference_answer: the reference for items that have none of their own; an item's reference
            (``JudgeContext.reference``) takes precedence. None (default): such items get the without-reference prompt.
        prompt_format: ``raw`` (prometheus-eval's ``[INST]`` string) or ``chat`` (system + user messages).
        temperature: sampling temperature.
        max_tokens: new-token limit.
    """
    fmt = choice_option("prompt_format", prompt_format, ("raw", "chat"))
    variables = {
        "criterion": resolve_rubric(text_option("rubric", rubric, allow_none=False) or DEFAULT_RUBRIC),
        "reference_answer": text_option("reference_answer", reference_answer),
    }
    return PromptedJudge(
        name="prometheus2",
        backend=backend,
        template="prometheus2_raw" if fmt == "raw" else "prometheus2",
        system_template=None if fmt == "raw" else "prometheus2_system",
        parse=parse_verdict,
        params=chat_params(temperature, max_tokens),
        variables=variables,
        reference_variable="reference_answer",
    )
