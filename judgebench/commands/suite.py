"""``judgebench suite``: one judge on several benchmarks, one table of their headline scores."""

from __future__ import annotations

import argparse
import json
import sys

from ._flags import add_judge_arguments
from .bench import add_run_arguments, parse_options

HELP = "run one judge on several benchmarks (default: every benchmark with a local copy) and print each one's headline score with its 95% CI"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_judge_arguments(p)
    p.add_argument("--benchmarks", default=None, help="comma-separated NAME[:SPLIT] (default: every registered benchmark with a local copy)")
    p.add_argument("--limit", type=int, default=None, help="judge only the first N items of each benchmark")
    p.add_argument("--option", action="append", default=[], metavar="KEY=VALUE", help="judge option, repeatable")
    p.add_argument("--format", choices=("md", "latex", "csv", "json"), default="md", help="output format (default md)")
    from .leaderboard import add_table_arguments

    add_table_arguments(p)
    add_run_arguments(p)


def run(args: argparse.Namespace) -> int:
    from ..analysis.failures import summarize_failures
    from ..files import finite_json
    from ..reports.leaderboard import data_fields, render_category_table, render_run_extra, run_label
    from ..reports.names import Names
    from ..reports.suite_table import render_suite_table, suite_table
    from ..reports.tables import Column, to_markdown
    from ..run.spec import RunSpec
    from ..run.suite import SuiteRun, default_benchmarks, run_suite, suite_rows, suite_targets
    from ._flags import call_options, judge_fields

    display = Names.load(args.names) if args.names else None
    names = [b.strip() for b in args.benchmarks.split(",") if b.strip()] if args.benchmarks else default_benchmarks()
    if not names:
        print("judgebench suite: no benchmark has a local copy; pass --benchmarks NAME,... (they download) or set JUDGEBENCH_DATA_DIR", file=sys.stderr)
        return 2
    spec = RunSpec(
        data=names[0], **judge_fields(args, parse_options(args.option)), model=args.model, limit=args.limit, seed=args.seed, results_dir=args.results_dir,
        progress=not args.no_progress, executor=args.executor, ray_address=args.address, workers=args.workers,
        **call_options(args),
    )
    from ..judges import get_judge_info

    judge_name = args.judge
    if spec.judge_file:
        from ..judges.from_file import file_label

        judge_name = file_label(spec.judge_file)
    entries = run_suite(spec, suite_targets(names, get_judge_info(spec.judge).kind))
    rows = suite_rows(entries)
    ran = [e for e in entries if e.outcome is not None]
    label = run_label(judge_name, args.model or "")
    table = suite_table(
        [SuiteRun({"label": label, "judge": judge_name, "model": args.model or "", "dataset": e.benchmark, "n": e.n, "failed": e.outcome.metrics.n_failed} | data_fields(e.outcome.run_info, e.outcome.results), e.outcome.metrics) for e in ran if e.outcome]
    )
    not_run = [r for r in rows if r["note"]]
    if args.format == "json":
        for r, e in zip(rows, entries, strict=True):
            r["judge"], r["model"] = judge_name, args.model
            if display is not None:
                r["name"] = display.run(judge_name, args.model or "")
            r["ci_low"], r["ci_high"] = e.ci_low, e.ci_high
            r["details"] = (e.outcome.metrics.extra or {}).get("benchmark") if e.outcome is not None else None
            r["results"] = str(e.outcome.out_dir) if e.outcome is not None else None
        print(json.dumps(finite_json(rows), indent=2))
    elif args.format in ("csv", "latex"):
        print(render_suite_table(table, args.format, names=display, width=args.latex_width), end="")
    else:
        print(render_suite_table(table, "md", names=display), end="")
        for e in ran:
            assert e.outcome is not None
            # the benchmark's own sections when it has a rule of its own, else its categories (LLMBar's subsets)
            extra = render_run_extra(e.outcome.metrics) or (render_category_table(e.outcome.metrics) if e.outcome.metrics.categories else "")
            print(f"\n### {e.benchmark}: {e.headline_name}\n\n{extra or 'no sections beyond the headline'}{'' if (extra or '').endswith(chr(10)) else chr(10)}", end="")
            print(f"results: {e.outcome.out_dir}/")
        if not_run:
            print("\n### Not run\n\n" + to_markdown(not_run, [Column("benchmark", "Benchmark", None), Column("note", "Why", None)]), end="")
    if not ran:
        return 2
    failed = [(e.benchmark, summarize_failures(e.outcome.results)) for e in ran if e.outcome is not None and e.outcome.metrics.n_failed]
    if failed:
        for name, summary in failed:
            print(f"judgebench suite: {name}: {summary.describe()}", file=sys.stderr)
        print("judgebench suite: the failed judgments (* in the table) score as no decision. Run the same command again to retry them", file=sys.stderr)
        return 3
    return 0
