"""Work a run does in a thread while its judge's calls are in flight, so that none of it is paid between the last
answer and the end of the command (issue 17, target 2: the whole command against the concurrency/latency bound).

What goes here is independent of the judgments: facts for ``run.json`` that take subprocesses or file scans (the
package versions, the git revision), and imports of what scoring and the reports need (numpy, the bootstrap, the
report modules: about 0.2-0.3 s on the project's machine). The thread starts at the run's first finished item, not
before: until the first request is on the wire the process has better use for its one interpreter lock. While it
runs, the interpreter's switch interval is ``SWITCH_INTERVAL_S`` (``sys.setswitchinterval``; Python's default is
5 ms): the event loop, woken by an answer, gets the lock back from this thread within that time, so the next
request is not held up behind an import.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

SWITCH_INTERVAL_S = 0.0005
"""The interpreter's switch interval while a background thread works (seconds): how long the event loop's thread
waits at most for the interpreter lock when an answer arrives. Restored when the last such thread ends."""

_switch_lock = threading.Lock()
_working = 0  # background threads at work
_saved_interval: float | None = None


def _shorten_switch_interval() -> None:
    global _working, _saved_interval
    with _switch_lock:
        if _working == 0:
            _saved_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(_saved_interval, SWITCH_INTERVAL_S))
        _working += 1


def _restore_switch_interval() -> None:
    global _working, _saved_interval
    with _switch_lock:
        _working -= 1
        if _working == 0 and _saved_interval is not None:
            sys.setswitchinterval(_saved_interval)
            _saved_interval = None


class Background(Generic[T]):
    """``compute()`` and the imports of ``warm`` (module names, or functions that import what they need) in a daemon
    thread, started by ``start()`` (once; later calls do nothing) and joined by ``result()``; the switch interval is
    ``SWITCH_INTERVAL_S`` while it works.

    ``result()`` starts the work itself when nothing started it (a run with no item to judge), and raises what
    ``compute`` raised. A module of ``warm`` that fails to import is only logged at debug level: warming is an
    optimisation, and the code that needs the module imports it again and raises there.
    """

    def __init__(self, compute: Callable[[], T], warm: Sequence[str | Callable[[], object]] = ()) -> None:
        self._compute = compute
        self._warm = tuple(warm)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._value: T | None = None
        self._error: BaseException | None = None

    def start(self) -> None:
        """Start the thread (the first call only; later calls return at once)."""
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._work, name="judgebench-background", daemon=True)
            _shorten_switch_interval()
            try:
                self._thread.start()
            except BaseException:  # no thread to be had: the interval is the caller's again
                _restore_switch_interval()
                raise

    def _work(self) -> None:
        try:
            try:
                self._value = self._compute()
            except BaseException as e:  # re-raised by result(), in the caller's thread
                self._error = e
            for what in self._warm:
                try:
                    importlib.import_module(what) if isinstance(what, str) else what()
                except Exception:
                    logger.debug("warming %s failed", what, exc_info=True)
        finally:
            _restore_switch_interval()

    def result(self) -> T:
        """What ``compute`` returned, once the thread is done (started here if it was not).

        Raises:
            whatever ``compute`` raised.
        """
        self.start()
        assert self._thread is not None
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]
