"""Data recipes: declarative files in ``data_recipes/<name>.yaml`` that say where problems come from, how to
prompt a generator, and how to grade its answers; the engine that turns them into challenging pairs.

Pipeline (``run_recipe``): problems -> responses (sampled ``k`` times from a generator through a backend, or
imported from a file) -> grades (``judgebench.grading``) -> pairs (``judgebench.pairing``) -> output folder with
``<output>`` (pairs JSONL in the format of ``judgebench.pairs``), ``graded.jsonl`` (every response with its
grade), ``dataset/`` (``datasets.Dataset.save_to_disk``) and ``summary.json``.

A recipe file (every key but ``name``, ``problems``, ``fields``/``answer`` and ``grader`` is optional)::

    name: gsm8k
    description: one line for `judgebench recipe list`
    source: gsm8k                 # each pair's `source`; "{column}" placeholders read the problem row
    problems: {hf: openai/gsm8k, config: main, split: test}   # or {file: "{shared}/gsm8k/test.jsonl"}
    fields: {id: null, question: question, answer: answer}  # recipe field -> problem column (id null: row number)
    prompt: "{{ question }}"       # Jinja2 (strict); variables: the mapped fields, `letters`, and `row`
    grader: {kind: numeric, options: {}}                  # mcq | numeric | math | code
    generation: {temperature: 0.7, max_tokens: 2048, system: null}
    pairing: {max_pairs_per_problem: 1, drop_unanswered: true, dedupe: true, across_generators: false}
    responses: {file: ..., layout: wide, generators: [...], text: solution}   # import instead of generating
    output: gsm8k_pairs.jsonl

``{shared}`` in a path is ``$JUDGEBENCH_SHARED_DATA`` or ``../shared/data`` next to the project root. Fields per
grader: ``mcq`` needs ``answer`` (a letter) or ``answer_index``, and usually ``options`` (a list, shown by the
prompt); ``numeric`` and ``math`` need ``answer``; ``code`` needs ``test`` (text or a list of lines) with
optional ``test_imports``, ``entry_point`` and ``code_prompt``, or, with ``options: {style: stdio}``, ``cases``
(a list, or JSON text, of ``{input, output}``).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import InputError
from .files import check_json_value
from .pairing import PairingOptions

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
RECIPES_ENV = "JUDGEBENCH_RECIPES_DIR"
SHARED_ENV = "JUDGEBENCH_SHARED_DATA"
GRADER_KINDS = ("mcq", "numeric", "math", "code")
TOP_KEYS = {"name", "description", "source", "problems", "fields", "prompt", "grader", "generation", "pairing", "responses", "output"}


@dataclass(frozen=True)
class ProblemSource:
    """Where problems come from: a Hugging Face dataset (``hf``, ``config``, ``split``) or a local ``file``.

    ``where`` keeps only rows whose column holds one of the listed values, e.g. ``{platform: [atcoder]}``.
    """

    hf: str | None = None
    config: str | None = None
    split: str = "test"
    file: str | None = None
    where: dict[str, list[Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class ResponseSource:
    """How to read existing responses.

    ``layout="long"``: one response per row with ``problem_id``, ``response`` and ``generator`` columns
    (``generator`` may be absent: then ``default_generator``). ``layout="wide"``: one row per problem (matched by
    ``problem_id`` column, or by row number when it is ``None``) with one column per name in ``generators``,
    holding the text or an object whose ``text`` field is the text.
    """

    file: str | None = None
    layout: str = "long"
    generators: tuple[str, ...] = ()
    text: str | None = None
    problem_id: str | None = "problem_id"
    response: str = "response"
    generator: str = "generator"
    default_generator: str = "imported"


@dataclass(frozen=True)
class Recipe:
    """A parsed recipe file (see the module docstring for the format)."""

    name: str
    path: Path
    description: str = ""
    source: str = ""
    problems: ProblemSource = field(default_factory=ProblemSource)
    fields: dict[str, str | None] = field(default_factory=dict)
    prompt: str = "{{ question }}"
    grader: str = "mcq"
    grader_options: dict[str, Any] = field(default_factory=dict)
    generation: dict[str, Any] = field(default_factory=dict)
    pairing: PairingOptions = field(default_factory=PairingOptions)
    responses: ResponseSource | None = None
    output: str = ""

    @property
    def output_name(self) -> str:
        return self.output or f"{self.name}_pairs.jsonl"


def recipes_dir() -> Path:
    """``$JUDGEBENCH_RECIPES_DIR``, else ``data_recipes/`` of the project, else of the current folder."""
    env = os.environ.get(RECIPES_ENV)
    if env:
        return Path(env)
    for candidate in (ROOT / "data_recipes", Path.cwd() / "data_recipes"):
        if candidate.is_dir():
            return candidate
    return Path.cwd() / "data_recipes"


def shared_data_dir() -> Path:
    return Path(os.environ.get(SHARED_ENV) or ROOT.parent / "shared" / "data")


def resolve_path(text: str) -> Path:
    """Expand ``{shared}`` and ``~`` in a path from a recipe."""
    return Path(os.path.expanduser(text.replace("{shared}", str(shared_data_dir()))))


def list_recipes() -> list[Recipe]:
    """Every ``*.yaml`` recipe in ``recipes_dir()``, sorted by name."""
    return [load_recipe(p) for p in sorted(recipes_dir().glob("*.yaml"))]


def _typed(obj: Any, kind: type | tuple[type, ...], path: Path, name: str) -> Any:
    if not isinstance(obj, kind):
        want = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise InputError(f"expected {want}, got {type(obj).__name__}", path=path, field=name)
    return obj


def _dataclass_from(cls: type, data: Any, path: Path, name: str) -> Any:
    data = _typed(data or {}, dict, path, name)
    known = {f.name for f in fields(cls)}
    unknown = set(data) - known
    if unknown:
        raise InputError(f"unknown key(s) {sorted(unknown)}; expected some of {sorted(known)}", path=path, field=name)
    if "generators" in data:
        data = {**data, "generators": tuple(_typed(data["generators"], list, path, f"{name}.generators"))}
    try:
        return cls(**data)
    except (TypeError, ValueError) as e:
        raise InputError(str(e), path=path, field=name) from None


def load_recipe(name_or_path: str | Path) -> Recipe:
    """Load a recipe by name (``data_recipes/<name>.yaml``) or path.

    Raises:
        InputError: unknown recipe, broken YAML, or a wrong key, naming the file and the field.
    """
    import yaml

    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = recipes_dir() / f"{name_or_path}.yaml"
    if not path.is_file():
        names = ", ".join(p.stem for p in sorted(recipes_dir().glob("*.yaml"))) or "none"
        raise InputError(f"no such recipe; known recipes: {names}", path=path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        line = getattr(getattr(e, "problem_mark", None), "line", None)
        raise InputError(f"broken YAML: {getattr(e, 'problem', e)}", path=path, line=line + 1 if line is not None else None) from None
    data = _typed(data, dict, path, "<root>")
    check_json_value(data, path=path)  # e.g. a "\ud800" escape: a lone surrogate would crash the run later, not here
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise InputError(f"unknown key(s) {sorted(unknown)}; expected some of {sorted(TOP_KEYS)}", path=path, field=sorted(unknown)[0])
    for key in ("name", "problems", "grader"):
        if key not in data:
            raise InputError("missing required key", path=path, field=key)
    grader = _typed(data["grader"], dict, path, "grader")
    kind = grader.get("kind")
    if kind not in GRADER_KINDS:
        raise InputError(f"unknown grader kind {kind!r}; expected one of {', '.join(GRADER_KINDS)}", path=path, field="grader.kind")
    problems = _dataclass_from(ProblemSource, data["problems"], path, "problems")
    if not problems.hf and not problems.file:
        raise InputError("give `hf: DATASET` or `file: PATH`", path=path, field="problems")
    field_map = _typed(data.get("fields") or {}, dict, path, "fields")
    need = _required_fields(kind, {**(grader.get("options") or {}), "_fields": tuple(field_map)})
    missing = [f for f in need if f not in field_map]
    if missing:
        raise InputError(f"grader {kind!r} needs field(s) {missing} in `fields`", path=path, field="fields")
    responses = _dataclass_from(ResponseSource, data["responses"], path, "responses") if data.get("responses") else None
    if responses is not None and responses.layout not in ("long", "wide"):
        raise InputError(f"layout must be 'long' or 'wide', got {responses.layout!r}", path=path, field="responses.layout")
    return Recipe(
        name=str(data["name"]),
        path=path,
        description=str(data.get("description") or "").strip(),
        source=str(data.get("source") or data["name"]),
        problems=problems,
        fields=field_map,
        prompt=str(data.get("prompt") or "{{ question }}"),
        grader=kind,
        grader_options=_typed(grader.get("options") or {}, dict, path, "grader.options"),
        generation=_typed(data.get("generation") or {}, dict, path, "generation"),
        pairing=_dataclass_from(PairingOptions, data.get("pairing"), path, "pairing"),
        responses=responses,
        output=str(data.get("output") or ""),
    )


def _required_fields(kind: str, options: dict[str, Any]) -> list[str]:
    if kind == "code":
        return ["cases"] if options.get("style") == "stdio" else ["test"]
    if kind == "mcq":
        return ["question", "answer_index" if "answer_index" in options.get("_fields", ()) else "answer"]
    return ["question", "answer"]


# --------------------------------------------------------------------------- pipeline


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
        return "\n".join(lines)


def grade_texts(kind: str, opts: dict[str, Any], items: list[tuple[str, Any]], *, workers: int = 2) -> list[Any]:
    """Grade ``(response text, reference)`` items with one grader kind (input order kept). A pure function of its
    arguments, so a shard of items can be graded in another process (``--executor ray``)."""
    from concurrent.futures import ThreadPoolExecutor

    from .grading import choice_letters, grade_code, grade_mcq, grade_numeric

    if kind == "math":
        from .mathverify import MathVerifier

        with MathVerifier(workers=workers, timeout_s=float(opts.get("timeout_s", 5.0))) as verifier:
            return list(verifier.grade_many(items))
    if kind == "code":
        from .sandbox import Limits

        limits = Limits(**opts.get("limits", {}))
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            return list(pool.map(lambda it: grade_code(it[0], it[1], limits=limits), items))
    if kind == "mcq":
        letters = choice_letters(int(opts.get("n_options", 10)))
        return [grade_mcq(text, ref, letters=letters, repeat=opts.get("repeat")) for text, ref in items]
    numeric = {k: opts[k] for k in ("rel_tol", "abs_tol") if k in opts}
    return [grade_numeric(text, ref, **numeric) for text, ref in items]


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
        from .executors.ray_executor import ray_map_shards

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

    Raises:
        InputError: bad recipe data, no responses, or no generator and nothing to import.
    """
    import time
    from dataclasses import replace

    from .files import atomic_write_json, atomic_write_jsonl
    from .pairing import make_pairs
    from .recipe_data import import_responses, load_problems
    from .scoring import category_of
    from .secrets import redact_data

    out = Path(out_dir)
    problems = load_problems(recipe, file=problems_file, limit=limit)
    failures: tuple[Any, ...] = ()
    run_info: dict[str, Any] = {"recipe": recipe.name, "recipe_file": str(recipe.path)}
    if generator is not None and responses_file is None:
        from .generate import sample_responses

        try:
            outcome = sample_responses(problems, generator, k, recipe.generation, backend=backend)
        except ValueError as e:
            raise InputError(str(e), path=recipe.path, field="generation") from None
        raw, failures = list(outcome.responses), outcome.failures
        run_info |= {"generator": generator.to_dict(), "k": k, "generation": recipe.generation, "backend": outcome.stats}
    elif responses_file is not None or recipe.responses is not None:
        raw = import_responses(recipe, problems, responses_file)
        run_info |= {"responses_file": str(responses_file or (recipe.responses.file if recipe.responses else ""))}
    else:
        raise InputError("nothing to grade: give --generator MODEL to sample responses, or --responses FILE to import them", path=recipe.path)
    start = time.monotonic()
    graded = grade_responses(recipe, problems, raw, workers=workers, executor=executor, ray_address=ray_address)
    grading_s = time.monotonic() - start
    options = recipe.pairing if seed is None else replace(recipe.pairing, seed=seed)
    pairs, stats = make_pairs(graded, options, extra_metadata={"recipe": recipe.name})
    # known secrets redacted here, not only by the file writers, because the dataset folder is written by `datasets`
    pair_rows = redact_data([p.to_dict() for p in pairs])
    pairs_path = out / recipe.output_name
    atomic_write_jsonl(out / "graded.jsonl", (g.to_dict() for g in graded))
    atomic_write_jsonl(pairs_path, pair_rows)
    dataset_dir = _write_dataset(pair_rows, out / "dataset", push_to_hub) if (save_dataset or push_to_hub) and pair_rows else None
    by_gen: dict[str, list[bool]] = {}
    for g in graded:
        by_gen.setdefault(g.generator, []).append(g.grade.correct is True)  # None: no single answer
    categories: dict[str, int] = {}
    for p in pairs:
        categories[category_of(p.source)] = categories.get(category_of(p.source), 0) + 1
    correct = sum(g.grade.correct is True for g in graded)
    summary = RecipeSummary(
        recipe=recipe.name,
        problems=len(problems),
        responses=len(graded),
        generation_failures=len(failures),
        answered=sum(g.grade.has_answer for g in graded),
        correct=correct,
        share_correct=correct / len(graded) if graded else 0.0,
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
        sandbox=_sandbox_mode() if recipe.grader == "code" else None,
    )
    atomic_write_json(out / "summary.json", {**summary.to_dict(), "run": run_info, "pairing": options.__dict__, "failures": [list(f) for f in failures]})
    return summary


def _sandbox_mode() -> str:
    from .sandbox import isolation

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
