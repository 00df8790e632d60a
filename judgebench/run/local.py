"""The executor interface (``WorkItem``, ``Executor``, ``judge_items``) and the local asyncio executor (the default).
The Ray executor (``ray.py``) builds on the same pieces; ``judgebench.run.executors.get_executor`` picks one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from operator import attrgetter
from typing import Any, Protocol

from ..backends import Backend, BackendError, view_slot
from ..errors import JudgebenchError
from ..judges import AnyJudge, JudgeContext
from ..schema import Decision, Item, ItemResult, Judgment
from ..secrets import redact
from .spec import RunSpec

logger = logging.getLogger(__name__)

OnResult = Callable[[ItemResult, tuple[int, ...]], None]
"""Called once per finished item with its result and the games (view numbers) judged anew (the others were kept)."""


@dataclass(frozen=True)
class WorkItem:
    """One item to finish: judgments kept from earlier attempts, and the views still to judge.

    Attributes:
        item: the item.
        kept: judgments reused from an earlier attempt (each on its view).
        todo: the views still to judge, as ``(game, view)``: the view's number in the item's plan (from 1) and the
            response indices it shows, in order.
        protocol: the protocol's description, recorded in the result.
    """

    item: Item
    kept: tuple[Judgment, ...]
    todo: tuple[tuple[int, tuple[int, ...]], ...]
    protocol: str = ""

    def result(self, judge: str, model: str, judgments: Sequence[Judgment]) -> ItemResult:
        """The item's result from the kept and the new judgments, in plan order."""
        return ItemResult(self.item, judge, model, tuple(sorted([*self.kept, *judgments], key=_GAME)), self.protocol)


_GAME = attrgetter("game")


class Executor(Protocol):
    name: str

    def execute(self, judge: AnyJudge, backend: Backend | None, items: Sequence[WorkItem], spec: RunSpec, labels: tuple[str, str], on_result: OnResult) -> dict[str, Any] | None:
        """Judge ``items`` and call ``on_result`` as each pair finishes; return backend statistics if any."""
        ...


async def judge_one(judge: AnyJudge, item: Item, game: int, view: tuple[int, ...], sem: asyncio.Semaphore) -> Judgment:
    """One view of one item under the concurrency semaphore; failures become recorded no-decisions.

    The judge is shown the responses of ``view`` in its order, with the item's context (``JudgeContext``). The
    view takes one of ``sem``'s slots before its prompt is built; its chat calls give it back when none of them is
    in flight and take it again for the next (``backends.view_slot``: a view's answer is read after the waiting
    views' requests are sent); it is given back at the latest when the view is judged.
    """
    shown = [item.responses[i].text for i in view]
    async with view_slot.view(sem):
        try:
            j = await judge.judge(JudgeContext.of(item), *shown)
        except Exception as e:  # a judge should not raise; if it does, the failure is recorded, not dropped
            j = _recorded(e, item, game)
    return _settled(j, game, view)


def _recorded(e: Exception, item: Item, game: int) -> Judgment:
    """The no-decision recorded for a judge call on ``item``'s view ``game`` that raised ``e``: a ``BackendError``
    by its message, any other exception by its type and message (both redacted).

    Raises:
        JudgebenchError: ``e`` itself when it is one other than a ``BackendError`` (a configuration error: a model
            that cannot load, a bad option), which stops the run.
    """
    if isinstance(e, BackendError):
        return Judgment(Decision.NONE, error=redact(str(e)))
    if isinstance(e, JudgebenchError):
        raise e
    logger.debug("judge raised on %s view %d", item.id, game, exc_info=e)
    return Judgment(Decision.NONE, error=redact(f"{type(e).__name__}: {e}"))


def _settled(j: Judgment, game: int, view: tuple[int, ...]) -> Judgment:
    """``j`` as the item's view ``game`` showing ``view``; a judgment with an error becomes a no-decision with the
    error redacted."""
    if j.error:
        j = replace(j, error=redact(j.error), decision=Decision.NONE)
    return j.on_view(game, view)


def judge_now_items(judge_now: Callable[..., Judgment], items: Sequence[WorkItem], *, labels: tuple[str, str], on_result: OnResult) -> None:
    """Judge every item's missing views with a judge's synchronous ``judge_now`` (``judges.SyncJudge``) in a plain
    loop, one item after another, and call ``on_result`` for each item in order as soon as it is done.

    What each view gets is what ``judge_one`` gives it: the responses of the view in its order with the item's
    context; an exception becomes a recorded failure (``_recorded``), an error in the judgment a no-decision.

    Raises:
        JudgebenchError: a configuration error raised by the judge (not a ``BackendError``), as ``judge_one``.
    """
    judge_label, model_label = labels
    for work in items:
        item = work.item
        context = JudgeContext.of(item)
        texts = [r.text for r in item.responses]
        new = []
        for game, view in work.todo:
            try:
                j = judge_now(context, *[texts[i] for i in view])
            except Exception as e:  # a judge should not raise; if it does, the failure is recorded, not dropped
                j = _recorded(e, item, game)
            new.append(_settled(j, game, view))
        on_result(work.result(judge_label, model_label, new), tuple(g for g, _ in work.todo))


async def judge_items(judge: AnyJudge, items: Sequence[WorkItem], *, concurrency: int, labels: tuple[str, str], on_result: OnResult, sem: asyncio.Semaphore | None = None) -> None:
    """Judge every item's missing views with at most ``concurrency`` calls in flight (or under a shared ``sem``);
    report items as they finish."""
    sem = sem or asyncio.Semaphore(max(1, concurrency))
    judge_label, model_label = labels

    async def do(work: WorkItem) -> tuple[ItemResult, tuple[int, ...]]:
        # every view of the item is queued together (gather), so an item's views take the semaphore one after
        # another and items finish (and reach the partial log) in order: a crash loses at most the items in flight.
        # Running the first view in the item's own task saved ~0.02 ms per judgment (within noise) but queued every
        # item's first view before any second one, so a crash at concurrency 1 had finished no item at all
        new = await asyncio.gather(*(judge_one(judge, work.item, g, view, sem) for g, view in work.todo))
        return work.result(judge_label, model_label, new), tuple(g for g, _ in work.todo)

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
    """The default: one asyncio event loop in this process; a judge that offers ``judge_now`` and has no backend (a
    baseline) is judged in a plain loop without one (``judge_now_items``)."""

    name = "local"

    def execute(self, judge: AnyJudge, backend: Backend | None, items: Sequence[WorkItem], spec: RunSpec, labels: tuple[str, str], on_result: OnResult) -> dict[str, Any] | None:
        """Judge ``items`` and call ``on_result`` as each finishes (in item order on the synchronous path, in the
        order they finish otherwise); return the backend's ``run_stats()``, or ``None`` without a backend."""
        judge_now = getattr(judge, "judge_now", None)
        if judge_now is not None and backend is None:
            judge_now_items(judge_now, items, labels=labels, on_result=on_result)
            return None

        async def main() -> None:
            try:
                await judge_items(judge, items, concurrency=spec.concurrency, labels=labels, on_result=on_result)
            finally:
                aclose = getattr(backend, "aclose", None)
                if aclose is not None:
                    await aclose()

        run_loop(main())
        run_stats = getattr(backend, "run_stats", None)
        return run_stats() if run_stats is not None else None
