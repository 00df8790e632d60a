"""JudgeBench (Tan et al., arXiv 2410.12784): challenging response pairs, one correct and one incorrect answer from
one strong model, in four categories.

Data: Hugging Face ``ScalerLab/JudgeBench``, splits ``gpt`` (GPT-4o responses, 350 pairs) and ``claude``
(Claude-3.5-Sonnet responses, 270 pairs); offline, a folder holding the JSONL files (``--data-dir`` or
``$JUDGEBENCH_PAIRS_DIR``, or ``$JUDGEBENCH_DATA_DIR/judgebench`` or its ``pairs/`` folder), each named with its response model (``...gpt-4o...jsonl``) or its split (``gpt.jsonl``).

Rule (ScalerLab/JudgeBench ``utils/metrics.py::compute_final_metrics``, commit e2c52c2): each pair is judged in
both orders; the ``vote`` reducer (``judgebench.protocols``) credits a pair when its two verdicts, in the original
frame, sum to more than zero (+1 agree with the label, -1 the opposite, 0 tie or none); the overall accuracy is
the micro average over pairs. Categories by the pair's ``source`` prefix: ``mmlu-pro`` -> Knowledge,
``livebench-reasoning`` -> Reasoning, ``livebench-math`` -> Math, ``livecodebench`` -> Coding.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..schema import Item, ItemResult
from . import Benchmark, register_benchmark
from .local import load_hf_pairs, load_pair_files

logger = logging.getLogger(__name__)

HF_ID = "ScalerLab/JudgeBench"
SPLITS = {"gpt": "gpt-4o", "claude": "claude-3-5-sonnet"}
"""Split name -> the response model's name as it appears in the released file names."""
PAIRS_DIR_ENV = "JUDGEBENCH_PAIRS_DIR"
CATEGORIES = ("Knowledge", "Reasoning", "Math", "Coding")
_PREFIXES = (("mmlu-pro", "Knowledge"), ("livebench-reasoning", "Reasoning"), ("livebench-math", "Math"), ("livecodebench", "Coding"))


def category_of(source: str) -> str:
    """JudgeBench category of a pair ``source``; other sources are grouped by their prefix (the text before the
    first ``-``; ``Other`` when empty), which is how pairs from other recipes (``gsm8k-test``) are grouped too."""
    for prefix, name in _PREFIXES:
        if source.startswith(prefix):
            return name
    prefix = source.split("-", 1)[0].strip()
    return prefix or "Other"


def local_file(folder: Path, split: str) -> Path | None:
    """The JSONL file of ``split`` in ``folder`` (named with its response model or the split), or ``None``."""
    key = SPLITS[split]
    for p in sorted(folder.glob("*.jsonl")):
        if key in p.name or p.stem == split:
            return p
    return None


def load(split: str, data_dir: Path | None) -> list[Item]:
    """The pairs of ``split`` as items, from ``data_dir`` when given, else from the hub.

    Raises:
        InputError: for a folder without the split's file, or a malformed row (file, line, field).
    """
    if data_dir is not None:
        found = local_file(data_dir, split) or (local_file(data_dir / "pairs", split) if (data_dir / "pairs").is_dir() else None)
        if found is None:
            raise InputError(f"no JudgeBench {split!r} file (name containing {SPLITS[split]!r}) in this folder", path=data_dir)
        pairs = load_pair_files([found])
    else:
        pairs = load_hf_pairs(HF_ID, split, hint=f"Point {PAIRS_DIR_ENV} or --data-dir at a local copy of the pairs, or put it in $JUDGEBENCH_DATA_DIR/judgebench.")
    return [Item.from_pair(p, category=category_of(p.source)) for p in pairs]


def details(results: Sequence[ItemResult], metrics: Any, rule: str) -> dict[str, Any]:
    """JudgeBench's overall is the micro average over pairs (``compute_final_metrics``); reports also print a
    macro average (the mean of the four category accuracies, e.g. the Skywork-Reward-V2 report), which weighs
    Math's 56 pairs as much as Knowledge's 154. Both, labelled, so a reader knows which one a number is.
    ``metrics`` is the run's ``analysis.scoring.RunMetrics`` (``categories``, ``accuracy``, ``ci_low``, ``ci_high``)."""
    cats = [metrics.categories[c] for c in CATEGORIES if c in metrics.categories]
    macro = sum(cats) / len(cats) if cats else None
    return {
        "headline": {"name": f"Overall (micro average over pairs, {rule})", "value": metrics.accuracy, "ci_low": metrics.ci_low, "ci_high": metrics.ci_high},
        "rows": [{"name": "macro average of the categories (unweighted)", "value": macro, "n": len(cats)}],
        "note": "JudgeBench's own overall is the micro average; some reports print the macro average instead.",
    }


BENCHMARK = register_benchmark(
    Benchmark(
        name="judgebench",
        description="challenging pairs (one correct, one incorrect answer) in Knowledge, Reasoning, Math, Coding",
        source=f"hf:{HF_ID}",
        citation="Tan et al. 2024, JudgeBench: A Benchmark for Evaluating LLM-based Judges, arXiv 2410.12784; rule: ScalerLab/JudgeBench utils/metrics.py @ e2c52c2",
        load=load,
        splits=tuple(SPLITS),
        default_split="gpt",
        size={"gpt": 350, "claude": 270},
        protocol=("pairwise", {"orders": "both"}),
        rule="vote",
        metrics=("accuracy", "position_consistency"),
        categories=CATEGORIES,
        category_of=category_of,
        data_env=PAIRS_DIR_ENV,
        details=details,
    )
)
