"""How far a judge agrees with human labels: every agreement measure with its CI and n (``judgebench agree``).

The judge side is a judgebench results folder / judgment file (one pairwise label per pair, from its two games:
see ``labels.py``, ``aggregate``), a pointwise run (one rating per response, id ``<item_id>/<response index>``, the
mean of its samples; the reference is then a rating file with those ids, or the items' own ``Ratings`` targets with
``reference="target"``), or a label file in the same formats as the human file. Items are matched by id
(``pair_id`` / item column). With several human raters the reference is their consensus (majority for nominal,
lower median for ordinal, mean for interval/ratio) and the human-reliability rows are added.

``agreement_from_files`` does what the command does, from file paths; ``read_agreement_inputs`` and
``agreement_report`` are its two steps; ``agreement_json`` is the report as ``agree --json`` prints it. The tables
for people are in ``judgebench.reports.estimates``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..errors import EXIT_FAILED_JUDGMENTS, InputError, JudgebenchError
from ..metrics.ratings import RatingProtocol
from ..metrics.stats import Estimate
from .labels import LabelTable, describe_coding

MAX_CATEGORIES = 20
"""Kappa and percent agreement need categories: at most this many distinct values."""

LabelKindChoice = Literal["auto", "pairwise", "rating"]
"""How to read label files: ``auto`` (the coding read from the labels), ``pairwise`` or ``rating``."""
ReferenceChoice = Literal["labels", "target"]
"""Where the reference comes from: a human label file (``labels``) or a pointwise run's items' ratings (``target``)."""
SYSTEM_SECTION = "system level"


def rating_scale(text: str | None, values: np.ndarray, path: str | Path) -> list[float] | None:
    """The points of an integer rating scale ``"LO-HI"`` (every point a category for kappa), checked against ``values``.

    Args:
        text: ``"LO-HI"`` with integers ``LO < HI`` (e.g. ``"1-5"``), or ``None`` for no declared scale.
        values: every rating given, any shape; ``NaN`` (missing) is ignored.
        path: the label file named in the error for ratings off the scale.

    Returns:
        ``[LO, LO + 1, ..., HI]`` as floats, or ``None`` when ``text`` is ``None``.

    Raises:
        InputError: (field ``--scale``) for a text that is not ``LO-HI`` with integers ``LO < HI``; (``path``) for a
            rating outside the scale or not a whole number (mixed scales).
    """
    if text is None:
        return None
    lo_s, sep, hi_s = text.partition("-")
    try:
        lo, hi = int(lo_s), int(hi_s)
    except ValueError:
        lo = hi = 0
    if not sep or hi <= lo:
        raise InputError(f"--scale expects LO-HI with integers LO < HI, e.g. 1-5; got {text!r}", field="--scale")
    v = values[~np.isnan(values)]
    bad = sorted(set(v[(v < lo) | (v > hi) | (v != np.round(v))].tolist()))
    if bad:
        raise InputError(f"ratings {bad[:5]} are outside the scale {lo}-{hi} (mixed scales?)", path=path)
    return [float(x) for x in range(lo, hi + 1)]


@dataclass(frozen=True)
class AgreementInputs:
    """The two label sets to compare, as read from files.

    Attributes:
        human: the human labels (one or more raters).
        judge: the judge's labels (one or more raters; ``judge_row`` is the judge).
        judge_row: the row of ``judge.values`` that holds the judge.
        judge_is_results: the judge side was a results folder / judgment file (pairwise labels from its games).
        human_kind_from: why the human labels were read as their kind (for people).
        judge_kind_from: why the judge labels were read as their kind (for people).
        unit_systems: the system (response model) of each unit of a pointwise run, for the per-system measures.
        target_scale: the ``(low, high)`` scale of the items' ratings targets (``--reference target``).
        failed: ``(failed judgments, all judgments)`` of a results folder on the judge side (``(0, 0)`` for a label
            file): a failed call gives no label, so its items are left out like no-decisions, and the run is not clean.
    """

    human: LabelTable
    judge: LabelTable
    judge_row: int
    judge_is_results: bool
    human_kind_from: str
    judge_kind_from: str
    unit_systems: dict[str, str] = field(default_factory=dict)
    target_scale: tuple[float, float] | None = None
    failed: tuple[int, int] = (0, 0)


def read_agreement_inputs(
    human_path: str | Path | None,
    judge_path: str | Path,
    *,
    kind: LabelKindChoice = "auto",
    aggregate: str = "vote",
    judge_rater: str | None = None,
    reference: ReferenceChoice = "labels",
) -> AgreementInputs:
    """Read the human labels and the judge's (a results folder / judgment file, or a label file).

    Args:
        human_path: human label file (.csv, .jsonl, .json, .parquet; long or wide); ``None`` with
            ``reference="target"``.
        judge_path: a results folder or judgments.jsonl (pairwise labels, one per pair from its games under
            ``aggregate``; or, for a pointwise run, ratings: one per response, id ``<item_id>/<response index>``,
            the mean of its samples), or a label file read with the human file's kind.
        kind: how to read the label files; ``auto`` is ``pairwise`` when the judge is a pairwise results folder,
            ``rating`` when it is a pointwise one.
        aggregate: the reducer whose verdict's sign is a pair's label (see ``labels_from_results``).
        judge_rater: which rater of a multi-rater judge label file is the judge.
        reference: ``labels`` (the human file) or ``target`` (a pointwise run's items' own ``Ratings`` targets).

    Raises:
        InputError: for unreadable labels, an unknown ``judge_rater`` (field ``--judge-rater``), a judge file
            with several raters and no ``judge_rater``, both or neither of ``human_path`` and ``reference="target"``,
            ``reference="target"`` without a pointwise run, or ``kind="pairwise"`` with one.
    """
    from .labels import (
        is_pointwise_results,
        is_results_input,
        labels_from_results,
        ratings_from_results,
        ratings_from_targets,
        read_judge_results,
        read_labels,
        read_pointwise_results,
    )

    if reference == "target" and human_path is not None:
        raise InputError("--human and --reference target both name the reference; give one of them", field="--reference")
    if reference != "target" and human_path is None:
        raise InputError("no reference: give a human label file with --human, or --reference target for a pointwise run whose items carry ratings", field="--human")
    judge_is_results = is_results_input(judge_path)
    if judge_is_results and is_pointwise_results(judge_path):
        if kind == "pairwise":
            raise InputError("the judge is a pointwise run (ratings per response); --kind pairwise does not fit it", path=judge_path, field="--kind")
        results = read_pointwise_results(judge_path)
        got = ratings_from_results(results, path=str(judge_path))
        target_scale = None
        if reference == "target":
            human, target_scale = ratings_from_targets(results, path=str(judge_path))
            human_from = "the items' ratings targets (--reference target)"
        else:
            assert human_path is not None  # checked above
            human = read_labels(human_path, kind="rating")
            human_from = "rating because the judge is a pointwise run (ids <item_id>/<response index>)"
        if judge_rater is not None and judge_rater not in got.table.raters:
            raise InputError(f"no rater {judge_rater!r} in the judge labels; raters are {list(got.table.raters)}", path=judge_path, field="--judge-rater")
        judge_from = f"a pointwise results folder (ratings: the mean of up to {got.samples} sample{'s' if got.samples != 1 else ''} per response)"
        return AgreementInputs(human, got.table, 0, True, human_from, judge_from, got.unit_systems, target_scale, _failed(results))
    if reference == "target":
        raise InputError("--reference target reads the items' ratings of a pointwise run; the judge is not one", path=judge_path, field="--reference")
    assert human_path is not None
    read_kind: LabelKindChoice = kind if kind != "auto" else ("pairwise" if judge_is_results else "auto")
    kind_from = f"--kind {kind}" if kind != "auto" else ("pairwise because the judge is a results folder" if judge_is_results else "coding read from the labels")
    human = read_labels(human_path, kind=read_kind)
    failed = (0, 0)
    if judge_is_results:
        pair_results = read_judge_results(judge_path)
        failed = _failed(pair_results)
        judge = labels_from_results(pair_results, aggregate=aggregate, path=str(judge_path))
    else:
        judge = read_labels(judge_path, kind=human.kind)
    if judge_rater is not None:
        if judge_rater not in judge.raters:
            raise InputError(f"no rater {judge_rater!r} in the judge labels; raters are {list(judge.raters)}", path=judge_path, field="--judge-rater")
        row = judge.raters.index(judge_rater)
    elif len(judge.raters) > 1:
        raise InputError(f"the judge file has {len(judge.raters)} raters {list(judge.raters)[:5]}; pick one with --judge-rater", path=judge_path)
    else:
        row = 0
    judge_kind_from = "a results folder (pairwise)" if judge_is_results else f"read with the human file's kind ({human.kind})"
    return AgreementInputs(human, judge, row, judge_is_results, kind_from, judge_kind_from, failed=failed)


def _failed(results: Sequence[Any]) -> tuple[int, int]:
    """(failed judgments, all judgments) of a run's results (``analysis.failures.summarize_failures``)."""
    from .failures import summarize_failures

    summary = summarize_failures(results)
    return summary.failed, summary.total


class JudgeCallsFailed(JudgebenchError):
    """The judge's run has no label to compare: every judgment it made failed (exit code 3, as a run with failed
    judgments)."""

    exit_code = EXIT_FAILED_JUDGMENTS


def agreement_from_files(
    human_path: str | Path | None,
    judge_path: str | Path,
    *,
    kind: LabelKindChoice = "auto",
    aggregate: str = "vote",
    judge_rater: str | None = None,
    level: str | None = None,
    scale: str | None = None,
    human_ranking: str | Path | None = None,
    reference: ReferenceChoice = "labels",
    rating_protocol: RatingProtocol = "all",
    n_resamples: int = 10_000,
    seed: int = 0,
) -> dict[str, Any]:
    """``judgebench agree``: every agreement measure between the judge's labels and the humans', from files.

    Args:
        human_path, judge_path, kind, aggregate, judge_rater, reference: as ``read_agreement_inputs``.
        level: level of measurement (``nominal``, ``ordinal``, ``interval``, ``ratio``); ``None``: nominal for
            pairwise labels, interval for ratings.
        scale: an integer rating scale ``"LO-HI"`` (ratings only; see ``rating_scale``); with
            ``reference="target"`` the items' own scale when not given.
        rating_protocol: ``all`` rating measures, or ``prometheus`` (see ``agreement_report``).
        human_ranking: a ranking file (system, score or rank) to compare the judge's system ranking with.
        n_resamples, seed: the bootstrap's resamples and seed.

    Returns:
        ``agreement_report``'s dict, with ``kind_from`` added to its ``human`` and ``judge`` descriptions, and the
        judge's ``failed`` and ``judgments`` counts (a results folder's failed calls; 0 for a label file).

    Raises:
        InputError: as ``read_agreement_inputs``, ``rating_scale`` and ``agreement_report``.
        JudgeCallsFailed: (exit code 3) when every judgment of the judge's run failed.
    """
    from ..metrics.ranking import read_ranking

    inputs = read_agreement_inputs(human_path, judge_path, kind=kind, aggregate=aggregate, judge_rater=judge_rater, reference=reference)
    human, judge, row = inputs.human, inputs.judge, inputs.judge_row
    if scale is None and inputs.target_scale is not None and all(float(v).is_integer() for v in inputs.target_scale):
        scale = f"{int(inputs.target_scale[0])}-{int(inputs.target_scale[1])}"
    judge_given = np.floor(judge.values[row] + 0.5) if inputs.unit_systems else judge.values[row]  # a pointwise run's means of samples: their nearest points
    points = rating_scale(scale, np.concatenate([human.values.ravel(), judge_given]), human_path or judge_path) if human.kind == "rating" else None
    ranking = read_ranking(human_ranking) if human_ranking else None
    n_failed, n_judgments = inputs.failed
    if n_failed and np.isnan(judge.values[row]).all():
        raise JudgeCallsFailed(f"{judge_path}: the judge has no label to compare: all {n_failed} of its {n_judgments} judgments failed; rerun its bench command to retry them")
    report = agreement_report(
        human, judge, judge_row=row, level=level, scale=points, human_ranking=ranking, unit_systems=inputs.unit_systems, rating_protocol=rating_protocol, n_resamples=n_resamples, seed=seed
    )
    report["human"]["kind_from"] = inputs.human_kind_from
    report["judge"]["kind_from"] = inputs.judge_kind_from
    report["judge"]["failed"] = n_failed
    report["judge"]["judgments"] = n_judgments
    return report


def agreement_report(
    human: LabelTable,
    judge: LabelTable,
    *,
    judge_row: int = 0,
    level: str | None = None,
    scale: Sequence[float] | None = None,
    human_ranking: dict[str, float] | None = None,
    unit_systems: dict[str, str] | None = None,
    rating_protocol: RatingProtocol = "all",
    n_resamples: int = 10_000,
    seed: int = 0,
) -> dict[str, Any]:
    """Every agreement measure between a judge's labels and human labels (two ``LabelTable``s).

    Ratings get the measures of ``metrics.ratings.rating_agreement`` against the reference, per response: Pearson,
    Spearman, Kendall, MAE, quadratic-weighted kappa (means rounded to the scale's points; needs ``scale``),
    Krippendorff's alpha at the ordinal and interval levels and ICC(A,1); next to the categorical accuracy and
    Cohen's kappas. With ``unit_systems`` naming every unit's system, a ``system level`` section compares the
    systems' mean ratings. ``rating_protocol="prometheus"`` reports only Prometheus 2's three correlations of the
    judge's mean rating against the raters' mean (whatever ``level``), in place of the judge-vs-reference rows.

    Args:
        human: the human labels, ``(raters, items)``.
        judge: the judge's labels; ``judge_row`` is the row that holds the judge.
        level: level of measurement; ``None``: nominal for pairwise labels, interval for ratings.
        scale: the categories of a rating scale (kappa's labels); pairwise labels always use ``[-1, 0, 1]``.
        human_ranking: scores per system to compare the judge's Bradley-Terry ranking with (pairwise labels whose
            items name their systems); ``None``: the humans' own battles.
        unit_systems: the system of each rated unit (a pointwise run's response models), for ratings.
        rating_protocol: ``all`` or ``prometheus`` (ratings only; see above).
        n_resamples, seed: the bootstrap's resamples and seed.

    Returns:
        A dict with the inputs' description (``human``, ``judge``), ``n_overlap`` (items labelled by both),
        ``left_out`` (why items were left out: count), ``level``, ``reference`` and ``measures``: a list of
        ``(section, Estimate)`` pairs, each with a note of the items it left out (``with_coverage``).

    Raises:
        InputError: for labels of different kinds, or no item labelled by both.
    """
    from ..metrics import agreement as ag
    from ..metrics import reliability as rl
    from ..metrics.ratings import per_system, rating_agreement

    if human.kind != judge.kind:
        raise InputError(f"mixed scales: the human labels are {human.kind} ({human.coding}) but the judge's are {judge.kind} ({judge.coding})", path=judge.path)
    judge_items = {it for it, v in zip(judge.items, judge.values[judge_row], strict=True) if not np.isnan(v)}
    labelled = human.labelled_items()  # once: a set per item made this quadratic (30,000 items took a minute)
    overlap = [it for it in human.items if it in judge_items and it in labelled]
    if not overlap:
        raise InputError(
            f"no item is labelled by both the humans and the judge (human ids e.g. {list(human.items[:3])}, judge ids e.g. {sorted(judge_items)[:3]}); ids must match",
            path=human.path,
        )
    h = human.aligned(overlap)
    h = h[~np.isnan(h).all(axis=1)]
    j = judge.aligned(overlap)[judge_row]
    level = level or ("nominal" if human.kind == "pairwise" else "interval")
    ref = rl.consensus(h, level) if len(h) > 1 else h[0]  # type: ignore[arg-type]
    ref_name = "the human label" if len(h) == 1 else {"nominal": "human majority", "ordinal": "human lower median"}.get(level, "human mean")
    kw: dict[str, Any] = {"n_resamples": n_resamples, "seed": seed}
    if human.kind == "pairwise":
        scale = [-1.0, 0.0, 1.0]
    observed = sorted(set(np.concatenate([h[~np.isnan(h)], j[~np.isnan(j)]]).tolist()))
    cats = list(scale) if scale is not None else observed
    ref_on_scale = set(ref[~np.isnan(ref)].tolist()) <= set(cats)
    measures: list[tuple[str, Estimate]] = []
    sec = f"judge vs {ref_name}"
    ratings = human.kind == "rating"
    prometheus = ratings and rating_protocol == "prometheus"
    if prometheus:
        ref = rl.consensus(h, "interval") if len(h) > 1 else h[0]
        ref_name = "the human label" if len(h) == 1 else "human mean"
        sec = f"judge mean vs {ref_name} (Prometheus 2)"
    no_cat = None
    if len(cats) > MAX_CATEGORIES:
        no_cat = f"{len(cats)} distinct values: not categorical (give --scale, or use correlations)"
    elif not ref_on_scale:
        no_cat = f"the reference ({ref_name}) is not on the label scale; use --level nominal or ordinal"
    if prometheus:
        measures += [(sec, e) for e in rating_agreement(j, ref, protocol="prometheus", **kw).values()]
    elif no_cat:
        measures += [(sec, ag.undefined("accuracy", len(overlap), no_cat)), (sec, ag.undefined("Cohen's kappa", len(overlap), no_cat))]
    else:
        measures += [(sec, ag.accuracy(j, ref, **kw)), (sec, ag.cohen_kappa(j, ref, labels=cats, **kw))]
        if level != "nominal":
            measures += [(sec, ag.cohen_kappa(j, ref, labels=cats, weights=w, **kw)) for w in ("linear", "quadratic")]  # type: ignore[arg-type]
    if ratings and not prometheus:
        integer_scale = scale if scale is not None and all(float(v).is_integer() for v in scale) else None
        measures += [(sec, e) for e in rating_agreement(j, ref, integer_scale, **kw).values()]
        if level not in ("ordinal", "interval"):
            measures.append((sec, rl.krippendorff_alpha(np.vstack([j, ref]), level, **kw)))  # type: ignore[arg-type]
    elif not ratings:
        if level != "nominal":
            measures += [(sec, ag.spearman(j, ref, **kw)), (sec, ag.kendall(j, ref, **kw))]
        if level in ("interval", "ratio"):
            measures.append((sec, ag.pearson(j, ref, **kw)))
        measures.append((sec, rl.krippendorff_alpha(np.vstack([j, ref]), level, **kw)))  # type: ignore[arg-type]
    if len(h) >= 2:
        sec = f"humans ({len(h)} raters)"
        measures.append((sec, rl.krippendorff_alpha(h, level, **kw)))  # type: ignore[arg-type]
        measures.append((sec + " + judge", rl.krippendorff_alpha(np.vstack([h, j]), level, **kw)))  # type: ignore[arg-type]
        if len(cats) <= MAX_CATEGORIES:
            counts, _ = rl.category_counts(h, cats)
            measures.append((sec, rl.fleiss_kappa(counts, **kw)))
        measures += [("human baseline", e) for e in rl.human_baseline(h, j, **kw)]
    measures += [(SYSTEM_SECTION, e) for e in system_level(human, judge, overlap, ref, j, human_ranking, n_resamples=n_resamples, seed=seed)]
    named = [unit_systems.get(it, "") for it in overlap] if ratings and unit_systems and not prometheus else []
    if named and all(named):
        sec_sys = f"{SYSTEM_SECTION} (mean rating per system, {len(set(named))} systems)"
        measures += [(sec_sys, dataclasses.replace(e, name=f"{e.name} of system means")) for e in per_system(j, ref, named, **kw).values()]
    no_ref = int(np.isnan(ref).sum())
    why_ref = f"no {ref_name} (the raters' top labels tie)" if ref_name == "human majority" else f"no {ref_name}"
    human_labelled = human.labelled_items()
    left_out = {
        "only labelled by the humans (the judge gave no decision or lacks the item)": len(human_labelled - judge_items),
        "only labelled by the judge": len(judge_items - human_labelled),
    }
    if no_ref:
        left_out[f"in both but {why_ref}: left out of the judge-vs-reference measures"] = no_ref
    return {
        "human": {"path": human.path, "kind": human.kind, "coding": human.coding, "coding_description": describe_coding(human.coding), "raters": len(h), "items": len(human.items)},
        "judge": {"path": judge.path, "rater": judge.raters[judge_row], "coding": judge.coding, "coding_description": describe_coding(judge.coding), "items": len(judge.items), "labelled": len(judge_items)},
        "n_overlap": len(overlap),
        "left_out": {k: v for k, v in left_out.items() if v},
        "level": level,
        "reference": ref_name,
        "measures": [(sec, with_coverage(sec, e, len(overlap), why_ref if sec.startswith("judge vs") else None)) for sec, e in measures],
    }


def with_coverage(section: str, e: Estimate, n_items: int, why: str | None) -> Estimate:
    """``e`` with a note of how many of the ``n_items`` items in both label sets it used, and why the others were
    left out (``why``, else the usual reason of its ``section``); unchanged when it used them all, is undefined,
    or counts something other than items (``system level`` counts systems)."""
    if section.startswith(SYSTEM_SECTION) or e.n >= n_items or not e.is_defined:
        return e
    left = n_items - e.n
    reason = why or {
        "human baseline": "a tie for the most frequent label among the other humans, or a missing label",
    }.get(section, "fewer labels than this statistic needs (e.g. fewer than 2 raters on the item)")
    note = f"{e.n} of {n_items} items; {left} left out: {reason}"
    return dataclasses.replace(e, reason=f"{e.reason}; {note}" if e.reason else note)


def system_level(
    human: LabelTable,
    judge: LabelTable,
    items: Sequence[str],
    ref: np.ndarray,
    j: np.ndarray,
    ranking: dict[str, float] | None,
    *,
    n_resamples: int = 10_000,
    seed: int = 0,
) -> list[Estimate]:
    """Bradley-Terry ranking agreement, when the items name their two systems (pairwise labels only).

    Args:
        human, judge: the label tables (their ``systems`` name each item's two systems; the judge's win).
        items: the items in both, in the order of ``ref`` and ``j``.
        ref: the human reference label per item (``NaN``: none), shape ``(len(items),)``.
        j: the judge's label per item (``NaN``: none), shape ``(len(items),)``.
        ranking: scores per system to compare with; ``None``: the humans' battles on the same items.
        n_resamples, seed: the bootstrap's resamples and seed.

    Returns:
        The ``ranking_agreement`` estimates (``n`` counts systems), or ``[]`` for ratings, or when fewer than 3
        systems are named on items the judge labelled.
    """
    from ..metrics.ranking import ranking_agreement

    if human.kind != "pairwise":
        return []
    kw: dict[str, Any] = {"n_resamples": n_resamples, "seed": seed}
    systems = {**judge.systems, **human.systems}
    known = [k for k, it in enumerate(items) if it in systems and not np.isnan(j[k])]
    if not known or len({s for k in known for s in systems[items[k]]}) < 3:
        return []
    judge_battles = [(*systems[items[k]], float(j[k])) for k in known]
    if ranking is not None:
        return ranking_agreement(judge_battles, ranking, **kw)
    both = [n for n, k in enumerate(known) if not np.isnan(ref[k])]
    human_battles = [(*systems[items[known[n]]], float(ref[known[n]])) for n in both]
    return ranking_agreement([judge_battles[n] for n in both], human_battles, **kw)


def agreement_json(report: dict[str, Any]) -> dict[str, Any]:
    """``report`` (``agreement_report``'s dict) as ``agree --json`` prints it: every measure a dict
    (``Estimate.to_dict()``) with its ``section``, ``n_items`` (items in both) and ``n_left_out`` (``None`` for
    system-level rows, which count systems)."""
    n_items = report["n_overlap"]
    out = {k: v for k, v in report.items() if k != "measures"}
    out["measures"] = [{"section": s, **e.to_dict(), "n_items": n_items, "n_left_out": max(0, n_items - e.n) if not s.startswith(SYSTEM_SECTION) else None} for s, e in report["measures"]]
    return out
