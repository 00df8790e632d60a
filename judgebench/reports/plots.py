"""Figures for papers, from leaderboard rows (or ``leaderboard.csv``) and, for the length-bias curve, judgments.

Every figure is one column (3.3 in) or one page (7 in) wide (``size``, :data:`plot_style.SIZES`), its height
following the content; no text is smaller than 7 pt or outside the canvas; it is saved as PNG (200 dpi), PDF
(TrueType fonts embedded) or SVG. Runs are named by :mod:`judgebench.reports.names` (``--names FILE``; distinct runs
get distinct names, long names are wrapped, never cut). Colours are the Okabe-Ito palette (:func:`group_style`).

**One pair set per panel.** Runs on different benchmarks or pair sets are never drawn in one bar chart: each figure
has one panel (facet) per (benchmark, pair set), titled with the benchmark and the pair source, in the order the
rows give (:func:`facets`). A single pair set gives a single untitled panel.

Kinds (``judgebench plot KIND``): ``accuracy`` (Overall per run with its 95% CI), ``heatmap`` (accuracy per
category), ``consistency`` (position consistency vs accuracy), here; ``length`` (how often the longer response wins,
by length difference) and ``agreement`` (agreement with human labels next to the human-human baseline), which read
judgments and ``agree --json`` output, in :mod:`judgebench.reports.plots_judgments`. matplotlib is imported inside
the functions, and only its object-oriented API is used (no pyplot, no global state, no display needed).
"""

from __future__ import annotations

import csv
import io
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..schema import ItemResult
from .names import Names, default_model_name, unique_run_names
from .plot_style import FIG_WIDTH_IN as FIG_WIDTH_IN  # public: the figure sizes, as before
from .plot_style import (
    LINE_IN,
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
from .plot_style import MIN_FONT_PT as MIN_FONT_PT

if TYPE_CHECKING:
    from matplotlib.figure import Figure

logger = logging.getLogger(__name__)

PLOT_KINDS = ("accuracy", "heatmap", "consistency", "length", "agreement")
FORMATS = ("png", "pdf", "svg")
DPI = 200
_NUMERIC_CSV = {"n", "overall", "ci_low", "ci_high", "consistency", "no_decision", "p_vs_best", "n_paired", "failed"}


def unique_labels(rows: Sequence[dict[str, Any]], names: Names | None = None) -> list[str]:
    """Display names of runs (:func:`judgebench.reports.names.unique_run_names`): distinct for distinct runs, never
    cut; a figure wraps them over lines where they are long. A partial run is marked ``‡`` and a run with failed
    judgments says how many ran (``(36/80 judged)``), as the tables mark them: neither is a clean result."""
    marked = []
    for label, r in zip(unique_run_names(rows, names), rows, strict=True):
        if r.get("partial"):
            label += " ‡"
        if r.get("failed") and r.get("judged"):
            label += f" ({r['judged']} judged)"
        marked.append(label)
    return marked


def _runs(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if r.get("origin") != "baseline" and as_number(r.get("overall")) is not None]


@dataclass(frozen=True)
class Facet:
    """The runs of one (benchmark, pair set) in a figure: its title (``""`` when the figure has one facet), its
    runs in the rows' order, and the expected accuracy of its baseline row (``None`` without one)."""

    key: tuple[str, str]
    title: str
    runs: tuple[dict[str, Any], ...]
    baseline: float | None = None


def facet_key(row: dict[str, Any]) -> tuple[str, str]:
    """(benchmark, pair set) of a row: its recorded pair set (``pair_set``), else its pair source
    (``response_model``, as in a leaderboard CSV)."""
    from .tables import row_benchmark

    return (row_benchmark(row), str(row.get("pair_set") or row.get("response_model") or ""))


def _facet_title(bench: str, row: dict[str, Any], names: Names) -> str:
    source = str(row.get("response_model") or "")
    return names.benchmark(bench) + (f", pairs: {names.model(source) or default_model_name(source)}" if source else "")


def _same_pairs(run: dict[str, Any], base: dict[str, Any]) -> bool:
    if facet_key(run)[0] != facet_key(base)[0]:
        return False
    if run.get("pair_set") and base.get("pair_set"):
        return bool(run["pair_set"] == base["pair_set"])
    return str(run.get("response_model") or "") == str(base.get("response_model") or "")


def facets(rows: Sequence[dict[str, Any]], names: Names | None = None) -> list[Facet]:
    """The panels of a figure of ``rows``: one per (benchmark, pair set) of the runs (:func:`facet_key`), in order of
    first appearance, titled ``benchmark, pairs: source`` (display names from ``names``; the pair set's id added
    when two panels would share a title; no title when there is one panel). A baseline row is drawn in the panel of
    its benchmark and pair set; a single baseline value with no panel of its own, in every panel."""
    names = names or Names()
    runs = _runs(rows)
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in runs:
        grouped.setdefault(facet_key(r), []).append(r)
    titles = {key: _facet_title(key[0], members[0], names) for key, members in grouped.items()}
    repeated = {t for t in titles.values() if list(titles.values()).count(t) > 1}
    for key, t in titles.items():
        if t in repeated:
            titles[key] = f"{t} [{key[1]}]"
    bases = [r for r in rows if r.get("origin") == "baseline" and as_number(r.get("overall")) is not None]
    single = float(bases[0]["overall"]) if len({float(b["overall"]) for b in bases}) == 1 else None
    out = []
    for key, members in grouped.items():
        own = next((float(b["overall"]) for b in bases if _same_pairs(members[0], b)), single)
        out.append(Facet(key, titles[key] if len(grouped) > 1 else "", tuple(members), own))
    return out


def rules_text(rows: Sequence[dict[str, Any]]) -> str:
    """The rule(s) the runs among ``rows`` were scored under, for a figure's label: ``vote rule`` when they share
    one (``vote`` when no row records one), else each benchmark's (``judgebench: vote; llmbar: average``)."""
    from .tables import row_benchmark, table_rule

    common = table_rule(list(rows))
    if common is not None:
        return f"{common} rule"
    by_bench: dict[str, list[str]] = {}
    for r in rows:
        rules = by_bench.setdefault(row_benchmark(r), [])
        if r.get("rule") and str(r["rule"]) not in rules:
            rules.append(str(r["rule"]))
    return "rules: " + "; ".join(f"{b} {'/'.join(rs)}" for b, rs in by_bench.items() if rs)


def read_leaderboard_csv(path: str | Path) -> list[dict[str, Any]]:
    """Rows from a ``leaderboard.csv`` written by ``judgebench leaderboard --write``.

    Numbers become floats (empty cells ``None``), ``categories`` (``;``-separated) a list, and each category's
    column a float. Raises :class:`InputError` for a file without the ``overall`` and ``judge`` columns.
    """
    p = Path(path)
    try:
        with p.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            raw = list(reader)
            fields = reader.fieldnames or []
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read leaderboard CSV: {e}", path=p) from None
    missing = {"judge", "overall"} - set(fields)
    if missing:
        raise InputError(f"not a leaderboard CSV: missing column(s) {', '.join(sorted(missing))}", path=p, line=1)
    from .tables import category_key

    rows = []
    for r in raw:
        row: dict[str, Any] = dict(r)
        row["categories"] = [c for c in (r.get("categories") or "").split(";") if c]
        for k in _NUMERIC_CSV | {category_key(c) for c in row["categories"]}:
            if k in row:
                row[k] = as_number(row[k])
        rows.append(row)
    return rows


def _ci_err(runs: Sequence[dict[str, Any]], key: str = "overall") -> list[list[float]]:
    lo, hi = [], []
    for r in runs:
        v = float(r[key])
        low, high = as_number(r.get("ci_low")), as_number(r.get("ci_high"))
        lo.append(max(0.0, v - low) if low is not None else 0.0)
        hi.append(max(0.0, high - v) if high is not None else 0.0)
    return [lo, hi]


def _title_height(panels: Sequence[Facet], size: str) -> tuple[list[str], float]:
    """The panels' titles wrapped to the panel width, and the height one title row needs (0 without titles)."""
    titles = [wrap(f.title, text_chars(0.6 * SIZES[size], 8)) if f.title else "" for f in panels]
    most = max((lines(t) for t in titles if t), default=0)
    return titles, (most * 8 / 72 * 1.3 + 0.08) if most else 0.0


def _bars_height(labels: Sequence[str]) -> float:
    """The height of a bar panel whose rows are named ``labels`` (wrapped): every row as high as the tallest name."""
    return len(labels) * max(0.17, max(lines(x) for x in labels) * LINE_IN + 0.06) + 0.08


def _axis_label(text: str, size: str) -> str:
    """An x-axis label wrapped to about the width of the axes (the names take the rest)."""
    return wrap(text, text_chars(0.5 * SIZES[size]))


def accuracy_figure(rows: Sequence[dict[str, Any]], *, names: Names | None = None, size: str = "column") -> Figure:
    """Horizontal bars: Overall accuracy of each run with its 95% CI, one panel per (benchmark, pair set)
    (:func:`facets`), each in its own colour (:func:`group_style`); a dashed line marks the panel's baseline row
    (expected accuracy of a random choice). Runs keep the rows' order within their panel."""
    from matplotlib.lines import Line2D

    check_size(size)
    panels = facets(rows, names)
    if not panels:
        raise InputError("no run with an Overall accuracy to plot")
    labels = [[wrap(n, label_chars(size)) for n in unique_labels(list(f.runs), names)] for f in panels]
    heights = [_bars_height(ls) for ls in labels]
    titles, title_h = _title_height(panels, size)
    xlabel = _axis_label(f"Overall accuracy, % ({rules_text([r for f in panels for r in f.runs])}; 95% CI)", size)
    has_base = any(f.baseline is not None for f in panels)
    total = sum(heights) + len(panels) * (title_h + 0.08) + 0.3 + lines(xlabel) * LINE_IN + (LINE_IN + 0.12 if has_base else 0.0)
    with paper_style():
        fig = new_figure(total, size)
        axes = facet_grid(fig, len(panels), sharex=True, height_ratios=heights)
        for k, (f, ax, names_k, title) in enumerate(zip(panels, axes, labels, titles, strict=True)):
            style = group_style(k)
            ys = list(range(len(f.runs)))[::-1]
            ax.barh(
                ys, [float(r["overall"]) for r in f.runs], height=0.65, xerr=_ci_err(f.runs), error_kw={"elinewidth": 0.8, "capsize": 1.5},
                color=style.color, hatch=style.hatch or None, edgecolor="black" if style.hatch else style.color, linewidth=0.4 if style.hatch else 0.0,
            )  # fmt: skip
            ax.set_yticks(ys, names_k)
            ax.set_ylim(-0.6, len(f.runs) - 0.4)
            if f.baseline is not None:
                ax.axvline(f.baseline, color="0.3", linestyle="--", linewidth=0.8)
            if title:
                ax.set_title(title)
        axes[0].set_xlim(0, 100)
        axes[-1].set_xlabel(xlabel)
        if has_base:
            fig.legend(handles=[Line2D([], [], color="0.3", linestyle="--", linewidth=0.8, label="random choice (expected)")], loc="outside lower center", frameon=False, handlelength=1.5)
    return fig


def _heat_tick_height(cats: Sequence[str]) -> float:
    """The height of category names written at 45 degrees."""
    return max(len(c) for c in cats) * 7 * 0.56 / 72 * math.sin(math.pi / 4) + LINE_IN


def heatmap_figure(rows: Sequence[dict[str, Any]], *, names: Names | None = None, size: str = "column") -> Figure:
    """Accuracy per category (and Overall) per run, one panel per (benchmark, pair set) with its own categories,
    annotated with the values where the cells are wide enough for them; missing cells are blank."""
    from .tables import category_key, row_categories

    check_size(size)
    panels = facets(rows, names)
    if not panels:
        raise InputError("no run with accuracies to plot")
    import numpy as np

    cats = [[*row_categories(list(f.runs)), "Overall"] for f in panels]
    same = all(c == cats[0] for c in cats)
    labels = [[wrap(n, label_chars(size)) for n in unique_labels(list(f.runs), names)] for f in panels]
    heights = [max(0.45, len(ls) * max(0.2, max(lines(x) for x in ls) * LINE_IN + 0.06)) for ls in labels]
    titles, title_h = _title_height(panels, size)
    ticks_h = _heat_tick_height(cats[0]) if same else 0.0
    total = sum(heights) + len(panels) * (title_h + 0.1) + (ticks_h if same else sum(_heat_tick_height(c) + 0.05 for c in cats)) + 0.15
    grid_width = 0.5 * SIZES[size]  # about what the grid gets beside the names and the colour bar
    with paper_style():
        fig = new_figure(total, size)
        axes = facet_grid(fig, len(panels), sharex=same, height_ratios=heights)
        images = []
        for f, ax, names_k, cs, title in zip(panels, axes, labels, cats, titles, strict=True):
            keys = [category_key(c) for c in cs[:-1]] + ["overall"]
            grid = np.array([[np.nan if (v := as_number(r.get(k))) is None else v for k in keys] for r in f.runs], dtype=float)
            images.append(ax.imshow(np.ma.masked_invalid(grid), cmap="viridis", vmin=0, vmax=100, aspect="auto"))
            ax.set_xticks(range(len(cs)), cs, rotation=45, ha="right", rotation_mode="anchor")
            ax.set_yticks(range(len(f.runs)), names_k)
            if title:
                ax.set_title(title)
            if grid_width / len(cs) >= 0.2:  # room for a two-digit number in each cell
                for i in range(grid.shape[0]):
                    for j in range(grid.shape[1]):
                        if not np.isnan(grid[i, j]):
                            ax.text(j, i, f"{grid[i, j]:.0f}", ha="center", va="center", fontsize=7, color="white" if grid[i, j] < 60 else "black")
        cb = fig.colorbar(images[0], ax=axes, shrink=1.0, pad=0.02, aspect=25)
        cb.set_label("accuracy (%)")
        cb.set_ticks([0, 25, 50, 75, 100] if sum(heights) >= 0.9 else [0, 50, 100])
        cb.ax.tick_params(labelsize=7)
    return fig


def _panel_columns(size: str, n: int) -> int:
    """Columns of a grid of ``n`` scatter or line panels: one on a column, up to three on a page."""
    return 1 if size == "column" else max(1, min(n, 3))


def _legend_height(labels: Sequence[str], size: str) -> float:
    if not labels:
        return 0.0
    cols = legend_columns(size, len(labels))
    return math.ceil(len(labels) / cols) * max(lines(x) for x in labels) * LINE_IN * 1.1 + 0.12


def consistency_figure(rows: Sequence[dict[str, Any]], *, names: Names | None = None, size: str = "column") -> Figure:
    """Position consistency (x) against Overall accuracy (y, with 95% CI), one marker per two-game run (open
    markers of distinct colour and shape, named in a legend below), one panel per (benchmark, pair set)."""
    from matplotlib.lines import Line2D

    check_size(size)
    keep = [r for r in rows if r.get("origin") == "baseline" or as_number(r.get("consistency")) is not None]
    panels = facets(keep, names)
    if not panels:
        raise InputError("no two-game run with a position consistency to plot")
    runs = [r for f in panels for r in f.runs]
    labels = [wrap(n, legend_chars(size, len(runs))) for n in unique_labels(runs, names)]
    cols = _panel_columns(size, len(panels))
    titles, title_h = _title_height(panels, size)
    panel_h = 1.6 if size == "column" else 1.9
    total = math.ceil(len(panels) / cols) * (panel_h + title_h) + 0.35 + _legend_height(labels, size)
    low = min(40.0, min(float(r["consistency"]) for r in runs) - 5)
    with paper_style():
        fig = new_figure(total, size)
        axes = facet_grid(fig, len(panels), cols=cols, sharex=True, sharey=True)
        handles = []
        k = 0
        for i, (f, ax, title) in enumerate(zip(panels, axes, titles, strict=True)):
            for r in f.runs:
                style = group_style(k)
                ax.errorbar(float(r["consistency"]), float(r["overall"]), yerr=_ci_err([r]), fmt=style.marker, color=style.color, mfc="none", mew=1.0, elinewidth=0.7, capsize=1.5)
                handles.append(Line2D([], [], marker=style.marker, color=style.color, mfc="none", mew=1.0, linestyle="none", label=labels[k]))
                k += 1
            if f.baseline is not None:
                ax.axhline(f.baseline, color="0.3", linestyle="--", linewidth=0.8)
            if title:
                ax.set_title(title)
            if i + cols >= len(panels):
                ax.set_xlabel("position consistency (%)")
            if i % cols == 0:
                ax.set_ylabel("Overall accuracy (%)")
        axes[0].set_xlim(low, 103)
        axes[0].set_ylim(0, 100)
        fig.legend(handles=handles, loc="outside lower center", ncols=legend_columns(size, len(handles)), frameon=False, handletextpad=0.3, columnspacing=0.8)
    return fig


def figure_bytes(fig: Figure, fmt: str) -> bytes:
    """The figure encoded as ``png`` (:data:`DPI`), ``pdf`` or ``svg``, at its own size (no ``bbox_inches="tight"``:
    the constrained layout keeps every text inside the canvas, and the width stays the one asked for)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown figure format {fmt!r}; use {', '.join(FORMATS)}", field="-o")
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=DPI, metadata={"Software": "judgebench"} if fmt == "png" else None)
    return buf.getvalue()


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Write the figure to ``path`` (format from its suffix: png, pdf or svg) atomically."""
    from ..files import atomic_write_bytes

    p = Path(path)
    return atomic_write_bytes(p, figure_bytes(fig, p.suffix.lstrip(".").lower()))


def make_figure(
    kind: str,
    rows: Sequence[dict[str, Any]],
    runs: Sequence[tuple[str, Sequence[ItemResult]]] = (),
    *,
    agreement: Any = None,
    measure: str | None = None,
    bins: int = 5,
    names: Names | None = None,
    size: str = "column",
    run_facets: Sequence[str] = (),
) -> Figure:
    """Build one figure of ``kind`` (see :data:`PLOT_KINDS`), ``size`` wide (``column`` or ``page``), runs named by
    ``names``; ``run_facets``: the panel title of each of ``runs`` (length curve; one panel when empty)."""
    check_size(size)
    if kind == "accuracy":
        return accuracy_figure(rows, names=names, size=size)
    if kind == "heatmap":
        return heatmap_figure(rows, names=names, size=size)
    if kind == "consistency":
        return consistency_figure(rows, names=names, size=size)
    if kind == "length":
        from .plots_judgments import length_bias_figure

        return length_bias_figure(runs, bins=bins, size=size, facets=run_facets)
    if kind == "agreement":
        from .plots_judgments import agreement_figure

        if agreement is None:
            raise InputError("the agreement plot needs the JSON of `judgebench agree --json`", field="--agreement")
        return agreement_figure(agreement, measure=measure, names=names, size=size)
    raise InputError(f"unknown plot kind {kind!r}; choose one of {', '.join(PLOT_KINDS)}", field="KIND")
