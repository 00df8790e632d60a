"""Fetching a benchmark's public files when no local copy is given: downloaded once into the cache, never half
written, with an error that says where to put a local copy instead."""

from __future__ import annotations

import logging
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..schema import Item

logger = logging.getLogger(__name__)


def cache_root(name: str, commit: str) -> Path:
    """``$JUDGEBENCH_CACHE_DIR/data/<name>/<commit>``: where the files of a benchmark pinned at ``commit`` are kept."""
    from ..backends.cache import default_cache_dir

    return default_cache_dir() / "data" / name / commit


def cached_download(url: str, dest: Path, *, what: str, offline_hint: str) -> Path:
    """``dest``, downloading ``url`` into it first when it is not there yet (atomically: a half-written file is
    never read as the data).

    Raises:
        InputError: when the download fails (offline, blocked): ``cannot download <what>: <reason>. Offline?
            <offline_hint>``, naming the URL.
    """
    if dest.is_file():
        return dest
    logger.info("downloading %s from %s", what, url)
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            data = response.read()
    except (urllib.error.URLError, OSError, TimeoutError) as e:
        reason = getattr(e, "reason", None) or e
        raise InputError(f"cannot download {what}: {reason}. Offline? {offline_hint}", path=url) from None
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, dest)
    return dest


def first_file(*candidates: Path) -> Path | None:
    """The first of ``candidates`` that is a file (the places a benchmark's local copy may keep it), or ``None``."""
    return next((p for p in candidates if p.is_file()), None)


def hub_rows(hf_id: str, split: str, *, offline_hint: str, **load_options: Any) -> list[tuple[str, int, dict[str, Any]]]:
    """The rows of a Hugging Face dataset split as ``(where, row number from 1, row)``, for a loader to validate
    (``where`` is ``hf:<id>:<split>``, the "file" its errors name).

    Raises:
        InputError: when ``datasets`` cannot load it (offline, no access, not installed): ``cannot load <id> (split
            <split>) from the Hugging Face hub: <reason>. <offline_hint>``.
    """
    from ..hub import load_hub_dataset

    ds = load_hub_dataset(hf_id, hint=offline_hint, split=split, **load_options)  # fails fast when the hub is unreachable
    where = f"hf:{hf_id}:{split}"
    return [(where, i, dict(row)) for i, row in enumerate(ds, start=1)]


def row_files(data_dir: Path, *, what: str) -> list[Path]:
    """The row files of a local copy of a hub split: ``data_dir`` itself when it is a file, else every row file
    (``files.ROW_SUFFIXES``: JSON, JSONL, gzip, Parquet) under it, sorted; ``what`` names the copy in errors
    ("RewardBench copy of the filtered split's rows").

    Raises:
        InputError: for a path that does not exist or a folder holding no row file.
    """
    from ..files import ROW_SUFFIXES

    if data_dir.is_file():
        return [data_dir]
    if not data_dir.is_dir():
        raise InputError(f"no {what} here (expected a folder or a file of its rows)", path=data_dir)
    found = sorted(p for p in data_dir.rglob("*") if p.is_file() and p.name.lower().endswith(ROW_SUFFIXES))
    if not found:
        raise InputError(f"no row file ({', '.join(ROW_SUFFIXES)}) of the {what} in this folder", path=data_dir)
    return found


def split_rows(data_dir: Path | None, hf_id: str, split: str, *, what: str, offline_hint: str) -> tuple[list[tuple[str | Path, int, dict[str, Any]]], str | Path]:
    """A hub split's rows as ``(where, row number, row)``, from a local copy (``data_dir``: a file or a folder of row
    files, :func:`row_files`) when given, else from the hub (:func:`hub_rows`); with the place errors about the set
    as a whole name (the folder, or ``hf:<id>``).

    Raises:
        InputError: as :func:`row_files` and :func:`hub_rows`, or for a malformed row file.
    """
    from ..files import iter_rows

    if data_dir is None:
        return [(where, i, row) for where, i, row in hub_rows(hf_id, split, offline_hint=offline_hint)], f"hf:{hf_id}"
    return [(p, i, row) for p in row_files(Path(data_dir), what=f"{what} copy") for i, row in iter_rows(p, what=f"{what} rows")], data_dir


def pinned_file(data_dir: Path | None, find: Callable[[Path], Path | None], *, url: str, cache: tuple[str, str], relpath: str, repo: str, what: str, env: str) -> Path:
    """The file of a benchmark kept in one file at a pinned commit: ``find(data_dir)`` in a local copy when one is
    given, else the download of ``url`` cached under ``cache_root(*cache) / relpath``.

    Raises:
        InputError: for a local copy without the file (naming the folder and what it should hold), or a failed
            download (saying where to put a copy: ``$env``, ``$JUDGEBENCH_DATA_DIR/<name>`` or ``--data-dir``).
    """
    name = cache[0]
    if data_dir is not None:
        found = find(Path(data_dir))
        if found is None:
            raise InputError(f"no {Path(relpath).name} in this folder (expected a copy of {repo}'s {relpath})", path=data_dir)
        return found
    return cached_download(url, cache_root(*cache) / relpath, what=what, offline_hint=f"Put {repo}'s {relpath} in ${env}, $JUDGEBENCH_DATA_DIR/{name} or --data-dir")


def unique_ids(items: Sequence[Item], where: str | Path, what: str) -> None:
    """Refuse two items with one id (``what`` names the id in the message: "RewardBench id (ids are unique in ...)").

    Raises:
        InputError: naming ``where``, the duplicate id and the field ``id``.
    """
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            first, _, rest = what.partition(" (")
            raise InputError(f"duplicate {first} {item.id!r}" + (f" ({rest}" if rest else ""), path=where, field="id")
        seen.add(item.id)
