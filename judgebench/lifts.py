"""Lifts: reading one protocol's prediction as another kind of verdict.

* pointwise -> pairwise (``pointwise_preference``): the higher rating wins; ratings within ``margin`` of each
  other are a tie; a response without a rating gives no decision.
* pointwise -> best-of-K (``pointwise_best``): the responses with the top rating, ties shared (RewardBench 2).
* pairwise -> best-of-K and ranking (``round_robin``): every pair's reduced verdict is a game of a round robin
  (a win 1, a tie 1/2 each, no decision nothing); the best are the responses with the most wins and the ranking
  orders them by wins (Copeland). ``intransitive_triples`` counts the triples whose three decided verdicts form a
  cycle (a > b > c > a), the inconsistency RM-Gallery's conflict detector reports.

Scoring rules on best-of-K targets (``best_of_credit``, ``beats_every_loser``) are here too, with their sources.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import combinations

from .protocols import REDUCERS, PairwisePrediction, PointwisePrediction
from .schema import Decision


def pointwise_preference(prediction: PointwisePrediction, i: int = 0, j: int = 1, *, margin: float = 0.0) -> Decision:
    """Response ``i`` against ``j`` from their mean ratings, as "``i`` is A": ``A>B`` when ``i``'s is higher by more
    than ``margin``, ``B>A`` when lower by more than ``margin``, ``A=B`` within it, ``NONE`` when either has none."""
    a, b = prediction.mean(i), prediction.mean(j)
    if a is None or b is None:
        return Decision.NONE
    if abs(a - b) <= margin:
        return Decision.TIE
    return Decision.A_BETTER if a > b else Decision.B_BETTER


def pointwise_best(prediction: PointwisePrediction, k: int) -> tuple[int, ...]:
    """The responses (of ``k``) whose mean rating is the top one, in index order; empty when any response has no
    rating (a failed or unparsed rating is no verdict, so no best can be named)."""
    means = [prediction.mean(i) for i in range(k)]
    if any(m is None for m in means):
        return ()
    top = max(m for m in means if m is not None)
    return tuple(i for i, m in enumerate(means) if m == top)


def best_of_credit(best: Collection[int], correct: Collection[int]) -> float:
    """Credit of a best-of-K verdict: the share of the tied-best responses that are correct, ``|best & correct| /
    |best|``; 0 when no best was named.

    With one correct response this is RewardBench 2's rule: 1 / (number tied at the top score) when the correct one
    is among them, else 0 (allenai/reward-bench ``rewardbench/utils.py::reroll_and_score_dataset`` @ 05a9005:
    ``1 / np.sum(scores == max_val) if scores[0] == max_val else 0``).
    """
    if not best:
        return 0.0
    return len(set(best) & set(correct)) / len(set(best))


def beats_every_loser(prediction: PairwisePrediction, best: int, losers: Sequence[int], *, rule: str = "vote") -> bool:
    """RMB's best-of-N rule: the best response must be preferred to every loser (each pair's verdicts reduced by
    ``rule``, in the frame "``best`` is A"); a tie, a loss or no decision against any loser fails the item
    (Zhou et al. 2024, RMB, arXiv 2410.09893; its BoN accuracy counts an item only when ``bon_best`` wins against
    every answer of ``loser_list``)."""
    reducer = REDUCERS[rule]
    return all(reducer.verdict(prediction.of(best, j)) == 1.0 for j in losers)


def correct_vs_incorrect_share(prediction: PairwisePrediction, correct: Sequence[int], incorrect: Sequence[int], *, rule: str = "vote") -> float:
    """The share of (correct, incorrect) pairs whose verdicts, reduced by ``rule`` in the frame "the correct one is
    A", prefer the correct response (a tie or no decision: not preferred): RM-Bench's rule on a best-of-K item with
    several correct responses, the mean of its 3x3 matrix (THU-KEG/RM-Bench ``scripts/utils.py``
    ``compute_accuracy``: ``chosen_i > rejected_j``, strict). ``nan`` for no pairs."""
    reducer = REDUCERS[rule]
    pairs = [(c, j) for c in correct for j in incorrect]
    return sum(reducer.verdict(prediction.of(c, j)) == 1.0 for c, j in pairs) / len(pairs) if pairs else math.nan


@dataclass(frozen=True)
class RoundRobin:
    """A round robin over K responses from pairwise verdicts.

    Attributes:
        wins: each response's wins (1 per won pair, 1/2 per tie), in index order.
        best: the responses with the most wins (ties shared), empty when no pair was decided.
        ranking: the responses by wins, most first (ties by index).
        decided: the number of pairs with a verdict (win or tie).
        intransitive: the number of triples whose three decided, non-tie verdicts form a cycle.
        triples: the number of triples with three decided, non-tie verdicts.
    """

    wins: tuple[float, ...]
    best: tuple[int, ...]
    ranking: tuple[int, ...]
    decided: int
    intransitive: int
    triples: int

    @property
    def intransitive_share(self) -> float | None:
        """``intransitive / triples`` (``None`` without a fully decided triple)."""
        return self.intransitive / self.triples if self.triples else None


def round_robin(prediction: PairwisePrediction, k: int, *, rule: str = "vote") -> RoundRobin:
    """The round robin of ``k`` responses from the pairs ``prediction`` holds, each pair's views reduced by ``rule``."""
    reducer = REDUCERS[rule]
    wins = [0.0] * k
    beats: dict[tuple[int, int], bool] = {}  # (i, j) -> i beat j, for decided non-tie pairs
    decided = 0
    for i, j in combinations(range(k), 2):
        v = reducer.verdict(prediction.of(i, j))
        if v != v:  # nan: no decision
            continue
        decided += 1
        if v > 0:
            wins[i] += 1.0
            beats[(i, j)], beats[(j, i)] = True, False
        elif v < 0:
            wins[j] += 1.0
            beats[(i, j)], beats[(j, i)] = False, True
        else:
            wins[i] += 0.5
            wins[j] += 0.5
    intransitive = triples = 0
    for a, b, c in combinations(range(k), 3):
        if all(p in beats for p in ((a, b), (b, c), (a, c))):
            triples += 1
            # a cycle: a>b, b>c, c>a or the reverse a<b, b<c, c<a
            if beats[(a, b)] == beats[(b, c)] == beats[(c, a)]:
                intransitive += 1
    top = max(wins) if decided else None
    best = tuple(i for i, w in enumerate(wins) if w == top) if top is not None else ()
    ranking = tuple(sorted(range(k), key=lambda i: (-wins[i], i)))
    return RoundRobin(tuple(wins), best, ranking, decided, intransitive, triples)
