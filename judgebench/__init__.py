"""judgebench: how far can an LLM judge or reward model be trusted?

Public names are imported lazily so ``judgebench --help`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "Pair": "judgebench.schema",
    "Decision": "judgebench.schema",
    "Judgment": "judgebench.schema",
    "ItemResult": "judgebench.schema",
    "Judge": "judgebench.judges",
    "register_judge": "judgebench.judges",
    "get_judge": "judgebench.judges",
    "load_pairs": "judgebench.benchmarks",
    "RunSpec": "judgebench.run.runner",
    "run": "judgebench.run.runner",
    "score_results": "judgebench.analysis.scoring",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'judgebench' has no attribute {name!r}")
