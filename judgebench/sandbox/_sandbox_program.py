"""The program's process of a function-style grading run: it imports the program and answers the judge.

``_sandbox_check`` (the judge) forks this process before it reads the tests or the run's nonce, so neither was
ever in this process's memory, and then runs the tests in its own process against proxies of the program's
functions. ``serve``, in the forked process:

1. closes every file descriptor but stdin, stdout, stderr and its two pipes to the judge (the verdict pipe and the
   file the tests came in are not open here), then installs the refusals below;
2. imports the program as the module ``solution``, not ``__main__``: its ``if __name__ == "__main__":`` block never
   runs; any exception while importing, ``SystemExit`` included, is reported as the run's failure;
3. answers the judge's requests until the judge kills it: call, read an attribute or an item, iterate, ``len``,
   truth test, and the program's global names and values (MBPP's tests call the program's functions by name).

What crosses to the judge is JSON (``encode``): plain data (numbers, strings, bytes, ``None`` and lists, tuples,
dicts, sets of them) copied with the builtin types' own C methods, so a subclass's ``__eq__``/``__iter__`` is
never what the judge compares; anything else is a *handle*, a number the judge's ``Opaque`` sends back to name
the object. An exception comes back as its nearest builtin class, the program's class name, its plain arguments
and the program's traceback as text. What comes from the judge is JSON too: the same forms, plus handles
(``["h", n]``), the tests' own functions (``["F", n]``), which run in the judge when the program calls them, with
plain data or handles as their arguments, and, for a value plain data cannot say (a ``Fraction``, a
``namedtuple``), a pickle made by the judge (``["p", hex]``; the judge itself never unpickles anything).

Nothing in this process is trusted: the program shares it and may rewrite any of it, this code included. All it
can change is what the judge receives, and the judge takes every message as the program's answer, decodes it into
builtin types and proxies, and never runs the program's code. The refusals (trace and profile functions, other
threads' frames, ``gc``'s object lists, ``ctypes``, ``/proc/<pid>``) protected the tests when they ran in the
program's interpreter; no secret is here any more, and they stay as defence in depth (the judge is also out of
reach of the kernel: another process, not dumpable).

Only the standard library is used, and nothing from ``judgebench`` (this file runs outside the package).
"""

import builtins
import io
import json
import os
import sys
import traceback
import types

MAX_DEPTH = 100
MAX_TRACEBACK = 4000
_HEAPTYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: set on every class written in Python, never on a C type
_SMALL_INT = 1 << 53  # larger ints travel as hexadecimal text (no 4300-digit limit on hex conversions)
_DICT_VIEWS = (type({0: 0}.keys()), type({0: 0}.items()))
REFUSED_EVENTS = {
    "sys.settrace": "a trace function",
    "sys.setprofile": "a profile function",
    "sys._current_frames": "reading other threads' frames",
    "gc.get_objects": "listing the interpreter's objects",
    "gc.get_referrers": "listing the interpreter's objects",
    "gc.get_referents": "listing the interpreter's objects",
    "sys.monitoring.register_callback": "a monitoring callback",
}


class NotPlain(Exception):
    """A value that is not plain data (the message names its type)."""


# --------------------------------------------------------------------------- messages (both processes)


def send_message(fd, payload):
    """Write one message: its length in 4 bytes, then ``payload``."""
    view = memoryview(len(payload).to_bytes(4, "big") + payload)
    while view:
        view = view[os.write(fd, view) :]


def _read_exactly(fd, n):
    data = bytearray()
    while len(data) < n:
        chunk = os.read(fd, min(n - len(data), 1 << 20))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def receive_message(fd, limit=1 << 31):
    """One message's payload, or ``None`` at the end of the pipe (or a message over ``limit`` bytes)."""
    header = _read_exactly(fd, 4)
    if header is None:
        return None
    size = int.from_bytes(header, "big")
    return _read_exactly(fd, size) if size <= limit else None


# --------------------------------------------------------------------------- values to the judge


def type_name(value):
    name = type(value).__name__
    return str.__str__(name)[:200] if isinstance(name, str) else "object"


def encode(value, depth=0):
    """``value`` as JSON-ready plain data, or raise ``NotPlain``.

    ``None``, ``bool``, ``str`` and ``float`` are JSON's own; an ``int`` is JSON's up to 2**53 and ``["i", hex]``
    beyond; ``["c", re, im]`` is a complex, ``["b", hex]`` bytes, ``["l"|"t"|"s"|"f", items]`` a list, tuple, set
    or frozenset (``dict.keys()``/``dict.items()`` views become sets), ``["d", [k0, v0, k1, v1, ...]]`` a dict. A
    subclass of a builtin type becomes the builtin value it holds (``int.__int__``, ``list.__iter__`` and
    ``dict.items`` read the object's storage without calling its methods); numpy scalars (C types) become their
    ``item()``. Deeper than ``MAX_DEPTH`` levels is not plain.
    """
    t = type(value)
    if t is str or t is bool or t is float or value is None:
        return value
    if t is int:
        return value if -_SMALL_INT < value < _SMALL_INT else ["i", int.__format__(value, "x")]
    if depth >= MAX_DEPTH:
        raise NotPlain(f"nested deeper than {MAX_DEPTH} levels")
    d = depth + 1
    if issubclass(t, list):
        return ["l", [encode(v, d) for v in list.__iter__(value)]]
    if issubclass(t, tuple):
        return ["t", [encode(v, d) for v in tuple.__iter__(value)]]
    if issubclass(t, dict):
        flat = []
        for k, v in dict.items(value):
            flat += (encode(k, d), encode(v, d))
        return ["d", flat]
    if issubclass(t, frozenset):
        return ["f", [encode(v, d) for v in frozenset.__iter__(value)]]
    if issubclass(t, set):
        return ["s", [encode(v, d) for v in set.__iter__(value)]]
    if t in _DICT_VIEWS:
        return ["s", [encode(v, d) for v in value]]
    if issubclass(t, bool) or issubclass(t, int):
        return encode(int.__int__(value), d)
    if issubclass(t, float):
        return float.__float__(value)
    if issubclass(t, str):
        return str.__str__(value)
    if issubclass(t, bytes):
        return ["b", bytes.hex(bytes.__bytes__(value))]
    if issubclass(t, complex):
        c = complex.__complex__(value)
        return ["c", c.real, c.imag]
    if type(t) is type and not t.__flags__ & _HEAPTYPE and t.__module__ == "numpy" and t.__name__ != "ndarray":
        item = getattr(t, "item", None)
        if item is not None:
            return encode(item(value), d)
    raise NotPlain(type_name(value))


class Handles:
    """The program's objects the judge holds handles to (kept alive, so a handle always names the same object)."""

    def __init__(self):
        self.objects = []
        self.numbers = {}

    def export(self, value):
        """``encode(value)``, or ``["h", n, type name]`` for a value that is not plain data."""
        try:
            return encode(value)
        except (NotPlain, RecursionError):
            n = self.numbers.get(id(value))
            if n is None:
                n = self.numbers[id(value)] = len(self.objects)
                self.objects.append(value)
            return ["h", n, type_name(value)]

    def export_items(self, container):
        """A list, dict or set the judge passed, item by item (each plain or a handle), to copy back into its own."""
        if type(container) is list:
            return ["l", [self.export(v) for v in list.__iter__(container)]]
        if type(container) is set:
            return ["s", [self.export(v) for v in set.__iter__(container)]]
        flat = []
        for k, v in dict.items(container):
            flat += (self.export(k), self.export(v))
        return ["d", flat]


def exception_reply(exc, *, stop_ends=False):
    """``["x", builtin base, class name, plain args, traceback]``; ``StopIteration`` becomes ``RuntimeError`` (in the
    tests' ``map`` or ``zip`` it would silently end their loop) unless ``stop_ends`` (a ``next`` request)."""
    if stop_ends and isinstance(exc, StopIteration):
        return ["s"]
    base = next((c for c in type(exc).__mro__ if c.__module__ == "builtins" and not c.__flags__ & _HEAPTYPE), BaseException)
    args = [a for a in getattr(exc, "args", ()) if type(a) in (str, int, float, bool) or a is None]
    if issubclass(base, (StopIteration, StopAsyncIteration)):
        base, args = RuntimeError, [f"the program raised {base.__name__} out of a call"]
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == _HERE:  # from the program's first frame
        tb = tb.tb_next
    try:
        text = "".join(traceback.format_exception(type(exc), exc, tb))[-MAX_TRACEBACK:]
    except BaseException:
        text = ""
    return ["x", base.__name__, type_name(exc), [encode(a) for a in args], text]


# --------------------------------------------------------------------------- values from the judge


_HERE = exception_reply.__code__.co_filename


class TestFunction:
    """A function of the tests (a ``key=lambda ...`` they pass): calling it runs it in the judge's process."""

    __slots__ = ("_peer", "_number")

    def __init__(self, peer, number):
        self._peer, self._number = peer, number

    def __call__(self, *args, **kwargs):
        return self._peer.call_back(self._number, args, kwargs)

    def __repr__(self):
        return "<function of the tests>"


# --------------------------------------------------------------------------- serving the judge


class _Peer:
    def __init__(self, module, rfd, wfd):
        self.module, self.rfd, self.wfd = module, rfd, wfd
        self.handles = Handles()

    def send(self, message):
        send_message(self.wfd, json.dumps(message).encode("ascii"))
        for stream in (sys.stdout, sys.stderr):  # the program's prints are not lost when the judge kills this process
            try:
                stream.flush()
            except BaseException:
                pass

    def receive(self):
        data = receive_message(self.rfd)
        if data is None:  # the judge is gone
            os._exit(0)
        return json.loads(data)

    def decode(self, data):
        """A value from the judge: ``encode``'s forms, plus ``["h", n]`` (a handle this process gave), ``["F", n]`` (a
        function of the tests) and ``["p", hex]`` (a pickle, for what plain data cannot say: a ``Fraction``...)."""
        if type(data) is not list:
            return data
        tag, value = data[0], data[1]
        if tag == "l":
            return [self.decode(v) for v in value]
        if tag == "t":
            return tuple([self.decode(v) for v in value])
        if tag == "s":
            return {self.decode(v) for v in value}
        if tag == "f":
            return frozenset([self.decode(v) for v in value])
        if tag == "d":
            return {self.decode(value[i]): self.decode(value[i + 1]) for i in range(0, len(value), 2)}
        if tag == "h":
            return self.handles.objects[value]
        if tag == "F":
            return TestFunction(self, value)
        if tag == "i":
            return int(value, 16)
        if tag == "b":
            return bytes.fromhex(value)
        if tag == "c":
            return complex(value, data[2])
        return self._unpickle(bytes.fromhex(value))

    def _unpickle(self, data):
        import pickle

        peer = self

        class FromJudge(pickle.Unpickler):
            def persistent_load(self, pid):
                kind, n = pid
                return peer.handles.objects[n] if kind == "h" else TestFunction(peer, n)

        return FromJudge(io.BytesIO(data)).load()

    def call_back(self, number, args, kwargs):
        """Call the tests' function ``number`` in the judge; answer the judge's requests meanwhile."""
        export = self.handles.export
        self.send(["q", number, [export(a) for a in args], [[k, export(v)] for k, v in kwargs.items()]])
        while True:
            message = self.receive()
            if message[0] == "r":
                return self.decode(message[1])
            if message[0] == "x":
                raise getattr(builtins, message[1], RuntimeError)(message[2])
            self.answer(message)

    def answer(self, message):
        op = message[1]
        try:
            reply = self.dispatch(op, message[2:])
        except BaseException as e:  # SystemExit and KeyboardInterrupt included: the tests see them fail
            reply = exception_reply(e, stop_ends=op == "next")
        self.send(reply)

    def dispatch(self, op, operands):
        objects, export = self.handles.objects, self.handles.export
        if op == "call":
            number, args, kwargs, synced = operands
            args = [self.decode(a) for a in args]
            kwargs = {k: self.decode(v) for k, v in kwargs}
            passed = [args[k] if type(k) is int else kwargs[k] for k in synced]  # the judge's lists, dicts, sets
            before = [self.handles.export_items(a) for a in passed]
            result = export(objects[number](*args, **kwargs))
            after = [self.handles.export_items(a) for a in passed]
            return ["r", result, [a if a != b else None for a, b in zip(after, before, strict=True)]]
        if op == "getattr":
            return ["r", export(getattr(objects[operands[0]], operands[1]))]
        if op == "getitem":
            return ["r", export(objects[operands[0]][self.decode(operands[1])])]
        if op == "iter":
            return ["r", export(iter(objects[operands[0]]))]
        if op == "next":
            return ["r", export(next(objects[operands[0]]))]
        if op == "len":
            return ["r", len(objects[operands[0]])]
        if op == "bool":
            return ["r", bool(objects[operands[0]])]
        if op == "names":
            return ["r", [n for n in dict.keys(self.module.__dict__) if type(n) is str and not n.startswith("__")]]
        if op == "get":
            found = []
            for name in operands[0]:
                if name in self.module.__dict__:
                    value = self.module.__dict__[name]
                    module = type(value) is types.ModuleType
                    found.append([name, "m", str(value.__name__)] if module else [name, "v", export(value)])
            return ["r", found]
        raise ValueError(f"unknown request {op!r}")


def _close_descriptors(keep):
    """Close every descriptor above 2 but ``keep``: those ``/proc/self/fd`` lists, then every number up to the limit."""
    try:
        listed = [int(n) for n in os.listdir("/proc/self/fd")]
    except OSError:
        listed = []
    import resource

    top = min(max(resource.getrlimit(resource.RLIMIT_NOFILE)[1], 1 << 16, *listed) + 1, 1 << 30)
    low = 3
    for fd in sorted(keep):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, top)


def _install_refusals():
    refused = dict(REFUSED_EVENTS)
    realpath, fsdecode, fspath = os.path.realpath, os.fsdecode, os.fspath

    def on_proc(path):
        if isinstance(path, int):
            return False
        try:
            text = fsdecode(fspath(path))
            real = realpath(text)
        except Exception:
            return True
        for p in (text, real):
            if p.startswith("/proc/"):
                first = p[6:].partition("/")[0]
                if first.isdigit() or first in ("self", "thread-self"):
                    return True
        return False

    def hook(event, args):
        what = refused.get(event) or ("ctypes" if event.startswith("ctypes.") else None)  # any ctypes object left reachable
        if what is not None:
            raise PermissionError(f"sandbox: {what} is not allowed in a graded program ({event})")
        if event == "import" and args and (args[0] in ("ctypes", "_ctypes") or str(args[0]).startswith("ctypes.")):
            raise ImportError("sandbox: ctypes is not available to a graded program")
        if event == "open" and args and on_proc(args[0]):
            raise PermissionError(f"sandbox: reading /proc/<pid> is not allowed in a graded program ({args[0]!r})")

    for name in [n for n in sys.modules if n in ("ctypes", "_ctypes") or n.startswith("ctypes.")]:
        del sys.modules[name]  # the boot used ctypes for its mounts; the program must import it afresh (refused)
    sys.addaudithook(hook)


def serve(code, path, rfd, wfd):
    """Steps 1-3 of the module docstring, in the forked process; never returns."""
    try:
        _close_descriptors((rfd, wfd))
        _install_refusals()
        module = types.ModuleType("solution")
        module.__file__ = path
        sys.modules["solution"] = module
        peer = _Peer(module, rfd, wfd)
        try:
            program = compile(code, path, "exec", dont_inherit=True)
        except SyntaxError as e:
            peer.send(["c", f"SyntaxError: {e.msg} (program line {e.lineno})"])
            os._exit(1)
        except (ValueError, RecursionError, MemoryError) as e:  # null bytes; nesting too deep for the compiler
            peer.send(["c", f"{type(e).__name__}: {e}"])
            os._exit(1)
        try:
            exec(program, module.__dict__)
        except BaseException as e:  # SystemExit and KeyboardInterrupt included
            peer.send(exception_reply(e))
            try:
                traceback.print_exception(type(e), e, e.__traceback__)
            except BaseException:
                pass
            os._exit(1)
        peer.send(["r"])
        while True:
            peer.answer(peer.receive())
    finally:
        os._exit(1)
