"""``judgebench.metrics``: pure statistics on arrays, one import for all of them (re-exported from the modules that
define them): agreement (``agreement``), ratings against a reference (``ratings``), reliability (``reliability``), system rankings (``ranking``), intervals and
paired tests (``stats``). Each function's docstring states its definition and edge cases.

Nothing here reads results or knows a benchmark; statistics of a run's judgments (scoring, bias probes,
calibration) are in ``judgebench.analysis``, which builds on these.
"""

from __future__ import annotations

from .agreement import accuracy, cohen_kappa, correlation, kendall, pearson, percent_agreement, spearman
from .ranking import bradley_terry, fit_ranking, ranking_agreement
from .ratings import icc, mae, quadratic_kappa, rating_agreement
from .reliability import consensus, fleiss_kappa, human_baseline, krippendorff_alpha, majority
from .stats import bootstrap_mean_ci, fisher_z_interval, mcnemar_exact, paired_bootstrap_difference

__all__ = [
    "accuracy",
    "bootstrap_mean_ci",
    "bradley_terry",
    "cohen_kappa",
    "consensus",
    "correlation",
    "fisher_z_interval",
    "fit_ranking",
    "fleiss_kappa",
    "human_baseline",
    "icc",
    "kendall",
    "krippendorff_alpha",
    "mae",
    "majority",
    "mcnemar_exact",
    "paired_bootstrap_difference",
    "pearson",
    "percent_agreement",
    "quadratic_kappa",
    "ranking_agreement",
    "rating_agreement",
    "spearman",
]
