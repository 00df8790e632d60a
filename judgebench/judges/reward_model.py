"""Reward-model judges: a reward model scores each response alone (hf:PATH_OR_HUB_ID, a local transformers sequence
classifier, or vllm-reward:NAME, a served RM).

* ``reward_model_pointwise`` (kind ``pointwise``): one view per response, its reward as the ``rating``
  (``score_kind="reward"``). On a pairwise benchmark the runner lifts the ratings to a preference (the higher
  wins); on a best-of-K benchmark the best rating picks.
* ``reward_model`` (kind ``pairwise``, as its results have always been written): scores both responses of the pair
  shown, prefers the higher reward (within ``tie_margin``: a tie) and keeps the two rewards as ``scores`` with
  ``score_kind="reward"``. Order-invariant, so it runs in single-game mode by default (``--games 2`` judges both
  orders on request, as the JudgeBench reference runner does). The margin ranks judgments (accuracy vs coverage,
  AUROC) but is not a probability, so the judgment has no ``confidence`` and no calibration error.

Both score through the backend's per-run memo (``ManagedBackend.score``): each unique (conversation, response) is
scored once per run however many pairs, views or orders show it (RM-Bench's 3 chosen x 3 rejected, best-of-4, a
pair judged in both orders), and the ``hf:`` backend batches the scores that arrive together. A conversation of
more than one user turn is scored whole, through the model's chat template, with the response as the assistant's
turn. A reward that is not a finite number (NaN, infinite) is a failed judgment, never a verdict.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any, ClassVar

from ..backends import BackendError
from ..schema import Decision, Judgment, Usage
from . import JudgeContext, JudgeKind, register_judge


async def reward(backend: Any, context: JudgeContext, response: str) -> float:
    """The backend's reward of ``response`` in ``context``: a multi-turn conversation (or one with a system turn) is
    passed whole (``conversation=``); a single user turn is the question alone, as backends that only take
    ``score(question, response)`` expect."""
    turns = context.conversation
    if len(turns) > 1 or (turns and turns[0].role != "user"):
        return float(await backend.score(context.question, response, conversation=turns))
    return float(await backend.score(context.question, response))


class RewardModelJudge:
    """Scores the context's conversation with each response on the reward backend; the higher reward wins, rewards
    within ``tie_margin`` of each other are a tie."""

    kind: ClassVar[JudgeKind] = "pairwise"
    order_invariant = True

    def __init__(self, backend: Any, *, tie_margin: float = 0.0):
        self.name = "reward_model"
        self.backend = backend
        self.tie_margin = tie_margin

    async def judge(self, context: JudgeContext, response_a: str, response_b: str) -> Judgment:
        try:  # both at once: they share a batch on a local model, and each is read from the memo when scored before
            sa, sb = await asyncio.gather(reward(self.backend, context, response_a), reward(self.backend, context, response_b))
        except BackendError as e:
            return Judgment(Decision.NONE, error=str(e), usage=Usage(calls=1))
        if not (math.isfinite(sa) and math.isfinite(sb)):  # NaN compares false both ways: it would read as B>A
            return Judgment(Decision.NONE, error=f"reward is not a finite number: score(A)={sa!r} score(B)={sb!r}", usage=Usage(calls=2))
        if abs(sa - sb) <= self.tie_margin:
            decision = Decision.TIE
        else:
            decision = Decision.A_BETTER if sa > sb else Decision.B_BETTER
        return Judgment(decision, scores=(sa, sb), score_kind="reward", output=f"score(A)={sa:.6g} score(B)={sb:.6g}", usage=Usage(calls=2))


class RewardModelPointwiseJudge:
    """Scores the context's conversation with the one response shown; its reward is the judgment's ``rating``."""

    kind: ClassVar[JudgeKind] = "pointwise"
    order_invariant = True

    def __init__(self, backend: Any):
        self.name = "reward_model_pointwise"
        self.backend = backend

    async def judge(self, context: JudgeContext, response: str) -> Judgment:
        try:
            score = await reward(self.backend, context, response)
        except BackendError as e:
            return Judgment(Decision.NONE, error=str(e), usage=Usage(calls=1))
        if not math.isfinite(score):
            return Judgment(Decision.NONE, error=f"reward is not a finite number: {score!r}", usage=Usage(calls=1))
        return Judgment(Decision.NONE, rating=score, score_kind="reward", output=f"score={score:.6g}", usage=Usage(calls=1))


@register_judge("reward_model", "Reward model: scores each response, higher wins (hf:PATH or vllm-reward:NAME); single game by default.", backend="reward")
def reward_model(backend: Any, *, tie_margin: float = 0.0) -> RewardModelJudge:
    return RewardModelJudge(backend, tie_margin=tie_margin)


@register_judge(
    "reward_model_pointwise",
    "Reward model, pointwise: each response's reward is its rating (hf:PATH or vllm-reward:NAME); on pairs the higher wins.",
    backend="reward",
    kind="pointwise",
)
def reward_model_pointwise(backend: Any) -> Any:  # Any: ``Judge`` (the registry's factory type) is pairwise-shaped
    return RewardModelPointwiseJudge(backend)
