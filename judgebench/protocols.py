"""How an item is put to a judge (a protocol) and how the verdicts come back into the item's frame (reducers).

A **protocol** expands an item into *views* (tuples of response indices, in the order the judge is shown them) and
combines the judgments on those views back into the item's frame. A **reducer** turns the several verdicts one
item gets (one per view) into one verdict or one credit. Both exist once, here: the runner asks the protocol what
to judge, and scoring, agreement labels and reports all reduce through ``REDUCERS``; nothing else un-permutes a
view or implements a vote.

Protocols (``PROTOCOLS``; each is one class with ``views`` and ``combine``, and the runner, results, scoring and
reports need nothing else):

* ``Pairwise(orders, pairs)``: a pairwise judge sees two responses at a time.
  ``orders``: ``both`` (each pair in both orders: JudgeBench, LLMBar), ``first`` (the item's own order only) or
  ``random`` (one order per pair, chosen by a seeded hash of the item id, so a rerun shows the same order).
  ``pairs``: ``all`` (every unordered pair of responses) or ``target_vs_each`` (each response the target names
  correct against each one it does not: RewardBench's chosen vs rejected, RMB's best vs each loser, RM-Bench's
  3 chosen x 3 rejected).
* ``Pointwise(samples)``: a pointwise judge rates one response at a time (one view per response).
* ``Listwise(rotations)``: a listwise judge sees all K responses, in cyclic rotations so the position of each one
  is balanced and position bias can be measured.

Reducers (``REDUCERS``), on the verdicts of one pair of responses in the item's frame (``A`` = the first
response of the pair), as values ``1`` (A better), ``-1`` (B better), ``0`` (tie), ``nan`` (no decision):

* ``vote`` (JudgeBench, arXiv 2410.12784; ``compute_final_metrics`` in ScalerLab/JudgeBench ``utils/metrics.py``):
  the sign of ``#A - #B`` over the verdicts; ties and no-decisions count 0. Inconsistent verdicts (A then B) give
  a tie, which is never credited for a non-tie label. No decision in any view: no decision.
* ``average`` (LLMBar, arXiv 2310.07641, ``evaluate.py`` in princeton-nlp/LLMBar): the credit is the mean over
  the views of ``verdict == label``; an inconsistent pair earns 1/2. As a verdict, the mean of the values.
* ``first``: the first view only (the item's own order when judged ``both``).
* ``strict``: every view agrees: their common verdict; any disagreement (including a missing view) a tie;
  credited only when every view gives the label.

A pair's **credit** under ``vote``, ``first`` and ``strict`` is 1 when the reduced verdict equals the label, else
0; ``average`` credits each view. A label is never a no-decision (``Decision.NONE``).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Literal, Protocol, runtime_checkable

from .errors import InputError
from .schema import BestOf, Decision, Item, Judgment, Preference

View = tuple[int, ...]
"""Indices into ``Item.responses``, in the order the judge is shown them."""

VALUE: dict[Decision, float] = {Decision.A_BETTER: 1.0, Decision.TIE: 0.0, Decision.B_BETTER: -1.0, Decision.NONE: math.nan}
"""Each decision as a number: 1 = A better, -1 = B better, 0 = tie, nan = no decision."""

# ---------------------------------------------------------------------------------------------------------------
# reducers


def _vote(decisions: Sequence[Decision]) -> float:
    real = [VALUE[d] for d in decisions if d is not Decision.NONE]
    return float(math.copysign(1.0, s)) if real and (s := sum(real)) != 0 else (0.0 if real else math.nan)


def _first(decisions: Sequence[Decision]) -> float:
    return VALUE[decisions[0]] if decisions else math.nan


def _strict(decisions: Sequence[Decision]) -> float:
    if not decisions or all(d is Decision.NONE for d in decisions):
        return math.nan
    return VALUE[decisions[0]] if len(set(decisions)) == 1 else 0.0


def _average(decisions: Sequence[Decision]) -> float:
    real = [VALUE[d] for d in decisions if d is not Decision.NONE]
    return sum(real) / len(real) if real else math.nan


def _credit_by_verdict(verdict: Callable[[Sequence[Decision]], float]) -> Callable[[Decision, Sequence[Decision]], float]:
    def credit(label: Decision, decisions: Sequence[Decision]) -> float:
        return float(verdict(decisions) == VALUE[label])

    return credit


def _credit_strict(label: Decision, decisions: Sequence[Decision]) -> float:
    # every view must give the label itself: an inconsistent pair reduces to a tie verdict, which is no tie *given*
    return float(bool(decisions) and all(d == label for d in decisions))


def _credit_average(label: Decision, decisions: Sequence[Decision]) -> float:
    return sum(d == label for d in decisions) / len(decisions) if decisions else 0.0


@dataclass(frozen=True)
class Reducer:
    """One way to make one verdict (``verdict``) and one credit against a label (``credit``) from the verdicts of
    one pair of responses, all in the item's frame.

    Attributes:
        name: the registry name (``--rule``, ``--aggregate``).
        description: one line, with its source.
        verdict: decisions -> 1 / 0 / -1 (``average``: their mean in [-1, 1]) or nan for no decision.
        credit: (label, decisions) -> credit in [0, 1]; an empty sequence earns 0.
    """

    name: str
    description: str
    verdict: Callable[[Sequence[Decision]], float]
    credit: Callable[[Decision, Sequence[Decision]], float]


REDUCERS: dict[str, Reducer] = {
    r.name: r
    for r in (
        Reducer("vote", "sign of #A - #B over the views; a tie or no decision is not credited (JudgeBench)", _vote, _credit_by_verdict(_vote)),
        Reducer("average", "mean over the views of verdict == label; inconsistent earns 1/2 (LLMBar)", _average, _credit_average),
        Reducer("first", "the first view only", _first, _credit_by_verdict(_first)),
        Reducer("strict", "credited only when every view gives the label", _strict, _credit_strict),
    )
}
"""Every reducer by name, in the order ``--help`` lists them."""

ReducerName = Literal["vote", "average", "first", "strict"]


def get_reducer(name: str) -> Reducer:
    """The reducer registered as ``name``.

    Raises:
        InputError: for an unknown name, listing the known ones.
    """
    try:
        return REDUCERS[name]
    except KeyError:
        raise InputError(f"unknown rule {name!r}; expected one of {', '.join(REDUCERS)}", field="--rule") from None


def verdict_value(decision: Decision) -> float:
    """``decision`` as a number (``VALUE``)."""
    return VALUE[decision]


# ---------------------------------------------------------------------------------------------------------------
# protocols


@dataclass(frozen=True)
class PairwisePrediction:
    """What a pairwise judge said about an item, in the item's frame.

    Attributes:
        decisions: for each judged pair of responses ``(i, j)`` with ``i < j``, the verdicts of its views in the
            order the views were judged, each read as "response ``i`` is A": a view that showed ``(j, i)`` has its
            verdict flipped back here.
        failed: the number of views whose call failed (their verdict is ``Decision.NONE``).
    """

    decisions: dict[tuple[int, int], tuple[Decision, ...]]
    failed: int = 0

    def of(self, i: int = 0, j: int = 1) -> tuple[Decision, ...]:
        """The verdicts on responses ``i`` and ``j`` in the frame "``i`` is A" (empty when the pair was not judged)."""
        if (i, j) in self.decisions:
            return self.decisions[(i, j)]
        return tuple(d.flipped() for d in self.decisions.get((j, i), ()))


@runtime_checkable
class JudgingProtocol(Protocol):
    """How an item is put to a judge: ``views`` says what to show, ``combine`` reads the verdicts back.

    ``judge_kind`` is the kind of judge the views are for (``pairwise``, ``pointwise``, ``listwise``); the runner
    refuses a judge of another kind unless an adapter lifts it.
    """

    @property
    def name(self) -> str:
        """The registry name (``pairwise``)."""
        ...

    @property
    def judge_kind(self) -> str:
        """The kind of judge the views are for."""
        ...

    def views(self, item: Item) -> tuple[View, ...]:
        """The views of ``item`` to judge, in a fixed order (a rerun plans the same views)."""
        ...

    def combine(self, item: Item, judgments: Sequence[Judgment]) -> Any:
        """The judgments of ``item`` (each carrying its ``view``) combined into the item's frame."""
        ...

    def describe(self) -> str:
        """A short label for run.json and reports, e.g. ``pairwise(orders=both, pairs=all)``."""
        ...


Orders = Literal["both", "first", "random"]
PairsMode = Literal["all", "target_vs_each"]


def _target_indices(item: Item) -> tuple[int, ...]:
    """The responses the target names correct: a preference's winner (none for a tie), a best-of-K's correct ones."""
    target = item.target
    if isinstance(target, Preference):
        return () if target.winner is None else (target.winner,)
    if isinstance(target, BestOf):
        return tuple(target.correct)
    return ()


@dataclass(frozen=True)
class Pairwise:
    """Pairwise views of an item (see the module docstring for ``orders`` and ``pairs``).

    For a two-response item with ``orders="both"`` the views are ``(0, 1)`` then ``(1, 0)``: JudgeBench's game 1
    and game 2.

    Raises:
        InputError: (from ``views``) for an item with fewer than two responses, or ``target_vs_each`` on an item
            whose target names no correct response (or every response correct).
    """

    orders: Orders = "both"
    pairs: PairsMode = "all"
    seed: int = 0
    name: str = "pairwise"
    judge_kind: str = "pairwise"

    def __post_init__(self) -> None:
        if self.orders not in ("both", "first", "random"):
            raise InputError(f"unknown pairwise order {self.orders!r}; expected both, first or random", field="orders")
        if self.pairs not in ("all", "target_vs_each"):
            raise InputError(f"unknown pairing {self.pairs!r}; expected all or target_vs_each", field="pairs")

    def response_pairs(self, item: Item) -> list[tuple[int, int]]:
        """The unordered pairs ``(i, j)``: ``i < j`` in the item's order (``all``), or each correct response ``i``
        against each other response ``j`` (``target_vs_each``; correct ones in the target's order, then ``j`` in the
        item's order)."""
        n = len(item.responses)
        if n < 2:
            raise InputError(f"item {item.id!r} has {n} response(s); a pairwise judge needs at least two", field="responses")
        if self.pairs == "all":
            return list(combinations(range(n), 2))
        correct = _target_indices(item)
        others = [j for j in range(n) if j not in correct]
        if not correct or not others:
            raise InputError(f"item {item.id!r}: its target names {'no' if not correct else 'every'} response correct; target_vs_each needs correct and incorrect ones (use pairs=all)", field="target")
        return [(c, j) for c in correct for j in others]

    def views(self, item: Item) -> tuple[View, ...]:
        out: list[View] = []
        for i, j in self.response_pairs(item):
            if self.orders == "both":
                out += [(i, j), (j, i)]
            elif self.orders == "first":
                out.append((i, j))
            else:
                digest = hashlib.sha256(f"{self.seed}:{item.id}:{i}:{j}".encode()).digest()
                out.append((i, j) if digest[0] % 2 == 0 else (j, i))
        return tuple(out)

    def combine(self, item: Item, judgments: Sequence[Judgment]) -> PairwisePrediction:
        by_pair: dict[tuple[int, int], list[Decision]] = {}
        for i, j in self.response_pairs(item):
            by_pair[(i, j)] = []
        for jm in judgments:
            if len(jm.shown) != 2:  # not a pairwise view (a pointwise or listwise judgment): nothing to read here
                continue
            a, b = jm.shown
            if (a, b) in by_pair:
                by_pair[(a, b)].append(jm.decision)
            elif (b, a) in by_pair:
                by_pair[(b, a)].append(jm.decision.flipped())
        return PairwisePrediction({k: tuple(v) for k, v in by_pair.items()}, failed=sum(jm.is_failed for jm in judgments))

    def describe(self) -> str:
        seed = f", seed={self.seed}" if self.orders == "random" else ""
        return f"pairwise(orders={self.orders}{seed}, pairs={self.pairs})"


@dataclass(frozen=True)
class PointwisePrediction:
    """What a pointwise judge said about an item: ``ratings[i]`` holds the ratings of response ``i``, one per view
    that showed it (in the order judged; ``None`` for a failed or unparsed view)."""

    ratings: dict[int, tuple[float | None, ...]]
    failed: int = 0

    def mean(self, i: int) -> float | None:
        """The mean of response ``i``'s ratings that exist (``None``: none does)."""
        got = [r for r in self.ratings.get(i, ()) if r is not None]
        return sum(got) / len(got) if got else None


@dataclass(frozen=True)
class Pointwise:
    """One view per response, ``(i,)``, each judged alone (MT-Bench single-answer grading, Prometheus 2 absolute
    grading, RewardBench 2's ratings, a reward model's score); ``samples`` > 1 repeats each view (Prometheus'
    protocol averages several samples)."""

    samples: int = 1
    name: str = "pointwise"
    judge_kind: str = "pointwise"

    def __post_init__(self) -> None:
        if not isinstance(self.samples, int) or self.samples < 1:
            raise InputError(f"pointwise samples must be a whole number >= 1, got {self.samples!r}", field="samples")

    def views(self, item: Item) -> tuple[View, ...]:
        return tuple((i,) for i in range(len(item.responses)) for _ in range(self.samples))

    def combine(self, item: Item, judgments: Sequence[Judgment]) -> PointwisePrediction:
        out: dict[int, list[float | None]] = {i: [] for i in range(len(item.responses))}
        for jm in judgments:
            (i,) = jm.shown[:1] or (None,)
            if i is not None and i in out:
                out[i].append(jm.rating if not jm.is_failed else None)
        return PointwisePrediction({k: tuple(v) for k, v in out.items()}, failed=sum(jm.is_failed for jm in judgments))

    def describe(self) -> str:
        return f"pointwise(samples={self.samples})"


@dataclass(frozen=True)
class ListwisePrediction:
    """What a listwise judge said about an item, in the item's frame, one entry per view in the order judged.

    Attributes:
        views: the views (response indices in the order shown).
        choices: the response index the judge picked as best in each view (``None``: no choice).
        positions: the position (from 0) it picked in the order shown, for position bias.
        rankings: each view's full order as response indices, best first (``None`` when it gave none).
    """

    views: tuple[View, ...]
    choices: tuple[int | None, ...]
    positions: tuple[int | None, ...]
    rankings: tuple[tuple[int, ...] | None, ...]
    failed: int = 0


Rotations = Literal["all"] | int


@dataclass(frozen=True)
class Listwise:
    """The item's K responses shown together, in cyclic rotations so each response appears once in each position
    (RewardBench 2's four-way judge, K-Sort Arena's K-wise comparisons): ``rotations="all"`` judges all K
    rotations, an integer ``r`` a seeded subset of ``r`` of them (the same on a rerun)."""

    rotations: Rotations = "all"
    seed: int = 0
    name: str = "listwise"
    judge_kind: str = "listwise"

    def __post_init__(self) -> None:
        if self.rotations != "all" and (not isinstance(self.rotations, int) or isinstance(self.rotations, bool) or self.rotations < 1):
            raise InputError(f"listwise rotations must be 'all' or a whole number >= 1, got {self.rotations!r}", field="rotations")

    def views(self, item: Item) -> tuple[View, ...]:
        k = len(item.responses)
        if k < 2:
            raise InputError(f"item {item.id!r} has {k} response(s); a listwise judge needs at least two", field="responses")
        shifts = list(range(k))
        if self.rotations != "all" and self.rotations < k:
            order = sorted(shifts, key=lambda r: hashlib.sha256(f"{self.seed}:{item.id}:{r}".encode()).digest())
            shifts = sorted(order[: self.rotations])
        return tuple(tuple((j + r) % k for j in range(k)) for r in shifts)

    def combine(self, item: Item, judgments: Sequence[Judgment]) -> ListwisePrediction:
        views, choices, positions, rankings = [], [], [], []
        for jm in judgments:
            view = jm.shown
            views.append(view)
            ok = not jm.is_failed
            pos = jm.choice if ok and jm.choice is not None and 0 <= jm.choice < len(view) else None
            rank = tuple(view[p] for p in jm.ranking) if ok and jm.ranking is not None and sorted(jm.ranking) == list(range(len(view))) else None
            if pos is None and rank is not None:
                pos = jm.ranking[0] if jm.ranking else None
            positions.append(pos)
            choices.append(view[pos] if pos is not None else None)
            rankings.append(rank)
        return ListwisePrediction(tuple(views), tuple(choices), tuple(positions), tuple(rankings), failed=sum(jm.is_failed for jm in judgments))

    def describe(self) -> str:
        seed = f", seed={self.seed}" if self.rotations != "all" else ""
        return f"listwise(rotations={self.rotations}{seed})"


PROTOCOLS: dict[str, Callable[..., JudgingProtocol]] = {"pairwise": Pairwise, "pointwise": Pointwise, "listwise": Listwise}
"""Protocol classes by name; ``get_protocol`` builds one from its options."""


def get_protocol(name: str, **options: Any) -> JudgingProtocol:
    """The protocol registered as ``name``, built with ``options``.

    Raises:
        InputError: for an unknown name or option.
    """
    if name not in PROTOCOLS:
        raise InputError(f"unknown protocol {name!r}; expected one of {', '.join(PROTOCOLS)}", field="--protocol")
    try:
        return PROTOCOLS[name](**options)
    except TypeError as e:
        raise InputError(f"bad option for protocol {name!r}: {e}", field="--protocol") from None
