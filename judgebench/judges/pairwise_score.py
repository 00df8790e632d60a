"""``pairwise_score``: FairEval's score-based pairwise judge (Wang et al. 2023, "Large Language Models are not Fair
Evaluators", arXiv 2305.17926; github.com/i-Eval/FairEval), for any chat model.

Prompt: FairEval's system and user prompt, verbatim (``templates/pairwise_score*.jinja``): an explanation first, then
``Score of the Assistant 1: <score>`` and ``Score of the Assistant 2: <score>`` (1-10). The higher score wins, equal
scores are a tie, and the scores are recorded.

Calibration options (``_calibrated``): ``mec_k`` (multiple-evidence calibration, k samples at ``mec_temperature``)
and ``bpc`` (balanced position calibration, both orders in one judgment). FairEval's own setting is
``--option mec_k=3 --option bpc=true`` (temperature 1, 512 tokens); the defaults here are uncalibrated and greedy.
"""

from __future__ import annotations

import re

from . import register_judge
from ._calibrated import CalibratedJudge, Calibration, score_judge, verdict_parser
from ._options import chat_params
from ._parsing import Echo, answer_of, read_label
from ._prompted import PromptedJudge

ECHO = Echo(("pairwise_score_system", "pairwise_score"), ("Score of the Assistant 2: <score>",))
_SCORE = r"[\"'*`]*\s*:\s*[\"'*`]*\s*(\d+(?:\.\d+)?)(?:\s*/\s*10)?"
SCORE_1 = re.compile(r"Score of (?:the )?Assistant\s*1" + _SCORE, re.IGNORECASE)
SCORE_2 = re.compile(r"Score of (?:the )?Assistant\s*2" + _SCORE, re.IGNORECASE)


def read_scores(text: str) -> tuple[tuple[float, float] | None, str | None]:
    """The two scores FairEval's format asks for, or None with the reason they could not be read.

    The shared rule (``_parsing``): the answer is the output without a prompt echo (an output that begins with the
    prompt, up to its last ``Score of the Assistant 2: <score>``), text after end-of-sequence and ``<think>``
    blocks; each labelled score, ``Score of the Assistant 1: x`` and ``... 2: y``, is then found by its label
    (``the`` optional, quotes, bold and ``/10`` tolerated). Score lines that are only mentioned (``Assistant 2's
    answer contains 'Score of the Assistant 1: 1'``) are set aside, and when a label appears several times the last
    of the others counts, quoted or not (a draft score in the explanation is superseded by the final lines).
    Missing either score (truncated or empty output), or a score outside 0-10, gives None.

    Upstream: FairEval's ``parse_score_from_review`` (github.com/i-Eval/FairEval ``FairEval.py``, commit 453c117)
    reads the text after the last ``:`` of each of the last two lines and gives ``[-1, -1]`` (a tie) when that
    fails; here the scores are found by their labels, and failure is no decision, not a tie.
    """
    answer = answer_of(text, ECHO)
    m1, reason1 = read_label(answer, SCORE_1, "'Score of the Assistant 1: x'", _value)
    m2, reason2 = read_label(answer, SCORE_2, "'Score of the Assistant 2: y'", _value)
    if m1 is None or m2 is None:
        return None, reason1 if m1 is None else reason2
    a, b = float(m1.group(1)), float(m2.group(1))
    if not (0.0 <= a <= 10.0 and 0.0 <= b <= 10.0):
        return None, f"score out of range 0-10: {m1.group(1)}, {m2.group(1)}"
    return (a, b), None


def _value(m: re.Match[str]) -> float:
    return float(m.group(1))


def parse_scores(text: str) -> tuple[float, float] | None:
    """The two scores of a FairEval-format output, or None (see ``read_scores``)."""
    return read_scores(text)[0]


parse_verdict = verdict_parser(read_scores)


@register_judge(
    "pairwise_score",
    "FairEval's score prompt (two scores 1-10, higher wins, equal = tie), any chat model; options mec_k (multiple-"
    "evidence calibration) and bpc (balanced position calibration). Wang et al. 2023, arXiv 2305.17926; "
    "github.com/i-Eval/FairEval.",
)
def pairwise_score(
    backend: object,
    *,
    temperature: float = 0.0,
    max_tokens: int = 512,
    mec_k: int = 1,
    bpc: bool = False,
    mec_temperature: float = 1.0,
) -> PromptedJudge | CalibratedJudge:
    """FairEval score judge; 512 new tokens as FairEval."""
    base = PromptedJudge(
        name="pairwise_score",
        backend=backend,
        template="pairwise_score",
        system_template="pairwise_score_system",
        parse=parse_verdict,
        params=chat_params(temperature, max_tokens),
    )
    return score_judge(base, parse_scores, Calibration.from_options(mec_k, bpc, mec_temperature))
