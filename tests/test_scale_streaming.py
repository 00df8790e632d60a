"""Streaming through the runner, the scorer and the leaderboard (issue 17, target 3): a run judged in small windows,
returning its results lazily and rescored by a streaming pass gives the same files and numbers as the usual path."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from judgebench.analysis.scoring import score_results
from judgebench.benchmarks import stream_items
from judgebench.reports import leaderboard
from judgebench.run import runner
from judgebench.run.identity import item_set_sha256, stream_identity
from judgebench.run.runner import RunSpec, StoredResults, run


def _pairs(path: Path, n: int, *, shuffled: bool = False) -> Path:
    rng = random.Random(1)
    ids = list(range(1, n + 1))
    if shuffled:
        rng.shuffle(ids)
    with path.open("w", encoding="utf-8") as f:
        for i in ids:
            row = {"pair_id": f"p{i:05d}", "question": f"q{i}", "response_A": "a" * rng.randint(1, 30), "response_B": "b" * rng.randint(1, 30), "label": rng.choice(("A>B", "B>A")), "source": ("mmlu-pro-math", "livecodebench")[i % 2]}
            f.write(json.dumps(row) + "\n")
    return path


@pytest.mark.parametrize("shuffled", [False, True])
def test_stream_identity_equals_the_sorted_hash(tmp_path: Path, shuffled: bool) -> None:
    data = _pairs(tmp_path / "p.jsonl", 50, shuffled=shuffled)
    read = stream_items(data)
    assert read is not None
    items = list(read())
    ident = stream_identity(data, read, 20)
    assert ident.set_sha256 == item_set_sha256(items)
    assert ident.judged_sha256 == item_set_sha256(items[:20])
    assert (ident.set_size, ident.judged) == (50, 20)


def test_windowed_lazy_run_writes_the_same_files_and_scores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _pairs(tmp_path / "p.jsonl", 300, shuffled=True)
    whole = run(RunSpec(judge="longer", data=str(data), results_dir=str(tmp_path / "a"), progress=False))
    monkeypatch.setattr(runner, "WINDOW", 7)
    monkeypatch.setattr(runner, "KEEP_RESULTS_MAX", 10)
    small = run(RunSpec(judge="longer", data=str(data), results_dir=str(tmp_path / "b"), progress=False))
    assert isinstance(small.results, StoredResults) and len(small.results) == 300
    assert [r.to_dict() for r in small.results] == [r.to_dict() for r in whole.results]
    assert (small.out_dir / "judgments.jsonl").read_bytes() == (whole.out_dir / "judgments.jsonl").read_bytes()
    assert small.metrics == whole.metrics == score_results(whole.results)
    assert small.run_info["counts"] == whole.run_info["counts"]
    assert not (small.out_dir / "judgments.jsonl.partial").exists()
    # the leaderboard rescores a large run in one streaming pass: the same row numbers
    usual = leaderboard.load_runs(tmp_path / "a")
    monkeypatch.setattr(leaderboard, "LARGE_RUN_ITEMS", 10)
    streamed = leaderboard.load_runs(tmp_path / "b")
    assert streamed[0].results == () and streamed[0].metrics == usual[0].metrics
    for key in ("accuracy", "ci_low", "ci_high", "n", "pair_set", "response_model"):
        assert streamed[0].row.get(key) == usual[0].row.get(key), key


def test_report_of_a_large_run_shows_its_row_without_its_pairs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from judgebench.reports.html import render_report

    data = _pairs(tmp_path / "p.jsonl", 40)
    run(RunSpec(judge="longer", data=str(data), results_dir=str(tmp_path / "r"), progress=False))
    monkeypatch.setattr(leaderboard, "LARGE_RUN_ITEMS", 10)
    runs = leaderboard.load_runs(tmp_path / "r")
    html = render_report(runs, figures=False)
    assert "longer" in html and "p00001" not in html  # the row is there, the pairs are not embedded
