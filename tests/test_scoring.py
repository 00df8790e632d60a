"""The JudgeBench two-game rule on hand-made pairs, one per case, and the other rules."""

from __future__ import annotations

import pytest

from judgebench.analysis.scoring import category_of, is_consistent, original_frame, pair_credit, score_results
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
    with pytest.raises(ValueError, match="unknown rule"):
        pair_credit(A, (A, A), "median")  # type: ignore[arg-type]


def test_consistency_counts_two_no_decisions_as_identical() -> None:
    assert is_consistent((N, N))
    assert is_consistent((A, A))
    assert not is_consistent((A, B))
    assert not is_consistent((A, N))
    assert not is_consistent((A,))


def test_category_of_maps_judgebench_sources_and_groups_others_by_prefix() -> None:
    assert category_of("mmlu-pro-law") == "Knowledge"
    assert category_of("livebench-reasoning") == "Reasoning"
    assert category_of("livebench-math") == "Math"
    assert category_of("livecodebench") == "Coding"
    assert category_of("gsm8k-main") == "gsm8k"
    assert category_of("") == "Other"


def test_score_results_counts_categories_consistency_and_failures() -> None:
    results = [
        result(A, [A, B], "mmlu-pro-law", "1"),  # correct, consistent
        result(A, [A, A], "mmlu-pro-law", "2"),  # tie -> wrong, inconsistent
        result(B, [B, A], "livebench-math", "3"),  # correct, consistent
        result(B, [N, N], "livebench-math", "4"),  # wrong, consistent (two no-decisions)
    ]
    failed = ItemResult.of_pair(results[3].pair, "j", "m", (Judgment(N, game=1, error="boom"), Judgment(N, game=2)))
    results[3] = failed
    m = score_results(results, n_resamples=200)
    assert m.n_pairs == 4 and m.n_judgments == 8
    assert m.accuracy == 50.0
    assert m.categories == {"Knowledge": 50.0, "Math": 50.0}
    assert m.position_consistency == 75.0
    assert m.n_failed == 1 and m.n_no_decision == 2
    assert m.ci_low <= m.accuracy <= m.ci_high


def test_score_results_ci_is_seeded() -> None:
    results = [result(A, [A, B] if i % 3 else [B, A], pid=str(i)) for i in range(30)]
    assert score_results(results, seed=3).ci_low == score_results(results, seed=3).ci_low
