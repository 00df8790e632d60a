"""``compass_judger``: CompassJudger-1 (Cao et al. 2024, "CompassJudger-1: All-in-one Judge Model Helps Model
Evaluation and Evolution", arXiv 2410.16256; github.com/open-compass/CompassJudger).

CompassJudger-1 is a general judge (Qwen2.5-Instruct fine-tune, served through its own chat template) without one
fixed pairwise training prompt. Two input styles:

* ``prompt_style="arena_hard"`` (default): the Arena-Hard-Auto judge prompt in one user message, as JudgeBench ran
  it (``templates/compass_judger.jinja``); verdict ``[[A>>B]]`` .. ``[[B>>A]]`` parsed as ``arena_hard`` does (the
  last label of the answer that is not only mentioned). JudgeBench's ``utils/judges.py::CompassJudger`` (commit
  e2c52c2) takes the only distinct label and gives no decision for two distinct ones (without a follow-up call);
  here the last verdict wins.
* ``prompt_style="reward"``: the README's "Reward Judge" format (``templates/compass_judger_reward.jinja``); the
  model answers with the letter ``A`` or ``B`` only.
"""

from __future__ import annotations

import re

from ..schema import Decision
from . import register_judge
from ._options import chat_params, choice_option
from ._parsing import Echo, answer_of
from ._prompted import PromptedJudge, Verdict
from .arena_hard import parse_verdict as parse_arena_hard_verdict

REWARD_ECHO = Echo(("compass_judger_reward",), ("Please output:",))
# The whole answer is the option: "B", "**B**", "B.", "Assistant B", "Option B", "[B]"; anything longer is not this format.
_OPTION = re.compile(r"^[\s*\"'`\[\(]*(?:(?:Assistant|Option)\s+)?([AB])[\s*\"'`\]\)\.!]*$", re.IGNORECASE)


def parse_reward_verdict(text: str) -> Verdict:
    """The option letter of a CompassJudger "Reward Judge" answer.

    The shared reduction (``_parsing``): a prompt echo (an output that begins with the prompt, up to its last
    ``Please output:``), text after end-of-sequence and ``<think>`` blocks are dropped. Then the whole remaining
    answer must be one option, ``A`` or ``B`` (optionally ``Assistant A`` or ``Option A``, bold, quoted,
    bracketed or with a full stop). A sentence, an empty or a truncated output gives
    ``Decision.NONE`` with the reason: the format asks for the option and nothing else, so a longer answer is not
    read for a letter somewhere in it. (JudgeBench did not run this format; the README shows the bare letter.)
    """
    answer = answer_of(text, REWARD_ECHO)
    m = _OPTION.match(answer.text)
    if m is None:
        if not answer.text.strip():
            return Verdict(Decision.NONE, reason=answer.missing("option", _OPTION))
        return Verdict(Decision.NONE, reason=f"the answer is not just the option A or B: {answer.text.strip()[:80]!r}")
    return Verdict(Decision.A_BETTER if m.group(1).upper() == "A" else Decision.B_BETTER)


@register_judge(
    "compass_judger",
    "CompassJudger-1 (Qwen2.5 fine-tune) via its chat template; default prompt_style=arena_hard (Arena-Hard prompt in "
    "one user message, as JudgeBench ran it), or prompt_style=reward (the README's Reward Judge format, answer A/B). "
    "Cao et al. 2024, arXiv 2410.16256; github.com/open-compass/CompassJudger.",
)
def compass_judger(backend: object, *, prompt_style: str = "arena_hard", temperature: float = 0.0, max_tokens: int = 2048) -> PromptedJudge:
    """CompassJudger judge; greedy decoding and 2,048 new tokens (the README's ``max_new_tokens``)."""
    style = choice_option("prompt_style", prompt_style, ("arena_hard", "reward"))
    return PromptedJudge(
        name="compass_judger",
        backend=backend,
        template="compass_judger" if style == "arena_hard" else "compass_judger_reward",
        parse=parse_arena_hard_verdict if style == "arena_hard" else parse_reward_verdict,
        params=chat_params(temperature, max_tokens),
    )
