"""The outcome of a sandboxed run (``judgebench.sandbox``): the supervisor's report, the harness's verdict for
function-style tests, and the status and one-line reason of a run."""

from __future__ import annotations

import json
import os
import signal
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from ._sandbox_limits import Limits

Status = Literal["passed", "failed", "timeout", "memory", "killed", "error"]


def read_verdict(fd: int, limit: int = 1 << 16) -> str:
    """What the harness (and possibly the program) wrote to the verdict pipe, up to ``limit`` bytes."""
    data = bytearray()
    try:
        os.set_blocking(fd, False)
        while len(data) < limit:
            chunk = os.read(fd, limit - len(data))
            if not chunk:
                break
            data += chunk
    except BlockingIOError:
        pass
    finally:
        os.close(fd)
    return data.decode("utf-8", "replace")


def judge_verdict(status: Status, reason: str, verdict: str, nonce: str) -> tuple[Status, str]:
    """The status of a function-style run: ``passed`` needs exit code 0 *and* the harness's ``PASS <nonce>`` line.

    The program can write to the verdict pipe too, but it never sees the nonce; a ``FAIL``/``ERROR`` line it
    forges only changes the reason of a run that fails anyway.
    """
    lines = verdict.splitlines()
    has_pass = f"PASS {nonce}" in lines
    said = [ln for ln in lines if ln.startswith(("FAIL ", "ERROR "))]
    if status == "passed":
        if has_pass:
            return "passed", "every test ran and passed (harness verdict)"
        return "failed", "exit code 0 without the harness's verdict: the program ended the process before its tests finished"
    if status == "failed" and said:
        kind, _, text = said[-1].partition(" ")
        if kind == "ERROR":
            return "error", f"the tests could not run: {text}"
        if text.startswith("MemoryError"):
            return "memory", text
        return "failed", text
    return status, reason


def read_report(fd: int) -> dict[str, object]:
    """The supervisor's ``{"exit": N}`` / ``{"signal": N}``, or ``{}`` when it was killed before writing it."""
    try:
        os.set_blocking(fd, False)
        data = os.read(fd, 4096)
    except BlockingIOError:
        data = b""
    finally:
        os.close(fd)
    try:
        report = json.loads(data) if data else {}
    except json.JSONDecodeError:
        report = {}
    return report if isinstance(report, dict) else {}


def program_returncode(report: dict[str, object], outer: int | None) -> int | None:
    """The program's exit code (negative = signal), from the supervisor's report, else the outer process's."""
    if isinstance(report.get("signal"), int):
        return -int(report["signal"])  # type: ignore[call-overload]
    if isinstance(report.get("exit"), int):
        return int(report["exit"])  # type: ignore[call-overload]
    return outer


def last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1][:300] if lines else ""


def classify(rc: int | None, stderr: str, limits: Limits, *, timed_out: bool, over_output: bool) -> tuple[Status, str]:
    last = last_line(stderr)
    if over_output:
        return "killed", f"output over {limits.max_output_bytes} bytes"
    if timed_out:
        return "timeout", f"wall-clock limit of {limits.wall_s:g}s exceeded"
    if rc is None:
        return "error", "the sandbox process did not exit"
    if rc == 0:
        return "passed", "exit code 0"
    if "MemoryError" in last or "Cannot allocate memory" in stderr or "std::bad_alloc" in stderr:
        return "memory", f"memory limit of {limits.memory_mb} MB: {last}"
    if rc < 0 or rc > 128:
        sig = -rc if rc < 0 else rc - 128
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else f"signal {sig}"
        if sig == signal.SIGXCPU:
            return "timeout", f"CPU time limit of {limits.cpu_s}s exceeded ({name})"
        if sig == signal.SIGXFSZ:
            return "killed", f"file size limit of {limits.fsize_mb} MB exceeded ({name})"
        if sig in (signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS) and limits.memory_mb:
            return "memory", f"killed by {name}, likely an allocation failure under the {limits.memory_mb} MB limit; {last}"
        return "killed", f"killed by {name}" + (f"; {last}" if last else "")
    return "failed", f"exit code {rc}: {last}" if last else f"exit code {rc}"
