"""The report's certainty section (``analysis.certainty``): for each run whose judge states a certainty
(``vanilla_certainty``), both confidence sources (stated certainty, verdict-token probability) side by side,
accuracy against coverage by threshold (the paper's >= 80 highlighted), and a reliability diagram of both.

:func:`reliability_figure` is also the figure of ``judgebench certainty --figure``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .sections import ReportSection, SectionTable, register_section

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..analysis.certainty import CertaintyReport

logger = logging.getLogger(__name__)

MAX_RUNS = 6
"""At most this many runs are shown (in the report's order), to keep the report short."""


def run_name(run: Any) -> str:
    from .leaderboard import run_label

    row = getattr(run, "row", {}) or {}
    return run_label(str(row.get("judge", "?")), str(row.get("model", "")))


def reliability_figure(reports: Sequence[CertaintyReport], size: str = "column") -> Figure:
    """Reliability diagrams, one panel per run: accuracy against mean confidence per 10-point bin, for the stated
    certainty and the token probability (marker area ~ items in the bin), the diagonal being perfect calibration."""
    from .plot_style import LINE_IN, facet_grid, group_style, legend_columns, new_figure, paper_style, text_chars, wrap

    shown = [r for r in reports if r.sources]
    if not shown:
        raise ValueError("no run has a stated certainty or a token probability to draw")
    with paper_style():
        width = 3.3 if size == "column" else 7.0
        cols = 1 if size == "column" else min(2, len(shown))
        rows = -(-len(shown) // cols)
        fig = new_figure(rows * 2.3 + 3 * LINE_IN, size)
        axes = facet_grid(fig, len(shown), cols=cols)
        handles: dict[str, Any] = {}
        for ax, rep in zip(axes, shown, strict=True):
            ax.plot([0, 100], [0, 100], color="0.6", linestyle="--", linewidth=0.7)
            for k, src in enumerate(rep.sources):
                st = group_style(k)
                pts = [(b.confidence * 100, b.accuracy * 100, b.n) for b in src.bins if b.n and b.confidence is not None and b.accuracy is not None]
                if not pts:
                    continue
                xs, ys, ns = zip(*pts, strict=True)
                total = sum(ns)
                (line,) = ax.plot(xs, ys, color=st.color, marker=st.marker, linewidth=0.9, markersize=0)
                ax.scatter(xs, ys, s=[6 + 60 * n / total for n in ns], color=st.color, marker=st.marker, zorder=3, clip_on=False)
                ece = f"{src.ece.value * 100:.1f}" if src.ece.value is not None else "n/a"
                handles.setdefault(src.label, line)
                ax.text(0.03, 0.97 - 0.09 * k, f"{src.label}: ECE {ece}", transform=ax.transAxes, va="top", ha="left", color=st.color)
            ax.set_xlim(-2, 104)
            ax.set_ylim(-2, 104)
            ax.set_title(wrap(rep.name or "run", text_chars(width / cols - 0.5, 8)))
            ax.set_xlabel("Confidence (%)")
            ax.set_ylabel("Accuracy (%)")
        fig.legend(list(handles.values()), list(handles), loc="outside lower center", ncols=legend_columns(size, len(handles)), frameon=False)
    return fig


def figure_png(reports: Sequence[CertaintyReport]) -> bytes:
    from .plots import figure_bytes

    return figure_bytes(reliability_figure(reports), "png")


@register_section("certainty")
def certainty_section(runs: Sequence[Any], names: Any = None, *, figures: bool = True) -> ReportSection | None:
    """The section, or ``None`` when no run's judgments state a certainty."""
    from ..analysis.certainty import HIGHLIGHT, certainty_report, has_certainty, summary_table, threshold_table

    chosen = [r for r in runs if r.results and has_certainty(r.results)][:MAX_RUNS]
    if not chosen:
        return None
    reports = [certainty_report(r.results, run_name(r), n_resamples=2000) for r in chosen]
    tables = []
    for rep in reports:
        header, rows = summary_table(rep)
        tables.append(SectionTable(tuple(header), tuple(tuple(r) for r in rows), title=f"{rep.name}: calibration ({rep.n_items} items)"))
        header, rows = threshold_table(rep)
        tables.append(SectionTable(tuple(header), tuple(tuple(r) for r in rows), title=f"{rep.name}: accuracy against coverage (* >= {HIGHLIGHT})"))
    notes = [
        "Stated certainty: the 0-100 certainty the judge writes with its verdict (Dong, Hu & Collier 2024, "
        "'Can LLM be a Personalized Judge?', arXiv 2406.11657), read as a probability certainty/100. Token probability: "
        "the verdict token's probability (logprobs=true), times 100. Coverage: the share of items at or above the "
        "threshold; accuracy: on those items. Overconfidence: mean confidence minus accuracy. ECE: 10 equal-width "
        "bins. Values in %, intervals 95% bootstrap over items.",
    ]
    for rep in reports:
        if rep.unread:
            notes.append(f"{rep.name}: certainty not read in " + "; ".join(f"{v} judgments ({k})" for k, v in rep.unread.items()))
        if rep.personas:
            notes.append(f"{rep.name}: judged on behalf of " + "; ".join(f"{k!r} ({v} judgments)" for k, v in list(rep.personas.items())[:5]))
    figs: list[tuple[bytes, str]] = []
    if figures:
        try:
            figs.append((figure_png(reports), "Reliability diagrams: accuracy against mean confidence per 10-point bin; marker area ~ items; dashed: perfect calibration"))
        except Exception as e:  # noqa: BLE001 - a figure that fails must not lose the tables
            logger.warning("certainty figure failed: %s", e)
    return ReportSection("certainty", "Stated certainty and calibration", tables=tuple(tables), notes=tuple(notes), figures=tuple(figs), order=70)
