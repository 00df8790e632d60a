"""MT-Bench human judgments (``lmsys/mt_bench_human_judgments``): a judge is run on the pairs the experts voted on and
scored by FastChat's agreement rule (S1 with ties, S2 without), beside the experts' agreement with each other.

Source: Zheng et al. 2023, "Judging LLM-as-a-Judge with MT-Bench and Chatbot Arena", arXiv:2306.05685; the rule is
FastChat's ``fastchat/llm_judge/compute_agreement.py`` (lm-sys/FastChat, file last changed in b2f187c, read at
0e6d3e4), implemented in :mod:`judgebench.metrics.mt_bench_agreement`.

Hub rows (both splits, ``human``: 3,355 votes by experts and authors; ``gpt4_pair``: 2,400 GPT-4 votes)::

    {question_id: int, model_a: str, model_b: str, winner: "model_a" | "model_b" | "tie" | "tie (bothbad)"
     (gpt4_pair also "tie (inconsistent)"), judge: str ("expert_12", "author_3", ...), turn: 1 | 2,
     conversation_a / conversation_b: [{role: "user", content: q1}, {role: "assistant", content: answer 1},
                                       {role: "user", content: q2}, {role: "assistant", content: answer 2}]}

**Items** (splits ``human``: both turns; ``turn1`` / ``turn2``: one turn; all built from the hub's ``human`` split).
One item per FastChat key ``(question_id, model_1, model_2, turn)``, the two models in string order
(``model_1 < model_2``) as ``get_mt_bench_votes_data`` orders them, so a row with ``model_a > model_b`` has its
conversations and winner swapped::

    Item(id="q{question_id}-t{turn}-{model_1}-vs-{model_2}",
         prompt=(Turn("user", q1),)                       turn 1
                (Turn("user", q1), Turn("user", q2))       turn 2 (see below),
         responses=(Response(model_1's answer to that turn, model=model_1, id=model_1),
                    Response(model_2's answer to that turn, model=model_2, id=model_2)),
         target=Preference(the experts' plurality: 0 = model_1, 1 = model_2, None = tie or no plurality),
         category="turn1" | "turn2",
         metadata={"question_id", "turn", "human_votes": [{"judge", "winner"}, ...] (experts, winners in the
                   item's order, in row order), "author_votes": [...] (the same for author_* votes, kept, never
                   scored), "first_answers": [model_1's, model_2's turn-1 answer] (turn 2 only)})

*Turn 2.* The two models' conversations share the user's questions but not the first answers (each model answers
the second question after its *own* first answer; FastChat's pairwise multi-turn prompt shows the judge both whole
conversations). An item has one prompt, so a shared assistant turn would present one model's first answer as the
other's history; the prompt holds what both conversations share, the two user questions, and each model's first
answer is kept in ``metadata["first_answers"]`` for a judge that formats FastChat's multi-turn pair prompt.

*Author votes.* FastChat files ``author_*`` votes under the judge name ``author``, which neither comparison reads;
here they are kept in ``metadata["author_votes"]`` and count nowhere (not in the target, not in S1/S2). A key with
only author votes contributes nothing to FastChat's numbers and is not an item.

*Target.* The generic score (accuracy, ``vote`` rule, both orders) is against the experts' plurality, like PandaLM's
majority (``Votes`` targets are not scored by the generic scorer; the votes themselves are in the metadata). FastChat
aggregates nothing: ``details`` gives its rule.

**details** (the benchmark's rule). The judge's vote on an item is the run's reducer's verdict over its views
(``model_a`` = response 0 better, ``model_b``, ``tie``); it is compared with *each* expert vote on the item, as
``compute_agreement`` compares ``gpt4_pair`` with ``human``: S1 counts every pair (ties agree with ties), S2 only
pairs where neither vote is a tie. A missing verdict (failed call, unparsed output) counts as a disagreement in both,
as FastChat's ``"error"`` winner does (it is neither equal to a human vote nor a tie). Beside it, the experts'
agreement with each other on the same items (every unordered pair of distinct expert votes on a key). Rows: both
setups for turn 1, turn 2 and both pooled, in %, with 95% percentile bootstrap intervals over the compared vote pairs
(pairs sharing a key are resampled as if independent, so the intervals are somewhat narrow).

*Headline = S2* (judge vs experts, the run's turns pooled): the paper reports both setups in Table 2 but states its
finding in S2 terms (abstract: GPT-4 "achieving over 80% agreement, the same level of agreement between humans";
80%+ is the S2 figure, S1 is about 66%); S2 is also the setup where random agreement is 50% rather than 33%.

**Published** (Table 2 (a), first turn; :func:`reproduce_agreement` recomputes them from the two splits): GPT-4
(pairwise) vs human S1 66%, S2 85%; human vs human S1 63%, S2 81%.

**Data.** The set is on the Hugging Face hub only here: it is read with ``datasets`` (cached by the library) or,
offline, from a local copy (``--data-dir``, ``$JUDGEBENCH_MT_BENCH_HUMAN_DIR`` or
``$JUDGEBENCH_DATA_DIR/mt_bench_human``): a row file of one split (``.json`` list, ``.jsonl``, ``.parquet``), or a
folder where each split's rows are named for it (``human.jsonl``, ``human/``, ``human-00000-of-00001.parquet``,
``data/human-*.parquet``, FastChat's ``human_judgments.json``; likewise ``gpt4_pair``); a folder with no file named
for any split is read as one split's rows.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..files import ROW_SUFFIXES, iter_rows
from ..metrics.mt_bench_agreement import (
    MTBenchAgreement,
    SetupAgreement,
    Vote,
    compared_pairs,
    equal_votes,
    is_excluded,
    is_tie,
    mt_bench_agreement,
    normalized,
    setup_agreement,
)
from ..metrics.stats import DEFAULT_RESAMPLES, DEFAULT_SEED
from ..protocols import Pairwise, get_reducer
from ..schema import Item, ItemResult, Preference, Response, Turn
from . import Benchmark, register_benchmark
from ._download import hub_rows

logger = logging.getLogger(__name__)

HF_ID = "lmsys/mt_bench_human_judgments"
SPLITS = ("human", "gpt4_pair")
"""The hub's splits (the votes)."""
BENCH_SPLITS = {"human": (1, 2), "turn1": (1,), "turn2": (2,)}
"""The benchmark's splits and the turns each holds (all read from the hub's ``human`` split)."""
MT_BENCH_HUMAN_DIR_ENV = "JUDGEBENCH_MT_BENCH_HUMAN_DIR"
PAPER = "Zheng et al. 2023, Judging LLM-as-a-Judge with MT-Bench and Chatbot Arena, arXiv:2306.05685"
RULE_SOURCE = "lm-sys/FastChat fastchat/llm_judge/compute_agreement.py @ b2f187c (read at 0e6d3e4)"

PUBLISHED = {("gpt4_pair vs human", "S1"): 66.0, ("gpt4_pair vs human", "S2"): 85.0, ("human vs human", "S1"): 63.0, ("human vs human", "S2"): 81.0}
"""The paper's Table 2 (a) (first turn), in %: GPT-4 pairwise vs human and human vs human, S1 and S2."""
PUBLISHED_TURN = 1

OFFLINE_HINT = (
    "The MT-Bench human judgments are on the hub only (hub only: no other public copy is read here); offline, pass a "
    f"local copy of the split's rows (JSON, JSONL or Parquet, a file or a folder) as --data-dir / data_dir, "
    f"${MT_BENCH_HUMAN_DIR_ENV} or $JUDGEBENCH_DATA_DIR/mt_bench_human"
)

Row = tuple[str, int, dict[str, Any]]
"""``(where, row number from 1, row)``: ``where`` is the file (or ``hf:<id>:<split>``) an error names."""


# ---------------------------------------------------------------------------------------------------------------
# rows


def _row_files(data_dir: Path) -> list[Path]:
    return sorted(p for p in data_dir.rglob("*") if p.is_file() and p.name.lower().endswith(ROW_SUFFIXES))


def _split_of(path: Path, root: Path) -> str | None:
    """The split a file of a local copy is named for (its first path part below ``root``), or ``None``."""
    head = path.relative_to(root).parts
    for part in head:
        stem = part.lower().split(".", 1)[0]
        for split in SPLITS:
            if stem == split or stem.startswith((f"{split}-", f"{split}_judgments")):
                return split
    return None


def split_files(data_dir: str | Path, split: str) -> list[Path]:
    """The row files of ``split`` in a local copy (see the module docstring for the layouts).

    Raises:
        InputError: for a missing path, a folder without row files, or a folder whose files are named for the
            other split only.
    """
    root = Path(data_dir)
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise InputError("no MT-Bench human judgments copy here (expected a file or a folder of a split's rows)", path=root)
    found = _row_files(root)
    if not found:
        raise InputError(f"no row file ({', '.join(ROW_SUFFIXES)}) in this folder", path=root)
    named = {p: _split_of(p, root) for p in found}
    if not any(named.values()):
        return found  # a folder of one split's rows
    mine = [p for p in found if named[p] == split]
    if not mine:
        raise InputError(f"no rows of the {split!r} split in this folder (expected a file or folder named {split}, e.g. {split}.jsonl)", path=root)
    return mine


def read_rows(split: str, data_dir: str | Path | None = None) -> list[Row]:
    """The raw rows of the hub split ``split`` (``human`` or ``gpt4_pair``), from ``data_dir`` when given, else the
    hub (``datasets``).

    Raises:
        InputError: for an unknown split, a missing copy, an unreadable file, or a failed hub load (offline: the
            message says that the set is hub-only here and how to pass a local copy).
    """
    if split not in SPLITS:
        raise InputError(f"unknown split {split!r} of {HF_ID}; use one of {', '.join(SPLITS)}", path=f"hf:{HF_ID}")
    if data_dir is not None:
        return [(str(p), i, row) for p in split_files(data_dir, split) for i, row in iter_rows(p, what="MT-Bench votes")]
    return hub_rows(HF_ID, split, offline_hint=OFFLINE_HINT)


def _vote(row: dict[str, object], *, path: str | Path, line: int) -> Vote:
    try:
        return Vote.from_row(row)
    except (ValueError, TypeError) as e:
        raise InputError(str(e), path=path, line=line) from None


def load_mt_bench_human_judgments(split: str, data_dir: str | Path | None = None) -> list[Vote]:
    """The votes of ``split`` (``human`` or ``gpt4_pair``), from ``data_dir`` (a file or a folder, see
    :func:`split_files`) when given, else from the hub with ``datasets``.

    Raises:
        InputError: as :func:`read_rows`, and for a malformed row (file, row).
    """
    return [_vote(row, path=where, line=i) for where, i, row in read_rows(split, data_dir)]


# ---------------------------------------------------------------------------------------------------------------
# items


def _messages(row: dict[str, Any], name: str, turn: int, *, path: str, line: int) -> list[tuple[str, str]]:
    """``(role, content)`` of a conversation, checked to hold user/assistant messages up to ``turn``'s answer."""
    value: Any = row.get(name)
    if hasattr(value, "tolist"):
        value = value.tolist()  # a Parquet list column read through pandas
    if not isinstance(value, (list, tuple)):
        raise InputError(f"expected a list of chat messages, got {type(value).__name__}", path=path, line=line, field=name)
    out = []
    for k, m in enumerate(value):
        if not isinstance(m, dict) or not isinstance(m.get("role"), str) or not isinstance(m.get("content"), str):
            raise InputError(f"message {k} is not an object with string role and content", path=path, line=line, field=name)
        out.append((m["role"], m["content"]))
    need = 2 * turn
    if len(out) < need:
        raise InputError(f"a turn-{turn} vote needs {need} messages (user, assistant per turn), got {len(out)}", path=path, line=line, field=name)
    for k in range(need):
        expected = "user" if k % 2 == 0 else "assistant"
        if out[k][0] != expected:
            raise InputError(f"message {k} should be a {expected} message, got role {out[k][0]!r}", path=path, line=line, field=name)
    return out


@dataclass
class _Key:
    where: str
    line: int
    turn: int
    question_id: Any
    models: tuple[str, str]
    conversations: tuple[list[tuple[str, str]], list[tuple[str, str]]]
    human: list[dict[str, str]]
    author: list[dict[str, str]]


def plurality(winners: Iterable[str]) -> int | None:
    """The experts' plurality as a preference winner: 0 (``model_a`` of the item's order), 1 (``model_b``), or
    ``None`` for a tie (any ``tie*`` vote counts as a tie) or no single most frequent vote."""
    counts = Counter("tie" if is_tie(w) else w for w in winners)
    top = counts.most_common()
    if not top or (len(top) > 1 and top[0][1] == top[1][1]) or top[0][0] == "tie":
        return None
    return 0 if top[0][0] == "model_a" else 1


def rows_to_items(rows: Iterable[Row], turns: Sequence[int] = (1, 2)) -> list[Item]:
    """Items (see the module docstring) from the hub ``human`` split's rows, one per key with an expert vote, in
    order of the key's first row; only ``turns``.

    Raises:
        InputError: for a malformed row (file, row, field): a vote field (see ``Vote.from_row``), a vote of a model
            against itself, or a conversation that is not user/assistant messages up to the voted turn.
    """
    keys: dict[tuple[Any, ...], _Key] = {}
    for where, line, row in rows:
        if not isinstance(row, dict):
            raise InputError(f"expected an object, got {type(row).__name__}", path=where, line=line)
        vote = _vote(row, path=where, line=line)
        if vote.turn not in turns:
            continue
        if vote.model_a == vote.model_b:
            raise InputError(f"a vote compares two models, got {vote.model_a!r} twice", path=where, line=line, field="model_b")
        key, winner = normalized(vote)
        conv_a = _messages(row, "conversation_a", vote.turn, path=where, line=line)
        conv_b = _messages(row, "conversation_b", vote.turn, path=where, line=line)
        if key not in keys:
            swapped = vote.model_a > vote.model_b
            keys[key] = _Key(where, line, vote.turn, vote.question_id, (key[2], key[3]), (conv_b, conv_a) if swapped else (conv_a, conv_b), [], [])
        (keys[key].author if is_excluded(vote) else keys[key].human).append({"judge": vote.judge, "winner": winner})
    items = []
    only_authors = 0
    for k in keys.values():
        if not k.human:
            only_authors += 1
            continue
        items.append(_item(k))
    if only_authors:
        logger.info("MT-Bench human judgments: %d key(s) with only author votes left out (FastChat compares nothing on them)", only_authors)
    return items


def _item(k: _Key) -> Item:
    first, second = k.conversations
    t = k.turn
    questions = [first[2 * i][1] for i in range(t)]
    if any(second[2 * i][1] != q for i, q in enumerate(questions)):
        logger.warning("%s:%d: the two conversations' user questions differ; the first model's are the prompt", k.where, k.line)
    prompt = tuple(Turn("user", q) for q in questions)
    m1, m2 = k.models
    metadata: dict[str, Any] = {"question_id": k.question_id, "turn": t, "human_votes": k.human, "author_votes": k.author}
    if t == 2:
        metadata["first_answers"] = [first[1][1], second[1][1]]
    return Item(
        id=f"q{k.question_id}-t{t}-{m1}-vs-{m2}",
        prompt=prompt,
        responses=(Response(first[2 * t - 1][1], model=m1, id=m1), Response(second[2 * t - 1][1], model=m2, id=m2)),
        target=Preference(plurality(v["winner"] for v in k.human)),
        category=f"turn{t}",
        source="mt_bench_human",
        original_id=str(k.question_id),
        metadata=metadata,
    )


def load(split: str, data_dir: Path | None) -> list[Item]:
    """The items of ``split`` (``human``, ``turn1``, ``turn2``) from the hub's ``human`` split: from ``data_dir``
    when given, else the hub.

    Raises:
        InputError: as :func:`read_rows` and :func:`rows_to_items`.
    """
    if split not in BENCH_SPLITS:
        raise InputError(f"unknown mt_bench_human split {split!r}; use one of {', '.join(BENCH_SPLITS)}", path=f"hf:{HF_ID}")
    return rows_to_items(read_rows("human", data_dir), BENCH_SPLITS[split])


# ---------------------------------------------------------------------------------------------------------------
# details: FastChat's rule on a judge's results

_PAIRWISE = Pairwise()
_WINNER_OF_SIGN = {1.0: "model_a", -1.0: "model_b", 0.0: "tie"}


def judge_winner(result: ItemResult, rule: str) -> str | None:
    """The judge's vote on an item in FastChat's coding (``model_a`` = response 0 better, ``model_b``, ``tie``): the
    ``rule`` reducer's verdict over its views in the item's frame; ``None`` for no verdict."""
    decisions = _PAIRWISE.combine(result.item, result.judgments).of(0, 1)
    value = get_reducer(rule).verdict(decisions) if decisions else math.nan
    return None if value != value else _WINNER_OF_SIGN[float(np.sign(value))]


def item_votes(item: Item, key: str = "human_votes") -> list[Vote]:
    """The votes kept in an item's metadata (``human_votes`` or ``author_votes``) as :class:`Vote` in the item's order.

    Raises:
        InputError: for an item without them (not loaded from this benchmark).
    """
    meta = item.metadata or {}
    votes = meta.get(key)
    if not isinstance(votes, list) or "turn" not in meta or "question_id" not in meta:
        raise InputError(f"an MT-Bench human item keeps its votes in metadata[{key!r}] with its turn and question_id", field=item.id)
    m1, m2 = item.responses[0].model, item.responses[1].model
    return [Vote(meta["question_id"], m1, m2, str(v["winner"]), int(meta["turn"]), str(v.get("judge", ""))) for v in votes]


@dataclass(frozen=True, slots=True)
class JudgeAgreement:
    """A judge's and the experts' FastChat agreement on one turn (``None``: both pooled): ``judge`` (judge vs
    each expert vote), ``human`` (expert vs expert), and ``missing``, the items where the judge gave no verdict."""

    turn: int | None
    judge: MTBenchAgreement
    human: MTBenchAgreement
    missing: int


def judge_agreement(
    results: Sequence[ItemResult], rule: str = "vote", *, turn: int | None = None, n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED
) -> JudgeAgreement:
    """FastChat's S1/S2 agreement of the judge's votes (:func:`judge_winner`) with each expert vote, and of the
    experts with each other, on ``turn`` (1, 2, ``None`` = both). A missing verdict is a disagreement with every
    expert vote it would be compared with (S1: all; S2: the non-tie ones), as FastChat's ``"error"`` winner is."""
    judge_votes: list[Vote] = []
    human_votes: list[Vote] = []
    extra_s1: list[bool] = []
    extra_s2: list[bool] = []
    missing = 0
    for r in results:
        humans = item_votes(r.item)
        if turn is not None and humans and humans[0].turn != turn:
            continue
        human_votes.extend(humans)
        winner = judge_winner(r, rule)
        if winner is None:
            missing += 1
            extra_s1.extend(False for _ in humans)
            extra_s2.extend(False for h in humans if not is_tie(h.winner))
            continue
        meta = r.item.metadata
        judge_votes.append(Vote(meta["question_id"], r.item.responses[0].model, r.item.responses[1].model, winner, int(meta["turn"]), "judge"))
    pairs = compared_pairs(judge_votes, human_votes, turn=turn)
    s1 = [equal_votes(a, b) for _, a, b in pairs] + extra_s1
    s2 = [equal_votes(a, b) for _, a, b in pairs if not is_tie(a) and not is_tie(b)] + extra_s2
    kw: dict[str, Any] = {"n_resamples": n_resamples, "seed": seed}
    judge = MTBenchAgreement(turn, setup_agreement("S1", s1, **kw), setup_agreement("S2", s2, **kw))
    return JudgeAgreement(turn, judge, mt_bench_agreement(human_votes, None, turn=turn, **kw), missing)


def _pct(x: float | None) -> float | None:
    return None if x is None else 100 * x


def _row(name: str, s: SetupAgreement) -> dict[str, Any]:
    return {"name": name, "value": _pct(s.value), "n": s.total, "agree": s.agree, "ci_low": _pct(s.ci_low), "ci_high": _pct(s.ci_high)}


def details(results: Sequence[ItemResult], metrics: Any, rule: str) -> dict[str, Any]:
    """FastChat's agreement of the judge with the experts, S1 and S2, per turn and pooled, beside the experts'
    agreement with each other (rates in %, ``n`` = compared vote pairs, 95% CIs); headline: S2, judge vs experts,
    pooled over the run's turns (see the module docstring for why S2)."""
    by_turn = {t: judge_agreement(results, rule, turn=t) for t in (1, 2, None)}
    rows: list[dict[str, Any]] = []
    for t, got in by_turn.items():
        where = "both turns" if t is None else f"turn {t}"
        if t is not None and got.judge.s1.total == 0 and got.human.s1.total == 0:
            continue
        for setup in ("s1", "s2"):
            label = "S1 (with ties)" if setup == "s1" else "S2 (without ties)"
            rows.append(_row(f"{where}: judge vs human {label}", getattr(got.judge, setup)))
            rows.append(_row(f"{where}: human vs human {label}", getattr(got.human, setup)))
    pooled = by_turn[None]
    rows.append({"name": "judge: items without a verdict (counted as disagreeing)", "value": pooled.missing, "n": len(results)})
    head = pooled.judge.s2
    published = ", ".join(f"{who} {setup} {value:.0f}%" for (who, setup), value in PUBLISHED.items())
    return {
        "headline": {"name": "S2 agreement with the experts (without ties, FastChat's rule)", "value": _pct(head.value), "ci_low": _pct(head.ci_low), "ci_high": _pct(head.ci_high)},
        "rows": rows,
        "note": (
            f"FastChat's rule ({RULE_SOURCE}): the judge's {rule!r} verdict on each (question, model pair, turn) is "
            "compared with each expert vote; S1 counts every pair (ties agree with ties), S2 only pairs of non-tie votes; "
            "author_* votes are left out; a missing verdict disagrees. Human vs human: every pair of expert votes on a key. "
            f"Published ({PAPER}, Table 2 (a), turn 1): {published}."
        ),
    }


# ---------------------------------------------------------------------------------------------------------------
# the published reproduction: gpt4_pair vs human and human vs human from the two hub splits


@dataclass(frozen=True, slots=True)
class Reproduction:
    """FastChat's agreement recomputed from the released votes: ``gpt4`` (``gpt4_pair`` vs ``human``) and ``human``
    (``human`` with itself), each by turn (1, 2, ``None`` = pooled), with the paper's values (:data:`PUBLISHED`,
    turn :data:`PUBLISHED_TURN`)."""

    gpt4: dict[int | None, MTBenchAgreement]
    human: dict[int | None, MTBenchAgreement]
    n_votes: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_votes": dict(self.n_votes),
            "published": {"turn": PUBLISHED_TURN, "source": f"{PAPER}, Table 2 (a)", "values": [{"comparison": w, "setup": s, "value": v} for (w, s), v in PUBLISHED.items()]},
            "rule": RULE_SOURCE,
            "gpt4_pair vs human": [a.to_dict() for a in self.gpt4.values()],
            "human vs human": [a.to_dict() for a in self.human.values()],
        }


def reproduce_agreement(data_dir: str | Path | None = None, *, n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED) -> Reproduction:
    """GPT-4 vs human and human vs human S1/S2 agreement (per turn and pooled) from the ``human`` and ``gpt4_pair``
    splits, read from ``data_dir`` (a folder holding both, see :func:`split_files`) or the hub.

    Raises:
        InputError: as :func:`load_mt_bench_human_judgments` (offline without a copy: the hub-only message).
    """
    human = load_mt_bench_human_judgments("human", data_dir)
    gpt4 = load_mt_bench_human_judgments("gpt4_pair", data_dir)
    kw: dict[str, Any] = {"n_resamples": n_resamples, "seed": seed}
    return Reproduction(
        {t: mt_bench_agreement(gpt4, human, turn=t, **kw) for t in (1, 2, None)},
        {t: mt_bench_agreement(human, None, turn=t, **kw) for t in (1, 2, None)},
        {"human": len(human), "human (experts)": sum(not is_excluded(v) for v in human), "gpt4_pair": len(gpt4)},
    )


def render_reproduction(rep: Reproduction) -> str:
    """The reproduction as a Markdown table: comparison, turn, setup, agreement % [95% CI], agree/total, published."""

    def cell(s: SetupAgreement) -> str:
        if s.value is None:
            return "-"
        ci = f" [{100 * s.ci_low:.1f}, {100 * s.ci_high:.1f}]" if s.ci_low is not None and s.ci_high is not None else ""
        return f"{100 * s.value:.1f}{ci}"

    lines = [
        f"MT-Bench human judgments ({HF_ID}): FastChat's agreement rule ({RULE_SOURCE})",
        f"votes: {', '.join(f'{k} {v}' for k, v in rep.n_votes.items())}; author_* votes left out",
        "",
        "| comparison | turn | setup | agreement % [95% CI] | agree / total | published % |",
        "|---|---|---|---|---|---|",
    ]
    for who, by_turn in (("gpt4_pair vs human", rep.gpt4), ("human vs human", rep.human)):
        for t, got in by_turn.items():
            for s in (got.s1, got.s2):
                pub = PUBLISHED.get((who, s.setup)) if t == PUBLISHED_TURN else None
                lines.append(f"| {who} | {'both' if t is None else t} | {s.setup} | {cell(s)} | {s.agree} / {s.total} | {'-' if pub is None else f'{pub:.0f}'} |")
    lines += ["", f"Published: {PAPER}, Table 2 (a), first turn. S1 = with ties, S2 = without ties."]
    return "\n".join(lines) + "\n"


BENCHMARK = register_benchmark(
    Benchmark(
        name="mt_bench_human",
        description="MT-Bench human judgments: expert votes on 6 models' answers to the 80 questions, turns 1 and 2; FastChat's S1/S2 agreement",
        source=f"hf:{HF_ID} (split human; hub only)",
        citation=f"{PAPER}; rule: {RULE_SOURCE}",
        load=load,
        splits=tuple(BENCH_SPLITS),
        default_split="human",
        protocol=("pairwise", {"orders": "both"}),
        rule="vote",
        metrics=("accuracy", "position_consistency"),
        categories=("turn1", "turn2"),
        data_env=MT_BENCH_HUMAN_DIR_ENV,
        details=details,
    )
)
