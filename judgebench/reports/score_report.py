"""What ``judgebench score`` prints and writes besides the leaderboard table: the JSON entries (one per file, with
one accuracy per category, bias probes and re-parse reports), the re-parse summary and bias tables for people, and
the Markdown note of ``--out``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..analysis.reparse import ReparseReport
from ..analysis.replay import JudgmentFile
from .names import Names


def category_fields(row: dict[str, Any]) -> dict[str, Any]:
    """One accuracy per category of a ``score_file_row`` row, keyed in lower case: every category of the benchmark
    the file's run names (JudgeBench's when none; ``None`` when absent), then the file's others, in the
    benchmark's order."""
    from ..benchmarks import fallback_benchmark, get_benchmark
    from .tables import category_key

    bench = get_benchmark(row["benchmark"]) if row.get("benchmark") else fallback_benchmark()
    return {category_key(c): row.get(category_key(c)) for c in bench.ordered([*bench.categories, *row.get("categories", [])])}


def file_metrics(jf: JudgmentFile, *, rule: str | None = None) -> tuple[Any, Any]:
    """One file scored: ``(RunMetrics, Benchmark | None)`` (``leaderboard.score_file_metrics``: an upstream-format
    file by its benchmark's rule, others by the ``run.json`` beside them)."""
    from .leaderboard import score_file_metrics

    return score_file_metrics(jf, rule=rule)


def score_entries(
    rows: Sequence[dict[str, Any]],
    files: Sequence[JudgmentFile] = (),
    reports: Sequence[ReparseReport] = (),
    *,
    bias: bool = False,
    details: Sequence[dict[str, Any] | None] = (),
    names: Names | None = None,
) -> list[dict[str, Any]]:
    """``score --json``: one object per file, from its ``score_file_row`` row.

    Args:
        rows: one ``score_file_row`` row per file (accuracies in %).
        files: the files, in the order of ``rows`` (needed for ``bias``).
        reports: the re-parse report of each file (``score --reparse``), added as ``reparse``; ``()`` for none.
        bias: add each file's probes (``judgment_probes``), one list of ``Estimate.to_dict()`` per section.
        details: each file's benchmark numbers (``RunMetrics.extra["benchmark"]``), added as ``benchmark`` with the
            file's ``upstream`` format when it is not ``None``; ``()`` for none.
        names: display names (``reports.names``): each entry gets its run's display ``name`` (distinct within
            the files); ``None``: no ``name``.
    """
    from .tables import run_names

    shown = [n.name for n in run_names(rows, names)] if names is not None else []
    out = [
        {
            "path": r["path"],
            "judge_name": r["judge"],
            "judge_model": r["model"],
            **({"name": shown[k]} if names is not None else {}),
            "response_model": r["response_model"],
            "rule": r["rule"],
            "n_pairs": r["n"],
            "overall": r["overall"],
            **category_fields(r),
            "ci_low": r["ci_low"],
            "ci_high": r["ci_high"],
            "position_consistency": r["consistency"],
            "failed": r["failed"],
        }
        for k, r in enumerate(rows)
    ]
    if bias:
        from ..analysis.score_files import judgment_probes

        for entry, jf in zip(out, files, strict=True):
            for section, estimates in judgment_probes(jf).items():
                entry[section] = [e.to_dict() for e in estimates]
    for entry, report in zip(out, reports, strict=False):
        entry["reparse"] = report.to_dict()
    for entry, jf, extra in zip(out, files, details, strict=False):
        if extra is not None:
            entry["benchmark"] = extra
        if jf.upstream:
            entry["upstream"] = jf.upstream
    return out


def render_reparse(reports: Sequence[ReparseReport], *, shown: int = 20) -> str:
    """``--reparse`` for people: one line per file, then up to ``shown`` changed decisions each."""
    lines = ["", "Re-parsed with the current parsers (decisions in the order shown; game 2 is the swapped order):"]
    for report in reports:
        lines.append(f"- {report.summary()}")
        for c in report.changed[:shown]:
            lines.append(f"    {c.pair_id} game {c.game}: {c.stored} -> {c.reparsed}")
        if len(report.changed) > shown:
            lines.append(f"    ... and {len(report.changed) - shown} more (--json lists all)")
        if report.parser and report.no_decision:
            lines.append("    no decision after re-parsing: " + "; ".join(f"{n} x {reason}" for reason, n in report.no_decision.items()))
    return "\n".join(lines) + "\n"


def render_probes(jf: JudgmentFile) -> str:
    """``--bias`` for people: a heading naming the file, then its probes (``judgment_probes``) as one table."""
    from ..analysis.score_files import judgment_probes
    from .estimates import render_estimates

    probes = judgment_probes(jf)
    if not probes:
        return f"\nBias probes: {jf.judge} {jf.model} ({jf.path}): none; they read pairs judged pairwise (positions A/B, two lengths), and this file holds none\n"
    table = render_estimates([(section, e) for section, ests in probes.items() for e in ests])
    return f"\nBias probes: {jf.judge} {jf.model} ({jf.path})\n\n" + table


def reproduction_note(rows: Sequence[dict[str, Any]], reports: Sequence[ReparseReport] = (), *, rule: str | None = None) -> str:
    """The Markdown heading of ``score --out``: how the files were scored (``rule``, else the rule the rows share,
    else "each file's own"), and which, and what re-parsing changed."""
    from .tables import table_rule

    rule_text = table_rule(rows, rule) or "each file's own, column Rule"
    note = (
        "# Reproduction of published JudgeBench judgments\n\n"
        f"Scored with `judgebench score` (rule: {rule_text}; accuracies in %, 95% bootstrap CI over pairs, "
        "seed 0, 10,000 resamples). Files:\n\n" + "".join(f"- `{Path(r['path']).name}`\n" for r in rows) + "\n"
    )
    if reports:
        note += "Decisions re-parsed from the stored outputs with the current parsers (`--reparse`):\n\n"
        note += "".join(f"- `{Path(rep.path).name}`: " + (f"{len(rep.changed)} of {rep.reparsed} changed\n" if rep.parser else f"not re-parsed ({rep.note})\n") for rep in reports) + "\n"
    return note
