"""OpenAI-compatible chat backends (OpenAI, vLLM, SGLang, Ollama, llama.cpp server, Together, any base_url),
posted with ``aiohttp`` directly: one attempt per call (``ManagedBackend`` retries).

The ``openai`` SDK is not on the request path: importing it took 0.8-1.1 s before the first request could leave,
and its request machinery (httpx request objects over an aiohttp transport, option merging, header building) cost
more CPU per judgment than the rest of judgebench together (docs/performance.md, "Judging as fast as a bare
client"). What it did for us is kept: the same request body and headers (bearer key or Basic auth, organization
and project from ``OPENAI_ORG_ID`` / ``OPENAI_PROJECT_ID``), the same timeout (for connecting and for each wait on
the server's bytes), the server's error body, status and ``Retry-After`` (``_sdk_errors.status_error``),
connection errors named by their innermost cause, every reply read with the size limit (``_http``), and at ``-vv``
a debug line per request and reply (the log filter redacts secrets).

Model quirks live in ``QUIRKS`` and nowhere else.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from dataclasses import dataclass
from typing import Any

from ..errors import JudgebenchError
from ..schema import Usage
from ..secrets import split_url_credentials
from . import BackendError, ChatParams, Completion, Messages, token_count
from ._http import import_aiohttp, max_response_bytes, read_aiohttp_body
from ._sdk_errors import connection_error, error_code, server_message, short, status_error
from .retry import is_fatal_status

logger = logging.getLogger(__name__)

OPENAI_URL = "https://api.openai.com/v1"

DEFAULT_URLS = {
    "vllm": "http://localhost:8000/v1",
    "sglang": "http://localhost:30000/v1",
    "ollama": "http://localhost:11434/v1",
    "llamacpp": "http://localhost:8080/v1",
    "together": "https://api.together.xyz/v1",
}
KEY_ENV = {"openai": "OPENAI_API_KEY", "together": "TOGETHER_API_KEY"}


@dataclass(frozen=True)
class Quirks:
    """How a model family deviates from the plain chat API."""

    system_message: bool = True
    temperature: bool = True
    max_tokens_field: str = "max_tokens"
    seed: bool = True


# Reasoning models take no system message and no temperature, and count output with max_completion_tokens
# (platform.openai.com/docs/guides/reasoning). First matching prefix wins.
QUIRKS: tuple[tuple[str, Quirks], ...] = (
    ("o1-mini", Quirks(system_message=False, temperature=False, max_tokens_field="max_completion_tokens")),
    ("o1", Quirks(system_message=True, temperature=False, max_tokens_field="max_completion_tokens")),
    ("o3", Quirks(system_message=True, temperature=False, max_tokens_field="max_completion_tokens")),
    ("o4", Quirks(system_message=True, temperature=False, max_tokens_field="max_completion_tokens")),
    ("gpt-5", Quirks(system_message=True, temperature=False, max_tokens_field="max_completion_tokens")),
)


@functools.cache  # per request otherwise; a run has one model
def quirks_for(model: str) -> Quirks:
    name = model.rsplit("/", 1)[-1]
    for prefix, q in QUIRKS:
        if name.startswith(prefix):
            return q
    return Quirks()


def request_body(model: str, messages: Messages, params: ChatParams) -> dict[str, Any]:
    """The chat-completions request for ``model``, with its quirks applied."""
    q = quirks_for(model)
    if not q.system_message and messages and messages[0]["role"] == "system":
        system, rest = messages[0]["content"], messages[1:]
        if rest and rest[0]["role"] == "user":
            rest = [{"role": "user", "content": f"{system}\n\n{rest[0]['content']}"}, *rest[1:]]
        messages = rest
    body: dict[str, Any] = {"model": model, "messages": messages, "n": params.n}
    if params.max_tokens is not None:
        body[q.max_tokens_field] = params.max_tokens
    if q.temperature and params.temperature is not None:
        body["temperature"] = params.temperature
    if q.temperature and params.top_p is not None:
        body["top_p"] = params.top_p
    if q.seed and params.seed is not None:
        body["seed"] = params.seed
    if params.stop:
        body["stop"] = list(params.stop)
    if params.logprobs:
        body["logprobs"] = True
        body["top_logprobs"] = 5
    return body


class OpenAICompatProvider:
    """One attempt per call; maps client errors to ``BackendError`` with ``transient`` set by type/status."""

    def __init__(self, provider: str, model: str, *, base_url: str | None, api_key: str, timeout: float, authorization: str | None = None):
        """``base_url`` must hold no ``user:password@`` (see ``split_url_credentials``); ``authorization``, when
        given, is sent as the ``Authorization`` header in place of ``Bearer <api_key>`` (HTTP Basic auth from the URL)."""
        self.provider = provider
        self.model = model
        self.base_url = base_url
        self._api_key = api_key
        self._authorization = authorization
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes()
        self._session: Any = None
        self._post_url = ""
        self._proxy: str | None = None
        self._client_errors: tuple[type[BaseException], ...] = (OSError,)

    def __repr__(self) -> str:  # never show the key
        return f"OpenAICompatProvider({self.provider}:{self.model} at {self.base_url or 'api.openai.com'})"

    @property
    def endpoint(self) -> str:
        """The server that answers: the base URL, or the one the client falls back to (``OPENAI_BASE_URL``, else
        OpenAI's API). Part of the call cache key (normalised by ``cache.endpoint_id``)."""
        return self.base_url or os.environ.get("OPENAI_BASE_URL") or OPENAI_URL

    def warm(self) -> None:
        """Import the HTTP client library ahead of the first call (Ray workers do this before taking work)."""
        import_aiohttp(tls=False)

    def _url(self) -> str:
        """``<endpoint>/chat/completions``, keeping a query string of the base URL (``?api-version=...``)."""
        base, sep, query = self.endpoint.partition("?")
        return f"{base.rstrip('/')}/chat/completions{sep}{query}"

    def _get_session(self) -> Any:
        if self._session is None:
            post_url = self._url()
            proxy = _env_proxy(post_url)
            # a plain http:// server (a local vLLM) gets its first request before aiohttp's CA store is loaded
            aiohttp = import_aiohttp(tls=post_url.lower().startswith("https:") or (proxy or "").lower().startswith("https:"))
            self._client_errors = (aiohttp.ClientError, OSError)
            headers = {"Authorization": self._authorization or f"Bearer {self._api_key}", "Content-Type": "application/json", "Accept": "application/json"}
            for env, header in (("OPENAI_ORG_ID", "OpenAI-Organization"), ("OPENAI_PROJECT_ID", "OpenAI-Project")):
                if os.environ.get(env):  # as the openai client sends them, whatever the server
                    headers[header] = os.environ[env]
            # no connection limit here: the run's semaphore bounds the calls in flight
            connector = aiohttp.TCPConnector(limit=0, ttl_dns_cache=300)
            # the timeout is the openai client's (httpx's): for connecting, and for each wait on the server's bytes,
            # not for the whole call (``ManagedBackend`` bounds that); a reply that was sent in time is never dropped
            # because the event loop was slow to read it
            timeout = aiohttp.ClientTimeout(total=None, connect=self.timeout, sock_connect=self.timeout, sock_read=self.timeout)
            self._session = aiohttp.ClientSession(connector=connector, headers=headers, timeout=timeout)
            self._post_url = post_url
            self._proxy = proxy
        return self._session

    async def chat_once(self, messages: Messages, params: ChatParams) -> Completion:
        session = self._get_session()
        body = request_body(self.model, messages, params)
        data = _dumps(body).encode()
        debug = logger.isEnabledFor(logging.DEBUG)
        if debug:  # as the openai client logged its requests at -vv (the root logger's filter redacts secrets)
            logger.debug("request: POST %s %s", self._post_url, data.decode())
        try:
            async with session.post(self._post_url, data=data, allow_redirects=False, proxy=self._proxy) as r:
                # every reply is read with the size limit (``_http``): a timeout does not bound memory
                raw = await read_aiohttp_body(r, self.max_response_bytes)
                status, headers = r.status, r.headers
        except TimeoutError:  # aiohttp's own timeout (its cause is a CancelledError, which names nothing)
            if debug:
                logger.debug("no reply from POST %s: timed out", self._post_url)
            raise BackendError(f"request timed out after {self.timeout:.0f}s", transient=True) from None
        except self._client_errors as e:  # (aiohttp.ClientError, OSError)
            if debug:
                logger.debug("no reply from POST %s: %r", self._post_url, e)
            raise connection_error(e, timeout=self.timeout, base_url=self.endpoint) from None
        if debug:
            logger.debug("reply: HTTP %d %s %s", status, dict(headers), raw.decode("utf-8", "replace"))
        if not 200 <= status < 300:
            text = raw.decode("utf-8", "replace")
            try:
                payload: Any = json.loads(text)
            except ValueError:
                payload = text
            raise status_error(status, payload, headers=headers)
        try:
            resp = json.loads(raw)
        except ValueError as e:  # a truncated or non-JSON body
            raise BackendError(f"malformed response: {short(e)}", transient=True) from None
        return parse_chat_response(resp, logprobs=params.logprobs)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _env_proxy(url: str) -> str | None:
    """The proxy for ``url`` from ``HTTP(S)_PROXY`` / ``NO_PROXY``, as the openai client (httpx) honours them; read
    once per session (aiohttp's ``trust_env`` would read the environment again on every request)."""
    from urllib.parse import urlsplit
    from urllib.request import getproxies, proxy_bypass

    parts = urlsplit(url)
    proxy = getproxies().get(parts.scheme)
    if not proxy or (parts.hostname and proxy_bypass(parts.hostname)):
        return None
    return proxy


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
"""The request body as JSON text (compact, UTF-8 as it is)."""


def parse_chat_response(resp: Any, *, logprobs: bool = False) -> Completion:
    """A ``Completion`` from a chat-completions JSON body.

    A body with no choices but an ``error`` (some servers and proxies answer a failure with HTTP 200) raises with the
    server's own message and the error's ``code`` read as a status when it is one. Token counts that are negative,
    fractional or not numbers are counted as 0 (see ``token_count``): they never discard a good answer.

    Raises:
        BackendError: for a malformed body, one with no choices, or choices with no text.
    """
    if not isinstance(resp, dict):
        raise BackendError(f"malformed response: expected a JSON object, got {type(resp).__name__}", transient=True)
    choices = resp.get("choices")
    if not choices and resp.get("error"):
        code = error_code(resp)
        if isinstance(code, int) and not isinstance(code, bool) and 400 <= code < 600:
            raise status_error(code, resp, where=" (in an HTTP 200 body)")
        raise BackendError(f"server error in an HTTP 200 body: {server_message(resp) or '(no message)'}", transient=not is_fatal_status(None, code), fatal=is_fatal_status(None, code))
    if not choices or not isinstance(choices, list):
        raise BackendError("response has no choices", transient=True)
    try:
        texts = tuple(((c.get("message") or {}).get("content") or "") for c in choices)
    except AttributeError:
        raise BackendError("malformed response: choices are not objects", transient=True) from None
    u = resp.get("usage")
    u = u if isinstance(u, dict) else {}
    usage = Usage(prompt_tokens=token_count(u.get("prompt_tokens"), "prompt_tokens"), completion_tokens=token_count(u.get("completion_tokens"), "completion_tokens"))
    finish = choices[0].get("finish_reason")
    if not any(t.strip() for t in texts):
        raise BackendError(f"empty completion (finish_reason={finish!r})", transient=False)
    lp = None
    content = ((choices[0].get("logprobs") or {}).get("content")) if logprobs else None
    if content:
        lp = tuple({"token": t.get("token"), "logprob": t.get("logprob"), "top": {x.get("token"): x.get("logprob") for x in (t.get("top_logprobs") or [])}} for t in content)
    return Completion(texts=texts, usage=usage, finish_reason=finish, logprobs=lp)


def make_openai(provider: str, model: str, *, base_url: str | None = None, timeout: float = 120.0) -> OpenAICompatProvider:
    """OpenAI or Together (a key from the environment), or any OpenAI-compatible ``base_url`` (key optional).

    ``user:password@`` in ``base_url`` is taken out of the URL and sent as HTTP Basic auth (see ``_server``).
    """
    env = KEY_ENV.get(provider, "OPENAI_API_KEY")
    key = os.environ.get(env)
    url, authorization = _server(base_url or DEFAULT_URLS.get(provider))
    if not key:
        if url is None or provider == "together":
            raise JudgebenchError(f"{provider}:{model} needs an API key: set {env} (or pass --base-url for a local OpenAI-compatible server)")
        key = "EMPTY"
    return OpenAICompatProvider(provider, model, base_url=url, api_key=key, timeout=timeout, authorization=authorization)


def _server(base_url: str | None) -> tuple[str | None, str | None]:
    """``base_url`` without ``user:password@``, and the ``Authorization`` header (HTTP Basic, RFC 7617) that carries
    them instead, which replaces the bearer key. The credentials are registered as secrets, so they are redacted
    from everything written (``judgebench.secrets``); they never stay in the URL the client is given."""
    if base_url is None:
        return None, None
    split = split_url_credentials(base_url)
    return split.url, split.basic_authorization


def make_local_server(provider: str, model: str, *, base_url: str | None = None, timeout: float = 120.0) -> OpenAICompatProvider:
    """vLLM / SGLang / Ollama / llama.cpp: a base_url (default: the server's usual local port); key optional."""
    key = os.environ.get("JUDGEBENCH_API_KEY") or os.environ.get("OPENAI_API_KEY") or "EMPTY"
    url, authorization = _server(base_url or DEFAULT_URLS[provider])
    return OpenAICompatProvider(provider, model, base_url=url, api_key=key, timeout=timeout, authorization=authorization)
