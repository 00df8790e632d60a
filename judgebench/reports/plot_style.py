"""The look every paper figure shares (one column, 3.3 in wide, no text under 7 pt) and small helpers for labels
and numbers; used by :mod:`judgebench.reports.plots` and :mod:`judgebench.reports.plots_judgments`, which import it, not each other
(``plots.make_figure`` reaches the judgment figures lazily). matplotlib is imported inside the functions."""

from __future__ import annotations

import math
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FIG_WIDTH_IN = 3.3
MIN_FONT_PT = 7.0
_MAX_LABEL = 26
MARKERS = "osD^v<>phX*"


def paper_style() -> AbstractContextManager[Any]:
    """matplotlib settings for a paper figure: 7 pt text (8 pt titles), thin lines, TrueType fonts in PDFs."""
    import matplotlib

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
            "lines.linewidth": 1.0,
            "lines.markersize": 3.5,
            "pdf.fonttype": 42,  # TrueType in PDFs: editable text, accepted by paper submission systems
            "ps.fonttype": 42,
            "svg.fonttype": "none",
        }
    )


def new_figure(height_in: float) -> Figure:
    """A one-column (3.3 in wide) figure with constrained layout, not attached to pyplot."""
    from matplotlib.figure import Figure

    return Figure(figsize=(FIG_WIDTH_IN, height_in), layout="constrained")


def shorten(text: str, limit: int = _MAX_LABEL) -> str:
    """``text`` cut to ``limit`` characters, ending in an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def as_number(v: Any) -> float | None:
    """A finite float, or ``None`` for missing, empty, boolean, non-numeric or non-finite values."""
    if v is None or v == "" or isinstance(v, bool):
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None
