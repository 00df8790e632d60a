"""Reward-model scoring: each unique (conversation, response) is scored once per run (the backend's memo, safe
under concurrency), a non-finite reward is a failure and never a verdict, and the pointwise reward judge rates
each response by its reward. The first tests use a counting stand-in provider; the last ones the tiny random-weight
``hf:`` model of ``test_hf_local``, checked against direct inference."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path
from typing import Any

import pytest

from judgebench.backends import BackendError, ChatParams, Completion, Messages
from judgebench.backends.managed import ManagedBackend, conversation_messages
from judgebench.judges import JudgeContext, get_judge, get_judge_info
from judgebench.schema import BestOf, Decision, Item, Response, Turn


class CountingRM:
    """A reward provider that scores by length after a short delay and counts its calls per (messages, response)."""

    provider = "fake"
    model = "rm"

    def __init__(self, value: Any = None, fail_first: int = 0) -> None:
        self.calls: list[tuple[Any, str]] = []
        self.value = value
        self.fail_first = fail_first

    async def score_once(self, question: str, response: str, messages: Messages | None = None) -> float:
        self.calls.append((tuple((m["role"], m["content"]) for m in messages) if messages else question, response))
        await asyncio.sleep(0.01)
        if self.fail_first:
            self.fail_first -= 1
            raise BackendError("boom", transient=False)
        return float(len(response) if self.value is None else self.value)

    async def chat_once(self, messages: Messages, params: ChatParams) -> Completion:
        raise BackendError("a reward model")


def managed(raw: Any) -> ManagedBackend:
    return ManagedBackend(raw, cache=None)


def test_concurrent_scores_of_one_key_await_one_call() -> None:
    raw = CountingRM()
    backend = managed(raw)

    async def go() -> list[float]:
        first = await asyncio.gather(*(backend.score("q", r) for r in ["aa", "bbb", "aa", "aa", "bbb"]))
        again = await backend.score("q", "aa")
        return [*first, again]

    assert asyncio.run(go()) == [2.0, 3.0, 2.0, 2.0, 3.0, 2.0]
    assert sorted(raw.calls) == [("q", "aa"), ("q", "bbb")]
    assert backend.stats["calls"] == 2 and backend.stats["deduplicated"] == 4


def test_the_memo_keys_on_the_whole_conversation() -> None:
    raw = CountingRM()
    backend = managed(raw)
    chat = (Turn("system", "be brief"), Turn("user", "q"))

    async def go() -> None:
        await backend.score("q", "r")
        await backend.score("q", "r", conversation=(Turn("user", "q"),))  # one user turn: the question alone
        await backend.score("System: be brief\n\nUser: q", "r", conversation=chat)
        await backend.score("System: be brief\n\nUser: q", "r", conversation=[t.to_dict() for t in chat])

    asyncio.run(go())
    assert raw.calls == [("q", "r"), ((("system", "be brief"), ("user", "q")), "r")]
    assert conversation_messages("q", (Turn("user", "q"),)) is None
    assert conversation_messages("q", chat) == [{"role": "system", "content": "be brief"}, {"role": "user", "content": "q"}]


def test_a_failed_score_is_shared_by_its_waiters_and_not_kept() -> None:
    raw = CountingRM(fail_first=1)
    backend = managed(raw)

    async def go() -> tuple[list[Any], float]:
        first = await asyncio.gather(backend.score("q", "r"), backend.score("q", "r"), return_exceptions=True)
        return first, await backend.score("q", "r")

    first, later = asyncio.run(go())
    assert all(isinstance(e, BackendError) for e in first) and later == 1.0
    assert len(raw.calls) == 2  # the failure's two waiters made one call; the later call tried again


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_non_finite_reward_is_a_failed_judgment_never_a_verdict(bad: float) -> None:
    context = JudgeContext.of_question("q")
    point = asyncio.run(get_judge("reward_model_pointwise", managed(CountingRM(value=bad))).judge(context, "r"))
    assert point.is_failed and point.rating is None and not point.has_verdict and "finite" in (point.error or "")
    pair = asyncio.run(get_judge("reward_model", managed(CountingRM(value=bad))).judge(context, "a", "b"))
    assert pair.is_failed and pair.decision is Decision.NONE and pair.scores is None


def test_the_pointwise_reward_judge_is_registered_and_rates_by_reward() -> None:
    info = get_judge_info("reward_model_pointwise")
    assert (info.kind, info.backend, info.needs_model) == ("pointwise", "reward", True)
    assert get_judge_info("reward_model").kind == "pairwise"
    judge = get_judge("reward_model_pointwise", managed(CountingRM()))
    j = asyncio.run(judge.judge(JudgeContext.of_question("q"), "four"))
    assert (j.rating, j.score_kind, j.decision, j.scores, j.confidence) == (4.0, "reward", Decision.NONE, None, None)


# ---------------------------------------------------------------------------------------------------------------
# the tiny hf: model

torch = pytest.importorskip("torch", reason="torch is the [hf] extra (pip install 'judgebench[hf]')")
pytest.importorskip("transformers", reason="transformers is the [hf] extra")

from .test_hf_local import build_tiny_reward_model, reference_score  # noqa: E402


def count_scored(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, Any]]:
    """Every (question, response, messages) the ``hf:`` provider runs through its model, across all instances."""
    from judgebench.backends.hf_local import HFLocalProvider

    seen: list[tuple[str, str, Any]] = []
    original = HFLocalProvider._score_batch_sync

    def counting(self: HFLocalProvider, requests: list[Any]) -> list[Any]:
        seen.extend(requests)
        return original(self, requests)

    monkeypatch.setattr(HFLocalProvider, "_score_batch_sync", counting)
    return seen


def test_a_run_scores_each_unique_response_once_and_like_direct_inference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from judgebench.run.runner import RunSpec, run

    from .conftest import make_pair, write_jsonl

    folder = build_tiny_reward_model(tmp_path / "rm")
    seen = count_scored(monkeypatch)
    # two items on one question sharing a response, and a third on another question, each judged in both orders
    x, y, z = "answer alpha w1 w2", "answer beta 3 w4", "answer 7 w9 w9 w9"
    rows = [make_pair(0, question="question 1 ?", response_A=x, response_B=y), make_pair(1, question="question 1 ?", response_A=y, response_B=z), make_pair(2, question="question 2 ?", response_A=x, response_B=y)]
    data = write_jsonl(tmp_path / "pairs.jsonl", rows)
    out = run(RunSpec(data=str(data), judge="reward_model", model=f"hf:{folder}", games=2, results_dir=str(tmp_path / "r"), cache=False, progress=False))
    assert sum(len(r.games) for r in out.results) == 6
    unique = {("question 1 ?", x), ("question 1 ?", y), ("question 1 ?", z), ("question 2 ?", x), ("question 2 ?", y)}
    assert sorted((q, r) for q, r, _ in seen) == sorted(unique)  # 12 scores asked for, 5 made
    for r in out.results:
        sa, sb = (reference_score(folder, r.pair.question, t) for t in (r.pair.response_A, r.pair.response_B))
        g1, g2 = sorted(r.games, key=lambda g: g.game)
        assert g1.scores == pytest.approx((sa, sb), abs=1e-5) and g2.scores == pytest.approx((sb, sa), abs=1e-5)
        assert g1.decision == (Decision.A_BETTER if sa > sb else Decision.B_BETTER)


def test_pointwise_and_pairwise_views_of_best_of_k_items_share_one_batched_score_each(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """RM-Bench-like items (the same prompt, chosen and rejected responses repeated across items) judged under the
    Pointwise protocol and, on the same backend, under Pairwise (every pair, both orders): every unique
    (conversation, response) is scored once, in batches, and each rating is the direct-inference reward."""
    from judgebench.backends.hf_local import HFLocalProvider
    from judgebench.protocols import Pairwise, Pointwise
    from judgebench.run.local import judge_items
    from judgebench.run.runner import plan_work

    folder = build_tiny_reward_model(tmp_path / "rm")
    seen = count_scored(monkeypatch)
    chosen = [f"answer alpha w{i} w{i + 1}" for i in range(3)]
    rejected = [f"answer beta {i} w{2 * i}" for i in range(3)]
    items = [Item(f"rm{c}{r}", "question 5 ?", (Response(chosen[c]), Response(rejected[r]), Response(rejected[(r + 1) % 3]), Response(chosen[(c + 1) % 3])), BestOf((0,))) for c in range(3) for r in range(3)]
    provider = HFLocalProvider(str(folder), batch_size=4)
    backend = ManagedBackend(provider, cache=None)
    results: dict[str, Any] = {}

    async def judge_all() -> None:
        for name, protocol in (("reward_model_pointwise", Pointwise()), ("reward_model", Pairwise(orders="both"))):
            work = plan_work(items, protocol, {})
            await judge_items(get_judge(name, backend), work, concurrency=64, labels=(name, "rm"), on_result=lambda r, f, n=name: results.setdefault(n, []).append(r))

    asyncio.run(judge_all())
    assert sorted(r for _, r, _ in seen) == sorted(chosen + rejected)  # 6 unique of 36 pointwise + 108 pairwise scores
    assert provider.sequences_scored == 6 and provider.forward_passes < 6
    direct = {t: reference_score(folder, "question 5 ?", t) for t in chosen + rejected}
    for result in results["reward_model_pointwise"]:
        for j in result.judgments:
            (i,) = j.shown
            assert j.rating == pytest.approx(direct[result.item.responses[i].text], abs=1e-5)
    assert len(results["reward_model"]) == 9 and all(not j.is_failed for r in results["reward_model"] for j in r.judgments)
