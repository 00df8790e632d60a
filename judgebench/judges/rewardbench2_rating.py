"""``rewardbench2_rating``: RewardBench 2's rating judge, 1-10 (Malik et al. 2025, arXiv 2506.01937).

Source: github.com/allenai/reward-bench, commit 05a9005efb607249822c193590c8ecab87c77052, ``rewardbench/
generative_v2.py``: ``ratings_prompt`` / ``ratings_prompt_ties`` (verbatim in ``templates/rewardbench2_rating.jinja``)
and ``get_single_rating`` (the prompt alone as the user message, no system prompt, temperature 0, 1,024 new tokens;
the rating is the final number). Upstream rates each of an item's responses this way and picks the highest
(``run_judge_ratings_multi``); here the judge rates one response, and the pointwise protocol and the lifts do the
rest. Upstream refuses multi-turn prompts; here a chat item's whole transcript is the query (``JudgeContext.question``).

Rating: ``parse_rating``.
"""

from __future__ import annotations

import re

from ..backends import Messages
from . import JudgeContext, register_judge
from ._options import bool_option, chat_params
from ._prompted import render_messages
from ._rating import RatingJudge, RatingRead

SCALE = (1.0, 10.0)
# generative_v2.py::get_single_rating (commit 05a9005), verbatim: a trailing integer 1-10 of the stripped output.
FINAL_RATING = re.compile(r"\b([1-9]|10)\b\s*$")
_FINAL_NUMBER = re.compile(r"(-?\d+(?:\.\d+)?)\s*$")


def parse_rating(text: str) -> RatingRead:
    """The final number of a RewardBench 2 rating judgment, as ``get_single_rating`` reads it.

    Upstream: ``re.search(r"\\b([1-9]|10)\\b\\s*$", output.strip())``; no match is -1 (no rating). Here the same
    regex on the same stripped text, so its quirks stay: ``7.5`` reads as 5 (the digits after the point are a word of
    their own), ``8 out of 10`` as 10, and any earlier number is ignored. The differences: no rating is ``None`` with
    the reason (not -1), and a final number outside 1-10 (``0``, ``11``: upstream's -1) is read so that the reason
    names it.
    """
    stripped = text.strip()
    if not stripped:
        return RatingRead(None, reason="empty output")
    offset = len(text) - len(text.lstrip())
    m = FINAL_RATING.search(stripped)
    if m is not None:
        return RatingRead(float(m.group(1)), (offset + m.start(1), offset + m.end(1)))
    other = _FINAL_NUMBER.search(stripped)
    if other is not None:
        return RatingRead(float(other.group(1)), (offset + other.start(1), offset + other.end(1)))
    return RatingRead(None, reason="the output does not end with a rating 1-10")


def render(context: JudgeContext, response: str, *, ties: bool) -> tuple[str, Messages]:
    """(template name, the one user message) for ``response``."""
    name = "ratings_prompt_ties" if ties else "ratings_prompt"
    return name, render_messages("rewardbench2_rating", question=context.question, response=response, ties=ties)


@register_judge(
    "rewardbench2_rating",
    "RewardBench 2's rating judge 1-10 (generative_v2.py ratings_prompt, verbatim; the final number of the output; "
    "option ties=true for the Ties subset's prompt). Malik et al. 2025, arXiv 2506.01937; github.com/allenai/reward-bench.",
    kind="pointwise",
)
def rewardbench2_rating(backend: object, *, ties: bool = False, temperature: float = 0.0, max_tokens: int = 1024) -> RatingJudge:
    """RewardBench 2 rating judge; temperature 0 and 1,024 new tokens as upstream's API judges.

    Args:
        backend: the chat backend.
        ties: send ``ratings_prompt_ties`` (upstream's prompt for the Ties subset).
        temperature: sampling temperature.
        max_tokens: new-token limit.
    """
    use_ties = bool_option("ties", ties)
    return RatingJudge(
        name="rewardbench2_rating",
        backend=backend,
        scale=SCALE,
        render=lambda context, response: render(context, response, ties=use_ties),
        parse=parse_rating,
        params=chat_params(temperature, max_tokens),
    )
