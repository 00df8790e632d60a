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


def with_escape(i: int, old: str, new: str) -> str:
    """Pair ``i`` as one JSONL line with ``old`` replaced by raw JSON text ``new`` (escapes that json.dumps never writes)."""
    line = json.dumps(make_pair(i))
    assert old in line
    return line.replace(old, new, 1) + "\n"


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
    # Valid JSON that Python reads but cannot use: each passed validation and crashed later (mid-run, on every
    # retry, or when the result was written), or crashed the reader with a traceback naming no file.
    "lone surrogate": ("p.jsonl", good(0) + with_escape(1, "question 1?", "question \\ud800 1?"), 2, "question", "lone UTF-16 surrogate"),
    "lone surrogate in metadata": ("p.jsonl", with_escape(0, '"label"', '"metadata": {"note": ["ok", "\\udfff"]}, "label"'), 1, "metadata.note[1]", "lone UTF-16 surrogate"),
    "lone surrogate in a key": ("p.jsonl", with_escape(0, '"label"', '"x\\ud83d": 1, "label"'), 1, "x\ud83d", "lone UTF-16 surrogate"),
    "lone surrogate in a .json list": ("p.json", "[" + json.dumps(make_pair(0)) + ",\n" + with_escape(1, "question 1?", "\\ud800").strip() + "]", 2, "question", "lone UTF-16 surrogate"),
    "100,000 levels of nesting": ("p.jsonl", good(0) + with_escape(1, '"label"', '"metadata": {"x": ' + "[" * 100_000 + "]" * 100_000 + '}, "label"'), 2, None, "nested more than 64 levels"),
    "70 levels of nesting": ("p.jsonl", with_escape(0, '"label"', '"metadata": {"x": ' + "[" * 70 + "]" * 70 + '}, "label"'), 1, "metadata.x[0][0]...", "nested more than 64 levels"),
    "5,000-digit integer id": ("p.jsonl", good(0) + with_escape(1, '"p1"', "1" * 5000), 2, "pair_id", "an integer of 5000 digits"),
    "5,000-digit integer in a .json list": ("p.json", "[" + json.dumps(make_pair(0)) + ", " + with_escape(1, '"original_id": 1', '"original_id": ' + "9" * 5000).strip() + "]", 2, "original_id", "an integer of 5000 digits"),
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


def test_parquet_pair_over_the_per_pair_limit_names_field(tmp_path: Path, results: Path) -> None:
    # A Parquet row has no line to measure, so the limit is on the pair's texts: without it a huge pair is judged
    # and its result line (the pair plus a prompt per game that repeats it) cannot be read back.
    f = tmp_path / "p.parquet"
    pd.DataFrame([make_pair(0), make_pair(1, response_B="b" * (2 * 2**20))]).to_parquet(f)
    before = tree_digest(results)
    proc = run_cli("bench", "--judge", "longer", "--data", str(f), "--results-dir", str(results), env={"JUDGEBENCH_MAX_LINE_MB": "1"})
    assert proc.returncode == 2, proc.stderr
    assert f"{f}:2: field 'response_B'" in proc.stderr and "over the 1 MB limit per pair" in proc.stderr
    assert tree_digest(results) == before


# flag, value, phrase: numbers that make no sense are refused by the parser (exit 2) before anything is read
BAD_FLAGS = [
    ("--rpm", "-1", "a number > 0"),
    ("--rpm", "0", "a number > 0"),
    ("--tpm", "-5", "a number > 0"),
    ("--tpm", "nan", "a number > 0"),
    ("--limit", "-1", "an integer >= 0"),
    ("--concurrency", "0", "an integer >= 1"),
    ("--timeout", "-3", "a number > 0"),
    ("--max-retries", "-1", "an integer >= 0"),
    ("--workers", "0", "an integer >= 1"),
]


@pytest.mark.parametrize(("flag", "value", "phrase"), BAD_FLAGS, ids=[f"{f}={v}" for f, v, _ in BAD_FLAGS])
def test_bench_rejects_out_of_range_numeric_flags(flag: str, value: str, phrase: str, tmp_path: Path, results: Path, pairs_file: Path) -> None:
    before = tree_digest(results)
    # a model judge, so the rate limits reach a backend; port 9 (discard) answers nothing, and nothing should call it
    args = ["bench", "--judge", "vanilla", "--model", "openai:test", "--base-url", "http://127.0.0.1:9/v1", "--data", str(pairs_file)]
    args += ["--results-dir", str(results), "--cache-dir", str(tmp_path / "cache"), "--no-progress", "--timeout", "1", "--max-retries", "0"]
    proc = run_cli(*args, f"{flag}={value}")
    assert proc.returncode == 2, proc.stderr
    assert f"argument {flag}: expected {phrase}, got {value!r}" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert tree_digest(results) == before


def write_recipe_inputs(tmp_path: Path, problems: str, responses: str, prompt: str = "{{ question }}") -> tuple[Path, Path, Path]:
    p = write(tmp_path / "problems.jsonl", problems)
    r = write(tmp_path / "responses.jsonl", responses)
    recipe = write(tmp_path / "r.yaml", f"name: r\nproblems: {{file: {p}}}\ngrader: {{kind: numeric}}\nfields: {{question: q, answer: a}}\nprompt: \"{prompt}\"\n")
    return p, r, recipe


GOOD_PROBLEMS = '{"q": "1+1?", "a": "2"}\n{"q": "2+2?", "a": "4"}\n'
GOOD_RESPONSES = '{"problem_id": "0", "response": "#### 2"}\n{"problem_id": "0", "response": "#### 3"}\n{"problem_id": "1", "response": "#### 4"}\n'


# case -> (problems text, responses text, prompt, which file is named, line, field)
RECIPE_INPUTS = {
    "surrogate in a problem": ('{"q": "1+1?", "a": "2"}\n{"q": "2+2? \\ud83d", "a": "4"}\n', GOOD_RESPONSES, "{{ question }}", "problems", 2, "q"),
    "surrogate in a response": (GOOD_PROBLEMS, GOOD_RESPONSES + '{"problem_id": "1", "response": "#### 4 \\udc00"}\n', "{{ question }}", "responses", 4, "response"),
    "surrogate in the recipe": (GOOD_PROBLEMS, GOOD_RESPONSES, "Solve \\ud800 {{ question }}", "recipe", None, "prompt"),
}


@pytest.mark.parametrize("case", list(RECIPE_INPUTS))
def test_recipe_run_rejects_lone_surrogates_naming_file_line_field(case: str, tmp_path: Path) -> None:
    problems_text, responses_text, prompt, named, line, field = RECIPE_INPUTS[case]
    problems, responses, recipe = write_recipe_inputs(tmp_path, problems_text, responses_text, prompt)
    out = tmp_path / "out"
    proc = run_cli("recipe", "run", str(recipe), "--responses", str(responses), "--out", str(out), "--no-dataset")
    assert proc.returncode == 2, proc.stderr
    path = {"problems": problems, "responses": responses, "recipe": recipe}[named]
    where = f"{path}:{line}" if line is not None else str(path)
    assert f"{where}: field {field!r}" in proc.stderr and "lone UTF-16 surrogate" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()
