"""``judgebench plot``: one figure (or all of them) from a results folder, a leaderboard.csv or agreement JSON.

Argparse only: the inputs and figure sets are ``judgebench.reports.figure_sets``, the figures ``reports.plots``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .leaderboard import add_source_arguments

HELP = "figures for papers (PNG/PDF/SVG, one column or one page wide): accuracy, heatmap, consistency, length, agreement, or all"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("kind", choices=("accuracy", "heatmap", "consistency", "length", "agreement", "all"), help="which figure; 'all' writes every figure its input allows into the folder -o")
    p.add_argument("source", help="results folder, a leaderboard.csv, or (kind agreement) the JSON of `judgebench agree --json`")
    p.add_argument("-o", "--out", required=True, help="output file (.png, .pdf or .svg); for 'all', a folder that gets <kind>.png and <kind>.pdf")
    add_source_arguments(p)
    p.add_argument("--baseline", action="store_true", help="draw the expected accuracy of a random choice as a reference line")
    p.add_argument("--response-model", action="append", default=[], metavar="NAME", help="only runs on pairs from this response model (repeatable)")
    p.add_argument("--benchmark", action="append", default=[], metavar="NAME", help="only runs of this benchmark (repeatable): one benchmark per figure instead of a panel each")
    p.add_argument("--agreement", action="append", default=[], metavar="JSON", help="more `agree --json` outputs (one per judge) for the agreement figure; with 'all', the agreement inputs (repeatable)")
    p.add_argument("--measure", default=None, help="agreement measure to plot when the JSON has no human baseline (default: the first)")
    p.add_argument("--bins", type=int, default=5, help="length-difference bins of the length-bias curve (default 5)")
    p.add_argument("--names", default=None, metavar="FILE", help="display names of judges, models, runs and benchmarks (names.yaml, .toml or .json; see judgebench.reports.names)")
    p.add_argument("--size", choices=("column", "page"), default="column", help="figure width: column (3.3 in, default) or page (7 in, both columns); the height follows the content")


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..reports.figure_sets import all_figures, build_figure, figure_inputs, load_agreement_entries
    from ..reports.names import Names
    from ..reports.plots import save_figure

    source = Path(args.source)
    if not source.exists():
        raise InputError("no such file or folder", path=source)
    out = Path(args.out)
    names = Names.load(args.names)
    look = {"names": names, "size": args.size}
    if args.kind == "agreement":
        agreement = load_agreement_entries([source, *args.agreement])
        paths = [save_figure(build_figure("agreement", [], agreement=agreement, measure=args.measure, **look), out)]
    else:
        inputs = figure_inputs(
            source, include=args.include, rule=args.rule, seed=args.seed, include_partial=args.include_partial, baseline=args.baseline, response_models=args.response_model, names=names, benchmarks=args.benchmark
        )
        rows, runs, facets = inputs.rows, inputs.runs, inputs.run_facets
        if args.kind != "all":
            paths = [save_figure(build_figure(args.kind, rows, runs, source=source, bins=args.bins, run_facets=facets, **look), out)]
        else:
            figures, skipped = all_figures(rows, runs, agreement=load_agreement_entries(args.agreement) or None, measure=args.measure, bins=args.bins, run_facets=facets, **look)
            for kind, reason in skipped.items():  # e.g. no two-game run for the consistency plot: skip that figure, say why
                print(f"skipped {kind}: {reason}", file=sys.stderr)
            if not figures:
                raise InputError("nothing to plot", path=source)
            paths = [save_figure(fig, out / f"{kind}.{ext}") for kind, fig in figures.items() for ext in ("png", "pdf")]
    for p in paths:
        print(f"wrote {p}", file=sys.stderr)
    return 0
