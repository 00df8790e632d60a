"""Grade a model response against ground truth: multiple choice, numeric, LaTeX math, code.

Every grader returns a ``Grade``: the answer it extracted (``None`` when the response has none), whether that
answer is correct, and a one-line reason that names the extraction rule or the test outcome. Graders never raise
for a bad response; a response with no extractable answer is graded incorrect with ``extracted=None``.

* ``grade_mcq``: a choice letter, from the formats strong models write (see ``MCQ_RULES``);
* ``grade_numeric``: a number, from GSM8K's ``#### N``, OpenAI's ``A: N``, "the answer is N", ``\\boxed{N}`` or
  the last number, compared with a relative and absolute tolerance after removing ``$``, ``,`` and ``%``;
* ``grade_math``: LaTeX answers compared with ``math-verify`` (see ``judgebench.mathverify`` for the timeout);
* ``grade_code``: a program run against tests in ``judgebench.sandbox`` (see ``CodeTests``).
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Any, Literal

GradeKind = Literal["mcq", "numeric", "math", "code"]
GRADE_KINDS: tuple[str, ...] = ("mcq", "numeric", "math", "code")


@dataclass(frozen=True)
class Grade:
    """One response graded against its reference.

    Attributes:
        kind: the grader (``mcq``, ``numeric``, ``math``, ``code``).
        correct: whether the extracted answer matches the reference.
        extracted: the extracted answer as text; ``None`` when the response has no extractable answer.
        reference: the ground truth it was compared with, as text.
        reason: how the answer was extracted and why it is (in)correct, in one line.
        details: grader-specific extras (e.g. the sandbox status and runtime of a code grade).
    """

    kind: str
    correct: bool
    extracted: str | None
    reference: str
    reason: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def has_answer(self) -> bool:
        return self.extracted is not None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Grade:
        return cls(d["kind"], bool(d["correct"]), d.get("extracted"), str(d.get("reference", "")), d.get("reason", ""), dict(d.get("details") or {}))


def _verdict(kind: str, extracted: str | None, reference: str, correct: bool, how: str, **details: Any) -> Grade:
    if extracted is None:
        return Grade(kind, False, None, reference, f"no answer found ({how})", details)
    word = "matches" if correct else "does not match"
    return Grade(kind, correct, extracted, reference, f"{how}: {extracted!r} {word} {reference!r}", details)


# --------------------------------------------------------------------------- multiple choice

_NOT_LETTER = r"(?<![A-Za-z])"
_END = r"(?![A-Za-z])"
_NOT_PRONOUN = r"(?!(?<=[AI])\s+[a-z])"  # "Answer: I think..." / "answer is A decrease..." are words, not letters
_ANSWER_WORDS = r"(?:final\s+answer|correct\s+answer|best\s+answer|answer|choice|option)"

MCQ_RULES: tuple[tuple[str, str], ...] = (
    # (rule name, pattern with the letter in group "L", "@L@" = the allowed letters); the LAST match of a rule wins.
    ("letter repeated", _NOT_LETTER + r"(?P<L>[@L@])(?P=L){3,}" + _END),  # "CCCCC", "**JJJJJ**", "(B)BBBB", "\text{DDDDD}"
    ("answer statement", r"(?i:" + _ANSWER_WORDS + r")(?:\s+(?i:is|would\s+be|will\s+be|should\s+be|must\s+be))?\s*(?:[:=]|(?i:is))?\s*"
     r"(?:\*\*|\\\(|\\textbf\{|\\text\{|\$)*\s*(?i:option|choice)?\s*\(?(?P<L>[@L@])\)?" + _END + _NOT_PRONOUN),
    ("boxed letter", r"\\boxed\{\s*(?:\\text\{)?\s*\(?(?P<L>[@L@])\)?\s*\}?\s*\}"),
    ("bold letter", r"\*\*\s*\(?(?P<L>[@L@])\)?[.:]?\s*\*\*"),
    ("letter run", _NOT_LETTER + r"(?P<L>[@L@])(?P=L){2,}"),  # "EEE", or "EEEE" glued to a word ("EEEEissão")
    ("last line letter", r"(?m)^\W*\(?(?P<L>[@L@])\)?\W*$"),
)


def choice_letters(n_options: int = 10) -> str:
    """The first ``n_options`` capital letters: MMLU-Pro has 10 (A-J)."""
    if not 1 <= n_options <= 26:
        raise ValueError(f"n_options must be 1..26, got {n_options}")
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[:n_options]


def extract_choice(text: str, letters: str = "ABCDEFGHIJ", *, repeat: int | None = None) -> tuple[str | None, str]:
    """The chosen letter and the rule that found it; ``(None, "...")`` when no rule matches.

    Args:
        text: the response.
        letters: the allowed choice letters.
        repeat: strict format: only a letter written at least ``repeat`` times in a row counts (JudgeBench's
            MMLU-Pro prompt asks for the letter five times, and its labels treat "CCCC" as no answer). ``None``
            tries every rule in ``MCQ_RULES`` in order.

    Within a rule the last match wins, since models restate options before concluding. The "last line letter"
    rule only looks at the final non-empty line.
    """
    if repeat is not None:
        rx = _compiled(_NOT_LETTER + r"(?P<L>[@L@])(?P=L){" + str(repeat - 1) + ",}", letters)
        found = list(rx.finditer(text))
        return (found[-1].group("L"), f"letter repeated {repeat}+ times") if found else (None, f"no letter repeated {repeat}+ times")
    for name, pattern in MCQ_RULES:
        rx = _compiled(pattern, letters)
        haystack = text.strip().splitlines()[-1] if name == "last line letter" and text.strip() else text
        matches = list(rx.finditer(haystack))
        if matches:
            return matches[-1].group("L"), name
    return None, "no rule matched"


_RX_CACHE: dict[tuple[str, str], re.Pattern[str]] = {}


def _compiled(pattern: str, letters: str) -> re.Pattern[str]:
    key = (pattern, letters)
    if key not in _RX_CACHE:
        _RX_CACHE[key] = re.compile(pattern.replace("@L@", re.escape(letters)))
    return _RX_CACHE[key]


def grade_mcq(response: str, answer: str, *, letters: str = "ABCDEFGHIJ", repeat: int | None = None) -> Grade:
    """Grade a multiple-choice response; ``answer`` is the correct letter (case-insensitive).

    ``repeat``: see ``extract_choice`` (strict "letter written N times" format).
    """
    ref = answer.strip().upper()
    if len(ref) != 1 or ref not in letters:
        raise ValueError(f"reference answer {answer!r} is not one of the letters {letters!r}")
    letter, rule = extract_choice(response, letters, repeat=repeat)
    return _verdict("mcq", letter, ref, letter == ref, rule)


# --------------------------------------------------------------------------- numeric

_NUM = r"-?\$?\s?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s?/\s?\d+(?:\.\d+)?)?|-?\$?\.\d+"
NUMERIC_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("#### marker", re.compile(r"####\s*(?P<N>" + _NUM + ")")),
    ("A: marker", re.compile(r"(?m)^\s*A:\s*(?P<N>" + _NUM + ")")),
    ("boxed", re.compile(r"\\boxed\{\s*\\?\$?(?P<N>" + _NUM + r")\s*\\?%?\s*\}")),
    ("answer statement", re.compile(r"(?i)answer(?:\s+is|\s*[:=])\s*(?:\*\*)?\s*(?P<N>" + _NUM + ")")),
    ("last number", re.compile(r"(?P<N>" + _NUM + ")")),
)


def parse_number(text: str) -> Fraction | None:
    """A number from text like ``$1,234.50``, ``-3``, ``.5``, ``3/4``, ``12%`` (the % is dropped); else ``None``."""
    s = text.strip().replace("$", "").replace(",", "").replace(" ", "").rstrip("%").rstrip(".")
    try:
        return Fraction(s)
    except (ValueError, ZeroDivisionError):
        return None


def extract_number(text: str, *, rules: tuple[str, ...] | None = None) -> tuple[str | None, str]:
    """The answer number as text (normalized: no ``$``/``,``) and the rule that found it; last match per rule."""
    for name, rx in NUMERIC_RULES:
        if rules is not None and name not in rules:
            continue
        matches = list(rx.finditer(text))
        for m in reversed(matches):
            if parse_number(m.group("N")) is not None:
                return m.group("N").replace("$", "").replace(",", "").replace(" ", ""), name
    return None, "no number found"


def numbers_match(a: Fraction, b: Fraction, *, rel_tol: float = 1e-6, abs_tol: float = 1e-9) -> bool:
    """``|a - b| <= max(rel_tol * max(|a|, |b|), abs_tol)``, exact for equal fractions."""
    return a == b or math.isclose(float(a), float(b), rel_tol=rel_tol, abs_tol=abs_tol)


def grade_numeric(response: str, answer: str | float, *, rel_tol: float = 1e-6, abs_tol: float = 1e-9, rules: tuple[str, ...] | None = None) -> Grade:
    """Grade a numeric answer; ``answer`` may be a number or text such as ``"1,234"`` or a ``#### N`` solution.

    Raises:
        ValueError: when the reference itself holds no number.
    """
    ref_text = str(answer)
    if isinstance(answer, str) and ("####" in answer or re.search(r"(?m)^\s*A:", answer)):
        ref_text = extract_number(answer, rules=("#### marker", "A: marker"))[0] or ref_text
    ref = parse_number(ref_text)
    if ref is None:
        raise ValueError(f"reference answer {answer!r} is not a number")
    got_text, rule = extract_number(response, rules=rules)
    got = parse_number(got_text) if got_text is not None else None
    correct = got is not None and numbers_match(got, ref, rel_tol=rel_tol, abs_tol=abs_tol)
    return _verdict("numeric", got_text, ref_text.replace(",", ""), correct, rule)


# --------------------------------------------------------------------------- math (LaTeX)


def grade_math(response: str, answer: str, *, verifier: Any = None) -> Grade:
    """Grade a LaTeX answer with math-verify (gold ``answer`` is LaTeX without ``$``, e.g. ``\\frac{1}{2}``).

    Args:
        response: the model's text; math-verify finds the answer (``\\boxed{}`` first, then other anchors).
        answer: the reference answer.
        verifier: a ``judgebench.mathverify.MathVerifier`` (worker processes with a per-item deadline); without
            one, the check runs in this thread with no timeout, so use a verifier for untrusted volumes.
    """
    from .mathverify import verify_in_process

    if verifier is not None:
        return verifier.grade(response, answer)
    return verify_in_process(response, answer)


# --------------------------------------------------------------------------- code


@dataclass(frozen=True)
class CodeTests:
    """Tests for a code problem.

    ``style="function"``: ``test`` is Python that checks the solution (HumanEval's ``check(candidate)`` with
    ``entry_point``, or MBPP-style ``assert`` lines); the program passes when it exits 0.
    ``style="stdio"``: ``cases`` are ``(stdin, expected stdout)``; a case passes when the output's whitespace-
    separated tokens equal the expected ones (LiveCodeBench's rule).
    ``prompt``: code the solution completes (HumanEval's signature and docstring), prepended when the extracted
    code does not define ``entry_point`` itself.
    """

    style: Literal["function", "stdio"] = "function"
    test: str = ""
    entry_point: str = ""
    prompt: str = ""
    cases: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        if self.style == "stdio":
            return f"{len(self.cases)} stdin/stdout cases"
        return f"tests of {self.entry_point or 'the program'}"


_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)```", re.S)


def extract_code(response: str, entry_point: str = "") -> str | None:
    """The program in a response: the fenced block that defines ``entry_point`` (else the longest Python block);
    an unfenced response that parses as Python is taken whole; ``None`` when there is no code."""
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
        return None
    return response if response.strip() else None


def build_program(code: str, tests: CodeTests) -> str:
    """The program the sandbox runs for a ``function``-style problem."""
    defines = bool(tests.entry_point) and re.search(rf"^\s*def\s+{re.escape(tests.entry_point)}\s*\(", code, re.M)
    head = code if defines or not tests.prompt else tests.prompt + code
    if tests.prompt and defines:
        imports = "\n".join(ln for ln in tests.prompt.splitlines() if re.match(r"(from\s+\S+\s+)?import\s", ln))  # top-level only
        head = (imports + "\n\n" + code) if imports else code
    tail = f"\n\ncheck({tests.entry_point})\n" if tests.entry_point and "def check(" in tests.test else "\n"
    return f"{head}\n\n{tests.test}{tail}"


def _tokens(text: str) -> list[str]:
    return text.split()


def grade_code(response: str, tests: CodeTests, *, limits: Any = None, extracted: bool = False) -> Grade:
    """Run the response's code against ``tests`` in the sandbox.

    Args:
        response: the model's text (or the code itself when ``extracted`` is true).
        tests: what to run.
        limits: ``judgebench.sandbox.Limits`` for each run (default limits when ``None``).
        extracted: ``response`` is already code; skip extraction.
    """
    from .sandbox import run_python

    code = response if extracted else extract_code(response, tests.entry_point)
    if code is None:
        return Grade("code", False, None, tests.describe(), "no answer found (no code block or parseable program)")
    if tests.style == "function":
        res = run_python(build_program(code, tests), limits=limits)
        details = {"status": res.status, "runtime_s": res.runtime_s, "sandbox": res.mode, "uid": res.uid}
        return Grade("code", res.passed, code, tests.describe(), f"sandbox {res.status}: {res.reason}", details)
    for i, (stdin, expected) in enumerate(tests.cases):
        res = run_python(code, stdin=stdin, limits=limits)
        details = {"status": res.status, "runtime_s": res.runtime_s, "sandbox": res.mode, "uid": res.uid, "case": i}
        if not res.passed:
            return Grade("code", False, code, tests.describe(), f"case {i}: sandbox {res.status}: {res.reason}", details)
        if _tokens(res.stdout) != _tokens(expected):
            got = " ".join(_tokens(res.stdout))[:60]
            return Grade("code", False, code, tests.describe(), f"case {i}: wrong output {got!r}", details | {"status": "wrong-output"})
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
