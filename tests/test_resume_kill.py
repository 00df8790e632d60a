"""Killing a run with SIGKILL and starting it again finishes only the remaining work, with the same results."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from judgebench.testing.fake_server import FakeConfig

from .conftest import make_pair, write_jsonl


def bench_cmd(server, data: Path, results: Path, cache: Path) -> list[str]:
    return [sys.executable, "-m", "judgebench", "bench", "--judge", "vanilla", "--model", "openai:test", "--base-url", server.base_url, "--data", str(data), "--results-dir", str(results), "--cache-dir", str(cache), "--concurrency", "4", "--no-progress"]


def decisions(results: Path) -> list[tuple[str, list[str]]]:
    (f,) = results.rglob("judgments.jsonl")
    return [(d["item_id"], [g["decision"] for g in d["judgments"]]) for d in map(json.loads, f.read_text().splitlines())]


def test_sigkill_then_resume_equals_uninterrupted_run(fake_server, tmp_path: Path) -> None:
    rows = [make_pair(i, "A>B" if i % 2 else "B>A", response_A=f"alpha {i} " * 5, response_B=f"beta {i} " * 5) for i in range(30)]
    data = write_jsonl(tmp_path / "pairs.jsonl", rows)
    server = fake_server(FakeConfig(latency=0.05, accuracy=0.7, position_bias=0.8))
    results, cache = tmp_path / "results", tmp_path / "cache"
    proc = subprocess.Popen(bench_cmd(server, data, results, cache), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:  # wait until a few pairs are logged, then kill
        partial = list(results.rglob("judgments.jsonl.partial"))
        if partial and len(partial[0].read_text().splitlines()) >= 3:
            break
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not list(results.rglob("judgments.jsonl")), "a killed run must not leave a complete-looking file"
    before = server.stats()["outcomes"].get("ok", 0)
    assert 0 < before < 60
    done = subprocess.run(bench_cmd(server, data, results, cache), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    st = server.stats()
    # Only requests in flight at the moment of the kill (at most --concurrency 4) can be answered twice.
    assert st["outcomes"]["ok"] <= 60 + 4
    assert st["repeated_after_success"] <= 4
    reference = tmp_path / "ref"
    subprocess.run(bench_cmd(server, data, reference, tmp_path / "cache2"), check=True, capture_output=True, timeout=120)
    assert decisions(results) == decisions(reference)
