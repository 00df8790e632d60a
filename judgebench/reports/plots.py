"""Figures for papers, from leaderboard rows (or ``leaderboard.csv``) and, for the length-bias curve, judgments.

Every figure is sized for one column of a two-column paper (3.3 in wide) with no text smaller than 7 pt, and is
saved as PNG (200 dpi) and/or PDF (TrueType fonts embedded). matplotlib is imported inside the functions, and only
its object-oriented API is used (no pyplot, no global state, no display needed).

Kinds (``judgebench plot KIND``): ``accuracy`` (Overall per run with its 95% CI), ``heatmap`` (accuracy per
category), ``consistency`` (position consistency vs accuracy), here; ``length`` (how often the longer response wins,
by length difference) and ``agreement`` (agreement with human labels next to the human-human baseline), which read
judgments and ``agree --json`` output, in :mod:`judgebench.reports.plots_judgments`.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..schema import ItemResult
from .plot_style import _MAX_LABEL, MARKERS, as_number, new_figure, paper_style, shorten
from .plot_style import FIG_WIDTH_IN as FIG_WIDTH_IN  # public: the figure sizes, as before
from .plot_style import MIN_FONT_PT as MIN_FONT_PT

if TYPE_CHECKING:
    from matplotlib.figure import Figure

logger = logging.getLogger(__name__)

PLOT_KINDS = ("accuracy", "heatmap", "consistency", "length", "agreement")
FORMATS = ("png", "pdf", "svg")
_NUMERIC_CSV = {"n", "overall", "ci_low", "ci_high", "consistency", "no_decision", "p_vs_best", "n_paired", "failed"}


def _label(row: dict[str, Any]) -> str:
    """``judge: model`` with the model's organisation prefix and date suffix dropped; ``judge`` without a model."""
    model = _DATE_SUFFIX.sub("", str(row.get("model") or "").rsplit("/", 1)[-1])
    if "judge" not in row:
        return str(row.get("label") or "?")
    return str(row["judge"]) + (f": {model}" if model and model not in ("none", "?") else "")


_DATE_SUFFIX = re.compile(r"-(?:\d{4}-\d{2}-\d{2}|\d{8})$")


def short_model(name: str, limit: int = 14) -> str:
    """A response model name without its date suffix (``gpt-4o-2024-05-13`` -> ``gpt-4o``), shortened."""
    return shorten(_DATE_SUFFIX.sub("", name), limit)


def unique_labels(rows: Sequence[dict[str, Any]], limit: int = _MAX_LABEL) -> list[str]:
    """Display names of runs, shortened; runs whose names would repeat get their pair source appended, and their
    benchmark when the runs of that name are on several benchmarks."""
    from .tables import row_benchmark

    base = [_label(r) for r in rows]
    out = []
    for name, r in zip(base, rows, strict=True):
        same = [x for b, x in zip(base, rows, strict=True) if b == name]
        tags = [row_benchmark(r)] if len({row_benchmark(x) for x in same}) > 1 else []
        if len(same) > 1 and r.get("response_model"):
            tags.append(short_model(str(r["response_model"])))
        if tags:
            suffix = f" [{', '.join(tags)}]"
            out.append(shorten(name, limit - len(suffix)) + suffix)
        else:
            out.append(shorten(name, limit))
    return out


def _runs(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if r.get("origin") != "baseline" and as_number(r.get("overall")) is not None]


def _benchmarks(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The benchmarks of ``rows`` (``tables.row_benchmark``), in order of first appearance."""
    from .tables import benchmarks_of

    return benchmarks_of(rows)


def _group_key(row: dict[str, Any], multi: bool) -> tuple[str, str]:
    from .tables import row_benchmark

    return (row_benchmark(row) if multi else "", str(row.get("response_model") or ""))


def _groups(rows: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """The colour groups of the accuracy figure: (benchmark, pair source) when the rows hold several benchmarks,
    else ("", pair source); in order of first appearance."""
    multi = len(_benchmarks(rows)) > 1
    return list(dict.fromkeys(_group_key(r, multi) for r in rows))


def _group_label(group: tuple[str, str]) -> str:
    bench, source = group
    if not bench:
        return "pairs: " + short_model(source or "?", 16)
    return bench + (", pairs: " + short_model(source, 16) if source else "")


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


def _baseline_spans(rows: Sequence[dict[str, Any]], runs: Sequence[dict[str, Any]]) -> list[tuple[float, list[int] | None]]:
    """Each baseline row's expected accuracy with the indices (into ``runs``) of the runs it is the reference for:
    ``None`` (all runs) when there is one baseline value; else the runs of its benchmark and pair set (its pair
    source when a row has no pair set, as in a CSV that does not list them)."""
    from .tables import row_benchmark

    bases = [r for r in rows if r.get("origin") == "baseline" and as_number(r.get("overall")) is not None]
    if len({float(r["overall"]) for r in bases}) <= 1:
        return [(float(bases[0]["overall"]), None)] if bases else []
    out: list[tuple[float, list[int] | None]] = []
    for b in bases:

        def same(r: dict[str, Any], b: dict[str, Any] = b) -> bool:
            if row_benchmark(r) != row_benchmark(b):
                return False
            if b.get("pair_set") and r.get("pair_set"):
                return bool(r["pair_set"] == b["pair_set"])
            return str(r.get("group") or r.get("response_model") or "") == str(b.get("group") or b.get("response_model") or "")

        members = [i for i, r in enumerate(runs) if same(r)]
        if members:
            out.append((float(b["overall"]), members))
    return out


def _baseline_value(rows: Sequence[dict[str, Any]]) -> float | None:
    return next((float(r["overall"]) for r in rows if r.get("origin") == "baseline" and as_number(r.get("overall")) is not None), None)


def _ci_err(runs: Sequence[dict[str, Any]], key: str = "overall") -> list[list[float]]:
    lo, hi = [], []
    for r in runs:
        v = float(r[key])
        low, high = as_number(r.get("ci_low")), as_number(r.get("ci_high"))
        lo.append(max(0.0, v - low) if low is not None else 0.0)
        hi.append(max(0.0, high - v) if high is not None else 0.0)
    return [lo, hi]


def accuracy_figure(rows: Sequence[dict[str, Any]]) -> Figure:
    """Horizontal bars: Overall accuracy of each run with its 95% CI (colour = pair source when there are several);
    a dashed line marks a baseline row's expected accuracy. The legend sits below the axes."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    runs = _runs(rows)
    if not runs:
        raise InputError("no run with an Overall accuracy to plot")
    groups = _groups(runs)
    base = _baseline_value(rows)
    multi = len(_benchmarks(runs)) > 1
    handles: list[Any] = [Patch(color=f"C{i % 10}", label=_group_label(g)) for i, g in enumerate(groups)] if len(groups) > 1 else []
    if base is not None:
        handles.append(Line2D([], [], color="0.3", linestyle="--", linewidth=0.8, label="random choice (expected)"))
    with paper_style():
        fig = new_figure(0.7 + 0.17 * len(runs) + 0.13 * ((len(handles) + 1) // 2))
        ax = fig.add_subplot()
        ys = list(range(len(runs)))[::-1]
        colors = [f"C{groups.index(_group_key(r, multi)) % 10}" for r in runs]
        ax.barh(ys, [float(r["overall"]) for r in runs], color=colors, height=0.65, xerr=_ci_err(runs), error_kw={"elinewidth": 0.8, "capsize": 1.5})
        ax.set_yticks(ys, unique_labels(runs))
        if base is not None:
            for value, members in _baseline_spans(rows, runs):
                if members is None:
                    ax.axvline(value, color="0.3", linestyle="--", linewidth=0.8)
                else:  # one benchmark's or pair set's runs: the line spans their bars only
                    at = [ys[i] for i in members]
                    ax.vlines(value, min(at) - 0.45, max(at) + 0.45, color="0.3", linestyle="--", linewidth=0.8)
        ax.set_xlim(0, 100)
        ax.set_xlabel(f"Overall accuracy, %\n({rules_text(runs)}; 95% CI)")
        if handles:
            fig.legend(handles=handles, loc="outside lower center", ncols=2, frameon=False, handlelength=1.5, columnspacing=1.0)
    return fig


def heatmap_figure(rows: Sequence[dict[str, Any]]) -> Figure:
    """Accuracy per category (and Overall) per run, annotated with the values; missing cells are blank."""
    from .tables import category_key, row_categories

    runs = _runs(rows)
    if not runs:
        raise InputError("no run with accuracies to plot")
    cats = row_categories(runs)
    keys = [category_key(c) for c in cats] + ["overall"]
    names = [*cats, "Overall"]
    data = [[as_number(r.get(k)) for k in keys] for r in runs]
    import numpy as np

    grid = np.array([[np.nan if v is None else v for v in row] for row in data], dtype=float)
    with paper_style():
        fig = new_figure(0.95 + 0.2 * len(runs))
        ax = fig.add_subplot()
        im = ax.imshow(np.ma.masked_invalid(grid), cmap="viridis", vmin=0, vmax=100, aspect="auto")
        ax.set_xticks(range(len(names)), [shorten(n, 12) for n in names], rotation=45, ha="right", rotation_mode="anchor")
        ax.set_yticks(range(len(runs)), unique_labels(runs, 24))
        for i in range(grid.shape[0]):
            for j in range(grid.shape[1]):
                if not np.isnan(grid[i, j]):
                    ax.text(j, i, f"{grid[i, j]:.0f}", ha="center", va="center", fontsize=7, color="white" if grid[i, j] < 60 else "black")
        cb = fig.colorbar(im, ax=ax, shrink=0.9, pad=0.02)
        cb.set_label("accuracy (%)")
        cb.ax.tick_params(labelsize=7)
    return fig


def consistency_figure(rows: Sequence[dict[str, Any]]) -> Figure:
    """Position consistency (x) against Overall accuracy (y, with 95% CI), one marker per two-game run, named in a
    legend below the axes (runs at the same spot stay visible as open markers of different shapes)."""
    runs = [r for r in _runs(rows) if as_number(r.get("consistency")) is not None]
    if not runs:
        raise InputError("no two-game run with a position consistency to plot")
    labels = unique_labels(runs, 22)
    with paper_style():
        fig = new_figure(2.3 + 0.12 * ((len(runs) + 1) // 2))
        ax = fig.add_subplot()
        for k, (r, name) in enumerate(zip(runs, labels, strict=True)):
            x, y = float(r["consistency"]), float(r["overall"])
            err = _ci_err([r])
            ax.errorbar(x, y, yerr=[err[0], err[1]], fmt=MARKERS[k % len(MARKERS)], color=f"C{k % 10}", mfc="none", mew=1.0, elinewidth=0.7, capsize=1.5, label=name)
        base = _baseline_value(rows)
        if base is not None:
            ax.axhline(base, color="0.3", linestyle="--", linewidth=0.8)
        ax.set_xlabel("position consistency (%)")
        ax.set_ylabel("Overall accuracy (%)")
        ax.set_xlim(min(40.0, min(float(r["consistency"]) for r in runs) - 5), 103)
        ax.set_ylim(0, 100)
        fig.legend(loc="outside lower center", ncols=2, frameon=False, handletextpad=0.3, columnspacing=0.8)
    return fig


def figure_bytes(fig: Figure, fmt: str) -> bytes:
    """The figure encoded as ``png`` (200 dpi), ``pdf`` or ``svg``."""
    if fmt not in FORMATS:
        raise InputError(f"unknown figure format {fmt!r}; use {', '.join(FORMATS)}", field="-o")
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=200, metadata={"Software": "judgebench"} if fmt == "png" else None)
    return buf.getvalue()


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Write the figure to ``path`` (format from its suffix: png, pdf or svg) atomically."""
    from ..files import atomic_write_bytes

    p = Path(path)
    return atomic_write_bytes(p, figure_bytes(fig, p.suffix.lstrip(".").lower()))


def make_figure(kind: str, rows: Sequence[dict[str, Any]], runs: Sequence[tuple[str, Sequence[ItemResult]]] = (), *, agreement: Any = None, measure: str | None = None, bins: int = 5) -> Figure:
    """Build one figure of ``kind`` (see :data:`PLOT_KINDS`)."""
    if kind == "accuracy":
        return accuracy_figure(rows)
    if kind == "heatmap":
        return heatmap_figure(rows)
    if kind == "consistency":
        return consistency_figure(rows)
    if kind == "length":
        from .plots_judgments import length_bias_figure

        return length_bias_figure(runs, bins=bins)
    if kind == "agreement":
        from .plots_judgments import agreement_figure

        if agreement is None:
            raise InputError("the agreement plot needs the JSON of `judgebench agree --json`", field="--agreement")
        return agreement_figure(agreement, measure=measure)
    raise InputError(f"unknown plot kind {kind!r}; choose one of {', '.join(PLOT_KINDS)}", field="KIND")
