"""The local executor's synchronous path (issue 17, target 3): a judge that offers ``judge_now`` and has no backend
(the baselines) is judged in a plain loop, with the same results, failures and files as the event-loop path."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path
from typing import Any

import pytest

from judgebench.backends import BackendError
from judgebench.errors import InputError
from judgebench.judges import JudgeContext, SyncJudge, get_judge
from judgebench.protocols import get_protocol
from judgebench.run import local, runner
from judgebench.run.local import WorkItem, judge_items, judge_now_items
from judgebench.run.runner import RunSpec, plan_work, run
from judgebench.schema import Decision, Item, ItemResult, Judgment, Pair


def _pairs(path: Path, n: int) -> Path:
    """``n`` pairs with short texts (equal lengths are frequent: ties), some non-ASCII, mixed labels."""
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as f:
        for i in range(1, n + 1):
            a, b = "é" * rng.randint(1, 6), "b\n" * rng.randint(1, 3)
            row = {"pair_id": f"p{i:04d}", "question": f"q{i} ✓", "response_A": a, "response_B": b, "label": rng.choice(("A>B", "B>A", "A=B")), "source": "s"}
            f.write(json.dumps(row, ensure_ascii=i % 2 == 0) + "\n")
    return path


class AsyncOnly:
    """A judge's event-loop face alone (no ``judge_now``), so the executor takes its asyncio path."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.kind, self.name, self.order_invariant = inner, inner.kind, inner.name, inner.order_invariant

    async def judge(self, context: JudgeContext, *shown: str) -> Judgment:
        return await self.inner.judge(context, *shown)


def _items(n: int) -> list[Item]:
    return [Item.from_pair(Pair(f"p{i}", f"q{i}", "x" * i, "y" * (5 - i % 3), Decision.A_BETTER)) for i in range(1, n + 1)]


def _async_results(judge: Any, work: list[WorkItem]) -> list[tuple[ItemResult, tuple[int, ...]]]:
    got: list[tuple[ItemResult, tuple[int, ...]]] = []
    asyncio.run(judge_items(AsyncOnly(judge), work, concurrency=3, labels=("j", "none"), on_result=lambda r, f: got.append((r, f))))
    return sorted(got, key=lambda x: x[0].item_id)


def _sync_results(judge: Any, work: list[WorkItem]) -> list[tuple[ItemResult, tuple[int, ...]]]:
    got: list[tuple[ItemResult, tuple[int, ...]]] = []
    judge_now_items(judge.judge_now, work, labels=("j", "none"), on_result=lambda r, f: got.append((r, f)))
    return got


@pytest.mark.parametrize("name", ["longer", "shorter", "random"])
def test_baselines_are_sync_judges(name: str) -> None:
    judge = get_judge(name)
    assert isinstance(judge, SyncJudge)
    ctx = JudgeContext.of_question("q")
    assert asyncio.run(judge.judge(ctx, "aa", "b")) == judge.judge_now(ctx, "aa", "b")


@pytest.mark.parametrize("name", ["longer", "shorter", "random"])
def test_run_writes_the_same_files_with_and_without_the_event_loop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    data = _pairs(tmp_path / "p.jsonl", 120)

    def no_loop(coro: Any) -> None:
        coro.close()
        raise AssertionError("a baseline run must not start an event loop")

    with monkeypatch.context() as m:
        m.setattr(local, "run_loop", no_loop)
        m.setattr(runner, "WINDOW", 50)  # several windows
        sync = run(RunSpec(judge=name, data=str(data), results_dir=str(tmp_path / "sync"), progress=False))
    built = runner.build_judge
    monkeypatch.setattr(runner, "build_judge", lambda spec: (AsyncOnly(built(spec)[0]), None))
    loop = run(RunSpec(judge=name, data=str(data), results_dir=str(tmp_path / "loop"), progress=False))
    for name_ in ("judgments.jsonl", "metrics.json"):
        assert (sync.out_dir / name_).read_bytes() == (loop.out_dir / name_).read_bytes()
    assert sync.run_info["counts"] == loop.run_info["counts"] == {"pairs": 120, "unit": "pairs", "judgments": 240, "reused": 0, "new": 240, "failed": 0, "cached": 0}
    ties = sum(len(r.item.responses[0].text) == len(r.item.responses[1].text) for r in sync.results)
    assert ties and (name == "random" or sum(g.decision is Decision.TIE for r in sync.results for g in r.judgments) == 2 * ties)


class Failing:
    """Raises a ``RuntimeError`` on item 2's first view, a ``BackendError`` on item 3's second view, returns an error
    judgment on item 4's first view; prefers A otherwise."""

    kind = "pairwise"
    order_invariant = False
    name = "failing"

    def judge_now(self, context: JudgeContext, a: str, b: str) -> Judgment:
        if context.item_id == "p2" and a == "x" * 2:
            raise RuntimeError(f"boom on {context.question}")
        if context.item_id == "p3" and b == "x" * 3:
            raise BackendError("server said no")
        if context.item_id == "p4" and a == "x" * 4:
            return Judgment(Decision.A_BETTER, output="half", error="parse failed")
        return Judgment(Decision.A_BETTER, output=f"{a}|{b}")

    async def judge(self, context: JudgeContext, a: str, b: str) -> Judgment:
        return self.judge_now(context, a, b)


def test_failures_are_recorded_like_the_event_loop_path() -> None:
    work = plan_work(_items(5), get_protocol("pairwise", orders="both"), {})
    sync, loop = _sync_results(Failing(), work), _async_results(Failing(), work)
    assert [(r.to_dict(), f) for r, f in sync] == [(r.to_dict(), f) for r, f in loop]
    assert [r.item_id for r, _ in sync] == ["p1", "p2", "p3", "p4", "p5"]  # no item dropped, in item order
    by_id = {r.item_id: r.judgments for r, _ in sync}
    assert [(g.game, g.decision, g.error) for g in by_id["p2"]] == [(1, Decision.NONE, "RuntimeError: boom on q2"), (2, Decision.A_BETTER, None)]
    assert [(g.game, g.decision, g.error) for g in by_id["p3"]] == [(1, Decision.A_BETTER, None), (2, Decision.NONE, "server said no")]
    assert (by_id["p4"][0].decision, by_id["p4"][0].error, by_id["p4"][0].output) == (Decision.NONE, "parse failed", "half")
    assert by_id["p5"][1].view == (1, 0) and by_id["p5"][1].output == f"{'y' * 3}|{'x' * 5}"


def test_a_configuration_error_stops_the_run_after_reporting_the_items_before() -> None:
    class Misconfigured(Failing):
        def judge_now(self, context: JudgeContext, a: str, b: str) -> Judgment:
            if context.item_id == "p3":
                raise InputError("bad option", field="--option x")
            return Judgment(Decision.B_BETTER)

    seen: list[str] = []
    work = plan_work(_items(5), get_protocol("pairwise", orders="both"), {})
    with pytest.raises(InputError, match="bad option"):
        judge_now_items(Misconfigured().judge_now, work, labels=("j", "none"), on_result=lambda r, f: seen.append(r.item_id))
    assert seen == ["p1", "p2"]


def test_each_item_is_reported_before_the_next_is_judged_and_kept_views_are_not_redone() -> None:
    events: list[str] = []

    class Recording(Failing):
        def judge_now(self, context: JudgeContext, a: str, b: str) -> Judgment:
            events.append(f"judge {context.item_id}")
            return Judgment(Decision.A_BETTER)

    items = _items(3)
    kept = Judgment(Decision.B_BETTER, output="old").on_view(1, (0, 1))
    work = [WorkItem(items[0], (kept,), ((2, (1, 0)),), "p"), *plan_work(items[1:], get_protocol("pairwise", orders="both"), {})]
    got = []
    judge_now_items(Recording().judge_now, work, labels=("j", "none"), on_result=lambda r, f: (events.append(f"result {r.item_id}"), got.append((r, f))))
    assert events == ["judge p1", "result p1", "judge p2", "judge p2", "result p2", "judge p3", "judge p3", "result p3"]
    first, fresh = got[0]
    assert fresh == (2,) and [(g.game, g.output, g.decision) for g in first.judgments] == [(1, "old", Decision.B_BETTER), (2, "", Decision.A_BETTER)]
    assert [f for _, f in got[1:]] == [(1, 2), (1, 2)]
