"""The numeric grader: the number a response states as its final answer (``find_number``), compared with a tolerance.

Numbers are read as tokens by ``judgebench.grading.answer_text``; the statements that hold them (``#### N``, ``A: N``,
``\\boxed{N}``, "the answer is N") are read in order and the final committed one decides
(``judgebench.grading.final_answer``); see ``find_number`` and README "Grading rules".
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Hashable
from fractions import Fraction

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
from .final_answer import CORRECTION_CUE, Statement, commit, first_cue, is_hypothetical
from .grades import Extraction, Grade, no_single_answer, verdict

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


def _last_line_alone(text: str) -> list[tuple[int, int]]:
    """The response's last line when it holds nothing but one number (``**6**``, ``$6$``, ``6.``)."""
    stripped = text.rstrip()
    start = stripped.rfind("\n") + 1
    line = stripped[start:]
    if not line.strip() or start == 0 or len(line) > 40 or parse_number(re.sub(r"\*\*|\$|\\[()\[\]]", "", line)) is None:
        return []
    return [(start, len(stripped))]


NUMERIC_RULES: tuple[tuple[str, ClauseFinder], ...] = (
    # (rule name, finder of the clauses that state an answer); every clause that states a number is a statement,
    # and ``judgebench.grading.final_answer.commit`` decides among them. "last number" is the fallback (see ``find_number``).
    ("#### marker", _line_after(r"####")),
    ("A: marker", _line_after(r"(?m)^[ \t]*A:")),
    ("boxed", boxed_spans),
    ("answer statement", _answer_statements),
    ("number alone on the last line", _last_line_alone),
)


def _last_number_clause(text: str, tokens: list[NumberToken]) -> Reading:
    last = tokens[-1]
    ends = [m.end() for m in SENTENCE_END.finditer(masked(text, tokens), 0, last.start)]
    return read_clause(text, ends[-1] if ends else 0, last.end, last_only=True, tokens=tokens)


# After a correction cue, forms that restate a number: "it's 6", "the correct total is 7", "should be 6", "No, 6".
_NUMBER_AHEAD = r"[ \t]*(?:\*\*|\$|\\\(|\\\[)*[ \t]*(?=[-−+$\\\d.])"
_RESTATED_NUMBER = re.compile(
    r"(?i:\b(?:it|that|this|answer|total|result|value|sum|number|count|amount|cost|price|difference|product)"
    r"(?:'s|’s|\s+is|\s+was|\s+should\s+be|\s+must\s+be|\s+would\s+be|\s+comes\s+to|\s+equals|\s*[:=])"
    r"|\bshould\s+(?:be|have\s+been)|\bmust\s+be)\s*[:=]?" + _NUMBER_AHEAD
)
_AFTER_CUE = re.compile(r"[ \t,;:!.—–-]*" + _NUMBER_AHEAD)


def _last_token_end(tokens: list[NumberToken], start: int, end: int) -> int:
    inside = [t.end for t in tokens if start <= t.start and t.end <= end]
    return inside[-1] if inside else start


_NOT_IN_KEY = re.compile(r"\s+|\$|\\[()\[\]]|\\(?:boxed|fbox|displaystyle|left|right)\b|[{}*]|[.,;:]+$")


def _keys(reading: Reading, texts: dict[Hashable, str], clause: str = "") -> tuple[Hashable, ...]:
    """The comparable answers of a clause (exact values; for a number that is not plain, the clause's text, so that
    ``2\\sqrt{2}`` and ``2\\sqrt{3}`` differ), recording each one's text in ``texts``."""
    if reading.symbolic is not None:
        key: Hashable = ("not plain", _NOT_IN_KEY.sub("", clause) or reading.symbolic)
        texts[key] = reading.symbolic
        return (key,)
    for value, shown in zip(reading.values, reading.texts, strict=True):
        texts.setdefault(value, shown)
    return reading.values


def _restatements(
    text: str, tokens: list[NumberToken], after: int, last_only: bool, texts: dict[Hashable, str]
) -> list[Statement]:
    """Numbers restated after a correction cue that follows ``after`` (the end of the first statement)."""
    cue = first_cue(text, after)
    if cue is None:
        return []
    starts = [m.end() for m in _RESTATED_NUMBER.finditer(text, cue.start())]
    starts += [m.end() for c in CORRECTION_CUE.finditer(text, cue.start()) if (m := _AFTER_CUE.match(text, c.end()))]
    found = []
    for start, end in zip(starts, clause_ends(text, starts), strict=True):
        reading = read_clause(text, start, end, tokens=tokens, last_only=last_only)
        if reading.values or reading.symbolic is not None:
            found.append(Statement(start, end, _keys(reading, texts, text[start:end]), "restated"))
    return found


def find_number(text: str, *, rules: tuple[str, ...] | None = None, last_only: bool = False) -> tuple[Extraction, Fraction | None]:
    """The number a response states as its final answer, and its value.

    Statements: ``#### N`` and ``A: N`` (to the end of the line), ``\\boxed{...}``, "answer is / answer is: / final
    answer: / answer =" (to the end of the sentence; not in a hypothetical such as "Suppose the answer is 5"). A
    clause states the number that ends it (``3 * 4 = 12`` states 12); several different numbers in it are no single
    answer (see ``judgebench.grading.answer_text.read_clause``). The final committed statement decides
    (``judgebench.grading.final_answer.commit``): a correction after an answer ("Actually, I made an error: it's 6")
    replaces it; statements that disagree with no correction between them are no single answer; and numbers that
    follow a correction cue after the last statement without restating it ("Wait, let me recheck: ... 6") make it no
    single answer when they end on another value. With no statement, the last number of the response decides.

    Args:
        text: the response.
        rules: only these rule names (``"last number"`` included); ``None`` for all.
        last_only: read every clause as the "last number" rule does (alternatives only at "or", each stating its
            last number), so that ``\\boxed{0.1+0.2}`` is one answer; the math grader uses it.

    Returns:
        The extraction and the value of its single answer (``None`` when there is no single plain number; a
        number that is not plain, such as ``2\\sqrt{2}`` or ``5x``, is extracted as text with no value).
    """
    tokens = number_tokens(text)
    texts: dict[Hashable, str] = {}
    statements: list[Statement] = []
    denial: tuple[str, Reading] | None = None
    for name, finder in NUMERIC_RULES:
        if rules is not None and name not in rules:
            continue
        for start, end in finder(text):
            reading = read_clause(text, start, end, tokens=tokens, last_only=last_only)
            if reading.is_empty:
                continue
            if not reading.values and reading.symbolic is None:
                denial = denial or (name, reading)
                continue
            if name == "answer statement" and is_hypothetical(text, start, _last_token_end(tokens, start, end), end):
                continue
            statements.append(Statement(start, end, _keys(reading, texts, text[start:end]), name))
    if statements:
        first = min(statements, key=lambda s: s.start)
        statements += _restatements(text, tokens, first.end, last_only, texts)
        decided = commit(text, statements)
        assert decided is not None
        answers, how = list(decided.answers), decided.describe()
        cue = first_cue(text, decided.last.end)
        if cue is not None and tokens and tokens[-1].start >= cue.end() and len(answers) == 1:
            tail = _last_number_clause(text, tokens)  # numbers after a cue that restate nothing
            after = _keys(tail, texts, text[tokens[-1].start : tokens[-1].end])
            if after and not set(after) <= set(answers):
                answers += [a for a in after if a not in answers]
                how += f", then {' '.join(cue.group().split())!r} and the numbers after it end on another value"
        return _extraction_of(answers, how, texts)
    if denial is not None:
        return Extraction(None, f"{denial[0]} denies {', '.join(denial[1].denied)} and states no number"), None
    if tokens and (rules is None or "last number" in rules):
        reading = _last_number_clause(text, tokens)
        return _extraction_of(list(_keys(reading, texts)), "last number", texts)
    return Extraction(None, "no number found"), None


def _extraction_of(answers: list[Hashable], how: str, texts: dict[Hashable, str]) -> tuple[Extraction, Fraction | None]:
    shown = tuple(texts[a] for a in answers)
    if len(answers) != 1:
        return Extraction(None, how, shown), None
    (answer,) = answers
    if isinstance(answer, Fraction):
        return Extraction(shown[0], how, shown), answer
    return Extraction(shown[0], f"{how}, not a plain number", shown), None


def correction_start(text: str) -> int | None:
    """Where a correction that replaces the response's earlier answer begins ("The answer is \\boxed{5}. Actually I
    made a mistake, the answer is 6": the offset of "Actually"), or ``None`` when its first answer stands.

    For answers that are not numbers (the math grader): statements are ``\\boxed{}`` contents, answer statements
    and restatements after a correction cue, compared as text (see ``judgebench.grading.final_answer.commit``).
    """
    starts = [m.end() for m in _ANSWER_CUE.finditer(text)]
    spans = [*boxed_spans(text), *zip(starts, clause_ends(text, starts), strict=True)]
    statements = [Statement(a, b, (_NOT_IN_KEY.sub("", text[a:b]),), "stated") for a, b in spans if text[a:b].strip()]
    statements = [s for s in statements if not is_hypothetical(text, s.start, s.start, s.end)]
    if not statements:
        return None
    first = min(statements, key=lambda s: s.start)
    cue = first_cue(text, first.end)
    if cue is None:
        return None
    later = [m.end() for m in _RESTATED_NUMBER.finditer(text, cue.start())]
    later += [m.end() for c in CORRECTION_CUE.finditer(text, cue.start()) if (m := _AFTER_CUE.match(text, c.end()))]
    statements += [
        Statement(a, b, (_NOT_IN_KEY.sub("", text[a:b]),), "restated")
        for a, b in zip(later, clause_ends(text, later), strict=True)
        if text[a:b].strip()
    ]
    decided = commit(text, statements)
    return decided.cue_at if decided is not None and not decided.conflict else None


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
    return verdict("numeric", found.answer, ref_text, correct, found.rule)
