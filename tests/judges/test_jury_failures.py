"""A jury member's failed call fails the jury's judgment: the remaining members' vote is never counted as the jury's
verdict (a review found 9 of 30 jury judgments decided by one member while the run reported 0 failed)."""

from __future__ import annotations

import asyncio

from judgebench.judges import JudgeContext
from judgebench.judges.jury import Jury
from judgebench.schema import Decision, Judgment


class Fixed:
    kind = "pairwise"
    order_invariant = False

    def __init__(self, judgment: Judgment) -> None:
        self.name = "fixed"
        self._j = judgment

    async def judge(self, context: JudgeContext, a: str, b: str) -> Judgment:
        return self._j


def _jury(*judgments: Judgment) -> Judgment:
    jury = Jury([(f"m{i}", Fixed(j)) for i, j in enumerate(judgments)], [1.0] * len(judgments))  # type: ignore[misc]
    return asyncio.run(jury.judge(JudgeContext(question="q?"), "a", "b"))


def test_one_failed_member_fails_the_jury_and_names_its_cause() -> None:
    j = _jury(Judgment(Decision.A_BETTER), Judgment(Decision.NONE, error="HTTP 500: boom"), Judgment(Decision.A_BETTER))
    assert j.is_failed and j.decision == Decision.NONE
    assert j.error == "1 of 3 jury members failed: m1: HTTP 500: boom"
    assert "-> A>B" in j.output  # what the members left would have said stays readable, not counted
    assert [m["decision"] for m in j.extra["members"]] == ["A>B", "none", "A>B"]


def test_a_member_without_a_verdict_abstains_and_the_jury_still_decides() -> None:
    j = _jury(Judgment(Decision.B_BETTER), Judgment(Decision.NONE, output="no verdict found"), Judgment(Decision.B_BETTER))
    assert not j.is_failed and j.decision == Decision.B_BETTER


def test_every_member_failed() -> None:
    j = _jury(Judgment(Decision.NONE, error="timeout"), Judgment(Decision.NONE, error="HTTP 429"))
    assert j.is_failed and j.error == "2 of 2 jury members failed: m0: timeout; m1: HTTP 429"
