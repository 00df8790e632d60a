"""A reward model served by vLLM (``vllm serve MODEL --task reward``), scored through its ``/pooling`` endpoint.

Request: ``{"model": NAME, "messages": [the conversation's turns (or the question as one user turn), assistant
response]}``; vLLM applies the model's chat template and returns ``data[0].data``, the reward (a number, or a list
whose last element is the sequence reward).

One request per (conversation, response): the chat form of ``/pooling`` takes one conversation (only its
completion form, ``input``, takes a list, of texts already templated, which would need the model's tokenizer
here). Requests are sent concurrently and the server batches them (vLLM's scheduler runs the sequences in flight
together); ``ManagedBackend.score`` sends each unique (conversation, response) once per run.
A reward that is not a finite number (``NaN``, ``Infinity``: Python's JSON reader accepts both) is a failed call,
never a score.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any

from ..secrets import split_url_credentials
from . import BackendError, ChatParams, Completion, Messages
from ._http import import_aiohttp, max_response_bytes, read_aiohttp_body
from ._sdk_errors import connection_error, server_message, short, status_error


class VLLMRewardProvider:
    def __init__(self, provider: str, model: str, *, base_url: str, timeout: float):
        """``user:password@`` in ``base_url`` is taken out of the URL and sent as HTTP Basic auth in place of the
        bearer key (and registered as a secret, see ``judgebench.secrets.split_url_credentials``)."""
        self.provider = provider
        self.model = model
        split = split_url_credentials(base_url)
        self.base_url = split.url
        root = split.url.rstrip("/")
        self.url = (root[: -len("/v1")] if root.endswith("/v1") else root) + "/pooling"
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes()
        self._session: Any = None
        self._client_errors: tuple[type[BaseException], ...] = (TimeoutError,)  # with aiohttp's once it is imported
        key = os.environ.get("JUDGEBENCH_API_KEY") or os.environ.get("OPENAI_API_KEY") or "EMPTY"
        self._authorization = split.basic_authorization or f"Bearer {key}"

    @property
    def endpoint(self) -> str:
        """The server that answers; part of the cache key."""
        return self.base_url

    def _get_session(self) -> Any:
        if self._session is None:
            aiohttp = import_aiohttp(tls=self.url.lower().startswith("https:"))
            self._client_errors = (aiohttp.ClientError, TimeoutError)
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout), connector=aiohttp.TCPConnector(limit=0))
        return self._session

    async def score_once(self, question: str, response: str, messages: Messages | None = None) -> float:
        """The reward of ``response`` as the assistant's turn after ``messages`` (``None``: ``question`` as one user
        turn)."""
        session = self._get_session()
        body = {"model": self.model, "messages": [*(messages or [{"role": "user", "content": question}]), {"role": "assistant", "content": response}]}
        try:
            async with session.post(self.url, json=body, headers={"Authorization": self._authorization}) as r:
                # every body is read with the size limit (``_http``): a timeout does not bound memory
                raw = await read_aiohttp_body(r, self.max_response_bytes)
                if r.status != 200:
                    text = raw.decode("utf-8", "replace")
                    try:
                        payload: Any = json.loads(text)
                    except ValueError:
                        payload = text[:300]
                    raise status_error(r.status, payload, headers=r.headers, where=f" from {self.url}")
                payload = json.loads(raw)
        except self._client_errors as e:  # (aiohttp.ClientError, TimeoutError)
            raise connection_error(e, timeout=self.timeout, base_url=self.base_url) from None
        except ValueError as e:
            raise BackendError(f"malformed response: {e}", transient=True) from None
        return reward_of(payload)

    async def chat_once(self, messages: Messages, params: ChatParams) -> Completion:
        raise BackendError(f"vllm-reward:{self.model} is a reward model; use judge reward_model (or vllm:{self.model} for chat)")

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def reward_of(payload: Any) -> float:
    """The sequence reward in a ``/pooling`` body: ``data[0].data``, or its last element when it is a list.

    Raises:
        BackendError: for another shape (with the server's message when the body is an error), or a reward that is
            not a finite number (NaN or infinite: a failed call, not a verdict; not retried, a rerun gives the same).
    """
    try:
        value = payload["data"][0]["data"]
        while isinstance(value, list):
            value = value[-1]
        if isinstance(value, bool):
            raise TypeError("a boolean is not a reward")
        reward = float(value)
    except (KeyError, IndexError, TypeError, ValueError):
        said = server_message(payload)
        raise BackendError(f"server error in an HTTP 200 body: {said}" if said else f"unexpected /pooling response shape: {short(payload, 200)}", transient=False) from None
    if not math.isfinite(reward):
        raise BackendError(f"reward is not a finite number: {reward!r}", transient=False)
    return reward


def make_vllm_reward(provider: str, model: str, *, base_url: str | None = None, timeout: float = 120.0) -> VLLMRewardProvider:
    return VLLMRewardProvider(provider, model, base_url=base_url or "http://localhost:8000/v1", timeout=timeout)
