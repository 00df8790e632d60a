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
from ._parsing import cut_echo, last_unquoted
from ._prompted import PromptedJudge

ECHO_MARKERS = ("Score of the Assistant 2: <score>",)
_SCORE = r"\**\s*:\**\s*(\d+(?:\.\d+)?)(?:\s*/\s*10)?"
_SCORE_1 = re.compile(r"Score of (?:the )?Assistant\s*1" + _SCORE, re.IGNORECASE)
_SCORE_2 = re.compile(r"Score of (?:the )?Assistant\s*2" + _SCORE, re.IGNORECASE)


def parse_scores(text: str) -> tuple[float, float] | None:
    """The scores FairEval's format asks for, ``Score of the Assistant 1: x`` and ``... 2: y``, or None.

    FairEval itself reads the last two lines. Here each labelled score is found by its label (``the`` optional,
    bold markers and ``/10`` tolerated); when a label appears several times, the last one counts (a draft score in the
    explanation is superseded by the final lines). A prompt echo is dropped first. Missing either score (truncated
    or empty output), or a score outside 0-10, gives None.
    """
    body = cut_echo(text, ECHO_MARKERS)
    m1, m2 = last_unquoted(_SCORE_1, body), last_unquoted(_SCORE_2, body)
    if m1 is None or m2 is None:
        return None
    a, b = float(m1.group(1)), float(m2.group(1))
    if not (0.0 <= a <= 10.0 and 0.0 <= b <= 10.0):
        return None
    return a, b


parse_verdict = verdict_parser(parse_scores)


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
