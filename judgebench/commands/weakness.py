"""``judgebench weakness``: where does a judge fail? A run's accuracy over a tree of the benchmark's categories (or
the fields named by ``--by``), each node with n, 95% CI and a test against the rest, the weak nodes marked after a
Holm (or Benjamini-Hochberg) correction. Argparse only: the analysis is ``judgebench.analysis.weakness``, run loading and the figure
``judgebench.reports.section_weakness``.
"""

from __future__ import annotations

import argparse
import json

from ..protocols import REDUCERS
from ._flags import figure_path, seed_value

HELP = "weakness profile of a judge: accuracy per category / metadata node with CIs, nodes significantly below the rest marked (Holm-corrected)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("run_dir", help="a run folder, a results folder (every run below it), or a judgments.jsonl file")
    p.add_argument(
        "--by", default="", help="comma-separated fields as the tree's levels: category, source, original_id or an item metadata key (default: the benchmark's own grouping)"
    )
    p.add_argument("--min-n", type=int, default=20, help="nodes with fewer items are shown but not tested (default 20)")
    p.add_argument("--alpha", type=float, default=0.05, help="level of the corrected test (default 0.05)")
    p.add_argument("--correction", choices=("holm", "bh"), default="holm", help="holm: family-wise error (default); bh: Benjamini-Hochberg false discovery rate")
    p.add_argument("--rule", choices=tuple(REDUCERS), default=None, help="scoring rule (default: each run's own)")
    p.add_argument("--figure", type=figure_path, default=None, metavar="PATH", help="write the figure (one per run; .png or .pdf; with several runs a number is added)")
    p.add_argument("--seed", type=seed_value, default=0, help="seed of the bootstrap and sampled permutation tests (default 0)")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..analysis.weakness import render_markdown
    from ..errors import InputError
    from ..reports.section_weakness import figure, profile_dir

    by = tuple(f.strip() for f in args.by.split(","))
    if args.by and not all(by):
        raise InputError(f"an empty field in {args.by!r}", field="--by")
    by = by if args.by else ()
    profiles = profile_dir(args.run_dir, by=by, rule=args.rule, alpha=args.alpha, min_n=args.min_n, correction=args.correction, seed=args.seed)
    if args.figure:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        out = Path(args.figure)
        for k, (name, profile) in enumerate(profiles):
            path = out if len(profiles) == 1 else out.with_name(f"{out.stem}-{k + 1}{out.suffix}")
            fig = figure(profile, title=name)
            FigureCanvasAgg(fig)
            fig.savefig(path, dpi=200)
    if args.json:
        print(json.dumps([{"run": name} | profile.to_dict() for name, profile in profiles], indent=2))
        return 0
    print("\n".join(render_markdown(name, profile) for name, profile in profiles), end="")
    return 0
