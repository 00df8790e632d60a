"""The judge of a function-style run is out of the program's reach (review of issue 12: the verdict forged by a
program that walked frames into the harness, which shared its interpreter).

The tests run in the judge's process; the program runs in a process the judge forks, which holds no secret. What
must hold is that the program's process, and anything it starts, cannot read or write the judge's: the judge is
not dumpable, so a process of its uid without ``CAP_SYS_PTRACE`` cannot open its ``/proc/<pid>/environ``, ``mem``
or ``fd/*``, and seccomp refuses ``ptrace``. Checked with the harness as root and as a user (the fixtures of
``test_containment``):

* from inside, in namespaces mode (where the program may start programs): a Python it starts, with ``ctypes`` and
  no audit hook, reads nothing of the judge's ``/proc/<pid>`` and cannot ``ptrace`` it;
* from outside, while the tests run: a process with the run's uid cannot open the judge's ``/proc/<pid>`` files,
  where it can open those of a process of the same uid that is dumpable (the control). Not for a user harness in
  namespaces mode: the user owns the run's user namespace, and so holds every capability in it.

The corpus rows ``he-reads-parent-proc``, ``he-ptrace-parent`` and the frame-walk forgeries check the verdicts.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from judgebench.sandbox import UID_BASE

from .test_containment import Harness, harness, mode, shown  # noqa: F401 - harness and mode are fixtures

REACH_PROGRAM = r'''
import json, os, subprocess, sys

SCRIPT = r"""
import ctypes, json, os, sys
pid = int(sys.argv[1])
reached = []
for name in ('environ', 'mem', 'maps', 'syscall', 'stack'):
    try:
        with open(f'/proc/{pid}/{name}', 'rb', 0) as f:
            if name != 'mem':  # opening mem is its access check (offset 0 holds nothing); the others check on read
                f.read(1)
        reached.append(name)
    except OSError:
        pass
try:
    names = os.listdir(f'/proc/{pid}/fd')
except OSError:
    names = []
for n in names:
    try:
        os.close(os.open(f'/proc/{pid}/fd/{n}', os.O_RDONLY | os.O_NONBLOCK))
        reached.append('fd/' + n)
    except OSError:
        pass
libc = ctypes.CDLL(None, use_errno=True)
if libc.ptrace(16, pid, None, None) == 0:  # PTRACE_ATTACH
    reached.append('ptrace')
print(json.dumps(reached))
"""


def reach():
    out = subprocess.run([sys.executable, '-c', SCRIPT, str(os.getppid())], capture_output=True, text=True, timeout=20)
    return json.loads(out.stdout) if out.returncode == 0 else ['the script failed: ' + out.stderr[-300:]]
'''


def test_judge_is_out_of_reach_of_programs_the_program_starts(harness: Harness) -> None:  # noqa: F811
    out = harness.run("namespaces", REACH_PROGRAM, grade={"test": "def check(candidate):\n    assert candidate() == []\n", "entry_point": "reach", "prompt": ""}, limits={"wall_s": 30, "cpu_s": 10})
    assert out["grade"]["correct"] is True, shown(out)[-3000:]  # the program reached nothing of the judge's


SLOW_PROGRAM = "import time\n\n\ndef slow():\n    time.sleep(8)\n    return 1\n"


def _boot_processes() -> dict[int, tuple[int, int]]:
    """``{pid: (parent pid, real uid)}`` of the sandbox's processes (``_sandbox_boot.py``) alive now."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if b"_sandbox_boot.py" not in Path(f"/proc/{entry}/cmdline").read_bytes():
                continue
            status = dict(line.split(":\t", 1) for line in Path(f"/proc/{entry}/status").read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        found[int(entry)] = (int(status["PPid"]), int(status["Uid"].split()[0]))
    return found


def _judges(uid_ok: Any) -> list[tuple[int, int]]:
    """``(pid, uid)`` of judges: a boot process whose parent is one (the supervisor) and that has one as a child."""
    procs = _boot_processes()
    parents = {ppid for ppid, _ in procs.values()}
    return [(pid, uid) for pid, (ppid, uid) in procs.items() if ppid in procs and pid in parents and uid_ok(uid)]


def _reach_as(uid: int, gid: int, pid: int) -> list[str]:
    """What a process with ``uid`` (no capability) opens of ``/proc/<pid>``: names, or ``gone`` if it ended."""
    r, w = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            os.close(r)
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            reached = []
            for name in ("environ", "mem", "fd"):
                try:
                    if name == "fd":
                        for n in os.listdir(f"/proc/{pid}/fd"):
                            os.close(os.open(f"/proc/{pid}/fd/{n}", os.O_RDONLY | os.O_NONBLOCK))
                            reached.append("fd/" + n)
                    else:
                        with open(f"/proc/{pid}/{name}", "rb") as f:  # opening is the access check (mem at 0 reads nothing)
                            f.read(1) if name == "environ" else None
                        reached.append(name)
                except FileNotFoundError:
                    reached.append("gone")
                except OSError:
                    pass
            os.write(w, json.dumps(reached).encode())
        finally:
            os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 65536):
        data += chunk
    os.close(r)
    os.waitpid(child, 0)
    return json.loads(data)


def test_judge_is_not_dumpable_for_processes_of_its_uid(harness: Harness, mode: str) -> None:  # noqa: F811
    if harness.kind != "root" and mode == "namespaces":
        pytest.skip("the harness's user owns the run's user namespace: it holds every capability there by design")
    uid_ok = (lambda uid: uid >= UID_BASE) if harness.kind == "root" else (lambda uid: uid == harness.uid)
    grade = {"test": "def check(candidate):\n    assert candidate() == 1\n", "entry_point": "slow", "prompt": ""}
    result: dict[str, Any] = {}
    runner = threading.Thread(target=lambda: result.update(harness.run(mode, SLOW_PROGRAM, grade=grade, limits={"wall_s": 30, "cpu_s": 5})))
    runner.start()
    checked: dict[int, list[str]] = {}
    control: list[str] = []
    deadline = time.monotonic() + 20
    while not checked and time.monotonic() < deadline and runner.is_alive():
        for pid, uid in _judges(uid_ok):
            gid = uid if harness.kind == "root" else harness.user.pw_gid  # type: ignore[union-attr]
            reached = _reach_as(uid, gid, pid)
            if "gone" not in reached:
                checked[pid] = reached
                sleeper = os.fork()
                if sleeper == 0:  # the control: a dumpable process of the same uid
                    os.setgroups([])
                    os.setgid(gid)
                    os.setuid(uid)
                    os.execv("/bin/sleep", ["sleep", "5"])
                time.sleep(0.2)
                control = _reach_as(uid, gid, sleeper)
                os.kill(sleeper, 9)
                os.waitpid(sleeper, 0)
                break
        time.sleep(0.05)
    runner.join()
    assert checked, f"no judge process found during the run: {shown(result)[-2000:]}"
    assert all(reached == [] for reached in checked.values()), checked
    assert "environ" in control and "mem" in control, control  # the same uid reads a dumpable process
    assert result["grade"]["correct"] is True, shown(result)[-2000:]
