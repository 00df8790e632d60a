"""LLMBar (Zeng et al., "Evaluating Large Language Models at Evaluating Instruction Following", ICLR 2024, arXiv
2310.07641): pairs of outputs to one instruction, one of which follows it faithfully (the ``label``); plus the three
other meta-evaluation sets the paper re-processed (ties removed).

Sets, as split names, the category each item gets (the set's name as the paper prints it; ``LLMEval2`` stands for
the paper's LLMEval², kept ASCII for CSV, LaTeX and terminals) and the upstream folder under ``Dataset/``:

==============  ============  ====================================  =====
split           category      upstream folder                       items
==============  ============  ====================================  =====
``natural``     Natural       ``LLMBar/Natural``                    100
``neighbor``    Neighbor      ``LLMBar/Adversarial/Neighbor``       134
``gptinst``     GPTInst       ``LLMBar/Adversarial/GPTInst``        92
``gptout``      GPTOut        ``LLMBar/Adversarial/GPTOut``         47
``manual``      Manual        ``LLMBar/Adversarial/Manual``         46
``faireval``    FairEval      ``Processed/FairEval``                66
``llmeval2``    LLMEval2      ``Processed/LLMEval^2``               200
``mtbench``     MT-Bench      ``Processed/MT-Bench``                200
==============  ============  ====================================  =====

``adversarial`` is the four adversarial sets (319 items), ``all`` (the default) every set (885), in the order above
(the upstream README's). Item ids are ``<category>/<index>``, the index counted from 0 in the set's JSON list
(``Natural/0`` is the first row, which errors call row 1); ``source`` is the upstream folder.

Rows (verified against every released file): ``{input, output_1, output_2, label}`` with ``label`` 1 or 2 naming
the better output. An item is ``Item(prompt=input, responses=(Response(output_1, id="1"), Response(output_2,
id="2")), target=Preference(label - 1))``. A malformed row raises ``InputError`` naming the file, the row (1-based
index in the JSON list) and the field; nothing partial is returned.

Data: offline, a copy of the repository's ``Dataset/`` folder (holding ``LLMBar/`` and ``Processed/``; the
repository root, holding ``Dataset/``, works too) given as ``--data-dir``, ``$JUDGEBENCH_LLMBAR_DIR`` or
``$JUDGEBENCH_DATA_DIR/llmbar``. Without one, the ``dataset.json`` files are downloaded from GitHub
(``raw.githubusercontent.com/princeton-nlp/LLMBar/<commit>/Dataset/...``, pinned to commit 900616b so the data
never changes under a result) and kept under ``$JUDGEBENCH_CACHE_DIR/data/llmbar/<commit>/``; offline, the error
says where to put a local copy. Not the Hugging Face copy (``princeton-nlp/LLMBar``): it is a loading script
(``LLMBar.py``), which ``datasets`` 4 and later no longer run, and it holds neither the Processed sets nor a
pinned revision of the files.

Rule (princeton-nlp/LLMBar ``LLMEvaluator/evaluate.py``, the statistics block at the end of ``main``, commit
900616bff90b6c6c8e1681f7d079250637c55992): every instance is judged in both orders (``swap = False`` / ``swap =
True``, the swapped verdict mapped back with ``reverse_label``); ``correct_average`` = (#(verdict == label) over
the unswapped order + the same over the swapped order) / 2 / n, the paper's Acc.; ``equal`` = #(the two verdicts
are the same) / n, the paper's positional agreement rate (Agr.; two missing verdicts count as agreeing there, as in
``judgebench.analysis.scoring.is_consistent``). Here: protocol ``pairwise`` with ``orders=both``, the ``average``
reducer (``judgebench.protocols``), metrics accuracy and position consistency.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..files import iter_json_list
from ..schema import Decision, Item, ItemResult, Judgment, Preference, Response
from . import Benchmark, register_benchmark
from ._download import cache_root, cached_download

logger = logging.getLogger(__name__)

REPO = "princeton-nlp/LLMBar"
COMMIT = "900616bff90b6c6c8e1681f7d079250637c55992"
RAW_BASE = f"https://raw.githubusercontent.com/{REPO}/{COMMIT}/Dataset"
LLMBAR_DIR_ENV = "JUDGEBENCH_LLMBAR_DIR"
FIELDS = ("input", "output_1", "output_2", "label")
TEXT_FIELDS = ("input", "output_1", "output_2")


@dataclass(frozen=True)
class LLMBarSet:
    """One released set: its split name, its category (the paper's name) and its folder under ``Dataset/``."""

    split: str
    category: str
    folder: str
    size: int

    @property
    def relpath(self) -> str:
        """The set's file, relative to ``Dataset/``."""
        return f"{self.folder}/dataset.json"


SETS: tuple[LLMBarSet, ...] = (
    LLMBarSet("natural", "Natural", "LLMBar/Natural", 100),
    LLMBarSet("neighbor", "Neighbor", "LLMBar/Adversarial/Neighbor", 134),
    LLMBarSet("gptinst", "GPTInst", "LLMBar/Adversarial/GPTInst", 92),
    LLMBarSet("gptout", "GPTOut", "LLMBar/Adversarial/GPTOut", 47),
    LLMBarSet("manual", "Manual", "LLMBar/Adversarial/Manual", 46),
    LLMBarSet("faireval", "FairEval", "Processed/FairEval", 66),
    LLMBarSet("llmeval2", "LLMEval2", "Processed/LLMEval^2", 200),
    LLMBarSet("mtbench", "MT-Bench", "Processed/MT-Bench", 200),
)
"""Every set, in the upstream README's order (Natural, the four Adversarial, then the Processed sets)."""

_BY_SPLIT = {s.split: s for s in SETS}
GROUPS: dict[str, tuple[str, ...]] = {
    "adversarial": ("neighbor", "gptinst", "gptout", "manual"),
    "all": tuple(s.split for s in SETS),
}
"""Splits that are several sets, in order."""

SPLITS: dict[str, tuple[LLMBarSet, ...]] = {s.split: (s,) for s in SETS} | {g: tuple(_BY_SPLIT[x] for x in members) for g, members in GROUPS.items()}
"""Split name -> its sets."""

CATEGORIES = tuple(s.category for s in SETS)
_CATEGORY_BY_FOLDER = {s.folder: s.category for s in SETS}


def category_of(source: str) -> str:
    """The category of an item from its ``source`` (the upstream folder, ``LLMBar/Adversarial/GPTInst``); a source
    that is no LLMBar folder gives its last path part (``Other`` when empty)."""
    if source in _CATEGORY_BY_FOLDER:
        return _CATEGORY_BY_FOLDER[source]
    return source.rstrip("/").rsplit("/", 1)[-1] or "Other"


def row_to_item(row: dict[str, Any], *, llmbar_set: LLMBarSet, index: int, path: str | Path) -> Item:
    """One validated row as an item; ``index`` counts from 1 (the row errors name), the id from 0.

    Raises:
        InputError: naming ``path``, the row and the field that is missing, not a string, or a label other than 1/2.
    """
    for name in FIELDS:
        if name not in row or row[name] is None:
            raise InputError(f"missing required field (an LLMBar row needs {', '.join(FIELDS)})", path=path, line=index, field=name)
    for name in TEXT_FIELDS:
        if not isinstance(row[name], str):
            raise InputError(f"expected a string, got {type(row[name]).__name__}", path=path, line=index, field=name)
    label = row["label"]
    if isinstance(label, bool) or not isinstance(label, int) or label not in (1, 2):
        raise InputError(f"label must be 1 or 2 (the better output), got {label!r}", path=path, line=index, field="label")
    extra = {k: v for k, v in row.items() if k not in FIELDS}
    return Item(
        id=f"{llmbar_set.category}/{index - 1}",
        prompt=row["input"],
        responses=(Response(row["output_1"], id="1"), Response(row["output_2"], id="2")),
        target=Preference(label - 1),
        category=llmbar_set.category,
        source=llmbar_set.folder,
        original_id=str(index - 1),
        metadata=extra,
    )


def read_set(path: str | Path, llmbar_set: LLMBarSet) -> list[Item]:
    """The items of one set's ``dataset.json`` (a JSON list of rows), all validated before any is returned.

    Raises:
        InputError: for a missing or unreadable file, a top level that is not a list, or a malformed row (file,
            row, field).
    """
    items = [row_to_item(row, llmbar_set=llmbar_set, index=i, path=path) for i, row in iter_json_list(path, what="LLMBar dataset")]
    if not items:
        raise InputError(f"LLMBar's {llmbar_set.category} set is empty here (the released set has {llmbar_set.size} rows): a damaged copy?", path=path)
    return items


def dataset_root(data_dir: Path) -> Path:
    """The folder holding ``LLMBar/`` and ``Processed/``: ``data_dir`` itself, or its ``Dataset/`` (a checkout of the
    repository)."""
    if not (data_dir / "LLMBar").exists() and not (data_dir / "Processed").exists() and (data_dir / "Dataset").is_dir():
        return data_dir / "Dataset"
    return data_dir


def download(llmbar_set: LLMBarSet) -> Path:
    """The set's ``dataset.json`` from GitHub at the pinned commit, kept in the cache (downloaded once).

    Raises:
        InputError: when it cannot be downloaded (offline, blocked), saying where to put a local copy instead.
    """
    return cached_download(
        f"{RAW_BASE}/{urllib.parse.quote(llmbar_set.relpath)}",
        cache_root("llmbar", COMMIT) / llmbar_set.relpath,
        what=f"LLMBar's {llmbar_set.category} set",
        offline_hint=f"Put a copy of {REPO}'s Dataset/ folder (LLMBar/ and Processed/) in ${LLMBAR_DIR_ENV}, $JUDGEBENCH_DATA_DIR/llmbar or --data-dir",
    )


def set_files(split: str, data_dir: Path | None) -> list[tuple[LLMBarSet, Path]]:
    """The file of each set of ``split``: in the local copy, or downloaded.

    Raises:
        InputError: for an unknown split, a local copy missing a set's file (naming every missing one), or a
            failed download.
    """
    if split not in SPLITS:
        raise InputError(f"unknown llmbar split {split!r}; use one of: {', '.join(f'llmbar:{x}' for x in SPLITS)}", path=f"llmbar:{split}")
    sets = SPLITS[split]
    if data_dir is None:
        return [(s, download(s)) for s in sets]
    root = dataset_root(Path(data_dir))
    files = [(s, root / s.relpath) for s in sets]
    missing = [str(p) for _, p in files if not p.is_file()]
    if missing:
        hint = f"; {root / 'llmbar'} looks like it: pass that folder (--data-dir takes the benchmark's own folder, $JUDGEBENCH_DATA_DIR its parent)" if (root / "llmbar").is_dir() else ""
        raise InputError(f"this LLMBar copy lacks {', '.join(missing)} (expected a copy of {REPO}'s Dataset/ folder, holding LLMBar/ and Processed/){hint}", path=data_dir)
    return files


def load(split: str, data_dir: Path | None) -> list[Item]:
    """The items of ``split`` (its sets in order), from ``data_dir`` when given, else downloaded.

    Raises:
        InputError: see ``set_files`` and ``read_set``; nothing is returned unless every row of every set is valid.
    """
    items: list[Item] = []
    for llmbar_set, path in set_files(split, data_dir):
        items.extend(read_set(path, llmbar_set))
    return items


BENCHMARK = register_benchmark(
    Benchmark(
        name="llmbar",
        description="instruction-following pairs (Natural, four Adversarial sets) and re-processed FairEval, LLMEval2, MT-Bench",
        source=f"github:{REPO} Dataset/ @ {COMMIT[:7]}",
        citation=(
            "Zeng et al. 2024, Evaluating Large Language Models at Evaluating Instruction Following (ICLR 2024), arXiv 2310.07641; "
            f"rule: {REPO} LLMEvaluator/evaluate.py @ {COMMIT[:7]}"
        ),
        load=load,
        splits=tuple(SPLITS),
        default_split="all",
        size={s.split: s.size for s in SETS} | {g: sum(_BY_SPLIT[x].size for x in members) for g, members in GROUPS.items()},
        protocol=("pairwise", {"orders": "both"}),
        rule="average",
        metrics=("accuracy", "position_consistency"),
        categories=CATEGORIES,
        category_of=category_of,
        data_env=LLMBAR_DIR_ENV,
    )
)


# ---------------------------------------------------------------------------------------------------------------
# released results: LLMEvaluator/evaluate.py's result.json

RESULT_SWAPS = ("swap = False", "swap = True")
"""The two keys of the last entry of an instance's ``results`` in ``result.json``: the verdict on the pair as given,
and the verdict on the swapped pair mapped back with ``reverse_label`` (both name the better output, ``"1"`` /
``"2"``, or ``null`` when the completion matched no parsing pattern)."""
_WINNER_SHOWN = {("1", False): Decision.A_BETTER, ("2", False): Decision.B_BETTER, ("1", True): Decision.B_BETTER, ("2", True): Decision.A_BETTER}


def result_path_parts(path: str | Path) -> tuple[LLMBarSet, str]:
    """The set and the evaluator a ``result.json`` path names: upstream writes it to
    ``<--path>/evaluators/<evaluator>/result.json`` (``<--path>`` the set's folder, ``Dataset/LLMBar/Natural``;
    ``<evaluator>`` ``GPT-4/Vanilla``). A path that names no known set gives an ad-hoc set whose category is the
    folder's name (``LLMBar`` when there is none); a path without ``evaluators/`` gives evaluator ``""``."""
    parts = Path(path).resolve().parts
    if "evaluators" in parts:
        k = len(parts) - 1 - parts[::-1].index("evaluators")
        folder, evaluator = "/".join(parts[:k]), "/".join(parts[k + 1 : -1])
    else:
        folder, evaluator = "/".join(parts[:-1]), ""
    for s in SETS:
        if folder.endswith("/" + s.folder):
            return s, evaluator
    name = folder.rstrip("/").rsplit("/", 1)[-1] or "LLMBar"
    return LLMBarSet(split="", category=name, folder=name, size=0), evaluator


def _swap_judgment(result: Any, swapped: bool, *, path: str | Path, index: int) -> Judgment:
    key = RESULT_SWAPS[swapped]
    field = f"results[-1].{key}"
    if not isinstance(result, dict) or not isinstance(result.get(key), dict) or "winner" not in result[key]:
        raise InputError(f"expected an object with a winner (LLMEvaluator/evaluate.py's annotate), got {result.get(key) if isinstance(result, dict) else result!r:.60}", path=path, line=index, field=field)
    winner = result[key]["winner"]
    completion = result[key].get("completion")
    output = str(completion[0]) if isinstance(completion, list) and completion else ""
    view = (1, 0) if swapped else (0, 1)
    if winner is None:
        # the completion matched no parsing pattern: wrong in upstream's correct_* counts, and "equal" with another
        # null in its agreement count. The judge answered, so this is a no-decision (what judgebench records for an
        # answer it cannot parse), not a failed call: failures are left out of position consistency
        return Judgment(Decision.NONE, game=1 + swapped, view=view, output=output, extra={"upstream": "no verdict parsed (winner is null)"})
    if (str(winner), swapped) not in _WINNER_SHOWN:
        raise InputError(f'winner must be "1", "2" or null, got {winner!r:.40}', path=path, line=index, field=f"{field}.winner")
    return Judgment(_WINNER_SHOWN[(str(winner), swapped)], game=1 + swapped, view=view, output=output)


def result_json_results(path: str | Path) -> list[ItemResult]:
    """LLMBar's released (or re-run) ``result.json`` as results on ``llmbar:<set>`` items.

    Format (princeton-nlp/LLMBar ``LLMEvaluator/evaluate.py`` @ 900616b, ``annotate`` and the ``dump_json`` at the
    end of ``__main__``): the set's ``dataset.json`` rows in order, each with ``results``, a list whose last entry
    holds ``"swap = False"`` and ``"swap = True"``, each ``{"completion": [text, finish_reason], "winner": "1" | "2"
    | null}``; the swapped verdict is already mapped back to the original order (``reverse_label``). The Rating
    evaluators write ``score_1`` / ``score_2`` and the two winners derived from them in the same keys.

    Each row becomes the item ``llmbar.load`` gives (``row_to_item``: id ``<category>/<index>``, the set read from
    the path, ``result_path_parts``) with two judgments: game 1 on ``(0, 1)`` and game 2 on ``(1, 0)``, decisions in
    the order shown; a ``null`` winner is a failed judgment (upstream counts it wrong). Scored by the llmbar
    benchmark's rule (``average`` reducer = ``correct_average``; position consistency = ``equal``).

    Raises:
        InputError: for an unreadable file, a top level that is not a list, or a malformed row (file, row, field).
    """
    llmbar_set, evaluator = result_path_parts(path)
    judge = f"llmbar:{evaluator}" if evaluator else "llmbar"
    model = evaluator.split("/", 1)[0] if evaluator else ""
    out = []
    for index, row in iter_json_list(path, what="LLMBar result.json"):
        item = row_to_item({k: v for k, v in row.items() if k != "results"}, llmbar_set=llmbar_set, index=index, path=path)
        results = row.get("results")
        if not isinstance(results, list) or not results:
            raise InputError("expected a non-empty list (LLMEvaluator/evaluate.py's annotate)", path=path, line=index, field="results")
        games = tuple(_swap_judgment(results[-1], swapped, path=path, index=index) for swapped in (False, True))
        out.append(ItemResult(item, judge, model, games, protocol="pairwise(orders=both, pairs=all)"))
    if not out:
        raise InputError("no rows in this result.json (empty list)", path=path)
    return out
