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
A group with no pair is counted by why (``PairingStats``): all correct, all incorrect, left with a single distinct
response after dropping duplicates (k samples at temperature 0), or nothing answered.

``length_balanced``: every group keeps its number of pairs, but which of its candidate pairs are taken is chosen so
that, over the whole set, the correct response is the longer one in as close to half of the pairs as the data
allows (see ``_balance``). Ready-made pairs (``fixed``, from a preference file) are kept as given.
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
from .length import length_sign

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
    length_balanced: bool = False

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
    all_correct_groups: int = 0
    all_incorrect_groups: int = 0
    duplicate_groups: int = 0
    """Groups left with one distinct response after near-duplicates were dropped (identical samples)."""
    unanswered_groups: int = 0
    """Groups with no correct or incorrect response left (nothing answered, or no single answer)."""
    fixed_pairs: int = 0

    def no_pairs_reason(self) -> str:
        """Why no pair was made, by group counts (empty when there are pairs)."""
        if self.pairs:
            return ""
        if not self.groups:
            return "no responses to pair"
        causes = [
            (self.duplicate_groups, f"{self.duplicate_groups} left with one distinct response after dropping {self.dropped_duplicates} duplicates (identical samples: k > 1 at temperature 0?)"),
            (self.all_correct_groups, f"{self.all_correct_groups} all correct"),
            (self.all_incorrect_groups, f"{self.all_incorrect_groups} all wrong"),
            (self.unanswered_groups, f"{self.unanswered_groups} with no answer left (dropped {self.dropped_unanswered} unanswered)"),
        ]
        listed = "; ".join(text for n, text in sorted(causes, key=lambda c: -c[0]) if n)
        return f"no pairs: of {self.groups} groups (problem x generator), {listed}"


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


def make_pairs(
    responses: Iterable[GradedResponse],
    options: PairingOptions | None = None,
    *,
    extra_metadata: dict[str, Any] | None = None,
    fixed: Sequence[tuple[GradedResponse, GradedResponse]] = (),
) -> tuple[list[Pair], PairingStats]:
    """Pairs from graded responses, in a stable order (by problem as first seen, then generator).

    Args:
        responses: graded responses of any number of problems and generators.
        options: pairing options.
        extra_metadata: added to every pair's ``metadata`` (e.g. the recipe name).
        fixed: ready pairs as (correct, incorrect), e.g. chosen/rejected rows: each kept as one pair after the
            grouped ones (not limited by ``max_pairs_per_problem``), unless its two texts are near-duplicates.

    Returns:
        The pairs and the counts of what was kept and dropped.
    """
    opts = options or PairingOptions()
    groups: dict[tuple[str, str], list[GradedResponse]] = defaultdict(list)
    for r in responses:
        groups[(r.problem_id, "*" if opts.across_generators else r.generator)].append(r)
    counts = {"dropped_unanswered": 0, "dropped_duplicates": 0, "all_correct": 0, "all_incorrect": 0, "duplicates": 0, "unanswered": 0}
    candidates: list[list[tuple[GradedResponse, GradedResponse]]] = []
    mixed = 0
    for (problem, _), group in groups.items():
        duplicates_before = counts["dropped_duplicates"]
        kept = _filtered(group, opts, counts)
        rng = random.Random(f"{opts.seed}:{problem}")
        correct = [r for r in kept if r.grade.correct is True]
        incorrect = [r for r in kept if r.grade.correct is False]  # "no single answer" (None) is neither
        if not correct or not incorrect:
            if not correct and not incorrect:
                counts["unanswered"] += 1
            elif len(correct) + len(incorrect) == 1 and counts["dropped_duplicates"] > duplicates_before:
                counts["duplicates"] += 1
            else:
                counts["all_correct" if correct else "all_incorrect"] += 1
            continue
        mixed += 1
        rng.shuffle(correct)
        rng.shuffle(incorrect)
        spread = _spread(correct, incorrect)
        if opts.across_generators:
            spread = [(c, w) for c, w in spread if c.generator != w.generator] or spread
        candidates.append(spread)
    chosen = [list(range(min(opts.max_pairs_per_problem, len(c)))) for c in candidates]
    kept_fixed = 0
    for c, w in fixed:
        if opts.dedupe and normalize_text(c.text) == normalize_text(w.text):
            counts["dropped_duplicates"] += 1
            continue
        candidates.append([(c, w)])
        chosen.append([0])
        kept_fixed += 1
    if opts.length_balanced:
        _balance(candidates, chosen)
    picked = [cands[i] for cands, idx in zip(candidates, chosen, strict=True) for i in idx]
    order = list(range(len(picked)))
    random.Random(opts.seed).shuffle(order)
    at_a = set(order[: len(picked) // 2])
    pairs = [_to_pair(c, w, i in at_a, extra_metadata or {}) for i, (c, w) in enumerate(picked)]
    stats = PairingStats(
        groups=len(groups),
        mixed_groups=mixed,
        dropped_unanswered=counts["dropped_unanswered"],
        dropped_duplicates=counts["dropped_duplicates"],
        pairs=len(pairs),
        correct_at_a=len(at_a),
        all_correct_groups=counts["all_correct"],
        all_incorrect_groups=counts["all_incorrect"],
        duplicate_groups=counts["duplicates"],
        unanswered_groups=counts["unanswered"],
        fixed_pairs=kept_fixed,
    )
    return pairs, stats


def _sign(pair: tuple[GradedResponse, GradedResponse]) -> int:
    return length_sign(pair[0].text, pair[1].text)


def _balance(candidates: list[list[tuple[GradedResponse, GradedResponse]]], chosen: list[list[int]]) -> None:
    """Swap chosen pairs for other candidates of the same group so that the number of pairs whose correct response
    is longer (+1) and whose incorrect response is longer (-1) come as close as possible (equal lengths: 0).

    Let the balance ``B`` be the sum of the chosen pairs' signs; it is ``(share - 1/2) * 2 * non-tied pairs``.
    One pass over the groups in order: in each group, while ``B`` is not 0, replace the chosen pair that adds most
    to ``B`` by the group's first unused candidate (in the usual spread order) that adds least, if that shrinks
    ``|B|`` (a swap worth 2 is taken only when ``|B| >= 2``, so ``B`` never changes sign). Groups keep their number
    of pairs; ready pairs have no alternative. When the pass ends with ``|B| >= 2``, every group holds its most
    ``B``-reducing pairs, so no choice of pairs does better; with ``|B| = 1`` a better choice could at most reach 0.
    """
    balance = sum(_sign(candidates[g][i]) for g, idx in enumerate(chosen) for i in idx)
    if balance == 0:
        return
    d = 1 if balance > 0 else -1  # work on v = d * sign, bringing V = d * balance down to 0
    for g, cands in enumerate(candidates):
        while d * balance > 0:
            idx = chosen[g]
            unused = [i for i in range(len(cands)) if i not in idx]
            if not unused:
                break
            # the chosen pair adding most to V (the last such, so the earliest-spread pairs stay)
            slot = max(range(len(idx)), key=lambda s: (d * _sign(cands[idx[s]]), s))
            a = d * _sign(cands[idx[slot]])
            allowed = 2 if d * balance >= 2 else 1
            best = None
            for want in range(a - allowed, a):  # the largest allowed reduction first
                best = next((i for i in unused if d * _sign(cands[i]) == want), None)
                if best is not None:
                    break
            if best is None:
                break
            balance -= d * (a - d * _sign(cands[best]))
            idx[slot] = best


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
