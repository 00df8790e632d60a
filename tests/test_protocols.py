"""The pairwise protocol's views and combine, and the reducers (one implementation each)."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from judgebench.errors import InputError
from judgebench.protocols import REDUCERS, Pairwise, get_protocol, get_reducer
from judgebench.schema import BestOf, Decision, Item, Judgment, Preference, Response

A, B, T, N = Decision.A_BETTER, Decision.B_BETTER, Decision.TIE, Decision.NONE


def item(n: int = 2, target: object = None, id: str = "i") -> Item:
    return Item(id, "q", tuple(Response(f"r{i}") for i in range(n)), target)  # type: ignore[arg-type]


def test_two_responses_both_orders_are_judgebench_games() -> None:
    assert Pairwise().views(item()) == ((0, 1), (1, 0))
    assert Pairwise(orders="first").views(item()) == ((0, 1),)


def test_all_pairs_and_target_vs_each_for_k_responses() -> None:
    four = item(4, BestOf((2,)))
    assert Pairwise(orders="first").views(four) == ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))
    assert Pairwise(orders="first", pairs="target_vs_each").views(four) == ((2, 0), (2, 1), (2, 3))
    assert len(Pairwise(pairs="target_vs_each").views(four)) == 6
    # several correct (RM-Bench's 3 chosen x 3 rejected): each correct response against each incorrect one
    six = item(6, BestOf((0, 1, 2)))
    assert Pairwise(orders="first", pairs="target_vs_each").views(six) == ((0, 3), (0, 4), (0, 5), (1, 3), (1, 4), (1, 5), (2, 3), (2, 4), (2, 5))
    assert Pairwise(orders="first", pairs="target_vs_each").views(item(3, BestOf((0, 1)))) == ((0, 2), (1, 2))
    with pytest.raises(InputError, match="every response correct"):
        Pairwise(pairs="target_vs_each").views(item(2, BestOf((0, 1))))
    with pytest.raises(InputError, match="at least two"):
        Pairwise().views(item(1))


def test_random_order_is_seeded_and_balanced() -> None:
    items = [item(id=f"i{k}") for k in range(2000)]
    views = [Pairwise(orders="random", seed=7).views(it) for it in items]
    assert views == [Pairwise(orders="random", seed=7).views(it) for it in items]  # a rerun shows the same orders
    swapped = Counter(v == ((1, 0),) for v in views)[True]
    assert 900 < swapped < 1100  # binomial(2000, 1/2): mean 1000, sd 22
    assert views != [Pairwise(orders="random", seed=8).views(it) for it in items]


def test_combine_reads_every_view_back_into_the_items_frame() -> None:
    three = item(3)
    # view (1, 0) said B>A as shown: response 0 (shown second) is better, i.e. "0 beats 1": A>B in the frame (0, 1)
    js = [Judgment(A, game=1, view=(0, 1)), Judgment(B, game=2, view=(1, 0)), Judgment(A, game=3, view=(2, 1)), Judgment(N, game=4, view=(1, 2), error="x")]
    pred = Pairwise().combine(three, js)
    assert pred.of(0, 1) == (A, A)
    assert pred.of(1, 2) == (B, N) and pred.of(2, 1) == (A, N)
    assert pred.of(0, 2) == () and pred.failed == 1


def test_judgments_written_before_views_use_their_game() -> None:
    pred = Pairwise().combine(item(), [Judgment(A, game=1), Judgment(A, game=2)])
    assert pred.of(0, 1) == (A, B)


@pytest.mark.parametrize(
    ("decisions", "vote", "average", "first", "strict"),
    [
        # verdicts in the item's frame; label A>B for the credits below
        ((A, A), 1.0, 1.0, 1.0, 1.0),
        ((A, B), 0.0, 0.0, 1.0, 0.0),  # one each way: vote tie; average of +1 and -1; first says A; strict tie
        ((A, T), 1.0, 0.5, 1.0, 0.0),  # vote: +1 + 0 > 0
        ((A, N), 1.0, 1.0, 1.0, 0.0),  # no-decision counts 0; average over the real verdicts
        ((N, N), math.nan, math.nan, math.nan, math.nan),
        ((B, B), -1.0, -1.0, -1.0, -1.0),
    ],
)
def test_reducer_verdicts(decisions: tuple[Decision, ...], vote: float, average: float, first: float, strict: float) -> None:
    got = {name: REDUCERS[name].verdict(decisions) for name in ("vote", "average", "first", "strict")}
    for name, want in (("vote", vote), ("average", average), ("first", first), ("strict", strict)):
        assert (math.isnan(got[name]) and math.isnan(want)) or got[name] == want, name


@pytest.mark.parametrize(
    ("decisions", "vote", "average", "first", "strict"),
    [
        ((A, A), 1.0, 1.0, 1.0, 1.0),
        ((A, B), 0.0, 0.5, 1.0, 0.0),  # average: one of two views right
        ((A, T), 1.0, 0.5, 1.0, 0.0),
        ((A, N), 1.0, 0.5, 1.0, 0.0),  # average: the failed view counts as wrong
        ((N, N), 0.0, 0.0, 0.0, 0.0),
        ((B, A), 0.0, 0.5, 0.0, 0.0),
    ],
)
def test_reducer_credits_against_label_a(decisions: tuple[Decision, ...], vote: float, average: float, first: float, strict: float) -> None:
    for name, want in (("vote", vote), ("average", average), ("first", first), ("strict", strict)):
        assert REDUCERS[name].credit(A, decisions) == want, name


def test_tie_label_is_credited_by_a_tie_verdict() -> None:
    assert REDUCERS["vote"].credit(T, (A, B)) == 1.0 and REDUCERS["vote"].credit(T, (A, T)) == 0.0
    assert REDUCERS["average"].credit(T, (T, A)) == 0.5


def test_registries_refuse_unknown_names() -> None:
    with pytest.raises(InputError, match="unknown rule 'majority'"):
        get_reducer("majority")
    with pytest.raises(InputError, match="unknown protocol 'elo'"):
        get_protocol("elo")
    with pytest.raises(InputError, match="unknown pairwise order"):
        Pairwise(orders="reversed")  # type: ignore[arg-type]
    assert Pairwise().describe() == "pairwise(orders=both, pairs=all)" and Preference(0).winner == 0


def test_strict_never_credits_a_tie_label_for_disagreeing_views() -> None:
    """strict: every view must give the label; A then B reduces to a tie *verdict*, but neither view said tie."""
    assert REDUCERS["strict"].credit(T, (A, B)) == 0.0 and REDUCERS["strict"].credit(T, (T, N)) == 0.0
    assert REDUCERS["strict"].credit(T, (T, T)) == 1.0 and REDUCERS["strict"].credit(A, (A, A)) == 1.0
