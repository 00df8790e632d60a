"""Data recipe files: ``data_recipes/<name>.yaml`` say where problems come from, how to prompt a generator, and how
to grade its answers. This module reads and checks them (``load_recipe``, ``list_recipes``); the pipeline that runs a
recipe is :mod:`judgebench.recipes` (which re-exports these names).
A recipe file (every key but ``name``, ``problems``, ``fields``/``answer`` and ``grader`` is optional)::

    name: gsm8k
    description: one line for `judgebench recipe list`
    source: gsm8k                 # each pair's `source`; "{column}" placeholders read the problem row
    problems: {hf: openai/gsm8k, config: main, split: test}   # or {file: "{shared}/gsm8k/test.jsonl"}
    id_field: id                  # the problems' id column (also `fields: {id: ...}`); see "Problem ids" below
    fields: {question: question, answer: answer}          # recipe field -> problem column
    prompt: "{{ question }}"       # Jinja2 (strict); variables: the mapped fields, `letters`, and `row`
    grader: {kind: numeric, options: {}}                  # mcq | numeric | math | code
    generation: {temperature: 0.7, max_tokens: 2048, system: null}
    pairing: {max_pairs_per_problem: 1, drop_unanswered: true, dedupe: true, across_generators: false}
    responses: {file: ..., layout: wide, generators: [...], text: solution}   # import instead of generating
    output: gsm8k_pairs.jsonl

Problem ids: a problem's id is the value of its ``id_field`` column (``--id-field`` on the command line wins, then
``id_field``, then ``fields.id``); with none of these, the column ``id`` when the first row has one, and only for a
source with no id column at all (``openai/gsm8k``) the row number from 0. Imported responses are matched by that id.
The user guide with a complete example is ``docs/recipes.md``.

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

from ..errors import InputError
from ..files import check_json_value
from .pairing import PairingOptions

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
RECIPES_ENV = "JUDGEBENCH_RECIPES_DIR"
SHARED_ENV = "JUDGEBENCH_SHARED_DATA"
GRADER_KINDS = ("mcq", "numeric", "math", "code")
TOP_KEYS = {"name", "description", "source", "problems", "id_field", "fields", "prompt", "grader", "generation", "pairing", "responses", "output"}


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
    holding the text or an object whose ``text`` field is the text. ``correct`` names the label column of a file
    of already graded responses (``--graded``).
    """

    file: str | None = None
    layout: str = "long"
    generators: tuple[str, ...] = ()
    text: str | None = None
    problem_id: str | None = "problem_id"
    response: str = "response"
    generator: str = "generator"
    default_generator: str = "imported"
    correct: str = "correct"


@dataclass(frozen=True)
class Recipe:
    """A parsed recipe file (see the module docstring for the format)."""

    name: str
    path: Path
    description: str = ""
    source: str = ""
    problems: ProblemSource = field(default_factory=ProblemSource)
    id_field: str | None = None
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

    @property
    def id_column(self) -> str | None:
        """The problems' id column the recipe names (``id_field``, else ``fields.id``); ``None``: see the module docstring."""
        return self.id_field or self.fields.get("id") or None


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
        id_field=str(data["id_field"]) if data.get("id_field") else None,
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

