"""``judgebench kwise``: rank systems from K-wise judgments (Plackett-Luce) and compare the ranking's stability with
a pairwise Bradley-Terry ranking at the same number of judge calls.

Argparse only: the analysis is ``judgebench.analysis.kwise``, the table and figure ``judgebench.reports.section_kwise``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ._flags import figure_path, positive_int, seed_value

HELP = "system ranking from K-wise judgments (Plackett-Luce, K-Sort Arena) vs pairwise Bradley-Terry at the same budget: skills, CIs, Kendall-tau stability"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("run_dir", metavar="RUN_DIR", help="the K-wise run: a results folder (or its judgments.jsonl) of kwise_ranking on items whose responses name their system")
    p.add_argument("--pairwise", default=None, metavar="RUN_DIR", help="a pairwise run over the same systems (e.g. vanilla), compared at the same number of judge calls")
    p.add_argument("--no-match-budget", action="store_true", help="use every call of both runs, even when their numbers differ")
    p.add_argument("--resamples", type=positive_int, default=10_000, help="bootstrap resamples over items (default 10000)")
    p.add_argument("--seed", type=seed_value, default=0, help="bootstrap seed (default 0)")
    p.add_argument("--figure", type=figure_path, default=None, metavar="PATH", help="write the figure (skills with CIs per method, tau distributions) to PATH (.png, .pdf or .svg)")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _results(path: str) -> tuple:
    from ..analysis.replay import read_judgment_file

    p = Path(path)
    return read_judgment_file(p / "judgments.jsonl" if p.is_dir() else p).results


def run(args: argparse.Namespace) -> int:
    from ..analysis.kwise import compare_kwise_pairwise
    from ..reports.section_kwise import figure, markdown

    report = compare_kwise_pairwise(
        _results(args.run_dir),
        _results(args.pairwise) if args.pairwise else None,
        match_budget=not args.no_match_budget,
        n_resamples=args.resamples,
        seed=args.seed,
    )
    if args.figure:
        from ..reports.plots import save_figure

        save_figure(figure(report), args.figure)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
        return 0
    print(markdown(report), end="")
    return 0
