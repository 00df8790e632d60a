"""``judgebench score``: score judgment files (judgebench results, or released per-item results in their upstream
formats: ``judgebench.analysis.upstream``).

Argparse only: reading is ``judgebench.analysis.score_files``, the rows ``judgebench.reports.leaderboard``, the rest
of the output ``judgebench.reports.score_report``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..errors import EXIT_FAILED_JUDGMENTS
from ..protocols import REDUCERS

HELP = "score judgment files (judgebench results or released per-item results: JudgeBench, LLMBar, PandaLM, RM-Bench, reward-bench) and print a leaderboard"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", help="judgment files, or folders to search for *.jsonl")
    p.add_argument(
        "--rule",
        choices=tuple(REDUCERS),
        default=None,
        help="pair scoring rule for every file (default: each file's own rule: the one the run.json beside it records, else its "
        "benchmark's rule, else vote, JudgeBench's rule, which released files use)",
    )
    from ..analysis.upstream import format_names

    p.add_argument(
        "--upstream",
        choices=format_names(),
        default=None,
        help="read every file in this released format (default: detect each file's: JudgeBench / judgebench results, LLMBar result.json, "
        "PandaLM's judgments, RM-Bench's and reward-bench's per-item scores); each is scored with its benchmark's official rule",
    )
    p.add_argument("--data-dir", default=None, help="the benchmark's local copy, for formats whose items are not in the file (PandaLM's judgments)")
    p.add_argument("--json", action="store_true", help="machine-readable list, one object per file (with the benchmark's own numbers as 'benchmark')")
    p.add_argument("--format", choices=("md", "latex", "csv"), default="md", help="table format")
    from .leaderboard import add_table_arguments

    add_table_arguments(p)
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
    from ..reports.leaderboard import data_fields, file_info, metrics_row, render_rows, render_run_extra
    from ..reports.names import Names
    from ..reports.score_report import file_metrics, render_probes, render_reparse, reproduction_note, score_entries

    names = Names.load(args.names) if args.names else None
    if not (args.reparse or args.upstream or args.bias or args.json):
        streamed = _streamed(args)
        if streamed is not None:  # a run too large to hold: scored in one pass each, nothing kept
            files, scored, reports = [jf for jf, _ in streamed], [s for _, s in streamed], list[Any]()
        else:
            files, reports = read_judgment_files(args.files, reparse=args.reparse, upstream=args.upstream, data_dir=args.data_dir)  # read all before writing
            scored = [file_metrics(jf, rule=args.rule) for jf in files]
    else:
        files, reports = read_judgment_files(args.files, reparse=args.reparse, upstream=args.upstream, data_dir=args.data_dir)  # read all before writing
        scored = [file_metrics(jf, rule=args.rule) for jf in files]
    # which pairs each file judged (its pair set; a --limit run is partial): runs on other pairs get a Pair set column
    # and a partial run its ‡, as in bench and leaderboard
    rows = [
        metrics_row(m, judge=jf.judge, model=jf.model, response_model=jf.response_model, dataset="", path=jf.path, benchmark=b)
        | data_fields(file_info(jf.path), jf.results, n=m.n_pairs)
        for jf, (m, b) in zip(files, scored, strict=True)
    ]
    if args.json:
        details = [m.extra.get("benchmark") for m, _ in scored]
        print(json.dumps(finite_json(score_entries(rows, files, reports, bias=args.bias, details=details, names=names)), indent=2))
    else:
        print(render_rows(rows, args.format, rule=args.rule, names=names, latex_width=args.latex_width), end="")
        if reports:
            print(render_reparse(reports), end="")
        for jf, (metrics, _) in zip(files, scored, strict=True):  # what a score holds besides accuracy (a benchmark's own table, ...)
            extra = render_run_extra(metrics)
            if extra:
                print(f"\n{jf.judge} {jf.model} ({jf.path}):\n\n{extra}", end="")
        if args.bias:
            for jf in files:
                print(render_probes(jf), end="")
    if args.out:
        atomic_write_text(args.out, reproduction_note(rows, reports, rule=args.rule) + render_rows(rows, "md", rule=args.rule, names=names))
    # as bench and agree: a run with failed judgments does not pass for a clean result (the table says which)
    failed = [(jf.path, m.n_failed, m.n_judgments) for jf, (m, _) in zip(files, scored, strict=True) if m.n_failed]
    if failed:
        for path, n, total in failed:
            print(f"judgebench score: {path}: {n} of {total} judgments failed; its scores are not a clean result (rerun its bench command to retry them)", file=sys.stderr)
        return EXIT_FAILED_JUDGMENTS
    return 0


def _streamed(args: argparse.Namespace) -> list[tuple[Any, tuple[Any, Any]]] | None:
    """When every file named is a run folder's ``judgments.jsonl`` and some run is too large to hold
    (``leaderboard.is_large_run`` of the run.json beside it): every file scored in one streaming pass (``RunScorer`` over ``replay.stream_judgment_file``), as
    ``(file, (metrics, benchmark))``; ``None`` otherwise (the usual path reads each file whole)."""
    from ..analysis.replay import stream_judgment_file
    from ..analysis.score_files import find_judgment_files
    from ..analysis.scoring import RunScorer, run_benchmark
    from ..reports.leaderboard import file_info, is_large_run, own_rule

    paths = find_judgment_files(args.files)
    infos = [file_info(p) for p in paths]
    own = all(p.name == "judgments.jsonl" and info is not None for p, info in zip(paths, infos, strict=True))  # run folders only
    if not own or not any(is_large_run(info or {}) for info in infos):
        return None
    out = []
    for path, info in zip(paths, infos, strict=True):
        benchmark = run_benchmark(info)
        scorer = RunScorer(rule=args.rule or own_rule(info, benchmark), benchmark=benchmark)
        jf = stream_judgment_file(path, scorer.add)
        out.append((jf, (scorer.finish(), benchmark)))
    return out
