"""``analysis.failures.run_failures``: a clean run's failure summary comes from its counts, never from reading every
result back (a million-item run's ``judgments.jsonl``); a run with failures is still read for its causes."""

from __future__ import annotations

from collections.abc import Iterator

from judgebench.analysis.failures import FailureSummary, run_failures
from judgebench.schema import Decision, ItemResult, Judgment, Pair


class Unreadable:
    """Results that fail the test if anything iterates them."""

    def __iter__(self) -> Iterator[ItemResult]:
        raise AssertionError("a clean run's results were read back")


def _result(i: int, *errors: str | None) -> ItemResult:
    pair = Pair(f"p{i}", "q?", "a", "b", Decision.A_BETTER)
    games = [Judgment(Decision.NONE if e else Decision.A_BETTER, game=g, error=e) for g, e in enumerate(errors, start=1)]
    return ItemResult.of_pair(pair, "vanilla", "m", games)


def test_a_clean_run_is_summarised_from_its_counts_without_reading_results() -> None:
    summary = run_failures(Unreadable(), {"pairs": 3, "judgments": 6, "failed": 0, "new": 6, "reused": 0})
    assert summary == FailureSummary(failed=0, total=6)
    assert summary.rate == 0.0


def test_a_run_with_failures_is_read_for_its_causes() -> None:
    results = [_result(1, None, "HTTP 500: boom"), _result(2, "HTTP 500: boom", None), _result(3, None, None)]
    summary = run_failures(results, {"judgments": 6, "failed": 2})
    assert (summary.failed, summary.total) == (2, 6)  # 2 of the 6 games written above carry an error
    assert [n for _, n in summary.causes] == [2]  # one cause, twice


def test_counts_without_the_numbers_fall_back_to_reading() -> None:
    results = [_result(1, None, None)]
    assert run_failures(results, {}) == FailureSummary(failed=0, total=2)
