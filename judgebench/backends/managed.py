"""ManagedBackend: cache, rate limit, timeouts and retries around one raw provider, with usage accounting.

Every judge talks to this class, never to a provider directly, so the policies live in one place.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..cache import CallCache, cache_key, default_cache_dir
from ..pricing import cost_usd, price_of
from ..rate_limit import RateLimiter
from ..retry import RetryPolicy
from ..schema import Usage
from . import BackendError, ChatParams, Completion, Messages, make_provider

logger = logging.getLogger(__name__)


def estimate_tokens(messages: Messages, max_tokens: int | None) -> int:
    """Rough token count for the --tpm bucket: 4 characters per token, plus the completion budget."""
    return sum(len(m.get("content", "")) for m in messages) // 4 + (max_tokens or 256)


class ManagedBackend:
    """The backend judges see. ``chat`` and ``score`` return a result or raise ``BackendError`` after retries."""

    def __init__(self, raw: Any, *, cache: CallCache | None, refresh: bool = False, limiter: RateLimiter | None = None, retry: RetryPolicy | None = None, timeout: float = 120.0, seed: int = 0, spec: Any = None):
        self.raw = raw
        self.name = f"{raw.provider}:{raw.model}"
        self.cache = cache
        self.refresh = refresh
        self.limiter = limiter or RateLimiter()
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.spec = spec
        self._rng = random.Random(seed)
        self.stats = {"calls": 0, "cached": 0, "retries": 0, "failed": 0, "prompt_tokens": 0, "completion_tokens": 0, "cost_usd": 0.0}
        self._siblings: dict[str, ManagedBackend] = {}

    @classmethod
    def from_spec(cls, raw: Any, spec: Any) -> ManagedBackend:
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
        """A backend for another model sharing this one's cache, rate limiter and policies (for juries)."""
        if model == self.name:
            return self
        if model not in self._siblings:
            base_url = self.spec.base_url if self.spec is not None else None
            raw = make_provider(model, base_url=base_url, timeout=self.timeout)
            self._siblings[model] = ManagedBackend(raw, cache=self.cache, refresh=self.refresh, limiter=self.limiter, retry=self.retry, timeout=self.timeout, spec=self.spec)
        return self._siblings[model]

    async def _with_retries(self, call: Any, what: str) -> Any:
        attempt = 0
        while True:
            try:
                return await asyncio.wait_for(call(), timeout=self.timeout + 5)
            except (BackendError, TimeoutError) as e:
                transient = isinstance(e, TimeoutError) or e.transient
                reason = f"timeout after {self.timeout:.0f}s" if isinstance(e, TimeoutError) else str(e)
                if not transient or attempt >= self.retry.max_retries:
                    self.stats["failed"] += 1
                    suffix = f" (after {attempt} retries)" if attempt else ""
                    status = getattr(e, "status", None)
                    raise BackendError(f"{what}: {reason}{suffix}", transient=False, status=status) from None
                delay = self.retry.delay(attempt, getattr(e, "retry_after", None), self._rng)
                logger.debug("%s failed (%s); retry %d in %.2fs", what, reason, attempt + 1, delay)
                self.stats["retries"] += 1
                attempt += 1
                await asyncio.sleep(delay)

    def _account(self, usage: Usage) -> Usage:
        cost = cost_usd(self.raw.model, usage.prompt_tokens, usage.completion_tokens)
        self.stats["calls"] += 1
        self.stats["prompt_tokens"] += usage.prompt_tokens
        self.stats["completion_tokens"] += usage.completion_tokens
        self.stats["cost_usd"] += cost
        return replace(usage, calls=1, cost_usd=cost)

    async def chat(self, messages: Messages, params: ChatParams | None = None, *, sample_index: int = 0) -> Completion:
        params = params or ChatParams()
        key = cache_key(provider=self.raw.provider, model=self.raw.model, request=messages, params=params.to_dict(), sample_index=sample_index)
        if self.cache is not None and not self.refresh:
            hit = self.cache.get(key)
            if hit is not None:
                self.stats["cached"] += 1
                c = Completion.from_dict(hit, cached=True)
                return replace(c, usage=replace(c.usage, cached_calls=1))
        await self.limiter.acquire(estimate_tokens(messages, params.max_tokens))
        completion: Completion = await self._with_retries(lambda: self.raw.chat_once(messages, params), f"{self.name} chat")
        completion = replace(completion, usage=self._account(completion.usage))
        if self.cache is not None:
            self.cache.put(key, completion.to_dict())
        return completion

    async def score(self, question: str, response: str) -> float:
        """Reward-model score of one response (providers with ``score_once``)."""
        if not hasattr(self.raw, "score_once"):
            raise BackendError(f"{self.name} cannot score responses; use a reward-model backend (hf:PATH or vllm-reward:NAME)")
        key = cache_key(provider=self.raw.provider, model=self.raw.model, request={"question": question, "response": response}, params={"kind": "reward"})
        if self.cache is not None and not self.refresh:
            hit = self.cache.get(key)
            if hit is not None:
                self.stats["cached"] += 1
                return float(hit["score"])
        await self.limiter.acquire(len(question + response) // 4)
        value = float(await self._with_retries(lambda: self.raw.score_once(question, response), f"{self.name} score"))
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
