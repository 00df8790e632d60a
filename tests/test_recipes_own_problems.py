"""Recipes on a researcher's own problems (docs/recipes.md): problems keep their own ids and imported responses are
matched by them; labels imported with --graded (labeled responses, chosen/rejected rows, lists per problem);
--temperature/--top-p reaching the server; the warnings and exit code of a run that makes no pair; the length hint
of every run. Expected numbers are worked out by hand in the comments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from judgebench.benchmarks import load_pairs
from judgebench.errors import InputError
from judgebench.recipes import load_recipe, run_recipe
from judgebench.schema import Decision
from judgebench.testing.fake_server import FakeConfig

from .conftest import run_cli, write_jsonl

PROBLEMS = [
    {"id": "alpha", "question": "What is 6 times 7?", "answer": "#### 42"},
    {"id": "beta", "question": "What is 2 plus 3?", "answer": "#### 5"},
    {"id": "gamma", "question": "What is 10 minus 4?", "answer": "#### 6"},
]


def own_recipe(tmp_path: Path, problems: Path, extra: str = "") -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(
        f"name: mine\nsource: my-arith\nproblems: {{file: {problems}}}\nfields: {{question: question, answer: answer}}\n"
        'prompt: "{{ question }} End with #### N."\ngrader: {kind: numeric}\n' + extra
    )
    return path


def winner(pair) -> str:  # noqa: ANN001
    return pair.response_A if pair.label == Decision.A_BETTER else pair.response_B


# --------------------------------------------------------------------------- own ids


def test_builtin_gsm8k_recipe_on_own_problems_matches_responses_by_their_ids(tmp_path: Path) -> None:
    # the README's `recipe run gsm8k --responses ...` on a user's own problems: ids "alpha", "beta", not row numbers
    problems = write_jsonl(tmp_path / "p.jsonl", PROBLEMS)
    responses = write_jsonl(
        tmp_path / "r.jsonl",
        [
            {"problem_id": "alpha", "response": "6 * 7 = 42\n#### 42"},
            {"problem_id": "alpha", "response": "6 * 7 = 41\n#### 41"},
            {"problem_id": "beta", "response": "2 + 3 = 5\n#### 5"},
            {"problem_id": "beta", "response": "two plus three is five\n#### 5"},
        ],
    )
    out = tmp_path / "out"
    proc = run_cli("recipe", "run", "gsm8k", "--problems", str(problems), "--responses", str(responses), "--out", str(out), "--no-dataset")
    assert proc.returncode == 0, proc.stderr
    # alpha: one right, one wrong -> 1 pair; beta: both right -> none; gamma: no responses
    (pair,) = load_pairs(out / "gsm8k_pairs.jsonl")
    assert pair.original_id == "alpha" and pair.metadata["problem_id"] == "alpha"
    assert winner(pair).endswith("#### 42")
    assert json.loads((out / "summary.json").read_text())["run"]["id_field"] == "id"


def test_unknown_id_in_responses_is_an_error_naming_file_line_and_field(tmp_path: Path) -> None:
    problems = write_jsonl(tmp_path / "p.jsonl", PROBLEMS)
    responses = write_jsonl(tmp_path / "r.jsonl", [{"problem_id": "alpha", "response": "#### 42"}, {"problem_id": "alpha", "response": "#### 1"}, {"problem_id": "delta", "response": "#### 3"}])
    out = tmp_path / "out"
    proc = run_cli("recipe", "run", str(own_recipe(tmp_path, problems)), "--responses", str(responses), "--out", str(out))
    assert proc.returncode == 2
    assert f"{responses}:3: field 'problem_id': unknown problem id 'delta'" in proc.stderr
    assert not out.exists()


def test_row_number_ids_only_without_an_id_column_and_the_error_says_how_to_name_one(tmp_path: Path) -> None:
    rows = [{"uid": p["id"], "question": p["question"], "answer": p["answer"]} for p in PROBLEMS]
    problems = write_jsonl(tmp_path / "p.jsonl", rows)
    responses = write_jsonl(tmp_path / "r.jsonl", [{"problem_id": "gamma", "response": "#### 6"}, {"problem_id": "gamma", "response": "#### 7"}])
    recipe = load_recipe(own_recipe(tmp_path, problems))
    with pytest.raises(InputError, match="--id-field") as e:
        run_recipe(recipe, tmp_path / "o1", responses_file=responses, save_dataset=False)
    assert (e.value.path, e.value.line, e.value.field) == (str(responses), 1, "problem_id")
    summary = run_recipe(recipe, tmp_path / "o2", responses_file=responses, id_field="uid", save_dataset=False)
    assert summary.pairs == 1 and load_pairs(Path(summary.pairs_file))[0].original_id == "gamma"
    # the same through the recipe file's id_field
    via_recipe = load_recipe(own_recipe(tmp_path, problems, "id_field: uid\n"))
    assert run_recipe(via_recipe, tmp_path / "o3", responses_file=responses, save_dataset=False).pairs == 1


def test_missing_id_column_and_a_response_to_a_problem_cut_by_limit(tmp_path: Path) -> None:
    problems = write_jsonl(tmp_path / "p.jsonl", [PROBLEMS[0], {"question": "no id here", "answer": "#### 1"}])
    with pytest.raises(InputError, match="no id column 'id'") as e:
        run_recipe(load_recipe(own_recipe(tmp_path, problems)), tmp_path / "o", responses_file=write_jsonl(tmp_path / "r0.jsonl", []))
    assert (e.value.line, e.value.field) == (2, "id")
    # beta exists but --limit 1 keeps only alpha: its response is skipped, not an error
    problems = write_jsonl(tmp_path / "p2.jsonl", PROBLEMS)
    responses = write_jsonl(tmp_path / "r.jsonl", [{"problem_id": "alpha", "response": "#### 42"}, {"problem_id": "alpha", "response": "#### 40"}, {"problem_id": "beta", "response": "#### 5"}])
    summary = run_recipe(load_recipe(own_recipe(tmp_path, problems)), tmp_path / "o2", responses_file=responses, limit=1, save_dataset=False)
    assert (summary.problems, summary.responses, summary.pairs) == (1, 2, 1)


# --------------------------------------------------------------------------- --graded


def test_graded_labels_are_paired_without_regrading(tmp_path: Path) -> None:
    # the labels disagree with what the numeric grader would say: the user's labels win
    problems = write_jsonl(tmp_path / "p.jsonl", [{"id": p["id"], "question": p["question"]} for p in PROBLEMS])  # no answers needed
    graded = write_jsonl(
        tmp_path / "g.jsonl",
        [
            {"problem_id": "alpha", "response": "I say 41 and that is right.", "correct": True},
            {"problem_id": "alpha", "response": "I say 42 and that is wrong.", "correct": False},
            {"problem_id": "beta", "response": "five", "correct": True, "generator": "m1"},
            {"problem_id": "beta", "response": "six", "correct": True, "generator": "m1"},
        ],
    )
    out = tmp_path / "out"
    proc = run_cli("recipe", "run", str(own_recipe(tmp_path, problems)), "--graded", str(graded), "--out", str(out), "--no-dataset")
    assert proc.returncode == 0, proc.stderr
    (pair,) = load_pairs(out / "mine_pairs.jsonl")
    assert winner(pair) == "I say 41 and that is right."
    assert pair.metadata["grades"]["A"]["reason"].startswith(f"label from {graded}:")
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["responses"], summary["correct"]) == (4, 3)


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"problem_id": "alpha", "response": "x", "correct": "yes"}, "correct", "expected true or false"),
        ({"problem_id": "alpha", "chosen": "x"}, "rejected", "non-empty string"),
        ({"problem_id": "alpha", "responses": [{"response": "x", "correct": 1}]}, "responses[0].correct", "expected true or false"),
        ({"problem_id": "alpha", "response": "x"}, "correct", "a graded row needs"),
        ({"problem_id": "omega", "response": "x", "correct": True}, "problem_id", "unknown problem id 'omega'"),
    ],
)
def test_graded_file_errors_name_file_line_and_field(tmp_path: Path, row: dict, field: str, message: str) -> None:
    problems = write_jsonl(tmp_path / "p.jsonl", PROBLEMS)
    graded = write_jsonl(tmp_path / "g.jsonl", [{"problem_id": "beta", "response": "ok", "correct": True}, row])
    with pytest.raises(InputError, match=message.replace("[", r"\[")) as e:
        run_recipe(load_recipe(own_recipe(tmp_path, problems)), tmp_path / "o", graded_file=graded)
    assert (e.value.path, e.value.line, e.value.field) == (str(graded), 2, field)
    assert not (tmp_path / "o").exists()


def test_preference_files_chosen_rejected_and_lists_per_problem(tmp_path: Path) -> None:
    problems = write_jsonl(tmp_path / "p.jsonl", PROBLEMS)
    prefs = write_jsonl(
        tmp_path / "prefs.jsonl",
        [
            # two chosen/rejected rows of one problem: both kept as given (max_pairs_per_problem does not apply)
            {"problem_id": "alpha", "chosen": "It is 42.", "rejected": "It is 24."},
            {"problem_id": "alpha", "chosen": "Forty-two.", "rejected": "Forty."},
            # a list per problem: paired like sampled responses (1 pair per problem by default)
            {"problem_id": "beta", "responses": [{"response": "5", "correct": True}, {"response": "6", "correct": False}, {"response": "7", "correct": False}]},
            # near-identical chosen/rejected: dropped as a duplicate, not paired
            {"problem_id": "gamma", "chosen": "Six", "rejected": "six"},
        ],
    )
    summary = run_recipe(load_recipe(own_recipe(tmp_path, problems)), tmp_path / "o", graded_file=prefs, save_dataset=False)
    pairs = load_pairs(Path(summary.pairs_file))
    # 2 (alpha) + 1 (beta) = 3 pairs; 1 duplicate dropped
    assert (summary.pairs, summary.dropped_duplicates) == (3, 1)
    assert sorted(winner(p) for p in pairs) == sorted(["It is 42.", "Forty-two.", "5"])
    assert sum(p.label == Decision.A_BETTER for p in pairs) == 1  # floor(3 / 2)


# --------------------------------------------------------------------------- sampling flags and warnings


def mcq_setup(tmp_path: Path, n: int, generation: str = "{max_tokens: 16}") -> tuple[Path, Path]:
    rows = [{"qid": f"item-{i}", "question": f"Is {i} even?", "options": ["yes", "no"], "answer": "A" if i % 2 == 0 else "B"} for i in range(n)]
    problems = write_jsonl(tmp_path / "mcq.jsonl", rows)
    recipe = tmp_path / "mcq.yaml"
    recipe.write_text(
        f"name: my_mcq\nproblems: {{file: {problems}}}\nid_field: qid\nfields: {{question: question, options: options, answer: answer}}\n"
        'prompt: "{{ question }} (A) {{ options[0] }} (B) {{ options[1] }}"\n'
        f"grader: {{kind: mcq, options: {{n_options: 2}}}}\ngeneration: {generation}\n"
    )
    return recipe, problems


def test_k_above_one_at_temperature_zero_warns_and_no_pairs_exits_1(tmp_path: Path, fake_server) -> None:  # noqa: ANN001
    server = fake_server(FakeConfig(greedy_at_zero=True))
    recipe, _ = mcq_setup(tmp_path, 3)  # no temperature in the recipe: ChatParams' default, 0
    out = tmp_path / "out"
    proc = run_cli("recipe", "run", str(recipe), "--generator", "openai:greedy", "--base-url", server.base_url, "--k", "4", "--out", str(out))
    assert proc.returncode == 1, proc.stderr
    assert "sampling k=4 responses per problem at temperature 0" in proc.stderr
    # a greedy server answers the 4 samples of each problem identically: 3 problems x 3 duplicates dropped
    assert "no pairs: of 3 groups (problem x generator), 3 left with one distinct response after dropping 9 duplicates" in proc.stderr
    assert [p.get("temperature") for p in server.params] == [0.0] * 12
    assert all("top_p" not in p for p in server.params)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["pairs"] == 0 and summary["no_pairs_reason"].startswith("no pairs")
    assert (out / "my_mcq_pairs.jsonl").read_text() == ""


def test_temperature_and_top_p_reach_the_server_and_the_outputs(tmp_path: Path, fake_server) -> None:  # noqa: ANN001
    server = fake_server(FakeConfig(greedy_at_zero=True))
    recipe, _ = mcq_setup(tmp_path, 12)
    out = tmp_path / "out"
    proc = run_cli("recipe", "run", str(recipe), "--generator", "openai:sampler", "--base-url", server.base_url, "--k", "6", "--temperature", "1.0", "--top-p", "0.9", "--out", str(out), "--no-dataset")
    assert proc.returncode == 0, proc.stderr
    assert "temperature 0" not in proc.stderr
    assert len(server.params) == 72 and {(p["temperature"], p["top_p"]) for p in server.params} == {(1.0, 0.9)}
    assert sorted(p["seed"] for p in server.params) == sorted(list(range(6)) * 12)  # sample i uses seed 0 + i
    summary = json.loads((out / "summary.json").read_text())
    assert summary["sampling"] == {"k": 6, "temperature": 1.0, "top_p": 0.9}
    assert summary["run"]["generation"] == {"max_tokens": 16, "temperature": 1.0, "top_p": 0.9}
    pairs = load_pairs(out / "my_mcq_pairs.jsonl")
    assert pairs and {(p.metadata["sampling"]["temperature"], p.metadata["sampling"]["top_p"]) for p in pairs} == {(1.0, 0.9)}
    assert {p.original_id for p in pairs} <= {f"item-{i}" for i in range(12)}


def test_sampling_flags_without_a_generator_are_refused(tmp_path: Path) -> None:
    problems = write_jsonl(tmp_path / "p.jsonl", PROBLEMS)
    proc = run_cli("recipe", "run", str(own_recipe(tmp_path, problems)), "--responses", str(write_jsonl(tmp_path / "r.jsonl", [])), "--temperature", "0.7", "--out", str(tmp_path / "o"))
    assert proc.returncode == 2 and "--temperature: applies to sampling with --generator" in proc.stderr


def test_all_correct_labels_give_no_pairs_with_the_reason(tmp_path: Path) -> None:
    problems = write_jsonl(tmp_path / "p.jsonl", PROBLEMS)
    graded = write_jsonl(tmp_path / "g.jsonl", [{"problem_id": pid, "response": f"answer {j} to {pid}", "correct": True} for pid in ("alpha", "beta") for j in range(2)])
    proc = run_cli("recipe", "run", str(own_recipe(tmp_path, problems)), "--graded", str(graded), "--out", str(tmp_path / "o"))
    assert proc.returncode == 1
    assert "no pairs: of 2 groups (problem x generator), 2 all correct" in proc.stderr


# --------------------------------------------------------------------------- length hint


def test_length_hint_reported_per_run_with_wilson_interval(tmp_path: Path) -> None:
    problems = write_jsonl(tmp_path / "p.jsonl", [{"id": f"q{i}", "question": f"q{i}"} for i in range(8)])
    # 8 ready pairs; the correct (chosen) response is the longer one in 6: chosen 20 chars vs rejected 10, and in
    # q6, q7 chosen 5 vs rejected 15
    rows = [{"problem_id": f"q{i}", "chosen": ("c" * 20 if i < 6 else "c" * 5), "rejected": ("r" * 10 if i < 6 else "r" * 15)} for i in range(8)]
    graded = write_jsonl(tmp_path / "g.jsonl", rows)
    out = tmp_path / "o"
    proc = run_cli("recipe", "run", str(own_recipe(tmp_path, problems)), "--graded", str(graded), "--out", str(out), "--no-dataset")
    assert proc.returncode == 0, proc.stderr
    # share 6/8 = 0.75; Wilson 95% with z = 1.959964, n = 8: centre (0.75 + z^2/16) / (1 + z^2/8) = 0.66890,
    # half-width z / (1 + z^2/8) * sqrt(0.75 * 0.25 / 8 + z^2 / 256) = 0.25962 -> [0.40928, 0.92852]
    assert "the longer response is the correct one in 6/8 pairs (75.0%, 95% CI 40.9-92.9%; 0 ties)" in proc.stdout
    hint = json.loads((out / "summary.json").read_text())["length_hint"]
    assert (hint["pairs"], hint["correct_longer"], hint["incorrect_longer"], hint["ties"]) == (8, 6, 2, 0)
    assert hint["share"] == 0.75
    assert hint["ci_low"] == pytest.approx(0.409275, abs=1e-5) and hint["ci_high"] == pytest.approx(0.928521, abs=1e-5)


def test_length_balanced_flag_moves_a_labeled_list_toward_half(tmp_path: Path) -> None:
    problems = write_jsonl(tmp_path / "p.jsonl", [{"id": f"q{i}", "question": f"q{i}"} for i in range(4)])
    # each problem: a long and a short correct answer and a middle-length wrong one, so either sign is possible;
    # balanced, 4 pairs split 2 (correct longer) / 2 (wrong longer): share 2/4 = 50%
    rows = [{"problem_id": f"q{i}", "responses": [{"response": "L" * 30, "correct": True}, {"response": "S" * 5, "correct": True}, {"response": "W" * 15, "correct": False}]} for i in range(4)]
    graded = write_jsonl(tmp_path / "g.jsonl", rows)
    out = tmp_path / "o"
    proc = run_cli("recipe", "run", str(own_recipe(tmp_path, problems)), "--graded", str(graded), "--length-balanced", "--out", str(out), "--no-dataset")
    assert proc.returncode == 0, proc.stderr
    hint = json.loads((out / "summary.json").read_text())["length_hint"]
    assert (hint["correct_longer"], hint["incorrect_longer"], hint["share"]) == (2, 2, 0.5)
    assert json.loads((out / "summary.json").read_text())["pairing"]["length_balanced"] is True


# --------------------------------------------------------------------------- the guide's example runs as written


def test_docs_recipes_example_runs_and_prints_what_the_guide_shows(tmp_path: Path) -> None:
    import re

    doc = (Path(__file__).resolve().parents[1] / "docs" / "recipes.md").read_text(encoding="utf-8")
    for name, body in re.findall(r"cat > (\S+) <<'EOF'\n(.*?)\nEOF\n", doc, flags=re.S)[:3]:
        (tmp_path / name).write_text(body + "\n")
    proc = run_cli("recipe", "run", "arith.yaml", "--responses", "responses.jsonl", "--out", "out", "--no-dataset", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    shown = re.search(r"`recipe run` prints:\n\n```\n(.*?)\n```", doc, flags=re.S)
    assert shown is not None and proc.stdout.strip() == shown.group(1).strip()
