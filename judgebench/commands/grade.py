"""``judgebench grade``: grade your own model outputs against ground truth, without writing a recipe.

Reads a file of ``{response, reference}`` rows (see ``judgebench.grading.rows`` for the fields of each grader) and
writes every row back with ``correct`` (true, false, or null for "no single answer"), ``extracted`` and
``reason``: to ``FILE.graded.jsonl`` next to the input by default, to ``--out PATH`` (atomically), or to stdout with
``--out -``. A one-line summary goes to stderr. A bad row stops the run before anything is written (exit 2, with
the file, line and field).
"""

from __future__ import annotations

import argparse
import json
import sys

from ..grading import GRADE_KINDS
from ._flags import positive_int

HELP = "grade a JSONL of {response, reference} rows with the mcq, numeric, math or code grader"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="rows to grade (.jsonl, .jsonl.gz, .json list, .parquet)")
    p.add_argument("--grader", required=True, choices=GRADE_KINDS, help="which grader (see README: grading rules)")
    p.add_argument("--repeat", type=int, default=None, metavar="N", help="mcq: strict format, only a letter written N times in a row counts (JudgeBench's MMLU-Pro uses 5)")
    p.add_argument("--options", type=int, default=10, metavar="N", help="mcq: number of choices; letters are the first N of A-Z (default 10, A-J)")
    p.add_argument("--workers", type=positive_int, default=2, help="parallel math-verify processes or sandboxed programs (default 2)")
    p.add_argument("--out", default=None, help="output JSONL (default FILE.graded.jsonl next to the input; '-' for stdout)")
    p.add_argument("--allow-weak-sandbox", action="store_true", help="code: run programs even where only the weak audit-hook sandbox works (README: The code sandbox; same as JUDGEBENCH_ALLOW_WEAK_SANDBOX=1)")


def run(args: argparse.Namespace) -> int:
    from ..files import atomic_write_jsonl
    from ..grading.rows import default_output, grade_rows, graded_row, read_grade_rows, summarize

    if args.allow_weak_sandbox:
        from ..sandbox import allow_weak_sandbox

        allow_weak_sandbox()
    rows = read_grade_rows(args.file, args.grader, n_options=args.options)
    grades = grade_rows(rows, args.grader, path=args.file, repeat=args.repeat, n_options=args.options, workers=args.workers)
    out_rows = [graded_row(r, g) for r, g in zip(rows, grades, strict=True)]
    if args.out == "-":
        sys.stdout.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out_rows))
        where = "stdout"
    else:
        out = args.out or default_output(args.file)
        atomic_write_jsonl(out, out_rows)
        where = str(out)
    print(f"judgebench grade ({args.grader}): {summarize(grades).render()} -> {where}", file=sys.stderr)
    return 0
