"""The real client path: the official openai client against a real HTTP simulator on 127.0.0.1.

Checks retries, Retry-After, rate limits, the concurrency bound, the call cache, key hygiene, and that accuracy
and position bias planted in the simulator are recovered by a run.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
from pathlib import Path

import pytest

from judgebench.backends import BackendError, ChatParams, make_provider, split_model
from judgebench.backends.cache import CallCache, cache_key
from judgebench.backends.managed import ManagedBackend
from judgebench.backends.openai_compat import quirks_for, request_body
from judgebench.backends.rate_limit import RateLimiter
from judgebench.backends.retry import RetryPolicy
from judgebench.errors import JudgebenchError
from judgebench.run.runner import RunSpec, run
from judgebench.schema import Decision
from judgebench.testing.fake_server import FakeConfig

from .conftest import CANARY_KEY, make_pair, write_jsonl


def spec_for(server, tmp_path: Path, data: str, **kw) -> RunSpec:
    base = dict(data=data, judge="vanilla", model="openai:test", base_url=server.base_url, results_dir=str(tmp_path / "results"), cache_dir=str(tmp_path / "cache"), progress=False, concurrency=16, timeout=5)
    base.update(kw)
    return RunSpec(**base)


def small_pairs(tmp_path: Path, n: int = 30) -> str:
    rows = [make_pair(i, "A>B" if i % 2 else "B>A", response_A=f"answer alpha {i} " * 3, response_B=f"answer beta {i} " * 3) for i in range(n)]
    return str(write_jsonl(tmp_path / "pairs.jsonl", rows))


def test_split_model_rejects_unknown_provider() -> None:
    assert split_model("vllm:Skywork/Skywork-Critic-Llama-3.1-8B") == ("vllm", "Skywork/Skywork-Critic-Llama-3.1-8B")
    with pytest.raises(JudgebenchError, match="unknown model provider 'gpt'"):
        split_model("gpt:4")
    with pytest.raises(JudgebenchError, match="PROVIDER:NAME"):
        split_model("gpt-4o")


def test_reasoning_model_quirks_drop_system_and_temperature() -> None:
    msgs = [{"role": "system", "content": "S"}, {"role": "user", "content": "U"}]
    body = request_body("o1-mini", msgs, ChatParams(temperature=0.0, max_tokens=100))
    assert body["messages"] == [{"role": "user", "content": "S\n\nU"}]
    assert "temperature" not in body and body["max_completion_tokens"] == 100
    plain = request_body("gpt-4o-mini", msgs, ChatParams(temperature=0.0, max_tokens=100))
    assert plain["temperature"] == 0.0 and plain["max_tokens"] == 100 and len(plain["messages"]) == 2
    assert quirks_for("openai/o3-mini").temperature is False


def test_cache_key_ignores_what_does_not_change_output() -> None:
    k = cache_key(provider="openai", model="m", endpoint="http://127.0.0.1:8000/v1", request=[{"role": "user", "content": "x"}], params=ChatParams().to_dict())
    assert k == cache_key(provider="openai", model="m", endpoint="http://127.0.0.1:8000/v1", request=[{"role": "user", "content": "x"}], params=ChatParams().to_dict())
    assert k != cache_key(provider="openai", model="m", endpoint="http://127.0.0.1:8000/v1", request=[{"role": "user", "content": "x"}], params=ChatParams().to_dict(), sample_index=1)
    assert k != cache_key(provider="openai", model="m", endpoint="http://127.0.0.1:8000/v1", request=[{"role": "user", "content": "x"}], params=ChatParams(temperature=1.0).to_dict())


def test_retry_policy_honours_retry_after_and_caps_backoff() -> None:
    rng = random.Random(0)
    p = RetryPolicy(base=0.5, cap=4.0)
    assert 0.3 <= p.delay(0, 0.3, rng) <= 0.311
    assert all(0 <= p.delay(a, None, rng) <= 4.0 for a in range(20))


def test_retries_recover_every_failure_kind_except_hangs(fake_server, tmp_path: Path) -> None:
    mix = {"429": 1, "500": 1, "503": 1, "reset": 1, "truncated": 1, "empty_choices": 1}
    server = fake_server(FakeConfig(failure_rate=0.4, failure_mix=mix, seed=1))
    out = run(spec_for(server, tmp_path, small_pairs(tmp_path), max_retries=12))
    st = server.stats()
    assert out.metrics.n_failed == 0, [g.error for r in out.results for g in r.games if g.error]
    assert st["outcomes"]["ok"] == 60 and sum(v for k, v in st["outcomes"].items() if k != "ok") > 10
    assert set(mix) <= set(st["outcomes"])  # every kind was injected and survived
    assert st["repeated_after_success"] == 0
    assert out.run_info["backend"]["retries"] == st["calls"] - 60


def test_call_that_keeps_failing_is_recorded_with_its_cause(fake_server, tmp_path: Path) -> None:
    server = fake_server(FakeConfig(failure_rate=1.0, failure_mix={"500": 1}))
    out = run(spec_for(server, tmp_path, small_pairs(tmp_path, 3), max_retries=2))
    errors = [g.error for r in out.results for g in r.games]
    assert all(e is not None and "HTTP 500" in e and "after 2 retries" in e for e in errors)
    assert all(g.decision == Decision.NONE for r in out.results for g in r.games)
    assert server.stats()["calls"] == 6 * 3  # 1 try + 2 retries per judgment


def test_read_timeout_is_retried_then_recorded(fake_server, tmp_path: Path) -> None:
    server = fake_server(FakeConfig(failure_rate=1.0, failure_mix={"timeout": 1}, hang_seconds=3))
    out = run(spec_for(server, tmp_path, small_pairs(tmp_path, 1), max_retries=1, timeout=0.5))
    assert all("timed out" in (g.error or "") for g in out.results[0].games)


def test_concurrency_bound_holds_at_the_server(fake_server, tmp_path: Path) -> None:
    server = fake_server(FakeConfig(latency=0.05))
    run(spec_for(server, tmp_path, small_pairs(tmp_path, 20), concurrency=4))
    assert server.stats()["peak_in_flight"] == 4


def test_rpm_limit_holds_at_the_server(fake_server, tmp_path: Path) -> None:
    server = fake_server(FakeConfig())
    run(spec_for(server, tmp_path, small_pairs(tmp_path, 10), rpm=600, concurrency=20))  # 10 requests per second
    times = sorted(t for _, _, t in server.log)
    assert len(times) == 20
    # token bucket of 10/s with a burst of 10: any 1-second window holds at most 10 + 10 arrivals, and the 20 calls
    # cannot be granted in under (20 - 10) / 10 = 1 s. Arrival times lag the grants: on a loaded machine the first
    # burst reached the server 0.12 s after its grant (0.88 s spread seen), so the bound keeps a 0.25 s margin; with
    # no limiter all 20 arrive within a few tens of milliseconds
    assert times[-1] - times[0] >= 0.75
    assert max(sum(1 for u in times if t <= u < t + 1.0) for t in times) <= 20


def test_token_bucket_waits_for_refill() -> None:
    async def go() -> float:
        limiter = RateLimiter(rpm=1200)  # 20/s, burst 20
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        for _ in range(30):
            await limiter.acquire(10)
        return loop.time() - t0

    assert asyncio.run(go()) >= 0.45  # 10 requests beyond the burst at 20/s


def test_cache_makes_no_call_twice_and_refresh_and_no_cache_bypass_it(fake_server, tmp_path: Path) -> None:
    server = fake_server(FakeConfig())
    data = small_pairs(tmp_path, 10)
    run(spec_for(server, tmp_path, data))
    assert server.stats()["calls"] == 20
    second = run(spec_for(server, tmp_path, data, results_dir=str(tmp_path / "other")))  # new results: only the cache helps
    assert server.stats()["calls"] == 20 and second.run_info["counts"]["cached"] == 20
    run(spec_for(server, tmp_path, data, results_dir=str(tmp_path / "r3"), refresh=True))
    assert server.stats()["calls"] == 40
    run(spec_for(server, tmp_path, data, results_dir=str(tmp_path / "r4"), cache=False))
    assert server.stats()["calls"] == 60
    assert len(CallCache(tmp_path / "cache" / "calls.sqlite")) == 20


def test_canary_key_never_reaches_results_or_cache(fake_server, tmp_path: Path) -> None:
    server = fake_server(FakeConfig(failure_rate=0.3, failure_mix={"500": 1, "429": 1}))
    run(spec_for(server, tmp_path, small_pairs(tmp_path, 10), max_retries=1))
    for p in [*(tmp_path / "results").rglob("*"), *(tmp_path / "cache").rglob("*")]:
        if p.is_file():
            assert CANARY_KEY.encode() not in p.read_bytes(), p


def test_recovered_accuracy_and_position_bias_match_simulation(fake_server, jb_pairs, tmp_path: Path) -> None:
    accuracy, bias = 0.7, 0.8
    server = fake_server(FakeConfig(accuracy=accuracy, position_bias=bias, seed=3), jb_pairs)
    out = run(RunSpec(data="judgebench:gpt", data_dir=str(_pairs_dir()), judge="vanilla", model="openai:test", base_url=server.base_url, results_dir=str(tmp_path / "r"), cache_dir=str(tmp_path / "c"), progress=False, concurrency=64))
    games = [(r.pair.label, g) for r in out.results for g in r.games]
    n = len(games)
    correct = [(g.decision.flipped() if g.game == 2 else g.decision) == label for label, g in games]
    # Each pair shows its correct response first in exactly one of its two games, so an unsure pick is right half
    # the time: expected game accuracy = accuracy + (1 - accuracy) / 2 = 0.85.
    expected = accuracy + (1 - accuracy) / 2
    sd = math.sqrt(expected * (1 - expected) / n)
    assert abs(sum(correct) / n - expected) < 4 * sd
    # Wrong games are unsure picks of the wrong position: P(first shown | wrong) = 0.8*0.3 / (0.8*0.3 + 0.2*0.3) = bias.
    wrong_first = [g.decision == Decision.A_BETTER for (_, g), ok in zip(games, correct, strict=True) if not ok]
    sd_b = math.sqrt(bias * (1 - bias) / len(wrong_first))
    assert abs(sum(wrong_first) / len(wrong_first) - bias) < 4 * sd_b


def _pairs_dir() -> Path:
    from .conftest import shared

    return shared("judgebench", "pairs")


def test_managed_backend_without_score_support_says_what_to_use(fake_server) -> None:
    server = fake_server(FakeConfig())
    backend = ManagedBackend(make_provider("openai:test", base_url=server.base_url), cache=None)
    with pytest.raises(BackendError, match="reward-model backend"):
        asyncio.run(backend.score("q", "r"))


def test_missing_openai_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(JudgebenchError, match="set OPENAI_API_KEY"):
        make_provider("openai:gpt-4o-mini")


def test_anthropic_backend_speaks_messages_api(fake_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-canary-0123456789abcdef")
    server = fake_server(FakeConfig())
    out = run(spec_for(server, tmp_path, small_pairs(tmp_path, 4), model="anthropic:claude-test", base_url=server.base_url[: -len("/v1")]))
    assert out.metrics.n_failed == 0 and all(g.decision != Decision.NONE for r in out.results for g in r.games)


def test_vllm_reward_endpoint_scores_through_reward_model_judge(fake_server, tmp_path: Path) -> None:
    server = fake_server(FakeConfig(accuracy=1.0), [])
    out = run(spec_for(server, tmp_path, small_pairs(tmp_path, 6), judge="reward_model", model="vllm-reward:rm"))
    assert out.run_info["games"] == 1
    assert all(r.games[0].scores is not None and len(r.games[0].scores) == 2 for r in out.results)
    assert server.stats()["calls"] == 12


def test_jury_keeps_member_decisions(fake_server, tmp_path: Path) -> None:
    server = fake_server(FakeConfig())
    out = run(spec_for(server, tmp_path, small_pairs(tmp_path, 3), judge="jury", judge_options={"members": ["vanilla", "chateval", "vanilla@vllm:second"]}))
    members = out.results[0].games[0].extra["members"]
    assert [m["member"] for m in members] == ["vanilla", "chateval", "vanilla@vllm:second"]
    assert all(m["decision"] in ("A>B", "B>A", "A=B") for m in members)


def test_canary_absent_from_run_json(fake_server, tmp_path: Path) -> None:
    server = fake_server(FakeConfig())
    out = run(spec_for(server, tmp_path, small_pairs(tmp_path, 2)))
    assert CANARY_KEY not in json.dumps(out.run_info)
