"""``judgebench benchmarks``: list every registered benchmark."""

from __future__ import annotations

import argparse
from typing import Any

HELP = "list the registered benchmarks: splits (with sizes), source, default protocol, rule, metrics and citation"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _protocol_text(protocol: tuple[str, dict[str, Any]]) -> str:
    name, options = protocol
    return f"{name}({', '.join(f'{k}={v}' for k, v in options.items())})" if options else name


def describe(bench: Any) -> dict[str, Any]:
    """One benchmark as JSON: every field ``judgebench benchmarks`` shows."""
    name, options = bench.protocol
    return {
        "name": bench.name,
        "description": bench.description,
        "splits": [{"name": s, "size": bench.size.get(s), "default": s == bench.default_split} for s in bench.splits],
        "default_split": bench.default_split,
        "source": bench.source,
        "data_env": bench.data_env,
        "protocol": {"name": name, "options": dict(options)},
        "rule": bench.rule,
        "metrics": list(bench.metrics),
        "categories": list(bench.categories),
        "citation": bench.citation,
    }


def run(args: argparse.Namespace) -> int:
    import json

    from ..benchmarks import list_benchmarks

    benches = list_benchmarks()
    if args.json:
        print(json.dumps([describe(b) for b in benches], indent=2, ensure_ascii=False))
        return 0
    for i, b in enumerate(benches):
        if i:
            print()
        splits = ", ".join(f"{b.name}:{s} ({b.size[s]})" if s in b.size else f"{b.name}:{s}" for s in b.splits)
        print(f"{b.name}  {b.description}")
        print(f"  splits:    {splits or '-'}" + (f"; default {b.name}:{b.default_split}" if b.default_split else ""))
        print(f"  source:    {b.source}" + f" (offline copy: --data-dir, {'$' + b.data_env + ', ' if b.data_env else ''}$JUDGEBENCH_DATA_DIR/{b.name})")
        print(f"  protocol:  {_protocol_text(b.protocol)}; rule {b.rule}; metrics {', '.join(b.metrics)}")
        if b.categories:
            print(f"  categories: {', '.join(b.categories)}")
        print(f"  citation:  {b.citation}")
    return 0
