"""Render rows of results as Markdown, LaTeX (booktabs) or CSV. Pure formatting, no I/O."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def latex_escape(text: str) -> str:
    """Escape LaTeX special characters in plain text."""
    return "".join(_LATEX_SPECIAL.get(c, c) for c in text)


@dataclass(frozen=True)
class Column:
    """A table column: the row key, its header, and how numbers are shown (``digits``; ``None`` = text)."""

    key: str
    header: str
    digits: int | None = 1


def format_cell(value: Any, digits: int | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if digits is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:.{digits}f}" if isinstance(value, float) else str(value)
    return str(value)


def to_markdown(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> str:
    header = "| " + " | ".join(c.header for c in columns) + " |"
    sep = "|" + "|".join("---" if c.digits is None else "---:" for c in columns) + "|"
    body = ["| " + " | ".join(format_cell(r.get(c.key), c.digits).replace("|", "\\|") for c in columns) + " |" for r in rows]
    return "\n".join([header, sep, *body]) + "\n"


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([c.key for c in columns])
    for r in rows:
        w.writerow(["" if r.get(c.key) is None else r.get(c.key) for c in columns])
    return buf.getvalue()


def to_latex(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[Column],
    *,
    caption: str | None = None,
    label: str | None = None,
    bold: dict[str, set[int]] | None = None,
    dagger_rows: set[int] | None = None,
    dagger_note: str | None = None,
) -> str:
    """A booktabs ``table`` environment. ``bold`` maps column key -> row indices to bold; ``dagger_rows`` get a dagger."""
    bold = bold or {}
    dagger_rows = dagger_rows or set()
    spec = "".join("l" if c.digits is None else "r" for c in columns)
    lines = [r"\begin{table}[t]", r"\centering", r"\small", rf"\begin{{tabular}}{{{spec}}}", r"\toprule"]
    lines.append(" & ".join(latex_escape(c.header) for c in columns) + r" \\")
    lines.append(r"\midrule")
    for i, r in enumerate(rows):
        cells = []
        for j, c in enumerate(columns):
            text = latex_escape(format_cell(r.get(c.key), c.digits)).replace("–", "--")
            if i in bold.get(c.key, set()):
                text = rf"\textbf{{{text}}}"
            if j == 0 and i in dagger_rows:
                text += r"$^\dagger$"
            cells.append(text)
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    if caption or dagger_note:
        cap = latex_escape(caption or "")
        if dagger_note:
            cap += (" " if cap else "") + r"$^\dagger$\," + latex_escape(dagger_note)
        lines.append(rf"\caption{{{cap}}}")
    if label:
        lines.append(rf"\label{{{label}}}")
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"
