"""The per-run limits of the code sandbox (``judgebench.sandbox.Limits``), apart so that the sandbox and the
classification of its outcomes (``_sandbox_outcome``) can both use them without importing each other."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Per-run limits.

    ``memory_mb`` is each process's address space (``RLIMIT_AS``; Python needs about 30 MB of it to start) and,
    where cgroups are available, the memory of the whole run, tmpfs and shared memory included. ``tmpfs_mb`` is the
    one scratch tmpfs that ``/tmp``, ``/var/tmp`` and ``/dev/shm`` share (namespaces mode), at most ``memory_mb``.
    """

    wall_s: float = 10.0
    cpu_s: int = 10
    memory_mb: int = 1024
    nproc: int = 32
    fsize_mb: int = 16
    nofile: int = 64
    max_output_bytes: int = 1 << 20
    tmpfs_mb: int = 64
