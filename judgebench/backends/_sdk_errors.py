"""One translation of SDK exceptions into ``BackendError`` for the Stainless-generated clients (``openai``,
``anthropic``), which share the same exception classes: status errors are transient by HTTP status (with the
server's Retry-After), timeouts and connection errors are transient, malformed responses are retried."""

from __future__ import annotations

from types import ModuleType

from ..retry import is_transient_status, retry_after_seconds
from . import BackendError


def short(text: object, limit: int = 300) -> str:
    """One line of at most ``limit`` characters, for error messages."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[:limit] + "..."


def backend_error(sdk: ModuleType, e: Exception, *, timeout: float) -> BackendError:
    """The ``BackendError`` for an exception raised by ``sdk``'s client (``sdk.APIError`` or a decoding error)."""
    if isinstance(e, sdk.APIStatusError):
        return BackendError(f"HTTP {e.status_code}: {short(e.message)}", transient=is_transient_status(e.status_code), status=e.status_code, retry_after=retry_after_seconds(e.response.headers))
    if isinstance(e, sdk.APITimeoutError):  # a subclass of APIConnectionError: test it first
        return BackendError(f"request timed out after {timeout:.0f}s", transient=True)
    if isinstance(e, sdk.APIConnectionError):
        return BackendError(f"connection error: {short(e.__cause__ or e)}", transient=True)
    return BackendError(f"malformed response: {short(e)}", transient=True)
