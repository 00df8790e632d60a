"""What every grader returns: a ``Grade`` (correct, extracted answer, reason) and, for text graders, the ``Extraction``
their rules produced. See ``judgebench.grading`` for the graders.

``Grade.correct`` is three-valued: ``True`` (one answer, matching the reference), ``False`` (one other answer, or
none: then ``extracted`` is ``None``) and ``None`` (no single answer: several different answers, or for code no
verdict because the tests themselves could not run). Pairing treats ``None`` as neither correct nor incorrect.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

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


def verdict(kind: str, extracted: str | None, reference: str, correct: bool, how: str, **details: Any) -> Grade:
    """The grade of one extracted answer (``None``: no answer found) compared with ``reference``; ``how`` names the rule."""
    if extracted is None:
        return Grade(kind, False, None, reference, f"no answer found ({how})", details)
    word = "matches" if correct else "does not match"
    return Grade(kind, correct, extracted, reference, f"{how}: {extracted!r} {word} {reference!r}", details)
