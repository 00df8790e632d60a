"""The run's concurrency slot of the view being judged, handed back as soon as a one-call judge's answer is in.

The local executor (``run.local.judge_one``) holds one of the run's ``--concurrency`` slots while a view is judged,
so at most that many views call their server at once. A judge that makes exactly one call per view (a prompted
pairwise, rating or listwise judge) says so by awaiting ``answered(self)`` right after its call returns: the slot
goes back then, before the answer is parsed, and the views waiting for a slot send their requests before this one
reads its verdict. The bound on calls in flight is unchanged (a view's only call is over when its slot goes back);
what changes is the order of work when many answers arrive together: the next requests go on the wire first, and
the verdicts are read while the server works on them (issue 17: with 64 calls in flight against a 200 ms server,
reading 64 verdicts between each wave of requests lengthened every wave).

Only the judge the executor called for the view can hand its slot back: a judge called by another one (a jury's
member, an ensemble's inner judge) finds someone else's slot and keeps it, so a judge that makes several calls per
view holds its slot to the end, as before. Outside the local executor (a direct ``await judge.judge(...)``, the Ray
executor) there is no slot and ``answered`` returns at once.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar, Token

_HELD: ContextVar[tuple[object, Callable[[], None]] | None] = ContextVar("judgebench_view_slot", default=None)


def hold(judge: object, release: Callable[[], None]) -> Token[tuple[object, Callable[[], None]] | None]:
    """Record, for the current task, that ``judge`` is judging a view under a slot that ``release()`` hands back
    (``release`` must do nothing when called again: the executor calls it once more when the view is done).
    Returns the token for ``drop``."""
    return _HELD.set((judge, release))


def drop(token: Token[tuple[object, Callable[[], None]] | None]) -> None:
    """Forget the slot recorded by ``hold`` (the executor, when the view is done)."""
    _HELD.reset(token)


async def answered(judge: object) -> None:
    """Called by a judge that makes one call per view, once that call has returned: hand back the view's slot when
    ``judge`` is the judge it was given to, then let the event loop run twice, so that the views woken by the
    returned slots (and by those of the other answers that arrived together) send their requests before this view
    parses its answer. Does nothing when ``judge`` holds no slot."""
    held = _HELD.get()
    if held is None or held[0] is not judge:
        return
    import asyncio  # loaded already: a slot is only held on the executor's event loop

    held[1]()
    # one turn runs the woken views (a slot's waiter is scheduled when the slot is released); this view's parse
    # then comes a turn later, behind the requests of every view woken in the same turn
    await asyncio.sleep(0)
    await asyncio.sleep(0)
