"""``jury``: several judges vote; majority or weighted vote, every member's judgment kept.

Members are given as ``--option members='["arena_hard", "vanilla@openai:gpt-4o-mini", "skywork_critic@vllm:Skywork/Skywork-Critic-Llama-3.1-8B"]'``:
a judge name alone runs on the jury's ``--model``; ``judge@PROVIDER:MODEL`` on another model (same base URL,
cache and rate limits); ``judge@PROVIDER:MODEL@BASE_URL`` (``vanilla@vllm:qwen@http://127.0.0.1:8001/v1``) on
another model at another server. A member may also be a table (what a jury file, ``--judge-file jury.yaml`` with
``members:``, resolves to; see ``judges.from_file``): ``judge`` (a built-in judge) and its ``options``, or
``definition`` (a judge file's resolved definition), with ``model``, ``base_url`` and ``api_key_env`` (the name of
the environment variable that holds this member's API key; the key is read when the judge is built, registered as a
secret and never written). A member on another server gets its own client and rate limiter (``--rpm``/``--tpm``
apply per server) and shares the run's call cache (keyed by server), retries and circuit breaker; its call counts
appear under ``backend.members`` in ``run.json``. After "Replacing Judges with Juries" (Verga et al. 2024, arXiv
2404.18796).
"""

from __future__ import annotations

import asyncio
import os
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..errors import InputError, JudgebenchError
from ..schema import Decision, Judgment, Usage
from . import Judge, JudgeContext, JudgeKind, get_judge, register_judge


def vote(decisions: list[Decision], weights: list[float]) -> Decision:
    """Weighted plurality over A>B / B>A / A=B; no-decisions abstain. No votes, or a tie for first: ``A=B``
    when at least one member decided, else ``NONE``."""
    totals: dict[Decision, float] = defaultdict(float)
    for d, w in zip(decisions, weights, strict=True):
        if d != Decision.NONE:
            totals[d] += w
    if not totals:
        return Decision.NONE
    best = max(totals.values())
    winners = [d for d, t in totals.items() if t == best]
    return winners[0] if len(winners) == 1 else Decision.TIE


class Jury:
    """Every member judges the same context and responses; their decisions are put to a weighted vote.

    A member whose call failed fails the jury's judgment (``error`` names each failed member and its cause;
    ``decision`` is ``NONE``): the vote of the members left is another jury's verdict, so it is kept only in
    ``output`` and ``extra["members"]``, never counted, and the run reports the failure and retries it on resume (the
    members that answered come from the call cache). A member that answered but gave no verdict abstains.
    """

    kind: ClassVar[JudgeKind] = "pairwise"
    order_invariant = False

    def __init__(self, members: list[tuple[str, Judge]], weights: list[float]):
        self.name = "jury"
        self.members = members
        self.weights = weights

    async def judge(self, context: JudgeContext, response_a: str, response_b: str) -> Judgment:
        results = await asyncio.gather(*(j.judge(context, response_a, response_b) for _, j in self.members))
        decision = vote([r.decision for r in results], self.weights)
        usage = sum((r.usage for r in results), Usage())
        failed = [f"{label}: {r.error}" for (label, _), r in zip(self.members, results, strict=True) if r.error]
        error = f"{len(failed)} of {len(results)} jury members failed: " + "; ".join(failed) if failed else None
        members = [{"member": label, "weight": w, **r.to_dict()} for (label, _), w, r in zip(self.members, self.weights, results, strict=True)]
        summary = ", ".join(f"{label}={r.decision}" for (label, _), r in zip(self.members, results, strict=True))
        return Judgment(decision if error is None else Decision.NONE, output=f"jury: {summary} -> {decision}", error=error, usage=usage, extra={"members": members})


_AT_SERVER = re.compile(r"^(?P<model>.+?)@(?P<url>https?://\S+)$")
_OPENAI_COMPATIBLE = frozenset({"openai", "vllm", "sglang", "ollama", "llamacpp", "together"})
MEMBER_FIELDS = frozenset({"judge", "options", "definition", "model", "base_url", "api_key_env"})


@dataclass(frozen=True)
class Member:
    """One jury member as given.

    Attributes:
        label: how the member is named in judgments (its string spec, or ``judge@model@base_url``).
        judge: the registered judge that builds it (``file:pairwise`` for a judge file's definition).
        options: the judge's options (a judge file's ``definition``).
        model: ``PROVIDER:NAME``, or None: the jury's model.
        base_url: the member's server, or None: the jury's.
        api_key_env: the environment variable holding the member's API key, or None: the provider's usual one.
    """

    label: str
    judge: str
    options: Mapping[str, Any] = field(default_factory=dict)
    model: str | None = None
    base_url: str | None = None
    api_key_env: str | None = None


def parse_member(spec: str | Mapping[str, Any], index: int = 0) -> Member:
    """A member from ``judge``, ``judge@PROVIDER:MODEL``, ``judge@PROVIDER:MODEL@BASE_URL`` or a table.

    Raises:
        InputError: for a table with an unknown key, without ``judge`` or ``definition``, or with both.
    """
    from ..backends import split_model

    where = f"--option members[{index}]"
    if isinstance(spec, str):
        name, _, rest = spec.partition("@")
        at = _AT_SERVER.match(rest) if rest else None
        model = at.group("model") if at is not None else rest or None
        if model is not None:
            split_model(model, field=where)  # a bad provider is refused before anything is built
        return Member(spec, name, model=model, base_url=at.group("url") if at is not None else None)
    if not isinstance(spec, Mapping):
        raise InputError(f"a member is a judge name or a table, got {spec!r}", field=where)
    unknown = sorted(set(spec) - MEMBER_FIELDS)
    if unknown:
        raise InputError(f"unknown member key {unknown[0]!r}; allowed: {', '.join(sorted(MEMBER_FIELDS))}", field=where)
    definition = spec.get("definition")
    if (spec.get("judge") is None) == (definition is None):
        raise InputError("a member gives exactly one of judge and definition (a judge file's)", field=where)
    options = dict(spec.get("options") or {})
    if definition is not None:
        judge = f"file:{definition.get('kind', 'pairwise') if isinstance(definition, Mapping) else 'pairwise'}"
        options = {"definition": definition}
        name = f"file:{definition.get('name', '?') if isinstance(definition, Mapping) else '?'}"
    else:
        judge = name = str(spec["judge"])
    model, base_url = spec.get("model"), spec.get("base_url")
    if model is not None:
        split_model(str(model), field=where)
    label = "@".join(str(x) for x in (name, model, base_url) if x)
    return Member(label, judge, options, model, base_url, spec.get("api_key_env"))


def _raw_provider(model: str, base_url: str | None, api_key_env: str | None, timeout: float, label: str) -> Any:
    """The raw client of a member on its own server; with ``api_key_env``, its key from that variable."""
    from ..backends import make_provider, split_model

    if api_key_env is None:
        return make_provider(model, base_url=base_url, timeout=timeout)
    from ..backends import check_base_url
    from ..backends.openai_compat import DEFAULT_URLS, OpenAICompatProvider
    from ..secrets import register_secret, split_url_credentials

    provider, name = split_model(model)
    if provider not in _OPENAI_COMPATIBLE:
        raise InputError(f"api_key_env applies to OpenAI-compatible providers ({', '.join(sorted(_OPENAI_COMPATIBLE))}); {model!r} reads its key as usual", field=f"jury member {label}")
    key = os.environ.get(api_key_env)
    if not key:
        raise InputError(f"the environment variable {api_key_env} (api_key_env) is not set", field=f"jury member {label}")
    register_secret(key)
    url = base_url or DEFAULT_URLS.get(provider)
    if url is not None:
        check_base_url(url)
    split = split_url_credentials(url) if url is not None else None
    return OpenAICompatProvider(provider, name, base_url=split.url if split else None, api_key=key, timeout=timeout, authorization=split.basic_authorization if split else None)


def member_backend(backend: Any, member: Member) -> Any:
    """The backend ``member`` runs on: the jury's; a sibling for another model (same server); or, for another server
    or its own key, a backend of its own sharing the run's cache, retries and circuit breaker, counted among the
    jury backend's siblings (its stats in ``run.json``, closed with the run)."""
    if backend is None or (member.base_url is None and member.api_key_env is None):
        return backend.sibling(member.model) if backend is not None and member.model else backend
    from ..backends.managed import ManagedBackend
    from ..backends.rate_limit import RateLimiter

    model = member.model or backend.name
    base_url = member.base_url or (backend.spec.base_url if backend.spec is not None else None)
    key = f"{model}@{base_url or ''}#{member.api_key_env or ''}"
    siblings = backend._siblings  # the backend's own registry of siblings: counted in run_stats, closed in aclose
    if key not in siblings:
        raw = _raw_provider(model, base_url, member.api_key_env, backend.timeout, member.label)
        spec = backend.spec
        limiter = RateLimiter(spec.rpm, spec.tpm) if spec is not None else None
        siblings[key] = ManagedBackend(raw, cache=backend.cache, refresh=backend.refresh, limiter=limiter, retry=backend.retry, timeout=backend.timeout, spec=spec, breaker=backend.breaker)
    return siblings[key]


@register_judge("jury", "Several judges vote (majority or weighted); --option members='[\"judge\", \"judge@provider:model[@base_url]\"]' or --judge-file jury.yaml.")
def jury(backend: Any, *, members: list[str | dict[str, Any]] | None = None, weights: list[float] | None = None) -> Jury:
    if not members:
        raise JudgebenchError('jury needs --option members=\'["vanilla", "arena_hard@openai:gpt-4o-mini"]\'')
    if weights is not None and len(weights) != len(members):
        raise JudgebenchError(f"jury: {len(weights)} weights for {len(members)} members")
    built: list[tuple[str, Judge]] = []
    for i, m in enumerate(members):
        member = parse_member(m, i)
        if member.judge == "jury":
            raise JudgebenchError("a jury cannot contain a jury")
        judge = get_judge(member.judge, member_backend(backend, member), **member.options)
        if not isinstance(judge, Judge) or getattr(judge, "kind", Jury.kind) != Jury.kind:
            raise JudgebenchError(f"jury: member {member.label!r} is a {getattr(judge, 'kind', '?')} judge; a jury's members are {Jury.kind} judges")
        built.append((member.label, judge))
    return Jury(built, [float(w) for w in weights] if weights else [1.0] * len(members))
