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


def load_problems(recipe: Recipe, *, file: str | Path | None = None, limit: int | None = None) -> list[Problem]:
    """Read, map and validate the recipe's problems (all rows are checked before any is returned).

    Code problems whose tests cannot grade any program (they do not compile, or hold no test) are skipped with a
    warning, so that no pair is built on them.

    Raises:
        InputError: a missing column, a bad reference, a prompt that does not render, a duplicate id, HumanEval-style
            tests with no entry_point.
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
    seen: set[str] = set()
    skipped = 0
    for number, row in rows:
        if limit is not None and len(problems) >= limit:
            break
        if any(row.get(col) not in allowed for col, allowed in recipe.problems.where.items()):
            continue
        values: dict[str, Any] = {}
        for name, column in recipe.fields.items():
            if column is None:
                continue
            if column not in row:
                raise InputError(f"no column {column!r} (mapped to {name!r} by the recipe); columns: {sorted(row)[:20]}", path=where, line=number, field=column)
            values[name] = row[column]
        pid = str(values.pop("id")) if "id" in values else str(number - 1)
        if pid in seen:
            raise InputError(f"duplicate problem id {pid!r}", path=where, line=number, field=recipe.fields.get("id") or "id")
        seen.add(pid)
        try:
            prompt = template.render(**values, letters=letters, row=row)
        except jinja2.TemplateError as e:
            raise InputError(f"prompt does not render for this row: {e}", path=where, line=number, field="prompt") from None
        try:
            source = recipe.source.format_map({k: str(v) for k, v in row.items()})
        except (KeyError, ValueError) as e:
            raise InputError(f"recipe source {recipe.source!r} names a missing column {e}", path=where, line=number, field="source") from None
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
    return problems


def import_responses(recipe: Recipe, problems: list[Problem], file: str | Path | None = None) -> list[RawResponse]:
    """Responses from a file laid out as the recipe's ``responses`` section says (default: long layout).

    Responses to problems that were not loaded (e.g. cut by ``--limit``) are skipped.

    Raises:
        InputError: no file, a missing column, or no response that matches a loaded problem.
    """
    spec = recipe.responses or ResponseSource()
    path_text = str(file) if file is not None else spec.file
    if not path_text:
        raise InputError("no responses file: pass --responses FILE or set responses.file in the recipe", path=recipe.path, field="responses.file")
    path = resolve_path(path_text)
    wanted = {p.id for p in problems}
    out: list[RawResponse] = []
    counter: Counter[tuple[str, str]] = Counter()
    skipped = 0
    for number, row in iter_rows(path, what="response file"):
        for pid, generator, text in _cells(spec, row, path, number):
            if pid not in wanted:
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
