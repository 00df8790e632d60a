"""``vanilla``: a plain prompted pairwise judge with our own prompt text; verdict ``Verdict: [[A]]`` / ``[[B]]``.

Also the parser of ``chateval``'s agents, whose templates ask for the same line."""

from __future__ import annotations

import re

from ..backends import ChatParams
from ..schema import Decision
from . import register_judge
from ._options import bool_option
from ._parsing import answer_of, last, phrase
from ._prompted import PromptedJudge, Verdict

ECHO_MARKERS = ("[The End of Response B]",)
LABEL = re.compile(r"(?:Verdict\s*:\s*)?\[\[\s*([AB])\s*\]\]", re.IGNORECASE)
# The prompt's closing instruction (vanilla, and chateval's two templates) restated: both labels, no choice.
INSTRUCTIONS = (
    phrase('"Verdict: [[A]]" if Response A is better, or "Verdict: [[B]]" if Response B is better'),
    phrase('"Verdict: [[A]]" or "Verdict: [[B]]"'),
)


def parse_verdict(text: str) -> Verdict:
    """The last ``[[A]]`` / ``[[B]]`` label (``Verdict: [[A]]`` as the prompt asks, or bare) in the answer.

    The shared rule (``_parsing``): the prompt echo (up to the last ``[The End of Response B]``), ``<think>`` blocks
    and the restated instruction are dropped, then the last well-formed label wins, quoted or not. No label gives
    ``Decision.NONE`` with the reason. This is judgebench's own
    format; JudgeBench's "vanilla" judge asks for ``Output (a)`` / ``Output (b)`` instead and is not parsed here.
    """
    answer = answer_of(text, ECHO_MARKERS, INSTRUCTIONS)
    m = last(LABEL, answer.text)
    if m is None:
        return Verdict(Decision.NONE, reason=answer.missing("verdict label ([[A]] or [[B]])", LABEL))
    return Verdict(Decision.A_BETTER if m.group(1).upper() == "A" else Decision.B_BETTER)


@register_judge("vanilla", "Plain pairwise prompt (our own text), verdict [[A]]/[[B]]; any chat model.")
def vanilla(backend: object, *, temperature: float = 0.0, max_tokens: int = 1024, logprobs: bool = False) -> PromptedJudge:
    """``logprobs=true`` asks for token log-probabilities: the verdict token's probability becomes the confidence."""
    return PromptedJudge(
        name="vanilla",
        backend=backend,
        template="vanilla",
        parse=parse_verdict,
        params=ChatParams(temperature=temperature, max_tokens=max_tokens, logprobs=bool_option("logprobs", logprobs)),
    )
