"""Baseline judges that need no model: ``random`` (seeded), ``longer`` and ``shorter``.

They give the floor a real judge must clear and expose length bias in a data set: a ``longer`` judge far above
50% means length alone predicts the label. ``random`` picks one of the two *responses* per pair, whatever the order
they are shown in, so it is position-consistent and scores 50% in expectation under the two-game vote rule (a judge
that flipped a fresh coin in each game would get both games right only a quarter of the time: 25%).
"""

from __future__ import annotations

import hashlib
from typing import ClassVar

from ..schema import Decision, Judgment
from . import JudgeContext, JudgeKind, register_judge


class RandomJudge:
    """Picks one of the two responses at random, deterministically from (seed, question, the unordered pair of
    responses): the same response in both games, so runs and resumes agree and the two games are consistent."""

    kind: ClassVar[JudgeKind] = "pairwise"
    order_invariant = False

    def __init__(self, seed: int = 0):
        self.name = "random"
        self.seed = seed

    async def judge(self, context: JudgeContext, response_a: str, response_b: str) -> Judgment:
        """``judge_now``, as the ``Judge`` protocol's coroutine."""
        return self.judge_now(context, response_a, response_b)

    def judge_now(self, context: JudgeContext, response_a: str, response_b: str) -> Judgment:
        """The verdict on the two responses in the order shown (``A>B`` or ``B>A``, never a tie), computed at once
        without a model (``SyncJudge``)."""
        first, second = sorted((response_a, response_b))
        h = hashlib.sha256(f"{self.seed}\0{context.question}\0{first}\0{second}".encode()).digest()
        chosen = first if h[0] & 1 else second
        decision = Decision.A_BETTER if chosen == response_a else Decision.B_BETTER
        return Judgment(decision=decision, output=f"random(seed={self.seed})")


class LengthJudge:
    """Prefers the longer (or shorter) response by character count; equal lengths are a tie. The two lengths are
    its ``scores`` (``score_kind="chars"``): a length difference ranks judgments but is never a confidence."""

    kind: ClassVar[JudgeKind] = "pairwise"
    order_invariant = False

    def __init__(self, prefer: str):
        self.name = prefer
        self.prefer_longer = prefer == "longer"

    async def judge(self, context: JudgeContext, response_a: str, response_b: str) -> Judgment:
        """``judge_now``, as the ``Judge`` protocol's coroutine."""
        return self.judge_now(context, response_a, response_b)

    def judge_now(self, context: JudgeContext, response_a: str, response_b: str) -> Judgment:
        """The verdict on the two responses in the order shown, by length (equal lengths: ``A=B``), with the two
        lengths as ``scores``; computed at once without a model (``SyncJudge``)."""
        la, lb = len(response_a), len(response_b)
        if la == lb:
            decision = Decision.TIE
        elif (la > lb) == self.prefer_longer:
            decision = Decision.A_BETTER
        else:
            decision = Decision.B_BETTER
        return Judgment(decision=decision, scores=(float(la), float(lb)), score_kind="chars", output=f"len(A)={la} len(B)={lb}")


@register_judge("random", "Baseline: picks one response at random (seeded, the same in both orders; 50% expected).", needs_model=False, backend="none")
def random_judge(backend: object = None, *, seed: int = 0) -> RandomJudge:
    return RandomJudge(seed=seed)


@register_judge("longer", "Baseline: prefers the longer response (length bias probe).", needs_model=False, backend="none")
def longer_judge(backend: object = None) -> LengthJudge:
    return LengthJudge("longer")


@register_judge("shorter", "Baseline: prefers the shorter response.", needs_model=False, backend="none")
def shorter_judge(backend: object = None) -> LengthJudge:
    return LengthJudge("shorter")
