"""Translate client exceptions into ``BackendError`` named by their real cause.

The Stainless-generated clients (``openai``, ``anthropic``) share exception classes: status errors are transient
or fatal by HTTP status (with the server's Retry-After and its own message), malformed responses are retried.
Connection errors are named by the *innermost* exception of the chain, never by the outer class: the aiohttp
transport the openai client uses wraps every aiohttp connection error (a refused connection, a DNS failure, a
server that hangs up without a reply) in ``httpx.ConnectTimeout`` and then ``APITimeoutError``, so the outer class
says "timed out" for all of them. ``connection_error`` is shared with the aiohttp-based reward backend.
"""

from __future__ import annotations

import errno
import socket
from types import ModuleType
from typing import Any

from . import BackendError
from .cache import endpoint_id
from .retry import is_fatal_status, is_transient_status, retry_after_seconds

# Exception classes of the HTTP stacks (httpx/httpcore and their forks, aiohttp), matched by class name so that no
# stack has to be imported to classify another's errors.
_BAD_URL = frozenset({"UnsupportedProtocol", "InvalidURL", "InvalidUrlClientError", "NonHttpUrlClientError", "LocalProtocolError"})
_HUNG_UP = frozenset({"ServerDisconnectedError", "RemoteProtocolError"})
_CUT_OFF = frozenset({"ClientPayloadError", "ReadError", "ContentLengthError", "TransferEncodingError"})
_TIMEOUT = frozenset({"ReadTimeout", "WriteTimeout", "PoolTimeout", "ConnectTimeout", "ServerTimeoutError", "SocketTimeoutError", "TimeoutException"})
_UNREACHABLE_ERRNO = frozenset({errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EHOSTDOWN, errno.ENETDOWN, errno.EADDRNOTAVAIL})


def short(text: object, limit: int = 300) -> str:
    """One line of at most ``limit`` characters, for error messages."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[:limit] + "..."


def _chain(e: BaseException) -> list[BaseException]:
    """``e`` and its causes, outermost first (``__cause__``, else ``__context__``), without cycles."""
    out: list[BaseException] = []
    seen: set[int] = set()
    x: BaseException | None = e
    while x is not None and id(x) not in seen:
        seen.add(id(x))
        out.append(x)
        x = x.__cause__ or x.__context__
    return out


def _names(x: BaseException) -> set[str]:
    return {c.__name__ for c in type(x).__mro__}


def connection_error(e: BaseException, *, timeout: float, base_url: str | None) -> BackendError:
    """The ``BackendError`` for a request that got no HTTP response, named by the innermost known cause.

    Fatal (stop the run): the host name does not resolve, or the base URL is not a usable http(s) URL. Transient
    and *unreachable* (retried; fatal once retries are spent, see ``ManagedBackend``): connection refused, network
    or host unreachable. Transient: the server hung up without a (complete) reply, the connection was reset, or
    the request really timed out (a timeout class with no other cause under it).
    """
    where = endpoint_id(base_url) or "the server"
    chain = _chain(e)
    for x in reversed(chain):  # innermost first: the most specific cause wins
        names = _names(x)
        if isinstance(x, socket.gaierror):
            return BackendError(f"cannot resolve the host of {where} ({x.strerror or x}); check --base-url", fatal=True)
        if isinstance(x, ConnectionRefusedError):
            return BackendError(f"connection refused by {where} (is the server running?)", transient=True, unreachable=True)
        if isinstance(x, OSError) and x.errno in _UNREACHABLE_ERRNO:
            return BackendError(f"cannot reach {where}: {x.strerror or x}", transient=True, unreachable=True)
        if isinstance(x, ConnectionResetError):
            return BackendError(f"connection reset by {where}", transient=True)
        if names & _BAD_URL:
            return BackendError(f"bad base URL {where!r}: {short(x) or type(x).__name__}; use http(s)://HOST[:PORT]/PATH", fatal=True)
        if names & _HUNG_UP:
            return BackendError(f"{where} closed the connection without a complete reply", transient=True)
        if names & _CUT_OFF:
            return BackendError(f"the reply from {where} was cut off ({type(x).__name__})", transient=True)
    root = chain[-1]
    if isinstance(root, TimeoutError) or _names(root) & _TIMEOUT:
        return BackendError(f"request timed out after {timeout:.0f}s", transient=True)
    return BackendError(f"connection error: {type(root).__name__}: {short(root)}", transient=True)


def server_message(body: Any) -> str | None:
    """The server's own error message in a response body: OpenAI's ``{"error": {"message": ...}}``, vLLM's
    ``{"message": ...}``, a bare ``{"error": "..."}`` or a text body; ``None`` when there is none."""
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict) and err.get("message"):
            return short(err["message"])
        if isinstance(err, str) and err.strip():
            return short(err)
        if body.get("message"):
            return short(body["message"])
        if body.get("detail"):
            return short(body["detail"])
        return None
    if isinstance(body, str) and body.strip():
        return short(body)
    return None


def error_code(body: Any) -> object:
    """The ``code`` of an OpenAI-style error body (``{"error": {"code": ...}}`` or ``{"code": ...}``), else None."""
    if not isinstance(body, dict):
        return None
    err = body.get("error")
    if isinstance(err, dict):
        return err.get("code")
    return body.get("code")


def status_error(status: int, body: Any, *, headers: object = None, where: str = "") -> BackendError:
    """The ``BackendError`` for an HTTP error status: fatal (``retry.FATAL_STATUS`` / ``FATAL_CODES``), else
    transient by status; the message keeps the server's own words."""
    code = error_code(body)
    fatal = is_fatal_status(status, code)
    message = server_message(body) or "(no message)"
    return BackendError(f"HTTP {status}{where}: {message}", transient=not fatal and is_transient_status(status), fatal=fatal, status=status, retry_after=retry_after_seconds(headers))


def backend_error(sdk: ModuleType, e: Exception, *, timeout: float, base_url: str | None = None) -> BackendError:
    """The ``BackendError`` for an exception raised by ``sdk``'s client (``sdk.APIError`` or a decoding error)."""
    if isinstance(e.__cause__, BackendError):  # raised by our own HTTP client (``_http``: a reply over the size limit)
        return e.__cause__
    if isinstance(e, sdk.APIStatusError):
        body = getattr(e, "body", None)
        if server_message(body) is None:  # else the SDK's own text, "Error code: 404 - <message>", less its prefix
            _, sep, rest = str(getattr(e, "message", "") or "").partition(" - ")
            body = rest if sep else None
        return status_error(e.status_code, body, headers=e.response.headers)
    if isinstance(e, sdk.APIConnectionError):  # includes APITimeoutError, which may hide another cause
        return connection_error(e, timeout=timeout, base_url=base_url)
    return BackendError(f"malformed response: {short(e)}", transient=True)
