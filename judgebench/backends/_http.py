"""A bound on the size of a server's reply, for every HTTP backend.

A timeout bounds time, not memory: a server that streams a body without end fills memory at network speed, and a
small gzip-compressed body can decode to gigabytes. Every reply (successful or not) is read up to
``max_response_bytes()`` of *decoded* content, 16 MiB by default (``$JUDGEBENCH_MAX_RESPONSE_MB`` changes it); a
longer one stops the read, closes the connection and fails the call with :class:`ResponseTooLarge`, which is not
retried (the same request would get the same reply). A chat completion is a few kilobytes; one with
log-probabilities for thousands of tokens a few megabytes.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from types import ModuleType
from typing import Any

from ..errors import InputError
from . import BackendError

MAX_RESPONSE_MB_ENV = "JUDGEBENCH_MAX_RESPONSE_MB"
DEFAULT_MAX_RESPONSE_MB = 16.0


def max_response_bytes() -> int:
    """The most bytes of decoded body read from one reply: ``$JUDGEBENCH_MAX_RESPONSE_MB`` MiB, default 16.

    Raises:
        InputError: when the variable is set to something other than a positive number.
    """
    raw = os.environ.get(MAX_RESPONSE_MB_ENV)
    if not raw:
        return int(DEFAULT_MAX_RESPONSE_MB * 2**20)
    try:
        mb = float(raw)
    except ValueError:
        mb = float("nan")
    if not mb > 0 or mb == float("inf"):
        raise InputError(f"{MAX_RESPONSE_MB_ENV}={raw!r} must be a positive number of MiB (default {DEFAULT_MAX_RESPONSE_MB:g})", field=MAX_RESPONSE_MB_ENV)
    return int(mb * 2**20)


_AIOHTTP_LOCK = threading.Lock()
_ca_loading: threading.Thread | None = None
_ca_error: list[BaseException] = []


def import_aiohttp(*, tls: bool) -> ModuleType:
    """``aiohttp``, imported with its two default TLS contexts' CA certificates loaded in a thread.

    aiohttp builds two ``ssl.SSLContext`` objects when it is imported (``aiohttp/connector.py``,
    ``_SSL_CONTEXT_VERIFIED`` and ``_SSL_CONTEXT_UNVERIFIED``) and loads the system's CA store into each: 40-60 ms
    on a 2-core machine, half of importing aiohttp, spent before the first request even when the server is plain
    ``http://`` (a local vLLM or SGLang server) and needs no certificate. Here the import runs with
    ``SSLContext.load_default_certs`` / ``set_default_verify_paths`` recorded instead of run; the recorded calls then
    run, unchanged and on the same context objects, in a thread (OpenSSL reads the store without the interpreter
    lock), so those contexts end up exactly as a plain ``import aiohttp`` leaves them.

    Args:
        tls: the caller is about to connect with TLS (an ``https://`` server or proxy): wait until the store is
            loaded. With ``False`` the call returns at once and the store is loaded meanwhile.

    Raises:
        whatever loading the CA store raised (``ssl.SSLError``, ``OSError``), when ``tls`` is set.

    The thread is joined before the interpreter's teardown (a process that exits at once waits up to the load's
    40-60 ms). Only an import made here defers: when ``aiohttp`` is already imported it is returned as it is. While the
    import runs, every ``SSLContext`` created in the process defers its store the same way (the window is the
    import, about 0.1 s, once per process); a context used with TLS before its store is loaded would refuse the
    server's certificate, never accept it.
    """
    global _ca_loading
    module = sys.modules.get("aiohttp")
    if module is None:
        with _AIOHTTP_LOCK:
            module = sys.modules.get("aiohttp")
            if module is None:
                module, _ca_loading = _import_deferring_ca_store()
    loading = _ca_loading
    if tls and loading is not None:
        loading.join()
        if _ca_error:
            raise _ca_error[0]
    return module


def _import_deferring_ca_store() -> tuple[ModuleType, threading.Thread | None]:
    import ssl

    calls: list[tuple[Any, tuple[Any, ...]]] = []
    cls = ssl.SSLContext
    names = ("load_default_certs", "set_default_verify_paths")
    own = {name: cls.__dict__[name] for name in names if name in cls.__dict__}  # what to put back (the rest is inherited)
    originals = {name: getattr(cls, name) for name in names}
    cls.load_default_certs = lambda self, purpose=ssl.Purpose.SERVER_AUTH: calls.append((originals["load_default_certs"], (self, purpose)))  # type: ignore[method-assign]
    cls.set_default_verify_paths = lambda self: calls.append((originals["set_default_verify_paths"], (self,)))  # type: ignore[method-assign]
    try:
        import aiohttp
    finally:
        for name in names:
            if name in own:
                setattr(cls, name, own[name])
            else:
                delattr(cls, name)
    if not calls:
        return aiohttp, None

    def load() -> None:
        try:
            for method, args in calls:
                method(*args)
        except BaseException as e:  # kept for the first caller that needs TLS
            _ca_error.append(e)

    # not a daemon: the interpreter waits for it before its teardown frees the contexts, which OpenSSL is filling
    # without the interpreter lock (a daemon thread there crashed 14 of 20 processes that exited at once)
    thread = threading.Thread(target=load, name="judgebench-ca-store", daemon=False)
    thread.start()
    return aiohttp, thread


class ResponseTooLarge(BackendError):
    """A reply whose decoded body is longer than the limit; a failure of that call, never retried."""

    def __init__(self, limit: int):
        super().__init__(f"response larger than {limit / 2**20:g} MiB, the limit per reply; set {MAX_RESPONSE_MB_ENV} to allow more", transient=False)
        self.limit = limit


async def read_httpx_body(response: Any, limit: int) -> bytes:
    """Read an ``httpx`` (``httpx2``) streamed response's decoded body, at most ``limit`` bytes, into the response
    (as ``Response.aread`` would), so later ``.json()``/``.text`` work as usual.

    httpx decodes gzip, deflate, brotli and zstd in pieces of bounded size, so the count is of decoded bytes and a
    compression bomb stops at the limit too.

    Raises:
        ResponseTooLarge: when the decoded body exceeds ``limit`` (the caller closes the response).
    """
    parts: list[bytes] = []
    size = 0
    async with contextlib.aclosing(response.aiter_bytes()) as stream:
        async for part in stream:
            size += len(part)
            if size > limit:
                raise ResponseTooLarge(limit)
            parts.append(part)
    body = b"".join(parts)
    response._content = body  # what Response.aread() stores; .json() and .text read it
    return body


async def read_aiohttp_body(response: Any, limit: int) -> bytes:
    """The decoded body of an ``aiohttp`` client response, at most ``limit`` bytes (aiohttp decompresses in bounded
    steps, so a compression bomb stops at the limit too).

    Raises:
        ResponseTooLarge: when the body exceeds ``limit`` (the connection is closed, not reused).
    """
    parts: list[bytes] = []
    size = 0
    content = response.content
    while chunk := await content.readany():  # what ``iter_any()`` yields, without its StopAsyncIteration at the end
        size += len(chunk)
        if size > limit:
            response.close()
            raise ResponseTooLarge(limit)
        parts.append(chunk)
    return b"".join(parts)


def capped_http_client(client_class: type, timeout: float, *, limit: int | None = None) -> Any:
    """An instance of an SDK's ``httpx`` client class (``openai.DefaultAioHttpClient``,
    ``anthropic.DefaultAsyncHttpxClient``) that reads every reply through :func:`read_httpx_body`.

    The Stainless-generated SDKs read a non-streamed reply whole with ``send(stream=False)``; this client sends
    with ``stream=True`` and reads the body itself, with the limit (default ``max_response_bytes()``), before the
    SDK sees it. A :class:`ResponseTooLarge` passes through the SDK unchanged (it wraps only httpx's own errors).
    """
    cap = max_response_bytes() if limit is None else limit

    class CappedClient(client_class):  # type: ignore[misc,valid-type]
        async def send(self, request: Any, *, stream: bool = False, **kwargs: Any) -> Any:
            response = await super().send(request, stream=True, **kwargs)
            if stream:
                return response
            try:
                await read_httpx_body(response, cap)
            except BaseException:
                await response.aclose()
                raise
            return response

    return CappedClient(timeout=timeout)
