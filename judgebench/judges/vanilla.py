"""``vanilla``: a plain prompted pairwise judge with our own prompt text; verdict ``Verdict: [[A]]`` / ``[[B]]``."""

from __future__ import annotations

import re

from ..backends import ChatParams
from ..schema import Decision
from . import register_judge
from ._options import bool_option
from ._prompted import PromptedJudge, Verdict, last_match

_VERDICT = re.compile(r"Verdict:\s*\[\[\s*([AB])\s*\]\]", re.IGNORECASE)
_BARE = re.compile(r"\[\[\s*([AB])\s*\]\]")


def parse_verdict(text: str) -> Verdict:
    """The last ``Verdict: [[X]]``; failing that, a bare ``[[X]]`` only if it is the single one in the output."""
    m = last_match(_VERDICT, text or "")
    if m is None:
        bare = {b.group(1).upper() for b in _BARE.finditer(text or "")}
        if len(bare) != 1:
            return Verdict(Decision.NONE)
        letter = bare.pop()
    else:
        letter = m.group(1).upper()
    return Verdict(Decision.A_BETTER if letter == "A" else Decision.B_BETTER)


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
