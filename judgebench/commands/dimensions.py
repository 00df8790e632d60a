"""``judgebench dimensions``: per-dimension Elo of the systems, agreement with human per-dimension labels, and how
often the overall verdict prefers a response with a factual error, from runs of the ``multi_dimension`` judge.

Argparse only: the analysis is ``judgebench.analysis.multi_dimension``, the figure
``judgebench.reports.section_multi_dimension.figure``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ._flags import figure_path, positive_int, seed_value

HELP = "per-dimension Elo with CIs, agreement per dimension, share of overall verdicts preferring a factual error (multi_dimension runs)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("runs", nargs="+", metavar="RUN_DIR", help="results folders (or judgments.jsonl) of multi_dimension runs")
    p.add_argument("--figure", type=figure_path, default=None, metavar="PATH", help="write the per-dimension Elo figure (.png or .pdf; one file per run, numbered after the first)")
    p.add_argument("--resamples", type=positive_int, default=1000, help="bootstrap resamples (default 1000)")
    p.add_argument("--seed", type=seed_value, default=0, help="bootstrap seed (default 0)")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    from ..analysis.multi_dimension import analyse_runs, markdown, report_json

    reports = analyse_runs(args.runs, n_resamples=args.resamples, seed=args.seed)
    if args.figure:
        from ..reports.section_multi_dimension import figure

        path = Path(args.figure)
        for i, report in enumerate(reports):
            out = path if i == 0 else path.with_name(f"{path.stem}-{i + 1}{path.suffix}")
            out.write_bytes(figure(report, fmt=out.suffix.lstrip(".") or "png"))
    if args.json:
        print(json.dumps([report_json(r) for r in reports], indent=2))
        return 0
    print(markdown(reports), end="")
    return 0
