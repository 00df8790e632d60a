"""One cgroup per sandboxed run (``judgebench.sandbox``): a memory limit that counts every page the run holds
(anonymous memory, tmpfs and ``/dev/shm`` files, SysV shared memory, kernel memory), no swap, and a task limit.

cgroup v2 (``memory.max``, ``memory.swap.max``, ``pids.max``) when this process's cgroup lets it enable the memory
and pids controllers for a folder of its own; else cgroup v1 (``memory.limit_in_bytes``,
``memory.memsw.limit_in_bytes``, ``pids.max``) when the memory hierarchy is writable here (typically as root).
Otherwise there is no cgroup: ``support()`` is ``None`` and says why in the log, and the sandbox refuses the
kinds of memory no other limit counts (see ``_sandbox_jail.seccomp_rules``).

The run's boot process joins the cgroups itself (``cgroup.procs``) before it starts the program; afterwards the
harness kills what is left in them, reads whether the kernel's OOM killer acted, and removes them.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import itertools
import logging
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

_counter = itertools.count()
MB = 1024 * 1024


@dataclass(frozen=True)
class CgroupSupport:
    """Where run cgroups are made: ``memory`` and ``pids`` parents (the same folder on v2; ``pids`` may be absent on v1)."""

    version: int
    memory: Path
    pids: Path | None

    @property
    def detail(self) -> str:
        return f"cgroup v{self.version} memory" + ("+pids" if self.pids else "") + " limits per run"


def _mounts() -> list[tuple[str, str, set[str]]]:
    """``(mount point, fs type, super options)`` of the cgroup mounts."""
    out = []
    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            fields, rfields = left.split(), right.split()
            if len(rfields) >= 3 and rfields[0] in ("cgroup", "cgroup2"):
                out.append((fields[4].replace("\\040", " "), rfields[0], set(rfields[2].split(","))))
    return out


def _own_paths() -> dict[str, str]:
    """This process's cgroup path per controller (``""`` for the v2 unified hierarchy)."""
    paths = {}
    with open("/proc/self/cgroup", encoding="utf-8") as f:
        for line in f:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            for c in controllers.split(",") if controllers else [""]:
                paths[c] = path
    return paths


def _write(path: Path, value: str) -> None:
    with open(path, "w", encoding="ascii") as f:
        f.write(value)


def _v2() -> CgroupSupport | None:
    own = _own_paths().get("")
    mount = next((m for m, fs, _ in _mounts() if fs == "cgroup2"), None)
    if own is None or mount is None:
        return None
    base = Path(mount + own.rstrip("/"))
    if not {"memory", "pids"} <= set((base / "cgroup.controllers").read_text().split()):
        return None
    if not {"memory", "pids"} <= set((base / "cgroup.subtree_control").read_text().split()):
        _write(base / "cgroup.subtree_control", "+memory +pids")  # EBUSY when this cgroup holds processes
    parent = base / f"judgebench-sandbox-{os.getpid()}"
    parent.mkdir(exist_ok=True)
    atexit.register(_remove_empty, parent)
    _write(parent / "cgroup.subtree_control", "+memory +pids")
    return CgroupSupport(2, parent, parent)


def _remove_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()


def _v1() -> CgroupSupport | None:
    own = _own_paths()
    found: dict[str, Path] = {}
    for mount, fs, options in _mounts():
        for controller in ("memory", "pids"):
            if fs == "cgroup" and controller in options and controller in own:
                found[controller] = Path(mount + own[controller].rstrip("/"))
    if "memory" not in found:
        return None
    probe = found["memory"] / f"judgebench-probe-{os.getpid()}"
    probe.mkdir(exist_ok=True)
    try:
        _write(probe / "memory.limit_in_bytes", str(64 * MB))
    finally:
        probe.rmdir()
    pids = found.get("pids")
    if pids is not None and not os.access(pids, os.W_OK):
        pids = None
    return CgroupSupport(1, found["memory"], pids)


@functools.cache
def support() -> CgroupSupport | None:
    """How run cgroups are made here, probed once; ``None`` (with the reason logged) when they cannot be."""
    reasons = []
    for probe in (_v2, _v1):
        try:
            found = probe()
        except OSError as e:
            reasons.append(f"{probe.__name__[1:]}: {e}")
            continue
        if found is not None:
            return found
        reasons.append(f"{probe.__name__[1:]}: no memory controller here")
    logger.warning("sandbox: no cgroup for the runs (%s); total memory is bounded per process only", "; ".join(reasons))
    return None


class RunCgroup:
    """The cgroups of one run; ``procs`` are the ``cgroup.procs`` files its boot process joins."""

    def __init__(self, where: CgroupSupport, memory_mb: int, tasks: int) -> None:
        name = f"run-{os.getpid()}-{next(_counter)}"
        self.version = where.version
        self.memory = where.memory / name
        self.pids = where.pids / name if where.pids is not None and where.version == 1 else None
        self.memory.mkdir()
        try:
            limit = str(memory_mb * MB)
            if self.version == 2:
                _write(self.memory / "memory.max", limit)
                if (self.memory / "memory.swap.max").exists():
                    _write(self.memory / "memory.swap.max", "0")
                _write(self.memory / "pids.max", str(tasks))
            else:
                _write(self.memory / "memory.limit_in_bytes", limit)
                if (self.memory / "memory.memsw.limit_in_bytes").exists():
                    _write(self.memory / "memory.memsw.limit_in_bytes", limit)
                if self.pids is not None:
                    self.pids.mkdir()
                    _write(self.pids / "pids.max", str(tasks))
        except OSError:
            self.remove()
            raise

    @property
    def procs(self) -> list[str]:
        return [str(p / "cgroup.procs") for p in (self.memory, self.pids) if p is not None]

    def oom_killed(self) -> bool:
        """Whether the kernel's OOM killer ended a process of the run (the memory limit was reached)."""
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        try:
            lines = (self.memory / name).read_text().splitlines()
        except OSError:
            return False
        counts = dict(line.split() for line in lines if len(line.split()) == 2)
        return int(counts.get("oom_kill", "0")) > 0

    def remove(self) -> None:
        """Kill whatever is left in the cgroups and remove them (retrying while the kernel reaps the processes)."""
        for folder in (self.memory, self.pids):
            if folder is None or not folder.exists():
                continue
            for _ in range(200):
                try:
                    pids = [int(p) for p in (folder / "cgroup.procs").read_text().split()]
                except OSError:
                    pids = []
                for pid in pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
                try:
                    folder.rmdir()
                    break
                except OSError:
                    time.sleep(0.01)
            else:
                logger.warning("sandbox: cannot remove the run cgroup %s", folder)
