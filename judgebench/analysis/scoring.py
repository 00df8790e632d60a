"""Score a run under a benchmark's rule: accuracy (overall and per category), position consistency.

A preference judged pairwise is scored here; every other item (a pointwise judge's lifted preference, best-of-K
targets under the pairwise, pointwise and listwise protocols, ratings) by ``analysis.best_of`` from the protocol its
result records, and ``check_scorable`` refuses, before any judge call, what neither scores.

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
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from ..benchmarks import Benchmark, fallback_benchmark, list_benchmarks
from ..benchmarks import judgebench as _judgebench
from ..errors import InputError
from ..protocols import REDUCERS, JudgingProtocol, Pairwise, PairwisePrediction, ReducerName, get_reducer
from ..schema import BestOf, Decision, Item, ItemResult, Preference, Ratings
from .best_of import (
    NOTES,
    ItemScore,
    intransitivity,
    parse_protocol,
    position_bias,
    ratings_agreement,
    ratings_table,
    result_protocol,
    score_item,
)


def bootstrap_interval_of(estimate: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The first interval of an estimate read from JSON (``Estimate.to_dict``) that resampling made, whatever its
    scheme (Efron, Poisson, stratified, of a linearisation): ``Estimate.bootstrap_interval`` for the dict form, by the
    same rule (``Interval.is_bootstrap``: ``bootstrap`` in its method)."""
    return next((i for i in estimate.get("intervals") or () if "bootstrap" in str(i.get("method", ""))), None)


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
    judgments = result.judgments
    if len(result.item.responses) != 2:
        return prediction(result).of(0, 1)
    # two responses: what combine gives for the one pair (0, 1), read without building the prediction (the scorer's
    # path for every pair: a million-pair run reads it a million times). A view of (0, 1) keeps its verdict, (1, 0)
    # reads flipped, any other (a pointwise or listwise judgment) holds nothing for the pair.
    out = []
    for jm in judgments:
        shown = jm.shown
        if shown == _AB:
            out.append(jm.decision)
        elif shown == _BA:
            out.append(jm.decision.flipped())
    return tuple(out)


_AB, _BA = (0, 1), (1, 0)


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

    def headline(self) -> Headline:
        """The one number a suite table shows for this run: its benchmark's own headline when the benchmark has a
        rule on top of the generic scores (``extra["benchmark"]["headline"]``: RewardBench's mean of sections,
        RM-Bench's mean of domains, MT-Bench's agreement, ...), else the accuracy under the run's rule (percent),
        else, for rated items, the Pearson correlation of the judge's ratings with the reference (on [-1, 1],
        ``percent=False``); a run with none of these has ``value=None``."""
        head = (self.extra or {}).get("benchmark", {}).get("headline")
        if head:
            name = str(head.get("name", "score"))
            return Headline(name, _number(head.get("value")), _number(head.get("ci_low")), _number(head.get("ci_high")), percent=bool(head.get("percent", True)))
        if self.accuracy == self.accuracy:  # not NaN
            return Headline(f"accuracy over all items ({self.rule} rule)", self.accuracy, _number(self.ci_low), _number(self.ci_high))
        pearson = (self.extra or {}).get("ratings_agreement", {}).get("item/pearson")
        if pearson and pearson.get("defined"):
            boot = bootstrap_interval_of(pearson) or {}
            return Headline("Pearson r with the reference", _number(pearson.get("value")), _number(boot.get("low")), _number(boot.get("high")), percent=False)
        return Headline("no headline", None, None, None)


def _number(x: Any) -> float | None:
    """``x`` as a float, ``None`` for anything else or NaN (a JSON ``null``)."""
    return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) and x == x else None


@dataclass(frozen=True)
class Headline:
    """A run's headline score (:meth:`RunMetrics.headline`): its name (``"overall (mean of the 4 sections)"``), value
    and 95% CI, in percent unless ``percent`` is False (a correlation); ``None`` where undefined."""

    name: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    percent: bool = True

    def text(self, *, ci: bool = True) -> str:
        """``"72.3 (68.1–76.0)"`` (percent: one decimal; otherwise three), ``"–"`` for no value."""
        if self.value is None:
            return "–"
        fmt = ".1f" if self.percent else ".3f"
        out = format(self.value, fmt)
        if ci and self.ci_low is not None and self.ci_high is not None:
            out += f" ({format(self.ci_low, fmt)}–{format(self.ci_high, fmt)})"
        return out


def _pairwise_preference(result: ItemResult, protocol: JudgingProtocol) -> bool:
    """Whether ``result`` is scored by the pairwise path (a preference judged pairwise: every published number, and
    every result written before issue 14, whatever its target claims: ``pair_label`` refuses a non-pair)."""
    return isinstance(protocol, Pairwise) and not isinstance(result.item.target, BestOf | Ratings)


def score_results(
    results: Sequence[ItemResult], *, rule: str = "vote", benchmark: Benchmark | None = None, seed: int = 0, n_resamples: int = 10_000
) -> RunMetrics:
    """Score a run: overall and per-category accuracy, 95% bootstrap CI, position consistency (overall and per
    category), failure counts.

    A preference judged pairwise is scored here under ``rule``; every other item (a pointwise judge's lifted
    preference, best-of-K targets under each protocol, ratings) by ``analysis.best_of.score_item``, from the
    protocol its result records (``best_of.result_protocol``). Items without an accuracy (ratings targets) are
    left out of accuracy, its interval and the categories; the keys of ``extra`` then say how each kind of item was
    scored (``scoring``) and hold ``position_bias`` (listwise), ``intransitivity`` (round robins), ``ratings`` and
    ``ratings_agreement`` (ratings targets). A run of preferences judged pairwise has an empty ``extra``.

    Args:
        rule: a reducer name (``protocols.REDUCERS``); it reduces pairwise verdicts (pointwise and listwise
            verdicts are one per view and need none).
        benchmark: the benchmark the run names, for items without a category and for the category order.

    Returns:
        ``RunMetrics``; with no scored items, accuracies are ``nan``.

    Raises:
        InputError: for an unknown rule, or an item whose target and protocol are not scored (naming it).
    """
    scorer = RunScorer(rule=rule, benchmark=benchmark, seed=seed, n_resamples=n_resamples, keep_results=False)
    for r in results:
        scorer.add(r)
    return scorer.finish(results)


class RunScorer:
    """``score_results`` as a streaming pass: ``add`` each result as it comes, then ``finish``. What is kept per item
    is its credit (a float), its category (an index) and whether its two views agree (a byte), not the result, so a
    run of a million pairs is scored in a few tens of MB; the results themselves are kept only for what needs them
    whole (items scored by ``best_of``, whose ``extra`` reads them, and a benchmark with its own ``details`` rule).
    ``score_results`` is this class over a sequence, so both give the same numbers bit for bit.

    Raises:
        InputError: (from ``add``) as ``score_results`` does.
    """

    def __init__(self, *, rule: str = "vote", benchmark: Benchmark | None = None, seed: int = 0, n_resamples: int = 10_000, keep_results: bool = True) -> None:
        from array import array

        self.rule, self.benchmark, self.seed, self.n_resamples = rule, benchmark, seed, n_resamples
        self._reducer = get_reducer(rule)
        self._credits = array("d")
        self._cats = array("i")
        self._consistent = array("b")  # -1: not a scored pair judged in two views; else 0 / 1
        self._cat_ids: dict[str, int] = {}
        self._scored_order: dict[str, None] = {}  # categories with a scored item, in order of first appearance
        self._category_of: dict[str, str] = {}
        self._protocols: dict[str, JudgingProtocol] = {}
        self._others: list[tuple[ItemResult, ItemScore]] = []
        self._kept: list[ItemResult] | None = [] if keep_results and benchmark is not None and benchmark.details is not None else None
        self.n = self.n_judgments = self.n_failed = self.n_no_decision = self.games = 0

    def add(self, r: ItemResult) -> None:
        """Score one result (in run order)."""
        protocol = self._protocols.get(r.protocol) if r.protocol else None
        if protocol is None:
            protocol = result_protocol(r)
            if r.protocol and parse_protocol(r.protocol) is not None:
                self._protocols[r.protocol] = protocol
        frame: tuple[Decision, ...] | None = None
        judgments = r.judgments
        item = r.item
        if _pairwise_preference(r, protocol):
            frame = original_frame(r)
            credit = self._reducer.credit(pair_label(r), frame)
            self.n_no_decision += sum(g.decision == Decision.NONE for g in judgments)
        else:
            scored = score_item(r, protocol, rule=self.rule)
            self._others.append((r, scored))
            credit = scored.credit
            self.n_no_decision += sum(not g.has_verdict for g in judgments)
        category = item.category or self._source_category(item.source)
        cat_id = self._cat_ids.get(category)
        if cat_id is None:
            cat_id = self._cat_ids[category] = len(self._cat_ids)
        self._credits.append(credit)
        self._cats.append(cat_id)
        n_views = len(judgments)
        if credit != credit:  # nan: no accuracy (ratings)
            self._consistent.append(-1)
        else:
            if category not in self._scored_order:
                self._scored_order[category] = None
            # a pair with a failed call says nothing about position: left out of consistency (two answered
            # no-decisions still agree, as JudgeBench and LLMBar count them)
            failed = any(g.error is not None for g in judgments)
            self._consistent.append(int(is_consistent(frame)) if frame is not None and n_views == 2 and not failed else -1)
        self.n += 1
        self.n_judgments += n_views
        self.n_failed += sum(g.error is not None for g in judgments)
        if n_views > self.games:
            self.games = n_views
        if self._kept is not None:
            self._kept.append(r)

    def state(self) -> dict[str, Any]:
        """Everything ``merge`` takes from this scorer, as plain values (picklable: another process sends it)."""
        return {
            "credits": self._credits.tobytes(),
            "cats": self._cats.tobytes(),
            "consistent": self._consistent.tobytes(),
            "categories": sorted(self._cat_ids, key=self._cat_ids.__getitem__),  # names in id order
            "scored_order": list(self._scored_order),
            "others": self._others,
            "kept": self._kept,
            "counts": (self.n, self.n_judgments, self.n_failed, self.n_no_decision, self.games),
        }

    def merge(self, state: dict[str, Any]) -> None:
        """Take in the items of another scorer's ``state()`` after the ones added here: the same scores as ``add``
        of that scorer's results, in their order, here (a run judged in two processes scores its second half in the
        other one)."""
        from array import array

        remap = array("i")
        for name in state["categories"]:
            cat_id = self._cat_ids.get(name)
            if cat_id is None:
                cat_id = self._cat_ids[name] = len(self._cat_ids)
            remap.append(cat_id)
        cats = array("i")
        cats.frombytes(state["cats"])
        self._cats.extend(remap[c] for c in cats)
        self._credits.frombytes(state["credits"])
        self._consistent.frombytes(state["consistent"])
        for name in state["scored_order"]:
            self._scored_order.setdefault(name, None)
        self._others.extend(state["others"])
        if self._kept is not None:
            self._kept.extend(state["kept"] or ())
        n, n_judgments, n_failed, n_no_decision, games = state["counts"]
        self.n += n
        self.n_judgments += n_judgments
        self.n_failed += n_failed
        self.n_no_decision += n_no_decision
        self.games = max(self.games, games)

    def _source_category(self, source: str) -> str:
        found = self._category_of.get(source)
        if found is None:
            found = source_category(source, self.benchmark)
            if len(self._category_of) < 100_000:  # sources are few; a set with one per item is not cached past this
                self._category_of[source] = found
        return found

    def finish(self, results: Sequence[ItemResult] | None = None) -> RunMetrics:
        """The run's ``RunMetrics`` (``results``: every result added, for a benchmark's ``details`` rule when this
        scorer did not keep them)."""
        # numpy and the bootstrap are imported here, not with the module: the runner imports this module before its
        # first judge call (check_scorable), and numpy's ~0.1 s import is not needed until the scores are computed
        import numpy as np

        from ..metrics.stats import bootstrap_mean_ci

        credits = np.frombuffer(self._credits, dtype=float) if self.n else np.array([], dtype=float)
        cats = np.frombuffer(self._cats, dtype=np.int32) if self.n else np.array([], dtype=np.int32)
        consistent = np.frombuffer(self._consistent, dtype=np.int8) if self.n else np.array([], dtype=np.int8)
        scored = ~np.isnan(credits)
        order = ordered_categories(list(self._scored_order), self.benchmark)
        masks = {c: (cats == self._cat_ids[c]) & scored for c in order}
        two = consistent >= 0
        two_view = consistent[two].astype(bool)
        scored_credits = credits[scored] if self._others else credits
        low, high = bootstrap_mean_ci(scored_credits, n_resamples=self.n_resamples, seed=self.seed)
        metrics = RunMetrics(
            rule=self.rule,
            n_pairs=self.n,
            n_judgments=self.n_judgments,
            n_failed=self.n_failed,
            n_no_decision=self.n_no_decision,
            accuracy=100 * float(scored_credits.mean()) if scored_credits.size else float("nan"),
            ci_low=100 * low,
            ci_high=100 * high,
            categories={c: 100 * float(np.mean(credits[masks[c]])) for c in order},
            category_counts={c: int(masks[c].sum()) for c in order},
            position_consistency=100 * float(np.mean(two_view)) if two_view.size else None,
            games=self.games,
            extra=_extra(self._others, n_resamples=self.n_resamples, seed=self.seed) if self._others else {},
            category_consistency={c: 100 * float(np.mean(consistent[masks[c] & two].astype(bool))) for c in order if (masks[c] & two).any()},
        )
        kept = results if results is not None else self._kept
        if self.benchmark is not None and self.benchmark.details is not None and kept:
            # the benchmark's own rule on top of the generic scores (sections, weights, matrices): extra["benchmark"]
            metrics = replace(metrics, extra={**metrics.extra, "benchmark": self.benchmark.details(kept, metrics, self.rule)})
        return metrics


def _extra(others: Sequence[tuple[ItemResult, ItemScore]], *, n_resamples: int, seed: int) -> dict[str, Any]:
    """``RunMetrics.extra`` of the items scored by ``best_of`` (see ``score_results``)."""
    extra: dict[str, Any] = {"scoring": {key: NOTES[key] for key in dict.fromkeys(s.combination for _, s in others) if key in NOTES}}
    listwise = [s.listwise for _, s in others if s.listwise is not None]
    if listwise:
        extra["position_bias"] = position_bias(listwise)
    rounds = [s.round_robin for _, s in others if s.round_robin is not None]
    if rounds:
        extra["intransitivity"] = intransitivity(rounds)
    rated = [(r, s.ratings) for r, s in others if s.ratings is not None]
    if rated:
        results, ratings = [r for r, _ in rated], [x for _, x in rated]
        extra["ratings"] = ratings_table(results, ratings)
        agreement = ratings_agreement(results, ratings, n_resamples=n_resamples, seed=seed)
        if agreement is not None:
            extra["ratings_agreement"] = agreement
    return extra


def check_scorable(items: Sequence[Item], protocol: JudgingProtocol | None = None, judge_kind: str | None = None) -> None:
    """Refuse, before any judge call is made, items that cannot be scored under ``protocol`` (default: pairwise in
    both orders) by a ``judge_kind`` judge (default: the protocol's kind):

    * a preference needs exactly two responses; a listwise judge picks one best, so not a tie label;
    * a best-of-K target needs at least two responses; a pairwise judge seeing each correct response against each
      incorrect one (``pairs=target_vs_each``) needs at least one of each;
    * ratings are scored against a pointwise judge's ratings only;
    * votes, rankings and items without a target are not scored yet.

    Raises:
        InputError: naming the first such item, its number of responses, its target type and why.
    """
    protocol = protocol if protocol is not None else _PAIRWISE
    kind = judge_kind or protocol.judge_kind
    if kind != protocol.judge_kind:
        raise InputError(f"a {kind} judge cannot be shown the views of {protocol.describe()}, which are for a {protocol.judge_kind} judge", field="--judge")
    for item in items:
        why = _unscorable(item, protocol, kind)
        if why:
            target = item.target.type if item.target is not None else "no target"
            raise InputError(f"item {item.id!r} has {len(item.responses)} responses and {target}: {why}, so nothing was judged", field="target")


def _unscorable(item: Item, protocol: JudgingProtocol, kind: str) -> str:
    """Why ``item`` cannot be scored under ``protocol`` ("" when it can)."""
    target, k = item.target, len(item.responses)
    if isinstance(target, Preference):
        if k != 2:
            return "a preference is scored between exactly two responses"
        if kind == "listwise" and target.winner is None:
            return "a listwise judge picks one best response, and a tie label names none"
        return ""
    if isinstance(target, BestOf):
        if k < 2:
            return "a best-of-K item needs at least two responses"
        if isinstance(protocol, Pairwise) and protocol.pairs == "target_vs_each" and len(target.correct) == k:
            return "it names every response correct; a pairwise judge shown each correct response against each incorrect one needs an incorrect one (--pairs all plays a round robin)"
        return ""
    if isinstance(target, Ratings):
        return "" if kind == "pointwise" else f"ratings are scored against a pointwise judge's ratings, not a {kind} judge's verdicts"
    return "votes, rankings and unlabelled items are not scored yet"


def item_credit(result: ItemResult, rule: str = "vote") -> float:
    """One item's credit in [0, 1] as ``score_results`` counts it (the rule's credit for a preference judged
    pairwise; ``best_of.score_item`` for every other item), for per-item comparisons between runs (the paired test
    against the best run); NaN for an item without an accuracy (ratings)."""
    from .best_of import result_protocol, score_item

    protocol = result_protocol(result)
    if _pairwise_preference(result, protocol):
        return get_reducer(rule).credit(pair_label(result), original_frame(result))
    return score_item(result, protocol, rule=rule).credit


def is_pairwise_pair(result: ItemResult) -> bool:
    """Whether ``result`` is a pair (two responses, a preference) judged by a pairwise protocol: what the pairwise
    analyses read (position and length bias, calibration of verdicts, the pair browser, the length curve). A
    pointwise judge's lifted preference, best-of-K items and ratings are not."""
    from .best_of import result_protocol

    item = result.item
    return len(item.responses) == 2 and isinstance(item.target, Preference) and _pairwise_preference(result, result_protocol(result))


def pairwise_pairs(results: Sequence[ItemResult]) -> list[ItemResult]:
    """The results that are pairs judged pairwise (``is_pairwise_pair``), in order."""
    return [r for r in results if is_pairwise_pair(r)]
