"""A view's slot of the run's ``--concurrency``: held while the view's calls are in flight, not while its answers
are read.

The local executor (``run.local.judge_one``) takes one of the run's ``--concurrency`` slots before a view is judged
(its prompt is rendered under it) and records it for the view's task (``view``). Every call a judge makes goes
through ``ManagedBackend``, which wraps the call in ``call()``: the slot goes back as soon as none of the view's
calls is in flight, and is taken again (waiting in line with the other views) before the view's next call. So at
most ``--concurrency`` views have calls in flight, whatever a judge does: one call, several in a row (a debate, a
judge that asks again), or several at once (a jury's members share their view's slot until the last one answers).

What this changes is when the answers are read. When many answers arrive together, each view's slot is back before
its verdict is parsed, and ``call()`` then lets the event loop turn twice, so the views woken by the returned
slots send their requests before any of those answers is read (issue 17: with 64 calls in flight against a 200 ms
server, reading 64 verdicts between each wave of requests lengthened every wave). The parsing then happens while
the server works.

A call made where no view holds a slot (a direct ``await judge.judge(...)``, a judge's own warm-up) is not
bounded here and ``call()`` does nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar


class ViewSlot:
    """One view's claim on the run's semaphore: taken (``take``), given back (``give``), and the number of the
    view's calls in flight."""

    def __init__(self, sem: asyncio.Semaphore) -> None:
        self._sem = sem
        self._held = False
        self.calls = 0

    @property
    def held(self) -> bool:
        return self._held

    async def take(self) -> None:
        """Hold a slot of the semaphore (waiting for one unless already held)."""
        if not self._held:
            await self._sem.acquire()
            self._held = True

    def give(self) -> None:
        """Give the slot back, if held (a second call does nothing)."""
        if self._held:
            self._held = False
            self._sem.release()


_VIEW: ContextVar[ViewSlot | None] = ContextVar("judgebench_view_slot", default=None)


@asynccontextmanager
async def view(sem: asyncio.Semaphore) -> AsyncIterator[None]:
    """The body judges one view (the executor): a slot of ``sem`` is taken before it starts and recorded for the
    current task, which tasks the judge starts (``asyncio.gather`` of several calls) share; the slot is given back
    at the latest when the body ends, however it ends."""
    slot = ViewSlot(sem)
    await slot.take()
    token = _VIEW.set(slot)
    try:
        yield
    finally:
        slot.give()
        _VIEW.reset(token)


@asynccontextmanager
async def call() -> AsyncIterator[None]:
    """Around one call of the current view (``ManagedBackend``, retries included): take the view's slot back if it
    was given back, count the call, and give the slot back when the view has no other call in flight. After a call
    that returned and gave the slot back, the event loop turns twice before the caller goes on: one turn runs the
    views woken by the slots given back in the same turn (each sends its request), the next comes back here. A call
    that raises gives the slot back and raises at once."""
    slot = _VIEW.get()
    if slot is None:
        yield
        return
    await slot.take()
    slot.calls += 1
    try:
        yield
    finally:
        slot.calls -= 1
        gave = slot.calls == 0 and slot.held
        if gave:
            slot.give()
    if gave:
        await asyncio.sleep(0)
        await asyncio.sleep(0)
