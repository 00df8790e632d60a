"""The ``judgebench`` command's entry point (``cli.entry``): ``main``, then the collector frozen for a fast exit."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_command_is_entry_and_python_m_too() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["judgebench"] == "judgebench.cli:entry"
    assert "entry()" in (ROOT / "judgebench" / "__main__.py").read_text()


def test_entry_returns_mains_exit_code_with_the_collector_frozen() -> None:
    """In its own interpreter, since freezing the collector is meant for a process about to exit: the exit code of a
    bad flag (2) and of a good command (0) come through, and everything alive is frozen afterwards."""
    script = (
        "import gc, sys\n"
        "from judgebench.cli import entry\n"
        "codes = []\n"
        "for argv in (['bench', '--limit', 'x'], ['judges']):\n"
        "    sys.argv = ['judgebench', *argv]\n"
        "    try:\n"
        "        codes.append(entry())\n"
        "    except SystemExit as e:\n"
        "        codes.append(e.code)\n"
        "print('CODES', codes, gc.get_freeze_count() > 1000)\n"
    )
    _prints(script, "CODES [2, 0] True")


def test_the_command_runs_with_the_runs_collector_thresholds() -> None:
    """The thresholds the command's main runs under are the documented ones, set before any command module loads;
    ``main`` called as a library leaves Python's defaults."""
    script = (
        "import gc, sys\n"
        "import judgebench.cli as cli\n"
        "seen = []\n"
        "real = cli.main\n"
        "cli.main = lambda: seen.append((gc.get_threshold(), 'judgebench.commands.judges' in sys.modules)) or real()\n"
        "sys.argv = ['judgebench', 'judges']\n"
        "code = cli.entry()\n"
        "gc.set_threshold(700, 10, 10)\n"
        "real(['judges'])\n"
        "print('SEEN', code, seen, gc.get_threshold())\n"
    )
    _prints(script, "SEEN 0 [((20000, 50, 1000), False)] (700, 10, 10)")


def _prints(script: str, expected: str) -> None:
    """Run ``script`` in its own interpreter (the collector's state is per process) and check what it printed."""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert expected in out.stdout, out.stdout + out.stderr
