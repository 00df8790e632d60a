"""``judgebench score``: score judgment files (JudgeBench's released outputs or judgebench results).

Argparse only: reading is ``judgebench.analysis.score_files``, the rows ``judgebench.reports.leaderboard``, the rest
of the output ``judgebench.reports.score_report``.
"""

from __future__ import annotations

import argparse
import json

from ..protocols import REDUCERS

HELP = "score judgment files (JudgeBench released outputs or judgebench judgments.jsonl) and print a leaderboard"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", help="judgment files, or folders to search for *.jsonl")
    p.add_argument(
        "--rule",
        choices=tuple(REDUCERS),
        default=None,
        help="pair scoring rule for every file (default: each file's own rule: the one the run.json beside it records, else its "
        "benchmark's rule, else vote, JudgeBench's rule, which released files use)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable list, one object per file")
    p.add_argument("--format", choices=("md", "latex", "csv"), default="md", help="table format")
    p.add_argument("--out", default=None, help="also write the table (Markdown) to this file, atomically")
    p.add_argument("--bias", action="store_true", help="also report bias probes per file (position, length, ties, no-decisions, self-preference) with 95%% bootstrap CIs")
    p.add_argument(
        "--reparse",
        action="store_true",
        help="re-parse every stored raw output with the current parser of the judge named in the file, score the re-parsed "
        "decisions, and report how many changed (--json: a 'reparse' object per file)",
    )


def run(args: argparse.Namespace) -> int:
    from ..analysis.score_files import read_judgment_files
    from ..files import atomic_write_text, finite_json
    from ..reports.leaderboard import render_rows, render_run_extra, score_file_metrics, score_file_row
    from ..reports.score_report import render_probes, render_reparse, reproduction_note, score_entries

    files, reports = read_judgment_files(args.files, reparse=args.reparse)  # read all before writing anything
    rows = [score_file_row(jf, rule=args.rule) for jf in files]
    if args.json:
        print(json.dumps(finite_json(score_entries(rows, files, reports, bias=args.bias)), indent=2))
    else:
        print(render_rows(rows, args.format, rule=args.rule), end="")
        if reports:
            print(render_reparse(reports), end="")
        for jf in files:  # what a file's score holds besides accuracy (ratings agreement, position bias, ...)
            extra = render_run_extra(score_file_metrics(jf, rule=args.rule)[0])
            if extra:
                print(f"\n{jf.judge} {jf.model} ({jf.path}):\n\n{extra}", end="")
        if args.bias:
            for jf in files:
                print(render_probes(jf), end="")
    if args.out:
        atomic_write_text(args.out, reproduction_note(rows, reports, rule=args.rule) + render_rows(rows, "md", rule=args.rule))
    return 0
