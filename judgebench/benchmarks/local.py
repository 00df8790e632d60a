"""Load and validate response pairs from files, folders or Hugging Face datasets.

Accepted sources:
    * a ``.jsonl`` / ``.jsonl.gz`` / ``.json`` (list of objects) / ``.parquet`` file;
    * a folder: every such file in it, sorted by name (one that cannot be read, such as a dangling symlink, is an
      error, never skipped);
    * ``judgebench:gpt`` / ``judgebench:claude``: the JudgeBench pairs (``ScalerLab/JudgeBench``, splits ``gpt`` and
      ``claude``), read from ``local_dir`` or ``$JUDGEBENCH_PAIRS_DIR`` when given, else downloaded;
    * ``hf:OWNER/NAME[:SPLIT]``: any Hugging Face dataset with the pair fields.

Every error names the file, the line (row) and the field, and nothing is returned until all rows validate.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
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

JUDGEBENCH_HF = "ScalerLab/JudgeBench"
JUDGEBENCH_SPLITS = {"gpt": "gpt-4o", "claude": "claude-3-5-sonnet"}
PAIRS_DIR_ENV = "JUDGEBENCH_PAIRS_DIR"


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


def _judgebench_local_file(folder: Path, split: str) -> Path | None:
    key = JUDGEBENCH_SPLITS[split]
    for p in sorted(folder.glob("*.jsonl")):
        if key in p.name or p.stem == split:
            return p
    return None


def load_pairs(source: str | Path, *, local_dir: str | Path | None = None, limit: int | None = None) -> list[Pair]:
    """Load validated pairs from a file, a folder, ``judgebench:gpt|claude`` or ``hf:NAME[:SPLIT]``.

    Args:
        source: where the pairs are (see the module docstring).
        local_dir: for ``judgebench:*``, a folder holding the JudgeBench JSONL files (overrides ``$JUDGEBENCH_PAIRS_DIR``).
        limit: keep only the first ``limit`` pairs.

    Raises:
        InputError: for a missing or malformed source; the message names file, line and field.
    """
    pairs = _load_pairs(str(source), local_dir=local_dir)
    if not pairs:
        raise InputError("no pairs found (the file or folder is empty)", path=source)
    return pairs[:limit] if limit else pairs


def _load_pairs(source: str, *, local_dir: str | Path | None) -> list[Pair]:
    if source.startswith("judgebench:"):
        split = source.split(":", 1)[1]
        if split not in JUDGEBENCH_SPLITS:
            raise InputError(f"unknown JudgeBench split {split!r}; use judgebench:gpt or judgebench:claude", path=source)
        folder = local_dir or os.environ.get(PAIRS_DIR_ENV)
        if folder:
            found = _judgebench_local_file(Path(folder), split)
            if found is None:
                raise InputError(f"no JudgeBench {split!r} file (name containing {JUDGEBENCH_SPLITS[split]!r}) in this folder", path=folder)
            return load_pair_files([found])
        return _load_hf(JUDGEBENCH_HF, split)
    if source.startswith("hf:"):
        name, _, split = source[3:].partition(":")
        return _load_hf(name, split or "train")
    path = Path(source)
    if path.is_dir():
        return load_pair_files(pair_files_in(path))
    if not path.exists():
        if path.is_symlink():  # a dangling symlink or a loop: say so, not "no such file"
            raise InputError(unreadable_file_reason(path) or "cannot read", path=path)
        raise InputError("no such file or folder (or use judgebench:gpt, judgebench:claude, hf:NAME[:SPLIT])", path=path)
    return load_pair_files([path])


def _load_hf(name: str, split: str) -> list[Pair]:
    """Download a split with ``datasets`` (cached by the library) and validate it row by row."""
    import datasets

    logger.info("loading %s split %s from the Hugging Face hub", name, split)
    try:
        ds = datasets.load_dataset(name, split=split)
    except Exception as e:
        raise InputError(f"cannot load Hugging Face dataset split {split!r}: {e}. Offline? Point {PAIRS_DIR_ENV} at a local copy.", path=f"hf:{name}") from None
    where = f"hf:{name}:{split}"
    return _validated((where, i, dict(row)) for i, row in enumerate(ds, start=1))


def dataset_name(source: str | Path) -> str:
    """A short folder name for a pair source: ``judgebench:gpt`` -> ``judgebench-gpt``, ``a/b.jsonl`` -> ``b``."""
    s = str(source)
    if s.startswith(("judgebench:", "hf:")):
        return s.replace("hf:", "").replace(":", "-").replace("/", "_")
    p = Path(s)
    return p.name if p.is_dir() else p.stem


def pair_set_sha256(pairs: Iterable[Pair]) -> str:
    """The content identity of a set of pairs: sha256 (hex) over the pairs sorted by ``pair_id``, each one line
    of the JSON list ``[pair_id, question, response_A, response_B, label]``.

    What is judged and what it is scored against, nothing else: the file's name, its format, the order of its
    rows, ``source``, ``response_model`` and ``metadata`` do not count, so the same pairs read from a pair file,
    a results folder or JudgeBench's released judgment files have the same hash. Two sets differing in one
    character of one response do not.
    """
    digest = hashlib.sha256()
    for p in sorted(pairs, key=lambda p: p.pair_id):
        digest.update(json.dumps([p.pair_id, p.question, p.response_A, p.response_B, str(p.label)], ensure_ascii=False).encode("utf-8") + b"\n")
    return digest.hexdigest()


NAMED_SETS = ("judgebench:",)
"""Sources whose readable name identifies them (the JudgeBench splits): their results folder keeps that name, and
the content hash is recorded in ``run.json`` (``pairs.set_sha256``) and checked before a run reuses the folder."""


@dataclass(frozen=True)
class DataIdentity:
    """Which pairs a run judged, as recorded in ``run.json`` (``pairs``) and encoded in its results folder name.

    Attributes:
        source: the source as given (``judgebench:gpt``, a path, ``hf:NAME``).
        name: the readable name of the whole set: ``judgebench-gpt`` for the named JudgeBench splits, else the
            file or folder name and the first 8 hex digits of ``set_sha256`` (``pairs-3f9a2c1b``), so two
            different files named ``pairs.jsonl`` never share a results folder.
        set_sha256: ``pair_set_sha256`` of every pair of the source.
        set_size: the number of pairs in the source.
        limit: ``--limit`` as given (``None``: all).
        judged: the number of pairs judged (the first ``limit`` of the source).
        judged_sha256: ``pair_set_sha256`` of the judged pairs.
    """

    source: str
    name: str
    set_sha256: str
    set_size: int
    limit: int | None
    judged: int
    judged_sha256: str

    @property
    def is_partial(self) -> bool:
        """Whether fewer pairs were judged than the source has (a ``--limit`` run)."""
        return self.judged < self.set_size

    @property
    def folder(self) -> str:
        """The dataset part of the results folder: ``name`` for the whole set, ``name@limit=K`` for the first ``K``
        pairs, so a smaller run never writes over (or resumes from) a run on the whole set."""
        return f"{self.name}@limit={self.judged}" if self.is_partial else self.name

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def data_identity(source: str | Path, all_pairs: Sequence[Pair], judged: Sequence[Pair], limit: int | None = None) -> DataIdentity:
    """The :class:`DataIdentity` of judging ``judged`` (the first ``limit`` of ``all_pairs``) from ``source``."""
    s = str(source)
    set_hash = pair_set_sha256(all_pairs)
    name = dataset_name(s) if s.startswith(NAMED_SETS) else f"{dataset_name(s)}-{set_hash[:8]}"
    judged_hash = set_hash if len(judged) == len(all_pairs) else pair_set_sha256(judged)
    return DataIdentity(source=s, name=name, set_sha256=set_hash, set_size=len(all_pairs), limit=limit, judged=len(judged), judged_sha256=judged_hash)
