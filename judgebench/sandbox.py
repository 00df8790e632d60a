"""Run untrusted Python (model-written code) in a contained subprocess.

Each run gets a fresh temporary working folder as its current directory, hard resource limits (CPU seconds,
address space, process count, file size, open files), a wall-clock deadline after which its whole process group
is killed, capped stdout/stderr, a scrubbed environment (no API keys; ``PATH=/usr/bin:/bin``, ``HOME`` = the
working folder) and Python's isolated mode (``-I``). After every run, any process left in its session or process
group, or running as its private uid, is killed.

A run is either a script (``run_python(code, stdin=...)``: ``main.py`` runs as ``__main__``; stdin/stdout problems)
or a program under tests (``run_python(code, tests=FunctionTests(...))``: the harness in ``_sandbox_check`` imports
it as a module, runs HumanEval's ``check`` or MBPP's asserts itself, and reports a pass on a separate pipe with a
nonce made per run; only that report, with exit code 0, is ``passed``). The program, the tests and the nonce reach
the sandbox through an unnamed temporary file, never a path, the command line or the environment.

Network isolation is chosen at runtime (``isolation()``, probed once per process):

* ``namespaces`` (preferred): the child starts under ``unshare --net --pid --mount --fork --kill-child
  --mount-proc`` (plus ``--user --map-root-user`` when the harness is not root). The new network namespace has
  only a loopback interface that is down, so every connection fails with ``ENETUNREACH``; the PID namespace
  means that when the program's first process ends, the kernel kills every process it started (daemons
  included); in the mount namespace every existing mount is read-only and ``/tmp``, ``/var/tmp``, ``/dev/shm``,
  ``/run/lock`` are private size-capped tmpfs, so nothing written survives the run.
* ``audit-hook`` (fallback, when ``unshare`` is missing or not permitted): a ``sys.addaudithook`` hook refuses
  socket connects/binds/DNS, starting programs, ``ctypes`` and signals outside the sandbox's process group.
  This is best effort (a determined program could find another way out); the uid drop below still applies.

When the harness runs as root (CI containers), the program runs as a fresh uid used by nobody else
(``UID_BASE`` + a counter), so ``RLIMIT_NPROC`` counts only its processes (root ignores that limit), ordinary
file permissions apply, and it cannot signal the harness. The interpreter that runs programs must then be
readable by that uid: the probe tries ``$JUDGEBENCH_SANDBOX_PYTHON``, ``sys.executable`` and ``/usr/bin/python3``
in that order. ``$JUDGEBENCH_SANDBOX=namespaces|audit-hook`` forces a mode.
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from ._sandbox_procs import collect_output, kill_leftovers
from ._sandbox_procs import leftover_processes as leftover_processes  # public: pids a run left behind
from .errors import JudgebenchError

logger = logging.getLogger(__name__)

Status = Literal["passed", "failed", "timeout", "memory", "killed", "error"]
Mode = Literal["namespaces", "audit-hook"]
BOOT = Path(__file__).with_name("_sandbox_boot.py")
UID_BASE = 3_000_000_000  # far above system and subordinate-uid ranges; below 2**32 - 1 ((uid_t)-1)
UID_SPAN = 1_000_000_000
_uid_counter = itertools.count()
_uid_lock = threading.Lock()


@dataclass(frozen=True)
class Limits:
    """Per-run limits. ``memory_mb`` is address space (``RLIMIT_AS``), which Python needs about 30 MB of to start."""

    wall_s: float = 10.0
    cpu_s: int = 10
    memory_mb: int = 1024
    nproc: int = 32
    fsize_mb: int = 16
    nofile: int = 64
    max_output_bytes: int = 1 << 20
    tmpfs_mb: int = 64


@dataclass(frozen=True)
class Isolation:
    """How programs are contained on this machine (see the module docstring)."""

    mode: Mode
    python: str
    prefix: tuple[str, ...]
    drops_uid: bool
    detail: str


@dataclass(frozen=True)
class FunctionTests:
    """Tests that the sandbox's harness (``_sandbox_check``) runs against a program it imports as a module.

    ``test``: HumanEval's ``def check(candidate): ...`` (called with the program's ``entry_point``), or MBPP-style
    ``assert`` lines that call the program's functions by name. ``helpers``: code whose definitions the tests use
    (HumanEval's prompt: ``poly``, ``encode_cyclic``); the tests get the prompt's, not the program's. None of it
    is written where the program can read it.
    """

    test: str
    entry_point: str = ""
    helpers: str = ""


@dataclass(frozen=True)
class SandboxResult:
    """The outcome of one run.

    ``status``: ``passed`` (exit code 0; with ``FunctionTests``, only when the harness also reported that every
    test ran to its end, with the run's nonce), ``failed`` (non-zero exit, e.g. a failed assert), ``timeout`` (wall-clock
    or CPU limit), ``memory`` (``MemoryError`` or allocation failure under the address-space limit), ``killed``
    (another signal, the file-size limit, or output over the cap), ``error`` (the harness could not run it).
    ``reason`` says why in one line; ``stdout``/``stderr`` keep at most ``Limits.max_output_bytes`` each;
    ``uid`` is the private uid the program ran as (``None`` when the harness is not root).
    """

    status: Status
    reason: str
    returncode: int | None
    stdout: str
    stderr: str
    runtime_s: float
    mode: str
    uid: int | None = None

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


class SandboxUnavailableError(JudgebenchError):
    """No way to run programs contained on this machine."""


def _next_uid() -> int:
    with _uid_lock:
        n = next(_uid_counter)
    return UID_BASE + (os.getpid() * 10_007 + n) % UID_SPAN


def _python_candidates() -> list[str]:
    out = [os.environ.get("JUDGEBENCH_SANDBOX_PYTHON", ""), sys.executable, "/usr/bin/python3", shutil.which("python3") or ""]
    seen: list[str] = []
    for c in out:
        if c and c not in seen and os.path.exists(c):
            seen.append(c)
    return seen


def _ns_prefix() -> tuple[str, ...] | None:
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    user = () if os.geteuid() == 0 else ("--user", "--map-root-user")
    return (unshare, *user, "--net", "--pid", "--mount", "--fork", "--kill-child", "--mount-proc", "--")


PROBE = "import os, socket\ntry:\n    socket.create_connection(('127.0.0.1', 9), timeout=2)\nexcept OSError as e:\n    print('blocked', type(e).__name__, os.getuid())\nelse:\n    print('open')\n"


def probe_isolation(mode: Mode) -> Isolation:
    """An ``Isolation`` of the given mode that runs a probe program here, trying each interpreter candidate.

    Raises:
        SandboxUnavailableError: the mode does not work on this machine (the message lists what was tried).
    """
    prefix: tuple[str, ...] = ()
    if mode == "namespaces":
        found = _ns_prefix()
        if found is None:
            raise SandboxUnavailableError("namespaces: no `unshare` command (util-linux) on PATH")
        prefix = found
    tried: list[str] = []
    for python in _python_candidates():
        candidate = Isolation(mode, python, prefix, os.geteuid() == 0, "")
        result = _run(candidate, PROBE, "", Limits(wall_s=20, cpu_s=10))
        if result.status == "passed" and result.stdout.startswith("blocked"):
            detail = f"{mode} with {python}" + (", private uid per run" if candidate.drops_uid else "")
            return Isolation(mode, python, prefix, candidate.drops_uid, detail)
        tried.append(f"{mode} with {python}: {result.status} ({result.reason}) {result.stdout.strip()[:80]}")
    raise SandboxUnavailableError("; ".join(tried))


@functools.cache
def isolation() -> Isolation:
    """The containment used by default, probed once: namespaces if they work here, else the audit hook.

    ``$JUDGEBENCH_SANDBOX`` forces one mode. Raises ``SandboxUnavailableError`` when nothing works.
    """
    forced = os.environ.get("JUDGEBENCH_SANDBOX", "")
    if forced not in ("", "namespaces", "audit-hook"):
        raise SandboxUnavailableError(f"JUDGEBENCH_SANDBOX={forced!r}: use 'namespaces' or 'audit-hook'")
    modes: list[Mode] = [forced] if forced else ["namespaces", "audit-hook"]  # type: ignore[list-item]
    errors: list[str] = []
    for mode in modes:
        try:
            iso = probe_isolation(mode)
        except SandboxUnavailableError as e:
            errors.append(str(e))
            continue
        logger.info("sandbox isolation: %s", iso.detail)
        if errors:
            logger.warning("sandbox: network namespaces unavailable (%s); using the weaker audit-hook fallback", errors[0])
        return iso
    raise SandboxUnavailableError("cannot run sandboxed code here; tried: " + "; ".join(errors))


def run_python(code: str, *, stdin: str = "", tests: FunctionTests | None = None, limits: Limits | None = None, isolation_: Isolation | None = None) -> SandboxResult:
    """Run ``code`` in the sandbox and classify the outcome (never raises for program faults).

    Without ``tests``, ``code`` runs as the script ``main.py`` (``__name__ == "__main__"``) with ``stdin``. With
    ``tests``, the harness imports it as a module and runs the tests itself; the run passes only when the harness
    reports, with a nonce the program never sees, that every test ran to its end (exit code 0 alone is not enough:
    see ``_sandbox_check``). ``isolation_`` overrides the probed default (e.g. ``probe_isolation("audit-hook")``).
    """
    return _run(isolation_ or isolation(), code, stdin, limits or Limits(), tests)


Program = tuple[str, str] | tuple[str, str, FunctionTests | None]


def run_many(programs: Iterable[Program], *, workers: int = 2, limits: Limits | None = None, isolation_: Isolation | None = None) -> list[SandboxResult]:
    """Run ``(code, stdin)`` or ``(code, stdin, tests)`` programs on ``workers`` threads (each run is its own
    process; see ``run_python``); results in input order."""
    iso = isolation_ or isolation()
    lim = limits or Limits()
    items = [(p[0], p[1], p[2] if len(p) > 2 else None) for p in programs]  # type: ignore[misc]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(lambda p: _run(iso, p[0], p[1], lim, p[2]), items))


def _scrubbed_env() -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}


def _run(iso: Isolation, code: str, stdin: str, limits: Limits, tests: FunctionTests | None = None) -> SandboxResult:
    uid = _next_uid() if iso.drops_uid else None
    start = time.monotonic()
    nonce = secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="jb-sandbox-") as tmp, tempfile.TemporaryFile() as cfg_f, tempfile.TemporaryFile() as stdin_f:
        # the configuration (program, tests, nonce) and stdin travel in unnamed files, never on a path the program could open
        workdir = Path(tmp) / "work"
        if uid is not None:
            os.chmod(tmp, 0o711)  # the dropped uid must reach its working folder (audit-hook mode)
        status_r, status_w = os.pipe()
        verdict_r, verdict_w = os.pipe() if tests is not None else (None, None)
        cfg: dict[str, object] = {
            "namespaces": iso.mode == "namespaces",
            "code": code,
            "workdir": str(workdir),
            "status_fd": status_w,
            "verdict_fd": verdict_w,
            "uid": uid,
            "cpu_s": limits.cpu_s,
            "memory_mb": limits.memory_mb,
            "nproc": limits.nproc,
            "fsize_mb": limits.fsize_mb,
            "nofile": limits.nofile,
            "tmpfs_mb": limits.tmpfs_mb,
        }
        if tests is not None:
            cfg["tests"] = {"test": tests.test, "entry_point": tests.entry_point, "helpers": tests.helpers, "nonce": nonce}
        cfg_f.write(json.dumps(cfg).encode("utf-8"))
        cfg_f.seek(0)
        stdin_f.write(stdin.encode("utf-8"))
        stdin_f.seek(0)
        fds = (status_w, cfg_f.fileno()) + ((verdict_w,) if verdict_w is not None else ())
        cmd = [*iso.prefix, iso.python, "-I", str(BOOT), str(cfg_f.fileno())]
        try:
            proc = subprocess.Popen(cmd, stdin=stdin_f, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_scrubbed_env(), cwd=tmp, start_new_session=True, pass_fds=fds)
        except OSError as e:
            for fd in (status_r, verdict_r):
                if fd is not None:
                    os.close(fd)
            return SandboxResult("error", f"cannot start the sandbox: {e}", None, "", "", 0.0, iso.mode, uid)
        finally:
            for fd in (status_w, verdict_w):
                if fd is not None:
                    os.close(fd)
        try:
            out, err, over, timed_out = collect_output(proc, limits.max_output_bytes, start + limits.wall_s)
        finally:
            kill_leftovers(proc.pid, uid)
            report = _read_report(status_r)
            verdict = _read_verdict(verdict_r) if verdict_r is not None else ""
        runtime = time.monotonic() - start
    stdout, stderr = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    rc = _program_returncode(report, proc.returncode)
    status, reason = _classify(rc, stderr, limits, timed_out=timed_out, over_output=over)
    if "error" in report:
        status, reason = "error", f"sandbox supervisor: {report['error']}"
    elif tests is not None:
        status, reason = _judge_verdict(status, reason, verdict, nonce)
    return SandboxResult(status, reason, rc, stdout, stderr, round(runtime, 4), iso.mode, uid)


def _read_verdict(fd: int, limit: int = 1 << 16) -> str:
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


def _judge_verdict(status: Status, reason: str, verdict: str, nonce: str) -> tuple[Status, str]:
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


def _read_report(fd: int) -> dict[str, object]:
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


def _program_returncode(report: dict[str, object], outer: int | None) -> int | None:
    """The program's exit code (negative = signal), from the supervisor's report, else the outer process's."""
    if isinstance(report.get("signal"), int):
        return -int(report["signal"])  # type: ignore[call-overload]
    if isinstance(report.get("exit"), int):
        return int(report["exit"])  # type: ignore[call-overload]
    return outer


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1][:300] if lines else ""


def _classify(rc: int | None, stderr: str, limits: Limits, *, timed_out: bool, over_output: bool) -> tuple[Status, str]:
    last = _last_line(stderr)
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


def describe_limits(limits: Limits | None = None) -> dict[str, object]:
    """The limits and the isolation mode, for run metadata."""
    iso = isolation()
    return {"mode": iso.mode, "python": iso.python, "private_uid": iso.drops_uid, **asdict(limits or Limits())}

