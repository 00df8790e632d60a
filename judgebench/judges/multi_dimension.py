"""``multi_dimension``: a pairwise verdict per named dimension (accuracy, helpfulness, language) and an overall verdict.

After the Multi-Elo Rating System of Wu & Aji, "Style Over Substance: Evaluation Biases for Large Language Models"
(arXiv 2307.03025): one overall score hides which quality decided it (a fluent answer with a factual error can win),
so the judge is asked for a verdict on each dimension separately. The paper's prompt is not public as far as we
could find; the template (``templates/multi_dimension.jinja``) is our own wording of the same request.

Output format: one line per dimension and a last ``overall`` line, each ``NAME: [[A]]``, ``[[B]]`` or ``[[tie]]``.
The judgment's ``decision`` is the overall verdict; ``extra["dimensions"]`` maps each dimension to ``"A>B"``,
``"B>A"``, ``"A=B"`` (in the order shown, like ``decision``) or ``None`` when its line was not found, with the reason
in ``extra["dimension_reasons"]``. ``judgebench dimensions`` (``analysis/multi_dimension.py``) turns them into
per-dimension rankings, agreement with human per-dimension labels and the share of overall verdicts that prefer a
response with a factual error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..backends import ChatParams
from ..errors import InputError
from ..schema import Decision, Judgment
from . import JudgeContext, register_judge
from ._parsing import answer_of
from ._prompted import PromptedJudge, Verdict

DEFAULT_DIMENSIONS = ("accuracy", "helpfulness", "language")
"""The Multi-Elo dimensions of Style over Substance (section 4)."""

DESCRIPTIONS = {
    "accuracy": "is the response factually correct, free of errors and made-up facts?",
    "helpfulness": "does the response address the question and give the user what they need?",
    "language": "is the response clear, fluent, well organised and free of grammatical errors?",
}
"""What each known dimension asks; another dimension is asked by its name alone."""

OVERALL = "overall"
_NAME = re.compile(r"^[a-z][a-z0-9_ -]{0,39}$")
_VALUES = {"A": Decision.A_BETTER, "B": Decision.B_BETTER, "TIE": Decision.TIE}


def dimensions_option(value: Any) -> tuple[str, ...]:
    """The ``dimensions`` option: a list of names (``--option dimensions='["accuracy","language"]'``) or a
    comma-separated string; lower case letters, digits, ``_``, ``-`` and spaces, distinct, not ``overall``.

    Raises:
        InputError: for an empty, malformed or repeated name.
    """
    if isinstance(value, str):
        text = value.strip()
        value = json.loads(text) if text.startswith("[") else [v for v in text.split(",")]
    if not isinstance(value, (list, tuple)) or not value:
        raise InputError(f"dimensions must be a non-empty list of names, got {value!r}", field="--option dimensions")
    names = tuple(str(v).strip().lower() for v in value)
    for n in names:
        if not _NAME.match(n) or n == OVERALL:
            raise InputError(f"dimension name {n!r}: use lower-case letters, digits, '_', '-' or spaces (and not 'overall')", field="--option dimensions")
    if len(set(names)) != len(names):
        raise InputError(f"dimensions repeat a name: {list(names)}", field="--option dimensions")
    return names


def _line(name: str) -> re.Pattern[str]:
    """A verdict line ``NAME: [[X]]`` at the start of a line (Markdown bold or a list dash allowed)."""
    return re.compile(rf"^[ \t>*_#-]*{re.escape(name)}[*_]*[ \t]*:[ \t]*[*_]*\[\[\s*(A|B|tie)\s*\]\]", re.IGNORECASE | re.MULTILINE)


def parse_dimensions(text: str, names: Sequence[str]) -> tuple[dict[str, str | None], dict[str, str]]:
    """Each dimension's verdict (``"A>B"``, ``"B>A"``, ``"A=B"`` or None) read from the answer, and the reason of
    each None. The last line of a dimension wins; reasoning in ``<think>`` blocks is not read."""
    answer = answer_of(text)
    verdicts: dict[str, str | None] = {}
    reasons: dict[str, str] = {}
    for name in names:
        found = list(_line(name).finditer(answer.text))
        if found:
            verdicts[name] = str(_VALUES[found[-1].group(1).upper()])
        else:
            verdicts[name] = None
            reasons[name] = answer.missing(f"'{name}: [[...]]' line", _line(name))
    return verdicts, reasons


def parse_overall(text: str) -> Verdict:
    """The overall verdict (the ``overall: [[X]]`` line) as the judgment's decision."""
    verdicts, reasons = parse_dimensions(text, (OVERALL,))
    value = verdicts[OVERALL]
    if value is None:
        return Verdict(Decision.NONE, reason=reasons[OVERALL])
    return Verdict(Decision(value))


@dataclass
class MultiDimensionJudge(PromptedJudge):
    """A prompted pairwise judge whose judgments also carry a verdict per dimension (``extra["dimensions"]``)."""

    dimensions: tuple[str, ...] = DEFAULT_DIMENSIONS

    def _with_dimensions(self, judgment: Judgment) -> Judgment:
        if judgment.is_failed:
            return judgment
        verdicts, reasons = parse_dimensions(judgment.output, self.dimensions)
        extra = {k: v for k, v in judgment.extra.items() if k not in ("dimensions", "dimension_reasons")}
        extra["dimensions"] = verdicts
        if reasons:
            extra["dimension_reasons"] = reasons
        return replace(judgment, extra=extra)

    async def judge(self, context: JudgeContext, response_a: str, response_b: str) -> Judgment:
        return self._with_dimensions(await super().judge(context, response_a, response_b))

    def reparse(self, judgment: Judgment) -> Judgment:
        return self._with_dimensions(super().reparse(judgment))


@register_judge("multi_dimension", "Pairwise verdict per dimension (accuracy, helpfulness, language) and overall, after Style over Substance's Multi-Elo; any chat model.")
def multi_dimension(backend: object, *, dimensions: Any = DEFAULT_DIMENSIONS, temperature: float = 0.0, max_tokens: int = 1024) -> MultiDimensionJudge:
    """``dimensions``: the names to judge on (default accuracy, helpfulness, language)."""
    names = dimensions_option(dimensions)
    return MultiDimensionJudge(
        name="multi_dimension",
        backend=backend,
        template="multi_dimension",
        parse=parse_overall,
        params=ChatParams(temperature=temperature, max_tokens=max_tokens),
        variables={"dimensions": [{"name": n, "description": DESCRIPTIONS.get(n, f"which response is better on {n}?")} for n in names]},
        dimensions=names,
    )
