"""Errors the user can act on. The CLI turns each into a message and its exit code.

Exit codes of every command: 0 success; 1 an error the user can act on (``JudgebenchError``); 2 bad input
(``InputError``: file, line and field named, nothing written); 3 a run that finished with failed judgments (more
than ``--max-failure-rate`` of them; ``EXIT_FAILED_JUDGMENTS``); 4 a run stopped early by an error no retry can fix
(``RunAborted``: bad key, unknown model or endpoint, unreachable server); 130 interrupted.
"""

from __future__ import annotations

from pathlib import Path


class JudgebenchError(Exception):
    """Base class for errors that the CLI reports without a traceback."""

    exit_code = 1


class InputError(JudgebenchError):
    """Bad user input: a file, line and field that are wrong, and what was expected."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None, field: str | None = None):
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        self.reason = message
        if self.path is None and line is None and field is not None and field.startswith("-"):
            super().__init__(f"{field}: {message}")  # a command-line option, not a place in a file
            return
        where = []  # "file:line", "file" or "line N", then "field 'x'": only what is known, never a made-up file
        if self.path is not None:
            where.append(self.path if line is None else f"{self.path}:{line}")
        elif line is not None:
            where.append(f"line {line}")
        if field is not None:
            where.append(f"field {field!r}")
        super().__init__(": ".join([*where, message]))


def install_command(extra: str) -> str:
    """The command that adds an optional extra to this installation. judgebench is not on a package index: from a
    checkout (the usual install, ``pip install -e .``) it is ``pip install -e '<checkout>[extra]'``; from a built
    wheel, the wheel's path with ``[extra]``."""
    from pathlib import Path

    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file():
        return f"pip install -e '{checkout}[{extra}]'"
    return f"pip install '/path/to/judgebench-<version>-py3-none-any.whl[{extra}]' (the wheel you installed judgebench from)"


class MissingDependencyError(JudgebenchError):
    """An optional extra is needed; the message names the install command (:func:`install_command`)."""

    def __init__(self, package: str, extra: str, feature: str):
        super().__init__(f"{feature} needs {package} (not installed), from judgebench's optional extra [{extra}]: {install_command(extra)}")


EXIT_FAILED_JUDGMENTS = 3
"""Exit code of a run that finished but has failed judgments (more than ``--max-failure-rate`` of them)."""


class RunAborted(JudgebenchError):
    """A run stopped early: calls kept failing in a way no retry can fix (a bad key, an unknown model or endpoint,
    a host that does not resolve, a server that refuses every connection). What was judged is kept in the
    partial file, so the same command resumes once the cause is fixed."""

    exit_code = 4
