"""PromptedJudge: render a Jinja2 template -> backend.chat -> parse the verdict -> Judgment.

Templates live in ``judges/templates/<name>.jinja`` (user message) and ``<name>_system.jinja`` (system message,
optional), rendered with ``StrictUndefined`` so a missing variable is an error, not an empty string. Each template
starts with a ``{# ... #}`` header naming its source; Jinja drops that comment from the rendered prompt.

Templates are rendered with the item's context (``JudgeContext``): ``question``, ``reference`` and ``rubric``
(``None`` when the item has none), the two responses as ``response_a`` / ``response_b``, and the judge's own
``variables`` (options such as Prometheus 2's criterion), which must not reuse those names.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ..backends import BackendError, ChatParams, Messages
from ..schema import Decision, Judgment, Usage

if TYPE_CHECKING:
    from . import JudgeContext, JudgeKind

logger = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).with_name("templates")


@dataclass(frozen=True)
class Verdict:
    """What a parser read from a judge's output.

    Attributes:
        decision: in the order shown; ``Decision.NONE`` when no verdict could be read.
        scores: the scores, for formats that have them.
        confidence: a confidence the output states, if any.
        reason: why there is no decision (``"empty output"``, ``"no verdict label in the answer"``, ...); None
            when there is one.
    """

    decision: Decision
    scores: tuple[float, ...] | None = None
    confidence: float | None = None
    reason: str | None = None


Parser = Callable[[str], Verdict]

TRUNCATED_FINISH_REASONS = frozenset({"length", "max_tokens"})
"""Finish reasons that mean the output was cut off by the token limit (OpenAI-style ``length``, Anthropic ``max_tokens``)."""


def verdict_extra(verdict: Verdict, finish_reason: str | None) -> dict[str, Any]:
    """What a judgment records about its parse in ``Judgment.extra``.

    ``finish_reason`` is kept when the output was cut off by the token limit; ``no_decision_reason`` is set when
    there is no decision: the parser's reason, prefixed with ``output truncated (finish_reason=...)`` for a cut-off
    output. Empty for a decided, complete output. ``score --reparse`` calls this again with the stored finish
    reason, so a re-parse records the same reason a live run does.
    """
    extra: dict[str, Any] = {}
    truncated = finish_reason in TRUNCATED_FINISH_REASONS
    if truncated:
        extra["finish_reason"] = finish_reason
    if verdict.decision is Decision.NONE:
        reason = verdict.reason or "no verdict in the output"
        extra["no_decision_reason"] = f"output truncated (finish_reason={finish_reason}); {reason}" if truncated else reason
    return extra


@functools.cache
def _environment() -> Any:
    """The judges' Jinja environment: sandboxed (a template reads values, never Python internals; also when a
    user supplies one), strict about undefined variables. The templates ship with the package and do not change
    while a run lasts: ``auto_reload=False`` (no ``stat`` of the file on each load)."""
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
        autoescape=False,
        trim_blocks=False,
        auto_reload=False,
    )


def compiled(template: Any) -> Any:
    """``template`` (a compiled Jinja template) made cheaper to render many times: its globals (the environment's,
    the sandbox's ``range`` among them) copied into one plain dict, so each render copies a dict instead of walking
    the ``ChainMap`` Jinja keeps (which let a later change to the environment's globals show; ours never change).
    Rendering is otherwise unchanged: same code, same sandbox."""
    template.globals = dict(template.globals)
    return template


@functools.cache
def _template(name: str) -> Any:
    """``templates/<name>.jinja``, loaded and compiled once per process."""
    return compiled(_environment().get_template(f"{name}.jinja"))


def render_template(name: str, **variables: Any) -> str:
    """Render ``templates/<name>.jinja``; raises ``jinja2.UndefinedError`` for a missing variable."""
    return _template(name).render(**variables)


def render_messages(template: str, *, system_template: str | None = None, **variables: Any) -> Messages:
    """Chat messages for a judge: an optional system message and one user message."""
    messages: Messages = []
    if system_template:
        messages.append({"role": "system", "content": render_template(system_template, **variables)})
    messages.append({"role": "user", "content": render_template(template, **variables)})
    return messages


def prompt_text(messages: Messages) -> str:
    """A readable record of the messages sent, kept in the Judgment."""
    return "\n\n".join(f"[{m['role']}]\n{m['content']}" for m in messages)


CONTEXT_VARIABLES = frozenset({"question", "reference", "rubric", "response_a", "response_b"})
"""Template variables filled from the item's context and the responses shown; a judge's own variables cannot
reuse them."""


@dataclass
class PromptedJudge:
    """A judge defined by a template, generation parameters and a verdict parser.

    Attributes:
        name: registry name.
        backend: the managed backend (see ``judgebench.backends``).
        template: user-message template name (``templates/<template>.jinja``).
        parse: output text -> ``Verdict``; returns ``Decision.NONE`` when it cannot read a verdict.
        system_template: optional system-message template name.
        params: generation parameters.
        variables: the judge's own template variables (e.g. Prometheus 2's criterion); names the context fills
            (``question``, ``reference``, ``rubric``, ``response_a``, ``response_b``) are refused.
        order_invariant: True only if the judge already looks at both orders itself.
        verdict_letters: the tokens that name the first and second response in the verdict; with
            ``params.logprobs`` the judgment's confidence is the verdict token's probability (see ``verdict_confidence``).
        reference_variable: the template variable the item's reference answer fills when the item has one
            (``context.reference`` is not None), over the value ``variables`` gives it (the judge's option); None
            for judges whose templates take no reference answer.
    """

    kind: ClassVar[JudgeKind] = "pairwise"
    name: str
    backend: Any
    template: str
    parse: Parser
    system_template: str | None = None
    params: ChatParams = field(default_factory=ChatParams)
    variables: dict[str, Any] = field(default_factory=dict)
    order_invariant: bool = False
    verdict_letters: tuple[str, str] = ("A", "B")
    reference_variable: str | None = None
    _warned_no_logprobs: bool = field(default=False, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        clash = sorted(set(self.variables) & CONTEXT_VARIABLES)
        if clash:
            raise ValueError(f"judge {self.name!r}: template variable {clash[0]!r} is filled from the item's context")

    def template_variables(self, context: JudgeContext, response_a: str, response_b: str) -> dict[str, Any]:
        """What the templates are rendered with: the context's ``question``, ``reference`` and ``rubric``, the
        judge's ``variables``, the item's reference in ``reference_variable`` when it has one, and the responses."""
        variables: dict[str, Any] = {"question": context.question, "reference": context.reference, "rubric": context.rubric, **self.variables}
        if self.reference_variable is not None and context.reference is not None:
            variables[self.reference_variable] = context.reference
        return variables | {"response_a": response_a, "response_b": response_b}

    def messages(self, context: JudgeContext, response_a: str, response_b: str) -> Messages:
        """The chat messages for ``context`` with ``response_a`` shown first."""
        return render_messages(self.template, system_template=self.system_template, **self.template_variables(context, response_a, response_b))

    async def judge(self, context: JudgeContext, response_a: str, response_b: str) -> Judgment:
        messages = self.messages(context, response_a, response_b)
        prompt = prompt_text(messages)
        try:
            completion = await self.backend.chat(messages, self.params)
        except BackendError as e:
            return Judgment(Decision.NONE, prompt=prompt, error=str(e), usage=Usage(calls=1))
        verdict = self.parse(completion.text)
        confidence = verdict.confidence
        if confidence is None and completion.logprobs:
            confidence = verdict_confidence(completion.logprobs, verdict.decision, self.verdict_letters)
        elif self.params.logprobs and not completion.logprobs and not self._warned_no_logprobs:
            self._warned_no_logprobs = True
            logger.warning(
                "judge %s asked for log-probabilities (logprobs=true) but the server returned none: judgments get no "
                "verdict-token confidence (run.json counts those that have one). Serve the model with log-probabilities "
                "enabled (vLLM returns them by default), or drop the option.",
                self.name,
            )
        return Judgment(
            decision=verdict.decision,
            prompt=prompt,
            output=completion.text,
            scores=verdict.scores,
            score_kind="rating" if verdict.scores is not None else None,  # the score formats parsed here are ratings
            confidence=confidence,
            usage=completion.usage,
            extra=({"cached": True} if completion.cached else {}) | verdict_extra(verdict, completion.finish_reason),
        )

    def reparse(self, judgment: Judgment) -> Judgment:
        """``judgment`` with its decision and scores read again from its stored output by ``self.parse``.

        Used by ``judgebench score --reparse`` to re-score old runs after a parser fix. A failed call (``error``
        set) has no output and is returned unchanged. The no-decision reason is recorded again (with the stored
        ``finish_reason``); a confidence is kept only when the decision is unchanged (it was the probability of the
        old verdict's token).
        """
        if judgment.is_failed:
            return judgment
        verdict = self.parse(judgment.output)
        kept = {k: v for k, v in judgment.extra.items() if k not in ("no_decision_reason", "finish_reason")}
        return replace(
            judgment,
            decision=verdict.decision,
            scores=verdict.scores,
            score_kind="rating" if verdict.scores is not None else None,
            confidence=judgment.confidence if verdict.decision == judgment.decision else verdict.confidence,
            extra=kept | verdict_extra(verdict, judgment.extra.get("finish_reason")),
        )


_TOKEN_TRIM = " \t\n[](){}*\"'.:`"


def verdict_confidence(logprobs: Any, decision: Decision, letters: tuple[str, str] = ("A", "B")) -> float | None:
    """Probability the judge gave its verdict token, renormalised over the two verdict tokens.

    Reads the last generated token that is one of ``letters`` (after trimming brackets, quotes, spaces) and its
    ``top`` alternatives: ``p(chosen) / (p(first) + p(second))``, in [0.5, 1] when the token matches the parsed
    decision. Returns None for a tie or no decision, when no verdict token is found, or when the token disagrees with
    the parsed decision (the confidence would describe another verdict).
    """
    if decision not in (Decision.A_BETTER, Decision.B_BETTER):
        return None
    chosen = letters[0] if decision == Decision.A_BETTER else letters[1]
    for tok in reversed(list(logprobs)):
        text = str(tok.get("token", "")).strip(_TOKEN_TRIM)
        if text not in letters:
            continue
        if text != chosen:
            return None
        top: dict[str, float] = {}
        for alt, lp in (tok.get("top") or {}).items():
            key = str(alt).strip(_TOKEN_TRIM)
            if key in letters and lp is not None:
                top[key] = top.get(key, 0.0) + math.exp(lp)
        if chosen not in top and tok.get("logprob") is not None:
            top[chosen] = math.exp(tok["logprob"])
        total = sum(top.values())
        return top.get(chosen, 0.0) / total if total > 0 else None
    return None
