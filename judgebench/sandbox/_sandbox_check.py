"""The trusted side of a function-style grading run (the judge): HumanEval's ``check(candidate)`` or MBPP's asserts.

``_sandbox_boot`` loads this file, ``_sandbox_proxies`` and ``_sandbox_program`` in the run's contained process
(after the resource limits, the uid drop and the containment hooks), makes that process not dumpable, and calls
``run``, which never returns. ``run``:

1. forks the program's process (``_sandbox_program.serve``) before it learns anything secret. The tests and the
   run's nonce come on their own descriptor, read here only after the fork, so they were never in the memory of
   the process that runs the program; that process closes every descriptor but stdin, stdout, stderr and its two
   pipes (the verdict pipe and the tests' descriptor included) before the program's first line runs, then
   imports the program as the module ``solution`` (its ``if __name__ == "__main__":`` block never runs);
2. compiles and runs the tests, and the problem's helper code (HumanEval's prompt: ``poly``, ``encode_cyclic``),
   here, in a process that never runs the program's code: the program cannot rebind ``abs``, ``math.isclose`` or
   a helper the tests use, trace or jump over their asserts, or walk frames into them;
3. gives the tests proxies of the program's values (``Opaque``, in ``_sandbox_proxies``). Calling one sends the
   arguments (JSON: plain data, proxies by handle, the tests' functions by number, anything else pickled here
   and unpickled there) and the program's process calls the program and answers with plain data, copied there
   with the builtin types' own methods and decoded here from JSON into builtin types, or a handle for anything
   else: nothing the program sends runs its code here, and nothing is unpickled here. An ``Opaque`` can be
   called, iterated, indexed, sized, truth-tested and have its attributes read (each a request whose result
   crosses the same way), and refuses comparisons, ``in``, arithmetic and conversions to numbers with
   ``NotPlainData``: those would run the program's ``__eq__`` or ``__sub__``, which can say "equal" to anything.
   An exception in the program arrives as its nearest builtin class (the tests can catch ``ValueError``) with
   its plain arguments and the program's traceback as a note, a ``StopIteration`` out of a call as a
   ``RuntimeError`` (in ``map`` it would end the tests' loop); a list, dict or set argument the program changed
   during the call is changed here too, item by item through the same boundary. MBPP's asserts name the
   program's functions: each global of the program the tests read is given to them as a proxy or, plain data,
   as a copy (a module: the judge's own, for standard modules), except names that would shadow a builtin
   (``abs = lambda x: 0``);
4. writes ``PASS <nonce>`` to the verdict pipe only after the last test returned and the program's process was
   killed, and ends at once. When the program's process ends during the tests (``os._exit(0)`` in a thread, the
   CPU limit, the memory cgroup) or sends what is not an answer, the run ends the way that process did (its
   exit code or signal) or fails, with no verdict, whatever the tests catch: neither exit code 0 nor text the
   program writes can pass; the harness in the parent accepts a pass only with the nonce.

Why two processes: in one interpreter the program can walk ``frame.f_back`` (from ``sys._getframe``, a traceback,
a generator, a signal handler, a ``gc`` callback or a ``__del__`` the harness triggers) into the harness, read the
nonce and the verdict descriptor and forge the verdict, and refusing ``sys._getframe`` breaks ``namedtuple``,
``typing`` and ``logging``. Here the program's process holds no secret and nothing that reaches the verdict pipe,
and the kernel keeps it out of this one: this process is not dumpable (``PR_SET_DUMPABLE`` 0), so a process of
the same uid without ``CAP_SYS_PTRACE`` cannot open its ``/proc/<pid>/mem``, ``fd/*`` or ``environ``, and seccomp
refuses ``ptrace``, ``process_vm_*`` and ``pidfd_getfd`` in both modes. A signal from the program ends this
process (``SIGINT`` too: it never raises in the tests).

What this does not close: the program can still kill or stop this process (the run fails or times out) and spend
the run's memory and time; the verdict is only as good as the tests (one that catches every exception passes a
program that raises). What the tests cannot do any more: pass the program a value that does not pickle (a class
of their own, an open generator: such a run is an error, no verdict), see a change the program makes to an
argument after the call returned, or reach a global of the program by a name they do not read (``globals()``,
``eval``). A program's object that is not plain data cannot be compared (a miss on the safe side). In the weak
mode, a program that got around the audit hook and wrote into the Python installation would reach what this
process imports after the fork (the tests' imports). openai/human-eval and LiveCodeBench run the tests in the
program's interpreter.

Only the standard library is used, and nothing from ``judgebench`` (this file runs outside the package).
"""

import ast
import builtins
import importlib
import json
import os
import signal
import sys
import traceback
import types

if __package__:
    from ._sandbox_proxies import Program, exception_text
else:  # loaded by _sandbox_boot, which put its siblings in sys.modules
    from _sandbox_proxies import Program, exception_text  # type: ignore[import-not-found, no-redef]

TESTS_FILE = "<tests>"
HELPERS_FILE = "<prompt>"
_stdlib_names = frozenset(getattr(sys, "stdlib_module_names", ()))
_flushes = tuple(s.flush for s in (sys.stdout, sys.stderr) if s is not None)


class _Failure(Exception):
    """The program failed: the message is the verdict's reason."""


class _HarnessError(Exception):
    """The tests themselves could not run (not the program's fault)."""


# --------------------------------------------------------------------------- the tests' namespace


def _names(tree):
    """``(names read, names bound)`` anywhere in ``tree``."""
    read, bound = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            bound.update((a.asname or a.name).partition(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            bound.update(a.asname or a.name for a in node.names)
        elif isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
    return read, bound


def _namespace_of_program(program, read, entry_point):
    """The tests' namespace when they call the program's functions by name (MBPP): the program's globals the tests
    read, as proxies or plain data, except names that would shadow a builtin (``abs = lambda x: 0``)."""
    wanted = [n for n in program.names() if n in read and (n == entry_point or not hasattr(builtins, n))]
    return {"__name__": "tests", "__builtins__": builtins, **program.globals(wanted)}


def _bare_modules(names):
    """The standard modules among ``names``, imported (MBPP's asserts use ``math`` the program imported)."""
    found = {}
    for name in sorted(names & _stdlib_names):
        try:
            found[name] = importlib.import_module(name)
        except Exception:  # a test that uses it fails when it runs
            pass
    return found


# --------------------------------------------------------------------------- failures


def _test_line(exc, source):
    """``at tests line N: <that line>`` for the deepest frame of the tests in the traceback, else ``""``."""
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
        traceback.print_exception(type(exc), exc, exc.__traceback__)
    except BaseException:  # the traceback is a courtesy; the verdict is what counts
        pass
    at = _test_line(exc, source)
    return _Failure(f"{exception_text(exc)} {at}" if at else f"{exception_text(exc)} {where}")


# --------------------------------------------------------------------------- the run


def _run_tests(program, test, entry_point, helpers):
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
    read, bound = _names(test_tree)
    h_read, h_bound = _names(helpers_tree)
    modules = _bare_modules((read | h_read) - bound - h_bound - set(dir(builtins)))
    ns = None
    if check_mode and helpers_code is not None:
        ns = {"__name__": "tests", "__builtins__": builtins}
        try:
            exec(helpers_code, ns)
        except Exception:
            ns = None
    failure = program.import_failure()
    if failure is not None:
        raise _Failure(failure)
    if ns is None:
        ns = _namespace_of_program(program, read | {entry_point}, entry_point)
    for name, module in modules.items():
        if name not in ns or type(ns[name]) is types.ModuleType:
            ns[name] = module
    try:
        if check_mode:
            found = program.globals([entry_point])
            if entry_point not in found:
                raise _Failure(f"the program does not define {entry_point}()")
            candidate = ns[entry_point] = found[entry_point]  # HumanEval/33's check also calls it by name
            exec(test_code, ns)
            ns["check"](candidate)
        else:
            exec(test_code, ns)
    except _Failure:
        raise
    except BaseException as e:
        raise _fail(e, "in the tests", test) from None


def _read_tests(fd):
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    os.close(fd)
    return json.loads(b"".join(chunks))


def _line(kind, text):
    return f"{kind} {' '.join(str(text).split())[:500]}\n".encode("utf-8", "replace")


def _end_as(status):
    """End this process the way the program's process ended (wait ``status``): same exit code, or same signal."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            signal.signal(sig, signal.SIG_DFL)  # Python ignores SIGXFSZ and SIGPIPE
        except (OSError, ValueError):
            pass
        os.kill(os.getpid(), sig)
        os._exit(128 + sig)
    os._exit(os.waitstatus_to_exitcode(status))


def run(code, path, tests_fd, verdict_fd):
    """Fork the program's process for ``code`` (written at ``path``), read the tests from ``tests_fd``, run them,
    write the verdict to ``verdict_fd`` and exit.

    Writes ``PASS <nonce>`` and exits 0 only when every test ran to its end; else ``FAIL <reason>`` (the program
    failed) or ``ERROR <reason>`` (the tests could not run) and exits 1, or, when the program's process ended
    during the tests, ends as it did, with no verdict.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a signal from the program ends this process; it never raises in the tests
    program = Program.start(code, path)
    token = report = b""
    try:
        config = _read_tests(tests_fd)
        token = b"PASS " + config["nonce"].encode("ascii") + b"\n"
        _run_tests(program, config["test"], config["entry_point"], config["helpers"])
    except _Failure as f:
        report = _line("FAIL", f)
    except _HarnessError as e:
        report = _line("ERROR", e)
    except BaseException as e:  # ProgramEnded; MemoryError while building the namespace
        report = _line("FAIL", exception_text(e))
    program.stop()
    for flush in _flushes:
        try:
            flush()
        except BaseException:
            pass
    if program.unsendable is not None:
        report = _line("ERROR", program.unsendable)
    elif program.ended is not None:
        if program.status is not None:
            _end_as(program.status)
        report = _line("FAIL", program.ended)
    if report or not token:
        os.write(verdict_fd, report or _line("ERROR", "no tests"))
        os._exit(1)
    os.write(verdict_fd, token)
    os._exit(0)
