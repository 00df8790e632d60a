"""``judgebench certainty``: accuracy against coverage by a judge's stated certainty, its calibration (ECE,
reliability diagram, AUROC) and the verdict-token probability beside it (Dong et al. 2024, arXiv 2406.11657).

Argparse only: the measures are ``judgebench.analysis.certainty``, the figure ``reports.section_certainty``.
"""

from __future__ import annotations

import argparse
import json

from ._flags import figure_path, positive_int, seed_value

HELP = "stated certainty vs token probability: accuracy above a certainty threshold, ECE, AUROC, reliability diagram"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("runs", nargs="+", metavar="RUN_DIR", help="run folders (every judgments.jsonl below) or judgment files")
    p.add_argument("--threshold", type=float, default=80.0, help="the threshold row to highlight, 0-100 (default 80, the paper's); added to 50,60,...,100 if missing")
    p.add_argument("--figure", type=figure_path, default=None, metavar="PATH", help="write the reliability diagrams (png, pdf or svg by the suffix)")
    p.add_argument("--size", choices=("column", "page"), default="column", help="figure width (default column)")
    p.add_argument("--resamples", type=positive_int, default=10_000, help="bootstrap resamples (default 10000)")
    p.add_argument("--seed", type=seed_value, default=0, help="bootstrap seed (default 0)")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    from ..analysis.certainty import THRESHOLDS, certainty_report, render_markdown, report_json
    from ..analysis.replay import read_judgment_file
    from ..analysis.scoring import pairwise_pairs
    from ..errors import InputError
    from ..reports.leaderboard import judgment_files, run_label

    if not 0 <= args.threshold <= 100:
        raise InputError(f"the threshold is a certainty from 0 to 100, got {args.threshold:g}", field="--threshold")
    thresholds = tuple(sorted({*THRESHOLDS, args.threshold}))
    reports = []
    seen: set[str] = set()
    for arg in args.runs:
        for path in judgment_files(arg):
            jf = read_judgment_file(path)
            results = pairwise_pairs(jf.results)  # a stated certainty is read from pairwise verdicts on pairs
            if not results:
                continue  # a run on best-of-K or rated items (RM-Bench, Prometheus) has no pair to calibrate
            name = run_label(jf.judge, jf.model)
            name = name if name not in seen else f"{name} ({path})"
            seen.add(name)
            reports.append(certainty_report(results, name, thresholds=thresholds, n_resamples=args.resamples, seed=args.seed))
    if not seen and not any(judgment_files(arg) for arg in args.runs):
        raise InputError("no judgment files here (looked for judgments.jsonl below it)", path=" ".join(map(str, args.runs)))
    if not any(r.stated is not None for r in reports):  # nothing to report: not a clean, empty result
        raise InputError("no judgment states a certainty: run a judge that asks for one (vanilla_certainty)", path=" ".join(map(str, args.runs)))
    if args.figure:
        from ..reports.plots import save_figure
        from ..reports.section_certainty import reliability_figure

        try:
            save_figure(reliability_figure(reports, args.size), args.figure)
        except ValueError as e:
            raise InputError(str(e), field="--figure") from e
    if args.json:
        print(json.dumps([report_json(r) for r in reports], indent=2))
        return 0
    print(render_markdown(reports, args.threshold), end="")
    if args.figure:
        print(f"Reliability diagrams: {args.figure}")
    return 0
