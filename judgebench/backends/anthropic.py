"""Anthropic messages API (optional extra [anthropic]: ``pip install -e '.[anthropic]'`` from the checkout), key from ANTHROPIC_API_KEY."""

from __future__ import annotations

import os
from typing import Any

from ..errors import JudgebenchError, MissingDependencyError
from ..schema import Usage
from ..secrets import split_url_credentials
from . import BackendError, ChatParams, Completion, Messages, token_count
from ._http import capped_http_client, max_response_bytes
from ._sdk_errors import backend_error


class AnthropicProvider:
    def __init__(self, model: str, *, api_key: str, base_url: str | None, timeout: float, authorization: str | None = None):
        """``base_url`` holds no ``user:password@``; ``authorization`` (HTTP Basic auth from the URL) is sent as the
        ``Authorization`` header when given.

        Raises:
            MissingDependencyError: when the ``anthropic`` package (extra ``[anthropic]``) is not installed: at
                construction, before any item is judged, not as a failure of every call.
        """
        try:
            import anthropic  # noqa: F401  (imported here so that a missing extra stops the run before it starts)
        except ImportError:
            raise MissingDependencyError("anthropic", "anthropic", "the Anthropic backend (anthropic:MODEL)") from None
        self.provider = "anthropic"
        self.model = model
        self._api_key = api_key
        self._authorization = authorization
        self.base_url = base_url
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes()
        self._client: Any = None

    def __repr__(self) -> str:
        return f"AnthropicProvider({self.model})"

    @property
    def endpoint(self) -> str:
        """The server that answers (the client's fallbacks when no base URL is given); part of the cache key."""
        return self.base_url or os.environ.get("ANTHROPIC_BASE_URL") or "https://api.anthropic.com"

    def _get_client(self) -> Any:
        if self._client is None:
            try:
                import anthropic
            except ImportError:
                raise MissingDependencyError("anthropic", "anthropic", "the Anthropic backend") from None
            # replies read with a size limit (``_http.capped_http_client``): a timeout does not bound memory
            http_client = capped_http_client(anthropic.DefaultAsyncHttpxClient, self.timeout, limit=self.max_response_bytes)
            headers = {"Authorization": self._authorization} if self._authorization else None
            self._client = anthropic.AsyncAnthropic(api_key=self._api_key, base_url=self.base_url, max_retries=0, timeout=self.timeout, http_client=http_client, default_headers=headers)
        return self._client

    async def chat_once(self, messages: Messages, params: ChatParams) -> Completion:
        import anthropic

        system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
        body: dict[str, Any] = {"model": self.model, "messages": [m for m in messages if m["role"] != "system"], "max_tokens": params.max_tokens or 1024}
        if system:
            body["system"] = system
        if params.temperature is not None:
            # Newer SDKs dropped the temperature keyword; the API still reads it from the body.
            if "temperature" in _create_parameters(self._get_client()):
                body["temperature"] = params.temperature
            else:
                body["extra_body"] = {"temperature": params.temperature}
        if params.stop:
            body["stop_sequences"] = list(params.stop)
        try:
            resp = await self._get_client().messages.create(**body)
        except (anthropic.APIError, ValueError) as e:
            raise backend_error(anthropic, e, timeout=self.timeout, base_url=self.endpoint) from None
        text = "".join(getattr(block, "text", "") for block in resp.content)
        if not text.strip():
            raise BackendError(f"empty completion (stop_reason={resp.stop_reason!r})")
        u = getattr(resp, "usage", None)
        usage = Usage(prompt_tokens=token_count(getattr(u, "input_tokens", None), "input_tokens"), completion_tokens=token_count(getattr(u, "output_tokens", None), "output_tokens"))
        return Completion(texts=(text,), usage=usage, finish_reason=resp.stop_reason)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None


def _create_parameters(client: Any) -> frozenset[str]:
    import inspect

    return frozenset(inspect.signature(client.messages.create).parameters)


def make_anthropic(provider: str, model: str, *, base_url: str | None = None, timeout: float = 120.0) -> AnthropicProvider:
    key = os.environ.get("ANTHROPIC_API_KEY")
    if not key:
        if base_url is None:
            raise JudgebenchError(f"anthropic:{model} needs an API key: set ANTHROPIC_API_KEY")
        key = "EMPTY"
    split = split_url_credentials(base_url) if base_url is not None else None  # user:password@ -> HTTP Basic auth
    return AnthropicProvider(model, api_key=key, base_url=split.url if split else None, timeout=timeout, authorization=split.basic_authorization if split else None)
