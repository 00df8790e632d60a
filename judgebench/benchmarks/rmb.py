"""RMB's best-of-N sets (Zhou et al., "RMB: Comprehensively Benchmarking Reward Models in LLM Alignment", ICLR
2025, arXiv 2410.09893): a conversation, the best answer (``bon_best``) and 2-6 worse ones (``loser_list``); the
best must be preferred to every loser.

Splits (sizes counted from the released files at commit 2be3180):

================  =====  ==========================================================================
split             items  what
================  =====  ==========================================================================
``helpfulness``   2109   ``BoN_set/Helpfulness/**`` (37 files, one per scenario)
``harmlessness``  1677   ``BoN_set/Harmlessness/**`` (12 files: S1-S11 and ``multi``)
``all``           3786   both goals, helpfulness first (the default)
``bo4``           908    the items of ``all`` with at least 3 losers, cut to the best and the first 3 losers
                         (4 responses), for four-way (listwise) judges
================  =====  ==========================================================================

Rows (verified against all 49 files): ``{bon_uid, conversation_input, bon_best, loser_list, category_path}``;
``conversation_input`` is a list of chat messages ``{role, content, language?}`` (``user``/``assistant``, ending
with a user turn), ``bon_best`` and each loser ``{llm_name, answer}``. An item is::

    Item(id=bon_uid, prompt=(Turn(role, content), ...),
         responses=(Response(bon_best.answer, model=bon_best.llm_name, id="best"),
                    Response(loser.answer, model=loser.llm_name, id="loser_1"), ...),
         target=BestOf((0,)), category=category_path without "BoN_set/" ("Helpfulness/Code/Documentation",
         "Harmlessness/S1"), source=category_path, original_id=bon_uid, metadata={"languages": [...]})

(``bon_uid`` is unique over the whole set; a ``bo4`` item's id is ``bo4/<bon_uid>``, since it holds fewer
responses than the item of that uid.) A malformed row raises ``InputError`` naming the file, the row (1-based index
in the file's JSON list) and the field (``conversation_input[2].role``, ``loser_list[0].answer``); nothing partial is
returned.

Rule: RMB's best-of-N accuracy counts an item only when the best answer is preferred to every loser (the paper's
best-of-N evaluation; ``judgebench.lifts.beats_every_loser``). The released evaluation code
(``eval/scripts/my_run_rm.py`` @ 2be3180) implements only the pairwise sets (``1 if chosen > rejected``, averaged)
and no best-of-N loop, so the paper is the source of this rule. Here: protocol ``pairwise`` with ``orders=both``
and ``pairs=target_vs_each`` (the best against each loser, in both orders); each pair's two verdicts reduced by
``vote``, and the item credited when every pair goes to the best; metrics best-of-N accuracy and positional
agreement. A listwise (four-way) judge is run on ``rmb:bo4`` with ``("listwise", {"rotations": "all"})`` (each of
the 4 responses shown once in each position, so a position bias shows); a benchmark has one default protocol,
and the runner picks listwise for a listwise judge.

Data: offline, a copy of the repository's ``RMB_dataset/`` folder (holding ``BoN_set/``; the repository root,
holding ``RMB_dataset/``, or the ``BoN_set/`` folder itself work too) given as ``--data-dir``,
``$JUDGEBENCH_RMB_DIR`` or ``$JUDGEBENCH_DATA_DIR/rmb``. The loader reads every ``*.json`` it finds under the
split's goal folders and counts them against the 49 released files (``FILES``), warning with the names of any
missing: a partial copy loads what it has, and the run's size check says how far it is from the published set.
The shared copy (``../shared/data/rmb``) lacks 3 files of the original, all in ``Pairwise_set/``
(``Harmlessness/S11.json``, ``Helpfulness/Brainstorming/Idea Development.json``, ``Helpfulness/Generation/Creative
Writing.json``: too large for its source snapshot); its ``BoN_set/`` holds all 49 files, byte-identical to commit
2be3180, so every split here is complete there. Without a local copy, the 49 files are downloaded from GitHub
(``raw.githubusercontent.com/Zhou-Zoey/RMB-Reward-Model-Benchmark/<commit>/RMB_dataset/BoN_set/...``, pinned to
2be3180) and kept under ``$JUDGEBENCH_CACHE_DIR/data/rmb/<commit>/``. There is no Hugging Face dataset from the
authors (``ilgee/RMB-BoN`` is a third party's flattened copy, with renamed fields and no pinned source).
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

from ..errors import InputError
from ..files import iter_json_list
from ..schema import BestOf, Item, Response, Role, Turn
from . import Benchmark, register_benchmark
from ._download import cache_root, cached_download

logger = logging.getLogger(__name__)

REPO = "Zhou-Zoey/RMB-Reward-Model-Benchmark"
COMMIT = "2be3180857f2190b7ffa929d43190835627f1f4d"
RAW_BASE = f"https://raw.githubusercontent.com/{REPO}/{COMMIT}/RMB_dataset/BoN_set"
RMB_DIR_ENV = "JUDGEBENCH_RMB_DIR"

GOALS = ("Helpfulness", "Harmlessness")
"""The alignment goals, in the paper's order; each is a folder of ``BoN_set/``."""

FILES: tuple[str, ...] = (
    "Helpfulness/Brainstorming/Idea Development.json",
    "Helpfulness/Brainstorming/Problem Solving.json",
    "Helpfulness/Chat/Casual Conversation.json",
    "Helpfulness/Chat/Discussion.json",
    "Helpfulness/Chat/Supportive Conversation.json",
    "Helpfulness/Classification/Content Categorization.json",
    "Helpfulness/Classification/Quality and Compliance Assessment.json",
    "Helpfulness/Closed QA/ContextBased.json",
    "Helpfulness/Closed QA/OptionBased.json",
    "Helpfulness/Code/Data Management.json",
    "Helpfulness/Code/Development and Implementation.json",
    "Helpfulness/Code/Documentation.json",
    "Helpfulness/Code/Quality and Optimization.json",
    "Helpfulness/Generation/Creative Writing.json",
    "Helpfulness/Generation/Professional Content Generation.json",
    "Helpfulness/Open QA/Factual.json",
    "Helpfulness/Open QA/General Explanation.json",
    "Helpfulness/Open QA/Hypothetical Scenarios.json",
    "Helpfulness/Open QA/Interpretative Analysis.json",
    "Helpfulness/Open QA/Personal Opinion and Advice.json",
    "Helpfulness/Open QA/Technical and Practical Support.json",
    "Helpfulness/Reasoning/Analytical Reasoning.json",
    "Helpfulness/Reasoning/Critical Thinking.json",
    "Helpfulness/Reasoning/Human Decision Making.json",
    "Helpfulness/Reasoning/Logical Deduction.json",
    "Helpfulness/Reasoning/Pattern Recognition.json",
    "Helpfulness/Rewrite/Paraphrasing.json",
    "Helpfulness/Rewrite/PostQuality Assessment Rewriting.json",
    "Helpfulness/Rewrite/Textual ExpansionReduction.json",
    "Helpfulness/Rewrite/Tone Adjustment.json",
    "Helpfulness/Role Playing/General Character.json",
    "Helpfulness/Role Playing/Specific Character.json",
    "Helpfulness/Summarization/Specialized Summaries.json",
    "Helpfulness/Summarization/Standard Summaries.json",
    "Helpfulness/Translation/GeneralExcerpt Language Translation.json",
    "Helpfulness/Translation/Literary and Cultural Translation.json",
    "Helpfulness/Translation/Technical and Scientific Translation.json",
    *(f"Harmlessness/S{i}.json" for i in range(1, 12)),
    "Harmlessness/multi.json",
)
"""The 49 files of ``RMB_dataset/BoN_set/`` at the pinned commit, relative to it, in load order (helpfulness's
scenarios alphabetically, then harmlessness's S1-S11 and multi)."""

BO4_RESPONSES = 4
SPLIT_GOALS: dict[str, tuple[str, ...]] = {"helpfulness": ("Helpfulness",), "harmlessness": ("Harmlessness",), "all": GOALS, "bo4": GOALS}
SIZES = {"helpfulness": 2109, "harmlessness": 1677, "all": 3786, "bo4": 908}
"""Items of each split in the released files (``bo4``: the 908 items with at least 3 losers: 712 with 3, 165 with
4, 24 with 5, 7 with 6)."""

CATEGORIES = tuple(f.removesuffix(".json") for f in FILES)
ROLES: tuple[Role, ...] = ("system", "user", "assistant")
FIELDS = ("bon_uid", "conversation_input", "bon_best", "loser_list", "category_path")


def category_of(source: str) -> str:
    """The category of an item from its ``source`` (``category_path``): the path without ``BoN_set/``."""
    return source.removeprefix("BoN_set/").strip("/") or "Other"


def _text(value: Any, *, path: str | Path, index: int, field: str) -> str:
    if value is None:
        raise InputError("missing required field", path=path, line=index, field=field)
    if not isinstance(value, str):
        raise InputError(f"expected a string, got {type(value).__name__}", path=path, line=index, field=field)
    return value


def _object(value: Any, *, path: str | Path, index: int, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(f"expected an object, got {type(value).__name__}", path=path, line=index, field=field)
    return value


def conversation(messages: Any, *, path: str | Path, index: int) -> tuple[Turn, ...]:
    """``conversation_input`` as turns; it must be a non-empty list of ``{role, content}`` ending with a user turn.

    Raises:
        InputError: naming the message and field that is wrong (``conversation_input[1].role``).
    """
    if not isinstance(messages, list) or not messages:
        raise InputError(f"expected a non-empty list of chat messages, got {messages!r:.80}", path=path, line=index, field="conversation_input")
    turns = []
    for k, message in enumerate(messages):
        where = f"conversation_input[{k}]"
        message = _object(message, path=path, index=index, field=where)
        role = message.get("role")
        if role not in ROLES:
            raise InputError(f"role must be one of {', '.join(ROLES)}, got {role!r}", path=path, line=index, field=f"{where}.role")
        turns.append(Turn(cast(Role, role), _text(message.get("content"), path=path, index=index, field=f"{where}.content")))
    if turns[-1].role != "user":
        raise InputError(f"the conversation must end with a user turn (the answers reply to it), got {turns[-1].role!r}", path=path, line=index, field=f"conversation_input[{len(turns) - 1}].role")
    return tuple(turns)


def _answer(value: Any, *, path: str | Path, index: int, field: str, id: str) -> Response:
    answer = _object(value, path=path, index=index, field=field)
    return Response(_text(answer.get("answer"), path=path, index=index, field=f"{field}.answer"), model=_text(answer.get("llm_name"), path=path, index=index, field=f"{field}.llm_name"), id=id)


def row_to_item(row: dict[str, Any], *, index: int, path: str | Path, losers: int | None = None) -> Item:
    """One validated row as an item (the best first, then the losers: ``target=BestOf((0,))``); ``losers`` keeps only
    the first that many losers (``bo4``). ``index`` counts from 1 (the row errors name).

    Raises:
        InputError: naming ``path``, the row and the field that is missing or malformed.
    """
    for name in FIELDS:
        if name not in row or row[name] is None:
            raise InputError(f"missing required field (an RMB best-of-N row needs {', '.join(FIELDS)})", path=path, line=index, field=name)
    uid = row["bon_uid"]
    if isinstance(uid, bool) or not isinstance(uid, str | int) or str(uid) == "":
        raise InputError(f"expected a non-empty id, got {uid!r}", path=path, line=index, field="bon_uid")
    turns = conversation(row["conversation_input"], path=path, index=index)
    best = _answer(row["bon_best"], path=path, index=index, field="bon_best", id="best")
    loser_list = row["loser_list"]
    if not isinstance(loser_list, list) or not loser_list:
        raise InputError(f"expected a non-empty list of losing answers, got {loser_list!r:.80}", path=path, line=index, field="loser_list")
    kept = loser_list if losers is None else loser_list[:losers]
    others = tuple(_answer(x, path=path, index=index, field=f"loser_list[{k}]", id=f"loser_{k + 1}") for k, x in enumerate(kept))
    source = _text(row["category_path"], path=path, index=index, field="category_path")
    languages = [m.get("language") for m in row["conversation_input"]]
    metadata: dict[str, Any] = {"languages": languages} if any(languages) else {}
    if len(kept) < len(loser_list):
        metadata["losers_left_out"] = len(loser_list) - len(kept)
    return Item(
        id=f"{uid}" if losers is None else f"bo{losers + 1}/{uid}",
        prompt=turns,
        responses=(best, *others),
        target=BestOf((0,)),
        category=category_of(source),
        source=source,
        original_id=str(uid),
        metadata=metadata,
    )


def read_file(path: str | Path, *, losers: int | None = None) -> list[Item]:
    """The items of one ``BoN_set`` file (a JSON list of rows); with ``losers``, only the rows with at least that many
    losers, cut to them.

    Raises:
        InputError: for an unreadable file, a top level that is not a list, or a malformed row (file, row, field).
    """
    items = []
    for i, row in iter_json_list(path, what="RMB best-of-N file"):
        item = row_to_item(row, index=i, path=path)  # every row is validated, kept or not
        if losers is not None:
            if len(item.responses) - 1 < losers:
                continue
            item = row_to_item(row, index=i, path=path, losers=losers)
        items.append(item)
    return items


def bon_root(data_dir: Path) -> Path:
    """The ``BoN_set`` folder of a local copy: ``data_dir/BoN_set`` (a copy of ``RMB_dataset/``),
    ``data_dir/RMB_dataset/BoN_set`` (a checkout of the repository), or ``data_dir`` itself when it holds the goal
    folders."""
    for candidate in (data_dir / "BoN_set", data_dir / "RMB_dataset" / "BoN_set"):
        if candidate.is_dir():
            return candidate
    return data_dir


def local_files(root: Path, goals: Sequence[str]) -> list[Path]:
    """The ``*.json`` files under ``root/<goal>/`` for each goal: the released ones in ``FILES`` order, then any
    others alphabetically; warns naming the released files of these goals that are missing.

    Raises:
        InputError: when none is found.
    """
    expected = [f for f in FILES if f.split("/", 1)[0] in goals]
    found = {p.relative_to(root).as_posix(): p for goal in goals if (root / goal).is_dir() for p in (root / goal).rglob("*.json") if p.is_file()}
    if not found:
        hint = f"; {root / 'rmb'} looks like it: pass that folder (--data-dir takes the benchmark's own folder, $JUDGEBENCH_DATA_DIR its parent)" if (root / "rmb").is_dir() else ""
        raise InputError(f"this RMB copy has no best-of-N files under {', '.join(f'{g}/' for g in goals)} (expected a copy of {REPO}'s RMB_dataset/ folder, holding BoN_set/){hint}", path=root)
    missing = [f for f in expected if f not in found]
    if missing:
        logger.warning("this RMB copy has %d of the %d released best-of-N files of %s; missing: %s", len(expected) - len(missing), len(expected), "/".join(goals), ", ".join(missing))
    ordered = [found[f] for f in expected if f in found]
    return ordered + [found[f] for f in sorted(set(found) - set(expected))]


def _cache_root() -> Path:
    return cache_root("rmb", COMMIT) / "BoN_set"


def download(relpath: str) -> Path:
    """One ``BoN_set`` file from GitHub at the pinned commit, kept in the cache (downloaded once).

    Raises:
        InputError: when it cannot be downloaded (offline, blocked), saying where to put a local copy instead.
    """
    return cached_download(
        f"{RAW_BASE}/{urllib.parse.quote(relpath)}",
        _cache_root() / relpath,
        what=f"RMB's BoN_set/{relpath}",
        offline_hint=f"Put a copy of {REPO}'s RMB_dataset/ folder (BoN_set/) in ${RMB_DIR_ENV}, $JUDGEBENCH_DATA_DIR/rmb or --data-dir",
    )


def split_files(split: str, data_dir: Path | None) -> list[Path]:
    """The files of ``split``: found in the local copy, or downloaded.

    Raises:
        InputError: for an unknown split, a local copy without any of them, or a failed download.
    """
    if split not in SPLIT_GOALS:
        raise InputError(f"unknown rmb split {split!r}; use one of: {', '.join(f'rmb:{x}' for x in SPLIT_GOALS)}", path=f"rmb:{split}")
    goals = SPLIT_GOALS[split]
    if data_dir is None:
        return [download(f) for f in FILES if f.split("/", 1)[0] in goals]
    return local_files(bon_root(Path(data_dir)), goals)


def load(split: str, data_dir: Path | None) -> list[Item]:
    """The items of ``split``, from ``data_dir`` when given, else downloaded (``bo4``: the items with at least 3
    losers, cut to the best and the first 3).

    Raises:
        InputError: see ``split_files`` and ``row_to_item``; nothing is returned unless every row read is valid.
    """
    losers = BO4_RESPONSES - 1 if split == "bo4" else None
    items: list[Item] = []
    for path in split_files(split, data_dir):
        items.extend(read_file(path, losers=losers))
    return items


BENCHMARK = register_benchmark(
    Benchmark(
        name="rmb",
        description="best-of-N: the best answer must beat every loser (helpfulness, harmlessness; bo4 for four-way judges)",
        source=f"github:{REPO} RMB_dataset/BoN_set/ @ {COMMIT[:7]}",
        citation=(
            "Zhou et al. 2025, RMB: Comprehensively Benchmarking Reward Models in LLM Alignment (ICLR 2025), arXiv 2410.09893; "
            f"rule: the paper's best-of-N accuracy (best beats every loser; {REPO} eval/scripts/my_run_rm.py @ {COMMIT[:7]} scores only the pairwise sets)"
        ),
        load=load,
        splits=tuple(SPLIT_GOALS),
        default_split="all",
        size=dict(SIZES),
        protocol=("pairwise", {"orders": "both", "pairs": "target_vs_each"}),
        rule="vote",
        metrics=("best_of_accuracy", "position_consistency"),
        categories=CATEGORIES,
        category_of=category_of,
        data_env=RMB_DIR_ENV,
    )
)
