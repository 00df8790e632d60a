"""Figures that read judgments or agreement output rather than leaderboard rows: the length-bias curve (how often
a judge chose the longer response, by how much longer it is) and agreement with human labels next to the
human-human baseline (from ``judgebench agree --json``). Same paper style as :mod:`judgebench.reports.plots`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..analysis.scoring import original_frame, pairwise_pairs
from ..errors import InputError
from ..schema import Decision, ItemResult
from .plot_style import MARKERS, as_number, new_figure, paper_style, shorten

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class LengthBias:
    """Binned length-bias curve: bin edges of the relative length difference (longer / shorter - 1, in %), and
    for each run the percentage of decisions that chose the longer response (``nan`` for an empty bin), with the
    number of decisions per bin; ``label`` is the same share for the ground-truth labels."""

    edges: tuple[float, ...]
    runs: dict[str, tuple[tuple[float, ...], tuple[int, ...]]]
    label: tuple[tuple[float, ...], tuple[int, ...]]


def _longer_is_a(result: ItemResult) -> bool | None:
    la, lb = len(result.pair.response_A), len(result.pair.response_B)
    return None if la == lb else la > lb


def _rel_diff(result: ItemResult) -> float:
    la, lb = len(result.pair.response_A), len(result.pair.response_B)
    return 100.0 * (max(la, lb) / max(1, min(la, lb)) - 1)


def length_bias(runs: Sequence[tuple[str, Sequence[ItemResult]]], *, bins: int = 5) -> LengthBias:
    """How often each run chose the longer response, by how much longer it is.

    Lengths are in characters; pairs of equal length are left out. Bin edges are quantiles of the relative
    difference over the distinct pairs of all runs, so each bin holds about the same number of pairs. Each game's
    decision counts once, in the original frame; ties and no-decisions are left out (the share is among decisions
    that picked a side).

    Raises:
        InputError: when no run has a pair of unequal lengths.
    """
    import numpy as np

    runs = [(name, pairwise_pairs(results)) for name, results in runs]  # the length curve reads pairs judged pairwise
    pairs = {r.pair_id: r for _, results in runs for r in results if _longer_is_a(r) is not None}
    if not pairs:
        raise InputError("no judged pair with responses of different lengths; the length-bias curve needs judgments")
    diffs = np.array([_rel_diff(r) for r in pairs.values()])
    edges = np.unique(np.quantile(diffs, np.linspace(0, 1, max(1, bins) + 1)))
    if edges.size < 2:
        edges = np.array([edges[0], edges[0] + 1e-9])

    def bin_of(d: float) -> int:
        return min(int(np.searchsorted(edges, d, side="right")) - 1, int(edges.size) - 2)

    def curve(items: list[tuple[int, bool]]) -> tuple[tuple[float, ...], tuple[int, ...]]:
        hits = np.zeros(edges.size - 1)
        counts = np.zeros(edges.size - 1, dtype=int)
        for b, chose_longer in items:
            hits[b] += chose_longer
            counts[b] += 1
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(counts > 0, 100 * hits / np.maximum(counts, 1), np.nan)
        return tuple(float(x) for x in share), tuple(int(c) for c in counts)

    out: dict[str, tuple[tuple[float, ...], tuple[int, ...]]] = {}
    for name, results in runs:
        items = []
        for r in results:
            a_longer = _longer_is_a(r)
            if a_longer is None:
                continue
            for d in original_frame(r):
                if d in (Decision.A_BETTER, Decision.B_BETTER):
                    items.append((bin_of(_rel_diff(r)), (d == Decision.A_BETTER) == a_longer))
        out[name] = curve(items)
    truth = [(bin_of(_rel_diff(r)), (r.pair.label == Decision.A_BETTER) == _longer_is_a(r)) for r in pairs.values() if r.pair.label in (Decision.A_BETTER, Decision.B_BETTER)]
    return LengthBias(tuple(float(e) for e in edges), out, curve(truth))


def length_bias_figure(runs: Sequence[tuple[str, Sequence[ItemResult]]], *, bins: int = 5) -> Figure:
    """Lines: % of decisions choosing the longer response per length-difference bin, one per run; dashed black:
    the % of pairs whose longer response is the correct one (a judge without length bias follows it)."""
    names = [n for n, _ in runs]
    unique = [n if names.count(n) == 1 else f"{n} #{names[:i + 1].count(n)}" for i, n in enumerate(names)]
    lb = length_bias([(u, res) for u, (_, res) in zip(unique, runs, strict=True)], bins=bins)
    ticks = [f"{lb.edges[i]:.0f}–{lb.edges[i + 1]:.0f}" for i in range(len(lb.edges) - 1)]
    xs = list(range(len(ticks)))
    with paper_style():
        fig = new_figure(2.3 + 0.12 * ((len(runs) + 2) // 2))
        ax = fig.add_subplot()
        for k, (name, (share, _)) in enumerate(lb.runs.items()):
            ax.plot(xs, share, marker=MARKERS[k % len(MARKERS)], mfc="none", color=f"C{k % 10}", label=shorten(name, 22))
        ax.plot(xs, lb.label[0], linestyle="--", color="black", marker="s", markersize=3, label="label (truth)")
        ax.axhline(50, color="0.6", linewidth=0.6, linestyle=":")
        ax.set_xticks(xs, ticks)
        ax.set_xlabel("longer response is longer by (% of the shorter)")
        ax.set_ylabel("longer response chosen (%)")
        ax.set_ylim(0, 102)
        fig.legend(loc="outside lower center", ncols=2, frameon=False, handletextpad=0.3, columnspacing=0.8)
    return fig


def _estimate(obj: Any, where: str) -> tuple[float, float | None, float | None]:
    """(value, CI low, CI high) of an ``Estimate.to_dict()``; the first interval is the CI."""
    if not isinstance(obj, dict) or "value" not in obj:
        raise InputError(f"expected an estimate object with 'value' (and optional 'intervals'), got {type(obj).__name__}", field=where)
    v = as_number(obj.get("value"))
    if v is None:
        raise InputError(f"undefined value ({obj.get('reason') or 'no reason given'})", field=where)
    intervals = obj.get("intervals")
    iv = intervals[0] if isinstance(intervals, list) and intervals and isinstance(intervals[0], dict) else {}
    return v, as_number(iv.get("low")), as_number(iv.get("high"))


HUMAN_VS_HUMANS = "human vs majority of other humans"
JUDGE_VS_HUMANS = "judge vs majority of the same humans"
Point = tuple[float, float | None, float | None]


def _judge_name(item: dict[str, Any], k: int) -> str:
    for key in ("label", "name", "judge"):
        v = item.get(key)
        if isinstance(v, str) and v:
            return v
        if isinstance(v, dict):  # `agree --json`: {"path": ..., "rater": "judge:model", ...}
            rater, path = v.get("rater"), str(v.get("path") or "")
            if rater:
                return str(rater)
            if path:  # a run folder results/<dataset>/<judge>/<model>[/judgments.jsonl] -> "<judge>/<model>"
                p = Path(path).parent if Path(path).name == "judgments.jsonl" else Path(path)
                return "/".join(p.parts[-2:]) if p.suffix == "" and len(p.parts) >= 2 else p.stem
    return f"judge {k + 1}"


def agreement_points(data: Any, measure: str | None = None) -> list[tuple[str, Point, Point | None]]:
    """Per judge: (name, judge estimate, human-vs-human estimate or ``None``) from agreement JSON.

    The input is what ``judgebench agree --json`` prints, or a list of those (one per judge)::

        {"judge": {"path": "results/.../arena_hard/openai_gpt-4o", "rater": ...},   # or a plain name; "label" overrides
         "measures": [{"section": "human baseline", "name": "human vs majority of other humans",
                       "value": 0.81, "n": 80, "intervals": [{"low": 0.74, "high": 0.87, "method": "bootstrap ..."}]},
                      {"section": "human baseline", "name": "judge vs majority of the same humans", ...},
                      {"section": "judge vs human majority", "name": "accuracy", ...}, ...]}

    Values are plotted in the units of the measure (a share in [0, 1] for accuracy and agreement). With no
    ``measure`` and a defined human baseline (several human raters), the judge's and the humans' leave-one-out
    agreement with the majority of the other humans are plotted side by side: the two are computed on the same
    (human, item) cases (:func:`judgebench.metrics.reliability.human_baseline`). Otherwise the measure named ``measure``
    (default: the first defined one) is plotted alone.

    Raises:
        InputError: naming the field that does not have this shape, or a measure that is undefined or absent.
    """
    items = data if isinstance(data, list) else [data]
    out: list[tuple[str, Point, Point | None]] = []
    for k, item in enumerate(items):
        where = f"[{k}]" if isinstance(data, list) else "<root>"
        if not isinstance(item, dict):
            raise InputError(f"expected an object per judge, got {type(item).__name__}", field=where)
        measures = item.get("measures")
        if isinstance(measures, dict):
            measures = [dict(v, name=v.get("name", n)) if isinstance(v, dict) else v for n, v in measures.items()]
        if not isinstance(measures, list) or not measures or not all(isinstance(m, dict) for m in measures):
            raise InputError("expected a non-empty list of measure objects", field=f"{where}.measures")
        name = _judge_name(item, k)
        by_name = {str(m.get("name")): m for m in measures}
        base = [by_name.get(HUMAN_VS_HUMANS), by_name.get(JUDGE_VS_HUMANS)]
        if measure is None and all(b is not None and as_number(b.get("value")) is not None for b in base):
            out.append((name, _estimate(base[1], f"{where}.measures[{JUDGE_VS_HUMANS!r}]"), _estimate(base[0], f"{where}.measures[{HUMAN_VS_HUMANS!r}]")))
            continue
        if measure is None:
            chosen = next((m for m in measures if as_number(m.get("value")) is not None), measures[0])
        elif measure in by_name:
            chosen = by_name[measure]
        else:
            raise InputError(f"no measure named {measure!r}; available: {', '.join(map(repr, by_name))}", field=f"{where}.measures")
        out.append((name, _estimate(chosen, f"{where}.measures[{chosen.get('name')!r}]"), None))
    return out


def agreement_figure(data: Any, *, measure: str | None = None) -> Figure:
    """Bars: each judge's agreement with human labels, next to the human-human baseline on the same items (grey)."""
    points = agreement_points(data, measure)
    import numpy as np

    with paper_style():
        fig = new_figure(0.9 + 0.3 * len(points))
        ax = fig.add_subplot()
        ys = np.arange(len(points))[::-1].astype(float)
        has_human = any(h is not None for _, _, h in points)
        height = 0.38 if has_human else 0.65

        def bars(y: np.ndarray, ests: list[tuple[float, float | None, float | None]], **kw: Any) -> None:
            vals = [e[0] for e in ests]
            err = [[max(0.0, v - (lo if lo is not None else v)) for v, lo, _ in ests], [max(0.0, (hi if hi is not None else v) - v) for v, _, hi in ests]]
            ax.barh(y, vals, height=height, xerr=err, error_kw={"elinewidth": 0.8, "capsize": 1.5}, **kw)

        off = height / 2 if has_human else 0.0
        bars(ys + off, [j for _, j, _ in points], color="C0", label="judge vs humans")
        human = [(y, h) for y, (_, _, h) in zip(ys, points, strict=True) if h is not None]
        if human:
            bars(np.array([y for y, _ in human]) - off, [h for _, h in human], color="0.65", label="human vs humans")
            fig.legend(loc="outside lower center", ncols=2, frameon=False)
        ax.set_yticks(ys, [shorten(n) for n, _, _ in points])
        values = [v for _, j, h in points for e in (j, h) if e is not None for v in e if v is not None]
        if values and min(values) >= 0 and max(values) <= 1:
            ax.set_xlim(0, 1)
        ax.set_xlabel(measure or ("agreement with the majority of the other humans" if has_human else "agreement with human labels"))
    return fig


def load_agreement_json(path: str | Path) -> Any:
    """The JSON that ``judgebench agree --json`` prints (see :func:`agreement_points` for the shape)."""
    p = Path(path)
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("file not found", path=p) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"not JSON: {e}", path=p) from None
