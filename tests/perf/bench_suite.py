"""The benchmark suite end to end, against baselines measured in the same run.

(a) ``judgebench suite --judge longer`` (a baseline judge, no model) over every benchmark with a local copy, as a
    fresh process with the call cache off: the whole command's wall time and each benchmark's ``wall_seconds`` from
    its ``run.json``. Baselines in the same run: one process that only loads every benchmark's items
    (``load_items``: the floor of reading the data), and ``judgebench bench`` once per benchmark in separate
    processes (what a user without the suite would run).
(b) The fake OpenAI-compatible server (``judgebench fake-server --latency 0.2``, its own process) behind the
    ``vanilla`` prompted judge through ``judgebench suite`` at concurrency 64 on a few benchmarks with ``--limit``:
    the judging throughput summed over benchmarks as a ratio of the concurrency/latency bound,
    ``sum(judgments) * latency / concurrency / sum(judging_seconds)``, and the same for the whole command's wall
    time (start-up, loading, scoring and writing included).

Nothing here asserts a time. Run: ``python -m tests.perf.bench_suite`` (or ``make perf``); ``--quick`` halves (b).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
JB = [sys.executable, "-m", "judgebench"]
LATENCY = 0.2
CONCURRENCY = 64
SERVED = ("judgebench", "llmbar", "hh_rlhf", "auto_j", "pandalm")  # pairwise sets the vanilla judge can take


def sh(cmd: list[str], **kw: object) -> float:
    """Wall seconds of a command (output discarded); raises on failure."""
    t = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)  # type: ignore[call-overload]
    return time.perf_counter() - t


def runs(folder: Path) -> dict[str, dict[str, object]]:
    """Every run.json under ``folder``, by the run's data name."""
    out = {}
    for p in sorted(folder.rglob("run.json")):
        info = json.loads(p.read_text())
        out[str(info["pairs"]["name"])] = info
    return out


def local_suite(tmp: Path) -> None:
    from judgebench.run.suite import default_benchmarks, suite_targets

    names = suite_targets(default_benchmarks(), "pairwise")
    print(f"### (a) `judgebench suite --judge longer` over {len(names)} local benchmarks: {', '.join(names)}\n")
    load_s = sh([sys.executable, "-c", f"from judgebench.benchmarks import load_items\nfor n in {names!r}: load_items(n)"])
    suite_s = sh([*JB, "suite", "--judge", "longer", "--no-cache", "--no-progress", "--results-dir", str(tmp / "suite")])
    per = runs(tmp / "suite")
    separate = 0.0
    for name in names:
        separate += sh([*JB, "bench", "--benchmark", name, "--judge", "longer", "--no-cache", "--no-progress", "--results-dir", str(tmp / "bench")])
    print("| what | seconds | ratio to the suite |")
    print("|---|---:|---:|")
    print(f"| `judgebench suite --judge longer`, whole command | {suite_s:.2f} | 1.00 |")
    print(f"| baseline: loading every benchmark's items only, one process | {load_s:.2f} | {load_s / suite_s:.2f} |")
    print(f"| baseline: `judgebench bench` per benchmark, {len(names)} processes | {separate:.2f} | {separate / suite_s:.2f} |")
    print("\n| benchmark | items | judgments | run wall s | of which judging s |")
    print("|---|---:|---:|---:|---:|")
    for name, info in per.items():
        c = info["counts"]
        print(f"| {name} | {c['pairs']} | {c['judgments']} | {info['wall_seconds']:.2f} | {info['judging_seconds']:.2f} |")  # type: ignore[index]
    print(f"| sum | | | {sum(float(i['wall_seconds']) for i in per.values()):.2f} | {sum(float(i['judging_seconds']) for i in per.values()):.2f} |\n", flush=True)  # type: ignore[arg-type]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def served_suite(tmp: Path, limit: int) -> None:
    port = free_port()
    server = subprocess.Popen([*JB, "fake-server", "--port", str(port), "--latency", str(LATENCY), "--pairs", "judgebench:gpt"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):  # wait for the port
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        print(f"### (b) fake server ({LATENCY * 1000:.0f} ms per call, own process), `vanilla` judge, concurrency {CONCURRENCY}, --limit {limit} per benchmark\n")
        out = tmp / "served"
        cmd = [*JB, "suite", "--judge", "vanilla", "--model", "openai:fake", "--base-url", f"http://127.0.0.1:{port}/v1", "--concurrency", str(CONCURRENCY)]
        cmd += ["--benchmarks", ",".join(SERVED), "--limit", str(limit), "--no-cache", "--no-progress", "--results-dir", str(out)]
        wall = sh(cmd, env={**os.environ, "OPENAI_API_KEY": "fake"})
    finally:
        server.terminate()
        server.wait(10)
    per = runs(out)
    rate = CONCURRENCY / LATENCY
    print("| benchmark | judgments | failed | judging s | bound s | judging / bound | run wall s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    tot_j = tot_s = tot_w = 0.0
    for name, info in per.items():
        c = info["counts"]
        j, s, w = float(c["judgments"]), float(info["judging_seconds"]), float(info["wall_seconds"])  # type: ignore[index,arg-type]
        tot_j, tot_s, tot_w = tot_j + j, tot_s + s, tot_w + w
        print(f"| {name} | {j:.0f} | {c['failed']} | {s:.2f} | {j / rate:.2f} | {j / rate / s:.3f} | {w:.2f} |")  # type: ignore[index]
    bound = tot_j / rate
    print(f"| **sum** | {tot_j:.0f} | | {tot_s:.2f} | {bound:.2f} | **{bound / tot_s:.3f}** | {tot_w:.2f} |")
    print(f"\nsummed judging throughput / bound: **{bound / tot_s:.3f}** (target >= 0.9); summed run walls / bound: {bound / tot_w:.3f}; "
          f"whole command ({wall:.2f} s, interpreter start included) / bound: {bound / wall:.3f}")


def main() -> int:
    quick = "--quick" in sys.argv
    print(f"{os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.2f} (1 min) at the start\n")
    with tempfile.TemporaryDirectory(prefix="jb-suite-") as d:
        tmp = Path(d)
        local_suite(tmp)
        served_suite(tmp, 600 if quick else 1200)
    print(f"\nload average {os.getloadavg()[0]:.2f} (1 min) at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
