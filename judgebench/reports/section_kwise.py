"""The K-wise ranking section of the HTML report, and the table and figure of ``judgebench kwise``.

Shown when the report has a listwise run with full rankings of three or more responses written by named systems
(``kwise_ranking`` on items whose responses carry their model): its Plackett-Luce skills with 95% bootstrap
intervals and their stability, beside the Bradley-Terry skills of the first pairwise run over the same systems at
the same number of judge calls (``analysis.kwise``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..analysis.kwise import KwiseReport, SkillFit, compare_kwise_pairwise, is_kwise_run, is_pairwise_run
from .plot_style import MARKERS, PALETTE, new_figure, paper_style
from .sections import ReportSection, SectionTable, register_section

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SECTION_RESAMPLES = 2000
"""Bootstrap resamples in the report's section (the command's default is 10,000)."""


def _num(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def skill_rows(report: KwiseReport) -> list[tuple[str, ...]]:
    """(method, rank, system, skill, 95% CI) per system and method, best first."""
    rows: list[tuple[str, ...]] = []
    for fit in report.fits:
        for r in fit.to_rows():
            ci = f"[{_num(r['low'])}, {_num(r['high'])}]" if r["low"] is not None else "n/a"
            rows.append((fit.method, str(r["rank"]), str(r["system"]), _num(r["skill"]), ci))
    return rows


def stability_rows(report: KwiseReport) -> list[tuple[str, ...]]:
    """(method, Kendall tau mean, 95% CI, share of resamples with the same order, judge calls, items, comparisons)."""
    rows: list[tuple[str, ...]] = []
    for fit in report.fits:
        ti = fit.tau_interval
        share = fit.same_order_share
        calls = f"{fit.calls}" if fit.calls == fit.calls_available else f"{fit.calls} of {fit.calls_available}"
        rows.append(
            (
                fit.method,
                _num(fit.tau_mean),
                f"[{_num(ti.low)}, {_num(ti.high)}]" if ti else "n/a",
                "n/a" if share is None else f"{100 * share:.1f}%",
                calls,
                str(fit.items),
                str(fit.comparisons),
            )
        )
    return rows


SKILL_HEADER = ("method", "rank", "system", "skill", "95% CI")
STABILITY_HEADER = ("method", "Kendall tau (mean over resamples)", "2.5–97.5% of resamples", "same order", "judge calls", "items", "comparisons")


def markdown(report: KwiseReport) -> str:
    """The two tables and the notes as Markdown."""

    def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
        return ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|", *("| " + " | ".join(r) + " |" for r in rows)]

    out = ["Skills (log-strength, mean 0; 95% bootstrap interval over items)", "", *table(SKILL_HEADER, skill_rows(report)), ""]
    out += ["Rank stability (Kendall tau between the full-data ranking and each bootstrap resample's)", "", *table(STABILITY_HEADER, stability_rows(report)), ""]
    out += [f"Note: {n}" for n in report.notes]
    out += [f"Note: {f.method}: {f.reason}" for f in report.fits if f.reason]
    return "\n".join(out) + "\n"


def figure(report: KwiseReport, size: str = "column") -> Figure:
    """Two panels: each system's skill with its 95% interval for each method side by side; the distribution of
    Kendall tau over the bootstrap resamples for each method."""
    import numpy as np

    fits: Sequence[SkillFit] = report.fits
    systems = list(fits[0].order())
    with paper_style():
        fig = new_figure(1.0 + 0.28 * len(systems) + 1.4, size)
        top, bottom = fig.subplots(2, 1, height_ratios=[max(1.0, 0.28 * len(systems)), 1.2])
        step = 0.5 / max(1, len(fits))
        for k, fit in enumerate(fits):
            pos = {s: i for i, s in enumerate(fit.systems)}
            ys = np.arange(len(systems)) - 0.25 + step * (k + 0.5)
            x = np.array([fit.skills[pos[s]] if s in pos else np.nan for s in systems])
            lo = np.array([ci.low if (ci := fit.intervals[pos[s]] if s in pos else None) else np.nan for s in systems])
            hi = np.array([ci.high if (ci := fit.intervals[pos[s]] if s in pos else None) else np.nan for s in systems])
            err = np.vstack([np.nan_to_num(x - lo), np.nan_to_num(hi - x)])
            top.errorbar(x, ys, xerr=err, fmt=MARKERS[k], color=PALETTE[k], capsize=2, label=fit.method)
        top.set_yticks(range(len(systems)), systems)
        top.invert_yaxis()
        top.axvline(0, color="0.7", lw=0.5, zorder=0)
        top.set_xlabel("skill (log-strength, mean 0), 95% CI")
        top.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=len(fits), frameon=False)
        bins = np.linspace(-1, 1, 41)
        for k, fit in enumerate(fits):
            taus = fit.taus[np.isfinite(fit.taus)]
            if taus.size:
                bottom.hist(taus, bins=bins, color=PALETTE[k], alpha=0.6, label=f"{fit.method} (mean {_num(fit.tau_mean)})", weights=np.full(taus.size, 1 / taus.size))
        bottom.set_xlabel("Kendall tau, resample vs full-data ranking")
        bottom.set_ylabel("share of resamples")
        bottom.set_xlim(-1.05, 1.05)
        bottom.legend(loc="upper left", frameon=False)
    return fig


def _label(run: Any) -> str:
    row = getattr(run, "row", {}) or {}
    return " / ".join(str(row[k]) for k in ("judge", "model") if row.get(k)) or "run"


@register_section("kwise")
def kwise_section(runs: Sequence[Any], names: Any = None) -> ReportSection | None:
    """The section for the first run with K-wise rankings, compared with the first pairwise run over the same
    systems (None when no run has K-wise rankings)."""
    from .plots import figure_bytes

    kwise = next((r for r in runs if r.results and is_kwise_run(r.results)), None)
    if kwise is None:
        return None
    systems = {x.model for res in kwise.results for x in res.item.responses}
    pairwise = next(
        (r for r in runs if r is not kwise and r.results and is_pairwise_run(r.results) and {x.model for res in r.results for x in res.item.responses} <= systems),
        None,
    )
    report = compare_kwise_pairwise(kwise.results, pairwise.results if pairwise else None, n_resamples=SECTION_RESAMPLES)
    notes = [f"K-wise run: {_label(kwise)}; pairwise run: {_label(pairwise) if pairwise else 'none over the same systems'}."]
    notes.append(
        "Plackett-Luce skills (MM algorithm, Hunter 2004) from the K-wise rankings, in the manner of K-Sort Arena "
        "(arXiv:2408.14468); Bradley-Terry from the pairwise verdicts; 95% intervals from a bootstrap over items. "
        "Stability: Kendall tau between the full-data ranking and each resample's."
    )
    notes += list(report.notes) + [f"{f.method}: {f.reason}" for f in report.fits if f.reason]
    png = figure_bytes(figure(report), "png")
    return ReportSection(
        id="kwise",
        title="K-wise rankings vs pairwise",
        tables=(SectionTable(SKILL_HEADER, tuple(skill_rows(report)), "Skills per method"), SectionTable(STABILITY_HEADER, tuple(stability_rows(report)), "Rank stability at the same budget")),
        notes=tuple(notes),
        figures=((png, "Skills with 95% bootstrap intervals per method (top); Kendall tau of each bootstrap resample's ranking against the full-data ranking (bottom)."),),
        order=60,
    )
