"""Judging throughput against the fake server (in its own process) and harness CPU per judgment.

Rows: judgments/second at concurrency 1, 16, 64, 256 with a fixed per-call latency, each as a ratio of the ideal
bound min(concurrency, judgments) / latency (for the whole run, and for its judging phase alone: the run minus
loading pairs, scoring and writing results); and, against a zero-latency server, calls/second and CPU seconds of
the judging process per 1,000 judgments. A fully cached re-run of the 700 JudgeBench judgments is timed as a
whole command, interpreter start included, next to ``judgebench --help``.
"""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAIRS = ROOT.parent / "shared" / "data" / "judgebench" / "pairs"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(latency: float, pairs: str | None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [sys.executable, "-m", "judgebench", "fake-server", "--port", str(port), "--latency", str(latency)]
    if pairs:
        cmd += ["--pairs", pairs]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "JUDGEBENCH_PAIRS_DIR": str(PAIRS)})
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "/stats", timeout=1).read()
            return proc, url + "/v1"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("fake server did not start")


def make_pairs(n: int, folder: Path) -> str:
    path = folder / f"pairs{n}.jsonl"
    with path.open("w") as f:
        for i in range(n):
            f.write(json.dumps({"pair_id": f"p{i}", "question": f"What is {i}+{i}?", "response_A": f"It is {2 * i}. " * 20, "response_B": f"It is {2 * i + 1}. " * 20, "label": "A>B", "source": "synthetic"}) + "\n")
    return str(path)


def judge_run(data: str, base_url: str, concurrency: int, tmp: Path, tag: str) -> tuple[float, float, int, float]:
    from judgebench.run.runner import RunSpec, run

    spec = RunSpec(data=data, data_dir=str(PAIRS), judge="vanilla", model="openai:bench", base_url=base_url, concurrency=concurrency, results_dir=str(tmp / f"r-{tag}"), cache=False, progress=False)
    cpu0, t0 = time.process_time(), time.perf_counter()
    out = run(spec)
    return time.perf_counter() - t0, time.process_time() - cpu0, out.run_info["counts"]["judgments"], out.run_info["judging_seconds"]


def main() -> None:
    os.environ.setdefault("OPENAI_API_KEY", "sk-bench-not-a-real-key-000000")
    latency = 0.2
    tmp = Path(tempfile.mkdtemp(prefix="jb-perf-"))
    have_jb = PAIRS.exists()
    data = "judgebench:gpt" if have_jb else make_pairs(350, tmp)
    print(f"Throughput against the fake server, latency {latency * 1000:.0f} ms, {'JudgeBench GPT-4o pairs' if have_jb else '350 synthetic pairs'} x 2 games\n")
    print("| concurrency | judgments | wall s (whole run) | judgments/s | bound/s | ratio to bound | judging phase s | its ratio | CPU ms/judgment |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    server, url = start_server(latency, data if have_jb else None)
    try:
        for c in (1, 16, 64, 256):
            pairs_for = data if c > 1 else make_pairs(20, tmp)  # concurrency 1 on 700 calls would take 140 s
            wall, cpu, n, judging = judge_run(pairs_for, url, c, tmp, f"c{c}")
            bound = min(c, n) / latency
            print(f"| {c} | {n} | {wall:.2f} | {n / wall:.1f} | {bound:.1f} | {n / wall / bound:.2f} | {judging:.2f} | {n / judging / bound:.2f} | {1000 * cpu / n:.2f} |", flush=True)
    finally:
        server.kill()

    server, url = start_server(0.0, None)
    try:
        big = make_pairs(10_000, tmp)
        wall, cpu, n, _ = judge_run(big, url, 64, tmp, "zero")
        print(f"\nZero-latency server, {n} judgments at concurrency 64: {n / wall:.0f} calls/s, {cpu:.2f} CPU s total, **{1000 * cpu / n:.2f} CPU ms per judgment** ({cpu / n * 1000:.2f} CPU s per 1,000 judgments; JudgeBench reference runner: about 17 ms)")
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"Peak RSS of the judging process after judging 10,000 pairs (20,000 judgments, all kept in memory for scoring): {peak_kb / 1024:.0f} MiB")
    finally:
        server.kill()

    if have_jb:
        server, url = start_server(0.0, "judgebench:gpt")
        try:
            env = {**os.environ, "JUDGEBENCH_PAIRS_DIR": str(PAIRS)}
            base = [sys.executable, "-m", "judgebench", "bench", "--judge", "vanilla", "--model", "openai:bench", "--base-url", url, "--data", "judgebench:gpt", "--cache-dir", str(tmp / "cache"), "--no-progress"]
            subprocess.run([*base, "--results-dir", str(tmp / "warm")], env=env, check=True, capture_output=True)
            t0 = time.perf_counter()
            subprocess.run([*base, "--results-dir", str(tmp / "cached")], env=env, check=True, capture_output=True)
            cached = time.perf_counter() - t0
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "judgebench", "--help"], check=True, capture_output=True)
            helpt = time.perf_counter() - t0
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], check=True)
            bare = time.perf_counter() - t0
            print(f"\nFully cached re-run of the 700 JudgeBench judgments (whole command, fresh results folder): {cached:.2f} s (target < 2 s)")
            print(f"`judgebench --help`: {helpt:.2f} s (target < 0.5 s); bare `python -c pass`: {bare:.2f} s")
        finally:
            server.kill()


if __name__ == "__main__":
    main()
