"""Core records: items (N responses and a typed target), pairs (today's two-response file format), decisions,
judgments and per-item results.

Records are frozen dataclasses; dicts appear only at the JSON boundary (``to_dict`` / ``from_dict``).
This module does no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any, ClassVar, Literal

Game = int
"""Which view of an item a judgment is on, counted from 1 (for a pair judged in both orders: 1 = (A, B), 2 = (B, A))."""

SCHEMA_VERSION = 2
"""Version of a ``judgments.jsonl`` line. 2: ``item`` + ``judgments`` with views. Lines without ``schema_version``
(``pair`` + ``games``, judgebench before items) are version 1 and stay readable."""


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
            found = _DECISIONS.get(value)  # the common case, a value as written, without the enum's slower lookup
            if found is not None:
                return found
            try:
                return cls(value.strip())
            except ValueError:
                pass
        raise ValueError(f"unknown decision {value!r}; expected one of 'A>B', 'B>A', 'A=B' or null")


_DECISIONS: dict[str, Decision] = {d.value: d for d in Decision}
"""Each decision by its JSON value (``Decision.parse``'s fast path)."""

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
        """Build a pair from a validated dict (see ``pairs.validate_pair_dict`` for user input): the row's
        ``metadata``, then every key that is not a pair field, are the pair's metadata."""
        meta = dict(d.get("metadata") or {})
        for k, v in d.items():
            if k not in _PAIR_KEYS:
                meta[k] = v
        original_id = d.get("original_id")
        return cls(
            str(d["pair_id"]),
            d["question"],
            d["response_A"],
            d["response_B"],
            Decision.parse(d["label"]),
            str(d.get("source") or ""),
            str(original_id) if original_id is not None else "",
            str(d.get("response_model") or ""),
            meta,
        )


_PAIR_KEYS = frozenset({"pair_id", "question", "response_A", "response_B", "label", "source", "original_id", "response_model", "metadata"})
"""The keys of a pair row that are not metadata (``Pair.from_dict``)."""


NO_MODEL_NAMES = frozenset({"", "none", "?", "n/a", "null", "not a run"})
"""Model names that mean "no model" (baseline judges record ``none``; reference rows ``not a run``)."""


def is_model_name(name: str | None) -> bool:
    """Whether ``name`` names a real model/system (not empty, ``none``, ``?``, ...: see ``NO_MODEL_NAMES``)."""
    return name is not None and name.strip().lower() not in NO_MODEL_NAMES


def response_models_label(values: Iterable[str]) -> str:
    """One label for the ``response_model`` of a whole set of pairs, never one row's value standing for all.

    Returns:
        ``""`` when no pair names its response model, the one value when every pair that names one names the
        same, else ``"mixed (K models)"``: ``K`` distinct models, a pair made from two generators (a recipe's
        ``"175b_verification,6b_verification"``) naming each of them.
    """
    distinct = sorted({v for v in values if v})
    if not distinct:
        return ""
    if len(distinct) == 1:
        return distinct[0]
    models = {m.strip() for v in distinct for m in v.split(",") if m.strip()}
    return f"mixed ({len(models)} models)"


# ---------------------------------------------------------------------------------------------------------------
# items: what is judged (N >= 1 responses to one prompt) and what it is scored against (a typed target)

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True, slots=True)
class Turn:
    """One message of a multi-turn prompt."""

    role: Role
    content: str

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True, slots=True)
class Response:
    """One response of an item: its text, the model (system) that wrote it, and an id unique within the item."""

    text: str
    model: str = ""
    id: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "model": self.model, "id": self.id}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Response:
        return cls(d["text"], str(d.get("model") or ""), str(d.get("id") or ""))


@dataclass(frozen=True, slots=True)
class Preference:
    """A pairwise preference: ``winner`` is the index of the better response in ``Item.responses``; ``None`` is a
    tie. (JudgeBench, LLMBar, RewardBench v1: the chosen response.)"""

    winner: int | None
    type: ClassVar[str] = "preference"

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "winner": self.winner}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Preference:
        w = d.get("winner")
        return cls(None if w is None else int(w))

    @property
    def decision(self) -> Decision:
        """The preference between responses 0 and 1 as a pairwise label (``A>B``, ``B>A``, ``A=B``)."""
        return Decision.TIE if self.winner is None else Decision.A_BETTER if self.winner == 0 else Decision.B_BETTER

    @classmethod
    def from_decision(cls, label: Decision) -> Preference:
        """The preference a two-response pair's label states.

        Raises:
            ValueError: for ``Decision.NONE``, which is never a label.
        """
        if label is Decision.NONE:
            raise ValueError("a label is A>B, B>A or A=B, never 'none'")
        if cls is Preference:
            return _PREFERENCES[label]
        return cls(None if label is Decision.TIE else 0 if label is Decision.A_BETTER else 1)


_PREFERENCES: dict[Decision, Preference] = {Decision.A_BETTER: Preference(0), Decision.B_BETTER: Preference(1), Decision.TIE: Preference(None)}
"""The preference each label states (``Preference.from_decision``), built once: a preference is immutable."""


@dataclass(frozen=True, slots=True)
class BestOf:
    """Which responses are correct (best-of-K: RewardBench 2's one correct among four, RMB's best-of-N)."""

    correct: tuple[int, ...]
    type: ClassVar[str] = "best_of"

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "correct": list(self.correct)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> BestOf:
        return cls(tuple(int(i) for i in d["correct"]))


@dataclass(frozen=True, slots=True)
class Ratings:
    """Ratings of each response on a scale: ``values[dimension][response][rater]`` (``None``: not rated).

    One rater and one dimension (``overall``) is the common case; MT-Bench single-answer grades, Prometheus'
    1-5 scores and human Likert ratings fit it, several raters and named dimensions (helpfulness, accuracy, ...)
    extend it. ``scale`` is ``(low, high)``, inclusive.
    """

    values: dict[str, tuple[tuple[float | None, ...], ...]] = field(hash=False)
    scale: tuple[float, float]
    raters: tuple[str, ...] = ()
    type: ClassVar[str] = "ratings"

    def mean(self, response: int, dimension: str = "overall") -> float | None:
        """The mean rating of ``response`` on ``dimension`` over the raters who rated it (``None``: nobody did)."""
        got = [v for v in self.values[dimension][response] if v is not None]
        return sum(got) / len(got) if got else None

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "values": {k: [list(r) for r in v] for k, v in self.values.items()}, "scale": list(self.scale), "raters": list(self.raters)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Ratings:
        values = {str(k): tuple(tuple(None if x is None else float(x) for x in r) for r in v) for k, v in d["values"].items()}
        lo, hi = d["scale"]
        return cls(values, (float(lo), float(hi)), tuple(str(r) for r in d.get("raters") or ()))


@dataclass(frozen=True, slots=True)
class Votes:
    """One preference per rater (MT-Bench human judgments, PandaLM's three annotators)."""

    votes: tuple[Preference, ...]
    raters: tuple[str, ...] = ()
    type: ClassVar[str] = "votes"

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "votes": [v.winner for v in self.votes], "raters": list(self.raters)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Votes:
        return cls(tuple(Preference(None if w is None else int(w)) for w in d["votes"]), tuple(str(r) for r in d.get("raters") or ()))


@dataclass(frozen=True, slots=True)
class Ranking:
    """A full order of the responses, best first (indices into ``Item.responses``)."""

    order: tuple[int, ...]
    type: ClassVar[str] = "ranking"

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "order": list(self.order)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Ranking:
        return cls(tuple(int(i) for i in d["order"]))


Target = Preference | BestOf | Ratings | Votes | Ranking
TARGET_TYPES: dict[str, type[Preference] | type[BestOf] | type[Ratings] | type[Votes] | type[Ranking]] = {
    t.type: t for t in (Preference, BestOf, Ratings, Votes, Ranking)
}
"""Target classes by their JSON ``type``."""


def target_from_dict(d: dict[str, Any] | None) -> Target | None:
    """Read a target from JSON (``{"type": ..., ...}``); ``None`` stays ``None``.

    Raises:
        ValueError: for an unknown ``type``, naming the known ones.
    """
    if d is None:
        return None
    kind = d.get("type")
    if kind not in TARGET_TYPES:
        raise ValueError(f"unknown target type {kind!r}; expected one of {', '.join(TARGET_TYPES)}")
    return TARGET_TYPES[kind].from_dict(d)


def _check_target(target: Target | None, n: int, item_id: str) -> None:
    indices: tuple[int | None, ...] = ()
    if isinstance(target, Preference):
        indices = (target.winner,)
    elif isinstance(target, BestOf):
        indices = target.correct
    elif isinstance(target, Votes):
        indices = tuple(v.winner for v in target.votes)
    elif isinstance(target, Ranking):
        indices = target.order
        if sorted(target.order) != list(range(n)):
            raise ValueError(f"item {item_id!r}: a ranking orders every response once (0..{n - 1}), got {list(target.order)}")
    elif isinstance(target, Ratings):
        for dim, per_response in target.values.items():
            if len(per_response) != n:
                raise ValueError(f"item {item_id!r}: ratings on {dim!r} hold {len(per_response)} responses, the item has {n}")
    for i in indices:
        if i is not None and not 0 <= i < n:
            raise ValueError(f"item {item_id!r}: target names response {i}, but the item has {n} (0..{n - 1})")


@dataclass(frozen=True, slots=True)
class Item:
    """What is judged: one prompt, N >= 1 responses, and what they are scored against.

    Attributes:
        id: unique within a benchmark.
        prompt: the user's text, or a multi-turn chat (``Turn``s; the responses answer its last user turn).
        responses: the responses, each with its text, model and id.
        target: the ground truth, typed (``Preference``, ``BestOf``, ``Ratings``, ``Votes``, ``Ranking``);
            ``None`` for unlabelled items.
        category: the benchmark's category (section / subset) of the item, for per-category scores.
        source: where the item came from (JudgeBench's ``mmlu-pro-law``, LLMBar's ``Adversarial/GPTInst``).
        original_id: the id of the problem in its source dataset.
        reference: a reference answer a judge may use (Prometheus 2, JudgeLM), or ``None``.
        rubric: a scoring rubric a judge may use, or ``None``.
        metadata: anything else, kept and written back.

    Raises:
        ValueError: for an item without responses, or a target that names a response the item lacks.
    """

    id: str
    prompt: str | tuple[Turn, ...]
    responses: tuple[Response, ...]
    target: Target | None = None
    category: str = ""
    source: str = ""
    original_id: str = ""
    reference: str | None = None
    rubric: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)

    def __post_init__(self) -> None:
        if not self.responses:
            raise ValueError(f"item {self.id!r} has no responses; an item needs at least one")
        _check_target(self.target, len(self.responses), self.id)

    @property
    def question(self) -> str:
        """The prompt as one text: a text prompt as it is; a chat as a transcript of every turn, each
        ``User: ...`` / ``Assistant: ...`` / ``System: ...`` and separated by a blank line, so a judge that reads
        one question sees the whole conversation the responses continue (a judge that formats turns itself reads
        ``conversation``)."""
        if isinstance(self.prompt, str):
            return self.prompt
        return "\n\n".join(f"{t.role.capitalize()}: {t.content}" for t in self.prompt)

    @property
    def last_user_turn(self) -> str:
        """The text of the prompt's last user turn (the whole prompt when it is text)."""
        if isinstance(self.prompt, str):
            return self.prompt
        return next((t.content for t in reversed(self.prompt) if t.role == "user"), "")

    @property
    def conversation(self) -> tuple[Turn, ...]:
        """The prompt as turns (a text prompt is one user turn)."""
        return (Turn("user", self.prompt),) if isinstance(self.prompt, str) else self.prompt

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "prompt": self.prompt if isinstance(self.prompt, str) else [t.to_dict() for t in self.prompt],
            "responses": [r.to_dict() for r in self.responses],
            "target": self.target.to_dict() if self.target is not None else None,
            "category": self.category,
            "source": self.source,
            "original_id": self.original_id,
            "reference": self.reference,
            "rubric": self.rubric,
            "metadata": dict(self.metadata),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Item:
        """Read an item from JSON (``to_dict``'s shape).

        Raises:
            KeyError / ValueError / TypeError: for a malformed item.
        """
        prompt = d["prompt"]
        get = d.get
        return cls(
            str(d["id"]),
            prompt if isinstance(prompt, str) else tuple(Turn(t["role"], t["content"]) for t in prompt),
            tuple(map(Response.from_dict, d["responses"])),
            target_from_dict(get("target")),
            str(get("category") or ""),
            str(get("source") or ""),
            str(get("original_id") or ""),
            get("reference"),
            get("rubric"),
            dict(get("metadata") or {}),
        )

    @classmethod
    def from_pair(cls, pair: Pair, *, category: str = "") -> Item:
        """The two-response item of a pair (today's pair format): responses ``A`` and ``B`` (both written by the
        pair's ``response_model``), target ``Preference`` from the label. ``to_pair`` gives the pair back."""
        model = pair.response_model
        return cls(
            pair.pair_id,
            pair.question,
            (Response(pair.response_A, model, "A"), Response(pair.response_B, model, "B")),
            Preference.from_decision(pair.label),
            category,
            pair.source,
            pair.original_id,
            None,
            None,
            dict(pair.metadata),
        )

    def as_pair(self) -> Pair:
        """The pair this item is for pairwise analyses: ``to_pair``, except that a chat prompt becomes its transcript
        (``question``), so analyses that read a pair's question and responses work on multi-turn items too.

        Raises:
            ValueError: for an item without exactly two responses or a target other than a ``Preference``.
        """
        if isinstance(self.prompt, str):
            return self.to_pair()
        from dataclasses import replace

        return replace(self, prompt=self.question).to_pair()

    def to_pair(self) -> Pair:
        """The pair this two-response item is (the inverse of ``from_pair``).

        Raises:
            ValueError: for an item without exactly two responses, a chat prompt, or a target other than a
                ``Preference``.
        """
        if len(self.responses) != 2 or not isinstance(self.prompt, str) or not isinstance(self.target, Preference):
            raise ValueError(f"item {self.id!r} is not a pair (two responses to a text prompt with a preference target)")
        a, b = self.responses
        models = {a.model, b.model} - {""}
        return Pair(
            pair_id=self.id,
            question=self.prompt,
            response_A=a.text,
            response_B=b.text,
            label=self.target.decision,
            source=self.source,
            original_id=self.original_id,
            response_model=models.pop() if len(models) == 1 else ",".join(sorted(models)),
            metadata=dict(self.metadata),
        )


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

    def to_dict(self) -> dict[str, Any]:
        """The usage as JSON: ``prompt_tokens``, ``completion_tokens``, ``calls``, ``cached_calls``, ``cost_usd``, in
        that order (what ``dataclasses.asdict`` gives, without its deep copy)."""
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "calls": self.calls,
            "cached_calls": self.cached_calls,
            "cost_usd": self.cost_usd,
        }


NO_USAGE = Usage()
"""The usage of a judgment that made no model call: one shared instance (a ``Usage`` is immutable)."""

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
    """One judge verdict on one view of an item, with everything the judge produced.

    ``view`` is the responses the judge was shown, as indices into ``Item.responses`` in the order shown;
    ``game`` numbers the item's views from 1. ``decision`` is in the order shown: the protocol's ``combine``
    (``judgebench.protocols``) reads it back into the item's frame, and nothing else does. Judgments written before
    views existed have ``view=None``; their ``shown`` is read from the game (1 = (0, 1), 2 = (1, 0)).
    The verdict is typed by the judge's kind: a pairwise judge sets ``decision``; a pointwise judge ``rating`` (its
    score of the one response shown, on its scale; ``decision`` stays ``NONE``); a listwise judge ``choice`` (the
    position, from 0, of the best response in the order shown) and/or ``ranking`` (positions in the order shown,
    best first). ``has_verdict`` says whether any is set.
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
    usage: Usage = NO_USAGE  # immutable: one shared instance instead of a new one per judgment
    extra: dict[str, Any] = field(default_factory=dict)
    score_kind: ScoreKind | None = None
    view: tuple[int, ...] | None = None
    rating: float | None = None
    choice: int | None = None
    ranking: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        c = self.confidence
        if c is not None and (isinstance(c, bool) or not isinstance(c, (int, float)) or not 0.0 <= c <= 1.0):
            raise ValueError(
                f"confidence must be a probability in [0, 1], got {c!r}; a margin or other unbounded score goes in "
                "scores with a score_kind (reward, chars, rating, logit)"
            )
        r = self.rating
        if r is not None and (isinstance(r, bool) or not isinstance(r, (int, float)) or r != r or r in (float("inf"), float("-inf"))):
            raise ValueError(f"rating must be a finite number, got {r!r}; a NaN or infinite score is a failed judgment (error=...), never a verdict")
        if self.score_kind is not None and self.score_kind not in SCORE_KINDS:
            raise ValueError(f"unknown score_kind {self.score_kind!r}; expected one of {', '.join(SCORE_KINDS)}")

    @property
    def is_failed(self) -> bool:
        return self.error is not None

    @property
    def has_verdict(self) -> bool:
        """Whether the judgment holds a verdict of any kind (a decision other than ``NONE``, a rating, a choice or a
        ranking) and did not fail."""
        if self.error is not None:
            return False
        return self.decision is not Decision.NONE or self.rating is not None or self.choice is not None or self.ranking is not None

    @property
    def shown(self) -> tuple[int, ...]:
        """The responses shown, as indices into ``Item.responses``: ``view``, or for a judgment written before
        views, its game's order ((0, 1) for game 1, (1, 0) for game 2)."""
        if self.view is not None:
            return self.view
        return (0, 1) if self.game == 1 else (1, 0)

    def on_view(self, game: Game, view: tuple[int, ...]) -> Judgment:
        """This judgment as the ``game``-th view of its item, showing ``view`` (``dataclasses.replace`` of those two
        fields, spelled out: it runs once per judgment of a run)."""
        return type(self)(
            self.decision, game, self.prompt, self.output, self.scores, self.error, self.confidence, self.usage, self.extra, self.score_kind, tuple(view), self.rating, self.choice, self.ranking
        )

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "decision": str(self.decision),
            "game": self.game,
            "prompt": self.prompt,
            "output": self.output,
            "scores": list(self.scores) if self.scores is not None else None,
            "error": self.error,
            "confidence": self.confidence,
            "usage": self.usage.to_dict(),
        }
        if self.score_kind is not None:
            d["score_kind"] = self.score_kind
        if self.view is not None:
            d["view"] = list(self.view)
        if self.rating is not None:
            d["rating"] = self.rating
        if self.choice is not None:
            d["choice"] = self.choice
        if self.ranking is not None:
            d["ranking"] = list(self.ranking)
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
        get = d.get
        if "decision" not in d:
            raise ValueError("missing field 'decision' (a judgment always records one: 'none' when it gave none)")
        error = get("error")
        if error is not None and not isinstance(error, str):
            raise ValueError(f"field 'error' must be a message (text) or null, got {error!r}")
        if error is not None and (get("decision") not in (None, "none") or any(get(k) is not None for k in ("rating", "choice", "ranking"))):
            raise ValueError(f"a failed judgment (error {error[:80]!r}) carries no verdict, but this one records decision {get('decision')!r}")
        scores = get("scores")
        confidence = get("confidence")
        kind = get("score_kind")
        if "score_kind" not in d:  # written before score kinds: type it by the judge that wrote it
            legacy = legacy_score_kind(judge)
            kind = legacy if scores is not None else None
            if legacy == "reward":
                confidence = None
        usage = get("usage")
        view, rating, choice, ranking = get("view"), get("rating"), get("choice"), get("ranking")
        return cls(
            Decision.parse(get("decision")),
            int(get("game", 1)),
            get("prompt") or "",
            get("output") or "",
            tuple(map(float, scores)) if scores is not None else None,
            error,
            confidence,
            Usage(**usage) if usage else NO_USAGE,
            get("extra") or {},
            kind,
            tuple(map(int, view)) if view is not None else None,
            float(rating) if rating is not None else None,
            int(choice) if choice is not None else None,
            tuple(map(int, ranking)) if ranking is not None else None,
        )


@dataclass(frozen=True)
class ItemResult:
    """One line of ``judgments.jsonl``: an item and its judgments, one per view, under one protocol.

    Attributes:
        item: what was judged.
        judge: the judge's label (registry name, with its options).
        model: the judge's model (``none`` for baselines).
        judgments: one per view, in the order the protocol planned them (``Judgment.game`` 1, 2, ...).
        protocol: the protocol's description (``pairwise(orders=both, pairs=all)``).

    A two-response item with a preference is a pair: ``pair`` gives it in today's pair format, and ``games`` names
    the judgments as pairwise analyses (position bias, length bias) know them.
    """

    item: Item
    judge: str
    model: str
    judgments: tuple[Judgment, ...]
    protocol: str = "pairwise(orders=both, pairs=all)"

    @classmethod
    def of_pair(cls, pair: Pair, judge: str, model: str, games: Iterable[Judgment], *, category: str = "", protocol: str = "") -> ItemResult:
        """The result of judging a pair (``Item.from_pair``) with ``games`` (game 1 = (A, B), game 2 = (B, A))."""
        games = tuple(games)
        if not protocol:
            protocol = "pairwise(orders=both, pairs=all)" if len(games) != 1 else "pairwise(orders=first, pairs=all)"
        return cls(Item.from_pair(pair, category=category), judge, model, games, protocol)

    @property
    def item_id(self) -> str:
        return self.item.id

    @property
    def pair_id(self) -> str:
        """The item's id (its ``pair_id`` when it is a pair)."""
        return self.item.id

    @cached_property
    def pair(self) -> Pair:
        """The item as pairwise analyses read it (``Item.as_pair``).

        Raises:
            ValueError: for an item that is not two responses with a preference.
        """
        return self.item.as_pair()

    @property
    def games(self) -> tuple[Judgment, ...]:
        """The judgments (a pair's games)."""
        return self.judgments

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "item_id": self.item.id,
            "judge": self.judge,
            "model": self.model,
            "protocol": self.protocol,
            "item": self.item.to_dict(),
            "judgments": [g.to_dict() for g in self.judgments],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ItemResult:
        """Read a line of ``judgments.jsonl``: version 2 (``item`` + ``judgments``) or version 1 (``pair`` +
        ``games``, before items; its judgments get the views of their games).

        Raises:
            KeyError / ValueError / TypeError: for a malformed line; ValueError for a newer ``schema_version``.
        """
        version = d.get("schema_version", 1)
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise ValueError(f"judgments written by a newer judgebench (schema_version {version!r}; this one reads up to {SCHEMA_VERSION}): upgrade judgebench")
        judge = str(d["judge"])
        if "item" in d:
            return cls(Item.from_dict(d["item"]), judge, d["model"], tuple(Judgment.from_dict(g, judge=judge) for g in d["judgments"]), str(d.get("protocol") or ""))
        games = tuple(Judgment.from_dict(g, judge=judge) for g in d["games"])
        return cls.of_pair(Pair.from_dict(d["pair"]), judge, d["model"], (g if g.view is not None else g.on_view(g.game, g.shown) for g in games))
