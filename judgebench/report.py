"""Leaderboard rows from scored runs and released judgment files, and the tables made from them."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import InputError
from .files import atomic_write_text
from .replay import JudgmentFile
from .scoring import CATEGORY_ORDER, RunMetrics, score_results
from .tables import Column, to_csv, to_latex, to_markdown

logger = logging.getLogger(__name__)


def metrics_row(metrics: RunMetrics, *, judge: str, model: str, response_model: str, dataset: str, path: str) -> dict[str, Any]:
    """One leaderboard row: identity, category accuracies, Overall with CI, consistency, no-decision rate."""
    row: dict[str, Any] = {
        "judge": judge,
        "model": model,
        "response_model": response_model,
        "dataset": dataset,
        "rule": metrics.rule,
        "n": metrics.n_pairs,
        "path": path,
    }
    for c in CATEGORY_ORDER:
        row[c.lower()] = metrics.categories.get(c)
    row["overall"] = metrics.accuracy
    row["ci_low"] = metrics.ci_low
    row["ci_high"] = metrics.ci_high
    row["ci"] = f"{metrics.ci_low:.1f}–{metrics.ci_high:.1f}" if metrics.n_pairs else None
    row["consistency"] = metrics.position_consistency
    row["no_decision"] = 100 * metrics.n_no_decision / metrics.n_judgments if metrics.n_judgments else None
    row["failed"] = metrics.n_failed
    row["games"] = metrics.games
    return row


def score_file_row(jf: JudgmentFile, *, rule: str = "vote") -> dict[str, Any]:
    metrics = score_results(jf.results, rule=rule)  # type: ignore[arg-type]
    return metrics_row(metrics, judge=jf.judge, model=jf.model, response_model=jf.response_model, dataset="", path=jf.path)


def collect_runs(results_dir: str | Path) -> list[dict[str, Any]]:
    """A row for every complete run (a folder with ``metrics.json`` and ``run.json``) under ``results_dir``."""
    rows = []
    for metrics_path in sorted(Path(results_dir).rglob("metrics.json")):
        run_path = metrics_path.with_name("run.json")
        if not run_path.exists():
            continue
        try:
            metrics = RunMetrics.from_dict(json.loads(metrics_path.read_text()))
            info = json.loads(run_path.read_text())
        except (json.JSONDecodeError, TypeError) as e:
            raise InputError(f"unreadable run file: {e}", path=metrics_path) from None
        rows.append(
            metrics_row(
                metrics,
                judge=info.get("judge", "?"),
                model=info.get("model", "?"),
                response_model=info.get("response_model", ""),
                dataset=info.get("dataset", ""),
                path=str(metrics_path.parent),
            )
        )
    return rows


def leaderboard_columns(rule: str = "vote") -> list[Column]:
    return [
        Column("judge", "Judge", None),
        Column("model", "Judge model", None),
        Column("response_model", "Pairs from", None),
        Column("n", "n", 0),
        *(Column(c.lower(), c) for c in CATEGORY_ORDER),
        Column("overall", f"Overall ({rule})"),
        Column("ci", "95% CI", None),
        Column("consistency", "Consistency"),
        Column("no_decision", "No-decision %"),
    ]


def render_rows(rows: Sequence[dict[str, Any]], fmt: str, *, rule: str = "vote", caption: str | None = None) -> str:
    """Render leaderboard rows as ``md``, ``latex``, ``csv`` or ``json``; best Overall per column is bolded in LaTeX."""
    cols = leaderboard_columns(rule)
    if fmt == "md":
        return to_markdown(rows, cols)
    if fmt == "csv":
        return to_csv(rows, cols + [Column("ci_low", "ci_low"), Column("ci_high", "ci_high"), Column("rule", "rule", None), Column("dataset", "dataset", None)])
    if fmt == "json":
        return json.dumps(list(rows), indent=2, default=str) + "\n"
    if fmt == "latex":
        bold: dict[str, set[int]] = {}
        for c in cols:
            if c.digits is None or c.key in ("n", "no_decision"):
                continue
            vals = [(r.get(c.key), i) for i, r in enumerate(rows) if isinstance(r.get(c.key), (int, float))]
            if vals:
                best = max(v for v, _ in vals)
                bold[c.key] = {i for v, i in vals if v == best}
        return to_latex(rows, cols, caption=caption or f"Judge accuracy (%, rule: {rule}).", label="tab:judgebench", bold=bold)
    raise InputError(f"unknown format {fmt!r}; use md, latex, csv or json")


def write_leaderboard(rows: Sequence[dict[str, Any]], out_dir: str | Path, *, rule: str = "vote") -> list[Path]:
    """Write ``leaderboard.md``, ``.tex`` and ``.csv`` into ``out_dir`` (atomically); return their paths."""
    out = Path(out_dir)
    written = []
    for fmt, ext in (("md", "md"), ("latex", "tex"), ("csv", "csv")):
        p = out / f"leaderboard.{ext}"
        atomic_write_text(p, render_rows(rows, fmt, rule=rule))
        written.append(p)
    return written
