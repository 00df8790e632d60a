"""``vanilla_certainty``: the ``vanilla`` pairwise prompt that also asks for a stated certainty, 0-100, and can judge
on behalf of a persona.

After "Can LLM be a Personalized Judge?" (Dong, Hu & Collier 2024, arXiv 2406.11657): the judge states how certain
it is of its verdict (verbal uncertainty; the paper's prompt: github.com/dong-river/Personalized-Judge, utils.py
``get_prism_prompt("with_persona")``, commit 497b8a99), and may be conditioned on a persona ("You are judging on
behalf of: ..."). The answer ends with ``Verdict: [[A]]`` / ``[[B]]`` and ``Certainty: [[N]]``.

What a judgment records (``Judgment.extra``):

* ``certainty``: the stated certainty, a number in [0, 100], read from the last ``Certainty: [[N]]`` of the answer;
  ``None`` with ``certainty_reason`` when the line is missing or the number is outside 0-100;
* ``persona``: the persona the judge was given: the item's ``metadata["persona"]`` when it has one, else the
  judge's ``persona`` option; absent when none.

``Judgment.confidence`` stays the verdict token's probability (``logprobs=true``), so both confidence sources sit
side by side (``judgebench certainty``, :mod:`judgebench.analysis.certainty`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..backends import ChatParams
from ..schema import Decision, Judgment
from . import register_judge
from ._options import bool_option
from ._parsing import Echo, answer_of, phrase, read_label
from ._prompted import PromptedJudge, Verdict
from .vanilla import INSTRUCTIONS, LABEL, WHAT

if TYPE_CHECKING:
    from . import JudgeContext

CERTAINTY = re.compile(r"Certainty\s*:\s*\[\[\s*(-?\d+(?:\.\d+)?)\s*%?\s*\]\]", re.IGNORECASE)
ECHO = Echo(("vanilla_certainty", "vanilla"), ("[The End of Response B]",))
CERTAINTY_INSTRUCTION = phrase('"Certainty: [[N]]"')
SCALE = (0.0, 100.0)
MISSING = "no certainty line (Certainty: [[N]]) in the answer"


def parse_verdict(text: str) -> Verdict:
    """The verdict label ``[[A]]`` / ``[[B]]``, read by ``vanilla``'s rule (``vanilla.parse_verdict``) with this
    template's prompt echo; a ``Certainty: [[N]]`` line is no verdict label."""
    m, reason = read_label(answer_of(text, ECHO, INSTRUCTIONS), LABEL, WHAT)
    if m is None:
        return Verdict(Decision.NONE, reason=reason)
    return Verdict(Decision.A_BETTER if m.group(1).upper() == "A" else Decision.B_BETTER)


def parse_certainty(text: str | None) -> tuple[float | None, str | None]:
    """The stated certainty of an answer (the last ``Certainty: [[N]]``, N in [0, 100]), or None with the reason.

    The answer is read as ``vanilla``'s parser reads it (prompt echo, ``<think>`` blocks and restated instructions
    dropped), so the prompt's own ``"Certainty: [[N]]"`` is never read as a certainty.
    """
    answer = answer_of(text, ECHO, (*INSTRUCTIONS, CERTAINTY_INSTRUCTION))
    found = CERTAINTY.findall(answer.text)
    if not found:
        return None, answer.problem or MISSING
    value = float(found[-1])
    lo, hi = SCALE
    if not lo <= value <= hi:
        return None, f"certainty {found[-1]} outside {lo:g}-{hi:g}"
    return value, None


def certainty_extra(output: str | None) -> dict[str, Any]:
    """``{"certainty": N}`` or ``{"certainty": None, "certainty_reason": ...}`` for a judge's output."""
    value, reason = parse_certainty(output)
    return {"certainty": value} if reason is None else {"certainty": None, "certainty_reason": reason}


@dataclass
class CertaintyJudge(PromptedJudge):
    """A prompted pairwise judge that reads a stated certainty and may judge on behalf of a persona.

    Attributes:
        persona: the default persona (an item's ``metadata["persona"]`` takes precedence); None for none.
    """

    persona: str | None = None

    def persona_for(self, context: JudgeContext) -> str | None:
        """The persona of ``context``: the item's ``metadata["persona"]``, else the judge's option, else None."""
        item_persona = context.metadata.get("persona") if context.metadata else None
        value = item_persona if isinstance(item_persona, str) and item_persona.strip() else self.persona
        return value.strip() if value and value.strip() else None

    def template_variables(self, context: JudgeContext, response_a: str, response_b: str) -> dict[str, Any]:
        return super().template_variables(context, response_a, response_b) | {"persona": self.persona_for(context)}

    async def judge(self, context: JudgeContext, response_a: str, response_b: str) -> Judgment:
        judgment = await super().judge(context, response_a, response_b)
        persona = self.persona_for(context)
        extra = dict(judgment.extra) | ({"persona": persona} if persona else {})
        if not judgment.is_failed:
            extra |= certainty_extra(judgment.output)
        return replace(judgment, extra=extra)

    def reparse(self, judgment: Judgment) -> Judgment:
        """As ``PromptedJudge.reparse``, and the stated certainty read again."""
        judgment = super().reparse(judgment)
        if judgment.is_failed:
            return judgment
        kept = {k: v for k, v in judgment.extra.items() if k not in ("certainty", "certainty_reason")}
        return replace(judgment, extra=kept | certainty_extra(judgment.output))


@register_judge(
    "vanilla_certainty",
    "vanilla's pairwise prompt + a stated certainty 0-100 (Dong et al. 2024, arXiv 2406.11657); optional persona; any chat model.",
)
def vanilla_certainty(backend: object, *, temperature: float = 0.0, max_tokens: int = 1024, logprobs: bool = False, persona: str | None = None) -> CertaintyJudge:
    """``logprobs=true`` also records the verdict token's probability as the confidence; ``persona="..."`` judges on
    behalf of that persona (an item's ``metadata["persona"]`` overrides it)."""
    return CertaintyJudge(
        name="vanilla_certainty",
        backend=backend,
        template="vanilla_certainty",
        parse=parse_verdict,
        params=ChatParams(temperature=temperature, max_tokens=max_tokens, logprobs=bool_option("logprobs", logprobs)),
        persona=str(persona) if persona is not None else None,
    )
