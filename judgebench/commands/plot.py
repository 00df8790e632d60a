"""``judgebench plot``: one figure (or all of them) from a results folder, a leaderboard.csv or agreement JSON."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .leaderboard import add_source_arguments

HELP = "figures for papers (PNG/PDF, one column wide): accuracy, heatmap, consistency, length, agreement, or all"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("kind", choices=("accuracy", "heatmap", "consistency", "length", "agreement", "all"), help="which figure; 'all' writes every figure its input allows into the folder -o")
    p.add_argument("source", help="results folder, a leaderboard.csv, or (kind agreement) the JSON of `judgebench agree --json`")
    p.add_argument("-o", "--out", required=True, help="output file (.png, .pdf or .svg); for 'all', a folder that gets <kind>.png and <kind>.pdf")
    add_source_arguments(p)
    p.add_argument("--baseline", action="store_true", help="draw the expected accuracy of a random choice as a reference line")
    p.add_argument("--response-model", action="append", default=[], metavar="NAME", help="only runs on pairs from this response model (repeatable)")
    p.add_argument("--agreement", action="append", default=[], metavar="JSON", help="more `agree --json` outputs (one per judge) for the agreement figure; with 'all', the agreement inputs (repeatable)")
    p.add_argument("--measure", default=None, help="agreement measure to plot when the JSON has no human baseline (default: the first)")
    p.add_argument("--bins", type=int, default=5, help="length-difference bins of the length-bias curve (default 5)")


def figure_inputs(args: argparse.Namespace, source: Path) -> tuple[list[dict], list[tuple[str, tuple]]]:
    """Leaderboard rows and (label, results) per run, from a results folder or a leaderboard CSV."""
    from ..reports.plots import read_leaderboard_csv, unique_labels
    from .leaderboard import load_leaderboard_runs

    if source.is_file() and source.suffix == ".csv":
        rows = read_leaderboard_csv(source)
        runs_results: list[tuple[str, tuple]] = []
    else:
        args.results_dir = str(source)
        runs = load_leaderboard_runs(args, baseline=args.baseline)
        rows = [r.row for r in runs]
        judged = [r for r in runs if r.results and (not args.response_model or r.row.get("response_model") in args.response_model)]
        runs_results = list(zip(unique_labels([r.row for r in judged]), [r.results for r in judged], strict=True))
    if args.response_model:
        rows = [r for r in rows if r.get("response_model") in args.response_model]
    return rows, runs_results


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..reports.plots import PLOT_KINDS, make_figure, save_figure
    from ..reports.plots_judgments import load_agreement_json

    source = Path(args.source)
    if not source.exists():
        raise InputError("no such file or folder", path=source)
    out = Path(args.out)
    if args.kind == "agreement":
        data = [load_agreement_json(p) for p in [source, *args.agreement]]
        flat = [x for d in data for x in (d if isinstance(d, list) else [d])]
        paths = [save_figure(make_figure("agreement", [], agreement=flat, measure=args.measure), out)]
    elif args.kind != "all":
        rows, runs = figure_inputs(args, source)
        if args.kind == "length" and not runs:
            raise InputError("the length-bias curve needs judgments: give a results folder (or --include judgment files), not a CSV", path=source)
        paths = [save_figure(make_figure(args.kind, rows, runs), out)]
    else:
        rows, runs = figure_inputs(args, source)
        loaded = [load_agreement_json(p) for p in args.agreement]
        agreement = [x for d in loaded for x in (d if isinstance(d, list) else [d])] or None
        figures = {}
        for kind in PLOT_KINDS:
            if (kind == "length" and not runs) or (kind == "agreement" and agreement is None):
                continue
            try:
                figures[kind] = make_figure(kind, rows, runs, agreement=agreement, measure=args.measure)
            except InputError as e:  # e.g. no two-game run for the consistency plot: skip that figure, say why
                print(f"skipped {kind}: {e.reason}", file=sys.stderr)
        if not figures:
            raise InputError("nothing to plot", path=source)
        paths = [save_figure(fig, out / f"{kind}.{ext}") for kind, fig in figures.items() for ext in ("png", "pdf")]
    for p in paths:
        print(f"wrote {p}", file=sys.stderr)
    return 0
