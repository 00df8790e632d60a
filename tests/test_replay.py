"""Replaying JudgeBench's released judgments: our scores equal an independent transcription of the reference code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from judgebench.analysis.replay import read_judgment_file
from judgebench.analysis.scoring import score_results
from judgebench.errors import InputError

from .conftest import make_pair, run_cli, shared, write_jsonl


def reference_accuracy(rows: list[dict], include=lambda r: True) -> float:
    """JudgeBench ``utils/metrics.py::compute_final_metrics`` with reverse_order=True, transcribed independently."""
    flip = {"A>B": "B>A", "B>A": "A>B"}
    rows = [r for r in rows if include(r)]
    n_correct = 0
    for r in rows:
        label = r["label"]
        j1, j2 = r["judgments"]
        d1 = j1["decision"] if j1 is not None else None
        d2 = flip.get(j2["decision"], j2["decision"]) if j2 is not None else None
        counter = 0
        for d in (d1, d2):
            if d == label:
                counter += 1
            elif d == flip.get(label):
                counter -= 1
        n_correct += counter > 0
    return 100 * n_correct / len(rows)


def released_files() -> list[Path]:
    return sorted(shared("judgebench", "outputs").glob("*.jsonl"))


@pytest.mark.parametrize("idx", range(4))
def test_released_scores_equal_reference_rule(idx: int) -> None:
    files = released_files()
    if idx >= len(files):
        pytest.skip("fewer released files than expected")
    path = files[idx]
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    jf = read_judgment_file(path)
    m = score_results(jf.results, n_resamples=500)
    assert m.accuracy == pytest.approx(reference_accuracy(rows))
    for cat, prefix in [("Knowledge", "mmlu-pro"), ("Reasoning", "livebench-reasoning"), ("Math", "livebench-math"), ("Coding", "livecodebench")]:
        assert m.categories[cat] == pytest.approx(reference_accuracy(rows, lambda r, p=prefix: r["source"].startswith(p)))
    assert jf.model and "gpt-4o" in jf.response_model


def test_score_cli_json_lists_every_file() -> None:
    files = released_files()
    proc = run_cli("score", "--json", *map(str, files))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert len(out) == len(files)
    keys = {"path", "judge_name", "judge_model", "response_model", "n_pairs", "overall", "knowledge", "reasoning", "math", "coding", "position_consistency"}
    for item in out:
        assert keys <= set(item)
        assert item["n_pairs"] == 350


def test_null_judgment_is_a_failure_not_a_verdict(tmp_path: Path) -> None:
    row = make_pair(0) | {"judge_name": "x", "judgments": [{"judgment": {"judge_model": "m"}, "decision": "A>B"}, None]}
    jf = read_judgment_file(write_jsonl(tmp_path / "o.jsonl", [row]))
    g1, g2 = jf.results[0].games
    assert g1.decision == "A>B" and not g1.is_failed
    assert g2.is_failed and g2.decision == "none"
    assert score_results(jf.results, n_resamples=10).accuracy == 100.0  # +1 + 0 > 0


def test_released_file_with_bad_decision_names_field(tmp_path: Path) -> None:
    row = make_pair(0) | {"judge_name": "x", "judgments": [{"judgment": {}, "decision": "A>>B"}, None]}
    with pytest.raises(InputError, match=r"judgments\[0\]\.decision") as e:
        read_judgment_file(write_jsonl(tmp_path / "o.jsonl", [row]))
    assert e.value.line == 1


def test_score_cli_bad_file_exits_2(tmp_path: Path) -> None:
    f = tmp_path / "o.jsonl"
    f.write_text('{"pair_id": 1}\n')
    proc = run_cli("score", str(f))
    assert proc.returncode == 2
    assert f"{f}:1" in proc.stderr
