"""LaTeX tables that fit a two-column paper: the fitting ladder, booktabs floats, stable labels and a standalone
document. Pure formatting, no I/O. Escaping and the width estimate are ``reports.latex_text``, the structural
checks ``reports.latex_checks`` (both re-exported here).

A table is set for ``column`` (a ``table`` float, ``\\columnwidth``) or ``text`` (a ``table*`` float,
``\\textwidth``). Its width is estimated from Computer Modern's character widths (the widest of the usual paper
fonts: Times, used by ACL and ICML, is narrower), and the first layout of :data:`LADDER` under which it fits the
narrowest common width (:data:`COLUMN_PT`, :data:`TEXT_PT`) is used: the font size, ``\\tabcolsep`` and whether
headers are abbreviated (each abbreviation is then spelled out in the caption). One column may wrap (``flex``: the
judge's name): when the table is wider than the width with nothing wrapped it is a ``tabularx`` ``X`` column, so
the table takes exactly the paper's own width; otherwise a plain ``tabular`` at its natural width. A document needs
``\\usepackage{booktabs,tabularx}`` (:data:`PACKAGES`).
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .cells import Column, format_cell
from .latex_checks import latex_table_problems
from .latex_text import LONG_WORD, latex_escape, text_width, unbreakable_pieces, wrap_text

__all__ = [  # re-exported from latex_text and latex_checks
    "LONG_WORD",
    "latex_escape",
    "latex_table_problems",
    "text_width",
    "wrap_text",
]

logger = logging.getLogger(__name__)

Width = Literal["column", "text"]
WIDTHS: tuple[Width, ...] = ("column", "text")
COLUMN_PT = 219.0
"""The narrowest common ``\\columnwidth``: ACL's 7.7 cm (a ``twocolumn`` article has 229.5 pt, ICML 234.9, IEEEtran 252)."""
TEXT_PT = 455.0
"""The narrowest common two-column ``\\textwidth``: ACL's 16 cm (a ``twocolumn`` article has 469 pt, IEEEtran 516)."""
PACKAGES = r"\usepackage{booktabs,tabularx}"
"""The packages a document needs for these tables (``graphicx`` too for a table that had to be scaled)."""
FLEX_MIN_PT = 60.0
"""The narrowest a wrapping column is made (a longer name then takes two or three lines), unless one word is wider."""

@dataclass(frozen=True)
class TexCell:
    """A cell given as LaTeX source (not escaped), with the plain text that stands for it in the width estimate;
    ``script`` is text set as a superscript or subscript (estimated at script size)."""

    tex: str
    plain: str
    script: str = ""

    def __str__(self) -> str:
        return self.plain

    def width(self, size: str, *, bold: bool = False) -> float:
        """Estimated width in pt at ``size``."""
        return text_width(self.plain, size, bold=bold) + (text_width(self.script, size, script=True) + 1.0 if self.script else 0.0)  # + math spacing


def ci_cell(value: float | None, low: float | None, high: float | None, digits: int = 1) -> TexCell | None:
    """``value`` with its interval as offsets, ``65.7$^{+4.9}_{-4.8}$`` (the offsets are taken from the printed
    numbers, so value + offset is the printed bound); the value alone without an interval; ``None`` without a value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    v = f"{value:.{digits}f}"
    if low is None or high is None or any(isinstance(x, float) and math.isnan(x) for x in (low, high)):
        return TexCell(v, v)
    up = float(f"{high:.{digits}f}") - float(v)
    down = float(v) - float(f"{low:.{digits}f}")
    u, d = f"{max(up, 0.0):.{digits}f}", f"{max(down, 0.0):.{digits}f}"
    return TexCell(f"{v}$^{{+{u}}}_{{-{d}}}$", v, f"+{u}")


# ---------------------------------------------------------------------------------------------------------------
# layouts and tables


@dataclass(frozen=True)
class Layout:
    """How a table is set: font ``size``, ``\\tabcolsep`` in pt, and whether headers are abbreviated."""

    size: str
    tabcolsep: float
    short_headers: bool


LADDER = (
    Layout("small", 5.0, False),
    Layout("footnotesize", 4.0, False),
    Layout("footnotesize", 4.0, True),
    Layout("footnotesize", 3.0, True),
    Layout("scriptsize", 3.0, True),
)
"""The layouts tried, in order of preference: larger type first, then full headers."""


def target_pt(width: Width) -> float:
    """The width a table set for ``width`` must fit: :data:`COLUMN_PT` or :data:`TEXT_PT`."""
    return COLUMN_PT if width == "column" else TEXT_PT


@dataclass(frozen=True)
class LatexTable:
    """Rows under columns with their marks, to be set as a booktabs float (:meth:`render`).

    A column's ``short`` header is used under a layout with ``short_headers``. Row values are numbers, text, or :class:`TexCell` (LaTeX source kept as is). ``bold``: column key ->
    rows set in bold; ``dagger_rows`` / ``ddagger_rows`` get a dagger / double dagger after their first cell;
    ``italic_rows`` are set in italics; ``rule_before``: rows preceded by a ``\\midrule``. ``flex``: the key of the
    column that may wrap (``None``: the first text column; ``""``: none). ``header_width``: the headers of the other
    columns are set on as many lines as it takes to keep each line within this many pt, or within the column's
    widest cell when that is wider (:func:`wrap_text`).
    """

    rows: Sequence[Mapping[str, Any]]
    columns: Sequence[Column]
    bold: Mapping[str, set[int]] = field(default_factory=dict)
    dagger_rows: frozenset[int] = frozenset()
    ddagger_rows: frozenset[int] = frozenset()
    italic_rows: frozenset[int] = frozenset()
    rule_before: frozenset[int] = frozenset()
    flex: str | None = None
    header_width: float | None = None

    def _flex_index(self) -> int | None:
        if self.flex == "":
            return None
        for j, c in enumerate(self.columns):
            if (self.flex is None and c.digits is None) or c.key == self.flex:
                return j
        return None

    def header(self, c: Column, layout: Layout) -> str:
        """The header of column ``c`` under ``layout`` (its ``short`` one under ``short_headers``)."""
        return c.short if layout.short_headers and c.short else c.header

    def _head_lines(self, j: int, layout: Layout) -> list[str]:
        c = self.columns[j]
        head = self.header(c, layout)
        if self.header_width is None or j == self._flex_index():
            return [head]
        widest = max((self._cell_width(i, j, layout.size) for i in range(len(self.rows))), default=0.0)
        return wrap_text(head, max(self.header_width, widest), layout.size)

    def _head_tex(self, j: int, layout: Layout) -> str:
        lines = [latex_escape(line) for line in self._head_lines(j, layout)]
        if len(lines) == 1:
            return lines[0]
        align = "l" if self.columns[j].digits is None else "r"
        # a header on several lines: a nested tabular, its lines at the normal spacing whatever the table's
        return rf"{{\renewcommand{{\arraystretch}}{{1}}\begin{{tabular}}[b]{{@{{}}{align}@{{}}}}" + r" \\ ".join(lines) + r"\end{tabular}}"

    def _text(self, i: int, c: Column) -> str | TexCell:
        v = self.rows[i].get(c.key)
        return v if isinstance(v, TexCell) else format_cell(v, c.digits)

    def _marks(self, i: int, j: int) -> str:
        return ("\u2020" if i in self.dagger_rows else "") + ("\u2021" if i in self.ddagger_rows else "") if j == 0 else ""

    def _cell_width(self, i: int, j: int, size: str) -> float:
        c = self.columns[j]
        t = self._text(i, c)
        bold = i in self.bold.get(c.key, set())
        w = t.width(size, bold=bold) if isinstance(t, TexCell) else text_width(t, size, bold=bold)
        return w + text_width(self._marks(i, j), size, script=True)

    def column_widths(self, layout: Layout) -> list[tuple[float, float]]:
        """Each column's (narrowest, natural) estimated width in pt under ``layout``; they differ only for the
        wrapping column, whose narrowest is its widest unbreakable piece, at least :data:`FLEX_MIN_PT` unless its
        text is narrower."""
        flex = self._flex_index()
        out = []
        for j, c in enumerate(self.columns):
            natural = max([*(text_width(line, layout.size) for line in self._head_lines(j, layout)), *(self._cell_width(i, j, layout.size) for i in range(len(self.rows)))])
            if j != flex:
                out.append((natural, natural))
                continue
            piece = max((text_width(p, layout.size, bold=bool(self.bold.get(c.key))) for i in range(len(self.rows)) for p in unbreakable_pieces(str(self._text(i, c)), breakable=True)), default=0.0)
            out.append((max(piece, min(natural, FLEX_MIN_PT)), natural))
        return out

    def width(self, layout: Layout, *, natural: bool = False) -> float:
        """Estimated width in pt of the table under ``layout`` (``natural``: with the wrapping column unwrapped)."""
        widths = self.column_widths(layout)
        return sum(w[1] if natural else w[0] for w in widths) + 2 * layout.tabcolsep * (len(widths) - 1)

    def fit(self, width: Width, ladder: Sequence[Layout] = LADDER) -> Layout | None:
        """The first layout of ``ladder`` under which the table fits ``width``; ``None`` when none does."""
        return next((lay for lay in ladder if self.width(lay) <= target_pt(width)), None)

    def legend(self, layout: Layout) -> list[str]:
        """``"Short: full header"`` for each abbreviated header under ``layout`` that is not a word of its full
        header (``Know.: Knowledge``; not ``Overall`` for ``Overall (vote)``), for the caption."""
        return [f"{c.short}: {c.header}" for c in self.columns if layout.short_headers and c.short and c.short.lower() not in c.header.lower().split()]

    def render(self, layout: Layout, *, width: Width = "column", caption_tex: str | None = None, label: str | None = None, scale: bool = False) -> str:
        """The ``table`` (``width="column"``) or ``table*`` (``"text"``) float, booktabs rules, ``caption_tex``
        (LaTeX source) and ``label`` below the table.

        When the table is wider than :func:`target_pt` with nothing wrapped, the wrapping column is a ``tabularx``
        ``X`` column and the table spans ``\\linewidth``; otherwise a ``tabular`` at its natural width. ``scale``: the
        last resort for a table too wide for every layout: a ``tabular`` scaled to ``\\linewidth`` with
        ``\\resizebox`` (needs ``graphicx``).
        """
        flex = self._flex_index()
        stretch = not scale and flex is not None and self.width(layout, natural=True) > target_pt(width)
        spec = "".join(
            (r">{\raggedright\arraybackslash}X" if stretch and j == flex else "l" if c.digits is None else "r") for j, c in enumerate(self.columns)
        )
        env = "table*" if width == "text" else "table"
        lines = [rf"\begin{{{env}}}[tbp]", r"\centering", f"\\{layout.size}", rf"\setlength{{\tabcolsep}}{{{layout.tabcolsep:g}pt}}"]
        if any(isinstance(v, TexCell) and v.script for r in self.rows for v in r.values()):
            lines.append(r"\renewcommand{\arraystretch}{1.3}")  # room for a CI's superscript above and subscript below
        if scale:
            lines += [r"\resizebox{\linewidth}{!}{%", rf"\begin{{tabular}}{{@{{}}{spec}@{{}}}}"]
        elif stretch:
            lines.append(rf"\begin{{tabularx}}{{\linewidth}}{{@{{}}{spec}@{{}}}}")
        else:
            lines.append(rf"\begin{{tabular}}{{@{{}}{spec}@{{}}}}")
        lines.append(r"\toprule")
        lines.append(" & ".join(self._head_tex(j, layout) for j in range(len(self.columns))) + r" \\")
        lines.append(r"\midrule")
        for i in range(len(self.rows)):
            if i in self.rule_before:
                lines.append(r"\midrule")
            cells = []
            for j, c in enumerate(self.columns):
                t = self._text(i, c)
                text = t.tex if isinstance(t, TexCell) else latex_escape(t, breakable=stretch and j == flex)
                if i in self.bold.get(c.key, set()):
                    text = rf"\textbf{{{text}}}"
                if i in self.italic_rows:
                    text = rf"\textit{{{text}}}"
                cells.append(text + latex_escape(self._marks(i, j)))
            lines.append(" & ".join(cells) + r" \\")
        lines.append(r"\bottomrule")
        lines.append(r"\end{tabularx}" if stretch else r"\end{tabular}" + ("}" if scale else ""))
        if caption_tex:
            lines.append(rf"\caption{{{caption_tex}}}")
        if label:
            lines.append(rf"\label{{{label}}}")
        lines.append(rf"\end{{{env}}}")
        return "\n".join(lines) + "\n"

    def render_fitted(self, *, width: Width = "column", caption_tex: str | None = None, label: str | None = None, what: str = "table") -> str:
        """:meth:`render` under the first layout that fits (:func:`render_first_fit`)."""
        return render_first_fit([self], width=width, caption_tex=caption_tex, label=label, what=what)


def render_first_fit(tables: Sequence[LatexTable], *, width: Width = "column", caption_tex: str | None = None, label: str | None = None, what: str = "table") -> str:
    """The first of ``tables`` (variants of one table, best first) that fits ``width`` under a layout of
    :data:`LADDER`, rendered under the first such layout (larger type before a better variant); a ``column`` table
    that fits in no layout is set for ``text``, with a warning; one too wide for ``\\textwidth`` is the last
    variant scaled down (:meth:`LatexTable.render` ``scale``), with a warning naming ``what``."""
    for w in WIDTHS[WIDTHS.index(width) :]:
        for layout in LADDER:
            for table in tables:
                if table.width(layout) <= target_pt(w):
                    if w != width:
                        logger.warning("the LaTeX %s is too wide for \\columnwidth: set as table* over \\textwidth", what)
                    return table.render(layout, width=w, caption_tex=caption_tex, label=label)
    layout = LADDER[-1]
    logger.warning(
        "the LaTeX %s is about %.0f pt wide, wider than \\textwidth (%.0f pt) in every layout: scaled down with \\resizebox "
        "(needs \\usepackage{graphicx}); show fewer columns to avoid it",
        what,
        tables[-1].width(layout),
        TEXT_PT,
    )
    return tables[-1].render(layout, width="text", caption_tex=caption_tex, label=label, scale=True)


def to_latex(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[Column],
    *,
    caption: str | None = None,
    label: str | None = None,
    bold: Mapping[str, set[int]] | None = None,
    dagger_rows: set[int] | None = None,
    dagger_note: str | None = None,
    italic_rows: set[int] | None = None,
    rule_before: set[int] | None = None,
    ddagger_rows: set[int] | None = None,
    width: Width = "column",
    caption_tex: str | None = None,
    flex: str | None = None,
) -> str:
    """A booktabs ``table`` (``width="column"``) or ``table*`` (``"text"``) float that fits the width (needs
    :data:`PACKAGES`); see :class:`LatexTable` for the marks and :meth:`LatexTable.render_fitted` for the fitting.

    Args:
        caption: plain text (escaped); ``caption_tex``: LaTeX source, used instead.
        dagger_note: explains the dagger, appended to the caption (plain text).
    """
    table = LatexTable(
        rows, columns, bold or {}, frozenset(dagger_rows or ()), frozenset(ddagger_rows or ()), frozenset(italic_rows or ()), frozenset(rule_before or ()), flex
    )
    cap = caption_tex if caption_tex is not None else latex_escape(caption or "")
    if dagger_note:
        cap += (" " if cap else "") + r"$^\dagger$\," + latex_escape(dagger_note)
    return table.render_fitted(width=width, caption_tex=cap or None, label=label)


def latex_label(*parts: Any, key: Any = None) -> str:
    """A label that depends only on what the table shows: ``tab:`` + ``parts`` as lower-case slugs joined by ``-``,
    then, unless ``key`` is ``None``, the first 6 hex digits of the SHA-256 of its text
    (``tab:judgebench-judgebench-3f2a1c``)."""
    slugs = [re.sub(r"[^a-z0-9]+", "-", str(p).lower()).strip("-") or "x" for p in parts]
    if key is not None:
        slugs.append(hashlib.sha256(str(key).encode("utf-8")).hexdigest()[:6])
    return "tab:" + "-".join(slugs)


def standalone_latex(body: str) -> str:
    """A compilable document around one or more table floats: a ``twocolumn`` article (the page a paper's tables
    must fit: ``table`` in a column, ``table*`` across both), with booktabs, tabularx and graphicx; floats are
    flushed after every ten (LaTeX holds at most 18 unplaced)."""
    parts = re.split(r"(?<=\\end\{table\}\n)|(?<=\\end\{table\*\}\n)", body.rstrip("\n") + "\n")
    chunks: list[str] = []
    n = 0
    for part in parts:
        if not part.strip():
            continue
        chunks.append(part.rstrip("\n"))
        n += part.count(r"\end{table")
        if n and n % 10 == 0:
            chunks.append(r"\clearpage")
    return "\n".join([r"\documentclass[twocolumn]{article}", PACKAGES, r"\usepackage{graphicx}", r"\begin{document}", *chunks, r"\end{document}", ""])
