"""MT-Bench human judgments (``lmsys/mt_bench_human_judgments``): the votes that FastChat's agreement rule compares.

Splits: ``human`` (3.3K expert and author votes on pairs of model answers to the 80 MT-Bench questions, turns 1
and 2) and ``gpt4_pair`` (GPT-4's pairwise votes on the same pairs). Each row has ``question_id``, ``model_a``,
``model_b``, ``winner`` (``model_a`` / ``model_b`` / ``tie`` / ``tie (bothbad)``), ``judge`` and ``turn`` (and the
two conversations, not read here). The rule (S1 / S2 agreement) is :mod:`judgebench.metrics.mt_bench_agreement`.

The set is on the Hugging Face hub only here: it is read with ``datasets`` (cached by the library) or, offline, from
a local copy of a split's rows (``.json`` list, ``.jsonl``, ``.parquet``: a file, or a folder of them) passed as
``data_dir``.

Not registered as a benchmark: the registry's benchmarks are *items* a judge is run on and scored by a label or a
reducer; this set is an *agreement* benchmark, two sets of votes compared per (question, model pair, turn) with
several human votes per key. Running a judge on it would need its own items (the two conversations per turn) and a
details rule keyed by FastChat's key; that is not built (the ``gpt4_pair`` split is the published judge's votes).
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..errors import InputError
from ..files import ROW_SUFFIXES, iter_rows
from ..metrics.mt_bench_agreement import Vote
from ._download import hub_rows

logger = logging.getLogger(__name__)

HF_ID = "lmsys/mt_bench_human_judgments"
SPLITS = ("human", "gpt4_pair")


def _local_files(data_dir: Path) -> list[Path]:
    if data_dir.is_file():
        return [data_dir]
    if not data_dir.is_dir():
        raise InputError("no MT-Bench human judgments copy here (expected a file or a folder of a split's rows)", path=data_dir)
    found = sorted(p for p in data_dir.rglob("*") if p.is_file() and p.name.lower().endswith(ROW_SUFFIXES))
    if not found:
        raise InputError(f"no row file ({', '.join(ROW_SUFFIXES)}) in this folder", path=data_dir)
    return found


def _vote(row: dict[str, object], *, path: str | Path, line: int) -> Vote:
    try:
        return Vote.from_row(row)
    except (ValueError, TypeError) as e:
        raise InputError(str(e), path=path, line=line) from None


def load_mt_bench_human_judgments(split: str, data_dir: str | Path | None = None) -> list[Vote]:
    """The votes of ``split`` (``human`` or ``gpt4_pair``), from ``data_dir`` (a file or a folder of the split's row
    files) when given, else from the hub with ``datasets``.

    Raises:
        InputError: for an unknown split, a missing copy, a malformed row (file, row), or a failed hub load (offline:
            the message says that the set is hub-only here and how to pass a local copy).
    """
    if split not in SPLITS:
        raise InputError(f"unknown split {split!r} of {HF_ID}; use one of {', '.join(SPLITS)}", path=f"hf:{HF_ID}")
    if data_dir is not None:
        return [_vote(row, path=p, line=i) for p in _local_files(Path(data_dir)) for i, row in iter_rows(p, what="MT-Bench votes")]
    rows = hub_rows(
        HF_ID,
        split,
        offline_hint="The MT-Bench human judgments are on the hub only (hub only: no other public copy is read here); offline, "
        "pass a local copy of the split's rows (JSON, JSONL or Parquet, a file or a folder) as data_dir",
    )
    return [_vote(row, path=where, line=i) for where, i, row in rows]
