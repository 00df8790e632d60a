"""LaTeX answer checking with ``math-verify``, under a deadline that the harness enforces itself.

math-verify's own timeouts use ``signal.alarm``, which works only in the main thread, so it is always called here
with ``parsing_timeout=None`` and ``timeout_seconds=None``. ``MathVerifier`` runs the checks in worker processes
and kills a worker whose item exceeds ``timeout_s`` (sympy can hang on adversarial input); that item is graded
incorrect with a "timeout" reason and a fresh worker takes the next one.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import time
from collections.abc import Iterable
from multiprocessing.connection import Connection, wait
from typing import Any

from .grading import Grade

logger = logging.getLogger(__name__)


def _quiet_math_verify() -> None:
    # math-verify logs a warning on every call made without its signal-based timeout; we enforce our own.
    for name in ("math_verify", "math_verify.parser", "math_verify.grader", "math_verify.utils"):
        logging.getLogger(name).setLevel(logging.ERROR)


def verify_in_process(response: str, answer: str) -> Grade:
    """Parse the gold ``answer`` (as ``$answer$``) and the response, and compare them; no timeout."""
    from math_verify import parse, verify

    _quiet_math_verify()
    try:
        gold = parse(f"${answer}$", parsing_timeout=None)
        pred = parse(response, parsing_timeout=None)
    except Exception as e:  # math-verify raises on malformed LaTeX in rare cases
        return Grade("math", False, None, answer, f"math-verify could not parse: {type(e).__name__}: {e}")
    if not gold:
        raise ValueError(f"reference answer {answer!r} is not parseable LaTeX")
    if not pred:
        return Grade("math", False, None, answer, "no answer found (math-verify extracted nothing)")
    extracted = str(pred[-1]) if isinstance(pred[-1], str) else str(pred[0])
    try:
        ok = bool(verify(gold, pred, timeout_seconds=None))
    except Exception as e:
        return Grade("math", False, extracted, answer, f"math-verify failed: {type(e).__name__}: {e}")
    word = "equivalent to" if ok else "not equivalent to"
    return Grade("math", ok, extracted, answer, f"math-verify: {extracted!r} {word} {answer!r}")


def _worker(conn: Connection) -> None:
    _quiet_math_verify()
    while True:
        try:
            item = conn.recv()
        except EOFError:
            return
        if item is None:
            return
        response, answer = item
        try:
            conn.send(verify_in_process(response, answer).to_dict())
        except ValueError as e:
            conn.send({"error": str(e)})


class MathVerifier:
    """A small process pool for math-verify with a per-item deadline.

    Use as a context manager; ``grade_many`` keeps input order. Workers start with the ``forkserver`` method, so
    the harness's threads and event loop are never forked.
    """

    def __init__(self, *, workers: int = 2, timeout_s: float = 5.0):
        self.workers = max(1, workers)
        self.timeout_s = timeout_s
        self._ctx = mp.get_context("forkserver")
        self._slots: list[tuple[Any, Connection] | None] = [None] * self.workers

    def __enter__(self) -> MathVerifier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self, i: int) -> tuple[Any, Connection]:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_worker, args=(child,), daemon=True)
        proc.start()
        child.close()
        self._slots[i] = (proc, parent)
        return proc, parent

    def _kill(self, i: int) -> None:
        slot = self._slots[i]
        if slot is not None:
            proc, conn = slot
            proc.kill()
            proc.join(5)
            conn.close()
        self._slots[i] = None

    def _conn(self, i: int) -> Connection:
        slot = self._slots[i]
        assert slot is not None
        return slot[1]

    def close(self) -> None:
        for i, slot in enumerate(self._slots):
            if slot is not None:
                try:
                    slot[1].send(None)
                except OSError:
                    pass
                slot[0].join(1)
                self._kill(i)

    def grade(self, response: str, answer: str) -> Grade:
        return self.grade_many([(response, answer)])[0]

    def grade_many(self, items: Iterable[tuple[str, str]]) -> list[Grade]:
        """Grade ``(response, answer)`` items; an item past the deadline gets a timeout grade."""
        todo = list(enumerate(items))
        results: list[Grade | None] = [None] * len(todo)
        busy: dict[int, tuple[int, float]] = {}  # slot -> (item index, deadline)
        queue = list(reversed(todo))
        while queue or busy:
            for i in range(self.workers):
                if i not in busy and queue:
                    idx, item = queue.pop()
                    slot = self._slots[i] or self._start(i)
                    slot[1].send(item)
                    busy[i] = (idx, time.monotonic() + self.timeout_s)
            conns: dict[Connection, int] = {self._conn(i): i for i in busy}
            next_deadline = min(d for _, d in busy.values())
            ready = wait(list(conns), timeout=max(0.0, next_deadline - time.monotonic()))
            for ready_conn in ready:
                i = conns[ready_conn]  # type: ignore[index]
                idx, _ = busy.pop(i)
                try:
                    out: dict[str, Any] = self._conn(i).recv()
                except EOFError:
                    self._kill(i)
                    results[idx] = Grade("math", False, None, todo[idx][1][1], "math-verify worker died")
                    continue
                if "error" in out:
                    raise ValueError(out["error"])
                results[idx] = Grade.from_dict(out)
            now = time.monotonic()
            for i, (idx, deadline) in list(busy.items()):
                if now >= deadline:
                    busy.pop(i)
                    self._kill(i)
                    answer = todo[idx][1][1]
                    results[idx] = Grade("math", False, None, answer, f"timeout: math-verify took over {self.timeout_s:g}s")
                    logger.warning("math-verify timed out on item %d; worker restarted", idx)
        return [r for r in results if r is not None]
