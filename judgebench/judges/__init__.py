"""Judge protocol and registry.

Adding a judge = one module in this package with a ``@register_judge`` factory. Modules are discovered with
``pkgutil`` on first use, so there is no central list to edit. Judge modules import nothing heavy at top level.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, get_args, runtime_checkable

from .._plugins import import_own_module
from ..backends import CallPolicy
from ..errors import InputError, JudgebenchError
from ..schema import Item, Judgment, Turn

if TYPE_CHECKING:
    from ..backends import Backend, RewardBackend
    from ..backends.managed import ManagedBackend

JudgeKind = Literal["pairwise", "pointwise", "listwise"]
"""What a judge is shown: two responses (``pairwise``), one (``pointwise``) or K (``listwise``)."""


@dataclass(frozen=True)
class JudgeContext:
    """What a judge knows about the item besides the responses it is shown.

    Attributes:
        question: the prompt as one text: a text prompt as it is, a chat as a transcript of all its turns
            (``Item.question``), so a judge that reads one question never loses the earlier turns.
        conversation: the whole prompt as turns (a text prompt is one user turn).
        reference: the item's reference answer, or ``None``; judges that use one (Prometheus 2, JudgeLM) take it
            from here before any reference given as an option.
        rubric: the item's scoring rubric, or ``None``.
        category: the benchmark's category of the item.
        item_id: the item's id (for logs, never for the verdict).
        metadata: the item's metadata, read-only.
    """

    question: str
    conversation: tuple[Turn, ...] = ()
    reference: str | None = None
    rubric: str | None = None
    category: str = ""
    item_id: str = ""
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, item: Item) -> JudgeContext:
        """The context of ``item``."""
        return cls(item.question, item.conversation, item.reference, item.rubric, item.category, item.id, item.metadata)

    @classmethod
    def of_question(cls, question: str) -> JudgeContext:
        """A context that holds only a question (a text prompt, no reference or rubric)."""
        return cls(question, (Turn("user", question),))


@runtime_checkable
class Judge(Protocol):
    """Anything that returns a verdict on (an item's context, response shown as A, response shown as B).

    The context (``JudgeContext``) carries what the judge knows about the item besides the responses: the
    question, the whole conversation, the item's reference answer and rubric (each ``None`` when the item has
    none), its category, id and metadata. The runner builds it from the item (``JudgeContext.of(item)``); a test or
    a single-question probe builds one from a question alone (``JudgeContext.of_question``). A judge's templates
    are rendered with ``question``, ``reference`` and ``rubric`` from the context.

    ``kind`` declares which views of a protocol the judge accepts: ``pairwise`` (two responses, the only kind
    today); ``pointwise`` (one) and ``listwise`` (K) come with the next issue. It is a class attribute, the same for
    every instance, and matches the kind the judge is registered with (``register_judge(..., kind=...)``).

    ``judge`` returns the decision in the order shown; the runner sets the game number and ``scoring`` flips
    game 2 back. A judge must not raise for a failed model call: it returns ``Judgment(Decision.NONE, error=...)``.
    A judgment carries ``confidence`` only when it is a probability, and ``scores`` only with their ``score_kind``.
    """

    kind: ClassVar[JudgeKind]
    name: str
    order_invariant: bool

    async def judge(self, context: JudgeContext, response_a: str, response_b: str) -> Judgment: ...


@runtime_checkable
class PointwiseJudge(Protocol):
    """A judge that rates one response alone (``kind = "pointwise"``) on its ``scale`` (low, high): ``judge``
    returns a ``Judgment`` whose ``rating`` is the rating, or ``None`` with ``extra["no_decision_reason"]``, and
    never raises for a failed model call (``error`` set)."""

    kind: ClassVar[JudgeKind]
    name: str
    order_invariant: bool

    async def judge(self, context: JudgeContext, response: str) -> Judgment: ...


@runtime_checkable
class ListwiseJudge(Protocol):
    """A judge shown K responses at once (``kind = "listwise"``): ``judge`` returns a ``Judgment`` with ``choice``
    (the position of the best response in the order shown, from 0) and/or ``ranking`` (positions, best first)."""

    kind: ClassVar[JudgeKind]
    name: str
    order_invariant: bool

    async def judge(self, context: JudgeContext, *responses: str) -> Judgment: ...


@runtime_checkable
class SyncJudge(Protocol):
    """A judge that needs no model, server or event loop (the baselines): besides its coroutine ``judge`` it offers
    ``judge_now(context, *shown) -> Judgment``, the same verdict computed at once, which the local executor calls in
    a plain loop (``run.local.judge_now_items``). Like ``judge`` it returns failures as ``Judgment(Decision.NONE,
    error=...)``; an exception it raises is recorded as a failure, as for ``judge``."""

    def judge_now(self, context: JudgeContext, *responses: str) -> Judgment: ...


AnyJudge = Judge | PointwiseJudge | ListwiseJudge
"""A judge of any kind; the runner shows it the views its protocol plans (``judge(context, *shown)``)."""

JudgeFactory = Callable[..., AnyJudge]


@dataclass(frozen=True)
class JudgeInfo:
    """A registered judge: its factory, what it needs and the kind of judge it builds (``Judge.kind``)."""

    name: str
    description: str
    factory: JudgeFactory
    needs_model: bool
    backend: str
    kind: JudgeKind = "pairwise"


_REGISTRY: dict[str, JudgeInfo] = {}
_discovered = False


def register_judge(
    name: str, description: str, *, needs_model: bool = True, backend: str = "chat", kind: JudgeKind = "pairwise"
) -> Callable[[JudgeFactory], JudgeFactory]:
    """Register a judge factory under ``name``.

    The factory is called as ``factory(backend, **options)`` where ``backend`` is ``None`` for judges with
    ``needs_model=False``. ``backend`` names the kind of model it needs (``chat``, ``reward``, ``none``); ``kind``
    the kind of judge the factory builds (``Judge.kind``), listed by ``judgebench judges`` without building one.
    """
    if kind not in get_args(JudgeKind):
        raise ValueError(f"judge {name!r}: unknown kind {kind!r}; expected one of {', '.join(get_args(JudgeKind))}")

    def decorate(factory: JudgeFactory) -> JudgeFactory:
        if name in _REGISTRY and _REGISTRY[name].factory is not factory:
            raise ValueError(f"judge {name!r} is registered twice ({_REGISTRY[name].factory.__module__} and {factory.__module__})")
        _REGISTRY[name] = JudgeInfo(name, description, factory, needs_model, backend, kind)
        return factory

    return decorate


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    for mod in pkgutil.iter_modules(__path__):
        if not mod.name.startswith("_"):
            importlib.import_module(f"{__name__}.{mod.name}")
    _discovered = True


def list_judges() -> list[JudgeInfo]:
    """Every registered judge, sorted by name."""
    _discover()
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def get_judge_info(name: str) -> JudgeInfo:
    """The registration of the judge ``name``. Its own module (``judges/<name>.py``, where most judges live) is
    imported first and every judge module only when that does not register it, so a run of one judge does not
    import the other twenty (about 0.05 s before its first request).

    Raises:
        InputError: for an unknown name (exit 2, as any bad input), listing the known ones.
    """
    if name not in _REGISTRY and not _discovered:
        import_own_module(__name__, name)
    if name not in _REGISTRY:
        _discover()
    if name not in _REGISTRY:
        raise InputError(f"unknown judge {name!r}; `judgebench judges` lists them: {', '.join(sorted(_REGISTRY))}", field="--judge")
    return _REGISTRY[name]


def get_judge(name: str, backend: Backend | RewardBackend | None = None, **options: Any) -> AnyJudge:
    """Build the judge registered as ``name`` on ``backend`` (None for judges that need no model).

    ``backend`` is what the judge's registration names (``JudgeInfo.backend``): a chat ``Backend`` for ``chat``
    judges, a ``RewardBackend`` (with ``score``) for ``reward`` judges; ``ManagedBackend`` is both.

    Raises:
        JudgebenchError: for an unknown judge, or a judge whose declared ``kind`` is not the kind it is registered
            with; ``InputError`` (exit code 2) for a judge that needs a model without one, or an unknown option.
    """
    info = get_judge_info(name)
    if info.needs_model and backend is None:
        raise InputError(f"judge {name!r} needs a model: pass --model, e.g. --model openai:gpt-4o-mini", field="--model")
    accepted = judge_options(name)
    unknown = sorted(set(options) - set(accepted))
    if unknown and not _takes_any_keyword(info.factory):
        raise InputError(f"judge {name!r} has no option {unknown[0]!r}; its options: {', '.join(accepted) or 'none'}", field=f"--option {unknown[0]}")
    judge = info.factory(backend, **options)
    declared = getattr(judge, "kind", info.kind)  # a judge that declares no kind is taken at its registered one
    if declared != info.kind:
        raise JudgebenchError(f"judge {name!r} is registered as {info.kind} but its judge declares kind {declared!r}")
    return judge


def _takes_any_keyword(factory: JudgeFactory) -> bool:
    import inspect

    return any(p.kind is inspect.Parameter.VAR_KEYWORD for p in inspect.signature(factory).parameters.values())


def judge_options(name: str) -> list[str]:
    """Keyword options a judge's factory accepts (what ``--option KEY=VALUE`` may set)."""
    import inspect

    params = list(inspect.signature(get_judge_info(name).factory).parameters.values())[1:]  # first is the backend
    return [p.name for p in params if p.kind in (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)]


class JudgeSpec(CallPolicy, Protocol):
    """What ``build_judge`` reads: the judge and its options, and the call policy of its model (``CallPolicy``:
    ``model``, ``base_url``, ``timeout``, the cache, rate limits, retries, seed). ``judgebench.run.spec.RunSpec``
    satisfies it structurally.

    Attributes:
        judge: a registered judge's name.
        judge_options: keyword options of the judge's factory (``--option KEY=VALUE``).
    """

    @property
    def judge(self) -> str: ...
    @property
    def judge_options(self) -> Mapping[str, Any]: ...


def build_judge(spec: JudgeSpec) -> tuple[AnyJudge, ManagedBackend | None]:
    """The judge a run spec names (``spec.judge``, ``spec.judge_options``) on its backend (``spec.model`` through
    ``backends.managed.get_backend``), and that backend: a ``ManagedBackend``, or None for judges that need no
    model.

    Raises:
        JudgebenchError: for an unknown judge; ``InputError`` (exit code 2, field ``--model``) for a judge that needs
            a model when ``spec.model`` is empty.
    """
    info = get_judge_info(spec.judge)
    backend = None
    if info.needs_model:
        if not spec.model:
            raise InputError(f"judge {spec.judge!r} needs a model: pass --model (e.g. openai:gpt-4o-mini)", field="--model")
        from ..backends.managed import get_backend

        backend = get_backend(spec)
    return get_judge(spec.judge, backend, **spec.judge_options), backend
