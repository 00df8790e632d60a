"""Scaling row for ``--executor ray``: judgments/second with 1, 2 and 4 Ray workers against the fake server
(fixed latency, separate process), each worker capped at the same number of concurrent calls, as a ratio to one
worker. Skips with a message when Ray is not installed.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import urllib.request
from pathlib import Path

from .bench_runner import make_pairs, start_server

PER_WORKER = 8
LATENCY = 0.2


def server_call(root: str, path: str, method: str = "GET") -> dict:
    req = urllib.request.Request(root + path, method=method, data=b"" if method == "POST" else None)
    return json.loads(urllib.request.urlopen(req).read())


def main() -> None:
    try:
        import ray
    except ImportError:
        print("Ray is not installed (pip install 'judgebench[ray]'): scaling row skipped")
        return
    from judgebench.run.runner import RunSpec, run

    os.environ.setdefault("OPENAI_API_KEY", "sk-bench-not-a-real-key-000000")
    tmp = Path(tempfile.mkdtemp(prefix="jb-ray-"))
    data = make_pairs(480, tmp)
    t0 = time.perf_counter()
    ray.init(num_cpus=os.cpu_count() or 2, include_dashboard=False, log_to_driver=False)
    print(f"ray.init: {time.perf_counter() - t0:.1f} s\n")
    print(f"Ray workers against the fake server, latency {LATENCY * 1000:.0f} ms, {PER_WORKER} concurrent calls per worker, 960 judgments\n")
    print("| workers | wall s (incl. actor start) | judgments/s seen by the server | bound/s | ratio to bound | speed-up vs 1 worker |")
    print("|---:|---:|---:|---:|---:|---:|")
    server, url = start_server(LATENCY, None)
    root = url[: -len("/v1")]
    base = None
    try:
        for w in (1, 2, 4):
            spec = RunSpec(data=data, judge="vanilla", model="openai:bench", base_url=url, concurrency=PER_WORKER * w, results_dir=str(tmp / f"r{w}"), cache=False, progress=False, executor="ray", workers=w)
            server_call(root, "/reset", "POST")
            t = time.perf_counter()
            out = run(spec)
            wall = time.perf_counter() - t
            st = server_call(root, "/stats")
            n = out.run_info["counts"]["judgments"]
            assert st["calls"] == n, st
            # judging throughput as the server saw it: first request of this run to its last answer (+ latency)
            rate = n / (st["last_arrival"] - st["first_arrival"] + LATENCY)
            base = base or rate
            bound = PER_WORKER * w / LATENCY
            print(f"| {w} | {wall:.2f} | {rate:.1f} | {bound:.0f} | {rate / bound:.2f} | {rate / base:.2f} |", flush=True)
    finally:
        server.kill()
        ray.shutdown()


if __name__ == "__main__":
    main()
