"""Grade a model response against ground truth: multiple choice, numeric, LaTeX math, code.

Every grader returns a ``Grade``: the answer it extracted (``None`` when the response has none), whether that
answer is correct, and a one-line reason that names the extraction rule or the test outcome. Graders never raise
for a bad response. ``correct`` is three-valued:

* ``True``: the response states one answer and it matches the reference;
* ``False``: it states one answer that does not match, or no answer at all (then ``extracted`` is ``None``);
* ``None``: *no single answer*: the deciding rule found several different answers (``#### 3 or 4``,
  ``Answer: (A) and (D)``, ``BBBBB or maybe DDDDD``); the candidates are in ``details["candidates"]``.
  Pairing treats such a response as neither correct nor incorrect.

* ``grade_mcq``: a choice letter, from the formats strong models write (see ``MCQ_RULES``);
* ``grade_numeric``: a number, from GSM8K's ``#### N``, OpenAI's ``A: N``, ``\\boxed{N}``, "the answer is N" or
  the last number (see ``NUMERIC_RULES`` and ``judgebench.answer_text`` for how numbers and clauses are read),
  compared with a relative and absolute tolerance;
* ``grade_math``: LaTeX answers compared with ``math-verify``, exactly when both are rational numbers (see
  ``judgebench.mathverify``);
* ``grade_code``: a program run against tests in ``judgebench.sandbox`` (see ``CodeTests``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from .answer_text import (
    SENTENCE_END,
    NumberToken,
    Reading,
    boxed_spans,
    clause_ends,
    masked,
    number_tokens,
    parse_number,
    read_clause,
)

GradeKind = Literal["mcq", "numeric", "math", "code"]
GRADE_KINDS: tuple[str, ...] = ("mcq", "numeric", "math", "code")


@dataclass(frozen=True)
class Grade:
    """One response graded against its reference.

    Attributes:
        kind: the grader (``mcq``, ``numeric``, ``math``, ``code``).
        correct: whether the extracted answer matches the reference; ``None`` when the response states several
            different answers ("no single answer", see the module docstring).
        extracted: the extracted answer as text; ``None`` when the response has no single extractable answer.
        reference: the ground truth it was compared with, as text.
        reason: how the answer was extracted and why it is (in)correct, in one line.
        details: grader-specific extras (e.g. the sandbox status and runtime of a code grade, the candidates of a
            response with no single answer).
    """

    kind: str
    correct: bool | None
    extracted: str | None
    reference: str
    reason: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def has_answer(self) -> bool:
        return self.extracted is not None

    @property
    def is_ambiguous(self) -> bool:
        """The response states several different answers (``correct is None``)."""
        return self.correct is None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Grade:
        correct = None if d["correct"] is None else bool(d["correct"])
        return cls(d["kind"], correct, d.get("extracted"), str(d.get("reference", "")), d.get("reason", ""), dict(d.get("details") or {}))


@dataclass(frozen=True)
class Extraction:
    """What the deciding extraction rule read from a response.

    Attributes:
        answer: the single answer as normalized text; ``None`` when there is none, or more than one.
        rule: the rule that decided, or why none did.
        candidates: the distinct answers that rule found; two or more mean "no single answer".
    """

    answer: str | None
    rule: str
    candidates: tuple[str, ...] = ()

    @property
    def is_ambiguous(self) -> bool:
        return len(self.candidates) > 1


def no_single_answer(kind: str, found: Extraction, reference: str) -> Grade:
    """The grade of a response whose deciding rule found several different answers."""
    listed = ", ".join(found.candidates)
    return Grade(kind, None, None, reference, f"no single answer: {listed} ({found.rule})", {"candidates": list(found.candidates)})


def _verdict(kind: str, extracted: str | None, reference: str, correct: bool, how: str, **details: Any) -> Grade:
    if extracted is None:
        return Grade(kind, False, None, reference, f"no answer found ({how})", details)
    word = "matches" if correct else "does not match"
    return Grade(kind, correct, extracted, reference, f"{how}: {extracted!r} {word} {reference!r}", details)


# --------------------------------------------------------------------------- multiple choice

_NOT_LETTER = r"(?<![A-Za-z])"
_END = r"(?![A-Za-z])"
# "Answer: I think..." / "answer is A decrease..." are words, not letters; "A and (D)" / "A or B" are letters.
_NOT_PRONOUN = r"(?!(?<=[AI])\s+(?!(?:and|or)\s+\(?[@L@]\)?(?![A-Za-z]))[a-z])"
_OPENERS = r"(?:\*\*|\\\(|\\textbf\{|\\text\{|\$)*"
# A cue that states the answer. "Option (D) is incorrect" is a mention, not a statement: "option"/"choice" count
# only with a qualifier ("the correct option is"), and every cue needs a verb or a colon.
_CUE = (
    r"(?i:(?:(?:final|correct|best|right|my)\s+(?:answer|option|choice)|answer))(?:\*\*)?"
    r"(?:\s+(?i:is|would\s+be|will\s+be|should\s+be|must\s+be)(?:\s*[:=])?|\s*[:=])(?:\*\*)?"
)
# Further letters listed in the same statement ("(A) and (D)", "A, C or D"); "B, C is wrong" lists only B.
_LISTED = (
    r"(?P<more>(?:\s*(?:,|;|/|&|(?i:and/or|and|or)\b)\s*" + _OPENERS + r"\s*(?i:option\s+|choice\s+)?\(?[@L@]\)?" + _END
    + r"(?!(?<=[AI])\s+[a-z])(?!\)?\s+(?:is|was|seems|does|has)\b))*)"
)
_LIST_LETTERS = re.compile(r"(?<![A-Za-z])([A-Z])(?![A-Za-z])")


# What may stand between two letter runs offered together ("BBBBB or maybe DDDDD", "AAAAA / CCCCC").
_CONNECTIVE = re.compile(r"[\W_]*(?:(?i:or|and|maybe|perhaps|possibly|probably|either|alternatively|otherwise|else|vs|versus)\b[\W_]*)*")


@dataclass(frozen=True)
class ChoiceRule:
    """One way a response states its letter.

    Attributes:
        name: shown in the grade's reason.
        pattern: a regex with the letter in group ``L`` (and further listed letters in group ``more``); ``@L@``
            stands for the allowed letters. ``None`` for the ``\\boxed{}`` rule, which reads balanced braces.
        scope: the last match decides (models restate options before concluding) together with the letters it
            lists (``"last"``); for letter runs (``"chain"``), also with the runs joined to it by nothing but
            punctuation and words such as "or", "maybe" (``BBBBB or maybe DDDDD``). Several different letters
            are no single answer. An earlier run separated by other words is a draft the last run replaces.
    """

    name: str
    pattern: str | None
    scope: Literal["last", "chain"] = "last"


MCQ_RULES: tuple[ChoiceRule, ...] = (
    ChoiceRule("letter repeated", _NOT_LETTER + r"(?P<L>[@L@])(?P=L){3,}" + _END, "chain"),  # "CCCCC", "**JJJJJ**", "(B)BBBB", "\text{DDDDD}"
    ChoiceRule("answer statement", _CUE + r"\s*" + _OPENERS + r"\s*(?i:option|choice)?\s*\(?(?P<L>[@L@])\)?" + _END + _NOT_PRONOUN + _LISTED),
    ChoiceRule("boxed letter", None),
    ChoiceRule("bold letter", r"\*\*\s*\(?(?P<L>[@L@])\)?[.:]?\s*\*\*"),
    ChoiceRule("letter run", _NOT_LETTER + r"(?P<L>[@L@])(?P=L){2,}", "chain"),  # "EEE", or "EEEE" glued to a word ("EEEEissão")
    ChoiceRule("last line letter", r"(?m)^\W*\(?(?P<L>[@L@])\)?\W*$"),
)


def choice_letters(n_options: int = 10) -> str:
    """The first ``n_options`` capital letters: MMLU-Pro has 10 (A-J)."""
    if not 1 <= n_options <= 26:
        raise ValueError(f"n_options must be 1..26, got {n_options}")
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[:n_options]


_Match = tuple[int, int, tuple[str, ...]]  # start, end, the letters it names


def _boxed_letters(text: str, letters: str) -> list[_Match]:
    """Each ``\\boxed{}`` that holds only letters (``\\boxed{C}``, ``\\boxed{\\text{(A) and (D)}}``) and its letters."""
    found = []
    ls = re.escape(letters)
    for start, end in boxed_spans(text):
        if end - start > 200:  # not a list of letters; skipping it keeps many unclosed boxes linear
            continue
        inner = re.sub(r"\\(?:text|textbf|mathrm|mathbf)\b|[{}()$*~]|\\[ ,;!]", " ", text[start:end])
        if re.fullmatch(rf"\s*[{ls}](?:\s*(?:[,;/&]|\band\b|\bor\b)?\s*[{ls}])*\s*[.:]?\s*", inner):
            found.append((start, end, tuple(_LIST_LETTERS.findall(inner))))
    return found


def _matches(rule: ChoiceRule, text: str, letters: str) -> list[_Match]:
    """Each match of ``rule`` in ``text``, in order."""
    if rule.pattern is None:
        return _boxed_letters(text, letters)
    haystack = text.strip().splitlines()[-1] if rule.name == "last line letter" and text.strip() else text
    out = []
    for m in _compiled(rule.pattern, letters).finditer(haystack):
        more = m.groupdict().get("more") or ""
        out.append((m.start(), m.end(), (m.group("L"), *_LIST_LETTERS.findall(more))))
    return out


def _decide(rule: ChoiceRule, found: list[_Match], text: str) -> Extraction:
    chosen = [found[-1]]
    if rule.scope == "chain":
        for earlier in reversed(found[:-1]):
            if not _CONNECTIVE.fullmatch(text[earlier[1] : chosen[0][0]]):
                break
            chosen.insert(0, earlier)
    distinct = tuple(dict.fromkeys(letter for _, _, named in chosen for letter in named))
    return Extraction(distinct[0] if len(distinct) == 1 else None, rule.name, distinct)


def find_choice(text: str, letters: str = "ABCDEFGHIJ", *, repeat: int | None = None) -> Extraction:
    """The letter a response chooses: the first rule of ``MCQ_RULES`` that matches decides.

    Args:
        text: the response.
        letters: the allowed choice letters.
        repeat: strict format: only a letter written at least ``repeat`` times in a row counts (JudgeBench's
            MMLU-Pro prompt asks for the letter five times, and its labels treat "CCCC" as no answer); runs of two
            different letters offered together are no single answer. ``None`` tries every rule in ``MCQ_RULES`` in order.

    Returns:
        The extraction; ``candidates`` holds two or more letters when the deciding rule names several (a
        statement listing ``(A) and (D)``, or different repeated runs).
    """
    if repeat is not None:
        strict = ChoiceRule(f"letter repeated {repeat}+ times", _NOT_LETTER + r"(?P<L>[@L@])(?P=L){" + str(repeat - 1) + ",}", "chain")
        found = _matches(strict, text, letters)
        return _decide(strict, found, text) if found else Extraction(None, f"no letter repeated {repeat}+ times")
    for rule in MCQ_RULES:
        found = _matches(rule, text, letters)
        if found:
            return _decide(rule, found, text)
    return Extraction(None, "no rule matched")


def extract_choice(text: str, letters: str = "ABCDEFGHIJ", *, repeat: int | None = None) -> tuple[str | None, str]:
    """``find_choice`` as ``(letter, rule)``; the letter is ``None`` for no answer and for no single answer."""
    found = find_choice(text, letters, repeat=repeat)
    return found.answer, found.rule


_RX_CACHE: dict[tuple[str, str], re.Pattern[str]] = {}


def _compiled(pattern: str, letters: str) -> re.Pattern[str]:
    key = (pattern, letters)
    if key not in _RX_CACHE:
        _RX_CACHE[key] = re.compile(pattern.replace("@L@", re.escape(letters)))
    return _RX_CACHE[key]


def grade_mcq(response: str, answer: str, *, letters: str = "ABCDEFGHIJ", repeat: int | None = None) -> Grade:
    """Grade a multiple-choice response; ``answer`` is the correct letter (case-insensitive).

    ``repeat``: see ``find_choice`` (strict "letter written N times" format). Several different letters in the
    deciding statement give ``correct=None`` (no single answer).

    Raises:
        ValueError: when ``answer`` is not one of ``letters``.
    """
    ref = answer.strip().upper()
    if len(ref) != 1 or ref not in letters:
        raise ValueError(f"reference answer {answer!r} is not one of the letters {letters!r}")
    found = find_choice(response, letters, repeat=repeat)
    if found.is_ambiguous:
        return no_single_answer("mcq", found, ref)
    return _verdict("mcq", found.answer, ref, found.answer == ref, found.rule)


# --------------------------------------------------------------------------- numeric

ClauseFinder = Callable[[str], list[tuple[int, int]]]


def _line_after(marker: str) -> ClauseFinder:
    """Clauses that run from ``marker`` (which must be followed by a number) to the end of its line."""
    rx = re.compile(marker + r"[ \t]*(?=[-−+$\\\d.])")

    def find(text: str) -> list[tuple[int, int]]:
        spans = []
        for m in rx.finditer(text):
            eol = text.find("\n", m.end())
            spans.append((m.end(), len(text) if eol < 0 else eol))
        return spans

    return find


_ANSWER_CUE = re.compile(
    r"(?i)\banswer\b(?:\*\*)?(?:\s+(?:is|was|would\s+be|will\s+be|should\s+be|comes\s+to|equals)\b(?:\s*[:=])?|\s*[:=])(?:\*\*)?"
)


def _answer_statements(text: str) -> list[tuple[int, int]]:
    """Clauses after "answer is", "answer is:", "final answer:", "answer =", to the end of the sentence."""
    starts = [m.end() for m in _ANSWER_CUE.finditer(text)]
    return list(zip(starts, clause_ends(text, starts), strict=True)) if starts else []


NUMERIC_RULES: tuple[tuple[str, ClauseFinder], ...] = (
    # (rule name, finder of the clauses that state an answer); the first rule with a clause that states a number
    # decides, and within a rule the last such clause. "last number" is the fallback (see ``find_number``).
    ("#### marker", _line_after(r"####")),
    ("A: marker", _line_after(r"(?m)^[ \t]*A:")),
    ("boxed", boxed_spans),
    ("answer statement", _answer_statements),
)


def _last_number_clause(text: str, tokens: list[NumberToken]) -> Reading:
    last = tokens[-1]
    ends = [m.end() for m in SENTENCE_END.finditer(masked(text, tokens), 0, last.start)]
    return read_clause(text, ends[-1] if ends else 0, last.end, last_only=True, tokens=tokens)


def _extraction(reading: Reading, rule: str) -> Extraction:
    if reading.denied and not reading.values:
        return Extraction(None, f"{rule} denies {', '.join(reading.denied)} and states no number")
    if reading.symbolic is not None:
        return Extraction(reading.symbolic, f"{rule}, next to symbolic maths", (reading.symbolic,))
    answer = reading.texts[0] if len(reading.texts) == 1 else None
    return Extraction(answer, rule, reading.texts)


def find_number(text: str, *, rules: tuple[str, ...] | None = None, last_only: bool = False) -> tuple[Extraction, Fraction | None]:
    """The number a response states, and its value.

    Rules, in order (the first that finds a clause stating a number decides; within a rule, its last such clause):
    ``#### N`` and ``A: N`` (to the end of the line), ``\\boxed{...}``, "answer is / answer is: / final answer: /
    answer =" (to the end of the sentence), then the last number of the response. A clause states the number that
    ends it (``3 * 4 = 12`` states 12); several different numbers in it are no single answer (see
    ``judgebench.answer_text.read_clause``).

    Args:
        text: the response.
        rules: only these rule names (``"last number"`` included); ``None`` for all.
        last_only: read every clause as the "last number" rule does (alternatives only at "or", each stating its
            last number), so that ``\\boxed{0.1+0.2}`` is one answer; the math grader uses it.

    Returns:
        The extraction and the value of its single answer (``None`` when there is no single plain number; a
        number next to symbolic maths such as ``2\\sqrt{2}`` is extracted as text with no value).
    """
    tokens = number_tokens(text)
    for name, finder in NUMERIC_RULES:
        if rules is not None and name not in rules:
            continue
        for start, end in reversed(finder(text)):
            reading = read_clause(text, start, end, tokens=tokens, last_only=last_only)
            if not reading.is_empty:
                found = _extraction(reading, name)
                return found, reading.values[0] if len(reading.values) == 1 else None
    if tokens and (rules is None or "last number" in rules):
        reading = _last_number_clause(text, tokens)
        found = _extraction(reading, "last number")
        return found, reading.values[0] if len(reading.values) == 1 else None
    return Extraction(None, "no number found"), None


def extract_number(text: str, *, rules: tuple[str, ...] | None = None) -> tuple[str | None, str]:
    """``find_number`` as ``(number text, rule)``; the text is normalized (no ``$``, separators or ``%``) and is
    ``None`` for no number and for no single number."""
    found, _ = find_number(text, rules=rules)
    return found.answer, found.rule


def numbers_match(a: Fraction, b: Fraction, *, rel_tol: float = 1e-6, abs_tol: float = 1e-9) -> bool:
    """``|a - b| <= max(rel_tol * max(|a|, |b|), abs_tol)``, exact for equal fractions; numbers too large for a
    float match only when equal."""
    try:
        return a == b or math.isclose(float(a), float(b), rel_tol=rel_tol, abs_tol=abs_tol)
    except OverflowError:
        return False


def numeric_reference(answer: str | float) -> tuple[str, Fraction]:
    """The reference number of ``answer`` (a number, text such as ``"1,234"``, or a solution ending ``#### N`` or
    ``A: N``) as normalized text and value.

    Raises:
        ValueError: when the reference holds no single number.
    """
    ref_text = str(answer)
    ref: Fraction | None
    if isinstance(answer, str) and ("####" in answer or re.search(r"(?m)^\s*A:", answer)):
        marked, ref = find_number(answer, rules=("#### marker", "A: marker"))
        ref_text = marked.answer or ref_text
    else:
        ref = parse_number(ref_text)
    if ref is None or isinstance(answer, bool):
        raise ValueError(f"reference answer {answer!r} is not a number")
    return ref_text, ref


def grade_numeric(response: str, answer: str | float, *, rel_tol: float = 1e-6, abs_tol: float = 1e-9, rules: tuple[str, ...] | None = None) -> Grade:
    """Grade a numeric answer; ``answer`` may be a number or text such as ``"1,234"`` or a ``#### N`` solution.

    The response's number is found by ``find_number``; several different numbers in its answer clause give
    ``correct=None`` (no single answer), and a number next to symbolic maths is incorrect.

    Raises:
        ValueError: when the reference itself holds no number (see ``numeric_reference``).
    """
    ref_text, ref = numeric_reference(answer)
    found, got = find_number(response, rules=rules)
    if found.is_ambiguous:
        return no_single_answer("numeric", found, ref_text)
    if found.answer is not None and got is None:
        return Grade("numeric", False, found.answer, ref_text, f"{found.rule}: {found.answer!r} is not a plain number, so not {ref_text!r}")
    correct = got is not None and numbers_match(got, ref, rel_tol=rel_tol, abs_tol=abs_tol)
    return _verdict("numeric", found.answer, ref_text, correct, found.rule)


# --------------------------------------------------------------------------- math (LaTeX)


def grade_math(response: str, answer: str, *, verifier: Any = None) -> Grade:
    """Grade a LaTeX answer with math-verify (gold ``answer`` is LaTeX without ``$``, e.g. ``\\frac{1}{2}``).

    Rational numbers on both sides are compared exactly, and a numeric answer given as several different values
    (``\\boxed{2} or \\boxed{-2}``, ``x = 2 or x = -2``) is no single answer (see ``judgebench.mathverify``).

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

if TYPE_CHECKING:
    from .sandbox import FunctionTests


@dataclass(frozen=True)
class CodeTests:
    """Tests for a code problem.

    ``style="function"``: ``test`` is Python that checks the solution: HumanEval's ``def check(candidate)`` with
    ``entry_point``, or MBPP-style ``assert`` lines that call the solution's functions by name. The sandbox's
    harness imports the program as a module (its ``__main__`` block never runs), runs the tests itself and passes
    it only when every test ran to its end (see ``judgebench._sandbox_check``); the exit code alone never passes.
    ``style="stdio"``: ``cases`` are ``(stdin, expected stdout)``; the program runs as a script and a case passes
    when it exits 0 and its output matches by LiveCodeBench's rule (``stdio_output_matches``).
    ``prompt``: code the solution completes (HumanEval's signature and docstring), prepended when the extracted
    code does not define ``entry_point`` itself; its helpers (``poly``, ``encode_cyclic``) are what the tests use.
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
    """The module the harness imports for a ``function``-style problem: the code, completed by the prompt.

    When the code defines ``entry_point`` itself, only the prompt's top-level imports are added before it (a model
    often drops ``from typing import List``); otherwise the code is a completion and follows the whole prompt. The
    tests are not part of it: the harness gets them separately (``sandbox_tests``).
    """
    defines = bool(tests.entry_point) and re.search(rf"^\s*def\s+{re.escape(tests.entry_point)}\s*\(", code, re.M)
    if not tests.prompt:
        return code
    if not defines:
        return tests.prompt + code
    imports = "\n".join(ln for ln in tests.prompt.splitlines() if re.match(r"(from\s+\S+\s+)?import\s", ln))  # top-level only
    return (imports + "\n\n" + code) if imports else code


def sandbox_tests(tests: CodeTests) -> FunctionTests:
    """The ``judgebench.sandbox.FunctionTests`` the harness runs for a ``function``-style problem."""
    from .sandbox import FunctionTests

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
        res = run_python(build_program(code, tests), tests=sandbox_tests(tests), limits=limits)
        details = {"status": res.status, "runtime_s": res.runtime_s, "sandbox": res.mode, "uid": res.uid}
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
