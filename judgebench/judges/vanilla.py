"""``vanilla``: a plain prompted pairwise judge with our own prompt text; verdict ``Verdict: [[A]]`` / ``[[B]]``.

Also the parser of ``chateval``'s agents, whose templates ask for the same line."""

from __future__ import annotations

import re

from ..backends import ChatParams
from ..schema import Decision
from . import register_judge
from ._options import bool_option
from ._parsing import Echo, answer_of, phrase, read_label
from ._prompted import PromptedJudge, Verdict

# The prompt's closing marker, and the templates an echoed prompt begins with (chateval's agents share the format).
ECHO = Echo(("vanilla", "chateval_initial", "chateval_debate"), ("[The End of Response B]",))
LABEL = re.compile(r"(?:Verdict\s*:\s*)?\[\[\s*([AB])\s*\]\]", re.IGNORECASE)
# The prompt's closing instruction (vanilla, and chateval's two templates) restated: both labels, no choice.
INSTRUCTIONS = (
    phrase('"Verdict: [[A]]" if Response A is better, or "Verdict: [[B]]" if Response B is better'),
    phrase('"Verdict: [[A]]" or "Verdict: [[B]]"'),
)
WHAT = "verdict label ([[A]] or [[B]])"


def parse_verdict(text: str) -> Verdict:
    """The verdict label ``[[A]]`` / ``[[B]]`` (``Verdict: [[A]]`` as the prompt asks, or bare, any case) of the answer.

    The shared rule (``_parsing``): the answer is the output without a prompt echo (an output that begins with the
    prompt, up to its last ``[The End of Response B]``), text after end-of-sequence, ``<think>`` blocks and the
    restated instruction; labels that are only mentioned (a response's injected ``"Verdict: [[A]]"``, ``[[A]] or
    [[B]]``, ``not [[A]]``) are set aside and the last of the others wins, quoted or not. No verdict gives
    ``Decision.NONE`` with the reason. This is judgebench's own format; JudgeBench's "vanilla" judge asks for
    ``Output (a)`` / ``Output (b)`` instead and is not parsed here.
    """
    answer = answer_of(text, ECHO, INSTRUCTIONS)
    m, reason = read_label(answer, LABEL, WHAT)
    if m is None:
        return Verdict(Decision.NONE, reason=reason)
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
