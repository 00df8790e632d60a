"""Hub-only data fails fast when the hub cannot be reached (``judgebench.hub``): no 25-second retry loop, and a
message that says the hub is unreachable and where to put a local copy. The hub is played by a closed port on
127.0.0.1 (``HF_ENDPOINT``), so the test never touches the network."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from .conftest import run_cli


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again on return: connecting to it is refused


@pytest.mark.parametrize("benchmark", ["rewardbench2", "mt_bench_human", "hh_rlhf"])
def test_a_hub_only_benchmark_fails_fast_and_says_why_when_the_hub_is_unreachable(benchmark: str, tmp_path: Path) -> None:
    env = {"HF_HUB_OFFLINE": "", "HF_DATASETS_OFFLINE": "", "HF_ENDPOINT": f"http://127.0.0.1:{_closed_port()}", "HF_HOME": str(tmp_path / "hf")}
    t0 = time.monotonic()
    proc = run_cli("bench", "--benchmark", benchmark, "--judge", "longer", "--results-dir", str(tmp_path / "r"), "--no-progress", env=env)
    elapsed = time.monotonic() - t0
    assert proc.returncode == 2, proc.stderr
    assert "is unreachable from here and the dataset is not in the local cache" in proc.stderr and "--data-dir" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert elapsed < 15, f"took {elapsed:.1f} s"  # datasets' own retries take about 25 s; the process start is ~2 s


def test_the_probe_reads_hf_endpoint_and_honours_hf_hub_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    from judgebench import hub

    monkeypatch.setenv("HF_ENDPOINT", "https://mirror.example:8443")
    assert hub.hub_endpoint() == ("mirror.example", 8443)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(hub, "_reachable", True)  # even a hub seen before counts as unreachable under HF_HUB_OFFLINE
    assert hub.hub_reachable() is False


def test_the_cli_without_make_finds_the_local_copies_make_uses(tmp_path: Path) -> None:
    """Outside the Makefile (no JUDGEBENCH_DATA_DIR in the environment), `judgebench bench --data judgebench:gpt`
    reads ../shared/data beside the checkout, as `make bench` does, instead of going to the network."""
    import os

    from .conftest import ROOT, shared

    shared("judgebench")  # skips, saying why, without ../shared/data
    env = {k: v for k, v in os.environ.items() if k not in ("JUDGEBENCH_DATA_DIR", "JUDGEBENCH_PAIRS_DIR")}
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "judgebench", "bench", "--data", "judgebench:gpt", "--judge", "longer", "--results-dir", str(tmp_path), "--no-progress"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    # the longer baseline on the 350 GPT-4o pairs: the labelled response is strictly longer in 161 (counted from
    # the pair file in tests/test_suite.py's _longer_right)
    assert "350 pairs" in proc.stdout and f"| {100 * 161 / 350:.1f} |" in proc.stdout, proc.stdout
    assert (ROOT.parent / "shared" / "data").is_dir()
