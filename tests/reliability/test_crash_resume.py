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

from judgebench.fake_server import FakeConfig

from ..conftest import shared


def cmd(server, results: Path, cache: Path) -> list[str]:
    return [sys.executable, "-m", "judgebench", "bench", "--judge", "arena_hard", "--model", "openai:test", "--base-url", server.base_url, "--data", "judgebench:gpt", "--data-dir", str(shared("judgebench", "pairs")), "--results-dir", str(results), "--cache-dir", str(cache), "--concurrency", "8", "--no-progress"]


def final_lines(results: Path) -> list[dict]:
    (f,) = results.rglob("judgments.jsonl")
    rows = [json.loads(x) for x in f.read_text().splitlines()]
    for r in rows:  # provenance that legitimately differs between runs
        for g in r["games"]:
            g.pop("usage", None)
            g.get("extra", {}).pop("cached", None)
    return rows


def test_ten_sigkills_then_resume_equals_uninterrupted_run(fake_server, jb_pairs, tmp_path: Path) -> None:
    server = fake_server(FakeConfig(latency=0.1, accuracy=0.7, position_bias=0.7, seed=11), jb_pairs)
    results, cache = tmp_path / "results", tmp_path / "cache"
    rng = random.Random(2024)
    kills = 0
    for _ in range(10):
        proc = subprocess.Popen(cmd(server, results, cache), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(rng.uniform(0.9, 1.8))  # imports take ~0.7 s; then somewhere in the judging
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
    assert kills == 10
    done = subprocess.run(cmd(server, results, cache), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    st = server.stats()
    # Each of the 700 requests was answered successfully once, except those in flight at a kill whose answer the
    # client never stored (at most --concurrency (8) per kill; the server marks answers to dead clients "client_gone").
    assert st["distinct_requests"] == 700
    assert st["outcomes"]["ok"] - 700 == st["repeated_after_success"] <= 8 * kills
    print(f"\n{kills} kills: {st['outcomes']} repeated_after_success={st['repeated_after_success']}")

    reference = tmp_path / "reference"
    subprocess.run(cmd(server, reference, tmp_path / "cache-ref"), check=True, capture_output=True, timeout=300)
    assert final_lines(results) == final_lines(reference)
