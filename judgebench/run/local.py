"""The executor interface (``WorkItem``, ``Executor``, ``judge_items``) and the local asyncio executor (the default).
The Ray executor (``ray.py``) builds on the same pieces; ``judgebench.run.executors.get_executor`` picks one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from ..backends import BackendError
from ..errors import JudgebenchError
from ..schema import Decision, ItemResult, Judgment, Pair
from ..secrets import redact

logger = logging.getLogger(__name__)

OnResult = Callable[[ItemResult, tuple[int, ...]], None]
"""Called once per finished pair with its result and the games judged anew (the others were kept)."""


@dataclass(frozen=True)
class WorkItem:
    """One pair to finish: judgments kept from earlier attempts, and the games still to judge."""

    pair: Pair
    kept: tuple[Judgment, ...]
    todo: tuple[int, ...]


class Executor(Protocol):
    name: str

    def execute(self, judge: Any, backend: Any, items: Sequence[WorkItem], spec: Any, labels: tuple[str, str], on_result: OnResult) -> dict[str, Any] | None:
        """Judge ``items`` and call ``on_result`` as each pair finishes; return backend statistics if any."""
        ...


async def judge_one(judge: Any, pair: Pair, game: int, sem: asyncio.Semaphore) -> Judgment:
    """One game of one pair under the concurrency semaphore; failures become recorded no-decisions."""
    a, b = (pair.response_A, pair.response_B) if game == 1 else pair.swapped()
    async with sem:
        try:
            j = await judge.judge(pair.question, a, b)
        except BackendError as e:
            j = Judgment(Decision.NONE, error=redact(str(e)))
        except JudgebenchError:
            raise  # a configuration error (model cannot load, bad option): stop the run and say so
        except Exception as e:  # a judge should not raise; if it does, the failure is recorded, not dropped
            logger.debug("judge raised on %s game %d", pair.pair_id, game, exc_info=True)
            j = Judgment(Decision.NONE, error=redact(f"{type(e).__name__}: {e}"))
    if j.error:
        j = replace(j, error=redact(j.error), decision=Decision.NONE)
    return j.with_game(game)  # type: ignore[arg-type]


async def judge_items(judge: Any, items: Sequence[WorkItem], *, concurrency: int, labels: tuple[str, str], on_result: OnResult, sem: asyncio.Semaphore | None = None) -> None:
    """Judge every item's missing games with at most ``concurrency`` calls in flight (or under a shared ``sem``);
    report pairs as they finish."""
    sem = sem or asyncio.Semaphore(max(1, concurrency))
    judge_label, model_label = labels

    async def do(item: WorkItem) -> tuple[ItemResult, tuple[int, ...]]:
        new = await asyncio.gather(*(judge_one(judge, item.pair, g, sem) for g in item.todo))
        games = sorted([*item.kept, *new], key=lambda j: j.game)
        return ItemResult.of_pair(item.pair, judge_label, model_label, tuple(games)), item.todo

    tasks = [asyncio.ensure_future(do(it)) for it in items]
    try:
        for fut in asyncio.as_completed(tasks):
            result, fresh = await fut
            on_result(result, fresh)
    finally:
        for t in tasks:
            t.cancel()
        # wait for the cancelled ones: several pairs may stop on the same RunAborted, only the first is raised, and
        # an exception left unretrieved would be logged with a traceback
        await asyncio.gather(*tasks, return_exceptions=True)


def run_loop(coro: Any) -> Any:
    """Run a coroutine on uvloop when it is installed (less CPU per request), else on asyncio's own loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coro)


class LocalExecutor:
    """The default: one asyncio event loop in this process."""

    name = "local"

    def execute(self, judge: Any, backend: Any, items: Sequence[WorkItem], spec: Any, labels: tuple[str, str], on_result: OnResult) -> dict[str, Any] | None:
        async def main() -> None:
            try:
                await judge_items(judge, items, concurrency=spec.concurrency, labels=labels, on_result=on_result)
            finally:
                if hasattr(backend, "aclose"):
                    await backend.aclose()

        run_loop(main())
        return backend.run_stats() if hasattr(backend, "run_stats") else None
