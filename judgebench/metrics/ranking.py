"""System-level agreement: Bradley-Terry strengths from pairwise verdicts, and rank correlations with humans.

**Bradley-Terry** (Bradley & Terry 1952): ``P(i beats j) = p_i / (p_i + p_j)``. Strengths are fitted by maximum
likelihood with the MM algorithm of Hunter (2004, "MM algorithms for generalized Bradley-Terry models"):
``p_i <- W_i / sum_j N_ij / (p_i + p_j)``, vectorized over bootstrap resamples. A tie counts as half a win for each
side (as in Chatbot Arena's Bradley-Terry fit). Reported strengths are log-strengths centred to mean 0 (a
difference of 1 is odds of e:1); ``elo()`` rescales them to the Elo scale (400 / ln 10 per unit, 1000 = mean).
The maximum-likelihood estimate exists only when the comparison graph is strongly connected (every split of the
systems has a win in each direction); otherwise the fit (or that bootstrap resample) is undefined.

**Agreement with a human ranking**: Spearman's rho and Kendall's tau-b between the judge's strengths and human
scores, either from human pairwise labels on the same items (both fitted by Bradley-Terry, items resampled
jointly) or from a given ranking file (human scores fixed, judge battles resampled).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError
from .stats import (
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    Estimate,
    Interval,
    bootstrap_counts,
    finite_or_none,
    interval_of,
    undefined,
)

ELO_PER_UNIT = 400 / math.log(10)


def strongly_connected(wins: np.ndarray) -> np.ndarray:
    """Per resample ``(r, m, m)``: is the directed graph ``i -> j`` when ``i`` beat ``j`` (or was ranked above ``j``)
    strongly connected? (Without it a Bradley-Terry or Plackett-Luce MLE does not exist: Ford 1957, Hunter 2004.)"""
    m = wins.shape[-1]
    reach = (wins > 0) | np.eye(m, dtype=bool)
    for _ in range(max(1, math.ceil(math.log2(max(m, 2))))):
        reach = (reach.astype(np.float32) @ reach.astype(np.float32)) > 0
    return np.asarray(reach.all(axis=(1, 2)))


def bradley_terry(wins: np.ndarray, *, max_iter: int = 10_000, tol: float = 1e-10) -> np.ndarray:
    """Log-strengths ``(r, m)`` (mean 0 per row) from win matrices ``(r, m, m)`` (``wins[i, j]``: i beat j).

    Rows whose comparison graph is not strongly connected (no finite MLE) are NaN.
    """
    w = np.asarray(wins, dtype=float)
    if w.ndim == 2:
        w = w[None]
    r, m, _ = w.shape
    ok = strongly_connected(w)
    games = w + w.transpose(0, 2, 1)
    total = w.sum(axis=2)
    p = np.ones((r, m))
    for _ in range(max_iter):
        denom = (games / (p[:, :, None] + p[:, None, :])).sum(axis=2)
        with np.errstate(divide="ignore", invalid="ignore"):
            new = np.where(denom > 0, total / np.where(denom > 0, denom, 1), p)
        new = np.where(ok[:, None], new, 1.0)
        new /= np.exp(np.log(np.maximum(new, 1e-300)).mean(axis=1, keepdims=True))
        done = np.nanmax(np.abs(np.log(np.maximum(new, 1e-300)) - np.log(p)), axis=1) < tol
        p = new
        if done.all():
            break
    return centred_log(p, ok)


def centred_log(strengths: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Log-strengths ``(r, m)`` of positive ``strengths``, each row centred at mean 0; rows where ``ok`` ``(r,)`` is
    false (no fit) are NaN. The scale both MM fits (Bradley-Terry, Plackett-Luce) report on."""
    theta = np.log(strengths)
    theta -= theta.mean(axis=1, keepdims=True)
    theta[~ok] = np.nan
    return theta


def elo(theta: np.ndarray) -> np.ndarray:
    """Log-strengths on the Elo scale: 400 / ln(10) points per unit, centred at 1000."""
    return 1000 + ELO_PER_UNIT * np.asarray(theta)


@dataclass(frozen=True, eq=False)
class Ranking:
    """Bradley-Terry log-strengths of ``systems`` with 95% bootstrap intervals (``None`` where undefined)."""

    systems: tuple[str, ...]
    strengths: np.ndarray
    intervals: tuple[Interval | None, ...]
    n_battles: int
    reason: str | None = None

    def to_rows(self) -> list[dict[str, object]]:
        order = np.argsort(-np.nan_to_num(self.strengths, nan=-np.inf), kind="stable")
        return [
            {
                "rank": k + 1,
                "system": self.systems[i],
                "strength": finite_or_none(self.strengths[i]),
                "low": self.intervals[i].low if self.intervals[i] else None,
                "high": self.intervals[i].high if self.intervals[i] else None,
            }
            for k, i in enumerate(order)
        ]


def _codes(a: np.ndarray, b: np.ndarray, outcome: np.ndarray, m: int) -> np.ndarray:
    """Battle-type code: (first system, second system, outcome 1 / 0 / -1)."""
    return (a * m + b) * 3 + (1 - outcome.astype(int))


def _wins_from_counts(counts: np.ndarray, m: int) -> np.ndarray:
    """Win matrices ``(r, m, m)`` from counts ``(r, m*m*3)`` of battle types; a tie is half a win for each."""
    c = counts.reshape(-1, m, m, 3)
    wins = c[..., 0] + 0.5 * c[..., 1]  # first system won, or tie
    wins = wins + (c[..., 2] + 0.5 * c[..., 1]).transpose(0, 2, 1)  # second system won, or tie
    return wins


def battles_array(battles: Sequence[tuple[str, str, float]], systems: Sequence[str] | None = None) -> tuple[tuple[str, ...], np.ndarray, np.ndarray, np.ndarray]:
    """``(systems, a, b, outcome)`` index arrays from ``(system_a, system_b, outcome)`` battles (1 A won, 0 tie, -1 B won)."""
    names = tuple(systems) if systems is not None else tuple(sorted({s for a, b, _ in battles for s in (a, b)}))
    pos = {s: i for i, s in enumerate(names)}
    a = np.array([pos[x] for x, _, _ in battles], dtype=int)
    b = np.array([pos[y] for _, y, _ in battles], dtype=int)
    o = np.array([o for _, _, o in battles], dtype=float)
    if o.size and not np.isin(o, (-1, 0, 1)).all():
        raise ValueError("battle outcomes must be 1 (A won), 0 (tie) or -1 (B won)")
    return names, a, b, o


def fit_ranking(battles: Sequence[tuple[str, str, float]], *, n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED) -> Ranking:
    """Bradley-Terry fit of battles with percentile intervals from a bootstrap over battles."""
    systems, a, b, o = battles_array(battles)
    m = len(systems)
    if m < 2:
        return Ranking(systems, np.full(m, np.nan), (None,) * m, len(o), f"needs at least 2 systems, got {m}")
    codes = _codes(a, b, o, m)
    counts = np.bincount(codes, minlength=m * m * 3)[None].astype(float)
    theta = bradley_terry(_wins_from_counts(counts, m))[0]
    if not np.isfinite(theta).all():
        return Ranking(systems, theta, (None,) * m, len(o), "no finite Bradley-Terry fit: some group of systems never lost (or never won) against the rest")
    reps = bootstrap_counts(codes, m * m * 3, lambda c: bradley_terry(_wins_from_counts(c, m)), n_resamples=n_resamples, seed=seed)
    return Ranking(systems, theta, tuple(interval_of(reps[:, i], seed=seed) for i in range(m)), len(o))


def _rank_corr(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman's rho and Kendall's tau-b ``(r, 2)`` between rows of ``x`` ``(r, m)`` and ``y`` (``(r, m)`` or ``(m,)``).

    Rows with a NaN, or a constant row, give NaN.
    """
    from scipy.stats import rankdata

    x = np.asarray(x, dtype=float)
    y = np.broadcast_to(np.asarray(y, dtype=float), x.shape)
    bad = ~(np.isfinite(x).all(axis=1) & np.isfinite(y).all(axis=1))
    x = np.where(bad[:, None], 0.0, x)
    y = np.where(bad[:, None], 0.0, y)
    rx, ry = rankdata(x, axis=1), rankdata(y, axis=1)
    dx = rx - rx.mean(axis=1, keepdims=True)
    dy = ry - ry.mean(axis=1, keepdims=True)
    sx = np.sign(x[:, :, None] - x[:, None, :])
    sy = np.sign(y[:, :, None] - y[:, None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = (dx * dy).sum(axis=1) / np.sqrt((dx * dx).sum(axis=1) * (dy * dy).sum(axis=1))
        tau = (sx * sy).sum(axis=(1, 2)) / np.sqrt(np.abs(sx).sum(axis=(1, 2)) * np.abs(sy).sum(axis=(1, 2)))
    out = np.column_stack([rho, tau])
    out[bad] = np.nan
    return out


def ranking_agreement(
    judge_battles: Sequence[tuple[str, str, float]],
    human: Mapping[str, float] | Sequence[tuple[str, str, float]],
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> list[Estimate]:
    """Spearman and Kendall between the judge's Bradley-Terry ranking and a human ranking.

    Args:
        judge_battles: ``(system_a, system_b, outcome)`` per item, from the judge.
        human: either scores per system (higher = better; a given ranking) or human battles on the *same items in
            the same order* as ``judge_battles`` (then items are resampled jointly and both sides refitted).

    Returns:
        ``[Spearman's rho, Kendall's tau-b]`` over the systems both sides rank (``n`` = number of systems),
        undefined with a reason for fewer than 3 systems or a ranking without a finite fit.
    """
    from scipy import stats as sps

    names = ("system-level Spearman's rho", "system-level Kendall's tau-b")
    scores: Mapping[str, float] | None = human if isinstance(human, Mapping) else None
    human_battles: Sequence[tuple[str, str, float]] = [] if isinstance(human, Mapping) else human
    paired = scores is None
    if paired and len(human_battles) != len(judge_battles):
        raise ValueError("human battles must be on the same items as the judge's, in the same order")
    pool = sorted({s for a, b, _ in judge_battles for s in (a, b)})
    if scores is not None:
        pool = [s for s in pool if s in scores]
    m = len(pool)
    if m < 3:
        reason = f"needs at least 3 systems ranked by both, got {m}"
        return [undefined(n, m, reason) for n in names]
    keep = [k for k, (a, b, _) in enumerate(judge_battles) if a in pool and b in pool]
    _, ja, jb, jo = battles_array([judge_battles[k] for k in keep], pool)
    jcodes = _codes(ja, jb, jo, m)
    nj = m * m * 3
    if paired:
        _, _, _, ho = battles_array([human_battles[k] for k in keep], pool)
        codes = jcodes * 3 + (1 - ho.astype(int))

        def fit_both(c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            c = c.reshape(-1, nj, 3)
            hc = c.reshape(-1, m * m, 3, 3).sum(axis=2).reshape(-1, nj)  # sum over the judge outcome
            return bradley_terry(_wins_from_counts(c.sum(axis=2), m)), bradley_terry(_wins_from_counts(hc, m))

        full = np.bincount(codes, minlength=nj * 3)[None].astype(float)
        jt, ht = fit_both(full)
        ref = ht[0]
    else:
        codes = jcodes
        jt = bradley_terry(_wins_from_counts(np.bincount(codes, minlength=nj)[None].astype(float), m))
        assert scores is not None
        ref = np.array([float(scores[s]) for s in pool])
    if not np.isfinite(jt).all() or not np.isfinite(ref).all():
        reason = "no finite Bradley-Terry fit (some group of systems never lost or never won)"
        return [undefined(n, m, reason) for n in names]
    rho = float(sps.spearmanr(jt[0], ref).statistic)
    tau = float(sps.kendalltau(jt[0], ref).statistic)
    if paired:

        def stat(c: np.ndarray) -> np.ndarray:
            j, h = fit_both(c)
            return _rank_corr(j, h)

        reps = bootstrap_counts(codes, nj * 3, stat, n_resamples=n_resamples, seed=seed)
    else:
        reps = bootstrap_counts(codes, nj, lambda c: _rank_corr(bradley_terry(_wins_from_counts(c, m)), ref), n_resamples=n_resamples, seed=seed)
    out = []
    for i, (name, value) in enumerate(zip(names, (rho, tau), strict=True)):
        ci = interval_of(reps[:, i], seed=seed)
        v = finite_or_none(value)
        out.append(Estimate(name, v, m, intervals=(ci,) if ci else (), reason=None if v is not None else "a ranking is constant"))
    return out


def read_ranking(path: str | Path) -> dict[str, float]:
    """Scores per system from a CSV / JSONL / JSON file with a ``system`` (or ``model``) column and a ``score``
    (``rating``, ``elo``, ``strength``; higher = better) or ``rank`` (1 = best) column.

    Raises:
        InputError: naming file, line and field for a missing column, a non-numeric score or a duplicate system.
    """
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", path=p)
    if p.suffix.lower() == ".csv":
        with p.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            rows = [(reader.line_num, dict(r)) for r in reader]
    elif p.suffix.lower() == ".jsonl":
        from ..files import iter_jsonl

        rows = list(iter_jsonl(p))
    elif p.suffix.lower() == ".json":
        data = json.loads(p.read_text(encoding="utf-8"))
        rows = list(enumerate(data if isinstance(data, list) else [{"system": k, "score": v} for k, v in data.items()], start=1))
    else:
        raise InputError("unsupported ranking file type; use .csv, .jsonl or .json", path=p)
    out: dict[str, float] = {}
    for line, r in rows:
        low = {str(k).lower(): v for k, v in r.items()}
        sys_key = next((k for k in ("system", "model", "name") if k in low), None)
        score_key = next((k for k in ("score", "rating", "elo", "strength", "rank") if k in low), None)
        if sys_key is None or score_key is None:
            raise InputError("a ranking row needs a system (or model) and a score (or rank) field", path=p, line=line)
        try:
            v = float(low[score_key])
        except (TypeError, ValueError):
            raise InputError(f"not a number: {low[score_key]!r}", path=p, line=line, field=score_key) from None
        name = str(low[sys_key]).strip()
        if name in out:
            raise InputError(f"duplicate system {name!r}", path=p, line=line, field=sys_key)
        out[name] = -v if score_key == "rank" else v
    if not out:
        raise InputError("no systems in ranking file (empty)", path=p)
    return out
