"""Leaderboard rows from scored runs and released judgment files, compared with the best run on the same pairs.

A *row* is a plain dict (the JSON/CSV boundary): identity (``judge``, ``model``, ``response_model``, ``dataset``,
``origin``), accuracies in percent per category and ``overall`` with its 95% bootstrap CI, ``consistency``,
``no_decision`` (% of judgments), ``n`` (pairs). Each row names its pair set (:func:`data_fields`: ``pair_set``,
``set_size``, ``partial``). :func:`compare_with_best` adds, within each group and among runs on the same pair set,
``best`` and the paired test of each row against the best row (``p_vs_best``, ``n_paired``, ``sig_test``,
``tied_with_best``); partial runs take no part unless asked (``compared``). Tables are rendered by
:func:`judgebench.reports.tables.render_leaderboard`.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..analysis.replay import JudgmentFile, read_judgment_file
from ..analysis.scoring import (
    RunMetrics,
    bootstrap_interval_of,
    item_credit,
    ordered_categories,
    result_category,
    run_benchmark,
    score_results,
)
from ..benchmarks import Benchmark, fallback_benchmark, get_benchmark
from ..errors import InputError
from ..files import atomic_write_text
from ..protocols import REDUCERS
from ..run.identity import item_set_sha256
from ..schema import BestOf, Item, ItemResult, Preference, is_model_name, response_models_label
from .latex import Width
from .names import Names
from .suite_table import SuiteTable, render_suite_table
from .tables import (
    Column,
    category_key,
    default_columns,
    format_cell,
    render_leaderboard,
    row_benchmark,
    row_categories,
    to_markdown,
)

logger = logging.getLogger(__name__)

SIGNIFICANCE_ALPHA = 0.05
MCNEMAR = "McNemar exact"
PAIRED_BOOTSTRAP = "paired bootstrap"
GROUP_BY = ("none", "response_model", "dataset")
_NAME_FIELD = re.compile(r"(?:^|,)dataset=([^,]+?)(?:,|\.jsonl$|$)")


def run_label(judge: str, model: str) -> str:
    """Short display name of a run: ``judge`` or ``judge: model`` (model without its organisation prefix)."""
    if not model or model in ("none", "?"):
        return judge
    return f"{judge}: {model.rsplit('/', 1)[-1]}"


def metrics_row(
    metrics: RunMetrics,
    *,
    judge: str,
    model: str,
    response_model: str,
    dataset: str,
    path: str,
    origin: str = "run",
    benchmark: Benchmark | None = None,
) -> dict[str, Any]:
    """One leaderboard row: identity, category accuracies (``categories``: the run's, in its benchmark's order),
    Overall with CI, consistency, no-decision rate.

    ``benchmark`` is the name of the benchmark the run names (``None`` when it names none). With no pairs, ``ci``
    is ``None``. ``no_decision`` is the share of judgments (not pairs) without a decision, in percent.
    """
    row: dict[str, Any] = {
        "judge": judge,
        "model": model,
        "label": run_label(judge, model),
        "response_model": response_model,
        "dataset": dataset,
        "origin": origin,
        # a judge with no model (random, longer, shorter) is a baseline: shown, never marked "best"
        "is_baseline": origin == "baseline" or not is_model_name(model),
        "rule": metrics.rule,
        "n": metrics.n_pairs,
        "path": path,
        "categories": list(metrics.categories),
        "benchmark": benchmark.name if benchmark is not None else None,
    }
    for c, v in metrics.categories.items():
        row[category_key(c)] = v
    row["overall"] = metrics.accuracy
    row["ci_low"] = metrics.ci_low
    row["ci_high"] = metrics.ci_high
    row["ci"] = f"{metrics.ci_low:.1f}–{metrics.ci_high:.1f}" if metrics.n_pairs and metrics.ci_low == metrics.ci_low else None
    own = (metrics.extra or {}).get("benchmark", {}).get("headline")
    head = metrics.headline()
    if own and head.value is not None and head.percent and (head.value, head.ci_low, head.ci_high) != (metrics.accuracy, metrics.ci_low, metrics.ci_high):
        # the benchmark's own score (RM-Bench's mean of domains, RewardBench's mean of sections, ...) is the Overall;
        # the generic accuracy over items stays in the row as items_accuracy
        row["items_accuracy"] = metrics.accuracy
        row["overall"], row["ci_low"], row["ci_high"] = head.value, head.ci_low, head.ci_high
        row["ci"] = f"{head.ci_low:.1f}–{head.ci_high:.1f}" if head.ci_low is not None and head.ci_high is not None else None
        row["headline"] = head.name
    agreement = (metrics.extra or {}).get("ratings_agreement") or {}
    for measure in RATING_MEASURES:  # a pointwise run on rated items: its headline correlations with the reference
        e = agreement.get(f"item/{measure}")
        if e is not None:
            row[measure] = e.get("value") if e.get("defined", True) else None
    row["consistency"] = metrics.position_consistency
    row["no_decision"] = 100 * metrics.n_no_decision / metrics.n_judgments if metrics.n_judgments else None
    row["failed"] = metrics.n_failed
    # judgments that ran / all: below total, failed calls were scored as no decision (tables flag the run)
    row["judged"] = f"{metrics.n_judgments - metrics.n_failed}/{metrics.n_judgments}" if metrics.n_judgments else None
    row["games"] = metrics.games
    return row


def own_rule(info: Mapping[str, Any] | None, benchmark: Benchmark | None = None) -> str:
    """The rule a run is scored under unless the user names one: the ``rule`` its ``run.json`` (``info``) records,
    else its benchmark's rule (``benchmark``, else the one ``info`` names), else ``vote`` (older runs and
    JudgeBench's released files record none; theirs is JudgeBench's rule)."""
    recorded = info.get("rule") if info else None
    if isinstance(recorded, str) and recorded in REDUCERS:
        return recorded
    if recorded is not None:
        logger.warning("run.json names an unknown rule %r; scoring under its benchmark's rule", recorded)
    benchmark = benchmark or run_benchmark(info)
    return benchmark.rule if benchmark is not None else "vote"


def file_info(path: str | Path) -> dict[str, Any] | None:
    """The ``run.json`` beside a judgment file (a run folder's ``judgments.jsonl``), or ``None`` (a released file,
    a file out of its folder)."""
    info_path = Path(path).with_name("run.json")
    return _read_json(info_path) if info_path.exists() else None


def file_benchmark(path: str | Path) -> Benchmark | None:
    """The benchmark named by the ``run.json`` beside a judgment file (a run folder's ``judgments.jsonl``), or
    ``None`` (a released file, a file out of its folder)."""
    return run_benchmark(file_info(path))


RATING_MEASURES = ("pearson", "spearman", "kendall")
"""The correlations with the reference ratings a row of a pointwise run on rated items carries (per response)."""


def score_file_row(jf: JudgmentFile, *, rule: str | None = None) -> dict[str, Any]:
    """The row of one judgment file, scored under ``rule`` (``None``: the file's own rule, :func:`own_rule` of the
    ``run.json`` beside it), with the benchmark its run folder names, if any."""
    metrics, benchmark = score_file_metrics(jf, rule=rule)
    return metrics_row(metrics, judge=jf.judge, model=jf.model, response_model=jf.response_model, dataset="", path=jf.path, benchmark=benchmark)


def score_file_metrics(jf: JudgmentFile, *, rule: str | None = None) -> tuple[RunMetrics, Benchmark | None]:
    """One judgment file scored under ``rule`` (``None``: its own), with its benchmark: the one its upstream format
    belongs to (``JudgmentFile.benchmark``: LLMBar's ``result.json``, RM-Bench's scores, ...; scored by that
    benchmark's rule, so its ``details`` are the official numbers), else the one its run folder names."""
    if jf.benchmark:
        upstream = get_benchmark(jf.benchmark)
        return score_results(jf.results, rule=rule or upstream.rule, benchmark=upstream), upstream
    info = file_info(jf.path)
    benchmark = run_benchmark(info)
    return score_results(jf.results, rule=rule or own_rule(info, benchmark), benchmark=benchmark), benchmark


def _read_json(path: Path) -> dict[str, Any]:
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"unreadable run file: {e}", path=path) from None
    if not isinstance(obj, dict):
        raise InputError(f"expected a JSON object, got {type(obj).__name__}", path=path)
    return obj


def collect_runs(results_dir: str | Path) -> list[dict[str, Any]]:
    """A row for every complete run (a folder with ``metrics.json`` and ``run.json``) under ``results_dir``, as
    scored when the run finished (no rescoring; see :func:`load_runs`)."""
    rows = []
    for metrics_path in sorted(Path(results_dir).rglob("metrics.json")):
        run_path = metrics_path.with_name("run.json")
        if not run_path.exists():
            continue
        try:
            metrics = RunMetrics.from_dict(_read_json(metrics_path))
        except TypeError as e:
            raise InputError(f"unreadable run file: {e}", path=metrics_path) from None
        info = _read_json(run_path)
        rows.append(
            metrics_row(
                metrics,
                judge=info.get("judge", "?"),
                model=info.get("model", "?"),
                response_model=info.get("response_model", ""),
                dataset=info.get("dataset", ""),
                path=str(metrics_path.parent),
                benchmark=run_benchmark(info),
            )
        )
    return rows


@dataclass(frozen=True)
class LoadedRun:
    """A leaderboard row with what it was computed from: the per-pair results (empty when only ``metrics.json``
    was available), each pair's credit under the row's rule (``pair_id`` -> credit in [0, 1]) and the benchmark
    the run names (``None``: none named; categories then follow JudgeBench's source-prefix rule)."""

    row: dict[str, Any]
    results: tuple[ItemResult, ...] = ()
    credits: dict[str, float] = field(default_factory=dict)
    benchmark: Benchmark | None = None
    metrics: RunMetrics | None = None  # the scores the row was made from (None for a baseline reference row)


def data_fields(info: dict[str, Any] | None = None, results: Sequence[ItemResult] = (), *, n: int | None = None, dataset: str = "") -> dict[str, Any]:
    """The row fields that say which pairs a run judged, from its ``run.json`` (``info``) and its results.

    * ``pair_set``: the runs compared with each other share it. The first 8 hex digits of the source set's
      content hash (``run.json`` ``pairs.set_sha256``, see ``pairs.pair_set_sha256``); for a file without it
      (older runs, JudgeBench's released files, ``--include``'d judgments) the hash of the pairs it holds; with
      neither (an older run with only ``metrics.json``), ``"<dataset> (n=<n>)"``.
    * ``set_size``: the number of pairs in the source set, when recorded (``None`` otherwise).
    * ``partial``: the run judged fewer pairs than its set (a ``--limit`` run). An older ``run.json`` without
      ``pairs`` counts as partial when its ``spec.limit`` is set and it judged exactly that many pairs.
    """
    info = info or {}
    recorded = info.get("pairs") if isinstance(info.get("pairs"), dict) else None
    judged = len(results) if results else n
    if recorded and isinstance(recorded.get("set_sha256"), str):
        set_size = recorded.get("set_size")
        return {"pair_set": recorded["set_sha256"][:8], "set_size": set_size, "partial": bool(isinstance(set_size, int) and judged is not None and judged < set_size)}
    limit = (info.get("spec") or {}).get("limit") if isinstance(info.get("spec"), dict) else None
    partial = bool(isinstance(limit, int) and limit > 0 and judged == limit)
    key = item_set_sha256(r.item for r in results)[:8] if results else f"{dataset or '?'} (n={judged})"
    return {"pair_set": key, "set_size": None, "partial": partial}


def loaded_run(
    results: Sequence[ItemResult], *, rule: str | None, seed: int, info: dict[str, Any] | None = None, benchmark: Benchmark | None = None, **identity: Any
) -> LoadedRun:
    """Score ``results`` under ``rule`` into a :class:`LoadedRun`; ``identity`` are the :func:`metrics_row`
    keywords (judge, model, response_model, dataset, path, origin), ``info`` the run's ``run.json`` if any (for
    :func:`data_fields`, for the benchmark it names unless ``benchmark`` is given, and for its own rule, used when
    ``rule`` is ``None``: :func:`own_rule`)."""
    benchmark = benchmark or run_benchmark(info)
    rule = rule or own_rule(info, benchmark)
    metrics = score_results(results, rule=rule, benchmark=benchmark, seed=seed)
    credits = {r.item_id: item_credit(r, rule) for r in results}
    return LoadedRun(metrics_row(metrics, benchmark=benchmark, **identity) | data_fields(info, results), tuple(results), credits, benchmark, metrics)


def judgment_files(path: str | Path) -> list[Path]:
    """The judgment files a path stands for: the file itself, every ``judgments.jsonl`` below a folder, or, when
    there is none, the folder's ``*.jsonl`` files (a folder of released JudgeBench outputs)."""
    p = Path(path)
    if not p.exists():
        raise InputError("no such file or folder", path=p)
    if p.is_file():
        return [p]
    return sorted(p.rglob("judgments.jsonl")) or sorted(p.glob("*.jsonl"))


def load_runs(results_dir: str | Path | None, include: Iterable[str | Path] = (), *, rule: str | None = None, seed: int = 0) -> list[LoadedRun]:
    """Every run under ``results_dir`` plus every judgment file in ``include``, scored under ``rule``.

    ``rule=None`` scores each run under its own rule (:func:`own_rule`: the ``rule`` its ``run.json`` records,
    else its benchmark's, else ``vote``, which is also the rule of a released file); a named rule rescores every
    run under it. A run folder with ``judgments.jsonl`` is rescored from it (so ``rule`` can differ from the
    run's); one with only ``metrics.json`` is taken as it was scored, which must then be under ``rule`` (any rule
    when ``rule`` is ``None``). Files in ``include`` are JudgeBench released outputs or judgebench
    ``judgments.jsonl``; each file is read once.

    Raises:
        InputError: for unreadable files, or a run that cannot be rescored under ``rule``.
    """
    runs: list[LoadedRun] = []
    seen: set[Path] = set()
    if results_dir is not None:
        # a run stopped before it finished holds only its partial log: not a result, but never left out silently
        unfinished = sorted(p.parent for p in Path(results_dir).rglob("judgments.jsonl.partial") if not (p.parent / "metrics.json").exists())
        if unfinished:
            shown = ", ".join(str(f) for f in unfinished[:3]) + (f" and {len(unfinished) - 3} more" if len(unfinished) > 3 else "")
            logger.warning("%d unfinished run(s) left out (a partial log, no results yet): %s; run their bench command again to finish them", len(unfinished), shown)
        for metrics_path in sorted(Path(results_dir).rglob("metrics.json")):
            folder = metrics_path.parent
            if not (folder / "run.json").exists():
                continue
            info = _read_json(folder / "run.json")
            identity: dict[str, str] = {
                "judge": str(info.get("judge", "?")),
                "model": str(info.get("model", "?")),
                "response_model": str(info.get("response_model", "")),
                "dataset": str(info.get("dataset", "")),
                "path": str(folder),
                "origin": "run",
            }
            judgments = folder / "judgments.jsonl"
            if judgments.exists() and is_large_run(info):
                # a run too large to hold (a million pairs): rescored in one streaming pass, shown like a run with
                # only metrics.json (no per-pair credits for the paired test, no pair browser)
                seen.add(judgments.resolve())
                runs.append(_streamed_run(judgments, rule=rule, seed=seed, info=info, identity=identity))
                continue
            if judgments.exists():
                seen.add(judgments.resolve())
                jf = read_judgment_file(judgments)
                identity["response_model"] = jf.response_model  # from every pair: older run.json files kept the first pair's
                runs.append(loaded_run(jf.results, rule=rule, seed=seed, info=info, benchmark=run_benchmark(info), **identity))
                continue
            metrics = RunMetrics.from_dict(_read_json(metrics_path))
            if rule is not None and metrics.rule != rule:
                raise InputError(f"scored under rule {metrics.rule!r} and has no judgments.jsonl to rescore under {rule!r}", path=metrics_path, field="rule")
            benchmark = run_benchmark(info)
            runs.append(LoadedRun(metrics_row(metrics, benchmark=benchmark, **identity) | data_fields(info, n=metrics.n_pairs, dataset=identity["dataset"]), benchmark=benchmark, metrics=metrics))
    for item in include:
        for path in judgment_files(item):
            if path.resolve() in seen:
                continue
            seen.add(path.resolve())
            jf = read_judgment_file(path)
            m = _NAME_FIELD.search(path.name)
            dataset = m.group(1) if m else (path.parent.parent.parent.name if path.name == "judgments.jsonl" else "")
            origin = "run" if path.name == "judgments.jsonl" else "released"
            beside = file_info(path)
            # JudgeBench's released files are JudgeBench's pairs: scored with its rule and details, like a run of it
            benchmark = run_benchmark(beside) or (fallback_benchmark() if jf.released else None)
            runs.append(
                loaded_run(
                    jf.results, rule=rule or own_rule(beside, benchmark), seed=seed, benchmark=benchmark, judge=jf.judge, model=jf.model, response_model=jf.response_model, dataset=dataset, path=str(path), origin=origin
                )
            )
    return runs


LARGE_RUN_ITEMS = 100_000
"""A run folder whose ``run.json`` counts more items than this is rescored by ``load_runs`` in one streaming pass
without holding its results (``runner.KEEP_RESULTS_MAX`` is the same bound for the run itself)."""


def is_large_run(info: dict[str, Any]) -> bool:
    """Whether a run's ``run.json`` counts more than ``LARGE_RUN_ITEMS`` items."""
    counts = info.get("counts")
    n = counts.get("pairs") if isinstance(counts, dict) else None
    return isinstance(n, int) and not isinstance(n, bool) and n > LARGE_RUN_ITEMS


def _streamed_run(path: Path, *, rule: str | None, seed: int, info: dict[str, Any], identity: dict[str, str]) -> LoadedRun:
    """A large run folder's row: its ``judgments.jsonl`` scored in one pass (``RunScorer``), no result kept."""
    from ..analysis.replay import stream_judgment_file
    from ..analysis.scoring import RunScorer

    benchmark = run_benchmark(info)
    scorer = RunScorer(rule=rule or own_rule(info, benchmark), benchmark=benchmark, seed=seed)
    jf = stream_judgment_file(path, scorer.add)
    metrics = scorer.finish()
    identity = {**identity, "response_model": jf.response_model}
    return LoadedRun(metrics_row(metrics, benchmark=benchmark, **identity) | data_fields(info, n=metrics.n_pairs, dataset=identity["dataset"]), benchmark=benchmark, metrics=metrics)


def benchmark_groups(runs: Sequence[LoadedRun]) -> list[tuple[str, list[LoadedRun]]]:
    """Split runs by benchmark (``tables.row_benchmark``: the one the run names, JudgeBench for a run that names
    none), sorted by benchmark name: runs of different benchmarks never share a table."""
    groups: dict[str, list[LoadedRun]] = {}
    for run in runs:
        groups.setdefault(row_benchmark(run.row), []).append(run)
    return sorted(groups.items())


def pair_set_groups(runs: Sequence[LoadedRun]) -> list[list[LoadedRun]]:
    """Split runs by pair set (row ``pair_set``), in order of first appearance."""
    groups: dict[Any, list[LoadedRun]] = {}
    for run in runs:
        groups.setdefault(run.row.get("pair_set"), []).append(run)
    return list(groups.values())


def runs_rule(rows: Iterable[Mapping[str, Any]]) -> str | None:
    """The rule of the runs among ``rows`` (reference rows left out) when they share one, else ``None``."""
    rules = {str(r["rule"]) for r in rows if r.get("origin") != "baseline" and r.get("rule")}
    return rules.pop() if len(rules) == 1 else None


def group_runs(runs: Sequence[LoadedRun], by: str = "none") -> list[tuple[str | None, list[LoadedRun]]]:
    """Split runs by ``by`` (``none``, ``response_model`` or ``dataset``); groups with more runs first, then by name."""
    if by not in GROUP_BY:
        raise InputError(f"cannot group by {by!r}; choose one of {', '.join(GROUP_BY)}", field="--group-by")
    if by == "none":
        return [(None, list(runs))]
    groups: dict[str, list[LoadedRun]] = {}
    for run in runs:
        groups.setdefault(str(run.row.get(by) or "unknown"), []).append(run)
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and not (isinstance(v, float) and np.isnan(v))


def sort_runs(runs: Sequence[LoadedRun], key: str, *, partial_last: bool = True) -> list[LoadedRun]:
    """Sort by row ``key``: numbers descending, then text ascending, missing values last; baselines always last,
    and, with ``partial_last``, partial runs (``row["partial"]``) after the complete ones.

    Raises:
        InputError: when no row has ``key``.
    """
    if runs and not any(key in r.row for r in runs):
        raise InputError(f"unknown sort column {key!r}; choose from {', '.join(k for k in runs[0].row if k != 'categories')}", field="--sort")

    def order(run: LoadedRun) -> tuple[bool, bool, int, float, str]:
        v = run.row.get(key)
        number = float(v) if _is_number(v) else None  # type: ignore[arg-type]
        kind = 0 if number is not None else 1 if isinstance(v, str) else 2
        return (run.row.get("origin") == "baseline", partial_last and bool(run.row.get("partial")), kind, -number if number is not None else 0.0, v if isinstance(v, str) else "")

    return sorted(runs, key=order)


def compare_with_best(runs: Sequence[LoadedRun], *, alpha: float = SIGNIFICANCE_ALPHA, seed: int = 0, include_partial: bool = False) -> list[LoadedRun]:
    """Mark the best run (highest ``overall``) of each pair set and test every other run on that pair set against
    it, on the pairs both judged.

    Runs are compared only with runs on the same pair set (row ``pair_set``, see :func:`data_fields`; rows
    without one form one set), so a run on other pairs is never "best" over, or tested against, runs it did not
    share pairs with. A partial run (``row["partial"]``: fewer pairs judged than its set has) is neither the best
    nor tested unless ``include_partial``; ``compared`` says whether a row took part.

    The test is McNemar's exact test on per-pair correctness when both runs' credits are 0/1 (rules ``vote``
    and ``first``), and a paired bootstrap of the accuracy difference (10,000 resamples, seeded) when a rule
    gives partial credit (``average``). ``tied_with_best`` is true when ``p >= alpha``: the row is not
    significantly different from the best. Rows without per-pair credits, or sharing no pair with the best,
    are not tested (``sig_test`` is ``None``). The expected-random reference row is never the best and never
    tested; a judge without a model (``random``, ``longer``, ``shorter``) is tested against the best but is never it.
    """
    from ..metrics.stats import mcnemar_exact, paired_bootstrap_difference

    def compared(r: LoadedRun) -> bool:  # a partial run, or one with failed judgments, only with include_partial
        return include_partial or not (r.row.get("partial") or r.row.get("failed"))

    tested_runs = [r for r in runs if r.row.get("origin") != "baseline" and _is_number(r.row.get("overall")) and compared(r)]
    best_of: dict[Any, LoadedRun] = {}
    for r in tested_runs:  # a no-model baseline judge is never "best"
        key = r.row.get("pair_set")
        if not r.row.get("is_baseline") and (key not in best_of or r.row["overall"] > best_of[key].row["overall"]):
            best_of[key] = r
    tested = {id(r) for r in tested_runs}
    out = []
    for run in runs:
        best = best_of.get(run.row.get("pair_set"))
        is_best = bool(best is not None and id(run) in tested and not run.row.get("is_baseline") and run.row["overall"] == best.row["overall"])
        row = dict(run.row, best=is_best, compared=run.row.get("origin") != "baseline" and compared(run))
        row.update(p_vs_best=None, n_paired=None, sig_test=None, tied_with_best=False)
        shared = sorted(set(run.credits) & set(best.credits)) if best is not None and run.credits else []
        if best is not None and not row["best"] and id(run) in tested and shared:
            a = np.array([best.credits[p] for p in shared])
            b = np.array([run.credits[p] for p in shared])
            p: float | None
            if np.isin(a, (0, 1)).all() and np.isin(b, (0, 1)).all():
                p, test = mcnemar_exact(a, b).p_value, MCNEMAR
            else:
                p, test = paired_bootstrap_difference(a, b, seed=seed).p_value, PAIRED_BOOTSTRAP
            row.update(p_vs_best=p, n_paired=len(shared), sig_test=test, tied_with_best=bool(p is not None and p >= alpha))
        out.append(replace(run, row=row))
    return out


def common_benchmark(runs: Sequence[LoadedRun]) -> Benchmark | None:
    """The benchmark the runs name, when those that name one all name the same; else ``None``."""
    named = {r.benchmark.name: r.benchmark for r in runs if r.benchmark is not None}
    return next(iter(named.values())) if len(named) == 1 else None


def _random_choice_credit(item: Item) -> float | None:
    """The expected credit of one uniform random choice on ``item`` (see :func:`baseline_run`)."""
    target = item.target
    if isinstance(target, Preference):
        return 0.5 if len(item.responses) == 2 and target.winner is not None else 0.0
    if isinstance(target, BestOf):
        return len(target.correct) / len(item.responses)
    return None


def _response_model(item: Item) -> str:
    """The model whose responses a pair holds (its ``response_model``), as a pair would say it; ``""`` else."""
    try:
        return item.to_pair().response_model
    except ValueError:
        return ""


def baseline_run(runs: Sequence[LoadedRun], *, rule: str | None = None) -> LoadedRun:
    """A reference row: the expected accuracy of choosing A or B uniformly at random once per pair (not a run).

    ``runs`` are the runs of one benchmark on one pair set (:func:`leaderboard` makes one row per benchmark and
    pair set); the row's ``rule`` is ``rule``, else the runs' common rule (the value is the same under every rule),
    and it names their ``pair_set`` and ``benchmark`` when they share one.

    Such a choice matches a strict label (``A>B``/``B>A``) with probability 1/2 under every rule, and never matches
    a tie label, so the expected accuracy is 50% times the share of strict labels, computed over the distinct
    pairs of ``runs`` (per category too); 50% when no per-pair results are available. A judge that draws
    independently in each of the two games expects 25% under the ``vote`` rule instead (both games must be right).

    An item that is not a pair (a best-of-K item: RewardBench 2, RMB, RM-Bench) counts as one uniform choice among
    its K responses: c/K with c of them correct (RewardBench 2's 25% for best-of-4); an item without an accuracy
    (ratings) is left out.
    """
    items = {r.pair_id: r.item for run in runs for r in run.results}
    category = {r.pair_id: result_category(r, run.benchmark) for run in runs for r in run.results}
    benchmark = common_benchmark(runs)
    by_cat: dict[str, list[float]] = {}
    for pid, item in items.items():
        credit = _random_choice_credit(item)
        if credit is not None:
            by_cat.setdefault(category[pid], []).append(credit)
    cats = ordered_categories(list(by_cat), benchmark) or ordered_categories([c for run in runs for c in run.row.get("categories", [])], benchmark)
    row: dict[str, Any] = {
        "judge": "random choice (expected)",
        "model": "not a run",
        "label": "random (expected)",
        "response_model": response_models_label(_response_model(item) for item in items.values()),
        "dataset": runs[0].row.get("dataset", "") if runs else "",
        "origin": "baseline",
        "is_baseline": True,
        "rule": rule or runs_rule(r.row for r in runs),
        "n": len(items) or None,
        "path": "",
        "categories": cats,
        "benchmark": benchmark.name if benchmark is not None else None,
    }
    if len(sets := {r.row.get("pair_set") for r in runs}) == 1 and (only := sets.pop()) is not None:
        row["pair_set"] = only
    for c in cats:
        row[category_key(c)] = 100 * float(np.mean(by_cat[c])) if c in by_cat else 50.0
    all_credit = [v for vs in by_cat.values() for v in vs]
    row["overall"] = 100 * float(np.mean(all_credit)) if all_credit else 50.0
    row.update(ci=None, ci_low=None, ci_high=None, consistency=None, no_decision=None, failed=None, games=None)
    return LoadedRun(row)


def leaderboard(
    runs: Sequence[LoadedRun],
    *,
    group_by: str = "none",
    sort: str = "overall",
    baseline: bool = False,
    rule: str | None = None,
    seed: int = 0,
    include_partial: bool = False,
) -> list[LoadedRun]:
    """Group by benchmark (:func:`benchmark_groups`: runs of different benchmarks never share a table), then by
    ``group_by`` within each; add a baseline row per pair set of each group; sort and compare with the best within
    each group and pair set (partial runs last and left out of the comparison unless ``include_partial``); rows
    carry their ``group`` (the ``group_by`` value) and ``benchmark``. ``rule`` is the rule the runs were scored
    under when one was named for all (``None``: each run's own, as its row says)."""
    out: list[LoadedRun] = []
    for _, bench_runs in benchmark_groups(runs):
        for name, members in group_runs(bench_runs, group_by):
            if baseline:
                members = [*members, *(baseline_run(same, rule=rule) for same in pair_set_groups(members))]
            for run in compare_with_best(sort_runs(members, sort, partial_last=not include_partial), seed=seed, include_partial=include_partial):
                out.append(replace(run, row=dict(run.row, group=name)))
    return out


def render_rows(
    rows: Sequence[dict[str, Any]],
    fmt: str,
    *,
    rule: str | None = None,
    caption: str | None = None,
    columns: Sequence[str] | None = None,
    names: Names | None = None,
    latex_width: Width = "column",
) -> str:
    """Render rows as ``md``, ``latex``, ``csv`` or ``json`` (see :func:`judgebench.reports.tables.render_leaderboard`;
    ``rule=None``: each table is headed with its rows' rule, or says each run has its own; ``names``: display names;
    ``latex_width``: ``column`` or ``text``).

    Raises:
        InputError: for an unknown format, column name or width.
    """
    try:
        return render_leaderboard(rows, fmt, rule=rule, caption=caption, columns=columns, names=names, width=latex_width)
    except ValueError as e:
        field = "--latex-width" if "width" in str(e) else "--columns" if "column" in str(e) else "--format"
        raise InputError(str(e), field=field) from None


def leaderboard_columns(rule: str | None = "vote", categories: Sequence[str] | None = None, rows: Sequence[dict[str, Any]] = ()) -> list[Column]:
    """The default table columns (see :func:`judgebench.reports.tables.default_columns`): one per category in
    ``categories``, else the runs' categories in their benchmark's order (``tables.row_categories(rows)``)."""
    return default_columns(rule, row_categories(rows) if categories is None else categories)


def write_leaderboard(
    rows: Sequence[dict[str, Any]],
    out_dir: str | Path,
    *,
    rule: str | None = None,
    columns: Sequence[str] | None = None,
    suite: SuiteTable | None = None,
    names: Names | None = None,
    latex_width: Width = "column",
) -> list[Path]:
    """Write ``leaderboard.md``, ``.tex`` (with ``columns``, set for ``latex_width``) and ``.csv`` (every field)
    into ``out_dir``, and with ``suite`` (runs on several benchmarks) ``suite.md``, ``.tex`` and ``.csv`` (one
    record per cell), with ``names`` (display names), atomically, after rendering them all; return their paths."""
    out = Path(out_dir)
    formats = (("md", "md"), ("latex", "tex"), ("csv", "csv"))
    texts = {out / f"leaderboard.{ext}": render_rows(rows, fmt, rule=rule, columns=columns if fmt != "csv" else None, names=names, latex_width=latex_width) for fmt, ext in formats}
    if suite is not None:
        texts |= {out / f"suite.{ext}": render_suite_table(suite, fmt, names=names, width=latex_width) for fmt, ext in formats}
    for path, text in texts.items():
        atomic_write_text(path, text)  # known secrets redacted
    return list(texts)


def category_rows(metrics: RunMetrics) -> list[dict[str, Any]]:
    """One row per category of a scored run: ``category``, ``n``, ``accuracy`` (under the run's rule, %) and
    ``consistency`` (positional agreement, %: both orders give the same verdict; ``None`` when no item of the
    category was judged in two orders), in the run's category order."""
    return [
        {"category": c, "n": metrics.category_counts.get(c, 0), "accuracy": acc, "consistency": metrics.category_consistency.get(c)}
        for c, acc in metrics.categories.items()
    ]


def render_category_table(metrics: RunMetrics) -> str:
    """The per-category table ``bench`` prints under its row (Markdown): accuracy under the rule and positional
    agreement per category, as LLMBar reports each subset."""
    columns = [Column("category", "Category", None), Column("n", "n", None), Column("accuracy", f"Accuracy ({metrics.rule})"), Column("consistency", "Positional agreement")]
    return to_markdown(category_rows(metrics), columns)


def render_run_summary(info: Mapping[str, Any], out_dir: str | Path) -> str:
    """What ``bench`` prints under its tables from a run's ``run.json`` (``info``): items and judgments (judged,
    from the call cache, reused, failed) and where the results are; then, for a run with a model, its calls,
    retries, tokens and cost (or why the cost is unknown)."""
    c = info["counts"]
    lines = [f"{c['pairs']} {c.get('unit', 'pairs')}, {c['judgments']} judgments ({c['new']} judged, {c.get('cached', 0)} of them from the call cache, {c['reused']} reused from an earlier run, {c['failed']} failed); results in {out_dir}/"]
    b = info.get("backend")
    if b:
        members = [m for m in b.get("members") or () if isinstance(m, dict)]
        # a jury whose members use their own servers: their calls are theirs, not the run's model's; the line sums all
        parts = [b, *members]
        total = {k: sum(int(p.get(k) or 0) for p in parts) for k in ("calls", "cached", "retries", "failed", "prompt_tokens", "completion_tokens")}
        priced = all(p.get("priced") for p in parts if p.get("calls"))
        cost = f"${sum(float(p.get('cost_usd') or 0) for p in parts):.4f}" if priced and total["calls"] else "cost unknown (model not in the price table; see JUDGEBENCH_PRICES)"
        # the run's model and, for a jury, its members' own models: the counts are over all of them
        who = f" ({b.get('model')} and the jury members' own {', '.join(str(m.get('model')) for m in members)})" if members else ""
        lines.append(
            f"model calls{who}: {total['calls']} answered, {total['cached']} from the call cache, {total['failed']} failed ({total['retries']} retries); "
            f"tokens: {total['prompt_tokens']} in, {total['completion_tokens']} out; {cost}"
        )
    return "\n".join(lines) + "\n"


def _estimate_cell(e: Mapping[str, Any]) -> tuple[str, str]:
    if not e.get("defined", True) or e.get("value") is None:
        return "–", str(e.get("reason") or "undefined")
    boot = bootstrap_interval_of(e)
    ci = f"{boot['low']:.3f}–{boot['high']:.3f}" if boot and boot.get("low") is not None else "–"
    return f"{e['value']:.3f}", ci


def render_run_extra(metrics: RunMetrics) -> str:
    """The parts of a run's score that are not accuracy, as ``bench`` prints them (Markdown): the agreement of a
    pointwise judge's ratings with the items' reference ratings (each measure with its 95% bootstrap CI and n), the
    position bias of a listwise judge (share of choices per shown position, chi-square p, accuracy by position),
    and the intransitivity of a round robin. Empty when the run has none of them."""
    extra = metrics.extra or {}
    parts: list[str] = []
    details = extra.get("benchmark")
    if details:
        head = details.get("headline") or {}
        lines = []
        if head:
            ci = f" (95% CI {head['ci_low']:.1f}–{head['ci_high']:.1f})" if isinstance(head.get("ci_low"), (int, float)) and isinstance(head.get("ci_high"), (int, float)) else ""
            value = head.get("value")
            lines.append(f"{head.get('name', 'score')}: {value:.1f}{ci}" if isinstance(value, (int, float)) else f"{head.get('name', 'score')}: –")
        # a row may give its own digits (a kappa or a correlation is not a percentage: "digits": 3)
        rows = [dict(r, value=format_cell(r.get("value"), r.get("digits", 1))) for r in details.get("rows") or []]
        table = to_markdown(rows, [Column("name", "Section", None), Column("value", "Score", None), Column("n", "n", None)]) if rows else ""
        note = details.get("note")
        parts.append("\n".join(lines) + ("\n\n" + table if table else "\n") + (f"\n{note}\n" if note else ""))
    agreement = extra.get("ratings_agreement")
    if agreement:
        rows = []
        for key, e in agreement.items():
            value, ci = _estimate_cell(e)
            rows.append({"measure": f"{e.get('name', key)} ({key.split('/', 1)[0]})", "value": value, "ci": ci, "n": e.get("n")})
        parts.append("Ratings against the reference (per response; per system = mean rating of each model):\n\n" + to_markdown(rows, [Column("measure", "Measure", None), Column("value", "Value", None), Column("ci", "95% CI", None), Column("n", "n", None)]))
    bias = extra.get("position_bias")
    if bias:
        def num(x: Any, fmt: str, scale: float = 1.0) -> str:
            return format(scale * x, fmt) if isinstance(x, (int, float)) and x == x else "–"

        shares = ", ".join(num(v, ".1f", 100) for v in bias.get("shares") or [])
        acc = ", ".join(num(a, ".1f") for a in bias.get("accuracy_by_position") or [])
        parts.append(
            f"Position bias: choices by shown position (%): {shares or '–'} (unbiased: {num(bias.get('expected_share'), '.1f', 100)} each); "
            f"chi-square {num(bias.get('chi2'), '.1f')}, p = {num(bias.get('p_value'), '.3g')}; accuracy when the correct response was shown at each position: {acc or '–'}\n"
        )
    intrans = extra.get("intransitivity")
    if intrans:
        parts.append(f"Intransitivity of the round robins: {json.dumps(intrans, sort_keys=True)}\n")
    return "\n".join(parts)
