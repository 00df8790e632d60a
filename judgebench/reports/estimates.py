"""Tables of estimates for people: ``(section, Estimate)`` rows with their CIs, p-values, n and notes (the tables of
``judgebench agree`` and of ``judgebench score --bias``), and the agreement report's text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..metrics.stats import Estimate
from .tables import Column, to_markdown

ESTIMATE_COLUMNS = (
    Column("section", "Compared", None),
    Column("measure", "Measure", None),
    Column("value", "Value", None),
    Column("ci", "95% CI (bootstrap)", None),
    Column("analytic", "95% CI (analytic)", None),
    Column("p", "p", None),
    Column("n", "n", None),
    Column("note", "Note", None),
)
"""The columns of ``render_estimates``, keyed as ``estimate_rows`` keys its rows."""


def _fmt(x: float | None, digits: int = 3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def estimate_rows(measures: Sequence[tuple[str, Estimate]]) -> list[dict[str, str]]:
    """Table rows (strings) for ``(section, Estimate)`` pairs; an undefined value reads ``undefined``.

    Each row has ``section``, ``measure``, ``value`` (3 decimals), ``ci`` (the first bootstrap interval),
    ``analytic`` (the first other interval, with its method), ``p`` (2 significant digits, ``<1e-4`` below), ``n``
    and ``note`` (the estimate's reason, and the bootstrap's scheme when it is not Efron's plain one: ``CI: Poisson
    bootstrap``, ``CI: ... linearisation``); ``–`` where there is none.
    """
    rows = []
    for section, e in measures:
        # any resampling interval (Efron, Poisson, stratified, of a linearisation), not only those named "bootstrap ..."
        boot = e.bootstrap_interval()
        other = next((i for i in e.intervals if not i.is_bootstrap), None)
        p = "–" if e.p_value is None else (f"{e.p_value:.2g}" if e.p_value >= 1e-4 else "<1e-4")
        rows.append(
            {
                "section": section,
                "measure": e.name,
                "value": _fmt(e.value) if e.is_defined else "undefined",
                "ci": f"[{boot.low:.3f}, {boot.high:.3f}]" if boot else "–",
                "analytic": f"[{other.low:.3f}, {other.high:.3f}] {other.method}" if other else "–",
                "p": p,
                "n": str(e.n),
                "note": "; ".join(x for x in (e.reason, _scheme(boot.method) if boot else None) if x),
            }
        )
    return rows


def _scheme(method: str) -> str | None:
    """What the bootstrap column's interval is, when it is not Efron's plain percentile bootstrap (``bootstrap (N
    resamples, seed S)``): ``CI: Poisson bootstrap``, ``CI: bootstrap of the influence-function linearisation``..."""
    if method.startswith("bootstrap ("):
        return None
    return "CI: " + method.split(" (", 1)[0]


def render_estimates(measures: Sequence[tuple[str, Estimate]]) -> str:
    """A Markdown table of ``(section, Estimate)`` pairs: value, 95% bootstrap CI, analytic CI, p, n, note."""
    return to_markdown(estimate_rows(measures), list(ESTIMATE_COLUMNS))


def render_agreement(report: dict[str, Any]) -> str:
    """``judgebench agree`` for people: the inputs, the items in both, what was left out and why, then the table.

    Args:
        report: ``judgebench.analysis.agreement_report.agreement_report``'s dict, with ``kind_from`` in its
            ``human`` and ``judge`` descriptions (as ``agreement_from_files`` returns it).
    """
    hd, jd = report["human"], report["judge"]
    n_items = report["n_overlap"]
    lines = [
        f"human: {hd['path']} ({hd['coding_description']}, {hd['kind_from']}; {hd['raters']} rater{'s' if hd['raters'] != 1 else ''}, {hd['items']} items)",
        f"judge: {jd['path']} (rater {jd['rater']!r}, {jd['coding_description']}, {jd['kind_from']}; {jd['labelled']} of {jd['items']} items labelled)",
        f"items in both: {n_items}; level: {report['level']}; reference: {report['reference']}",
    ]
    lines += [f"  left out: {count} item{'s' if count != 1 else ''} {why}" for why, count in report["left_out"].items()]
    if jd.get("failed"):
        lines.append(
            f"  not a clean result: {jd['failed']} of the judge's {jd['judgments']} judgments failed (no label from them: their items are "
            "left out, or labelled by the other game); rerun its bench command to retry them"
        )
    lines.append("every row's n is the number of items it used; its note says why any item in both was left out\n")
    return "\n".join(lines) + "\n" + render_estimates(report["measures"])
