"""``judgebench mt-bench-agreement``: reproduce the MT-Bench paper's agreement table (GPT-4 vs human, human vs human,
S1 with ties and S2 without) from the released votes, with the published values beside.

Argparse only: the computation is ``judgebench.benchmarks.mt_bench_human.reproduce_agreement``, the table
``render_reproduction``.
"""

from __future__ import annotations

import argparse
import json

from ._flags import positive_int, seed_value

HELP = "reproduce MT-Bench's published agreement (GPT-4 vs human, human vs human; S1/S2, per turn) from lmsys/mt_bench_human_judgments"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data-dir",
        default=None,
        help="a local copy holding both splits (human.*, gpt4_pair.*: files or folders); default $JUDGEBENCH_MT_BENCH_HUMAN_DIR, "
        "$JUDGEBENCH_DATA_DIR/mt_bench_human, else the Hugging Face hub",
    )
    p.add_argument("--resamples", type=positive_int, default=10_000, help="bootstrap resamples (default 10000)")
    p.add_argument("--seed", type=seed_value, default=0, help="bootstrap seed (default 0)")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    from ..benchmarks.mt_bench_human import BENCHMARK, render_reproduction, reproduce_agreement

    rep = reproduce_agreement(BENCHMARK.local_copy(args.data_dir), n_resamples=args.resamples, seed=args.seed)
    print(json.dumps(rep.to_dict(), indent=2) if args.json else render_reproduction(rep), end="\n" if args.json else "")
    return 0
