"""``judgebench judges``: list every registered judge."""

from __future__ import annotations

import argparse

HELP = "list the registered judges with their kind (pairwise today), the backend they need and their description"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    import json

    from ..judges import list_judges

    judges = list_judges()
    if args.json:
        print(json.dumps([{"name": j.name, "kind": j.kind, "backend": j.backend, "needs_model": j.needs_model, "description": j.description} for j in judges], indent=2))
        return 0
    width = max(len(j.name) for j in judges)
    kind_width = max(len(j.kind) for j in judges)
    for j in judges:
        print(f"{j.name:<{width}}  {j.kind:<{kind_width}}  [{j.backend}]  {j.description}")
    return 0
