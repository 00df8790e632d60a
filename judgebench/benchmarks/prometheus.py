"""Prometheus 2's absolute-grading evaluation sets (Kim et al., "Prometheus 2: An Open Source Language Model
Specialized in Evaluating Other Language Models", EMNLP 2024, arXiv 2405.01535): one response to an instruction,
graded 1-5 on a score rubric with a reference answer that would get a 5; the ground truth is three GPT-4 scores.

==============  ========================  =====  ==============================================================
split           upstream file             items  categories (in file order)
==============  ========================  =====  ==============================================================
``vicuna``      ``vicuna_eval.json``      320    generic, knowledge, roleplay, common-sense, fermi,
                                                 counterfactual, coding, math, writing (80 questions x 4 models)
``mt_bench``    ``mt_bench_eval.json``    320    writing, roleplay, reasoning, math, coding, extraction, stem,
                                                 humanities (80 second-turn questions x 4 models)
==============  ========================  =====  ==============================================================

Rows (verified against both released files): ``{idx, response_source, category, instruction, gpt4_score,
gpt4_feedback}``. ``instruction`` is the whole absolute-grading prompt Prometheus is given, its sections
introduced by markers, each once and in this order in every row of both files::

    ###Task Description:               (the grading instructions, the same in every row: not kept)
    ###The instruction to evaluate:    -> Item.prompt
    ###Response to evaluate:           -> Item.responses[0].text
    ###Reference Answer (Score 5):     -> Item.reference
    ###Score Rubrics:                  -> Item.rubric
    ###Feedback:                       (the end of the prompt, where the grader writes: ends the rubric)

A section is the text between its marker and the next one, stripped, as upstream's ``extract_sections``
(prometheus-eval ``eval/utils.py`` @ dcfb442) reads it; the markers are looked up in order (each after the
previous one), so a ``###`` heading inside a response does not cut it, where upstream's ``split("###")`` would.
An MT-Bench row's instruction is the first turn's dialogue followed by the second question (``User: ...
Assistant: ...``, as Prometheus was shown it): it stays one text. An item is::

    Item(id="<split>/<idx>/<response_source>", prompt=<instruction to evaluate>,
         responses=(Response(<response to evaluate>, model=response_source, id=response_source),),
         reference=<reference answer>, rubric=<score rubric>, category=row["category"],
         target=Ratings({"overall": ((s1, s2, s3),)}, scale=(1, 5), raters=("gpt4_1", "gpt4_2", "gpt4_3")))

with ``original_id`` = ``idx`` (the question; four rows, one per response model, share it), ``source`` the
upstream file and ``metadata["gpt4_feedback"]`` GPT-4's three feedback texts. A missing marker, field or score,
a score outside 1-5 or not three of them raises ``InputError`` naming the file, the row (1-based index in the JSON
list) and the field (``instruction`` for a marker, naming the marker); nothing partial is returned.

Protocol (prometheus-eval ``eval/run_evaluate.py`` and ``eval/utils.py::calculate_results`` @ dcfb442): absolute
grading (``a2a``) samples each prompt ``runs=3`` times at temperature 1.0; the score of a row is the mean of its
samples' parsed scores, the ground truth the mean of ``gpt4_score``, and the reported figures are Pearson, Kendall
and Spearman correlations between the two over the rows (``scipy.stats.pearsonr``/``kendalltau``/``spearmanr``).
Here: protocol ``pointwise`` with ``samples=3`` (each sample one judge call; the prediction is their mean),
metrics ``pearson``, ``spearman``, ``kendall`` against ``Ratings.mean`` (the GPT-4 mean). ``rule`` is not used by
ratings (there is no pairwise verdict to reduce); it keeps the default.

Data: offline, a folder holding ``vicuna_eval.json`` and ``mt_bench_eval.json`` (or a checkout of the repository,
holding ``eval/benchmark/data/``) given as ``--data-dir``, ``$JUDGEBENCH_PROMETHEUS_DIR`` or
``$JUDGEBENCH_DATA_DIR/prometheus``. Without one, the file is downloaded from GitHub
(``raw.githubusercontent.com/prometheus-eval/prometheus-eval/<commit>/eval/benchmark/data/<file>``, pinned to
commit dcfb442, the commit the shared copy was taken from, byte-identical to it) and kept under
``$JUDGEBENCH_CACHE_DIR/data/prometheus/<commit>/``. There is no Hugging Face dataset of these two sets (the
``prometheus-eval`` organisation publishes the Feedback/Preference Collections and BiGGen-Bench, not the
evaluation sets), so GitHub is the public source.

``hhh_alignment`` (``hhh_alignment_eval.json``, 221 pairs: 58 harmless, 59 helpful, 61 honest, 43 other, counted
from the file): relative grading. A row is ``{source, chosen_instruction, rejected_instruction}``: two
absolute-grading prompts that differ only in their response (upstream's ``EvalDataLoader._parse_records``,
``eval/benchmark/data_loader.py`` @ dcfb442, asserts it); they hold no reference answer. An item is::

    Item(id="hhh_alignment/<row>", prompt=<instruction to evaluate>,
         responses=(Response(<chosen response>, id="chosen"), Response(<rejected response>, id="rejected")),
         target=Preference(0), category=row["source"], rubric=<the rubric's first line, the criterion>,
         reference=None, source="hhh_alignment_eval.json", original_id=<row>,
         metadata={"score_rubric": <the whole 1-5 rubric>})

``rubric`` is the criterion alone because upstream's relative prompt shows only that (``run_evaluate.py``
``prepare_inputs``, ``r2r``: ``score_rubric.split("\n")[0]``); the 1-5 descriptions are kept for absolute grading.
Two prompts whose instruction or rubric differ, or a missing marker, raise ``InputError`` (file, row, field).

Scoring (``eval/utils.py::calculate_results`` @ dcfb442): relative grading (``r2r``) shows each pair once, the
chosen response at a random position, and a pair is right when the verdict names it (a tie or no verdict is
wrong); absolute grading of both responses (``a2r``, three samples) goes through the samples in order and the first
with different scores decides (equal or missing in all: wrong). Accuracy per ``source`` (helpful, harmless, honest,
other) and ``Average`` over all pairs pooled (not the mean of the four). Here (``details``): a pairwise judge's
verdicts reduced by the run's rule (``vote`` over both orders by default: a split is wrong; ``--orders random``
is upstream's single random order), a pointwise judge's samples by the ``a2r`` rule; rows per category, headline
the pooled accuracy with a 95% bootstrap interval over pairs. The absolute sets' details are empty (their
correlations are the generic scores).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ..errors import InputError
from ..files import iter_json_list
from ..protocols import REDUCERS, Pairwise, Pointwise
from ..schema import Item, ItemResult, Preference, Ratings, Response
from . import Benchmark, register_benchmark
from ._download import cache_root, cached_download

logger = logging.getLogger(__name__)

REPO = "prometheus-eval/prometheus-eval"
COMMIT = "dcfb44272d5d0414832f5dbb8c2a05ebc2614234"
DATA_PATH = "eval/benchmark/data"
RAW_BASE = f"https://raw.githubusercontent.com/{REPO}/{COMMIT}/{DATA_PATH}"
PROMETHEUS_DIR_ENV = "JUDGEBENCH_PROMETHEUS_DIR"

INSTRUCTION = "###The instruction to evaluate:"
RESPONSE = "###Response to evaluate:"
REFERENCE = "###Reference Answer (Score 5):"
RUBRIC = "###Score Rubrics:"
FEEDBACK = "###Feedback:"
MARKERS = (INSTRUCTION, RESPONSE, REFERENCE, RUBRIC)
"""The sections read from a prompt, in the order they appear; ``FEEDBACK`` (optional) ends the last one."""

FIELDS = ("idx", "response_source", "category", "instruction", "gpt4_score")
RATERS = ("gpt4_1", "gpt4_2", "gpt4_3")
SCALE = (1, 5)


@dataclass(frozen=True)
class PrometheusSet:
    """One released evaluation set: its split name, its file under ``eval/benchmark/data/`` and its size."""

    split: str
    filename: str
    size: int
    grading: Literal["absolute", "relative"] = "absolute"


SETS: tuple[PrometheusSet, ...] = (
    PrometheusSet("vicuna", "vicuna_eval.json", 320),
    PrometheusSet("mt_bench", "mt_bench_eval.json", 320),
    PrometheusSet("hhh_alignment", "hhh_alignment_eval.json", 221, "relative"),
)
SPLITS = {s.split: s for s in SETS}

CATEGORIES = (
    "generic", "knowledge", "roleplay", "common-sense", "fermi", "counterfactual", "coding", "math", "writing",
    "reasoning", "extraction", "stem", "humanities", "helpful", "harmless", "honest", "other",
)  # fmt: skip
"""Vicuna Bench's categories in its file order, then MT-Bench's that Vicuna lacks, then HHH alignment's (in
upstream's ``acc_dict`` order)."""
HHH_CATEGORIES = ("helpful", "harmless", "honest", "other")
PAIR_FIELDS = ("source", "chosen_instruction", "rejected_instruction")


def split_prompt(prompt: str, *, path: str | Path, index: int, field: str = "instruction", reference: bool = True) -> dict[str, str]:
    """The sections of one absolute-grading prompt: ``instruction``, ``response``, ``reference``, ``rubric``.

    Each marker is looked up after the previous one; a section runs to the next marker (the rubric to
    ``###Feedback:`` or the end) and is stripped, as upstream's ``extract_sections`` does. With
    ``reference=False`` (the HHH prompts) the reference marker is optional (``reference`` is ``""`` without it).

    Raises:
        InputError: naming ``path``, the row and ``field`` when a marker is missing (or out of order).
    """
    starts: list[tuple[str, int, int]] = []
    at = 0
    for name, marker in zip(("instruction", "response", "reference", "rubric"), MARKERS, strict=True):
        pos = prompt.find(marker, at)
        if pos < 0 and marker == REFERENCE and not reference:
            continue
        if pos < 0:
            where = " after " + MARKERS[len(starts) - 1] if starts else ""
            raise InputError(f"the prompt has no {marker!r} section{where} (a Prometheus absolute-grading prompt holds {', '.join(MARKERS)} in that order)", path=path, line=index, field=field)
        starts.append((name, pos, pos + len(marker)))
        at = pos + len(marker)
    end = prompt.find(FEEDBACK, at)
    bounds = [pos for _, pos, _ in starts[1:]] + [end if end >= 0 else len(prompt)]
    out = {"reference": ""}
    out.update({name: prompt[body:stop].strip() for (name, _, body), stop in zip(starts, bounds, strict=True)})
    return out


def _scores(value: Any, *, path: str | Path, index: int) -> tuple[float, ...]:
    if not isinstance(value, list) or len(value) != len(RATERS):
        raise InputError(f"gpt4_score must be a list of {len(RATERS)} scores (one per GPT-4 run), got {value!r}", path=path, line=index, field="gpt4_score")
    lo, hi = SCALE
    for s in value:
        if isinstance(s, bool) or not isinstance(s, int | float) or not lo <= s <= hi:
            raise InputError(f"each GPT-4 score must be a number from {lo} to {hi}, got {s!r}", path=path, line=index, field="gpt4_score")
    return tuple(float(s) for s in value)


def row_to_item(row: dict[str, Any], *, prometheus_set: PrometheusSet, index: int, path: str | Path) -> Item:
    """One validated row as an item; ``index`` counts from 1 (the row errors name).

    Raises:
        InputError: naming ``path``, the row and the field that is missing, of the wrong type, out of range, or
            (``instruction``) lacking a section marker.
    """
    for name in FIELDS:
        if name not in row or row[name] is None:
            raise InputError(f"missing required field (a Prometheus evaluation row needs {', '.join(FIELDS)})", path=path, line=index, field=name)
    for name in ("response_source", "category", "instruction"):
        if not isinstance(row[name], str):
            raise InputError(f"expected a string, got {type(row[name]).__name__}", path=path, line=index, field=name)
    if isinstance(row["idx"], bool) or not isinstance(row["idx"], int | str):
        raise InputError(f"expected a question number, got {type(row['idx']).__name__}", path=path, line=index, field="idx")
    scores = _scores(row["gpt4_score"], path=path, index=index)
    sections = split_prompt(row["instruction"], path=path, index=index)
    model = row["response_source"]
    return Item(
        id=f"{prometheus_set.split}/{row['idx']}/{model}",
        prompt=sections["instruction"],
        responses=(Response(sections["response"], model=model, id=model),),
        target=Ratings({"overall": (scores,)}, scale=(float(SCALE[0]), float(SCALE[1])), raters=RATERS),
        category=row["category"],
        source=prometheus_set.filename,
        original_id=str(row["idx"]),
        reference=sections["reference"],
        rubric=sections["rubric"],
        metadata={"gpt4_feedback": row["gpt4_feedback"]} if "gpt4_feedback" in row else {},
    )


def pair_row_to_item(row: dict[str, Any], *, prometheus_set: PrometheusSet, index: int, path: str | Path) -> Item:
    """One validated relative-grading row (``hhh_alignment``) as a pair, chosen first; ``index`` counts from 1.

    Raises:
        InputError: naming ``path``, the row and the field that is missing or not a string, the prompt lacking a
            marker, or ``rejected_instruction`` when its instruction or rubric differs from the chosen prompt's.
    """
    for name in PAIR_FIELDS:
        if name not in row or row[name] is None:
            raise InputError(f"missing required field (a Prometheus relative-grading row needs {', '.join(PAIR_FIELDS)})", path=path, line=index, field=name)
        if not isinstance(row[name], str):
            raise InputError(f"expected a string, got {type(row[name]).__name__}", path=path, line=index, field=name)
    chosen = split_prompt(row["chosen_instruction"], path=path, index=index, field="chosen_instruction", reference=False)
    rejected = split_prompt(row["rejected_instruction"], path=path, index=index, field="rejected_instruction", reference=False)
    for key in ("instruction", "reference", "rubric"):
        if chosen[key] != rejected[key]:
            raise InputError(f"the two prompts grade different {key}s (only the response may differ: {chosen[key]!r:.60} vs {rejected[key]!r:.60})", path=path, line=index, field="rejected_instruction")
    return Item(
        id=f"{prometheus_set.split}/{index}",
        prompt=chosen["instruction"],
        responses=(Response(chosen["response"], id="chosen"), Response(rejected["response"], id="rejected")),
        target=Preference(0),
        category=row["source"],
        source=prometheus_set.filename,
        original_id=str(index),
        reference=chosen["reference"] or None,
        rubric=chosen["rubric"].split("\n")[0],
        metadata={"score_rubric": chosen["rubric"]},
    )


def read_set(path: str | Path, prometheus_set: PrometheusSet) -> list[Item]:
    """The items of one evaluation file (a JSON list of rows), all validated before any is returned.

    Raises:
        InputError: for a missing or unreadable file, a top level that is not a list, a malformed row (file, row,
            field), an empty set or two rows with the same question and response model.
    """
    to_item = pair_row_to_item if prometheus_set.grading == "relative" else row_to_item
    items = [to_item(row, prometheus_set=prometheus_set, index=i, path=path) for i, row in iter_json_list(path, what="Prometheus evaluation set")]
    if not items:
        raise InputError(f"Prometheus' {prometheus_set.split} set is empty here (the released set has {prometheus_set.size} rows): a damaged copy?", path=path)
    seen: dict[str, int] = {}
    for i, item in enumerate(items, start=1):
        if item.id in seen:
            raise InputError(f"rows {seen[item.id]} and {i} both grade question {item.original_id} answered by {item.responses[0].model!r}", path=path, line=i, field="idx")  # only absolute rows can repeat an id
        seen[item.id] = i
    return items


def data_root(data_dir: Path) -> Path:
    """The folder holding the ``*_eval.json`` files: ``data_dir`` itself, or its ``eval/benchmark/data/`` (a checkout
    of the repository)."""
    nested = data_dir / DATA_PATH
    if not any((data_dir / s.filename).exists() for s in SETS) and nested.is_dir():
        return nested
    return data_dir


def download(prometheus_set: PrometheusSet) -> Path:
    """The set's file from GitHub at the pinned commit, kept in the cache (downloaded once).

    Raises:
        InputError: when it cannot be downloaded (offline, blocked), saying where to put a local copy instead.
    """
    return cached_download(
        f"{RAW_BASE}/{prometheus_set.filename}",
        cache_root("prometheus", COMMIT) / prometheus_set.filename,
        what=f"Prometheus' {prometheus_set.filename}",
        offline_hint=f"Put a copy of {REPO}'s {DATA_PATH}/{prometheus_set.filename} in ${PROMETHEUS_DIR_ENV}, $JUDGEBENCH_DATA_DIR/prometheus or --data-dir",
    )


def load(split: str, data_dir: Path | None) -> list[Item]:
    """The items of ``split``, from ``data_dir`` when given, else downloaded.

    Raises:
        InputError: for an unknown split, a local copy without the set's file, a failed download, or a malformed
            row (see ``row_to_item``).
    """
    if split not in SPLITS:
        raise InputError(f"unknown prometheus split {split!r}; use one of: {', '.join(f'prometheus:{x}' for x in SPLITS)}", path=f"prometheus:{split}")
    prometheus_set = SPLITS[split]
    if data_dir is None:
        return read_set(download(prometheus_set), prometheus_set)
    path = data_root(Path(data_dir)) / prometheus_set.filename
    if not path.is_file():
        hint = f"; {Path(data_dir) / 'prometheus'} looks like it: pass that folder (--data-dir takes the benchmark's own folder, $JUDGEBENCH_DATA_DIR its parent)" if (Path(data_dir) / "prometheus").is_dir() else ""
        raise InputError(f"this Prometheus copy lacks {prometheus_set.filename} (expected a copy of {REPO}'s {DATA_PATH}/ folder){hint}", path=path)
    return read_set(path, prometheus_set)


_PAIRWISE = Pairwise(orders="both")
_POINTWISE = Pointwise()


def a2r_credit(chosen: Sequence[float | None], rejected: Sequence[float | None]) -> float:
    """Upstream's absolute-to-relative credit (``calculate_one_abs_acc``): the first of the first three samples
    where both scores exist and differ decides (1 when the chosen one is higher, else 0); none does: 0."""
    for a, b in list(zip(chosen, rejected, strict=False))[:3]:
        if a is not None and b is not None and a != b:
            return float(a > b)
    return 0.0


def relative_credit(result: ItemResult, rule: str = "vote") -> float:
    """One HHH pair's credit (module docstring): a pairwise judge's verdicts reduced by ``rule`` against the chosen
    response, or a pointwise judge's samples by ``a2r_credit``; NaN for an item that is no labelled pair or has
    no judgment."""
    item, judgments = result.item, result.judgments
    target = item.target
    if not isinstance(target, Preference) or target.winner is None or len(item.responses) != 2 or not judgments:
        return math.nan
    if all(len(j.shown) == 2 for j in judgments):
        return REDUCERS[rule].credit(target.decision, _PAIRWISE.combine(item, judgments).of(0, 1))
    if all(len(j.shown) == 1 for j in judgments):
        ratings = _POINTWISE.combine(item, judgments).ratings
        best, other = target.winner, 1 - target.winner
        return a2r_credit(ratings.get(best, ()), ratings.get(other, ()))
    return math.nan


def details(results: Sequence[ItemResult], metrics: Any, rule: str) -> dict[str, Any]:
    """HHH alignment's relative accuracy in percent (``calculate_results``): per category, and the pooled average
    as the headline with a 95% bootstrap interval over pairs; ``{}`` for a run with no pair (the absolute sets)."""
    from ..metrics.stats import bootstrap_mean_ci

    credits: dict[str, list[float]] = {}
    for r in results:
        c = relative_credit(r, rule)
        if c == c:
            credits.setdefault(r.item.category, []).append(c)
    if not credits:
        return {}
    pooled = [c for name in credits for c in credits[name]]
    low, high = bootstrap_mean_ci(pooled)
    order = [c for c in HHH_CATEGORIES if c in credits] + sorted(set(credits) - set(HHH_CATEGORIES))
    return {
        "headline": {"name": "Relative accuracy, all pairs pooled (Prometheus 'Average')", "value": 100 * sum(pooled) / len(pooled), "ci_low": 100 * low, "ci_high": 100 * high},
        "rows": [{"name": name, "value": 100 * sum(credits[name]) / len(credits[name]), "n": len(credits[name])} for name in order],
        "note": (
            f"Prometheus 2 ({REPO} eval/utils.py calculate_results @ {COMMIT[:7]}): a pair is right when the verdict names the "
            f"chosen response (a tie or no verdict is wrong; verdicts reduced by the {rule!r} rule), or, rated pointwise, when "
            "the first sample with different scores rates it higher; per category, and the average pooled over all pairs."
        ),
    }


BENCHMARK = register_benchmark(
    Benchmark(
        name="prometheus",
        description="absolute grading 1-5 with rubric and reference (Vicuna Bench, MT-Bench) against three GPT-4 scores; HHH alignment pairs (relative accuracy)",
        source=f"github:{REPO} {DATA_PATH}/ @ {COMMIT[:7]}",
        citation=(
            "Kim et al. 2024, Prometheus 2: An Open Source Language Model Specialized in Evaluating Other Language Models (EMNLP 2024), "
            f"arXiv 2405.01535; protocol and metrics: {REPO} eval/run_evaluate.py, eval/utils.py (calculate_results) @ {COMMIT[:7]}; "
            "hhh_alignment pairs: eval/benchmark/data_loader.py (_parse_records) and calculate_results' relative accuracy"
        ),
        load=load,
        splits=tuple(SPLITS),
        default_split="vicuna",
        suite_splits={"pointwise": ("vicuna", "mt_bench"), "pairwise": ("hhh_alignment",)},
        size={s.split: s.size for s in SETS},
        protocol=("pointwise", {"samples": 3}),
        metrics=("pearson", "spearman", "kendall", "accuracy"),
        categories=CATEGORIES,
        data_env=PROMETHEUS_DIR_ENV,
        details=details,
    )
)
