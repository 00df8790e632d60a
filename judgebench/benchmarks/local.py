"""The generic loader: validated response pairs (today's pair format) from files, folders or Hugging Face datasets.

Accepted sources:
    * a ``.jsonl`` / ``.jsonl.gz`` / ``.json`` (list of objects) / ``.parquet`` file;
    * a folder: every such file in it, sorted by name (one that cannot be read, such as a dangling symlink, is an
      error, never skipped);
    * ``hf:OWNER/NAME[:SPLIT]``: any Hugging Face dataset with the pair fields.

Registered benchmarks (``judgebench:gpt``, ``llmbar``) are resolved by ``judgebench.benchmarks.load_items``, whose
modules use the readers here.

Every error names the file, the line (row) and the field, and nothing is returned until all rows validate.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..files import MAX_LINE_MB_ENV, ROW_SUFFIXES, iter_rows, max_line_bytes, unreadable_file_reason
from ..schema import LABELS, Decision, Pair

logger = logging.getLogger(__name__)

REQUIRED_FIELDS = ("pair_id", "question", "response_A", "response_B", "label")
TEXT_FIELDS = ("question", "response_A", "response_B")
OPTIONAL_TEXT_FIELDS = ("source", "response_model")
PAIR_SUFFIXES = ROW_SUFFIXES



def validate_pair_dict(d: dict[str, Any], *, path: str | Path, line: int) -> Pair:
    """Check one raw row and build a ``Pair``.

    Raises:
        InputError: naming ``path:line`` and the field that is missing, of the wrong type, or an unknown label.
    """
    for name in REQUIRED_FIELDS:
        if name not in d or d[name] is None:
            raise InputError(f"missing required field (a pair needs {', '.join(REQUIRED_FIELDS)})", path=path, line=line, field=name)
    if not isinstance(d["pair_id"], (str, int)) or isinstance(d["pair_id"], bool) or str(d["pair_id"]).strip() == "":
        raise InputError(f"pair_id must be a non-empty string or integer, got {d['pair_id']!r}", path=path, line=line, field="pair_id")
    for name in TEXT_FIELDS:
        if not isinstance(d[name], str):
            raise InputError(f"expected a string, got {type(d[name]).__name__}", path=path, line=line, field=name)
    for name in OPTIONAL_TEXT_FIELDS:
        if d.get(name) is not None and not isinstance(d[name], str):
            raise InputError(f"expected a string, got {type(d[name]).__name__}", path=path, line=line, field=name)
    label = d["label"]
    try:
        parsed = Decision.parse(label) if isinstance(label, str) else None
    except ValueError:
        parsed = None
    if parsed not in LABELS:
        raise InputError(f"unknown label {label!r}; expected one of 'A>B', 'B>A', 'A=B'", path=path, line=line, field="label")
    if "metadata" in d and d["metadata"] is not None and not isinstance(d["metadata"], dict):
        raise InputError(f"expected an object, got {type(d['metadata']).__name__}", path=path, line=line, field="metadata")
    # One pair is at most the per-line limit of text, whatever format it comes in, so the result line that holds it
    # (with a prompt per game that repeats it) stays within the limit judgment files are read with (files.py).
    size = sum(len(d[name]) for name in TEXT_FIELDS)
    if size > (limit := max_line_bytes()):
        largest = max(TEXT_FIELDS, key=lambda name: len(d[name]))
        raise InputError(f"the pair's texts are {size / 2**20:.1f} MB, over the {limit / 2**20:.0f} MB limit per pair; set {MAX_LINE_MB_ENV} to allow it", path=path, line=line, field=largest)
    return Pair.from_dict(d)


def _validated(rows: Iterable[tuple[str | Path, int, dict[str, Any]]]) -> list[Pair]:
    pairs: list[Pair] = []
    seen: dict[str, tuple[str, int]] = {}
    for path, line, row in rows:
        pair = validate_pair_dict(row, path=path, line=line)
        if pair.pair_id in seen:
            first = seen[pair.pair_id]
            raise InputError(f"duplicate pair_id {pair.pair_id!r} (first seen at {first[0]}:{first[1]})", path=path, line=line, field="pair_id")
        seen[pair.pair_id] = (str(path), line)
        pairs.append(pair)
    return pairs


def load_pair_files(paths: Iterable[Path]) -> list[Pair]:
    """Load and validate pairs from files, in order; pair_ids must be unique across all of them."""

    def rows() -> Iterable[tuple[str | Path, int, dict[str, Any]]]:
        for p in paths:
            for line, row in iter_rows(p, what="pair file"):
                yield p, line, row

    return _validated(rows())


def pair_files_in(folder: Path) -> list[Path]:
    """The pair files of a folder source, sorted by name: every entry ending in one of ``PAIR_SUFFIXES``.

    Other entries (sub-folders, other types) are not read and a warning names them; hidden ones are passed over.

    Raises:
        InputError: for an entry named like a pair file that cannot be read (a dangling symlink, a symlink loop, a
            folder), naming it, since reading the rest would silently judge fewer pairs than the folder holds; or for
            a folder with no pair file.
    """
    files, others = [], []
    for p in sorted(folder.iterdir()):
        if p.name.lower().endswith(PAIR_SUFFIXES):
            if (why := unreadable_file_reason(p)) is not None:
                raise InputError(f"{why} (every pair file in a folder source is read)", path=p)
            files.append(p)
        elif not p.name.startswith("."):
            others.append(p.name)
    if not files:
        raise InputError(f"folder has no pair files ({', '.join(PAIR_SUFFIXES)})", path=folder)
    if others:
        logger.warning("%s: not reading %d entries that are not pair files (%s): %s", folder, len(others), ", ".join(PAIR_SUFFIXES), ", ".join(others[:10]) + (" ..." if len(others) > 10 else ""))
    return files


def read_pairs(source: str | Path) -> list[Pair]:
    """Validated pairs from a pair file or folder, or ``hf:NAME[:SPLIT]`` (see the module docstring).

    Raises:
        InputError: for a missing or malformed source, naming file, line and field; or no pairs at all.
    """
    source = str(source)
    pairs = _read_pairs(source)
    if not pairs:
        raise InputError("no pairs found (the file or folder is empty)", path=source)
    return pairs


def _read_pairs(source: str) -> list[Pair]:
    if source.startswith("hf:"):
        name, _, split = source[3:].partition(":")
        return load_hf_pairs(name, split or "train")
    path = Path(source)
    if path.is_dir():
        return load_pair_files(pair_files_in(path))
    if not path.exists():
        if path.is_symlink():  # a dangling symlink or a loop: say so, not "no such file"
            raise InputError(unreadable_file_reason(path) or "cannot read", path=path)
        raise InputError("no such file or folder (or name a benchmark, see `judgebench benchmarks`, or use hf:NAME[:SPLIT])", path=path)
    return load_pair_files([path])


def load_hf_pairs(name: str, split: str, *, hint: str = "") -> list[Pair]:
    """Download a split with ``datasets`` (cached by the library) and validate it row by row.

    Raises:
        InputError: when the dataset cannot be loaded (offline, unknown id), saying ``hint`` (what to do instead).
    """
    import datasets

    logger.info("loading %s split %s from the Hugging Face hub", name, split)
    try:
        ds = datasets.load_dataset(name, split=split)
    except Exception as e:
        raise InputError(f"cannot load Hugging Face dataset split {split!r}: {e}. Offline? {hint or 'Pass a local copy of the data instead.'}", path=f"hf:{name}") from None
    where = f"hf:{name}:{split}"
    return _validated((where, i, dict(row)) for i, row in enumerate(ds, start=1))


