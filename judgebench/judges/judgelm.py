"""``judgelm``: JudgeLM (Zhu et al. 2023, "JudgeLM: Fine-tuned Large Language Models are Scalable Judges",
arXiv 2310.17631; github.com/baaivision/JudgeLM).

Input: JudgeLM's exact raw prompt for a pair (``templates/judgelm.jinja``); serve the model with a pass-through chat
template. Output format: the first line holds two scores (1-10) for Assistant 1 and 2, ``"8 6"`` (a comma is also
accepted, as upstream's ``parse_score``), then an explanation. The decision is the higher score; equal scores are a
tie (upstream ``translate_score_to_win_list`` with T=0). Both scores are recorded.

Options: ``fast_eval=true`` stops at the first newline with 16 new tokens (JudgeLM's ``--if-fast-eval``: scores only,
as JudgeBench ran it); by default the explanation is kept for inspection (it follows the scores and does not change
them). ``mec_k`` / ``bpc`` / ``mec_temperature`` apply FairEval's calibrations (see ``_calibrated``).
A reference answer switches to JudgeLM's with-reference prompt. Precedence: the item's own reference
(``JudgeContext.reference``, when it is not None) is used for that item; an item without one gets the
``reference_answer`` option (the same text for every such item); with neither, the without-reference prompt is sent.
``max_response_chars`` approximates JudgeBench's token truncation to the 2,048-token context (right side).
Temperature defaults to 0 (JudgeBench; upstream's scripts sample at 0.2).
"""

from __future__ import annotations

import re

from . import register_judge
from ._calibrated import CalibratedJudge, Calibration, score_judge, verdict_parser
from ._inputs import PreparedJudge
from ._options import bool_option, chat_params, text_option
from ._parsing import Echo, answer_of
from ._prompted import PromptedJudge

ECHO = Echo(("judgelm",), ("### Response:",))
SCORE_RANGE = (0.0, 10.0)
_SCORE_PAIR = re.compile(r"^\s*\d+(?:\.\d+)?(?:\s*,\s*|\s+)\d+(?:\.\d+)?\s*$", re.MULTILINE)


def read_scores(text: str) -> tuple[tuple[float, float] | None, str | None]:
    """The two scores on the first line of a JudgeLM answer, or None with the reason.

    The shared reduction (``_parsing``): a prompt echo (an output that begins with the prompt, up to its last
    ``### Response:``), text after end-of-sequence and ``<think>`` blocks are dropped. Then, unlike the label
    formats, the *first* non-blank line is the verdict (JudgeLM's format puts the scores first); it must be
    exactly two numbers separated by spaces and/or one comma, each within 0-10. A score pair written later (inside
    the explanation) is never read. Empty, truncated (one number) or out-of-range output gives None.

    Upstream: JudgeLM's ``parse_score`` (copied by JudgeBench ``utils/judges.py::JudgeLM``, commit e2c52c2) also
    reads the first line, but returns ``[-1, -1]`` when it cannot, which JudgeBench scores as a tie; here that is
    no decision. Upstream does not strip leading blank lines or range-check.
    """
    answer = answer_of(text, ECHO)
    body = answer.text.lstrip()
    if not body.strip():
        return None, answer.missing("score pair", _SCORE_PAIR)
    line = body.split("\n", 1)[0]
    first = line.replace(",", " ").split()
    try:
        if len(first) != 2 or line.count(",") > 1:
            raise ValueError
        a, b = float(first[0]), float(first[1])
    except ValueError:
        return None, f"the first line of the answer is not two scores: {line.strip()[:80]!r}"
    if not (SCORE_RANGE[0] <= a <= SCORE_RANGE[1] and SCORE_RANGE[0] <= b <= SCORE_RANGE[1]):
        return None, f"score out of range 0-10: {line.strip()[:80]!r}"
    return (a, b), None


def parse_scores(text: str) -> tuple[float, float] | None:
    """The two scores of a JudgeLM output, or None (see ``read_scores``)."""
    return read_scores(text)[0]


parse_verdict = verdict_parser(read_scores)


@register_judge(
    "judgelm",
    "JudgeLM fine-tuned judge, its exact raw prompt; first output line = two scores '8 6', higher wins, equal = tie; "
    "options fast_eval, mec_k/bpc (FairEval calibration), reference_answer (for items without their own reference: "
    "an item's reference comes first). Zhu et al. 2023, arXiv 2310.17631; github.com/baaivision/"
    "JudgeLM. Serve BAAI/JudgeLM-7B/13B/33B-v1.0 with a pass-through chat template.",
)
def judgelm(
    backend: object,
    *,
    fast_eval: bool = False,
    temperature: float = 0.0,
    max_tokens: int | None = None,
    reference_answer: str | None = None,
    max_response_chars: int | None = None,
    truncation_side: str = "right",
    mec_k: int = 1,
    bpc: bool = False,
    mec_temperature: float = 1.0,
) -> PromptedJudge | CalibratedJudge:
    """JudgeLM judge; ``max_tokens`` defaults to 16 with ``fast_eval`` and 1,024 without.

    Args:
        backend: the chat backend serving a JudgeLM model (pass-through chat template).
        fast_eval: stop after the score line (16 new tokens).
        temperature: sampling temperature.
        max_tokens: new-token limit (default by ``fast_eval``).
        reference_answer: the reference for items that have none of their own; an item's reference
            (``JudgeContext.reference``) takes precedence. None (default): such items get the without-reference prompt.
        max_response_chars: cut each response to this many characters (None: whole).
        truncation_side: ``right`` keeps the start of a long response, ``left`` its end.
        mec_k: multiple-evidence calibration samples per order.
        bpc: balanced position calibration (both orders in one judgment).
        mec_temperature: the temperature of the MEC samples.
    """
    fast = bool_option("fast_eval", fast_eval)
    params = chat_params(temperature, max_tokens if max_tokens is not None else (16 if fast else 1024), stop=("\n",) if fast else None)
    base = PreparedJudge(
        name="judgelm",
        backend=backend,
        template="judgelm",
        parse=parse_verdict,
        params=params,
        variables={"reference_answer": text_option("reference_answer", reference_answer)},
        reference_variable="reference_answer",
        max_response_chars=max_response_chars,
        truncation_side=truncation_side,
    )
    return score_judge(base, parse_scores, Calibration.from_options(mec_k, bpc, mec_temperature))
