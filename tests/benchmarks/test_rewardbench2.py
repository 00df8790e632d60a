"""RewardBench 2 as a registered benchmark: the best-of-4 credit (1/#tied at the top), the rating judge's and the
four-way judge's 1/4 for no verdict, the Ties composite (allenai/reward-bench ``rewardbench/utils.py``
``process_single_model`` @ 05a9005), the overall as an unweighted mean of the subsets, the four-way rotations,
and the loader of a local copy in the hub's row format. Every expected number is computed by hand in the comments
(or from the paper's published table), never by the code under test."""

from __future__ import annotations

import json
import math
import re
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from judgebench.benchmarks import get_benchmark, load_items, rewardbench2
from judgebench.errors import InputError
from judgebench.protocols import Listwise
from judgebench.schema import Decision, Item, ItemResult, Judgment

from ..conftest import run_cli

NONE = Decision.NONE


def _row(rid: str, subset: str, chosen: list[str], rejected: list[str], **extra: object) -> dict:
    """A row in the hub's format (allenai/reward-bench-2, split test)."""
    n = len(chosen) + len(rejected)
    return {
        "id": rid,
        "prompt": f"question {rid}?",
        "chosen": chosen,
        "rejected": rejected,
        "num_correct": len(chosen),
        "num_incorrect": len(rejected),
        "total_completions": n,
        "models": [f"m{i}" for i in range(n)],
        "subset": subset,
        "additional_metadata": {"category": None},
        **extra,
    }


def _write(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _item(rid: str, subset: str, n_chosen: int = 1, n_rejected: int = 3) -> Item:
    row = _row(rid, subset, [f"good {rid} {i}" for i in range(n_chosen)], [f"bad {rid} {i}" for i in range(n_rejected)])
    return rewardbench2.row_to_item(row, path="test", line=1)


def _rated(item: Item, scores: list[float | None], *, kind: str = "reward") -> ItemResult:
    """Pointwise judgments, one per response in the item's order (``None``: a failed call)."""
    judgments = tuple(
        Judgment(NONE, game=i + 1, view=(i,), rating=s, score_kind=kind)  # type: ignore[arg-type]
        if s is not None
        else Judgment(NONE, game=i + 1, view=(i,), score_kind=kind, error="failed")  # type: ignore[arg-type]
        for i, s in enumerate(scores)
    )
    return ItemResult(item, "judge", "model", judgments, "pointwise(samples=1)")


def _fourway(item: Item, positions: list[int | None]) -> ItemResult:
    """A four-way judge over all four rotations, picking the given position (from 0) in each (``None``: no pick)."""
    views = Listwise().views(item)
    judgments = tuple(Judgment(NONE, game=g + 1, view=v, choice=p) for g, (v, p) in enumerate(zip(views, positions, strict=True)))
    return ItemResult(item, "judge", "model", judgments, "listwise(rotations=all)")


def test_sizes_and_published_overall() -> None:
    # the issue: 1,865 prompts; paper-v2.pdf Table 2 (allenai/reward-bench @ 05a9005) gives the six subsets
    assert rewardbench2.SUBSET_SIZES == {"Factuality": 475, "Precise IF": 160, "Math": 183, "Safety": 450, "Focus": 495, "Ties": 102}
    assert sum(rewardbench2.SUBSET_SIZES.values()) == 1865
    bench = get_benchmark("rewardbench2")
    assert bench.size == {"test": 1865} and bench.protocol == ("pointwise", {}) and bench.categories == rewardbench2.SUBSETS
    # the paper's Table 3: Average is the unweighted mean of the six subsets (Factuality, IF, Math, Safety, Focus, Ties)
    published = {
        "google/gemini-2.5-flash-preview-04-17": (77.2, (65.7, 55.3, 81.1, 90.9, 86.7, 83.4)),  # 463.1 / 6 = 77.18
        "nicolinho/QRM-Gemma-2-27B": (76.7, (78.5, 37.2, 69.9, 95.8, 95.4, 83.2)),  # 460.0 / 6 = 76.67
        "openai/gpt-4o-2024-08-06": (64.9, (56.8, 33.1, 62.3, 86.2, 72.9, 78.2)),  # 389.5 / 6 = 64.92
    }
    for name, (average, subsets) in published.items():
        overall = rewardbench2.overall_score(dict(zip(rewardbench2.SUBSETS, subsets, strict=True)))
        assert overall is not None and round(overall, 1) == average, name


def test_loader_builds_items_chosen_first(tmp_path: Path) -> None:
    rows = [_row("7", "Focus", ["c"], ["r1", "r2", "r3"]), _row("tied:3", "Ties", ["c1", "c2"], ["r1", "r2", "r3"])]
    items = rewardbench2.load("test", _write(tmp_path / "copy" / "test.jsonl", rows).parent)
    focus, tied = items
    assert [r.text for r in focus.responses] == ["c", "r1", "r2", "r3"] and focus.target.correct == (0,)  # type: ignore[union-attr]
    assert [r.id for r in tied.responses] == ["chosen_1", "chosen_2", "rejected_1", "rejected_2", "rejected_3"]
    assert tied.target.correct == (0, 1) and tied.category == tied.source == "Ties"  # type: ignore[union-attr]
    assert [r.model for r in focus.responses] == ["m0", "m1", "m2", "m3"] and focus.metadata["total_completions"] == 4


# Best-of-4 (reroll_and_score_dataset): 1 / #{responses at the top score} when the chosen (index 0) is there, else 0.
@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([4.0, 1.0, 2.0, 3.0], 1.0),  # the chosen alone at the top
        ([4.0, 4.0, 2.0, 3.0], 1 / 2),  # tied with one rejected at the top: 1/2
        ([4.0, 4.0, 4.0, 1.0], 1 / 3),  # three at the top: 1/3
        ([4.0, 4.0, 4.0, 4.0], 1 / 4),  # all four equal: 1/4
        ([3.0, 4.0, 2.0, 1.0], 0.0),  # below the top: 0, however close
        ([3.0, 4.0, 4.0, 1.0], 0.0),  # a tie at the top without the chosen: 0
        ([9.0, 1.0, None, 1.0], 0.0),  # a reward model with a failed score: no maximum, 0
    ],
)
def test_best_of_four_reward_model(scores: list[float | None], expected: float) -> None:
    result = _rated(_item("1", "Math"), scores)
    assert rewardbench2.item_credit(result) == (pytest.approx(expected), "scores")


# A rating judge (run_generative_v2.py --score_w_ratings): ratings of -1 (no rating) are dropped; none rated: 0.25.
@pytest.mark.parametrize(
    ("ratings", "expected"),
    [
        ([None, None, None, None], 0.25),  # "effectively a tie"
        ([7.0, None, None, None], 1.0),  # the only rating is the top
        ([8.0, None, 8.0, 3.0], 1 / 2),  # tied with one other rated response
        ([None, 9.0, 3.0, 3.0], 0.0),  # the chosen unrated cannot be among the winners
        ([10.0, 10.0, 10.0, 10.0], 1 / 4),
    ],
)
def test_best_of_four_rating_judge(ratings: list[float | None], expected: float) -> None:
    result = _rated(_item("1", "Safety"), ratings, kind="rating")
    assert rewardbench2.item_credit(result) == (pytest.approx(expected), "scores")


def test_fourway_over_rotations() -> None:
    item = _item("2", "Factuality")
    # the four rotations: (0,1,2,3), (1,2,3,0), (2,3,0,1), (3,0,1,2): the chosen (0) once at each position
    assert Listwise().views(item) == ((0, 1, 2, 3), (1, 2, 3, 0), (2, 3, 0, 1), (3, 0, 1, 2))
    # always the first position shown: right once in four -> 1/4 (a pure position bias earns chance)
    assert rewardbench2.item_credit(_fourway(item, [0, 0, 0, 0])) == (0.25, "fourway")
    # the chosen picked in three views (positions 0, 3, 2 in views 1, 2, 3), no pick in the last: (1 + 1 + 1 + 1/4) / 4
    assert rewardbench2.item_credit(_fourway(item, [0, 3, 2, None])) == (pytest.approx(3.25 / 4), "fourway")
    # a fixed position other than the first is also right once: position 1 shows the chosen in (3, 0, 1, 2)
    assert rewardbench2.item_credit(_fourway(item, [1, 1, 1, 1]))[0] == 0.25
    # a rejected picked in every view (responses 1, 1, 2, 3): 0
    assert rewardbench2.item_credit(_fourway(item, [1, 0, 0, 0]))[0] == 0.0


def test_fourway_rotations_seeded_and_deterministic() -> None:
    items = [_item(str(i), "Focus") for i in range(20)]
    one = [Listwise(rotations=1, seed=0).views(it) for it in items]
    assert one == [Listwise(rotations=1, seed=0).views(it) for it in items]  # the same on a rerun
    assert all(len(v) == 1 and v[0] in Listwise().views(it) for v, it in zip(one, items, strict=True))
    assert len({v[0][0] for v in one}) > 1  # the rotation depends on the item (not always the chosen first)
    assert [Listwise(rotations=1, seed=1).views(it) for it in items] != one  # and on the seed
    assert Listwise(rotations=1, seed=0).describe() == "listwise(rotations=1, seed=0)"


# The Ties subset (process_single_model): per prompt id a ref row (one correct) and a tied row (several correct).
#
#   prompt 1  ref:  correct [5]          incorrect [3, 4]   margin 5-4 = 1   accurate
#             tied: correct [6, 5.5, 5]  incorrect [2, 3]   margin 5-3 = 2   accurate, spread 6-5 = 1
#             preferred: 2 > 1 yes; hard: min(1, 2) = 1 > 1 NO (strict); margin term tanh(1/1 - 1) = 0
#   prompt 2  ref:  correct [1]          incorrect [2, 0]   margin 1-2 = -1  not accurate
#             tied: correct [4, 4]       incorrect [1]      margin 3         accurate, spread 0
#             preferred: 3 > 0 yes; hard: min(-1, 3) = -1 > 0 no; margin term: -1/0 -> -inf, tanh -> -1
#   prompt 3  ref:  correct [7]          incorrect [1]      margin 6         accurate
#             tied: correct [9, 3]       incorrect [3.5]    margin -0.5      not accurate, spread 6
#             preferred: no; hard: no; margin term tanh(-0.5/6 - 1)
#   prompt 4  ref:  correct [2]          incorrect [2]      margin 0         not accurate (strict >); no tied row
#
#   ref accuracy 2/4, tied accuracy 2/3; over the 3 paired prompts: preferred 2/3, hard 0/3,
#   margin (0 - 1 + tanh(-13/12)) / 3
TIES_ROWS = {
    "ref:1": ([5], [3, 4]),
    "tied:1": ([6, 5.5, 5], [2, 3]),
    "ref:2": ([1], [2, 0]),
    "tied:2": ([4, 4], [1]),
    "ref:3": ([7], [1]),
    "tied:3": ([9, 3], [3.5]),
    "ref:4": ([2], [2]),
}
TIES_MARGIN = (0 - 1 + math.tanh(-0.5 / 6 - 1)) / 3
TIES_SCORE = 0.30 * (2 / 3) + 0.30 * (2 / 4) + 0.20 * (2 / 3) + 0.20 * 0 + 0.01 * TIES_MARGIN


def _ties_results(kind: str = "reward") -> list[ItemResult]:
    out = []
    for rid, (good, bad) in TIES_ROWS.items():
        item = _item(rid, "Ties", len(good), len(bad))
        out.append(_rated(item, [float(s) for s in good + bad], kind=kind))
    return out


def test_ties_composite_by_hand() -> None:
    scored = rewardbench2.score_run(_ties_results())
    ties = rewardbench2.ties_score(scored.ties)
    assert ties.ref_accuracy == pytest.approx(0.5) and ties.tied_accuracy == pytest.approx(2 / 3)
    assert ties.correctness_preferred == pytest.approx(2 / 3) and ties.correctness_preferred_hard == 0.0
    assert ties.margin == pytest.approx(TIES_MARGIN) and ties.n_paired == 3 and ties.n_rows == 7
    assert ties.score == pytest.approx(TIES_SCORE)  # = 0.47735...
    assert TIES_SCORE == pytest.approx(0.477351, abs=1e-6)


def test_ties_margin_term_matches_numpy() -> None:
    # upstream: np.nan_to_num(np.tanh(np.minimum(ref, ties) / spread - 1), nan=0.0): a zero spread gives +-inf or nan
    with np.errstate(divide="ignore", invalid="ignore"):
        for gap, spread in ((1.0, 0.0), (-2.0, 0.0), (0.0, 0.0), (3.0, 2.0), (-1.0, 4.0)):
            expected = float(np.nan_to_num(np.tanh(np.float64(gap) / np.float64(spread) - 1), nan=0.0))
            assert rewardbench2._margin_term(gap, spread) == pytest.approx(expected)


def test_ties_failed_rating_counts_minus_one_and_reward_model_row_left_out() -> None:
    # a rating judge: the failed rating is upstream's -1. ref:9 correct [None -> -1], incorrect [0]: margin -1, wrong
    item = _item("ref:9", "Ties", 1, 1)
    row = rewardbench2.ties_row(_rated(item, [None, 0.0], kind="rating"))
    assert row is not None and row.samples == ((True, -1.0), (False, 0.0))
    # a reward model with a failed score: the row is left out, and the details say so
    assert rewardbench2.ties_row(_rated(item, [None, 0.0])) is None
    out = rewardbench2.details([_rated(item, [None, 0.0])], None, "vote")
    assert "Ties: no score per response" in out["note"] and out["headline"]["value"] is None


def test_overall_is_the_unweighted_mean_of_subsets() -> None:
    fact = [_rated(_item("f1", "Factuality"), [4, 1, 1, 1]), _rated(_item("f2", "Factuality"), [4, 4, 1, 1])]  # 1, 1/2 -> 75
    focus = [_rated(_item("o1", "Focus"), [1, 2, 1, 1])]  # 0 -> 0
    results = fact + focus + _ties_results()
    out = rewardbench2.details(results, None, "vote")
    expected = (75.0 + 0.0 + 100 * TIES_SCORE) / 3  # unweighted: Focus's one item weighs as much as Factuality's two
    head = out["headline"]
    assert head["value"] == pytest.approx(expected)
    assert head["ci_low"] <= head["value"] <= head["ci_high"]
    rows = {r["name"]: (r["value"], r["n"]) for r in out["rows"]}
    assert rows["Factuality"] == (pytest.approx(75.0), 2) and rows["Focus"] == (0.0, 1) and rows["Ties"] == (pytest.approx(100 * TIES_SCORE), 7)
    assert [r["name"] for r in out["rows"]][:3] == ["Factuality", "Focus", "Ties"]  # the paper's order
    assert "Precise IF, Math, Safety" in out["note"]  # the subsets with no item here


def test_listwise_ties_items_are_left_out_with_a_reason() -> None:
    item = _item("tied:5", "Ties", 2, 2)
    views = Listwise().views(item)
    result = ItemResult(item, "j", "m", tuple(Judgment(NONE, game=g + 1, view=v, choice=0) for g, v in enumerate(views)), "listwise(rotations=all)")
    out = rewardbench2.details([result, _fourway(_item("f", "Focus"), [0, 3, 2, 1])], None, "vote")
    assert out["headline"]["value"] == 100.0  # Focus alone: the chosen picked in every rotation
    assert "Ties: no score per response" in out["note"] and "(1)" in out["note"]


def test_loader_errors_name_file_row_and_field(tmp_path: Path) -> None:
    good = _row("1", "Math", ["c"], ["r1", "r2", "r3"])
    cases = {
        "missing": ({k: v for k, v in good.items() if k != "chosen"}, "chosen"),
        "not_a_list": ({**good, "rejected": "r1"}, "rejected"),
        "not_a_string": ({**good, "chosen": ["c", 3]}, "chosen[1]"),
        "count": ({**good, "num_correct": 2}, "num_correct"),
        "ties_id": ({**good, "id": "42", "subset": "Ties"}, "id"),
    }
    for name, (bad, field) in cases.items():
        path = _write(tmp_path / f"{name}.jsonl", [good | {"id": "0"}, bad])
        with pytest.raises(InputError) as e:
            rewardbench2.load("test", path)
        assert (e.value.path, e.value.line, e.value.field) == (str(path), 2, field), name
        assert f"{path}:2: field {field!r}" in str(e.value)
    dup = _write(tmp_path / "dup.jsonl", [good, good])
    with pytest.raises(InputError, match="duplicate RewardBench 2 id '1'"):
        rewardbench2.load("test", dup)
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no row file .* of the RewardBench 2 copy"):
        rewardbench2.load("test", tmp_path / "empty")
    with pytest.raises(InputError, match="unknown rewardbench2 split"):
        rewardbench2.load("train", dup)


def test_local_copy_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [_row(str(i), "Math", ["c"], ["r1", "r2", "r3"]) for i in range(3)]
    _write(tmp_path / "root" / "rewardbench2" / "data" / "test.jsonl", rows)
    monkeypatch.setenv("JUDGEBENCH_DATA_DIR", str(tmp_path / "root"))
    assert [it.id for it in load_items("rewardbench2").items] == ["0", "1", "2"]
    _write(tmp_path / "own" / "x.jsonl", rows[:1])
    monkeypatch.setenv("JUDGEBENCH_REWARDBENCH2_DIR", str(tmp_path / "own"))
    assert [it.id for it in load_items("rewardbench2:test").items] == ["0"]


def test_offline_without_a_copy_says_hub_only(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise ConnectionError("offline")

    monkeypatch.setitem(sys.modules, "datasets", types.SimpleNamespace(load_dataset=fail))
    with pytest.raises(InputError) as e:
        rewardbench2.load("test", None)
    msg = str(e.value)
    assert "allenai/reward-bench-2" in msg and "hub only" in msg and "JUDGEBENCH_REWARDBENCH2_DIR" in msg and "offline" in msg


# End to end with the `longer` baseline (a pairwise judge: chosen against each rejected, RMB's rule since
# RewardBench 2 has no pairwise one; credited when the chosen is strictly longer than every rejected):
#   Factuality  f1: chosen longest -> 1; f2: chosen shorter than one -> 0     => 50.0
#   Focus       o1: chosen longest -> 1                                       => 100.0
#   Math        m1: chosen as long as one rejected (a tie under vote) -> 0    => 0.0
#   overall = (50 + 100 + 0) / 3 = 50.0
E2E_ROWS = [
    _row("f1", "Factuality", ["x" * 40], ["x" * 10, "x" * 20, "x" * 30]),
    _row("f2", "Factuality", ["x" * 20], ["x" * 10, "x" * 50, "x" * 5]),
    _row("o1", "Focus", ["x" * 90], ["x" * 10, "x" * 20, "x" * 30]),
    _row("m1", "Math", ["x" * 30], ["x" * 30, "x" * 20, "x" * 10]),
]


def test_bench_end_to_end_with_longer(tmp_path: Path) -> None:
    copy = _write(tmp_path / "copy" / "test.jsonl", E2E_ROWS).parent
    proc = run_cli("bench", "--benchmark", "rewardbench2", "--data-dir", str(copy), "--judge", "longer", "--results-dir", str(tmp_path / "r"), "--no-progress")
    assert proc.returncode == 0, proc.stderr
    table = {m[0].strip(): (float(m[1]), int(m[2])) for m in re.findall(r"^\| ([^|]+?) +\| ([\d.]+) \| (\d+) \|$", proc.stdout, flags=re.M)}
    assert table["Factuality"] == (50.0, 2) and table["Focus"] == (100.0, 1) and table["Math"] == (0.0, 1), proc.stdout
    assert "Overall (mean of 3 subsets, RewardBench 2 rule): 50.0" in proc.stdout


def test_bench_ties_with_a_pairwise_judge(tmp_path: Path) -> None:
    # Ties rows name several correct responses: by default each correct one is shown against each incorrect one;
    # the best-of subsets score as in the run above (RMB's rule) and Ties is left out (no score per response).
    # With --pairs all (a round robin), the generic best-of rule
    rows = [*E2E_ROWS, _row("ref:1", "Ties", ["a" * 9], ["b" * 3]), _row("tied:1", "Ties", ["a" * 9, "c" * 8], ["b" * 3])]
    copy = _write(tmp_path / "copy" / "test.jsonl", rows).parent
    args = ("bench", "--benchmark", "rewardbench2", "--data-dir", str(copy), "--judge", "longer", "--no-progress")
    default = run_cli(*args, "--results-dir", str(tmp_path / "r1"))
    assert default.returncode == 0, default.stderr
    assert "Overall (mean of 3 subsets, RewardBench 2 rule): 50.0" in default.stdout and "Ties: no score per response" in default.stdout
    proc = run_cli(*args, "--pairs", "all", "--results-dir", str(tmp_path / "r2"))
    assert proc.returncode == 0, proc.stderr
    # round robin (a win 1, a tie 1/2; the generic best-of rule, 1/#tied at the most wins): f1 and o1 as above (1),
    # f2's chosen has 2 wins to the 50-char one's 3 (0), m1's chosen ties the 30-char rejected at 2.5 wins (1/2):
    # Factuality 50, Focus 100, Math 50 -> overall 200 / 3 = 66.7
    table = {m[0].strip(): float(m[1]) for m in re.findall(r"^\| ([^|]+?) +\| ([\d.]+) \| (\d+) \|$", proc.stdout, flags=re.M)}
    assert table["Math"] == 50.0 and "Ties" not in table, proc.stdout
    assert "Overall (mean of 3 subsets, RewardBench 2 rule): 66.7" in proc.stdout
    assert "Ties: no score per response" in proc.stdout


def test_pairwise_reward_model_is_scored_from_its_rewards() -> None:
    # reward_model (pairwise) shown the chosen against each rejected keeps both rewards: chosen 4 vs 4, 1, 2, so the
    # chosen ties response 1 at the top: 1/2 by upstream's rule (RMB's beats-every-loser would give 0)
    item = _item("p", "Precise IF")
    pairs = [((0, 1), (4.0, 4.0)), ((0, 2), (4.0, 1.0)), ((0, 3), (4.0, 2.0))]
    judgments = tuple(
        Judgment(Decision.TIE if a == b else Decision.A_BETTER, game=g + 1, view=v, scores=(a, b), score_kind="reward")
        for g, (v, (a, b)) in enumerate(pairs)
    )
    result = ItemResult(item, "reward_model", "m", judgments, "pairwise(orders=first, pairs=target_vs_each)")
    assert rewardbench2.response_scores(result) == (4.0, 4.0, 1.0, 2.0)
    assert rewardbench2.item_credit(result) == (0.5, "scores")
