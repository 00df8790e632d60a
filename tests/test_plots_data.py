"""Small judgments and agreement estimates shared by the figure tests (no test here)."""

from __future__ import annotations

from judgebench.metrics.stats import Estimate, Interval
from judgebench.schema import Decision, ItemResult, Judgment, Pair

A, B, T, N = Decision.A_BETTER, Decision.B_BETTER, Decision.TIE, Decision.NONE


def result(pid: str, la: int, lb: int, label: Decision, shown: list[Decision]) -> ItemResult:
    """A judged pair with responses of ``la`` and ``lb`` characters and one judgment per game, as shown."""
    pair = Pair(pid, "q", "a" * la, "b" * lb, label)
    return ItemResult.of_pair(pair, "j", "m", tuple(Judgment(d, game=i) for i, d in enumerate(shown, start=1)))  # type: ignore[arg-type]


RESULTS = [
    # relative differences (longer/shorter - 1): 10%, 10%, 100%, 100%, and one equal-length pair (left out)
    result("p1", 110, 100, A, [A, B]),  # A longer; both games choose A (original frame) -> 2 longer-choices
    result("p2", 100, 110, A, [A, A]),  # B longer; game 1 A (shorter), game 2 shown A = original B (longer)
    result("p3", 200, 100, B, [T, N]),  # tie and no-decision: left out of the judge's share
    result("p4", 100, 200, B, [B, A]),  # B longer; game 1 B, game 2 shown A -> original B: 2 longer-choices
    result("p5", 100, 100, A, [A, B]),  # equal lengths: left out
]


def estimate(name: str, value: float | None, low: float = 0.1, high: float = 0.9, section: str = "s") -> dict:
    """An ``Estimate.to_dict()`` with its section, as ``agree --json`` prints it."""
    e = Estimate(name, value, 20, intervals=(Interval(low, high, "bootstrap"),) if value is not None else (), reason=None if value is not None else "one class only")
    return {"section": section, **e.to_dict()}
