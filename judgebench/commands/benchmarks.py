"""``judgebench benchmarks``: list every registered benchmark."""

from __future__ import annotations

import argparse

HELP = "list the registered benchmarks: splits (with sizes), source, default protocol, rule, metrics and citation"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    import json

    from ..benchmarks import list_benchmarks

    benches = list_benchmarks()
    if args.json:
        print(json.dumps([b.to_dict() for b in benches], indent=2, ensure_ascii=False))
    else:
        print("\n".join(b.describe() for b in benches), end="")
    return 0
