"""A registered benchmark judged into a fresh results folder gets its content hashes in the background, after the
first request (issue 17, target 2); they are the documented identity all the same, and a folder with a finished
run is still checked against them before anything is judged.

The hashes expected here are computed from the raw rows by the rule ``run.identity.item_set_sha256`` documents (one
JSON line ``[pair_id, question, response_A, response_B, label]`` per pair, in id order), not by the code under test.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from judgebench.errors import InputError
from judgebench.run import runner
from judgebench.run.runner import RunSpec, run
from judgebench.testing.fake_server import FakeConfig

from .conftest import make_pair, write_jsonl


def _copy(folder: Path, n: int, salt: str = "") -> list[dict]:
    rows = [make_pair(i, "A>B" if i % 2 else "B>A", response_A=f"alpha {i}{salt}", response_B=f"beta {i}") for i in range(n)]
    folder.mkdir(parents=True, exist_ok=True)
    write_jsonl(folder / "x_gpt-4o-2024-05-13.jsonl", rows)
    return rows


def _documented_hash(rows: list[dict]) -> str:
    digest = hashlib.sha256()
    for r in sorted(rows, key=lambda r: r["pair_id"]):
        line = [r["pair_id"], r["question"], r["response_A"], r["response_B"], r["label"]]
        digest.update((json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))
    return digest.hexdigest()


def _spec(server, tmp_path: Path, data_dir: Path, **kw: object) -> RunSpec:
    base: dict = dict(data="judgebench:gpt", data_dir=str(data_dir), judge="vanilla", model="openai:test", base_url=server.base_url, results_dir=str(tmp_path / "results"), cache=False, progress=False, concurrency=4, timeout=5)
    base.update(kw)
    return RunSpec(**base)


def test_a_fresh_folder_hashes_after_the_first_call_and_records_the_documented_identity(fake_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = fake_server(FakeConfig(latency=0.02))
    rows = _copy(tmp_path / "copy", 12)
    seen: list[int] = []
    real = runner.stream_identity

    def recording(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        seen.append(server.stats()["calls"])
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "stream_identity", recording)
    out = run(_spec(server, tmp_path, tmp_path / "copy"))
    assert len(seen) == 1 and seen[0] >= 1  # once, when calls had been answered already
    pairs = out.run_info["pairs"]
    assert pairs["set_sha256"] == pairs["judged_sha256"] == _documented_hash(rows)
    assert pairs["set_size"] == pairs["judged"] == 12 and out.out_dir.parent.parent.name == "judgebench-gpt"
    assert json.loads((out.out_dir / "run.json").read_text())["pairs"] == pairs

    limited = run(_spec(server, tmp_path, tmp_path / "copy", limit=5))
    assert limited.out_dir.parent.parent.name == "judgebench-gpt@limit=5"
    lp = limited.run_info["pairs"]
    assert lp["set_sha256"] == _documented_hash(rows) and lp["judged_sha256"] == _documented_hash(rows[:5])
    assert (lp["set_size"], lp["judged"], lp["limit"]) == (12, 5, 5)


def test_a_folder_with_a_finished_run_is_checked_before_any_call(fake_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = fake_server(FakeConfig(latency=0.0))
    _copy(tmp_path / "copy1", 6)
    first = run(_spec(server, tmp_path, tmp_path / "copy1"))
    calls = server.stats()["calls"]
    before = (first.out_dir / "judgments.jsonl").read_bytes()
    _copy(tmp_path / "copy2", 6, salt=" edited")
    with pytest.raises(InputError) as e:
        run(_spec(server, tmp_path, tmp_path / "copy2"))
    assert e.value.field == "pairs.set_sha256" and e.value.path == str(first.out_dir / "run.json")
    assert server.stats()["calls"] == calls  # refused before any call
    assert (first.out_dir / "judgments.jsonl").read_bytes() == before
    again = run(_spec(server, tmp_path, tmp_path / "copy1"))  # the same content resumes: nothing new to judge
    assert again.run_info["counts"]["new"] == 0 and server.stats()["calls"] == calls
