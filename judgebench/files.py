"""Atomic file writing and strict JSONL reading.

A crashed writer never leaves a file that later parses as complete: whole files go through a temporary
file in the same folder and ``os.replace``; append-only logs are read up to their last complete line, and a torn
line inside one (a full disk, then more appends) can be skipped by its reader (``iter_jsonl(on_bad_line=...)``).

Everything read is checked so that it can be written again: lines are bounded in size and nesting, integers in
length, and text holds no lone surrogates. Judgment files get limits large enough for any line ``bench`` writes
from an accepted pair (``RESULT_LINE_FACTOR``), so results always read back.
"""

from __future__ import annotations

import errno
import json
import logging
import math
import os
import re
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from .errors import InputError

logger = logging.getLogger(__name__)


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one, never a part.

    The file gets the usual permissions of a new file (``0o666`` minus the umask), not a temporary file's 0600.
    """
    return _atomic_write(path, lambda f: f.write(data), "wb")


def _atomic_write(path: str | Path, fill: Callable[[Any], object], mode: str, **open_args: Any) -> Path:
    """Write through ``fill(file)`` into a temporary file beside ``path`` (opened with ``mode``), fsync it, give it
    a new file's permissions and rename it over ``path``; on any exception, ``path`` is untouched and the temporary
    file removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:  # named by the file asked for, not a temporary name the user never gave
        raise OSError(e.errno, e.strerror, str(path)) from None
    try:
        with os.fdopen(fd, mode, **open_args) as f:
            fill(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        try:
            os.replace(tmp, path)
        except OSError as e:  # a folder where the file goes: named by that path
            raise OSError(e.errno, e.strerror, str(path)) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def remove_stale_temporaries(path: str | Path) -> list[Path]:
    """Remove the temporary files ``_atomic_write`` left beside ``path`` when its process was killed mid-write
    (``.<name>.<random>.tmp``: a kill skips the clean-up, and a million-item ``judgments.jsonl`` leaves hundreds of
    MB). Only regular files are removed, never through a symlink. Call it only where no other process can be writing
    ``path`` (a run holds its folder's lock). Returns what was removed."""
    path = Path(path)
    removed = []
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        if tmp.is_file() and not tmp.is_symlink():
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


def atomic_write_text(path: str | Path, text: str) -> None:
    """``atomic_write_bytes`` for UTF-8 text, with every known secret redacted (``secrets.redact_known``)."""
    from .secrets import redact_known

    atomic_write_bytes(path, redact_known(text).encode("utf-8"))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# The JSON writers redact every known secret from each string of the value before serialising it
# (``secrets.dumps_redacted``): every results, summary and pairs file goes through one of them.
def atomic_write_json(path: str | Path, obj: Any) -> None:
    from .secrets import dumps_redacted

    atomic_write_bytes(path, (dumps_redacted(obj, indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8"))


def atomic_write_jsonl(path: str | Path, rows: Iterable[dict[str, Any]]) -> None:
    """One JSON line per row, known secrets redacted, written atomically; rows are serialised and written one at a
    time (``atomic_write_lines``), so a million rows never make one string."""
    from .secrets import dumps_redacted

    atomic_write_lines(path, (dumps_redacted(r, ensure_ascii=False) + "\n" for r in rows))


def atomic_write_lines(path: str | Path, lines: Iterable[str]) -> Path:
    """``atomic_write_bytes`` for text produced piece by piece (UTF-8; ``lines`` are written as given, with their
    newlines): the pieces stream into the temporary file, which replaces ``path`` only when ``lines`` is exhausted,
    so an exception while producing them (a run stopped half way) leaves ``path`` as it was and no temporary file."""

    def fill(f: Any) -> None:
        for piece in lines:
            f.write(piece)

    return _atomic_write(path, fill, "w", encoding="utf-8", buffering=1 << 20)


def append_jsonl(f: Any, row: dict[str, Any]) -> None:
    """Append one JSON line, known secrets redacted, to an open text file and flush it (one ``write`` per line)."""
    from .secrets import dumps_redacted

    f.write(dumps_redacted(row, ensure_ascii=False) + "\n")
    f.flush()


def open_append_log(path: str | Path) -> IO[str]:
    """Open an append-only JSONL log (a run's partial file) for ``append_jsonl``, never through a symlink.

    A log whose last line was torn (a crash or a full disk in the middle of a write) first gets a newline, so the
    torn fragment stays a line of its own that readers skip, instead of swallowing the next complete line.

    Raises:
        OSError: ``ELOOP`` when ``path`` is a symlink (judgebench never writes through one), or any other error of
            ``open``/``write``.
    """
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            os.write(fd, b"\n")
        return os.fdopen(fd, "a", encoding="utf-8")
    except BaseException:
        os.close(fd)
        raise


MAX_LINE_MB_ENV = "JUDGEBENCH_MAX_LINE_MB"
DEFAULT_MAX_LINE_MB = 16.0
MAX_DEPTH = 64
"""Levels of objects and lists accepted in one row of an input file (far below Python's recursion limit)."""
RESULT_LINE_FACTOR = 8
"""A judgment file's line may be this many times the per-line limit of inputs. A line holds the pair (at most the
input limit, see ``pairs.validate_pair_dict``), then per game a prompt that holds the pair's texts once more and an
output: about 3x the pair plus the outputs. 8x leaves room for multi-turn prompts, so every line that ``bench``
writes from an accepted pair is read back by ``score``, ``leaderboard``, ``agree`` and a re-run."""
RESULT_EXTRA_DEPTH = 16
"""Levels a judgment file's line may nest beyond ``MAX_DEPTH``: the result record around the pair, the games and
their ``extra``."""


def max_line_bytes(*, judgments: bool = False) -> int:
    """Longest JSONL line accepted (default 16 MB; ``$JUDGEBENCH_MAX_LINE_MB`` raises it).

    Args:
        judgments: the limit for judgment files (``judgments.jsonl``, its partial, JudgeBench outputs) instead:
            ``RESULT_LINE_FACTOR`` times the input limit.
    """
    limit = int(float(os.environ.get(MAX_LINE_MB_ENV) or DEFAULT_MAX_LINE_MB) * 1024 * 1024)
    return limit * RESULT_LINE_FACTOR if judgments else limit


# A JSON escape that may stand for a UTF-16 surrogate; only lines holding one need their strings checked, since
# strict UTF-8 decoding never yields a surrogate.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class _HugeInt(int):
    """Stands for an integer literal too long to convert (``sys.get_int_max_str_digits``), so its field can be named."""

    digits: int = 0


def _int_or_huge(text: str) -> int:
    limit = sys.get_int_max_str_digits()
    digits = len(text.lstrip("-"))
    if limit and digits > limit:
        marker = _HugeInt(0)
        marker.digits = digits
        return marker
    return int(text)


def _field_name(where: tuple[str | int, ...]) -> str | None:
    if not where:
        return None
    parts = [f"[{w}]" if isinstance(w, int) else (f".{w}" if i else w) for i, w in enumerate(where)]
    if len(parts) > 6:
        parts = [*parts[:4], "..."]
    return "".join(parts)


def _bad_text(text: str) -> str | None:
    """Why ``text`` cannot be written as UTF-8 (a lone surrogate), or None when it can."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        return (
            f"text holds {text[e.start]!r} at character {e.start}, a lone UTF-16 surrogate (half of an escaped pair, "
            "e.g. a cut emoji): it is not a character and cannot be written as UTF-8; fix or remove it in this file"
        )
    return None


def check_json_value(value: Any, *, path: str | Path, line: int | None = None, max_depth: int = MAX_DEPTH, check_text: bool = True) -> None:
    """Check a parsed JSON (or YAML) value before judgebench uses it, so it can never fail later when written.

    Args:
        value: the parsed value (a row, a recipe).
        path, line: where it came from, for the error.
        max_depth: most levels of objects and lists (a top-level object is level 1).
        check_text: check every string and key for lone surrogates (callers skip it when none can occur).

    Raises:
        InputError: naming the field, for nesting deeper than ``max_depth``, a string or key holding a lone
            surrogate, or an integer with more digits than Python converts (``_HugeInt`` from ``_int_or_huge``).
    """
    stack: list[tuple[Any, int, tuple[str | int, ...]]] = [(value, 1, ())]
    while stack:
        v, depth, where = stack.pop()
        if isinstance(v, (dict, list)):
            if depth > max_depth:
                raise InputError(f"nested more than {max_depth} levels of objects and lists; flatten it", path=path, line=line, field=_field_name(where))
            if isinstance(v, dict):
                for k, x in v.items():
                    if check_text and isinstance(k, str) and (why := _bad_text(k)):
                        raise InputError(f"a key: {why}", path=path, line=line, field=_field_name((*where, k)))
                    stack.append((x, depth + 1, (*where, k)))
            else:
                stack.extend((x, depth + 1, (*where, i)) for i, x in enumerate(v))
        elif isinstance(v, str):
            if check_text and (why := _bad_text(v)):
                raise InputError(why, path=path, line=line, field=_field_name(where))
        elif isinstance(v, _HugeInt):
            raise InputError(f"an integer of {v.digits} digits, more than the {sys.get_int_max_str_digits()} Python reads; write it as a string", path=path, line=line, field=_field_name(where))


def _not_json_reason(value: object) -> str:
    return f"{value} is not a JSON value; write null or a number"


class _NotJson(ValueError):
    """``NaN``, ``Infinity`` or ``-Infinity``: Python's json module reads them, JSON (RFC 8259) has no such value."""


def _no_constant(name: str) -> Any:
    raise _NotJson(name)


def parse_json_text(text: str, *, path: str | Path, line: int | None = None, max_depth: int = MAX_DEPTH, allow_nan: bool = False) -> Any:
    """``json.loads`` for user files: every failure is an ``InputError`` naming ``path`` (and ``line``).

    ``allow_nan``: read ``NaN`` and ``Infinity``, which are not JSON (only judgebench's own judgment files, read back
    as written, may hold them); otherwise they are refused, so no such value reaches what a run writes.

    Raises:
        InputError: broken JSON (with its column, or its line when ``line`` is None), ``NaN``/``Infinity`` (unless
            ``allow_nan``), nesting too deep, an integer too long to read, or a lone surrogate (see
            ``check_json_value``).
    """
    try:
        obj = json.loads(text) if allow_nan else json.loads(text, parse_constant=_no_constant)
    except _NotJson as e:
        raise InputError(_not_json_reason(e), path=path, line=line) from None
    except json.JSONDecodeError as e:
        where = f" at column {e.colno}" if line is not None else ""
        raise InputError(f"broken JSON ({e.msg}{where})", path=path, line=line if line is not None else e.lineno) from None
    except RecursionError:
        raise InputError(f"nested more than {max_depth} levels of objects and lists; flatten it", path=path, line=line) from None
    except ValueError:  # an integer literal over sys.get_int_max_str_digits(): parse again to name its field
        obj = json.loads(text, parse_int=_int_or_huge)
        huge = True
    else:
        huge = False
    check_text = "\\u" in text and _SURROGATE_ESCAPE.search(text) is not None
    # the walk can only find something when a string may hold a surrogate, an integer was too long, or the text opens
    # more objects and lists than max_depth (counted over the whole text, strings included: never fewer than nested)
    if check_text or huge or text.count("{") + text.count("[") > max_depth:
        check_json_value(obj, path=path, line=line, max_depth=max_depth, check_text=check_text)
    return obj


def iter_jsonl(
    path: str | Path,
    *,
    tolerate_torn_tail: bool = False,
    judgments: bool = False,
    on_bad_line: Callable[[InputError], None] | None = None,
    on_text: Callable[[str], object] | None = None,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, object)`` for each non-blank line of a JSONL file (gzip-compressed when it ends in .gz).

    Args:
        path: the file.
        tolerate_torn_tail: skip a final line that has no newline and does not parse (a crashed appender).
        judgments: the file is a judgment file (``judgments.jsonl``, its partial, JudgeBench outputs), whose lines
            hold a pair with its prompts and outputs: read it with the larger limits of ``max_line_bytes`` and
            ``RESULT_EXTRA_DEPTH``, so everything judgebench writes reads back.
        on_bad_line: when given, a bad line is passed to it and skipped instead of raised (an append-only log whose
            lines can be redone).
        on_text: when given, called with the text of each line yielded (without its newline), just before it is
            yielded (``line_fingerprint`` of it is what ``iter_jsonl_unchanged`` checks).

    Raises:
        InputError: on undecodable bytes, a line that is not JSON or not an object, a line over the size limit, or
            one that ``parse_json_text`` rejects (nesting, integer length, lone surrogates).
    """
    path = Path(path)
    limit = max_line_bytes(judgments=judgments)
    depth = MAX_DEPTH + RESULT_EXTRA_DEPTH if judgments else MAX_DEPTH
    for i, line, last in _text_lines(path):
        if not line or line.isspace():  # a blank line (not line.strip(), without its copy)
            continue
        try:
            if len(line) > limit:
                raise InputError(f"line is {len(line) / 2**20:.1f} MB, over the {limit / 2**20:.0f} MB limit per line; set {MAX_LINE_MB_ENV} to allow it", path=path, line=i)
            try:
                obj = parse_json_text(line, path=path, line=i, max_depth=depth, allow_nan=judgments)
            except InputError:
                if tolerate_torn_tail and last:
                    return
                raise
            if not isinstance(obj, dict):
                raise InputError(f"expected a JSON object, got {type(obj).__name__}", path=path, line=i)
        except InputError as e:
            if on_bad_line is None:
                raise
            on_bad_line(e)
            continue
        if on_text is not None:
            on_text(line)
        yield i, obj


def line_fingerprint(text: str) -> int:
    """A 64-bit fingerprint of one line's text (Python's keyed string hash: the same within a process, different
    across processes, so it only compares two reads of one run)."""
    return hash(text)


def iter_jsonl_unchanged(path: str | Path, fingerprints: Sequence[int], start: int = 0, *, first: int = 0) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """``iter_jsonl(path)`` of a file that a complete earlier read checked, line by line, with each line's
    ``line_fingerprint`` recorded (``on_text``): ``fingerprints[start:]`` are its non-blank lines'. Each line is
    compared with its fingerprint and parsed, not checked again (the earlier read did that to these very lines).

    Args:
        first: rows numbered below it (counting from 0 across every file, as ``fingerprints`` does) are passed
            over: yielded as ``(line, None)``, neither compared nor parsed, for a reader that judges only the rows
            from ``first`` on (another reader checks the rest).

    Raises:
        InputError: for a line whose text differs from the one read before, or one more than were read (the file
            changed since), naming the file and line; or when the file cannot be read.
    """
    path = Path(path)
    k = start
    n = len(fingerprints)
    for i, line, _ in _text_lines(path):
        if not line or line.isspace():  # a blank line (not line.strip(), without its copy)
            continue
        if k < first:
            k += 1
            yield i, None
            continue
        if k >= n or line_fingerprint(line) != fingerprints[k]:
            raise InputError("this line changed since the file was first read and checked in this run (was it written to meanwhile?); run again once it is complete", path=path, line=i)
        k += 1
        yield i, json.loads(line)


def _text_lines(path: Path) -> Iterator[tuple[int, str, bool]]:
    """``(line number from 1, text without its newline, whether it is the final line and has no newline)`` of a
    UTF-8 file, read line by line (a ``.gz`` file is decompressed whole first), so a large file is never held whole.

    Raises:
        InputError: for a missing or unreadable file, a folder, a bad gzip file, or bytes that are not UTF-8 (naming
            the line and the byte's offset in the file).
    """
    try:
        f = path.open("rb")
    except FileNotFoundError:
        raise InputError("file not found", path=path) from None
    except IsADirectoryError:
        raise InputError("a folder, not a file", path=path) from None
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", path=path) from None
    with f:
        source: Iterable[bytes] = f
        if path.name.lower().endswith(".gz"):
            import gzip
            import io

            try:
                source = io.BytesIO(gzip.decompress(f.read()))
            except (OSError, EOFError) as e:
                raise InputError(f"not a readable gzip file: {e}", path=path) from None
            except IsADirectoryError:
                raise InputError("a folder, not a file", path=path) from None
        offset = 0
        i = 0
        try:
            for i, raw in enumerate(source, start=1):
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as e:
                    raise InputError(f"not valid UTF-8 text (byte {offset + e.start}); is this a binary file or another encoding?", path=path, line=i) from None
                offset += len(raw)
                if text.endswith("\n"):
                    yield i, text[:-1], False
                else:
                    yield i, text, True
        except IsADirectoryError:
            raise InputError("a folder, not a file", path=path) from None
        except OSError as e:
            raise InputError(f"cannot read: {e.strerror}", path=path) from None


def iter_json_list(path: str | Path, *, what: str = "file") -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(item number, object)`` from a ``.json`` file holding a list of objects (``what`` names it in errors).

    Raises:
        InputError: for undecodable text, broken JSON (with its line), a top level that is not a list, an item that
            is not an object (with its item number as the line), or an item that ``check_json_value`` rejects.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError("not valid UTF-8 text; is this a binary file or another encoding?", path=path) from None
    try:
        data = parse_json_text(text, path=path, max_depth=MAX_DEPTH + 1)  # the list itself is one level
    except InputError as e:
        if e.field is None or not e.field.startswith("["):
            raise
        # an item's own problem: name the item as the line and the field inside it
        item, _, rest = e.field[1:].partition("]")
        raise InputError(e.reason, path=path, line=int(item) + 1, field=rest.lstrip(".") or None) from None
    if not isinstance(data, list):
        raise InputError(f"a .json {what} must hold a list of objects, got {type(data).__name__}", path=path)
    for i, row in enumerate(data, start=1):
        if not isinstance(row, dict):
            raise InputError(f"item {i} is {type(row).__name__}, expected an object", path=path, line=i)
        yield i, row


def iter_parquet_rows(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(row number, row)`` from a Parquet file; a corrupt file is an ``InputError``.

    A missing value, which pandas reads as NaN, is ``None`` (JSON's null), as in a JSONL file: a NaN is not JSON
    and would otherwise be copied into ``judgments.jsonl``; an infinite value is an ``InputError`` naming its column.
    """
    import pandas as pd

    try:
        df = pd.read_parquet(path)
    except Exception as e:  # pyarrow raises several types for a corrupt file
        raise InputError(f"cannot read Parquet: {e}", path=path) from None
    for i, row in enumerate(df.to_dict(orient="records"), start=1):
        for key, value in row.items():
            if isinstance(value, float) and not math.isfinite(value):
                if value != value:
                    row[key] = None
                else:
                    raise InputError(_not_json_reason(value), path=path, line=i, field=str(key))
        yield i, row


ROW_SUFFIXES = (".jsonl", ".jsonl.gz", ".json", ".parquet")


def unreadable_file_reason(path: str | Path) -> str | None:
    """Why ``path`` is not a file that can be opened (missing, a dangling symlink, a symlink loop, a folder), or None."""
    path = Path(path)
    try:
        st = os.stat(path)
    except OSError as e:
        if e.errno == errno.ELOOP:
            return f"a symlink loop ({path} -> {os.readlink(path)!s} leads back to itself); replace it with the file"
        if path.is_symlink():
            return f"a dangling symlink (its target {os.readlink(path)!s} does not exist); fix or remove it"
        if e.errno == errno.ENOENT:
            return "file not found"
        return f"cannot read: {e.strerror}"
    if stat.S_ISDIR(st.st_mode):
        return "a folder, not a file"
    return None


def iter_rows(path: str | Path, *, what: str = "file", on_text: Callable[[str], object] | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(row number from 1, row)`` of a ``.jsonl``, ``.jsonl.gz``, ``.json`` (a list of objects) or ``.parquet`` file.
    ``on_text``: for a JSONL file (``.jsonl``, ``.jsonl.gz``, ``.json.gz``), called with each row's line (see
    ``iter_jsonl``); never for the other formats.

    Raises:
        InputError: for a missing file, an unsupported suffix, or any malformed row (see the readers above).
    """
    path = Path(path)
    name = path.name.lower()
    if (why := unreadable_file_reason(path)) is not None:
        raise InputError(why, path=path)
    if name.endswith((".jsonl", ".jsonl.gz", ".json.gz")):
        yield from iter_jsonl(path, on_text=on_text)
    elif name.endswith(".json"):
        yield from iter_json_list(path, what=what)
    elif name.endswith(".parquet"):
        yield from iter_parquet_rows(path)
    else:
        raise InputError(f"unsupported file type {path.suffix.lower()!r}; use {', '.join(ROW_SUFFIXES)}", path=path)


def finite_json(obj: Any) -> Any:
    """``obj`` with every NaN or infinite float replaced by ``None``, so ``json.dumps`` writes valid JSON (``null``)
    instead of ``NaN``, which JSON has no literal for; containers are copied (dicts, lists, tuples as lists)."""
    if isinstance(obj, float):
        return obj if obj == obj and obj not in (float("inf"), float("-inf")) else None
    if isinstance(obj, dict):
        return {k: finite_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite_json(v) for v in obj]
    return obj
