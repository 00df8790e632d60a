"""A resampling interval is shown as the bootstrap CI whatever its scheme's label: Efron's ``bootstrap (...)``, the
``Poisson bootstrap (...)`` of 20,000+ distinct rows and the linearised rank correlations. Before, three readers
looked for methods *starting* with "bootstrap" and showed "–" for the others (and listed them as analytic)."""

from __future__ import annotations

from judgebench.analysis.scoring import RunMetrics
from judgebench.metrics.stats import Estimate, Interval
from judgebench.reports.estimates import estimate_rows
from judgebench.reports.leaderboard import _estimate_cell

POISSON = "Poisson bootstrap (10000 resamples, seed 0)"
LINEAR = "Poisson bootstrap of the influence-function linearisation (10000 resamples, seed 0)"


def _estimate(method: str) -> Estimate:
    return Estimate("Pearson r", 0.5, 30_000, (Interval(0.4, 0.6, method, 10_000), Interval(0.45, 0.55, "Fisher z")))


def test_estimate_rows_show_every_resampling_scheme_as_the_bootstrap_ci() -> None:
    for method in ("bootstrap (10000 resamples, seed 0)", POISSON, LINEAR):
        (row,) = estimate_rows([("all", _estimate(method))])
        assert row["ci"] == "[0.400, 0.600]", method
        assert row["analytic"].startswith("[0.450, 0.550]"), method  # the Fisher z interval, not the resampled one
        # the note says which scheme made a CI that is not Efron's plain bootstrap
        assert row["note"] == {POISSON: "CI: Poisson bootstrap", LINEAR: "CI: Poisson bootstrap of the influence-function linearisation"}.get(method, ""), method


def test_leaderboard_cell_and_headline_read_a_poisson_interval() -> None:
    e = _estimate(POISSON).to_dict()
    assert _estimate_cell(e) == ("0.500", "0.400–0.600")
    metrics = RunMetrics(rule="vote", n_pairs=0, n_judgments=0, n_failed=0, n_no_decision=0, accuracy=float("nan"), ci_low=float("nan"), ci_high=float("nan"), extra={"ratings_agreement": {"item/pearson": e}})
    head = metrics.headline()
    assert (head.value, head.ci_low, head.ci_high) == (0.5, 0.4, 0.6)
