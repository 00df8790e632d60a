"""A reward model served by vLLM (``vllm serve MODEL --task reward``), scored through its ``/pooling`` endpoint.

Request: ``{"model": NAME, "messages": [user question, assistant response]}``; vLLM applies the model's chat
template and returns ``data[0].data``, the reward (a number, or a list whose last element is the sequence reward).
"""

from __future__ import annotations

import os
from typing import Any

from ..retry import is_transient_status, retry_after_seconds
from . import BackendError, ChatParams, Completion, Messages


class VLLMRewardProvider:
    def __init__(self, provider: str, model: str, *, base_url: str, timeout: float):
        self.provider = provider
        self.model = model
        root = base_url.rstrip("/")
        self.url = (root[: -len("/v1")] if root.endswith("/v1") else root) + "/pooling"
        self.timeout = timeout
        self._session: Any = None
        self._key = os.environ.get("JUDGEBENCH_API_KEY") or os.environ.get("OPENAI_API_KEY") or "EMPTY"

    def _get_session(self) -> Any:
        if self._session is None:
            import aiohttp

            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout), connector=aiohttp.TCPConnector(limit=0))
        return self._session

    async def score_once(self, question: str, response: str) -> float:
        import aiohttp

        body = {"model": self.model, "messages": [{"role": "user", "content": question}, {"role": "assistant", "content": response}]}
        try:
            async with self._get_session().post(self.url, json=body, headers={"Authorization": f"Bearer {self._key}"}) as r:
                if r.status != 200:
                    text = (await r.text())[:300]
                    raise BackendError(f"HTTP {r.status} from {self.url}: {text}", transient=is_transient_status(r.status), status=r.status, retry_after=retry_after_seconds(r.headers))
                payload = await r.json(content_type=None)
        except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as e:
            raise BackendError(f"connection error: {e}", transient=True) from None
        except TimeoutError:
            raise BackendError(f"request timed out after {self.timeout:.0f}s", transient=True) from None
        except ValueError as e:
            raise BackendError(f"malformed response: {e}", transient=True) from None
        try:
            value = payload["data"][0]["data"]
            while isinstance(value, list):
                value = value[-1]
            return float(value)
        except (KeyError, IndexError, TypeError, ValueError):
            raise BackendError(f"unexpected /pooling response shape: {str(payload)[:200]}", transient=False) from None

    async def chat_once(self, messages: Messages, params: ChatParams) -> Completion:
        raise BackendError(f"vllm-reward:{self.model} is a reward model; use judge reward_model (or vllm:{self.model} for chat)")

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def make_vllm_reward(provider: str, model: str, *, base_url: str | None = None, timeout: float = 120.0) -> VLLMRewardProvider:
    return VLLMRewardProvider(provider, model, base_url=base_url or "http://localhost:8000/v1", timeout=timeout)
