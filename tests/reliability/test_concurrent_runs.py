"""Two runs writing to the same cache and results folder at once corrupt neither the cache nor the results."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from judgebench.testing.fake_server import FakeConfig

from ..conftest import make_pair, write_jsonl


def test_two_runs_same_cache_and_results_folder(fake_server, tmp_path: Path) -> None:
    rows = [make_pair(i, response_A=f"alpha {i} " * 4, response_B=f"beta {i} " * 4) for i in range(60)]
    data = write_jsonl(tmp_path / "pairs.jsonl", rows)
    server = fake_server(FakeConfig(latency=0.01))
    results, cache = tmp_path / "results", tmp_path / "cache"

    def start(judge: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "judgebench", "bench", "--judge", judge, "--model", "openai:test", "--base-url", server.base_url, "--data", str(data), "--results-dir", str(results), "--cache-dir", str(cache), "--concurrency", "8", "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    procs = [start("vanilla"), start("vanilla"), start("arena_hard")]  # two on the same folder, one beside them
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [o[1][-500:] for o in outs]
    (data_folder,) = results.glob("pairs-*")  # one pair file: one data folder, named by its content
    for folder in ("vanilla", "arena_hard"):
        (f,) = (data_folder / folder).rglob("judgments.jsonl")
        lines = [json.loads(x) for x in f.read_text().splitlines()]
        assert len(lines) == 60 and len({x["item_id"] for x in lines}) == 60
        assert all(len(x["judgments"]) == 2 and all(g["error"] is None for g in x["judgments"]) for x in lines)
        assert not list((data_folder / folder).rglob("*.partial"))
    con = sqlite3.connect(cache / "calls.sqlite")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT COUNT(*) FROM calls").fetchone()[0] == 240
    # the vanilla run that waited for the lock reused the other's results instead of calling again
    assert server.stats()["distinct_requests"] == 240
