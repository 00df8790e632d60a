"""Weakness profiles of a judge: where does it fail? A run's per-item credits sliced into a tree of the benchmark's
categories (or metadata fields), each node with its accuracy, n and 95% CI, and the nodes significantly below the
rest of the run marked weak, after a correction for the number of nodes tested.

After EvalTree (Zeng, Wang, Hajishirzi, Koh 2025, "EvalTree: Profiling Language Model Weaknesses via Hierarchical
Capability Trees", arXiv:2503.08893; code github.com/Zhiyuan-Zeng/EvalTree at 4d51d52b09b1022e80eb5b563b70f7061a796c3f,
``EvalTree/WeaknessProfile/confidence_interval.py`` and ``extract_subtrees.py``). What is taken: a tree of item
groups, each node's accuracy with an interval, weak nodes read off the tree, a minimum node size (20, as EvalTree's
``size >= 20``). What differs:

* the tree: EvalTree builds it from LLM-written capability descriptions of each item (embedding, clustering); here
  it is the benchmark's own grouping (benchmark > section > subset; RMB's ``category_path`` split on ``/``) or the
  fields the user names (``--by``), so every node is a category the benchmark's authors defined;
* the weakness test: EvalTree marks a node whose Clopper-Pearson interval lies below a fixed threshold, with no
  correction for the many nodes looked at; here each node's items are tested against the rest of the run's items
  (one-sided: the node's mean credit is lower), and the p-values of all tested nodes are adjusted together (Holm
  1979 by default; Benjamini-Hochberg on request).

The test (:func:`below_rest_pvalue`) is a permutation test of the node's mean credit against the rest's: under the
null the node's items are exchangeable with the others, so the node's credit sum is that of a random draw of ``n``
items without replacement from all of them. For 0/1 credits that is the hypergeometric distribution, and the p-value
is exact (one-sided Fisher's exact test, ``scipy.stats.hypergeom.cdf``). For credits with more values (a tie's 0.5
under the ``average`` rule, best-of-K fractions) the draw is sampled (``numpy`` multivariate hypergeometric over the
distinct credit values) and ``p = (b + 1) / (R + 1)`` (Phipson & Smyth 2010), which is a valid p-value. Testing
against the rest rather than against the overall accuracy as a fixed number accounts for the overall's own
uncertainty and for the node being part of it.

Why Holm by default: the nodes are nested (a subset and its section share items), so the tests are dependent in
ways Benjamini-Hochberg's guarantee (independence or positive regression dependence, Benjamini & Yekutieli 2001)
does not clearly cover; Holm controls the family-wise error under any dependence, so a node marked weak is a claim
that holds with the stated error rate. ``correction="bh"`` controls the false discovery rate instead (more nodes
found, some of them by chance), for exploring a large tree.

Intervals: the Wilson score interval when every credit of the node is 0 or 1 (Wilson 1927; good coverage at small n
and near 0 or 1), else a percentile bootstrap of the mean (``metrics.stats.bootstrap_mean_ci``); each node says which.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError
from ..metrics.stats import bootstrap_mean_ci
from ..schema import ItemResult
from .scoring import item_credit, result_category

if TYPE_CHECKING:
    from ..benchmarks import Benchmark

CORRECTIONS = ("holm", "bh")
MISSING = "(none)"
"""The value of a ``--by`` field an item lacks."""
TOP_FIELDS = ("category", "source", "original_id")
"""``--by`` names read from the item itself; any other name is read from the item's ``metadata``."""


# ---------------------------------------------------------------------------------------------------------------
# the statistics


def wilson_interval(successes: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (in [0, 1]); ``(nan, nan)`` for ``n == 0``."""
    if n == 0:
        return float("nan"), float("nan")
    from scipy.stats import norm

    z = float(norm.ppf(0.5 + confidence / 2))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def is_binary(credits: np.ndarray) -> bool:
    return bool(np.all((credits == 0) | (credits == 1)))


def below_rest_pvalue(node: np.ndarray, rest: np.ndarray, *, n_permutations: int = 20_000, seed: int = 0) -> float:
    """One-sided p-value that ``node``'s mean credit is below ``rest``'s: a permutation test conditioning on all the
    credits (exact hypergeometric / Fisher's exact test for 0/1 credits; sampled for other credits, ``(b + 1) /
    (R + 1)``). See the module's docstring."""
    node, rest = np.asarray(node, dtype=float), np.asarray(rest, dtype=float)
    pooled = np.concatenate([node, rest])
    k, observed = node.size, float(node.sum())
    if is_binary(pooled):
        from scipy.stats import hypergeom

        # P(sum of k draws <= observed) with N items of which K have credit 1
        return float(min(1.0, hypergeom.cdf(int(round(observed)), pooled.size, int(pooled.sum()), k)))
    values, counts = np.unique(pooled, return_counts=True)
    rng = np.random.default_rng(seed)
    draws = rng.multivariate_hypergeometric(counts, k, size=n_permutations)
    sums = draws @ values
    b = int(np.sum(sums <= observed + 1e-9))
    return (b + 1) / (n_permutations + 1)


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm's (1979) step-down adjusted p-values: sorted ascending, ``p_(i) * (m - i + 1)``, made monotone by a running
    maximum, capped at 1; in the input's order."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    out = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, pvalues[i] * (m - rank)))
        out[i] = running
    return out


def benjamini_hochberg(pvalues: Sequence[float]) -> list[float]:
    """Benjamini & Hochberg's (1995) adjusted p-values (q-values): ``p_(i) * m / i``, made monotone from the largest
    down by a running minimum, capped at 1; in the input's order."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    out = [0.0] * m
    running = 1.0
    for rank in range(m - 1, -1, -1):
        i = order[rank]
        running = min(running, pvalues[i] * m / (rank + 1))
        out[i] = min(1.0, running)
    return out


# ---------------------------------------------------------------------------------------------------------------
# the tree


@dataclass(frozen=True)
class Node:
    """One node of the tree: its path from the root (the root's is ``()``), its items' number, accuracy and 95% CI
    (percent; ``ci_method`` says how), the rest's accuracy, the test's p-value and its adjusted value (``None``: not
    tested: the root, a node below ``min_n``, or one with no rest), and whether it is marked weak."""

    path: tuple[str, ...]
    n: int
    accuracy: float
    ci_low: float
    ci_high: float
    ci_method: str
    rest_accuracy: float | None = None
    p: float | None = None
    p_adjusted: float | None = None
    weak: bool = False

    @property
    def depth(self) -> int:
        return len(self.path)

    @property
    def name(self) -> str:
        return self.path[-1] if self.path else "all"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"path": list(self.path), "name": self.name}


@dataclass(frozen=True)
class WeaknessProfile:
    """A run's tree (``nodes``, depth first, children in order of first appearance) and how it was made."""

    nodes: tuple[Node, ...]
    levels: tuple[str, ...]
    rule: str
    alpha: float
    min_n: int
    correction: str
    root: str = "all"
    notes: tuple[str, ...] = field(default=())

    @property
    def overall(self) -> Node:
        return self.nodes[0]

    @property
    def weak(self) -> list[Node]:
        return [n for n in self.nodes if n.weak]

    @property
    def tested(self) -> list[Node]:
        return [n for n in self.nodes if n.p is not None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "levels": list(self.levels),
            "rule": self.rule,
            "alpha": self.alpha,
            "min_n": self.min_n,
            "correction": self.correction,
            "test": TEST_TEXT,
            "overall": {"accuracy": self.overall.accuracy, "ci_low": self.overall.ci_low, "ci_high": self.overall.ci_high, "n": self.overall.n},
            "n_tested": len(self.tested),
            "weak": [" > ".join(n.path) for n in self.weak],
            "nodes": [n.to_dict() for n in self.nodes],
            "notes": list(self.notes),
        }


TEST_TEXT = (
    "one-sided permutation test of the node's mean credit against the rest of the run's items (exact hypergeometric, "
    "i.e. Fisher's exact test, for 0/1 credits; sampled otherwise)"
)
CORRECTION_TEXT = {"holm": "Holm (family-wise error)", "bh": "Benjamini-Hochberg (false discovery rate)"}


def _interval(credits: np.ndarray, *, seed: int, n_resamples: int) -> tuple[float, float, str]:
    if credits.size == 0:
        return float("nan"), float("nan"), "none"
    if is_binary(credits):
        low, high = wilson_interval(float(credits.sum()), int(credits.size))
        return 100 * low, 100 * high, "Wilson"
    low, high = bootstrap_mean_ci(credits, n_resamples=n_resamples, seed=seed)
    return 100 * low, 100 * high, "bootstrap"


def weakness_profile(
    paths: Sequence[Sequence[str]],
    credits: Sequence[float],
    *,
    levels: Sequence[str] = (),
    rule: str = "vote",
    alpha: float = 0.05,
    min_n: int = 20,
    correction: str = "holm",
    root: str = "all",
    seed: int = 0,
    n_resamples: int = 10_000,
    n_permutations: int = 20_000,
) -> WeaknessProfile:
    """The tree of ``paths`` (one per item; a node for every prefix) with each node's accuracy over its items'
    ``credits`` (items with a NaN credit, e.g. ratings, are left out), tested against the rest (nodes with at least
    ``min_n`` items and a non-empty rest), the p-values adjusted by ``correction`` over every tested node, and the
    nodes with an adjusted p-value below ``alpha`` and an accuracy below the rest's marked weak.

    Raises:
        InputError: for an unknown correction, a bad ``alpha`` or ``min_n``, mismatched lengths, or no scored item.
    """
    if correction not in CORRECTIONS:
        raise InputError(f"unknown correction {correction!r}; expected one of {', '.join(CORRECTIONS)}", field="--correction")
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be between 0 and 1, got {alpha}", field="--alpha")
    if min_n < 1:
        raise InputError(f"min-n must be at least 1, got {min_n}", field="--min-n")
    if len(paths) != len(credits):
        raise InputError(f"{len(paths)} paths for {len(credits)} credits")
    values = np.asarray(credits, dtype=float)
    scored = ~np.isnan(values)
    if not scored.any():
        raise InputError("no item of the run has an accuracy (ratings are not profiled)")
    keep = [tuple(p) for p, s in zip(paths, scored, strict=True) if s]
    values = values[scored]
    members: dict[tuple[str, ...], list[int]] = {(): list(range(len(keep)))}
    children: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for i, path in enumerate(keep):
        for d in range(1, len(path) + 1):
            prefix = path[:d]
            if prefix not in members:
                members[prefix] = []
                children.setdefault(prefix[:-1], []).append(prefix)
            members[prefix].append(i)
    order: list[tuple[str, ...]] = []

    def walk(p: tuple[str, ...]) -> None:
        order.append(p)
        for c in children.get(p, ()):
            walk(c)

    walk(())
    total = float(values.sum())
    raw: list[Node] = []
    for k, p in enumerate(order):
        idx = np.asarray(members[p], dtype=int)
        mine = values[idx]
        low, high, method = _interval(mine, seed=seed, n_resamples=n_resamples)
        n_rest = values.size - idx.size
        rest_acc = 100 * (total - float(mine.sum())) / n_rest if n_rest else None
        pvalue = None
        if p and n_rest and idx.size >= min_n:
            rest = np.delete(values, idx)
            pvalue = below_rest_pvalue(mine, rest, n_permutations=n_permutations, seed=seed + k)
        raw.append(Node(p, int(idx.size), 100 * float(mine.mean()), low, high, method, rest_acc, pvalue))
    tested = {i: n.p for i, n in enumerate(raw) if n.p is not None}
    adjust: Callable[[Sequence[float]], list[float]] = holm if correction == "holm" else benjamini_hochberg
    adjusted = dict(zip(tested, adjust(list(tested.values())), strict=True))
    nodes = []
    for i, n in enumerate(raw):
        if i in adjusted:
            q = adjusted[i]
            weak = q < alpha and n.rest_accuracy is not None and n.accuracy < n.rest_accuracy
            n = Node(n.path, n.n, n.accuracy, n.ci_low, n.ci_high, n.ci_method, n.rest_accuracy, n.p, q, weak)
        nodes.append(n)
    notes = (
        f"{TEST_TEXT}; {CORRECTION_TEXT[correction]} over the {len(tested)} nodes tested; weak: adjusted p < {alpha:g}.",
        f"nodes with fewer than {min_n} items are shown but not tested; accuracy is the mean item credit under the {rule} rule (not a benchmark's weighted headline).",
    )
    return WeaknessProfile(tuple(nodes), tuple(levels), rule, alpha, min_n, correction, root, notes)


# ---------------------------------------------------------------------------------------------------------------
# item paths


def _field_value(result: ItemResult, name: str, benchmark: Benchmark | None = None) -> str:
    item = result.item
    if name == "category":  # the item's, else from its source (as every per-category score reads it)
        return result_category(result, benchmark) or MISSING
    value: Any = getattr(item, name, None) if name in TOP_FIELDS else item.metadata.get(name)
    if value is None or value == "" or value == []:
        return MISSING
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def default_levels(benchmark: Benchmark | None) -> tuple[str, ...]:
    """The names of the default tree's levels below the benchmark."""
    if benchmark is not None and benchmark.name == "rewardbench":
        return ("section", "subset")
    return ("category (split on /)",)


def item_path(result: ItemResult, benchmark: Benchmark | None = None, by: Sequence[str] = ()) -> tuple[str, ...]:
    """An item's path below the root: the values of the ``by`` fields, in order; by default the benchmark's grouping
    (RewardBench: section > subset, from upstream's ``SUBSET_MAPPING``; every other benchmark: the category split on
    ``/``, so RMB's ``Helpfulness/Code/Documentation`` is three levels)."""
    if by:
        return tuple(_field_value(result, f, benchmark) for f in by)
    category = result_category(result, benchmark)
    if benchmark is not None and benchmark.name == "rewardbench":
        from ..benchmarks.rewardbench import SECTIONS

        section = next((s for s, subsets in SECTIONS.items() if category in subsets), "(no section)")
        return (section, category)
    return tuple(part for part in category.split("/") if part) or ("Other",)


def profile_results(
    results: Sequence[ItemResult],
    credits: Mapping[str, float] | None = None,
    *,
    benchmark: Benchmark | None = None,
    rule: str = "vote",
    root: str = "all",
    by: Sequence[str] = (),
    alpha: float = 0.05,
    min_n: int = 20,
    correction: str = "holm",
    seed: int = 0,
    n_resamples: int = 10_000,
) -> WeaknessProfile:
    """The weakness profile of a run's results: each item's credit from ``credits`` (item id -> credit, as
    ``LoadedRun.credits``), else ``item_credit`` under ``rule``; its path from :func:`item_path`.

    Raises:
        InputError: as :func:`weakness_profile`.
    """
    credits = credits or {}
    values = [credits[r.item_id] if r.item_id in credits else item_credit(r, rule) for r in results]
    paths = [item_path(r, benchmark, by) for r in results]
    for k, name in enumerate(by):  # a field no item has (a typo) would make a one-node tree that looks like an answer
        if results and all(p[k] == MISSING for p in paths):
            raise InputError(f"no item has the field {name!r}; --by takes category, source, original_id or an item metadata key", field="--by")
    levels = tuple(by) if by else default_levels(benchmark)
    return weakness_profile(
        paths, values, levels=levels, rule=rule, alpha=alpha, min_n=min_n, correction=correction, root=root, seed=seed, n_resamples=n_resamples
    )


# ---------------------------------------------------------------------------------------------------------------
# output


def _fmt_p(p: float | None) -> str:
    if p is None:
        return "–"
    return f"{p:.2g}" if p < 0.001 else f"{p:.3f}"


def table_rows(profile: WeaknessProfile, *, only_weak: bool = False) -> list[tuple[str, ...]]:
    """Rows (node, n, accuracy, 95% CI, p, adjusted p, weak) with the node indented by depth (non-breaking spaces)."""
    rows: list[tuple[str, ...]] = []
    for n in profile.nodes:
        if only_weak and not n.weak:
            continue
        label = ("\u00a0\u00a0" * n.depth + n.name) if n.path else profile.root
        rows.append((label, str(n.n), f"{n.accuracy:.1f}", f"{n.ci_low:.1f}–{n.ci_high:.1f}", _fmt_p(n.p), _fmt_p(n.p_adjusted), "WEAK" if n.weak else ""))
    return rows


HEADER = ("Node", "n", "Accuracy", "95% CI", "p (below rest)", "adjusted p", "Weak")


def render_markdown(name: str, profile: WeaknessProfile) -> str:
    """The profile as a Markdown section: a heading, one line of how, the indented table and the notes."""
    o = profile.overall
    lines = [
        f"## Weakness profile: {name}",
        "",
        f"Overall accuracy {o.accuracy:.1f} ({o.ci_low:.1f}–{o.ci_high:.1f}, {o.ci_method}), n={o.n}, rule {profile.rule}; "
        f"tree: {profile.root} > {' > '.join(profile.levels)}; weak nodes: {len(profile.weak)} of {len(profile.tested)} tested.",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "|".join(["---"] + ["---:"] * 5 + [":---:"]) + "|",
    ]
    lines += ["| " + " | ".join(r) + " |" for r in table_rows(profile)]
    lines += ["", *(f"- {note}" for note in profile.notes), ""]
    return "\n".join(lines) + "\n"
