"""Judgment files as ``judgebench score`` reads them: finding them, reading them (optionally re-parsed with the
current parsers), and the bias and calibration probes of one file."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..errors import InputError
from ..metrics.stats import Estimate
from .reparse import ReparseReport
from .replay import JudgmentFile


def find_judgment_files(items: Iterable[str | Path]) -> list[Path]:
    """The judgment files named: files as given (read later; a missing one fails there); a folder's
    ``judgments.jsonl`` files (searched below it), else its ``*.jsonl``.

    Raises:
        InputError: for a folder with neither (exit 2), rather than an empty leaderboard.
    """
    paths: list[Path] = []
    for item in items:
        p = Path(item)
        found = sorted(p.rglob("judgments.jsonl")) or sorted(p.glob("*.jsonl")) if p.is_dir() else [p]
        if not found:
            raise InputError("no judgment files in this folder (looked for judgments.jsonl below it, then *.jsonl in it)", path=p)
        paths.extend(found)
    return paths


def read_judgment_files(
    items: Iterable[str | Path], *, reparse: bool = False, upstream: str | None = None, data_dir: str | Path | None = None
) -> tuple[list[JudgmentFile], list[ReparseReport]]:
    """Read every judgment file ``items`` name (``find_judgment_files``), all before anything is written, each in
    its detected format (``judgebench.analysis.upstream.FORMATS``: judgebench's and JudgeBench's, LLMBar's
    ``result.json``, PandaLM's, RM-Bench's and reward-bench's per-item results).

    Args:
        items: files, or folders to search.
        upstream: a format name that every file is read as (``None``: detect each).
        data_dir: the benchmark's local copy, for formats whose items are not in the file (PandaLM's).
        reparse: re-parse every stored raw output with the current parser of the judge each file names
            (``reparse_file``): the files come back with the re-parsed decisions.

    Returns:
        The files, in order, and one ``ReparseReport`` per file (``[]`` unless ``reparse``).

    Raises:
        InputError: for a folder without judgment files, or a file that cannot be read.
    """
    from .upstream import read_upstream_file

    files = [read_upstream_file(p, upstream=upstream, data_dir=data_dir) for p in find_judgment_files(items)]
    if reparse and any(jf.upstream for jf in files):
        named = next(jf.path for jf in files if jf.upstream)
        raise InputError("--reparse re-parses judgebench's and JudgeBench's raw outputs; this file is another upstream format (its verdicts are upstream's)", path=named)
    if not reparse:
        return files, []
    from .reparse import reparse_file

    pairs = [reparse_file(jf) for jf in files]
    return [f for f, _ in pairs], [r for _, r in pairs]


def judgment_probes(jf: JudgmentFile) -> dict[str, list[Estimate]]:
    """The probes of ``score --bias``, by section: ``bias`` (position, length, ties, no-decisions,
    self-preference, with 95% bootstrap CIs), plus accuracy vs coverage and AUROC when the judgments carry a
    confidence or score margins, and the ECE, which is a number only for probabilities (section
    ``calibration (stated)``); for margins (``calibration (margin)``: reward margins, length differences) it is
    undefined with the reason. Only pairs judged pairwise are probed; a run with none (ratings, best-of-K,
    a pointwise or listwise judge) has no section."""
    import numpy as np

    from .bias import bias_probes
    from .calibration import calibration_report, pair_confidences
    from .scoring import pairwise_pairs

    pairs = pairwise_pairs(jf.results)  # the probes read pairs judged pairwise (A/B positions, two lengths)
    if not pairs:
        return {}
    out = {"bias": bias_probes(pairs)}
    raw, _, _ = pair_confidences(pairs)
    if np.isfinite(raw).any():
        source, estimates = calibration_report(pairs, coverages=(0.1, 0.25, 0.5, 1.0))
        out[f"calibration ({source})"] = estimates
    return out
