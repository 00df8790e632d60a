"""Child-side containment of the code sandbox (``judgebench.sandbox``): the program's file tree, its privileges,
its system calls and, in the weak mode, its Python-level audit hook.

``_sandbox_boot`` loads this file by path (it runs outside the package, before the program) and calls:

* ``build_root`` + ``enter_root`` (namespaces mode): a new root made of a small read-only tmpfs holding read-only
  bind mounts of the system folders (``/usr``, ``/bin``, ``/lib*``, ``/sbin``), a few files of ``/etc`` the C
  library and Python read, the Python installation that runs the program, five device nodes, the namespace's own
  ``/proc``, and one size-capped scratch tmpfs on ``/tmp`` (``/dev/shm`` and ``/var/tmp`` are folders of it, so
  the three share one size). ``pivot_root`` moves there and detaches the old root: nothing else of the host (the
  user's home, ``/root``, ``/run``, ``/var/run``, other folders' unix sockets, the harness's working tree) exists
  for the program, whatever its uid;
* ``drop_capabilities`` (namespaces mode without root: the program is uid 0 of its user namespace): empties the
  bounding, ambient, permitted and effective sets and checks ``/proc/self/status``, so it cannot undo a mount;
* ``install_seccomp``: a kernel filter (``PR_SET_SECCOMP``) on the rest of the process tree that refuses system
  calls whatever Python code reaches them (``ctypes``, a builtin ``_posixsubprocess``, a C extension): see
  ``seccomp_rules`` for the list per mode;
* ``leave_session_keyring``: the harness's kernel keys are not the program's to read;
* ``make_undumpable`` (function-style runs): the judge process that forks the program's process is out of the
  reach of that process's ``/proc/<pid>`` and ``pidfd_getfd``.

The weak mode's Python-level audit hook is in ``_sandbox_hook``.

Only the standard library is used, and nothing from ``judgebench`` (this file runs outside the package).
"""

import ctypes
import os
import platform
import sys

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC = 1, 2, 4, 8, 32, 4096, 16384
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
MNT_DETACH = 2
# statvfs f_flag bits that a read-only bind remount must keep (they are locked on inherited mounts)
KEEP_FLAGS = {1: MS_RDONLY, 2: MS_NOSUID, 4: MS_NODEV, 8: MS_NOEXEC, 1024: MS_NOATIME, 2048: MS_NODIRATIME, 4096: MS_RELATIME}

SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC_ENTRIES = (  # what the C library (loader, locale, time zone, users) and Python's stdlib read; no credentials
    "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "nsswitch.conf", "passwd", "group",
    "hosts", "host.conf", "protocols", "services", "mime.types", "os-release", "alternatives",
)
DEVICES = ("null", "zero", "full", "random", "urandom")
SCRATCH = "/tmp"
WORKDIR = "/tmp/sandbox"
SHM_DIR = "/tmp/.shm"  # bound on /dev/shm: POSIX shared memory and semaphores count in the scratch size


# --------------------------------------------------------------------------- libc


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(libc, source, target, fstype, flags, data=None):
    ok = libc.mount(
        source.encode() if source else None,
        target.encode(),
        fstype.encode() if fstype else None,
        ctypes.c_ulong(flags),
        data.encode() if data else None,
    )
    _check(ok, f"mount {target}")


def _ulong(*values):
    return [ctypes.c_ulong(v) for v in values]


# --------------------------------------------------------------------------- the file tree (namespaces mode)


def _covers(path, other):
    """Whether ``path`` is ``other`` or one of its ancestors."""
    return other == path or other.startswith(path.rstrip("/") + "/")


def python_dirs(hidden=()):
    """Real paths of the Python installation that runs this file (prefixes, not ``sys.path`` entries that ``.pth``
    files add), without folders already under a system folder and never a folder that holds a hidden one."""
    found = []
    for p in (sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix, os.path.dirname(os.path.dirname(os.path.realpath(sys.executable)))):
        real = os.path.realpath(p)
        if not os.path.isdir(real) or real == "/":
            continue
        if any(_covers(s, real) for s in SYSTEM_DIRS) or any(_covers(real, h) for h in hidden):
            continue
        found.append(real)
    kept = []
    for p in sorted(set(found), key=len):
        if not any(_covers(k, p) for k in kept):
            kept.append(p)
    return kept


def _bind(libc, source, target):
    """Bind ``source`` on ``target`` (created as a folder or an empty file), recursively."""
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "a"):
            pass
    _mount(libc, source, target, None, MS_BIND | MS_REC)


def _copy_entry(libc, source, target):
    """A symlink is recreated as a symlink (``/bin -> usr/bin``), anything else is bound. Missing: skipped."""
    if os.path.islink(source):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.symlink(os.readlink(source), target)
    elif os.path.exists(source):
        _bind(libc, source, target)


def _remount_read_only(libc, root, writable):
    """Every mount under ``root`` read-only, keeping the flags that are locked on it, except ``writable`` ones."""
    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        points = [line.split()[4].replace("\\040", " ") for line in f]
    for point in sorted(set(points), key=len):
        if point == root or not _covers(root, point) or any(_covers(w, point) for w in writable):
            continue
        st = os.statvfs(point)
        flags = MS_REMOUNT | MS_BIND | MS_RDONLY
        for bit, ms in KEEP_FLAGS.items():
            if st.f_flag & bit:
                flags |= ms
        _mount(libc, None, point, None, flags)


def build_root(newroot, scratch_mb, hidden=()):
    """Assemble the program's root under ``newroot`` (an existing empty folder, in a private mount namespace).

    Returns the folder to pass to ``enter_root``. Raises ``OSError`` when a mount fails: the run is then an
    error, never a run with less containment.
    """
    libc = _libc()
    _mount(libc, "tmpfs", newroot, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,mode=755")
    for d in SYSTEM_DIRS:
        _copy_entry(libc, d, newroot + d)
    os.makedirs(newroot + "/etc", exist_ok=True)
    for name in ETC_ENTRIES:
        _copy_entry(libc, "/etc/" + name, newroot + "/etc/" + name)
    for d in python_dirs(hidden):
        if not os.path.lexists(newroot + d):
            _bind(libc, d, newroot + d)
    dev = newroot + "/dev"
    os.makedirs(dev)
    _mount(libc, "tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=755")
    for name in DEVICES:
        _bind(libc, "/dev/" + name, dev + "/" + name)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, dev + "/" + name)
    _bind(libc, "/proc", newroot + "/proc")  # the PID namespace's own /proc (unshare --mount-proc)
    scratch = newroot + SCRATCH
    os.makedirs(scratch)
    _mount(libc, "tmpfs", scratch, "tmpfs", MS_NOSUID | MS_NODEV, f"size={max(1, int(scratch_mb))}m,mode=1777")
    os.mkdir(newroot + SHM_DIR, 0o1777)
    os.chmod(newroot + SHM_DIR, 0o1777)
    _bind(libc, newroot + SHM_DIR, dev + "/shm")
    os.makedirs(newroot + "/var")
    os.symlink(SCRATCH, newroot + "/var/tmp")
    os.makedirs(newroot + "/.old")
    _remount_read_only(libc, newroot, writable=(newroot + "/proc", scratch, dev + "/shm"))
    return newroot


PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}


def enter_root(newroot):
    """``pivot_root`` into ``newroot`` and detach the old root, so no path leads back to the host's files."""
    libc = _libc()
    number = PIVOT_ROOT.get(platform.machine())
    if number is None:
        raise OSError(f"pivot_root: unknown system call number on {platform.machine()}")
    os.chdir(newroot)
    _check(libc.syscall(ctypes.c_long(number), b".", b".old"), "pivot_root")
    os.chdir("/")
    _check(libc.umount2(b"/.old", MNT_DETACH), "umount /.old")
    os.rmdir("/.old")
    _mount(libc, None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.makedirs(WORKDIR, mode=0o700, exist_ok=True)
    return WORKDIR


# --------------------------------------------------------------------------- privileges


PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 24, 47, 4
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
CAP_VERSION_3 = 0x20080522


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _capability_sets():
    with open("/proc/self/status", encoding="ascii") as f:
        return {k: int(v, 16) for k, _, v in (line.partition(":\t") for line in f) if k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")}


def drop_capabilities(last_cap=63):
    """Empty every capability set of this process (the bounding set first, while it still may), and check it."""
    libc = _libc()
    for cap in range(last_cap + 1):
        libc.prctl(ctypes.c_int(PR_CAPBSET_DROP), *_ulong(cap, 0, 0, 0))  # EINVAL past the kernel's last one
    libc.prctl(ctypes.c_int(PR_CAP_AMBIENT), *_ulong(PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0))
    header = _CapHeader(CAP_VERSION_3, 0)
    data = (_CapData * 2)()
    _check(libc.capset(ctypes.byref(header), ctypes.byref(data)), "capset")
    left = {k: v for k, v in _capability_sets().items() if v}
    if left:
        raise OSError(f"capabilities left after dropping them: {left}")


# --------------------------------------------------------------------------- system calls


AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
SYSCALLS = {  # name: (x86_64, aarch64); None where the call does not exist
    "execve": (59, 221), "execveat": (322, 281),
    "socket": (41, 198), "connect": (42, 203), "bind": (49, 200), "sendto": (44, 206), "sendmsg": (46, 211), "sendmmsg": (307, 269),
    "mknod": (133, None), "mknodat": (259, 33),
    "kill": (62, 129), "pidfd_open": (434, 434), "pidfd_send_signal": (424, 424), "pidfd_getfd": (438, 438),
    "setsid": (112, 157), "setpgid": (109, 154),
    "ptrace": (101, 117), "process_vm_readv": (310, 270), "process_vm_writev": (311, 271),
    "memfd_create": (319, 279), "memfd_secret": (447, 447), "shmget": (29, 194), "msgget": (68, 186), "semget": (64, 190), "mq_open": (240, 180),
    "unshare": (272, 97), "setns": (308, 268), "mount": (165, 40), "umount2": (166, 39), "pivot_root": (155, 41), "chroot": (161, 51),
    "open_tree": (428, 428), "move_mount": (429, 429), "fsopen": (430, 430), "fsconfig": (431, 431), "fsmount": (432, 432), "fspick": (433, 433),
    "clone": (56, 220), "clone3": (435, 435),
    "keyctl": (250, 219), "add_key": (248, 217), "request_key": (249, 218),
    "io_uring_setup": (425, 425), "io_uring_enter": (426, 426), "io_uring_register": (427, 427),
    "bpf": (321, 280), "perf_event_open": (298, 241), "userfaultfd": (323, 282),
}
EPERM, ENOSYS = 1, 38
AF_UNIX = 1
CLONE_NAMESPACES = 0x00000080 | 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000
RET_ALLOW = 0x7FFF0000
ALWAYS_REFUSED = (
    # another process's memory, the kernel keyrings (the harness's session keyring holds its keys), io_uring (its
    # operations bypass this filter), new namespaces and mounts, BPF, perf, userfaultfd
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "keyctl", "add_key", "request_key",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "bpf", "perf_event_open", "userfaultfd",
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick",
)
UNCOUNTED_MEMORY = ("memfd_create", "memfd_secret", "shmget", "msgget", "mq_open")  # held outside any tmpfs size
WEAK_MODE_REFUSED = (
    # no namespaces: the kernel must refuse what the audit hook cannot see
    "execve", "execveat", "connect", "bind", "sendmsg", "sendmmsg", "mknod", "mknodat", "pidfd_open", "pidfd_send_signal",
    "setsid", "setpgid", "semget",
)


def seccomp_rules(*, weak, count_memory):
    """``(syscall name, action, condition)`` rules of the filter.

    Both modes refuse ``ALWAYS_REFUSED``, ``clone`` with namespace flags and ``clone3`` (``ENOSYS``: the C library
    falls back to ``clone``, whose flags the filter can read). Without a memory cgroup (``count_memory``),
    ``UNCOUNTED_MEMORY`` too. The weak mode adds ``WEAK_MODE_REFUSED`` (no program starts, whatever Python code calls
    ``execve``; no FIFO or device node; no new session; no signal through a pidfd), sockets other than ``AF_UNIX``
    (``socketpair``), datagrams with an address, and ``kill(-1)``.
    """
    rules = [(name, EPERM, None) for name in ALWAYS_REFUSED]
    rules += [("clone", EPERM, ("mask", 0, CLONE_NAMESPACES)), ("clone3", ENOSYS, None)]
    if count_memory or weak:
        rules += [(name, EPERM, None) for name in UNCOUNTED_MEMORY]
    if weak:
        rules += [(name, EPERM, None) for name in WEAK_MODE_REFUSED]
        rules += [("socket", EPERM, ("ne", 0, AF_UNIX)), ("sendto", EPERM, ("nonzero", 4)), ("kill", EPERM, ("eq", 0, 0xFFFFFFFF))]
    return rules


def _bpf_program(arch, rules):
    """Classic BPF for ``rules`` on ``arch``: ``(code, jt, jf, k)`` instructions.

    A call from another ABI (i386 ``int 0x80``, x32) is refused outright: its numbers differ from the ones checked.
    Arguments are compared on their low 32 bits (``nonzero`` also checks the high ones).
    """
    ld, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    column = 0 if arch == "x86_64" else 1
    deny = 0x00050000 | EPERM

    def lo(i):
        return 16 + 8 * i

    prog = [(ld, 0, 0, 4), (jeq, 1, 0, AUDIT_ARCH[arch]), (ret, 0, 0, deny), (ld, 0, 0, 0)]
    if arch == "x86_64":
        prog += [(jge, 0, 1, 0x40000000), (ret, 0, 0, deny)]
    for name, errno_, cond in rules:
        nr = SYSCALLS[name][column]
        if nr is None:
            continue
        action = 0x00050000 | errno_
        if cond is None:
            prog += [(jeq, 0, 1, nr), (ret, 0, 0, action)]
        elif cond[0] == "nonzero":
            i = cond[1]
            prog += [(jeq, 0, 6, nr), (ld, 0, 0, lo(i)), (jeq, 0, 2, 0), (ld, 0, 0, lo(i) + 4), (jeq, 1, 0, 0), (ret, 0, 0, action), (ld, 0, 0, 0)]
        else:
            kind, i, value = cond
            test = {"ne": (jeq, 1, 0), "eq": (jeq, 0, 1), "mask": (jset, 0, 1)}[kind]
            prog += [(jeq, 0, 4, nr), (ld, 0, 0, lo(i)), (test[0], test[1], test[2], value), (ret, 0, 0, action), (ld, 0, 0, 0)]
    prog.append((ret, 0, 0, RET_ALLOW))
    return prog


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def install_seccomp(*, weak, count_memory):
    """Install the filter on this process and every process it starts (``no_new_privs`` first, as the kernel
    requires without ``CAP_SYS_ADMIN``). Raises ``OSError`` on an unknown architecture or a kernel without seccomp."""
    arch = platform.machine()
    if arch not in AUDIT_ARCH:
        raise OSError(f"seccomp: no system call table for {arch}")
    prog = _bpf_program(arch, seccomp_rules(weak=weak, count_memory=count_memory))
    array = (_SockFilter * len(prog))(*[_SockFilter(*ins) for ins in prog])
    fprog = _SockFprog(len(prog), array)
    libc = _libc()
    _check(libc.prctl(ctypes.c_int(PR_SET_NO_NEW_PRIVS), *_ulong(1, 0, 0, 0)), "prctl(PR_SET_NO_NEW_PRIVS)")
    _check(libc.prctl(ctypes.c_int(PR_SET_SECCOMP), ctypes.c_ulong(SECCOMP_MODE_FILTER), ctypes.byref(fprog), ctypes.c_ulong(0), ctypes.c_ulong(0)), "prctl(PR_SET_SECCOMP)")


PR_GET_DUMPABLE, PR_SET_DUMPABLE = 3, 4


def make_undumpable():
    """Clear this process's dumpable flag (``PR_SET_DUMPABLE`` 0; its children inherit it until they exec) and
    check it. A process that is not dumpable keeps its ``/proc/<pid>/mem``, ``fd/*``, ``environ`` and ``pidfd_getfd``
    from processes of the same uid that lack ``CAP_SYS_PTRACE`` in its user namespace (``ptrace_may_access``):
    the judge of a function-style run is out of reach of the program's process it forks."""
    libc = _libc()
    _check(libc.prctl(ctypes.c_int(PR_SET_DUMPABLE), *_ulong(0, 0, 0, 0)), "prctl(PR_SET_DUMPABLE)")
    if libc.prctl(ctypes.c_int(PR_GET_DUMPABLE), *_ulong(0, 0, 0, 0)) != 0:
        raise OSError("prctl(PR_SET_DUMPABLE, 0) did not clear the dumpable flag")


KEYCTL = {"x86_64": 250, "aarch64": 219}


def leave_session_keyring():
    """Join a new anonymous session keyring, so the harness's keys are not this process's to read (best effort)."""
    number = KEYCTL.get(platform.machine())
    if number is not None:
        _libc().syscall(ctypes.c_long(number), ctypes.c_long(1), None)  # KEYCTL_JOIN_SESSION_KEYRING, anonymous


def system_paths():
    """What the program may read of the host besides its folder and Python: the folders and files of its root."""
    return SYSTEM_DIRS + tuple("/etc/" + e for e in ETC_ENTRIES) + tuple("/dev/" + d for d in DEVICES)
