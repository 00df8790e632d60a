"""``judgebench report``: one self-contained HTML file with the leaderboard, the figures and a pair browser."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .leaderboard import add_source_arguments

HELP = "write a self-contained HTML report (leaderboard, figures, pair browser with filters) for the runs under RESULTS_DIR"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("results_dir", nargs="?", default="results", help="a results folder (all runs below it) or one run folder; default results")
    p.add_argument("-o", "--out", default=None, help="output HTML file (default RESULTS_DIR/report.html, beside the runs it shows)")
    add_source_arguments(p)
    p.add_argument("--group-by", choices=("none", "response_model", "dataset"), default="response_model", help="leaderboard groups (default response_model)")
    p.add_argument("--baseline", action="store_true", help="add the random-choice reference row to the leaderboard")
    p.add_argument("--response-model", action="append", default=[], metavar="NAME", help="only runs on pairs from this response model (repeatable)")
    p.add_argument("--no-figures", action="store_true", help="leave the figures out (faster, smaller)")
    p.add_argument("--no-prompts", action="store_true", help="leave the judges' prompts out of the pair browser (smaller)")
    p.add_argument("--title", default="judgebench report", help="page title (default 'judgebench report')")
    p.add_argument("--names", default=None, metavar="FILE", help="display names of judges, models, runs and benchmarks in the tables and figures (.yaml/.toml/.json, see docs/names.md)")


def run(args: argparse.Namespace) -> int:
    from ..files import atomic_write_text
    from ..reports.html import render_report
    from ..reports.names import Names
    from ..reports.sources import default_report_path, select_response_models
    from .leaderboard import source_runs

    names = Names.load(args.names) if args.names else None  # read before any run is scored: a bad file fails fast
    runs = select_response_models(source_runs(args, baseline=args.baseline, group_by=args.group_by), args.response_model)
    html = render_report(runs, rule=args.rule, title=args.title, figures=not args.no_figures, prompts=not args.no_prompts, names=names)
    out = Path(args.out) if args.out else default_report_path(args.results_dir)
    atomic_write_text(out, html)  # known secrets redacted (render_report already refuses a page holding one)
    print(f"wrote {out} ({len(html.encode()) / 1e6:.1f} MB, {len(runs)} rows)", file=sys.stderr)
    return 0
