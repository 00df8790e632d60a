"""Shared fixtures: offline environment, shared-data paths (skip when absent), tiny pair files, canary key."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("JUDGEBENCH_SHARED_DATA", ROOT.parent / "shared" / "data"))
CANARY_KEY = "sk-canary-0123456789abcdefCANARY"


@pytest.fixture(autouse=True)
def _offline_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    hf = tmp_path_factory.mktemp("hf")
    monkeypatch.setenv("HF_HOME", str(hf))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("MPLCONFIGDIR", str(hf / "mpl"))
    monkeypatch.setenv("JUDGEBENCH_CACHE_DIR", str(hf / "cache"))
    monkeypatch.setenv("OPENAI_API_KEY", CANARY_KEY)
    # where benchmarks' offline copies are: set by make (JUDGEBENCH_DATA_DIR) or the user; each test says its own.
    # Set but empty: no default either (the package would otherwise find ../shared/data beside the checkout)
    from judgebench.benchmarks import DATA_DIR_ENV, list_benchmarks

    monkeypatch.setenv(DATA_DIR_ENV, "")
    for name in {b.data_env for b in list_benchmarks() if b.data_env}:
        monkeypatch.delenv(name, raising=False)


def shared(*parts: str) -> Path:
    """A path under ../shared/data, or skip the test with the reason when it is absent."""
    p = SHARED_DATA.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"shared data not available: {p} (tests that replay real data need ../shared/data)")
    return p


def make_pair(i: int, label: str = "A>B", source: str = "mmlu-pro-law", **kw: object) -> dict:
    d = {
        "pair_id": f"p{i}",
        "original_id": i,
        "source": source,
        "question": f"question {i}?",
        "response_model": "test-model",
        "response_A": "a" * (10 + i),
        "response_B": "b" * (5 + 2 * i),
        "label": label,
    }
    d.update(kw)
    return d


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture
def pairs_file(tmp_path: Path) -> Path:
    sources = ["mmlu-pro-law", "livebench-reasoning", "livebench-math", "livecodebench", "gsm8k-test"]
    rows = [make_pair(i, "A>B" if i % 3 else "B>A", sources[i % len(sources)]) for i in range(20)]
    return write_jsonl(tmp_path / "pairs.jsonl", rows)


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:  # noqa: F821
    import subprocess

    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "judgebench", *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def jb_pairs() -> list:
    """The real JudgeBench GPT-4o pairs (skips when ../shared/data is absent)."""
    from judgebench.benchmarks import load_pairs

    return load_pairs("judgebench:gpt", local_dir=shared("judgebench", "pairs"))


@pytest.fixture
def fake_server():
    """Factory: ``fake_server(config, pairs)`` starts a real HTTP simulator on 127.0.0.1; stopped after the test."""
    from judgebench.testing.fake_server import FakeJudgeServer

    servers = []

    def start(config=None, pairs=()):
        server = FakeJudgeServer(config, pairs).start()
        servers.append(server)
        return server

    yield start
    for s in servers:
        s.stop()
