"""The graders on a corpus of hand-labelled tricky answers: zero false positives, every miss listed with its reason.

``tests/grading_corpus/{mcq,numeric,math,code}.jsonl`` hold rows in ``judgebench grade``'s format (``response``,
``reference``, or for code the problem's ``test``/``entry_point``/``prompt`` or ``cases``) plus ``id``, ``expected``
and ``why``; an mcq row may set ``repeat`` (JudgeBench's strict five-letter format). ``expected`` is what a careful
grader says, written by hand, never computed by the code under test:

* ``true``: the response states one answer and it is the reference;
* ``false``: it states one other answer, or none;
* ``null``: it offers several different answers ("no single answer").

This module grades the mcq, numeric and math files (``tests/test_grading_code_corpus.py`` grades ``code.jsonl``)
and checks that the four together hold at least 150 rows.

A *false positive* (graded ``true`` when a careful grader says ``false`` or ``null``) puts a wrong answer on the
correct side of a pair: there must be none. Every other disagreement (a false negative, or ``false`` vs ``null``)
loses a pair and must be listed in ``KNOWN_MISSES`` with its reason; a listed row that the graders now get right
fails too, so the list stays true.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest

from judgebench.grading import Grade, grade_mcq
from judgebench.grading.rows import grade_rows, read_grade_rows

CORPUS = Path(__file__).parent / "grading_corpus"
MINIMUM_ROWS = {"mcq": 40, "numeric": 45, "math": 35}
MINIMUM_TOTAL = 150

KNOWN_MISSES: dict[tuple[str, str], str] = {
    # mcq: the letter is stated in a form the rules do not read, so the grade is "no answer" (false), never a wrong letter
    ("mcq", "article-a-then-option"): "'answer is a decrease...' is an article, not the letter A, and 'which is option (C)' is an unqualified "
    "option mention (the rule that keeps 'Option (D) is incorrect' from overriding a stated answer)",
    ("mcq", "all-options-reviewed"): "'Option (C) is correct' has no answer cue; options named with a verdict are mentions, not statements",
    ("mcq", "lowercase-letter"): "lower-case letters are not read: 'a' and 'i' are words far more often than options",
    # numeric: several numbers in the answer clause read as no single answer (null), the safe side
    ("numeric", "two-units"): "'3.5 hours, or 210 minutes' states two different numbers; units are not converted",
    ("numeric", "dollars-and-cents"): "'3 dollars and 50 cents' is two numbers; units are not combined",
    ("numeric", "parenthetical-sum"): "'5 (2 + 3)': numbers in parentheses count as candidates, since '5 (or 6)' must stay no single answer",
    ("numeric", "words"): "numbers written in words are not read",
    # numeric: powers and factorials are not evaluated; the number is "not plain", so the grade is incorrect, never 5
    ("numeric", "power-squared-word-25"): "'5 squared' is not a plain number (powers are not evaluated), so it is not read as 25",
    ("numeric", "dozens-of-eggs"): "'7 dozens' may be 7 (dozens as the unit asked for) or 84 (eggs): a plural multiplier word is not a plain number",
    ("numeric", "boxed-factorial-120"): "'\\boxed{5!}' is not a plain number (factorials are not evaluated), so it is not read as 120",
}


def corpus_rows(kind: str) -> list[dict[str, Any]]:
    path = CORPUS / f"{kind}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()] if path.exists() else []


@functools.cache
def graded(kind: str) -> tuple[tuple[dict[str, Any], Grade], ...]:
    """Every row of the ``kind`` corpus with its grade, read and graded as ``judgebench grade`` does."""
    path = CORPUS / f"{kind}.jsonl"
    rows = read_grade_rows(path, kind)
    if kind == "mcq":
        grades = [grade_mcq(r.response, r.reference, repeat=r.row.get("repeat")) for r in rows]
    else:
        grades = grade_rows(rows, kind, path=path)
    return tuple((r.row, g) for r, g in zip(rows, grades, strict=True))


GRADED_HERE = ("mcq", "numeric", "math")  # code.jsonl is graded, in both sandbox modes, by test_grading_code_corpus.py


def test_corpus_is_large_hand_labelled_and_explained() -> None:
    total = 0
    for kind in ("mcq", "numeric", "math", "code"):
        rows = corpus_rows(kind)
        total += len(rows)
        assert len(rows) >= MINIMUM_ROWS.get(kind, 0), (kind, len(rows))
        ids = [r["id"] for r in rows]
        assert len(ids) == len(set(ids)), f"duplicate ids in {kind}.jsonl"
        for r in rows:
            assert r["expected"] in (True, False, None), r
            assert isinstance(r["why"], str) and r["why"].strip(), r
    assert total >= MINIMUM_TOTAL
    for kind, row_id in KNOWN_MISSES:
        assert row_id in {r["id"] for r in corpus_rows(kind)}, f"KNOWN_MISSES names {kind}/{row_id}, which is not in the corpus"


@pytest.mark.parametrize("kind", GRADED_HERE)
def test_corpus_has_no_false_positives(kind: str) -> None:
    false_positives = [(r["id"], r["expected"], g.reason) for r, g in graded(kind) if g.correct is True and r["expected"] is not True]
    assert not false_positives


@pytest.mark.parametrize("kind", GRADED_HERE)
def test_corpus_misses_are_exactly_the_listed_ones(kind: str) -> None:
    missed = {r["id"]: (r["expected"], g.correct, g.reason) for r, g in graded(kind) if g.correct != r["expected"]}
    listed = {row_id for k, row_id in KNOWN_MISSES if k == kind}
    assert {i: m for i, m in missed.items() if i not in listed} == {}, "a new miss: fix the grader, or list it with its reason"
    assert sorted(listed - set(missed)) == [], "listed as a miss but now graded as expected: remove it from KNOWN_MISSES"
