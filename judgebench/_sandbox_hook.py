"""The weak mode's audit hook (``judgebench.sandbox``'s ``audit-hook`` mode), installed by ``_sandbox_boot`` in the
program's process after the seccomp filter (``_sandbox_jail``): it refuses at the Python level what no system-call
filter can see, paths, and what Python code reaches through audited calls. ``sys.addaudithook`` hooks cannot be
removed; C code that makes system calls without Python's audit events is not seen (the seccomp filter is what
refuses program starts, network sockets, FIFOs, new sessions and pidfd signals whatever the route).

Only the standard library is used, and nothing from ``judgebench`` (this file runs outside the package).
"""

import os
import sys

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
    "ctypes.call_function": "ctypes",
}
REFUSED_MODULES = {"_posixsubprocess": "starting programs", "_posixshmem": "shared memory outside the working folder", "ctypes": "ctypes", "_ctypes": "ctypes"}
PATH_EVENTS = {  # event -> positions of path arguments that must stay inside the working folder
    "os.mkdir": (0,), "os.rename": (0, 1), "os.remove": (0,), "os.rmdir": (0,), "os.symlink": (0, 1), "os.link": (0, 1),
    "os.truncate": (0,), "os.chmod": (0,), "os.chown": (0,), "os.utime": (0,), "shutil.rmtree": (0,), "shutil.copyfile": (1,),
    "sqlite3.connect": (0,),
}
READ_EVENTS = {"os.listdir": 0, "os.scandir": 0, "glob.glob": 0}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def _covers(path, other):
    """Whether ``path`` is ``other`` or one of its ancestors."""
    return other == path or other.startswith(path.rstrip("/") + "/")


def install_audit_hook(workdir, readable, system, hidden=()):
    """Refuse network, program starts, ctypes, signals to others, writes outside ``workdir`` and reads outside
    ``workdir``, ``readable`` (the Python installation), ``system`` (the folders, ``/etc`` files and devices of the
    namespaces mode's root) and this process's own ``/proc``; nothing that holds a ``hidden`` folder is readable.
    """
    group = os.getpgid(0)
    home = os.path.realpath(workdir)
    never = tuple(os.path.realpath(h) for h in hidden)
    allowed = tuple(r for r in (os.path.realpath(p) for p in readable) if not any(_covers(r, h) for h in never)) + tuple(system)

    def resolved(path):
        """``(real path, inside the working folder)``; refuses a relative path that climbs (``..``): its base
        may be a folder descriptor (``dir_fd``), which audit events do not show."""
        try:
            text = os.fsdecode(path)
        except (TypeError, ValueError):
            raise PermissionError(f"sandbox: unreadable path {path!r}") from None
        if not text.startswith("/") and ".." in text.split("/"):
            raise PermissionError(f"sandbox: relative paths that climb out with '..' are not allowed ({text!r})")
        real = os.path.realpath(text)
        return real, real == home or real.startswith(home + os.sep) or real == os.devnull

    def readable(real):
        if real.startswith("/proc/"):
            return real[6:].partition("/")[0] == str(os.getpid())
        return any(_covers(a, real) for a in allowed)

    def check(event, path, *, write=False, folder_fd=False):
        if isinstance(path, int):
            return  # a descriptor: vetted when it was opened (and folder descriptors only exist inside)
        real, inside = resolved(path)
        if inside:
            return
        if write:
            raise PermissionError(f"sandbox: changing files outside the working folder is not allowed ({event} {path!r})")
        if not readable(real):
            raise PermissionError(f"sandbox: reading outside the working folder and the Python installation is not allowed ({event} {path!r})")
        if folder_fd and os.path.isdir(real):  # a descriptor of it would be a dir_fd base the hook cannot follow
            raise PermissionError(f"sandbox: opening a folder outside the working folder is not allowed ({path!r})")

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
        what = BLOCKED_EVENTS.get(event) or ("ctypes" if event.startswith("ctypes.") else None)
        if what is not None:
            raise PermissionError(f"sandbox: {what} is not allowed ({event})")
        if event == "import" and args:
            name = str(args[0]).rpartition(".")[2]
            refused = REFUSED_MODULES.get(name) or REFUSED_MODULES.get(str(args[0]).partition(".")[0])
            if refused:
                raise ImportError(f"sandbox: {refused} is not allowed ({args[0]})")
        if event == "open" and args and args[0] is not None:
            flags = args[2] if len(args) >= 3 and isinstance(args[2], int) else 0
            check(event, args[0], write=bool(flags & WRITE_FLAGS), folder_fd=True)
        if event == "os.chdir" and args and not isinstance(args[0], int) and not resolved(args[0])[1]:
            raise PermissionError(f"sandbox: leaving the working folder is not allowed ({args[0]!r})")
        i = READ_EVENTS.get(event)
        if i is not None and len(args) > i and args[i] is not None:
            check(event, args[i])
        for i in PATH_EVENTS.get(event, ()):
            if i < len(args) and args[i] is not None and not (event == "sqlite3.connect" and str(args[i]) in (":memory:", "")):
                check(event, args[i], write=True)
        if event in ("os.kill", "os.killpg") and args and not is_own(event, args[0]):
            raise PermissionError(f"sandbox: signals outside the sandbox's process group are not allowed ({event})")

    for name in [n for n in sys.modules if n.partition(".")[0] in REFUSED_MODULES]:
        del sys.modules[name]  # loaded before the hook (the boot's ctypes): the program must import them afresh
    sys.addaudithook(hook)
