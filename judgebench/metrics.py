"""``judgebench.metrics``: one import for every statistic (re-exported from the modules that define them).

Agreement (``agreement``), reliability (``reliability``), bias probes (``bias``), system rankings (``ranking``),
confidence and calibration (``calibration``), intervals and paired tests (``stats``), and the JudgeBench scoring
rule (``scoring``). Each function's docstring states its definition and edge cases.
"""

from __future__ import annotations

from .agreement import accuracy, cohen_kappa, correlation, kendall, pearson, percent_agreement, spearman
from .bias import bias_probes, length_bias, length_slope, position_bias, rates, self_preference
from .calibration import accuracy_at_coverage, auroc, calibration_report, expected_calibration_error
from .ranking import bradley_terry, fit_ranking, ranking_agreement
from .reliability import consensus, fleiss_kappa, human_baseline, krippendorff_alpha, majority
from .scoring import pair_credit, score_results
from .stats import bootstrap_mean_ci, fisher_z_interval, mcnemar_exact, paired_bootstrap_difference

__all__ = [
    "accuracy",
    "accuracy_at_coverage",
    "auroc",
    "bias_probes",
    "bootstrap_mean_ci",
    "bradley_terry",
    "calibration_report",
    "cohen_kappa",
    "consensus",
    "correlation",
    "expected_calibration_error",
    "fisher_z_interval",
    "fit_ranking",
    "fleiss_kappa",
    "human_baseline",
    "kendall",
    "krippendorff_alpha",
    "length_bias",
    "length_slope",
    "majority",
    "mcnemar_exact",
    "paired_bootstrap_difference",
    "pair_credit",
    "pearson",
    "percent_agreement",
    "position_bias",
    "ranking_agreement",
    "rates",
    "score_results",
    "self_preference",
    "spearman",
]
