"""Model backends: the Backend protocol and the provider registry (``get_backend``, which wraps a provider in the
cache/retry/rate-limit layer, is in ``managed.py``).

A model is named ``PROVIDER:NAME`` (``openai:gpt-4o-mini``, ``vllm:Skywork/Skywork-Critic-Llama-3.1-8B``,
``anthropic:claude-3-5-sonnet-20240620``, ``hf:/path/or/hub-id``, ``vllm-reward:NAME``). ``get_backend`` builds the
provider client and wraps it in ``ManagedBackend`` (cache, rate limit, retries, usage), so judges see one interface.
Provider modules import their SDK lazily.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from ..errors import InputError, JudgebenchError
from ..schema import Usage
from ..secrets import redact

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChatParams:
    """Generation parameters. Only these reach the cache key (timeouts and retries never do)."""

    temperature: float | None = 0.0
    max_tokens: int | None = 1024
    seed: int | None = None
    n: int = 1
    stop: tuple[str, ...] | None = None
    top_p: float | None = None
    logprobs: bool = False

    def to_dict(self) -> dict[str, Any]:
        d = {k: v for k, v in self.__dict__.items() if v is not None}
        if self.stop is not None:
            d["stop"] = list(self.stop)
        return d


def _is_well_formed(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_SURROGATE = re.compile("[\ud800-\udfff]")


def well_formed(text: str) -> str:
    """``text`` with every lone UTF-16 surrogate (not encodable as UTF-8) replaced by U+FFFD."""
    return text if _is_well_formed(text) else _SURROGATE.sub("\ufffd", text)


def _well_formed_tree(value: Any) -> Any:
    if isinstance(value, str):
        return well_formed(value)
    if isinstance(value, dict):
        return {_well_formed_tree(k): _well_formed_tree(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_well_formed_tree(v) for v in value)
    return value


@dataclass(frozen=True)
class Completion:
    """A model's answer: the text of each of ``n`` choices, usage, and whether it came from the cache."""

    texts: tuple[str, ...]
    usage: Usage = field(default_factory=Usage)
    cached: bool = False
    finish_reason: str | None = None
    logprobs: tuple[Any, ...] | None = None

    def __post_init__(self) -> None:
        # A server may send a lone UTF-16 surrogate ("\\ud800" is valid JSON): such text cannot be written as UTF-8,
        # so it would crash the result writer and the cache after a good call. Every text a backend returns is
        # made well-formed here, once for all providers (each lone surrogate becomes U+FFFD).
        if any(not _is_well_formed(t) for t in self.texts):
            object.__setattr__(self, "texts", tuple(well_formed(t) for t in self.texts))
        if self.logprobs is not None:
            fixed = _well_formed_tree(self.logprobs)
            if fixed != self.logprobs:
                object.__setattr__(self, "logprobs", fixed)

    @property
    def text(self) -> str:
        return self.texts[0] if self.texts else ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "texts": list(self.texts),
            "usage": {"prompt_tokens": self.usage.prompt_tokens, "completion_tokens": self.usage.completion_tokens},
            "finish_reason": self.finish_reason,
            "logprobs": list(self.logprobs) if self.logprobs is not None else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], *, cached: bool = False) -> Completion:
        u = d.get("usage") or {}
        return cls(
            texts=tuple(d.get("texts") or ()),
            usage=Usage(prompt_tokens=u.get("prompt_tokens", 0), completion_tokens=u.get("completion_tokens", 0)),
            cached=cached,
            finish_reason=d.get("finish_reason"),
            logprobs=tuple(d["logprobs"]) if d.get("logprobs") is not None else None,
        )


Messages = list[dict[str, str]]

_warned_counts: set[str] = set()


def token_count(value: object, field: str) -> int:
    """A token count from a server's ``usage``: a whole number >= 0 (an int, a float or a string holding one).

    Anything else (negative, fractional, NaN, infinite, text, a list) counts as 0, with one warning per field and
    process: a wrong count must neither make a negative cost nor discard a good answer. Missing (``None``) is 0
    without a warning.
    """
    if value is None:
        return 0
    number: float | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, float):
        number = value
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is not None and math.isfinite(number) and number >= 0 and number == int(number):
        return int(number)
    if field not in _warned_counts:
        _warned_counts.add(field)
        logger.warning("server reported usage %s=%r, not a whole number >= 0; counted as 0", field, value)
    return 0


@runtime_checkable
class Backend(Protocol):
    """What judges call. ``chat`` never returns a partial answer: it returns or raises ``BackendError``."""

    name: str

    async def chat(self, messages: Messages, params: ChatParams | None = None, *, sample_index: int = 0) -> Completion: ...


class RewardBackend(Protocol):
    """What a reward-model judge calls (``ManagedBackend`` on an ``hf:`` or ``vllm-reward:`` provider).

    ``score`` returns the reward of one response to ``question`` (a finite float, in the model's own unit), or
    raises ``BackendError``.
    """

    name: str

    async def score(self, question: str, response: str) -> float: ...


class RawProvider(Protocol):
    """A provider client before caching/retries: one attempt per call.

    Optional members, looked up with ``getattr``/``hasattr`` by ``ManagedBackend``: ``endpoint`` or ``base_url``
    (the server, part of the cache key), ``score_once(question, response) -> float`` (reward models) and
    ``aclose()``.
    """

    provider: str
    model: str

    async def chat_once(self, messages: Messages, params: ChatParams) -> Completion: ...


class CallPolicy(Protocol):
    """The model and how to call it: what ``backends.managed.get_backend`` reads to build a managed backend.

    ``judgebench.run.spec.RunSpec`` and ``judgebench.recipes.generate.GeneratorSpec`` satisfy it structurally
    (read-only attributes, so frozen dataclasses do).

    Attributes:
        model: ``PROVIDER:NAME`` (``None`` only for judges that need no model; ``get_backend`` needs one).
        base_url: an OpenAI-compatible server URL, or ``None`` for the provider's default.
        timeout: seconds per model call.
        cache: whether to read and write the call cache; ``cache_dir`` its folder (``None``: the default).
        refresh: ignore cached calls but store the new ones.
        rpm: requests per minute (``None``: no limit); ``tpm``: tokens per minute (``None``: no limit).
        max_retries: retries on transient errors.
        seed: seed of the retry jitter.
    """

    @property
    def model(self) -> str | None: ...
    @property
    def base_url(self) -> str | None: ...
    @property
    def timeout(self) -> float: ...
    @property
    def cache(self) -> bool: ...
    @property
    def cache_dir(self) -> str | None: ...
    @property
    def refresh(self) -> bool: ...
    @property
    def rpm(self) -> float | None: ...
    @property
    def tpm(self) -> float | None: ...
    @property
    def max_retries(self) -> int: ...
    @property
    def seed(self) -> int: ...


class BackendError(JudgebenchError):
    """A model call that failed for good (after retries, or not retryable).

    ``transient``: a retry may succeed (429, 5xx, a timeout, a dropped connection). ``fatal``: no call of this run
    can succeed (a bad key, an unknown model or endpoint, a bad base URL, a host that does not resolve); never
    retried, and a few in a row stop the run. ``unreachable``: the server refuses connections or cannot be reached;
    retried, and fatal once the retries are spent.
    """

    def __init__(self, message: str, *, transient: bool = False, fatal: bool = False, unreachable: bool = False, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.transient = transient and not fatal
        self.fatal = fatal
        self.unreachable = unreachable
        self.status = status
        self.retry_after = retry_after


ProviderFactory = Callable[..., RawProvider]
_PROVIDERS: dict[str, tuple[str, str]] = {
    # provider name -> (module, factory); modules are imported only when used
    "openai": ("judgebench.backends.openai_compat", "make_openai"),
    "vllm": ("judgebench.backends.openai_compat", "make_local_server"),
    "sglang": ("judgebench.backends.openai_compat", "make_local_server"),
    "ollama": ("judgebench.backends.openai_compat", "make_local_server"),
    "llamacpp": ("judgebench.backends.openai_compat", "make_local_server"),
    "together": ("judgebench.backends.openai_compat", "make_openai"),
    "anthropic": ("judgebench.backends.anthropic", "make_anthropic"),
    "hf": ("judgebench.backends.hf_local", "make_hf"),
    "vllm-reward": ("judgebench.backends.vllm_reward", "make_vllm_reward"),
}


def split_model(model: str, *, field: str = "--model") -> tuple[str, str]:
    """``"openai:gpt-4o"`` -> ``("openai", "gpt-4o")``; the provider must be registered.

    Raises:
        InputError: (``field``: the option or key the model was given in) for a model not named ``PROVIDER:NAME``
            or an unknown provider.
    """
    provider, sep, name = model.partition(":")
    if not sep or not name:
        raise InputError(f"model {model!r} must be PROVIDER:NAME, e.g. openai:gpt-4o-mini; providers: {', '.join(sorted(_PROVIDERS))}", field=field)
    if provider not in _PROVIDERS:
        raise InputError(f"unknown model provider {provider!r} in {model!r}; use one of {', '.join(sorted(_PROVIDERS))}", field=field)
    return provider, name


def check_base_url(base_url: str) -> None:
    """Refuse a base URL that no HTTP client can use, before any call is made.

    Raises:
        InputError: (field ``--base-url``) unless it is ``http://`` or ``https://`` with a host and a valid port.
    """
    import re
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(base_url.strip())
        usable = parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and (parts.port is None or 0 < parts.port < 65536)
    except ValueError:  # an unclosed IPv6 bracket, a port that is not a number or out of range
        usable = False
    if not usable:
        shown = redact(re.sub(r"//[^/@]*@", "//", base_url.strip()))  # never show user:password@
        raise InputError(f"{shown!r} is not a usable server URL; use http(s)://HOST[:PORT]/PATH, e.g. http://127.0.0.1:8000/v1", field="--base-url")


def make_provider(model: str, *, base_url: str | None = None, timeout: float = 120.0) -> RawProvider:
    """Build the raw provider client for ``PROVIDER:NAME`` (no cache, no retries); ``timeout`` in seconds.

    Raises:
        InputError: for a model not named ``PROVIDER:NAME`` with a registered provider (see ``split_model``), or a
            ``base_url`` that is not a usable http(s) URL (see ``check_base_url``).
    """
    import importlib

    provider, name = split_model(model)
    if base_url is not None:
        check_base_url(base_url)
    module, factory = _PROVIDERS[provider]
    raw: RawProvider = getattr(importlib.import_module(module), factory)(provider, name, base_url=base_url, timeout=timeout)
    return raw
