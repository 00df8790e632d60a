"""Sample ``k`` responses per problem from a generator model through the backends layer.

Calls go through ``judgebench.backends.managed.get_backend`` (cache, retries, rate limit), with bounded concurrency.
Sample ``i`` of a problem uses ``sample_index=i`` and ``seed = seed + i``, so each sample is its own cache entry
and server-side sampling is reproducible where the provider honours seeds. A re-run therefore makes no call
twice, and an interrupted run resumes from the cache. A call that fails for good is reported, not graded.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict, dataclass
from typing import Any

from .data import Problem, RawResponse

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GeneratorSpec:
    """The generator model and how to call it; the fields ``get_backend`` reads. Holds no secrets."""

    model: str
    base_url: str | None = None
    timeout: float = 120.0
    max_retries: int = 6
    cache: bool = True
    cache_dir: str | None = None
    refresh: bool = False
    rpm: float | None = None
    tpm: float | None = None
    seed: int = 0
    concurrency: int = 32

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class GenerationOutcome:
    """Responses that came back, the failures as ``(problem_id, sample_index, error)``, and backend stats."""

    responses: tuple[RawResponse, ...]
    failures: tuple[tuple[str, int, str], ...]
    stats: dict[str, Any]


def chat_params(generation: dict[str, Any], seed: int) -> Any:
    """``ChatParams`` from a recipe's ``generation`` section (``system`` is not a parameter)."""
    from ..backends import ChatParams

    known = {"temperature", "max_tokens", "top_p", "stop"}
    unknown = set(generation) - known - {"system"}
    if unknown:
        raise ValueError(f"unknown generation option(s) {sorted(unknown)}; expected some of {sorted(known | {'system'})}")
    kw = {k: v for k, v in generation.items() if k in known}
    if "stop" in kw and kw["stop"] is not None:
        kw["stop"] = tuple(kw["stop"])
    return ChatParams(seed=seed, **kw)


async def _sample_all(backend: Any, problems: list[Problem], k: int, generation: dict[str, Any], spec: GeneratorSpec) -> GenerationOutcome:
    from dataclasses import replace

    from ..backends import BackendError
    from ..secrets import redact

    base = chat_params(generation, spec.seed)
    system = generation.get("system")
    sem = asyncio.Semaphore(max(1, spec.concurrency))

    async def one(problem: Problem, i: int) -> RawResponse | tuple[str, int, str]:
        messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": problem.prompt}]
        params = replace(base, seed=spec.seed + i)
        async with sem:
            try:
                completion = await backend.chat(messages, params, sample_index=i)
            except BackendError as e:  # recorded with its cause, secrets redacted (a server may quote the key)
                return (problem.id, i, redact(str(e)))
        return RawResponse(problem.id, completion.text, spec.model, i, {k: v for k, v in params.to_dict().items() if k != "n"})

    try:
        results = await asyncio.gather(*(one(p, i) for p in problems for i in range(k)))
    finally:
        if hasattr(backend, "aclose"):
            await backend.aclose()
    responses = tuple(r for r in results if isinstance(r, RawResponse))
    failures = tuple(r for r in results if not isinstance(r, RawResponse))
    stats = backend.run_stats() if hasattr(backend, "run_stats") else {}
    return GenerationOutcome(responses, failures, stats)


def sample_responses(problems: list[Problem], spec: GeneratorSpec, k: int, generation: dict[str, Any], *, backend: Any = None) -> GenerationOutcome:
    """Sample ``k`` responses to each problem; ``backend`` defaults to ``get_backend(spec)``."""
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    owned = backend is None
    if backend is None:
        from ..backends.managed import get_backend

        backend = get_backend(spec)
    try:
        outcome = asyncio.run(_sample_all(backend, problems, k, generation, spec))
    finally:
        if owned and hasattr(backend, "close"):
            backend.close()
    if outcome.failures:
        logger.warning("%d of %d generation calls failed; first: %s", len(outcome.failures), len(problems) * k, outcome.failures[0][2])
    return outcome
