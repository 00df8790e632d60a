"""Turn graded responses into challenging pairs: one correct and one incorrect answer to the same problem.

The JudgeBench recipe: for each problem on which a generator was inconsistent (some of its responses correct,
some not), pair a correct response with an incorrect one from the same generator, so that style and length give
a judge no hint. ``across_generators=True`` pairs responses of different generators within a problem instead
(for data with one response per generator, such as OpenAI's GSM8K example solutions).

Order of operations per group (one problem, and one generator unless ``across_generators``):
1. drop responses with no extractable answer (``drop_unanswered``; such a response is "incorrect" only because
   the grader found nothing, which a judge could spot without solving the problem); a response with no single
   answer (``Grade.correct is None``, e.g. "3 or 4") has no extracted answer either, and is never paired;
2. drop near-duplicates (``dedupe``): responses whose normalized text (``normalize_text``) equals an earlier one's;
3. pair correct x incorrect in a fixed, seeded order that spreads pairs over distinct responses, up to
   ``max_pairs_per_problem``.
Finally the correct response's position is assigned over *all* pairs: a seeded shuffle puts it at A in exactly
half of them (``floor(n/2)``) and at B in the rest, so the labels are balanced overall.

Each pair's ``pair_id`` is a UUID5 of its provenance (source, problem, generators, sample indices and a hash of
both texts), so the same inputs always give the same ids.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..grading import Grade
from ..schema import Decision, Pair

PAIR_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "judgebench/pairs")


@dataclass(frozen=True)
class GradedResponse:
    """One response to one problem, with its grade and where it came from."""

    problem_id: str
    source: str
    question: str
    text: str
    generator: str
    grade: Grade
    sample_index: int = 0
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "problem_id": self.problem_id,
            "source": self.source,
            "generator": self.generator,
            "sample_index": self.sample_index,
            "params": self.params,
            "question": self.question,
            "response": self.text,
            "grade": self.grade.to_dict(),
        }


@dataclass(frozen=True)
class PairingOptions:
    """How pairs are made (see the module docstring)."""

    max_pairs_per_problem: int = 1
    drop_unanswered: bool = True
    dedupe: bool = True
    across_generators: bool = False
    seed: int = 0

    def __post_init__(self) -> None:
        if self.max_pairs_per_problem < 1:
            raise ValueError(f"max_pairs_per_problem must be >= 1, got {self.max_pairs_per_problem}")


@dataclass(frozen=True)
class PairingStats:
    """Counts from one pairing pass."""

    groups: int = 0
    mixed_groups: int = 0
    dropped_unanswered: int = 0
    dropped_duplicates: int = 0
    pairs: int = 0
    correct_at_a: int = 0


_MARKUP = re.compile(r"[*_`#>|~\\]+")
_SPACE = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """Lowercase, without Markdown emphasis/heading/code marks, with whitespace collapsed: near-identical
    responses (differing only in formatting or spacing) normalize to the same string."""
    return _SPACE.sub(" ", _MARKUP.sub("", text.lower())).strip()


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _filtered(group: Sequence[GradedResponse], opts: PairingOptions, counts: dict[str, int]) -> list[GradedResponse]:
    kept: list[GradedResponse] = []
    seen: set[str] = set()
    for r in group:
        if opts.drop_unanswered and not r.grade.has_answer:
            counts["dropped_unanswered"] += 1
            continue
        if opts.dedupe:
            key = normalize_text(r.text)
            if key in seen:
                counts["dropped_duplicates"] += 1
                continue
            seen.add(key)
        kept.append(r)
    return kept


def _spread(correct: list[GradedResponse], incorrect: list[GradedResponse]) -> list[tuple[GradedResponse, GradedResponse]]:
    """Correct x incorrect combinations ordered so that early pairs reuse responses as little as possible.

    Two responses with the same text never make a pair (possible only without ``dedupe``, with a flaky grader).
    """
    combos = sorted(itertools.product(range(len(correct)), range(len(incorrect))), key=lambda ij: (max(ij), ij[0] + ij[1], ij))
    return [(correct[i], incorrect[j]) for i, j in combos if correct[i].text != incorrect[j].text]


def pair_id(source: str, problem_id: str, correct: GradedResponse, incorrect: GradedResponse) -> str:
    """UUID5 of the pair's provenance; independent of A/B placement."""
    key = json.dumps([source, problem_id, correct.generator, correct.sample_index, _text_hash(correct.text), incorrect.generator, incorrect.sample_index, _text_hash(incorrect.text)])
    return str(uuid.uuid5(PAIR_NAMESPACE, key))


def make_pairs(responses: Iterable[GradedResponse], options: PairingOptions | None = None, *, extra_metadata: dict[str, Any] | None = None) -> tuple[list[Pair], PairingStats]:
    """Pairs from graded responses, in a stable order (by problem as first seen, then generator).

    Args:
        responses: graded responses of any number of problems and generators.
        options: pairing options.
        extra_metadata: added to every pair's ``metadata`` (e.g. the recipe name).

    Returns:
        The pairs and the counts of what was kept and dropped.
    """
    opts = options or PairingOptions()
    groups: dict[tuple[str, str], list[GradedResponse]] = defaultdict(list)
    for r in responses:
        groups[(r.problem_id, "*" if opts.across_generators else r.generator)].append(r)
    counts = {"dropped_unanswered": 0, "dropped_duplicates": 0}
    chosen: list[tuple[GradedResponse, GradedResponse]] = []
    mixed = 0
    for (problem, _), group in groups.items():
        kept = _filtered(group, opts, counts)
        rng = random.Random(f"{opts.seed}:{problem}")
        correct = [r for r in kept if r.grade.correct is True]
        incorrect = [r for r in kept if r.grade.correct is False]  # "no single answer" (None) is neither
        if not correct or not incorrect:
            continue
        mixed += 1
        rng.shuffle(correct)
        rng.shuffle(incorrect)
        candidates = _spread(correct, incorrect)
        if opts.across_generators:
            candidates = [(c, w) for c, w in candidates if c.generator != w.generator] or candidates
        chosen.extend(candidates[: opts.max_pairs_per_problem])
    order = list(range(len(chosen)))
    random.Random(opts.seed).shuffle(order)
    at_a = set(order[: len(chosen) // 2])
    pairs = [_to_pair(c, w, i in at_a, extra_metadata or {}) for i, (c, w) in enumerate(chosen)]
    stats = PairingStats(len(groups), mixed, counts["dropped_unanswered"], counts["dropped_duplicates"], len(pairs), len(at_a))
    return pairs, stats


def _to_pair(correct: GradedResponse, incorrect: GradedResponse, correct_at_a: bool, extra: dict[str, Any]) -> Pair:
    a, b = (correct, incorrect) if correct_at_a else (incorrect, correct)
    generators = sorted({correct.generator, incorrect.generator})
    metadata = {
        **extra,
        "problem_id": correct.problem_id,
        "generators": {"A": a.generator, "B": b.generator},
        "sample_index": {"A": a.sample_index, "B": b.sample_index},
        "sampling": a.params,
        "grades": {"A": a.grade.to_dict(), "B": b.grade.to_dict()},
    }
    return Pair(
        pair_id=pair_id(correct.source, correct.problem_id, correct, incorrect),
        question=correct.question,
        response_A=a.text,
        response_B=b.text,
        label=Decision.A_BETTER if correct_at_a else Decision.B_BETTER,
        source=correct.source,
        original_id=correct.problem_id,
        response_model=",".join(generators),
        metadata=metadata,
    )
