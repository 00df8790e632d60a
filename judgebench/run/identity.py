"""Which data a run judged: the content identity of a set of items and the results folder it names."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any

from ..schema import Item, Pair, Preference


def dataset_name(source: str | Path) -> str:
    """A short folder name for a data source: ``judgebench:gpt`` -> ``judgebench-gpt``, ``llmbar:natural`` ->
    ``llmbar-natural``, ``hf:a/b`` -> ``a_b``, ``a/b.jsonl`` -> ``b``; ``data`` for a name that holds a credential (a
    file named after a key: a folder name is written everywhere a path is; the content hash still tells sets apart)."""
    from ..secrets import holds_credentials

    s = str(source)
    if s.startswith("hf:") or (":" in s and not Path(s).exists()):
        name = s.removeprefix("hf:").replace(":", "-").replace("/", "_")  # only the prefix: hh_rlhf:test is hh_rlhf-test
    else:
        p = Path(s)
        name = p.name if p.is_dir() else p.stem
    return "data" if holds_credentials(name) else name


def data_folder(name: str, set_size: int, judged: int) -> str:
    """``DataIdentity.folder`` of a set named ``name`` with ``set_size`` items of which the first ``judged`` are
    judged (known before any hash: a registered benchmark's folder is its name)."""
    return f"{name}@limit={judged}" if judged < set_size else name


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
        digest.update(pair_line(p))
    return digest.hexdigest()


def pair_line(pair: Pair) -> bytes:
    """One pair's line of :func:`pair_set_sha256` (UTF-8, with its newline): the line of its item in
    :func:`item_set_sha256` too."""
    return _dumps([pair.pair_id, pair.question, pair.response_A, pair.response_B, str(pair.label)]).encode("utf-8") + b"\n"


def item_set_sha256(items: Iterable[Item]) -> str:
    """The content identity of a set of items: sha256 (hex) over the items sorted by id, one JSON line each.

    A pair (two responses to a text prompt with a preference) is the line ``[pair_id, question, response_A,
    response_B, label]`` of :func:`pair_set_sha256`, so a pair set's identity is the same read as pairs or as
    items; any other item is ``[id, prompt, [response texts], target]``. What is judged and what it is scored
    against, nothing else (not the file's name, format, row order, sources, models or metadata).
    """
    digest = hashlib.sha256()
    for item in sorted(items, key=lambda i: i.id):
        digest.update(_item_line(item))
    return digest.hexdigest()


def _item_line(item: Item) -> bytes:
    """One item's line of :func:`item_set_sha256`."""
    if len(item.responses) == 2 and isinstance(item.prompt, str) and isinstance(item.target, Preference):
        a, b = item.responses
        row: list[Any] = [item.id, item.prompt, a.text, b.text, str(item.target.decision)]
    else:
        prompt = item.prompt if isinstance(item.prompt, str) else [t.to_dict() for t in item.prompt]
        row = [item.id, prompt, [r.text for r in item.responses], item.target.to_dict() if item.target is not None else None]
    return _dumps(row).encode("utf-8") + b"\n"


_dumps = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
"""``json.dumps(obj, ensure_ascii=False)``, with one encoder for every line; the same text (a line is a tree built
from one pair, so the encoder's cycle check, a fifth of its time, finds nothing)."""


@dataclass(frozen=True)
class DataIdentity:
    """Which pairs a run judged, as recorded in ``run.json`` (``pairs``) and encoded in its results folder name.

    Attributes:
        source: the source as given (``judgebench:gpt``, a path, ``hf:NAME``).
        name: the readable name of the whole set: ``judgebench-gpt`` for a registered benchmark, else the
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
        return data_folder(self.name, self.set_size, self.judged)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def data_identity(source: str | Path, all_items: Sequence[Item], judged: Sequence[Item], limit: int | None = None, *, named: bool = False) -> DataIdentity:
    """The :class:`DataIdentity` of judging ``judged`` (the first ``limit`` of ``all_items``) from ``source``;
    ``named``: the source is a registered benchmark, whose readable name identifies it (its results folder keeps that
    name; the content hash is recorded in ``run.json`` and checked before a run reuses the folder)."""
    s = str(source)
    set_hash = item_set_sha256(all_items)
    name = dataset_name(s) if named else f"{dataset_name(s)}-{set_hash[:8]}"
    judged_hash = set_hash if len(judged) == len(all_items) else item_set_sha256(judged)
    return DataIdentity(source=s, name=name, set_sha256=set_hash, set_size=len(all_items), limit=limit, judged=len(judged), judged_sha256=judged_hash)


def stream_identity(
    source: str | Path,
    items: Callable[[], Iterable[Any]],
    limit: int | None = None,
    *,
    named: bool = False,
    on_item: Callable[[int, Any], None] | None = None,
    line: Callable[[Any], bytes] = _item_line,
    id_of: Callable[[Any], str] = attrgetter("id"),
) -> DataIdentity:
    """:func:`data_identity` of a source read as a stream (``items()`` iterates it afresh each call), without
    holding its items: one pass hashes each item's line as it comes while the ids arrive in sorted order (a
    generated or exported file usually is), for the whole set and for the first ``limit`` items (the judged ones).
    At the first id out of order a second pass keeps every line (as much memory as the set's text) and sorts it, so
    the hashes always equal ``item_set_sha256``'s. ``on_item(index, item)`` is called once per item of the first
    pass (index from 0), for whatever else the caller gathers in the same read. ``items()`` may give pairs instead
    of items, with ``line=pair_line`` and ``id_of=attrgetter("pair_id")``: the same hashes, without building items.
    """
    s = str(source)
    whole, judged = hashlib.sha256(), hashlib.sha256()
    last: str | None = None
    in_order = True
    size = 0
    for item in items():
        if on_item is not None:
            on_item(size, item)
        if in_order:
            key = id_of(item)
            if last is not None and key < last:
                in_order = False
            else:
                text = line(item)
                whole.update(text)
                if not limit or size < limit:
                    judged.update(text)
                last = key
        size += 1
    if in_order:
        set_hash, judged_hash = whole.hexdigest(), judged.hexdigest()
    else:
        lines = [(id_of(item), line(item)) for item in items()]
        set_hash = _sorted_digest(lines)
        judged_hash = set_hash if not limit or limit >= len(lines) else _sorted_digest(lines[:limit])
    n_judged = min(limit, size) if limit else size
    name = dataset_name(s) if named else f"{dataset_name(s)}-{set_hash[:8]}"
    return DataIdentity(source=s, name=name, set_sha256=set_hash, set_size=size, limit=limit, judged=n_judged, judged_sha256=judged_hash if n_judged < size else set_hash)


def _sorted_digest(lines: list[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256()
    for _, line in sorted(lines, key=lambda x: x[0]):
        digest.update(line)
    return digest.hexdigest()
