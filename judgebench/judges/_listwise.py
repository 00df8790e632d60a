"""What the listwise judges share: one call for a view, and what a listwise judgment records about its parse."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..backends import BackendError, ChatParams, Messages
from ..schema import Decision, Judgment, Usage
from ._prompted import TRUNCATED_FINISH_REASONS, prompt_text

Read = Callable[[str], tuple[int | None, tuple[int, ...] | None, str | None]]
"""A listwise parser: output text -> (choice, ranking, the reason nothing was read or None)."""


def listwise_extra(reason: str | None, finish_reason: str | None) -> dict[str, Any]:
    """What a listwise judgment records about its parse in ``extra``, as ``_prompted.verdict_extra`` does for a
    pairwise one: ``finish_reason`` when the output was cut off by the token limit, and ``no_decision_reason``
    (``reason``, prefixed for a cut-off output) when nothing was read."""
    extra: dict[str, Any] = {}
    truncated = finish_reason in TRUNCATED_FINISH_REASONS
    if truncated:
        extra["finish_reason"] = finish_reason
    if reason is not None:
        extra["no_decision_reason"] = f"output truncated (finish_reason={finish_reason}); {reason}" if truncated else reason
    return extra


async def listwise_judgment(backend: Any, params: ChatParams, messages: Messages, read: Read) -> Judgment:
    """Ask ``backend`` once with ``messages`` and read its answer with ``read``: a judgment with ``choice`` and/or
    ``ranking`` (positions in the order shown), or a failed one (``error``) when the call fails; never raises for a
    failed call."""
    prompt = prompt_text(messages)
    try:
        completion = await backend.chat(messages, params)
    except BackendError as e:
        return Judgment(Decision.NONE, prompt=prompt, error=str(e), usage=Usage(calls=1))
    choice, ranking, reason = read(completion.text)
    return Judgment(
        Decision.NONE,
        prompt=prompt,
        output=completion.text,
        choice=choice,
        ranking=ranking,
        usage=completion.usage,
        extra=({"cached": True} if completion.cached else {}) | listwise_extra(reason, completion.finish_reason),
    )
