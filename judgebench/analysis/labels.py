"""Read human and judge labels: pairwise preferences or scalar ratings, long or wide, CSV / JSONL / JSON / Parquet.

Pairwise codings (one per file; case and surrounding spaces ignored), all read as numbers so that the ordinal
levels order them: ``A>B`` -> ``1``, ``A=B`` -> ``0``, ``B>A`` -> ``-1``:

* ``A>B`` / ``B>A`` / ``A=B`` (judgebench, JudgeBench);
* ``model_a`` / ``model_b`` / ``tie`` (and ``tie (bothbad)``; Chatbot Arena);
* ``1`` / ``2`` / ``0`` = A better / B better / tie (numbers; read as pairwise only with ``kind="pairwise"``, or
  when the judge side is a pairwise results folder). A file of numbers that all lie in ``{0, 1, 2}`` read with
  ``kind="auto"`` is an error that asks for ``kind`` (pairwise or rating): both readings fit, and guessing wrong
  silently turns preferences into ratings.

Ratings: any finite numbers (Likert 1-5, 1-10, continuous scores). An empty cell, ``null`` or ``NaN`` is a
missing label.

Layouts: **long**, one label per row with an item column, a label column and (for several raters) a rater
column; **wide**, one row per item, an item column and one column per rater. Column names are matched
case-insensitively against the aliases below unless given explicitly. Optional ``model_a`` / ``model_b``
columns name the two systems compared in an item (for system-level rankings).

Errors name the file, the line (row; the header is line 1 of a CSV) and the field: unknown codes, numbers mixed
with pairwise codes, two pairwise codings in one file, duplicate (item, rater) labels, missing columns.

A judge's results become one label per pair in the item's (A, B) frame (``aggregate``): the protocol reads each
view back into the item's frame (``protocols.Pairwise().combine``) and the label is the sign of the verdict of the
registered reducer named (``protocols.REDUCERS``; no decision in any view = missing):

* ``vote`` (default): the sign of ``#A>B - #B>A``, i.e. the label the JudgeBench vote rule credits. Consistent
  views give their decision; opposite decisions (``A>B`` then ``B>A``) give a tie; a decision plus a tie or a
  no-decision gives the decision.
* ``average``: the sign of the mean verdict, which is the vote's label (the mean's sign is the sum's).
* ``first``: the first view only (game 1).
* ``strict``: consistent views give their decision, any inconsistency gives a tie.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..errors import InputError
from ..files import iter_jsonl, iter_rows
from ..protocols import REDUCERS, Pointwise, ReducerName, get_reducer
from ..schema import Decision, ItemResult, Ratings

LabelKind = Literal["pairwise", "rating"]
Aggregate = ReducerName
AGGREGATES: tuple[str, ...] = tuple(REDUCERS)
"""The ways to make one label of a judge's views (``--aggregate``): the reducer registry's names."""
CODING_DESCRIPTIONS = {
    "A>B": "pairwise: A>B / B>A / A=B",
    "model_a": "pairwise: model_a / model_b / tie (Chatbot Arena)",
    "1/2/0": "pairwise: 1 = A better, 2 = B better, 0 = tie",
    "rating": "ratings (numbers)",
}
"""What each ``LabelTable.coding`` means, as ``agree`` prints it; results folders read ``results (<aggregate>)``."""


def describe_coding(coding: str) -> str:
    """A readable description of a label table's coding (see ``CODING_DESCRIPTIONS``)."""
    if coding.startswith("results"):
        return f"pairwise from a judge's games, {coding}"
    return CODING_DESCRIPTIONS.get(coding, coding)
_STRING_CODINGS: dict[str, dict[str, float]] = {
    "A>B": {"a>b": 1.0, "b>a": -1.0, "a=b": 0.0},
    "model_a": {"model_a": 1.0, "model_b": -1.0, "tie": 0.0, "tie (bothbad)": 0.0},
}
_NUMERIC_CODING = {1.0: 1.0, 2.0: -1.0, 0.0: 0.0}
ITEM_COLUMNS = ("item", "item_id", "pair_id", "id", "question_id", "uid")
RATER_COLUMNS = ("rater", "rater_id", "annotator", "annotator_id", "judge", "judge_id", "worker", "worker_id", "user")
LABEL_COLUMNS = ("label", "winner", "preference", "verdict", "decision", "rating", "score")
SYSTEM_COLUMNS = ("model_a", "model_b")
WIDE_IGNORED = ("question", "prompt", "text", "response_a", "response_b", "source", "category", "turn", "tstamp")
SUFFIXES = (".csv", ".jsonl", ".json", ".parquet")
_ACCEPTED = "A>B, B>A, A=B; model_a, model_b, tie; 1, 2, 0 (pairwise) or a number (rating)"


@dataclass(frozen=True, eq=False)
class LabelTable:
    """Labels of one or more raters on items.

    ``values`` is ``(raters, items)`` (Krippendorff's orientation), float, ``NaN`` = missing; pairwise labels are
    coded ``1`` (A>B), ``0`` (A=B), ``-1`` (B>A). ``systems`` maps an item to the two systems it compares, when known.
    """

    kind: LabelKind
    items: tuple[str, ...]
    raters: tuple[str, ...]
    values: np.ndarray
    path: str
    coding: str
    systems: dict[str, tuple[str, str]] = field(default_factory=dict)

    def aligned(self, items: Sequence[str]) -> np.ndarray:
        """``(raters, len(items))`` values in the order of ``items``; ``NaN`` for items this table lacks."""
        pos = {it: i for i, it in enumerate(self.items)}
        out = np.full((len(self.raters), len(items)), np.nan)
        for j, it in enumerate(items):
            if it in pos:
                out[:, j] = self.values[:, pos[it]]
        return out

    def labelled_items(self) -> set[str]:
        """Items with at least one label."""
        return {it for it, ok in zip(self.items, (~np.isnan(self.values)).any(axis=0), strict=True) if ok}


def _item_id(v: Any, *, path: Path, line: int, name: str) -> str:
    if v is None or isinstance(v, bool) or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == "":
        raise InputError("missing item id", path=path, line=line, field=name)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _is_missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and v.strip() in ("", "nan", "NaN", "null", "None"))


def _classify(v: Any) -> tuple[str, float] | None:
    """``(family, value)`` of one raw label (``family``: a string coding or ``"number"``); ``None`` if unknown."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float, np.integer, np.floating)):
        x = float(v)
        return ("number", x) if math.isfinite(x) else None
    if isinstance(v, str):
        low = " ".join(v.strip().lower().split())
        for fam, codes in _STRING_CODINGS.items():
            if low in codes:
                return fam, codes[low]
        try:
            x = float(low)
        except ValueError:
            return None
        return ("number", x) if math.isfinite(x) else None
    return None


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError("file not found", path=path)
    if suffix == ".csv":
        try:
            with path.open(newline="", encoding="utf-8-sig") as f:  # -sig: spreadsheets write a BOM
                reader = csv.DictReader(f)
                if reader.fieldnames is None:
                    return
                for row in reader:
                    yield reader.line_num, {k: v for k, v in row.items() if k is not None}
        except UnicodeDecodeError:
            raise InputError("not valid UTF-8 text; is this a binary file or another encoding?", path=path) from None
        except csv.Error as e:
            raise InputError(f"malformed CSV: {e}", path=path) from None
    elif suffix in SUFFIXES:
        yield from iter_rows(path, what="label file")
    else:
        raise InputError(f"unsupported label file type {suffix!r}; use {', '.join(SUFFIXES)}", path=path)


def _pick(columns: Iterable[str], wanted: str | None, aliases: Sequence[str], what: str, path: Path, required: bool) -> str | None:
    cols = list(columns)
    if wanted is not None:
        if wanted not in cols:
            raise InputError(f"no {what} column {wanted!r}; columns are {cols}", path=path, field=wanted)
        return wanted
    lower = {c.lower(): c for c in cols}
    for a in aliases:
        if a in lower:
            return lower[a]
    if required:
        raise InputError(f"no {what} column; name one of {', '.join(aliases)} (columns are {cols})", path=path)
    return None


def read_labels(
    path: str | Path,
    *,
    kind: Literal["auto", "pairwise", "rating"] = "auto",
    layout: Literal["auto", "long", "wide"] = "auto",
    item_column: str | None = None,
    rater_column: str | None = None,
    label_column: str | None = None,
    default_rater: str | None = None,
) -> LabelTable:
    """Read a label file into a :class:`LabelTable` (see the module docstring for formats and codings).

    Args:
        kind: ``pairwise``, ``rating``, or ``auto`` (pairwise when the file uses a string coding, else rating).
        layout: ``long``, ``wide``, or ``auto`` (long when a label column exists).
        default_rater: rater name for a long file without a rater column (default: the file name's stem).

    Raises:
        InputError: naming file, line and field, for every problem listed in the module docstring.
    """
    path = Path(path)
    rows = list(_rows(path))
    if not rows:
        raise InputError("no labels in file (empty)", path=path)
    columns = list(dict.fromkeys(k for _, r in rows for k in r))
    item_col = _pick(columns, item_column, ITEM_COLUMNS, "item id", path, True)
    assert item_col is not None  # required=True raises instead
    label_col = _pick(columns, label_column, LABEL_COLUMNS, "label", path, layout == "long")
    sys_cols = [c for c in columns if c.lower() in SYSTEM_COLUMNS]
    if layout == "wide" or (layout == "auto" and label_col is None):
        rater_cols = [c for c in columns if c != item_col and c not in sys_cols and c.lower() not in WIDE_IGNORED]
        if not rater_cols:
            raise InputError(f"wide layout needs one column per rater besides {item_col!r}; columns are {columns}", path=path)
        cells = [(line, _item_id(r.get(item_col), path=path, line=line, name=str(item_col)), c, r.get(c), c) for line, r in rows for c in rater_cols]
    else:
        rater_col = _pick(columns, rater_column, RATER_COLUMNS, "rater", path, False)
        fallback = default_rater or path.stem
        cells = [
            (line, _item_id(r.get(item_col), path=path, line=line, name=str(item_col)), str(r.get(rater_col) or fallback) if rater_col else fallback, r.get(str(label_col)), str(label_col))
            for line, r in rows
        ]
    families: dict[str, tuple[int, str, Any]] = {}
    parsed: list[tuple[int, str, str, str, float, Any, str]] = []
    for line, item, rater, raw, fname in cells:
        if _is_missing(raw):
            continue
        got = _classify(raw)
        if got is None:
            raise InputError(f"unknown label {raw!r}; expected one of {_ACCEPTED}", path=path, line=line, field=fname)
        families.setdefault(got[0], (line, fname, raw))
        parsed.append((line, item, rater, got[0], got[1], raw, fname))
    resolved, coding = _resolve_kind(families, kind, path, {v for _, _, _, fam, v, _, _ in parsed if fam == "number"})
    table: dict[tuple[str, str], tuple[float, int]] = {}
    items: dict[str, None] = {}
    raters: dict[str, None] = {}
    for line, item, rater, fam, value, raw, fname in parsed:
        if resolved == "pairwise" and fam == "number":
            if value not in _NUMERIC_CODING:
                raise InputError(f"unknown pairwise code {raw!r}; numbers code 1 = A better, 2 = B better, 0 = tie", path=path, line=line, field=fname)
            value = _NUMERIC_CODING[value]
        if (item, rater) in table:
            raise InputError(f"duplicate label for item {item!r} by rater {rater!r} (first at line {table[item, rater][1]})", path=path, line=line, field=fname)
        table[item, rater] = (value, line)
        items.setdefault(item)
        raters.setdefault(rater)
    for line, r in rows:  # items with no label at all still count as items (all missing)
        items.setdefault(_item_id(r.get(item_col), path=path, line=line, name=str(item_col)))
    if not table:
        raise InputError("no labels in file (every label is empty)", path=path)
    item_list, rater_list = list(items), list(raters)
    ipos = {it: j for j, it in enumerate(item_list)}
    rpos = {ra: i for i, ra in enumerate(rater_list)}
    values = np.full((len(rater_list), len(item_list)), np.nan)
    for (item, rater), (value, _) in table.items():
        values[rpos[rater], ipos[item]] = value
    return LabelTable(resolved, tuple(item_list), tuple(rater_list), values, str(path), coding, _systems(rows, item_col, sys_cols, path))


def _resolve_kind(families: dict[str, tuple[int, str, Any]], kind: str, path: Path, numbers: Iterable[float] = ()) -> tuple[LabelKind, str]:
    """The kind and coding of a file from the label families seen in it (``numbers``: the distinct numeric values).

    Raises:
        InputError: for two string codings, numbers mixed with a string coding, strings with ``kind="rating"``,
            and, with ``kind="auto"``, numbers that all lie in ``{0, 1, 2}`` (pairwise 1/2/0 or ratings: ambiguous).
    """
    strings = [f for f in families if f != "number"]
    if len(strings) > 1:
        (l1, _, r1), (l2, f2, r2) = families[strings[0]], families[strings[1]]
        raise InputError(f"mixed label codings: {r1!r} (line {l1}) and {r2!r}; use one coding per file", path=path, line=l2, field=f2)
    if kind == "rating":
        if strings:
            line, fname, raw = families[strings[0]]
            raise InputError(f"{raw!r} is not a number; a rating file holds numbers (pairwise labels need --kind pairwise)", path=path, line=line, field=fname)
        return "rating", "rating"
    if strings and "number" in families:
        line, fname, raw = families["number"]
        first = families[strings[0]]
        raise InputError(f"mixed scales: number {raw!r} in a file of pairwise labels ({first[2]!r} at line {first[0]})", path=path, line=line, field=fname)
    if strings:
        return "pairwise", strings[0]
    if kind == "pairwise":
        return "pairwise", "1/2/0"
    if kind == "auto" and "number" in families and set(numbers) <= set(_NUMERIC_CODING):
        line, fname, raw = families["number"]
        raise InputError(
            f"the labels are all in {{0, 1, 2}} ({', '.join(f'{v:g}' for v in sorted(numbers))}), which fits two codings: pairwise "
            "(1 = A better, 2 = B better, 0 = tie) or ratings on a numeric scale; say which with --kind pairwise or --kind rating",
            path=path,
            line=line,
            field=fname,
        )
    return "rating", "rating"


def _systems(rows: list[tuple[int, dict[str, Any]]], item_col: str | None, sys_cols: list[str], path: Path) -> dict[str, tuple[str, str]]:
    if len(sys_cols) != 2 or item_col is None:
        return {}
    a_col, b_col = sorted(sys_cols, key=str.lower)
    out: dict[str, tuple[str, str]] = {}
    for line, r in rows:
        a, b = r.get(a_col), r.get(b_col)
        if _is_missing(a) or _is_missing(b):
            continue
        item = _item_id(r.get(item_col), path=path, line=line, name=item_col)
        pair = (str(a).strip(), str(b).strip())
        if out.setdefault(item, pair) != pair:
            raise InputError(f"item {item!r} compares {out[item]} elsewhere but {pair} here", path=path, line=line, field=a_col)
    return out


# ---------------------------------------------------------------------------------------------------------------
# judge results -> labels


def aggregate_decisions(decisions: Sequence[Decision], aggregate: str = "vote") -> float:
    """One pairwise label (``1``, ``0``, ``-1``, or ``NaN`` = no decision) from decisions in the item's frame: the
    sign of the reducer's verdict (``protocols.REDUCERS[aggregate].verdict``).

    Raises:
        InputError: for an unknown aggregate, naming the known ones.
    """
    verdict = get_reducer(aggregate).verdict(decisions)
    return float(np.sign(verdict)) if not math.isnan(verdict) else math.nan


def labels_from_results(results: Sequence[ItemResult], *, aggregate: str = "vote", path: str = "", rater: str | None = None) -> LabelTable:
    """A judge's pairwise labels from its results, one per pair (``aggregate``: see the module docstring).

    Raises:
        InputError: for an unknown aggregate.
    """
    from .bias import side_models
    from .scoring import original_frame

    get_reducer(aggregate)  # an unknown aggregate fails before anything is read
    name = rater or (f"{results[0].judge}:{results[0].model}" if results and results[0].model else (results[0].judge if results else "judge"))
    values = np.array([[aggregate_decisions(original_frame(r), aggregate) for r in results]], dtype=float)
    systems = {r.pair_id: s for r in results if (s := side_models(r.pair)) is not None}
    return LabelTable("pairwise", tuple(r.pair_id for r in results), (name,), values, path, f"results ({aggregate})", systems)


def is_results_input(path: str | Path) -> bool:
    """Whether ``path`` is a judgebench results folder or a judgment file (rather than a label file)."""
    p = Path(path)
    if p.is_dir():
        return True
    if p.suffix.lower() != ".jsonl" or not p.exists():
        return False
    for _, row in iter_jsonl(p, judgments=True):
        return ("games" in row and "pair" in row) or "schema_version" in row or "judgments" in row
    return False


def read_judge_results(path: str | Path) -> tuple[ItemResult, ...]:
    """The pair results of one run: a results folder holding one ``judgments.jsonl``, or a judgment file.

    Raises:
        InputError: for a folder with no run or several runs.
    """
    from .replay import read_judgment_file

    p = Path(path)
    if p.is_dir():
        found = sorted(p.rglob("judgments.jsonl"))
        if not found:
            raise InputError("no judgments.jsonl in this folder (is it a judgebench results folder?)", path=p)
        if len(found) > 1:
            raise InputError(f"{len(found)} runs under this folder; point at one of: {', '.join(str(f.parent) for f in found[:5])}", path=p)
        p = found[0]
    return read_judgment_file(p).results


# ---------------------------------------------------------------------------------------------------------------
# pointwise results -> ratings
#
# A pointwise run's unit is one response: its label id is ``<item_id>/<i>``, ``i`` the response's index in the item
# (from 0), for every item, one response or several (one rule, so that a label file can be written for any run:
# a human file rates ``q1/0``, ``q1/1``, ...). The judge's rating of a response is the mean of its samples' ratings
# (failed or unparsed samples left out; none left: missing).


def unit_id(item_id: str, response: int) -> str:
    """The label id of response ``response`` (its index, from 0) of item ``item_id``: ``<item_id>/<response>``."""
    return f"{item_id}/{response}"


def results_file(path: str | Path) -> Path:
    """The judgment file of a results folder (its one ``judgments.jsonl``) or the file itself.

    Raises:
        InputError: for a folder with no run or several runs.
    """
    p = Path(path)
    if not p.is_dir():
        return p
    found = sorted(p.rglob("judgments.jsonl"))
    if not found:
        raise InputError("no judgments.jsonl in this folder (is it a judgebench results folder?)", path=p)
    if len(found) > 1:
        raise InputError(f"{len(found)} runs under this folder; point at one of: {', '.join(str(f.parent) for f in found[:5])}", path=p)
    return found[0]


def is_pointwise_results(path: str | Path) -> bool:
    """Whether a results folder / judgment file holds a pointwise run (its first line's protocol is ``pointwise``,
    or a judgment carries a ``rating``)."""
    p = results_file(path)
    for _, row in iter_jsonl(p, judgments=True):
        judgments = row.get("judgments")
        return str(row.get("protocol") or "").startswith("pointwise") or (isinstance(judgments, list) and any(isinstance(g, dict) and g.get("rating") is not None for g in judgments))
    return False


def read_pointwise_results(path: str | Path) -> tuple[ItemResult, ...]:
    """The item results of a pointwise run (a results folder or its ``judgments.jsonl``).

    Raises:
        InputError: for a malformed line (file and line named), a duplicate item id, or an empty file.
    """
    p = results_file(path)
    out: list[ItemResult] = []
    seen: set[str] = set()
    for line, row in iter_jsonl(p, judgments=True):
        try:
            result = ItemResult.from_dict(row)
        except (KeyError, TypeError, ValueError) as e:
            raise InputError(f"malformed judgebench result line: {e!r}", path=p, line=line) from None
        if result.item_id in seen:
            raise InputError(f"duplicate item id {result.item_id!r}", path=p, line=line, field="item_id")
        seen.add(result.item_id)
        out.append(result)
    if not out:
        raise InputError("no judgments in file (empty)", path=p)
    return tuple(out)


@dataclass(frozen=True)
class PointwiseRatings:
    """A pointwise run read as ratings: the judge's ``LabelTable`` (one rater, one unit per response), the system
    (response model) of each unit (``""`` when unnamed), and the number of samples per response (the most seen)."""

    table: LabelTable
    unit_systems: dict[str, str]
    samples: int


def ratings_from_results(results: Sequence[ItemResult], *, path: str = "", rater: str | None = None) -> PointwiseRatings:
    """A pointwise judge's ratings, one per response (``<item_id>/<i>``): the mean of its samples' ratings."""
    name = rater or (f"{results[0].judge}:{results[0].model}" if results and results[0].model else (results[0].judge if results else "judge"))
    units: list[str] = []
    values: list[float] = []
    systems: dict[str, str] = {}
    samples = 0
    for r in results:
        pred = Pointwise().combine(r.item, r.judgments)
        for i, resp in enumerate(r.item.responses):
            uid = unit_id(r.item_id, i)
            units.append(uid)
            mean = pred.mean(i)
            values.append(math.nan if mean is None else float(mean))
            systems[uid] = resp.model
            samples = max(samples, len(pred.ratings.get(i, ())))
    table = LabelTable("rating", tuple(units), (name,), np.array([values], dtype=float).reshape(1, len(units)), path, "rating")
    return PointwiseRatings(table, systems, samples)


def ratings_from_targets(results: Sequence[ItemResult], *, dimension: str | None = None, path: str = "") -> tuple[LabelTable, tuple[float, float]]:
    """The items' own ``Ratings`` targets as a label table (one row per rater, one unit per response), and their scale.

    Args:
        dimension: the rated dimension; ``None``: ``overall``, or the only one.

    Raises:
        InputError: (field ``--reference``) when no item carries a ``Ratings`` target, the dimension is missing or
            ambiguous, or items use different scales.
    """
    rated = [r for r in results if isinstance(r.item.target, Ratings)]
    if not rated:
        raise InputError("no item in this run carries a ratings target; give a human label file with --human instead", path=path, field="--reference")
    scales = {r.item.target.scale for r in rated if isinstance(r.item.target, Ratings)}
    if len(scales) > 1:
        raise InputError(f"the items' ratings use different scales {sorted(scales)}", path=path, field="--reference")
    raters: dict[str, None] = {}
    cells: dict[tuple[str, str], float] = {}
    units: list[str] = []
    for r in results:
        target = r.item.target
        for i in range(len(r.item.responses)):
            units.append(unit_id(r.item_id, i))
        if not isinstance(target, Ratings):
            continue
        dims = list(target.values)
        dim = dimension or ("overall" if "overall" in dims else (dims[0] if len(dims) == 1 else None))
        if dim is None or dim not in target.values:
            raise InputError(f"item {r.item_id!r} rates {dims}; name the dimension to compare", path=path, field="--reference")
        for i, per_rater in enumerate(target.values[dim]):
            for k, v in enumerate(per_rater):
                who = target.raters[k] if k < len(target.raters) else f"rater {k + 1}"
                raters.setdefault(who)
                if v is not None:
                    cells[unit_id(r.item_id, i), who] = float(v)
    rater_list = list(raters) or ["target"]
    values = np.full((len(rater_list), len(units)), np.nan)
    upos = {u: j for j, u in enumerate(units)}
    rpos = {w: k for k, w in enumerate(rater_list)}
    for (u, w), v in cells.items():
        values[rpos[w], upos[u]] = v
    (scale,) = scales
    return LabelTable("rating", tuple(units), tuple(rater_list), values, path, "rating"), scale
