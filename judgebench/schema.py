"""Core records: pairs, decisions, judgments and per-pair results.

Records are frozen dataclasses; dicts appear only at the JSON boundary (``to_dict`` / ``from_dict``).
This module does no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Literal

Game = Literal[1, 2]


class Decision(StrEnum):
    """A pairwise verdict, always in the order the responses were *shown*, unless stated otherwise.

    ``NONE`` means "no decision": the call failed or the output could not be parsed. It is never a tie.
    """

    A_BETTER = "A>B"
    B_BETTER = "B>A"
    TIE = "A=B"
    NONE = "none"

    def flipped(self) -> Decision:
        """The same verdict seen from the swapped order: ``A>B`` <-> ``B>A``; ties and no-decisions stay."""
        if self is Decision.A_BETTER:
            return Decision.B_BETTER
        if self is Decision.B_BETTER:
            return Decision.A_BETTER
        return self

    @classmethod
    def parse(cls, value: Any) -> Decision:
        """Read a decision from JSON: one of ``A>B``, ``B>A``, ``A=B``; ``None``/``"none"`` -> ``NONE``.

        Raises:
            ValueError: for anything else, naming the accepted values.
        """
        if value is None:
            return cls.NONE
        if isinstance(value, Decision):
            return value
        if isinstance(value, str):
            try:
                return cls(value.strip())
            except ValueError:
                pass
        raise ValueError(f"unknown decision {value!r}; expected one of 'A>B', 'B>A', 'A=B' or null")


LABELS: tuple[Decision, ...] = (Decision.A_BETTER, Decision.B_BETTER, Decision.TIE)
"""Decisions that are valid as a pair's ground-truth label."""


@dataclass(frozen=True, slots=True)
class Pair:
    """Two responses to one question, with the objectively better one as ``label``."""

    pair_id: str
    question: str
    response_A: str
    response_B: str
    label: Decision
    source: str = ""
    original_id: str = ""
    response_model: str = ""
    metadata: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)

    def to_dict(self) -> dict[str, Any]:
        return {
            "pair_id": self.pair_id,
            "question": self.question,
            "response_A": self.response_A,
            "response_B": self.response_B,
            "label": str(self.label),
            "source": self.source,
            "original_id": self.original_id,
            "response_model": self.response_model,
            "metadata": dict(self.metadata),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Pair:
        """Build a pair from a validated dict (see ``pairs.validate_pair_dict`` for user input)."""
        known = {"pair_id", "question", "response_A", "response_B", "label", "source", "original_id", "response_model"}
        meta = dict(d.get("metadata") or {})
        return cls(
            pair_id=str(d["pair_id"]),
            question=d["question"],
            response_A=d["response_A"],
            response_B=d["response_B"],
            label=Decision.parse(d["label"]),
            source=str(d.get("source") or ""),
            original_id=str(d.get("original_id") if d.get("original_id") is not None else ""),
            response_model=str(d.get("response_model") or ""),
            metadata=meta | {k: v for k, v in d.items() if k not in known and k != "metadata"},
        )

    def swapped(self) -> tuple[str, str]:
        """Responses in game-2 order: (B, A)."""
        return self.response_B, self.response_A


NO_MODEL_NAMES = frozenset({"", "none", "?", "n/a", "null", "not a run"})
"""Model names that mean "no model" (baseline judges record ``none``; reference rows ``not a run``)."""


def is_model_name(name: str | None) -> bool:
    """Whether ``name`` names a real model/system (not empty, ``none``, ``?``, ...: see ``NO_MODEL_NAMES``)."""
    return name is not None and name.strip().lower() not in NO_MODEL_NAMES


def response_models_label(values: Iterable[str]) -> str:
    """One label for the ``response_model`` of a whole set of pairs, never one row's value standing for all.

    Returns:
        ``""`` when no pair names its response model, the one value when every pair that names one names the
        same, else ``"mixed (K models)"`` (``K`` distinct values; a pair made from two generators, e.g.
        ``"175b_verification,6b_verification"``, counts as one value).
    """
    distinct = sorted({v for v in values if v})
    if not distinct:
        return ""
    return distinct[0] if len(distinct) == 1 else f"mixed ({len(distinct)} models)"


@dataclass(frozen=True, slots=True)
class Usage:
    """Token usage and cost of the model calls behind one judgment."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    cached_calls: int = 0
    cost_usd: float = 0.0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.calls + other.calls,
            self.cached_calls + other.cached_calls,
            self.cost_usd + other.cost_usd,
        )


ScoreKind = Literal["reward", "chars", "rating", "logit"]
"""What a judgment's ``scores`` are, one value per response in the order shown:

* ``reward``: a reward model's scalar rewards; their difference is a *reward margin*, unbounded and on each
  model's own scale, so not a probability (a Bradley-Terry reading ``sigmoid(margin)`` is a modelling assumption
  that scale, temperature and offset of each model break);
* ``chars``: response lengths in characters (the ``longer`` / ``shorter`` baselines);
* ``rating``: a judge's ratings on its own scale (JudgeLM's and FairEval's 1-10 score pairs);
* ``logit``: raw logits of the two verdict tokens.

Score margins only *rank* judgments (accuracy vs coverage, AUROC); only ``Judgment.confidence`` is a probability.
"""

SCORE_KINDS: dict[str, str] = {
    "reward": "reward margins",
    "chars": "length differences in characters",
    "rating": "rating differences",
    "logit": "logit differences",
}
"""Each score kind, named as its margin ``|s_A - s_B|`` reads in reports."""

LEGACY_SCORE_KINDS: dict[str, ScoreKind] = {"reward_model": "reward", "longer": "chars", "shorter": "chars", "judgelm": "rating", "pairwise_score": "rating"}
"""Score kinds of judgments written before ``score_kind`` was recorded, by judge name (the part before ``@``)."""


def legacy_score_kind(judge: str) -> ScoreKind | None:
    """The score kind the judge named ``judge`` (a registry name or results label such as ``judgelm@bpc=true``)
    wrote before kinds were recorded; ``None`` when unknown. JudgeBench's released reward-model files name their
    judge ``reward_model`` too."""
    return LEGACY_SCORE_KINDS.get(judge.split("@", 1)[0].strip())


@dataclass(frozen=True, slots=True)
class Judgment:
    """One judge verdict on one ordering of a pair, with everything the judge produced.

    ``decision`` is in the order shown (game 2 is *not* flipped back here; ``scoring`` does that).
    A failed call has ``decision=NONE`` and ``error`` set; an unparseable output has ``decision=NONE``,
    ``error=None`` and the raw ``output`` kept.

    ``confidence`` is a *probability* in [0, 1] that the verdict is right, and is set only when the judge gives
    one (the verdict token's probability from logprobs, or a probability the judge states). Anything else that
    orders judgments by strength (a reward margin, a length difference, a rating gap) lives in ``scores`` with
    its ``score_kind`` (see ``ScoreKind``) and is never read as a probability.

    Raises:
        ValueError: for a ``confidence`` outside [0, 1] (or NaN), or an unknown ``score_kind``.
    """

    decision: Decision
    game: Game = 1
    prompt: str = ""
    output: str = ""
    scores: tuple[float, ...] | None = None
    error: str | None = None
    confidence: float | None = None
    usage: Usage = field(default_factory=Usage)
    extra: dict[str, Any] = field(default_factory=dict)
    score_kind: ScoreKind | None = None

    def __post_init__(self) -> None:
        c = self.confidence
        if c is not None and (isinstance(c, bool) or not isinstance(c, (int, float)) or not 0.0 <= c <= 1.0):
            raise ValueError(
                f"confidence must be a probability in [0, 1], got {c!r}; a margin or other unbounded score goes in "
                "scores with a score_kind (reward, chars, rating, logit)"
            )
        if self.score_kind is not None and self.score_kind not in SCORE_KINDS:
            raise ValueError(f"unknown score_kind {self.score_kind!r}; expected one of {', '.join(SCORE_KINDS)}")

    @property
    def is_failed(self) -> bool:
        return self.error is not None

    def with_game(self, game: Game) -> Judgment:
        from dataclasses import replace

        return replace(self, game=game)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "decision": str(self.decision),
            "game": self.game,
            "prompt": self.prompt,
            "output": self.output,
            "scores": list(self.scores) if self.scores is not None else None,
            "error": self.error,
            "confidence": self.confidence,
            "usage": asdict(self.usage),
        }
        if self.score_kind is not None:
            d["score_kind"] = self.score_kind
        if self.extra:
            d["extra"] = self.extra
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], *, judge: str = "") -> Judgment:
        """Read a judgment from JSON; ``judge`` (the run's judge label) types judgments written before
        ``score_kind`` existed: their scores get the judge's kind (``LEGACY_SCORE_KINDS``), and a
        ``reward_model`` judgment's ``confidence``, which then held the raw score margin ``|s_A - s_B|`` and
        never a probability, is dropped (the margin stays readable from ``scores``).

        Raises:
            ValueError: for a malformed value (see the class docstring).
        """
        scores = d.get("scores")
        confidence = d.get("confidence")
        kind = d.get("score_kind")
        if "score_kind" not in d:  # written before score kinds: type it by the judge that wrote it
            legacy = legacy_score_kind(judge)
            kind = legacy if scores is not None else None
            if legacy == "reward":
                confidence = None
        return cls(
            decision=Decision.parse(d.get("decision")),
            game=int(d.get("game", 1)),  # type: ignore[arg-type]
            prompt=d.get("prompt") or "",
            output=d.get("output") or "",
            scores=tuple(float(s) for s in scores) if scores is not None else None,
            error=d.get("error"),
            confidence=confidence,
            usage=Usage(**(d.get("usage") or {})),
            extra=d.get("extra") or {},
            score_kind=kind,
        )


@dataclass(frozen=True, slots=True)
class PairResult:
    """One line of ``judgments.jsonl``: a pair and its one or two judgments (game 1 = (A, B), game 2 = (B, A))."""

    pair: Pair
    judge: str
    model: str
    games: tuple[Judgment, ...]

    @property
    def pair_id(self) -> str:
        return self.pair.pair_id

    def to_dict(self) -> dict[str, Any]:
        return {
            "pair_id": self.pair.pair_id,
            "judge": self.judge,
            "model": self.model,
            "pair": self.pair.to_dict(),
            "games": [g.to_dict() for g in self.games],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PairResult:
        return cls(
            pair=Pair.from_dict(d["pair"]),
            judge=d["judge"],
            model=d["model"],
            games=tuple(Judgment.from_dict(g, judge=str(d["judge"])) for g in d["games"]),
        )
