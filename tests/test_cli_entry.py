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
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert "CODES [2, 0] True" in out.stdout, out.stdout + out.stderr
