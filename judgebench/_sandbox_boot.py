"""Child-side bootstrap of the code sandbox (``judgebench.sandbox``); runs as ``python -I _sandbox_boot.py CONFIG_FD``.

It starts as the harness's user, inside fresh network, PID and mount namespaces when ``unshare`` works
(``config["namespaces"]``), and then, in this order:

1. reads its configuration (the program, and for a function-style run the tests and the run's nonce) from the
   file descriptor ``CONFIG_FD`` (an unnamed temporary file) and closes it: none of it is on a path, in the
   command line or in the environment, where the program could read it;
2. (namespaces) remounts every existing mount read-only and mounts small private tmpfs on ``/tmp``, ``/var/tmp``,
   ``/dev/shm`` and ``/run/lock``, so the only writable places are throwaway and size-capped;
3. creates the working folder, writes ``main.py`` there and makes it the current directory;
4. (in the program's process) sets hard resource limits (CPU seconds, address space, processes, file size, open files, no core files);
5. when started as real root, drops to ``config["uid"]``: a fresh uid used by no one else, so ``RLIMIT_NPROC``
   counts only this program's processes, file permissions apply, and it may not signal the harness;
6. (no namespaces) installs an audit hook that refuses network calls, new programs, ``ctypes``, signals to
   other processes and file writes outside the working folder: a best-effort guard, weaker than namespaces;
7. runs ``main.py`` as ``__main__`` in a forked child of this interpreter (what ``python -I main.py`` does), or, for a
   function-style run (``config["tests"]``), hands the program to ``_sandbox_check.run``, which imports it as a
   module, runs the tests and writes its verdict to ``config["verdict_fd"]``; meanwhile the parent waits and
   writes ``{"exit": N}`` or ``{"signal": N}`` to ``config["status_fd"]``.

Only the standard library is used, and nothing from ``judgebench`` (this file runs outside the package).
"""

import json
import os
import resource
import sys

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND = 1, 2, 4, 8, 32, 4096
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
# statvfs f_flag bits that a read-only bind remount must keep (they are locked on inherited mounts)
KEEP_FLAGS = {1: MS_RDONLY, 2: MS_NOSUID, 4: MS_NODEV, 8: MS_NOEXEC, 1024: MS_NOATIME, 2048: MS_NODIRATIME, 4096: MS_RELATIME}
PRIVATE_TMP = ("/var/tmp", "/dev/shm", "/run/lock")


def _mount(libc, source, target, fstype, flags, data):
    import ctypes

    ok = libc.mount(source.encode(), target.encode(), fstype.encode() if fstype else None, flags, data.encode() if data else None)
    if ok != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err), target)


def _mount_points():
    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        points = [line.split()[4].replace("\\040", " ") for line in f]
    return sorted(set(points), key=len)


def _isolate_filesystem(tmpfs_mb):
    """Read-only view of every mount, then private writable tmpfs folders. Returns the working folder."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for point in _mount_points():
        if point == "/proc" or point.startswith("/proc/"):
            continue
        try:
            st = os.statvfs(point)
            flags = MS_REMOUNT | MS_BIND | MS_RDONLY
            for bit, ms in KEEP_FLAGS.items():
                if st.f_flag & bit:
                    flags |= ms
            _mount(libc, "none", point, None, flags, None)
        except OSError:
            pass  # a mount we cannot see or change (over-mounted, special): the uid drop still protects it
    _mount(libc, "tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={tmpfs_mb}m,mode=1777")
    for path in PRIVATE_TMP:
        if os.path.isdir(path):
            try:
                _mount(libc, "tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=1777")
            except OSError:
                pass
    return "/tmp/sandbox"


def _set_limits(cfg):
    mb = 1024 * 1024
    limits = [
        (resource.RLIMIT_CPU, cfg["cpu_s"], cfg["cpu_s"] + 1),  # SIGXCPU at the soft limit, SIGKILL a second later
        (resource.RLIMIT_AS, cfg["memory_mb"] * mb, cfg["memory_mb"] * mb),
        (resource.RLIMIT_NPROC, cfg["nproc"], cfg["nproc"]),
        (resource.RLIMIT_FSIZE, cfg["fsize_mb"] * mb, cfg["fsize_mb"] * mb),
        (resource.RLIMIT_NOFILE, cfg["nofile"], cfg["nofile"]),
        (resource.RLIMIT_CORE, 0, 0),
    ]
    for which, soft, hard in limits:
        resource.setrlimit(which, (soft, hard))


def _drop_privileges(uid):
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)


BLOCKED_EVENTS = {
    "socket.connect": "network",
    "socket.bind": "network",
    "socket.sendto": "network",
    "socket.sendmsg": "network",
    "socket.getaddrinfo": "network",
    "socket.gethostbyname": "network",
    "os.system": "starting programs",
    "os.exec": "starting programs",
    "os.posix_spawn": "starting programs",
    "os.spawn": "starting programs",
    "subprocess.Popen": "starting programs",
    "ctypes.dlopen": "ctypes",
    "ctypes.dlsym": "ctypes",
    "ctypes.cdata": "ctypes",
}


PATH_EVENTS = {  # event -> positions of path arguments that must stay inside the working folder
    "os.mkdir": (0,), "os.rename": (0, 1), "os.remove": (0,), "os.rmdir": (0,), "os.symlink": (0, 1), "os.link": (0, 1),
    "os.truncate": (0,), "os.chmod": (0,), "os.chown": (0,), "os.utime": (0,), "shutil.rmtree": (0,), "shutil.copyfile": (1,),
}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def _install_audit_hook(workdir):
    """Refuse network, program starts, ctypes, signals to others and writes outside ``workdir``.

    ``sys.addaudithook`` hooks cannot be removed by the program.
    """
    group = os.getpgid(0)
    home = os.path.realpath(workdir)

    def inside(path):
        if isinstance(path, int):
            return True  # an open file descriptor: already allowed when it was opened
        try:
            real = os.path.realpath(os.fsdecode(path))
        except (TypeError, ValueError):
            return False
        return real == home or real.startswith(home + os.sep) or real == os.devnull

    def is_own(event, target):
        if event == "os.killpg":
            return target == group
        if target == 0 or target == -group:
            return True
        if target < 0:
            return False  # -1 is "every process I may signal"; -N another group
        try:
            return os.getpgid(target) == group
        except OSError:
            return True  # no such process: the call fails by itself

    def hook(event, args):
        what = BLOCKED_EVENTS.get(event)
        if what is not None:
            raise PermissionError(f"sandbox: {what} is not allowed ({event})")
        if event == "open" and len(args) >= 3 and isinstance(args[2], int) and args[2] & WRITE_FLAGS and not inside(args[0]):
            raise PermissionError(f"sandbox: writing outside the working folder is not allowed ({args[0]!r})")
        for i in PATH_EVENTS.get(event, ()):
            if i < len(args) and args[i] is not None and not inside(args[i]):
                raise PermissionError(f"sandbox: changing files outside the working folder is not allowed ({event} {args[i]!r})")
        if event in ("os.kill", "os.killpg") and args and not is_own(event, args[0]):
            raise PermissionError(f"sandbox: signals outside the sandbox's process group are not allowed ({event})")

    sys.addaudithook(hook)


def _supervise(child, status_fd, verdict_fd):
    """Wait for the program (reaping any orphan that lands here as PID 1), report how it ended, exit."""
    if verdict_fd is not None:
        os.close(verdict_fd)  # only the program's process holds the verdict pipe
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            status = None
            break
        if pid == child:
            break
    if status is None:
        report = {"error": "lost the program process"}
    elif os.WIFSIGNALED(status):
        report = {"signal": os.WTERMSIG(status)}
    else:
        report = {"exit": os.waitstatus_to_exitcode(status)}
    os.write(status_fd, json.dumps(report).encode())
    os._exit(0)


def _read_config(fd):
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    return json.loads(b"".join(chunks))


def _load_check_harness():
    """``_sandbox_check``'s code, compiled now (before ``/tmp`` and the package may be hidden)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_sandbox_check.py")
    with open(path, encoding="utf-8") as f:
        return compile(f.read(), path, "exec", dont_inherit=True)


def _run_tests(harness_code, cfg, main_py):
    """Load ``_sandbox_check`` with private globals and a private copy of builtins, and let it run the tests."""
    import builtins
    import types

    harness = types.ModuleType("_sandbox_check")
    harness.__dict__["__builtins__"] = dict(builtins.__dict__)
    exec(harness_code, harness.__dict__)
    tests = cfg["tests"]
    harness.run(cfg["code"], main_py, tests["test"], tests["entry_point"], tests["helpers"], tests["nonce"], cfg["verdict_fd"])


def main():
    cfg = _read_config(int(sys.argv[1]))
    code = cfg["code"]
    harness_code = _load_check_harness() if cfg.get("tests") else None
    verdict_fd = cfg.get("verdict_fd")
    workdir = _isolate_filesystem(cfg["tmpfs_mb"]) if cfg["namespaces"] else cfg["workdir"]
    os.makedirs(workdir, mode=0o700, exist_ok=True)
    main_py = os.path.join(workdir, "main.py")
    with open(main_py, "w", encoding="utf-8") as f:
        f.write(code)
    uid = cfg.get("uid")
    if uid is not None:
        os.chown(workdir, uid, uid)
    # The program runs in a child: as PID 1 of its namespace it would ignore SIGXCPU and SIGXFSZ (the kernel
    # spares a namespace's init from default-action signals), and this parent reports its exit faithfully.
    child = os.fork()
    if child:
        _supervise(child, cfg["status_fd"], verdict_fd)
    os.close(cfg["status_fd"])
    os.chdir(workdir)
    _set_limits(cfg)
    if uid is not None:
        _drop_privileges(uid)
    if not cfg["namespaces"]:
        _install_audit_hook(workdir)
    os.environ["HOME"] = os.environ["TMPDIR"] = workdir
    sys.argv = ["main.py"]
    if harness_code is not None:
        _run_tests(harness_code, cfg, main_py)
    import runpy

    runpy.run_path(main_py, run_name="__main__")


if __name__ == "__main__":
    main()
