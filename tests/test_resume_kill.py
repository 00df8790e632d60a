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


def test_sigkill_of_call_free_work_keeps_whole_lines_and_resumes_identically(tmp_path: Path) -> None:
    """A baseline judge's lines reach the partial log in batches (``runner.FLUSH_CALL_FREE_S``), written whole: after
    a SIGKILL mid-run every line of the partial log is a complete result, the same command reuses them (no warning
    of a torn line) and the finished ``judgments.jsonl`` equals an uninterrupted run's byte for byte."""
    rows = [make_pair(i, "A>B" if i % 3 else "B>A", response_A="a" * (i % 50 + 1), response_B="b" * (i % 37 + 1)) for i in range(30_000)]
    data = write_jsonl(tmp_path / "pairs.jsonl", rows)

    def cmd(results: Path) -> list[str]:
        return [sys.executable, "-m", "judgebench", "bench", "--judge", "longer", "--data", str(data), "--results-dir", str(results), "--no-progress"]

    results = tmp_path / "results"
    proc = subprocess.Popen(cmd(results), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:  # kill once a batch or two is in the partial log
        partial = list(results.rglob("judgments.jsonl.partial"))
        if partial and partial[0].stat().st_size > 0:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    (partial_file,) = results.rglob("judgments.jsonl.partial")
    text = partial_file.read_text()
    assert text.endswith("\n")
    logged = [json.loads(line) for line in text.splitlines()]  # every line whole
    assert 0 < len(logged) < len(rows)
    done = subprocess.run(cmd(results), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "torn" not in done.stderr and "skipp" not in done.stderr, done.stderr
    (run_json,) = results.rglob("run.json")
    assert json.loads(run_json.read_text())["counts"]["reused"] == 2 * len(logged)
    reference = tmp_path / "reference"
    subprocess.run(cmd(reference), check=True, capture_output=True, timeout=300)
    (ours,) = results.rglob("judgments.jsonl")
    (theirs,) = reference.rglob("judgments.jsonl")
    assert ours.read_bytes() == theirs.read_bytes()
