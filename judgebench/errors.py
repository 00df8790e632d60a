"""Errors the user can act on. The CLI turns ``InputError`` into a message and exit code 2."""

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
        where = self.path or "<input>"
        if line is not None:
            where += f":{line}"
        if field is not None:
            where += f": field {field!r}"
        super().__init__(f"{where}: {message}")


class MissingDependencyError(JudgebenchError):
    """An optional extra is needed; the message names the install command."""

    def __init__(self, package: str, extra: str, feature: str):
        super().__init__(f"{feature} needs the {package!r} package: pip install 'judgebench[{extra}]'")
