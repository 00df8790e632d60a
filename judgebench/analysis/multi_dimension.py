"""Per-dimension rankings and the style-over-substance headline, from runs of the ``multi_dimension`` judge.

After Wu & Aji, "Style Over Substance: Evaluation Biases for Large Language Models" (arXiv 2307.03025): rating
systems on accuracy, helpfulness and language separately (their Multi-Elo Rating System) shows what one overall
score hides, namely that a judge's overall preference can follow language over factual accuracy.

From each judgment's ``extra["dimensions"]`` (verdicts in the order shown) and its view (which responses were shown):

* **Rankings**: every judgment is one battle per dimension (and one for ``overall``) between the systems that wrote the
  two shown responses (``Response.model`` when the item's responses name distinct systems, else
  ``metadata["model_A"]`` / ``["model_B"]``); ``metrics.ranking.fit_ranking`` gives Bradley-Terry strengths with
  bootstrap intervals (over battles), reported on the Elo scale (1000 = mean, 400/ln 10 per unit).
* **Agreement** with human per-dimension labels, where items carry ``metadata["dimension_labels"] = {dimension:
  "A>B" | "B>A" | "A=B"}`` (the item's first response is A): the judge's label of an item is the vote of its
  judgments (the sign of the sum of +1 / -1 / 0); accuracy (percent agreement) and Cohen's kappa, bootstrap CIs over
  items.
* **Headline**: on two-response items where exactly one response has a factual error (``metadata["factual_error"]``
  = ``"A"`` / ``"B"`` (or 0 / 1); else a strict ``dimension_labels["accuracy"]``: the loser has the error), the share
  of judgments whose OVERALL verdict strictly prefers the response with the error, averaged per item (an item's
  value is the share over its decided judgments, so 0, 1/2 or 1 with two games) with a bootstrap CI over items;
  the same share for the accuracy dimension, for contrast. A tie prefers neither.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..metrics.agreement import accuracy, cohen_kappa
from ..metrics.ranking import ELO_PER_UNIT, Ranking, fit_ranking
from ..metrics.stats import DEFAULT_SEED, Estimate, Interval, bootstrap_mean_ci, undefined
from ..schema import Decision, Item, ItemResult, Judgment

OVERALL = "overall"
_SIDE_KEYS = (("model_A", "model_B"), ("model_a", "model_b"), ("response_model_A", "response_model_B"))
_CODE = {str(Decision.A_BETTER): 1, str(Decision.B_BETTER): -1, str(Decision.TIE): 0}
DEFAULT_RESAMPLES = 1000
"""Bootstrap resamples for the rankings and shares (``--resamples``)."""


@dataclass(frozen=True)
class MultiDimensionReport:
    """One run's per-dimension analysis.

    Attributes:
        label: the run (judge and model).
        dimensions: the judge's dimensions, then ``overall``.
        rankings: per dimension, the Bradley-Terry fit of the systems (``metrics.ranking.Ranking``).
        agreement: per dimension with human labels, (accuracy, Cohen's kappa).
        overall_prefers_error / accuracy_prefers_error: the headline shares (``Estimate``, CI in ``intervals``).
        n_items: items read; n_without_systems: items whose responses name no distinct systems (not ranked).
    """

    label: str
    dimensions: tuple[str, ...]
    rankings: dict[str, Ranking]
    agreement: dict[str, tuple[Estimate, Estimate]]
    overall_prefers_error: Estimate
    accuracy_prefers_error: Estimate
    n_items: int
    n_without_systems: int = 0
    notes: tuple[str, ...] = field(default=())


def item_systems(item: Item) -> tuple[str, ...] | None:
    """The system of each response: ``Response.model`` when all are set and distinct, else (two responses) the
    metadata's ``model_A`` / ``model_B`` (or ``model_a``/``model_b``, ``response_model_A``/``_B``); None if unknown."""
    models = tuple(r.model for r in item.responses)
    if all(models) and len(set(models)) == len(models):
        return models
    if len(item.responses) == 2:
        for ka, kb in _SIDE_KEYS:
            a, b = item.metadata.get(ka), item.metadata.get(kb)
            if isinstance(a, str) and isinstance(b, str) and a and b and a != b:
                return a, b
    return None


def error_index(item: Item) -> int | None:
    """The index (0 or 1) of the response of a two-response item that has a factual error, or None (neither, both,
    unknown): ``metadata["factual_error"]`` (``"A"``/``"B"``/0/1), else a strict accuracy label."""
    if len(item.responses) != 2:
        return None
    value = item.metadata.get("factual_error")
    if value in ("A", "a", 0):
        return 0
    if value in ("B", "b", 1):
        return 1
    labels = item.metadata.get("dimension_labels")
    if value is None and isinstance(labels, Mapping):
        code = _CODE.get(str(labels.get("accuracy")))
        if code in (1, -1):
            return 1 if code == 1 else 0
    return None


def item_code(judgment: Judgment, value: Any) -> tuple[int, int, int] | None:
    """``(first shown, second shown, outcome)`` of a verdict in the order shown (``"A>B"`` 1, ``"A=B"`` 0, ``"B>A"``
    -1), or None for no verdict."""
    code = _CODE.get(str(value)) if value is not None else None
    if code is None or len(judgment.shown) != 2:
        return None
    return judgment.shown[0], judgment.shown[1], code


def _verdicts(judgment: Judgment, dimensions: Sequence[str]) -> dict[str, Any]:
    dims = judgment.extra.get("dimensions") or {}
    out = {d: dims.get(d) for d in dimensions}
    out[OVERALL] = str(judgment.decision) if judgment.decision is not Decision.NONE and not judgment.is_failed else None
    return out


def _share(name: str, values: list[float], *, n_resamples: int, seed: int, empty: str) -> Estimate:
    if not values:
        return undefined(name, 0, empty)
    low, high = bootstrap_mean_ci(values, n_resamples=n_resamples, seed=seed)
    return Estimate(name, float(np.mean(values)), len(values), intervals=(Interval(low, high, f"bootstrap over items ({n_resamples})", n_resamples),))


def analyse(results: Sequence[ItemResult], *, label: str = "", n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED) -> MultiDimensionReport:
    """The per-dimension analysis of one run's results (see the module docstring).

    Raises:
        InputError: when no judgment carries per-dimension verdicts (not a ``multi_dimension`` run).
    """
    dimensions: list[str] = []
    for r in results:
        for j in r.judgments:
            for d in j.extra.get("dimensions") or {}:
                if d not in dimensions:
                    dimensions.append(d)
    if not dimensions:
        raise InputError(f"{label or 'these results'}: no judgment has per-dimension verdicts (extra.dimensions); run the judge multi_dimension")
    dims = (*dimensions, OVERALL)
    battles: dict[str, list[tuple[str, str, float]]] = {d: [] for d in dims}
    judge_codes: dict[str, list[float]] = {d: [] for d in dims}
    human_codes: dict[str, list[float]] = {d: [] for d in dims}
    prefers: dict[str, list[float]] = {OVERALL: [], "accuracy": []}
    without = 0
    for r in results:
        item = r.item
        systems = item_systems(item)
        without += systems is None
        labels = item.metadata.get("dimension_labels")
        err = error_index(item)
        per_item: dict[str, list[int]] = {d: [] for d in dims}
        for j in r.judgments:
            for d, value in _verdicts(j, dimensions).items():
                coded = item_code(j, value)
                if coded is None:
                    continue
                first, second, outcome = coded
                if systems is not None:
                    battles[d].append((systems[first], systems[second], float(outcome)))
                if len(item.responses) == 2:
                    per_item[d].append(outcome if first == 0 else -outcome)  # in the item's order: +1 = response 0 won
        if isinstance(labels, Mapping) and len(item.responses) == 2:
            for d in dims:
                if d in labels and per_item[d]:
                    human = _CODE.get(str(labels[d]))
                    if human is not None:
                        judge_codes[d].append(float(np.sign(sum(per_item[d]))))
                        human_codes[d].append(float(human))
        if err is not None:
            erring = 1 if err == 0 else -1  # the item-order code of a verdict for the response with the error
            for d in prefers:
                if per_item.get(d):
                    prefers[d].append(float(np.mean([c == erring for c in per_item[d]])))
    rankings = {d: fit_ranking(battles[d], n_resamples=n_resamples, seed=seed) for d in dims}
    agreement = {
        d: (accuracy(judge_codes[d], human_codes[d], n_resamples=n_resamples, seed=seed), cohen_kappa(judge_codes[d], human_codes[d], n_resamples=n_resamples, seed=seed))
        for d in dims
        if human_codes[d]
    }
    empty = "no two-response item has exactly one response marked with a factual error (metadata factual_error or an accuracy label)"
    notes = () if not without else (f"{without} of {len(results)} items name no distinct systems for their responses (Response.model or metadata model_A/model_B) and are not ranked",)
    return MultiDimensionReport(
        label,
        dims,
        rankings,
        agreement,
        _share("overall verdict prefers the response with the factual error", prefers[OVERALL], n_resamples=n_resamples, seed=seed, empty=empty),
        _share("accuracy verdict prefers the response with the factual error", prefers["accuracy"], n_resamples=n_resamples, seed=seed, empty=empty if "accuracy" in dims else "the judge has no accuracy dimension"),
        len(results),
        without,
        notes,
    )


def analyse_runs(paths: Sequence[str | Path], *, n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED) -> list[MultiDimensionReport]:
    """One report per run (results folder or ``judgments.jsonl``)."""
    from .labels import read_judge_results

    reports = []
    for p in paths:
        results = read_judge_results(p)
        label = f"{results[0].judge} / {results[0].model}" if results else str(p)
        reports.append(analyse(results, label=label, n_resamples=n_resamples, seed=seed))
    return reports


def _elo(theta: Any) -> float | None:
    """A log-strength on the Elo scale (``metrics.ranking.elo`` for one number), None when missing."""
    return 1000 + ELO_PER_UNIT * theta if isinstance(theta, float) else None


def elo_rows(ranking: Ranking) -> list[dict[str, Any]]:
    """Rows (rank, system, elo, low, high) of a ranking on the Elo scale, best first."""
    out = []
    for row in ranking.to_rows():
        out.append({"rank": row["rank"], "system": row["system"], "elo": _elo(row["strength"]), "low": _elo(row["low"]), "high": _elo(row["high"])})
    return out


def report_json(report: MultiDimensionReport) -> dict[str, Any]:
    """The report as JSON-ready data."""
    return {
        "run": report.label,
        "dimensions": list(report.dimensions),
        "n_items": report.n_items,
        "n_without_systems": report.n_without_systems,
        "rankings": {d: {"n_battles": r.n_battles, "reason": r.reason, "systems": elo_rows(r)} for d, r in report.rankings.items()},
        "agreement": {d: {"accuracy": a.to_dict(), "kappa": k.to_dict()} for d, (a, k) in report.agreement.items()},
        "overall_prefers_error": report.overall_prefers_error.to_dict(),
        "accuracy_prefers_error": report.accuracy_prefers_error.to_dict(),
        "notes": list(report.notes),
    }


def _fmt(v: float | None, digits: int = 0) -> str:
    return "n/a" if v is None else f"{v:.{digits}f}"


def _estimate_cells(e: Estimate, digits: int = 2) -> tuple[str, str, str]:
    ci = e.interval()
    if e.value is None:
        return "n/a", "", e.reason or ""
    return f"{e.value:.{digits}f}", f"[{ci.low:.{digits}f}, {ci.high:.{digits}f}]" if ci else "", str(e.n)


def tables(report: MultiDimensionReport) -> list[tuple[str, tuple[str, ...], list[tuple[str, ...]]]]:
    """(title, header, rows) of the report's tables: rankings per dimension, agreement, headline (plain text cells)."""
    systems = sorted({s for r in report.rankings.values() for s in r.systems})
    header = ("system", *(f"{d} Elo [95% CI]" for d in report.dimensions))
    by = {d: {row["system"]: row for row in elo_rows(r)} for d, r in report.rankings.items()}
    rows: list[tuple[str, ...]] = []
    for s in systems:
        cells = [s]
        for d in report.dimensions:
            row = by[d].get(s)
            if row is None or row["elo"] is None:
                cells.append("n/a")
            else:
                cells.append(f"{row['elo']:.0f} [{_fmt(row['low'])}, {_fmt(row['high'])}]")
        rows.append(tuple(cells))
    rows.sort(key=lambda c: -float(by[report.dimensions[0]].get(c[0], {}).get("elo") or -1e9))
    out = [("Per-dimension Elo (Bradley-Terry, bootstrap over battles)", header, rows)]
    if report.agreement:
        agree_rows: list[tuple[str, ...]] = []
        for d, (a, k) in report.agreement.items():
            av, aci, n = _estimate_cells(a)
            kv, kci, _ = _estimate_cells(k)
            agree_rows.append((d, av, aci, kv, kci, n))
        out.append(("Agreement with human per-dimension labels", ("dimension", "accuracy", "95% CI", "Cohen's kappa", "95% CI", "n items"), agree_rows))
    head_rows: list[tuple[str, ...]] = []
    for verdict, e in (("overall", report.overall_prefers_error), ("accuracy", report.accuracy_prefers_error)):
        v, ci, n = _estimate_cells(e)
        head_rows.append((verdict, v, ci, n))
    out.append(("Share of verdicts preferring the response with a factual error", ("verdict", "share", "95% CI", "n items"), head_rows))
    return out


def markdown(reports: Sequence[MultiDimensionReport]) -> str:
    """The reports as Markdown tables."""
    parts: list[str] = []
    for report in reports:
        parts.append(f"## {report.label} ({report.n_items} items)\n")
        for title, header, rows in tables(report):
            parts.append(f"### {title}\n")
            parts.append("| " + " | ".join(header) + " |")
            parts.append("|" + "---|" * len(header))
            parts.extend("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows)
            parts.append("")
        if report.overall_prefers_error.value is not None and report.accuracy_prefers_error.value is not None:
            parts.append(
                f"The overall verdict prefers the response with the factual error on {report.overall_prefers_error.value:.0%} of such items; "
                f"the accuracy verdict on {report.accuracy_prefers_error.value:.0%}.\n"
            )
        parts.extend(f"Note: {n}\n" for n in report.notes)
    return "\n".join(parts)

