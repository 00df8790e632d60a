"""``judgebench score`` replays released per-item results in their upstream formats (issue 15): LLMBar's
``result.json``, PandaLM's judgment files, RM-Bench's per-item reward scores and reward-bench's eval-set-scores
files, each scored with the benchmark's official rule.

Every expected number is computed here from the upstream rule, re-implemented independently in this file (never by
the code under test): LLMBar's statistics block (princeton-nlp/LLMBar LLMEvaluator/evaluate.py @ 900616b),
RM-Bench's ``compute_accuracy`` (THU-KEG/RM-Bench scripts/utils.py @ 73c52d7), reward-bench's per-subset accuracy
and ``calculate_scores_per_section`` (allenai/reward-bench scripts/run_rm.py, rewardbench/utils.py @ 05a9005), and
the annotators' majority for PandaLM (WeOpenML/PandaLM data/ @ 3871806)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from judgebench.analysis.upstream import FORMATS, detect_format, read_upstream_file
from judgebench.benchmarks import llmbar, rm_bench
from judgebench.errors import InputError

from .conftest import run_cli, shared


def score_json(*args: str) -> list[dict]:
    proc = run_cli("score", "--json", *args)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def bench_rows(entry: dict) -> dict[str, float]:
    return {r["name"]: r["value"] for r in entry["benchmark"]["rows"]}


# --- LLMBar -----------------------------------------------------------------------------------------------------


def llmbar_statistics(dataset: list[dict]) -> tuple[float, float]:
    """LLMEvaluator/evaluate.py's correct_average and equal (percent), written from the statistics block."""
    correct_false = correct_true = equal = 0
    for instance in dataset:
        label = str(instance["label"])
        out_false = instance["results"][-1]["swap = False"]["winner"]
        out_true = instance["results"][-1]["swap = True"]["winner"]
        correct_false += out_false == label
        correct_true += out_true == label
        equal += out_true == out_false
    n = len(dataset)
    return (correct_false + correct_true) / 2 / n * 100, equal / n * 100


def llmbar_instance(i: int, label: int, w_false: str | None, w_true: str | None) -> dict:
    swap = {"swap = False": {"completion": [f"Output ({'a' if w_false == '1' else 'b'})", "stop"], "winner": w_false}}
    swap["swap = True"] = {"completion": ["Output (b)", "stop"], "winner": w_true}
    return {"input": f"instruction {i}", "output_1": f"one {i}", "output_2": f"two {i}", "label": label, "results": [swap]}


def write_result_json(tmp_path: Path, rows: list[dict], folder: str = "LLMBar/Adversarial/Neighbor", evaluator: str = "GPT-4/Vanilla") -> Path:
    path = tmp_path / "Dataset" / folder / "evaluators" / evaluator / "result.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(rows, indent=2), encoding="utf-8")  # dump_json's indent = 2
    return path


def test_llmbar_result_json_scores_as_upstream(tmp_path: Path) -> None:
    rows = [
        llmbar_instance(0, 1, "1", "1"),  # right in both orders
        llmbar_instance(1, 2, "1", "2"),  # right only swapped: inconsistent
        llmbar_instance(2, 2, None, None),  # nothing parsed: wrong, but "equal"
        llmbar_instance(3, 1, "2", "2"),  # wrong in both
        llmbar_instance(4, 2, "2", None),  # right unswapped
    ]
    path = write_result_json(tmp_path, rows)
    acc, equal = llmbar_statistics(rows)
    assert (acc, equal) == (40.0, 60.0)  # by hand: (2 + 2) / 2 / 5; items 0, 2, 3 agree
    [entry] = score_json(str(path))
    assert entry["upstream"] == "llmbar" and entry["judge_name"] == "llmbar:GPT-4/Vanilla" and entry["judge_model"] == "GPT-4"
    assert entry["overall"] == pytest.approx(acc)
    assert entry["position_consistency"] == pytest.approx(equal)
    assert entry["rule"] == "average" and entry["n_pairs"] == 5
    jf = read_upstream_file(path)
    assert [r.item.id for r in jf.results] == [f"Neighbor/{i}" for i in range(5)] and jf.benchmark == "llmbar"


def test_llmbar_result_json_items_are_the_benchmarks(tmp_path: Path) -> None:
    natural = shared("llmbar", "LLMBar", "Natural", "dataset.json")
    rows = json.loads(natural.read_text(encoding="utf-8"))
    for i, row in enumerate(rows):  # a judge right unswapped on even rows, always saying "1" swapped
        row["results"] = [{"swap = False": {"completion": ["", "stop"], "winner": str(row["label"] if i % 2 == 0 else 3 - row["label"])}, "swap = True": {"completion": ["", "stop"], "winner": "1"}}]
    path = write_result_json(tmp_path, rows, folder="LLMBar/Natural", evaluator="ChatGPT/Swap")
    jf = read_upstream_file(path)
    expected = llmbar.load("natural", shared("llmbar"))
    assert [r.item for r in jf.results] == expected
    acc, equal = llmbar_statistics(rows)
    [entry] = score_json(str(path))
    assert entry["overall"] == pytest.approx(acc) and entry["position_consistency"] == pytest.approx(equal)
    assert entry["natural"] == pytest.approx(acc)


def test_llmbar_malformed_winner_names_row_and_field(tmp_path: Path) -> None:
    rows = [llmbar_instance(0, 1, "1", "1"), llmbar_instance(1, 1, "1", "3")]
    path = write_result_json(tmp_path, rows)
    with pytest.raises(InputError) as e:
        read_upstream_file(path)
    assert e.value.line == 2 and e.value.field == "results[-1].swap = True.winner"
    proc = run_cli("score", str(path))
    assert proc.returncode == 2 and "swap = True" in proc.stderr and "result.json" in proc.stderr


# --- PandaLM ----------------------------------------------------------------------------------------------------


def majority(row: dict) -> int:
    return Counter(int(row[a]) for a in ("annotator1", "annotator2", "annotator3")).most_common(1)[0][0]


def test_released_gpt35_judgments_replay() -> None:
    testset = json.loads(shared("pandalm", "testset-v1.json").read_text(encoding="utf-8"))
    released = shared("pandalm", "gpt-3.5-turbo-testset-v1.json")
    gpt = {g["idx"]: g["gpt_result"] for g in json.loads(released.read_text(encoding="utf-8"))}
    code = {"1": 1, "2": 2, "Tie": 0}
    expected = 100 * sum(code.get(gpt[r["idx"]]) == majority(r) for r in testset) / len(testset)
    assert round(expected, 2) == 69.77
    [entry] = score_json(str(released), "--data-dir", str(shared("pandalm")))
    assert entry["upstream"] == "pandalm-gpt35" and entry["n_pairs"] == 999
    assert entry["benchmark"]["headline"]["value"] == pytest.approx(expected)
    assert entry["overall"] == pytest.approx(expected)
    assert bench_rows(entry)["judge: missing verdicts"] == 25


def test_pandalm_7b_format(tmp_path: Path) -> None:
    testset = json.loads(shared("pandalm", "testset-v1.json").read_text(encoding="utf-8"))
    picked = testset[:6]
    verdicts = [1, 2, 0, 2, 1, 1]
    rows = [{"idx": r["idx"], "pandalm_result": v, "pandalm_reason": "because", "pandalm_reference": "ref"} for r, v in zip(picked, verdicts, strict=True)]
    path = tmp_path / "pandalm-7b-testset-v1.json"
    path.write_text(json.dumps(rows, indent=4), encoding="utf-8")
    expected = 100 * sum(v == majority(r) for r, v in zip(picked, verdicts, strict=True)) / len(picked)
    [entry] = score_json(str(path), "--data-dir", str(shared("pandalm")))
    assert entry["upstream"] == "pandalm-7b" and entry["judge_model"] == "PandaLM-7B" and entry["n_pairs"] == 6
    assert entry["benchmark"]["headline"]["value"] == pytest.approx(expected)
    rows.append({"idx": 123456, "pandalm_result": 1})
    path.write_text(json.dumps(rows), encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_upstream_file(path, data_dir=shared("pandalm"))
    assert e.value.line == 7 and e.value.field == "idx" and "123456" in e.value.reason


# --- RM-Bench ---------------------------------------------------------------------------------------------------


def compute_accuracy(results: list[dict]) -> dict[str, float]:
    """THU-KEG/RM-Bench scripts/utils.py compute_accuracy, written again from its text (no numpy)."""
    if "domain" in results[0]:
        split = {d: [r for r in results if r["domain"].startswith(d)] for d in ("chat", "math", "code", "safety")}
        per = {d: compute_accuracy([{k: v for k, v in r.items() if k != "domain"} for r in rs]) for d, rs in split.items()}
        out = {d: sum(v.values()) / 3 for d, v in per.items()}
        for key in ("hard_acc", "normal_acc", "easy_acc"):
            out[key] = sum(v[key] for v in per.values()) / len(per)
        out["total_avg_acc"] = sum(out[d] for d in per) / len(per)
        return out
    m = [[0.0] * 3 for _ in range(3)]
    for r in results:
        for i in range(3):
            for j in range(3):
                if r["score_chosen"][i] > r["score_rejected"][j]:
                    m[i][j] += 1
    m = [[x / len(results) for x in row] for row in m]
    return {
        "hard_acc": (m[0][1] + m[0][2] + m[1][2]) / 3,
        "normal_acc": (m[0][0] + m[1][1] + m[2][2]) / 3,
        "easy_acc": (m[1][0] + m[2][0] + m[2][1]) / 3,
    }


def rm_unit(uid: int, domain: str, chosen: list[float], rejected: list[float]) -> dict:
    return {
        "id": uid,
        "prompt": f"prompt {uid}",
        "chosen": [f"c{uid}-{k}" for k in range(3)],
        "rejected": [f"r{uid}-{k}" for k in range(3)],
        "subset": domain,
        "domain": domain,
        "score_chosen": chosen,
        "score_rejected": rejected,
    }


RM_UNITS = [
    rm_unit(1, "chat", [1.0, 2.0, 3.0], [0.5, 1.5, 2.5]),
    rm_unit(2, "chat", [0.0, 0.0, 4.0], [1.0, 0.0, -1.0]),  # ties are wrong
    rm_unit(3, "math", [2.0, 2.0, 2.0], [1.0, 3.0, 2.0]),
    rm_unit(4, "code", [-1.0, 0.5, 0.25], [-2.0, 0.75, 0.0]),
    rm_unit(5, "code", [3.0, 1.0, 2.0], [2.5, 2.5, 2.5]),
    rm_unit(6, "safety-refuse", [0.1, 0.2, 0.3], [0.3, 0.2, 0.1]),
    rm_unit(7, "safety-response", [5.0, 5.0, 5.0], [4.0, 6.0, 1.0]),
]


def test_rm_bench_scores_equal_upstream_compute_accuracy(tmp_path: Path) -> None:
    path = tmp_path / "results" / "Seq_Classifier" / "Some-RM" / "total_dataset_Some-RM_REWORD_MODEL_20250101_000000.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(RM_UNITS, indent=4), encoding="utf-8")  # run_rm.py's json.dump(indent=4)
    upstream = compute_accuracy(json.loads(path.read_text(encoding="utf-8")))
    assert detect_format(path).name == "rm-bench"
    [entry] = score_json(str(path))
    assert entry["upstream"] == "rm-bench" and entry["judge_model"] == "Some-RM" and entry["n_pairs"] == 7
    rows = bench_rows(entry)
    assert entry["benchmark"]["headline"]["value"] == pytest.approx(100 * upstream["total_avg_acc"])
    for d in ("chat", "math", "code", "safety"):
        assert rows[d] == pytest.approx(100 * upstream[d])
    for level in ("hard", "normal", "easy"):
        row = next(v for k, v in rows.items() if k.startswith(level + " "))
        assert row == pytest.approx(100 * upstream[f"{level}_acc"])
    library = rm_bench.rm_bench_scores(path)
    assert entry["benchmark"]["headline"]["value"] == pytest.approx(100 * library.overall)
    assert all(rows[d] == pytest.approx(100 * s.score) for d, s in library.domains.items())


def test_rm_bench_units_without_texts_use_the_local_copy(tmp_path: Path) -> None:
    chat = json.loads(shared("rm-bench", "chat_filtered.json").read_text(encoding="utf-8"))[:4]
    units = [{"id": u["id"], "score_chosen": [1.0, 2.0, 0.0], "score_rejected": [0.5, 2.0, [0.25]]} for u in chat]
    path = tmp_path / "chat_filtered_Some-RM_REWORD_MODEL_20250101.json"
    path.write_text(json.dumps(units), encoding="utf-8")
    jf = read_upstream_file(path, data_dir=shared("rm-bench"))
    assert [r.item.prompt for r in jf.results] == [u["prompt"] for u in chat]
    upstream = compute_accuracy([{"score_chosen": [1.0, 2.0, 0.0], "score_rejected": [0.5, 2.0, 0.25]}] * 4)
    [entry] = score_json(str(path), "--data-dir", str(shared("rm-bench")))
    assert entry["benchmark"]["headline"]["value"] == pytest.approx(100 * sum(upstream.values()) / 3)
    units[2]["id"] = "no-such-id"
    path.write_text(json.dumps(units), encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_upstream_file(path, data_dir=shared("rm-bench"))
    assert e.value.line == 3 and e.value.field == "id"


def test_rm_bench_malformed_unit(tmp_path: Path) -> None:
    units = [RM_UNITS[0], {**RM_UNITS[1], "score_rejected": [1.0, 2.0]}]
    path = tmp_path / "chat_scores.json"
    path.write_text(json.dumps(units), encoding="utf-8")
    proc = run_cli("score", str(path))
    assert proc.returncode == 2 and "score_rejected" in proc.stderr and "chat_scores.json" in proc.stderr


# --- reward-bench -----------------------------------------------------------------------------------------------

EXAMPLE_COUNTS = {"alpacaeval-easy": 100, "mt-bench-easy": 28, "mt-bench-hard": 37, "llmbar-natural": 100, "math-prm": 984, "hep-python": 164}
"""The subsets used here, with their weights from allenai/reward-bench rewardbench/constants.py @ 05a9005."""
SECTION_OF = {"alpacaeval-easy": "Chat", "mt-bench-easy": "Chat", "mt-bench-hard": "Chat Hard", "llmbar-natural": "Chat Hard", "math-prm": "Reasoning", "hep-python": "Reasoning"}


def sections_by_hand(subsets: list[str], results: list[float]) -> dict[str, float]:
    """run_rm.py's per-subset sum(results) / n, then calculate_scores_per_section's weighted mean (percent)."""
    acc = {s: 100 * sum(r for x, r in zip(subsets, results, strict=True) if x == s) / subsets.count(s) for s in set(subsets)}
    out: dict[str, float] = {}
    for section in dict.fromkeys(SECTION_OF.values()):
        names = [s for s in acc if SECTION_OF[s] == section]
        out[section] = sum(acc[s] * EXAMPLE_COUNTS[s] for s in names) / sum(EXAMPLE_COUNTS[s] for s in names)
    return out


def test_reward_bench_scores_file(tmp_path: Path) -> None:
    subsets = ["alpacaeval-easy", "alpacaeval-easy", "mt-bench-easy", "mt-bench-hard", "llmbar-natural", "llmbar-natural", "math-prm", "math-prm", "hep-python"]
    chosen = [1.0, 0.0, [2.0], 0.3, 5.0, 1.0, -1.0, 2.0, 0.0]
    rejected = [0.5, 0.0, [1.0], 0.4, 4.0, 1.5, -2.0, 3.0, -0.5]
    flat = [c[0] if isinstance(c, list) else c for c in chosen], [r[0] if isinstance(r, list) else r for r in rejected]
    results = [1 if c > r else 0 for c, r in zip(*flat, strict=True)]  # run_rm.py's results column
    data = {
        "chat_template": "tulu",
        "id": list(range(100, 109)),
        "model": "org/Some-RM",
        "model_type": "Seq. Classifier",
        "results": results,
        "scores_chosen": chosen,
        "scores_rejected": rejected,
        "subset": subsets,
        "text_chosen": [f"<|user|>q{i}<|assistant|>good" for i in range(9)],
        "text_rejected": [f"<|user|>q{i}<|assistant|>bad" for i in range(9)],
    }
    path = tmp_path / "results" / "eval-set-scores" / "org" / "Some-RM.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(data, indent=4, sort_keys=True), encoding="utf-8")  # save_to_hub's dumps
    sections = sections_by_hand(subsets, results)
    # by hand: Chat (100*50 + 28*100)/128 = 60.9375; Chat Hard (37*0 + 100*50)/137; Reasoning (984*50 + 164*100)/1148
    assert sections["Chat"] == pytest.approx(60.9375)
    [entry] = score_json(str(path))
    assert entry["upstream"] == "reward-bench" and entry["judge_model"] == "org/Some-RM" and entry["n_pairs"] == 9
    rows = bench_rows(entry)
    for section, value in sections.items():
        assert rows[section] == pytest.approx(value)
    assert entry["benchmark"]["headline"]["value"] == pytest.approx(sum(sections.values()) / 3)


def test_reward_bench_generative_results(tmp_path: Path) -> None:
    subsets = ["alpacaeval-easy", "alpacaeval-easy", "mt-bench-hard", "llmbar-natural", "hep-python", "hep-python"]
    results = [1, 0.5, 0, 1, 0.5, 1]  # run_generative.py: 1 right, 0 wrong, 0.5 a tie or an error
    data = {"id": [1, 2, 3, 4, 5, 6], "model": "openai/gpt-4", "model_type": "Generative RM", "results": results, "subset": subsets}
    path = tmp_path / "gpt-4.json"
    path.write_text(json.dumps(data, indent=4, sort_keys=True), encoding="utf-8")
    sections = sections_by_hand(subsets, results)
    [entry] = score_json(str(path))
    rows = bench_rows(entry)
    assert rows["Chat"] == pytest.approx(sections["Chat"]) == pytest.approx(75.0)
    assert rows["Reasoning"] == pytest.approx(sections["Reasoning"]) == pytest.approx(75.0)
    assert entry["benchmark"]["headline"]["value"] == pytest.approx(sum(sections.values()) / 3)
    data["results"][3] = 2
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_upstream_file(path)
    assert e.value.line == 4 and e.value.field == "results"
    # a subset upstream does not have: its sections could not weigh it, so the file is refused (row 2, field subset)
    data["results"][3] = 1
    data["subset"][1] = "nonexistent"
    path.write_text(json.dumps(data), encoding="utf-8")
    proc = run_cli("score", str(path))
    assert proc.returncode == 2 and "nonexistent" in proc.stderr and "subset" in proc.stderr and "Traceback" not in proc.stderr


# --- detection --------------------------------------------------------------------------------------------------


def test_unrecognised_file_lists_the_formats_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "mystery.json"
    path.write_text(json.dumps([{"question": "q", "answer": "a"}]), encoding="utf-8")
    out = tmp_path / "table.md"
    proc = run_cli("score", str(path), "--out", str(out))
    assert proc.returncode == 2 and not out.exists() and proc.stdout == ""
    for name in FORMATS:
        assert name in proc.stderr
    assert "--upstream" in proc.stderr


def test_forced_format_that_does_not_fit(tmp_path: Path) -> None:
    path = tmp_path / "scores.json"
    path.write_text(json.dumps(RM_UNITS), encoding="utf-8")
    proc = run_cli("score", str(path), "--upstream", "llmbar")
    assert proc.returncode == 2 and "output_1" in proc.stderr
    proc = run_cli("score", str(path), "--upstream", "no-such-format")
    assert proc.returncode == 2 and "rm-bench" in proc.stderr


def test_every_format_is_detected_from_its_first_object(tmp_path: Path) -> None:
    samples = {
        "llmbar": [llmbar_instance(0, 1, "1", "2")],
        "pandalm-gpt35": [{"idx": 0, "gpt_result": "1", "gpt_reason": "", "gpt_reference": ""}],
        "pandalm-7b": [{"idx": 0, "pandalm_result": 1, "pandalm_reason": "", "pandalm_reference": ""}],
        "rm-bench": RM_UNITS,
        "reward-bench": {"id": [1], "subset": ["hep-go"], "results": [1], "scores_chosen": [1.0], "scores_rejected": [0.0]},
    }
    for name, data in samples.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")
        assert detect_format(path).name == name
    big = tmp_path / "big.json"  # a column file longer than the sniff still shows its top-level keys (sorted, as save_to_hub writes)
    big.write_text(json.dumps({"id": list(range(3)), "subset": ["hep-go"] * 3, "text_chosen": ["x" * (3 << 20)] * 3, "results": [1, 0, 1]}, sort_keys=True), encoding="utf-8")
    assert detect_format(big).name == "reward-bench"
