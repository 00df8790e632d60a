"""``reward_model``: score each response separately with a reward model and prefer the higher score.

Order-invariant, so it runs in single-game mode by default (``--games 2`` judges both orders on request, as the
JudgeBench reference runner does). The two rewards are kept as ``scores`` with ``score_kind="reward"``: their
margin ranks judgments (accuracy vs coverage, AUROC) but is not a probability, so the judgment has no
``confidence`` and no calibration error. Backends: ``hf:PATH_OR_HUB_ID`` (local transformers sequence classifier)
or ``vllm-reward:NAME`` (a served RM).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from ..backends import BackendError
from ..schema import Decision, Judgment, Usage
from . import JudgeContext, JudgeKind, register_judge


class RewardModelJudge:
    """Scores the context's question with each response on the reward backend; the higher reward wins, rewards
    within ``tie_margin`` of each other are a tie."""

    kind: ClassVar[JudgeKind] = "pairwise"
    order_invariant = True

    def __init__(self, backend: Any, *, tie_margin: float = 0.0):
        self.name = "reward_model"
        self.backend = backend
        self.tie_margin = tie_margin

    async def judge(self, context: JudgeContext, response_a: str, response_b: str) -> Judgment:
        try:
            sa = await self.backend.score(context.question, response_a)
            sb = await self.backend.score(context.question, response_b)
        except BackendError as e:
            return Judgment(Decision.NONE, error=str(e), usage=Usage(calls=1))
        if not (math.isfinite(sa) and math.isfinite(sb)):  # NaN compares false both ways: it would read as B>A
            return Judgment(Decision.NONE, error=f"reward is not a finite number: score(A)={sa!r} score(B)={sb!r}", usage=Usage(calls=2))
        if abs(sa - sb) <= self.tie_margin:
            decision = Decision.TIE
        else:
            decision = Decision.A_BETTER if sa > sb else Decision.B_BETTER
        return Judgment(decision, scores=(sa, sb), score_kind="reward", output=f"score(A)={sa:.6g} score(B)={sb:.6g}", usage=Usage(calls=2))


@register_judge("reward_model", "Reward model: scores each response, higher wins (hf:PATH or vllm-reward:NAME); single game by default.", backend="reward")
def reward_model(backend: Any, *, tie_margin: float = 0.0) -> RewardModelJudge:
    return RewardModelJudge(backend, tie_margin=tie_margin)
