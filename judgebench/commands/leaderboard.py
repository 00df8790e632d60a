"""``judgebench leaderboard``: gather every run under a results folder into one table."""

from __future__ import annotations

import argparse
import sys

HELP = "gather every run under RESULTS_DIR into one leaderboard (md/latex/csv/json); --write saves leaderboard.{md,tex,csv}"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("results_dir", nargs="?", default="results")
    p.add_argument("--format", choices=("md", "latex", "csv", "json"), default="md")
    p.add_argument("--write", action="store_true", help="write leaderboard.md, .tex and .csv into RESULTS_DIR")
    p.add_argument("--sort", default="overall", help="column to sort by, descending (default overall)")


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..report import collect_runs, render_rows, write_leaderboard

    rows = collect_runs(args.results_dir)
    if not rows:
        raise InputError("no runs found (folders with metrics.json and run.json); run `make bench` first", path=args.results_dir)
    if args.sort not in rows[0]:
        raise InputError(f"unknown sort column {args.sort!r}; choose from {', '.join(rows[0])}", field="--sort")
    rows.sort(key=lambda r: (r.get(args.sort) is None, -(r[args.sort] if isinstance(r.get(args.sort), (int, float)) else 0)))
    sys.stdout.write(render_rows(rows, args.format))
    if args.write:
        for p in write_leaderboard(rows, args.results_dir):
            print(f"wrote {p}", file=sys.stderr)
    return 0
