"""``judgebench bench``: judge a pair set with one judge, score it, write results, print the table."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from ..benchmarks import list_benchmarks
from ..errors import EXIT_FAILED_JUDGMENTS, InputError, RunAborted
from ..protocols import REDUCERS
from ._flags import (
    add_call_arguments,
    add_judge_arguments,
    call_options,
    judge_fields,
    non_negative_int,
    positive_int,
    seed_value,
)

if TYPE_CHECKING:
    from ..analysis.failures import FailureSummary

HELP = "judge a benchmark (or a pair file) under its protocol, score it with its rule, and write results/<dataset>/<judge>/<model>/"


def parse_options(items: list[str]) -> dict[str, Any]:
    """``--option key=value`` pairs; values are read as JSON when they parse (numbers, booleans, lists), else text."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InputError(f"--option expects KEY=VALUE, got {item!r}", field="--option")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def _failure_rate(text: str) -> float:
    """``--max-failure-rate``: a number in [0, 1]."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.0 <= value <= 1.0:  # also refuses NaN
        raise argparse.ArgumentTypeError(f"expected a share of judgments between 0 and 1, got {text!r}")
    return value


def _rotations(text: str) -> str | int:
    """``--rotations``: ``all`` or a whole number >= 1."""
    if text == "all":
        return text
    if text.isdigit() and int(text) >= 1:
        return int(text)
    raise argparse.ArgumentTypeError(f"expected all or a whole number >= 1, got {text!r}")


def add_run_arguments(p: argparse.ArgumentParser) -> None:
    """The judge's model and the flags for how it is called and where results go."""
    p.add_argument("--model", default=None, help="judge model as BACKEND:NAME, e.g. openai:gpt-4o-mini, vllm:Skywork/Skywork-Critic-Llama-3.1-8B, anthropic:claude-3-5-sonnet, hf:/path/to/rm")
    add_call_arguments(p)
    p.add_argument("--seed", type=seed_value, default=0, help="seed of the bootstrap confidence interval and of --orders random (default 0); the random judge's own seed is --option seed=N")
    p.add_argument("--results-dir", default="results", help="where run folders go: RESULTS_DIR/<dataset>/<judge>/<model>/ (default results)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--workers", type=positive_int, default=None, help="Ray workers (default: the cluster's CPU count)")


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_judge_arguments(p)
    data = p.add_mutually_exclusive_group()
    data.add_argument("--benchmark", default=None, metavar="NAME[:SPLIT]", help="a registered benchmark (see `judgebench benchmarks`), e.g. judgebench:gpt, llmbar, llmbar:natural")
    data.add_argument("--data", default=None, help="a benchmark as --benchmark, or pairs: FILE, FOLDER or hf:NAME[:SPLIT] (default judgebench:gpt)")
    p.add_argument("--data-dir", default=None, help="a local copy of the benchmark (default: its own variable, e.g. $JUDGEBENCH_PAIRS_DIR, or $JUDGEBENCH_DATA_DIR/<name>; else download)")
    p.add_argument("--fields", default=None, metavar="FIELD=COLUMN,...", help="for a file, folder or hf: source with other column names: which column holds each pair field, e.g. question=input,response_A=output_1,response_B=output_2,label=label (pair_id= numbers the rows)")
    p.add_argument("--labels", default=None, metavar="VALUE=DECISION,...", help="with --fields: how the source's label values read, e.g. 1=A>B,2=B>A")
    p.add_argument("--orders", choices=("both", "first", "random"), default=None, help="pairwise: show each pair in both orders, the item's own order, or one random order per pair (seeded by --seed, the same on a rerun) (default: the benchmark's; first for order-invariant judges); a run under another than the default protocol gets its own results folder (judge@orders=first)")
    p.add_argument("--games", type=int, choices=(1, 2), default=None, help="the same as --orders first (1) or both (2)")
    p.add_argument(
        "--pairs",
        choices=("all", "target_vs_each"),
        default=None,
        help="pairwise judge on best-of-K items: the target's response against each other one, credited when it beats every one (RMB's rule; the default), "
        "or all pairs, a round robin whose most-winning response is the pick (ties share the credit, intransitive triples are counted)",
    )
    p.add_argument(
        "--rotations",
        type=_rotations,
        default=None,
        metavar="all|N",
        help="listwise judge: judge every cyclic rotation of the K responses (all: each response once at each position), or N of them chosen by --seed (default: the benchmark's, else all)",
    )
    p.add_argument("--limit", type=non_negative_int, default=None, help="judge only the first N items (0: all)")
    p.add_argument("--rule", choices=tuple(REDUCERS), default=None, help="how an item's verdicts make its score: " + "; ".join(f"{r.name}: {r.description}" for r in REDUCERS.values()) + " (default: the benchmark's rule; vote for pair files)")
    p.add_argument("--option", action="append", default=[], metavar="KEY=VALUE", help="judge option, repeatable (e.g. --option seed=3)")
    p.add_argument("--json", action="store_true", help="print metrics as JSON instead of a table")
    p.add_argument(
        "--max-failure-rate",
        type=_failure_rate,
        default=0.0,
        metavar="RATE",
        help="share of judgments (0-1) that may fail with the run still exiting 0 (default 0: any failed judgment exits 3; a run stopped by a fatal error exits 4 whatever this is)",
    )
    add_run_arguments(p)


def spec_from_args(args: argparse.Namespace) -> Any:
    from ..run.runner import RunSpec

    if args.games is not None and args.orders is not None:
        raise InputError("pass --orders or --games, not both", field="--games")
    return RunSpec(
        data=args.benchmark or args.data or "judgebench:gpt",
        **judge_fields(args, parse_options(args.option)),
        model=args.model,
        games=args.games,
        orders=args.orders,
        pairs=args.pairs,
        rotations=args.rotations,
        limit=args.limit,
        seed=args.seed,
        rule=args.rule,
        results_dir=args.results_dir,
        data_dir=args.data_dir,
        fields=args.fields,
        labels=args.labels,
        progress=not args.no_progress,
        executor=args.executor,
        ray_address=args.address,
        workers=args.workers,
        **call_options(args),
    )


REPORT_MODULES = ("judgebench.analysis.failures", "judgebench.reports.leaderboard", list_benchmarks)
"""What ``run`` imports once the judging is done (the report code, and every benchmark's module, which the table's
benchmark lookup discovers); the runner imports them in the background while the judge's calls are in flight
(``runner.run``'s ``warm``)."""


def run(args: argparse.Namespace) -> int:
    """Run, print the table (or JSON), then the failure verdict: exit 0 for a clean run (or failures within
    ``--max-failure-rate``), 3 (``EXIT_FAILED_JUDGMENTS``) with failed judgments, 4 (``RunAborted``) when a fatal
    error stopped the run; the last two print how many failed, the top causes and the command that resumes."""
    from ..run.runner import run as run_judge

    argv = getattr(args, "_argv", None) or sys.argv[1:]
    try:
        outcome = run_judge(spec_from_args(args), warm=REPORT_MODULES)
    except RunAborted as e:
        from ..analysis.failures import resume_command

        raise RunAborted(f"{e}: {resume_command(argv)}") from None
    # imported once the judging is done: nothing of them is needed before the first request
    from ..analysis.failures import resume_command, run_failures
    from ..reports.leaderboard import (
        data_fields,
        metrics_row,
        render_category_table,
        render_rows,
        render_run_extra,
        render_run_summary,
        run_benchmark,
    )

    failures = run_failures(outcome.results, outcome.run_info["counts"])
    if args.json:
        print(json.dumps(outcome.metrics.to_dict(), indent=2))
        return _failure_verdict(failures, args.max_failure_rate, resume_command(argv))
    info = outcome.run_info
    row = metrics_row(
        outcome.metrics, judge=info["judge"], model=info["model"], response_model=info["response_model"], dataset=info["dataset"], path=str(outcome.out_dir), benchmark=run_benchmark(info)
    ) | data_fields(info, outcome.results)  # data_fields: a --limit run is marked partial
    extra = render_run_extra(outcome.metrics)
    if outcome.metrics.categories or not extra:  # a run of ratings only has no accuracy to tabulate
        print(render_rows([row], "md", rule=outcome.metrics.rule), end="")
    if len(outcome.metrics.categories) > 1:
        print()
        print(render_category_table(outcome.metrics), end="")
    if extra:
        print()
        print(extra, end="")
    print("\n" + render_run_summary(info, outcome.out_dir), end="")
    return _failure_verdict(failures, args.max_failure_rate, resume_command(argv))


def _failure_verdict(failures: FailureSummary, max_rate: float, resume: str) -> int:
    """Print the failure summary to stderr (when any judgment failed) and return the exit code."""
    if not failures.failed:
        return 0
    if failures.rate <= max_rate:
        print(f"judgebench bench: warning: {failures.describe()} (within --max-failure-rate {max_rate:g}); resume with: {resume}", file=sys.stderr)
        return 0
    print(f"judgebench bench: {failures.describe()}; the table scores them as no decision. Resume with: {resume}", file=sys.stderr)
    return EXIT_FAILED_JUDGMENTS
