"""Atomic file writing and strict JSONL reading.

A crashed writer never leaves a file that later parses as complete: whole files go through a temporary
file in the same folder and ``os.replace``; append-only logs are read up to their last complete line.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .errors import InputError


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one, never a part.

    The file gets the usual permissions of a new file (``0o666`` minus the umask), not a temporary file's 0600.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | Path, text: str) -> None:
    """``atomic_write_bytes`` for UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_json(path: str | Path, obj: Any) -> None:
    atomic_write_text(path, json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=False) + "\n")


def atomic_write_jsonl(path: str | Path, rows: Iterable[dict[str, Any]]) -> None:
    atomic_write_text(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def append_jsonl(f: Any, row: dict[str, Any]) -> None:
    """Append one JSON line to an open text file and flush it (one ``write`` call per line)."""
    f.write(json.dumps(row, ensure_ascii=False) + "\n")
    f.flush()


MAX_LINE_MB_ENV = "JUDGEBENCH_MAX_LINE_MB"
DEFAULT_MAX_LINE_MB = 16.0


def max_line_bytes() -> int:
    """Longest JSONL line accepted (default 16 MB; ``$JUDGEBENCH_MAX_LINE_MB`` raises it)."""
    return int(float(os.environ.get(MAX_LINE_MB_ENV) or DEFAULT_MAX_LINE_MB) * 1024 * 1024)


def iter_jsonl(path: str | Path, *, tolerate_torn_tail: bool = False) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, object)`` for each non-blank line of a JSONL file (gzip-compressed when it ends in .gz).

    Args:
        path: the file.
        tolerate_torn_tail: skip a final line that has no newline and does not parse (a crashed appender).

    Raises:
        InputError: on undecodable bytes, a line that is not JSON or not an object, or a line over the size limit.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", path=path) from None
    if path.name.lower().endswith(".gz"):
        import gzip

        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as e:
            raise InputError(f"not a readable gzip file: {e}", path=path) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        bad_line = raw[: e.start].count(b"\n") + 1
        raise InputError(f"not valid UTF-8 text (byte {e.start}); is this a binary file or another encoding?", path=path, line=bad_line) from None
    lines = text.split("\n")
    limit = max_line_bytes()
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if len(line) > limit:
            raise InputError(f"line is {len(line) / 2**20:.1f} MB, over the {limit / 2**20:.0f} MB limit per line; set {MAX_LINE_MB_ENV} to allow it", path=path, line=i)
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            if tolerate_torn_tail and i == len(lines):
                return
            raise InputError(f"broken JSON ({e.msg} at column {e.colno})", path=path, line=i) from None
        if not isinstance(obj, dict):
            raise InputError(f"expected a JSON object, got {type(obj).__name__}", path=path, line=i)
        yield i, obj


def iter_json_list(path: str | Path, *, what: str = "file") -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(item number, object)`` from a ``.json`` file holding a list of objects (``what`` names it in errors).

    Raises:
        InputError: for undecodable text, broken JSON (with its line), a top level that is not a list, or an item that
            is not an object (with its item number as the line).
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError("not valid UTF-8 text; is this a binary file or another encoding?", path=path) from None
    except json.JSONDecodeError as e:
        raise InputError(f"broken JSON ({e.msg})", path=path, line=e.lineno) from None
    if not isinstance(data, list):
        raise InputError(f"a .json {what} must hold a list of objects, got {type(data).__name__}", path=path)
    for i, row in enumerate(data, start=1):
        if not isinstance(row, dict):
            raise InputError(f"item {i} is {type(row).__name__}, expected an object", path=path, line=i)
        yield i, row


def iter_parquet_rows(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(row number, row)`` from a Parquet file; a corrupt file is an ``InputError``."""
    import pandas as pd

    try:
        df = pd.read_parquet(path)
    except Exception as e:  # pyarrow raises several types for a corrupt file
        raise InputError(f"cannot read Parquet: {e}", path=path) from None
    yield from enumerate(df.to_dict(orient="records"), start=1)


ROW_SUFFIXES = (".jsonl", ".jsonl.gz", ".json", ".parquet")


def iter_rows(path: str | Path, *, what: str = "file") -> Iterator[tuple[int, dict[str, Any]]]:
    """``(row number from 1, row)`` of a ``.jsonl``, ``.jsonl.gz``, ``.json`` (a list of objects) or ``.parquet`` file.

    Raises:
        InputError: for a missing file, an unsupported suffix, or any malformed row (see the readers above).
    """
    path = Path(path)
    name = path.name.lower()
    if not path.is_file():
        raise InputError("file not found", path=path)
    if name.endswith((".jsonl", ".jsonl.gz", ".json.gz")):
        yield from iter_jsonl(path)
    elif name.endswith(".json"):
        yield from iter_json_list(path, what=what)
    elif name.endswith(".parquet"):
        yield from iter_parquet_rows(path)
    else:
        raise InputError(f"unsupported file type {path.suffix.lower()!r}; use {', '.join(ROW_SUFFIXES)}", path=path)
