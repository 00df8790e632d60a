"""``judgebench score``: score judgment files (JudgeBench's released outputs or judgebench results)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..protocols import REDUCERS

HELP = "score judgment files (JudgeBench released outputs or judgebench judgments.jsonl) and print a leaderboard"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", help="judgment files, or folders to search for *.jsonl")
    p.add_argument("--rule", choices=tuple(REDUCERS), default="vote", help="pair scoring rule (default: vote, the JudgeBench rule)")
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


def _expand(items: list[str]) -> list[Path]:
    """The judgment files named: files as given; a folder's ``judgments.jsonl`` files (searched below it), else its
    ``*.jsonl``. A folder with neither is an error (exit 2), not an empty leaderboard."""
    from ..errors import InputError

    paths: list[Path] = []
    for item in items:
        p = Path(item)
        found = sorted(p.rglob("judgments.jsonl")) or sorted(p.glob("*.jsonl")) if p.is_dir() else [p]
        if not found:
            raise InputError("no judgment files in this folder (looked for judgments.jsonl below it, then *.jsonl in it)", path=p)
        paths.extend(found)
    return paths


def _probes(jf: Any) -> dict[str, list[Any]]:
    """``--bias``: the bias probes, plus accuracy vs coverage and AUROC when judgments carry a confidence or score
    margins, and the ECE, which is a number only for probabilities (``calibration (stated)``); for margins
    (``calibration (margin)``: reward margins, length differences) it is undefined with the reason."""
    import numpy as np

    from ..analysis.bias import bias_probes
    from ..analysis.calibration import calibration_report, pair_confidences

    out = {"bias": bias_probes(jf.results)}
    raw, _, _ = pair_confidences(jf.results)
    if np.isfinite(raw).any():
        source, estimates = calibration_report(jf.results, coverages=(0.1, 0.25, 0.5, 1.0))
        out[f"calibration ({source})"] = estimates
    return out


def _category_fields(row: dict[str, Any]) -> dict[str, Any]:
    """``--json``: one accuracy per category, keyed in lower case: every category of the benchmark the file's run
    names (JudgeBench's when none; ``None`` when absent), then the file's others, in the benchmark's order."""
    from ..analysis.scoring import fallback_benchmark
    from ..benchmarks import get_benchmark
    from ..reports.tables import category_key

    bench = get_benchmark(row["benchmark"]) if row.get("benchmark") else fallback_benchmark()
    return {category_key(c): row.get(category_key(c)) for c in bench.ordered([*bench.categories, *row.get("categories", [])])}


def run(args: argparse.Namespace) -> int:
    from ..analysis.replay import read_judgment_file
    from ..files import atomic_write_text
    from ..reports.leaderboard import render_rows, score_file_row

    files = [read_judgment_file(p) for p in _expand(args.files)]  # read all before writing anything
    reports: list[Any] = []
    if args.reparse:
        from ..analysis.reparse import reparse_file

        files, reports = (list(x) for x in zip(*(reparse_file(jf) for jf in files), strict=True))
    rows = [score_file_row(jf, rule=args.rule) for jf in files]
    if args.json:
        out = [
            {
                "path": r["path"],
                "judge_name": r["judge"],
                "judge_model": r["model"],
                "response_model": r["response_model"],
                "rule": r["rule"],
                "n_pairs": r["n"],
                "overall": r["overall"],
                **_category_fields(r),
                "ci_low": r["ci_low"],
                "ci_high": r["ci_high"],
                "position_consistency": r["consistency"],
                "failed": r["failed"],
            }
            for r in rows
        ]
        if args.bias:
            for entry, jf in zip(out, files, strict=True):
                for section, estimates in _probes(jf).items():
                    entry[section] = [e.to_dict() for e in estimates]
        for entry, report in zip(out, reports, strict=False):
            entry["reparse"] = report.to_dict()
        print(json.dumps(out, indent=2))
    else:
        print(render_rows(rows, args.format, rule=args.rule), end="")
        if reports:
            print(_reparse_text(reports), end="")
        if args.bias:
            from .agree import render_estimates

            for jf in files:
                print(f"\nBias probes: {jf.judge} {jf.model} ({jf.path})\n")
                print(render_estimates([(section, e) for section, ests in _probes(jf).items() for e in ests]), end="")
    if args.out:
        md = render_rows(rows, "md", rule=args.rule)
        note = (
            "# Reproduction of published JudgeBench judgments\n\n"
            f"Scored with `judgebench score` (rule: {args.rule}; accuracies in %, 95% bootstrap CI over pairs, "
            "seed 0, 10,000 resamples). Files:\n\n" + "".join(f"- `{Path(r['path']).name}`\n" for r in rows) + "\n"
        )
        if reports:
            note += "Decisions re-parsed from the stored outputs with the current parsers (`--reparse`):\n\n"
            note += "".join(f"- `{Path(rep.path).name}`: " + (f"{len(rep.changed)} of {rep.reparsed} changed\n" if rep.parser else f"not re-parsed ({rep.note})\n") for rep in reports) + "\n"
        atomic_write_text(args.out, note + md)
    return 0


def _reparse_text(reports: list[Any], *, shown: int = 20) -> str:
    """``--reparse`` for people: one line per file, then up to ``shown`` changed decisions each."""
    lines = ["", "Re-parsed with the current parsers (decisions in the order shown; game 2 is the swapped order):"]
    for report in reports:
        lines.append(f"- {report.summary()}")
        for c in report.changed[:shown]:
            lines.append(f"    {c.pair_id} game {c.game}: {c.stored} -> {c.reparsed}")
        if len(report.changed) > shown:
            lines.append(f"    ... and {len(report.changed) - shown} more (--json lists all)")
        if report.parser and report.no_decision:
            lines.append("    no decision after re-parsing: " + "; ".join(f"{n} x {reason}" for reason, n in report.no_decision.items()))
    return "\n".join(lines) + "\n"
