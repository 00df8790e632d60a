"""``judgebench suite``: one judge on several benchmarks, one table of their headline scores."""

from __future__ import annotations

import argparse
import json
import sys

from .bench import add_run_arguments, parse_options

HELP = "run one judge on several benchmarks (default: every benchmark with a local copy) and print each one's headline score with its 95% CI"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--judge", required=True, help="judge name (see `judgebench judges`)")
    p.add_argument("--benchmarks", default=None, help="comma-separated NAME[:SPLIT] (default: every registered benchmark with a local copy)")
    p.add_argument("--limit", type=int, default=None, help="judge only the first N items of each benchmark")
    p.add_argument("--option", action="append", default=[], metavar="KEY=VALUE", help="judge option, repeatable")
    p.add_argument("--format", choices=("md", "latex", "csv", "json"), default="md", help="output format (default md)")
    add_run_arguments(p)


def run(args: argparse.Namespace) -> int:
    from ..files import finite_json
    from ..reports.tables import Column, to_csv, to_latex, to_markdown
    from ..run.spec import RunSpec
    from ..run.suite import default_benchmarks, run_suite, suite_rows
    from ._flags import call_options

    names = [b.strip() for b in args.benchmarks.split(",") if b.strip()] if args.benchmarks else default_benchmarks()
    if not names:
        print("judgebench suite: no benchmark has a local copy; pass --benchmarks NAME,... (they download) or set JUDGEBENCH_DATA_DIR", file=sys.stderr)
        return 2
    spec = RunSpec(
        data=names[0], judge=args.judge, model=args.model, limit=args.limit, seed=args.seed, results_dir=args.results_dir,
        judge_options=parse_options(args.option), progress=not args.no_progress, executor=args.executor, ray_address=args.address, workers=args.workers,
        **call_options(args),
    )
    rows = suite_rows(run_suite(spec, names))
    columns = [Column("benchmark", "Benchmark", None), Column("headline", "Headline", None), Column("score", "Score", None), Column("ci", "95% CI", None), Column("n", "n", None), Column("failed", "Failed", None), Column("note", "Not run because", None)]
    columns = [c for c in columns if c.key not in ("failed", "note") or any(r[c.key] for r in rows)]
    if args.format == "json":
        print(json.dumps(finite_json(rows), indent=2))
    elif args.format == "csv":
        print(to_csv(rows, columns), end="")
    elif args.format == "latex":
        print(to_latex(rows, columns), end="")
    else:
        print(to_markdown(rows, columns), end="")
    if all(r["note"] for r in rows):
        return 2
    if any(r["failed"] for r in rows):
        print("judgebench suite: some judgments failed (column Failed); they score as no decision. Run the same command again to retry them", file=sys.stderr)
        return 3
    return 0
