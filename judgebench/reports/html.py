"""A self-contained HTML report: the leaderboard, the figures and a pair browser, in one file.

Everything is inline (CSS, JavaScript, figures as ``data:`` PNGs); the page needs no server and no network. The
pairs and judgments are embedded once as a JSON blob in a ``<script type="application/json">`` element, with
``<``, ``>`` and ``&`` written as ``\\u003c``/``\\u003e``/``\\u0026`` so that no text can close the element; the
browser code renders only the rows of the current page and puts all text in the page with ``textContent``, never
as markup. Every string taken from results passes through :func:`judgebench.secrets.redact` before it is embedded.
"""

from __future__ import annotations

import base64
import json
import logging
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources
from typing import Any, Literal

from ..analysis.scoring import (
    is_consistent,
    ordered_categories,
    original_frame,
    pair_label,
    pairwise_pairs,
    result_category,
)
from ..errors import JudgebenchError
from ..protocols import Pairwise, get_reducer
from ..schema import Decision, ItemResult, Judgment
from ..secrets import redact, secret_values
from .leaderboard import LoadedRun, common_benchmark
from .suite_table import spans_benchmarks, suite_table
from .tables import MIXED_RULES, benchmarks_of, best_cells, format_cell, pick_columns, row_benchmark, table_rule

logger = logging.getLogger(__name__)

Outcome = Literal["correct", "partial", "incorrect", "tie"]
FIGURE_KINDS = ("accuracy", "heatmap", "consistency", "length")


def pair_outcome(result: ItemResult, rule: str = "vote") -> Outcome:
    """The pair's outcome under ``rule`` (the reducer ``protocols.REDUCERS[rule]`` on the decisions in the item's
    frame; the run's own rule in the report): ``correct`` when the rule gives the label full credit; ``partial``
    when it gives part of it (``average``: one view right, the other not); ``incorrect`` when it gives none and
    its verdict leans to a side the label does not (the other response, or either one for a tie label); ``tie``
    when it gives none and its verdict is a tie (ties, or under ``vote`` one view right and one wrong) or there is
    no decision at all."""
    reducer = get_reducer(rule)
    decisions = original_frame(result)
    credit = reducer.credit(pair_label(result), decisions)
    if credit >= 1:
        return "correct"
    if credit > 0:
        return "partial"
    verdict = reducer.verdict(decisions)
    return "tie" if math.isnan(verdict) or verdict == 0 else "incorrect"


def _text(value: Any) -> str:
    return redact(str(value)) if value is not None else ""


def _game(result: ItemResult, j: Judgment) -> dict[str, Any]:
    """One judgment for the browser: its decision as shown and read back into the item's frame by the protocol
    (``original``); ``swapped`` when the view showed the pair's responses in the other order."""
    frame = Pairwise().combine(result.item, (j,)).of(0, 1)
    swapped = tuple(j.shown) == (1, 0)
    return {
        "game": j.game,
        "shown": "B, A" if swapped else "A, B",
        "swapped": swapped,
        "decision": str(j.decision),
        "original": str(frame[0]) if frame else str(Decision.NONE),
        "output": _text(j.output),
        "error": _text(j.error) if j.error else None,
        "scores": [s if math.isfinite(s) else None for s in j.scores] if j.scores is not None else None,  # JSON has no NaN
    }


def report_data(runs: Sequence[LoadedRun]) -> dict[str, Any]:
    """The JSON blob of the pair browser: distinct pairs, runs, and one item per (run, pair).

    Pairs judged by several runs are stored once (same id and content); each pair's category is its item's (else
    from its source under the benchmark its run names), and categories are listed in the benchmark's order. Each
    item holds the outcome under its run's rule (:func:`pair_outcome` with row ``rule``), whether the two views agree in the item's frame (``null`` for a
    single view), whether a view has no decision, the pair's credit under the run's rule, and every view's raw
    output and decision (as shown, and in the item's frame). The page computes none of these.
    """
    pair_index: dict[tuple[str, str, str, str, str], int] = {}
    pairs: list[dict[str, Any]] = []
    run_list: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    categories: list[str] = []
    groups = {str(r.row.get("response_model") or "") for r in runs}
    for k, run in enumerate(runs):
        row = run.row
        name = row.get("label") or row.get("judge", "?")
        if len(groups) > 1 and row.get("response_model"):
            name = f"{name} [pairs from {row['response_model']}]"
        rule = str(row.get("rule") or "vote")
        run_list.append(
            {"name": _text(name), "judge": _text(row.get("judge")), "model": _text(row.get("model")), "origin": _text(row.get("origin")), "n": len(run.results), "rule": rule}
        )
        for r in pairwise_pairs(run.results):  # the pair browser shows pairs judged pairwise (other items: the tables)
            p = r.pair
            key = (p.pair_id, p.question, p.response_A, p.response_B, str(p.label))
            if key not in pair_index:
                cat = result_category(r, run.benchmark)
                if cat not in categories:
                    categories.append(cat)
                pair_index[key] = len(pairs)
                pairs.append(
                    {
                        "id": _text(p.pair_id),
                        "question": _text(p.question),
                        "A": _text(p.response_A),
                        "B": _text(p.response_B),
                        "label": str(p.label),
                        "source": _text(p.source),
                        "category": _text(cat),
                        "response_model": _text(p.response_model),
                    }
                )
            decisions = original_frame(r)
            items.append(
                {
                    "run": k,
                    "pair": pair_index[key],
                    "outcome": pair_outcome(r, rule),
                    "consistent": is_consistent(decisions) if len(decisions) == 2 else None,
                    "no_decision": any(g.decision == Decision.NONE for g in r.judgments),
                    "credit": run.credits.get(r.pair_id),
                    "games": [_game(r, g) for g in r.judgments],
                }
            )
    return {"runs": run_list, "pairs": pairs, "items": items, "categories": ordered_categories(categories, common_benchmark(runs))}


def script_json(obj: Any) -> str:
    """JSON safe inside an HTML ``<script>`` element: ``<``, ``>``, ``&`` escaped as JSON unicode escapes."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def figures_html_data(rows: Sequence[dict[str, Any]], runs: Sequence[LoadedRun]) -> list[dict[str, str]]:
    """The figures that the data allow, as ``{"kind", "title", "src"}`` with a base64 PNG ``data:`` URI."""
    from ..errors import InputError
    from .plots import figure_bytes, make_figure, unique_labels

    titles = {
        "accuracy": "Overall accuracy with 95% CI",
        "heatmap": "Accuracy per category",
        "consistency": "Position consistency vs accuracy",
        "length": "Length bias: how often the longer response is chosen",
    }
    judged = [r for r in runs if r.results]
    results = list(zip(unique_labels([r.row for r in judged]), [r.results for r in judged], strict=True))
    out = []
    for kind in FIGURE_KINDS:
        try:
            fig = make_figure(kind, rows, [(name, pairwise_pairs(res)) for name, res in results])
        except InputError as e:
            logger.info("figure %s left out: %s", kind, e.reason)
            continue
        src = "data:image/png;base64," + base64.b64encode(figure_bytes(fig, "png")).decode("ascii")
        out.append({"kind": kind, "title": titles[kind], "src": src})
    return out


def leaderboard_table(rows: Sequence[dict[str, Any]], rule: str | None) -> dict[str, Any]:
    """Header and cells of one leaderboard table (strings; escaped by the template), with bold and dagger marks;
    Overall is headed with the table's rule (``tables.table_rule``: ``rule``, else its runs' common rule, else
    "each run's rule" and a Rule column)."""
    cols = pick_columns(rows, None, table_rule(rows, rule))
    bold = best_cells(rows, cols)
    body = []
    for i, r in enumerate(rows):
        cells = [{"text": _text(format_cell(r.get(c.key), c.digits)), "bold": i in bold.get(c.key, set()), "num": c.digits is not None} for c in cols]
        body.append({"cells": cells, "dagger": bool(r.get("tied_with_best")), "baseline": r.get("origin") == "baseline", "group": _text(r.get("group") or "")})
    tests = sorted({str(r["sig_test"]) for r in rows if r.get("sig_test")})
    return {"title": "", "header": [c.header for c in cols], "rows": body, "tests": " / ".join(tests)}


def leaderboard_tables(rows: Sequence[dict[str, Any]], rule: str | None) -> list[dict[str, Any]]:
    """The leaderboard as tables (:func:`leaderboard_table`): one, or one per benchmark when the rows hold several
    (titled with the benchmark's name; each has its own category columns and rule)."""
    benches: dict[str | None, list[dict[str, Any]]] = {}
    multi = len(benchmarks_of(rows)) > 1
    for r in rows:
        benches.setdefault(row_benchmark(r) if multi else None, []).append(r)
    return [dict(leaderboard_table(members, rule), title=_text(bench or "")) for bench, members in benches.items()]


def suite_html_data(runs: Sequence[LoadedRun]) -> dict[str, Any] | None:
    """The suite table (``reports.suite_table``: a judge per row, a benchmark's headline per column) as header,
    rows of cell texts and notes; ``None`` when the runs cover one benchmark."""
    if not spans_benchmarks(runs):
        return None
    table = suite_table(runs)
    return {"header": ["Judge", *table.datasets], "rows": [[_text(r["judge"]), *(_text(r[d]) for d in table.datasets)] for r in table.rows()], "notes": [_text(n) for n in table.notes()]}


def rule_text(runs: Sequence[LoadedRun], rule: str | None) -> str:
    """The report's rule, as its header says it: ``rule``, or the runs' common rule, or each benchmark's rules."""
    rows = [r.row for r in runs]
    if (common := table_rule(rows, rule)) is not None:
        return common
    by_bench: dict[str, list[str]] = {}
    for r in rows:
        if r.get("origin") != "baseline" and r.get("rule") and str(r["rule"]) not in by_bench.setdefault(row_benchmark(r), []):
            by_bench[row_benchmark(r)].append(str(r["rule"]))
    return f"{MIXED_RULES} (" + "; ".join(f"{b}: {', '.join(rs)}" for b, rs in by_bench.items() if rs) + ")"


def _asset(name: str) -> str:
    return resources.files("judgebench.reports").joinpath("assets", name).read_text(encoding="utf-8")


def render_report(runs: Sequence[LoadedRun], *, rule: str | None = None, title: str = "judgebench report", figures: bool = True) -> str:
    """The whole HTML document for ``runs`` (leaderboard rows as made by :func:`judgebench.reports.leaderboard.leaderboard`);
    ``rule`` is the rule every run was rescored under, ``None`` when each has its own (the header says which).

    Raises:
        JudgebenchError: if a known secret (``secrets.secret_values``) would still be in the page (a bug guard).
    """
    import jinja2

    rows = [r.row for r in runs]
    data = report_data([r for r in runs if r.row.get("origin") != "baseline"])
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    template = env.from_string(_asset("report.html.j2"))
    html = template.render(
        title=_text(title),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        rule=rule_text(runs, rule),
        tables=leaderboard_tables(rows, rule),
        suite=suite_html_data(runs),
        tests=" / ".join(sorted({str(r["sig_test"]) for r in rows if r.get("sig_test")})),
        figures=figures_html_data(rows, runs) if figures else [],
        n_items=len(data["items"]),
        n_pairs=len(data["pairs"]),
        n_runs=len(data["runs"]),
        css=_asset("report.css"),
        js=_asset("report.js"),
        data_json=script_json(data),
    )
    leaked = [v for v in secret_values() if v in html]
    if leaked:
        raise JudgebenchError("refusing to write the report: it would contain a known secret")
    return html
