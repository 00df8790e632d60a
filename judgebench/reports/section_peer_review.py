"""The HTML report's peer-review jury section (``analysis.peer_review``; PRE, arXiv 2401.15641) and its figure.

The section appears for the first pair set on which the report holds at least three judge runs (reference rows such
as ``--baseline`` left out) with per-item results of at least ``MIN_ITEMS`` pairs judged pairwise, or for a single ``jury`` run whose members' judgments are kept; it
uses the command's defaults (exam 20%, seed 0, the CI's lower bound of exam accuracy above 60%, the first run's
rule). Other settings: ``judgebench peer-review``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from .sections import ReportSection, SectionTable, register_section

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..analysis.peer_review import PeerReview
    from ..schema import ItemResult

logger = logging.getLogger(__name__)

MIN_RUNS = 3
MIN_ITEMS = 20


def peer_review_figure(report: PeerReview, size: str = "column") -> Figure:
    """Two panels: each candidate's exam accuracy with its 95% CI and the threshold (admitted members in blue), and
    the evaluation slice's accuracy of each member, the unweighted majority and the jury."""
    from .plot_style import PALETTE, facet_grid, label_chars, new_figure, paper_style, wrap

    width = label_chars(size)
    n_exam, n_eval = len(report.admissions), len(report.comparisons)
    with paper_style():
        fig = new_figure(1.0 + 0.22 * (n_exam + n_eval), size)
        top, bottom = facet_grid(fig, 2, height_ratios=[max(n_exam, 1) + 1.5, max(n_eval, 1) + 1.5])
        for y, a in enumerate(report.admissions):
            colour = PALETTE[0] if a.admitted else PALETTE[1]
            top.errorbar(
                [a.accuracy],
                [y],
                xerr=[[a.accuracy - a.ci[0]], [a.ci[1] - a.accuracy]],
                fmt="o" if a.admitted else "s",
                color=colour,
                capsize=2,
            )
        if report.measure == "accuracy":
            top.axvline(
                report.threshold, color="0.3", linestyle="--", linewidth=0.8, label=f"threshold {report.threshold:g}%"
            )
            top.legend(loc="lower right", frameon=False)
        top.set_yticks(
            range(n_exam), [wrap(f"{a.member} ({'in' if a.admitted else 'out'})", width) for a in report.admissions]
        )
        top.invert_yaxis()
        top.set_xlabel(f"exam accuracy (%), n={len(report.exam_ids)}")
        top.set_title("Qualification exam")
        for y, c in enumerate(report.comparisons):
            colour = PALETTE[2] if c.kind == "jury" else PALETTE[3] if c.kind == "majority" else PALETTE[0]
            bottom.errorbar(
                [c.accuracy],
                [y],
                xerr=[[c.accuracy - c.ci[0]], [c.ci[1] - c.accuracy]],
                fmt="D" if c.kind == "jury" else "o",
                color=colour,
                capsize=2,
            )
        bottom.set_yticks(range(n_eval), [wrap(c.name, width) for c in report.comparisons])
        bottom.invert_yaxis()
        bottom.set_xlabel(f"evaluation accuracy (%), n={len(report.eval_ids)}")
        bottom.set_title("Jury vs members (exam items left out)")
        lo = min(
            [a.ci[0] for a in report.admissions]
            + [c.ci[0] for c in report.comparisons]
            + [report.threshold if report.measure == "accuracy" else 100.0]
        )
        for ax in (top, bottom):
            ax.set_xlim(max(0.0, lo - 5), 100)
    return fig


def load_members(paths: Sequence[str], *, rule: str | None = None, include_partial: bool = True) -> tuple[dict[str, list[ItemResult]], str]:
    """The candidates in ``paths`` (run folders, folders of runs, ``judgments.jsonl`` files) and the rule to reduce
    their views with (``rule``, else the first run's own rule). One jury run alone is split into its members.
    Without ``include_partial``, a partial run (``leaderboard.data_fields``: fewer pairs judged than its set has, a
    ``--limit`` run) is left out, with a warning naming it.

    Raises:
        InputError: for unreadable paths, or two runs with the same judge label.
    """
    from ..analysis.peer_review import jury_members
    from ..analysis.replay import read_judgment_file
    from ..analysis.scoring import run_benchmark
    from .leaderboard import data_fields, file_info, judgment_files, own_rule, run_label

    members: dict[str, list[ItemResult]] = {}
    rules: list[str] = []
    files = [f for p in paths for f in judgment_files(p)]
    left: list[str] = []
    for f in files:
        jf = read_judgment_file(f)
        info = file_info(f)
        if not include_partial and data_fields(info, jf.results)["partial"]:
            left.append(str(f.parent if f.name == "judgments.jsonl" else f))
            continue
        rules.append(own_rule(info, run_benchmark(info)))
        name = run_label(jf.judge, jf.model)
        if name in members:  # one judge on several data sets (results/judgebench-gpt/..., judgebench-claude/...)
            name = f"{name} ({f.parent.parent.parent.name if f.name == 'judgments.jsonl' else f.name})"
        if name in members:
            raise InputError(f"two runs named {name!r}", path=f)
        members[name] = list(jf.results)
    if left:
        logger.warning("left out %d partial run(s) (fewer pairs judged than their pair set has; --include-partial takes them): %s", len(left), ", ".join(left[:5]))
    if len(members) == 1:
        (only,) = members.values()
        inner = jury_members(only)
        if inner:
            members = inner
    return members, rule or (rules[0] if rules else "vote")


def _candidates(runs: Sequence[Any]) -> dict[str, list[ItemResult]] | None:
    from ..analysis.peer_review import jury_members
    from ..analysis.scoring import is_pairwise_pair
    from .leaderboard import pair_set_groups, run_label

    judged = [
        r
        for r in runs
        if r.row.get("origin") != "baseline"
        and (not r.row.get("partial") or r.row.get("compared"))  # a --limit run only with --include-partial
        and len(r.results) >= MIN_ITEMS
        and any(is_pairwise_pair(x) for x in r.results[:50])
    ]
    for group in pair_set_groups(judged):
        if len(group) >= MIN_RUNS:
            members: dict[str, list[ItemResult]] = {}
            for r in group:
                name = run_label(str(r.row.get("judge", "?")), str(r.row.get("model", "?")))
                members[name if name not in members else f"{name} #{len(members) + 1}"] = list(r.results)
            return members
        for r in group:
            inner = jury_members(r.results)
            if len(inner) >= 2:
                return inner
    return None


@register_section("peer_review")
def peer_review_section(runs: Sequence[Any], names: Any = None) -> ReportSection | None:
    """The jury section for the report's runs (module docstring), or None when no pair set qualifies."""
    from ..analysis.peer_review import (
        ADMISSION_HEADER,
        EVALUATION_HEADER,
        admission_rows,
        evaluation_rows,
        peer_review,
        summary_lines,
    )
    from .plots import figure_bytes

    members = _candidates(runs)
    if members is None:
        return None
    rule = next((str(r.row["rule"]) for r in runs if r.row.get("rule")), "vote")
    try:
        report = peer_review(members, rule=rule, n_resamples=2_000)
    except InputError as e:
        logger.info("no peer-review section: %s", e)
        return None
    figure = figure_bytes(peer_review_figure(report), "png")
    return ReportSection(
        id="peer-review",
        title="Peer-review jury (qualification exam)",
        tables=(
            SectionTable(ADMISSION_HEADER, tuple(admission_rows(report)), "Qualification exam"),
            SectionTable(EVALUATION_HEADER, tuple(evaluation_rows(report)), "Evaluation slice"),
        ),
        notes=(
            *summary_lines(report),
            "PRE (arXiv 2401.15641); other settings: judgebench peer-review RUN_DIR... --exam --threshold --seed",
        ),
        figures=(
            (
                figure,
                "Exam accuracy with 95% CIs and the admission threshold; jury vs members and the unweighted majority on the evaluation slice.",
            ),
        ),
        order=60,
    )
