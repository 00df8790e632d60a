"""The trusted side of a function-style grading run: HumanEval's ``check(candidate)`` or MBPP's ``assert`` lines.

``_sandbox_boot`` loads this file in the program's process, after the resource limits, the uid drop and the
containment hooks, into a module of its own with a private copy of ``builtins`` (so a program that rebinds
``builtins.len`` changes nothing here), and calls ``run``, which never returns. ``run``:

1. compiles the tests and the problem's helper code (HumanEval's prompt, which defines ``poly`` or
   ``encode_cyclic`` for its check) and prepares the tests' namespace: builtins and the standard modules the tests
   name are copies taken now, before the program runs, so rebinding ``math.isclose`` or ``abs`` changes nothing the
   tests use, and the helpers come from the prompt, not from the program (a program that redefines
   ``encode_cyclic`` as the identity does not turn HumanEval/38 into ``decode(s) == s``);
2. refuses from then on what would let the program reach into this process: ``sys.settrace``/``sys.setprofile``
   (a trace function can jump over asserts), ``sys._current_frames`` and ``gc``'s object lists, ``ctypes`` and
   ``/proc/<pid>`` (reading this process's memory);
3. imports the program as the module ``solution``, not ``__main__``: its ``if __name__ == "__main__":`` block never
   runs, so neither ``unittest.main()``, ``sys.exit(main())`` nor an ``input()``/``sys.argv`` demo decides anything;
   any exception while importing, ``SystemExit`` included, is a failure;
4. runs the tests. Every value the program hands to them passes through ``from_program``: plain data (numbers,
   strings, bytes, ``None`` and lists, tuples, dicts, sets of them) is copied out with the builtin types' own C
   methods, so a subclass's ``__eq__``/``__iter__`` never runs; anything else reaches the tests as ``Opaque``, which
   can be called, iterated, indexed, sized and truth-tested (the results cross the same boundary) but refuses to be
   compared or computed with: an object whose ``__eq__`` is always true, or whose ``__sub__`` returns ``0.0``, fails;
5. writes ``PASS <nonce>`` to the verdict pipe only after the last test returned, and ends the process at once
   (no ``atexit`` handler, finalizer or thread of the program runs after the verdict). The nonce reached this
   process through a pipe that was read and closed before the program started; the harness in the parent
   accepts a pass only with it, so neither exit code 0 (``os._exit(0)`` before the tests, or from an ``atexit``
   handler, excepthook or thread after a failed one) nor text the program writes can pass.

What this does not close: the program runs in the same interpreter as the tests, so one that walks
``frame.f_back`` into the harness (CPython audits ``sys._getframe``, ``tb_frame`` and ``gi_frame`` but not
``f_back``, ``f_locals`` or ``f_globals``) can read or rebind the harness's state, the nonce included, and one that
rewrites the internals of a standard module (``random.Random.randint``) changes what the tests compute. Refusing
``sys._getframe`` to the program is not enough and breaks it: ``collections.namedtuple``, ``typing`` and
``logging`` call it on the program's behalf, and the program gets a frame with the harness above it in other
ways too (a signal handler runs on top of whatever frame the main thread is in; a ``__del__`` or a metaclass
property the harness triggers runs on top of the harness's frames). Closing it needs the tests in a process the
program does not share. openai/human-eval and LiveCodeBench run tests in-process too, with less of the above.

Only the standard library is used, and nothing from ``judgebench`` (this file runs outside the package).
"""

import ast
import builtins
import importlib
import os
import sys
import traceback
import types

# Bound now, before the program runs: the program may rebind the modules' attributes, not these references.
_write = os.write
_exit = os._exit
_realpath = os.path.realpath
_fsdecode = os.fsdecode
_fspath = os.fspath
_add_audit_hook = sys.addaudithook
_print_exception = traceback.print_exception
_ModuleType = types.ModuleType
_stdlib_names = frozenset(getattr(sys, "stdlib_module_names", ()))
_flushes = tuple(s.flush for s in (sys.stdout, sys.stderr) if s is not None)
_pristine_builtins = dict(builtins.__dict__)

TESTS_FILE = "<tests>"
HELPERS_FILE = "<prompt>"
MAX_DEPTH = 100
_HEAPTYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: set on every class written in Python, never on a C type
_ATOMS = frozenset(id(t) for t in (bool, int, float, complex, str, bytes, type(None)))
_DICT_VIEWS = frozenset((id(type({}.keys())), id(type({}.items()))))
REFUSED_EVENTS = {
    "sys.settrace": "a trace function (it can jump over the tests' asserts)",
    "sys.setprofile": "a profile function",
    "sys._current_frames": "reading other threads' frames",
    "gc.get_objects": "listing the interpreter's objects",
    "gc.get_referrers": "listing the interpreter's objects",
    "gc.get_referents": "listing the interpreter's objects",
    "sys.monitoring.register_callback": "a monitoring callback",
}


class NotPlainData(Exception):
    """The tests tried to compare or compute with a value from the program that is not plain data."""


class _NotPlain(Exception):
    pass


class _Failure(Exception):
    """The program failed: the message is the verdict's reason."""


def _type_name(value):
    name = type(value).__name__
    return str.__str__(name) if issubclass(type(name), str) else "object"


# --------------------------------------------------------------------------- values crossing from the program


def plain(value, depth=0):
    """``value`` as plain data built from the builtin types' own storage, or raise ``_NotPlain``.

    Exact ``bool``/``int``/``float``/``complex``/``str``/``bytes``/``None`` are returned as they are; lists,
    tuples, dicts, sets, frozensets (and ``dict.keys()``/``dict.items()`` views, as sets) are rebuilt from their
    elements; a subclass of any of these becomes the builtin value it holds (``int.__int__``, ``list.__iter__``
    and ``dict.items`` read the object's storage without calling its methods); numpy scalars (C types, never
    written in Python) become their ``item()``. Deeper than ``MAX_DEPTH`` levels is not plain.
    """
    t = type(value)
    if id(t) in _ATOMS:
        return value
    if depth >= MAX_DEPTH:
        raise _NotPlain(f"nested deeper than {MAX_DEPTH} levels")
    d = depth + 1
    if issubclass(t, list):
        return [plain(v, d) for v in list.__iter__(value)]
    if issubclass(t, tuple):
        return tuple([plain(v, d) for v in tuple.__iter__(value)])
    if issubclass(t, dict):
        return {plain(k, d): plain(v, d) for k, v in dict.items(value)}
    if issubclass(t, frozenset):
        return frozenset([plain(v, d) for v in frozenset.__iter__(value)])
    if issubclass(t, set):
        return {plain(v, d) for v in set.__iter__(value)}
    if id(t) in _DICT_VIEWS:
        return {plain(v, d) for v in value}
    if issubclass(t, int):
        return int.__int__(value)
    if issubclass(t, float):
        return float.__float__(value)
    if issubclass(t, str):
        return str.__str__(value)
    if issubclass(t, bytes):
        return bytes.__bytes__(value)
    if issubclass(t, complex):
        return complex.__complex__(value)
    if type(t) is type and not t.__flags__ & _HEAPTYPE and t.__module__ == "numpy" and t.__name__ != "ndarray":
        item = getattr(t, "item", None)
        if item is not None:
            return plain(item(value), d)
    raise _NotPlain(_type_name(value))


def is_plain(value, depth=0):
    """Whether ``value`` is already plain data of exact builtin types (no copy needed)."""
    t = type(value)
    if id(t) in _ATOMS:
        return True
    if depth >= MAX_DEPTH:
        return False
    if t is list or t is tuple or t is set or t is frozenset:
        return all(is_plain(v, depth + 1) for v in value)
    if t is dict:
        return all(is_plain(k, depth + 1) and is_plain(v, depth + 1) for k, v in value.items())
    return False


def from_program(value):
    """What the tests see of a value the program produced: plain data, or an ``Opaque`` around it."""
    if type(value) is Opaque:
        return value
    try:
        return plain(value)
    except _NotPlain:
        return Opaque(value)


def to_program(value, depth=0):
    """A test's value as the program receives it: ``Opaque`` unwrapped, also inside the tests' containers."""
    t = type(value)
    if t is Opaque:
        return value._value
    if depth >= MAX_DEPTH:
        return value
    if t is list or t is tuple or t is set or t is frozenset:
        items = [to_program(v, depth + 1) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else t(items)
    if t is dict:
        pairs = [(to_program(k, depth + 1), to_program(v, depth + 1)) for k, v in value.items()]
        return value if all(a is k and b is v for (a, b), (k, v) in zip(pairs, value.items(), strict=True)) else dict(pairs)
    return value


def _is_mutable_container(value):
    t = type(value)
    return t is list or t is dict or t is set


def _clean_in_place(value):
    """An argument the program may have filled with its own objects: put them behind ``from_program`` in place."""
    t = type(value)
    if t is list:
        value[:] = [from_program(v) for v in list.__iter__(value)]
    elif t is dict:
        pairs = [(from_program(k), from_program(v)) for k, v in dict.items(value)]
        dict.clear(value)
        dict.update(value, pairs)
    elif t is set:
        items = [from_program(v) for v in set.__iter__(value)]
        set.clear(value)
        set.update(value, items)


def call_program(function, args, kwargs):
    """Call the program's ``function`` for the tests: arguments unwrapped, the result through ``from_program``.

    A ``StopIteration`` from the program becomes a ``RuntimeError`` (inside ``map`` or ``zip`` it would silently end
    the tests' loop). A list, dict or set argument that was plain before the call and holds the program's objects
    after it is cleaned in place, so a test that checks an argument the program mutated compares plain data.
    """
    passed = tuple([to_program(a) for a in args])
    passed_kw = {k: to_program(v) for k, v in kwargs.items()}
    pairs = [*zip(args, passed, strict=True), *((v, passed_kw[k]) for k, v in kwargs.items())]
    mutable = [a for a, p in pairs if a is p and _is_mutable_container(a) and is_plain(a)]
    try:
        result = function(*passed, **passed_kw)
    except StopIteration:
        raise RuntimeError("the program raised StopIteration out of a call") from None
    for arg in mutable:
        if not is_plain(arg):
            _clean_in_place(arg)
    return from_program(result)


class Opaque:
    """A value from the program that is not plain data, as the tests see it.

    It forwards calls, attribute reads, indexing, iteration, ``len`` and truth tests to the value, and the results
    cross the same boundary (``from_program``). It refuses comparisons, ``in``, arithmetic and conversions to
    numbers with ``NotPlainData``: those would run the program's own ``__eq__``, ``__contains__`` or ``__sub__``,
    which can say "equal" to anything. ``is`` and hashing use the wrapper's identity.
    """

    __slots__ = ("_value",)

    def __init__(self, value):
        self._value = value

    def __call__(self, *args, **kwargs):
        return call_program(self._value, args, kwargs)

    def __getattr__(self, name):
        return from_program(getattr(self._value, name))

    def __getitem__(self, key):
        return from_program(self._value[to_program(key)])

    def __iter__(self):
        return (from_program(v) for v in self._value)

    def __next__(self):
        return from_program(next(self._value))

    def __len__(self):
        return len(self._value)

    def __bool__(self):
        return bool(self._value)

    def __repr__(self):
        return f"<{_type_name(self._value)} from the program>"

    __str__ = __repr__
    __hash__ = object.__hash__


def _refusal(operation):
    def refuse(self, *args):
        raise NotPlainData(
            f"the tests use {operation} on a value of type {_type_name(self._value)} returned by the program; only plain data "
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


# --------------------------------------------------------------------------- the tests' namespace


def _names(tree):
    """``(modules imported, names read, names bound)`` anywhere in ``tree``."""
    imported, read, bound = set(), set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(a.name for a in node.names)
            bound.update((a.asname or a.name).partition(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                imported.add(node.module)
            bound.update(a.asname or a.name for a in node.names)
        elif isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
    return imported, read, bound


def _module_copies(names):
    """Copies (new module objects, same attributes) of the named modules and their parent packages, taken now."""
    for name in sorted(names):
        try:
            importlib.import_module(name)
        except Exception:  # a test that imports a missing module fails when it runs
            pass
    wanted = {".".join(n.split(".")[: i + 1]) for n in names for i in range(n.count(".") + 1)}
    copies = {}
    for name in sorted(wanted, key=lambda n: n.count(".")):
        module = sys.modules.get(name)
        if type(module) is _ModuleType:
            copy = _ModuleType(name)
            copy.__dict__.update(module.__dict__)
            copies[name] = copy
            parent, _, child = name.rpartition(".")
            if parent in copies:
                setattr(copies[parent], child, copy)
    return copies


def _importer(copies, real_import):
    def import_(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0:
            found = copies.get(name if fromlist else name.partition(".")[0])
            if found is not None:
                return found
        return real_import(name, globals, locals, fromlist, level)

    return import_


def _namespace_of_program(module, builtins_, entry_point):
    """The tests' namespace when they call the program's functions by name (MBPP): the program's globals behind
    ``from_program``, except names that would shadow a builtin the tests use (``abs = lambda x: 0``)."""
    ns = {"__name__": "tests", "__builtins__": builtins_}
    for name, value in list(dict.items(module.__dict__)):
        if type(name) is not str or name.startswith("__") or (name in builtins_ and name != entry_point):
            continue
        ns[name] = value if type(value) is _ModuleType else from_program(value)
    return ns


# --------------------------------------------------------------------------- refusals


def _install_refusals():
    refused = dict(REFUSED_EVENTS)

    def on_proc(path):
        if isinstance(path, int):
            return False
        try:
            text = _fsdecode(_fspath(path))
            real = _realpath(text)
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
    _add_audit_hook(hook)


# --------------------------------------------------------------------------- failures


def _exception_text(exc):
    """``Type: message`` without running the program's code (only plain string and number arguments are shown)."""
    name = _type_name(exc)
    try:
        args = BaseException.__dict__["args"].__get__(exc)
    except Exception:
        args = ()
    shown = [repr(a) if type(a) is str and len(args) > 1 else str(a) for a in args if id(type(a)) in _ATOMS]
    text = ", ".join(shown)
    return f"{name}: {text}" if text else name


def _test_line(exc, source):
    """``tests line N: <that line>`` for the deepest frame of the tests in the traceback, else ``""``."""
    lineno = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == TESTS_FILE:
            lineno = tb.tb_lineno
        tb = tb.tb_next
    if lineno is None:
        return ""
    lines = source.splitlines()
    text = lines[lineno - 1].strip() if 0 < lineno <= len(lines) else ""
    return f"at tests line {lineno}: {text}" if text else f"at tests line {lineno}"


def _fail(exc, where, source=""):
    try:
        _print_exception(type(exc), exc, exc.__traceback__)
    except BaseException:  # the traceback is a courtesy; the verdict is what counts
        pass
    at = _test_line(exc, source)
    return _Failure(f"{_exception_text(exc)} {at}" if at else f"{_exception_text(exc)} {where}")


# --------------------------------------------------------------------------- the run


def _run_tests(code, path, test, entry_point, helpers):
    try:
        test_tree = ast.parse(test, TESTS_FILE)
        test_code = compile(test_tree, TESTS_FILE, "exec", dont_inherit=True)
    except SyntaxError as e:
        raise _HarnessError(f"the tests do not compile: {e}") from None
    helpers_code = None
    helpers_tree = ast.Module(body=[], type_ignores=[])
    if helpers:
        try:
            helpers_tree = ast.parse(helpers, HELPERS_FILE)
            helpers_code = compile(helpers_tree, HELPERS_FILE, "exec", dont_inherit=True)
        except SyntaxError:
            helpers_code = None  # a prompt that is not a complete module: the tests see the program's names
    check_mode = bool(entry_point) and any(isinstance(n, ast.FunctionDef) and n.name == "check" for n in test_tree.body)
    imported, read, bound = _names(test_tree)
    h_imported, h_read, h_bound = _names(helpers_tree)
    bare_modules = (read | h_read) - bound - h_bound - set(_pristine_builtins)
    bare_modules &= _stdlib_names
    copies = _module_copies(imported | h_imported | bare_modules)
    builtins_ = dict(_pristine_builtins)
    builtins_["__import__"] = _importer(copies, _pristine_builtins["__import__"])
    try:
        program = compile(code, path, "exec", dont_inherit=True)
    except SyntaxError as e:
        raise _Failure(f"SyntaxError: {e.msg} (program line {e.lineno})") from None
    ns = None
    if check_mode and helpers_code is not None:
        ns = {"__name__": "tests", "__builtins__": builtins_}
        try:
            exec(helpers_code, ns)
        except Exception:
            ns = None

    _install_refusals()
    module = _ModuleType("solution")
    module.__file__ = path
    module.__dict__["__builtins__"] = builtins  # the real module: the program's own, never the tests' copy
    sys.modules["solution"] = module
    try:
        exec(program, module.__dict__)
    except BaseException as e:  # SystemExit and KeyboardInterrupt included
        raise _fail(e, "while importing the program") from None

    if ns is None:
        ns = _namespace_of_program(module, builtins_, entry_point)
    for name in bare_modules:
        if name in copies and (name not in ns or type(ns[name]) is _ModuleType):
            ns[name] = copies[name]
    try:
        if check_mode:
            entry = dict.get(module.__dict__, entry_point)
            if entry is None:
                raise _Failure(f"the program does not define {entry_point}()")
            candidate = ns[entry_point] = from_program(entry)  # HumanEval/33's check also calls it by name
            exec(test_code, ns)
            ns["check"](candidate)
        else:
            exec(test_code, ns)
    except _Failure:
        raise
    except BaseException as e:
        raise _fail(e, "in the tests", test) from None


class _HarnessError(Exception):
    """The tests themselves could not run (not the program's fault)."""


def _line(kind, text):
    return f"{kind} {' '.join(str(text).split())[:500]}\n".encode("utf-8", "replace")


def run(code, path, test, entry_point, helpers, nonce, verdict_fd):
    """Run the tests against ``code`` (written at ``path``), write the verdict to ``verdict_fd`` and exit.

    Writes ``PASS <nonce>`` and exits 0 only when every test ran to its end; else ``FAIL <reason>`` (the program
    failed) or ``ERROR <reason>`` (the tests could not run) and exits 1.
    """
    token = b"PASS " + nonce.encode("ascii") + b"\n"
    try:
        _run_tests(code, path, test, entry_point, helpers)
    except _Failure as f:
        report = _line("FAIL", f)
    except _HarnessError as e:
        report = _line("ERROR", e)
    except BaseException as e:  # e.g. MemoryError while building the namespace
        report = _line("FAIL", _exception_text(e))
    else:
        _write(verdict_fd, token)
        report = b""
    for flush in _flushes:
        try:
            flush()
        except BaseException:
            pass
    if report:
        _write(verdict_fd, report)
        _exit(1)
    _exit(0)
