"""The JudgeBench two-game rule on hand-made pairs, one per case, and the other rules."""

from __future__ import annotations

import pytest

from judgebench.analysis.scoring import (
    RULES,
    is_consistent,
    original_frame,
    pair_credit,
    result_category,
    run_benchmark,
    score_results,
    source_category,
)
from judgebench.benchmarks import get_benchmark
from judgebench.errors import InputError
from judgebench.protocols import REDUCERS
from judgebench.schema import Decision, ItemResult, Judgment, Pair

A, B, T, N = Decision.A_BETTER, Decision.B_BETTER, Decision.TIE, Decision.NONE


def result(label: Decision, shown: list[Decision], source: str = "mmlu-pro-law", pid: str = "p") -> ItemResult:
    """A result whose games carry decisions *as shown* (game 2 unflipped, as a judge returns it)."""
    pair = Pair(pid, "q", "a", "b", label, source=source)
    games = tuple(Judgment(d, game=i) for i, d in enumerate(shown, start=1))  # type: ignore[arg-type]
    return ItemResult.of_pair(pair, "j", "m", games)


def test_decision_flipped_swaps_strict_verdicts_only() -> None:
    assert A.flipped() == B and B.flipped() == A and T.flipped() == T and N.flipped() == N


def test_original_frame_flips_game_two_only() -> None:
    # game 2 saw (B, A); its "A>B" means original B wins.
    assert original_frame(result(A, [A, A])) == (A, B)


@pytest.mark.parametrize(
    ("label", "shown", "expected"),
    [
        # both right: game 1 says A, game 2 (swapped) says B -> original A twice: +2 -> correct
        (A, [A, B], 1.0),
        # one right, one tie: +1 + 0 -> correct
        (A, [A, T], 1.0),
        (A, [T, B], 1.0),
        # one right, one wrong: +1 - 1 = 0 -> tie -> not correct
        (A, [A, A], 0.0),
        # both ties: 0 -> not correct
        (A, [T, T], 0.0),
        # one right, one no-decision: +1 -> correct
        (A, [A, N], 1.0),
        # both no-decision: 0 -> not correct
        (A, [N, N], 0.0),
        # both wrong: -2
        (B, [A, B], 0.0),
        # one wrong, one tie: -1
        (B, [A, T], 0.0),
    ],
)
def test_vote_rule_cases(label: Decision, shown: list[Decision], expected: float) -> None:
    assert pair_credit(label, original_frame(result(label, shown)), "vote") == expected


def test_single_game_scores_game_one_against_label() -> None:
    assert pair_credit(A, (A,), "vote") == 1.0
    assert pair_credit(A, (T,), "vote") == 0.0
    assert pair_credit(A, (N,), "vote") == 0.0
    assert pair_credit(B, (A,), "vote") == 0.0


def test_average_rule_gives_half_to_inconsistent_pair_and_zero_to_no_decision() -> None:
    assert pair_credit(A, (A, B), "average") == 0.5
    assert pair_credit(A, (A, N), "average") == 0.5
    assert pair_credit(A, (A, A), "average") == 1.0
    assert pair_credit(A, (N, N), "average") == 0.0


def test_first_rule_ignores_game_two() -> None:
    assert pair_credit(A, (A, B), "first") == 1.0
    assert pair_credit(A, (B, A), "first") == 0.0


def test_unknown_rule_raises() -> None:
    with pytest.raises(InputError, match="unknown rule"):
        pair_credit(A, (A, A), "median")
    with pytest.raises(InputError, match="unknown rule"):
        score_results([result(A, [A, B])], rule="median")


def test_rules_are_the_reducer_registry() -> None:
    assert RULES == tuple(REDUCERS) == ("vote", "average", "first", "strict")


@pytest.mark.parametrize(
    ("label", "shown", "expected"),
    [
        # game 2 shown B = original A: both views say A -> every view gives the label -> credited
        (A, [A, B], 1.0),
        # game 2 shown A = original B: the views disagree -> a tie -> not credited
        (A, [A, A], 0.0),
        # A then a tie: not every view says A -> a tie (vote would credit it: +1 + 0 > 0)
        (A, [A, T], 0.0),
        # A then no decision: a missing view is a disagreement -> not credited
        (A, [A, N], 0.0),
        # no decision in either view -> no decision -> not credited
        (A, [N, N], 0.0),
        # both views say tie on a tie label -> their common verdict is the label -> credited
        (T, [T, T], 1.0),
        # a single view is scored on itself, as under every rule
        (A, [A], 1.0),
        (B, [A], 0.0),
    ],
)
def test_strict_rule_credits_only_when_every_view_gives_the_label(label: Decision, shown: list[Decision], expected: float) -> None:
    assert pair_credit(label, original_frame(result(label, shown)), "strict") == expected


def test_strict_rule_scores_a_run() -> None:
    # p1 A: views A, A (frame) -> 1; p2 A: frame A, B -> 0; p3 B: frame B, T -> 0; p4 B: frame B, B -> 1: 2/4 = 50.0
    results = [result(A, [A, B], pid="1"), result(A, [A, A], pid="2"), result(B, [B, T], pid="3"), result(B, [B, A], pid="4")]
    assert score_results(results, rule="strict", n_resamples=10).accuracy == 50.0
    assert score_results(results, rule="vote", n_resamples=10).accuracy == 75.0  # p3: -1 (B) + 0 (tie) -> credited


def test_vote_on_a_tie_label_credits_a_tie_verdict() -> None:
    # label A=B. Views A, then (shown A = original B): frame (A, B), vote 1 - 1 = 0, a tie verdict -> credited
    # (before the reducers were unified, a tie label was credited only when some view said tie: 0).
    assert pair_credit(T, original_frame(result(T, [A, A])), "vote") == 1.0
    # tie, then (shown A = original B): frame (T, B), vote 0 - 1 = -1, B -> not credited (before: credited, a view said tie)
    assert pair_credit(T, original_frame(result(T, [T, A])), "vote") == 0.0
    assert pair_credit(T, (T, T), "vote") == 1.0


def test_consistency_counts_two_no_decisions_as_identical() -> None:
    assert is_consistent((N, N))
    assert is_consistent((A, A))
    assert not is_consistent((A, B))
    assert not is_consistent((A, N))
    assert not is_consistent((A,))


def test_source_category_falls_back_to_judgebench_prefixes_and_groups_others_by_prefix() -> None:
    assert source_category("mmlu-pro-law") == "Knowledge"
    assert source_category("livebench-reasoning") == "Reasoning"
    assert source_category("livebench-math") == "Math"
    assert source_category("livecodebench") == "Coding"
    assert source_category("gsm8k-main") == "gsm8k"
    assert source_category("") == "Other"


def test_category_comes_from_the_item_first() -> None:
    pair = Pair("p", "q", "a", "b", A, source="mmlu-pro-law")
    assert result_category(ItemResult.of_pair(pair, "j", "m", (Judgment(A),), category="Natural")) == "Natural"
    assert result_category(ItemResult.of_pair(pair, "j", "m", (Judgment(A),))) == "Knowledge"  # no category: from the source


def test_run_benchmark_reads_run_json() -> None:
    jb = get_benchmark("judgebench")
    assert run_benchmark({"benchmark": "judgebench"}) is jb
    assert run_benchmark({"spec": {"data": "judgebench:claude"}}) is jb
    assert run_benchmark({"dataset": "judgebench-gpt"}) is jb  # the folder name of runs written before run.json named it
    assert run_benchmark({"spec": {"data": "/tmp/pairs.jsonl"}, "dataset": "pairs"}) is None
    assert run_benchmark(None) is None


def test_score_results_counts_categories_consistency_and_failures() -> None:
    results = [
        result(A, [A, B], "mmlu-pro-law", "1"),  # correct, consistent
        result(A, [A, A], "mmlu-pro-law", "2"),  # tie -> wrong, inconsistent
        result(B, [B, A], "livebench-math", "3"),  # correct, consistent
        result(B, [N, N], "livebench-math", "4"),  # wrong; game 1 failed (below): left out of consistency
        result(B, [N, N], "livebench-math", "5"),  # wrong, consistent (two answered no-decisions agree)
    ]
    failed = ItemResult.of_pair(results[3].pair, "j", "m", (Judgment(N, game=1, error="boom"), Judgment(N, game=2)))
    results[3] = failed
    m = score_results(results, n_resamples=200)
    assert m.n_pairs == 5 and m.n_judgments == 10
    assert m.accuracy == 40.0
    assert m.categories == {"Knowledge": 50.0, "Math": pytest.approx(100 / 3)}
    # a failed call says nothing about position: pairs 1, 2, 3 and 5 count, 3 of them consistent (a user review
    # found a run whose every call failed reported at 100% consistency)
    assert m.position_consistency == 75.0
    # Knowledge: "1" consistent, "2" not -> 50.0; Math: "3" consistent, "5" two no-decisions agree -> 100.0
    assert m.category_consistency == {"Knowledge": 50.0, "Math": 100.0}
    assert m.n_failed == 1 and m.n_no_decision == 4
    assert m.ci_low <= m.accuracy <= m.ci_high


def test_score_results_ci_is_seeded() -> None:
    results = [result(A, [A, B] if i % 3 else [B, A], pid=str(i)) for i in range(30)]
    assert score_results(results, seed=3).ci_low == score_results(results, seed=3).ci_low
