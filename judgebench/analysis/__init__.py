"""Reading results: scoring under a benchmark's rule, bias probes, calibration, labels, failures, re-parsing.

The statistics of a run's judgments, one import for all (each defined in its module): ``score_results`` and
``pair_credit`` (``scoring``), bias probes (``bias``), confidence and calibration (``calibration``). Pure statistics
on arrays are in ``judgebench.metrics``.
"""

from __future__ import annotations

from .bias import bias_probes, length_bias, length_slope, position_bias, rates, self_preference
from .calibration import accuracy_at_coverage, auroc, calibration_report, expected_calibration_error
from .scoring import pair_credit, score_results

__all__ = [
    "accuracy_at_coverage",
    "auroc",
    "bias_probes",
    "calibration_report",
    "expected_calibration_error",
    "length_bias",
    "length_slope",
    "pair_credit",
    "position_bias",
    "rates",
    "score_results",
    "self_preference",
]
