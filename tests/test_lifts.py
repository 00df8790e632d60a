"""The lifts and best-of rules of ``judgebench.lifts`` on hand-made predictions; every expected value is derived
by hand in a comment."""

from __future__ import annotations

import pytest

from judgebench.lifts import beats_every_loser, best_of_credit, pointwise_best, pointwise_preference, round_robin
from judgebench.protocols import PairwisePrediction, PointwisePrediction
from judgebench.schema import Decision

A, B, T, N = Decision.A_BETTER, Decision.B_BETTER, Decision.TIE, Decision.NONE


def ratings(*means: float | None) -> PointwisePrediction:
    return PointwisePrediction({i: (m,) for i, m in enumerate(means)})


def test_pointwise_preference_with_a_margin() -> None:
    # 7 against 6.5: a gap of 0.5. Margin 0 (scoring's): 7 > 6.5, A>B; margin 0.5: |0.5| <= 0.5, a tie;
    # margin 0.4: 0.5 > 0.4, A>B; read from response 1's side (i=1, j=0): B>A.
    pred = ratings(7.0, 6.5)
    assert pointwise_preference(pred) is A
    assert pointwise_preference(pred, margin=0.5) is T
    assert pointwise_preference(pred, margin=0.4) is A
    assert pointwise_preference(pred, 1, 0) is B
    # equal ratings are a tie at margin 0; a response without a rating: no decision
    assert pointwise_preference(ratings(3.0, 3.0)) is T
    assert pointwise_preference(ratings(3.0, None)) is N
    # several samples: the mean decides. Response 0: (4 + 2) / 2 = 3; response 1: 3.5: B>A
    assert pointwise_preference(PointwisePrediction({0: (4.0, 2.0), 1: (3.5, None)})) is B


def test_rewardbench2_tie_credit() -> None:
    # RewardBench 2: 1 / (number tied at the top) when the chosen (response 0) is among them, else 0.
    # chosen tied at the top with one other: best = {0, 1}: 1/2
    assert best_of_credit(pointwise_best(ratings(5, 5, 3, 2), 4), (0,)) == 0.5
    # with two others: best = {0, 1, 2}: 1/3
    assert best_of_credit(pointwise_best(ratings(5, 5, 5, 2), 4), (0,)) == pytest.approx(1 / 3)
    # not at the top: best = {1}: 0
    assert best_of_credit(pointwise_best(ratings(4, 5, 3, 2), 4), (0,)) == 0.0
    # alone at the top: 1; a response without a rating names no best: 0
    assert best_of_credit(pointwise_best(ratings(5, 4, 3, 2), 4), (0,)) == 1.0
    assert pointwise_best(ratings(5, None, 3, 2), 4) == () and best_of_credit((), (0,)) == 0.0


def test_rmb_best_must_beat_every_loser() -> None:
    # best = 0 against 1, 2, 3, one verdict each ("0 is A"): wins against all three: credited
    wins = PairwisePrediction({(0, 1): (A,), (0, 2): (A,), (0, 3): (A,)})
    assert beats_every_loser(wins, 0, [1, 2, 3])
    # one tie (against 3) fails it, and so does one loss or one no decision
    for bad in (T, B, N):
        assert not beats_every_loser(PairwisePrediction({(0, 1): (A,), (0, 2): (A,), (0, 3): (bad,)}), 0, [1, 2, 3])
    # both orders under vote: against 1 A, A (+2: a win); against 2 A, B (0: a tie): fails. Under average the
    # verdict against 1 is (1 + 1) / 2 = 1 and against 2 (1 - 1) / 2 = 0: fails too.
    two = PairwisePrediction({(0, 1): (A, A), (0, 2): (A, B)})
    assert not beats_every_loser(two, 0, [1, 2]) and not beats_every_loser(two, 0, [1, 2], rule="average")
    # a pair stored the other way round ((1, 0): B, "1 is A" and B wins) reads as 0 beating 1
    assert beats_every_loser(PairwisePrediction({(1, 0): (B,)}), 0, [1])


def test_round_robin_detects_a_planted_cycle() -> None:
    # a > b, b > c, c > a (a, b, c = 0, 1, 2): (0, 2) is "0 is A", and c beating a is B.
    # wins: 0 beats 1, 1 beats 2, 2 beats 0: one each, so all three are tied best and the correct one (0) earns 1/3;
    # the one triple is fully decided and a cycle: 1 intransitive triple of 1.
    rr = round_robin(PairwisePrediction({(0, 1): (A,), (1, 2): (A,), (0, 2): (B,)}), 3)
    assert rr.wins == (1.0, 1.0, 1.0) and rr.best == (0, 1, 2)
    assert (rr.intransitive, rr.triples, rr.intransitive_share) == (1, 1, 1.0)
    assert best_of_credit(rr.best, (0,)) == pytest.approx(1 / 3)
    # the transitive order a > b > c: wins 2, 1, 0; best a alone (credit 1), ranking a, b, c, no cycle
    line = round_robin(PairwisePrediction({(0, 1): (A,), (1, 2): (A,), (0, 2): (A,)}), 3)
    assert (line.best, line.ranking, line.intransitive, line.triples) == ((0,), (0, 1, 2), 0, 1)
    # a tie in the triple: a = b (1/2 each), b > c, a > c: wins 1.5, 1.5, 0; best {a, b}; the triple is not fully
    # decided without ties, so it is no triple at all (0 of 0: share None)
    tied = round_robin(PairwisePrediction({(0, 1): (T,), (1, 2): (A,), (0, 2): (A,)}), 3)
    assert (tied.wins, tied.best, tied.triples, tied.intransitive_share) == ((1.5, 1.5, 0.0), (0, 1), 0, None)
