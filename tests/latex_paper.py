"""Compile LaTeX tables inside a two-column paper with pdflatex and read what went wrong from its log (tests only).

A table fits when the log of a ``\\documentclass[twocolumn]{article}`` with text around the tables has no
``Overfull \\hbox`` (a line or a table wider than its column or page), no tabularx "X Columns too narrow", and no
float that LaTeX could not place ("Float too large", "Too many unprocessed floats"). Tests skip, saying why, where
pdflatex is not installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from judgebench.reports.latex import PACKAGES

FILLER = " ".join(["The judges are compared on the same pairs, with the same rule and the same bootstrap."] * 12)
_PROBLEMS = re.compile(r"^(Overfull \\hbox.*|.*X Columns too narrow.*|.*Float too large.*|! .*)$", re.M)


def paper(body: str, *, graphicx: bool = False) -> str:
    """A two-column article (10 pt, letter paper: ``\\columnwidth`` 229.5 pt, ``\\textwidth`` 469 pt) with a
    paragraph of text before and after ``body``."""
    return "\n".join(
        [
            r"\documentclass[twocolumn]{article}",
            PACKAGES,
            *([r"\usepackage{graphicx}"] if graphicx else []),
            r"\begin{document}",
            FILLER,
            "",
            body.rstrip("\n"),
            "",
            FILLER,
            r"\end{document}",
            "",
        ]
    )


def compile_tex(document: str, tmp_path: Path, name: str = "paper") -> str:
    """Compile ``document`` with pdflatex in ``tmp_path`` (skip when pdflatex is missing); return the log. The
    compilation itself must succeed."""
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:
        pytest.skip("pdflatex not installed (Debian: apt-get install texlive-latex-base texlive-latex-recommended); the structural checks still ran")
    (tmp_path / f"{name}.tex").write_text(document, encoding="utf-8")
    proc = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    log = (tmp_path / f"{name}.log").read_text(encoding="utf-8", errors="replace")
    assert proc.returncode == 0, log[-3000:]
    assert (tmp_path / f"{name}.pdf").stat().st_size > 1000
    return log


def log_problems(log: str) -> list[str]:
    """The lines of a pdflatex log that say a table does not fit or a float was not placed, and errors; also
    "Missing character" (a glyph the font lacks, printed as nothing)."""
    problems = [m.group(1) for m in _PROBLEMS.finditer(log)]
    if "Too many unprocessed floats" in log:
        problems.append("Too many unprocessed floats")
    problems += [line for line in log.splitlines() if line.startswith("Missing character")]
    return problems


def assert_fits(body: str, tmp_path: Path, *, graphicx: bool = False, name: str = "paper") -> str:
    """Compile ``body`` inside :func:`paper` and fail on any problem :func:`log_problems` finds; return the log."""
    log = compile_tex(paper(body, graphicx=graphicx), tmp_path, name)
    problems = log_problems(log)
    assert not problems, "\n".join(problems) + "\n\n" + body
    return log
