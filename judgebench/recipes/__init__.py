"""Data recipes: declarative files in ``data_recipes/<name>.yaml`` that say where problems come from, how to
prompt a generator, and how to grade its answers; the engine that turns them into challenging pairs.

Pipeline (``run_recipe``): problems -> responses (sampled ``k`` times from a generator through a backend, or
imported from a file) -> grades (``judgebench.grading``) -> pairs (``judgebench.recipes.pairing``) -> output folder with
``<output>`` (pairs JSONL in the format of ``judgebench.benchmarks.local``), ``graded.jsonl`` (every response with its
grade), ``dataset/`` (``datasets.Dataset.save_to_disk``) and ``summary.json``.

Responses may also come with their correctness already known (``graded_file``: labeled responses, chosen/rejected
rows, or a list of labeled responses per problem; see :func:`judgebench.recipes.data.import_labels`): they are
paired without grading. Every run reports the pairs' length hint (:mod:`judgebench.recipes.length`) and, when it
makes no pair, why (``RecipeSummary.no_pairs_reason``).

The recipe file format and its loader are in :mod:`judgebench.recipes.config` (re-exported here); the user guide
is ``docs/recipes.md``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..grading.rows import grade_texts

# re-exported: judgebench.recipes is where users (and older code) import the recipe file's names from
from .config import (
    GRADER_KINDS,
    RECIPES_ENV,
    ROOT,
    SHARED_ENV,
    TOP_KEYS,
    ProblemSource,
    Recipe,
    ResponseSource,
    list_recipes,
    load_recipe,
    recipes_dir,
    resolve_path,
    shared_data_dir,
)

__all__ = [
    "GRADER_KINDS",
    "ProblemSource",
    "RECIPES_ENV",
    "ROOT",
    "Recipe",
    "RecipeSummary",
    "ResponseSource",
    "SHARED_ENV",
    "TOP_KEYS",
    "grade_responses",
    "grade_texts",
    "list_recipes",
    "load_recipe",
    "recipes_dir",
    "resolve_path",
    "run_recipe",
    "shared_data_dir",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecipeSummary:
    """What a recipe run read, graded and made. ``share_correct`` is over graded responses (0 when none)."""

    recipe: str
    problems: int
    responses: int
    generation_failures: int
    answered: int
    correct: int
    share_correct: float
    share_correct_by_generator: dict[str, float]
    mixed_problems: int
    dropped_unanswered: int
    dropped_duplicates: int
    pairs: int
    correct_at_a: int
    pairs_by_category: dict[str, int]
    pairs_file: str
    dataset_dir: str | None
    grading_seconds: float
    sandbox: str | None = None
    length_hint: dict[str, Any] | None = None
    """:class:`judgebench.recipes.length.LengthHint` of the pairs, as a dict."""
    no_pairs_reason: str = ""
    sampling: dict[str, Any] | None = None
    """k, temperature and top_p of a sampling run (``None`` when responses were imported)."""

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)

    def render(self) -> str:
        """A short human-readable report."""
        lines = [
            f"recipe {self.recipe}: {self.problems} problems read, {self.responses} responses graded"
            + (f" ({self.generation_failures} generation calls failed)" if self.generation_failures else ""),
            f"  answered {self.answered}/{self.responses}; correct {self.correct}/{self.responses} ({100 * self.share_correct:.1f}%)",
        ]
        for gen, share in sorted(self.share_correct_by_generator.items()):
            lines.append(f"    {gen}: {100 * share:.1f}% correct")
        lines.append(f"  {self.mixed_problems} problems with both correct and incorrect responses; dropped {self.dropped_unanswered} unanswered, {self.dropped_duplicates} duplicates")
        lines.append(f"  {self.pairs} pairs ({self.correct_at_a} with the correct response at A) -> {self.pairs_file}")
        for cat, n in sorted(self.pairs_by_category.items()):
            lines.append(f"    {cat}: {n}")
        if self.length_hint is not None and self.pairs:
            from .length import LengthHint

            lines.append("  " + LengthHint(**self.length_hint).render())
        if self.no_pairs_reason:
            lines.append(f"  {self.no_pairs_reason}")
        return "\n".join(lines)


def grade_responses(recipe: Recipe, problems: list[Any], responses: list[Any], *, workers: int = 2, executor: str = "local", ray_address: str | None = None) -> list[Any]:
    """Grade every response against its problem's reference with the recipe's grader (input order kept).

    With ``executor="ray"`` the responses are cut into shards graded by Ray tasks (code runs in each task's own
    sandboxed subprocesses, ``workers`` at a time per task).
    """
    import functools

    from .pairing import GradedResponse

    by_id = {p.id: p for p in problems}
    items = [(r.text, by_id[r.problem_id].reference) for r in responses]
    if executor == "ray":
        from ..run.ray import ray_map_shards

        grades = ray_map_shards(functools.partial(grade_texts, recipe.grader, dict(recipe.grader_options), workers=1), items, address=ray_address, workers=workers)
    elif executor == "local":
        grades = grade_texts(recipe.grader, dict(recipe.grader_options), items, workers=workers)
    else:
        raise InputError(f"unknown executor {executor!r}; use local or ray", field="--executor")
    return [
        GradedResponse(r.problem_id, by_id[r.problem_id].source, by_id[r.problem_id].prompt, r.text, r.generator, g, r.sample_index, r.params)
        for r, g in zip(responses, grades, strict=True)
    ]


def run_recipe(
    recipe: Recipe,
    out_dir: str | Path,
    *,
    generator: Any = None,
    k: int = 10,
    responses_file: str | Path | None = None,
    problems_file: str | Path | None = None,
    limit: int | None = None,
    workers: int = 2,
    seed: int | None = None,
    save_dataset: bool = True,
    push_to_hub: str | None = None,
    backend: Any = None,
    executor: str = "local",
    ray_address: str | None = None,
    graded_file: str | Path | None = None,
    id_field: str | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    length_balanced: bool | None = None,
) -> RecipeSummary:
    """Run the whole pipeline and write the output folder (see the module docstring).

    Args:
        recipe: the recipe.
        out_dir: output folder (created).
        generator: a ``GeneratorSpec`` to sample ``k`` responses per problem; ``None`` imports responses from
            ``responses_file`` or the recipe's ``responses`` section.
        k: samples per problem.
        responses_file: import responses from this file instead (overrides the recipe's file).
        problems_file: read problems from this local file instead of the recipe's source.
        limit: only the first ``limit`` problems.
        workers: parallel graders (processes for math, sandboxed programs for code); Ray workers with ``executor="ray"``.
        executor: ``local`` or ``ray`` (grading fans out over a Ray cluster; generation stays on this process).
        ray_address: an existing Ray cluster for ``executor="ray"`` (default: start a local one).
        seed: pairing seed (default: the recipe's).
        save_dataset: also write ``dataset/`` with ``datasets.Dataset.save_to_disk``.
        push_to_hub: a Hugging Face repo id to push the pairs to (only when given).
        backend: a ready backend to sample from (tests); default ``get_backend(generator)``.
        graded_file: responses with their correctness already known (and preference pairs), paired without grading.
        id_field: the problems' id column (default: the recipe's, else ``id`` when present).
        temperature, top_p: sampling parameters overriding the recipe's ``generation`` section.
        length_balanced: choose pairs so that the longer response is correct in about half of them (default: the
            recipe's ``pairing.length_balanced``).

    A run that makes no pair still writes ``graded.jsonl``, ``summary.json`` (with ``no_pairs_reason``) and an
    empty pairs file (removing an older ``dataset/``), and warns; the command exits 1 on it.

    Raises:
        InputError: bad recipe data, no responses, or no generator and nothing to import.
    """
    import time
    from dataclasses import replace

    from ..analysis.scoring import source_category
    from ..files import atomic_write_json, atomic_write_jsonl
    from ..secrets import redact_data
    from .data import import_labels, import_responses, load_problem_set
    from .length import length_hint
    from .pairing import make_pairs

    out = Path(out_dir)
    sources = sum(x is not None for x in (generator, responses_file, graded_file))
    if sources > 1:
        raise InputError("give one of a generator, a responses file or a graded file", field="--graded")
    pset = load_problem_set(recipe, file=problems_file, limit=limit, id_field=id_field, need_reference=graded_file is None)
    problems = list(pset.problems)
    failures: tuple[Any, ...] = ()
    run_info: dict[str, Any] = {"recipe": recipe.name, "recipe_file": str(recipe.path), "id_field": pset.id_column}
    sampling: dict[str, Any] | None = None
    fixed: list[tuple[Any, Any]] = []
    if (temperature is not None or top_p is not None) and generator is None:
        raise InputError("--temperature and --top-p apply to sampling (--generator), not to imported responses", field="--temperature")
    if generator is not None:
        from .generate import sample_responses

        generation = dict(recipe.generation)
        generation |= {key: v for key, v in (("temperature", temperature), ("top_p", top_p)) if v is not None}
        effective_t = generation.get("temperature", _default_temperature())
        sampling = {"k": k, "temperature": effective_t, "top_p": generation.get("top_p")}
        if k > 1 and effective_t == 0:
            logger.warning(
                "sampling k=%d responses per problem at temperature 0: a greedy server answers the same text each time, "
                "which makes no pairs (duplicates are dropped); pass --temperature 0.7 (or set generation.temperature in %s)",
                k, recipe.path,
            )
        try:
            outcome = sample_responses(problems, generator, k, generation, backend=backend)
        except ValueError as e:
            raise InputError(str(e), path=recipe.path, field="generation") from None
        raw, failures = list(outcome.responses), outcome.failures
        run_info |= {"generator": generator.to_dict(), "k": k, "generation": generation, "sampling": sampling, "backend": outcome.stats}
    elif graded_file is not None:
        labels = import_labels(recipe, pset, graded_file)
        run_info |= {"graded_file": str(graded_file), "labels_skipped": labels.skipped}
    elif responses_file is not None or recipe.responses is not None:
        raw = import_responses(recipe, pset, responses_file)
        run_info |= {"responses_file": str(responses_file or (recipe.responses.file if recipe.responses else ""))}
    else:
        raise InputError("nothing to grade: give --generator MODEL to sample responses, --responses FILE to import them, or --graded FILE with their labels", path=recipe.path)
    start = time.monotonic()
    if graded_file is not None:
        by_id = {p.id: p for p in problems}
        graded = [_labeled(r, by_id) for r in labels.responses]
        fixed = [(_labeled(c, by_id), _labeled(w, by_id)) for c, w in labels.pairs]
    else:
        graded = grade_responses(recipe, problems, raw, workers=workers, executor=executor, ray_address=ray_address)
    grading_s = time.monotonic() - start
    options = recipe.pairing if seed is None else replace(recipe.pairing, seed=seed)
    if length_balanced is not None:
        options = replace(options, length_balanced=length_balanced)
    pairs, stats = make_pairs(graded, options, extra_metadata={"recipe": recipe.name}, fixed=fixed)
    hint = length_hint(pairs)
    # known secrets redacted here, not only by the file writers, because the dataset folder is written by `datasets`
    pair_rows = redact_data([p.to_dict() for p in pairs])
    pairs_path = out / recipe.output_name
    atomic_write_jsonl(out / "graded.jsonl", (g.to_dict() for g in [*graded, *(r for pair in fixed for r in pair)]))
    atomic_write_jsonl(pairs_path, pair_rows)
    dataset_dir = _write_dataset(pair_rows, out / "dataset", push_to_hub) if (save_dataset or push_to_hub) and pair_rows else None
    if not pair_rows:
        import shutil

        shutil.rmtree(out / "dataset", ignore_errors=True)  # an older run's dataset must not pass for this run's
        logger.warning("%s", stats.no_pairs_reason())
    elif hint.share is not None:
        logger.info("%s", hint.render())
    by_gen: dict[str, list[bool]] = {}
    for g in [*graded, *(r for pair in fixed for r in pair)]:
        by_gen.setdefault(g.generator, []).append(g.grade.correct is True)  # None: no single answer
    categories: dict[str, int] = {}
    for p in pairs:
        categories[source_category(p.source)] = categories.get(source_category(p.source), 0) + 1
    all_graded = [*graded, *(r for pair in fixed for r in pair)]
    correct = sum(g.grade.correct is True for g in all_graded)
    summary = RecipeSummary(
        recipe=recipe.name,
        problems=len(problems),
        responses=len(all_graded),
        generation_failures=len(failures),
        answered=sum(g.grade.has_answer for g in all_graded),
        correct=correct,
        share_correct=correct / len(all_graded) if all_graded else 0.0,
        share_correct_by_generator={gen: sum(v) / len(v) for gen, v in by_gen.items()},
        mixed_problems=stats.mixed_groups,
        dropped_unanswered=stats.dropped_unanswered,
        dropped_duplicates=stats.dropped_duplicates,
        pairs=stats.pairs,
        correct_at_a=stats.correct_at_a,
        pairs_by_category=categories,
        pairs_file=str(pairs_path),
        dataset_dir=str(dataset_dir) if dataset_dir else None,
        grading_seconds=round(grading_s, 3),
        sandbox=_sandbox_mode() if recipe.grader == "code" and graded_file is None else None,
        length_hint=hint.to_dict(),
        no_pairs_reason=stats.no_pairs_reason(),
        sampling=sampling,
    )
    atomic_write_json(out / "summary.json", {**summary.to_dict(), "run": run_info, "pairing": options.__dict__, "failures": [list(f) for f in failures]})
    return summary


def _default_temperature() -> float | None:
    """The temperature a generation section without one samples at (``ChatParams``' default)."""
    from ..backends import ChatParams

    return ChatParams().temperature


def _labeled(r: Any, by_id: dict[str, Any]) -> Any:
    """A ``GradedResponse`` for an imported label (``Grade`` kind ``label``: the label is the grade)."""
    from ..grading import Grade
    from .pairing import GradedResponse

    problem = by_id[r.problem_id]
    grade = Grade("label", r.correct, "correct" if r.correct else "incorrect", "", f"label from {r.where}")
    return GradedResponse(r.problem_id, problem.source, problem.prompt, r.text, r.generator, grade, r.sample_index, {})


def _sandbox_mode() -> str:
    from ..sandbox import isolation

    return isolation().detail


def _write_dataset(rows: list[dict[str, Any]], path: Path, push_to_hub: str | None) -> Path:
    """Save the pairs as a ``datasets.Dataset`` (atomically: a temporary folder renamed into place).

    ``metadata`` stays a struct (Arrow fills keys missing from some rows with null); if Arrow cannot type it,
    it is stored as JSON text instead, with a warning.
    """
    import json
    import shutil

    import datasets

    datasets.disable_progress_bars()
    try:
        ds = datasets.Dataset.from_list(rows)
    except Exception as e:  # pyarrow raises several types for mixed nested types
        logger.warning("pair metadata is stored as JSON text in the dataset (Arrow could not type it: %s)", e)
        ds = datasets.Dataset.from_list([{**r, "metadata": json.dumps(r["metadata"], ensure_ascii=False)} for r in rows])
    tmp = path.with_name(path.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    ds.save_to_disk(str(tmp))
    shutil.rmtree(path, ignore_errors=True)
    tmp.rename(path)
    if push_to_hub:
        ds.push_to_hub(push_to_hub)
    return path
