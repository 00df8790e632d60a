"""Score pairwise judgments under a benchmark's rule: accuracy (overall and per category), position consistency.

Nothing here un-permutes a view or implements a rule: a result's judgments are read back into the item's frame by
the pairwise protocol (``protocols.Pairwise().combine``; :func:`original_frame`) and reduced by the registered
reducers (``protocols.REDUCERS``: ``vote`` of JudgeBench, ``average`` of LLMBar, ``first``, ``strict``; see
``judgebench.protocols`` for each rule and its source). A pair judged in a single view is scored on that view under
every rule.

Categories come from the item (``Item.category``). Results whose items carry none (results written before items
had categories, JudgeBench's released files, generic pair files) take the category function of the benchmark the
run names (:func:`run_benchmark`), else JudgeBench's source-prefix rule (``benchmarks.judgebench.category_of``),
which groups any other source by its prefix. Categories are reported in the benchmark's order
(``Benchmark.ordered``; JudgeBench's when the run names none).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..benchmarks import Benchmark, fallback_benchmark, list_benchmarks
from ..benchmarks import judgebench as _judgebench
from ..errors import InputError
from ..metrics.stats import bootstrap_mean_ci
from ..protocols import REDUCERS, Pairwise, PairwisePrediction, ReducerName, get_reducer
from ..schema import Decision, Item, ItemResult, Preference

Rule = ReducerName
RULES: tuple[str, ...] = tuple(REDUCERS)
"""The scoring rules (``--rule``): the reducer registry's names, in its order."""

_PAIRWISE = Pairwise()


def prediction(result: ItemResult) -> PairwisePrediction:
    """The result's judgments combined into its item's frame by the pairwise protocol (each view's verdict read
    back as "the pair's first response is A")."""
    return _PAIRWISE.combine(result.item, result.judgments)


def original_frame(result: ItemResult) -> tuple[Decision, ...]:
    """The decisions on a pair's two responses in the item's (A, B) frame, in the order judged: a thin helper over
    the protocol's ``combine`` (``prediction(result).of(0, 1)``), for the analyses that read pairs (bias,
    calibration, plots)."""
    return prediction(result).of(0, 1)


def pair_label(result: ItemResult) -> Decision:
    """The label of a pair result (its preference target as ``A>B`` / ``B>A`` / ``A=B``).

    Raises:
        ValueError: for an item that is not a labelled pair.
    """
    target = result.item.target
    if isinstance(target, Preference) and len(result.item.responses) == 2:
        return target.decision
    return result.pair.label  # raises ValueError naming the item


def pair_credit(label: Decision, decisions: Sequence[Decision], rule: str = "vote") -> float:
    """Credit in [0, 1] that one pair earns under ``rule``: the registered reducer's ``credit`` on ``decisions`` (in
    the item's frame, first view first).

    Raises:
        InputError: for an unknown rule, naming the known ones.
    """
    return get_reducer(rule).credit(label, decisions)


def is_consistent(decisions: Sequence[Decision]) -> bool:
    """Two decisions (item's frame) agree; two no-decisions count as agreeing (as JudgeBench and LLMBar do)."""
    return len(decisions) == 2 and decisions[0] == decisions[1]


# ---------------------------------------------------------------------------------------------------------------
# categories


def run_benchmark(info: Mapping[str, Any] | None) -> Benchmark | None:
    """The registered benchmark a run names in its ``run.json`` (``benchmark``, else ``spec.data``, else
    ``dataset``, whose folder form ``judgebench-gpt`` names ``judgebench``); ``None`` when it names none."""
    if not info:
        return None
    spec = info.get("spec")
    data = spec.get("data") if isinstance(spec, Mapping) else None
    registered = {b.name: b for b in list_benchmarks()}
    for value in (info.get("benchmark"), data, info.get("dataset")):
        if isinstance(value, str) and not value.startswith("hf:"):
            for name in (value, value.split(":", 1)[0], value.split("-", 1)[0]):
                if name in registered:
                    return registered[name]
    return None


def category_function(benchmark: Benchmark | None = None) -> Callable[[str], str]:
    """The category of a ``source`` for items that carry none: ``benchmark``'s rule, else JudgeBench's prefix rule."""
    if benchmark is not None and benchmark.category_of is not None:
        return benchmark.category_of
    return _judgebench.category_of


def source_category(source: str, benchmark: Benchmark | None = None) -> str:
    """The category of a pair from its ``source`` alone (``category_function``)."""
    return category_function(benchmark)(source)


def result_category(result: ItemResult, benchmark: Benchmark | None = None) -> str:
    """The category of a result's item: its own, else from its source (:func:`source_category`)."""
    return result.item.category or source_category(result.item.source, benchmark)


def ordered_categories(names: Sequence[str], benchmark: Benchmark | None = None) -> list[str]:
    """``names`` in report order: ``benchmark.ordered`` (JudgeBench's when ``None``)."""
    return (benchmark or fallback_benchmark()).ordered(names)


# ---------------------------------------------------------------------------------------------------------------
# a run's scores


@dataclass(frozen=True)
class RunMetrics:
    """Scores of one run; accuracies and consistencies in percent.

    ``categories`` / ``category_counts`` / ``category_consistency`` are in the benchmark's category order;
    ``category_consistency`` holds the categories with at least one pair judged in both orders (LLMBar reports
    accuracy and positional agreement per subset).
    """

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
    category_consistency: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RunMetrics:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in d.items() if k in known})


def score_results(
    results: Sequence[ItemResult], *, rule: str = "vote", benchmark: Benchmark | None = None, seed: int = 0, n_resamples: int = 10_000
) -> RunMetrics:
    """Score a run: overall and per-category accuracy, 95% bootstrap CI, position consistency (overall and per
    category), failure counts.

    Args:
        rule: a reducer name (``protocols.REDUCERS``).
        benchmark: the benchmark the run names, for items without a category and for the category order.

    Returns:
        ``RunMetrics``; with no pairs, accuracies are ``nan``.

    Raises:
        InputError: for an unknown rule.
    """
    reducer = get_reducer(rule)
    frames = [original_frame(r) for r in results]
    credits = np.array([reducer.credit(pair_label(r), f) for r, f in zip(results, frames, strict=True)], dtype=float)
    cats = [result_category(r, benchmark) for r in results]
    by_cat: dict[str, list[float]] = {}
    consistent_by_cat: dict[str, list[bool]] = {}
    for r, c, v, f in zip(results, cats, credits, frames, strict=True):
        by_cat.setdefault(c, []).append(v)
        if len(r.judgments) == 2:
            consistent_by_cat.setdefault(c, []).append(is_consistent(f))
    two_view = [x for xs in consistent_by_cat.values() for x in xs]
    order = ordered_categories(list(by_cat), benchmark)
    n = len(results)
    low, high = bootstrap_mean_ci(credits, n_resamples=n_resamples, seed=seed)
    return RunMetrics(
        rule=rule,
        n_pairs=n,
        n_judgments=sum(len(r.judgments) for r in results),
        n_failed=sum(g.is_failed for r in results for g in r.judgments),
        n_no_decision=sum(g.decision == Decision.NONE for r in results for g in r.judgments),
        accuracy=100 * float(credits.mean()) if n else float("nan"),
        ci_low=100 * low,
        ci_high=100 * high,
        categories={c: 100 * float(np.mean(by_cat[c])) for c in order},
        category_counts={c: len(by_cat[c]) for c in order},
        position_consistency=100 * float(np.mean(two_view)) if two_view else None,
        games=max((len(r.judgments) for r in results), default=0),
        category_consistency={c: 100 * float(np.mean(consistent_by_cat[c])) for c in order if c in consistent_by_cat},
    )


def check_scorable(items: Sequence[Item]) -> None:
    """Refuse, before any judge call is made, items this scorer cannot score: it scores a preference between two
    responses (``Preference`` targets, text or chat prompts). Items with more responses or another target
    (best-of-K, ratings, votes, rankings) need the best-of-K and rating scorers, which are not implemented yet.

    Raises:
        InputError: naming the first such item, its number of responses and its target type.
    """
    for item in items:
        if len(item.responses) != 2 or not isinstance(item.target, Preference):
            target = item.target.type if item.target is not None else "no target"
            raise InputError(
                f"item {item.id!r} has {len(item.responses)} responses and {target}: judgebench scores a preference between "
                "two responses; best-of-K, rating, vote and ranking targets are not implemented yet, so nothing was judged",
                field="target",
            )
