"""The multiple-choice grader: which letter a response chooses as its final answer (``find_choice``) and its grade.

Statements of a letter (runs such as ``CCCCC``, "the answer is (C)", ``\\boxed{C}``) are read in order and the
final committed one decides (``judgebench.grading.final_answer``); see ``find_choice`` and README "Grading rules".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .answer_text import boxed_spans
from .final_answer import CORRECTION_CUE, Statement, commit, first_cue, is_hypothetical
from .grades import Extraction, Grade, no_single_answer, verdict

_NOT_LETTER = r"(?<![A-Za-z])"
_END = r"(?![A-Za-z])"
# "Answer: I think..." / "answer is A decrease..." are words, not letters; "A and (D)" / "A or B" are letters.
_NOT_PRONOUN = r"(?!(?<=[AI])\s+(?!(?:and|or)\s+\(?[@L@]\)?(?![A-Za-z]))[a-z])"
_OPENERS = r"(?:\*\*|\\\(|\\textbf\{|\\text\{|\$)*"
# A cue that states the answer. "Option (D) is incorrect" is a mention, not a statement: "option"/"choice" count
# only with a qualifier ("the correct option is"), and every cue needs a verb or a colon.
_CUE = (
    r"(?i:(?:(?:final|correct|best|better|right|my)\s+(?:answer|option|choice)|answer))(?:\*\*)?"
    r"(?:\s+(?i:is|would\s+be|will\s+be|should\s+be|must\s+be)(?:\s*[:=])?|\s*[:=])(?:\*\*)?"
)
# "the answer is probably C": an adverb between the cue and the letter
_HEDGE = r"(?:\s*(?i:probably|likely|most\s+likely|most\s+probably|possibly|perhaps|maybe|definitely|clearly|certainly|indeed|still|then|therefore|thus))?"
# Further letters listed in the same statement ("(A) and (D)", "A, C or D"); "B, C is wrong" lists only B.
_LISTED = (
    r"(?P<more>(?:(?:(?:\s*(?:,|;|/|&|(?i:and/or|and|or)\b))+\s*(?i:(?:maybe|perhaps|possibly|probably|even)\s+)?|(?<=\))\s*(?=\())"
    + _OPENERS + r"\s*(?i:option\s+|choice\s+)?\(?[@L@]\)?" + _END
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
    ChoiceRule("answer statement", _CUE + _HEDGE + r"\s*" + _OPENERS + r"\s*(?i:option|choice)?\s*\(?(?P<L>[@L@])\)?" + _END + _NOT_PRONOUN + _LISTED),
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
        offset = text.rfind(haystack) if haystack is not text else 0
        out.append((m.start("L") + offset, m.end() + offset, (m.group("L"), *_LIST_LETTERS.findall(more))))
    return out


def _decide(rule: ChoiceRule, found: list[_Match], text: str) -> Extraction:
    chosen = _chain(rule, found, len(found) - 1, text)
    distinct = tuple(dict.fromkeys(letter for _, _, named in chosen for letter in named))
    return Extraction(distinct[0] if len(distinct) == 1 else None, rule.name, distinct)


def _chain(rule: ChoiceRule, found: list[_Match], i: int, text: str) -> list[_Match]:
    """``found[i]`` with the earlier runs joined to it by connectives only (``BBBBB or maybe DDDDD``)."""
    chosen = [found[i]]
    if rule.scope == "chain":
        for earlier in reversed(found[:i]):
            if not _CONNECTIVE.fullmatch(text[earlier[1] : chosen[0][0]]):
                break
            chosen.insert(0, earlier)
    return chosen


_LETTER = _OPENERS + r"\s*(?i:option\s+|choice\s+)?\(?(?P<L>[@L@])\)?" + _END + _NOT_PRONOUN + r"(?!(?<=I)['’])"  # not "I'll"
# After a correction cue: "it's (C)", "I'll go with D", "(D) is the correct one", "No - D."
_RESTATED_LETTER = (
    r"(?i:\b(?:it|that|this|answer|choice|option)(?:'s|’s|\s+is|\s+should\s+be|\s+must\s+be|\s+would\s+be)"
    r"|\b(?:go(?:ing)?\s+with|pick|choose|select)|\bshould\s+be|\bmust\s+be)\s*[:=]?\s*" + _LETTER
)
_LETTER_IS_RIGHT = (
    _NOT_LETTER
    + r"(?i:option\s+|choice\s+)?\(?(?P<L>[@L@])\)?"
    + _END
    + r"\s+(?i:is|must\s+be|should\s+be)\s+(?i:(?:actually|really|clearly|definitely|indeed|probably|the|more)\s+)*"
    + r"(?i:correct|right|best|better|answer)\b"
)
_LEADING_LETTER = (
    r"[ \t,;:!.—–-]*(?:(?P<hedge>(?i:maybe|perhaps|probably|possibly))[ \t,:]+|(?i:rather|instead|make\s+that|i\s+meant?|it'?s|it\s+is)[ \t,:]+)?"
    + _LETTER + r"(?!\)?\s+(?:is|was|seems|does|has)\b)"
)
# An alternative offered after an answer: "but it could also be (D)"
_HEDGED_LETTER = r"(?i:\b(?:could|might|may)\s+(?:also\s+|well\s+|even\s+)?be)\s*" + _LETTER
# A letter named after a correction cue that follows the last statement ("Wait - (D) fits better").
_NAMED_LETTER = (
    r"\*\*\s*\(?(?P<L>[@L@])\)?\s*\*\*|\((?P<L2>[@L@])\)|" + _NOT_LETTER + r"(?P<L3>[@L@])(?P=L3){2,}" + _END
    + r"|" + _NOT_LETTER + r"(?P<L4>[@L@])(?=[.!?]?[ \t]*(?:\n|$)|[.!?)][ \t])"  # "maybe D." / "D" ending a line
)
_STATEMENT_RULES = ("letter repeated", "answer statement", "boxed letter")
_LAST_LINE = next(r for r in MCQ_RULES if r.name == "last line letter")


def _letter_statements(text: str, letters: str, strict: ChoiceRule | None) -> list[Statement]:
    """Every place the response states letters: runs (chained), answer statements not in a hypothetical, boxes."""
    statements = []
    for rule in MCQ_RULES:
        if rule.name not in _STATEMENT_RULES:
            continue
        rule = strict if strict is not None and rule.name == "letter repeated" else rule
        found = _matches(rule, text, letters)
        i = len(found) - 1
        while i >= 0:
            chosen = _chain(rule, found, i, text)
            start, end = chosen[0][0], chosen[-1][1]
            named = tuple(dict.fromkeys(letter for _, _, ls in chosen for letter in ls))
            if rule.name != "answer statement" or not is_hypothetical(text, start, start + 1, end + 80):
                statements.append(Statement(start, end, named, rule.name))
            i -= len(chosen)
    if statements and strict is None:  # "The answer is (B).\n\nD": a letter alone on the last line states it too
        statements += [Statement(a, b, named, _LAST_LINE.name) for a, b, named in _matches(_LAST_LINE, text, letters)]
    return statements


def _later_letters(text: str, letters: str, after: int) -> list[Statement]:
    """Letters stated after the first statement: hedged alternatives, "(D) is the correct one", and restatements
    after a correction cue."""
    found = [
        Statement(m.start("L"), m.end(), (m.group("L"),), "alternative offered", hedged=True)
        for m in _compiled(_HEDGED_LETTER, letters).finditer(text, after)
    ]
    found += [Statement(m.start("L"), m.end(), (m.group("L"),), "letter called right") for m in _compiled(_LETTER_IS_RIGHT, letters).finditer(text, after)]
    cue = first_cue(text, after)
    if cue is None:
        return found
    found += [Statement(m.start("L"), m.end(), (m.group("L"),), "restated") for m in _compiled(_RESTATED_LETTER, letters).finditer(text, cue.start())]
    leading = _compiled(_LEADING_LETTER, letters)
    for c in CORRECTION_CUE.finditer(text, cue.start()):
        if (m := leading.match(text, c.end())) is not None:
            hedged = m.group("hedge") is not None
            found.append(Statement(m.start("L"), m.end(), (m.group("L"),), "offered as a possibility" if hedged else "restated", hedged=hedged))
    return found


def find_choice(text: str, letters: str = "ABCDEFGHIJ", *, repeat: int | None = None) -> Extraction:
    """The letter a response chooses as its final answer.

    Statements are letter runs (``CCCCC``; with ``repeat``, only runs of at least ``repeat`` letters), answer
    statements ("the answer is (C)", not in a hypothetical such as "the answer is (A) if we ignore friction") and
    ``\\boxed{C}``. The final committed statement decides (``judgebench.grading.final_answer.commit``): a later statement
    after a correction cue ("Wait, actually, ... it's (C)", "No - D", "on reflection the better choice is D")
    replaces an earlier one; statements that disagree with no correction between them ("The best answer is C.
    BBBBB") are no single answer, as are alternatives offered after the answer ("but it could also be (D)") and a
    different letter named after a correction cue that follows the last statement. With no statement, the first of
    the remaining rules of ``MCQ_RULES`` that matches decides (its last match).

    Args:
        text: the response.
        letters: the allowed choice letters.
        repeat: strict format: only a letter written at least ``repeat`` times in a row is an answer (JudgeBench's
            MMLU-Pro prompt asks for the letter five times, and its labels treat "CCCC" as no answer); a run that a
            later statement in another form corrects or contradicts is no single answer. ``None``: every rule.

    Returns:
        The extraction; ``candidates`` holds two or more letters when the response names several (a statement
        listing ``(A) and (D)``, runs offered together, statements that disagree).
    """
    strict = None
    if repeat is not None:
        strict = ChoiceRule(f"letter repeated {repeat}+ times", _NOT_LETTER + r"(?P<L>[@L@])(?P=L){" + str(repeat - 1) + ",}", "chain")
    statements = _letter_statements(text, letters, strict)
    if strict is not None and not any(s.rule == strict.name for s in statements):
        return Extraction(None, f"no letter repeated {repeat}+ times")
    if statements:
        first = min(statements, key=lambda s: s.start)
        decided = commit(text, statements + _later_letters(text, letters, first.end))
        assert decided is not None
        answers, how = list(decided.answers), decided.describe()
        cue = first_cue(text, decided.last.end)
        if cue is not None and len(answers) == 1:
            named = [next(g for g in m.groups() if g) for m in _compiled(_NAMED_LETTER, letters).finditer(text, cue.start())]
            if named and named[-1] not in answers:
                answers.append(named[-1])
                how += f", then {' '.join(cue.group().split())!r} and a later mention of {named[-1]}"
        if strict is not None and decided.last.rule != strict.name and len(answers) == 1:
            earlier = [s for s in statements if s.rule == strict.name]
            answers = list(dict.fromkeys([*earlier[-1].answers, *answers]))
            how += f"; the strict format needs a letter written {repeat} times"
        chosen = [str(a) for a in answers]
        return Extraction(chosen[0] if len(chosen) == 1 else None, how, tuple(chosen))
    for rule in MCQ_RULES:
        if rule.name in _STATEMENT_RULES:
            continue
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
    return verdict("mcq", found.answer, ref, found.answer == ref, found.rule)
