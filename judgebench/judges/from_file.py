"""Judges from a file: ``--judge-file my_judge.yaml`` (or ``.toml``) defines a prompted judge without code.

A judge file gives the judge's ``name`` and ``kind`` (``pairwise``, ``pointwise`` or ``listwise``), its prompt as
Jinja templates (``system``, ``user``; or ``system_file``, ``user_file``, paths relative to the judge file), how its
answer is read (``parse``: a regular expression and what its label means, or a ``json_path`` into a JSON answer; a
rating ``scale`` for pointwise judges) and its generation parameters (``generation``: ``temperature``,
``max_tokens``, ``top_p``). A *jury file* instead lists ``members`` (each a built-in judge or a judge file, with its
own ``model``, ``base_url`` and ``api_key_env``) and is built by the ``jury`` judge. ``docs/judge-files.md`` has
complete examples of each.

Templates are rendered in a sandbox (``jinja2.sandbox.ImmutableSandboxedEnvironment``, no loader: a template reads
the values it is given and nothing else, no ``include``, no Python internals) with ``StrictUndefined``. Each template
is rendered once on a dummy item when the file is loaded (with and without a reference and rubric), so a misspelt
variable or an unsafe attribute fails before any call, naming the file and the field.

The answer is read by the rule every built-in judge follows (``_parsing``): the output is reduced to its answer
(end-of-sequence and ``<think>`` reasoning dropped), and of the pattern's labels that are not mentions (negated,
hypothetical, quoted from a response, offered as alternatives) the last one wins. An answer with no readable verdict
is a no-decision with the raw output and the reason kept; a failed call is a failure (``error``), as for built-in
judges.

Loading gives the registered judge to build (``file:pairwise``, ``file:pointwise``, ``file:listwise``, or ``jury``),
its options (the whole resolved definition, templates included, so ``run.json`` records it) and a record
(path, name, SHA-256 of the resolved definition) from which the results folder is named ``file:<name>@<hash>``:
editing the prompt never resumes an old run.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from ..backends import ChatParams, Messages
from ..errors import InputError
from ..schema import Decision, Judgment, Turn
from . import JudgeContext, get_judge_info, register_judge
from ._listwise import listwise_extra, listwise_judgment
from ._parsing import Answer, answer_of, read_label
from ._prompted import PromptedJudge, Verdict, compiled
from ._rating import RatingJudge, RatingRead

if TYPE_CHECKING:
    from . import JudgeKind

KINDS: tuple[JudgeKind, ...] = ("pairwise", "pointwise", "listwise")
REGISTERED = {k: f"file:{k}" for k in KINDS}
"""The registry name that builds a judge file of each kind (its factory takes ``definition=``)."""

JUDGE_KEYS = frozenset({"name", "kind", "description", "system", "user", "system_file", "user_file", "parse", "generation"})
JURY_KEYS = frozenset({"name", "description", "members", "weights"})
PARSE_KEYS = frozenset({"pattern", "json_path", "verdicts", "choices", "scale", "match", "ignore_case"})
GENERATION_KEYS = frozenset({"temperature", "max_tokens", "top_p"})
MEMBER_KEYS = frozenset({"judge", "judge_file", "options", "model", "base_url", "api_key_env", "weight"})
CONTEXT_VARIABLES = ("question", "conversation", "reference", "rubric", "category", "item_id", "metadata")
KIND_VARIABLES: dict[str, tuple[str, ...]] = {"pairwise": ("response_a", "response_b"), "pointwise": ("response",), "listwise": ("responses", "labels", "k")}
_DECISIONS = {"A>B": Decision.A_BETTER, "B>A": Decision.B_BETTER, "A=B": Decision.TIE, "TIE": Decision.TIE}
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_GROUP = {"pairwise": "verdict", "pointwise": "rating", "listwise": "choice"}


# --------------------------------------------------------------------------- the sandbox


@functools.cache
def sandbox() -> Any:
    """The judge files' Jinja environment: immutable sandbox, no loader, ``StrictUndefined``."""
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False)


def _variables(context: JudgeContext) -> dict[str, Any]:
    return {
        "question": context.question,
        "conversation": [t.to_dict() for t in context.conversation],
        "reference": context.reference,
        "rubric": context.rubric,
        "category": context.category,
        "item_id": context.item_id,
        "metadata": dict(context.metadata),
    }


def kind_variables(kind: str, responses: tuple[str, ...]) -> dict[str, Any]:
    """The variables a judge of ``kind`` gets for the responses shown."""
    if kind == "pairwise":
        return {"response_a": responses[0], "response_b": responses[1]}
    if kind == "pointwise":
        return {"response": responses[0]}
    return {"responses": list(responses), "labels": list(string.ascii_uppercase[: len(responses)]), "k": len(responses)}


@dataclass(frozen=True)
class Prompts:
    """A judge file's compiled templates."""

    user: Any
    system: Any | None

    def messages(self, variables: Mapping[str, Any]) -> Messages:
        out: Messages = []
        if self.system is not None:
            out.append({"role": "system", "content": self.system.render(**variables)})
        out.append({"role": "user", "content": self.user.render(**variables)})
        return out


# --------------------------------------------------------------------------- reading the answer


def _json_object(text: str) -> tuple[Any, str | None]:
    """The last JSON object in ``text`` (code fences allowed), or ``(None, reason)``."""
    decoder = json.JSONDecoder()
    found: Any = None
    i = text.find("{")
    while i >= 0:
        try:
            value, end = decoder.raw_decode(text, i)
        except json.JSONDecodeError:
            i = text.find("{", i + 1)
            continue
        if isinstance(value, dict):
            found = value
        i = text.find("{", end)
    return (found, None) if found is not None else (None, "no JSON object in the answer")


def _at(value: Any, path: tuple[str, ...]) -> tuple[Any, str | None]:
    for part in path:
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None, f"the answer's JSON has no {'.'.join(path)!r}"
    return value, None


@dataclass(frozen=True)
class FileParser:
    """How a judge file reads its answer (its ``parse`` table, checked).

    Attributes:
        kind: the judge's kind.
        pattern: the label pattern (its group ``verdict`` / ``rating`` / ``choice`` when named, else group 1, else
            the whole match), or None with ``json_path``.
        json_path: the keys (and list indices) of the value in the answer's last JSON object.
        labels: label (as written, upper-cased when ``ignore_case``) -> decision (pairwise) or position (listwise).
        scale: (low, high) of a pointwise rating, inclusive.
        match: ``first`` or ``last`` rating (pointwise; pairwise and listwise labels follow the shared rule, last wins).
        ignore_case: whether the pattern and the labels ignore case.
    """

    kind: str
    pattern: re.Pattern[str] | None
    json_path: tuple[str, ...] | None
    labels: Mapping[str, Any] = field(default_factory=dict)
    scale: tuple[float, float] = (1.0, 10.0)
    match: str = "last"
    ignore_case: bool = False

    def _norm(self, label: Any) -> str:
        text = str(label).strip()
        return text.upper() if self.ignore_case else text

    def _group(self, m: re.Match[str]) -> str:
        name = _GROUP[self.kind]
        if name in m.re.groupindex:
            return m.group(name) or ""
        return (m.group(1) if m.re.groups else m.group(0)) or ""

    def _what(self) -> str:
        return f"label matching the pattern {self.pattern.pattern}" if self.pattern is not None else f"JSON value at {'.'.join(self.json_path or ())}"

    def label(self, text: str) -> tuple[str | None, str | None]:
        """(the label read from ``text``, None) or (None, why none)."""
        answer: Answer = answer_of(text)
        if self.pattern is not None:
            m, reason = read_label(answer, self.pattern, self._what(), key=lambda m: self._norm(self._group(m)))
            return (self._norm(self._group(m)), None) if m is not None else (None, reason)
        if answer.problem is not None or not answer.text.strip():
            return None, answer.missing(self._what())
        obj, reason = _json_object(answer.text)
        if obj is None:
            return None, reason
        value, reason = _at(obj, self.json_path or ())
        if reason is not None:
            return None, reason
        return self._norm(value), None

    def verdict(self, text: str) -> Verdict:
        """A pairwise verdict."""
        label, reason = self.label(text)
        if label is None:
            return Verdict(Decision.NONE, reason=reason)
        decision = self.labels.get(label)
        if decision is None:
            return Verdict(Decision.NONE, reason=f"label {label!r} is not one of the file's verdicts ({', '.join(self.labels)})")
        return Verdict(decision)

    def rating(self, text: str) -> RatingRead:
        """A pointwise rating (the judge refuses one outside the scale)."""
        answer = answer_of(text)
        if self.pattern is None:
            label, reason = self.label(text)
            if label is None:
                return RatingRead(None, reason=reason)
        else:
            matches = [m for m in self.pattern.finditer(answer.text)]
            if not matches:
                return RatingRead(None, reason=answer.missing(self._what(), self.pattern))
            label = self._group(matches[0] if self.match == "first" else matches[-1])
        try:
            return RatingRead(float(label))
        except ValueError:
            return RatingRead(None, reason=f"{label!r} is not a number")

    def choice(self, text: str, k: int) -> tuple[int | None, tuple[int, ...] | None, str | None]:
        """A listwise choice: (position from 0, None, None), or (None, None, why none)."""
        label, reason = self.label(text)
        if label is None:
            return None, None, reason
        position = self.labels.get(label)
        if position is None or position >= k:
            return None, None, f"label {label!r} names none of the {k} responses shown"
        return int(position), None, None


# --------------------------------------------------------------------------- the judges


@dataclass
class FilePairwiseJudge(PromptedJudge):
    """A pairwise judge from a file: a ``PromptedJudge`` whose templates are the file's."""

    prompts: Prompts | None = None

    def messages(self, context: JudgeContext, response_a: str, response_b: str) -> Messages:
        assert self.prompts is not None
        return self.prompts.messages(_variables(context) | kind_variables("pairwise", (response_a, response_b)))


@dataclass
class FileListwiseJudge:
    """A listwise judge from a file: the choice of the best response shown."""

    kind: ClassVar[JudgeKind] = "listwise"
    name: str
    backend: Any
    prompts: Prompts
    parser: FileParser
    params: ChatParams = field(default_factory=ChatParams)
    order_invariant: bool = False

    def messages(self, context: JudgeContext, *responses: str) -> Messages:
        return self.prompts.messages(_variables(context) | kind_variables("listwise", responses))

    async def judge(self, context: JudgeContext, *responses: str) -> Judgment:
        k = len(responses)
        return await listwise_judgment(self.backend, self.params, self.messages(context, *responses), lambda text: self.parser.choice(text, k))

    def reparse(self, judgment: Judgment) -> Judgment:
        """``judgment`` with its choice read again from its stored output (``score --reparse``)."""
        from dataclasses import replace

        if judgment.is_failed or not judgment.output or judgment.view is None:
            return judgment
        choice, _, reason = self.parser.choice(judgment.output, len(judgment.view))
        kept = {k: v for k, v in judgment.extra.items() if k not in ("no_decision_reason", "finish_reason")}
        return replace(judgment, choice=choice, extra=kept | listwise_extra(reason, judgment.extra.get("finish_reason")))


# --------------------------------------------------------------------------- checking a definition


class _Check:
    """Validation with errors that name the file, the line (when known) and the field."""

    def __init__(self, path: str, lines: Mapping[str, int] | None = None):
        self.path = path
        self.lines = lines or {}

    def error(self, message: str, name: str) -> InputError:
        probe = name  # the field's own line, else its table's
        line = self.lines.get(probe)
        while line is None and "." in probe:
            probe = probe.rsplit(".", 1)[0]
            line = self.lines.get(probe)
        return InputError(message, path=self.path, line=line, field=name)

    def keys(self, table: Any, allowed: frozenset[str], prefix: str) -> Mapping[str, Any]:
        where = prefix.rstrip(".") or "the file"
        if not isinstance(table, Mapping):
            raise self.error(f"{where} must be a table of keys, got {type(table).__name__}", prefix.rstrip(".") or "name")
        for key in table:
            if key not in allowed:
                near = _close(str(key), allowed)
                raise self.error(f"unknown key {key!r}{f' (did you mean {near!r}?)' if near else ''}; allowed: {', '.join(sorted(allowed))}", f"{prefix}{key}")
        return table

    def text(self, table: Mapping[str, Any], key: str, prefix: str = "", *, required: bool = False) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                raise self.error("is required", f"{prefix}{key}")
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"must be non-empty text, got {value!r}", f"{prefix}{key}")
        return value

    def number(self, table: Mapping[str, Any], key: str, low: float, high: float, *, integer: bool = False) -> float | int | None:
        value = table.get(key)
        if value is None:
            return None
        ok = isinstance(value, int) if integer else isinstance(value, int | float)
        if not ok or isinstance(value, bool) or not low <= value <= high:
            raise self.error(f"must be {'an integer' if integer else 'a number'} from {low:g} to {high:g}, got {value!r}", f"generation.{key}")
        return value


def _close(word: str, choices: frozenset[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, sorted(choices), n=1)
    return found[0] if found else None


def _compile(check: _Check, source: str, name: str) -> Any:
    import jinja2

    try:
        return compiled(sandbox().from_string(source))
    except jinja2.TemplateSyntaxError as e:
        raise check.error(f"template syntax error on line {e.lineno} of the template: {e.message}", name) from None


def _try_render(check: _Check, kind: str, prompts: Prompts, names: tuple[str, str | None]) -> None:
    """Render the templates on dummy items (with and without a reference and rubric; 2 responses, and 3 for listwise)."""
    import jinja2
    from jinja2.exceptions import SecurityError

    views: dict[str, list[tuple[str, ...]]] = {"pairwise": [("Response one.", "Response two.")], "pointwise": [("Response one.",)], "listwise": [("One.", "Two."), ("One.", "Two.", "Three.")]}
    shown = views[kind]
    contexts = (
        JudgeContext("What is 2 + 2?", (Turn("user", "What is 2 + 2?"),), "4", "Correctness.", "math", "dummy", {}),
        JudgeContext("What is 2 + 2?", (Turn("user", "What is 2 + 2?"),)),
    )
    available = ", ".join((*CONTEXT_VARIABLES, *KIND_VARIABLES[kind]))
    for template, name in ((prompts.system, names[1]), (prompts.user, names[0])):
        if template is None or name is None:
            continue
        for context in contexts:
            for responses in shown:
                try:
                    template.render(**_variables(context), **kind_variables(kind, responses))
                except SecurityError as e:
                    raise check.error(f"the template does something the sandbox refuses: {e}", name) from None
                except jinja2.UndefinedError as e:
                    raise check.error(f"the template uses an undefined variable ({e}); a {kind} judge's templates get: {available}", name) from None
                except Exception as e:  # a filter on a None reference, a bad index, ...
                    raise check.error(f"the template fails to render on a dummy item ({type(e).__name__}: {e}); guard optional values with {{% if reference %}}", name) from None


def _pattern(check: _Check, parse: Mapping[str, Any], ignore_case: bool) -> re.Pattern[str] | None:
    source = check.text(parse, "pattern", "parse.")
    if source is None:
        return None
    try:
        pattern = re.compile(source, re.IGNORECASE if ignore_case else 0)
    except re.error as e:
        raise check.error(f"not a valid regular expression: {e}", "parse.pattern") from None
    if pattern.search("") is not None:
        raise check.error("the pattern matches empty text, so it would read a label from any answer", "parse.pattern")
    return pattern


def _parser(check: _Check, kind: str, parse_table: Any) -> tuple[FileParser, dict[str, Any]]:
    parse = check.keys(parse_table, PARSE_KEYS, "parse.")
    ignore_case = parse.get("ignore_case", False)
    if not isinstance(ignore_case, bool):
        raise check.error(f"must be true or false, got {ignore_case!r}", "parse.ignore_case")
    pattern = _pattern(check, parse, ignore_case)
    json_path_text = check.text(parse, "json_path", "parse.")
    if (pattern is None) == (json_path_text is None):
        raise check.error("give exactly one of pattern and json_path", "parse")
    json_path = tuple(p for p in re.sub(r"^\$\.?", "", json_path_text).split(".") if p) if json_path_text else None
    if json_path_text is not None and not json_path:
        raise check.error("names no key (write e.g. verdict or result.winner)", "parse.json_path")
    resolved: dict[str, Any] = {"pattern": pattern.pattern if pattern else None, "json_path": json_path_text, "ignore_case": ignore_case}
    norm = (lambda s: str(s).strip().upper()) if ignore_case else (lambda s: str(s).strip())
    labels: dict[str, Any] = {}
    scale = (1.0, 10.0)
    match = "last"
    allowed = {"pairwise": {"verdicts"}, "pointwise": {"scale", "match"}, "listwise": {"choices"}}[kind]
    for key in ("verdicts", "choices", "scale", "match"):
        if key in parse and key not in allowed:
            raise check.error(f"does not apply to a {kind} judge (its parse keys: pattern or json_path, {', '.join(sorted(allowed))}, ignore_case)", f"parse.{key}")
    if kind == "pairwise":
        verdicts = parse.get("verdicts")
        if not isinstance(verdicts, Mapping) or not verdicts:
            raise check.error("is required: a table from each label to A>B, B>A or tie (e.g. {A: A>B, B: B>A, C: tie})", "parse.verdicts")
        for label, value in verdicts.items():
            decision = _DECISIONS.get(str(value).strip().upper())
            if decision is None:
                raise check.error(f"label {label!r} means {value!r}; a verdict is A>B, B>A or tie (A=B)", f"parse.verdicts.{label}")
            labels[norm(label)] = decision
        resolved["verdicts"] = {str(k): str(v) for k, v in labels.items()}
    elif kind == "pointwise":
        raw_scale = parse.get("scale")
        if not (isinstance(raw_scale, list) and len(raw_scale) == 2 and all(isinstance(x, int | float) and not isinstance(x, bool) for x in raw_scale) and raw_scale[0] < raw_scale[1]):
            raise check.error(f"is required: [low, high] with low < high, e.g. [1, 10]; got {raw_scale!r}", "parse.scale")
        scale = (float(raw_scale[0]), float(raw_scale[1]))
        match = parse.get("match", "last")
        if match not in ("first", "last"):
            raise check.error(f"must be first or last, got {match!r}", "parse.match")
        resolved |= {"scale": list(raw_scale), "match": match}
    else:
        choices = parse.get("choices")
        if choices is None:
            labels = {norm(c): i for i, c in enumerate(string.ascii_uppercase)}
        else:
            if not isinstance(choices, Mapping) or not choices:
                raise check.error("must be a table from each label to a position from 0 (default: A=0, B=1, ...)", "parse.choices")
            for label, value in choices.items():
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise check.error(f"must be a position from 0, got {value!r}", f"parse.choices.{label}")
                labels[norm(label)] = value
            resolved["choices"] = {str(k): v for k, v in labels.items()}
    return FileParser(kind, pattern, json_path, labels, scale, match, ignore_case), resolved


@dataclass(frozen=True)
class JudgeDefinition:
    """A checked judge file: what the judge is built from."""

    name: str
    kind: JudgeKind
    prompts: Prompts
    parser: FileParser
    params: ChatParams
    resolved: dict[str, Any]
    """The definition as plain data, templates inlined (what ``run.json`` records and the hash covers)."""


def check_definition(data: Any, path: str, lines: Mapping[str, int] | None = None, *, base: Path | None = None) -> JudgeDefinition:
    """Check a judge file's content (``data``, already read) and compile it.

    Args:
        data: the file's table.
        path: the file, for messages.
        lines: field (dotted) -> line in the file, where known.
        base: the folder ``system_file`` / ``user_file`` are relative to; None: those keys are refused (a resolved
            definition has its templates inlined).

    Raises:
        InputError: naming the file, line and field, for an unknown key, a missing or wrong value, a bad regular
            expression, or a template that does not compile or render on a dummy item.
    """
    check = _Check(path, lines)
    table = check.keys(data, JUDGE_KEYS, "")
    name = check.text(table, "name", required=True)
    assert name is not None
    kind = table.get("kind")
    if kind not in KINDS:
        raise check.error(f"must be one of {', '.join(KINDS)}, got {kind!r}", "kind")
    sources: dict[str, str | None] = {}
    for role in ("user", "system"):
        inline, from_file = table.get(role), table.get(f"{role}_file")
        if inline is not None and from_file is not None:
            raise check.error(f"give {role} or {role}_file, not both", f"{role}_file")
        if from_file is not None:
            text = check.text(table, f"{role}_file")
            if base is None:
                raise check.error("is not allowed here: templates are inlined", f"{role}_file")
            file = (base / str(text)).resolve()
            if not file.is_relative_to(base.resolve()):  # a template is the judge's, beside it: never /etc/passwd
                raise check.error(f"the template must be in the judge file's folder ({base.resolve()}) or below it, not {file}", f"{role}_file")
            try:
                if file.stat().st_size > MAX_FILE_BYTES:
                    raise check.error(f"the template is {file.stat().st_size:,} bytes; a template is at most {MAX_FILE_BYTES:,}", f"{role}_file")
                sources[role] = file.read_text(encoding="utf-8")
            except OSError as e:
                raise check.error(f"cannot read the template {file}: {e.strerror or e}", f"{role}_file") from None
        else:
            sources[role] = check.text(table, role, required=role == "user")
    user_source = sources["user"]
    assert user_source is not None
    prompts = Prompts(_compile(check, user_source, "user_file" if "user_file" in table else "user"), _compile(check, sources["system"], "system_file" if "system_file" in table else "system") if sources["system"] else None)
    _try_render(check, kind, prompts, ("user_file" if "user_file" in table else "user", ("system_file" if "system_file" in table else "system") if prompts.system is not None else None))
    if "parse" not in table:
        raise check.error("is required: how the answer is read (pattern or json_path, and what the labels mean)", "parse")
    parser, parse_resolved = _parser(check, kind, table["parse"])
    gen = check.keys(table.get("generation") or {}, GENERATION_KEYS, "generation.")
    temperature = check.number(gen, "temperature", 0.0, 2.0)
    max_tokens = check.number(gen, "max_tokens", 1, 200_000, integer=True)
    top_p = check.number(gen, "top_p", 0.0, 1.0)
    params = ChatParams(
        temperature=float(temperature) if temperature is not None else 0.0,
        max_tokens=int(max_tokens) if max_tokens is not None else 1024,
        top_p=float(top_p) if top_p is not None else None,
    )
    resolved = {
        "name": name,
        "kind": kind,
        "system": sources["system"],
        "user": user_source,
        "parse": parse_resolved,
        "generation": {"temperature": params.temperature, "max_tokens": params.max_tokens, "top_p": params.top_p},
    }
    return JudgeDefinition(name, cast("JudgeKind", kind), prompts, parser, params, resolved)


def build(definition: JudgeDefinition, backend: Any) -> Any:
    """The judge ``definition`` describes, on ``backend``."""
    name = f"file:{definition.name}"
    if definition.kind == "pairwise":
        return FilePairwiseJudge(name=name, backend=backend, template=definition.name, parse=definition.parser.verdict, params=definition.params, prompts=definition.prompts)
    if definition.kind == "pointwise":
        prompts = definition.prompts

        def render(context: JudgeContext, response: str) -> tuple[str, Messages]:
            return definition.name, prompts.messages(_variables(context) | kind_variables("pointwise", (response,)))

        return RatingJudge(name=name, backend=backend, scale=definition.parser.scale, render=render, parse=definition.parser.rating, params=definition.params)
    return FileListwiseJudge(name=name, backend=backend, prompts=definition.prompts, parser=definition.parser, params=definition.params)


_EXAMPLE_USER = {
    "pairwise": "Question: {{ question }}\n[A] {{ response_a }}\n[B] {{ response_b }}\nWhich answer is better? End with [[A]] or [[B]].",
    "pointwise": 'Question: {{ question }}\nResponse: {{ response }}\nRate the response from 1 to 10, for example: "Rating: [[5]]".',
    "listwise": "Question: {{ question }}\n{% for r in responses %}[{{ labels[loop.index0] }}] {{ r }}\n{% endfor %}Which is best? End with Best: [[X]], X its letter.",
}
EXAMPLES: dict[str, dict[str, Any]] = {
    "pairwise": {"name": "example", "kind": "pairwise", "user": _EXAMPLE_USER["pairwise"], "parse": {"pattern": r"\[\[(A|B)\]\]", "verdicts": {"A": "A>B", "B": "B>A"}}},
    "pointwise": {"name": "example", "kind": "pointwise", "user": _EXAMPLE_USER["pointwise"], "parse": {"pattern": r"Rating: \[\[(\d+)\]\]", "scale": [1, 10]}},
    "listwise": {"name": "example", "kind": "listwise", "user": _EXAMPLE_USER["listwise"], "parse": {"pattern": r"Best: \[\[([A-Z])\]\]"}},
}
"""What a ``file:<kind>`` judge built without a definition is (a registry listing or a test building every judge);
the command line refuses ``--judge file:<kind>`` and asks for ``--judge-file``."""


def _factory(kind: JudgeKind) -> Callable[..., Any]:
    def factory(backend: Any, *, definition: Mapping[str, Any] | None = None) -> Any:
        checked = check_definition(EXAMPLES[kind] if definition is None else definition, "the judge file's definition")
        if checked.kind != kind:
            raise InputError(f"a {checked.kind} definition given to the {kind} file judge", field="kind")
        return build(checked, backend)

    factory.__name__ = f"file_{kind}"
    return factory


for _kind in KINDS:
    register_judge(REGISTERED[_kind], f"A {_kind} judge from a file: --judge-file FILE (see docs/judge-files.md).", kind=_kind)(_factory(_kind))


# --------------------------------------------------------------------------- reading files


MAX_FILE_BYTES = 1_000_000
"""The largest judge file or template read (a prompt of a million characters is a mistake, and YAML parsing of a
huge file can take minutes)."""


def _read(path: Path) -> tuple[Any, dict[str, int]]:
    """The file's table and the line of each field (dotted; list entries by index).

    Raises:
        InputError: for an unreadable file, one larger than ``MAX_FILE_BYTES``, or broken YAML/TOML.
    """
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"the judge file is {size:,} bytes; a judge file is at most {MAX_FILE_BYTES:,} (templates and rules, not data)", path=path)
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot read the judge file: {e.strerror or e}", path=path) from None
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        import yaml

        try:
            data = yaml.safe_load(text)
            node = yaml.compose(text)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            raise InputError(f"broken YAML: {getattr(e, 'problem', None) or e}", path=path, line=mark.line + 1 if mark is not None else None) from None
        lines: dict[str, int] = {}
        _yaml_lines(node, "", lines)
        return data, lines
    if suffix == ".toml":
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            m = re.search(r"line (\d+)", str(e))
            raise InputError(f"broken TOML: {e}", path=path, line=int(m.group(1)) if m else None) from None
        return data, _toml_lines(text)
    raise InputError("a judge file is .yaml, .yml or .toml", path=path)


def _yaml_lines(node: Any, prefix: str, out: dict[str, int]) -> None:
    import yaml

    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = f"{prefix}{key.value}"
            out.setdefault(name, key.start_mark.line + 1)
            _yaml_lines(value, f"{name}.", out)
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            out.setdefault(f"{prefix}{i}", value.start_mark.line + 1)
            _yaml_lines(value, f"{prefix}{i}.", out)


def _toml_lines(text: str) -> dict[str, int]:
    """Approximate field lines of a TOML file: ``key =`` under its ``[table]`` / ``[[array]]`` header."""
    out: dict[str, int] = {}
    table = ""
    counts: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if m := re.match(r"^\[\[\s*([\w.-]+)\s*\]\]", s):
            counts[m.group(1)] = counts.get(m.group(1), -1) + 1
            table = f"{m.group(1)}.{counts[m.group(1)]}"
            out.setdefault(table, n)
        elif m := re.match(r"^\[\s*([\w.-]+)\s*\]", s):
            table = m.group(1)
            out.setdefault(table, n)
        elif m := re.match(r"^([\w-]+|\"[^\"]+\")\s*=", s):
            out.setdefault(f"{table}.{m.group(1).strip(chr(34))}" if table else m.group(1).strip('"'), n)
    return out


@dataclass(frozen=True)
class LoadedJudgeFile:
    """A loaded judge (or jury) file: what a ``RunSpec`` takes.

    Attributes:
        judge: the registered judge that builds it (``file:<kind>`` or ``jury``).
        options: its options: the resolved definition (templates inlined; a jury's members with theirs).
        record: ``{"path", "name", "sha256"}``: where it came from and the hash of ``judge`` and ``options``.
    """

    judge: str
    options: dict[str, Any]
    record: dict[str, str]

    @property
    def label(self) -> str:
        return file_label(self.record)


def file_label(record: Mapping[str, str]) -> str:
    """The results label of a judge file: ``file:<name>@<first 12 hex digits of its hash>``."""
    return f"file:{record['name']}@{record['sha256'][:12]}"


def load_judge_file(path: str | Path) -> LoadedJudgeFile:
    """Read and check a judge file (``.yaml``/``.yml``/``.toml``) or a jury file (one with ``members``).

    Raises:
        InputError: (exit 2) naming the file, line and field of the first problem.
    """
    p = Path(path)
    data, lines = _read(p)
    if isinstance(data, Mapping) and "members" in data:
        judge, options, name = "jury", _jury_options(data, p, lines), str(data.get("name") or "jury")
    else:
        definition = check_definition(data, str(p), lines, base=p.parent)
        judge, options, name = REGISTERED[definition.kind], {"definition": definition.resolved}, definition.name
    digest = hashlib.sha256(json.dumps({"judge": judge, "options": options}, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    return LoadedJudgeFile(judge, options, {"path": str(p), "name": name, "sha256": digest})


def _jury_options(data: Mapping[str, Any], path: Path, lines: Mapping[str, int]) -> dict[str, Any]:
    from ..backends import check_base_url, split_model
    from ..errors import JudgebenchError

    check = _Check(str(path), lines)
    table = check.keys(data, JURY_KEYS, "")
    if "name" in table:
        check.text(table, "name")
    members = table.get("members")
    if not isinstance(members, list) or not members:
        raise check.error("must be a list of members (each with judge or judge_file, and model, base_url, api_key_env when not the run's)", "members")
    resolved: list[dict[str, Any]] = []
    weights: list[float] = []
    for i, raw in enumerate(members):
        at = f"members.{i}."
        member = check.keys(raw, MEMBER_KEYS, at)
        judge, judge_file = member.get("judge"), member.get("judge_file")
        if (judge is None) == (judge_file is None):
            raise check.error("give exactly one of judge (a built-in judge) and judge_file", f"{at}judge")
        out: dict[str, Any] = {}
        if judge is not None:
            check.text(member, "judge", at)
            try:
                info = get_judge_info(str(judge))
            except JudgebenchError as e:
                raise check.error(str(e), f"{at}judge") from None
            if info.kind != "pairwise" or info.name == "jury" or info.name.startswith("file:"):
                raise check.error(f"{judge!r} cannot be a jury member: members are pairwise judges (not a jury, not file:*; use judge_file)", f"{at}judge")
            out["judge"] = info.name
            options = member.get("options") or {}
            if not isinstance(options, Mapping):
                raise check.error("must be a table of the judge's options", f"{at}options")
            if options:
                out["options"] = dict(options)
        else:
            text = check.text(member, "judge_file", at)
            if member.get("options"):
                raise check.error("options belong in the member's judge file", f"{at}options")
            sub = (path.parent / str(text)).resolve()
            sub_data, sub_lines = _read(sub)
            if isinstance(sub_data, Mapping) and "members" in sub_data:
                raise check.error("a jury cannot contain a jury", f"{at}judge_file")
            definition = check_definition(sub_data, str(sub), sub_lines, base=sub.parent)
            if definition.kind != "pairwise":
                raise check.error(f"{sub} is a {definition.kind} judge; a jury's members are pairwise judges", f"{at}judge_file")
            out["definition"] = definition.resolved
        model = check.text(member, "model", at)
        if model is not None:
            try:
                split_model(model)
            except InputError as e:
                raise check.error(e.reason, f"{at}model") from None
            out["model"] = model
        base_url = check.text(member, "base_url", at)
        if base_url is not None:
            try:
                check_base_url(base_url)
            except InputError as e:
                raise check.error(e.reason, f"{at}base_url") from None
            out["base_url"] = base_url
        key_env = check.text(member, "api_key_env", at)
        if key_env is not None:
            if not _ENV_NAME.match(key_env):
                raise check.error(f"must name an environment variable (the key itself is never written in a file), got {key_env!r}", f"{at}api_key_env")
            out["api_key_env"] = key_env
        weight = member.get("weight", 1.0)
        if not isinstance(weight, int | float) or isinstance(weight, bool) or weight <= 0:
            raise check.error(f"must be a number > 0, got {weight!r}", f"{at}weight")
        weights.append(float(weight))
        resolved.append(out)
    if "weights" in table:
        raise check.error("give each member its weight (weight: N) instead", "weights")
    return {"members": resolved, "weights": weights}
