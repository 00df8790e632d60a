"""Crash and resume: SIGKILL the run at random points, resume, and compare with an uninterrupted run."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from judgebench.testing.fake_server import FakeConfig

from ..conftest import shared


def cmd(server, results: Path, cache: Path) -> list[str]:
    return [sys.executable, "-m", "judgebench", "bench", "--judge", "arena_hard", "--model", "openai:test", "--base-url", server.base_url, "--data", "judgebench:gpt", "--data-dir", str(shared("judgebench", "pairs")), "--results-dir", str(results), "--cache-dir", str(cache), "--concurrency", "8", "--no-progress"]


def key_of(run: int) -> str:
    """Each process gets its own API key, so the server can tell which process each answer went to (the key is
    never part of a call's cache key: all processes share one cache)."""
    return f"sk-crash-resume-run-{run:02d}"


def final_lines(results: Path) -> list[dict]:
    (f,) = results.rglob("judgments.jsonl")
    rows = [json.loads(x) for x in f.read_text().splitlines()]
    for r in rows:  # provenance that legitimately differs between runs
        for g in r["judgments"]:
            g.pop("usage", None)
            g.get("extra", {}).pop("cached", None)
    return rows


def test_ten_sigkills_then_resume_equals_uninterrupted_run(fake_server, jb_pairs, tmp_path: Path) -> None:
    server = fake_server(FakeConfig(latency=0.1, accuracy=0.7, position_bias=0.7, seed=11), jb_pairs)
    results, cache = tmp_path / "results", tmp_path / "cache"
    rng = random.Random(2024)
    kills = 0
    for run in range(10):
        env = {**os.environ, "OPENAI_API_KEY": key_of(run)}
        log = tmp_path / f"run{run}.log"
        with log.open("w") as f:
            proc = subprocess.Popen(cmd(server, results, cache), env=env, stdout=f, stderr=subprocess.STDOUT, start_new_session=True)
        # Somewhere in the judging: once the process's first call reached the server (start-up takes 1-4 s,
        # depending on the machine's load), then up to 0.8 s more (up to ~60 of the 700 calls).
        deadline = time.monotonic() + 120
        while not server.authorizations[f"Bearer {key_of(run)}"] and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.8))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
        assert proc.returncode == -signal.SIGKILL, f"run {run} ended by itself (exit {proc.returncode}) before the kill:\n{log.read_text()[-3000:]}"
    assert kills == 10
    done = subprocess.run(cmd(server, results, cache), env={**os.environ, "OPENAI_API_KEY": key_of(10)}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    st = server.stats()
    assert st["distinct_requests"] == 700
    # What each process was answered, from the server's records (no failures are injected, so each outcome is "ok"
    # or "client_gone": the process was killed while the server held the request).
    asked: list[set[str]] = []
    answered: list[set[str]] = []
    for run in range(11):
        mine = [(key, outcome) for client, key, outcome in server.answers if client == f"Bearer {key_of(run)}"]
        oks = [key for key, outcome in mine if outcome == "ok"]
        assert len(oks) == len(set(oks)), f"run {run} was answered the same request twice"
        asked.append({key for key, _ in mine})
        answered.append(set(oks))
    assert set().union(*answered) == {key for _, key, _ in server.answers}  # every request was answered at least once
    # A request answered to killed run i and asked again by a later run: run i died before storing that answer, so
    # the call was still in flight in it (holding one of its --concurrency 8 slots) when it was killed.
    redone = [answered[i] & set().union(*asked[i + 1 :]) for i in range(10)]
    assert all(len(r) <= 8 for r in redone), [len(r) for r in redone]
    # ...and nothing else was answered twice: every successful answer beyond a request's first is one of those.
    # Exact under any timing: it counts answers per process, whenever the kill lands (an earlier form compared
    # answers with arrivals after a success, and an arrival cut by the next kill counted as a repeat, not an answer).
    assert st["outcomes"]["ok"] - 700 == sum(len(r) for r in redone)
    print(f"\n{kills} kills: {st['outcomes']} answered again after a kill: {[len(r) for r in redone]}; arrivals after a success: {st['repeated_after_success']}")

    reference = tmp_path / "reference"
    subprocess.run(cmd(server, reference, tmp_path / "cache-ref"), check=True, capture_output=True, timeout=300)
    assert final_lines(results) == final_lines(reference)


def test_a_killed_refresh_resumed_without_refresh_never_mixes_in_the_run_it_replaces(tmp_path: Path) -> None:
    # a user review: a --refresh run killed half way, then resumed as its message advises (the same command, less
    # --refresh), reused both its own judgments and the finished run it was replacing (40.0: 16 old pairs, 24 new)
    from judgebench.benchmarks import load_pairs
    from judgebench.testing.fake_server import FakeJudgeServer

    from ..conftest import make_pair, write_jsonl

    data = write_jsonl(tmp_path / "pairs.jsonl", [make_pair(i, "A>B" if i % 2 else "B>A", response_A=f"alpha answer {i} " * 3, response_B=f"beta answer {i} " * 3) for i in range(40)])
    pairs = load_pairs(str(data))
    results, cache = tmp_path / "results", tmp_path / "cache"

    def bench(url: str, *extra: str) -> list[str]:
        return [sys.executable, "-m", "judgebench", "bench", "--judge", "vanilla", "--model", "openai:test", "--base-url", url, "--data", str(data), "--results-dir", str(results), "--cache-dir", str(cache), "--concurrency", "2", "--no-progress", *extra]

    env = {**os.environ, "OPENAI_API_KEY": "sk-test-refresh-0000000000"}
    with FakeJudgeServer(FakeConfig(accuracy=1.0), pairs) as knows:  # the run to replace: 100%
        port = int(knows.base_url.rsplit(":", 1)[1].split("/")[0])
        url = knows.base_url
        assert subprocess.run(bench(url), env=env, capture_output=True, timeout=300).returncode == 0
    (metrics,) = results.rglob("metrics.json")
    assert json.loads(metrics.read_text())["accuracy"] == 100.0
    # the same server, now a judge that always picks the first response shown: 0% under vote
    with FakeJudgeServer(FakeConfig(accuracy=0.0, position_bias=1.0, latency=0.05), pairs, port=port) as first:
        proc = subprocess.Popen(bench(url, "--refresh", "--no-cache"), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        (partial,) = [metrics.parent / "judgments.jsonl.partial"]
        deadline = time.monotonic() + 120
        while (not partial.exists() or len(partial.read_text().splitlines()) < 10) and time.monotonic() < deadline:
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        assert 10 <= len(partial.read_text().splitlines()) < 40
        done = subprocess.run(bench(url, "--no-cache"), env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert first.stats()["distinct_requests"] == 80  # every pair of the refresh judged by this server
    assert json.loads(metrics.read_text())["accuracy"] == 0.0
    assert not (metrics.parent / ".refresh").exists()
