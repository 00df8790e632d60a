"""``chateval``: two or more agents assess the pair, exchange one round of critique, then vote.

After ChatEval (Chan et al. 2023, arXiv 2308.07201): agents with different personas, a debate round in which
each sees the others' assessments, and a majority vote of the final verdicts (a split vote is a tie).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any, ClassVar

from ..backends import BackendError, ChatParams
from ..errors import JudgebenchError
from ..schema import Decision, Judgment, Usage
from . import JudgeContext, JudgeKind, register_judge
from ._prompted import prompt_text, render_messages
from .jury import vote
from .vanilla import parse_verdict

NO_VOTE = "no agent gave a readable verdict"
PERSONAS = ("a meticulous domain expert", "a critical reviewer who looks for errors", "a careful generalist", "a skeptical fact-checker")


class ChatEval:
    """Agents with different personas assess the pair, debate for ``rounds`` rounds, then vote."""

    kind: ClassVar[JudgeKind] = "pairwise"
    order_invariant = False

    def __init__(self, backend: Any, *, agents: int, rounds: int, params: ChatParams):
        self.name = "chateval"
        self.backend = backend
        self.personas = [PERSONAS[i % len(PERSONAS)] for i in range(agents)]
        self.rounds = rounds
        self.params = params

    async def _ask(self, template: str, **variables: Any) -> tuple[str, str, Usage]:
        messages = render_messages(template, **variables)
        c = await self.backend.chat(messages, self.params)
        return prompt_text(messages), c.text, c.usage

    async def judge(self, context: JudgeContext, response_a: str, response_b: str) -> Judgment:
        base = {
            "question": context.question,
            "reference": context.reference,
            "rubric": context.rubric,
            "response_a": response_a,
            "response_b": response_b,
            "n_agents": len(self.personas),
        }
        usage = Usage()
        transcript: list[dict[str, Any]] = []
        try:
            first = await asyncio.gather(*(self._ask("chateval_initial", persona=p, **base) for p in self.personas))
            texts = [t for _, t, _ in first]
            usage = sum((u for _, _, u in first), usage)
            transcript.append({"round": 0, "outputs": texts})
            for r in range(1, self.rounds + 1):
                outs = await asyncio.gather(
                    *(
                        self._ask("chateval_debate", persona=p, own=texts[i], others=[{"persona": q, "text": texts[j]} for j, q in enumerate(self.personas) if j != i], **base)
                        for i, p in enumerate(self.personas)
                    )
                )
                texts = [t for _, t, _ in outs]
                usage = sum((u for _, _, u in outs), usage)
                transcript.append({"round": r, "outputs": texts})
        except BackendError as e:
            return Judgment(Decision.NONE, error=str(e), usage=usage, extra={"transcript": transcript})
        finals = [parse_verdict(t).decision for t in texts]
        decision = vote(finals, [1.0] * len(finals))
        summary = "\n\n".join(f"[{p}]\n{t}" for p, t in zip(self.personas, texts, strict=True))
        extra: dict[str, Any] = {"transcript": transcript, "final_votes": [str(d) for d in finals]}
        if decision is Decision.NONE:
            extra["no_decision_reason"] = NO_VOTE
        return Judgment(decision, prompt=first[0][0], output=summary, usage=usage, extra=extra)

    def reparse(self, judgment: Judgment) -> Judgment:
        """``judgment`` with each agent's final output (the last round of ``extra["transcript"]``) parsed again by
        vanilla's parser and the vote recounted; a failed call or a judgment without a transcript is unchanged."""
        transcript = judgment.extra.get("transcript")
        if judgment.is_failed or not isinstance(transcript, list) or not transcript:
            return judgment
        finals = [parse_verdict(str(t)).decision for t in transcript[-1].get("outputs") or []]
        if not finals:
            return judgment
        decision = vote(finals, [1.0] * len(finals))
        extra = {k: v for k, v in judgment.extra.items() if k != "no_decision_reason"} | {"final_votes": [str(d) for d in finals]}
        return replace(judgment, decision=decision, extra=extra | ({"no_decision_reason": NO_VOTE} if decision is Decision.NONE else {}))


@register_judge("chateval", "ChatEval-style debate: N agents assess, critique each other for R rounds, then vote (arXiv 2308.07201).")
def chateval(backend: Any, *, agents: int = 2, rounds: int = 1, temperature: float = 0.0, max_tokens: int = 1024) -> ChatEval:
    if agents < 2:
        raise JudgebenchError(f"chateval needs at least 2 agents, got {agents}")
    return ChatEval(backend, agents=agents, rounds=rounds, params=ChatParams(temperature=temperature, max_tokens=max_tokens))
