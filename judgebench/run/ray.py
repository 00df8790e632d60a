"""Ray executor (``--executor ray``, extra [ray]: ``pip install -e '.[ray]'`` from the checkout): pairs are cut into shards and judged
by ``JudgeWorker`` actors, each holding one judge and backend for its lifetime (a local model loads once per
worker). Results come back to the driver, which logs and writes them through the runner's atomic writers.

* **Global limits.** ``--concurrency`` is split evenly across workers (their sum never exceeds it), and ``--rpm`` /
  ``--tpm`` are enforced by one ``RateLimiterActor`` that every worker's backend asks before each call, so scaling
  out never exceeds the user's limits.
* **Cache.** Workers write through to the same SQLite call cache as a local run (WAL mode is safe for several
  processes on one machine). On a multi-node cluster the cache folder must be on the driver's machine or a node-local
  path per node: SQLite must not be shared over a network file system, so calls are then cached per node.
* **Failures.** Actors restart and shard calls are retried by Ray (``max_restarts`` / ``max_task_retries``); a killed
  worker's shard runs again, and every call it had finished is answered by the cache, not the server. A worker whose
  circuit breaker opens (a bad key, an unknown model, an unreachable server) stops the whole run with ``RunAborted``.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..backends import Backend
from ..errors import JudgebenchError, MissingDependencyError, RunAborted
from ..judges import AnyJudge
from .local import OnResult, WorkItem, judge_items
from .spec import RunSpec

logger = logging.getLogger(__name__)

SHARDS_PER_WORKER = 4
IN_FLIGHT_SHARDS = 2


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise MissingDependencyError("ray", "ray", "--executor ray") from None
    return ray


RAY_AUTH_TOKEN_FILE = Path("~/.ray/auth_token")
"""Where Ray (2.5x and later) keeps the token of a cluster started with token authentication."""


def cluster_init_options(address: str, *, environ: Mapping[str, str] | None = None, home_token: Path | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """``ray.init`` options and environment variables for connecting to the cluster at ``address``:

    * the judgebench package travels to the workers (``runtime_env={"py_modules": [<package folder>]}``), so the
      nodes need only its dependencies (``pip install -e .`` of the same checkout, or the wheel's requirements),
      not this checkout; ``JUDGEBENCH_RAY_SHIP_PACKAGE=0`` turns it off (nodes that have judgebench installed);
    * token authentication: with a token in ``~/.ray/auth_token`` and ``RAY_AUTH_MODE`` unset, Ray's client fails
      with a bare ``ConnectionError`` (seen with Ray 2.60); ``RAY_AUTH_MODE=token`` is then set for the driver.
    """
    env = os.environ if environ is None else environ
    options: dict[str, Any] = {"address": address}
    if env.get("JUDGEBENCH_RAY_SHIP_PACKAGE", "1") != "0":
        options["runtime_env"] = {"py_modules": [str(Path(__file__).resolve().parent.parent)]}
    extra_env: dict[str, str] = {}
    token = (home_token or RAY_AUTH_TOKEN_FILE).expanduser()
    if not env.get("RAY_AUTH_MODE") and token.is_file():
        extra_env["RAY_AUTH_MODE"] = "token"
    return options, extra_env


def ensure_ray(address: str | None, workers: int | None) -> Any:
    """Connect to ``address`` (an existing cluster: :func:`cluster_init_options`) or start a local Ray instance
    sized for ``workers``.

    Raises:
        JudgebenchError: when the cluster cannot be reached, naming the address and what to check.
    """
    ray = _ray()
    if not ray.is_initialized():
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "ignore_reinit_error": True, "logging_level": logging.WARNING}
        if address:
            options, extra_env = cluster_init_options(address)
            kwargs.update(options)
            for key, value in extra_env.items():
                logger.info("Ray: %s=%s (a token is in %s)", key, value, RAY_AUTH_TOKEN_FILE)
                os.environ[key] = value
        else:
            kwargs["num_cpus"] = max(2, os.cpu_count() or 2)
        try:
            ray.init(**kwargs)
        except (ConnectionError, TimeoutError, RuntimeError) as e:
            if not address:
                raise
            raise JudgebenchError(
                f"cannot connect to the Ray cluster at {address}: {type(e).__name__}: {e}. Check that the address is the head "
                "node's client port (ray://HOST:10001) or GCS address (HOST:6379), that it is reachable from here, and, for a "
                "cluster with token authentication, that the token is in ~/.ray/auth_token (RAY_AUTH_MODE=token is then set)"
            ) from None
    return ray


class RemoteLimiter:
    """A ``RateLimiter`` look-alike that asks the cluster-wide limiter actor."""

    def __init__(self, handle: Any):
        self.handle = handle

    async def acquire(self, estimated_tokens: int) -> None:
        await self.handle.acquire.remote(estimated_tokens)


def _actor_classes() -> tuple[Any, Any]:
    ray = _ray()

    @ray.remote(num_cpus=0)
    class RateLimiterActor:
        def __init__(self, rpm: float | None, tpm: float | None):
            from ..backends.rate_limit import RateLimiter

            self.limiter = RateLimiter(rpm, tpm)

        async def acquire(self, tokens: int) -> None:
            await self.limiter.acquire(tokens)

    @ray.remote(num_cpus=0.01, max_restarts=3, max_task_retries=3, max_concurrency=IN_FLIGHT_SHARDS + 1)
    class JudgeWorker:
        """Holds one judge and backend; judges shards on its own event loop."""

        def __init__(self, spec: Any, limiter: Any, concurrency: int):
            from ..judges import build_judge

            self.judge, self.backend = build_judge(spec)
            if self.backend is not None and limiter is not None:
                self.backend.limiter = RemoteLimiter(limiter)
            if self.backend is not None and hasattr(self.backend.raw, "warm"):
                # import the client library now: a first call that spends a second importing would send its
                # already-granted request late, bunching it with the next second's requests at the server
                self.backend.raw.warm()
            self.concurrency = concurrency
            self.sem: Any = None

        async def judge_shard(self, items: list[WorkItem], labels: tuple[str, str]) -> list[tuple[Any, tuple[int, ...]]]:
            import asyncio

            # one semaphore for all shards in this worker: two shards run at once so the next one fills the slots
            # the last calls of the previous one leave free, and together they never exceed the worker's share
            self.sem = self.sem or asyncio.Semaphore(self.concurrency)
            out: list[tuple[Any, tuple[int, ...]]] = []
            await judge_items(self.judge, items, concurrency=self.concurrency, labels=labels, on_result=lambda r, f: out.append((r, f)), sem=self.sem)
            return out

        def stats(self) -> dict[str, Any] | None:
            return self.backend.run_stats() if self.backend is not None else None

        def pid(self) -> int:
            return os.getpid()

    return RateLimiterActor, JudgeWorker


def shards(items: Sequence[Any], n: int) -> list[list[Any]]:
    """Cut ``items`` into at most ``n`` contiguous shards of near-equal size (none empty)."""
    if not items:
        return []
    size = math.ceil(len(items) / max(1, n))
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def merge_stats(parts: Iterable[dict[str, Any] | None]) -> dict[str, Any] | None:
    """Add up the backend statistics of the workers (None when no worker had a backend)."""
    found = [p for p in parts if p]
    if not found:
        return None
    out: dict[str, Any] = {"model": found[0].get("model"), "priced": found[0].get("priced"), "workers": len(found)}
    for key in ("calls", "cached", "retries", "failed", "prompt_tokens", "completion_tokens", "cost_usd"):
        out[key] = sum(p.get(key, 0) for p in found)
    return out


class RayExecutor:
    name = "ray"

    def __init__(self, *, address: str | None = None, workers: int | None = None):
        self.address = address
        self.workers = workers
        self.actors: list[Any] = []

    def execute(self, judge: AnyJudge, backend: Backend | None, items: Sequence[WorkItem], spec: RunSpec, labels: tuple[str, str], on_result: OnResult) -> dict[str, Any] | None:
        ray = ensure_ray(self.address, self.workers)
        n = self.workers or max(1, int(ray.available_resources().get("CPU", 1)))
        todo = [it for it in items if it.todo]
        for it in items:  # nothing to judge: report at once, no worker needed
            if not it.todo:

                on_result(it.result(labels[0], labels[1], ()), ())
        if not todo:
            return None
        limiter_cls, worker_cls = _actor_classes()
        limiter = limiter_cls.remote(spec.rpm, spec.tpm) if (spec.rpm or spec.tpm) else None
        per_worker = max(1, spec.concurrency // n)
        self.actors = [worker_cls.remote(spec, limiter, per_worker) for _ in range(n)]
        try:
            pending = shards(todo, n * SHARDS_PER_WORKER)
            running: dict[Any, Any] = {}  # object ref -> actor
            load = {i: 0 for i in range(n)}

            def submit() -> None:
                for i in sorted(load, key=load.get):  # type: ignore[arg-type]
                    while pending and load[i] < IN_FLIGHT_SHARDS:
                        running[self.actors[i].judge_shard.remote(pending.pop(0), labels)] = i
                        load[i] += 1

            submit()
            while running:
                done, _ = ray.wait(list(running), num_returns=1)
                i = running.pop(done[0])
                load[i] -= 1
                try:
                    finished = ray.get(done[0])
                except Exception as e:  # a worker's circuit breaker opened: stop the run (the finally kills the rest)
                    cause = e if isinstance(e, RunAborted) else getattr(e, "cause", None)
                    if isinstance(cause, RunAborted):
                        raise RunAborted(str(cause.args[0] if cause.args else cause)) from None
                    raise
                for result, fresh in finished:
                    on_result(result, fresh)
                submit()
            return merge_stats(ray.get([a.stats.remote() for a in self.actors]))
        finally:
            for a in self.actors:
                ray.kill(a)
            if limiter is not None:
                ray.kill(limiter)


def ray_map_shards(fn: Callable[[list[Any]], list[Any]], items: Sequence[Any], *, address: str | None = None, workers: int | None = None, num_cpus: float = 1.0) -> list[Any]:
    """``fn(items)`` computed shard by shard in Ray tasks (``fn`` maps a list to a list of the same length), in
    order. Used by recipe grading; a task whose worker dies is retried by Ray."""
    ray = ensure_ray(address, workers)
    n = workers or max(1, int(ray.available_resources().get("CPU", 1)))
    def apply(part: list[Any]) -> list[Any]:  # ray.remote takes functions, not functools.partial objects
        return fn(part)

    task = ray.remote(num_cpus=num_cpus, max_retries=3)(apply)
    parts = shards(list(items), n * SHARDS_PER_WORKER)
    return [y for part in ray.get([task.remote(p) for p in parts]) for y in part]
