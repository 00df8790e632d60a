"""Score pairwise judgments: the JudgeBench two-game rule, categories, position consistency.

The flip-back of game 2 lives here and nowhere else. Rules (``rule=``):

* ``vote`` (JudgeBench, arXiv 2410.12784, default): game 1 shows (A, B), game 2 shows (B, A) and its decision is
  flipped back into the original frame. Each of the two decisions adds +1 if it equals the label, -1 if it equals
  the opposite of the label, 0 for a tie or no decision. A pair is correct when the sum is > 0; a sum of 0 is a
  tie and counts as not correct. This is ``compute_final_metrics`` in the JudgeBench reference code.
* ``average`` (LLMBar): mean of game-1 accuracy and game-2 accuracy; an inconsistent pair earns 1/2, a tie or
  no-decision counts as wrong.
* ``first``: game 1 only.

A pair judged in a single game (order-invariant judges run in single-game mode) is scored on its game-1 decision
under every rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from ..metrics.stats import bootstrap_mean_ci
from ..schema import Decision, ItemResult

Rule = Literal["vote", "average", "first"]
RULES: tuple[Rule, ...] = ("vote", "average", "first")
CATEGORY_ORDER = ("Knowledge", "Reasoning", "Math", "Coding")
_CATEGORY_PREFIXES = (
    ("mmlu-pro", "Knowledge"),
    ("livebench-reasoning", "Reasoning"),
    ("livebench-math", "Math"),
    ("livecodebench", "Coding"),
)


def category_of(source: str) -> str:
    """JudgeBench category of a pair ``source``; other sources are grouped by their prefix (text before '-')."""
    for prefix, name in _CATEGORY_PREFIXES:
        if source.startswith(prefix):
            return name
    prefix = source.split("-", 1)[0].strip()
    return prefix or "Other"


def original_frame(result: ItemResult) -> tuple[Decision, ...]:
    """Decisions of a pair's games in the original (A, B) frame: game 2 is flipped back."""
    return tuple(g.decision.flipped() if g.game == 2 else g.decision for g in result.games)


def pair_credit(label: Decision, decisions: Sequence[Decision], rule: Rule = "vote") -> float:
    """Credit in [0, 1] that one pair earns; ``decisions`` are in the original frame, game 1 first.

    With one decision every rule scores it against the label (1 if equal, else 0).
    """
    if not decisions:
        return 0.0
    if len(decisions) == 1 or rule == "first":
        return float(decisions[0] == label)
    if rule == "vote":
        opposite = label.flipped()
        total = sum(1 if d == label else -1 if (d == opposite and opposite != label) else 0 for d in decisions)
        return 1.0 if total > 0 else 0.0
    if rule == "average":
        return float(np.mean([d == label for d in decisions]))
    raise ValueError(f"unknown rule {rule!r}; expected one of {', '.join(RULES)}")


def is_consistent(decisions: Sequence[Decision]) -> bool:
    """Two decisions (original frame) agree; two no-decisions count as agreeing (as JudgeBench and LLMBar do)."""
    return len(decisions) == 2 and decisions[0] == decisions[1]


@dataclass(frozen=True)
class RunMetrics:
    """Scores of one run; accuracies in percent."""

    rule: str
    n_pairs: int
    n_judgments: int
    n_failed: int
    n_no_decision: int
    accuracy: float
    ci_low: float
    ci_high: float
    categories: dict[str, float] = field(default_factory=dict)
    category_counts: dict[str, int] = field(default_factory=dict)
    position_consistency: float | None = None
    games: int = 2
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RunMetrics:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in d.items() if k in known})


def ordered_categories(names: Sequence[str]) -> list[str]:
    """JudgeBench's four categories first (in paper order), then others alphabetically."""
    rest = sorted(n for n in set(names) if n not in CATEGORY_ORDER)
    return [c for c in CATEGORY_ORDER if c in names] + rest


def score_results(results: Sequence[ItemResult], *, rule: Rule = "vote", seed: int = 0, n_resamples: int = 10_000) -> RunMetrics:
    """Score a run: overall and per-category accuracy, 95% bootstrap CI, consistency, failure counts.

    Returns:
        ``RunMetrics``; with no pairs, accuracies are ``nan``.
    """
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; expected one of {', '.join(RULES)}")
    credits = np.array([pair_credit(r.pair.label, original_frame(r), rule) for r in results], dtype=float)
    cats = [category_of(r.pair.source) for r in results]
    by_cat: dict[str, list[float]] = {}
    for c, v in zip(cats, credits, strict=True):
        by_cat.setdefault(c, []).append(v)
    two_game = [original_frame(r) for r in results if len(r.games) == 2]
    n = len(results)
    low, high = bootstrap_mean_ci(credits, n_resamples=n_resamples, seed=seed)
    return RunMetrics(
        rule=rule,
        n_pairs=n,
        n_judgments=sum(len(r.games) for r in results),
        n_failed=sum(g.is_failed for r in results for g in r.games),
        n_no_decision=sum(g.decision == Decision.NONE for r in results for g in r.games),
        accuracy=100 * float(credits.mean()) if n else float("nan"),
        ci_low=100 * low,
        ci_high=100 * high,
        categories={c: 100 * float(np.mean(by_cat[c])) for c in ordered_categories(list(by_cat))},
        category_counts={c: len(by_cat[c]) for c in ordered_categories(list(by_cat))},
        position_consistency=100 * float(np.mean([is_consistent(d) for d in two_game])) if two_game else None,
        games=max((len(r.games) for r in results), default=0),
    )
