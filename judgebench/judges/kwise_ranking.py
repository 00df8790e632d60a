"""``kwise_ranking``: K responses shown as assistants A, B, C, ... and ranked in full, best first.

The prompt (``templates/kwise_ranking_system.jinja`` and ``kwise_ranking.jinja``) is adapted from RewardBench 2's
four-way judge (github.com/allenai/reward-bench, ``rewardbench/generative_v2.py``, ``prompt_v2`` and
``MTBENCH_V2["prompt_template"]``, commit 05a9005efb607249822c193590c8ecab87c77052). It uses the same sentences and
layout for K assistants, and asks for the whole order rather than the best one. The idea of ranking K candidates
in one free-for-all comparison is K-Sort Arena's (Li et al., "K-Sort Arena: Efficient and Reliable Benchmarking
for Generative Models via K-wise Human Preferences", arXiv:2408.14468), where the rankings are human votes. The
user prompt for K = 4 is RewardBench 2's text. A chat prompt is shown as its transcript
(``JudgeContext.question``).

The output ends with one line ``Ranking: [[C > A > D > B]]``: the letters of the order shown, best first, each
once, separated by ``>`` (``parse_ranking``). The judgment sets ``ranking`` (positions in the order shown, best
first) and ``choice`` (``ranking[0]``). K is 2 to 26 (the letters A-Z). A view of any other size makes no call
and gives no decision, with the reason.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar

from ..backends import ChatParams, Messages
from ..schema import Decision, Judgment
from . import register_judge
from ._listwise import listwise_extra, listwise_judgment
from ._parsing import Echo, answer_of
from ._prompted import render_messages

if TYPE_CHECKING:
    from . import JudgeContext, JudgeKind

MAX_K = len(string.ascii_uppercase)
_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten"}

# A line that is only the ranking: "Ranking: [[C > A > D > B]]", any case, Markdown emphasis, a list or quote mark
# before it and a full stop after it allowed. Its brackets' content is read by ``parse_ranking``.
_RANKING_ANYWHERE = re.compile(r"Ranking[ \t*_`]*:[ \t*_`]*\[\[", re.IGNORECASE)  # for the reason only
RANKING_LINE = re.compile(r"^[ \t>*_#`-]*Ranking[ \t*_`]*:[ \t*_`]*\[\[([^\[\]\n]*)\]\][ \t*_`.]*$", re.IGNORECASE | re.MULTILINE)
# An echoed prompt ends after its last response's closing marker.
ECHO = Echo(("kwise_ranking_system", "kwise_ranking"), tuple(f"[The End of Assistant {c}'s Answer]" for c in string.ascii_uppercase))


def letters(k: int) -> tuple[str, ...]:
    """The labels of ``k`` responses in the order shown: A, B, C, ..."""
    return tuple(string.ascii_uppercase[:k])


def example_order(k: int) -> tuple[int, ...]:
    """The example ranking the prompt shows: neither the order shown nor its reverse when K > 2 (C > A > D > B for
    four, C > A > B for three, then the further letters from the last), so the example suggests no order."""
    if k == 2:
        return (1, 0)
    return (2, 0, *range(3, min(k, 4)), 1, *range(k - 1, 3, -1))


def _count_words(k: int) -> str:
    return _WORDS.get(k, str(k))


def _letter_list(labels: tuple[str, ...]) -> str:
    return f"{', '.join(labels[:-1])} and {labels[-1]}"


@dataclass(frozen=True)
class RankingVerdict:
    """What ``parse_ranking`` read: the ranking (positions in the order shown, best first), or None with the reason."""

    ranking: tuple[int, ...] | None
    reason: str | None = None


def parse_ranking(text: str | None, k: int) -> RankingVerdict:
    """The ranking of a K-wise output: its last ``Ranking: [[...]]`` line.

    The output is first reduced to its answer as the house rule does (``_parsing.answer_of``): a prompt echo cut,
    text after end-of-sequence and ``<think>`` blocks dropped, Unicode folded. The example in the prompt's
    instruction stands inside a sentence and is not a ranking line. Of the lines that are only a ranking
    (``Ranking: [[C > A > D > B]]``, any case, in Markdown emphasis or not), the last one is read, and only it: an
    earlier line is a draft. Its content must name each of the K letters shown exactly once, separated by ``>``
    (letters in any case). A tie (``=``), a missing, repeated or unknown letter (``E`` when four are shown), or
    other text inside the brackets is no decision with the reason. An earlier well-formed line is not used in
    its place.
    """
    labels = letters(k)
    answer = answer_of(text, ECHO)
    found = list(RANKING_LINE.finditer(answer.text))
    if not found:
        if answer.problem is not None or not answer.text.strip():
            return RankingVerdict(None, answer.missing("ranking line", _RANKING_ANYWHERE))
        in_reasoning = _RANKING_ANYWHERE.search(answer.reasoning) is not None
        return RankingVerdict(None, 'no "Ranking: [[...]]" line in the answer' + ("; one only inside the <think> reasoning" if in_reasoning else ""))
    content = found[-1].group(1)
    shown = f"[[{' '.join(content.split())}]]"
    parts = [p.strip() for p in content.split(">")]
    if any(len(p) != 1 or not p.isalpha() for p in parts):
        return RankingVerdict(None, f"the last ranking {shown} is not letters separated by '>' (a tie or other text)")
    order = [p.upper() for p in parts]
    unknown = [c for c in order if c not in labels]
    if unknown:
        return RankingVerdict(None, f"the last ranking {shown} names {unknown[0]}, not one of the {k} responses shown ({', '.join(labels)})")
    repeated = sorted({c for c in order if order.count(c) > 1})
    if repeated:
        return RankingVerdict(None, f"the last ranking {shown} names {repeated[0]} more than once")
    missing = [c for c in labels if c not in order]
    if missing:
        return RankingVerdict(None, f"the last ranking {shown} leaves out {', '.join(missing)}: not a ranking of all {k} responses shown")
    return RankingVerdict(tuple(labels.index(c) for c in order))


@dataclass
class KwiseRanking:
    """A listwise judge that asks for a full ranking of the K responses shown.

    Attributes:
        name: registry name.
        backend: the chat backend.
        params: generation parameters.
    """

    kind: ClassVar[JudgeKind] = "listwise"
    name: str
    backend: Any
    params: ChatParams = field(default_factory=ChatParams)
    order_invariant: bool = False

    def messages(self, context: JudgeContext, *responses: str) -> Messages:
        """The system and user messages for ``responses`` in the order shown.

        Raises:
            ValueError: for fewer than 2 or more than 26 responses.
        """
        k = len(responses)
        if not 2 <= k <= MAX_K:
            raise ValueError(f"{self.name} ranks 2 to {MAX_K} responses (labelled A-Z); got {k}")
        labels = letters(k)
        return render_messages(
            "kwise_ranking",
            system_template="kwise_ranking_system",
            question=context.question,
            answers=list(zip(labels, responses, strict=True)),
            count=_count_words(k),
            example=" > ".join(labels[i] for i in example_order(k)),
            letter_list=_letter_list(labels),
        )

    async def judge(self, context: JudgeContext, *responses: str) -> Judgment:
        k = len(responses)
        if not 2 <= k <= MAX_K:
            reason = f"{self.name} ranks 2 to {MAX_K} responses (labelled A-Z); this view has {k}: no call made"
            return Judgment(Decision.NONE, extra={"no_decision_reason": reason})
        def read(text: str) -> tuple[int | None, tuple[int, ...] | None, str | None]:
            parsed = parse_ranking(text, k)
            return (parsed.ranking[0] if parsed.ranking else None), parsed.ranking, parsed.reason

        return await listwise_judgment(self.backend, self.params, self.messages(context, *responses), read)

    def reparse(self, judgment: Judgment) -> Judgment:
        """``judgment`` with its ranking and choice read again from its stored output (``score --reparse``). K is the
        judgment's view size; a failed call, a view that made no call, or one without a view is returned unchanged."""
        if judgment.is_failed or not judgment.output or judgment.view is None:
            return judgment
        parsed = parse_ranking(judgment.output, len(judgment.view))
        kept = {k: v for k, v in judgment.extra.items() if k not in ("no_decision_reason", "finish_reason")}
        return replace(
            judgment,
            ranking=parsed.ranking,
            choice=parsed.ranking[0] if parsed.ranking else None,
            extra=kept | listwise_extra(parsed.reason, judgment.extra.get("finish_reason")),
        )


@register_judge(
    "kwise_ranking",
    "K-wise full ranking of 2-26 responses, last line 'Ranking: [[C > A > D > B]]'; prompt adapted from RewardBench 2's "
    "four-way judge (github.com/allenai/reward-bench) in the manner of K-Sort Arena (arXiv:2408.14468); any chat model.",
    kind="listwise",
)
def kwise_ranking(backend: object, *, temperature: float = 0.0, max_tokens: int = 2048) -> KwiseRanking:
    """Greedy by default (temperature 0), max_tokens 2048 as RewardBench 2's four-way judge."""
    return KwiseRanking(name="kwise_ranking", backend=backend, params=ChatParams(temperature=temperature, max_tokens=max_tokens))
