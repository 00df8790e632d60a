"""``jury``: several judges vote; majority or weighted vote, every member's judgment kept.

Members are given as ``--option members='["arena_hard", "vanilla@openai:gpt-4o-mini", "skywork_critic@vllm:Skywork/Skywork-Critic-Llama-3.1-8B"]'``:
a judge name alone runs on the jury's ``--model``; ``judge@PROVIDER:MODEL`` on another model (same base URL,
cache and rate limits). After "Replacing Judges with Juries" (Verga et al. 2024, arXiv 2404.18796).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any, ClassVar

from ..errors import JudgebenchError
from ..schema import Decision, Judgment, Usage
from . import Judge, JudgeContext, JudgeKind, get_judge, register_judge


def vote(decisions: list[Decision], weights: list[float]) -> Decision:
    """Weighted plurality over A>B / B>A / A=B; no-decisions abstain. No votes, or a tie for first: ``A=B``
    when at least one member decided, else ``NONE``."""
    totals: dict[Decision, float] = defaultdict(float)
    for d, w in zip(decisions, weights, strict=True):
        if d != Decision.NONE:
            totals[d] += w
    if not totals:
        return Decision.NONE
    best = max(totals.values())
    winners = [d for d, t in totals.items() if t == best]
    return winners[0] if len(winners) == 1 else Decision.TIE


class Jury:
    """Every member judges the same context and responses; their decisions are put to a weighted vote."""

    kind: ClassVar[JudgeKind] = "pairwise"
    order_invariant = False

    def __init__(self, members: list[tuple[str, Judge]], weights: list[float]):
        self.name = "jury"
        self.members = members
        self.weights = weights

    async def judge(self, context: JudgeContext, response_a: str, response_b: str) -> Judgment:
        results = await asyncio.gather(*(j.judge(context, response_a, response_b) for _, j in self.members))
        decision = vote([r.decision for r in results], self.weights)
        usage = sum((r.usage for r in results), Usage())
        failed = [f"{label}: {r.error}" for (label, _), r in zip(self.members, results, strict=True) if r.error]
        error = "; ".join(failed) if len(failed) == len(results) else None
        members = [{"member": label, "weight": w, **r.to_dict()} for (label, _), w, r in zip(self.members, self.weights, results, strict=True)]
        summary = ", ".join(f"{label}={r.decision}" for (label, _), r in zip(self.members, results, strict=True))
        return Judgment(decision if error is None else Decision.NONE, output=f"jury: {summary} -> {decision}", error=error, usage=usage, extra={"members": members})


@register_judge("jury", "Several judges vote (majority or weighted); --option members='[\"judge\", \"judge@provider:model\"]'.")
def jury(backend: Any, *, members: list[str] | None = None, weights: list[float] | None = None) -> Jury:
    if not members:
        raise JudgebenchError('jury needs --option members=\'["vanilla", "arena_hard@openai:gpt-4o-mini"]\'')
    if weights is not None and len(weights) != len(members):
        raise JudgebenchError(f"jury: {len(weights)} weights for {len(members)} members")
    built: list[tuple[str, Judge]] = []
    for m in members:
        name, _, model = m.partition("@")
        if name == "jury":
            raise JudgebenchError("a jury cannot contain a jury")
        member_backend = backend.sibling(model) if model else backend
        judge = get_judge(name, member_backend)
        if not isinstance(judge, Judge) or getattr(judge, "kind", Jury.kind) != Jury.kind:
            raise JudgebenchError(f"jury: member {m!r} is a {getattr(judge, 'kind', '?')} judge; a jury's members are {Jury.kind} judges")
        built.append((m, judge))
    return Jury(built, [float(w) for w in weights] if weights else [1.0] * len(members))
