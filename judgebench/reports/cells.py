"""A table column, how a cell is printed, and the plain Markdown and CSV renderers (LaTeX: ``reports.latex``)."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Column:
    """A table column: the row key, its header, how numbers are shown (``digits``; ``None`` = text) and an
    abbreviated header for narrow LaTeX tables (``short``; ``None``: the header is short enough)."""

    key: str
    header: str
    digits: int | None = 1
    short: str | None = None


def format_cell(value: Any, digits: int | None) -> str:
    """A cell's text: ``–`` for missing/NaN, floats with ``digits`` decimals, ints and text as they are."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if digits is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:.{digits}f}" if isinstance(value, float) else str(value)
    return str(value)


def _md_text(text: str) -> str:
    # Only "|" breaks a table; "_" inside names does not emphasise in GitHub Markdown and stays readable as text.
    return text.replace("|", "\\|")


def to_markdown(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[Column],
    *,
    bold: dict[str, set[int]] | None = None,
    dagger_rows: set[int] | None = None,
    italic_rows: set[int] | None = None,
    ddagger_rows: set[int] | None = None,
) -> str:
    """A GitHub-flavoured Markdown table; numeric columns are right-aligned.

    ``|`` in cells is escaped. ``bold``: column key -> rows whose cell is bold; ``dagger_rows`` /
    ``ddagger_rows``: rows whose first cell gets † / ‡; ``italic_rows``: rows set in italics.
    """
    bold = bold or {}
    dagger_rows = dagger_rows or set()
    italic_rows = italic_rows or set()
    header = "| " + " | ".join(_md_text(c.header) for c in columns) + " |"
    sep = "|" + "|".join("---" if c.digits is None else "---:" for c in columns) + "|"
    body = []
    for i, r in enumerate(rows):
        cells = []
        for j, c in enumerate(columns):
            text = _md_text(format_cell(r.get(c.key), c.digits))
            if i in bold.get(c.key, set()) and text:
                text = f"**{text}**"
            if j == 0 and i in dagger_rows:
                text += " †"
            if j == 0 and ddagger_rows and i in ddagger_rows:
                text += " ‡"
            if i in italic_rows and text:  # an empty cell stays empty (not "**")
                text = f"*{text}*"
            cells.append(text)
        body.append("| " + " | ".join(cells) + " |")
    return "\n".join([header, sep, *body]) + "\n"


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> str:
    """CSV with the column *keys* as header and full-precision values (missing = empty cell)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([c.key for c in columns])
    for r in rows:
        w.writerow(["" if r.get(c.key) is None else r.get(c.key) for c in columns])
    return buf.getvalue()
