"""Judging throughput against a bare aiohttp client, and start-up (issue 17, targets 1 and 2).

Everything is measured in one run against one fake OpenAI-compatible server (``judgebench fake-server``, its own
process, fixed latency):

* **Request bodies.** A first judgebench run (zero latency) records every chat-completions body the ``vanilla``
  judge sends (``openai_compat.request_body`` wrapped); the bare client posts exactly those bodies.
* **Steady-state throughput** (target 1): for each concurrency (64, 256), the bare client (an ``aiohttp`` session,
  a semaphore, ``post(json=body)`` and ``resp.json()`` on the same event loop judgebench uses) and judgebench's
  ``run()`` each send the same N judgments (3,500 synthetic pairs x 2 games = 7,000). The rate is measured at the
  server, from the first request's arrival to the last one's, so start-up and the last wave's latency are left out
  for both; the row prints judgebench / bare, and each one's ratio to the bound concurrency / latency (which says
  whether the server or the client is the limit). Rounds alternate bare and judgebench to share the noise.
* **Start-up** (target 2): ``python -m judgebench bench`` on 700 judgments (350 pairs x 2 games) at concurrency 64,
  as a subprocess: the time from just before the process starts to the first request arriving at the server
  (``time.monotonic`` is one clock for both processes), and the whole command as a ratio of the bound
  700 / (64 / latency).

Run ``python -m tests.perf.bench_throughput [--rounds R] [--pairs N] [--latency S]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.perf.bench_runner import PAIRS, make_pairs, start_server


def server_stats(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url.removesuffix("/v1") + "/stats", timeout=10) as r:
        return dict(json.loads(r.read()))


def reset_server(url: str) -> None:
    req = urllib.request.Request(url.removesuffix("/v1") + "/reset", data=b"", method="POST")
    urllib.request.urlopen(req, timeout=10).read()


def spec_for(data: str, url: str, concurrency: int, results: Path) -> Any:
    from judgebench.run.runner import RunSpec

    return RunSpec(
        data=data,
        data_dir=str(PAIRS),
        judge="vanilla",
        model="openai:bench",
        base_url=url,
        concurrency=concurrency,
        results_dir=str(results),
        cache=False,
        progress=False,
    )


def capture_bodies(data: str, url: str, tmp: Path) -> list[dict[str, Any]]:
    """Every request body judgebench sends for ``data`` (one judgebench run with ``request_body`` recorded)."""
    from judgebench.backends import openai_compat
    from judgebench.run.runner import run

    bodies: list[dict[str, Any]] = []
    original = openai_compat.request_body

    def recording(*args: Any, **kwargs: Any) -> dict[str, Any]:
        body = original(*args, **kwargs)
        bodies.append(body)
        return body

    openai_compat.request_body = recording  # type: ignore[assignment]
    try:
        run(spec_for(data, url, 256, Path(tempfile.mkdtemp(prefix="capture-", dir=tmp))))
    finally:
        openai_compat.request_body = original  # type: ignore[assignment]
    return bodies


async def bare_client(url: str, bodies: list[dict[str, Any]], concurrency: int) -> int:
    """Post every body with at most ``concurrency`` in flight; the number of answers that parsed."""
    import aiohttp

    sem = asyncio.Semaphore(concurrency)
    headers = {"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"}
    ok = 0
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as session:

        async def one(body: dict[str, Any]) -> None:
            nonlocal ok
            async with sem, session.post(url + "/chat/completions", json=body, headers=headers) as resp:
                answer = await resp.json()
                ok += bool(answer.get("choices"))

        await asyncio.gather(*(one(b) for b in bodies))
    return ok


def server_rate(url: str, n: int) -> tuple[float, float]:
    """Requests per second at the server (``n - 1`` gaps over first to last arrival) and that span."""
    st = server_stats(url)
    span = float(st["last_arrival"]) - float(st["first_arrival"])
    if st["calls"] != n:
        print(f"  (warning: the server saw {st['calls']} calls, expected {n})")
    return (n - 1) / span, span


def throughput(args: argparse.Namespace, tmp: Path) -> None:
    from judgebench.run.local import run_loop
    from judgebench.run.runner import run

    data = make_pairs(args.pairs, tmp)
    server, url = start_server(0.0, None)
    try:
        bodies = capture_bodies(data, url, tmp)
    finally:
        server.kill()
    n = len(bodies)
    print(
        f"Steady-state throughput: {args.pairs} synthetic pairs x 2 games = {n} judgments, `vanilla` judge, latency {args.latency * 1000:.0f} ms, call cache off; rate at the server (first to last arrival)\n"
    )
    print(
        "| concurrency | round | bare client req/s | its ratio to bound | judgebench req/s | its ratio to bound | **judgebench / bare** | judgebench judging phase s | load average |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    server, url = start_server(args.latency, None)
    try:
        for c in args.concurrency:
            bound = c / args.latency
            for r in range(1, args.rounds + 1):
                reset_server(url)
                ok = run_loop(bare_client(url, bodies, c))
                bare, _ = server_rate(url, n)
                if ok != n:
                    print(f"  (warning: bare client got {ok} of {n} answers)")
                reset_server(url)
                out = run(spec_for(data, url, c, tmp / f"r-c{c}-{r}"))
                jb, _ = server_rate(url, n)
                load = " ".join(f"{x:.2f}" for x in os.getloadavg())
                print(
                    f"| {c} | {r} | {bare:.1f} | {bare / bound:.2f} | {jb:.1f} | {jb / bound:.2f} | **{jb / bare:.3f}** | {out.run_info['judging_seconds']:.2f} | {load} |",
                    flush=True,
                )
    finally:
        server.kill()


def cpu_per_call(args: argparse.Namespace, tmp: Path) -> None:
    """CPU of this process per call, bare client and judgebench, against a zero-latency server (where it goes)."""
    from judgebench.run.local import run_loop
    from judgebench.run.runner import run

    data = make_pairs(args.pairs, tmp)
    server, url = start_server(0.0, None)
    try:
        bodies = capture_bodies(data, url, tmp)
        n = len(bodies)
        print(
            f"\nCPU of the client process per call against a zero-latency server ({n} calls, concurrency 64; judgebench: the whole `run()`, loading and scoring included)\n"
        )
        print("| round | bare client CPU ms/call | judgebench CPU ms/judgment | judgebench / bare | load average |")
        print("|---:|---:|---:|---:|---|")
        for r in range(1, args.rounds + 1):
            c0 = time.process_time()
            run_loop(bare_client(url, bodies, 64))
            bare = (time.process_time() - c0) / n * 1000
            c0 = time.process_time()
            run(spec_for(data, url, 64, tmp / f"cpu-{r}"))
            jb = (time.process_time() - c0) / n * 1000
            load = " ".join(f"{x:.2f}" for x in os.getloadavg())
            print(f"| {r} | {bare:.3f} | {jb:.3f} | {jb / bare:.2f} | {load} |", flush=True)
    finally:
        server.kill()


BARE_SCRIPT = r"""
import asyncio, json, os, sys
import aiohttp

async def main(url, path, concurrency):
    with open(path, encoding="utf-8") as f:
        bodies = json.load(f)
    sem = asyncio.Semaphore(concurrency)
    headers = {"Authorization": "Bearer " + os.environ["OPENAI_API_KEY"]}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        async def one(body):
            async with sem, session.post(url + "/chat/completions", json=body, headers=headers) as resp:
                await resp.json()
        await asyncio.gather(*(one(b) for b in bodies))

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""
"""The same-run baseline of the start-up rows: the least a Python client does to send judgebench's requests. It
imports aiohttp, reads the request bodies judgebench sent (already rendered, from a JSON file) and posts them with
at most ``concurrency`` in flight: no data to validate, no prompt to render, no verdict to parse, nothing to write."""


def startup(args: argparse.Namespace, tmp: Path) -> None:
    have_jb = PAIRS.exists()
    data = "judgebench:gpt" if have_jb else make_pairs(350, tmp)
    c = 64
    print(
        f"\nStart-up and whole command: `python -m judgebench bench --judge vanilla` on {'the 350 JudgeBench GPT-4o pairs' if have_jb else '350 synthetic pairs'} x 2 games, concurrency {c}, latency {args.latency * 1000:.0f} ms, --no-cache --no-progress, a subprocess with its bytecode cached (one run before the rounds). "
        "Baseline in the same run: a bare client script (`python -c`: import aiohttp, read the same request bodies from a JSON file, post them at the same concurrency), alternating with judgebench\n"
    )
    print(
        "| round | program | first request at the server s (target <= 0.3) | first to last request + latency s | after the last answer s | whole command s | bound s | **ratio to bound** (target >= 0.85) | judgebench / bare client, whole command | load average |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
    server, url = start_server(args.latency, data if have_jb else None)
    # bytecode cached, as after ``pip install`` (this environment may set PYTHONDONTWRITEBYTECODE, which would make
    # every start compile judgebench's modules from source); the cache goes to a scratch folder, not the repository
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {
        "JUDGEBENCH_PAIRS_DIR": str(PAIRS),
        "PYTHONPYCACHEPREFIX": str(tmp / "pycache"),
    }
    try:
        bodies_file = tmp / "startup-bodies.json"
        bodies_file.write_text(json.dumps(capture_bodies(data, url, tmp)), encoding="utf-8")

        def timed(cmd: list[str]) -> tuple[float, float, float, float, int]:
            """(first request s, judging span s, after the last answer s, whole s, calls) of one process."""
            reset_server(url)
            t0 = time.monotonic()
            subprocess.run(cmd, env=env, check=True, capture_output=True)
            wall = time.monotonic() - t0
            st = server_stats(url)
            first = float(st["first_arrival"]) - t0
            judging = float(st["last_arrival"]) - float(st["first_arrival"]) + args.latency
            return first, judging, wall - first - judging, wall, int(st["calls"])

        bare_cmd = [sys.executable, "-c", BARE_SCRIPT, url, str(bodies_file), str(c)]
        for r in range(0, args.rounds + 1):  # round 0 writes the bytecode cache and is not shown
            cmd = [sys.executable, "-m", "judgebench", "bench", "--judge", "vanilla", "--model", "openai:bench", "--base-url", url, "--data", data, "--concurrency", str(c)]
            cmd += ["--no-cache", "--no-progress", "--results-dir", str(tmp / f"startup-{r}")]
            bare = timed(bare_cmd)
            ours = timed(cmd)
            if r == 0:
                continue
            load = " ".join(f"{x:.2f}" for x in os.getloadavg())
            for name, (first, judging, after, wall, n) in (("bare client", bare), ("judgebench", ours)):
                bound = n / (c / args.latency)
                versus = f"{ours[3] / bare[3]:.2f}" if name == "judgebench" else ""
                print(f"| {r} | {name} | {first:.3f} | {judging:.2f} | {after:.2f} | {wall:.2f} | {bound:.2f} | **{bound / wall:.2f}** | {versus} | {load} |", flush=True)
    finally:
        server.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--pairs", type=int, default=3500)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[64, 256])
    parser.add_argument("--only", choices=["throughput", "cpu", "startup"], default=None)
    args = parser.parse_args()
    os.environ.setdefault("OPENAI_API_KEY", "sk-bench-not-a-real-key-000000")
    tmp = Path(tempfile.mkdtemp(prefix="jb-perf-"))
    print(f"Load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} cores\n")
    if args.only in (None, "throughput"):
        throughput(args, tmp)
    if args.only in (None, "cpu"):
        cpu_per_call(args, tmp)
    if args.only in (None, "startup"):
        startup(args, tmp)


if __name__ == "__main__":
    main()
