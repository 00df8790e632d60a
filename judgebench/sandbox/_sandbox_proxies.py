"""The judge's end of the connection to the program's process in a function-style run (see ``_sandbox_check``).

``Program.start`` forks the program's process (``_sandbox_program.serve``) and holds its two pipes; ``Opaque`` is
what the tests see of a value of the program that is not plain data. Messages are JSON both ways. Requests carry
the tests' values (``Program.to_program``: plain data, proxies as their handles, the tests' functions by number,
anything else pickled for the program's process to unpickle); answers are decoded here (``Program.decode``) into
builtin types and proxies, nothing else: no answer runs the program's code in this process, and nothing is ever
unpickled here. A process that ends or sends what is not an answer ends the exchange (``ProgramEnded``).

Only the standard library is used, and nothing from ``judgebench`` (this file runs outside the package).
"""

import builtins
import importlib
import io
import json
import os
import signal
import sys
import time
import types

if __package__:
    from . import _sandbox_program as _program_side
else:  # loaded by _sandbox_boot, which put its sibling in sys.modules
    import _sandbox_program as _program_side  # type: ignore[import-not-found, no-redef]

MAX_MESSAGE = 1 << 28
_SMALL_INT = 1 << 53
MAX_DECODE_DEPTH = 2 * _program_side.MAX_DEPTH + 8
_ATOM_TYPES = (bool, int, float, complex, str, bytes, type(None))
_MUTABLE = (list, dict, set)
_CONTAINER_TAGS = {list: "l", tuple: "t", set: "s", frozenset: "f"}
_EXCEPTIONS = {n: c for n, c in vars(builtins).items() if isinstance(c, type) and issubclass(c, BaseException)}
_stdlib_names = frozenset(getattr(sys, "stdlib_module_names", ()))


class NotPlainData(Exception):
    """The tests tried to compare or compute with a value from the program that is not plain data."""


def _is_function(value):
    """A function, method or bound builtin method of the tests (not a module's builtin like ``len``, nor a class)."""
    t = type(value)
    return t is types.FunctionType or t is types.MethodType or (t is types.BuiltinMethodType and not isinstance(value.__self__, types.ModuleType | None))


class ProgramEnded(BaseException):
    """The program's process ended, or sent what is not an answer, during a request (``except Exception`` in the
    tests does not catch it, and the run fails even where a bare ``except`` does)."""


class _Unsendable(BaseException):
    """The tests passed the program a value that cannot reach its process."""


# --------------------------------------------------------------------------- the program's values, seen by the tests


class Opaque:
    """A value in the program's process that is not plain data, as the tests see it (a handle to it).

    It forwards calls, attribute reads, indexing, iteration, ``len`` and truth tests to the program's process, and
    the results cross the same boundary. It refuses comparisons, ``in``, arithmetic and conversions to numbers with
    ``NotPlainData``. ``is`` and hashing use the proxy's identity (one proxy per object of the program).
    """

    __slots__ = ("_program", "_handle", "_type")

    def __init__(self, program, handle, type_name):
        self._program, self._handle, self._type = program, handle, type_name

    def __call__(self, *args, **kwargs):
        return self._program.call(self._handle, args, kwargs)

    def __getattr__(self, name):
        return self._program.value("getattr", self._handle, name)

    def __getitem__(self, key):
        return self._program.value("getitem", self._handle, key)

    def __iter__(self):
        return self._program.value("iter", self._handle)

    def __next__(self):
        return self._program.value("next", self._handle)

    def __len__(self):
        return self._program.checked("len", self._handle, int)

    def __bool__(self):
        return self._program.checked("bool", self._handle, bool)

    def __repr__(self):
        return f"<{self._type} from the program>"

    __str__ = __repr__
    __hash__ = object.__hash__


def _refusal(operation):
    def refuse(self, *args):
        raise NotPlainData(
            f"the tests use {operation} on a value of type {self._type} returned by the program; only plain data "
            "(numbers, strings, bytes, None and lists, tuples, dicts, sets of them) is compared or computed with"
        )

    return refuse


_REFUSED_OPERATIONS = {
    "__eq__": "==", "__ne__": "!=", "__lt__": "<", "__le__": "<=", "__gt__": ">", "__ge__": ">=", "__contains__": "in",
    "__float__": "float()", "__int__": "int()", "__index__": "an integer conversion", "__complex__": "complex()",
    "__round__": "round()", "__trunc__": "math.trunc()", "__floor__": "math.floor()", "__ceil__": "math.ceil()",
    "__neg__": "unary -", "__pos__": "unary +", "__abs__": "abs()", "__invert__": "~",
}
for _op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "divmod", "matmul", "and", "or", "xor", "lshift", "rshift"):
    _REFUSED_OPERATIONS[f"__{_op}__"] = _REFUSED_OPERATIONS[f"__r{_op}__"] = f"arithmetic ({_op})"
for _name, _what in _REFUSED_OPERATIONS.items():
    setattr(Opaque, _name, _refusal(_what))


# --------------------------------------------------------------------------- the program's process


class Program:
    """The judge's end of the two pipes to the program's process (made by ``start``)."""

    def __init__(self, pid, rfd, wfd):
        self.pid, self.rfd, self.wfd = pid, rfd, wfd
        self.proxies = {}
        self.functions, self._numbers = [], {}
        self.ended = None  # why the exchange ended early: the tests' outcome no longer counts
        self.status = None  # the program process's wait status, once it was reaped
        self.unsendable = None
        self.stopped = False

    @classmethod
    def start(cls, code, path):
        """Fork the program's process (``_sandbox_program.serve``): it imports ``code`` (written at ``path``)."""
        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            _program_side.serve(code, path, to_r, from_w)  # never returns
        os.close(to_r)
        os.close(from_w)
        return cls(pid, from_r, to_w)

    def to_program(self, value, depth=0):
        """The tests' ``value`` as JSON for the program's process (``_sandbox_program.encode``'s forms for exact builtin
        types, ``["h", n]`` for a proxy, ``["F", n]`` for a function of the tests, else ``["p", pickle]``)."""
        t = type(value)
        if t is str or t is bool or t is float or value is None:
            return value
        if t is int:
            return value if -_SMALL_INT < value < _SMALL_INT else ["i", int.__format__(value, "x")]
        if t is Opaque and value._program is self:
            return ["h", value._handle]
        if depth < _program_side.MAX_DEPTH:
            d = depth + 1
            if t is list or t is tuple or t is set or t is frozenset:
                return [_CONTAINER_TAGS[t], [self.to_program(v, d) for v in value]]
            if t is dict:
                flat = []
                for k, v in value.items():
                    flat += (self.to_program(k, d), self.to_program(v, d))
                return ["d", flat]
        if t is bytes:
            return ["b", value.hex()]
        if t is complex:
            return ["c", value.real, value.imag]
        if _is_function(value):
            return ["F", self.function_number(value)]
        return ["p", self._pickled(value)]

    def _pickled(self, value):
        """A value plain data cannot say (a ``Fraction``, a ``namedtuple``), pickled here for the program's process to
        unpickle, proxies and the tests' functions inside it by number; what does not pickle cannot cross."""
        import pickle

        program = self

        class ToProgram(pickle.Pickler):
            def persistent_id(self, obj):
                if type(obj) is Opaque and obj._program is program:
                    return ("h", obj._handle)
                return ("F", program.function_number(obj)) if _is_function(obj) else None

        buffer = io.BytesIO()
        try:
            ToProgram(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
        except Exception as e:
            name = _program_side.type_name(value)
            self.unsendable = f"the tests pass the program a {name}, which cannot reach its process ({type(e).__name__}: {e})"
            raise _Unsendable(self.unsendable) from None
        return buffer.getvalue().hex()

    def function_number(self, function):
        n = self._numbers.get(id(function))
        if n is None:
            n = self._numbers[id(function)] = len(self.functions)
            self.functions.append(function)
        return n

    # ----- requests

    def import_failure(self):
        """Wait for the program's import: ``None`` when it worked, else why it failed."""
        reply = self._receive()
        if reply == ["r"]:
            return None
        if reply[0] == "c" and len(reply) == 2 and type(reply[1]) is str:
            return reply[1][:500]
        if reply[0] == "x":
            return f"{exception_text(self._exception(reply))} while importing the program"
        self._end("the program's process sent what is not an answer")

    def names(self):
        names = self._answer(["q", "names"], "names")[1]
        if type(names) is not list or not all(type(n) is str for n in names):
            self._end("the program's process sent what is not an answer")
        return names

    def globals(self, names):
        """``{name: value}`` for the program's globals among ``names``: proxies, plain data, or, for a standard module,
        the judge's own (a module of the program's is left out: the tests get no module the judge did not import)."""
        found = {}
        for entry in self._answer(["q", "get", list(names)], "get")[1]:
            try:
                name, kind, value = entry
                assert type(name) is str and kind in ("m", "v")
            except (ValueError, TypeError, AssertionError):
                self._end("the program's process sent what is not an answer")
            if kind == "v":
                found[name] = self.decode(value)
            elif type(value) is str and value.partition(".")[0] in _stdlib_names and not value.startswith("_"):
                try:  # the judge's own standard module of that name (never one the program wrote or changed)
                    found[name] = importlib.import_module(value)
                except Exception:
                    pass
        return found

    def call(self, handle, args, kwargs):
        synced = [i for i, a in enumerate(args) if type(a) in _MUTABLE] + [k for k, v in kwargs.items() if type(v) in _MUTABLE]
        sent = [self.to_program(a) for a in args], [[k, self.to_program(v)] for k, v in kwargs.items()]
        reply = self._answer(["q", "call", handle, *sent, synced], "call")
        if len(reply) != 3 or type(reply[2]) is not list or len(reply[2]) != len(synced):
            self._end("the program's process sent what is not an answer")
        result = self.decode(reply[1])
        for key, changed in zip(synced, reply[2], strict=True):
            if changed is not None:
                _refill(args[key] if type(key) is int else kwargs[key], self.decode(changed), self)
        return result

    def value(self, op, handle, *operands):
        return self.decode(self._answer(["q", op, handle, *[self.to_program(v) for v in operands]], op)[1])

    def checked(self, op, handle, kind):
        value = self._answer(["q", op, handle], op)[1]
        if type(value) is not kind or (kind is int and not 0 <= value < sys.maxsize):
            self._end(f"the program's process answered {op}() with what is not a {kind.__name__}")
        return value

    def _answer(self, message, op):
        reply = self._exchange(message)
        if reply[0] == "r" and len(reply) >= 2:
            return reply
        if reply[0] == "x":
            raise self._exception(reply)
        if reply == ["s"] and op == "next":
            raise StopIteration
        self._end("the program's process sent what is not an answer")

    def _exchange(self, message):
        """Send ``message``; the reply, after answering the program's calls to the tests' functions meanwhile."""
        if self.ended is not None:
            raise ProgramEnded(self.ended)
        self._send(message)
        while True:
            reply = self._receive()
            if reply[0] != "q":
                return reply
            self._call_back(reply)

    def _send(self, message):
        try:
            _program_side.send_message(self.wfd, json.dumps(message).encode("ascii"))
        except OSError:
            self._end("the program's process stopped reading")

    def _receive(self):
        data = _program_side.receive_message(self.rfd, MAX_MESSAGE)
        if data is None:
            self._end("the program's process ended during the tests", wait=True)
        try:
            reply = json.loads(data)
        except (ValueError, RecursionError, MemoryError):
            reply = None
        if type(reply) is not list or not reply or reply[0] not in ("r", "x", "s", "c", "q"):
            self._end("the program's process sent what is not an answer")
        return reply

    def _call_back(self, request):
        """The program calls a function the tests passed it: run it here, send the result (or the exception) back."""
        try:
            _, number, args, kwargs = request
            assert type(number) is int and 0 <= number < len(self.functions) and type(args) is list and type(kwargs) is list
            function = self.functions[number]
            args = [self.decode(a) for a in args]
            kwargs = {k: self.decode(v) for k, v in kwargs if type(k) is str}
        except (ValueError, TypeError, AssertionError):
            self._end("the program's process sent what is not an answer")
        try:
            reply = ["r", self.to_program(function(*args, **kwargs))]
        except (ProgramEnded, _Unsendable):
            raise
        except BaseException as e:
            base = next(c for c in type(e).__mro__ if _EXCEPTIONS.get(c.__name__) is c)
            reply = ["x", base.__name__ if base is not StopIteration else "RuntimeError", exception_text(e)]
        self._send(reply)

    # ----- what comes back

    def decode(self, data, depth=0):
        """Builtin values and proxies from the program's JSON (``_sandbox_program.encode``); anything else ends it."""
        t = type(data)
        if t is str or t is bool or t is int or t is float or data is None:
            return data
        try:
            if t is not list or depth > MAX_DECODE_DEPTH:
                raise ValueError("not a value")
            tag, d = data[0], depth + 1
            if tag == "h":
                _, number, name = data
                if type(number) is not int or number < 0 or type(name) is not str:
                    raise ValueError("not a handle")
                proxy = self.proxies.get(number)
                if proxy is None:
                    proxy = self.proxies[number] = Opaque(self, number, name[:200])
                return proxy
            if tag == "i":
                return int(_text(data[1]), 16)
            if tag == "b":
                return bytes.fromhex(_text(data[1]))
            if tag == "c":
                return complex(_number(data[1]), _number(data[2]))
            items = data[1]
            if type(items) is not list:
                raise ValueError("not a container")
            if tag == "l":
                return [self.decode(v, d) for v in items]
            if tag == "t":
                return tuple([self.decode(v, d) for v in items])
            if tag == "s":
                return {self.decode(v, d) for v in items}
            if tag == "f":
                return frozenset([self.decode(v, d) for v in items])
            if tag == "d" and len(items) % 2 == 0:
                return {self.decode(items[i], d): self.decode(items[i + 1], d) for i in range(0, len(items), 2)}
            raise ValueError("not a value")
        except (ValueError, TypeError, IndexError, OverflowError, RecursionError):
            self._end("the program's process sent what is not a value")

    def _exception(self, reply):
        """The exception to raise in the tests for ``["x", builtin base, class name, args, traceback]``."""
        try:
            _, base, name, args, text = reply
            cls = _EXCEPTIONS.get(base) if type(base) is str else None
            values = [self.decode(a) for a in args] if type(args) is list else None
            assert type(name) is str and type(text) is str and values is not None
            assert all(type(v) in _ATOM_TYPES for v in values)
        except (ValueError, TypeError, AssertionError):
            self._end("the program's process sent what is not an answer")
        if cls is None or issubclass(cls, (StopIteration, StopAsyncIteration)):
            cls = RuntimeError
        try:
            exc = cls(*values)
        except Exception:
            exc = Exception(*values)
        exc._program_class = name[:200]
        if text:
            exc.add_note("the program's traceback (in its own process):\n" + text[-_program_side.MAX_TRACEBACK :].rstrip())
        return exc

    # ----- the end

    def _end(self, why, *, wait=False):
        """The exchange is over: note why, reap (``wait``: the process is ending; else kill it), raise ``ProgramEnded``."""
        if self.ended is None:
            self.ended = why
            for _ in range(1000 if wait and self.pid > 0 else 0):  # its exit closed the pipe; a zombie a moment later
                try:
                    pid, status = os.waitpid(self.pid, os.WNOHANG)
                except ChildProcessError:
                    break
                if pid == self.pid:
                    self.status = status
                    break
                time.sleep(0.002)
            self.stop()  # still running (it closed the pipe itself, or broke the protocol): killed, no status kept
        raise ProgramEnded(why)

    def stop(self):
        """Kill the program's process (its descendants die with the run) and reap it, unless it was reaped."""
        if self.status is None and not self.stopped and self.pid > 0:
            self.stopped = True
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass


def _text(value):
    if type(value) is not str:
        raise ValueError("not text")
    return value


def _number(value):
    if type(value) not in (int, float):
        raise ValueError("not a number")
    return value


def _refill(container, new, program):
    """Give the tests' list, dict or set the contents the program left in its copy."""
    if type(new) is not type(container):
        program._end("the program's process sent what is not an answer")
    if type(container) is list:
        container[:] = new
    else:
        container.clear()
        container.update(new)


def exception_text(exc):
    """``Type: message`` (the program's class name for its exceptions; only plain string and number arguments)."""
    name = getattr(exc, "_program_class", None) or type(exc).__name__
    args = exc.args if isinstance(getattr(exc, "args", None), tuple) else ()
    shown = [repr(a) if type(a) is str and len(args) > 1 else str(a) for a in args if type(a) in _ATOM_TYPES]
    text = ", ".join(shown)
    return f"{name}: {text}" if text else name
