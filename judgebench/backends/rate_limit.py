"""Token buckets for ``--rpm`` (requests per minute) and ``--tpm`` (tokens per minute), shared by all tasks."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class TokenBucket:
    """A bucket of ``capacity`` that refills at ``rate_per_minute / 60`` per second; ``acquire(n)`` waits for n.

    The bucket starts full with one minute's budget capped at ``burst`` (default: rate/60, i.e. one second's worth,
    at least 1), so a run never opens with a burst larger than the user's limit allows.
    """

    def __init__(self, rate_per_minute: float, *, burst: float | None = None):
        if rate_per_minute <= 0:
            raise ValueError(f"rate must be positive, got {rate_per_minute}")
        self.rate = rate_per_minute / 60.0
        self.capacity = burst if burst is not None else max(1.0, self.rate)
        self.tokens = self.capacity
        self.updated = time.monotonic()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    async def acquire(self, n: float = 1.0) -> None:
        n = min(n, self.capacity)  # a request bigger than the bucket waits for a full bucket
        async with self._lock:
            while True:
                self._refill()
                if self.tokens >= n:
                    self.tokens -= n
                    return
                await asyncio.sleep((n - self.tokens) / self.rate)


class Limiter(Protocol):
    """What a backend waits on before each call: a ``RateLimiter`` here, or one shared across processes (the Ray
    executor's cluster-wide limiter)."""

    async def acquire(self, estimated_tokens: int) -> None:
        """Wait until one request of about ``estimated_tokens`` tokens may go out."""
        ...


class RateLimiter:
    """Both limits together; either may be None (unlimited)."""

    def __init__(self, rpm: float | None = None, tpm: float | None = None):
        self.requests = TokenBucket(rpm) if rpm else None
        self.tokens = TokenBucket(tpm, burst=tpm / 60 * 10) if tpm else None

    async def acquire(self, estimated_tokens: int) -> None:
        if self.requests is not None:
            await self.requests.acquire(1)
        if self.tokens is not None:
            await self.tokens.acquire(estimated_tokens)
