"""``judgebench peer-review``: a jury of judges admitted by a qualification exam (PRE, arXiv 2401.15641).

Argparse only: the analysis is ``judgebench.analysis.peer_review`` (split, admission, weighted vote, paired tests),
the loading of runs and the figure ``judgebench.reports.section_peer_review``.
"""

from __future__ import annotations

import argparse
import json

from ..protocols import REDUCERS
from ._flags import figure_path, positive_int, seed_value

HELP = "peer-review jury: admit judges by a qualification exam on a labelled slice, weight their votes by exam accuracy, compare on the rest"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "runs",
        nargs="+",
        metavar="RUN_DIR",
        help="run folders, folders of runs or judgments.jsonl files of candidate judges on the same pairs (or one jury run)",
    )
    p.add_argument(
        "--exam",
        type=float,
        default=0.2,
        help="exam slice: a fraction in (0, 1) or a number of items (default 0.2), seeded, stratified by category",
    )
    p.add_argument(
        "--threshold",
        type=float,
        default=60.0,
        help="admission bar: exam accuracy in %% (default 60), or a kappa in [-1, 1] with --measure kappa",
    )
    p.add_argument(
        "--measure",
        choices=("accuracy", "kappa"),
        default="accuracy",
        help="exam measure the threshold applies to (default accuracy)",
    )
    p.add_argument(
        "--basis",
        choices=("lower", "point"),
        default="lower",
        help="what must pass the bar: the 95%% CI's lower bound (default) or the point estimate (PRE's)",
    )
    p.add_argument(
        "--rule",
        choices=tuple(REDUCERS),
        default=None,
        help="how a member's views make one verdict per item (default: the first run's own rule)",
    )
    p.add_argument("--seed", type=seed_value, default=0, help="seed of the exam split and the bootstrap (default 0)")
    p.add_argument("--resamples", type=positive_int, default=10_000, help="bootstrap resamples (default 10000)")
    p.add_argument("--figure", type=figure_path, default=None, metavar="PATH", help="also write the figure (png, pdf or svg)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--include-partial",
        action="store_true",
        help="take partial runs (fewer pairs judged than their pair set has, e.g. --limit runs) as candidates too; by default they "
        "are left out (said on stderr), as the report's peer-review section leaves them out, since they would cut the exam to their pairs",
    )


def run(args: argparse.Namespace) -> int:
    from ..analysis.failures import summarize_failures
    from ..analysis.peer_review import peer_review, render_markdown
    from ..errors import InputError
    from ..reports.section_peer_review import load_members

    lo, hi = (0.0, 100.0) if args.measure == "accuracy" else (-1.0, 1.0)
    if not lo <= args.threshold <= hi:  # an impossible bar would just admit nobody: say so instead
        raise InputError(f"the {args.measure} threshold must lie in [{lo:g}, {hi:g}], got {args.threshold:g}", field="--threshold")
    members, rule = load_members(args.runs, rule=args.rule, include_partial=args.include_partial)
    report = peer_review(
        members,
        exam=args.exam,
        threshold=args.threshold,
        measure=args.measure,
        basis=args.basis,
        rule=rule,
        seed=args.seed,
        n_resamples=args.resamples,
    )
    if args.figure:
        from ..reports.plots import save_figure
        from ..reports.section_peer_review import peer_review_figure

        save_figure(peer_review_figure(report), args.figure)
    # failed calls count as no decision for a candidate: say so, never let such a run pass for a clean one
    summaries = {name: summarize_failures(results) for name, results in members.items()}
    failed = {name: (s.failed, s.total) for name, s in summaries.items() if s.failed}
    if args.json:
        print(json.dumps(report.to_dict() | {"failed_judgments": {k: {"failed": f, "judgments": n} for k, (f, n) in failed.items()}}, indent=2))
        return 0
    print(render_markdown(report), end="")
    for name, (f, n) in failed.items():
        print(f"- {name}: {f} of {n} judgments failed (scored as no decision, in the exam and the evaluation alike); rerun its bench command to retry them")
    return 0
