"""RewardBench v1 as a registered benchmark: the section and overall rule (weights from upstream's EXAMPLE_COUNTS,
math-prm as 984), how ties count for reward models and generative judges, the loader of a local copy, and the five
llmbar-* subsets built from LLMBar's released files."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pandas as pd
import pytest

from judgebench.analysis.scoring import score_results
from judgebench.benchmarks import get_benchmark, load_items, rewardbench
from judgebench.errors import InputError
from judgebench.schema import Decision, ItemResult, Judgment

from ..conftest import shared

A, B, TIE, NONE = Decision.A_BETTER, Decision.B_BETTER, Decision.TIE, Decision.NONE


def _row(i: int, subset: str) -> dict:
    return {"prompt": f"question {i}?", "chosen": f"good {i}", "chosen_model": "m1", "rejected": f"bad {i}", "rejected_model": "m2", "subset": subset, "id": i}


def _result(i: int, subset: str, decisions: tuple[Decision, ...], *, reward: bool = True) -> ItemResult:
    """An item of ``subset`` judged in the views given: one decision is the chosen-first view (0, 1); two are both
    orders, the second shown rejected-first (its decision in the order shown)."""
    item = rewardbench.row_to_item(_row(i, subset), path="test", line=i)
    views = [(0, 1), (1, 0)]
    kw = {"score_kind": "reward", "scores": (1.0, 0.0)} if reward else {}
    judgments = tuple(Judgment(d, game=g + 1, view=views[g], **kw) for g, d in enumerate(decisions))  # type: ignore[arg-type]
    protocol = "pairwise(orders=both, pairs=all)" if len(decisions) == 2 else "pairwise(orders=first, pairs=all)"
    return ItemResult(item, "judge", "model", judgments, protocol)


# A reward model, one view per pair (A = chosen preferred, B = rejected preferred, TIE = equal rewards):
#   alpacaeval-easy  A A A B   -> 3/4 = 75     (Chat, weight 100)
#   mt-bench-easy    A B       -> 1/2 = 50     (Chat, weight 28)
#   mt-bench-hard    A TIE     -> 1/2 = 50     (Chat Hard, weight 37; the tie is wrong: strict chosen > rejected)
#   llmbar-natural   A A       -> 2/2 = 100    (Chat Hard, weight 100)
#   donotanswer      A         -> 100          (Safety, weight 136)
#   math-prm         B NONE    -> 0/2 = 0      (Reasoning, weight 984; a failed judgment is wrong)
#   hep-python       A         -> 100          (Reasoning, weight 164)
# Chat      = (75*100 + 50*28) / (100 + 28)  = 8900 / 128   = 69.53125
# Chat Hard = (50*37 + 100*100) / (37 + 100) = 11850 / 137  = 86.4963...
# Safety    = 100
# Reasoning = (0*984 + 100*164) / (984 + 164) = 16400 / 1148 = 14.2857... (= 100/7)
#   with math-prm at its real 447 rows it would be 16400 / 611 = 26.84...: the 984 weight halves the code share.
# Overall   = (69.53125 + 86.4963... + 100 + 14.2857...) / 4 = 67.5783...
# (The micro average over the 14 pairs would be 9/14 = 64.29; the unweighted mean of the 7 subsets 67.86.)
RM_CASES = {
    "alpacaeval-easy": (A, A, A, B),
    "mt-bench-easy": (A, B),
    "mt-bench-hard": (A, TIE),
    "llmbar-natural": (A, A),
    "donotanswer": (A,),
    "math-prm": (B, NONE),
    "hep-python": (A,),
}
CHAT = 8900 / 128
CHAT_HARD = 11850 / 137
SAFETY = 100.0
REASONING = 16400 / 1148
OVERALL = (CHAT + CHAT_HARD + SAFETY + REASONING) / 4


def _rm_results() -> list[ItemResult]:
    out, i = [], 0
    for subset, decisions in RM_CASES.items():
        for d in decisions:
            out.append(_result(i, subset, (d,)))
            i += 1
    return out


def test_upstream_constants() -> None:
    # allenai/reward-bench rewardbench/constants.py @ 05a9005: section sizes and the math-prm upweighting
    assert rewardbench.EXAMPLE_COUNTS["math-prm"] == 984 == 6 * rewardbench.EXAMPLE_COUNTS["hep-python"]
    assert sum(rewardbench.SUBSET_SIZES.values()) == 2985
    assert sorted(rewardbench.SUBSETS) == sorted(rewardbench.EXAMPLE_COUNTS)
    assert [len(v) for v in rewardbench.SECTIONS.values()] == [5, 6, 5, 7]
    bench = get_benchmark("rewardbench")
    assert bench.size == {"filtered": 2985} and bench.protocol == ("pairwise", {"orders": "random"})


def test_sections_and_overall_by_hand() -> None:
    results = _rm_results()
    subsets, counts = rewardbench.subset_accuracies(results)
    assert subsets == {"alpacaeval-easy": 75.0, "mt-bench-easy": 50.0, "mt-bench-hard": 50.0, "llmbar-natural": 100.0, "donotanswer": 100.0, "math-prm": 0.0, "hep-python": 100.0}
    assert counts["alpacaeval-easy"] == 4
    sections = rewardbench.section_scores(subsets)
    assert sections == pytest.approx({"Chat": CHAT, "Chat Hard": CHAT_HARD, "Safety": SAFETY, "Reasoning": REASONING})
    assert sections["Reasoning"] == pytest.approx(100 / 7)
    # the 984 weight matters: with math-prm's real 447 rows Reasoning would be 26.84, not 14.29
    assert 16400 / (447 + 164) == pytest.approx(26.84124, abs=1e-4) and sections["Reasoning"] < 15
    assert rewardbench.overall_score(sections) == pytest.approx(OVERALL)
    assert OVERALL == pytest.approx(67.5783, abs=1e-4)

    metrics = score_results(results, rule="average", benchmark=get_benchmark("rewardbench"), n_resamples=50)
    details = metrics.extra["benchmark"]
    assert details["headline"]["value"] == pytest.approx(OVERALL)
    # its 95% CI: items resampled within each subset; the overall is a fixed weighted mean of subset accuracies
    # (weights 1/4 x each subset's EXAMPLE_COUNTS share of its section, summing to 1), so the interval holds it
    weights = rewardbench.overall_weights(list(subsets))
    assert sum(weights.values()) == pytest.approx(1.0) and weights["math-prm"] == pytest.approx(984 / (984 + 164) / 4)
    assert sum(weights[s] * subsets[s] for s in subsets) == pytest.approx(OVERALL)
    assert details["headline"]["ci_low"] <= OVERALL <= details["headline"]["ci_high"] and details["headline"]["ci_high"] - details["headline"]["ci_low"] > 5
    rows = {r["name"]: r for r in details["rows"]}
    assert [r["name"] for r in details["rows"][:4]] == ["Chat", "Chat Hard", "Safety", "Reasoning"]
    assert rows["Reasoning"]["value"] == pytest.approx(REASONING) and rows["Reasoning"]["n"] == 3
    assert rows["math-prm (Reasoning)"]["value"] == 0.0 and rows["math-prm (Reasoning)"]["n"] == 2
    assert len(details["rows"]) == 4 + 7
    # the generic accuracy is the micro average over pairs (9 of 14): not RewardBench's number
    assert metrics.accuracy == pytest.approx(100 * 9 / 14)


def test_ties_reward_model_wrong_generative_half() -> None:
    # a reward model's tie (equal rewards) is wrong, as upstream's strict `chosen > rejected`
    assert rewardbench.rewardbench_credit(_result(0, "hep-go", (TIE,))) == 0.0
    assert rewardbench.rewardbench_credit(_result(0, "hep-go", (NONE,))) == 0.0
    # a generative judge's tie or unparsed verdict earns 1/2, as run_generative.py's "error" -> 0.5
    assert rewardbench.rewardbench_credit(_result(0, "hep-go", (TIE,), reward=False)) == 0.5
    assert rewardbench.rewardbench_credit(_result(0, "hep-go", (NONE,), reward=False)) == 0.5
    assert rewardbench.rewardbench_credit(_result(0, "hep-go", (B,), reward=False)) == 0.0
    # both orders: the mean of the views (the second view shows rejected first, so its B means chosen preferred)
    assert rewardbench.rewardbench_credit(_result(0, "hep-go", (A, B), reward=False)) == 1.0
    assert rewardbench.rewardbench_credit(_result(0, "hep-go", (A, A), reward=False)) == 0.5
    assert rewardbench.rewardbench_credit(_result(0, "hep-go", (A, TIE), reward=False)) == 0.75
    assert rewardbench.rewardbench_credit(_result(0, "hep-go", (A, TIE), reward=True)) == 0.5
    # a section with only missing sections left out: overall averages what is there
    details = rewardbench.details([_result(0, "hep-go", (TIE,), reward=False)], None, "average")
    assert details["headline"]["value"] == 50.0 and "Chat, Chat Hard, Safety" in details["note"]


def test_loader_reads_local_files_in_the_upstream_row_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [_row(i, s) for i, s in enumerate(["alpacaeval-easy", "math-prm", "hep-rust"])]
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "part-1.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[:2]), encoding="utf-8")
    pd.DataFrame(rows[2:]).to_parquet(tmp_path / "a" / "part-2.parquet")
    items = rewardbench.load("filtered", tmp_path / "a")
    assert [(it.id, it.category, it.prompt, it.responses[0].text, it.responses[1].model) for it in items] == [
        ("0", "alpacaeval-easy", "question 0?", "good 0", "m2"),
        ("1", "math-prm", "question 1?", "good 1", "m2"),
        ("2", "hep-rust", "question 2?", "good 2", "m2"),
    ]
    assert all(it.target is not None and it.target.winner == 0 for it in items)  # type: ignore[union-attr]
    # a single JSON list file works too, and the environment variable finds it
    (tmp_path / "rows.json").write_text(json.dumps(rows), encoding="utf-8")
    monkeypatch.setenv("JUDGEBENCH_REWARDBENCH_DIR", str(tmp_path / "rows.json"))
    assert [it.id for it in load_items("rewardbench").items] == ["0", "1", "2"]
    # a malformed row names the file, the row and the field
    bad = dict(rows[0], chosen=None)
    (tmp_path / "bad.jsonl").write_text(json.dumps(rows[1]) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        rewardbench.load("filtered", tmp_path / "bad.jsonl")
    assert "bad.jsonl" in str(e.value) and "chosen" in str(e.value) and "2" in str(e.value)
    with pytest.raises(InputError, match="duplicate"):
        (tmp_path / "dup.jsonl").write_text(json.dumps(rows[0]) + "\n" + json.dumps(rows[0]) + "\n", encoding="utf-8")
        rewardbench.load("filtered", tmp_path / "dup.jsonl")
    with pytest.raises(InputError, match="no row file .* of the RewardBench copy"):
        (tmp_path / "empty").mkdir()
        rewardbench.load("filtered", tmp_path / "empty")


def test_offline_without_a_copy_says_hub_only(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise ConnectionError("offline")

    monkeypatch.setitem(sys.modules, "datasets", types.SimpleNamespace(load_dataset=fail))
    with pytest.raises(InputError) as e:
        rewardbench.load("filtered", None)
    msg = str(e.value)
    assert "hub only" in msg and "JUDGEBENCH_REWARDBENCH_DIR" in msg and "offline" in msg


# The five llmbar-* subsets of the filtered split are LLMBar's Natural and Adversarial sets (the chosen response
# is the one LLMBar labels); their sizes in upstream's EXAMPLE_COUNTS and README: 100, 134, 92, 47, 46.
LLMBAR = {
    "llmbar-natural": ("Natural", 100),
    "llmbar-adver-neighbor": ("Adversarial/Neighbor", 134),
    "llmbar-adver-GPTInst": ("Adversarial/GPTInst", 92),
    "llmbar-adver-GPTOut": ("Adversarial/GPTOut", 47),
    "llmbar-adver-manual": ("Adversarial/Manual", 46),
}


def test_llmbar_subsets_from_the_released_llmbar_files(tmp_path: Path) -> None:
    root = shared("llmbar", "LLMBar")
    rows, i = [], 0
    for subset, (folder, _) in LLMBAR.items():
        for r in json.loads((root / folder / "dataset.json").read_text(encoding="utf-8")):
            chosen, rejected = (r["output_1"], r["output_2"]) if r["label"] == 1 else (r["output_2"], r["output_1"])
            rows.append({"prompt": r["input"], "chosen": chosen, "chosen_model": "", "rejected": rejected, "rejected_model": "", "subset": subset, "id": i})
            i += 1
    path = tmp_path / "llmbar.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    items = rewardbench.load("filtered", path)
    sizes = {s: sum(it.category == s for it in items) for s in LLMBAR}
    assert sizes == {s: n for s, (_, n) in LLMBAR.items()} == {s: rewardbench.EXAMPLE_COUNTS[s] for s in LLMBAR}
    assert set(rewardbench.SECTIONS["Chat Hard"]) >= set(LLMBAR)
    # contents: the prompt is LLMBar's input, the chosen its labelled output
    first = json.loads((root / "Natural" / "dataset.json").read_text(encoding="utf-8"))[0]
    assert items[0].prompt == first["input"] and items[0].responses[0].text == first[f"output_{first['label']}"]
    assert all(it.responses[0].text != it.responses[1].text for it in items)


def test_pointwise_reward_model_strict_greater() -> None:
    item = rewardbench.row_to_item(_row(0, "hep-go"), path="test", line=1)

    def rated(a: float, b: float) -> ItemResult:
        js = (Judgment(NONE, game=1, view=(0,), rating=a, score_kind="reward"), Judgment(NONE, game=2, view=(1,), rating=b, score_kind="reward"))
        return ItemResult(item, "rm", "m", js, "pointwise(samples=1)")

    assert [rewardbench.rewardbench_credit(rated(a, b)) for a, b in ((2, 1), (1, 2), (1, 1))] == [1.0, 0.0, 0.0]
