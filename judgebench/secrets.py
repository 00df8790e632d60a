"""Keep API keys out of results, caches and logs.

Keys are read from the environment only when a backend is built and are never part of a ``RunSpec``. As a second
line of defence, every error text and raw output stored by the runner passes through ``redact``.
"""

from __future__ import annotations

import os
import re

_KEY_ENV = re.compile(r"(API_KEY|_TOKEN|_SECRET)$")
_KEY_SHAPES = re.compile(r"\b(sk-ant-[A-Za-z0-9_-]{8,}|sk-[A-Za-z0-9_-]{16,}|hf_[A-Za-z0-9]{16,})\b")


def secret_values() -> list[str]:
    """Values of environment variables that look like credentials (``*API_KEY``, ``*_TOKEN``, ``*_SECRET``)."""
    return [v for k, v in os.environ.items() if _KEY_ENV.search(k) and len(v) >= 8]


def redact(text: str, extra: list[str] | None = None) -> str:
    """Replace known secret values and key-shaped strings in ``text`` with ``[REDACTED]``."""
    if not text:
        return text
    for value in secret_values() + (extra or []):
        if value and value in text:
            text = text.replace(value, "[REDACTED]")
    return _KEY_SHAPES.sub("[REDACTED]", text)


class RedactingFilter:
    """A ``logging`` filter that redacts secrets from every record a handler emits (ours and libraries')."""

    def filter(self, record: object) -> bool:
        import logging

        assert isinstance(record, logging.LogRecord)
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
