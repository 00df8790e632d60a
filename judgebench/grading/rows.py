"""Grade a file of ``{response, reference}`` rows with one grader: the library side of ``judgebench grade``.

Rows (JSONL, gzip JSONL, a JSON list or Parquet; see ``judgebench.files.iter_rows``):

* ``mcq``: ``response`` and ``reference``, the correct letter (``"C"``);
* ``numeric``: ``reference`` a number or text holding one (``"1,234"``, ``18``, a GSM8K solution ending ``#### 18``);
* ``math``: ``reference`` LaTeX without ``$`` (``"\\frac{1}{2}"``);
* ``code``: ``response`` and the problem's tests instead of a reference: HumanEval-style ``test`` (with
  ``entry_point`` and the ``prompt`` the solution completes, both optional, but a ``test`` that defines
  ``check(candidate)`` needs ``entry_point``), or stdin/stdout ``cases``, a list of ``{"input": ..., "output": ...}``
  objects; not both. Tests that do not compile, or that would pass every program (``check`` that nothing calls,
  only definitions, no cases), are input errors. A response that is an indented function body completes
  ``prompt`` (HumanEval's completion format).

Every row is checked before any is graded, and a bad one stops the run with its file, line and field
(``InputError``). Each row comes back unchanged plus ``correct`` (true, false, or null for "no single answer"),
``extracted`` and ``reason``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from . import GRADE_KINDS, CodeTests, CodeTestsError, Grade, choice_letters, numeric_reference

"""The fields added to each graded row."""


@dataclass(frozen=True)
class GradeRow:
    """One row to grade.

    Attributes:
        line: its line (or item) number in the input file, from 1.
        row: the row as read, written back with the grade's fields added.
        response: the text to grade.
        reference: what the grader compares with: a letter, a number's text, LaTeX, or ``CodeTests``.
    """

    line: int
    row: dict[str, Any]
    response: str
    reference: Any


@dataclass(frozen=True)
class GradeSummary:
    """Counts over a graded file: ``correct + incorrect + no_single_answer == rows``; ``unanswered`` (no answer
    found) is part of ``incorrect``."""

    rows: int
    correct: int
    incorrect: int
    no_single_answer: int
    unanswered: int

    def render(self) -> str:
        return (
            f"{self.rows} rows: {self.correct} correct, {self.incorrect} incorrect ({self.unanswered} with no answer found), "
            f"{self.no_single_answer} no single answer"
        )


def grade_texts(kind: str, opts: dict[str, Any], items: list[tuple[str, Any]], *, workers: int = 2) -> list[Any]:
    """Grade ``(response text, reference)`` items with one grader kind (input order kept). A pure function of its
    arguments, so a shard of items can be graded in another process (``--executor ray``)."""
    from concurrent.futures import ThreadPoolExecutor

    from . import choice_letters, grade_code, grade_mcq, grade_numeric

    if kind == "math":
        from .mathverify import MathVerifier

        with MathVerifier(workers=workers, timeout_s=float(opts.get("timeout_s", 5.0))) as verifier:
            return list(verifier.grade_many(items))
    if kind == "code":
        from ..sandbox import Limits

        limits = Limits(**opts.get("limits", {}))
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            return list(pool.map(lambda it: grade_code(it[0], it[1], limits=limits), items))
    if kind == "mcq":
        letters = choice_letters(int(opts.get("n_options", 10)))
        return [grade_mcq(text, ref, letters=letters, repeat=opts.get("repeat")) for text, ref in items]
    numeric = {k: opts[k] for k in ("rel_tol", "abs_tol") if k in opts}
    return [grade_numeric(text, ref, **numeric) for text, ref in items]


def _text(row: dict[str, Any], name: str, path: Path, line: int, *, required: bool = True) -> str:
    if name not in row or row[name] is None:
        if required:
            raise InputError(f"missing; rows need {name!r}", path=path, line=line, field=name)
        return ""
    if not isinstance(row[name], str):
        raise InputError(f"expected text, got {type(row[name]).__name__} {row[name]!r}", path=path, line=line, field=name)
    return row[name]


def _cases(value: Any, path: Path, line: int) -> tuple[tuple[str, str], ...]:
    ok = isinstance(value, list) and value and all(isinstance(c, dict) and isinstance(c.get("input"), str) and isinstance(c.get("output"), str) for c in value)
    if not ok:
        raise InputError('expected a non-empty list of {"input": text, "output": text} objects', path=path, line=line, field="cases")
    return tuple((c["input"], c["output"]) for c in value)


def _code_tests(row: dict[str, Any], path: Path, line: int) -> CodeTests:
    if row.get("test") is not None and row.get("cases") is not None:
        raise InputError("a row has 'test' or 'cases', not both (which should run?); drop one", path=path, line=line, field="cases")
    try:
        if row.get("cases") is not None:
            return CodeTests(style="stdio", cases=_cases(row["cases"], path, line))
        test = _text(row, "test", path, line)
        if not test.strip():
            raise InputError("empty; give the tests that check the solution (or stdin/stdout 'cases')", path=path, line=line, field="test")
        tests = CodeTests(style="function", test=test, entry_point=_text(row, "entry_point", path, line, required=False), prompt=_text(row, "prompt", path, line, required=False))
    except CodeTestsError as e:
        raise InputError(e.message, path=path, line=line, field=e.field) from None
    broken = tests.compile_error
    if broken is not None:
        raise InputError(f"the tests do not compile ({broken}), so no program can be graded against them", path=path, line=line, field="test")
    return tests


def _reference(kind: str, row: dict[str, Any], path: Path, line: int, letters: str) -> Any:
    if kind == "code":
        return _code_tests(row, path, line)
    if "reference" not in row or row["reference"] is None:
        raise InputError("missing; rows need 'reference'", path=path, line=line, field="reference")
    value = row["reference"]
    if kind == "numeric":
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise InputError(f"expected a number or text, got {type(value).__name__} {value!r}", path=path, line=line, field="reference")
        try:
            numeric_reference(value)
        except ValueError:
            raise InputError(f"{value!r} holds no single number", path=path, line=line, field="reference") from None
        return value
    if not isinstance(value, str):
        raise InputError(f"expected text, got {type(value).__name__} {value!r}", path=path, line=line, field="reference")
    if kind == "mcq" and (len(value.strip()) != 1 or value.strip().upper() not in letters):
        raise InputError(f"{value!r} is not one of the letters {letters}", path=path, line=line, field="reference")
    if kind == "math" and not value.strip():
        raise InputError("empty reference answer", path=path, line=line, field="reference")
    return value.strip().upper() if kind == "mcq" else value


def read_grade_rows(path: str | Path, kind: str, *, n_options: int = 10) -> list[GradeRow]:
    """Read and check every row of ``path`` for the grader ``kind`` (see the module docstring for the fields).

    Raises:
        InputError: an unknown grader, an unreadable file, or a row with a missing or malformed field (with the
            file, line and field).
    """
    if kind not in GRADE_KINDS:
        raise InputError(f"unknown grader {kind!r}; use one of {', '.join(GRADE_KINDS)}", field="--grader")
    from ..files import iter_rows

    if not 1 <= n_options <= 26:
        raise InputError(f"the number of choices must be 1..26, got {n_options}", field="--options")
    path = Path(path)
    letters = choice_letters(n_options)
    rows = [GradeRow(line, row, _text(row, "response", path, line), _reference(kind, row, path, line, letters)) for line, row in iter_rows(path, what="rows file")]
    if not rows:
        raise InputError("no rows to grade", path=path)
    return rows


def grade_rows(rows: Sequence[GradeRow], kind: str, *, path: str | Path | None = None, repeat: int | None = None, n_options: int = 10, workers: int = 2) -> list[Grade]:
    """Grade checked rows with one grader, in order (math in worker processes with a deadline, code in the sandbox).

    Args:
        rows: from ``read_grade_rows``.
        kind: the grader.
        path: the input file, named in errors.
        repeat: mcq only: the strict "letter written ``repeat`` times" format.
        n_options: mcq only: the allowed letters are the first ``n_options`` (default 10, A-J).
        workers: parallel math-verify processes or sandboxed programs.

    Raises:
        InputError: a math reference that is not parseable LaTeX (with its line), or ``repeat`` with another grader.
    """
    from .mathverify import BadReferenceError

    if repeat is not None and (kind != "mcq" or repeat < 1):
        raise InputError(f"--repeat {repeat} needs --grader mcq and a count of at least 1", field="--repeat")
    options: dict[str, Any] = {"n_options": n_options, "repeat": repeat} if kind == "mcq" else {}
    try:
        return grade_texts(kind, options, [(r.response, r.reference) for r in rows], workers=workers)
    except BadReferenceError as e:
        raise InputError(str(e), path=path, line=rows[e.index].line, field="reference") from None


def graded_row(row: GradeRow, grade: Grade) -> dict[str, Any]:
    """The input row with ``correct``, ``extracted`` and ``reason`` set from ``grade``."""
    return {**row.row, "correct": grade.correct, "extracted": grade.extracted, "reason": grade.reason}


def summarize(grades: Sequence[Grade]) -> GradeSummary:
    """Counts of correct, incorrect (with no answer found among them) and no-single-answer grades."""
    return GradeSummary(
        rows=len(grades),
        correct=sum(g.correct is True for g in grades),
        incorrect=sum(g.correct is False for g in grades),
        no_single_answer=sum(g.correct is None for g in grades),
        unanswered=sum(g.correct is False and not g.has_answer for g in grades),
    )


def default_output(path: str | Path) -> Path:
    """``FILE.graded.jsonl`` next to the input (``answers.jsonl`` -> ``answers.graded.jsonl``)."""
    path = Path(path)
    stem = path.name
    for suffix in (".jsonl.gz", ".json.gz", ".jsonl", ".json", ".parquet"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    return path.with_name(f"{stem}.graded.jsonl")
