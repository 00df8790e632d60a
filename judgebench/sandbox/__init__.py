"""Run untrusted Python (model-written code) in a contained subprocess.

Each run gets a fresh temporary working folder as its current directory, hard resource limits (CPU seconds,
address space, process count, file size, open files), a wall-clock deadline after which its whole process group
is killed, capped stdout/stderr, a scrubbed environment (no API keys; ``PATH=/usr/bin:/bin``, ``HOME`` = the
working folder) and Python's isolated mode (``-I``). After every run, any process left in its session or process
group, or running as its private uid, is killed.

A run is either a script (``run_python(code, stdin=...)``: ``main.py`` runs as ``__main__``; stdin/stdout problems)
or a program under tests (``run_python(code, tests=FunctionTests(...))``: the harness in ``_sandbox_check``, the
judge, forks a process that imports the program as a module, runs HumanEval's ``check`` or MBPP's asserts itself
against proxies of the program's functions, and reports a pass on a separate pipe with a nonce made per run; only
that report, with exit code 0, is ``passed``). The program, and apart from it the tests and the nonce, reach the
sandbox through unnamed temporary files, never a path, the command line or the environment; the tests' file is
read only by the judge, after the program's process was forked, and the judge is not dumpable.

Containment is chosen at runtime (``isolation()``, probed once per process); README "The code sandbox" has the
table of what each mode guarantees:

* ``namespaces`` (preferred): the child starts under ``unshare --net --pid --ipc --mount --fork --kill-child
  --mount-proc`` (plus ``--user --map-root-user`` when the harness is not root). No network (a loopback that is
  down); when the program's first process ends the kernel kills every process it started; SysV IPC and POSIX
  message queues die with the run; and the program's root is a new one (``_sandbox_jail.build_root``) holding
  only read-only system folders, the Python installation, five devices and one size-capped scratch tmpfs, so the
  user's home, the working tree and the host's unix sockets do not exist for it, whatever its uid.
* ``audit-hook`` (weak; refused unless ``$JUDGEBENCH_ALLOW_WEAK_SANDBOX=1`` or ``allow_weak=True``): a seccomp
  filter refuses program starts, network sockets, FIFOs, new sessions, pidfd signals and shared memory at the
  kernel, and a ``sys.addaudithook`` hook refuses reads and writes outside the working folder (and the Python
  installation), signals outside the process group and ``/proc`` of other processes. The program still shares
  the host's file tree, so a way around the hook reads what the user running the harness may read.

In both modes a seccomp filter refuses ptrace, the kernel keyrings, io_uring and new namespaces, and, where this
process can make cgroups (``_sandbox_cgroup``), each run gets one whose memory limit (``Limits.memory_mb``)
counts every page it holds, tmpfs and shared memory included; without one, memory that no tmpfs size counts
(``memfd``, SysV and POSIX message queues) is refused instead.

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
import platform
import secrets
import shutil
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

from ..errors import JudgebenchError
from . import _sandbox_cgroup
from ._sandbox_limits import Limits as Limits  # public: judgebench.sandbox.Limits
from ._sandbox_outcome import Status, classify, judge_verdict, last_line, program_returncode, read_report, read_verdict
from ._sandbox_procs import collect_output, kill_leftovers, remove_shm_of
from ._sandbox_procs import leftover_processes as leftover_processes  # public: pids a run left behind

logger = logging.getLogger(__name__)

Mode = Literal["namespaces", "audit-hook"]
BOOT = Path(__file__).with_name("_sandbox_boot.py")
UID_BASE = 3_000_000_000  # far above system and subordinate-uid ranges; below 2**32 - 1 ((uid_t)-1)
UID_SPAN = 1_000_000_000
_uid_counter = itertools.count()
_uid_lock = threading.Lock()


@dataclass(frozen=True)
class Isolation:
    """How programs are contained on this machine (see the module docstring)."""

    mode: Mode
    python: str
    prefix: tuple[str, ...]
    drops_uid: bool
    detail: str
    cgroup: str | None = None
    seccomp: bool = False


@dataclass(frozen=True)
class FunctionTests:
    """Tests that the sandbox's harness (``_sandbox_check``) runs against a program it imports as a module.

    ``test``: HumanEval's ``def check(candidate): ...`` (called with the program's ``entry_point``), or MBPP-style
    ``assert`` lines that call the program's functions by name. ``helpers``: code whose definitions the tests use
    (HumanEval's prompt: ``poly``, ``encode_cyclic``); the tests get the prompt's, not the program's. None of it
    is written where the program can read it, nor is it ever in the program's process: the tests run in the judge
    (``_sandbox_check``).
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
    """No way to run programs contained on this machine (or only the weak mode, which was not allowed): a setup
    error, exit code 2 like every other input or setup error of ``grade`` and ``recipe run``."""

    exit_code = 2


ALLOW_WEAK_ENV = "JUDGEBENCH_ALLOW_WEAK_SANDBOX"
WEAK_REFUSAL = (
    "the audit-hook mode cannot contain hostile code (it shares the host's files, processes and network stack; "
    "see README: The code sandbox); set {env}=1 or pass --allow-weak-sandbox to run untrusted code in it anyway"
)


def weak_sandbox_allowed() -> bool:
    """Whether the user opted in to the weak audit-hook mode (``$JUDGEBENCH_ALLOW_WEAK_SANDBOX`` is 1/true/yes)."""
    return os.environ.get(ALLOW_WEAK_ENV, "").strip().lower() in ("1", "true", "yes")


def allow_weak_sandbox() -> None:
    """Opt in to the weak mode for this process and the processes it starts (the CLI's ``--allow-weak-sandbox``)."""
    os.environ[ALLOW_WEAK_ENV] = "1"
    isolation.cache_clear()


def _hidden_dirs() -> list[str]:
    """The harness user's home folders ($HOME and the password database's): never visible to a program."""
    import pwd

    homes = {os.path.expanduser("~")}
    try:
        homes.add(pwd.getpwuid(os.getuid()).pw_dir)
    except KeyError:
        pass
    return sorted({os.path.realpath(h) for h in homes if h and os.path.realpath(h) != "/"})


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
    return (unshare, *user, "--net", "--pid", "--ipc", "--mount", "--fork", "--kill-child", "--mount-proc", "--")


PROBE = "import os, socket\ntry:\n    socket.create_connection(('127.0.0.1', 9), timeout=2)\nexcept OSError as e:\n    print('blocked', type(e).__name__, os.getuid())\nelse:\n    print('open')\n"


def probe_isolation(mode: Mode, *, allow_weak: bool | None = None) -> Isolation:
    """An ``Isolation`` of the given mode that runs a probe program here, trying each interpreter candidate.

    ``allow_weak``: run untrusted code in the audit-hook mode (default: ``weak_sandbox_allowed()``).

    Raises:
        SandboxUnavailableError: the mode does not work on this machine (the message lists what was tried), or it
            is the audit-hook mode and the weak mode was not allowed.
    """
    if mode == "audit-hook" and not (weak_sandbox_allowed() if allow_weak is None else allow_weak):
        raise SandboxUnavailableError("audit-hook: " + WEAK_REFUSAL.format(env=ALLOW_WEAK_ENV))
    prefix: tuple[str, ...] = ()
    if mode == "namespaces":
        found = _ns_prefix()
        if found is None:
            raise SandboxUnavailableError("namespaces: no `unshare` command (util-linux) on PATH")
        prefix = found
    cgroups = _sandbox_cgroup.support()
    cgroup = cgroups.detail if cgroups else None
    seccomp = platform.machine() in ("x86_64", "aarch64")  # the system call tables _sandbox_jail knows
    tried: list[str] = []
    for python in _python_candidates():
        candidate = Isolation(mode, python, prefix, os.geteuid() == 0, "", cgroup, seccomp)
        result = _run(candidate, PROBE, "", Limits(wall_s=20, cpu_s=10))
        if result.status == "passed" and result.stdout.startswith("blocked"):
            parts = [f"{mode} with {python}", "private uid per run" if candidate.drops_uid else "", cgroup or "no cgroup (memory bounded per process)", "seccomp filter" if seccomp else "no seccomp filter"]
            return Isolation(mode, python, prefix, candidate.drops_uid, ", ".join(p for p in parts if p), cgroup, seccomp)
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
            logger.warning("sandbox: namespaces unavailable (%s); using the weak audit-hook mode, as allowed", errors[0])
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
    cgroups = _sandbox_cgroup.support() if iso.cgroup else None
    try:
        cg = _sandbox_cgroup.RunCgroup(cgroups, limits.memory_mb, limits.nproc + 4) if cgroups else None
    except OSError as e:  # the run was promised a memory limit: no run without it
        return SandboxResult("error", f"cannot create the run's cgroup: {e}", None, "", "", 0.0, iso.mode, uid)
    with tempfile.TemporaryDirectory(prefix="jb-sandbox-") as tmp, tempfile.TemporaryFile() as cfg_f, tempfile.TemporaryFile() as tests_f, tempfile.TemporaryFile() as stdin_f:
        # the configuration (program, limits), the tests with the nonce, and stdin travel in unnamed files, never on a
        # path the program could open; the tests' file is read only by the judge, after it forked the program's process
        if uid is not None:
            os.chmod(tmp, 0o711)  # the dropped uid must reach its working folder (audit-hook mode)
        status_r, status_w = os.pipe()
        verdict_r, verdict_w = os.pipe() if tests is not None else (None, None)
        cfg: dict[str, object] = {
            "namespaces": iso.mode == "namespaces",
            "code": code,
            "workdir": str(Path(tmp) / "work"),
            "status_fd": status_w,
            "verdict_fd": verdict_w,
            "uid": uid,
            "cgroup_procs": cg.procs if cg else [],
            "seccomp": iso.seccomp,
            "hidden": _hidden_dirs(),
            "cpu_s": limits.cpu_s,
            "memory_mb": limits.memory_mb,
            "nproc": limits.nproc,
            "fsize_mb": limits.fsize_mb,
            "nofile": limits.nofile,
            "tmpfs_mb": min(limits.tmpfs_mb, limits.memory_mb),
        }
        if tests is not None:
            cfg["tests_fd"] = tests_f.fileno()
            tests_f.write(json.dumps({"test": tests.test, "entry_point": tests.entry_point, "helpers": tests.helpers, "nonce": nonce}).encode("utf-8"))
            tests_f.seek(0)
        cfg_f.write(json.dumps(cfg).encode("utf-8"))
        cfg_f.seek(0)
        stdin_f.write(stdin.encode("utf-8"))
        stdin_f.seek(0)
        fds = (status_w, cfg_f.fileno()) + ((verdict_w, tests_f.fileno()) if verdict_w is not None else ())
        cmd = [*iso.prefix, iso.python, "-I", "-S", str(BOOT), str(cfg_f.fileno())]  # -S: the boot adds site-packages
        try:
            proc = subprocess.Popen(cmd, stdin=stdin_f, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_scrubbed_env(), cwd=tmp, start_new_session=True, pass_fds=fds)
        except OSError as e:
            for fd in (status_r, verdict_r):
                if fd is not None:
                    os.close(fd)
            if cg:
                cg.remove()
            return SandboxResult("error", f"cannot start the sandbox: {e}", None, "", "", 0.0, iso.mode, uid)
        finally:
            for fd in (status_w, verdict_w):
                if fd is not None:
                    os.close(fd)
        try:
            out, err, over, timed_out = collect_output(proc, limits.max_output_bytes, start + limits.wall_s)
        finally:
            kill_leftovers(proc.pid, uid)
            report = read_report(status_r)
            verdict = read_verdict(verdict_r) if verdict_r is not None else ""
            oom = cg.oom_killed() if cg else False
            if cg:
                cg.remove()
            if uid is not None and iso.mode == "audit-hook":
                remove_shm_of(uid)  # POSIX semaphores/shared memory a killed program left in the host's /dev/shm
        runtime = time.monotonic() - start
    stdout, stderr = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    rc = program_returncode(report, proc.returncode)
    status, reason = classify(rc, stderr, limits, timed_out=timed_out, over_output=over)
    if "error" in report:
        last = last_line(stderr)
        status, reason = "error", f"sandbox supervisor: {report['error']}" + (f": {last}" if last else "")
    elif oom and not timed_out and not over:
        status, reason = "memory", f"memory limit of {limits.memory_mb} MB for the whole run (cgroup; tmpfs and shared memory count) reached: the kernel ended the program"
    elif tests is not None:
        status, reason = judge_verdict(status, reason, verdict, nonce)
    return SandboxResult(status, reason, rc, stdout, stderr, round(runtime, 4), iso.mode, uid)


def describe_limits(limits: Limits | None = None) -> dict[str, object]:
    """The limits and the isolation mode, for run metadata."""
    iso = isolation()
    return {"mode": iso.mode, "python": iso.python, "private_uid": iso.drops_uid, **asdict(limits or Limits())}

