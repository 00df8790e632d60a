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
from .names import Names
from .plot_style import (
    LINE_IN,
    PALETTE,
    SIZES,
    as_number,
    check_size,
    facet_grid,
    group_style,
    label_chars,
    legend_chars,
    legend_columns,
    lines,
    new_figure,
    paper_style,
    text_chars,
    wrap,
)

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


def length_bias_figure(runs: Sequence[tuple[str, Sequence[ItemResult]]], *, bins: int = 5, size: str = "column", facets: Sequence[str] = ()) -> Figure:
    """Lines: % of decisions choosing the longer response per length-difference bin, one per run (distinct colour
    and marker); dashed black: the % of pairs whose longer response is the correct one (a judge without length bias
    follows it). ``facets``: the panel title of each run (its benchmark and pair set); each panel has its own bins."""
    import math

    check_size(size)
    names = [n for n, _ in runs]
    unique = [n if names.count(n) == 1 else f"{n} #{names[:i + 1].count(n)}" for i, n in enumerate(names)]
    titles = list(facets) if facets else [""] * len(runs)
    if len(titles) != len(runs):
        raise ValueError("facets must give one title per run")
    panels: dict[str, list[tuple[str, Sequence[ItemResult]]]] = {}
    for u, (_, res), t in zip(unique, runs, titles, strict=True):
        panels.setdefault(t, []).append((u, res))
    curves = []
    for t, members in panels.items():  # a panel of best-of-K items (RM-Bench, RMB) has no pair: it is left out
        try:
            curves.append((t, length_bias(members, bins=bins)))
        except InputError:
            continue
    if not curves:
        raise InputError("no judged pair with responses of different lengths; the length-bias curve needs judgments")
    unique = [u for t, members in panels.items() if any(t == c for c, _ in curves) for u, _ in members]
    labels = [wrap(u, legend_chars(size, len(unique) + 1)) for u in unique]
    label_of = dict(zip(unique, labels, strict=True))
    cols = 1 if size == "column" else max(1, min(len(curves), 3))
    shown_titles = [wrap(t, text_chars(0.6 * SIZES[size], 8)) if len(curves) > 1 else "" for t, _ in curves]
    title_h = max((lines(t) * 8 / 72 * 1.3 + 0.08 for t in shown_titles if t), default=0.0)
    n_legend = len(unique) + 1
    legend_h = math.ceil(n_legend / legend_columns(size, n_legend)) * max(lines(x) for x in labels) * LINE_IN * 1.1 + 0.12
    xlabel = wrap("longer response is longer by (% of the shorter)", text_chars(0.8 * SIZES[size] / cols))
    panel_h = 1.6 if size == "column" else 1.9
    total = math.ceil(len(curves) / cols) * (panel_h + title_h + (lines(xlabel) - 1) * LINE_IN) + 0.35 + legend_h
    from matplotlib.lines import Line2D

    with paper_style():
        fig = new_figure(total, size)
        axes = facet_grid(fig, len(curves), cols=cols, sharey=True)
        handles = []
        k = 0
        for i, ((_, lb), ax, title) in enumerate(zip(curves, axes, shown_titles, strict=True)):
            ticks = [f"{lb.edges[j]:.0f}–{lb.edges[j + 1]:.0f}" for j in range(len(lb.edges) - 1)]
            xs = list(range(len(ticks)))
            for name, (share, _) in lb.runs.items():
                style = group_style(k)
                ax.plot(xs, share, marker=style.marker, mfc="none", color=style.color)
                handles.append(Line2D([], [], marker=style.marker, mfc="none", color=style.color, label=label_of[name]))
                k += 1
            ax.plot(xs, lb.label[0], linestyle="--", color="black", marker="s", markersize=3)
            ax.axhline(50, color="0.6", linewidth=0.6, linestyle=":")
            ax.set_xticks(xs, ticks, rotation=30 if size == "column" and len(ticks) > 4 else 0, ha="right" if size == "column" and len(ticks) > 4 else "center")
            ax.set_xlabel(xlabel)
            if i % cols == 0:
                ax.set_ylabel("longer response chosen (%)")
            if title:
                ax.set_title(title)
        axes[0].set_ylim(0, 102)
        handles.append(Line2D([], [], linestyle="--", color="black", marker="s", markersize=3, label="label (truth)"))
        fig.legend(handles=handles, loc="outside lower center", ncols=legend_columns(size, len(handles)), frameon=False, handletextpad=0.3, columnspacing=0.8)
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


def _display_name(name: str, names: Names | None) -> str:
    """A judge's name from ``agree --json`` (``judge:model`` as ``rater``, or ``judge/model`` from a run folder) as
    ``names`` shows runs; other names as they are."""
    if names is None:
        names = Names()
    for sep in (":", "/"):
        judge, found, model = name.partition(sep)
        if found and judge and model:
            return names.run(judge, model)
    return names.run(name, "")


def agreement_figure(data: Any, *, measure: str | None = None, names: Names | None = None, size: str = "column") -> Figure:
    """Bars: each judge's agreement with human labels, next to the human-human baseline on the same items (grey)."""
    check_size(size)
    points = agreement_points(data, measure)
    import numpy as np

    shown = [_display_name(n, names) for n, _, _ in points]
    shown = [n if shown.count(n) == 1 else f"{n} #{shown[:i + 1].count(n)}" for i, n in enumerate(shown)]
    labels = [wrap(n, label_chars(size)) for n in shown]
    has_human = any(h is not None for _, _, h in points)
    row_h = max(0.3 if has_human else 0.17, max(lines(x) for x in labels) * LINE_IN + 0.06)
    xlabel = wrap(measure or ("agreement with the majority of the other humans" if has_human else "agreement with human labels"), text_chars(0.5 * SIZES[size]))
    total = len(points) * row_h + 0.12 + 0.3 + lines(xlabel) * LINE_IN + (LINE_IN + 0.12 if has_human else 0.0)
    with paper_style():
        fig = new_figure(total, size)
        ax = fig.add_subplot()
        ys = np.arange(len(points))[::-1].astype(float)
        height = 0.38 if has_human else 0.65

        def bars(y: np.ndarray, ests: list[tuple[float, float | None, float | None]], **kw: Any) -> None:
            vals = [e[0] for e in ests]
            err = [[max(0.0, v - (lo if lo is not None else v)) for v, lo, _ in ests], [max(0.0, (hi if hi is not None else v) - v) for v, _, hi in ests]]
            ax.barh(y, vals, height=height, xerr=err, error_kw={"elinewidth": 0.8, "capsize": 1.5}, **kw)

        off = height / 2 if has_human else 0.0
        bars(ys + off, [j for _, j, _ in points], color=PALETTE[0], label="judge vs humans")
        human = [(y, h) for y, (_, _, h) in zip(ys, points, strict=True) if h is not None]
        if human:
            bars(np.array([y for y, _ in human]) - off, [h for _, h in human], color="0.65", hatch="////", edgecolor="0.35", linewidth=0.4, label="human vs humans")
            fig.legend(loc="outside lower center", ncols=2, frameon=False)
        ax.set_yticks(ys, labels)
        ax.set_ylim(-0.6, len(points) - 0.4)
        values = [v for _, j, h in points for e in (j, h) if e is not None for v in e if v is not None]
        if values and min(values) >= 0 and max(values) <= 1:
            ax.set_xlim(0, 1)
        ax.set_xlabel(xlabel)
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
