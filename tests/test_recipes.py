"""Recipes end to end: every recipe file loads; bad recipes fail with file and field; the GSM8K demo builds real
pairs offline and a judge runs on them; generation goes through the real OpenAI client against the fake server;
code, math and stdin/stdout recipes run from local files with imported responses."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from judgebench.benchmarks import load_pairs
from judgebench.errors import InputError
from judgebench.recipes import list_recipes, load_recipe, run_recipe
from judgebench.recipes.generate import GeneratorSpec
from judgebench.schema import Decision

from .conftest import run_cli, shared, write_jsonl

EXPECTED = {"mmlu_pro": "mcq", "gsm8k": "numeric", "gsm8k_solutions": "numeric", "math500": "math", "humaneval": "code", "mbpp": "code", "livecodebench": "code"}


def test_list_recipes_every_file_loads_with_its_grader() -> None:
    found = {r.name: r.grader for r in list_recipes()}
    assert found == EXPECTED
    assert load_recipe("livecodebench").grader_options["style"] == "stdio"


def write_recipe(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ("name: x\nproblems: {file: a.jsonl}\ngrader: {kind: essay}\n", "grader.kind", "unknown grader kind"),
        ("name: x\nproblems: {file: a.jsonl}\n", "grader", "missing required key"),
        ("name: x\nproblems: {file: a.jsonl}\ngrader: {kind: numeric}\nfields: {question: q}\n", "fields", "needs field(s) ['answer']"),
        ("name: x\nproblems: {file: a.jsonl, shards: 3}\ngrader: {kind: mcq}\n", "problems", "unknown key(s) ['shards']"),
        ("name: x\nproblem: {file: a.jsonl}\ngrader: {kind: mcq}\n", "problem", "unknown key(s)"),
        ("name: x\nproblems: {}\ngrader: {kind: mcq}\nfields: {question: q, answer: a}\n", "problems", "give `hf: DATASET` or `file: PATH`"),
        ("name: x\nproblems: {file: a.jsonl}\ngrader: {kind: mcq}\nfields: {question: q, answer: a}\npairing: {max_pairs_per_problem: 0}\n", "pairing", "max_pairs_per_problem"),
    ],
)
def test_load_recipe_bad_file_names_file_and_field(tmp_path: Path, text: str, field: str, message: str) -> None:
    path = write_recipe(tmp_path, text)
    with pytest.raises(InputError) as e:
        load_recipe(path)
    assert e.value.path == str(path) and e.value.field == field
    assert message in str(e.value)


def test_load_recipe_broken_yaml_names_line(tmp_path: Path) -> None:
    path = write_recipe(tmp_path, "name: x\nproblems: [unclosed\n")
    with pytest.raises(InputError, match="broken YAML") as e:
        load_recipe(path)
    assert e.value.line is not None


def test_cli_recipe_run_bad_problem_row_exit_2_nothing_written(tmp_path: Path) -> None:
    problems = write_jsonl(tmp_path / "p.jsonl", [{"q": "1+1?", "a": "2"}, {"q": "2+2?"}])
    responses = write_jsonl(tmp_path / "r.jsonl", [{"problem_id": "0", "response": "#### 2"}])
    recipe = write_recipe(tmp_path, f"name: x\nproblems: {{file: {problems}}}\ngrader: {{kind: numeric}}\nfields: {{question: q, answer: a}}\n")
    out = tmp_path / "out"
    proc = run_cli("recipe", "run", str(recipe), "--responses", str(responses), "--out", str(out))
    assert proc.returncode == 2
    assert f"{problems}:2: field 'a'" in proc.stderr
    assert not out.exists()


def test_cli_recipe_run_needs_generator_or_responses(tmp_path: Path) -> None:
    proc = run_cli("recipe", "run", "gsm8k", "--problems", str(write_jsonl(tmp_path / "p.jsonl", [{"question": "q", "answer": "#### 1"}])), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2 and "--generator" in proc.stderr


def test_gsm8k_solutions_demo_builds_real_pairs_offline(tmp_path: Path) -> None:
    solutions = shared("gsm8k", "example_model_solutions.jsonl")
    summary = run_recipe(load_recipe("gsm8k_solutions"), tmp_path)
    rows = [json.loads(line) for line in solutions.open(encoding="utf-8")]
    models = ("6b_finetuning", "6b_verification", "175b_finetuning", "175b_verification")
    assert (summary.problems, summary.responses) == (len(rows), 4 * len(rows))
    # per-model share correct, computed independently from OpenAI's own labels (our grader agrees 100% with them)
    for m in models:
        assert summary.share_correct_by_generator[m] == pytest.approx(sum(r[m]["is_correct"] for r in rows) / len(rows))
    # a problem gives a pair iff its four solutions are neither all right nor all wrong (after dedupe)
    mixed = sum(0 < sum(r[m]["is_correct"] for m in models) < 4 for r in rows)
    assert summary.mixed_problems <= mixed and summary.pairs == summary.mixed_problems
    assert mixed - summary.mixed_problems <= summary.dropped_duplicates
    pairs = load_pairs(tmp_path / "gsm8k_pairs.jsonl")
    assert len(pairs) == summary.pairs and summary.correct_at_a == summary.pairs // 2
    by_id = {str(i): r for i, r in enumerate(rows)}
    for p in pairs:
        g = p.metadata["generators"]
        winner, loser = ("A", "B") if p.label == Decision.A_BETTER else ("B", "A")
        assert by_id[p.original_id][g[winner]]["is_correct"] and not by_id[p.original_id][g[loser]]["is_correct"]
        assert g["A"] != g["B"]
    import datasets

    assert datasets.load_from_disk(str(tmp_path / "dataset")).num_rows == summary.pairs
    assert json.loads((tmp_path / "summary.json").read_text())["pairs"] == summary.pairs


def test_cli_recipe_run_then_bench_on_the_pairs(tmp_path: Path) -> None:
    shared("gsm8k", "example_model_solutions.jsonl")
    out = tmp_path / "demo"
    proc = run_cli("recipe", "run", "gsm8k_solutions", "--limit", "60", "--out", str(out), "--no-dataset")
    assert proc.returncode == 0, proc.stderr
    assert "60 problems read, 240 responses graded" in proc.stdout
    bench = run_cli("bench", "--judge", "longer", "--data", str(out / "gsm8k_pairs.jsonl"), "--results-dir", str(tmp_path / "results"), "--no-progress")
    assert bench.returncode == 0, bench.stderr
    assert "| longer |" in bench.stdout
    listing = run_cli("recipe", "list")
    assert listing.returncode == 0 and all(name in listing.stdout for name in EXPECTED)


def mcq_problems(tmp_path: Path, n: int) -> Path:
    rows = [{"id": f"q{i}", "question": f"Is {i} even?", "options": ["yes", "no"], "answer": "A" if i % 2 == 0 else "B"} for i in range(n)]
    return write_jsonl(tmp_path / "mcq.jsonl", rows)


def mcq_recipe(tmp_path: Path, problems: Path) -> Path:
    return write_recipe(
        tmp_path,
        f"name: toy_mcq\nsource: toy-mcq\nproblems: {{file: {problems}}}\n"
        "fields: {id: id, question: question, options: options, answer: answer}\n"
        "prompt: \"{{ question }}\\n{% for o in options %}({{ letters[loop.index0] }}) {{ o }}\\n{% endfor %}\"\n"
        "grader: {kind: mcq, options: {n_options: 2}}\ngeneration: {temperature: 1.0, max_tokens: 16}\n"
        "pairing: {max_pairs_per_problem: 2}\n",
    )


def test_run_recipe_with_generator_through_fake_server_and_cache(tmp_path: Path, fake_server) -> None:  # noqa: ANN001
    server = fake_server()
    recipe = load_recipe(mcq_recipe(tmp_path, mcq_problems(tmp_path, 12)))
    spec = GeneratorSpec(model="openai:fake-generator", base_url=server.base_url, cache_dir=str(tmp_path / "cache"), concurrency=8, seed=5)
    summary = run_recipe(recipe, tmp_path / "out", generator=spec, k=6)
    assert server.stats()["calls"] == 12 * 6 and summary.responses == 72
    # the simulator answers "[[A]]" or "[[B]]" at random per request: some samples right, some wrong
    assert 0 < summary.correct < 72 and summary.pairs > 0
    pairs = load_pairs(Path(summary.pairs_file))
    assert all(p.response_model == "openai:fake-generator" and p.source == "toy-mcq" for p in pairs)
    assert {p.metadata["sampling"]["temperature"] for p in pairs} == {1.0}
    again = run_recipe(recipe, tmp_path / "out2", generator=spec, k=6)
    assert server.stats()["calls"] == 72  # every call came from the cache
    assert [p.to_dict() for p in load_pairs(Path(again.pairs_file))] == [p.to_dict() for p in pairs]


def test_humaneval_recipe_from_local_file_with_imported_responses(tmp_path: Path) -> None:
    with gzip.open(shared("humaneval", "HumanEval.jsonl.gz"), "rt", encoding="utf-8") as f:
        problems = [json.loads(line) for line in f][:6]
    rows = []
    for p in problems:
        full = p["prompt"] + p["canonical_solution"]
        rows.append({"problem_id": p["task_id"], "generator": "m", "response": f"Here you go:\n```python\n{full}```"})
        rows.append({"problem_id": p["task_id"], "generator": "m", "response": f"```python\n{p['prompt']}    raise NotImplementedError\n```"})
    responses = write_jsonl(tmp_path / "responses.jsonl", rows)
    summary = run_recipe(load_recipe("humaneval"), tmp_path / "out", responses_file=responses, problems_file=shared("humaneval", "HumanEval.jsonl.gz"), limit=6, save_dataset=False)
    assert (summary.problems, summary.responses, summary.correct, summary.pairs) == (6, 12, 6, 6)
    assert summary.sandbox is not None
    graded = [json.loads(line) for line in (tmp_path / "out" / "graded.jsonl").open()]
    assert all(g["grade"]["reason"].startswith("sandbox ") for g in graded)


def test_math500_recipe_from_local_file(tmp_path: Path) -> None:
    problems = write_jsonl(tmp_path / "math.jsonl", [{"unique_id": "a", "problem": "Half of one?", "answer": "\\frac{1}{2}"}, {"unique_id": "b", "problem": "2+2?", "answer": "4"}])
    responses = write_jsonl(
        tmp_path / "r.jsonl",
        [
            {"problem_id": "a", "response": "It is $\\boxed{0.5}$."},
            {"problem_id": "a", "response": "It is $\\boxed{2}$."},
            {"problem_id": "b", "response": "So \\boxed{4}"},
        ],
    )
    summary = run_recipe(load_recipe("math500"), tmp_path / "out", responses_file=responses, problems_file=problems, save_dataset=False)
    assert (summary.responses, summary.correct, summary.pairs) == (3, 2, 1)
    assert summary.pairs_by_category == {"math500": 1}


def test_livecodebench_stdio_and_mbpp_recipes_from_local_files(tmp_path: Path) -> None:
    cases = json.dumps([{"input": "2 3\n", "output": "5\n", "testtype": "stdin"}, {"input": "10 -4\n", "output": "6", "testtype": "stdin"}])
    lcb = write_jsonl(tmp_path / "lcb.jsonl", [{"question_id": "abc1", "question_content": "Add two numbers.", "public_test_cases": cases, "platform": "atcoder"}, {"question_id": "lc1", "question_content": "x", "public_test_cases": "[]", "platform": "leetcode"}])
    good = "```python\na, b = map(int, input().split())\nprint(a + b)\n```"
    lcb_resp = write_jsonl(tmp_path / "lr.jsonl", [{"problem_id": "abc1", "response": good}, {"problem_id": "abc1", "response": good.replace("a + b", "a * b")}])
    s1 = run_recipe(load_recipe("livecodebench"), tmp_path / "o1", responses_file=lcb_resp, problems_file=lcb, save_dataset=False)
    assert (s1.problems, s1.correct, s1.pairs) == (1, 1, 1)  # the LeetCode row is filtered out by `where`
    mbpp = write_jsonl(tmp_path / "mbpp.jsonl", [{"task_id": 2, "text": "Write add(a, b).", "test_list": ["assert add(1, 2) == 3", "assert add(0, 0) == 0"], "test_setup_code": ""}])
    mbpp_resp = write_jsonl(tmp_path / "mr.jsonl", [{"problem_id": "2", "response": "```python\ndef add(a, b):\n    return a + b\n```"}, {"problem_id": "2", "response": "```python\ndef add(a, b):\n    return a - b\n```"}])
    s2 = run_recipe(load_recipe("mbpp"), tmp_path / "o2", responses_file=mbpp_resp, problems_file=mbpp, save_dataset=False)
    assert (s2.correct, s2.pairs) == (1, 1)
