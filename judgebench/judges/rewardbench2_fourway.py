"""``rewardbench2_fourway``: RewardBench 2's four-way generative judge (best of four, ``[[A]]`` ... ``[[D]]``).

Source: github.com/allenai/reward-bench, ``rewardbench/generative_v2.py`` at commit
05a9005efb607249822c193590c8ecab87c77052: the system prompt ``prompt_v2`` and the user template
``MTBENCH_V2["prompt_template"]`` (``templates/rewardbench2_fourway_system.jinja`` / ``rewardbench2_fourway.jinja``,
verbatim), the parser ``process_judgement`` (``parse_fourway``) and the generation settings of ``run_judge_four``
(temperature 0, ``max_tokens`` 2048 for OpenAI and Together models). Upstream's Gemini variant (``prompt_v2_gemini``
prepended to the user prompt, no system prompt) is not offered.

**Prompt.** A single-turn prompt (the conversation is one user turn) is upstream's text with ``question`` the
prompt. A chat of one user turn after a system turn is also single-turn; its question is the transcript
(``JudgeContext.question``: ``System: ...`` then ``User: ...``), so the system turn is kept. Upstream
(``scripts/run_generative_v2.py``) takes the first message's text as the question. Any other chat is
multi-turn. ``generative_v2.py`` has no multi-turn prompt: its ``format_judge_answers`` ignores ``multi_turn``,
and the question is the first user turn and each answer the first assistant turn. We use RewardBench's own
multi-turn prompt (``prompt_multi_v2`` and ``MTBENCH_MULTI_V2`` of ``rewardbench/generative.py``, same commit)
made four-way as ``generative_v2.py`` makes the pairwise prompt four-way (see the templates' headers). This
variant is adapted, not verbatim.

**Exactly four responses.** The prompt is RewardBench 2's four-way text and names four assistants. A view of
any other number of responses makes no call and gives no decision, with ``extra["no_decision_reason"]`` naming
the count. It is not a failed call (``error`` stays None), so a run over a set with some other-sized items goes
on, and those items say why they have no verdict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar

from ..backends import ChatParams, Messages
from ..schema import Decision, Judgment
from . import register_judge
from ._listwise import listwise_extra, listwise_judgment
from ._prompted import render_messages

if TYPE_CHECKING:
    from . import JudgeContext, JudgeKind

LETTERS = ("A", "B", "C", "D")
NO_MARKER = "no verdict marker [[A]], [[B]], [[C]] or [[D]] in the output"
EMPTY = "empty output"


@dataclass(frozen=True)
class FourwayVerdict:
    """What ``parse_fourway`` read: the position (0-3, in the order shown) of the best response, or None with the
    reason."""

    choice: int | None
    reason: str | None = None


def parse_fourway(text: str | None) -> FourwayVerdict:
    """The verdict of a four-way output, read exactly as upstream's ``process_judgement`` (generative_v2.py @ 05a9005).

    Upstream checks the exact, case-sensitive substrings ``"[[A]]"``, ``"[[B]]"``, ``"[[C]]"``, ``"[[D]]"`` in that
    order and returns the first found. So with several markers the letter earliest in the alphabet wins,
    wherever it stands in the output: not the last verdict and not the first one written. An output
    ``"[[C]] ... on reflection [[A]]"`` is A, and so is ``"[[B]] ... [[A]]"``. We do the same. This is not the
    package's house rule (``_parsing``: the last verdict of the answer wins, mentions set aside), and the
    difference is deliberate: this judge reproduces RewardBench 2's numbers.

    As upstream, nothing else is read or dropped: no ``<think>`` stripping, no echo cut, no spaces inside
    brackets (``[[ A ]]``), no lowercase (``[[a]]``), no other letter (``[[E]]``). Any of these alone is no
    decision (upstream's ``"error"``, which scripts/run_generative_v2.py credits 0.25, "effectively a tie"). Our reason for it
    says which case it is.
    """
    if not text or not text.strip():
        return FourwayVerdict(None, EMPTY)
    for position, letter in enumerate(LETTERS):
        if f"[[{letter}]]" in text:
            return FourwayVerdict(position)
    near = re.search(r"\[\[\s*([A-Za-z])\s*\]\]", text)
    if near is not None:
        return FourwayVerdict(None, f"{NO_MARKER} (found {near.group(0)!r}; upstream reads only the exact uppercase markers)")
    return FourwayVerdict(None, NO_MARKER)


def is_single_turn(context: JudgeContext) -> bool:
    """Whether the item's prompt is one user turn (a system turn before it allowed): the single-turn prompt."""
    turns = [t for t in context.conversation if t.role != "system"]
    return len(turns) <= 1


@dataclass
class RewardBench2Fourway:
    """RewardBench 2's four-way judge: four responses shown as assistants A-D, ``[[A]]``..``[[D]]`` for the best.

    Attributes:
        name: registry name.
        backend: the chat backend.
        params: generation parameters (upstream: temperature 0, max_tokens 2048).
    """

    kind: ClassVar[JudgeKind] = "listwise"
    name: str
    backend: Any
    params: ChatParams = field(default_factory=ChatParams)
    order_invariant: bool = False

    def messages(self, context: JudgeContext, *responses: str) -> Messages:
        """The system and user messages for four responses in the order shown.

        Raises:
            ValueError: for other than four responses.
        """
        if len(responses) != len(LETTERS):
            raise ValueError(f"{self.name} shows exactly four responses (RewardBench 2's four-way prompt); got {len(responses)}")
        if is_single_turn(context):
            answers = dict(zip(("answer_a", "answer_b", "answer_c", "answer_d"), responses, strict=True))
            return render_messages("rewardbench2_fourway", system_template="rewardbench2_fourway_system", question=context.question, **answers)
        turns = [{"role": t.role, "content": t.content} for t in context.conversation]
        return render_messages(
            "rewardbench2_fourway_multi",
            system_template="rewardbench2_fourway_multi_system",
            turns=turns,
            answers=list(zip(LETTERS, responses, strict=True)),
            user_turns=sum(t.role == "user" for t in context.conversation),
        )

    async def judge(self, context: JudgeContext, *responses: str) -> Judgment:
        if len(responses) != len(LETTERS):
            reason = f"{self.name} shows exactly four responses (RewardBench 2's four-way prompt); this view has {len(responses)}: no call made"
            return Judgment(Decision.NONE, extra={"no_decision_reason": reason})
        def read(text: str) -> tuple[int | None, None, str | None]:
            parsed = parse_fourway(text)
            return parsed.choice, None, parsed.reason

        return await listwise_judgment(self.backend, self.params, self.messages(context, *responses), read)

    def reparse(self, judgment: Judgment) -> Judgment:
        """``judgment`` with its choice read again from its stored output (``score --reparse``); a failed call or a
        view that made no call is returned unchanged."""
        if judgment.is_failed or not judgment.output:
            return judgment
        parsed = parse_fourway(judgment.output)
        kept = {k: v for k, v in judgment.extra.items() if k not in ("no_decision_reason", "finish_reason")}
        return replace(judgment, choice=parsed.choice, extra=kept | listwise_extra(parsed.reason, judgment.extra.get("finish_reason")))


@register_judge(
    "rewardbench2_fourway",
    "RewardBench 2's four-way judge: best of exactly four responses, [[A]]-[[D]], prompt and parser verbatim "
    "(github.com/allenai/reward-bench generative_v2.py @ 05a9005); any chat model.",
    kind="listwise",
)
def rewardbench2_fourway(backend: object, *, temperature: float = 0.0, max_tokens: int = 2048) -> RewardBench2Fourway:
    """Upstream's settings by default: temperature 0, max_tokens 2048."""
    return RewardBench2Fourway(name="rewardbench2_fourway", backend=backend, params=ChatParams(temperature=temperature, max_tokens=max_tokens))
