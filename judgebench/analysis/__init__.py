"""Reading results: scoring under a benchmark's rule, bias probes, calibration, labels, failures, re-parsing.

The statistics of a run's judgments, one import for all (each defined in its module): ``score_results`` and
``pair_credit`` (``scoring``), bias probes (``bias``), confidence and calibration (``calibration``). Pure statistics
on arrays are in ``judgebench.metrics``.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "accuracy_at_coverage": "calibration",
    "auroc": "calibration",
    "calibration_report": "calibration",
    "expected_calibration_error": "calibration",
    "bias_probes": "bias",
    "length_bias": "bias",
    "length_slope": "bias",
    "position_bias": "bias",
    "rates": "bias",
    "self_preference": "bias",
    "pair_credit": "scoring",
    "score_results": "scoring",
}
"""Re-exported names and their modules, imported on first use: importing one light module of this package (the
failure summary ``bench`` reads) must not load numpy and every analysis."""

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
