"""Preparing responses before they are rendered into a judge's prompt: per-judge cleaning and length limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..backends import Messages
from ._options import choice_option, int_option
from ._prompted import PromptedJudge

if TYPE_CHECKING:
    from . import JudgeContext


def truncate(text: str, max_chars: int | None, side: str) -> str:
    """Keep at most ``max_chars`` characters, cutting on the ``left`` (keep the end) or ``right`` (keep the start).

    ``None`` keeps the text whole. This is a character-level stand-in for the token-level truncation JudgeBench
    applies to judges with a short context (PandaLM, JudgeLM): no tokenizer is loaded here.
    """
    if max_chars is None or len(text) <= max_chars:
        return text
    return text[-max_chars:] if side == "left" else text[:max_chars]


@dataclass
class PreparedJudge(PromptedJudge):
    """A PromptedJudge that cleans (``prepare``) and truncates each response before rendering the template."""

    max_response_chars: int | None = None
    truncation_side: str = "right"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.max_response_chars is not None:
            self.max_response_chars = int_option("max_response_chars", self.max_response_chars, low=1, high=10_000_000)
        self.truncation_side = choice_option("truncation_side", self.truncation_side, ("left", "right"))

    def prepare(self, response: str) -> str:
        """A response as the judge's own prompt builder would insert it (identity by default)."""
        return response

    def messages(self, context: JudgeContext, response_a: str, response_b: str) -> Messages:
        """The chat messages for ``context`` with the prepared ``response_a`` shown first."""
        a = truncate(self.prepare(response_a), self.max_response_chars, self.truncation_side)
        b = truncate(self.prepare(response_b), self.max_response_chars, self.truncation_side)
        return super().messages(context, a, b)
