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
    "gc.get_objects": "listing the interpreter's objects",
    "gc.get_referrers": "listing the interpreter's objects",
    "gc.get_referents": "listing the interpreter's objects",
    "sys._current_frames": "reading other threads' frames",
}
REFUSED_MODULES = {"_posixsubprocess": "starting programs", "_posixshmem": "shared memory outside the working folder", "ctypes": "ctypes", "_ctypes": "ctypes"}
PATH_EVENTS = {  # event -> positions of path arguments that must stay inside the working folder
    "os.mkdir": (0,), "os.rename": (0, 1), "os.remove": (0,), "os.rmdir": (0,), "os.symlink": (0, 1), "os.link": (0, 1),
    "os.truncate": (0,), "os.chmod": (0,), "os.chown": (0,), "os.utime": (0,), "shutil.rmtree": (0,), "shutil.copyfile": (1,),
    "sqlite3.connect": (0,),
}
READ_EVENTS = {"os.listdir": 0, "os.scandir": 0, "glob.glob": 0}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def install_audit_hook(workdir, readable, system, hidden=()):
    """Refuse network, program starts, ctypes, signals to others, writes outside ``workdir`` and reads outside
    ``workdir``, ``readable`` (the Python installation), ``system`` (the folders, ``/etc`` files and devices of the
    namespaces mode's root) and this process's own ``/proc``; nothing that holds a ``hidden`` folder is readable.
    Every function and builtin the hook calls is bound here, in this function's locals, before the program runs:
    the program shares the interpreter and could replace ``os.path.realpath``, ``os.getpid``, ``builtins.any`` or
    this module's globals, but not the hook's closure (the hook function is reachable from no Python object the
    program can get: ``gc``'s object lists and other threads' frames are refused below).
    """

    def _covers(path, other):
        """Whether ``path`` is ``other`` or one of its ancestors."""
        return other == path or other.startswith(path.rstrip("/") + "/")

    # Bound now, before any program code runs: the hook must never call a function the program can replace. The
    # program shares this interpreter, so ``os.path.realpath = lambda p: workdir`` or ``os.getpid = lambda: ppid`` (or
    # ``builtins.any``) would otherwise decide what the hook allows. Only C functions and types are kept here (their
    # behaviour cannot be changed from Python), and the path resolution below uses nothing else.
    _lstat = os.lstat
    _readlink = os.readlink
    _getcwd = os.getcwd
    _getpid = os.getpid
    _getpgid = os.getpgid
    _fspath = os.fspath
    _stat = os.stat
    _S_ISLNK = __import__("stat").S_ISLNK
    _S_ISDIR = __import__("stat").S_ISDIR
    _any = any
    _isinstance = isinstance
    _len = len
    _str = str
    _bytes = bytes
    _int = int
    _type = type
    _tuple = tuple
    _PermissionError = PermissionError
    _ImportError = ImportError
    _OSError = OSError
    _stdlib_prefix = os.path.dirname(os.__file__) + "/"
    _getattr = getattr
    _TypeError = TypeError
    _ValueError = ValueError
    _UnicodeError = UnicodeError


    def _realpath(path):
        """``os.path.realpath`` (non-strict) from the functions bound above: symlinks followed, ``.``/``..`` resolved,
        a missing component kept as written. Refuses a symlink chain of more than 40 links."""
        if not path.startswith("/"):
            path = _getcwd() + "/" + path
        stack = path.split("/")
        stack.reverse()
        resolved = ""
        links = 0
        while stack:
            name = stack.pop()
            if name in ("", "."):
                continue
            if name == "..":
                resolved = resolved.rpartition("/")[0]
                continue
            candidate = resolved + "/" + name
            try:
                st = _lstat(candidate)
            except _OSError:
                resolved = candidate
                continue
            if not _S_ISLNK(st.st_mode):
                resolved = candidate
                continue
            links += 1
            if links > 40:
                raise _PermissionError(f"sandbox: too many symbolic links in {path!r}")
            target = _readlink(candidate)
            if target.startswith("/"):
                resolved = ""
            more = target.split("/")
            more.reverse()
            stack.extend(more)
        return resolved or "/"


    def _path_text(path):
        """The text of a path argument, read once; a path-like object other than the standard library's own ``pathlib``
        classes is refused (its ``__fspath__`` could name one file to this check and another to the call)."""
        if _type(path) is _str:
            return path
        if _type(path) is _bytes:
            return path.decode("utf-8", "surrogateescape")
        cls = _type(path)
        for method in ("__fspath__", "__str__"):
            fn = _getattr(cls, method, None)
            code = _getattr(fn, "__code__", None)
            if cls.__module__ != "pathlib" or code is None or not code.co_filename.startswith(_stdlib_prefix):
                raise _PermissionError(f"sandbox: only str, bytes and pathlib paths are allowed (got {cls.__name__})")
        text = _fspath(path)
        return text if _type(text) is _str else _path_text(text)


    group = _getpgid(0)
    own_pid = _str(_getpid())
    home = _realpath(workdir)
    never = _tuple(_realpath(h) for h in hidden)
    allowed = _tuple(r for r in (_realpath(p) for p in readable) if not _any(_covers(r, h) for h in never)) + _tuple(system)

    def resolved(path):
        """``(real path, inside the working folder)``; refuses a relative path that climbs (``..``): its base
        may be a folder descriptor (``dir_fd``), which audit events do not show."""
        try:
            text = _path_text(path)
        except (_TypeError, _ValueError, _UnicodeError):
            raise _PermissionError(f"sandbox: unreadable path {path!r}") from None
        if not text.startswith("/") and ".." in text.split("/"):
            raise _PermissionError(f"sandbox: relative paths that climb out with '..' are not allowed ({text!r})")
        real = _realpath(text)
        return real, real == home or real.startswith(home + "/") or real == "/dev/null"

    def readable(real):
        if real.startswith("/proc/"):
            return real[6:].partition("/")[0] == own_pid
        return _any(_covers(a, real) for a in allowed)

    def is_dir(real):
        try:
            return _S_ISDIR(_stat(real).st_mode)
        except _OSError:
            return False

    def check(event, path, *, write=False, folder_fd=False):
        if _type(path) is _int:
            return  # a descriptor: vetted when it was opened (and folder descriptors only exist inside)
        real, inside = resolved(path)
        if inside:
            return
        if write:
            raise _PermissionError(f"sandbox: changing files outside the working folder is not allowed ({event} {path!r})")
        if not readable(real):
            raise _PermissionError(f"sandbox: reading outside the working folder and the Python installation is not allowed ({event} {path!r})")
        if folder_fd and is_dir(real):  # a descriptor of it would be a dir_fd base the hook cannot follow
            raise _PermissionError(f"sandbox: opening a folder outside the working folder is not allowed ({path!r})")

    def is_own(event, target):
        if _type(target) is not _int:
            return False
        if event == "os.killpg":
            return target == group
        if target == 0 or target == -group:
            return True
        if target < 0:
            return False  # -1 is "every process I may signal"; -N another group
        try:
            return _getpgid(target) == group
        except _OSError:
            return True  # no such process: the call fails by itself

    blocked = dict(BLOCKED_EVENTS)  # private copies: the module's tables are reachable by the program
    refused_modules = dict(REFUSED_MODULES)
    path_events = dict(PATH_EVENTS)
    read_events = dict(READ_EVENTS)
    write_flags = WRITE_FLAGS

    def hook(event, args):
        what = blocked.get(event) or ("ctypes" if event.startswith("ctypes.") else None)
        if what is not None:
            raise _PermissionError(f"sandbox: {what} is not allowed ({event})")
        if event == "import" and args:
            name = _str(args[0]).rpartition(".")[2]
            refused = refused_modules.get(name) or refused_modules.get(_str(args[0]).partition(".")[0])
            if refused:
                raise _ImportError(f"sandbox: {refused} is not allowed ({args[0]})")
        if event == "open" and args and args[0] is not None:
            flags = args[2] if _len(args) >= 3 and _type(args[2]) is _int else 0
            check(event, args[0], write=(flags & write_flags) != 0, folder_fd=True)
        if event == "os.chdir" and args and _type(args[0]) is not _int and not resolved(args[0])[1]:
            raise _PermissionError(f"sandbox: leaving the working folder is not allowed ({args[0]!r})")
        i = read_events.get(event)
        if i is not None and _len(args) > i and args[i] is not None:
            check(event, args[i])
        for i in path_events.get(event, ()):
            if i < _len(args) and args[i] is not None and not (event == "sqlite3.connect" and _type(args[i]) is _str and args[i] in (":memory:", "")):
                check(event, args[i], write=True)
        if event in ("os.kill", "os.killpg") and args and not is_own(event, args[0]):
            raise _PermissionError(f"sandbox: signals outside the sandbox's process group are not allowed ({event})")

    for name in [n for n in sys.modules if n.partition(".")[0] in REFUSED_MODULES]:
        del sys.modules[name]  # loaded before the hook (the boot's ctypes): the program must import them afresh
    sys.addaudithook(hook)
