"""``judgebench agree``: how far does a judge agree with human labels? Every measure with its CI and n.

The judge side is a judgebench results folder / judgment file (one pairwise label per pair, from its two games:
see ``labels.py``, ``--aggregate``) or a label file in the same formats as the human file. Items are matched by id
(``pair_id`` / item column). With several human raters the reference is their consensus (majority for nominal,
lower median for ordinal, mean for interval/ratio) and the human-reliability rows are added.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any, Literal

from ..analysis.labels import describe_coding
from ..errors import InputError
from ..protocols import REDUCERS

HELP = "agreement of a judge with human labels: accuracy, Cohen's kappa, Krippendorff's alpha, correlations, human baseline"
MAX_CATEGORIES = 20
"""Kappa and percent agreement need categories: at most this many distinct values."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--human", required=True, help="human label file (.csv, .jsonl, .json, .parquet; long or wide)")
    p.add_argument("--judge", required=True, help="judge results folder or judgments.jsonl, or a judge label file")
    p.add_argument("--level", choices=("nominal", "ordinal", "interval", "ratio"), default=None, help="level of measurement (default: nominal for pairwise labels, interval for ratings)")
    p.add_argument("--kind", choices=("auto", "pairwise", "rating"), default="auto", help="how to read label files (default auto; pairwise when the judge is a results folder)")
    p.add_argument(
        "--aggregate", choices=tuple(REDUCERS), default="vote", help="one label per pair from a judge's two games: the sign of that reducer's verdict (default vote; see README)"
    )
    p.add_argument("--judge-rater", default=None, help="which rater of a multi-rater judge label file is the judge")
    p.add_argument("--scale", default=None, metavar="LO-HI", help="integer rating scale, e.g. 1-5: every point is a category for kappa; ratings outside are an error")
    p.add_argument("--human-ranking", default=None, help="a ranking file (system, score or rank) to compare the judge's system ranking with")
    p.add_argument("--resamples", type=int, default=10_000, help="bootstrap resamples (default 10000)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _scale(text: str | None, values: Any, path: str) -> list[float] | None:
    import numpy as np

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


def agreement_report(human: Any, judge: Any, *, judge_row: int = 0, level: str | None = None, scale: Sequence[float] | None = None, human_ranking: dict[str, float] | None = None, n_resamples: int = 10_000, seed: int = 0) -> dict[str, Any]:
    """Every agreement measure between a judge's labels and human labels (two ``LabelTable``s).

    Returns:
        A dict with the inputs' description, ``n_overlap``, ``level``, ``reference`` and ``measures``: a list of
        ``(section, Estimate)`` pairs.

    Raises:
        InputError: for labels of different kinds, or no item labelled by both.
    """
    import numpy as np

    from ..metrics import agreement as ag
    from ..metrics import reliability as rl

    if human.kind != judge.kind:
        raise InputError(f"mixed scales: the human labels are {human.kind} ({human.coding}) but the judge's are {judge.kind} ({judge.coding})", path=judge.path)
    judge_items = {it for it, v in zip(judge.items, judge.values[judge_row], strict=True) if not np.isnan(v)}
    overlap = [it for it in human.items if it in judge_items and it in human.labelled_items()]
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
    measures: list[tuple[str, Any]] = []
    sec = f"judge vs {ref_name}"
    no_cat = None
    if len(cats) > MAX_CATEGORIES:
        no_cat = f"{len(cats)} distinct values: not categorical (give --scale, or use correlations)"
    elif not ref_on_scale:
        no_cat = f"the reference ({ref_name}) is not on the label scale; use --level nominal or ordinal"
    if no_cat:
        measures += [(sec, ag.undefined("accuracy", len(overlap), no_cat)), (sec, ag.undefined("Cohen's kappa", len(overlap), no_cat))]
    else:
        measures += [(sec, ag.accuracy(j, ref, **kw)), (sec, ag.cohen_kappa(j, ref, labels=cats, **kw))]
        if level != "nominal":
            measures += [(sec, ag.cohen_kappa(j, ref, labels=cats, weights=w, **kw)) for w in ("linear", "quadratic")]  # type: ignore[arg-type]
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
    measures += [("system level", e) for e in _system_level(human, judge, overlap, ref, j, human_ranking, kw)]
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


def with_coverage(section: str, e: Any, n_items: int, why: str | None) -> Any:
    """``e`` with a note of how many of the ``n_items`` items in both label sets it used, and why the others were
    left out; unchanged when it used them all (or counts something other than items, e.g. systems)."""
    import dataclasses

    if section == "system level" or e.n >= n_items or not e.is_defined:
        return e
    left = n_items - e.n
    reason = why or {
        "human baseline": "a tie for the most frequent label among the other humans, or a missing label",
    }.get(section, "fewer labels than this statistic needs (e.g. fewer than 2 raters on the item)")
    note = f"{e.n} of {n_items} items; {left} left out: {reason}"
    return dataclasses.replace(e, reason=f"{e.reason}; {note}" if e.reason else note)


def _system_level(human: Any, judge: Any, items: list[str], ref: Any, j: Any, ranking: dict[str, float] | None, kw: dict[str, Any]) -> list[Any]:
    """Bradley-Terry ranking agreement, when the items name their two systems (pairwise labels only)."""
    import numpy as np

    from ..metrics.ranking import ranking_agreement

    if human.kind != "pairwise":
        return []
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


def _fmt(x: float | None, digits: int = 3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def estimate_rows(measures: Sequence[tuple[str, Any]]) -> list[dict[str, str]]:
    """Table rows (strings) for ``(section, Estimate)`` pairs; an undefined value reads ``undefined``."""
    rows = []
    for section, e in measures:
        boot = e.interval("bootstrap")
        other = next((i for i in e.intervals if not i.method.startswith("bootstrap")), None)
        p = "–" if e.p_value is None else (f"{e.p_value:.2g}" if e.p_value >= 1e-4 else "<1e-4")
        rows.append(
            {
                "section": section,
                "measure": e.name,
                "value": _fmt(e.value) if e.is_defined else "undefined",
                "ci": f"[{boot.low:.3f}, {boot.high:.3f}]" if boot else "–",
                "analytic": f"[{other.low:.3f}, {other.high:.3f}] {other.method}" if other else "–",
                "p": p,
                "n": str(e.n),
                "note": e.reason or "",
            }
        )
    return rows


def render_estimates(measures: Sequence[tuple[str, Any]]) -> str:
    """A Markdown table of ``(section, Estimate)`` pairs: value, 95% bootstrap CI, analytic CI, p, n, note."""
    from ..reports.tables import Column, to_markdown

    cols = [
        Column("section", "Compared", None),
        Column("measure", "Measure", None),
        Column("value", "Value", None),
        Column("ci", "95% CI (bootstrap)", None),
        Column("analytic", "95% CI (analytic)", None),
        Column("p", "p", None),
        Column("n", "n", None),
        Column("note", "Note", None),
    ]
    return to_markdown(estimate_rows(measures), cols)


def run(args: argparse.Namespace) -> int:
    from ..analysis.labels import is_results_input, labels_from_results, read_judge_results, read_labels
    from ..metrics.ranking import read_ranking

    judge_is_results = is_results_input(args.judge)
    kind: Literal["auto", "pairwise", "rating"] = args.kind if args.kind != "auto" else ("pairwise" if judge_is_results else "auto")
    kind_from = f"--kind {args.kind}" if args.kind != "auto" else ("pairwise because the judge is a results folder" if judge_is_results else "coding read from the labels")
    human = read_labels(args.human, kind=kind)
    if judge_is_results:
        judge = labels_from_results(read_judge_results(args.judge), aggregate=args.aggregate, path=str(args.judge))
    else:
        judge = read_labels(args.judge, kind=human.kind)
    if args.judge_rater is not None:
        if args.judge_rater not in judge.raters:
            raise InputError(f"no rater {args.judge_rater!r} in the judge labels; raters are {list(judge.raters)}", path=args.judge, field="--judge-rater")
        row = judge.raters.index(args.judge_rater)
    elif len(judge.raters) > 1:
        raise InputError(f"the judge file has {len(judge.raters)} raters {list(judge.raters)[:5]}; pick one with --judge-rater", path=args.judge)
    else:
        row = 0
    import numpy as np

    scale = _scale(args.scale, np.concatenate([human.values.ravel(), judge.values[row]]), args.human) if human.kind == "rating" else None
    ranking = read_ranking(args.human_ranking) if args.human_ranking else None
    report = agreement_report(human, judge, judge_row=row, level=args.level, scale=scale, human_ranking=ranking, n_resamples=args.resamples, seed=args.seed)
    report["human"]["kind_from"] = kind_from
    report["judge"]["kind_from"] = "a results folder (pairwise)" if judge_is_results else f"read with the human file's kind ({human.kind})"
    n_items = report["n_overlap"]
    if args.json:
        out = {k: v for k, v in report.items() if k != "measures"}
        out["measures"] = [{"section": s, **e.to_dict(), "n_items": n_items, "n_left_out": max(0, n_items - e.n) if s != "system level" else None} for s, e in report["measures"]]
        print(json.dumps(out, indent=2))
        return 0
    hd, jd = report["human"], report["judge"]
    print(f"human: {hd['path']} ({hd['coding_description']}, {kind_from}; {hd['raters']} rater{'s' if hd['raters'] != 1 else ''}, {hd['items']} items)")
    print(f"judge: {jd['path']} (rater {jd['rater']!r}, {jd['coding_description']}, {jd['kind_from']}; {jd['labelled']} of {jd['items']} items labelled)")
    print(f"items in both: {n_items}; level: {report['level']}; reference: {report['reference']}")
    for why, count in report["left_out"].items():
        print(f"  left out: {count} item{'s' if count != 1 else ''} {why}")
    print("every row's n is the number of items it used; its note says why any item in both was left out\n")
    print(render_estimates(report["measures"]), end="")
    return 0
