"""Child-side bootstrap of the code sandbox (``judgebench.sandbox``); runs as ``python -I _sandbox_boot.py CONFIG_FD``.

It starts as the harness's user, inside fresh network, PID, IPC and mount namespaces when ``unshare`` works
(``config["namespaces"]``; plus a user namespace when the harness is not root), and then, in this order:

1. reads its configuration (the program, its limits) from the file descriptor ``CONFIG_FD`` (an unnamed temporary
   file) and closes it: none of it is on a path, in the command line or in the environment, where the program
   could read it. A function-style run's tests and nonce are in another unnamed file (``config["tests_fd"]``)
   that this process never reads: only the judge does, after it forked the program's process (step 6);
2. joins the run's cgroups (``config["cgroup_procs"]``, made by the harness with the memory and process limits),
   so every page the run touches from here on, tmpfs, shared memory and kernel memory included, is counted;
3. (namespaces) builds the program's root and ``pivot_root``s into it (``_sandbox_jail.build_root``): read-only
   system folders and Python installation, five devices, its own ``/proc`` and one size-capped scratch tmpfs for
   ``/tmp``, ``/var/tmp`` and ``/dev/shm``; nothing else of the host, the user's home included, exists there;
4. writes ``main.py`` in the working folder, leaves the harness's session keyring and installs the seccomp
   filter (``_sandbox_jail.install_seccomp``) on itself and everything it starts;
5. forks the program's process, which sets hard resource limits (CPU seconds, address space, processes, file
   size, open files, no core files), then, when started as real root, drops to ``config["uid"]`` (a fresh uid
   used by no one else, so ``RLIMIT_NPROC`` counts only this program's processes, file permissions apply, and it
   may not signal the harness) or, as uid 0 of a user namespace, drops every capability; (no namespaces) it
   installs the audit hook (``_sandbox_hook.install_audit_hook``);
6. runs ``main.py`` as ``__main__`` (what ``python -I main.py`` does), or, for a function-style run
   (``config["tests_fd"]``), makes itself not dumpable (``_sandbox_jail.make_undumpable``) and hands the program
   to ``_sandbox_check.run``: this process becomes the judge, which forks the program's process (it imports the
   program as a module and answers requests; ``_sandbox_program``), reads the tests and the nonce, runs the tests
   against proxies and writes its verdict to ``config["verdict_fd"]``; meanwhile the parent waits and writes
   ``{"exit": N}`` or ``{"signal": N}`` to ``config["status_fd"]``, or ``{"error": ...}`` when any step of the
   containment failed: a program never runs with less containment than the harness asked for.

Only the standard library is used, and nothing from ``judgebench`` (this file runs outside the package).
"""

import json
import os
import resource
import sys


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


def _supervise(child, status_fd, secret_fds, ready_fd):
    """Wait for the program (reaping any orphan that lands here as PID 1), report how it ended, exit.

    A program process that ended before it said its containment was in place (``ready_fd``) is an error.
    """
    for fd in secret_fds:
        os.close(fd)  # only the judge holds the verdict pipe and the tests' file
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            status = None
            break
        if pid == child:
            break
    os.set_blocking(ready_fd, False)
    try:
        ready = os.read(ready_fd, 1) == b"1"
    except BlockingIOError:
        ready = False
    if status is None:
        report = {"error": "lost the program process"}
    elif not ready:
        report = {"error": "the program's containment could not be set up (its reason is on stderr)"}
    elif os.WIFSIGNALED(status):
        report = {"signal": os.WTERMSIG(status)}
    else:
        report = {"exit": os.waitstatus_to_exitcode(status)}
    _report(status_fd, report)


def _report(status_fd, report):
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


def _load_sibling(name):
    """The code of ``name``.py next to this file, loaded now (before the package's folder is out of sight), from
    its ``__pycache__`` when that is current (compiling it costs a few milliseconds per run)."""
    from importlib.machinery import SourceFileLoader

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name + ".py")
    return SourceFileLoader(name, path).get_code(name)


def _load_module(name):
    import types

    module = types.ModuleType(name)
    exec(_load_sibling(name), module.__dict__)
    return module


def _join_cgroups(procs_files):
    for path in procs_files:
        with open(path, "w", encoding="ascii") as f:
            f.write(str(os.getpid()))


def _last_capability():
    try:
        with open("/proc/sys/kernel/cap_last_cap", encoding="ascii") as f:
            return int(f.read())
    except (OSError, ValueError):
        return 63


def _prepare(cfg, jail):
    """Steps 2-4 of the module docstring. Returns the working folder."""
    _join_cgroups(cfg.get("cgroup_procs") or [])
    hidden = cfg.get("hidden") or []
    if cfg["namespaces"]:
        newroot = os.path.join(os.getcwd(), "root")
        os.mkdir(newroot, 0o755)
        jail.build_root(newroot, cfg["tmpfs_mb"], hidden)
        workdir = jail.enter_root(newroot)
    else:
        workdir = cfg["workdir"]
        os.makedirs(workdir, mode=0o700, exist_ok=True)
    with open(os.path.join(workdir, "main.py"), "w", encoding="utf-8") as f:
        f.write(cfg["code"])
    if cfg.get("uid") is not None:
        os.chown(workdir, cfg["uid"], cfg["uid"])
    jail.leave_session_keyring()
    if cfg.get("seccomp"):
        jail.install_seccomp(weak=not cfg["namespaces"], count_memory=not cfg.get("cgroup_procs"))
    return workdir


def _contain_program(cfg, jail, hook, workdir, last_cap):
    """Step 5, in the program's process: limits, then the uid or capabilities, then (weak mode) the audit hook; for
    a function-style run, not dumpable (after the uid change, which would reset the flag)."""
    os.chdir(workdir)
    try:
        with open("/proc/self/oom_score_adj", "w", encoding="ascii") as f:
            f.write("1000")  # under the cgroup's limit, the OOM killer takes the program, not the supervisor
    except OSError:
        pass
    _set_limits(cfg)
    uid = cfg.get("uid")
    if uid is not None:
        _drop_privileges(uid)
    elif cfg["namespaces"]:
        jail.drop_capabilities(last_cap)
    if cfg.get("tests_fd") is not None:
        jail.make_undumpable()
    if hook is not None:
        hidden = cfg.get("hidden") or []
        hook.install_audit_hook(workdir, jail.python_dirs(hidden), jail.system_paths(), hidden)


HARNESS = ("_sandbox_program", "_sandbox_proxies", "_sandbox_check")  # in the order they import each other


def _run_tests(harness_codes, cfg, main_py):
    """Load the harness's modules (registered under their own names, so they import each other) and let
    ``_sandbox_check.run`` fork the program's process and run the tests."""
    import types

    for name, code in zip(HARNESS, harness_codes, strict=True):
        module = sys.modules[name] = types.ModuleType(name)
        exec(code, module.__dict__)
    sys.modules["_sandbox_check"].run(cfg["code"], main_py, cfg["tests_fd"], cfg["verdict_fd"])


def _add_site_packages():
    """The installation's site-packages on ``sys.path``, as ``site`` adds them (a virtual environment's, from its
    ``pyvenv.cfg``, then the base's if it includes them), without running ``.pth`` files: the boot runs with ``-S``
    because an editable install's finder costs tens of milliseconds per program."""
    import site

    prefixes = []
    exe_dir = os.path.dirname(os.path.abspath(sys.executable))
    for cfg in (os.path.join(exe_dir, "pyvenv.cfg"), os.path.join(os.path.dirname(exe_dir), "pyvenv.cfg")):
        if os.path.isfile(cfg):
            with open(cfg, encoding="utf-8") as f:
                pairs = {k.strip().lower(): v.strip() for k, _, v in (line.partition("=") for line in f)}
            sys.prefix = sys.exec_prefix = os.path.dirname(exe_dir)
            prefixes = [sys.prefix] + ([sys.base_prefix] if pairs.get("include-system-site-packages", "").lower() == "true" else [])
            break
    for folder in site.getsitepackages(prefixes or None):
        if os.path.isdir(folder) and folder not in sys.path:
            sys.path.append(folder)


def main():
    _add_site_packages()
    cfg = _read_config(int(sys.argv[1]))
    status_fd = cfg["status_fd"]
    secret_fds = [fd for fd in (cfg.get("verdict_fd"), cfg.get("tests_fd")) if fd is not None]
    try:
        harness_codes = [_load_sibling(name) for name in HARNESS] if cfg.get("tests_fd") is not None else None
        jail = _load_module("_sandbox_jail")
        hook = None if cfg["namespaces"] else _load_module("_sandbox_hook")
        last_cap = _last_capability()
        workdir = _prepare(cfg, jail)
    except Exception as e:
        _report(status_fd, {"error": f"cannot contain the program: {type(e).__name__}: {e}"})
    main_py = os.path.join(workdir, "main.py")
    ready_r, ready_w = os.pipe()
    # The program runs in a child: as PID 1 of its namespace it would ignore SIGXCPU and SIGXFSZ (the kernel
    # spares a namespace's init from default-action signals), and this parent reports its exit faithfully.
    child = os.fork()
    if child:
        os.close(ready_w)
        _supervise(child, status_fd, secret_fds, ready_r)
    os.close(status_fd)
    os.close(ready_r)
    try:
        _contain_program(cfg, jail, hook, workdir, last_cap)
    except BaseException as e:
        os.write(2, f"sandbox: cannot contain the program: {type(e).__name__}: {e}\n".encode())
        os._exit(125)
    os.write(ready_w, b"1")
    os.close(ready_w)
    jail = hook = None  # noqa: F841 - nothing of the containment stays reachable from the program's locals
    os.environ["HOME"] = os.environ["TMPDIR"] = workdir
    sys.argv = ["main.py"]
    if harness_codes is not None:
        _run_tests(harness_codes, cfg, main_py)
    import runpy

    runpy.run_path(main_py, run_name="__main__")


if __name__ == "__main__":
    main()
