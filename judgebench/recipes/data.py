"""Problems and imported responses for a recipe: reading rows from Hugging Face or local files, mapping a
recipe's ``fields`` onto them, rendering the prompt and building each problem's reference answer.

Every error names the file (or dataset), the row and the field.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..files import iter_rows
from ..grading import CodeTests, CodeTestsError, choice_letters
from .config import Recipe, ResponseSource, resolve_path

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    """One problem: its id, the pair ``source``, the prompt a generator sees, and the reference answer."""

    id: str
    source: str
    prompt: str
    reference: Any


@dataclass(frozen=True)
class RawResponse:
    """A response before grading."""

    problem_id: str
    text: str
    generator: str
    sample_index: int = 0
    params: dict[str, Any] = field(default_factory=dict)


def problem_rows(recipe: Recipe, *, file: str | Path | None = None) -> tuple[str, Iterator[tuple[int, dict[str, Any]]]]:
    """Where the rows come from (for messages) and the rows: ``file`` overrides the recipe's source."""
    src = recipe.problems
    if file is not None or src.file:
        path = Path(file) if file is not None else resolve_path(str(src.file))
        return str(path), iter_rows(path, what="problem file")
    from ..hub import load_hub_dataset

    where = f"hf:{src.hf}" + (f":{src.config}" if src.config else "") + f":{src.split}"
    if not src.hf:
        raise InputError("the recipe names no problem source (problems.hf or problems.file); pass --problems FILE", path=where)
    ds = load_hub_dataset(src.hf, hint="Offline? Pass --problems FILE with a local copy.", where=where, name=src.config, split=src.split)
    return where, enumerate((dict(r) for r in ds), start=1)


def _joined(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "\n".join(str(v) for v in value)
    return str(value)


def _cases(value: Any, where: str, line: int) -> tuple[tuple[str, str], ...]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as e:
            raise InputError(f"cases are not JSON: {e.msg}", path=where, line=line, field="cases") from None
    if not isinstance(value, list) or not all(isinstance(c, dict) and "input" in c and "output" in c for c in value):
        raise InputError("cases must be a list of {input, output} objects", path=where, line=line, field="cases")
    return tuple((str(c["input"]), str(c["output"])) for c in value)


class UngradableProblem(Exception):
    """A problem whose tests cannot grade any program (they do not compile, or there are none): skipped, not paired."""


def _code_reference(opts: dict[str, Any], values: dict[str, Any], where: str, line: int) -> CodeTests:
    try:
        if opts.get("style") == "stdio":
            return CodeTests(style="stdio", cases=_cases(values.get("cases"), where, line))
        test = "\n".join(t for t in (_joined(values.get("test_imports")), _joined(values.get("test"))) if t)
        tests = CodeTests(style="function", test=test, entry_point=str(values.get("entry_point") or ""), prompt=str(values.get("code_prompt") or ""))
    except CodeTestsError as e:
        if e.field == "entry_point":  # the recipe maps no entry_point for HumanEval-style tests: every row is wrong
            raise InputError(e.message, path=where, line=line, field=e.field) from None
        raise UngradableProblem(e.message) from None
    broken = tests.compile_error
    if broken is not None:
        raise UngradableProblem(f"the tests do not compile ({broken})")
    return tests


def reference_for(recipe: Recipe, values: dict[str, Any], where: str, line: int) -> Any:
    """The reference answer a grader compares with, built from the mapped fields of one row."""
    kind, opts = recipe.grader, recipe.grader_options
    if kind == "mcq":
        letters = choice_letters(int(opts.get("n_options", 10)))
        if "answer_index" in values and values["answer_index"] is not None:
            idx = values["answer_index"]
            if not isinstance(idx, int) or not 0 <= idx < len(letters):
                raise InputError(f"answer_index {idx!r} is not in 0..{len(letters) - 1}", path=where, line=line, field="answer_index")
            return letters[idx]
        answer = str(values.get("answer", "")).strip().upper()
        if len(answer) != 1 or answer not in letters:
            raise InputError(f"answer {values.get('answer')!r} is not one of the letters {letters}", path=where, line=line, field="answer")
        return answer
    if kind == "code":
        return _code_reference(opts, values, where, line)
    value = values.get("answer")
    if value is None or str(value).strip() == "":
        raise InputError("empty reference answer", path=where, line=line, field="answer")
    return str(value)


@dataclass(frozen=True)
class ProblemSet:
    """The problems a run uses, and every id the source holds (also rows cut by ``--limit`` or ``where``), so that
    a response to a problem that exists but was not loaded is skipped while an unknown id is an error.

    ``id_column`` is the column the ids come from; ``None`` when the source has no id column and ids are row
    numbers from 0.
    """

    problems: tuple[Problem, ...]
    known_ids: frozenset[str]
    where: str
    id_column: str | None


def _id_column(recipe: Recipe, id_field: str | None, first_row: dict[str, Any]) -> str | None:
    """``id_field`` (the command line), else the recipe's, else ``id`` when the first row has it, else ``None``."""
    if id_field:
        return id_field
    if recipe.id_column:
        return recipe.id_column
    return "id" if "id" in first_row else None


def load_problems(recipe: Recipe, *, file: str | Path | None = None, limit: int | None = None, id_field: str | None = None, need_reference: bool = True) -> list[Problem]:
    """The problems of :func:`load_problem_set` as a list."""
    return list(load_problem_set(recipe, file=file, limit=limit, id_field=id_field, need_reference=need_reference).problems)


def load_problem_set(recipe: Recipe, *, file: str | Path | None = None, limit: int | None = None, id_field: str | None = None, need_reference: bool = True) -> ProblemSet:
    """Read, map and validate the recipe's problems (all rows are checked before any is returned).

    A problem's id is its own (the id column, see :mod:`judgebench.recipes.config`), never a row number unless the
    source has no id column at all. Code problems whose tests cannot grade any program (they do not compile, or
    hold no test) are skipped with a warning, so that no pair is built on them. ``need_reference=False`` (labels
    imported with ``--graded``) builds no reference, so the answer columns may be empty.

    Raises:
        InputError: a missing column (the id column included), a bad reference, a prompt that does not render, a
            duplicate id, HumanEval-style tests with no entry_point.
    """
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    # A recipe is user input: its template may read the row's values, never Python internals (no
    # ``cycler.__init__.__globals__.os``), call unsafe methods or mutate lists and dicts.
    env = ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined, keep_trailing_newline=False, autoescape=False)
    try:
        template = env.from_string(recipe.prompt)
    except jinja2.TemplateSyntaxError as e:
        raise InputError(f"prompt template: {e.message}", path=recipe.path, line=e.lineno, field="prompt") from None
    letters = choice_letters(int(recipe.grader_options.get("n_options", 10)))
    where, rows = problem_rows(recipe, file=file)
    problems: list[Problem] = []
    known: set[str] = set()
    id_column: str | None = None
    first = True
    skipped = 0
    for number, row in rows:
        if first:
            id_column, first = _id_column(recipe, id_field, row), False
        if id_column is not None and id_column not in row:
            raise InputError(f"no id column {id_column!r}; columns: {sorted(row)[:20]}", path=where, line=number, field=id_column)
        pid = str(row[id_column]) if id_column is not None else str(number - 1)
        if (limit is not None and len(problems) >= limit) or any(row.get(col) not in allowed for col, allowed in recipe.problems.where.items()):
            known.add(pid)  # exists, not used: a response to it is skipped, not an error
            continue
        if pid in known:
            raise InputError(f"duplicate problem id {pid!r}", path=where, line=number, field=id_column or "id")
        known.add(pid)
        values: dict[str, Any] = {}
        for name, column in recipe.fields.items():
            if column is None or name == "id":
                continue
            if column not in row:
                if not need_reference and name not in ("question", "options"):
                    continue  # labels imported: no reference is built, so answer columns may be absent
                raise InputError(f"no column {column!r} (mapped to {name!r} by the recipe); columns: {sorted(row)[:20]}", path=where, line=number, field=column)
            values[name] = row[column]
        try:
            prompt = template.render(**values, letters=letters, row=row)
        except jinja2.TemplateError as e:
            raise InputError(f"prompt does not render for this row: {e}", path=where, line=number, field="prompt") from None
        try:
            source = recipe.source.format_map({k: str(v) for k, v in row.items()})
        except (KeyError, ValueError) as e:
            raise InputError(f"recipe source {recipe.source!r} names a missing column {e}", path=where, line=number, field="source") from None
        if not need_reference:
            problems.append(Problem(pid, source, prompt, None))
            continue
        try:
            reference = reference_for(recipe, values, where, number)
        except UngradableProblem as e:  # no program could be graded against it, so none is paired
            logger.warning("%s:%d: problem %s skipped: %s", where, number, pid, e)
            skipped += 1
            continue
        problems.append(Problem(pid, source, prompt, reference))
    if skipped:
        logger.warning("%s: %d problem(s) skipped because their tests cannot grade a program", where, skipped)
    if not problems:
        raise InputError("no problems read", path=where)
    return ProblemSet(tuple(problems), frozenset(known), where, id_column)


def _unknown_id(pid: str, problems: ProblemSet, path: Path, number: int, column: str) -> InputError:
    hint = (
        f"the problems ({problems.where}) have no id column, so their ids are row numbers 0..{len(problems.known_ids) - 1}; "
        "name their id column with --id-field COLUMN or `id_field:` in the recipe"
        if problems.id_column is None
        else f"no problem in {problems.where} has this {problems.id_column!r}"
    )
    return InputError(f"unknown problem id {pid!r}: {hint}", path=path, line=number, field=column)


def _as_problem_set(problems: ProblemSet | list[Problem]) -> ProblemSet:
    if isinstance(problems, ProblemSet):
        return problems
    return ProblemSet(tuple(problems), frozenset(p.id for p in problems), "the loaded problems", "id")


def import_responses(recipe: Recipe, problems: ProblemSet | list[Problem], file: str | Path | None = None) -> list[RawResponse]:
    """Responses from a file laid out as the recipe's ``responses`` section says (default: long layout), matched
    to problems by id.

    Responses to problems that exist but were not loaded (cut by ``--limit`` or the recipe's ``where``) are skipped.

    Raises:
        InputError: no file, a missing column, a problem id no problem has (file, line and the id column named).
    """
    spec = recipe.responses or ResponseSource()
    path_text = str(file) if file is not None else spec.file
    if not path_text:
        raise InputError("no responses file: pass --responses FILE or set responses.file in the recipe", path=recipe.path, field="responses.file")
    path = resolve_path(path_text)
    pset = _as_problem_set(problems)
    wanted = {p.id for p in pset.problems}
    out: list[RawResponse] = []
    counter: Counter[tuple[str, str]] = Counter()
    skipped = 0
    for number, row in iter_rows(path, what="response file"):
        for pid, generator, text in _cells(spec, row, path, number):
            if pid not in wanted:
                if pid not in pset.known_ids:
                    raise _unknown_id(pid, pset, path, number, spec.problem_id or "row number")
                skipped += 1
                continue
            if not isinstance(text, str):
                raise InputError(f"response text must be a string, got {type(text).__name__}", path=path, line=number, field=spec.text or spec.response)
            out.append(RawResponse(pid, text, generator, counter[(pid, generator)]))
            counter[(pid, generator)] += 1
    if not out:
        raise InputError(f"no response matches a loaded problem ({skipped} skipped); check responses.problem_id", path=path)
    logger.info("imported %d responses from %s (%d for problems not loaded)", len(out), path, skipped)
    return out


@dataclass(frozen=True)
class LabeledResponse:
    """A response whose correctness comes with it (``--graded``): not graded again."""

    problem_id: str
    text: str
    generator: str
    correct: bool
    sample_index: int
    where: str  # file:line, kept as the grade's reason


@dataclass(frozen=True)
class ImportedLabels:
    """What a ``--graded`` file holds: labeled responses (paired as usual) and ready pairs (chosen, rejected)."""

    responses: tuple[LabeledResponse, ...]
    pairs: tuple[tuple[LabeledResponse, LabeledResponse], ...]
    skipped: int


def _label(value: Any, path: Path, number: int, field_name: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(f"expected true or false, got {value!r}", path=path, line=number, field=field_name)
    return value


def _text(value: Any, path: Path, number: int, field_name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"expected a non-empty string, got {type(value).__name__}", path=path, line=number, field=field_name)
    return value


def import_labels(recipe: Recipe, problems: ProblemSet, file: str | Path) -> ImportedLabels:
    """Responses that already carry a correctness label, and preference pairs, from ``file`` (``--graded``).

    Each row is one of (column names from the recipe's ``responses`` section, defaults shown):

    * a labeled response: ``problem_id``, ``response``, ``correct`` (true/false), optional ``generator``;
    * a preference pair: ``problem_id``, ``chosen``, ``rejected``, optional ``generator``: one pair as given;
    * a list per problem: ``problem_id``, ``responses``: a list of ``{response, correct[, generator]}`` objects,
      paired like sampled responses.

    Raises:
        InputError: a row of none of these shapes, a label that is not true/false, an empty text, or an unknown
            problem id, naming the file, line and field.
    """
    spec = recipe.responses or ResponseSource()
    path = resolve_path(str(file))
    id_col = spec.problem_id or "problem_id"
    wanted = {p.id for p in problems.problems}
    responses: list[LabeledResponse] = []
    pairs: list[tuple[LabeledResponse, LabeledResponse]] = []
    counter: Counter[tuple[str, str]] = Counter()
    skipped = 0

    def labeled(pid: str, text: str, generator: str, correct: bool, number: int) -> LabeledResponse:
        r = LabeledResponse(pid, text, generator, correct, counter[(pid, generator)], f"{path}:{number}")
        counter[(pid, generator)] += 1
        return r

    for number, row in iter_rows(path, what="graded file"):
        if id_col not in row:
            raise InputError("missing column", path=path, line=number, field=id_col)
        pid = str(row[id_col])
        if pid not in wanted:
            if pid not in problems.known_ids:
                raise _unknown_id(pid, problems, path, number, id_col)
            skipped += 1
            continue
        generator = str(row.get(spec.generator) or spec.default_generator)
        if "chosen" in row or "rejected" in row:
            chosen, rejected = _text(row.get("chosen"), path, number, "chosen"), _text(row.get("rejected"), path, number, "rejected")
            pairs.append((labeled(pid, chosen, generator, True, number), labeled(pid, rejected, generator, False, number)))
        elif "responses" in row:
            items = row["responses"]
            if not isinstance(items, list) or not items:
                raise InputError("expected a non-empty list of {response, correct} objects", path=path, line=number, field="responses")
            for j, item in enumerate(items):
                name = f"responses[{j}]"
                if not isinstance(item, dict):
                    raise InputError("expected an object with response and correct", path=path, line=number, field=name)
                text = _text(item.get(spec.response, item.get("text")), path, number, f"{name}.{spec.response}")
                correct = _label(item.get(spec.correct), path, number, f"{name}.{spec.correct}")
                responses.append(labeled(pid, text, str(item.get(spec.generator) or generator), correct, number))
        elif spec.correct in row:
            text = _text(row.get(spec.response), path, number, spec.response)
            responses.append(labeled(pid, text, generator, _label(row[spec.correct], path, number, spec.correct), number))
        else:
            raise InputError(f"a graded row needs {spec.correct!r} (with {spec.response!r}), or chosen and rejected, or responses", path=path, line=number, field=spec.correct)
    if not responses and not pairs:
        raise InputError(f"no labeled response matches a loaded problem ({skipped} skipped)", path=path)
    return ImportedLabels(tuple(responses), tuple(pairs), skipped)


def _cells(spec: ResponseSource, row: dict[str, Any], path: Path, number: int) -> Iterator[tuple[str, str, Any]]:
    if spec.layout == "wide":
        pid = str(row[spec.problem_id]) if spec.problem_id and spec.problem_id in row else str(number - 1)
        for g in spec.generators:
            if g not in row:
                raise InputError(f"no column for generator {g!r}", path=path, line=number, field=g)
            cell = row[g]
            if spec.text:
                if not isinstance(cell, dict) or spec.text not in cell:
                    raise InputError(f"expected an object with {spec.text!r}", path=path, line=number, field=g)
                cell = cell[spec.text]
            yield pid, g, cell
        return
    for column in (spec.problem_id or "problem_id", spec.response):
        if column not in row:
            raise InputError("missing column", path=path, line=number, field=column)
    yield str(row[spec.problem_id or "problem_id"]), str(row.get(spec.generator) or spec.default_generator), row[spec.response]
