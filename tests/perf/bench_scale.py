"""Scale: N pairs (1,000,000 by default) x 2 games with the zero-latency baseline judge ``longer``, in bounded memory.

Generates N pairs to a JSONL file under a temporary folder (never in the repository), then measures, each as a child
process (wall time, and peak RSS as ``ru_maxrss`` of a wrapper process's ``RUSAGE_CHILDREN``, one wrapper per child):

* the **naive loop** (the floor for I/O): read the pair file line by line with plain ``json`` and write one output
  line per pair (its id and a verdict) -- the least any runner must do;
* ``judgebench bench --data FILE --judge longer`` (the run: load, judge both orders, log, score, write the folder;
  from 100,000 pairs its second half is judged in a forked process, ``runner.SECOND_PROCESS_MIN_ITEMS``), and the
  same run kept in one process (``JUDGEBENCH_ONE_PROCESS=1``): CPU time is then the sum over both processes;
* ``judgebench score`` and ``judgebench leaderboard`` over the result.

Each figure is printed as a ratio against the naive loop measured in the same run; absolute times only as context.
``JUDGEBENCH_SCALE_N`` (or the first argument) sets N, ``JUDGEBENCH_SCALE_REPEAT`` the repeats (the best is shown).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NAIVE = r"""
import json, sys
with open(sys.argv[1], encoding="utf-8") as src, open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in src:
        d = json.loads(line)
        verdict = "A>B" if len(d["response_A"]) >= len(d["response_B"]) else "B>A"
        out.write(json.dumps({"pair_id": d["pair_id"], "decision": verdict}) + "\n")
"""


def generate(path: Path, n: int, seed: int = 0) -> None:
    """``n`` pairs with short texts of random lengths, ids in file order (``p0000001``...), mixed labels and sources."""
    rng = random.Random(seed)
    sources = ("mmlu-pro-math", "livebench-reasoning", "livecodebench", "mmlu-pro-law")
    with path.open("w", encoding="utf-8") as f:
        for i in range(1, n + 1):
            a, b = "a" * rng.randint(5, 60), "b" * rng.randint(5, 60)
            row = {"pair_id": f"p{i:07d}", "question": f"question {i}?", "response_A": a, "response_B": b, "label": rng.choice(("A>B", "B>A")), "source": sources[i % 4]}
            f.write(json.dumps(row) + "\n")


WRAP = (
    "import resource, subprocess, sys; rc = subprocess.run(sys.argv[2:]).returncode; "
    "u = resource.getrusage(resource.RUSAGE_CHILDREN); open(sys.argv[1], 'w').write(f'{u.ru_maxrss} {u.ru_utime + u.ru_stime}'); sys.exit(rc)"
)


def measure(cmd: list[str], env: dict[str, str] | None = None, *, tmp: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds (user + system), peak RSS in MiB) of one child process, read by a wrapper process of its own (so each figure is
    that child's peak, not the largest so far); raises when it fails."""
    rss_file = tmp / "rss"
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", WRAP, str(rss_file), *cmd], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-3000:]}")
    rss, cpu = rss_file.read_text().split()
    return wall, float(cpu), int(rss) / 1024


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("JUDGEBENCH_SCALE_N", "1000000"))
    repeat = int(os.environ.get("JUDGEBENCH_SCALE_REPEAT", "1"))
    load = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="judgebench-scale-"))
    try:
        data = tmp / "pairs.jsonl"
        generate(data, n)
        env = {**os.environ, "JUDGEBENCH_CACHE_DIR": str(tmp / "cache"), "NO_COLOR": "1"}
        cli = [sys.executable, "-m", "judgebench"]
        rows: dict[str, list[tuple[float, float, float]]] = {k: [] for k in ("naive loop", "bench", "bench, 1 proc", "score", "leaderboard")}
        for _ in range(repeat):
            rows["naive loop"].append(measure([sys.executable, "-c", NAIVE, str(data), str(tmp / "naive.jsonl")], tmp=tmp))
            # the same run kept in one process (JUDGEBENCH_ONE_PROCESS): what the forked second half buys
            one = tmp / "results-one-process"
            shutil.rmtree(one, ignore_errors=True)
            rows["bench, 1 proc"].append(measure([*cli, "bench", "--data", str(data), "--judge", "longer", "--results-dir", str(one), "--no-progress"], {**env, "JUDGEBENCH_ONE_PROCESS": "1"}, tmp=tmp))
            shutil.rmtree(one, ignore_errors=True)
            results = tmp / "results"
            shutil.rmtree(results, ignore_errors=True)
            rows["bench"].append(measure([*cli, "bench", "--data", str(data), "--judge", "longer", "--results-dir", str(results), "--no-progress"], env, tmp=tmp))
            found = sorted(results.rglob("judgments.jsonl"))
            rows["score"].append(measure([*cli, "score", str(found[0])], env, tmp=tmp))
            rows["leaderboard"].append(measure([*cli, "leaderboard", str(results)], env, tmp=tmp))
        floor = min(t for t, _, _ in rows["naive loop"])
        cpu_floor = min(c for _, c, _ in rows["naive loop"])
        print(f"{n:,} pairs x 2 games, judge longer (no model, zero latency); load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} before; best of {repeat}")
        print(f"{'step':<14}{'wall s':>9}{'x naive':>9}{'us/pair':>9}{'CPU s':>9}{'x naive':>9}{'peak RSS MiB':>14}")
        for name, got in rows.items():
            wall = min(t for t, _, _ in got)
            cpu = min(c for _, c, _ in got)
            rss = max(r for _, _, r in got)
            print(f"{name:<14}{wall:>9.2f}{wall / floor:>9.2f}{1e6 * wall / n:>9.1f}{cpu:>9.2f}{cpu / cpu_floor:>9.2f}{rss:>14.0f}")
        after = os.getloadavg()
        print(f"load average after: {after[0]:.2f} {after[1]:.2f} {after[2]:.2f} (2 cores shared: wall time grows with the load, CPU time much less)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
