"""RatingJudge: a pointwise prompted judge. Render the prompt for one response -> backend.chat -> read a rating.

A pointwise judge (``kind = "pointwise"``) has a ``scale`` (low, high), inclusive, and returns
``Judgment(Decision.NONE, rating=..., score_kind="rating")``. A rating that is missing or outside the scale is no
decision: ``rating=None`` with ``extra["no_decision_reason"]`` saying why (and the number read, when there was one,
in ``extra["rating_read"]``); a failed call is ``error=...``. ``extra["template"]`` names the prompt used.

Parsers return a ``RatingRead``: the number read, where it stands in the output (``span``, for the G-Eval reading of
the token probabilities there) and, when there is none, why.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar

from ..backends import BackendError, ChatParams, Messages
from ..schema import Decision, Judgment, Usage
from ._prompted import TRUNCATED_FINISH_REASONS, prompt_text

if TYPE_CHECKING:
    from . import JudgeContext, JudgeKind


@dataclass(frozen=True)
class RatingRead:
    """What a rating parser read.

    Attributes:
        value: the number read (``None``: none); it may lie outside the judge's scale (the judge refuses it).
        span: (start, end) of the number in the output text.
        reason: why there is no number.
    """

    value: float | None
    span: tuple[int, int] | None = None
    reason: str | None = None


RatingParser = Callable[[str], RatingRead]
Render = Callable[["JudgeContext", str], tuple[str, Messages]]
"""(context, response) -> (template name, messages)."""


def in_scale(value: float, scale: tuple[float, float]) -> bool:
    return math.isfinite(value) and scale[0] <= value <= scale[1]


def rating_extra(read: RatingRead, scale: tuple[float, float], finish_reason: str | None) -> tuple[float | None, dict[str, Any]]:
    """(the rating, what the judgment records about its parse): ``None`` and ``no_decision_reason`` for a missing or
    out-of-scale rating (prefixed with ``output truncated (finish_reason=...)`` for a cut-off output)."""
    extra: dict[str, Any] = {}
    truncated = finish_reason in TRUNCATED_FINISH_REASONS
    if truncated:
        extra["finish_reason"] = finish_reason
    reason: str | None = None
    rating = read.value
    if rating is None:
        reason = read.reason or "no rating in the output"
    elif not in_scale(rating, scale):
        extra["rating_read"] = rating
        reason = f"rating {rating:g} outside the scale {scale[0]:g}-{scale[1]:g}"
        rating = None
    if reason is not None:
        extra["no_decision_reason"] = f"output truncated (finish_reason={finish_reason}); {reason}" if truncated else reason
    return (float(rating) if rating is not None else None), extra


@dataclass
class RatingJudge:
    """A pointwise judge defined by a renderer, generation parameters and a rating parser.

    Attributes:
        name: registry name.
        backend: the chat backend.
        scale: (low, high) of the ratings, inclusive.
        render: (context, response) -> (template name, messages).
        parse: output text -> ``RatingRead``.
        params: generation parameters.
    """

    kind: ClassVar[JudgeKind] = "pointwise"
    name: str
    backend: Any
    scale: tuple[float, float]
    render: Render
    parse: RatingParser
    params: ChatParams = field(default_factory=ChatParams)
    order_invariant: bool = True

    def messages(self, context: JudgeContext, response: str) -> Messages:
        return self.render(context, response)[1]

    async def judge(self, context: JudgeContext, response: str) -> Judgment:
        template, messages = self.render(context, response)
        prompt = prompt_text(messages)
        try:
            completion = await self.backend.chat(messages, self.params)
        except BackendError as e:
            return Judgment(Decision.NONE, prompt=prompt, error=str(e), usage=Usage(calls=1), extra={"template": template})
        read = self.parse(completion.text)
        rating, extra = rating_extra(read, self.scale, completion.finish_reason)
        return Judgment(
            Decision.NONE,
            prompt=prompt,
            output=completion.text,
            rating=rating,
            score_kind="rating",
            usage=completion.usage,
            extra={"template": template} | ({"cached": True} if completion.cached else {}) | extra,
        )

    def reparse(self, judgment: Judgment) -> Judgment:
        """``judgment`` with its rating read again from its stored output (``score --reparse``); a failed call is
        returned unchanged."""
        if judgment.is_failed:
            return judgment
        rating, extra = rating_extra(self.parse(judgment.output), self.scale, judgment.extra.get("finish_reason"))
        kept = {k: v for k, v in judgment.extra.items() if k not in ("no_decision_reason", "finish_reason", "rating_read")}
        return replace(judgment, rating=rating, score_kind="rating", extra=kept | extra)
