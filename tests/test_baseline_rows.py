"""The random-choice reference row (``leaderboard --baseline``) on items that are not pairs: one uniform choice
among an item's K responses earns c/K (c correct); it used to crash ("item is not a pair") on RM-Bench and RMB."""

from __future__ import annotations

import pytest

from judgebench.analysis.scoring import score_results
from judgebench.reports.leaderboard import LoadedRun, baseline_run, metrics_row
from judgebench.schema import BestOf, Decision, Item, ItemResult, Judgment, Preference, Response


def _run(items: list[Item]) -> LoadedRun:
    results = [ItemResult(it, "longer", "none", (Judgment(Decision.NONE, view=(0, 1), game=1),), "pairwise(orders=first, pairs=all)") for it in items]
    metrics = score_results(results, n_resamples=10) if all(isinstance(i.target, Preference) for i in items) else None
    row = metrics_row(metrics, judge="longer", model="none", response_model="", dataset="x", path="") if metrics else {"judge": "longer", "categories": []}
    return LoadedRun(row, tuple(results))


def test_random_choice_on_best_of_k_items_is_c_over_k() -> None:
    six = Item("r0", "q", tuple(Response(f"r{i}") for i in range(6)), BestOf((0, 1, 2)), category="chat")  # RM-Bench: 3 of 6
    four = Item("b0", "q", tuple(Response(f"b{i}") for i in range(4)), BestOf((0,)), category="chat")  # best-of-4: 1 of 4
    row = baseline_run([_run([six, four])]).row
    assert row["overall"] == pytest.approx(100 * (3 / 6 + 1 / 4) / 2) and row["n"] == 2


def test_random_choice_on_pairs_is_unchanged() -> None:
    pairs = [Item(f"p{i}", "q", (Response("a"), Response("b")), Preference(0 if i else None), category="math") for i in range(4)]
    row = baseline_run([_run(pairs)]).row
    assert row["overall"] == pytest.approx(100 * (3 * 0.5 + 0.0) / 4)  # a tie label is never matched


def test_the_length_curve_leaves_out_a_panel_without_pairs() -> None:
    """Runs on best-of-K items (RM-Bench, RMB) beside a pair run: the length-bias figure draws the pairs' panel and
    leaves the other out (it used to fail: "no judged pair with responses of different lengths")."""
    from judgebench.reports.plots_judgments import length_bias_figure

    pairs = [Item(f"p{i}", "q", (Response("a" * (10 + i)), Response("b" * 3)), Preference(0), category="math") for i in range(6)]
    pair_results = [ItemResult(it, "longer", "none", (Judgment(Decision.A_BETTER, view=(0, 1), game=1),), "pairwise(orders=first, pairs=all)") for it in pairs]
    six = Item("r0", "q", tuple(Response("x" * (i + 1)) for i in range(6)), BestOf((0, 1, 2)), category="chat")
    best_results = [ItemResult(six, "longer", "none", (Judgment(Decision.B_BETTER, view=(0, 3), game=1),), "pairwise(orders=first, pairs=target_vs_each)")]
    fig = length_bias_figure([("longer", pair_results), ("longer", best_results)], facets=["judgebench", "rm_bench"])
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert all("rm_bench" not in t for t in titles) and len([ax for ax in fig.axes if ax.lines]) == 1
