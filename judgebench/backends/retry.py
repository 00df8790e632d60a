"""Retry policy: which failures are transient (by exception type and HTTP status, never message text),
and how long to wait (exponential backoff with full jitter, honouring ``Retry-After`` / ``retry-after-ms``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

TRANSIENT_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529})
FATAL_STATUS = frozenset({401, 402, 403, 404, 405, 407})
"""Statuses that say the run's configuration is wrong, not one request: no key or a bad one (401, 407), no credit
(402), no access (403), no such model or endpoint (404: vLLM, OpenAI and Ollama answer an unknown model with it;
405: the base URL points at something that is not a chat API). Every other call would fail the same way."""
FATAL_CODES = frozenset({"invalid_api_key", "model_not_found", "insufficient_quota", "account_deactivated"})
"""Error ``code`` values in an OpenAI-style error body that are fatal whatever the status (OpenAI sends
``insufficient_quota`` with 429, which would otherwise be retried)."""


def is_transient_status(status: int | None) -> bool:
    """Whether a retry can succeed: 408, 409, 425, 429 and 5xx gateway/overload statuses."""
    return status is not None and status in TRANSIENT_STATUS


def is_fatal_status(status: int | None, code: object = None) -> bool:
    """Whether an HTTP error condemns every call of the run (``FATAL_STATUS``, or a ``FATAL_CODES`` error code)."""
    return (status is not None and status in FATAL_STATUS) or (isinstance(code, str) and code in FATAL_CODES)


def retry_after_seconds(headers: object) -> float | None:
    """Seconds asked by ``retry-after-ms`` or ``retry-after`` (seconds form) response headers, else None."""
    if headers is None:
        return None
    get = getattr(headers, "get", None)
    if get is None:
        return None
    ms = get("retry-after-ms")
    if ms is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    s = get("retry-after")
    if s is not None:
        try:
            return max(0.0, float(s))
        except ValueError:
            return None  # an HTTP date: fall back to backoff
    return None


@dataclass(frozen=True)
class RetryPolicy:
    """``max_retries`` retries after the first attempt; delay = min(cap, base * 2**attempt) * U(0, 1), or Retry-After."""

    max_retries: int = 6
    base: float = 0.5
    cap: float = 30.0
    max_retry_after: float = 120.0

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_retry_after) + rng.uniform(0, 0.01)
        return min(self.cap, self.base * 2**attempt) * rng.random()
