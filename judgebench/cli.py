"""The ``judgebench`` command line. Each subcommand lives in ``judgebench/commands/<name>.py`` and exposes
``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``; heavy imports stay inside ``run`` so ``--help`` is fast.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import logging
import os
import sys

from ._collector import GC_THRESHOLDS
from .errors import JudgebenchError

COMMANDS = ("bench", "suite", "score", "leaderboard", "judges", "benchmarks", "fake-server", "recipe", "grade", "agree", "mt-bench-agreement", "plot", "report", "weakness", "peer-review", "dimensions", "certainty", "kwise")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or of the command ``only`` alone (what ``main`` builds when the command line
    names one: the other commands' modules are then not imported, which keeps start-up short)."""
    parser = argparse.ArgumentParser(prog="judgebench", description="How far can an LLM judge or reward model be trusted?")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS if only is None else (only,):
        mod = importlib.import_module(f"judgebench.commands.{name.replace('-', '_')}")
        p = sub.add_parser(name, help=mod.HELP.replace("%", "%%"), description=mod.HELP)  # help= is %-formatted, description= is not
        mod.add_arguments(p)
        p.set_defaults(_module=mod)
    return parser


def _named_command(argv: list[str]) -> str | None:
    """The command ``argv`` names (its first argument that is not ``-v``/``--verbose``), when it is a known one."""
    for arg in argv:
        if arg == "--verbose" or (arg.startswith("-v") and set(arg[1:]) == {"v"}):
            continue
        return arg if arg in COMMANDS else None
    return None


def main(argv: list[str] | None = None) -> int:
    argv_list = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(_named_command(argv_list)).parse_args(argv_list)
    args._argv = argv_list  # the command as typed, for "resume with: ..." hints
    level = logging.WARNING if args.verbose == 0 else logging.INFO if args.verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    from .secrets import RedactingFilter, redacting_console, split_url_credentials

    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter())  # keys never reach logs, whoever logs them
    with redacting_console():  # nor what is printed, tracebacks included
        try:
            if getattr(args, "base_url", None):
                from .backends import check_base_url

                check_base_url(args.base_url)  # a URL no client can use: exit 2 before anything starts
                split_url_credentials(args.base_url)  # a password in --base-url is a secret from the start
            return int(args._module.run(args) or 0)
        except JudgebenchError as e:
            print(f"judgebench {args.command}: error: {e}", file=sys.stderr)
            return e.exit_code
        except KeyboardInterrupt:
            # a --refresh run resumes without --refresh (with it, every pair would be judged again, its finished work lost)
            again = "the same command without --refresh" if "--refresh" in argv_list else "the same command again"
            print(f"judgebench: interrupted; run {again} to resume", file=sys.stderr)
            return 130
        except BrokenPipeError:  # the reader went away (`judgebench suite | head`): stop quietly, as SIGPIPE would
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush does not raise again
            return 128 + 13
        except OSError as e:  # a path the file system refuses (a folder where a file goes, /proc, read-only, full)
            if e.filename is None:
                raise
            where = f"{e.filename} -> {e.filename2}" if e.filename2 else str(e.filename)
            print(f"judgebench {args.command}: error: {where}: {e.strerror or e}; check the path (a folder where a file should be, or the reverse; its permissions; free space), or give another", file=sys.stderr)
            return 2


def entry() -> int:
    """The ``judgebench`` command (``python -m judgebench`` too): ``main`` with the collector's thresholds at
    ``_collector.GC_THRESHOLDS`` (a batch process that imports and loads much and frees little: fewer collections
    while the modules load, 7-10 ms instead of 12-19 before a run's first request), then ``gc.freeze()`` before the
    interpreter exits, so its last collections pass over only what is not frozen (nothing) instead of every object a
    command that loaded numpy, aiohttp and Jinja holds: the interpreter's exit took 50-110 ms, 20-30 ms frozen
    (docs/performance.md). Modules are still torn down and their objects freed; like any Python exit (Python's
    ``object.__del__`` documentation), finalisers of objects still alive in reference cycles are not guaranteed to
    run. judgebench closes every file it writes before this point. Library callers use ``main``, which leaves the
    collector as it was."""
    gc.set_threshold(*GC_THRESHOLDS)
    code = main()
    gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(entry())
