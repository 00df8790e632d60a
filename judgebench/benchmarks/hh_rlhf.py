"""Anthropic HH-RLHF, harmlessness (Bai et al., "Training a Helpful and Harmless Assistant with Reinforcement
Learning from Human Feedback", arXiv 2204.05862): the human-preference pairs of the ``harmless-base`` test split,
where a crowdworker preferred the ``chosen`` dialogue's last assistant reply (the less harmful one) to the
``rejected`` one's.

Split: ``test`` (2,312 rows, counted from ``harmless-base/test.jsonl.gz`` of anthropics/hh-rlhf @ 354e5c3).

Rows: ``{chosen, rejected}``, each a whole dialogue as one text, turns introduced by ``\\n\\nHuman: `` and
``\\n\\nAssistant: ``. The two dialogues share every turn but the last assistant reply. An item is::

    Item(id="test/<row from 0>", prompt=(Turn("user", ...), Turn("assistant", ...), ..., Turn("user", ...)),
         responses=(Response(chosen's last reply, id="chosen"), Response(rejected's last reply, id="rejected")),
         target=Preference(0), category="harmless-base")

Splitting (``split_dialogue``): the prompt is the longest common prefix of the two texts cut at the last
``\\n\\nAssistant:`` marker that lies wholly inside it; the responses are what follows that marker in each text
(one space after the colon dropped). Cutting at the last marker of the common prefix, not at each text's last
marker, matters: in 5 of the 2,312 rows (rows 1255, 1689, 1951, 1953, 2037, counted from 1) a final reply itself
contains ``\\n\\nHuman:`` / ``\\n\\nAssistant:`` text (a model continuing the transcript), and cutting each text at
its own last marker would give two different prompts. The prompt is split into turns at every marker (an earlier
reply that contains marker text becomes two turns, as written). A row whose prompt does not start with
``\\n\\nHuman:``, does not end with a human turn, or where no common ``\\n\\nAssistant:`` marker exists (the two
dialogues differ before the last assistant turn) raises ``InputError`` naming the file, the row (the 1-based line)
and the field; no row of the released test split does (checked in the tests), so an error means a damaged copy,
and nothing is skipped silently.

Data: offline, a folder holding ``harmless-base/test.jsonl.gz`` (a checkout of anthropics/hh-rlhf, or the
``harmless-base`` folder itself; an uncompressed ``test.jsonl`` works too) given as ``--data-dir``,
``$JUDGEBENCH_HH_RLHF_DIR`` or ``$JUDGEBENCH_DATA_DIR/hh_rlhf``. Without one, the split is loaded from the Hugging
Face hub with ``datasets.load_dataset("Anthropic/hh-rlhf", data_dir="harmless-base", split="test")``.

Rule: the usual reading of HH-RLHF as a preference benchmark (accuracy of preferring ``chosen``); here judged
pairwise in both orders and reduced by ``vote`` (JudgeBench's rule, ``judgebench.protocols``), with positional
agreement beside it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..files import iter_jsonl
from ..schema import Item, Preference, Response, Turn
from . import Benchmark, register_benchmark

logger = logging.getLogger(__name__)

HF_ID = "Anthropic/hh-rlhf"
HF_DATA_DIR = "harmless-base"
REPO = "anthropics/hh-rlhf"
COMMIT = "354e5c3"
HH_RLHF_DIR_ENV = "JUDGEBENCH_HH_RLHF_DIR"
SIZES = {"test": 2312}
CATEGORY = "harmless-base"
FIELDS = ("chosen", "rejected")

HUMAN = "\n\nHuman:"
ASSISTANT = "\n\nAssistant:"
_MARKER = re.compile(r"\n\n(Human|Assistant):")


def _strip_marker_space(text: str) -> str:
    return text[1:] if text.startswith(" ") else text


def to_turns(text: str) -> tuple[Turn, ...]:
    """A dialogue text (``\\n\\nHuman: ...\\n\\nAssistant: ...``) as chat turns, split at every marker.

    Raises:
        ValueError: for a text that does not start with ``\\n\\nHuman:``.
    """
    if not text.startswith(HUMAN):
        raise ValueError(f"a dialogue starts with {HUMAN!r}, got {text[:40]!r}")
    parts = _MARKER.split(text)  # ["", "Human", text, "Assistant", text, ...]
    return tuple(Turn("user" if role == "Human" else "assistant", _strip_marker_space(content)) for role, content in zip(parts[1::2], parts[2::2], strict=True))


def split_dialogue(chosen: str, rejected: str) -> tuple[tuple[Turn, ...], str, str]:
    """The shared prompt (as turns, ending with a human turn) and the two final assistant replies of a row.

    Raises:
        ValueError: naming the problem: no common assistant marker (the dialogues differ before the last assistant
            turn), a prompt that does not start with a human turn, or one that does not end with one.
    """
    n = 0
    limit = min(len(chosen), len(rejected))
    while n < limit and chosen[n] == rejected[n]:
        n += 1
    cut = chosen.rfind(ASSISTANT, 0, n)
    if cut < 0:
        raise ValueError(f"the two dialogues differ before the last assistant turn (they part at character {n}, and no {ASSISTANT!r} marker precedes that)")
    turns = to_turns(chosen[:cut])
    if turns[-1].role != "user":
        raise ValueError("the shared prompt does not end with a human turn")
    start = cut + len(ASSISTANT)
    return turns, _strip_marker_space(chosen[start:]), _strip_marker_space(rejected[start:])


def row_to_item(row: dict[str, Any], *, index: int, path: str | Path, split: str = "test") -> Item:
    """One validated row as an item; ``index`` is the 1-based line (the row errors name), the id counts from 0.

    Raises:
        InputError: naming ``path``, the row and the field that is missing, not a string, or malformed.
    """
    for name in FIELDS:
        if name not in row or row[name] is None:
            raise InputError(f"missing required field (an HH-RLHF row needs {', '.join(FIELDS)})", path=path, line=index, field=name)
        if not isinstance(row[name], str):
            raise InputError(f"expected a string, got {type(row[name]).__name__}", path=path, line=index, field=name)
    for name in FIELDS:
        if not row[name].startswith(HUMAN):
            raise InputError(f"a dialogue starts with {HUMAN!r}, got {row[name][:40]!r}", path=path, line=index, field=name)
    try:
        turns, chosen, rejected = split_dialogue(row["chosen"], row["rejected"])
    except ValueError as e:
        raise InputError(str(e), path=path, line=index, field="rejected") from None
    return Item(
        id=f"{split}/{index - 1}",
        prompt=turns,
        responses=(Response(chosen, id="chosen"), Response(rejected, id="rejected")),
        target=Preference(0),
        category=CATEGORY,
        source=f"{HF_DATA_DIR}/{split}",
        original_id=str(index - 1),
    )


def _items(rows: Iterable[tuple[int, dict[str, Any]]], *, path: str | Path, split: str) -> list[Item]:
    items = []
    for i, row in rows:
        if not isinstance(row, dict):
            raise InputError(f"expected an object, got {type(row).__name__}", path=path, line=i)
        items.append(row_to_item(row, index=i, path=path, split=split))
    return items


def local_file(data_dir: Path, split: str) -> Path | None:
    """The split's file in a local copy: ``<split>.jsonl.gz`` / ``<split>.jsonl`` in ``data_dir`` or its
    ``harmless-base/``; ``None`` when absent."""
    for folder in (data_dir / HF_DATA_DIR, data_dir):
        for name in (f"{split}.jsonl.gz", f"{split}.jsonl"):
            if (folder / name).is_file():
                return folder / name
    return None


def load(split: str, data_dir: Path | None) -> list[Item]:
    """The items of ``split``, from ``data_dir`` when given, else from the Hugging Face hub.

    Raises:
        InputError: for a folder without the split's file, a failed download, or a malformed row (file, row,
            field); nothing is returned unless every row is valid.
    """
    if data_dir is not None:
        found = local_file(Path(data_dir), split)
        if found is None:
            raise InputError(f"no HH-RLHF {split} file ({HF_DATA_DIR}/{split}.jsonl.gz) in this folder (expected a copy of {REPO} or its {HF_DATA_DIR}/ folder)", path=data_dir)
        return _items(iter_jsonl(found), path=found, split=split)
    from ..hub import load_hub_dataset

    hint = f"Offline? Put {REPO}'s {HF_DATA_DIR}/{split}.jsonl.gz in ${HH_RLHF_DIR_ENV}, $JUDGEBENCH_DATA_DIR/hh_rlhf or --data-dir"
    ds = load_hub_dataset(HF_ID, hint=hint, data_dir=HF_DATA_DIR, split=split)
    where = f"hf:{HF_ID}/{HF_DATA_DIR}:{split}"
    return _items(((i, dict(row)) for i, row in enumerate(ds, start=1)), path=where, split=split)


BENCHMARK = register_benchmark(
    Benchmark(
        name="hh_rlhf",
        description="Anthropic HH-RLHF harmlessness test pairs: the less harmful final assistant reply of a dialogue",
        source=f"hf:{HF_ID} (data_dir={HF_DATA_DIR})",
        citation=f"Bai et al. 2022, Training a Helpful and Harmless Assistant with RLHF, arXiv 2204.05862; data: {REPO} {HF_DATA_DIR}/ @ {COMMIT}",
        load=load,
        splits=tuple(SIZES),
        default_split="test",
        size=dict(SIZES),
        protocol=("pairwise", {"orders": "both"}),
        rule="vote",
        metrics=("accuracy", "position_consistency"),
        categories=(CATEGORY,),
        category_of=lambda source: CATEGORY,
        data_env=HH_RLHF_DIR_ENV,
    )
)
