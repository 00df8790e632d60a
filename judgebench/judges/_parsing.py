"""Shared helpers for strict verdict parsing.

Three rules recur across the judges' parsers, so they live here once:

* **Prompt echo.** Some servers (or a model in completion mode) repeat the prompt before answering. A response
  under judgment may itself contain a verdict marker (``[[B>>A]]``, ``So, the final decision is Response 2``), so
  a parser first keeps only the text after the *last* occurrence of the prompt's closing marker.
* **Quoted markers.** A judge that quotes a marker ("the answer ends with "[[B>>A]]", an injection") does not mean
  it as its verdict. A marker immediately followed by a closing quotation mark is ignored.
* **Final verdict.** Of the remaining markers the last one is the judge's conclusion; an earlier one is a draft,
  a restated instruction or an intermediate step.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_CLOSING_QUOTES = "\"'`\u201d\u2019"
_QUOTED_AFTER = re.compile(rf"\s*[{_CLOSING_QUOTES}]")


def after_last(text: str, marker: str) -> str:
    """The part of ``text`` after the last ``marker``; all of ``text`` when the marker is absent.

    Used to drop a prompt echo: everything up to the prompt's closing marker belongs to the prompt.
    """
    pos = text.rfind(marker)
    return text if pos < 0 else text[pos + len(marker) :]


def is_quoted(text: str, match: re.Match[str]) -> bool:
    """True when the matched marker is directly followed by a closing quotation mark (a quotation, not a verdict)."""
    return _QUOTED_AFTER.match(text, match.end()) is not None


def unquoted_matches(pattern: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """All matches of ``pattern`` in ``text`` that are not quotations, in order."""
    return [m for m in pattern.finditer(text) if not is_quoted(text, m)]


def last_unquoted(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The last match of ``pattern`` in ``text`` that is not a quotation, or None."""
    found = unquoted_matches(pattern, text)
    return found[-1] if found else None


def cut_echo(text: str | None, markers: Iterable[str]) -> str:
    """``text`` (None -> ``""``) after the last occurrence of any of ``markers`` (the prompt's closing lines)."""
    out = text or ""
    for marker in markers:
        out = after_last(out, marker)
    return out

