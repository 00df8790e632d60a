"""Containment of model-written code, checked from outside (issue 12, items 6-11).

Every check runs the real harness in a subprocess, as root and as an unprivileged user (``setpriv`` to a user made
for the tests, with a home holding credential canaries), in both sandbox modes (``JUDGEBENCH_SANDBOX``; the weak
audit-hook mode with its explicit opt-in). A hostile program tries one kind of escape, and the test looks at the
host afterwards: SysV/POSIX IPC objects left, memory held, unix sockets reached, canaries in the grade, files
made outside the folder, the harness alive, processes left. Jinja templates from users render sandboxed.
"""

from __future__ import annotations

import ctypes
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import judgebench

from ..conftest import CANARY_KEY, write_jsonl

REPO = Path(judgebench.__file__).resolve().parent.parent  # the code under test (PYTHONPATH may point elsewhere)
USER = "jbsandbox"
HF_CANARY = "hf_canaryTOKEN0123456789abcdefJB"
NETRC_CANARY = "netrc-canary-password-0123456789"
MODES = ["namespaces", "audit-hook"]
HARNESSES = ["root", "nonroot"]

HARNESS = r"""
import json, os, sys
req = json.loads(sys.stdin.read())
from judgebench import sandbox
from judgebench.sandbox import Limits
code = req["code"].replace("HARNESS_PID", str(os.getpid()))
limits = Limits(**req["limits"])
iso = sandbox.isolation()
out = {"harness_pid": os.getpid(), "mode": iso.mode, "cgroup": getattr(iso, "cgroup", "unknown")}
if req.get("grade"):
    from judgebench.grading import CodeTests, grade_code
    out["grade"] = grade_code(code, CodeTests(**req["grade"]), limits=limits, extracted=True).to_dict()
else:
    out["result"] = sandbox.run_python(code, stdin=req.get("stdin", ""), limits=limits).to_dict()
sys.stdout.write("\nJB-HARNESS " + json.dumps(out) + "\n")
"""


# --------------------------------------------------------------------------- the harness as root or as a user


def _user() -> pwd.struct_passwd:
    """The unprivileged user the non-root harness runs as (made once, like a laptop user with a home)."""
    try:
        return pwd.getpwnam(USER)
    except KeyError:
        pass
    if shutil.which("useradd") is None:
        pytest.skip("no useradd: cannot make the unprivileged user for the non-root harness")
    subprocess.run(["useradd", "-m", "-d", f"/home/{USER}", "-s", "/usr/sbin/nologin", USER], check=True, capture_output=True)
    return pwd.getpwnam(USER)


class Harness:
    """Runs HARNESS as root (``root``) or as the test user (``nonroot``), with a home that holds canaries;
    ``nonroot-cgroup``: as the user, started in cgroups delegated to it (systemd's ``Delegate=yes``)."""

    def __init__(self, kind: str, home: Path, user: pwd.struct_passwd | None, cgroups: list[Path] | None = None) -> None:
        self.kind, self.home, self.user, self.cgroups = kind, home, user, cgroups or []

    @property
    def uid(self) -> int:
        return self.user.pw_uid if self.user else os.getuid()

    def env(self, mode: str) -> dict[str, str]:
        return {
            "PATH": "/usr/bin:/bin", "HOME": str(self.home), "LANG": "C.UTF-8", "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1",
            "JUDGEBENCH_SANDBOX": mode, "JUDGEBENCH_ALLOW_WEAK_SANDBOX": "1", "OPENAI_API_KEY": CANARY_KEY, "HF_TOKEN": HF_CANARY,
        }

    def run(self, mode: str, code: str, *, limits: dict[str, Any] | None = None, grade: dict[str, str] | None = None, stdin: str = "") -> dict[str, Any]:
        """HARNESS's output (``result`` or ``grade``), plus ``harness_rc``, ``stdout``, ``stderr`` of the harness."""
        request = {"code": code, "limits": {"wall_s": 10, "cpu_s": 5, "memory_mb": 512, "nproc": 16, **(limits or {})}, "grade": grade, "stdin": stdin}
        if self.user is not None:
            python = "/usr/bin/python3"
            if not os.path.exists(python):
                pytest.skip("no /usr/bin/python3 for the non-root harness (the virtualenv's interpreter is under /root)")
            cmd = ["setpriv", f"--reuid={self.user.pw_uid}", f"--regid={self.user.pw_gid}", "--clear-groups", "--", python, "-c", HARNESS]
            if self.cgroups:  # join the delegated cgroups first, then become the user
                joins = "".join(f'echo $$ > "{c}/cgroup.procs"; ' for c in self.cgroups)
                cmd = ["sh", "-c", joins + 'exec "$@"', "sh", *cmd]
        else:
            cmd = [sys.executable, "-c", HARNESS]
        proc = subprocess.run(cmd, input=json.dumps(request), capture_output=True, text=True, timeout=180, cwd=self.home, env=self.env(mode))
        line = next((ln for ln in reversed(proc.stdout.splitlines()) if ln.startswith("JB-HARNESS ")), None)
        if line is None and "SandboxUnavailableError" in proc.stderr and mode == "namespaces":
            pytest.skip(f"namespaces do not work for a {self.kind} harness here: {proc.stderr.strip().splitlines()[-1][:300]}")
        out = json.loads(line[len("JB-HARNESS ") :]) if line else {}
        if out:
            assert out["mode"] == mode, out
        return {**out, "harness_rc": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr}


def _write_canaries(home: Path, owner: pwd.struct_passwd | None, file_mode: int) -> list[Path]:
    (home / ".cache" / "huggingface").mkdir(parents=True, exist_ok=True)
    files = [home / ".cache" / "huggingface" / "token", home / ".netrc"]
    files[0].write_text(HF_CANARY + "\n")
    files[1].write_text(f"machine api.example.com login me password {NETRC_CANARY}\n")
    for path in [home / ".cache", home / ".cache" / "huggingface", *files]:
        if owner is not None:
            os.chown(path, owner.pw_uid, owner.pw_gid)
        os.chmod(path, file_mode if path.is_file() else 0o755 if file_mode & 0o004 else 0o700)
    return files


@pytest.fixture(params=HARNESSES)
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    """``root``: the harness as root, $HOME a world-readable fake home (files 0644, as tools often leave them).
    ``nonroot``: the harness as an unprivileged user whose home holds its credentials (0600)."""
    if request.param == "root":
        if os.geteuid() != 0:
            pytest.skip("the root harness needs the tests to run as root")
        home = Path(f"/home/jb-root-home-{secrets.token_hex(4)}")
        home.mkdir(mode=0o755)
        _write_canaries(home, None, 0o644)
        yield Harness("root", home, None)
        shutil.rmtree(home, ignore_errors=True)
        return
    if os.geteuid() != 0:
        pytest.skip("tests that run as a user already cover the non-root harness; these make the user with useradd")
    user = _user()
    home = Path(user.pw_dir)
    _write_canaries(home, user, 0o600)
    cgroups = delegated_cgroups(user) if request.param == "nonroot-cgroup" else []
    yield Harness(request.param, home, user, cgroups)
    kill_processes_of(user.pw_uid)
    for folder in reversed(cgroups):
        for child in [p for p in folder.iterdir() if p.is_dir()]:
            child.rmdir()
        folder.rmdir()


def delegated_cgroups(user: pwd.struct_passwd) -> list[Path]:
    """Memory and pids cgroups (v1) owned by ``user``, as systemd's ``Delegate=yes`` makes them; skip where this
    process cannot make them (cgroup v2 needs the harness in a leaf of its own: not set up here)."""
    from judgebench.sandbox import _sandbox_cgroup

    where = _sandbox_cgroup.support()
    if where is None or where.version != 1:
        pytest.skip(f"cannot delegate a cgroup v1 memory hierarchy to {USER} here ({where.detail if where else 'no writable cgroup'})")
    folders = [p / f"jb-delegated-{secrets.token_hex(3)}" for p in (where.memory, where.pids) if p is not None]
    for folder in folders:
        folder.mkdir()
        for path in [folder, *folder.iterdir()]:
            os.chown(path, user.pw_uid, user.pw_gid)
    return folders


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A world-writable folder every uid can reach (pytest's tmp_path is under a 0700 folder of root's)."""
    folder = Path(f"/tmp/jb-open-{secrets.token_hex(4)}")
    folder.mkdir()
    os.chmod(folder, 0o777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def processes_of(uid: int) -> list[int]:
    """Live (non-zombie) processes owned by ``uid``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                status = Path(f"/proc/{entry}/status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
            if int(fields.get("Uid", "-1").split()[0]) == uid and not fields.get("State", "").startswith("Z"):
                found.append(int(entry))
    return found


def kill_processes_of(uid: int) -> None:
    for pid in processes_of(uid):  # only the test user's processes, which these tests started
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def shown(out: dict[str, Any]) -> str:
    """Everything the harness returned or printed (the grade, the run, its reason, stdout and stderr)."""
    return json.dumps(out)


# --------------------------------------------------------------------------- 6. IPC objects


IPC_PROGRAM = r"""
import os
KEY, NAME = {key}, {name!r}
out = []
try:
    fd = os.open('/dev/shm' + NAME, os.O_CREAT | os.O_RDWR, 0o666)
    os.ftruncate(fd, 1 << 20)
    out.append('devshm')
except OSError as e:
    out.append(repr(e))
try:
    from multiprocessing import shared_memory
    shared_memory.SharedMemory(name=NAME[1:] + 'b', create=True, size=1 << 20)
    out.append('posixshm')
except BaseException as e:
    out.append(repr(e))
try:
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmat.restype = ctypes.c_void_p
    seg = libc.shmget(KEY, 64 << 20, 0o1666)
    if seg >= 0:
        addr = libc.shmat(seg, None, 0)
        ctypes.memset(addr, 1, 64 << 20)
        libc.shmdt(ctypes.c_void_p(addr))
    out += [('shm', seg), ('sem', libc.semget(KEY, 4, 0o1666)), ('msg', libc.msgget(KEY, 0o1666))]
    out.append(('mq', libc.mq_open(NAME.encode(), os.O_CREAT | os.O_RDWR, 0o666, None)))
except BaseException as e:
    out.append(repr(e))
print(out)
"""


def host_sysv_keys() -> set[tuple[str, int]]:
    keys = set()
    for kind in ("shm", "sem", "msg"):
        for line in Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]:
            keys.add((kind, int(line.split()[0])))
    return keys


def host_mqueue_exists(name: str) -> bool:
    """Whether the host's IPC namespace has the POSIX message queue ``name`` (removed if so)."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.mq_open(name.encode(), os.O_RDONLY)
    if fd < 0:
        return False
    libc.mq_close(fd)
    libc.mq_unlink(name.encode())
    return True


def remove_sysv(keys: set[tuple[str, int]]) -> None:
    flag = {"shm": "-M", "sem": "-S", "msg": "-Q"}
    for kind, key in keys:
        subprocess.run(["ipcrm", flag[kind], str(key)], capture_output=True)


def test_ipc_objects_do_not_survive_the_run(harness: Harness, mode: str) -> None:
    # item 6: SysV shared memory, semaphores and message queues, POSIX message queues and /dev/shm files the
    # program makes must be gone when the run ends (their own IPC namespace and tmpfs, or refused), never left on
    # the host holding memory.
    key = 0x4A420000 + secrets.randbelow(0xFFFF)
    name = f"/jb-ipc-{secrets.token_hex(4)}"
    before = host_sysv_keys()
    out = harness.run(mode, IPC_PROGRAM.format(key=key, name=name), limits={"memory_mb": 512})
    left = {k for k in host_sysv_keys() - before if k[1] == key}
    files = [p for p in (Path("/dev/shm" + name), Path("/dev/shm/" + name[1:] + "b")) if p.exists()]
    queue = host_mqueue_exists(name)
    remove_sysv(left)
    for p in files:
        p.unlink()
    assert out["harness_rc"] == 0, out["stderr"][-2000:]
    assert (left, files, queue) == (set(), [], False), out["result"]["stdout"]


# --------------------------------------------------------------------------- 7. memory outside processes


MEMORY_PROGRAM = r"""
import os
CHUNK, KEY = 8 << 20, {key}
held = 0


def took(what):
    global held
    held += CHUNK
    print('held', held >> 20, what, flush=True)


keep = []
for i in range(160):  # memfd: memory that lives as long as a descriptor
    try:
        fd = os.memfd_create(f'm{{i}}')
        os.posix_fallocate(fd, 0, CHUNK)
        keep.append(fd)
        took('memfd')
    except OSError as e:
        print('memfd stopped:', e, flush=True)
        break
for folder in ('/dev/shm', '/tmp', '/var/tmp'):  # tmpfs files
    for i in range(64):
        try:
            fd = os.open(f'{{folder}}/fill{{i}}', os.O_CREAT | os.O_RDWR, 0o600)
            os.posix_fallocate(fd, 0, CHUNK)
            os.close(fd)
            took(folder)
        except OSError as e:
            print(folder, 'stopped:', e, flush=True)
            break
try:  # SysV shared memory, detached: held by the kernel, not by any address space
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmat.restype = ctypes.c_void_p
    for i in range(64):
        seg = libc.shmget(KEY + i, CHUNK, 0o1600)
        if seg < 0:
            print('shmget stopped: errno', ctypes.get_errno(), flush=True)
            break
        addr = libc.shmat(seg, None, 0)
        ctypes.memset(addr, 1, CHUNK)
        libc.shmdt(ctypes.c_void_p(addr))
        took('sysv')
except BaseException as e:
    print('sysv stopped:', repr(e), flush=True)
"""


def max_held(stdout: str) -> int:
    return max((int(m) for m in re.findall(r"^held (\d+)", stdout, re.MULTILINE)), default=0)


@pytest.mark.parametrize("harness", ["root", "nonroot", "nonroot-cgroup"], indirect=True)
def test_memory_held_outside_processes_is_within_the_limit(harness: Harness, mode: str) -> None:
    # item 7: memfd, tmpfs (/tmp, /var/tmp, /dev/shm) and SysV shared memory are held by the kernel, not by any
    # address space, so RLIMIT_AS never counted them: a 256 MB program held over 1 GB. Now the run's cgroup counts
    # them, or (no cgroup) they are refused or live in one tmpfs capped below the limit.
    key = 0x4A430000 + 256 * secrets.randbelow(0xFF)
    before = host_sysv_keys()
    out = harness.run(mode, MEMORY_PROGRAM.format(key=key), limits={"memory_mb": 256, "wall_s": 30, "cpu_s": 20, "fsize_mb": 16})
    remove_sysv({k for k in host_sysv_keys() - before if key <= k[1] < key + 64})
    assert out["harness_rc"] == 0, out["stderr"][-2000:]
    result = out["result"]
    assert max_held(result["stdout"]) <= 256, (result["status"], result["reason"], result["stdout"][-1500:])


CHILDREN_PROGRAM = r"""
import os, time
children = []
for i in range(4):
    pid = os.fork()
    if pid == 0:
        block = b'x' * (100 << 20)  # 100 MB written, under each process's 256 MB address-space limit
        time.sleep(6)
        os._exit(0)
    children.append(pid)
    time.sleep(0.5)
time.sleep(1.5)  # the last child's allocation settles (done, or ended by the kernel)
alive = [pid for pid in children if os.waitpid(pid, os.WNOHANG) == (0, 0)]
print('alive', len(alive), 'of 4 children holding 100 MB each', flush=True)
for pid in alive:
    os.kill(pid, 9)
"""


@pytest.mark.parametrize("harness", ["root", "nonroot", "nonroot-cgroup"], indirect=True)
def test_memory_of_all_processes_of_a_run_is_within_the_limit(harness: Harness, mode: str) -> None:
    # item 7, the same rule across processes: the limit is the run's, not each process's (a cgroup's guarantee)
    out = harness.run(mode, CHILDREN_PROGRAM, limits={"memory_mb": 256, "wall_s": 20, "cpu_s": 10, "nproc": 16})
    assert out["harness_rc"] == 0, out["stderr"][-2000:]
    if out["cgroup"] is None:
        pytest.skip(f"no writable cgroup for a {harness.kind} harness (uid {harness.uid}) here: memory is bounded per process only, as the README says")
    result = out["result"]
    alive = re.search(r"alive (\d) of 4", result["stdout"])
    assert alive is not None and int(alive.group(1)) * 100 <= 256, (result["status"], result["reason"], result["stdout"])
    assert result["status"] == "memory", result


# --------------------------------------------------------------------------- 8. host unix sockets


SOCKET_PROGRAM = r"""
import socket
for address in {addresses!r}:
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(2)
        s.connect(address)
        s.sendall(b'leak')
        print('connected', address, flush=True)
    except OSError as e:
        print('refused', address, e, flush=True)
"""


def test_host_unix_sockets_are_unreachable(harness: Harness, mode: str) -> None:
    # item 8: path-based unix sockets outside /tmp (/run, the user's home) and abstract ones must not be reachable
    tag = secrets.token_hex(4)
    paths = [f"/run/jb-{tag}.sock", str(harness.home / f"jb-{tag}.sock")]
    listeners = []
    try:
        for address in [*paths, f"\0jb-{tag}"]:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(address)
            if not address.startswith("\0"):
                os.chmod(address, 0o666)
            s.listen(4)
            s.settimeout(0.3)
            listeners.append(s)
        out = harness.run(mode, SOCKET_PROGRAM.format(addresses=[*paths, f"\0jb-{tag}"]))
        reached = []
        for s in listeners:
            try:
                s.accept()[0].close()
                reached.append(s.getsockname())
            except TimeoutError:
                pass
    finally:
        for s in listeners:
            s.close()
        for p in paths:
            Path(p).unlink(missing_ok=True)
    assert out["harness_rc"] == 0, out["stderr"][-2000:]
    assert reached == [] and "connected" not in out["result"]["stdout"], out["result"]["stdout"]


# --------------------------------------------------------------------------- 9. the user's home and credentials


LEAK_PROGRAM = r"""
import os
HOME = {home!r}


def leak():
    found = []
    paths = [HOME + '/.netrc', HOME + '/.cache/huggingface/token', os.path.expanduser('~/.netrc'), '/root/.netrc']
    for top in (HOME, '/home', '/root'):
        try:
            for folder, _, names in os.walk(top):
                paths += [os.path.join(folder, n) for n in names]
        except OSError:
            pass
    for path in paths:
        try:
            with open(path, errors='replace') as f:
                found.append(f.read(4096))
        except OSError as e:
            found.append(type(e).__name__)
    # the same files by routes a path check must not be fooled by: a folder's descriptor, ../, a changed working
    # folder, /proc/self/root, symlinks
    up = '../' * 12 + HOME.lstrip('/') + '/.netrc'
    tries = [('/usr', '../' + HOME.lstrip('/') + '/.netrc', '/usr/lib'), ('/proc/self', 'root' + HOME + '/.netrc', '.'), ('.', up, '.'), ('/', HOME.lstrip('/') + '/.netrc', '.')]
    for base, rel, cwd in tries:
        try:
            os.chdir(cwd)
            fd = os.open(base, os.O_RDONLY)
            found.append(os.read(os.open(rel, os.O_RDONLY, dir_fd=fd), 4096).decode(errors='replace'))
        except OSError as e:
            found.append(type(e).__name__)
    for target in (HOME + '/.netrc', up):
        try:
            name = 'link%d' % len(found)
            os.symlink(target, name)
            found.append(open(name).read())
        except OSError as e:
            found.append(type(e).__name__)
    print('FOUND', found)
    raise AssertionError(' | '.join(found))
"""


def test_home_and_credentials_are_never_visible(harness: Harness, mode: str) -> None:
    # item 9: the program must never read the harness user's home (HF token, .netrc), in the grade or anywhere
    program = LEAK_PROGRAM.format(home=str(harness.home))
    graded = harness.run(mode, program, grade={"test": "def check(candidate):\n    assert candidate() is None\n", "entry_point": "leak", "prompt": ""})
    script = harness.run(mode, program + "\nleak()\n")
    for out in (graded, script):
        assert out["harness_rc"] == 0, out["stderr"][-2000:]
        assert HF_CANARY not in shown(out) and NETRC_CANARY not in shown(out), shown(out)[:3000]
    assert graded["grade"]["correct"] is False


# --------------------------------------------------------------------------- 10. the weak mode's bypasses


START_PROGRAM = r"""
import os
CMD = [b'/usr/bin/python3', b'-c', {child!r}.encode()]
done = []


def modules():
    try:
        import _posixsubprocess
        yield 'import', _posixsubprocess
    except BaseException as e:
        done.append(('import', repr(e)))
    try:
        import _imp, importlib.machinery, importlib.util
        yield 'create_builtin', _imp.create_builtin(importlib.machinery.ModuleSpec('_posixsubprocess', None))
        spec = importlib.util.find_spec('_posixsubprocess')
        if spec is not None and spec.origin not in (None, 'built-in'):
            yield 'create_dynamic', _imp.create_dynamic(spec)
    except BaseException as e:
        done.append(('_imp', repr(e)))


for how, module in modules():
    if module is None:
        continue
    try:
        err_r, err_w = os.pipe()
        pid = module.fork_exec(CMD, [CMD[0]], True, (), None, None, -1, -1, -1, -1, -1, -1, err_r, err_w, True, False, -1, None, None, None, -1, None, False)
        os.close(err_w)
        done.append((how, pid, os.read(err_r, 200), os.waitpid(pid, 0)[1]))
    except BaseException as e:
        done.append((how, repr(e)))
for how, start in (('os.system', lambda: os.system(CMD[2].decode().join(['python3 -c "', '"']))), ('os.posix_spawn', lambda: os.waitpid(os.posix_spawn(CMD[0], CMD, {{}}), 0))):
    try:
        done.append((how, start()))
    except BaseException as e:
        done.append((how, repr(e)))
print(done)
"""


def test_no_program_starts_or_reaches_the_network_by_any_route(harness: Harness, mode: str, open_dir: Path) -> None:
    # item 10: _posixsubprocess.fork_exec (imported, or made with _imp when the import is refused) started a
    # process the audit hook never saw, which reached the network. Whatever starts it, it must not get out.
    marker = open_dir / "started"
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        listener.settimeout(0.5)
        port = listener.getsockname()[1]
        child = f"import socket\ntry:\n    socket.create_connection(('127.0.0.1', {port}), timeout=2).sendall(b'leak')\nfinally:\n    open({str(marker)!r}, 'w').write('x')\n"
        out = harness.run(mode, START_PROGRAM.format(child=child))
        with pytest.raises(TimeoutError):
            listener.accept()
    assert out["harness_rc"] == 0, out["stderr"][-2000:]
    assert not marker.exists(), out["result"]["stdout"]


NODE_PROGRAM = r"""
import os, stat
for name, make in (('fifo', lambda p: os.mkfifo(p)), ('node-fifo', lambda p: os.mknod(p, stat.S_IFIFO | 0o666)), ('node-file', lambda p: os.mknod(p, stat.S_IFREG | 0o666))):
    try:
        make({folder!r} + '/' + name)
        print('made', name)
    except OSError as e:
        print('refused', name, e)
"""


def test_no_fifo_or_node_outside_the_folder(harness: Harness, mode: str, open_dir: Path) -> None:
    # item 10: os.mkfifo and os.mknod raise no audit event: they wrote outside the folder in the weak mode
    out = harness.run(mode, NODE_PROGRAM.format(folder=str(open_dir)))
    assert out["harness_rc"] == 0, out["stderr"][-2000:]
    assert sorted(os.listdir(open_dir)) == [], out["result"]["stdout"]


ENVIRON_PROGRAM = r"""
import os, re


def leak():
    found = [repr(dict(os.environ))]
    targets = ['/proc/HARNESS_PID/environ', '/proc/HARNESS_PID/cmdline']
    try:
        targets += [f'/proc/{{p}}/environ' for p in os.listdir('/proc') if p.isdigit()]
    except OSError:
        pass
    for path in targets:
        try:
            with open(path, 'rb') as f:
                found.append(f.read().decode(errors='replace'))
        except OSError as e:
            found.append(type(e).__name__)
    keys = re.findall(r'(?:sk-|hf_)[A-Za-z0-9]{{8,}}', ' '.join(found))
    raise AssertionError(' '.join(keys) or ' '.join(found)[:400])  # the keys first: the reason keeps 500 characters
"""


def test_harness_environment_never_reaches_the_grade(harness: Harness, mode: str) -> None:
    # item 10: as the same user, the program read the harness's /proc/<pid>/environ; its keys went into
    # graded.jsonl (a stdio problem's "wrong output" reason quotes the program's first line)
    program = ENVIRON_PROGRAM.format()
    function = harness.run(mode, program, grade={"test": "def check(candidate):\n    assert candidate() is None\n", "entry_point": "leak", "prompt": ""})
    stdio = harness.run(mode, program + "\ntry:\n    leak()\nexcept AssertionError as e:\n    print(e)\n", grade={"style": "stdio", "cases": [["", "nothing\n"]]})
    for out in (function, stdio):
        assert out["harness_rc"] == 0, out["stderr"][-2000:]
        assert CANARY_KEY not in shown(out) and HF_CANARY not in shown(out), out["grade"]["reason"][:2000]


SIGNAL_PROGRAM = r"""
import os, signal
for how, send in (
    ('pidfd_send_signal', lambda: signal.pidfd_send_signal(os.pidfd_open(HARNESS_PID), signal.SIGKILL)),
    ('kill', lambda: os.kill(HARNESS_PID, signal.SIGKILL)),
    ('killpg', lambda: os.killpg(os.getpgid(HARNESS_PID), signal.SIGKILL)),
    ('kill -1', lambda: os.kill(-1, signal.SIGKILL)),
):
    try:
        send()
        print('sent', how, flush=True)
    except OSError as e:
        print('refused', how, e, flush=True)
"""


def test_harness_cannot_be_signalled(harness: Harness, mode: str) -> None:
    # item 10: pidfd_send_signal raises no audit event: the program stopped the harness (same uid)
    out = harness.run(mode, SIGNAL_PROGRAM)
    assert out["harness_rc"] == 0 and "result" in out, (out["harness_rc"], out["stderr"][-2000:])


DAEMON_PROGRAM = r"""
import os, time
if os.fork() == 0:
    try:
        os.setsid()
    except OSError as e:
        print('setsid refused', e, flush=True)
    if os.fork() == 0:
        time.sleep(30)
    os._exit(0)
if os.fork() == 0:
    try:
        os.setpgid(0, 0)
    except OSError as e:
        print('setpgid refused', e, flush=True)
    time.sleep(30)
    os._exit(0)
time.sleep(0.3)
print('parent exits', flush=True)
"""


def test_no_process_outlives_the_run(harness: Harness, mode: str) -> None:
    # item 10: a setsid daemon left the run's session and outlived it (weak mode, non-root: no private uid)
    out = harness.run(mode, DAEMON_PROGRAM)
    assert out["harness_rc"] == 0, out["stderr"][-2000:]
    uid = harness.uid if harness.kind == "nonroot" else out["result"]["uid"]
    time.sleep(0.5)
    left = processes_of(uid) if uid is not None else []
    assert left == [], (left, out["result"]["stdout"])


# --------------------------------------------------------------------------- 11. user templates


HOSTILE_TEMPLATES = [
    "{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ joiner.__init__.__globals__.os.system('touch MARKER') }}",
    "{% set x = row.update({'q': 1}) %}{{ row }}",
]


@pytest.mark.parametrize("template", HOSTILE_TEMPLATES)
def test_recipe_prompt_template_cannot_run_code(template: str, tmp_path: Path) -> None:
    # item 11: a recipe's prompt is user input; `cycler.__init__.__globals__.os.popen('id')` ran `id` as root
    from judgebench.errors import InputError
    from judgebench.recipes import load_recipe
    from judgebench.recipes.data import load_problems

    marker = tmp_path / "ran"
    problems = write_jsonl(tmp_path / "p.jsonl", [{"id": "q1", "question": "2+2?", "answer": "4"}])
    recipe_file = tmp_path / "hostile.yaml"
    recipe_file.write_text(
        f"name: hostile\nsource: toy\nproblems: {{file: {problems}}}\nfields: {{id: id, question: question, answer: answer}}\n"
        f"prompt: {json.dumps(template.replace('MARKER', str(marker)))}\ngrader: {{kind: numeric}}\n"
    )
    with pytest.raises(InputError, match="unsafe|not safe|SecurityError|immutable|access to attribute"):
        load_problems(load_recipe(recipe_file))
    assert not marker.exists()


def test_recipe_prompt_template_still_renders_values(tmp_path: Path) -> None:
    from judgebench.recipes import load_recipe
    from judgebench.recipes.data import load_problems

    problems = write_jsonl(tmp_path / "p.jsonl", [{"id": "q1", "question": "Pick", "options": ["x", "y"], "answer": "A"}])
    recipe_file = tmp_path / "ok.yaml"
    recipe_file.write_text(
        f"name: ok\nsource: toy\nproblems: {{file: {problems}}}\nfields: {{id: id, question: question, options: options, answer: answer}}\n"
        "prompt: \"{{ question|upper }}{% for o in options %} ({{ letters[loop.index0] }}) {{ o }}{% endfor %} {{ row['id'] }}\"\n"
        "grader: {kind: mcq, options: {n_options: 2}}\n"
    )
    assert load_problems(load_recipe(recipe_file))[0].prompt == "PICK (A) x (B) y q1"


@pytest.mark.parametrize("template", HOSTILE_TEMPLATES)
def test_judge_templates_render_sandboxed(template: str, tmp_path: Path) -> None:
    # item 11: the judges' Jinja environment is the one a user-supplied judge template would render in
    import jinja2

    from judgebench.judges._prompted import _environment

    marker = tmp_path / "ran"
    with pytest.raises(jinja2.TemplateError):
        _environment().from_string(template.replace("MARKER", str(marker))).render(row={"q": 0})
    assert not marker.exists()


# --------------------------------------------------------------------------- 10. the weak mode needs an explicit opt-in


ADD_ROW = {"response": "```python\ndef add(a, b):\n    return a + b\n```", "test": "def check(candidate):\n    assert candidate(2, 3) == 5\n", "entry_point": "add"}


def test_weak_mode_runs_untrusted_code_only_when_allowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # item 10: the audit-hook mode cannot contain hostile code; where it is the only mode, nothing runs unless the
    # user passes --allow-weak-sandbox (or JUDGEBENCH_ALLOW_WEAK_SANDBOX=1), and the error says so
    from ..conftest import run_cli

    monkeypatch.delenv("JUDGEBENCH_ALLOW_WEAK_SANDBOX", raising=False)
    rows = write_jsonl(tmp_path / "code.jsonl", [ADD_ROW])
    weak = {"JUDGEBENCH_SANDBOX": "audit-hook"}
    refused = run_cli("grade", str(rows), "--grader", "code", env=weak)
    assert refused.returncode == 2 and not (tmp_path / "code.graded.jsonl").exists()
    assert "--allow-weak-sandbox" in refused.stderr and "JUDGEBENCH_ALLOW_WEAK_SANDBOX=1" in refused.stderr, refused.stderr
    for extra, env in ((["--allow-weak-sandbox"], weak), ([], {**weak, "JUDGEBENCH_ALLOW_WEAK_SANDBOX": "1"})):
        allowed = run_cli("grade", str(rows), "--grader", "code", "--out", "-", *extra, env=env)
        assert allowed.returncode == 0, allowed.stderr
        assert json.loads(allowed.stdout)["correct"] is True
    assert "--allow-weak-sandbox" in run_cli("recipe", "run", "--help").stdout


def test_weak_mode_probe_needs_the_opt_in(monkeypatch: pytest.MonkeyPatch) -> None:
    from judgebench import sandbox

    monkeypatch.delenv("JUDGEBENCH_ALLOW_WEAK_SANDBOX", raising=False)
    with pytest.raises(sandbox.SandboxUnavailableError, match="allow-weak-sandbox"):
        sandbox.probe_isolation("audit-hook")
    assert sandbox.probe_isolation("audit-hook", allow_weak=True).mode == "audit-hook"


# --------------------------------------------------------------------------- cgroup v2 (this machine runs v1)


def test_cgroup_v2_run_limits_are_written_where_the_kernel_reads_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a fake cgroup2 tree (plain files): the v2 path makes its own folder with memory+pids enabled for its children,
    # and each run's cgroup gets memory.max, no swap and pids.max; the OOM count is read from memory.events
    from judgebench.sandbox import _sandbox_cgroup

    base = tmp_path / "cg" / "user.slice" / "app.scope"
    base.mkdir(parents=True)
    (base / "cgroup.controllers").write_text("cpu io memory pids\n")
    (base / "cgroup.subtree_control").write_text("")
    monkeypatch.setattr(_sandbox_cgroup, "_mounts", lambda: [(str(tmp_path / "cg"), "cgroup2", {"rw"})])
    monkeypatch.setattr(_sandbox_cgroup, "_own_paths", lambda: {"": "/user.slice/app.scope"})
    where = _sandbox_cgroup._v2()
    assert where is not None and where.version == 2 and where.memory == where.pids == base / f"judgebench-sandbox-{os.getpid()}"
    assert (base / "cgroup.subtree_control").read_text() == "+memory +pids"
    assert (where.memory / "cgroup.subtree_control").read_text() == "+memory +pids"
    run = _sandbox_cgroup.RunCgroup(where, 256, 20)
    assert (run.memory / "memory.max").read_text() == str(256 * 1024 * 1024)
    assert (run.memory / "pids.max").read_text() == "20"
    assert run.procs == [str(run.memory / "cgroup.procs")] and run.pids is None
    assert run.oom_killed() is False
    (run.memory / "memory.events").write_text("low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\n")
    assert run.oom_killed() is True


# --------------------------------------------------------------------------- 10. the weak mode's hook is its own


PATCH_PROGRAM = r"""
import builtins, os, os.path, posixpath, sys
_work = os.getcwd()
# a program replaces what a hook that looks functions up at call time would ask: every path is "inside", every
# pid is "mine", every process is "in my group", any() is always false
os.path.realpath = posixpath.realpath = lambda p, *a, **k: _work + '/x'
os.getpid = lambda: HARNESS_PID
os.getpgid = lambda pid: os.getpgrp()
builtins.any = lambda it: False
# and the hook module's own globals, reached through the boot's frames
f = sys._getframe()
while f is not None:
    for value in list(f.f_locals.values()):
        g = getattr(value, '__dict__', None)
        if isinstance(g, dict) and 'install_audit_hook' in g:
            g.update(WRITE_FLAGS=0, _covers=lambda a, b: True, READ_EVENTS={}, PATH_EVENTS={}, BLOCKED_EVENTS={})
    f = f.f_back
"""


def test_weak_mode_hook_cannot_be_disarmed_by_replacing_functions(harness: Harness, open_dir: Path) -> None:
    # review of item 10: the hook called os.path.realpath, os.getpid and os.getpgid through the shared os module, so a
    # program that replaced them read ~/.netrc, the HF token and the harness's /proc/<pid>/environ, and wrote outside
    program = PATCH_PROGRAM + LEAK_PROGRAM.format(home=str(harness.home)) + ENVIRON_PROGRAM.format().replace("import os, re", "import re")
    program += f"\ntry:\n    open({str(open_dir / 'escaped')!r}, 'w').write('x')\nexcept OSError:\n    pass\n"
    graded = harness.run("audit-hook", program, grade={"test": "def check(candidate):\n    assert candidate() is None\n", "entry_point": "leak", "prompt": ""})
    script = harness.run("audit-hook", program + "\ntry:\n    leak()\nexcept AssertionError as e:\n    print(e)\n")
    for out in (graded, script):
        assert out["harness_rc"] == 0, out["stderr"][-2000:]
        text = shown(out)
        assert HF_CANARY not in text and NETRC_CANARY not in text and CANARY_KEY not in text, text[:3000]
    assert not (open_dir / "escaped").exists()
    assert graded["grade"]["correct"] is False
