"""Executors run the judging work of a run: the local asyncio executor (default) and a Ray executor
(``--executor ray``, extra ``judgebench[ray]``). Everything else (cache, results layout, resume, metrics) is the
runner's and stays the same whichever executor runs the calls.
"""

from __future__ import annotations

from typing import Any

from ..errors import JudgebenchError
from .local import Executor, LocalExecutor, OnResult, WorkItem, judge_items, run_loop

__all__ = ["Executor", "LocalExecutor", "OnResult", "WorkItem", "get_executor", "judge_items", "run_loop"]


def get_executor(name: str, spec: Any) -> Executor:
    if name == "local":
        return LocalExecutor()
    if name == "ray":
        from .ray import RayExecutor

        return RayExecutor(address=spec.ray_address, workers=spec.workers)
    raise JudgebenchError(f"unknown executor {name!r}; use local or ray")
