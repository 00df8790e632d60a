"""Work done in a forked second process, its result or its error sent back through a pipe.

The runner judges the second half of a long call-free run (a baseline judge over a large pair file) this way, so a
million pairs use both cores of a two-core machine (issue 17; docs/performance.md). Only a process with one thread
is forked (no lock can be held by a thread that the child lacks), and the child leaves with ``os._exit``: it runs
none of the parent's clean-up and flushes none of its buffers.

The child dies with the parent (``PR_SET_PDEATHSIG`` on Linux), so a killed run leaves no process behind that
still writes to its folder.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from ..errors import InputError, JudgebenchError, RunAborted

SENT = 17
"""The child's exit code once its whole result (or error) is in the pipe; any other ending is a lost child."""


def can_fork() -> bool:
    """Whether a second process can be forked here: ``os.fork`` exists, this process has one thread, and it may run
    on at least two CPUs."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return cpus >= 2


class Forked:
    """``work()`` running in a forked child process; ``result()`` waits for what it returned (picklable) or raises
    what it raised. ``stop()`` kills it (idempotent)."""

    def __init__(self, work: Callable[[], Any]) -> None:
        read_end, write_end = os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child: never returns into the caller's stack
            code = 1  # what the parent sees unless the whole payload went out
            try:
                os.close(read_end)
                _die_with(parent)
                try:
                    payload: tuple[Any, ...] = ("ok", work())
                except BaseException as e:  # sent to the parent, which raises it
                    payload = _describe(e)
                with os.fdopen(write_end, "wb") as out:
                    out.write(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
                code = SENT
            finally:
                os._exit(code)
        os.close(write_end)
        self.pid: int | None = pid
        self._read_end = read_end  # -1 once closed

    def result(self) -> Any:
        """What ``work()`` returned, once the child has finished.

        Raises:
            InputError, RunAborted, JudgebenchError, OSError, KeyboardInterrupt: what the child raised, rebuilt.
            RunAborted: for a child that ended without sending all of its result (killed, out of memory): what it
                finished is in the partial log, and the same command resumes.
            RuntimeError: for any other error of the child (its traceback in the message).
        """
        with os.fdopen(self._read_end, "rb") as f:
            self._read_end = -1
            data = f.read()
        pid, self.pid = self.pid, None
        _, status = os.waitpid(pid, 0) if pid is not None else (0, 0)
        if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == SENT):  # killed, or cut off while sending
            raise RunAborted(f"the second judging process ended without a result ({_status(status)}); what both processes finished is kept in the partial log: run the same command to resume")
        payload = pickle.loads(data)
        if payload[0] == "ok":
            return payload[1]
        raise _rebuild(payload)

    def stop(self, grace: float = 2.0) -> None:
        """Stop the child if it is still running, and reap it: first as Ctrl-C would (it then writes what it
        finished and leaves), after ``grace`` seconds with SIGKILL."""
        pid, self.pid = self.pid, None
        if pid is not None:
            try:
                os.kill(pid, signal.SIGINT)
                deadline = time.monotonic() + grace
                while os.waitpid(pid, os.WNOHANG) == (0, 0):
                    if time.monotonic() > deadline:
                        os.kill(pid, signal.SIGKILL)
                        os.waitpid(pid, 0)
                        break
                    time.sleep(0.01)
            except (ProcessLookupError, ChildProcessError):  # already gone and reaped
                pass
        if self._read_end >= 0:
            os.close(self._read_end)
            self._read_end = -1


def _die_with(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux); elsewhere nothing."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _describe(e: BaseException) -> tuple[Any, ...]:
    """A child's error as plain values (its class need not pickle)."""
    if isinstance(e, InputError):
        return ("InputError", e.reason, e.path, e.line, e.field)
    if isinstance(e, RunAborted):
        return ("RunAborted", str(e))
    if isinstance(e, JudgebenchError):
        return ("JudgebenchError", str(e))
    if isinstance(e, OSError):
        return ("OSError", e.errno, e.strerror, e.filename)
    if isinstance(e, KeyboardInterrupt):
        return ("KeyboardInterrupt",)
    return ("other", "".join(traceback.format_exception(e)))


def _rebuild(payload: tuple[Any, ...]) -> BaseException:
    kind = payload[0]
    if kind == "InputError":
        return InputError(payload[1], path=payload[2], line=payload[3], field=payload[4])
    if kind == "RunAborted":
        return RunAborted(payload[1])
    if kind == "JudgebenchError":
        return JudgebenchError(payload[1])
    if kind == "OSError":
        return OSError(payload[1], payload[2], payload[3])
    if kind == "KeyboardInterrupt":
        return KeyboardInterrupt()
    return RuntimeError(f"the second judging process failed:\n{payload[1]}")


def _status(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit code {os.WEXITSTATUS(status)}"
