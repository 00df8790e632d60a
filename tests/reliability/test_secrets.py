"""Secrets: with canary keys in the environment and a server that quotes the bearer token back in its 401
errors, nothing under results/, the call cache, the debug log or the HTML report contains a canary."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from judgebench.fake_server import FakeConfig

from ..conftest import CANARY_KEY, make_pair, write_jsonl

ANTHROPIC_CANARY = "sk-ant-canary-0123456789abcdefCANARY"
GENERIC_CANARY = "canary-generic-key-0123456789"


def test_canary_keys_never_reach_results_cache_logs_or_report(fake_server, tmp_path: Path) -> None:
    rows = [make_pair(i, response_A=f"alpha {i} " * 4, response_B=f"beta {i} " * 4) for i in range(20)]
    data = write_jsonl(tmp_path / "pairs.jsonl", rows)
    server = fake_server(FakeConfig(failure_rate=0.3, failure_mix={"401_echo": 1, "500": 1}))
    results, cache = tmp_path / "results", tmp_path / "cache"
    env = {**os.environ, "OPENAI_API_KEY": CANARY_KEY, "ANTHROPIC_API_KEY": ANTHROPIC_CANARY, "JUDGEBENCH_API_KEY": GENERIC_CANARY}
    log = tmp_path / "debug.log"
    with log.open("w") as f:
        proc = subprocess.run(
            [sys.executable, "-m", "judgebench", "-vv", "bench", "--judge", "arena_hard", "--model", "openai:test", "--base-url", server.base_url, "--data", str(data), "--results-dir", str(results), "--cache-dir", str(cache), "--max-retries", "1"],
            env=env, stdout=f, stderr=subprocess.STDOUT, timeout=300,
        )
    assert proc.returncode == 3, log.read_text()[-2000:]  # finished with failed judgments (errors.EXIT_FAILED_JUDGMENTS)
    assert server.stats()["outcomes"].get("401_echo", 0) > 0  # the server did quote the token back
    run_dir = next(results.rglob("judgments.jsonl")).parent
    errors = (run_dir / "judgments.jsonl").read_text()
    assert "Incorrect API key provided: [REDACTED]" in errors  # the error is kept, the key is not
    report = tmp_path / "report.html"
    rep = subprocess.run([sys.executable, "-m", "judgebench", "report", str(results), "-o", str(report), "--no-figures"], env=env, capture_output=True, text=True, timeout=300)
    assert rep.returncode == 0, rep.stderr
    assert log.stat().st_size > 10_000  # -vv logged plenty, including the libraries' debug output
    files = [p for p in [*results.rglob("*"), *cache.rglob("*"), log, report] if p.is_file()]
    for p in files:
        blob = p.read_bytes()
        for secret in (CANARY_KEY, ANTHROPIC_CANARY, GENERIC_CANARY):
            assert secret.encode() not in blob, f"{secret} found in {p}"
