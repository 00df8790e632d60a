"""A self-contained HTML report: the leaderboard, the figures and a pair browser, in one file.

Everything is inline (CSS, JavaScript, figures as ``data:`` PNGs); the page needs no server and no network. The
pairs and judgments are embedded once as a JSON blob in a ``<script type="application/json">`` element, with
``<``, ``>`` and ``&`` written as ``\\u003c``/``\\u003e``/``\\u0026`` so that no text can close the element; the
browser code renders only the rows of the current page and puts all text in the page with ``textContent``, never
as markup. Every string taken from results passes through :func:`judgebench.secrets.redact` before it is embedded.

Each pair has a permalink (``#pair=<id>``, the id percent-encoded): a page opened with it shows that pair's judgments
from every run and opens the first. Each judgment carries the prompt its judge was shown, stored once per distinct
text in the blob's ``prompts`` list (judgments refer to it by index), since prompts repeat across runs of one judge.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources
from typing import Any, Literal
from urllib.parse import quote

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
from .names import Names
from .suite_table import spans_benchmarks, suite_table
from .table_content import dagger_note, data_notes, failure_notes, named_rows, run_names, with_pair_set_column
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


_ROLE_HEADER = re.compile(r"(?:^|\n\n)\[(system|developer|user|assistant|tool)\]\n")


SHARED_MIN_CHARS = 40
"""A pair text (question, response) this long or longer is stored in a prompt as a reference to the pair's own copy."""


def prompt_parts(text: str, shared: Sequence[str]) -> list[str | int]:
    """``text`` as literal strings and indices into ``shared`` (the pair's question, response A, response B) for the
    places where that text appears verbatim (texts of at least :data:`SHARED_MIN_CHARS`, longest first). Joining the
    parts, an index replaced by ``shared[index]``, gives ``text`` back exactly; judges' prompts hold the pair's texts,
    which the report already stores once, so a judge's prompts reduce to a few distinct templates."""
    subs = sorted({t for t in shared if len(t) >= SHARED_MIN_CHARS}, key=len, reverse=True)
    if not subs:
        return [text] if text else []
    parts: list[str | int] = []
    pos = 0
    for m in re.finditer("|".join(map(re.escape, subs)), text):
        if m.start() > pos:
            parts.append(text[pos : m.start()])
        parts.append(shared.index(m.group()))
        pos = m.end()
    if pos < len(text):
        parts.append(text[pos:])
    return parts


def prompt_messages(text: str) -> list[dict[str, str]] | None:
    """The chat messages ``{"role", "content"}`` in a judgment's prompt when ``text`` is the record chat judges keep
    (``[role]`` on a line, the content, a blank line between messages: ``judges._prompted.prompt_text``), else
    ``None``. A message whose content holds a blank line followed by ``[user]`` on its own line is split there."""
    parts = _ROLE_HEADER.split(text)
    if len(parts) < 3 or parts[0] != "":
        return None
    return [{"role": role, "content": content} for role, content in zip(parts[1::2], parts[2::2], strict=True)]


def pair_link(pair_id: str) -> str:
    """The pair's permalink within the report: ``#pair=`` and the id percent-encoded (every character but
    ``A-Z a-z 0-9 _ . - ~``), which the page reads back with ``decodeURIComponent``."""
    return "#pair=" + quote(pair_id, safe="")


class PromptTable:
    """The distinct prompts of a report, each stored once and referred to by index.

    An entry is ``{"messages": [{"role", "content": parts}, ...]}`` for a chat prompt (:func:`prompt_messages`) or
    ``{"text": parts}``, where ``parts`` are :func:`prompt_parts` against the pair's question, response A and
    response B (the page joins them back). Entries are keyed by the SHA-256 of their JSON, so one judge's prompts on
    different pairs, and the same prompt judged by several runs, share one entry.
    """

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []
        self._index: dict[str, int] = {}

    def add(self, prompt: str, shared: Sequence[str]) -> int | None:
        """The index of ``prompt`` (redacted; ``shared``: the pair's redacted question, response A, response B) in
        :attr:`entries`, adding it when new; ``None`` for an empty prompt."""
        if not prompt:
            return None
        text = _text(prompt)
        messages = prompt_messages(text)
        entry: dict[str, Any] = (
            {"messages": [{"role": m["role"], "content": prompt_parts(m["content"], shared)} for m in messages]}
            if messages is not None
            else {"text": prompt_parts(text, shared)}
        )
        key = hashlib.sha256(json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")).hexdigest()
        if key not in self._index:
            self._index[key] = len(self.entries)
            self.entries.append(entry)
        return self._index[key]


def _game(result: ItemResult, j: Judgment, prompts: PromptTable | None = None) -> dict[str, Any]:
    """One judgment for the browser: its decision as shown and read back into the item's frame by the protocol
    (``original``); ``swapped`` when the view showed the pair's responses in the other order; ``prompt``, the index
    of the judge's prompt in ``prompts`` (``None`` when it has none or ``prompts`` is ``None``)."""
    frame = Pairwise().combine(result.item, (j,)).of(0, 1)
    p = result.pair
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
        "prompt": prompts.add(j.prompt, (_text(p.question), _text(p.response_A), _text(p.response_B))) if prompts is not None else None,
    }


def report_data(runs: Sequence[LoadedRun], *, prompts: bool = True) -> dict[str, Any]:
    """The JSON blob of the pair browser: distinct pairs (each with its permalink, :func:`pair_link`), runs, one item
    per (run, pair), and the distinct judge prompts (:class:`PromptTable`; empty when ``prompts`` is false).

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
    prompt_table = PromptTable() if prompts else None
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
                        "link": pair_link(_text(p.pair_id)),
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
                    "games": [_game(r, g, prompt_table) for g in r.judgments],
                }
            )
    return {
        "runs": run_list,
        "pairs": pairs,
        "items": items,
        "categories": ordered_categories(categories, common_benchmark(runs)),
        "prompts": prompt_table.entries if prompt_table is not None else [],
    }


def script_json(obj: Any) -> str:
    """JSON safe inside an HTML ``<script>`` element: ``<``, ``>``, ``&`` escaped as JSON unicode escapes."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def figures_html_data(rows: Sequence[dict[str, Any]], runs: Sequence[LoadedRun], names: Names | None = None) -> list[dict[str, str]]:
    """The figures that the data allow, as ``{"kind", "title", "src"}`` with a base64 PNG ``data:`` URI; runs are
    named by ``names`` (``reports.names``; default names without it)."""
    from ..errors import InputError
    from .plots import figure_bytes, make_figure, unique_labels

    titles = {
        "accuracy": "Overall accuracy with 95% CI",
        "heatmap": "Accuracy per category",
        "consistency": "Position consistency vs accuracy",
        "length": "Length bias: how often the longer response is chosen",
    }
    judged = [r for r in runs if r.results]
    results = list(zip(unique_labels([r.row for r in judged], names=names), [r.results for r in judged], strict=True))
    out = []
    for kind in FIGURE_KINDS:
        try:
            fig = make_figure(kind, rows, [(name, pairwise_pairs(res)) for name, res in results], names=names)
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
    cols = with_pair_set_column(pick_columns(rows, None, table_rule(rows, rule)), rows)
    bold = best_cells(rows, cols)
    body = []
    for i, r in enumerate(rows):
        cells = [{"text": _text(format_cell(r.get(c.key), c.digits)), "bold": i in bold.get(c.key, set()), "num": c.digits is not None} for c in cols]
        body.append(
            {"cells": cells, "dagger": bool(r.get("tied_with_best")), "partial": bool(r.get("partial")), "baseline": r.get("origin") == "baseline", "group": _text(r.get("group") or "")}
        )
    tests = sorted({str(r["sig_test"]) for r in rows if r.get("sig_test")})
    return {"title": "", "header": [c.header for c in cols], "rows": body, "tests": " / ".join(tests), "notes": data_notes(rows) + failure_notes(rows)}


def leaderboard_tables(rows: Sequence[dict[str, Any]], rule: str | None, names: Names | None = None) -> list[dict[str, Any]]:
    """The leaderboard as tables (:func:`leaderboard_table`): one, or one per benchmark when the rows hold several
    (titled with the benchmark's name; each has its own category columns and rule). With ``names``, the judge and
    model cells show display names (``table_content.named_rows``), distinct within each table."""
    benches: dict[str | None, list[dict[str, Any]]] = {}
    multi = len(benchmarks_of(rows)) > 1
    for r in rows:
        benches.setdefault(row_benchmark(r) if multi else None, []).append(r)
    if names is not None:
        benches = {b: named_rows(members, run_names(members, names), names) for b, members in benches.items()}
    return [dict(leaderboard_table(members, rule), title=_text(names.benchmark(bench) if names and bench else bench or "")) for bench, members in benches.items()]


def suite_html_data(runs: Sequence[LoadedRun], names: Names | None = None) -> dict[str, Any] | None:
    """The suite table (``reports.suite_table``: a judge per row, a benchmark's headline per column) as header,
    rows of cell texts and notes; ``None`` when the runs cover one benchmark."""
    if not spans_benchmarks(runs):
        return None
    table = suite_table(runs)
    shown = table.rows(names) if names is not None else table.rows()
    return {"header": ["Judge", *table.datasets], "rows": [[_text(r["judge"]), *(_text(r[d]) for d in table.datasets)] for r in shown], "notes": [_text(n) for n in table.notes()]}


def sections_html_data(runs: Sequence[LoadedRun], names: Names | None = None, *, figures: bool = True) -> list[dict[str, Any]]:
    """The registered report sections (``reports.sections``) for ``runs``, as template data: texts escaped here,
    figures as base64 PNG ``data:`` URIs (left out with ``figures=False``, as ``report --no-figures`` asks)."""
    from .sections import report_sections

    out = []
    for sec in report_sections([r for r in runs if r.row.get("origin") != "baseline"], names):
        out.append(
            {
                "id": re.sub(r"[^A-Za-z0-9-]", "-", sec.id),
                "title": _text(sec.title),
                "tables": [{"title": _text(t.title), "header": [_text(h) for h in t.header], "rows": [[_text(c) for c in row] for row in t.rows]} for t in sec.tables],
                "notes": [_text(n) for n in sec.notes],
                "figures": [{"src": "data:image/png;base64," + base64.b64encode(png).decode("ascii"), "title": _text(caption)} for png, caption in sec.figures] if figures else [],
            }
        )
    return out


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


def render_report(
    runs: Sequence[LoadedRun], *, rule: str | None = None, title: str = "judgebench report", figures: bool = True, prompts: bool = True, names: Names | None = None
) -> str:
    """The whole HTML document for ``runs`` (leaderboard rows as made by :func:`judgebench.reports.leaderboard.leaderboard`);
    ``rule`` is the rule every run was rescored under, ``None`` when each has its own (the header says which);
    ``prompts=False`` leaves the judges' prompts out of the pair browser (a smaller page); ``names`` gives the
    tables and figures display names (``reports.names``; the pair browser keeps the ids).

    Raises:
        JudgebenchError: if a known secret (``secrets.secret_values``) would still be in the page (a bug guard).
    """
    import jinja2

    rows = [r.row for r in runs]
    data = report_data([r for r in runs if r.row.get("origin") != "baseline"], prompts=prompts)
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    template = env.from_string(_asset("report.html.j2"))
    html = template.render(
        title=_text(title),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        rule=rule_text(runs, rule),
        tables=leaderboard_tables(rows, rule, names),
        suite=suite_html_data(runs, names),
        sections=sections_html_data(runs, names, figures=figures),
        significance=(note := dagger_note(rows)) and note[0],
        figures=figures_html_data(rows, runs, names) if figures else [],
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
