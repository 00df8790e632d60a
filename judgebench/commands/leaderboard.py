"""``judgebench leaderboard``: every run under a results folder (plus released judgment files) in one table."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ..protocols import REDUCERS
from ._flags import seed_value

if TYPE_CHECKING:
    from ..reports.leaderboard import LoadedRun

HELP = "gather every run under RESULTS_DIR (and --include'd judgment files) into one leaderboard (md/latex/csv/json); --write saves leaderboard.{md,tex,csv}"


def add_source_arguments(p: argparse.ArgumentParser) -> None:
    """Flags shared by the commands that read runs (leaderboard, plot, report)."""
    p.add_argument("--include", action="append", default=[], metavar="PATH", help="judgment files or folders to add, e.g. JudgeBench's released outputs (repeatable)")
    p.add_argument(
        "--rule",
        choices=tuple(REDUCERS),
        default=None,
        help="pair scoring rule every run is rescored under, from its judgments.jsonl (default: each run's own rule: the one its "
        "run.json records, else its benchmark's rule, else vote, JudgeBench's rule, which released files use)",
    )
    p.add_argument("--seed", type=seed_value, default=0, help="seed of the bootstrap CIs and paired bootstrap tests")
    p.add_argument(
        "--include-partial",
        action="store_true",
        help="compare partial runs (fewer pairs judged than their pair set has, e.g. --limit runs) and runs with failed judgments "
        "like complete ones: they may be 'best' and are tested against it; by default they are shown, marked and left out of the comparison",
    )


def add_table_arguments(p: argparse.ArgumentParser) -> None:
    """Flags of the commands that print tables (leaderboard, score, suite): display names and the LaTeX width."""
    p.add_argument(
        "--names",
        default=None,
        metavar="FILE",
        help="display names of judges, models, runs and benchmarks (a .yaml/.toml/.json file, see docs/names.md): LaTeX tables always "
        "show display names (by default model ids without provider, organisation and date), Markdown shows them with this file, CSV/JSON add a name field",
    )
    p.add_argument(
        "--latex-width",
        choices=("column", "text"),
        default="column",
        help="with --format latex: column (default) fits \\columnwidth of a two-column paper (table float, compact columns, CI as offsets); "
        "text is a table* float for \\textwidth with the fuller column set (CI, consistency, no-decision)",
    )


def column_names() -> str:
    """The ``--columns`` choices for ``--help``: every fixed column key, and how category columns are named."""
    from ..reports.tables import available_columns

    return ", ".join(available_columns([])) + "; plus one per category present, named in lower case (e.g. knowledge, math)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("results_dir", nargs="?", default="results", help="folder of runs (results/<dataset>/<judge>/<model>/); default results")
    add_source_arguments(p)
    p.add_argument("--format", choices=("md", "latex", "csv", "json"), default="md", help="output format (default md)")
    p.add_argument("--group-by", choices=("none", "response_model", "dataset"), default="none", help="one table per pair source (JudgeBench reports GPT-4o and Claude pairs apart)")
    p.add_argument("--sort", default="overall", help="row field to sort by: numbers descending, text ascending (default overall)")
    p.add_argument("--columns", default=None, help=f"comma-separated columns to show, in order (md/latex/csv); choose from: {column_names()}")
    p.add_argument("--baseline", action="store_true", help="add a reference row: expected accuracy of a random choice per pair (not a run)")
    add_table_arguments(p)
    p.add_argument("--standalone", action="store_true", help="with --format latex: a complete two-column document (pdflatex) showing the tables as a paper would")
    p.add_argument("--write", action="store_true", help="also write leaderboard.md, .tex and .csv into --out-dir")
    p.add_argument("--out-dir", default=None, help="folder for --write (default RESULTS_DIR)")


def source_runs(args: argparse.Namespace, *, baseline: bool = False, group_by: str = "none", sort: str = "overall") -> list[LoadedRun]:
    """``reports.sources.leaderboard_runs`` on the flags of ``add_source_arguments`` (and ``results_dir``)."""
    from ..reports.sources import leaderboard_runs

    return leaderboard_runs(
        args.results_dir, args.include, rule=args.rule, seed=args.seed, include_partial=getattr(args, "include_partial", False), baseline=baseline, group_by=group_by, sort=sort
    )


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..reports.leaderboard import render_rows, write_leaderboard
    from ..reports.names import Names
    from ..reports.suite_table import render_suite_table, spans_benchmarks, suite_table
    from ..reports.tables import standalone_latex

    columns = [c.strip() for c in args.columns.split(",") if c.strip()] if args.columns else None
    if args.standalone and args.format != "latex":
        raise InputError("--standalone needs --format latex", field="--standalone")
    names = Names.load(args.names) if args.names else None  # read before any run is scored: a bad file fails fast
    runs = source_runs(args, baseline=args.baseline, group_by=args.group_by, sort=args.sort)
    rows = [r.row for r in runs]
    text = render_rows(rows, args.format, rule=args.rule, columns=columns, names=names, latex_width=args.latex_width)
    suite = suite_table(runs) if spans_benchmarks(runs) else None  # runs on several benchmarks: their headlines side by side
    if suite is not None and args.format in ("md", "latex"):
        suite_text = render_suite_table(suite, args.format, names=names, width=args.latex_width)
        text += ("\n## Suite: each benchmark's headline score\n\n" if args.format == "md" else "\n") + suite_text
    if args.standalone:
        text = standalone_latex(text)
    if args.write:
        out_dir = args.out_dir or args.results_dir
        for p in write_leaderboard(rows, out_dir, rule=args.rule, columns=columns, suite=suite, names=names, latex_width=args.latex_width):
            print(f"wrote {p}", file=sys.stderr)
    sys.stdout.write(text)
    return 0
