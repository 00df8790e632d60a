"""Bad input: every malformed file gives a clear error naming file, line and field, exit code 2, and leaves
``results/`` untouched (not a byte written)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from ..conftest import make_pair, run_cli


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def good(i: int) -> str:
    return json.dumps(make_pair(i)) + "\n"


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# name -> (file name, content, expected line, expected field, phrase in the message)
PAIR_FILES: dict[str, tuple[str, str | bytes, int | None, str | None, str]] = {
    "broken JSON": ("p.jsonl", good(0) + '{"pair_id": "x", "question": \n', 2, None, "broken JSON"),
    "wrong type": ("p.jsonl", good(0) + json.dumps(make_pair(1, response_A=["not", "text"])) + "\n", 2, "response_A", "expected a string"),
    "missing field": ("p.jsonl", json.dumps({k: v for k, v in make_pair(0).items() if k != "question"}) + "\n", 1, "question", "missing required field"),
    "unknown label": ("p.jsonl", good(0) + good(1) + json.dumps(make_pair(2, label="first")) + "\n", 3, "label", "unknown label"),
    "label outside vocabulary": ("p.jsonl", json.dumps(make_pair(0, label="A>>B")) + "\n", 1, "label", "unknown label"),
    "duplicate id": ("p.jsonl", good(0) + good(1) + good(0), 3, "pair_id", "duplicate pair_id"),
    "empty file": ("p.jsonl", "", None, None, "no pairs found"),
    "binary file": ("p.jsonl", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", 1, None, "not valid UTF-8"),
    "wrong encoding": ("p.jsonl", good(0).encode() + json.dumps(make_pair(1)).replace("question 1?", "qu\u00e9stion").encode("latin-1"), 2, None, "not valid UTF-8"),
    "50 MB line": ("p.jsonl", good(0) + json.dumps(make_pair(1, response_A="x" * (50 * 2**20))) + "\n", 2, None, "over the 16 MB limit"),
    "not an object": ("p.jsonl", good(0) + "[1, 2, 3]\n", 2, None, "expected a JSON object"),
    "empty pair_id": ("p.jsonl", json.dumps(make_pair(0, pair_id="")) + "\n", 1, "pair_id", "non-empty"),
    "metadata not an object": ("p.jsonl", json.dumps(make_pair(0, metadata=[1])) + "\n", 1, "metadata", "expected an object"),
    "json not a list": ("p.json", json.dumps(make_pair(0)), None, None, "must hold a list"),
    "unsupported suffix": ("p.txt", good(0), None, None, "unsupported file type"),
}


@pytest.fixture
def results(tmp_path: Path) -> Path:
    root = tmp_path / "results"
    (root / "earlier" / "run").mkdir(parents=True)
    (root / "earlier" / "run" / "metrics.json").write_text('{"accuracy": 50.0}\n')
    return root


@pytest.mark.parametrize("case", list(PAIR_FILES))
def test_bench_rejects_malformed_pairs(case: str, tmp_path: Path, results: Path) -> None:
    name, content, line, field, phrase = PAIR_FILES[case]
    f = write(tmp_path / name, content)
    before = tree_digest(results)
    proc = run_cli("bench", "--judge", "longer", "--data", str(f), "--results-dir", str(results), "--no-progress")
    assert proc.returncode == 2, proc.stderr
    assert phrase in proc.stderr and str(f) in proc.stderr
    if line is not None:
        assert f"{f}:{line}" in proc.stderr
    if field is not None:
        assert f"field {field!r}" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert tree_digest(results) == before


def test_corrupt_parquet(tmp_path: Path, results: Path) -> None:
    f = write(tmp_path / "p.parquet", b"PAR1 this is not parquet")
    before = tree_digest(results)
    proc = run_cli("bench", "--judge", "longer", "--data", str(f), "--results-dir", str(results))
    assert proc.returncode == 2 and "cannot read Parquet" in proc.stderr and str(f) in proc.stderr
    assert tree_digest(results) == before


def test_parquet_row_with_bad_label_names_row(tmp_path: Path, results: Path) -> None:
    f = tmp_path / "p.parquet"
    pd.DataFrame([make_pair(0), make_pair(1, label="B>>A")]).to_parquet(f)
    proc = run_cli("bench", "--judge", "longer", "--data", str(f), "--results-dir", str(results))
    assert proc.returncode == 2 and f"{f}:2: field 'label'" in proc.stderr


def test_score_rejects_released_file_with_unknown_decision(tmp_path: Path, results: Path) -> None:
    row = make_pair(0) | {"judge_name": "j", "judgments": [{"judgment": {}, "decision": "A>B"}, {"judgment": {}, "decision": "maybe"}]}
    f = write(tmp_path / "out.jsonl", json.dumps(make_pair(1) | {"judge_name": "j", "judgments": [None, None]}) + "\n" + json.dumps(row) + "\n")
    before = tree_digest(results)
    proc = run_cli("score", str(f), "--out", str(results / "reproduction.md"))
    assert proc.returncode == 2 and f"{f}:2: field 'judgments[1].decision'" in proc.stderr
    assert tree_digest(results) == before


def test_agree_rejects_human_file_with_no_overlap(tmp_path: Path, results: Path) -> None:
    human = write(tmp_path / "human.csv", "item,rater,label\nh1,ann,A>B\nh2,ann,B>A\n")
    judge = write(tmp_path / "judge.csv", "item,rater,label\nj1,gpt,A>B\nj2,gpt,B>A\n")
    before = tree_digest(results)
    proc = run_cli("agree", "--human", str(human), "--judge", str(judge))
    assert proc.returncode == 2 and "no item is labelled by both" in proc.stderr and str(human) in proc.stderr
    assert tree_digest(results) == before


def test_agree_rejects_unknown_label_code_with_line(tmp_path: Path) -> None:
    human = write(tmp_path / "human.csv", "item,rater,label\nx1,ann,A>B\nx2,ann,banana\n")
    judge = write(tmp_path / "judge.csv", "item,rater,label\nx1,gpt,A>B\nx2,gpt,B>A\n")
    proc = run_cli("agree", "--human", str(human), "--judge", str(judge))
    assert proc.returncode == 2 and str(human) in proc.stderr and "banana" in proc.stderr


def test_recipe_rejects_bad_yaml_field(tmp_path: Path, results: Path) -> None:
    recipe = write(tmp_path / "r.yaml", "name: r\nproblems: {path: x.jsonl}\nfields: {question: q}\ngrader: {kind: telepathy}\n")
    before = tree_digest(results)
    proc = run_cli("recipe", "run", str(recipe), "--out", str(results / "recipes" / "r"))
    assert proc.returncode == 2 and "grader.kind" in proc.stderr and str(recipe) in proc.stderr
    assert tree_digest(results) == before
