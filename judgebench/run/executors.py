"""Executors run the judging work of a run: the local asyncio executor (default) and a Ray executor
(``--executor ray``, extra ``judgebench[ray]``). Everything else (cache, results layout, resume, metrics) is the
runner's and stays the same whichever executor runs the calls.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import JudgebenchError
from .local import Executor, LocalExecutor, OnResult, WorkItem, judge_items, run_loop
from .spec import RunSpec

__all__ = ["EXECUTORS", "Executor", "LocalExecutor", "OnResult", "WorkItem", "get_executor", "judge_items", "run_loop"]


def _local(spec: RunSpec) -> Executor:
    return LocalExecutor()


def _ray(spec: RunSpec) -> Executor:
    from .ray import RayExecutor  # Ray is an optional extra, imported only when chosen

    return RayExecutor(address=spec.ray_address, workers=spec.workers)


EXECUTORS: dict[str, Callable[[RunSpec], Executor]] = {"local": _local, "ray": _ray}
"""Executors by the name ``--executor`` takes."""


def get_executor(name: str, spec: RunSpec) -> Executor:
    """The executor named ``name``, set up from ``spec``.

    Raises:
        JudgebenchError: for an unknown name, listing the known ones.
    """
    if name not in EXECUTORS:
        raise JudgebenchError(f"unknown executor {name!r}; use one of: {', '.join(EXECUTORS)}")
    return EXECUTORS[name](spec)
