"""Extra sections of the HTML report, registered by the analyses that make them (weakness profiles, juries,
per-dimension ratings, certainty, K-wise rankings): each is a function of the report's runs that returns a
:class:`ReportSection` or ``None`` (nothing to show for these runs).

A module ``judgebench/reports/section_<name>.py`` registers its section at import (``register_section``); the
report imports every such module (:func:`load_sections`), so adding a section edits no other file. Everything in a
section is text: the template escapes it, and figures are PNG bytes shown as ``data:`` URIs.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SectionTable:
    """A table of a section: its header cells and rows of cell texts (all plain text)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    title: str = ""


@dataclass(frozen=True)
class ReportSection:
    """One section of the report: an anchor id (letters, digits, ``-``), a title, tables, notes (plain text) and
    figures (PNG bytes with a caption)."""

    id: str
    title: str
    tables: tuple[SectionTable, ...] = ()
    notes: tuple[str, ...] = ()
    figures: tuple[tuple[bytes, str], ...] = ()
    order: int = field(default=100, compare=False)


SectionMaker = Callable[..., "ReportSection | None"]
"""``maker(runs, names=None)`` -> a section for the report's runs (``reports.leaderboard.LoadedRun``), or None."""

_SECTIONS: dict[str, SectionMaker] = {}


def register_section(name: str) -> Callable[[SectionMaker], SectionMaker]:
    """Decorator: register ``maker`` as the report section ``name``.

    Raises:
        ValueError: when another section has the name.
    """

    def wrap(maker: SectionMaker) -> SectionMaker:
        if name in _SECTIONS and _SECTIONS[name] is not maker:
            raise ValueError(f"report section {name!r} is registered twice")
        _SECTIONS[name] = maker
        return maker

    return wrap


def load_sections() -> dict[str, SectionMaker]:
    """Every registered section, after importing each ``judgebench/reports/section_*.py`` module."""
    from . import __path__ as here

    for mod in pkgutil.iter_modules(here):
        if mod.name.startswith("section_"):
            importlib.import_module(f"{__package__}.{mod.name}")
    return dict(_SECTIONS)


def report_sections(runs: Sequence[Any], names: Any = None) -> list[ReportSection]:
    """The sections the runs have (each maker's answer that is not None), by ``order`` then title."""
    out = [s for maker in load_sections().values() if (s := maker(runs, names=names)) is not None]
    return sorted(out, key=lambda s: (s.order, s.title))
