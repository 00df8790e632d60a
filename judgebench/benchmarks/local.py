"""The generic loader: validated response pairs (today's pair format) from files, folders or Hugging Face datasets.

Accepted sources:
    * a ``.jsonl`` / ``.jsonl.gz`` / ``.json`` (list of objects) / ``.parquet`` file;
    * a folder: every such file in it, sorted by name (one that cannot be read, such as a dangling symlink, is an
      error, never skipped);
    * ``hf:OWNER/NAME[:SPLIT]``: any Hugging Face dataset with the pair fields.

A source with other column names (and label values) is read with a ``FieldMap``: ``read_pairs(source,
fields=FieldMap(question="input", response_A="output_1", response_B="output_2", pair_id=None, labels={1: "A>B",
2: "B>A"}))``; errors then name the source's column.

Registered benchmarks (``judgebench:gpt``, ``llmbar``) are resolved by ``judgebench.benchmarks.load_items``, whose
modules use the readers here.

Every error names the file, the line (row) and the field, and nothing is returned until all rows validate.
"""

from __future__ import annotations

import logging
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..files import (
    MAX_LINE_MB_ENV,
    ROW_SUFFIXES,
    iter_jsonl_unchanged,
    iter_rows,
    line_fingerprint,
    max_line_bytes,
    unreadable_file_reason,
)
from ..schema import LABELS, Decision, Item, Pair

logger = logging.getLogger(__name__)

REQUIRED_FIELDS = ("pair_id", "question", "response_A", "response_B", "label")
TEXT_FIELDS = ("question", "response_A", "response_B")
OPTIONAL_TEXT_FIELDS = ("source", "response_model")
PAIR_SUFFIXES = ROW_SUFFIXES


@dataclass(frozen=True)
class FieldMap:
    """Which column of a source gives each pair field, and how its label values read.

    Attributes:
        pair_id: the id column; ``None``: number the rows from 1 (``"1"``, ``"2"``, ...; a folder of several files
            prefixes each number with its file name, ``"a.jsonl:1"``).
        question, response_A, response_B, label: the columns giving these fields.
        source, original_id, response_model: optional columns (absent from a row: left empty).
        labels: source label value -> ``A>B`` / ``B>A`` / ``A=B`` (``{1: "A>B", 2: "B>A"}``); a value is matched
            as it is, then by its text (``"1"`` finds the key ``1``). ``None``: labels are already decisions.

    Columns not named here are kept in the pair's ``metadata``. ``FieldMap()`` is today's pair format.

    Raises:
        InputError: (at construction) for a label mapping to anything but ``A>B``, ``B>A``, ``A=B``, or two fields
            read from one column.
    """

    pair_id: str | None = "pair_id"
    question: str = "question"
    response_A: str = "response_A"
    response_B: str = "response_B"
    label: str = "label"
    source: str | None = "source"
    original_id: str | None = "original_id"
    response_model: str | None = "response_model"
    labels: Mapping[Any, str] | None = field(default=None, hash=False)

    def __post_init__(self) -> None:
        for value, decision in (self.labels or {}).items():
            try:
                ok = Decision.parse(decision) in LABELS
            except ValueError:
                ok = False
            if not ok:
                raise InputError(f"label value {value!r} maps to {decision!r}; expected one of 'A>B', 'B>A', 'A=B'", field="labels")
        used = [c for c in self.columns().values() if c is not None]
        if dup := sorted({c for c in used if used.count(c) > 1}):
            raise InputError(f"column {dup[0]!r} is mapped to two pair fields", field="fields")

    def columns(self) -> dict[str, str | None]:
        """Pair field -> the source column that gives it (``None``: not read)."""
        return {
            "pair_id": self.pair_id,
            "question": self.question,
            "response_A": self.response_A,
            "response_B": self.response_B,
            "label": self.label,
            "source": self.source,
            "original_id": self.original_id,
            "response_model": self.response_model,
        }

    @property
    def is_identity(self) -> bool:
        """Whether this reads today's pair format unchanged."""
        return self == FieldMap()

    @classmethod
    def parse(cls, spec: str, labels: str | None = None) -> FieldMap:
        """A field map from text, as a command line would give it: ``spec`` is ``FIELD=COLUMN,...``
        (``question=input,response_A=output_1,response_B=output_2``; ``pair_id=`` numbers the rows) and ``labels``
        ``VALUE=DECISION,...`` (``1=A>B,2=B>A``; the text after the first ``=`` is the decision, so ``0=A=B``).

        Raises:
            InputError: for an unknown field, an entry without ``=``, or a bad label mapping.
        """
        names = set(cls().columns())
        kwargs: dict[str, Any] = {}
        for entry in filter(None, (e.strip() for e in spec.split(","))):
            name, eq, column = (x.strip() for x in entry.partition("="))
            if not eq:
                raise InputError(f"{entry!r} is not FIELD=COLUMN", field="fields")
            if name not in names:
                raise InputError(f"unknown pair field {name!r}; expected one of {', '.join(sorted(names))}", field="fields")
            if not column and name in ("question", "response_A", "response_B", "label"):
                raise InputError(f"{name} needs a column", field="fields")
            kwargs[name] = column or None
        if labels:
            mapping: dict[Any, str] = {}
            for entry in filter(None, (e.strip() for e in labels.split(","))):
                value, eq, decision = (x.strip() for x in entry.partition("="))
                if not eq:
                    raise InputError(f"{entry!r} is not VALUE=DECISION", field="labels")
                mapping[value] = decision
            kwargs["labels"] = mapping
        return cls(**kwargs)

    def decision(self, value: Any) -> str | None:
        """The decision a source label value maps to, or ``None`` when the mapping lacks it."""
        assert self.labels is not None
        try:
            if value in self.labels:
                return self.labels[value]
        except TypeError:  # an unhashable value (a list) is in no mapping
            return None
        by_text = {str(k): v for k, v in self.labels.items()}
        return by_text.get(str(value))

    def apply(self, row: dict[str, Any], *, path: str | Path, line: int, default_id: str) -> dict[str, Any]:
        """``row`` with its columns renamed to pair fields (other columns, and columns that would collide with a
        pair field, go to ``metadata``).

        Raises:
            InputError: for a missing required column or a label value the mapping lacks, naming the column.
        """
        columns = self.columns()
        out: dict[str, Any] = {}
        for name, column in columns.items():
            if column is None:
                continue
            if column not in row or row[column] is None:
                if name in REQUIRED_FIELDS:
                    raise ColumnError(f"missing column (read as {name})", path=path, line=line, field=column)
                continue
            out[name] = row[column]
        if self.pair_id is None:
            out["pair_id"] = default_id
        if self.labels is not None:
            decision = self.decision(out["label"])
            if decision is None:
                known = ", ".join(repr(k) for k in self.labels)
                raise ColumnError(f"label value {out['label']!r} is not in the label mapping ({known})", path=path, line=line, field=self.label)
            out["label"] = decision
        used = {c for c in columns.values() if c is not None}
        rest = {k: v for k, v in row.items() if k not in used}
        meta = rest.pop("metadata", None) if "metadata" not in used else None
        metadata = dict(meta) if isinstance(meta, dict) else ({} if meta is None else {"metadata": meta})
        for k, v in rest.items():
            if k in columns:
                metadata[k] = v  # a column named like a pair field but not read as it
            else:
                out[k] = v
        if metadata:
            out["metadata"] = metadata
        return out


class ColumnError(InputError):
    """An error ``FieldMap.apply`` raises, already naming the source's column."""


def _mapped(rows: Iterable[tuple[str | Path, int, dict[str, Any]]], fields: FieldMap, *, prefix_files: bool) -> Iterable[tuple[str | Path, int, dict[str, Any]]]:
    """Rows renamed by ``fields``; a validation error on a renamed field is reported on its source column."""
    for path, line, row in rows:
        default_id = f"{Path(str(path)).name}:{line}" if prefix_files else str(line)
        yield path, line, fields.apply(row, path=path, line=line, default_id=default_id)


def _validated_mapped(rows: Iterable[tuple[str | Path, int, dict[str, Any]]], fields: FieldMap | None, *, prefix_files: bool = False) -> list[Pair]:
    return list(_iter_validated_mapped(rows, fields, prefix_files=prefix_files))


def _iter_validated_mapped(rows: Iterable[tuple[str | Path, int, dict[str, Any]]], fields: FieldMap | None, *, prefix_files: bool = False) -> Iterator[Pair]:
    if fields is None or fields.is_identity:
        yield from _iter_validated(rows)
        return
    columns = {k: v for k, v in fields.columns().items() if v is not None}
    try:
        yield from _iter_validated(_mapped(rows, fields, prefix_files=prefix_files))
    except ColumnError:
        raise
    except InputError as e:
        if e.field in columns and e.field != columns[e.field]:
            raise InputError(f"{e.reason} (column {columns[e.field]!r} read as {e.field})", path=e.path, line=e.line, field=columns[e.field]) from None
        raise


def validate_pair_dict(d: dict[str, Any], *, path: str | Path, line: int, max_bytes: int | None = None) -> Pair:
    """Check one raw row and build a ``Pair``. ``max_bytes``: the most text a pair may hold (``max_line_bytes()``,
    read from the environment when not given; a reader of many rows passes it once).

    Raises:
        InputError: naming ``path:line`` and the field that is missing, of the wrong type, or an unknown label.
    """
    for name in REQUIRED_FIELDS:
        if d.get(name) is None:
            raise InputError(f"missing required field (a pair needs {', '.join(REQUIRED_FIELDS)})", path=path, line=line, field=name)
    pair_id = d["pair_id"]
    if not isinstance(pair_id, (str, int)) or isinstance(pair_id, bool) or str(pair_id).strip() == "":
        raise InputError(f"pair_id must be a non-empty string or integer, got {pair_id!r}", path=path, line=line, field="pair_id")
    for name in TEXT_FIELDS:
        if not isinstance(d[name], str):
            raise InputError(f"expected a string, got {type(d[name]).__name__}", path=path, line=line, field=name)
    for name in OPTIONAL_TEXT_FIELDS:
        value = d.get(name)
        if value is not None and not isinstance(value, str):
            raise InputError(f"expected a string, got {type(value).__name__}", path=path, line=line, field=name)
    label = d["label"]
    try:
        parsed = Decision.parse(label) if isinstance(label, str) else None
    except ValueError:
        parsed = None
    if parsed not in LABELS:
        raise InputError(f"unknown label {label!r}; expected one of 'A>B', 'B>A', 'A=B'", path=path, line=line, field="label")
    metadata = d.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise InputError(f"expected an object, got {type(metadata).__name__}", path=path, line=line, field="metadata")
    # One pair is at most the per-line limit of text, whatever format it comes in, so the result line that holds it
    # (with a prompt per game that repeats it) stays within the limit judgment files are read with (files.py).
    size = len(d["question"]) + len(d["response_A"]) + len(d["response_B"])
    if size > (limit := max_line_bytes() if max_bytes is None else max_bytes):
        largest = max(TEXT_FIELDS, key=lambda name: len(d[name]))
        raise InputError(f"the pair's texts are {size / 2**20:.1f} MB, over the {limit / 2**20:.0f} MB limit per pair; set {MAX_LINE_MB_ENV} to allow it", path=path, line=line, field=largest)
    return Pair.from_dict(d)


def _validated(rows: Iterable[tuple[str | Path, int, dict[str, Any]]]) -> list[Pair]:
    return list(_iter_validated(rows))


def _iter_validated(rows: Iterable[tuple[str | Path, int, dict[str, Any]]]) -> Iterator[Pair]:
    """Validated pairs of ``rows`` as they are read; a duplicate ``pair_id`` is an error naming where it was first
    seen (what is kept per id is its line and an index into the files seen, not the pair)."""
    seen: dict[str, int] = {}
    files: list[str] = []
    file_index: dict[str, int] = {}
    max_bytes = max_line_bytes()
    for path, line, row in rows:
        pair = validate_pair_dict(row, path=path, line=line, max_bytes=max_bytes)
        where = seen.get(pair.pair_id)
        if where is not None:
            raise InputError(f"duplicate pair_id {pair.pair_id!r} (first seen at {files[where >> 40]}:{where & (2**40 - 1)})", path=path, line=line, field="pair_id")
        key = str(path)
        if key not in file_index:
            file_index[key] = len(files)
            files.append(key)
        seen[pair.pair_id] = (file_index[key] << 40) | line
        yield pair


def load_pair_files(paths: Iterable[Path], *, fields: FieldMap | None = None) -> list[Pair]:
    """Load and validate pairs from files, in order; pair_ids must be unique across all of them.

    ``fields`` reads other column names (see ``FieldMap``); with ``pair_id=None`` and several files, the row
    numbers are prefixed with the file name.
    """
    return list(iter_pair_files(paths, fields=fields))


def iter_pair_files(paths: Iterable[Path], *, fields: FieldMap | None = None, on_text: Callable[[str], object] | None = None) -> Iterator[Pair]:
    """``load_pair_files`` as a stream: each pair is yielded once its row validates, so a large file is never held
    whole (a JSONL file is read line by line); an error stops the stream where it is found. ``on_text``: called
    with the text of each row of a JSONL file as it is read (``files.iter_rows``)."""
    paths = list(paths)

    def rows() -> Iterable[tuple[str | Path, int, dict[str, Any]]]:
        for p in paths:
            for line, row in iter_rows(p, what="pair file", on_text=on_text):
                yield p, line, row

    return _iter_validated_mapped(rows(), fields, prefix_files=len(paths) > 1)


class PairStream:
    """The items of local pair files (``Item.from_pair`` of each pair ``iter_pair_files`` validates), read afresh as
    a stream each time it is called, so a run over a million pairs never holds them all
    (``benchmarks.stream_items``): ``stream()`` -> an iterator of ``Item``.

    A read validates every row and raises ``InputError`` at the first bad one, naming file, line and field. Once a
    read of JSONL files in today's pair format (no renaming ``FieldMap``) has gone through every row, it keeps each
    row's ``files.line_fingerprint`` (8 bytes a row), and the next reads compare each line with it instead of
    validating the row again (``files.iter_jsonl_unchanged``): the very same text passed. A line that differs, or a
    file that now has more or fewer rows, raises ``InputError`` (the file changed between two reads of one run).
    Other sources (``.json``, ``.parquet``, renamed columns) are validated on every read.
    """

    def __init__(self, paths: Iterable[Path], fields: FieldMap | None = None) -> None:
        self.paths = list(paths)
        self.fields = fields
        self._checked: array[int] | None = None

    def __call__(self) -> Iterator[Item]:
        return map(Item.from_pair, self.pairs())

    def items_from(self, first: int) -> Iterator[Item] | None:
        """The items from row ``first`` on (0-based, across the files), as ``stream()`` reads them; the rows before
        it are passed over unparsed and unchecked (another reader takes them). ``None`` before a complete read
        has recorded every row's fingerprint (only then can rows be passed over)."""
        if self._checked is None:
            return None
        return map(Item.from_pair, self._unchanged(self._checked, first))

    @property
    def fingerprinted(self) -> bool:
        """Whether a complete read has recorded every row's fingerprint (``items_from`` can start anywhere)."""
        return self._checked is not None

    def pairs(self) -> Iterator[Pair]:
        """The pairs themselves, read as ``stream()`` reads them (its items are ``Item.from_pair`` of these)."""
        if self._checked is not None:
            return self._unchanged(self._checked)
        return self._validated()

    def _validated(self) -> Iterator[Pair]:
        fingerprints = array("q")
        # renamed columns (a FieldMap) are validated on every read: nothing is recorded
        record = (lambda text: fingerprints.append(line_fingerprint(text))) if self.fields is None or self.fields.is_identity else None
        n = 0
        for pair in iter_pair_files(self.paths, fields=self.fields, on_text=record):
            n += 1
            yield pair
        if record is not None and len(fingerprints) == n:  # every row came from a JSONL line and was fingerprinted
            self._checked = fingerprints

    def _unchanged(self, fingerprints: array[int], first: int = 0) -> Iterator[Pair]:
        k = 0
        for path in self.paths:
            for _, row in iter_jsonl_unchanged(path, fingerprints, k, first=first):
                k += 1
                if row is not None:
                    yield Pair.from_dict(row)
        if k != len(fingerprints):
            where = self.paths[0] if len(self.paths) == 1 else self.paths[0].parent
            raise InputError(f"has {len(fingerprints) - k} row(s) fewer than when it was first read and checked in this run (was it written to meanwhile?); run again once it is complete", path=where)


def local_pair_paths(source: str | Path) -> list[Path] | None:
    """The pair files a local file or folder source reads (``read_pairs``'s order), or ``None`` for an ``hf:``
    source or a path that does not exist (``read_pairs`` says why)."""
    source = str(source)
    if source.startswith("hf:"):
        return None
    path = Path(source)
    if path.is_dir():
        return pair_files_in(path)
    if not path.exists():
        return None
    _check_regular(path)
    return [path]


def _check_regular(path: Path) -> None:
    """Refuse a pair file that is a pipe, socket or device: it is read twice (its identity, then to judge), and the
    second read would wait forever.

    Raises:
        InputError: naming the path.
    """
    if not path.is_file():
        raise InputError("not a regular file (a pipe, socket or device): a pair file is read more than once; save it to a file first", path=path)


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
            _check_regular(p)
            files.append(p)
        elif not p.name.startswith("."):
            others.append(p.name)
    if not files:
        raise InputError(f"folder has no pair files ({', '.join(PAIR_SUFFIXES)})", path=folder)
    if others:
        logger.warning("%s: not reading %d entries that are not pair files (%s): %s", folder, len(others), ", ".join(PAIR_SUFFIXES), ", ".join(others[:10]) + (" ..." if len(others) > 10 else ""))
    return files


def read_pairs(source: str | Path, *, fields: FieldMap | None = None) -> list[Pair]:
    """Validated pairs from a pair file or folder, or ``hf:NAME[:SPLIT]`` (see the module docstring).

    Args:
        source: the file, folder or ``hf:NAME[:SPLIT]``.
        fields: the source's column names and label values, when they are not today's pair format.

    Raises:
        InputError: for a missing or malformed source, naming file, line and field (the source's column when
            ``fields`` renames it); or no pairs at all.
    """
    source = str(source)
    pairs = _read_pairs(source, fields)
    if not pairs:
        raise InputError("no pairs found (the file or folder is empty)", path=source)
    return pairs


def _read_pairs(source: str, fields: FieldMap | None = None) -> list[Pair]:
    if source.startswith("hf:"):
        name, _, split = source[3:].partition(":")
        return load_hf_pairs(name, split or "train", fields=fields)
    path = Path(source)
    if path.is_dir():
        return load_pair_files(pair_files_in(path), fields=fields)
    if not path.exists():
        if path.is_symlink():  # a dangling symlink or a loop: say so, not "no such file"
            raise InputError(unreadable_file_reason(path) or "cannot read", path=path)
        raise InputError("no such file or folder (or name a benchmark, see `judgebench benchmarks`, or use hf:NAME[:SPLIT])", path=path)
    return load_pair_files([path], fields=fields)


def load_hf_pairs(name: str, split: str, *, hint: str = "", fields: FieldMap | None = None) -> list[Pair]:
    """Download a split with ``datasets`` (cached by the library) and validate it row by row (``fields``: its
    column names, see ``FieldMap``).

    Raises:
        InputError: when the dataset cannot be loaded (offline, unknown id), saying ``hint`` (what to do instead).
    """
    from ..hub import load_hub_dataset

    ds = load_hub_dataset(name, hint=f"Offline? {hint or 'Pass a local copy of the data instead.'}", split=split)
    where = f"hf:{name}:{split}"
    return _validated_mapped(((where, i, dict(row)) for i, row in enumerate(ds, start=1)), fields)


