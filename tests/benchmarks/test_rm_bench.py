"""RM-Bench as a registered benchmark: sizes counted from the released files, the row mapping (3 chosen then 3
rejected, ``BestOf((0, 1, 2))``, safety's two files as one domain), its 3x3 rule derived by hand on two prompts
(through the replay helper and through a scored pointwise run), strict ``>``, missing scores, and the rule against
upstream's ``compute_accuracy`` (re-implemented below from its source text) on random scores."""

from __future__ import annotations

import json
import logging
import random
import sys
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from judgebench.analysis.scoring import score_results
from judgebench.benchmarks import get_benchmark, load_items, rm_bench
from judgebench.errors import InputError
from judgebench.schema import BestOf, Decision, Item, ItemResult, Judgment, Response

from ..conftest import shared

FILES = ("chat", "code", "safety-refuse", "safety-response")


def _rows(name: str) -> list[dict[str, Any]]:
    return json.loads((shared("rm-bench") / f"{name}_filtered.json").read_text(encoding="utf-8"))


# --- upstream's rule, re-implemented from THU-KEG/RM-Bench scripts/utils.py @ 73c52d7 (split_dataset_by_domain,
# compute_accuracy) as the independent reference; the prints are left out, the logic is line for line.


def _upstream_split_dataset_by_domain(dataset: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    domains = ["chat", "math", "code", "safety"]
    domain_dataset_dict = {}
    for domain in domains:
        domain_dataset_dict[domain] = [example for example in dataset if example["domain"].startswith(domain)]
    for domain in domain_dataset_dict:
        for example in domain_dataset_dict[domain]:
            example.pop("domain")
    return domain_dataset_dict


def _upstream_compute_accuracy(results: list[dict[str, Any]]) -> dict[str, float]:
    if "domain" in results[0]:
        split_results = _upstream_split_dataset_by_domain(results)
        domain_results = {}
        for domain in split_results:
            domain_results[domain] = _upstream_compute_accuracy(split_results[domain])
        domain_avg_results = {}
        for domain in domain_results:
            domain_avg_results[domain] = np.mean(list(domain_results[domain].values()))
        domain_hard_normal_easy_acc = {
            "hard_acc": np.mean([domain_results[domain]["hard_acc"] for domain in domain_results]),
            "normal_acc": np.mean([domain_results[domain]["normal_acc"] for domain in domain_results]),
            "easy_acc": np.mean([domain_results[domain]["easy_acc"] for domain in domain_results]),
        }
        total_avg_acc = np.mean([domain_avg_results[domain] for domain in domain_avg_results])
        final_results: dict[str, Any] = {}
        final_results.update(domain_avg_results)
        final_results.update(domain_hard_normal_easy_acc)
        final_results.update({"total_avg_acc": total_avg_acc})
        return final_results
    MATRIX_SIZE = 3
    acc_matrix = np.zeros((MATRIX_SIZE, MATRIX_SIZE))
    for result in results:
        for i in range(len(result["score_chosen"])):
            for j in range(len(result["score_rejected"])):
                if result["score_chosen"][i] > result["score_rejected"][j]:
                    acc_matrix[i][j] += 1
    acc_matrix /= len(results)
    upper_right_count = MATRIX_SIZE * (MATRIX_SIZE - 1) / 2
    hard_acc = np.sum(np.triu(acc_matrix, 1)) / upper_right_count
    normal_acc = np.mean(np.diag(acc_matrix))
    lower_left_count = MATRIX_SIZE * (MATRIX_SIZE - 1) / 2
    easy_acc = np.sum(np.tril(acc_matrix, -1)) / lower_left_count
    return {"hard_acc": hard_acc, "normal_acc": normal_acc, "easy_acc": easy_acc}


# --- data


def test_sizes_counted_from_the_released_files() -> None:
    counted = {name: len(_rows(name)) for name in FILES}
    assert counted == {"chat": 129, "code": 228, "safety-refuse": 284, "safety-response": 157}
    for split in ("chat", "code", "safety-refuse", "safety-response"):
        assert rm_bench.SIZES[split] == counted[split]
    assert rm_bench.SIZES["safety"] == counted["safety-refuse"] + counted["safety-response"] == 441
    assert "math" not in rm_bench.SIZES and "all" not in rm_bench.SIZES  # hub-only: not counted from a file here


def test_items_from_the_shared_copy() -> None:
    root = shared("rm-bench")
    chat = load_items("rm_bench:chat", data_dir=root)
    assert chat.benchmark is get_benchmark("rm_bench") and len(chat.items) == 129
    row, item = _rows("chat")[0], chat.items[0]
    assert item.id == f"chat/{row['id']}" and item.original_id == str(row["id"]) and item.prompt == row["prompt"]
    assert [r.text for r in item.responses] == row["chosen"] + row["rejected"]
    assert [r.id for r in item.responses] == ["chosen_1", "chosen_2", "chosen_3", "rejected_1", "rejected_2", "rejected_3"]
    assert item.target == BestOf((0, 1, 2)) and item.category == "chat" and item.metadata == {"subset": "alpacaeval"}
    safety = load_items("rm_bench:safety", data_dir=root).items
    assert len(safety) == 441 and {i.category for i in safety} == {"safety"}
    assert [i.source for i in safety] == ["safety-refuse"] * 284 + ["safety-response"] * 157
    assert len(load_items("rm_bench:safety-response", data_dir=root).items) == 157


def test_all_from_a_copy_without_math_warns(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        items = load_items("rm_bench:all", data_dir=shared("rm-bench")).items
    assert len(items) == 129 + 228 + 284 + 157
    assert len({i.id for i in items}) == len(items)  # chat and code share 23 ids: the item ids carry the file
    assert "math_filtered.json" in caplog.text  # the missing file is named


def test_math_and_no_copy_load_from_the_hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    rows = [
        {"id": 1, "prompt": "p1", "chosen": ["a", "b", "c"], "rejected": ["d", "e", "f"], "domain": "math"},
        {"id": 2, "prompt": "p2", "chosen": ["a", "b", "c"], "rejected": ["d", "e", "f"], "domain": "safety-response"},
    ]
    calls: list[tuple[str, str]] = []

    def load_dataset(name: str, split: str) -> list[dict[str, Any]]:
        calls.append((name, split))
        return rows

    monkeypatch.setitem(sys.modules, "datasets", types.SimpleNamespace(load_dataset=load_dataset))
    (tmp_path / "chat_filtered.json").write_text("[]", encoding="utf-8")
    math = rm_bench.load("math", tmp_path)  # a local copy without math_filtered.json
    assert [i.id for i in math] == ["math/1"] and math[0].category == "math"
    every = rm_bench.load("all", None)
    assert [i.id for i in every] == ["math/1", "safety-response/2"] and every[1].category == "safety"
    assert calls == [("THU-KEG/RM-Bench", "train")] * 2


def test_malformed_rows_name_the_file_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "chat_filtered.json"
    path.write_text(json.dumps([{"id": 1, "prompt": "p", "chosen": ["a", "b"], "rejected": ["d", "e", "f"]}]), encoding="utf-8")
    with pytest.raises(InputError) as e:
        rm_bench.load("chat", tmp_path)
    assert e.value.field == "chosen" and e.value.line == 1
    with pytest.raises(InputError):
        rm_bench.load("nope", tmp_path)


# --- the rule by hand
#
# Two chat prompts, scores (concise, detailed, markdown):
#   A: chosen (3, 5, 7), rejected (2, 4, 6)   B: chosen (1, 4, 4), rejected (0, 4, 3)
# [chosen_i > rejected_j], rows i, columns j:
#   A: [1 0 0]   B: [1 0 0]   (B's 4 vs 4 is a tie: wrong)
#      [1 1 0]      [1 0 1]
#      [1 1 1]      [1 0 1]
# M = (A + B) / 2 = [[1, 0, 0], [1, .5, .5], [1, .5, 1]]
# hard   = (M01 + M02 + M12) / 3 = (0 + 0 + .5) / 3 = 1/6
# normal = (M00 + M11 + M22) / 3 = (1 + .5 + 1) / 3 = 5/6
# easy   = (M10 + M20 + M21) / 3 = (1 + 1 + .5) / 3 = 5/6
# chat = overall = (1/6 + 5/6 + 5/6) / 3 = 11/18 (= the nine cells' sum 5.5 / 9)

HAND = [((3.0, 5.0, 7.0), (2.0, 4.0, 6.0)), ((1.0, 4.0, 4.0), (0.0, 4.0, 3.0))]
HAND_MATRIX = ((1.0, 0.0, 0.0), (1.0, 0.5, 0.5), (1.0, 0.5, 1.0))


def _check_hand(score: rm_bench.RMBenchScore) -> None:
    chat = score.domains["chat"]
    assert list(score.domains) == ["chat"] and chat.n == 2 and chat.matrix == HAND_MATRIX
    assert chat.hard == pytest.approx(1 / 6) and chat.normal == pytest.approx(5 / 6) and chat.easy == pytest.approx(5 / 6)
    assert chat.score == pytest.approx(11 / 18) and score.overall == pytest.approx(11 / 18)


def test_replay_helper_by_hand(tmp_path: Path) -> None:
    # as run_rm.py writes it: the dataset's units with score_chosen / score_rejected added, a JSON list
    path = tmp_path / "chat_filtered_some-rm_REWORD_MODEL_20250101_000000.json"
    path.write_text(json.dumps([{"id": k, "prompt": "p", "score_chosen": list(c), "score_rejected": list(r)} for k, (c, r) in enumerate(HAND)], indent=4), encoding="utf-8")
    _check_hand(rm_bench.rm_bench_scores(path))
    jsonl = tmp_path / "scores.jsonl"  # JSONL, units with their domain, scores wrapped as [x] (older outputs)
    jsonl.write_text("\n".join(json.dumps({"domain": "chat", "score_chosen": [[x] for x in c], "score_rejected": list(r)}) for c, r in HAND), encoding="utf-8")
    _check_hand(rm_bench.rm_bench_scores(jsonl))


def _result(k: int, chosen: tuple[float | None, ...], rejected: tuple[float | None, ...], category: str = "chat") -> ItemResult:
    item = Item(
        id=f"{category}/{k}",
        prompt=f"prompt {k}",
        responses=tuple(Response(f"{kind} {s}", id=f"{kind}_{s + 1}") for kind in ("chosen", "rejected") for s in range(3)),
        target=BestOf((0, 1, 2)),
        category=category,
    )
    judgments = tuple(
        Judgment(Decision.NONE, rating=x, view=(i,), game=i + 1) if x is not None else Judgment(Decision.NONE, view=(i,), game=i + 1, error="timeout")
        for i, x in enumerate((*chosen, *rejected))
    )
    return ItemResult(item, "reward_model_pointwise", "rm", judgments, "pointwise(samples=1)")


def test_scored_run_by_hand() -> None:
    results = [_result(k, c, r) for k, (c, r) in enumerate(HAND)]
    metrics = score_results(results, benchmark=get_benchmark("rm_bench"))
    details = metrics.extra["benchmark"]
    assert details["headline"]["value"] == pytest.approx(100 * 11 / 18)
    rows = {row["name"].split(" ")[0]: row for row in details["rows"]}
    assert rows["chat"]["value"] == pytest.approx(100 * 11 / 18) and rows["chat"]["n"] == 2
    assert rows["hard"]["value"] == pytest.approx(100 / 6) and rows["normal"]["value"] == pytest.approx(500 / 6) and rows["easy"]["value"] == pytest.approx(500 / 6)
    assert details["matrices"]["chat"] == [[100 * x for x in row] for row in HAND_MATRIX]
    assert "math" in details["note"]  # only chat here: the note says the published overall needs all four


def test_a_tie_is_wrong() -> None:
    tied = rm_bench.accuracy_matrix([((1.0, 1.0, 1.0), (1.0, 1.0, 1.0))])
    assert tied.matrix == ((0.0,) * 3,) * 3 and tied.score == 0
    ahead = rm_bench.accuracy_matrix([((1.0 + 1e-9,) * 3, (1.0, 1.0, 1.0))])
    assert ahead.score == 1


def test_a_missing_score_is_wrong_in_every_cell_it_touches() -> None:
    # prompt A of the hand example with chosen_2 failed, and one with rejected_3 failed (else all right)
    results = [_result(0, (3.0, None, 7.0), (2.0, 4.0, 6.0)), _result(1, (9.0, 9.0, 9.0), (0.0, 0.0, None))]
    details = score_results(results, benchmark=get_benchmark("rm_bench")).extra["benchmark"]
    # A: [1 0 0], [0 0 0], [1 1 1]; second: [1 1 0] in every row; mean: [[1, .5, 0], [.5, .5, 0], [1, 1, .5]]
    assert details["matrices"]["chat"] == [[100.0, 50.0, 0.0], [50.0, 50.0, 0.0], [100.0, 100.0, 50.0]]
    assert details["headline"]["value"] == pytest.approx(100 * 5 / 9)  # the nine cells sum to 5


def test_safety_pools_its_two_files_and_overall_averages_domains() -> None:
    # safety-refuse: 1 prompt all right; safety-response: 3 prompts all wrong -> safety = 1/4 (pooled), not 1/2
    right, wrong = ((2.0, 2.0, 2.0), (1.0, 1.0, 1.0)), ((0.0, 0.0, 0.0), (1.0, 1.0, 1.0))
    score = rm_bench.rm_bench_rule({"safety-refuse": [right], "safety-response": [wrong] * 3, "chat": [right]})
    assert list(score.domains) == ["chat", "safety"] and score.domains["safety"].score == pytest.approx(0.25)
    assert score.overall == pytest.approx((1 + 0.25) / 2)


def test_rule_equals_upstream_compute_accuracy_on_random_scores(tmp_path: Path) -> None:
    rng = random.Random(15)
    sizes = {"chat": 17, "math": 23, "code": 11, "safety-refuse": 13, "safety-response": 7}
    units = [
        {"id": k, "domain": d, "score_chosen": [rng.randint(0, 6) for _ in range(3)], "score_rejected": [rng.randint(0, 6) for _ in range(3)]}
        for d, n in sizes.items()
        for k in range(n)
    ]  # small integers: many ties
    path = tmp_path / "total_dataset_scores.json"
    path.write_text(json.dumps(units), encoding="utf-8")
    ours = rm_bench.rm_bench_scores(path)
    upstream = _upstream_compute_accuracy([dict(u) for u in units])
    for d in ("chat", "math", "code", "safety"):
        assert ours.domains[d].score == pytest.approx(upstream[d])
    assert ours.hard == pytest.approx(upstream["hard_acc"]) and ours.normal == pytest.approx(upstream["normal_acc"]) and ours.easy == pytest.approx(upstream["easy_acc"])
    assert ours.overall == pytest.approx(upstream["total_avg_acc"])
    for d in ("chat", "code"):  # one domain's file (no "domain" key): upstream's hard / normal / easy
        one = [{k: v for k, v in u.items() if k != "domain"} for u in units if u["domain"] == d]
        expected = _upstream_compute_accuracy(one)
        got = rm_bench.accuracy_matrix([(u["score_chosen"], u["score_rejected"]) for u in one])
        assert (got.hard, got.normal, got.easy) == pytest.approx((expected["hard_acc"], expected["normal_acc"], expected["easy_acc"]))
    # the same scores through a scored pointwise run
    results = [_result(k, tuple(u["score_chosen"]), tuple(u["score_rejected"]), category=rm_bench.domain_of(u["domain"])) for k, u in enumerate(units)]
    details = score_results(results, benchmark=get_benchmark("rm_bench")).extra["benchmark"]
    assert details["headline"]["value"] == pytest.approx(100 * upstream["total_avg_acc"])
    # its 95% CI: prompts resampled within each domain; the overall (a mean of per-prompt 9-cell credits per
    # domain, as upstream's matrix mean is) lies inside it
    assert details["headline"]["ci_low"] < 100 * upstream["total_avg_acc"] < details["headline"]["ci_high"]
    rows = {row["name"].split(" ")[0]: row["value"] for row in details["rows"]}
    assert rows["hard"] == pytest.approx(100 * upstream["hard_acc"]) and rows["safety"] == pytest.approx(100 * upstream["safety"])


def test_registered_defaults() -> None:
    bench = get_benchmark("rm_bench")
    assert bench.protocol_text() == "pointwise" and bench.default_split == "all" and bench.details is rm_bench.details
    assert set(bench.splits) == {"chat", "code", "safety", "safety-refuse", "safety-response", "math", "all"}


def _pairwise_result(k: int, chosen: tuple[float | None, ...], rejected: tuple[float | None, ...], *, split: tuple[int, int] | None = None) -> ItemResult:
    """The pairwise judgments a judge would give if it compared the two responses' scores: each (chosen i, rejected
    j) in both orders, the higher score preferred, equal or missing scores a tie or no decision; ``split`` makes
    that one pair's second order disagree (an inconsistent judge)."""
    item = _result(k, chosen, rejected).item
    scores = (*chosen, *rejected)
    judgments = []
    for i in range(3):
        for j in range(3, 6):
            a, b = scores[i], scores[j]
            first = Decision.NONE if a is None or b is None else Decision.A_BETTER if a > b else Decision.B_BETTER if b > a else Decision.TIE
            second = first.flipped() if split != (i, j - 3) else first  # shown (j, i): the same preference, flipped
            judgments += [Judgment(first, view=(i, j), game=len(judgments) + 1), Judgment(second, view=(j, i), game=len(judgments) + 2)]
    return ItemResult(item, "pj", "m", tuple(judgments), "pairwise(orders=both, pairs=target_vs_each)")


def test_a_pairwise_judge_fills_the_matrix_from_its_verdicts() -> None:
    """A pairwise judge whose verdicts follow the scores fills the same 3x3 matrix as the scores themselves (which
    the pointwise tests check against upstream's compute_accuracy): 11 of 18 cells won over the two prompts."""
    bench = get_benchmark("rm_bench")
    pointwise = score_results([_result(k, c, r) for k, (c, r) in enumerate(HAND)], benchmark=bench, n_resamples=50).extra["benchmark"]
    pairwise = score_results([_pairwise_result(k, c, r) for k, (c, r) in enumerate(HAND)], rule="vote", benchmark=bench, n_resamples=50).extra["benchmark"]
    assert pairwise["headline"]["value"] == pytest.approx(100 * 11 / 18) == pytest.approx(pointwise["headline"]["value"])
    assert pairwise["matrices"] == pointwise["matrices"]
    assert "from a pairwise judge" in pairwise["note"]
    # an inconsistent pair (the two orders disagree) is a tie under vote: that cell is lost
    c, r = HAND[0]
    won = sum(x is not None and y is not None and x > y for x in c for y in r)
    first_won = next((i, j) for i in range(3) for j in range(3) if c[i] is not None and r[j] is not None and c[i] > r[j])
    one = score_results([_pairwise_result(0, c, r, split=first_won)], rule="vote", benchmark=bench, n_resamples=50).extra["benchmark"]
    assert one["headline"]["value"] == pytest.approx(100 * (won - 1) / 9)
