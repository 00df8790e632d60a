"""Run untrusted Python (model-written code) in a contained subprocess.

Each run gets a fresh temporary working folder as its current directory, hard resource limits (CPU seconds,
address space, process count, file size, open files), a wall-clock deadline after which its whole process group
is killed, capped stdout/stderr, a scrubbed environment (no API keys; ``PATH=/usr/bin:/bin``, ``HOME`` = the
working folder) and Python's isolated mode (``-I``). After every run, any process left in its session or process
group, or running as its private uid, is killed.

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
import selectors
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
class SandboxResult:
    """The outcome of one run.

    ``status``: ``passed`` (exit code 0), ``failed`` (non-zero exit, e.g. a failed assert), ``timeout`` (wall-clock
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


def run_python(code: str, *, stdin: str = "", limits: Limits | None = None, isolation_: Isolation | None = None) -> SandboxResult:
    """Run ``code`` as ``main.py`` in the sandbox and classify the outcome (never raises for program faults).

    ``isolation_`` overrides the probed default (e.g. ``probe_isolation("audit-hook")``).
    """
    return _run(isolation_ or isolation(), code, stdin, limits or Limits())


def run_many(programs: Iterable[tuple[str, str]], *, workers: int = 2, limits: Limits | None = None, isolation_: Isolation | None = None) -> list[SandboxResult]:
    """Run ``(code, stdin)`` programs on ``workers`` threads (each run is its own process); results in input order."""
    iso = isolation_ or isolation()
    lim = limits or Limits()
    items = list(programs)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(lambda p: _run(iso, p[0], p[1], lim), items))


def _scrubbed_env() -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}


def _run(iso: Isolation, code: str, stdin: str, limits: Limits) -> SandboxResult:
    uid = _next_uid() if iso.drops_uid else None
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="jb-sandbox-") as tmp:
        tmp_path = Path(tmp)
        (tmp_path / "program.py").write_text(code, encoding="utf-8")
        (tmp_path / "stdin.txt").write_text(stdin, encoding="utf-8")
        workdir = tmp_path / "work"
        if uid is not None:
            os.chmod(tmp_path, 0o711)  # the dropped uid must reach its working folder (audit-hook mode)
        status_r, status_w = os.pipe()
        cfg = {
            "namespaces": iso.mode == "namespaces",
            "code_path": str(tmp_path / "program.py"),
            "workdir": str(workdir),
            "status_fd": status_w,
            "uid": uid,
            "cpu_s": limits.cpu_s,
            "memory_mb": limits.memory_mb,
            "nproc": limits.nproc,
            "fsize_mb": limits.fsize_mb,
            "nofile": limits.nofile,
            "tmpfs_mb": limits.tmpfs_mb,
        }
        cmd = [*iso.prefix, iso.python, "-I", str(BOOT), json.dumps(cfg)]
        try:
            with open(tmp_path / "stdin.txt", "rb") as stdin_f:
                proc = subprocess.Popen(cmd, stdin=stdin_f, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_scrubbed_env(), cwd=tmp, start_new_session=True, pass_fds=(status_w,))
        except OSError as e:
            os.close(status_r)
            return SandboxResult("error", f"cannot start the sandbox: {e}", None, "", "", 0.0, iso.mode, uid)
        finally:
            os.close(status_w)
        try:
            out, err, over, timed_out = _collect(proc, limits, start + limits.wall_s)
        finally:
            _kill_leftovers(proc.pid, uid)
            report = _read_report(status_r)
        runtime = time.monotonic() - start
    stdout, stderr = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    rc = _program_returncode(report, proc.returncode)
    status, reason = _classify(rc, stderr, limits, timed_out=timed_out, over_output=over)
    if "error" in report:
        status, reason = "error", f"sandbox supervisor: {report['error']}"
    return SandboxResult(status, reason, rc, stdout, stderr, round(runtime, 4), iso.mode, uid)


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


def _collect(proc: subprocess.Popen[bytes], limits: Limits, deadline: float) -> tuple[bytes, bytes, bool, bool]:
    """Read both pipes until EOF, exit (plus a short grace for daemons holding the pipes), the deadline or the cap."""
    assert proc.stdout is not None and proc.stderr is not None
    out_fd, err_fd = proc.stdout.fileno(), proc.stderr.fileno()
    bufs = {out_fd: bytearray(), err_fd: bytearray()}
    sel = selectors.DefaultSelector()
    for fd in bufs:
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ)
    over = timed_out = False
    exited_at: float | None = None
    try:
        while sel.get_map():
            now = time.monotonic()
            if now >= deadline:
                timed_out = proc.poll() is None
                break
            if exited_at is None and proc.poll() is not None:
                exited_at = now
            if exited_at is not None and now - exited_at > 0.2:
                break
            for key, _ in sel.select(timeout=min(0.05, deadline - now)):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    sel.unregister(key.fd)
                    continue
                buf = bufs[key.fd]
                room = limits.max_output_bytes - len(buf)
                buf += chunk[: max(room, 0)]
                if len(chunk) > room:
                    over = True
            if over:
                break
    finally:
        sel.close()
    if proc.poll() is None:
        _killpg(proc.pid)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        logger.warning("sandbox process %d did not exit after SIGKILL", proc.pid)
    proc.stdout.close()
    proc.stderr.close()
    return bytes(bufs[out_fd]), bytes(bufs[err_fd]), over, timed_out


def _killpg(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _proc_ids(pid: str) -> tuple[int, int, int, str] | None:
    """``(pgid, sid, uid, state)`` of a live process, from /proc; ``None`` if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        uid = os.stat(f"/proc/{pid}").st_uid
    except (OSError, ValueError):
        return None
    return int(fields[2]), int(fields[3]), uid, fields[0]


def leftover_processes(session: int, uid: int | None) -> list[int]:
    """Pids still alive in the sandbox's session or process group (both = the first pid), or owned by its uid."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        ids = _proc_ids(entry)
        if ids is None or ids[3] in ("Z", "X"):
            continue
        pgid, sid, owner, _ = ids
        if pgid == session or sid == session or (uid is not None and owner == uid):
            found.append(int(entry))
    return found


def _kill_leftovers(session: int, uid: int | None) -> None:
    _killpg(session)
    for _ in range(50):
        pids = leftover_processes(session, uid)
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.01)
    logger.warning("sandbox: processes of session %d survive SIGKILL: %s", session, leftover_processes(session, uid))


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

