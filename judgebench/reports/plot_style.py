"""The look every paper figure shares, and small helpers for labels and numbers; used by
:mod:`judgebench.reports.plots` and :mod:`judgebench.reports.plots_judgments`, which import it, not each other
(``plots.make_figure`` reaches the judgment figures lazily). matplotlib is imported inside the functions.

- Widths: :data:`SIZES`, one column (3.3 in) or two columns / a page (7 in) of a two-column paper; the height
  follows the content (runs, wrapped names, facets, legend rows).
- Text: 7 pt (8 pt titles), never smaller; names are wrapped over lines, never cut.
- Colours: the Okabe-Ito palette (:data:`PALETTE`, safe for the common colour-vision deficiencies); group ``k`` gets
  ``PALETTE[k % 8]`` with hatch ``HATCHES[k // 8]`` (bars) or marker ``MARKERS[k % 11]`` (points, lines), so no two
  groups of one figure look alike (:func:`group_style`).
- Layout: constrained layout, saved without ``bbox_inches="tight"``, so a saved figure has exactly the width asked
  for and every label, tick, title and legend inside the canvas (tested from the saved figures' text extents).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

SIZES = {"column": 3.3, "page": 7.0}
"""Figure widths in inches: ``column`` (one column of a two-column paper) and ``page`` (both columns)."""
FIG_WIDTH_IN = SIZES["column"]
MIN_FONT_PT = 7.0
LINE_IN = 7.0 / 72 * 1.25
"""The height of one line of 7 pt text (with its leading), in inches."""
MARKERS = "osD^v<>phX*"
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
"""Okabe & Ito (2008), "Color Universal Design": blue, orange, bluish green, reddish purple, sky blue,
vermillion, yellow, black."""
HATCHES = ("", "////", "\\\\\\\\", "xxxx", "....", "++++", "oooo", "----")
_LABEL_CHARS = {"column": 24, "page": 44}  # a run's name per line on the y axis (about 40% of the width at 7 pt)
_LEGEND_COLUMNS = {"column": 2, "page": 4}


@dataclass(frozen=True)
class GroupStyle:
    """How group ``index`` of a figure is drawn: a palette colour, a bar hatch and a marker."""

    index: int
    color: str
    hatch: str
    marker: str


def group_style(k: int) -> GroupStyle:
    """The style of the ``k``-th group (run, pair set) of a figure: colour ``PALETTE[k % 8]``; beyond 8 groups the
    colours come round again with a hatch (bars, ``HATCHES[k // 8]``) and a different marker (``MARKERS[k % 11]``),
    so (colour, hatch) and (colour, marker) are distinct for up to 64 groups."""
    return GroupStyle(k, PALETTE[k % len(PALETTE)], HATCHES[(k // len(PALETTE)) % len(HATCHES)], MARKERS[k % len(MARKERS)])


def check_size(size: str) -> float:
    """The width in inches of ``size`` (``column`` or ``page``).

    Raises:
        InputError: for another size (field ``--size``).
    """
    if size not in SIZES:
        from ..errors import InputError

        raise InputError(f"unknown figure size {size!r}; use {' or '.join(SIZES)}", field="--size")
    return SIZES[size]


def label_chars(size: str) -> int:
    """How many characters of a name fit on one line of a y-axis label at ``size``."""
    return _LABEL_CHARS[size]


def legend_columns(size: str, n: int) -> int:
    """Legend columns for ``n`` entries at ``size`` (2 for a column, 4 for a page, fewer when fewer entries)."""
    return max(1, min(n, _LEGEND_COLUMNS[size]))


def legend_chars(size: str, n: int) -> int:
    """Characters per line of a legend entry when ``n`` entries share the width of ``size``."""
    cols = legend_columns(size, n)
    return max(12, int((SIZES[size] - 0.1) / cols * 72 / (7 * 0.56)) - 6)


def paper_style() -> AbstractContextManager[Any]:
    """matplotlib settings for a paper figure: 7 pt text (8 pt titles), thin lines, TrueType fonts in PDFs, the
    Okabe-Ito palette as the colour cycle."""
    import matplotlib
    from cycler import cycler

    return matplotlib.rc_context(
        {
            "font.size": 7,
            "axes.titlesize": 8,
            "axes.labelsize": 7,
            "xtick.labelsize": 7,
            "ytick.labelsize": 7,
            "legend.fontsize": 7,
            "legend.title_fontsize": 7,
            "axes.linewidth": 0.6,
            "axes.prop_cycle": cycler(color=list(PALETTE)),
            "hatch.linewidth": 0.6,
            "lines.linewidth": 1.0,
            "lines.markersize": 3.5,
            "pdf.fonttype": 42,  # TrueType in PDFs: editable text, accepted by paper submission systems
            "ps.fonttype": 42,
            "svg.fonttype": "none",
        }
    )


def new_figure(height_in: float, size: str = "column") -> Figure:
    """A figure ``SIZES[size]`` wide and ``height_in`` high with constrained layout (small outer margins so no
    text touches the edge), not attached to pyplot."""
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    return Figure(figsize=(check_size(size), height_in), layout=ConstrainedLayoutEngine(w_pad=0.04, h_pad=0.04))


def facet_grid(fig: Figure, n: int, *, cols: int = 1, sharex: bool = False, sharey: bool = False, height_ratios: Sequence[float] | None = None) -> list[Axes]:
    """``n`` panels on a grid of ``cols`` columns (row by row); with ``sharex`` only the bottom panel of each column
    shows x tick labels, with ``sharey`` only the first column y tick labels."""
    import math as _math

    rows = _math.ceil(n / cols)
    gs = fig.add_gridspec(rows, cols, height_ratios=height_ratios)
    axes: list[Axes] = []
    for i in range(n):
        axes.append(fig.add_subplot(gs[i // cols, i % cols], sharex=axes[0] if sharex and axes else None, sharey=axes[0] if sharey and axes else None))
    for i, ax in enumerate(axes):
        if sharex and i + cols < n:
            ax.tick_params(labelbottom=False)
        if sharey and i % cols:
            ax.tick_params(labelleft=False)
    return axes


def is_bottom(i: int, n: int, cols: int) -> bool:
    """Whether panel ``i`` of ``n`` on ``cols`` columns is the lowest of its column."""
    return i + cols >= n


def text_chars(width_in: float, pt: float = 7.0) -> int:
    """About how many characters of ``pt``-point text fit in ``width_in`` inches."""
    return max(10, int(width_in * 72 / (pt * 0.56)))


def wrap(text: str, width: int) -> str:
    """``text`` over lines of at most ``width`` characters (broken at spaces and hyphens, a long word split only
    when it must); never cut."""
    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=True, break_long_words=True)) or text


def lines(text: str) -> int:
    """The number of lines of ``text``."""
    return text.count("\n") + 1


def as_number(v: Any) -> float | None:
    """A finite float, or ``None`` for missing, empty, boolean, non-numeric or non-finite values."""
    if v is None or v == "" or isinstance(v, bool):
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None
