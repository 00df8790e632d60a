"""Baseline judges that need no model: ``random`` (seeded), ``longer`` and ``shorter``.

They give the floor a real judge must clear (random = 50% expected on pairs with a strict label) and expose
length bias in a data set: a ``longer`` judge far above 50% means length alone predicts the label.
"""

from __future__ import annotations

import hashlib

from ..schema import Decision, Judgment
from . import register_judge


class RandomJudge:
    """Picks A or B at random, deterministically from (seed, question, responses) so runs and resumes agree."""

    order_invariant = False

    def __init__(self, seed: int = 0):
        self.name = "random"
        self.seed = seed

    async def judge(self, question: str, response_a: str, response_b: str) -> Judgment:
        h = hashlib.sha256(f"{self.seed}\0{question}\0{response_a}\0{response_b}".encode()).digest()
        decision = Decision.A_BETTER if h[0] & 1 else Decision.B_BETTER
        return Judgment(decision=decision, output=f"random(seed={self.seed})")


class LengthJudge:
    """Prefers the longer (or shorter) response by character count; equal lengths are a tie."""

    order_invariant = False

    def __init__(self, prefer: str):
        self.name = prefer
        self.prefer_longer = prefer == "longer"

    async def judge(self, question: str, response_a: str, response_b: str) -> Judgment:
        la, lb = len(response_a), len(response_b)
        if la == lb:
            decision = Decision.TIE
        elif (la > lb) == self.prefer_longer:
            decision = Decision.A_BETTER
        else:
            decision = Decision.B_BETTER
        return Judgment(decision=decision, scores=(float(la), float(lb)), output=f"len(A)={la} len(B)={lb}")


@register_judge("random", "Baseline: picks A or B at random (seeded, deterministic per pair and order).", needs_model=False, backend="none")
def random_judge(backend: object = None, *, seed: int = 0) -> RandomJudge:
    return RandomJudge(seed=seed)


@register_judge("longer", "Baseline: prefers the longer response (length bias probe).", needs_model=False, backend="none")
def longer_judge(backend: object = None) -> LengthJudge:
    return LengthJudge("longer")


@register_judge("shorter", "Baseline: prefers the shorter response.", needs_model=False, backend="none")
def shorter_judge(backend: object = None) -> LengthJudge:
    return LengthJudge("shorter")
