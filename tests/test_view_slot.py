"""A view's concurrency slot is back as soon as none of its calls is in flight (``backends.view_slot``), before
its answer is read, so a waiting view's request goes out first; at most ``--concurrency`` views have calls in
flight whatever the judge does (one call, several in a row, several at once).

The judges are the real ``PromptedJudge`` and ``RatingJudge`` over the real ``ManagedBackend`` (retries, timeout,
the slot), whose raw provider answers in process (no HTTP) and logs when each call starts and ends; the executor is
the real ``judge_items``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from judgebench.backends import BackendError, ChatParams, Completion
from judgebench.backends.managed import ManagedBackend
from judgebench.backends.retry import RetryPolicy
from judgebench.judges import JudgeContext
from judgebench.judges._prompted import PromptedJudge, Verdict
from judgebench.judges._rating import RatingJudge, RatingRead
from judgebench.run.local import WorkItem, judge_items
from judgebench.schema import Decision, Item, Judgment, Preference, Response


@dataclass
class LoggingProvider:
    """A raw provider answering every chat call after ``delay`` seconds, logging ``start``/``end`` with the call's
    number and counting the calls in flight. ``fail``: call numbers that raise a non-retryable ``BackendError``."""

    log: list[str]
    delay: float = 0.01
    fail: frozenset[int] = frozenset()
    provider: str = "openai"
    model: str = "test"
    name: str = "openai:test"
    endpoint: str = "http://127.0.0.1:1/v1"
    in_flight: int = 0
    peak: int = 0
    calls: int = 0

    async def chat_once(self, messages: Any, params: ChatParams) -> Completion:
        self.calls += 1
        n = self.calls
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        self.log.append(f"start {n}")
        try:
            await self.wait(n)
            if n in self.fail:
                raise BackendError(f"call {n} failed")
        finally:
            self.in_flight -= 1
            self.log.append(f"end {n}")
        return Completion(texts=(f"Verdict: [[A]] (call {n})",))

    async def wait(self, n: int) -> None:
        await asyncio.sleep(self.delay)


def _managed(raw: LoggingProvider) -> ManagedBackend:
    return ManagedBackend(raw, cache=None, retry=RetryPolicy(max_retries=0), timeout=10)


def _items(n: int) -> list[Item]:
    return [Item(id=f"p{i}", prompt=f"q{i}", responses=(Response("a"), Response("b")), target=Preference(0)) for i in range(n)]


def _work(items: list[Item], views: int = 1) -> list[WorkItem]:
    todo = ((1, (0, 1)), (2, (1, 0)))[:views]
    return [WorkItem(it, (), todo) for it in items]


def _pairwise(raw: LoggingProvider, log: list[str]) -> PromptedJudge:
    def parse(text: str) -> Verdict:
        log.append("parse " + text.rsplit(" ", 1)[-1].rstrip(")"))
        return Verdict(Decision.A_BETTER)

    return PromptedJudge(name="t", backend=_managed(raw), template="vanilla", parse=parse)


def _judge(judge: Any, work: list[WorkItem], concurrency: int) -> list[Any]:
    results: list[Any] = []
    asyncio.run(judge_items(judge, work, concurrency=concurrency, labels=("t", "m"), on_result=lambda r, f: results.append(r)))
    return results


def test_the_next_request_starts_before_the_answer_is_parsed() -> None:
    log: list[str] = []
    backend = LoggingProvider(log)
    results = _judge(_pairwise(backend, log), _work(_items(3)), concurrency=1)
    # one slot: each call starts only after the one before has ended, and before that one's answer is parsed
    assert log == ["start 1", "end 1", "start 2", "parse 1", "end 2", "start 3", "parse 2", "end 3", "parse 3"]
    assert backend.peak == 1
    assert [j.decision for r in results for j in r.judgments] == [Decision.A_BETTER] * 3


def test_answers_that_arrive_together_send_every_next_request_before_any_parse() -> None:
    log: list[str] = []
    gate = asyncio.Event()

    class Gated(LoggingProvider):
        async def wait(self, n: int) -> None:
            if n > 2:
                return await super().wait(n)
            if n == 2:  # the first two calls end together, once both are in flight
                asyncio.get_running_loop().call_soon(gate.set)
            await gate.wait()

    _judge(_pairwise(Gated(log), log), _work(_items(4)), concurrency=2)
    # both freed slots send their next request (3, 4) before either answer (1, 2) is parsed
    assert log[:8] == ["start 1", "start 2", "end 1", "end 2", "start 3", "start 4", "parse 1", "parse 2"]


def test_a_rating_judge_gives_its_slot_back_too() -> None:
    log: list[str] = []
    raw = LoggingProvider(log)

    def parse(text: str) -> RatingRead:
        log.append("parse " + text.rsplit(" ", 1)[-1].rstrip(")"))
        return RatingRead(4.0)

    judge = RatingJudge(name="r", backend=_managed(raw), scale=(1.0, 5.0), render=lambda c, r: ("t", [{"role": "user", "content": r}]), parse=parse)
    items = [Item(id=f"p{i}", prompt="q", responses=(Response("a"),)) for i in range(2)]
    _judge(judge, [WorkItem(it, (), ((1, (0,)),)) for it in items], concurrency=1)
    assert log == ["start 1", "end 1", "start 2", "parse 1", "end 2", "parse 2"]


def test_calls_in_flight_never_exceed_the_concurrency() -> None:
    log: list[str] = []
    raw = LoggingProvider(log, delay=0.002)
    results = _judge(_pairwise(raw, log), _work(_items(40), views=2), concurrency=3)
    assert raw.calls == 80
    assert raw.peak == 3
    assert sum(len(r.judgments) for r in results) == 80


def test_a_failed_call_gives_its_slot_back_and_is_recorded() -> None:
    log: list[str] = []
    raw = LoggingProvider(log, fail=frozenset({1}))
    results = _judge(_pairwise(raw, log), _work(_items(2)), concurrency=1)
    assert log == ["start 1", "end 1", "start 2", "end 2", "parse 2"]  # no parse of the failed call, no deadlock
    errors = [j.error for r in results for j in r.judgments]
    assert len(errors) == 2 and "call 1 failed" in (errors[0] or "") and errors[1] is None


@dataclass
class AskAgain(PromptedJudge):
    """A user's judge that asks three times in a row per view (``super().judge`` each time): three calls per view,
    one after another."""

    async def judge(self, context: JudgeContext, response_a: str, response_b: str) -> Judgment:
        for _ in range(3):
            j = await super().judge(context, response_a, response_b)
        return j


def test_a_judge_that_asks_again_takes_its_slot_again_for_each_call() -> None:
    log: list[str] = []
    raw = LoggingProvider(log, delay=0.002)
    base = _pairwise(raw, log)
    judge = AskAgain(name="again", backend=base.backend, template="vanilla", parse=base.parse)
    results = _judge(judge, _work(_items(12), views=2), concurrency=2)
    assert raw.calls == 72 and len(results) == 12
    assert raw.peak == 2  # never more views with a call in flight than slots


@dataclass
class Pair:
    """A judge that asks two inner one-call judges at once (as a jury does): two calls per view, together."""

    inner: tuple[PromptedJudge, PromptedJudge]
    log: list[str]
    kind: str = "pairwise"
    name: str = "pair"
    order_invariant: bool = False

    async def judge(self, context: JudgeContext, a: str, b: str) -> Judgment:
        first, second = await asyncio.gather(*(j.judge(context, a, b) for j in self.inner))
        self.log.append("view done")
        return first


def test_calls_made_together_share_their_views_slot_until_the_last_answers() -> None:
    log: list[str] = []

    class Uneven(LoggingProvider):
        async def wait(self, n: int) -> None:  # each view's first call answers at once, its second later
            await asyncio.sleep(0.001 if n % 2 else 0.03)

    raw = Uneven(log)
    outer = Pair((_pairwise(raw, log), _pairwise(raw, log)), log)
    _judge(outer, _work(_items(3)), concurrency=1)
    # the next view's calls start only once both calls of the view before have answered
    assert log.index("start 3") > log.index("end 2") and log.index("start 5") > log.index("end 4")
    assert raw.peak == 2  # one view's own two calls, never a third


def test_a_call_outside_a_run_is_not_bounded_here() -> None:
    log: list[str] = []
    raw = LoggingProvider(log)
    judge = _pairwise(raw, log)
    j = asyncio.run(judge.judge(JudgeContext(question="q"), "a", "b"))
    assert j.decision is Decision.A_BETTER
    assert log == ["start 1", "end 1", "parse 1"]
