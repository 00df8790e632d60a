"""Scoring what is not a preference judged pairwise: lifted verdicts, best-of-K targets and ratings.

``scoring.score_results`` scores a preference judged pairwise itself (the published numbers); every other item is
scored here, from its result's prediction under the protocol that judged it (:func:`result_protocol`):

* **Preference + pointwise**: the two mean ratings lifted to one verdict (``lifts.pointwise_preference``, margin 0:
  the higher rating wins, equal ratings are a tie; no judge option changes it); credit = verdict == label. One
  verdict per pair, so position consistency is not defined (``None``).
* **BestOf + listwise** (and a preference with a winner, read as best-of-2): credit = the mean over the item's
  views of [the chosen response is correct] (a view with no choice counts 0). Position bias over the run
  (:func:`position_bias`).
* **BestOf + pointwise**: RewardBench 2's rule, ``best_of_credit(pointwise_best(...), correct)``: 1 / (number tied
  at the top) when a correct response is among them.
* **BestOf + pairwise**: ``pairs=target_vs_each``: with one correct response RMB's rule, 1 when it beats every other
  one under the run's rule (``lifts.beats_every_loser``); with several, the share of (correct, incorrect) pairs the
  correct one wins (``lifts.correct_vs_incorrect_share``, RM-Bench's matrix mean); ``pairs=all``: the round robin's best
  (``lifts.round_robin``), credited by ``best_of_credit``, with intransitivity over the run
  (:func:`intransitivity`).
* **Ratings + pointwise**: no accuracy (the credit is NaN and the item is left out of accuracy); the judge's mean
  rating of each response next to the target's mean (:func:`ratings_table`), and their agreement when
  ``judgebench.metrics.ratings.rating_agreement`` is there (:func:`ratings_agreement`).

Which protocol judged a result: its ``ItemResult.protocol`` (the protocol's ``describe()`` string, which the runner
records on every line), parsed back into the protocol (:func:`parse_protocol`); a result without a readable one
(written before protocols were recorded, or by another tool) is inferred from its judgments' verdict fields: a
rating makes it pointwise, a choice or ranking listwise, anything else pairwise (every judgment written before
issue 14), with ``pairs=target_vs_each`` when the judged pairs of a best-of-K item are exactly its one correct response against
each other one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import InputError
from ..lifts import (
    RoundRobin,
    beats_every_loser,
    best_of_credit,
    correct_vs_incorrect_share,
    pointwise_best,
    pointwise_preference,
    round_robin,
)
from ..protocols import JudgingProtocol, Listwise, ListwisePrediction, Pairwise, Pointwise, get_protocol
from ..schema import BestOf, ItemResult, Preference, Ratings

_DESCRIBED = re.compile(r"^\s*(\w+)\s*\((.*)\)\s*$")

NOTES: dict[str, str] = {
    "preference+pointwise": "pointwise ratings lifted to a preference: the higher mean rating wins, equal ratings are a tie "
    "(margin 0, whatever the judge's options); one verdict per pair, so position consistency is not defined",
    "best_of+listwise": "listwise: the mean over the item's views (rotations) of [the chosen response is correct]",
    "best_of+pointwise": "RewardBench 2's rule: 1 / (number of responses tied at the top rating) when a correct one is among them, else 0",
    "best_of+pairwise(target_vs_each)": "one correct response: RMB's rule, credited when it beats every other one under the run's rule (a tie fails it); "
    "several: the share of (correct, incorrect) pairs the correct one wins (RM-Bench's matrix mean)",
    "best_of+pairwise(all)": "round robin (a win 1, a tie 1/2): 1 / (number tied at the most wins) when a correct response is among them",
    "ratings+pointwise": "ratings targets have no accuracy (left out of it); see extra['ratings'] for the judge's and the target's mean ratings",
}
"""How each (target, protocol) combination is scored, one line each; ``RunMetrics.extra["scoring"]`` holds those
present in a run."""


def parse_protocol(described: str) -> JudgingProtocol | None:
    """The protocol a ``describe()`` string names (``pairwise(orders=both, pairs=all)``, ``pointwise(samples=3)``,
    ``listwise(rotations=2, seed=0)``), or ``None`` when it does not read as one."""
    m = _DESCRIBED.match(described or "")
    if m is None:
        return None
    options: dict[str, Any] = {}
    for part in m.group(2).split(","):
        key, sep, value = part.strip().partition("=")
        if not part.strip():
            continue
        if not sep or not key:
            return None
        options[key.strip()] = int(value) if value.strip().lstrip("-").isdigit() else value.strip()
    try:
        return get_protocol(m.group(1), **options)
    except InputError:
        return None


def infer_protocol(result: ItemResult) -> JudgingProtocol:
    """The protocol a result's judgments imply (see the module docstring)."""
    if any(g.rating is not None for g in result.judgments):
        return Pointwise()
    if any(g.choice is not None or g.ranking is not None for g in result.judgments):
        return Listwise()
    target = result.item.target
    k = len(result.item.responses)
    if isinstance(target, BestOf) and k > 2 and 0 < len(target.correct) < k:
        others = [j for j in range(k) if j not in target.correct]
        if {frozenset(g.shown) for g in result.judgments} == {frozenset((c, j)) for c in target.correct for j in others}:
            return Pairwise(pairs="target_vs_each")
    return Pairwise()


def result_protocol(result: ItemResult) -> JudgingProtocol:
    """The protocol that judged ``result``: its recorded description, else inferred (:func:`infer_protocol`)."""
    return parse_protocol(result.protocol) or infer_protocol(result)


def combination(result: ItemResult, protocol: JudgingProtocol) -> str:
    """The key of ``NOTES`` for this result (``best_of+pairwise(all)``)."""
    target = result.item.target
    name = target.type if target is not None else "none"
    if isinstance(target, Preference) and protocol.name == "listwise":
        name = "best_of"  # a preference with a winner, read as best-of-2
    kind = protocol.name
    if isinstance(protocol, Pairwise) and name == "best_of":
        kind = f"pairwise({protocol.pairs})"
    return f"{name}+{kind}"


@dataclass(frozen=True)
class ItemScore:
    """One item's score outside the preference + pairwise path.

    Attributes:
        credit: in [0, 1]; NaN when the item has no accuracy (ratings).
        combination: its key in ``NOTES``.
        listwise: the listwise prediction and the correct responses, for position bias.
        round_robin: the round robin, for intransitivity.
        ratings: ``(judge means, target means)`` per response, for ratings targets.
    """

    credit: float
    combination: str
    listwise: tuple[ListwisePrediction, tuple[int, ...]] | None = None
    round_robin: RoundRobin | None = None
    ratings: tuple[tuple[float | None, ...], tuple[float | None, ...]] | None = None


def _correct(result: ItemResult) -> tuple[int, ...]:
    target = result.item.target
    if isinstance(target, BestOf):
        return target.correct
    if isinstance(target, Preference) and target.winner is not None:
        return (target.winner,)
    raise InputError(f"item {result.item.id!r}: a best-of score needs a best-of target or a preference with a winner", field="target")


def ratings_dimension(target: Ratings) -> str:
    """The dimension a ratings target is scored on: ``overall``, else its first."""
    return "overall" if "overall" in target.values else next(iter(target.values))


def score_item(result: ItemResult, protocol: JudgingProtocol, *, rule: str = "vote") -> ItemScore:
    """Score one result that is not a preference judged pairwise (see the module docstring).

    Raises:
        InputError: naming the item, for a target and protocol this module does not score.
    """
    item, target = result.item, result.item.target
    k = len(item.responses)
    key = combination(result, protocol)
    if isinstance(protocol, Pointwise):
        pred = protocol.combine(item, result.judgments)
        if isinstance(target, Preference) and k == 2:
            verdict = pointwise_preference(pred, 0, 1, margin=0.0)
            return ItemScore(float(verdict == target.decision), key)
        if isinstance(target, BestOf):
            return ItemScore(best_of_credit(pointwise_best(pred, k), target.correct), key)
        if isinstance(target, Ratings):
            dim = ratings_dimension(target)
            return ItemScore(math.nan, key, ratings=(tuple(pred.mean(i) for i in range(k)), tuple(target.mean(i, dim) for i in range(k))))
    elif isinstance(protocol, Listwise) and isinstance(target, BestOf | Preference):
        correct = _correct(result)
        pred_l = protocol.combine(item, result.judgments)
        credit = sum(c is not None and c in correct for c in pred_l.choices) / len(pred_l.choices) if pred_l.choices else 0.0
        return ItemScore(credit, key, listwise=(pred_l, correct))
    elif isinstance(protocol, Pairwise) and isinstance(target, BestOf):
        pred_p = protocol.combine(item, result.judgments)
        if protocol.pairs == "target_vs_each":
            losers = [j for j in range(k) if j not in target.correct]
            if len(target.correct) == 1:
                return ItemScore(float(beats_every_loser(pred_p, target.correct[0], losers, rule=rule)), key)
            return ItemScore(correct_vs_incorrect_share(pred_p, target.correct, losers, rule=rule), key)
        rr = round_robin(pred_p, k, rule=rule)
        return ItemScore(best_of_credit(rr.best, target.correct), key, round_robin=rr)
    raise InputError(f"item {item.id!r}: judgebench does not score a {key} item (its target against a {protocol.describe()} judge)", field="target")


# ---------------------------------------------------------------------------------------------------------------
# what a run's items add up to (RunMetrics.extra)


def _position_bias_of(rows: Sequence[tuple[ListwisePrediction, tuple[int, ...]]], k: int) -> dict[str, Any]:
    counts = [0] * k
    right_at = [0] * k  # views whose correct response was shown at position p, and chosen correctly
    shown_at = [0] * k
    views = no_choice = 0
    for pred, correct in rows:
        for view, pos, choice in zip(pred.views, pred.positions, pred.choices, strict=True):
            views += 1
            if pos is None:
                no_choice += 1
            else:
                counts[pos] += 1
            hit = choice is not None and choice in correct
            for p, shown in enumerate(view):
                if shown in correct:
                    shown_at[p] += 1
                    right_at[p] += hit
    chosen = sum(counts)
    chi2 = p_value = None
    if chosen:
        from scipy.stats import chisquare

        test = chisquare(counts)  # against the uniform share 1/K at each position
        chi2, p_value = float(test.statistic), float(test.pvalue)
    return {
        "positions": k,
        "views": views,
        "choices": chosen,
        "no_choice": no_choice,
        "counts": counts,
        "shares": [c / chosen if chosen else None for c in counts],
        "expected_share": 1 / k,
        "chi2": chi2,
        "dof": k - 1,
        "p_value": p_value,
        "accuracy_by_position": [100 * r / s if s else None for r, s in zip(right_at, shown_at, strict=True)],
        "correct_shown_at": shown_at,
    }


def position_bias(rows: Sequence[tuple[ListwisePrediction, tuple[int, ...]]]) -> dict[str, Any]:
    """Position bias of a listwise judge over a run's views (rows: each item's prediction and correct responses).

    For the items' K positions: ``counts`` / ``shares`` of the choices made at each position shown (from 0; an
    unbiased judge picks each with share ``expected_share`` = 1/K over balanced rotations), Pearson's chi-square
    test of uniform shares (``chi2``, ``dof`` = K - 1, ``p_value``; scipy's ``chisquare``; ``None`` with no
    choice), and ``accuracy_by_position[p]``: in percent, the accuracy over the views that showed a correct
    response at position ``p`` (``correct_shown_at[p]`` of them). Views with no choice count in ``views`` and
    ``no_choice``, not in the shares. Items of one K give these keys at the top; items of several K give
    ``by_k``: ``{K: {...}}``.
    """
    by_k: dict[int, list[tuple[ListwisePrediction, tuple[int, ...]]]] = {}
    for pred, correct in rows:
        k = max((len(v) for v in pred.views), default=0)
        if k:
            by_k.setdefault(k, []).append((pred, correct))
    if len(by_k) == 1:
        ((k, got),) = by_k.items()
        return _position_bias_of(got, k)
    return {"by_k": {str(k): _position_bias_of(got, k) for k, got in sorted(by_k.items())}}


def intransitivity(rounds: Sequence[RoundRobin]) -> dict[str, Any]:
    """Intransitivity over a run's round robins: the triples of responses whose three pairs were all decided
    (no tie), those of them that form a cycle (a > b > c > a), their share, and the items with at least one cycle
    and their share of the items."""
    triples = sum(r.triples for r in rounds)
    cyclic = sum(r.intransitive for r in rounds)
    with_cycle = sum(r.intransitive > 0 for r in rounds)
    return {
        "items": len(rounds),
        "triples": triples,
        "intransitive_triples": cyclic,
        "intransitive_share": cyclic / triples if triples else None,
        "items_with_cycle": with_cycle,
        "items_with_cycle_share": with_cycle / len(rounds) if rounds else None,
    }


def ratings_table(results: Sequence[ItemResult], ratings: Sequence[tuple[tuple[float | None, ...], tuple[float | None, ...]]]) -> dict[str, Any]:
    """The judge's mean rating of each response next to the target's mean (``items``: one entry per item with
    ``item_id``, ``dimension``, ``scale``, ``judge`` and ``target``, one value per response; ``None``: no rating)."""
    rows = []
    for r, (judge, target) in zip(results, ratings, strict=True):
        assert isinstance(r.item.target, Ratings)
        rows.append({"item_id": r.item.id, "dimension": ratings_dimension(r.item.target), "scale": list(r.item.target.scale), "judge": list(judge), "target": list(target)})
    return {"items": rows, "note": NOTES["ratings+pointwise"]}


def ratings_agreement(results: Sequence[ItemResult], ratings: Sequence[tuple[tuple[float | None, ...], tuple[float | None, ...]]], *, n_resamples: int, seed: int) -> dict[str, Any] | None:
    """The agreement of the judge's mean ratings with the target's, one unit per response
    (``judgebench.metrics.ratings.rating_agreement``: correlations, MAE, kappa, ...; per system when every response
    names its model), as ``{key: Estimate.to_dict()}``; ``None`` when that module is not there (the hook for it)."""
    try:
        from ..metrics.ratings import rating_agreement
    except ImportError:
        return None
    judge = [math.nan if v is None else v for js, _ in ratings for v in js]
    target = [math.nan if v is None else v for _, ts in ratings for v in ts]
    if not judge:
        return None
    scales = {tuple(r.item.target.scale) for r in results if isinstance(r.item.target, Ratings)}
    scale = None
    if len(scales) == 1:
        lo, hi = next(iter(scales))
        if lo == math.floor(lo) and hi == math.floor(hi):
            scale = list(range(int(lo), int(hi) + 1))
    models = [resp.model for r in results for resp in r.item.responses]
    systems = models if all(models) and len(set(models)) > 1 else None
    estimates = rating_agreement(judge, target, scale, systems=systems, n_resamples=n_resamples, seed=seed)
    out = {key: e.to_dict() for key, e in estimates.items()}
    if any(j.score_kind == "reward" for r in results for j in r.judgments):
        # a reward model's scores are on its own unbounded scale, not the reference's: only correlations compare
        # them; an error, a kappa, an alpha at interval level or an absolute-agreement ICC would read noise as fact
        for key, e in out.items():
            if key.split("/", 1)[-1] not in ("pearson", "spearman", "kendall"):
                e.update(value=None, defined=False, intervals=[], p_value=None, reason="rewards are not on the reference's scale: only correlations compare them")
    return out
