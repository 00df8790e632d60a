"""Command-line flags shared by every command that calls a model (``bench``, ``recipe run``)."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import Any


def _number(kind: type, lowest: float, *, inclusive: bool, what: str, highest: float = math.inf) -> Callable[[str], Any]:
    """An argparse ``type`` that reads a finite ``kind`` number of at least (or above) ``lowest`` and at most
    ``highest``; anything else is an argparse error naming the flag (exit 2, before anything is read or written)."""

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not math.isfinite(value) or value < lowest or (value == lowest and not inclusive) or value > highest:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value

    parse.__name__ = what  # argparse names the type in some messages
    return parse


positive_int = _number(int, 1, inclusive=True, what="an integer >= 1")
non_negative_int = _number(int, 0, inclusive=True, what="an integer >= 0")
positive_float = _number(float, 0, inclusive=False, what="a number > 0")
non_negative_float = _number(float, 0, inclusive=True, what="a number >= 0")
probability = _number(float, 0, inclusive=True, highest=1, what="a probability in [0, 1]")
port_number = _number(int, 0, inclusive=True, highest=65535, what="a port number, 0-65535")
"""A TCP port: 0 (any free one) to 65535."""
seed_value = _number(int, 0, inclusive=True, what="a seed, an integer >= 0")
"""The type of every ``--seed``: numpy's generators take none below 0 (a negative one crashed ``bench`` after judging)."""


def add_call_arguments(p: argparse.ArgumentParser) -> None:
    """Server, concurrency, rate limits, timeout, retries, call cache and executor: one policy, one set of flags."""
    p.add_argument("--base-url", default=None, help="OpenAI-compatible server URL, e.g. http://127.0.0.1:8000/v1")
    p.add_argument("--concurrency", type=positive_int, default=32, help="max judgments (or generations) with a model call in flight at once; the calls of one judgment, a jury's members, share its slot (default 32)")
    p.add_argument("--rpm", type=positive_float, default=None, help="max requests per minute")
    p.add_argument("--tpm", type=positive_float, default=None, help="max tokens per minute")
    p.add_argument("--timeout", type=positive_float, default=120.0, help="seconds per model call")
    p.add_argument("--max-retries", type=non_negative_int, default=6, help="retries on 429/5xx/timeouts/connection errors")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the call cache")
    p.add_argument("--refresh", action="store_true", help="judge every item again: reuse no earlier judgment of this results folder and no cached call (the new calls are cached)")
    p.add_argument("--cache-dir", default=None, help="call cache folder (default $JUDGEBENCH_CACHE_DIR or ~/.cache/judgebench)")
    p.add_argument("--executor", choices=("local", "ray"), default="local", help="local asyncio (default) or ray (extra [ray]: pip install -e '.[ray]' from the checkout)")
    p.add_argument("--address", default=None, help="Ray cluster address for --executor ray (default: start a local Ray)")


def call_options(args: argparse.Namespace) -> dict[str, Any]:
    """The flags of ``add_call_arguments`` as the keyword fields ``RunSpec`` and ``GeneratorSpec`` share."""
    return {
        "base_url": args.base_url,
        "concurrency": args.concurrency,
        "rpm": args.rpm,
        "tpm": args.tpm,
        "timeout": args.timeout,
        "max_retries": args.max_retries,
        "cache": not args.no_cache,
        "refresh": args.refresh,
        "cache_dir": args.cache_dir,
    }


def add_judge_arguments(p: argparse.ArgumentParser) -> None:
    """``--judge NAME`` or ``--judge-file FILE`` (one of them, required)."""
    judge = p.add_mutually_exclusive_group(required=True)
    judge.add_argument("--judge", default=None, help="judge name (see `judgebench judges`)")
    judge.add_argument(
        "--judge-file",
        default=None,
        metavar="FILE",
        help="a judge (or jury) defined in a .yaml/.toml file: prompt templates, parser, generation parameters (see docs/judge-files.md); results go to <judge>=file:<name>@<hash of the file>",
    )


def judge_fields(args: argparse.Namespace, options: dict[str, Any]) -> dict[str, Any]:
    """The ``RunSpec`` fields of the judge: ``judge`` and ``judge_options`` (``options``, from ``--option``), or for
    ``--judge-file`` the file's registered judge, its resolved definition and ``judge_file`` (path, name, hash).

    Raises:
        InputError: (exit 2) for a bad judge file, or ``--option`` with ``--judge-file``.
    """
    from ..errors import InputError

    if not getattr(args, "judge_file", None):
        if str(args.judge).startswith("file:"):
            raise InputError(f"{args.judge} is built from a judge file: pass --judge-file FILE", field="--judge")
        return {"judge": args.judge, "judge_options": options}
    from ..judges.from_file import load_judge_file

    if options:
        raise InputError("does not apply to --judge-file: a judge file holds its own settings", field="--option")
    loaded = load_judge_file(args.judge_file)
    return {"judge": loaded.judge, "judge_options": loaded.options, "judge_file": loaded.record}


def figure_path(text: str) -> str:
    """An argparse ``type`` for an output figure: a ``.png``, ``.pdf`` or ``.svg`` path whose folder exists (checked
    before anything is computed: exit 2 naming the flag, never a traceback after the work)."""
    from pathlib import Path

    p = Path(text)
    if p.suffix.lower() not in (".png", ".pdf", ".svg"):
        raise argparse.ArgumentTypeError(f"a figure is a .png, .pdf or .svg file, got {text!r}")
    if not p.parent.is_dir():
        raise argparse.ArgumentTypeError(f"the folder {str(p.parent)!r} does not exist")
    return text
