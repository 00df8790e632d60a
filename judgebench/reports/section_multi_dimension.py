"""The HTML report's section for runs of the ``multi_dimension`` judge: per-dimension Elo of the systems, agreement
with human per-dimension labels, and how often the overall verdict prefers the response with a factual error
(``analysis.multi_dimension``; Wu & Aji, "Style Over Substance", arXiv 2307.03025), with the per-dimension figure."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from ..analysis.multi_dimension import MultiDimensionReport, analyse, elo_rows, tables
from .sections import ReportSection, SectionTable, register_section

JUDGE = "multi_dimension"


def figure(report: MultiDimensionReport, *, fmt: str = "png") -> bytes:
    """Per-dimension Elo with 95% CIs: one panel per dimension, the systems on the y axis in the same order in each
    panel; the line at 1000 is the mean. All text is inside the canvas (constrained layout)."""
    from .plot_style import PALETTE, facet_grid, new_figure, paper_style

    dims = report.dimensions
    systems = sorted({s for r in report.rankings.values() for s in r.systems})
    with paper_style():
        fig = new_figure(0.5 + (0.22 * len(systems) + 0.45) * len(dims), "column")
        axes = facet_grid(fig, len(dims), sharex=True)
        for ax, d in zip(axes, dims, strict=True):
            rows = {row["system"]: row for row in elo_rows(report.rankings[d])}
            for y, s in enumerate(systems):
                row = rows.get(s)
                if row is None or row["elo"] is None:
                    continue
                lo, hi = row["low"], row["high"]
                xerr = [[row["elo"] - lo], [hi - row["elo"]]] if lo is not None and hi is not None else None
                ax.errorbar(row["elo"], y, xerr=xerr, fmt="o", color=PALETTE[y % len(PALETTE)], capsize=2)
            ax.set_yticks(range(len(systems)), systems)
            ax.set_ylim(-0.6, len(systems) - 0.4)
            ax.invert_yaxis()
            ax.axvline(1000, color="0.6", linewidth=0.5)
            ax.set_title(d, loc="left")
        axes[-1].set_xlabel("Elo (1000 = mean), 95% bootstrap CI")
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=200)
    return buf.getvalue()


def _is_multi_dimension(run: Any) -> bool:
    results = getattr(run, "results", ())
    return bool(results) and any("dimensions" in j.extra for r in results[:20] for j in r.judgments)


@register_section("multi_dimension")
def multi_dimension_section(runs: Sequence[Any], names: Any = None) -> ReportSection | None:
    """A section when the report has runs whose judgments carry per-dimension verdicts; None otherwise."""
    chosen = [r for r in runs if _is_multi_dimension(r)]
    if not chosen:
        return None
    section_tables: list[SectionTable] = []
    figures: list[tuple[bytes, str]] = []
    notes: list[str] = []
    for run in chosen:
        row = getattr(run, "row", {}) or {}
        label = str(row.get("name") or row.get("judge") or JUDGE)
        report = analyse(run.results, label=label)
        for title, header, rows in tables(report):
            section_tables.append(SectionTable(header, tuple(rows), f"{label}: {title}"))
        figures.append((figure(report), f"{label}: Elo of each system per dimension, 95% bootstrap CIs"))
        notes.extend(f"{label}: {n}" for n in report.notes)
    notes.append(
        "Multi-dimension ratings after Wu & Aji, Style Over Substance (arXiv 2307.03025): the judge gives a verdict per "
        "dimension and overall; the last table is how often each verdict prefers the response with a factual error."
    )
    return ReportSection("multi-dimension", "Per-dimension ratings (style over substance)", tuple(section_tables), tuple(notes), tuple(figures), order=60)
