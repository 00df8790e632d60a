"""Test helpers for judges: recorded outputs and a scripted in-test backend (no network, no server)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from judgebench.backends import BackendError, ChatParams, Completion
from judgebench.schema import Usage

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "judges"


def fixture(judge: str, name: str) -> str:
    """The recorded output ``tests/fixtures/judges/<judge>/<name>.txt``."""
    return (FIXTURES / judge / f"{name}.txt").read_text(encoding="utf-8")


def fixture_names(judge: str) -> list[str]:
    """Every recorded output of a judge (file stems), sorted."""
    return sorted(p.stem for p in (FIXTURES / judge).glob("*.txt"))


Reply = str | BaseException | Callable[[list[dict[str, str]], ChatParams, int], "str | BaseException"]


class ScriptedBackend:
    """Implements ``async chat(messages, params, *, sample_index=0) -> Completion`` from a script.

    ``replies`` is a list consumed in call order (the last entry repeats), or a function of (messages, params,
    sample_index). A reply that is an exception is raised instead of returned. Every call is recorded.
    """

    name = "scripted"

    def __init__(self, replies: list[Reply] | Callable[..., Any]):
        self.replies = replies
        self.calls: list[tuple[list[dict[str, str]], ChatParams, int]] = []

    async def chat(self, messages: list[dict[str, str]], params: ChatParams | None = None, *, sample_index: int = 0) -> Completion:
        params = params or ChatParams()
        self.calls.append((messages, params, sample_index))
        position = len(self.calls) - 1  # taken before yielding: concurrent calls each get their own reply
        await asyncio.sleep(0)
        if callable(self.replies):
            reply = self.replies(messages, params, sample_index)
        else:
            reply = self.replies[min(position, len(self.replies) - 1)]
            if callable(reply) and not isinstance(reply, BaseException):
                reply = reply(messages, params, sample_index)
        if isinstance(reply, BaseException):
            raise reply
        return Completion(texts=(reply,), usage=Usage(prompt_tokens=100, completion_tokens=10, calls=1))


def run(coro: Any) -> Any:
    """Run a coroutine to completion (tests stay synchronous)."""
    return asyncio.run(coro)


def failing(message: str = "HTTP 500 after 6 retries") -> BackendError:
    return BackendError(message, status=500)


def user_text(messages: list[dict[str, str]]) -> str:
    """The content of the (last) user message."""
    return [m["content"] for m in messages if m["role"] == "user"][-1]
