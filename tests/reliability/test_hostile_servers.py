"""Hostile servers: a reply body that never ends and a gzip bomb are each recorded as a failed judgment
("response larger than 16 MiB"), within seconds and with bounded memory, for chat judges (the openai and anthropic
clients) and reward models (vLLM's /pooling through aiohttp); the limit is set by $JUDGEBENCH_MAX_RESPONSE_MB."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from judgebench.testing.fake_server import FakeConfig

from ..conftest import make_pair, write_jsonl

# The server would send this much (decoded) if the client kept reading: far beyond the limit, and enough that a
# client without one holds it all in memory at once (then a copy when it joins the pieces).
HOSTILE_BYTES = 768 * 2**20
PEAK_RSS_LIMIT_MB = 400  # a bench run's own peak is about 150 MB; one reply held whole would add 768 MB or more

# A wrapper process whose only child is the judgebench run, so that RUSAGE_CHILDREN's peak RSS is that run's alone
# (the pytest process has waited for other children before).
MEASURE = """
import json, resource, subprocess, sys, time
t = time.monotonic()
p = subprocess.run(sys.argv[1:], capture_output=True, text=True)
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # kilobytes on Linux
print(json.dumps({"rc": p.returncode, "stderr": p.stderr[-3000:], "seconds": time.monotonic() - t, "peak_mb": peak_kb / 1024}))
"""


def run_measured(args: list[str], env: dict[str, str], timeout: float = 240) -> dict:
    proc = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m", "judgebench", *args], env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize("kind", ["endless", "gzip_bomb"])
@pytest.mark.parametrize(("judge", "model"), [("arena_hard", "openai:test"), ("arena_hard", "anthropic:test"), ("reward_model", "vllm-reward:rm")])
def test_oversized_reply_is_a_recorded_failure_with_bounded_memory(fake_server, tmp_path: Path, kind: str, judge: str, model: str) -> None:
    data = write_jsonl(tmp_path / "pairs.jsonl", [make_pair(i) for i in range(2)])
    server = fake_server(FakeConfig(failure_rate=1.0, failure_mix={kind: 1}, hostile_bytes=HOSTILE_BYTES))
    results = tmp_path / "results"
    base_url = server.base_url.removesuffix("/v1") if model.startswith("anthropic:") else server.base_url  # the SDK adds /v1
    args = ["bench", "--judge", judge, "--model", model, "--base-url", base_url, "--data", str(data), "--results-dir", str(results), "--cache-dir", str(tmp_path / "cache"), "--concurrency", "1", "--timeout", "30", "--max-retries", "2", "--no-progress"]
    out = run_measured(args, {**os.environ, "JUDGEBENCH_MAX_RESPONSE_MB": ""})
    # 3: the run finished with failed judgments (0 on builds that exit 0 whatever failed); never a crash
    assert out["rc"] in (0, 3), out["stderr"]
    games = [g for line in next(results.rglob("judgments.jsonl")).read_text().splitlines() for g in json.loads(line)["judgments"]]
    errors = [g.get("error") or "" for g in games]
    assert len(games) == (4 if judge == "arena_hard" else 2)  # 2 pairs, both orders; a reward model judges once
    assert all("response larger than 16 MiB" in e for e in errors), errors
    # never retried (the same request gets the same reply, and each costs a read of 16 MiB): one call per game for a
    # chat judge, at most one per response for a reward model
    assert server.stats()["calls"] <= (1 if judge == "arena_hard" else 2) * len(games)
    assert out["peak_mb"] < PEAK_RSS_LIMIT_MB, out
    assert out["seconds"] < 60, out
    print(f"\n{kind} {model}: peak RSS {out['peak_mb']:.0f} MB, {out['seconds']:.1f} s, {server.stats()['calls']} calls")


def test_response_limit_is_configurable(fake_server, tmp_path: Path) -> None:
    """$JUDGEBENCH_MAX_RESPONSE_MB=1: the endless reply is cut at 1 MiB, and the error says so."""
    data = write_jsonl(tmp_path / "pairs.jsonl", [make_pair(0)])
    server = fake_server(FakeConfig(failure_rate=1.0, failure_mix={"endless": 1}, hostile_bytes=HOSTILE_BYTES))
    args = ["bench", "--judge", "arena_hard", "--model", "openai:test", "--base-url", server.base_url, "--data", str(data), "--games", "1", "--results-dir", str(tmp_path / "r"), "--no-cache", "--no-progress"]
    out = run_measured(args, {**os.environ, "JUDGEBENCH_MAX_RESPONSE_MB": "1"})
    assert out["rc"] in (0, 3), out["stderr"]
    (game,) = json.loads(next((tmp_path / "r").rglob("judgments.jsonl")).read_text())["judgments"]
    assert "response larger than 1 MiB" in game["error"] and "JUDGEBENCH_MAX_RESPONSE_MB" in game["error"]
    assert server.stats()["calls"] == 1


def test_bad_response_limit_setting_exits_2_naming_the_variable(fake_server, tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "pairs.jsonl", [make_pair(0)])
    server = fake_server(FakeConfig())
    proc = subprocess.run(
        [sys.executable, "-m", "judgebench", "bench", "--judge", "arena_hard", "--model", "openai:test", "--base-url", server.base_url, "--data", str(data), "--results-dir", str(tmp_path / "r"), "--no-progress"],
        env={**os.environ, "JUDGEBENCH_MAX_RESPONSE_MB": "lots"}, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2 and "JUDGEBENCH_MAX_RESPONSE_MB" in proc.stderr and "'lots'" in proc.stderr, proc.stderr
    assert server.stats()["calls"] == 0
