"""The code sandbox: outcomes and their classification, containment of hostile programs, HumanEval canonicals.

Containment is checked from outside: a listening socket that must see no connection, marker files on the host that
must not appear, no process left with the sandbox's private uid or in its session, the test process alive.
Hostile programs run in the default mode (namespaces where `unshare` works) and, where they differ, also in the
audit-hook fallback.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import time
from pathlib import Path

import pytest

from judgebench import sandbox
from judgebench.grading import CodeTests, build_program, grade_code, sandbox_tests
from judgebench.sandbox import UID_BASE, FunctionTests, Limits, run_many, run_python

from ..conftest import CANARY_KEY, shared

FAST = Limits(wall_s=5, cpu_s=2, memory_mb=512, nproc=16)


def sandbox_processes(uid: int | None) -> list[int]:
    """Live (non-zombie) processes owned by the private uid of one run (other test runs may use the sandbox too)."""
    if uid is None:  # not root: no private uid; containment is the namespaces' job
        return []
    assert uid >= UID_BASE
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid and Path(f"/proc/{entry}/stat").read_text().split(") ")[1][:1] != "Z":
                    out.append(int(entry))
            except (OSError, IndexError):
                pass
    return out


@pytest.fixture(params=["default", "audit-hook"])
def iso(request: pytest.FixtureRequest) -> sandbox.Isolation:
    if request.param == "default":
        return sandbox.isolation()
    return sandbox.probe_isolation("audit-hook", allow_weak=True)  # the weak mode, explicitly allowed


def test_isolation_probe_reports_mode_and_interpreter() -> None:
    iso = sandbox.isolation()
    assert iso.mode in ("namespaces", "audit-hook")
    assert os.path.exists(iso.python)
    assert iso.mode in iso.detail


def test_run_python_exit_zero_passed_with_stdout_and_stdin() -> None:
    r = run_python("import sys\nprint(sum(int(x) for x in sys.stdin.read().split()))", stdin="1 2 39")
    assert (r.status, r.stdout, r.returncode) == ("passed", "42\n", 0)


def test_run_python_failed_assert_reports_exception() -> None:
    r = run_python("assert 1 + 1 == 3, 'arithmetic'")
    assert r.status == "failed"
    assert "AssertionError: arithmetic" in r.reason


def test_run_python_fresh_empty_workdir_and_scrubbed_env() -> None:
    code = "import os, json\nprint(json.dumps({'cwd': os.getcwd(), 'files': os.listdir('.'), 'env': dict(os.environ)}))"
    first, second = run_python(code), run_python(code)
    a, b = json.loads(first.stdout), json.loads(second.stdout)
    assert a["files"] == ["main.py"] and b["files"] == ["main.py"]
    assert a["env"]["HOME"] == a["cwd"]
    assert not any(k.endswith(("API_KEY", "_TOKEN", "_SECRET")) for k in a["env"]), a["env"]
    assert CANARY_KEY not in first.stdout


def test_run_python_reads_no_key_from_parent_environment(iso: sandbox.Isolation) -> None:
    # the canary key is in this process's environment (conftest); the program looks everywhere it can
    code = (
        "import os\nfound = []\n"
        "for pid in os.listdir('/proc'):\n"
        "    try:\n        found.append(open(f'/proc/{pid}/environ', 'rb').read().decode(errors='replace'))\n"
        "    except OSError:\n        pass\n"
        "print('\\n'.join(found)); print(dict(os.environ))\n"
    )
    r = run_python(code, limits=FAST, isolation_=iso)
    assert CANARY_KEY not in r.stdout + r.stderr


def test_run_python_wall_clock_timeout(iso: sandbox.Isolation) -> None:
    r = run_python("import time\ntime.sleep(60)", limits=Limits(wall_s=1.0), isolation_=iso)
    assert r.status == "timeout" and "wall-clock" in r.reason
    assert r.runtime_s < 10


def test_run_python_cpu_limit_timeout(iso: sandbox.Isolation) -> None:
    r = run_python("while True:\n    pass", limits=Limits(wall_s=20, cpu_s=1), isolation_=iso)
    assert r.status == "timeout" and "CPU" in r.reason, r


def test_run_python_memory_bomb_memory(iso: sandbox.Isolation) -> None:
    r = run_python("blocks = []\nwhile True:\n    blocks.append(bytearray(50 * 1024 * 1024))", limits=FAST, isolation_=iso)
    assert r.status == "memory", r


def test_run_python_huge_stdout_killed_and_capped(iso: sandbox.Isolation) -> None:
    lim = Limits(wall_s=10, max_output_bytes=100_000)
    r = run_python("while True:\n    print('x' * 1000)", limits=lim, isolation_=iso)
    assert r.status == "killed" and "output" in r.reason
    assert len(r.stdout) <= lim.max_output_bytes


def test_run_python_fork_bomb_contained(iso: sandbox.Isolation) -> None:
    code = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
    r = run_python(code, limits=Limits(wall_s=1.5, cpu_s=1, nproc=16), isolation_=iso)
    assert r.status in ("timeout", "failed", "killed"), r
    assert sandbox_processes(r.uid) == []


def test_run_python_socket_connect_never_reaches_listener(iso: sandbox.Isolation) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        server.settimeout(0.5)
        port = server.getsockname()[1]
        r = run_python(f"import socket\ns = socket.create_connection(('127.0.0.1', {port}), timeout=3)\ns.sendall(b'leak')\nprint('connected')", limits=FAST, isolation_=iso)
        with pytest.raises(TimeoutError):
            server.accept()
    assert r.status == "failed" and "connected" not in r.stdout
    assert "Network is unreachable" in r.reason or "network is not allowed" in r.reason, r.reason


def test_run_python_writes_outside_workdir_leave_no_file(iso: sandbox.Isolation, tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o777)  # even a world-writable host folder must not receive the file
    targets = [tmp_path / "escape.txt", Path("/tmp/judgebench-escape.txt"), Path("/var/tmp/judgebench-escape.txt")]
    code = "import os\n" + "".join(f"try:\n    open({str(t)!r}, 'w').write('x')\nexcept OSError as e:\n    print('refused', e)\n" for t in targets)
    code += "open('../escape-up.txt', 'w').write('x')\n"
    r = run_python(code, limits=FAST, isolation_=iso)
    assert r.reason
    for t in targets:
        assert not t.exists(), (t, r)
    assert not Path("/tmp/escape-up.txt").exists()


def test_run_python_os_system_contained(iso: sandbox.Isolation, tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o777)
    marker = tmp_path / "system-marker"
    r = run_python(f"import os\nprint(os.system('touch {marker}'))", limits=FAST, isolation_=iso)
    assert not marker.exists(), r
    assert r.reason


def test_run_python_killing_parent_leaves_harness_alive(iso: sandbox.Isolation) -> None:
    code = "import os, signal\nfor target in (os.getppid(), 1, -1, 0):\n    try:\n        os.kill(target, signal.SIGKILL)\n    except Exception as e:\n        print(type(e).__name__)\n"
    r = run_python(code, limits=FAST, isolation_=iso)
    assert r.status in ("failed", "passed", "killed")
    assert run_python("print('still here')").stdout == "still here\n"


def test_run_python_daemon_does_not_outlive_run(iso: sandbox.Isolation, tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o777)
    marker = tmp_path / "daemon-was-here"
    code = (
        "import os, time\n"
        "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
        f"        time.sleep(0.5)\n        open({str(marker)!r}, 'w').write('late')\n    os._exit(0)\n"
        "print('parent exits')\n"
    )
    r = run_python(code, limits=FAST, isolation_=iso)
    assert r.status == "passed"
    time.sleep(0.8)
    assert not marker.exists()
    assert sandbox_processes(r.uid) == []


def test_run_python_disk_filler_stopped(iso: sandbox.Isolation) -> None:
    code = "i = 0\nwhile True:\n    open(f'fill{i}', 'wb').write(b'0' * (4 * 1024 * 1024))\n    i += 1\n"
    r = run_python(code, limits=Limits(wall_s=5, cpu_s=1, fsize_mb=8, tmpfs_mb=32), isolation_=iso)
    assert r.status in ("failed", "timeout", "killed"), r


ADD_TESTS = FunctionTests(test="def check(candidate):\n    assert candidate(2, 3) == 5\n", entry_point="add")


def test_function_tests_pass_only_with_the_harness_verdict(iso: sandbox.Isolation) -> None:
    # exit code 0 is not a pass: the harness must report, with the run's nonce, that the tests ran to their end
    ok = run_python("def add(x, y):\n    return x + y\n", tests=ADD_TESTS, limits=FAST, isolation_=iso)
    assert (ok.status, ok.returncode) == ("passed", 0), ok
    early = run_python("import os\nos._exit(0)\n", tests=ADD_TESTS, limits=FAST, isolation_=iso)
    assert (early.status, early.returncode) == ("failed", 0) and "without the harness's verdict" in early.reason
    forged = (
        "import os\ndef add(x, y):\n    return 0\nfor fd in range(3, 64):\n    try:\n"
        "        os.write(fd, b'PASS 0123456789abcdef0123456789abcdef\\nPASS\\n')\n    except OSError:\n        pass\nos._exit(0)\n"
    )
    assert run_python(forged, tests=ADD_TESTS, limits=FAST, isolation_=iso).status == "failed"


def test_function_tests_are_on_no_path_the_program_can_read(iso: sandbox.Isolation) -> None:
    marker = "jb-tests-marker-" + os.urandom(6).hex()
    program = (
        "import os\n\nMARKER = " + repr(marker[:8]) + " + " + repr(marker[8:]) + "\nfound = []\n\n\n"
        "def scan(path):\n    try:\n        with open(path, 'rb') as f:\n            if MARKER.encode() in f.read(1 << 20):\n                found.append(path)\n"
        "    except OSError:\n        pass\n\n\n"
        "def walk(top, depth):\n    try:\n        names = os.listdir(top)\n    except OSError:\n        return\n    for name in names:\n"
        "        path = os.path.join(top, name)\n        if os.path.isdir(path) and not os.path.islink(path):\n            if depth > 0:\n                walk(path, depth - 1)\n"
        "        else:\n            scan(path)\n\n\n"
        "walk(os.getcwd(), 3)\nwalk(os.path.dirname(os.getcwd()), 2)\nwalk('/dev/shm', 1)\n"
        "try:\n    tmp_names = os.listdir('/tmp')\nexcept OSError:\n    tmp_names = []\n"
        "for name in tmp_names:\n    if name.startswith('jb-sandbox'):\n        walk(os.path.join('/tmp', name), 2)\n"
        "if MARKER in ''.join(os.environ.values()):\n    found.append('environ')\n\n\n"
        "def leaks():\n    return found\n"
    )
    tests = FunctionTests(test=f"# {marker}\ndef check(candidate):\n    assert candidate() == []\n", entry_point="leaks")
    r = run_python(program, tests=tests, limits=Limits(wall_s=20, cpu_s=10), isolation_=iso)
    assert r.status == "passed", (r.reason, r.stdout, r.stderr[-500:])


def humaneval() -> list[dict]:
    path = shared("humaneval", "HumanEval.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def checks_of(problem: dict) -> CodeTests:
    return CodeTests(test=problem["test"], entry_point=problem["entry_point"], prompt=problem["prompt"])


def test_humaneval_every_canonical_solution_passes() -> None:
    problems = humaneval()
    programs = [(build_program(p["prompt"] + p["canonical_solution"], checks_of(p)), "", sandbox_tests(checks_of(p))) for p in problems]
    results = run_many(programs, workers=2, limits=Limits(wall_s=20))
    failed = [(p["task_id"], r.status, r.reason) for p, r in zip(problems, results, strict=True) if not r.passed]
    assert len(results) == 164
    assert failed == []


MUTATIONS = {
    # name -> (function body replacing HumanEval/0's canonical solution, sandbox statuses accepted)
    "wrong operator": (None, ("failed",)),
    "infinite loop": ("    while True:\n        pass\n", ("timeout",)),
    "memory bomb": ("    x = [bytearray(10**8) for _ in range(100)]\n    return True\n", ("memory",)),
    "fork bomb": ("    import os\n    while True:\n        try:\n            os.fork()\n        except OSError:\n            pass\n", ("timeout", "failed", "killed")),
    "os.system": ("    import os\n    os.system('touch {marker}')\n    return True\n", ("failed",)),
    "socket connect": ("    import socket\n    socket.create_connection(('127.0.0.1', {port}), timeout=2)\n    return True\n", ("failed",)),
    "write outside": ("    open('{outside}', 'w').write('x')\n    return True\n", ("failed",)),
}


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_humaneval_mutated_solution_fails_with_reason(name: str, tmp_path: Path) -> None:
    problem = humaneval()[0]
    os.chmod(tmp_path, 0o777)
    marker, outside = tmp_path / "marker", tmp_path / "outside.txt"
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(0.3)
        body, accepted = MUTATIONS[name]
        if body is None:
            solution = problem["canonical_solution"].replace("< threshold", ">= threshold")
            assert solution != problem["canonical_solution"]
        else:
            solution = body.format(marker=marker, port=listener.getsockname()[1], outside=outside)
        # wall 5 s: a memory bomb zeroes 100 MB blocks, which takes seconds of wall time on a loaded machine
        grade = grade_code(problem["prompt"] + solution, checks_of(problem), limits=Limits(wall_s=5, cpu_s=1, memory_mb=512, nproc=16), extracted=True)
        with pytest.raises(TimeoutError):
            listener.accept()
    assert grade.correct is False
    assert grade.details["status"] in accepted, grade
    assert grade.reason.startswith("sandbox ")
    assert not marker.exists() and not outside.exists()
    assert sandbox_processes(grade.details["uid"]) == []
