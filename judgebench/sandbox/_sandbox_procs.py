"""Process plumbing of the code sandbox (``judgebench.sandbox``): reading a run's output under a deadline and a
size cap, and killing whatever the run left behind (its process group, its session, its private uid)."""

from __future__ import annotations

import logging
import os
import selectors
import signal
import subprocess
import time
from pathlib import Path

logger = logging.getLogger(__name__)


def collect_output(proc: subprocess.Popen[bytes], max_output_bytes: int, deadline: float) -> tuple[bytes, bytes, bool, bool]:
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
                room = max_output_bytes - len(buf)
                buf += chunk[: max(room, 0)]
                if len(chunk) > room:
                    over = True
            if over:
                break
    finally:
        sel.close()
    if proc.poll() is None:
        killpg(proc.pid)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        logger.warning("sandbox process %d did not exit after SIGKILL", proc.pid)
    proc.stdout.close()
    proc.stderr.close()
    return bytes(bufs[out_fd]), bytes(bufs[err_fd]), over, timed_out


def killpg(pgid: int) -> None:
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


def kill_leftovers(session: int, uid: int | None) -> None:
    killpg(session)
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


def remove_shm_of(uid: int) -> None:
    """Remove what the private ``uid`` left in the host's ``/dev/shm`` (weak mode: no private tmpfs there)."""
    try:
        entries = list(os.scandir("/dev/shm"))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.stat(follow_symlinks=False).st_uid == uid:
                os.unlink(entry.path)
        except OSError:
            pass
