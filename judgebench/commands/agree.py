"""``judgebench agree``: how far does a judge agree with human labels? Every measure with its CI and n.

Argparse only: the report is ``judgebench.analysis.agreement_report.agreement_from_files`` (what is compared and
how), its text ``judgebench.reports.estimates.render_agreement``.
"""

from __future__ import annotations

import argparse
import json
import sys

from ..errors import EXIT_FAILED_JUDGMENTS
from ..protocols import REDUCERS
from ._flags import positive_int, seed_value

HELP = "agreement of a judge with human labels: accuracy, Cohen's kappa, Krippendorff's alpha, correlations, ICC, MAE, human baseline"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--human", default=None, help="human label file (.csv, .jsonl, .json, .parquet; long or wide); a pointwise run's ids are <item_id>/<response index>")
    p.add_argument("--judge", required=True, help="judge results folder or judgments.jsonl, or a judge label file")
    p.add_argument("--level", choices=("nominal", "ordinal", "interval", "ratio"), default=None, help="level of measurement (default: nominal for pairwise labels, interval for ratings)")
    p.add_argument("--kind", choices=("auto", "pairwise", "rating"), default="auto", help="how to read label files (default auto; pairwise when the judge is a results folder)")
    p.add_argument(
        "--aggregate", choices=tuple(REDUCERS), default="vote", help="one label per pair from a judge's two games: the sign of that reducer's verdict (default vote; see README)"
    )
    p.add_argument("--judge-rater", default=None, help="which rater of a multi-rater judge label file is the judge")
    p.add_argument("--scale", default=None, metavar="LO-HI", help="integer rating scale, e.g. 1-5: every point is a category for kappa; ratings outside are an error")
    p.add_argument("--human-ranking", default=None, help="a ranking file (system, score or rank) to compare the judge's system ranking with")
    p.add_argument(
        "--reference", choices=("labels", "target"), default="labels", help="the reference: the --human file (default), or 'target': a pointwise run's items' own ratings (mean over raters)"
    )
    p.add_argument(
        "--rating-protocol",
        choices=("all", "prometheus"),
        default="all",
        help="ratings: every measure (default), or Prometheus 2's: Pearson/Spearman/Kendall of the judge's mean of samples vs the raters' mean",
    )
    p.add_argument("--resamples", type=positive_int, default=10_000, help="bootstrap resamples (default 10000)")
    p.add_argument("--seed", type=seed_value, default=0, help="bootstrap seed (default 0)")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    from ..analysis.agreement_report import agreement_from_files, agreement_json
    from ..reports.estimates import render_agreement

    report = agreement_from_files(
        args.human,
        args.judge,
        kind=args.kind,
        aggregate=args.aggregate,
        judge_rater=args.judge_rater,
        level=args.level,
        scale=args.scale,
        human_ranking=args.human_ranking,
        reference=args.reference,
        rating_protocol=args.rating_protocol,
        n_resamples=args.resamples,
        seed=args.seed,
    )
    failed = report["judge"].get("failed", 0)
    if args.json:
        print(json.dumps(agreement_json(report), indent=2))
    else:
        print(render_agreement(report), end="")
    if failed:  # as bench and score: a run with failed judgments does not pass for a clean result
        print(f"judgebench agree: {failed} of the judge's {report['judge']['judgments']} judgments failed: the agreement is over what ran; rerun its bench command to retry them", file=sys.stderr)
        return EXIT_FAILED_JUDGMENTS
    return 0
