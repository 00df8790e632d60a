"""OpenAI-compatible chat backends (OpenAI, vLLM, SGLang, Ollama, llama.cpp server, Together, any base_url),
through the official ``openai`` async client with its own retries off (``ManagedBackend`` retries).

Model quirks live in ``QUIRKS`` and nowhere else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from ..errors import JudgebenchError
from ..schema import Usage
from ..secrets import split_url_credentials
from . import BackendError, ChatParams, Completion, Messages, token_count
from ._http import capped_http_client, max_response_bytes
from ._sdk_errors import backend_error, error_code, server_message, status_error
from .retry import is_fatal_status

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
        self._client: Any = None

    def __repr__(self) -> str:  # never show the key
        return f"OpenAICompatProvider({self.provider}:{self.model} at {self.base_url or 'api.openai.com'})"

    @property
    def endpoint(self) -> str:
        """The server that answers: the base URL, or the one the client falls back to (``OPENAI_BASE_URL``, else
        OpenAI's API). Part of the call cache key (normalised by ``cache.endpoint_id``)."""
        return self.base_url or os.environ.get("OPENAI_BASE_URL") or OPENAI_URL

    def warm(self) -> None:
        """Import the client library ahead of the first call (Ray workers do this before taking work)."""
        import openai  # noqa: F401

    def _get_client(self) -> Any:
        if self._client is None:
            import openai

            # aiohttp transport (the client's own `DefaultAioHttpClient`): at 64+ connections httpcore's pool re-probes every
            # idle socket per request, which made the HTTP stack the largest CPU cost of a judgment.
            # Its replies are read with a size limit (``_http.capped_http_client``): a timeout does not bound memory.
            headers = {"Authorization": self._authorization} if self._authorization else None
            http_client = capped_http_client(openai.DefaultAioHttpClient, self.timeout, limit=self.max_response_bytes)
            self._client = openai.AsyncOpenAI(api_key=self._api_key, base_url=self.base_url, max_retries=0, timeout=self.timeout, http_client=http_client, default_headers=headers)
        return self._client

    async def chat_once(self, messages: Messages, params: ChatParams) -> Completion:
        import openai

        body = request_body(self.model, messages, params)
        try:
            # The client's low-level ``post`` (same auth, HTTP stack and error types as ``chat.completions.create``)
            # with ``cast_to=dict``: it skips the per-field TypedDict transform of the request and the pydantic model
            # of the response, which cost more CPU than everything else a judgment does (see docs/performance.md).
            resp = await self._get_client().post("/chat/completions", body=body, cast_to=dict)
        except (openai.APIError, ValueError) as e:  # ValueError covers JSON decoding of a truncated body
            raise backend_error(openai, e, timeout=self.timeout, base_url=self.endpoint) from None
        return parse_chat_response(resp, logprobs=params.logprobs)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None


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
