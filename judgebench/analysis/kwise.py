"""System rankings from K-wise judgments (Plackett-Luce) and from pairwise ones (Bradley-Terry) at the same budget.

K-Sort Arena (Li et al., "K-Sort Arena: Efficient and Reliable Benchmarking for Generative Models via K-wise Human
Preferences", arXiv:2408.14468) shows K systems' outputs at once and argues that one K-wise comparison carries more
information than one pairwise comparison, so a ranking converges with fewer comparisons. Here the K-wise judge is
a listwise LLM judge (``kwise_ranking``: ``Ranking: [[C > A > D > B]]``) and each ranking is mapped back to the
systems that wrote the responses (``Response.model``).

**What is implemented.** K-Sort Arena updates each system's skill with a Bayesian (TrueSkill-style) online update
over the K-wise result; its code was not available to this project (no snapshot of the official repository could
be fetched), so this module does not reproduce that update. It fits the standard probabilistic model of full
rankings instead, **Plackett-Luce** (Luce 1959; Plackett 1975): a ranking is drawn best first, each next system
chosen among those left with probability ``w_i / sum(w_left)``. The maximum-likelihood strengths come from the MM
algorithm of Hunter (2004, "MM algorithms for generalized Bradley-Terry models", Ann. Statist. 32(1), section 5):
``w_i <- W_i / sum_s n_si / sum_{k in R_s} n_sk w_k``, where ``W_i`` counts the stages ``s`` at which ``i`` was
chosen and ``R_s`` is the set left at stage ``s`` (``n_si``: responses of system ``i`` in it; a system with two
responses in one item counts twice). Skills are log-strengths centred to mean 0, the same scale as
``metrics.ranking.bradley_terry`` (Plackett-Luce with K = 2 is Bradley-Terry), so the two methods' skills are
directly comparable. The MLE exists only when the "ranked above" graph is strongly connected (Hunter's
assumption); otherwise the fit or that resample is undefined (NaN). Uncertainty: a bootstrap over **prompts**
(items; every judgment of a resampled item goes with it), 95% percentile intervals.

**Rank stability**: Kendall's tau-b between the full-data skills and each bootstrap resample's skills; reported as
the mean over resamples with a 95% percentile interval, and the share of resamples giving exactly the full-data
order. A ranking that a different draw of prompts would reorder has a low tau.

**Pairwise at the same budget**: a pairwise run's judgments (each a view of two responses, A / B / tie) become
battles between their systems and are fitted by Bradley-Terry (``metrics.ranking.bradley_terry``, ties half a win
each), with the same bootstrap over prompts and the same stability measure. The budget is the number of judge
calls (judgments, failed ones included): a K-wise call ranks K systems, a pairwise call compares two. When the two
runs used different numbers of calls, the one with more is cut to its first items (sorted by item id) while its
calls stay within the other's, so both are compared at the same budget; the cut is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from ..errors import InputError
from ..metrics.ranking import bradley_terry, centred_log, strongly_connected
from ..metrics.stats import DEFAULT_RESAMPLES, DEFAULT_SEED, Interval, bootstrap_counts, finite_or_none, interval_of
from ..schema import Decision, ItemResult, Judgment

T = TypeVar("T")

PL_METHOD = "K-wise Plackett-Luce"
BT_METHOD = "pairwise Bradley-Terry"


@dataclass(frozen=True, eq=False)
class SkillFit:
    """One method's ranking of systems with its uncertainty and stability.

    Attributes:
        method: ``PL_METHOD`` or ``BT_METHOD``.
        systems: the systems, sorted by name.
        skills: log-strengths (mean 0), NaN when undefined.
        intervals: 95% bootstrap percentile intervals per system (``None`` when undefined).
        taus: Kendall's tau-b between the full-data skills and each resample's (NaN for an undefined resample).
        calls: judge calls used (judgments of the items used, failed ones included).
        calls_available: judge calls in the run before any cut to the common budget.
        items: items (prompts) used; ``items_available`` before the cut.
        comparisons: rankings (K-wise) or battles (pairwise) read.
        reason: why there is no fit (``None`` when there is one).
    """

    method: str
    systems: tuple[str, ...]
    skills: np.ndarray
    intervals: tuple[Interval | None, ...]
    taus: np.ndarray
    calls: int
    calls_available: int
    items: int
    items_available: int
    comparisons: int
    reason: str | None = None

    @property
    def tau_mean(self) -> float | None:
        ok = self.taus[np.isfinite(self.taus)]
        return float(ok.mean()) if ok.size else None

    @property
    def tau_interval(self) -> Interval | None:
        return interval_of(self.taus) if self.taus.size else None

    @property
    def same_order_share(self) -> float | None:
        """Share of defined resamples whose order equals the full-data order (tau = 1)."""
        ok = self.taus[np.isfinite(self.taus)]
        return float(np.mean(ok > 1 - 1e-9)) if ok.size else None

    def order(self) -> tuple[str, ...]:
        """The systems, best first (undefined skills last)."""
        idx = np.argsort(-np.nan_to_num(self.skills, nan=-np.inf), kind="stable")
        return tuple(self.systems[i] for i in idx)

    def to_rows(self) -> list[dict[str, Any]]:
        rank = {s: k + 1 for k, s in enumerate(self.order())}
        rows = []
        for i, s in sorted(enumerate(self.systems), key=lambda x: rank[x[1]]):
            ci = self.intervals[i]
            rows.append({"method": self.method, "rank": rank[s], "system": s, "skill": finite_or_none(float(self.skills[i])), "low": ci.low if ci else None, "high": ci.high if ci else None})
        return rows

    def to_dict(self) -> dict[str, Any]:
        ti = self.tau_interval
        return {
            "method": self.method,
            "systems": self.to_rows(),
            "stability": {
                "kendall_tau_mean": self.tau_mean,
                "low": ti.low if ti else None,
                "high": ti.high if ti else None,
                "same_order_share": self.same_order_share,
                "resamples": int(self.taus.size),
                "undefined_resamples": int((~np.isfinite(self.taus)).sum()),
            },
            "calls": self.calls,
            "calls_available": self.calls_available,
            "items": self.items,
            "items_available": self.items_available,
            "comparisons": self.comparisons,
            "reason": self.reason,
        }


@dataclass(frozen=True, eq=False)
class KwiseReport:
    """The K-wise fit, the pairwise fit at the same budget (or ``None``), and notes on how the budget was matched."""

    kwise: SkillFit
    pairwise: SkillFit | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def fits(self) -> tuple[SkillFit, ...]:
        return (self.kwise,) if self.pairwise is None else (self.kwise, self.pairwise)

    def to_dict(self) -> dict[str, Any]:
        return {"fits": [f.to_dict() for f in self.fits], "notes": list(self.notes)}


# ---------------------------------------------------------------------------------------------------------------
# reading judgments


def _models(result: ItemResult) -> list[str]:
    models = [r.model for r in result.item.responses]
    missing = [i for i, m in enumerate(models) if not m]
    if missing:
        raise InputError(
            f"item {result.item.id!r}: response {missing[0]} names no system (Response.model); a ranking of systems needs every response's model",
            field="responses.model",
        )
    return models


def _per_item(results: Sequence[ItemResult], read: Callable[[Judgment, list[str]], T | None]) -> list[tuple[str, int, list[T]]]:
    """Per item: ``(item id, judge calls, [read(judgment, systems of the item's responses) for each judgment that
    reads as something])``."""
    out = []
    for r in results:
        models = _models(r)
        found = [x for jm in r.judgments if (x := read(jm, models)) is not None]
        out.append((r.item.id, len(r.judgments), found))
    return out


def kwise_rankings(results: Sequence[ItemResult]) -> list[tuple[str, int, list[tuple[str, ...]]]]:
    """Per item: ``(item id, judge calls, [each valid ranking as the systems of its responses, best first])``."""

    def ranking(jm: Judgment, models: list[str]) -> tuple[str, ...] | None:
        view = jm.shown
        if jm.is_failed or jm.ranking is None or sorted(jm.ranking) != list(range(len(view))):
            return None
        return tuple(models[view[p]] for p in jm.ranking)

    return _per_item(results, ranking)


_OUTCOME = {Decision.A_BETTER: 1.0, Decision.TIE: 0.0, Decision.B_BETTER: -1.0}


def pairwise_battles(results: Sequence[ItemResult]) -> list[tuple[str, int, list[tuple[str, str, float]]]]:
    """Per item: ``(item id, judge calls, [(system shown first, system shown second, 1 / 0 / -1)])``; a judgment
    between two responses of the same system is no battle."""

    def battle(jm: Judgment, models: list[str]) -> tuple[str, str, float] | None:
        view = jm.shown
        if jm.is_failed or len(view) != 2 or jm.decision not in _OUTCOME:
            return None
        a, b = models[view[0]], models[view[1]]
        return (a, b, _OUTCOME[jm.decision]) if a != b else None

    return _per_item(results, battle)


def is_kwise_run(results: Sequence[ItemResult]) -> bool:
    """Whether the results hold listwise rankings of three or more responses written by named systems."""
    return any(jm.ranking is not None and len(jm.shown) >= 3 for r in results for jm in r.judgments) and all(
        all(x.model for x in r.item.responses) for r in results
    )


def is_pairwise_run(results: Sequence[ItemResult]) -> bool:
    """Whether the results hold pairwise decisions between responses of different named systems."""
    return any(jm.decision in _OUTCOME and len(jm.shown) == 2 for r in results for jm in r.judgments) and all(
        all(x.model for x in r.item.responses) and len({x.model for x in r.item.responses}) > 1 for r in results
    )


# ---------------------------------------------------------------------------------------------------------------
# fitting


def plackett_luce(stage_counts: np.ndarray, members: np.ndarray, chooser: np.ndarray, above: np.ndarray, *, max_iter: int = 10_000, tol: float = 1e-9) -> np.ndarray:
    """Plackett-Luce log-strengths ``(r, m)`` (mean 0 per row) by Hunter's (2004) MM algorithm.

    Args:
        stage_counts: ``(r, T)`` how often each stage type occurs in each resample.
        members: ``(T, m)`` responses of each system left at a stage of that type.
        chooser: ``(T,)`` the system chosen at that stage.
        above: ``(r, m, m)`` times ``i`` was ranked above ``j``, for the existence check.

    Rows without a finite MLE (the ranked-above graph not strongly connected) are NaN.
    """
    counts = np.atleast_2d(np.asarray(stage_counts, dtype=float))
    r = counts.shape[0]
    t, m = members.shape
    ok = strongly_connected(above)
    wins = counts @ np.eye(m)[chooser]  # (r, m): stages won
    gamma = np.ones((r, m))
    for _ in range(max_iter):
        denom = gamma @ members.T  # (r, T): sum of strengths left at each stage type
        d = (counts / np.where(denom > 0, denom, 1.0)) @ members  # (r, m)
        new = np.where(d > 0, wins / np.where(d > 0, d, 1.0), gamma)
        new = np.where(ok[:, None], np.maximum(new, 1e-300), 1.0)
        new /= np.exp(np.log(new).mean(axis=1, keepdims=True))
        done = np.max(np.abs(np.log(new) - np.log(gamma)), axis=1) < tol
        gamma = new
        if done.all():
            break
    return centred_log(gamma, ok)


def kendall_tau_b(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Kendall's tau-b between each row of ``x`` ``(r, m)`` and ``y`` ``(m,)``; NaN for a row with a NaN or a
    constant row."""
    x = np.atleast_2d(np.asarray(x, dtype=float))
    y = np.asarray(y, dtype=float)
    bad = ~np.isfinite(x).all(axis=1) | ~np.isfinite(y).all()
    x = np.where(bad[:, None], 0.0, x)
    sx = np.sign(x[:, :, None] - x[:, None, :])
    sy = np.sign(np.nan_to_num(y)[:, None] - np.nan_to_num(y)[None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = (sx * sy).sum(axis=(1, 2)) / np.sqrt(np.abs(sx).sum(axis=(1, 2)) * np.abs(sy).sum())
    tau[bad] = np.nan
    return tau


def _fit(
    method: str,
    systems: tuple[str, ...],
    per_item: np.ndarray,
    fit_rows: Any,
    *,
    calls: int,
    calls_available: int,
    items_available: int,
    comparisons: int,
    n_resamples: int,
    seed: int,
) -> SkillFit:
    """Fit ``fit_rows(counts (r, n_features))`` on the item features ``per_item`` ``(items, n_features)``, with a
    bootstrap over items."""
    m, n_items = len(systems), per_item.shape[0]
    common = {"calls": calls, "calls_available": calls_available, "items": n_items, "items_available": items_available, "comparisons": comparisons}
    if m < 2 or comparisons == 0:
        why = f"needs at least 2 systems compared, got {m} systems and {comparisons} comparisons"
        return SkillFit(method, systems, np.full(m, np.nan), (None,) * m, np.array([]), reason=why, **common)
    full = fit_rows(per_item.sum(axis=0, keepdims=True))[0]
    if not np.isfinite(full).all():
        why = "no finite maximum-likelihood fit: some group of systems was never ranked above (or below) the rest"
        return SkillFit(method, systems, full, (None,) * m, np.array([]), reason=why, **common)

    def stat(c: np.ndarray) -> np.ndarray:
        th = fit_rows(c @ per_item)
        return np.column_stack([th, kendall_tau_b(th, full)])

    reps = bootstrap_counts(np.arange(n_items), n_items, stat, n_resamples=n_resamples, seed=seed)
    intervals = tuple(interval_of(reps[:, i], seed=seed) for i in range(m))
    return SkillFit(method, systems, full, intervals, reps[:, m], **common)


def fit_kwise(
    items: Sequence[tuple[str, int, list[tuple[str, ...]]]],
    *,
    systems: Sequence[str] | None = None,
    calls_available: int | None = None,
    items_available: int | None = None,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> SkillFit:
    """Plackett-Luce skills of the systems from per-item rankings (``kwise_rankings``), bootstrapped over items."""
    names = tuple(systems) if systems is not None else tuple(sorted({s for _, _, rs in items for rk in rs for s in rk}))
    pos = {s: i for i, s in enumerate(names)}
    m = len(names)
    types: dict[tuple[tuple[int, ...], int], int] = {}
    rows: list[dict[int, float]] = []
    above_rows = []
    for _, _, ranks in items:
        row: dict[int, float] = {}
        above = np.zeros((m, m))
        for rk in ranks:
            idx = [pos[s] for s in rk]
            for a in range(len(idx)):
                for b in range(a + 1, len(idx)):
                    above[idx[a], idx[b]] += 1
            for stage in range(len(idx) - 1):
                left = np.bincount(idx[stage:], minlength=m)
                key = (tuple(int(v) for v in left), idx[stage])
                t = types.setdefault(key, len(types))
                row[t] = row.get(t, 0.0) + 1
        rows.append(row)
        above_rows.append(above.reshape(-1))
    n_types = len(types)
    members = np.array([k[0] for k in types], dtype=float).reshape(n_types, m)
    chooser = np.array([k[1] for k in types], dtype=int)
    per_item = np.zeros((len(items), n_types + m * m))
    for i, row in enumerate(rows):
        for t, c in row.items():
            per_item[i, t] = c
    if rows:
        per_item[:, n_types:] = np.array(above_rows)

    def fit_rows(c: np.ndarray) -> np.ndarray:
        return plackett_luce(c[:, :n_types], members, chooser, c[:, n_types:].reshape(-1, m, m))

    calls = sum(n for _, n, _ in items)
    comparisons = sum(len(rs) for _, _, rs in items)
    return _fit(
        PL_METHOD,
        names,
        per_item,
        fit_rows,
        calls=calls,
        calls_available=calls if calls_available is None else calls_available,
        items_available=len(items) if items_available is None else items_available,
        comparisons=comparisons,
        n_resamples=n_resamples,
        seed=seed,
    )


def fit_pairwise(
    items: Sequence[tuple[str, int, list[tuple[str, str, float]]]],
    *,
    systems: Sequence[str] | None = None,
    calls_available: int | None = None,
    items_available: int | None = None,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> SkillFit:
    """Bradley-Terry skills of the systems from per-item battles (``pairwise_battles``), bootstrapped over items."""
    names = tuple(systems) if systems is not None else tuple(sorted({s for _, _, bs in items for a, b, _ in bs for s in (a, b)}))
    pos = {s: i for i, s in enumerate(names)}
    m = len(names)
    per_item = np.zeros((len(items), m * m))
    for i, (_, _, battles) in enumerate(items):
        for a, b, o in battles:
            ia, ib = pos[a], pos[b]
            per_item[i, ia * m + ib] += 1.0 if o > 0 else (0.5 if o == 0 else 0.0)
            per_item[i, ib * m + ia] += 1.0 if o < 0 else (0.5 if o == 0 else 0.0)

    def fit_rows(c: np.ndarray) -> np.ndarray:
        return bradley_terry(c.reshape(-1, m, m))

    calls = sum(n for _, n, _ in items)
    return _fit(
        BT_METHOD,
        names,
        per_item,
        fit_rows,
        calls=calls,
        calls_available=calls if calls_available is None else calls_available,
        items_available=len(items) if items_available is None else items_available,
        comparisons=sum(len(bs) for _, _, bs in items),
        n_resamples=n_resamples,
        seed=seed,
    )


def _cut(items: list[Any], budget: int) -> list[Any]:
    """The first items by id whose calls stay within ``budget``."""
    out, used = [], 0
    for it in sorted(items, key=lambda x: x[0]):
        if used + it[1] > budget:
            break
        out.append(it)
        used += it[1]
    return out


def compare_kwise_pairwise(
    kwise_results: Sequence[ItemResult],
    pairwise_results: Sequence[ItemResult] | None = None,
    *,
    match_budget: bool = True,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> KwiseReport:
    """The K-wise Plackett-Luce fit of ``kwise_results`` and, given ``pairwise_results``, the pairwise
    Bradley-Terry fit at the same number of judge calls (the run with more calls cut to its first items by id,
    unless ``match_budget`` is False).

    Raises:
        InputError: for a run without rankings (or battles), or a response without its system.
    """
    if not is_kwise_run(kwise_results):
        raise InputError("the K-wise run holds no listwise rankings of 3 or more responses by named systems (judge kwise_ranking on items whose responses name their model)")
    kw = kwise_rankings(kwise_results)
    notes: list[str] = []
    if pairwise_results is None:
        return KwiseReport(fit_kwise(kw, n_resamples=n_resamples, seed=seed))
    if not is_pairwise_run(pairwise_results):
        raise InputError("the pairwise run holds no pairwise decisions between responses of different named systems")
    pw = pairwise_battles(pairwise_results)
    systems = tuple(sorted({s for _, _, rs in kw for rk in rs for s in rk} | {s for _, _, bs in pw for a, b, _ in bs for s in (a, b)}))
    kw_calls, pw_calls = sum(n for _, n, _ in kw), sum(n for _, n, _ in pw)
    kw_used, pw_used = kw, pw
    if match_budget and kw_calls != pw_calls:
        if kw_calls > pw_calls:
            kw_used = _cut(kw, pw_calls)
            notes.append(f"same budget: the K-wise run was cut to its first {len(kw_used)} of {len(kw)} items by id ({sum(n for _, n, _ in kw_used)} of {kw_calls} calls), the pairwise run's {pw_calls} calls")
        else:
            pw_used = _cut(pw, kw_calls)
            notes.append(f"same budget: the pairwise run was cut to its first {len(pw_used)} of {len(pw)} items by id ({sum(n for _, n, _ in pw_used)} of {pw_calls} calls), the K-wise run's {kw_calls} calls")
    elif kw_calls != pw_calls:
        notes.append(f"budgets differ: {kw_calls} K-wise calls, {pw_calls} pairwise calls (not matched)")
    else:
        notes.append(f"same budget: both runs made {kw_calls} judge calls")
    opts = {"systems": systems, "n_resamples": n_resamples, "seed": seed}
    return KwiseReport(
        fit_kwise(kw_used, calls_available=kw_calls, items_available=len(kw), **opts),  # type: ignore[arg-type]
        fit_pairwise(pw_used, calls_available=pw_calls, items_available=len(pw), **opts),  # type: ignore[arg-type]
        tuple(notes),
    )
