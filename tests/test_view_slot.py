"""A one-call judge hands its concurrency slot back once its call has answered (``judges._slot``), before it reads
the verdict, so a waiting view's request goes out first; the bound on calls in flight is unchanged, and a judge
called by another one never hands back its caller's slot.

The judges here are the real ``PromptedJudge`` and ``RatingJudge`` over an in-process backend (the ``Backend``
protocol's ``chat``, no HTTP) that logs when each call starts and ends; the executor is the real ``judge_items``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from judgebench.backends import BackendError, ChatParams, Completion
from judgebench.judges import JudgeContext, _slot
from judgebench.judges._prompted import PromptedJudge, Verdict
from judgebench.judges._rating import RatingJudge, RatingRead
from judgebench.run.local import WorkItem, judge_items
from judgebench.schema import Decision, Item, Judgment, Preference, Response


@dataclass
class LoggingBackend:
    """Answers every chat call after ``delay`` seconds, logging ``start``/``end`` with the call's number; counts the
    calls in flight. ``fail``: call numbers that raise a ``BackendError`` instead."""

    log: list[str]
    delay: float = 0.01
    fail: frozenset[int] = frozenset()
    in_flight: int = 0
    peak: int = 0
    calls: int = 0
    answers: list[str] = field(default_factory=list)

    async def chat(self, messages: Any, params: ChatParams) -> Completion:
        self.calls += 1
        n = self.calls
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        self.log.append(f"start {n}")
        try:
            await asyncio.sleep(self.delay)
            if n in self.fail:
                raise BackendError(f"call {n} failed")
        finally:
            self.in_flight -= 1
            self.log.append(f"end {n}")
        return Completion(texts=(f"Verdict: [[A]] (call {n})",))


def _items(n: int) -> list[Item]:
    return [Item(id=f"p{i}", prompt=f"q{i}", responses=(Response("a"), Response("b")), target=Preference(0)) for i in range(n)]


def _work(items: list[Item], views: int = 1) -> list[WorkItem]:
    todo = ((1, (0, 1)), (2, (1, 0)))[:views]
    return [WorkItem(it, (), todo) for it in items]


def _pairwise(backend: LoggingBackend, log: list[str]) -> PromptedJudge:
    def parse(text: str) -> Verdict:
        log.append("parse " + text.rsplit(" ", 1)[-1].rstrip(")"))
        return Verdict(Decision.A_BETTER)

    return PromptedJudge(name="t", backend=backend, template="vanilla", parse=parse)


def _judge(judge: Any, work: list[WorkItem], concurrency: int) -> list[Any]:
    results: list[Any] = []
    asyncio.run(judge_items(judge, work, concurrency=concurrency, labels=("t", "m"), on_result=lambda r, f: results.append(r)))
    return results


def test_the_next_request_starts_before_the_answer_is_parsed() -> None:
    log: list[str] = []
    backend = LoggingBackend(log)
    results = _judge(_pairwise(backend, log), _work(_items(3)), concurrency=1)
    # one slot: each call starts only after the one before has ended, and before that one's answer is parsed
    assert log == ["start 1", "end 1", "start 2", "parse 1", "end 2", "start 3", "parse 2", "end 3", "parse 3"]
    assert backend.peak == 1
    assert [j.decision for r in results for j in r.judgments] == [Decision.A_BETTER] * 3


def test_answers_that_arrive_together_send_every_next_request_before_any_parse() -> None:
    log: list[str] = []
    gate = asyncio.Event()

    class Gated(LoggingBackend):
        async def chat(self, messages: Any, params: ChatParams) -> Completion:
            if self.calls < 2:  # the first two calls end together, when both are in flight
                self.calls += 1
                n = self.calls
                self.log.append(f"start {n}")
                if n == 2:
                    asyncio.get_running_loop().call_soon(gate.set)
                await gate.wait()
                self.log.append(f"end {n}")
                return Completion(texts=(f"Verdict: [[A]] (call {n})",))
            return await super().chat(messages, params)

    _judge(_pairwise(Gated(log), log), _work(_items(4)), concurrency=2)
    # both freed slots send their next request (3, 4) before either answer (1, 2) is parsed
    assert log[:8] == ["start 1", "start 2", "end 1", "end 2", "start 3", "start 4", "parse 1", "parse 2"]


def test_a_rating_judge_hands_its_slot_back_too() -> None:
    log: list[str] = []
    backend = LoggingBackend(log)

    def parse(text: str) -> RatingRead:
        log.append("parse " + text.rsplit(" ", 1)[-1].rstrip(")"))
        return RatingRead(4.0)

    judge = RatingJudge(name="r", backend=backend, scale=(1.0, 5.0), render=lambda c, r: ("t", [{"role": "user", "content": r}]), parse=parse)
    items = [Item(id=f"p{i}", prompt="q", responses=(Response("a"),)) for i in range(2)]
    _judge(judge, [WorkItem(it, (), ((1, (0,)),)) for it in items], concurrency=1)
    assert log == ["start 1", "end 1", "start 2", "parse 1", "end 2", "parse 2"]


def test_calls_in_flight_never_exceed_the_concurrency() -> None:
    log: list[str] = []
    backend = LoggingBackend(log, delay=0.002)
    results = _judge(_pairwise(backend, log), _work(_items(40), views=2), concurrency=3)
    assert backend.calls == 80
    assert backend.peak == 3
    assert sum(len(r.judgments) for r in results) == 80


def test_a_failed_call_gives_its_slot_back_and_is_recorded() -> None:
    log: list[str] = []
    backend = LoggingBackend(log, fail=frozenset({1}))
    results = _judge(_pairwise(backend, log), _work(_items(2)), concurrency=1)
    assert log == ["start 1", "end 1", "start 2", "end 2", "parse 2"]  # no parse of the failed call, no deadlock
    errors = [j.error for r in results for j in r.judgments]
    assert errors == ["call 1 failed", None]


@dataclass
class Pair:
    """A judge that asks two inner one-call judges at once (as a jury does): two calls per view."""

    inner: tuple[PromptedJudge, PromptedJudge]
    log: list[str]
    kind: str = "pairwise"
    name: str = "pair"
    order_invariant: bool = False

    async def judge(self, context: JudgeContext, a: str, b: str) -> Judgment:
        first, second = await asyncio.gather(*(j.judge(context, a, b) for j in self.inner))
        self.log.append("view done")
        return first


def test_an_inner_judge_does_not_hand_back_its_callers_slot() -> None:
    log: list[str] = []
    backend = LoggingBackend(log)
    outer = Pair((_pairwise(backend, log), _pairwise(backend, log)), log)
    _judge(outer, _work(_items(2)), concurrency=1)
    # the second view's calls wait for the whole first view (its slot was not given back by either inner judge)
    assert log.index("start 3") > log.index("view done")
    assert backend.peak == 2  # the first view's own two calls, never a third


def test_answered_outside_a_run_does_nothing() -> None:
    log: list[str] = []
    backend = LoggingBackend(log)
    judge = _pairwise(backend, log)
    j = asyncio.run(judge.judge(JudgeContext(question="q"), "a", "b"))
    assert j.decision is Decision.A_BETTER
    assert log == ["start 1", "end 1", "parse 1"]

    async def unheld() -> None:
        await _slot.answered(judge)  # no slot: returns at once

    asyncio.run(unheld())
