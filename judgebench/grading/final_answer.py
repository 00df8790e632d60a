"""Which of a response's answer statements is its final committed answer: corrections, contradictions, hypotheticals.

The graders in ``judgebench.grading`` find a response's *statements* (for numbers: ``#### N``, ``A: N``,
``\\boxed{N}``, "the answer is N"; for letters: ``CCCCC``, "the answer is (C)", ``\\boxed{C}``), each with the
answers it names. ``commit`` reads them in text order:

* a statement that names what the current answer names just restates it;
* a statement after a *correction cue* (``CORRECTION_CUE``: "actually", "wait", "no,", "I made a mistake", "let me
  recheck", "on reflection", "should be", "the correct answer/total is", "final", "but the answer is", ...) placed
  between it and the statement before replaces the current answer: the response's final committed answer decides,
  never an earlier one;
* a statement naming one of several answers offered so far narrows them to it ("3 or 4 ... #### 4");
* any other disagreement, with no cue between, leaves the response with *no single answer*: both sets of answers
  are candidates ("The best answer is C. BBBBB"), as does an answer offered as a possibility ("maybe D", "it could
  also be (D)").

After the first statement, a correction cue may also introduce a *restatement* that no grader rule reads on its own
("Actually, I made an error: it's 6", "No, 6", "re-reading the question, it's (C)"); the graders find those with
``restatement_starts``. A statement in a hypothetical ("Suppose the answer is 5", "if ..., the answer would be 7",
"the answer is (A) if we ignore friction") is not a statement (``is_hypothetical``).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

CORRECTION_CUE = re.compile(
    r"(?i:\b(?:actually|wait|hmm+|oops|hold\s+on|correction|scratch\s+that|on\s+(?:second\s+thought|reflection|closer\s+inspection)"
    r"|re-?(?:reading|checking|calculating|considering|examining)|let\s+me\s+(?:re-?check|re-?calculate|re-?compute|re-?consider|re-?do|re-?read|re-?examine|correct)"
    r"|i\s+(?:have\s+)?made\s+(?:a|an)\s+(?:\w+\s+)?(?:mistake|error)|my\s+(?:mistake|error|bad)|i\s+was\s+wrong|i\s+misread|i\s+miscalculated"
    r"|sorry|apologies|i\s+apologi[sz]e|i\s+meant?|make\s+that|i\s+take\s+(?:that|it)\s+back|never\s*mind|update(?=\s*:)|revised|revision"
    r"|correct(?:ing|ed)|erm+|err+|uh+|um+"
    r"|(?:that|this|it)(?:'s|’s|\s+is|\s+was)\s+(?:wrong|incorrect|not\s+right)"
    r"|(?:correct|right|real|actual|true|final|better)\s+(?:answer|total|result|value|number|count|sum|choice|option|amount)"
    r"|final|should\s+(?:be|have\s+been)|but\s+(?:the\s+|my\s+)?(?:\w+\s+)?answer)\b)"
    # "5? No, 6", "No wait", "No - D"; not the "No, because ..." of an option list
    r"|(?<=\?)[ \t*_]*(?:No|Nope|NO)\b|(?:^|(?<=[.!:\n]))[ \t*_>]*(?:No|Nope|NO)\b(?=[ \t]*[—–]|[ \t]*-[ \t]|[ \t,!]+(?i:wait|actually|sorry|i\s+mean|that's\s+wrong)\b)"
)
"""A word or phrase that retracts or re-decides what was stated before it (see the module docstring)."""

_HYPOTHETICAL_BEFORE = re.compile(
    r"(?i)\b(?:suppose|supposing|assume|assuming|imagine|hypothetically|let'?s\s+say|let\s+us\s+say|pretend)\b"
)
_CLAUSE_BREAK = re.compile(r"(?i)[,;:]|\b(?:so|then|thus|therefore|hence)\b")
_IF = re.compile(r"(?i)\b(?:if|were)\b")
_WOULD = re.compile(r"(?i)\bwould\b")
_HYPOTHETICAL_AFTER = re.compile(r"(?i)[\s,)*]*(?:if|assuming|provided|unless|only\s+if|in\s+case)\b")
_SENTENCE_START = re.compile(r"[.!?][\"'”’)\]]*(?=\s)|\n")


def sentence_start(text: str, pos: int) -> int:
    """Where the sentence holding ``pos`` begins (after the last ``.``/``!``/``?`` + space or line break)."""
    window = max(0, pos - 300)
    last = None
    for m in _SENTENCE_START.finditer(text, window, pos):
        last = m
    return last.end() if last else window


def is_hypothetical(text: str, start: int, value_end: int, clause_end: int | None = None) -> bool:
    """Whether the statement whose answer spans ``text[start:value_end]`` is a hypothetical.

    Hypothetical: its sentence says "suppose", "assume", "imagine", "let's say" before the answer; or "if"/"were"
    with "would" ("If we ignored friction, the answer would be (A)"); or the answer is followed by "if",
    "assuming", "provided", "unless" ("the answer is (A) if we ignore friction"), up to ``clause_end``. A plain "If
    we add them, the answer is 12" is a statement.
    """
    before = text[sentence_start(text, start) : start]
    supposed = [m.end() for m in _HYPOTHETICAL_BEFORE.finditer(before)]
    if supposed and not _CLAUSE_BREAK.search(before, supposed[-1]):  # "Suppose the answer is 5"
        return True
    if _IF.search(before) and _WOULD.search(before[-30:]):  # "If ..., the answer would be"
        return True
    return bool(_HYPOTHETICAL_AFTER.match(text, value_end, clause_end if clause_end is not None else len(text)))


def last_cue(text: str, start: int, end: int) -> re.Match[str] | None:
    """The last correction cue that lies wholly in ``text[start:end]``."""
    found = None
    if end <= start:
        return None
    for m in CORRECTION_CUE.finditer(text, start, end):
        found = m
    return found


def first_cue(text: str, start: int) -> re.Match[str] | None:
    """The first correction cue at or after ``start``."""
    return CORRECTION_CUE.search(text, start)


@dataclass(frozen=True)
class Statement:
    """A place where a response states an answer.

    Attributes:
        start: where the answer itself begins (after its cue: "the answer is " is not part of it).
        end: where it ends.
        answers: the distinct answers it names, as comparable keys (letters, exact values); several for "3 or 4".
        rule: the grader rule that found it (shown in reasons).
        hedged: offered as a possibility ("maybe D", "it could also be (D)"): it never replaces an answer, it only
            adds a candidate.
    """

    start: int
    end: int
    answers: tuple[Hashable, ...]
    rule: str
    hedged: bool = False


@dataclass(frozen=True)
class Commitment:
    """What ``commit`` decided.

    Attributes:
        answers: the final committed answers: one, or several ("no single answer").
        last: the statement that decided last (the one whose rule is named).
        cue: the text of the correction cue that made a later statement replace an earlier one; ``None`` if none did.
        cue_at: where that cue begins in the text.
        conflict: two statements disagree with no cue between them.
    """

    answers: tuple[Hashable, ...]
    last: Statement
    cue: str | None = None
    cue_at: int | None = None
    conflict: bool = False

    def describe(self) -> str:
        """The deciding rule, with how corrections and contradictions shaped the answer."""
        how = self.last.rule
        if self.cue is not None:
            how += f", after the correction {' '.join(self.cue.split())!r}"
        if self.conflict:
            how += ", statements disagree with no correction between them"
        return how


def commit(text: str, statements: Sequence[Statement]) -> Commitment | None:
    """The final committed answer of ``statements`` (see the module docstring); ``None`` when there are none."""
    ordered = sorted(statements, key=lambda s: (s.start, s.end))
    if not ordered:
        return None
    current = list(dict.fromkeys(ordered[0].answers))
    last, cue, cue_at, conflict = ordered[0], None, None, False
    for s in ordered[1:]:
        named = list(dict.fromkeys(s.answers))
        if set(named) == set(current):
            last = s
            continue
        between = None if s.hedged else last_cue(text, last.end, s.start)
        if between is not None:
            current, cue, cue_at, conflict = named, between.group(), between.start(), False
        elif len(named) == 1 and named[0] in current and not conflict:  # "3 or 4 ... #### 4"
            current = named
        else:
            current += [a for a in named if a not in current]
            conflict = True
        last = s
    return Commitment(tuple(current), last, cue, cue_at, conflict)
