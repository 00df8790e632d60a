"""MT-Bench human agreement: FastChat's agreement between two sets of pairwise votes (judge vs human, human vs human).

The rule is FastChat's ``fastchat/llm_judge/compute_agreement.py`` (lm-sys/FastChat, file last changed in
b2f187c958b17aa723148b274af893d5d3feed2d; read at HEAD 0e6d3e4beaab66f4d3f93db72541a4abab8af28d), step by step:

* **Key.** A vote is keyed by ``(question_id, model_1, model_2)`` with the two models in string order
  (``model_a < model_b`` keeps the order, anything else swaps it), separately for each turn (1 and 2). When the
  order is swapped the winner is reverted: ``model_a`` <-> ``model_b``; ``tie`` and ``tie (bothbad)`` stay.
* **Annotators.** Votes of the paper's authors (``judge`` starting with ``author``) are left out: FastChat files
  them under the judge name ``author``, which neither side of the comparison reads. (FastChat counts only human
  judges starting with ``expert``; on the released ``human`` split, whose annotators are ``expert_*`` and
  ``author_*``, dropping ``author_*`` is the same.)
* **Equal votes.** Two votes agree when they are equal, or when both contain ``tie`` (``tie`` and
  ``tie (bothbad)`` agree with each other).
* **S1 (with ties)**: every compared pair of votes counts. **S2 (without ties)**: a pair counts only when neither
  vote contains ``tie``.
* **Several votes on one key.** Nothing is aggregated (no majority): every pair of votes is compared and counted.
  Judge vs human (two sets): the judge's vote on a key is compared with *each* human vote on it (FastChat asserts the
  judge has one vote per key; here, a set with several votes on a key is compared vote by vote, every vote of one
  set against every vote of the other, which is FastChat's count whenever it runs). Human vs human (one set): every
  unordered pair of distinct votes on the same key (``i < j``); a key with one vote contributes nothing.
* FastChat prints each turn separately (the paper's Table 2 has a first-turn and a second-turn part);
  :func:`mt_bench_agreement` gives one turn or, with ``turn=None``, both pooled (sums of the two turns' counts).

Published numbers (Zheng et al. 2023, "Judging LLM-as-a-Judge with MT-Bench and Chatbot Arena", arXiv:2306.05685,
Table 2), what a run on the hub's ``lmsys/mt_bench_human_judgments`` should reproduce (``gpt4_pair`` against
``human``, and ``human`` with itself); they cannot be checked offline and were not reproduced here:

* GPT-4 (pairwise) vs human: S1 66%, S2 85%;
* human vs human: S1 63%, S2 81%.

The bootstrap interval resamples the compared vote pairs as if independent (several pairs share a key, so it is
somewhat narrow); ``bootstrap_mean_ci`` on the 0/1 agreement of each pair.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .stats import DEFAULT_CONFIDENCE, DEFAULT_RESAMPLES, DEFAULT_SEED, bootstrap_mean_ci

WINNERS = ("model_a", "model_b", "tie", "tie (bothbad)", "tie (inconsistent)")
"""The winner coding of MT-Bench votes: the ``human`` split uses the first four; ``gpt4_pair`` codes a verdict that
changed when the two answers were swapped as ``tie (inconsistent)`` (reported by users of the released split; the
paper's Table 2 caption: setup S1 "counts inconsistent as tie"). Any winner containing ``tie`` is a tie
(FastChat's ``convertvote``)."""

EXCLUDED_JUDGE_PREFIX = "author"
"""Annotators left out, as FastChat does: the paper's authors (``author_0`` ...)."""

Key = tuple[int, Any, str, str]
"""``(turn, question_id, model_1, model_2)`` with ``model_1 < model_2`` (FastChat's key, one dict per turn)."""


@dataclass(frozen=True, slots=True)
class Vote:
    """One pairwise vote: on ``question_id``, turn ``turn`` (1 or 2), ``judge`` preferred ``winner`` (one of
    :data:`WINNERS`) between ``model_a`` and ``model_b``. ``judge`` is the annotator (``expert_3``, ``author_0``,
    ``gpt-4/pair-v2``)."""

    question_id: Any
    model_a: str
    model_b: str
    winner: str
    turn: int
    judge: str = ""

    def __post_init__(self) -> None:
        if self.winner not in WINNERS:
            raise ValueError(f"unknown MT-Bench winner {self.winner!r}; expected one of {', '.join(WINNERS)}")
        if self.turn not in (1, 2):
            raise ValueError(f"MT-Bench turn must be 1 or 2, got {self.turn!r}")

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Vote:
        """A vote from a record of the hub dataset or of FastChat's judgment files (``judge`` may be a list, as
        ``["gpt-4", "pair-v2"]``: joined with ``/``).

        Raises:
            ValueError: for a missing field or an unknown winner or turn.
        """
        missing = [f for f in ("question_id", "model_a", "model_b", "winner", "turn") if f not in row]
        if missing:
            raise ValueError(f"an MT-Bench vote needs the field(s) {', '.join(missing)}")
        judge = row.get("judge", "")
        if isinstance(judge, (list, tuple)):
            judge = "/".join(str(j) for j in judge)
        return cls(row["question_id"], str(row["model_a"]), str(row["model_b"]), str(row["winner"]), int(row["turn"]), str(judge or ""))


def revert(winner: str) -> str:
    """The winner with the two models swapped (ties unchanged)."""
    return {"model_a": "model_b", "model_b": "model_a"}.get(winner, winner)


def is_tie(winner: str) -> bool:
    """FastChat's ``convertvote(v) == "tie"``: any winner containing ``tie``."""
    return "tie" in winner


def equal_votes(w1: str, w2: str) -> bool:
    """FastChat's ``equalvote``: equal, or both ties (``tie`` agrees with ``tie (bothbad)``)."""
    return (is_tie(w1) and is_tie(w2)) or w1 == w2


def normalized(vote: Vote) -> tuple[Key, str]:
    """The vote's key and winner in that key's model order (FastChat's ``get_mt_bench_votes_data``)."""
    if vote.model_a < vote.model_b:
        return (vote.turn, vote.question_id, vote.model_a, vote.model_b), vote.winner
    return (vote.turn, vote.question_id, vote.model_b, vote.model_a), revert(vote.winner)


def is_excluded(vote: Vote) -> bool:
    """Whether the vote is left out (an ``author_*`` annotator)."""
    return vote.judge.startswith(EXCLUDED_JUDGE_PREFIX)


def group_votes(votes: Iterable[Vote | Mapping[str, Any]]) -> dict[Key, list[str]]:
    """Normalized winners by key, in input order, ``author_*`` votes left out."""
    out: dict[Key, list[str]] = defaultdict(list)
    for v in votes:
        vote = v if isinstance(v, Vote) else Vote.from_row(v)
        if is_excluded(vote):
            continue
        key, winner = normalized(vote)
        out[key].append(winner)
    return dict(out)


def compared_pairs(votes_a: Iterable[Vote | Mapping[str, Any]], votes_b: Iterable[Vote | Mapping[str, Any]] | None = None, *, turn: int | None = None) -> list[tuple[Key, str, str]]:
    """Every pair of votes FastChat compares, as ``(key, winner_1, winner_2)`` (normalized winners).

    Two sets: on each key both sets voted on, every vote of ``votes_a`` with every vote of ``votes_b``. One set
    (``votes_b is None``): on each key, every unordered pair of distinct votes ``i < j``. ``turn``: only that turn.
    """
    a = group_votes(votes_a)
    pairs: list[tuple[Key, str, str]] = []
    if votes_b is None:
        for key, ws in a.items():
            if turn is None or key[0] == turn:
                pairs.extend((key, ws[i], ws[j]) for i in range(len(ws) - 1) for j in range(i + 1, len(ws)))
        return pairs
    b = group_votes(votes_b)
    for key, ws in a.items():
        if (turn is None or key[0] == turn) and key in b:
            pairs.extend((key, w1, w2) for w1 in ws for w2 in b[key])
    return pairs


@dataclass(frozen=True, slots=True)
class SetupAgreement:
    """Agreement under one setup (``S1`` with ties, ``S2`` without): ``agree`` of ``total`` compared vote pairs,
    ``value = agree / total`` (``None`` when nothing was compared) and its percentile bootstrap interval."""

    setup: str
    agree: int
    total: int
    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"setup": self.setup, "agree": self.agree, "total": self.total, "value": self.value, "ci_low": self.ci_low, "ci_high": self.ci_high}


@dataclass(frozen=True, slots=True)
class MTBenchAgreement:
    """S1 and S2 agreement on one turn (``turn``) or both pooled (``turn is None``)."""

    turn: int | None
    s1: SetupAgreement
    s2: SetupAgreement

    def to_dict(self) -> dict[str, Any]:
        return {"turn": self.turn, "s1": self.s1.to_dict(), "s2": self.s2.to_dict()}


def setup_agreement(
    name: str, outcomes: Sequence[bool], *, ci: bool = True, confidence: float = DEFAULT_CONFIDENCE, n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED
) -> SetupAgreement:
    """One setup's agreement from the 0/1 outcomes of its compared vote pairs (``True``: the two votes agree), with
    the percentile bootstrap interval over the pairs when ``ci``; ``value None`` when nothing was compared."""
    x = np.asarray(outcomes, dtype=float)
    total = int(x.size)
    agree = int(x.sum())
    if total == 0:
        return SetupAgreement(name, 0, 0, None)
    low: float | None = None
    high: float | None = None
    if ci:
        low, high = bootstrap_mean_ci(x, confidence=confidence, n_resamples=n_resamples, seed=seed)
    return SetupAgreement(name, agree, total, agree / total, low, high)


def mt_bench_agreement(
    votes_a: Iterable[Vote | Mapping[str, Any]],
    votes_b: Iterable[Vote | Mapping[str, Any]] | None = None,
    *,
    turn: int | None = None,
    ci: bool = True,
    confidence: float = DEFAULT_CONFIDENCE,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> MTBenchAgreement:
    """FastChat's MT-Bench agreement, S1 (with ties) and S2 (without ties).

    Args:
        votes_a: the first set (a judge's votes, e.g. the ``gpt4_pair`` split), as :class:`Vote` or records.
        votes_b: the second set (e.g. the ``human`` split); ``None``: agreement of ``votes_a`` with itself (human vs
            human: every pair of distinct votes on one key).
        turn: 1 or 2 (FastChat's per-turn numbers); ``None`` pools both turns.
        ci: whether to bootstrap an interval over the compared vote pairs.

    Returns:
        :class:`MTBenchAgreement`; a setup with nothing compared has ``value None`` and ``total 0``.

    Raises:
        ValueError: for a malformed vote (missing field, unknown winner or turn) or a turn other than 1, 2, ``None``.
    """
    if turn not in (None, 1, 2):
        raise ValueError(f"turn must be 1, 2 or None (both), got {turn!r}")
    pairs = compared_pairs(votes_a, votes_b, turn=turn)
    s1 = [equal_votes(w1, w2) for _, w1, w2 in pairs]
    s2 = [equal_votes(w1, w2) for _, w1, w2 in pairs if not is_tie(w1) and not is_tie(w2)]
    return MTBenchAgreement(
        turn,
        setup_agreement("S1", s1, ci=ci, confidence=confidence, n_resamples=n_resamples, seed=seed),
        setup_agreement("S2", s2, ci=ci, confidence=confidence, n_resamples=n_resamples, seed=seed),
    )


def mt_bench_agreement_by_turn(
    votes_a: Iterable[Vote | Mapping[str, Any]], votes_b: Iterable[Vote | Mapping[str, Any]] | None = None, **kwargs: Any
) -> dict[int | None, MTBenchAgreement]:
    """:func:`mt_bench_agreement` for turn 1, turn 2 and both pooled (``None``), as FastChat prints per turn."""
    a = list(votes_a)
    b = None if votes_b is None else list(votes_b)
    return {t: mt_bench_agreement(a, b, turn=t, **kwargs) for t in (1, 2, None)}
