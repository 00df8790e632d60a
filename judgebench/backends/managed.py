"""ManagedBackend: cache, rate limit, timeouts and retries around one raw provider, with usage accounting, and the
circuit breaker that stops a run which cannot succeed.

Every judge talks to this class, never to a provider directly, so the policies live in one place.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from ..errors import InputError, RunAborted
from ..schema import Usage
from ..secrets import redact
from . import BackendError, CallPolicy, ChatParams, Completion, Messages, RawProvider, make_provider, view_slot
from .cache import CallCache, cache_key, default_cache_dir, endpoint_id
from .pricing import cost_usd, price_of
from .rate_limit import Limiter, RateLimiter
from .retry import RetryPolicy

logger = logging.getLogger(__name__)

T = TypeVar("T")

FATAL_IN_A_ROW = 3
"""Calls that must end in a fatal error in a row, with no success between, before the run is stopped."""


def estimate_tokens(messages: Messages, max_tokens: int | None) -> int:
    """Rough token count for the --tpm bucket: 4 characters per token, plus the completion budget."""
    return sum(len(m.get("content", "")) for m in messages) // 4 + (max_tokens or 256)


class CircuitBreaker:
    """Stops a run that cannot succeed; shared by a backend and its siblings (a jury's members).

    A call that ends in a *fatal* error (``BackendError.fatal``: a bad key, an unknown model or endpoint, a bad base
    URL, a host that does not resolve; or ``unreachable`` once its retries are spent: a server that refuses
    connections) adds one to a streak; a successful call resets it. At ``limit`` in a row the breaker opens: every
    later call, and every pending retry, raises ``RunAborted`` naming the cause, so the run stops after a few calls
    instead of failing every pair. Answers from the call cache never touch it.
    """

    def __init__(self, limit: int = FATAL_IN_A_ROW):
        self.limit = max(1, limit)
        self.streak = 0
        self.reason: str | None = None

    def succeeded(self) -> None:
        self.streak = 0

    def failed(self, error: str, *, fatal: bool) -> None:
        if not fatal:
            return
        self.streak += 1
        if self.streak >= self.limit and self.reason is None:
            self.reason = redact(error)
            logger.info("stopping the run: %s", self.reason)

    def check(self) -> None:
        """Raise ``RunAborted`` once the breaker is open."""
        if self.reason is not None:
            raise RunAborted(f"stopped after {self.limit} calls in a row failed with an error no retry can fix: {self.reason}")


class ManagedBackend:
    """The backend judges see. ``chat`` and ``score`` return a result or raise ``BackendError`` after retries, or
    ``RunAborted`` once the run's circuit breaker is open."""

    def __init__(
        self,
        raw: RawProvider,
        *,
        cache: CallCache | None,
        refresh: bool = False,
        limiter: Limiter | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 120.0,
        seed: int = 0,
        spec: CallPolicy | None = None,
        breaker: CircuitBreaker | None = None,
    ):
        self.raw = raw
        self.name = f"{raw.provider}:{raw.model}"
        # the server that answers is part of every cache key: two servers serving different checkpoints under one
        # model name never share answers (providers without a server, such as hf:, have "")
        self.endpoint = endpoint_id(getattr(raw, "endpoint", None) or getattr(raw, "base_url", None))
        self.cache = cache
        self.refresh = refresh
        self.limiter: Limiter = limiter or RateLimiter()
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.spec = spec
        self.breaker = breaker or CircuitBreaker()
        self._rng = random.Random(seed)
        self.stats = {"calls": 0, "cached": 0, "retries": 0, "failed": 0, "prompt_tokens": 0, "completion_tokens": 0, "cost_usd": 0.0}
        if hasattr(raw, "score_once"):
            self.stats["deduplicated"] = 0  # reward scores read from the per-run memo (``score``)
        self._siblings: dict[str, ManagedBackend] = {}
        self._scores: dict[tuple[tuple[tuple[str, str], ...], str], asyncio.Future[float]] = {}

    @classmethod
    def from_spec(cls, raw: RawProvider, spec: CallPolicy) -> ManagedBackend:
        """``raw`` under the call policy ``spec``: its cache (``spec.cache``, ``spec.cache_dir``), rate limits
        (``rpm``, ``tpm``), retries, timeout (seconds) and jitter seed."""
        cache = None
        if spec.cache:
            cache = CallCache(Path(spec.cache_dir or default_cache_dir()) / "calls.sqlite")
        return cls(
            raw,
            cache=cache,
            refresh=spec.refresh,
            limiter=RateLimiter(spec.rpm, spec.tpm),
            retry=RetryPolicy(max_retries=spec.max_retries),
            timeout=spec.timeout,
            seed=spec.seed,
            spec=spec,
        )

    def sibling(self, model: str) -> ManagedBackend:
        """A backend for another model sharing this one's cache, rate limiter, circuit breaker and policies (for juries)."""
        if model == self.name:
            return self
        if model not in self._siblings:
            base_url = self.spec.base_url if self.spec is not None else None
            raw = make_provider(model, base_url=base_url, timeout=self.timeout)
            self._siblings[model] = ManagedBackend(raw, cache=self.cache, refresh=self.refresh, limiter=self.limiter, retry=self.retry, timeout=self.timeout, spec=self.spec, breaker=self.breaker)
        return self._siblings[model]

    async def _with_retries(self, call: Callable[[], Awaitable[T]], what: str) -> T:
        """``call()`` under the timeout and retry policy.

        Raises:
            BackendError: the cause, the retries spent, and whether it is fatal (see ``CircuitBreaker``).
            RunAborted: once the circuit breaker is open (checked before every attempt).
        """
        attempt = 0
        while True:
            self.breaker.check()
            try:
                # ``asyncio.timeout`` rather than ``wait_for``: the same TimeoutError, without a task per call
                async with asyncio.timeout(self.timeout + 5):
                    result = await call()
            except (BackendError, TimeoutError) as e:
                transient = isinstance(e, TimeoutError) or e.transient
                reason = f"request timed out after {self.timeout:.0f}s" if isinstance(e, TimeoutError) else str(e)
                if not transient or attempt >= self.retry.max_retries:
                    self.stats["failed"] += 1
                    suffix = f" (after {attempt} retries)" if attempt else ""
                    fatal = isinstance(e, BackendError) and (e.fatal or e.unreachable)
                    self.breaker.failed(f"{what}: {reason}", fatal=fatal)
                    raise BackendError(f"{what}: {reason}{suffix}", fatal=fatal, status=getattr(e, "status", None)) from None
                delay = self.retry.delay(attempt, getattr(e, "retry_after", None), self._rng)
                logger.debug("%s failed (%s); retry %d in %.2fs", what, reason, attempt + 1, delay)
                self.stats["retries"] += 1
                attempt += 1
                await asyncio.sleep(delay)
            else:
                self.breaker.succeeded()
                return result

    def _account(self, usage: Usage) -> Usage:
        cost = cost_usd(self.raw.model, usage.prompt_tokens, usage.completion_tokens)
        self.stats["calls"] += 1
        self.stats["prompt_tokens"] += usage.prompt_tokens
        self.stats["completion_tokens"] += usage.completion_tokens
        self.stats["cost_usd"] += cost
        return replace(usage, calls=1, cost_usd=cost)

    async def chat(self, messages: Messages, params: ChatParams | None = None, *, sample_index: int = 0) -> Completion:
        params = params or ChatParams()
        # the key (a SHA-256 of the request's canonical JSON) only when there is a cache to read or fill
        key = cache_key(provider=self.raw.provider, model=self.raw.model, endpoint=self.endpoint, request=messages, params=params.to_dict(), sample_index=sample_index) if self.cache is not None else ""
        if self.cache is not None and not self.refresh:
            hit = self.cache.get(key)
            if hit is not None and _stored_completion(hit):
                self.stats["cached"] += 1
                c = Completion.from_dict(hit, cached=True)
                return replace(c, usage=replace(c.usage, cached_calls=1))
            if hit is not None:  # an entry that is not a completion this backend stored: asked again, never a verdict
                logger.warning("the call cache holds an unreadable answer for %s...; the call is made again", key[:12])
        # the view's concurrency slot is held while the call is in flight, and back (when the view has no other
        # call in flight) before the answer is read (``view_slot``)
        async with view_slot.call():
            self.breaker.check()
            await self.limiter.acquire(estimate_tokens(messages, params.max_tokens))
            completion: Completion = await self._with_retries(lambda: self.raw.chat_once(messages, params), f"{self.name} chat")
        completion = replace(completion, usage=self._account(completion.usage))
        if self.cache is not None:
            self.cache.put(key, completion.to_dict())
        return completion

    async def score(self, question: str, response: str, *, conversation: Sequence[Any] | None = None) -> float:
        """Reward-model score of one response (providers with ``score_once``): a finite number.

        ``conversation`` is the prompt as turns (``Turn`` or ``{"role", "content"}``) when it is more than one user
        turn; the provider then scores the whole conversation with ``response`` as the assistant's turn (the model's
        chat template). Without it, or for one user turn, the prompt is ``question`` as one user turn (and the
        cache key is the one written before conversations were scored).

        Each (conversation, response) is scored once per backend, so once per run however many pairs, views or
        orders hold it: a second call reads the per-run memo, and concurrent calls for the same key await the one
        score in flight (a failed score is not kept: a later call tries again).

        Raises:
            BackendError: when the call fails, or the provider's score is not a finite number (NaN or infinite: a
                failed call, never a verdict, and never cached).
        """
        score_once = getattr(self.raw, "score_once", None)  # only reward-model providers have it
        if score_once is None:
            raise BackendError(f"{self.name} cannot score responses; use a reward-model backend (hf:PATH or vllm-reward:NAME)")
        messages = conversation_messages(question, conversation)
        key = (tuple((m["role"], m["content"]) for m in messages) if messages is not None else (("user", question),), response)
        loop = asyncio.get_running_loop()
        pending = self._scores.get(key)
        if pending is not None and (pending.done() or pending.get_loop() is loop):
            self.stats["deduplicated"] += 1
            return await asyncio.shield(pending)
        task = loop.create_task(self._score_fresh(score_once, question, response, messages))
        self._scores[key] = task

        def forget_failure(t: asyncio.Task[float]) -> None:
            if (t.cancelled() or t.exception() is not None) and self._scores.get(key) is t:
                del self._scores[key]

        task.add_done_callback(forget_failure)
        return await asyncio.shield(task)  # a cancelled caller leaves the score to the others awaiting it

    async def _score_fresh(self, score_once: Callable[..., Awaitable[float]], question: str, response: str, messages: Messages | None) -> float:
        """One score from the call cache or the provider (``score``'s memo calls this once per key)."""
        request: dict[str, Any] = {"question": question, "response": response} if messages is None else {"messages": messages, "response": response}
        key = cache_key(provider=self.raw.provider, model=self.raw.model, endpoint=self.endpoint, request=request, params={"kind": "reward"})
        if self.cache is not None and not self.refresh:
            hit = self.cache.get(key)
            cached = hit.get("score") if isinstance(hit, dict) else None
            if isinstance(cached, (int, float)) and math.isfinite(cached):
                self.stats["cached"] += 1
                return float(cached)
        self.breaker.check()
        prompt_chars = sum(len(m["content"]) for m in messages) if messages is not None else len(question)
        await self.limiter.acquire((prompt_chars + len(response)) // 4)

        async def finite_score() -> float:
            got = await (score_once(question, response) if messages is None else score_once(question, response, messages))
            value = float(got)
            if not math.isfinite(value):
                raise BackendError(f"reward is not a finite number: {value!r}")
            return value

        value: float = await self._with_retries(finite_score, f"{self.name} score")
        self._account(Usage())
        if self.cache is not None:
            self.cache.put(key, {"score": value})
        return value

    def run_stats(self) -> dict[str, Any]:
        out: dict[str, Any] = {"model": self.name, **self.stats, "priced": price_of(self.raw.model) is not None}
        if self._siblings:
            out["members"] = [s.run_stats() for s in self._siblings.values()]
        return out

    async def aclose(self) -> None:
        """Close provider clients (inside the event loop that used them); the shared cache stays open."""
        for s in self._siblings.values():
            await s.aclose()
        if hasattr(self.raw, "aclose"):
            await self.raw.aclose()

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()


def _stored_completion(hit: Any) -> bool:
    """Whether a call-cache entry is a completion as ``chat`` stores one: an object whose ``texts`` is a non-empty
    list of strings (an edited or damaged entry would otherwise read as an empty answer, a no-decision)."""
    texts = hit.get("texts") if isinstance(hit, dict) else None
    if not (isinstance(texts, list) and texts and all(isinstance(t, str) for t in texts)):
        return False
    usage = hit.get("usage", {})
    return usage is None or (isinstance(usage, dict) and all(type(usage.get(k, 0)) is int for k in ("prompt_tokens", "completion_tokens")))


def conversation_messages(question: str, conversation: Sequence[Any] | None) -> Messages | None:
    """``conversation`` (``Turn``s or ``{"role", "content"}`` dicts) as chat messages, or ``None`` when it is absent
    or one user turn: such a prompt is scored as ``question`` alone, as before conversations were scored."""
    if not conversation:
        return None
    messages = [{"role": str(t["role"]), "content": str(t["content"])} if isinstance(t, Mapping) else {"role": str(t.role), "content": str(t.content)} for t in conversation]
    if len(messages) == 1 and messages[0]["role"] == "user":
        return None
    return messages


def get_backend(spec: CallPolicy) -> ManagedBackend:
    """The managed backend for a call policy (a ``RunSpec``, a ``GeneratorSpec``, or anything with the fields of
    ``CallPolicy``: ``model``, ``base_url``, ``timeout``, ``cache``, ``cache_dir``, ``refresh``, ``rpm``, ``tpm``,
    ``max_retries``, ``seed``).

    Raises:
        InputError: when ``spec.model`` is empty or not ``PROVIDER:NAME`` with a registered provider.
        InputError: for a ``spec.base_url`` that is not a usable http(s) URL.
    """
    if not spec.model:
        raise InputError("a model backend needs a model: pass --model, e.g. --model openai:gpt-4o-mini", field="--model")
    raw = make_provider(spec.model, base_url=spec.base_url, timeout=spec.timeout)
    return ManagedBackend.from_spec(raw, spec)
