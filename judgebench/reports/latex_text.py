"""Plain text for LaTeX tables: escaping, an estimate of the printed width in Computer Modern, and where a line
may break (``reports.latex`` sets the tables)."""

from __future__ import annotations

import re

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
    # In LaTeX's default OT1 encoding these print as other glyphs (< as an inverted exclamation mark).
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    "\u2013": "--",  # en dash (used in CI ranges)
    "\u2014": "---",
    "\u00a0": "~",
    "\u2193": r"$\downarrow$",  # lower is better (column headers)
    "\u2191": r"$\uparrow$",
    "\u2020": r"$^\dagger$",
    "\u2021": r"$^\ddagger$",  # partial run (table notes)
    "\u00a7": r"\S{}",  # a suite cell whose headline is another measure
    "\u00b1": r"$\pm$",
    "\u2265": r"$\ge$",
    "\u2264": r"$\le$",
    "\u00d7": r"$\times$",
    "\u03c1": r"$\rho$",  # Spearman's rho, Kendall's tau (rating columns): pdflatex has no Greek text font by default
    "\u03c4": r"$\tau$",
    "\u03b1": r"$\alpha$",
    "\u03ba": r"$\kappa$",
}
_BREAK_AFTER = "_/:@=,"
LONG_WORD = 12
"""Words longer than this may break after ``_ / : @ = ,`` in a wrapping column (a model id, a judge with options)."""


def latex_escape(text: str, *, breakable: bool = False) -> str:
    """Escape LaTeX special characters in plain text, so that it prints as written.

    Covers the ten specials (``\\ & % $ # _ { } ~ ^``), ``< > |`` (which the default OT1 font encoding prints as
    other glyphs), ``--`` (two hyphens, not an en dash), en and em dashes, the no-break space, and the symbols the
    tables use (arrows, daggers, §, ±, ≥, ρ, τ, ...). Other non-ASCII characters are kept; pdflatex's UTF-8 input
    handles accented Latin letters, other scripts need a suitable font package in the document. ``breakable``: a
    line may also break after ``_ / : @ = ,`` inside a word longer than :data:`LONG_WORD` characters (a
    model id in a wrapping column); TeX already breaks after ``-``.
    """
    out = []
    for word in re.split(r"(\s+)", text):
        long = breakable and len(word) > LONG_WORD
        for k, c in enumerate(word):
            out.append("-{}" if c == "-" and word[k + 1 : k + 2] == "-" else _LATEX_SPECIAL.get(c, c))
            if long and c in _BREAK_AFTER:
                out.append(r"\allowbreak{}")
    return "".join(out)


# ---------------------------------------------------------------------------------------------------------------
# width estimate: Computer Modern Roman (cmr10 widths in em, from its TFM file), scaled to the optical size

_EM_GROUPS = {
    0.278: "il!',.:;[]`",
    0.306: "fj",
    0.333: "- ",
    0.361: "I_",
    0.389: "t()",
    0.392: "r",
    0.394: "s",
    0.444: "cez\u2020\u2021\u00a7\u03c4",
    0.472: "?",
    0.5: "0123456789ago$*/\u2013",
    0.514: "J",
    0.528: "kqvxy\u03c1",
    0.556: "bdhnpuS",
    0.611: "Z",
    0.625: "L",
    0.653: "F",
    0.681: "EP",
    0.708: "B",
    0.722: "wCT",
    0.736: "R",
    0.75: "AHNUVXY",
    0.764: "D",
    0.778: "KOQ&+=@<>\u00b1\u2265\u2264",
    0.785: "G",
    0.833: "m#%",
    0.917: "M",
    1.0: "\u2014\u2193\u2191",
    1.028: "W",
}
_EM = {c: w for w, chars in _EM_GROUPS.items() for c in chars}
_UNKNOWN_EM = 0.6
# \small, \footnotesize, \scriptsize of a 10 pt document: point size, and how much wider cmr9/8/7 are per point than
# cmr10 (a digit is 0.514, 0.531, 0.569 em); then the size of their super- and subscripts (cmr6, cmr6, cmr5)
_SIZES = {"small": (9.0, 1.028), "footnotesize": (8.0, 1.0625), "scriptsize": (7.0, 1.139)}
_SCRIPT_SIZES = {"small": (6.0, 1.222), "footnotesize": (6.0, 1.222), "scriptsize": (5.0, 1.361)}
_BOLD = 1.15  # cmbx10 is 15% wider than cmr10, digits and letters alike


def text_width(text: str, size: str = "footnotesize", *, bold: bool = False, script: bool = False) -> float:
    """Estimated printed width in pt of plain ``text`` at LaTeX ``size`` (``small``, ``footnotesize``,
    ``scriptsize`` of a 10 pt document; ``script``: as a super- or subscript of that size), in Computer Modern.
    Characters outside the table count 0.6 em."""
    pt, factor = (_SCRIPT_SIZES if script else _SIZES)[size]
    return sum(_EM.get(c, _UNKNOWN_EM) for c in text) * pt * factor * (_BOLD if bold else 1.0)


def unbreakable_pieces(text: str, *, breakable: bool) -> list[str]:
    """The parts of ``text`` a line cannot break inside: words, split after ``-`` (and, when ``breakable``, after
    ``_ / : @ = ,`` in words longer than :data:`LONG_WORD`), as :func:`latex_escape` allows."""
    out = []
    for word in text.split():
        seps = "-" + (_BREAK_AFTER if breakable and len(word) > LONG_WORD else "")
        out += [p for p in re.split(f"(?<=[{re.escape(seps)}])", word) if p]
    return out


def wrap_text(text: str, max_pt: float, size: str) -> list[str]:
    """``text`` as lines no wider than ``max_pt`` at ``size``, greedily: broken at spaces, and a word wider than
    that also after ``- _ / :`` (a part still wider takes a line of its own)."""
    tokens: list[tuple[str, bool]] = []  # (text, whether a space comes before it)
    for word in text.split():
        parts = re.findall(r"[^\-_/:]*[\-_/:]|[^\-_/:]+", word) if text_width(word, size) > max_pt else [word]
        tokens += [(p, k == 0) for k, p in enumerate(parts)]
    lines: list[str] = []
    line = ""
    for tok, spaced in tokens:
        joined = line + (" " if spaced and line else "") + tok
        if line and text_width(joined, size) > max_pt:
            lines.append(line)
            line = tok
        else:
            line = joined
    return [*lines, line] if line or not lines else lines
