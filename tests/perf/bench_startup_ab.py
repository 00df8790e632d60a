"""The whole ``bench`` command of two or more judgebench trees, side by side with the bare client (issue 17, target 2).

What ``bench_throughput``'s start-up rows measure (700 judgments of the 350 JudgeBench pairs at concurrency 64
against a 200 ms fake server: first request at the server, first to last request, after the last answer, whole
command), for several programs in one run against one server: each round runs the bare client script first, then
every tree in a rotating order, so that each is as often first after the bare client and the machine's drift is
shared. On this project's machine one command's times vary by up to 50% from run to run, so a difference between
two trees of 10-30 ms needs this: medians over many rounds of programs that alternate.

A tree is ``NAME=PATH``: a checkout of judgebench (``git worktree add /tmp/old <commit>``), whose own code the
command runs (``python -m judgebench`` from that folder). ``NAME`` alone is this checkout.

Run ``python -m tests.perf.bench_startup_ab [--rounds R] NAME[=PATH] ...``, e.g. ``--rounds 12 head
old=/tmp/old``. Not part of ``make perf`` (it compares trees, not a tree with its baseline).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.perf.bench_runner import PAIRS, ROOT, start_server
from tests.perf.bench_throughput import BARE_SCRIPT, capture_bodies, reset_server, server_stats

LATENCY = 0.2
CONCURRENCY = 64
BOUND = 700 / (CONCURRENCY / LATENCY)  # 350 pairs x 2 games


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("trees", nargs="+", help="NAME or NAME=PATH (a judgebench checkout)")
    args = parser.parse_args()
    if not PAIRS.exists():
        sys.exit(f"needs the JudgeBench pairs in {PAIRS}")
    os.environ.setdefault("OPENAI_API_KEY", "sk-bench-not-a-real-key-000000")
    trees = [(t.split("=", 1)[0], Path(t.split("=", 1)[1]) if "=" in t else ROOT) for t in args.trees]
    tmp = Path(tempfile.mkdtemp(prefix="jb-startup-ab-"))
    # bytecode cached in a scratch folder (round 0 writes it and is not counted), as after ``pip install``
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"JUDGEBENCH_PAIRS_DIR": str(PAIRS), "PYTHONPYCACHEPREFIX": str(tmp / "pycache")}
    server, url = start_server(LATENCY, "judgebench:gpt")

    def timed(cmd: list[str], cwd: Path) -> tuple[float, float, float, float]:
        """(first request s, first to last request + latency s, after the last answer s, whole command s)."""
        reset_server(url)
        t0 = time.monotonic()
        subprocess.run(cmd, env=env, cwd=cwd, check=True, capture_output=True)
        wall = time.monotonic() - t0
        st = server_stats(url)
        first = float(st["first_arrival"]) - t0
        span = float(st["last_arrival"]) - float(st["first_arrival"]) + LATENCY
        return first, span, wall - first - span, wall

    try:
        bodies = tmp / "bodies.json"
        bodies.write_text(json.dumps(capture_bodies("judgebench:gpt", url, tmp)), encoding="utf-8")
        times: dict[str, list[tuple[float, float, float, float]]] = {"bare client": []} | {name: [] for name, _ in trees}
        for r in range(args.rounds + 1):
            bare = timed([sys.executable, "-c", BARE_SCRIPT, url, str(bodies), str(CONCURRENCY)], ROOT)
            if r:
                times["bare client"].append(bare)
            for name, path in trees[r % len(trees) :] + trees[: r % len(trees)]:
                cmd = [sys.executable, "-m", "judgebench", "bench", "--judge", "vanilla", "--model", "openai:bench", "--base-url", url, "--data", "judgebench:gpt"]
                cmd += ["--concurrency", str(CONCURRENCY), "--no-cache", "--no-progress", "--results-dir", str(tmp / f"{name}-{r}")]
                t = timed(cmd, path)
                if r:
                    times[name].append(t)
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"{args.rounds} rounds, load average at the end {load}; medians (means) in seconds\n")
        print("| program | first request | first to last request + latency | after the last answer | whole command | **ratio to bound** (median; lowest) | first request <= 0.3 s |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, rows in times.items():
            cols = list(zip(*rows, strict=True))
            cells = " | ".join(f"{statistics.median(c):.3f} ({statistics.mean(c):.3f})" for c in cols)
            ratio = f"**{BOUND / statistics.median(cols[3]):.3f}**; {BOUND / max(cols[3]):.3f}"
            print(f"| {name} | {cells} | {ratio} | {sum(x <= 0.3 for x in cols[0])} of {len(rows)} |")
    finally:
        server.kill()


if __name__ == "__main__":
    main()
