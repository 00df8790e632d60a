"""Scoring items that are not a preference judged pairwise (``analysis.best_of`` through ``score_results``), on
hand-made results; every expected value is derived by hand in a comment."""

from __future__ import annotations

import math

import pytest

from judgebench.analysis.best_of import infer_protocol, parse_protocol, result_protocol
from judgebench.analysis.scoring import check_scorable, score_results
from judgebench.errors import InputError
from judgebench.protocols import Listwise, Pairwise, Pointwise
from judgebench.schema import BestOf, Decision, Item, ItemResult, Judgment, Preference, Ratings, Response, Target

A, B, T = Decision.A_BETTER, Decision.B_BETTER, Decision.TIE


def item(n: int, target: Target, i: int = 0, category: str = "c") -> Item:
    return Item(f"i{i}", "q?", tuple(Response(f"r{k}") for k in range(n)), target, category=category)


def rated(it: Item, *ratings: float | None, samples: int = 1) -> ItemResult:
    """A pointwise result: one view per response; ``None`` is a failed view."""
    js = tuple(
        Judgment(Decision.NONE, view=(k,), game=k + 1, rating=r, error=None if r is not None else "boom")
        for k, r in enumerate(ratings)
    )
    return ItemResult(it, "rater", "none", js, Pointwise(samples).describe())


def paired(it: Item, protocol: Pairwise, verdicts: dict[tuple[int, ...], Decision]) -> ItemResult:
    """A pairwise result: each view with its decision in the order shown."""
    views = protocol.views(it)
    return ItemResult(it, "pj", "none", tuple(Judgment(verdicts[v], view=v, game=g) for g, v in enumerate(views, 1)), protocol.describe())


def listed(it: Item, protocol: Listwise, pick: str) -> ItemResult:
    """A listwise result: ``pick`` ``first`` chooses position 0 in every view, ``r<k>`` chooses response k wherever shown."""
    js = []
    for g, view in enumerate(protocol.views(it), 1):
        pos = 0 if pick == "first" else view.index(int(pick[1:]))
        js.append(Judgment(Decision.NONE, view=view, game=g, choice=pos))
    return ItemResult(it, "lj", "none", tuple(js), protocol.describe())


def test_which_protocol_a_result_was_judged_under() -> None:
    assert parse_protocol("pairwise(orders=random, seed=3, pairs=target_vs_each)") == Pairwise("random", "target_vs_each", 3)
    assert parse_protocol("pointwise(samples=3)") == Pointwise(3)
    assert parse_protocol("listwise(rotations=2, seed=0)") == Listwise(2, 0) and parse_protocol("listwise(rotations=all)") == Listwise()
    assert parse_protocol("") is None and parse_protocol("nonsense(x=1)") is None and parse_protocol("pairwise(orders)") is None
    # without a readable description: inferred from the verdict fields
    bo = item(3, BestOf((1,)))
    assert infer_protocol(rated(bo, 1, 2, 3)) == Pointwise()
    assert infer_protocol(ItemResult(bo, "j", "m", (Judgment(Decision.NONE, view=(0, 1, 2), choice=0),), "")) == Listwise()
    assert infer_protocol(ItemResult(bo, "j", "m", (Judgment(A, view=(1, 0)), Judgment(A, view=(1, 2))), "")) == Pairwise(pairs="target_vs_each")
    assert infer_protocol(ItemResult(bo, "j", "m", (Judgment(A, view=(0, 1)), Judgment(A, view=(0, 2))), "")) == Pairwise()  # (0, 2) lacks 1
    assert result_protocol(ItemResult(bo, "j", "m", (Judgment(A, view=(0, 1)),), "???")) == Pairwise()


def test_rewardbench2_tie_credit_on_pointwise_ratings() -> None:
    # four responses, the correct one is 0 (RewardBench 2's chosen):
    # 5 5 3 2: tied at the top with one other: 1/2; 5 5 5 2: with two others: 1/3; 4 5 3 2: not at the top: 0;
    # 5 4 3 2: alone at the top: 1. Accuracy (1/2 + 1/3 + 0 + 1) / 4 = (11/6) / 4 = 11/24 = 45.833...%
    results = [rated(item(4, BestOf((0,)), i), *r) for i, r in enumerate([(5, 5, 3, 2), (5, 5, 5, 2), (4, 5, 3, 2), (5, 4, 3, 2)])]
    m = score_results(results, n_resamples=200)
    assert m.accuracy == pytest.approx(100 * 11 / 24)
    assert m.position_consistency is None and m.n_no_decision == 0 and m.n_judgments == 16
    assert set(m.extra["scoring"]) == {"best_of+pointwise"}
    # a failed rating names no best: 0, counted as failed and as no decision (no verdict)
    m2 = score_results([rated(item(4, BestOf((0,))), 5, None, 3, 2)], n_resamples=10)
    assert (m2.accuracy, m2.n_failed, m2.n_no_decision) == (0.0, 1, 1)


def test_rmb_best_of_n_target_vs_each() -> None:
    # 3 responses, the best is 0: views (0, 1), (0, 2) in one order.
    p = Pairwise("first", "target_vs_each")
    bo = BestOf((0,))
    wins = paired(item(3, bo, 0), p, {(0, 1): A, (0, 2): A})  # beats both: 1
    tie = paired(item(3, bo, 1), p, {(0, 1): A, (0, 2): T})  # one tie fails it: 0
    # both orders under vote: against 1: (0, 1) A>B and (1, 0) B>A, both "0 wins": +2; against 2: (0, 2) A>B,
    # (2, 0) A>B (2 wins): +1 - 1 = 0, a tie: fails: 0
    p2 = Pairwise("both", "target_vs_each")
    split = paired(item(3, bo, 2), p2, {(0, 1): A, (1, 0): B, (0, 2): A, (2, 0): A})
    m = score_results([wins, tie, split], n_resamples=200)
    # 1 + 0 + 0 of 3 = 33.33%
    assert m.accuracy == pytest.approx(100 / 3)
    assert set(m.extra["scoring"]) == {"best_of+pairwise(target_vs_each)"} and "intransitivity" not in m.extra
    # under average the split item's verdict against 2 is (1 - 1) / 2 = 0, not 1: still fails; the others as under vote
    assert score_results([wins, tie, split], rule="average", n_resamples=10).accuracy == pytest.approx(100 / 3)


def test_round_robin_with_a_planted_cycle() -> None:
    p = Pairwise("first", "all")  # views (0, 1), (0, 2), (1, 2)
    bo = BestOf((0,))
    # a > b, b > c, c > a: (0, 1) A, (1, 2) A, (0, 2) B. One win each: three tied best, credit 1/3;
    # its one triple is a cycle.
    cycle = paired(item(3, bo, 0), p, {(0, 1): A, (1, 2): A, (0, 2): B})
    # a > b > c: wins 2, 1, 0: best a, credit 1; one triple, transitive
    line = paired(item(3, bo, 1), p, {(0, 1): A, (1, 2): A, (0, 2): A})
    m = score_results([cycle], n_resamples=10)
    assert m.accuracy == pytest.approx(100 / 3)
    assert m.extra["intransitivity"] == {
        "items": 1, "triples": 1, "intransitive_triples": 1, "intransitive_share": 1.0, "items_with_cycle": 1, "items_with_cycle_share": 1.0
    }
    # both items: accuracy (1/3 + 1) / 2 = 66.67%; 1 intransitive triple of 2; 1 item of 2 with a cycle
    both = score_results([cycle, line], n_resamples=10)
    assert both.accuracy == pytest.approx(100 * 2 / 3)
    intr = both.extra["intransitivity"]
    assert (intr["intransitive_share"], intr["items_with_cycle"], intr["items_with_cycle_share"]) == (0.5, 1, 0.5)


def test_pointwise_preference_lifted_with_margin_zero() -> None:
    # label A (response 0): ratings 7 vs 6.5: A>B, correct; 6 vs 6: a tie, wrong; 2 vs 9: B>A, wrong.
    # A tie label with 6 vs 6: a tie, correct. Accuracy 2 of 4 = 50%.
    res = [
        rated(item(2, Preference(0), 0), 7, 6.5),
        rated(item(2, Preference(0), 1), 6, 6),
        rated(item(2, Preference(0), 2), 2, 9),
        rated(item(2, Preference(None), 3), 6, 6),
    ]
    m = score_results(res, n_resamples=10)
    assert m.accuracy == 50.0 and m.categories == {"c": 50.0}
    # one verdict per pair: no position consistency, whatever the number of views
    assert m.position_consistency is None and m.category_consistency == {}
    assert "margin 0" in m.extra["scoring"]["preference+pointwise"]


def test_listwise_accuracy_and_position_shares_over_rotations() -> None:
    # K = 3, the correct response is 1; all rotations: views (0, 1, 2), (1, 2, 0), (2, 0, 1).
    lw = Listwise()
    bo = BestOf((1,))
    # a judge that always picks position 0 picks responses 0, 1, 2: right in the second view only: credit 1/3.
    # Its choices sit at position 0 three times: counts (3, 0, 0), shares (1, 0, 0).
    # Chi-square against 1 expected per position: (3-1)^2/1 + (0-1)^2/1 + (0-1)^2/1 = 6, 2 degrees of freedom,
    # p = exp(-6/2) = exp(-3) (the chi-square survival with 2 dof is exp(-x/2)).
    # The correct response is shown at position 1, 0, 2 in the three views; only the view showing it at 0 is right:
    # accuracy by position (100, 0, 0).
    first = listed(item(3, bo, 0), lw, "first")
    m = score_results([first], n_resamples=10)
    pb = m.extra["position_bias"]
    assert m.accuracy == pytest.approx(100 / 3)
    assert (pb["positions"], pb["views"], pb["choices"], pb["counts"], pb["shares"]) == (3, 3, 3, [3, 0, 0], [1.0, 0.0, 0.0])
    assert pb["expected_share"] == pytest.approx(1 / 3) and pb["dof"] == 2
    assert pb["chi2"] == pytest.approx(6.0) and pb["p_value"] == pytest.approx(math.exp(-3))
    assert pb["accuracy_by_position"] == [100.0, 0.0, 0.0] and pb["correct_shown_at"] == [1, 1, 1]
    # a judge that always picks response 1 wherever it is shown: positions 1, 0, 2: counts (1, 1, 1), chi2 0, p 1;
    # every view right: credit 1, accuracy by position (100, 100, 100)
    right = listed(item(3, bo, 1), lw, "r1")
    pr = score_results([right], n_resamples=10).extra["position_bias"]
    assert (pr["counts"], pr["chi2"], pr["p_value"], pr["accuracy_by_position"]) == ([1, 1, 1], 0.0, 1.0, [100.0, 100.0, 100.0])
    # both items: accuracy (1/3 + 1) / 2 = 66.67%; counts (4, 1, 1) against 2 expected each:
    # (4-2)^2/2 + (1-2)^2/2 + (1-2)^2/2 = 2 + 0.5 + 0.5 = 3, p = exp(-1.5)
    both = score_results([first, right], n_resamples=10)
    assert both.accuracy == pytest.approx(200 / 3)
    assert both.extra["position_bias"]["chi2"] == pytest.approx(3.0) and both.extra["position_bias"]["p_value"] == pytest.approx(math.exp(-1.5))
    # items of another K are reported apart: a K = 2 item, picked at position 0 in views (0, 1) and (1, 0)
    two = listed(item(2, BestOf((0,)), 2), lw, "first")
    by_k = score_results([first, two], n_resamples=10).extra["position_bias"]["by_k"]
    assert by_k["2"]["counts"] == [2, 0] and by_k["3"]["counts"] == [3, 0, 0]


def test_listwise_no_choice_counts_wrong_and_outside_the_shares() -> None:
    # K = 2, correct 0, views (0, 1), (1, 0): the first view picks position 0 (response 0, right), the second
    # fails: credit 1/2; one choice at position 0 of one made; one view without a choice
    it = item(2, BestOf((0,)))
    res = ItemResult(it, "lj", "none", (Judgment(Decision.NONE, view=(0, 1), game=1, choice=0), Judgment(Decision.NONE, view=(1, 0), game=2, error="boom")), "listwise(rotations=all)")
    m = score_results([res], n_resamples=10)
    pb = m.extra["position_bias"]
    assert m.accuracy == 50.0 and (pb["choices"], pb["no_choice"], pb["shares"]) == (1, 1, [1.0, 0.0])
    assert (m.n_failed, m.n_no_decision) == (1, 1)


def test_ratings_have_no_accuracy_and_list_both_means() -> None:
    # two responses rated by two raters: target means (4 + 2) / 2 = 3 and 5; the judge rates 3 and 4
    target = Ratings({"overall": ((4.0, 2.0), (5.0, 5.0))}, (1.0, 5.0))
    m = score_results([rated(item(2, target), 3, 4)], n_resamples=10)
    assert math.isnan(m.accuracy) and math.isnan(m.ci_low) and m.categories == {}
    (row,) = m.extra["ratings"]["items"]
    assert (row["item_id"], row["judge"], row["target"], row["dimension"]) == ("i0", [3.0, 4.0], [3.0, 5.0], "overall")
    assert "no accuracy" in m.extra["scoring"]["ratings+pointwise"]


def test_preference_judged_pairwise_keeps_an_empty_extra() -> None:
    it = item(2, Preference(0))
    m = score_results([paired(it, Pairwise(), {(0, 1): A, (1, 0): B})], n_resamples=10)
    assert (m.accuracy, m.position_consistency, m.extra) == (100.0, 100.0, {})


@pytest.mark.parametrize(
    ("it", "protocol", "why"),
    [
        (item(3, Preference(0)), Pairwise(), "exactly two responses"),
        (item(2, Preference(None)), Listwise(), "a tie label names none"),
        (item(3, BestOf((0, 1, 2))), Pairwise(pairs="target_vs_each"), "every response correct.*--pairs all"),
        (item(1, BestOf((0,))), Pointwise(), "at least two responses"),
        (item(2, Ratings({"overall": ((1.0,), (2.0,))}, (1.0, 5.0))), Pairwise(), "not a pairwise judge"),
        (item(2, Ratings({"overall": ((1.0,), (2.0,))}, (1.0, 5.0))), Listwise(), "not a listwise judge"),
        (item(2, None), Pointwise(), "not scored yet"),
    ],
)
def test_check_scorable_refuses_naming_the_item_and_why(it: Item, protocol: object, why: str) -> None:
    with pytest.raises(InputError, match=f"item 'i0' has {len(it.responses)} responses and .*{why}.*nothing was judged"):
        check_scorable([it], protocol)  # type: ignore[arg-type]


def test_check_scorable_accepts_what_it_scores() -> None:
    check_scorable([item(3, BestOf((0, 1)))], Pairwise(pairs="all"))
    check_scorable([item(4, BestOf((2,)))], Pairwise(pairs="target_vs_each"), "pairwise")
    check_scorable([item(2, Preference(1)), item(4, BestOf((0,)))], Listwise(), "listwise")
    check_scorable([item(1, Ratings({"overall": ((3.0,),)}, (1.0, 5.0))), item(2, Preference(None))], Pointwise(3), "pointwise")
    with pytest.raises(InputError, match="a pointwise judge cannot be shown the views of pairwise"):
        check_scorable([item(2, Preference(0))], Pairwise(), "pointwise")


def test_several_correct_judged_against_each_incorrect_score_the_share_of_pairs_won() -> None:
    """RM-Bench's shape (correct 0, 1 against incorrect 2, 3): the credit is the share of the 4 (correct, incorrect)
    pairs whose vote prefers the correct response; by hand: (0,2) won in both orders, (0,3) won then lost (a tie
    under vote: not won), (1,2) lost in both, (1,3) won in both -> 2 of 4 = 0.5."""
    it = item(4, BestOf((0, 1)))
    decisions = {(0, 2): A, (2, 0): B, (0, 3): A, (3, 0): A, (1, 2): B, (2, 1): A, (1, 3): A, (3, 1): B}
    result = paired(it, Pairwise(pairs="target_vs_each"), decisions)
    m = score_results([result], rule="vote", n_resamples=10)
    assert m.accuracy == pytest.approx(50.0)
    assert "RM-Bench" in m.extra["scoring"]["best_of+pairwise(target_vs_each)"]
