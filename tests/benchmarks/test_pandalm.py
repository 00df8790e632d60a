"""PandaLM's test set: items and majority labels counted from the raw file, the annotators' pairwise Cohen's kappa
(README: 0.85 / 0.88 / 0.86) recomputed with sklearn, the details by hand, and the released gpt-3.5-turbo judgments
replayed as a run (accuracy vs the majority recomputed from the raw files)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from sklearn.metrics import cohen_kappa_score, precision_recall_fscore_support

from judgebench.analysis.scoring import score_results
from judgebench.benchmarks import _download, get_benchmark, load_items, pandalm
from judgebench.errors import InputError
from judgebench.schema import Decision, Item, ItemResult, Judgment, Preference, Response

from ..conftest import shared

A, B, T, N = Decision.A_BETTER, Decision.B_BETTER, Decision.TIE, Decision.NONE


def _raw(name: str = "testset-v1.json") -> list[dict]:
    return json.loads(shared("pandalm", name).read_text(encoding="utf-8"))


def test_items_and_majority_counted_from_the_raw_file() -> None:
    rows = _raw()
    items = pandalm.load("test", shared("pandalm"))
    assert len(items) == len(rows) == 999 == get_benchmark("pandalm").size["test"]
    # README @ 3871806 label distribution (0 / 1 / 2): 105 / 422 / 472; every row has a majority
    maj = [Counter(int(r[a]) for a in pandalm.ANNOTATORS).most_common(1)[0] for r in rows]
    assert all(count >= 2 for _, count in maj)
    assert Counter(label for label, _ in maj) == {0: 105, 1: 422, 2: 472}
    assert Counter(i.target for i in items) == {Preference(None): 105, Preference(0): 422, Preference(1): 472}
    first = items[0]
    assert first.id == "0" and first.prompt == rows[0]["instruction"] + "\n\n" + rows[0]["input"]
    assert first.responses == (Response(rows[0]["response1"], id="1"), Response(rows[0]["response2"], id="2"))
    assert first.metadata["annotators"] == [int(rows[0][a]) for a in pandalm.ANNOTATORS]
    assert items[157].responses[0].text == "True"  # a JSON true in the released file


def test_annotator_kappa_reproduces_the_readme() -> None:
    rows = _raw()
    items = pandalm.load("test", shared("pandalm"))
    module = pandalm.annotator_kappas(items)
    for (a, b), published in pandalm.PUBLISHED_KAPPA.items():
        direct = cohen_kappa_score([int(r[a]) for r in rows], [int(r[b]) for r in rows])
        assert round(direct, 2) == published
        assert module[(a, b)] == pytest.approx(direct, abs=1e-12)
    rows_out = {r["name"]: r["value"] for r in pandalm.details(pandalm.gpt35_results(items, shared("pandalm", pandalm.GPT35_FILE)), None, "vote")["rows"]}
    assert round(rows_out["annotators: Cohen's kappa annotator1 vs annotator2 (PandaLM: 0.85)"], 2) == 0.85
    assert round(rows_out["annotators: Cohen's kappa annotator1 vs annotator3 (PandaLM: 0.88)"], 2) == 0.88
    assert round(rows_out["annotators: Cohen's kappa annotator2 vs annotator3 (PandaLM: 0.86)"], 2) == 0.86


def test_majority_of_a_three_way_split_is_a_tie() -> None:
    assert pandalm.majority_label([1, 2, 0]) == 0
    assert pandalm.majority_label([1, 1, 0]) == 1 and pandalm.majority_label([2, 2, 2]) == 2


def _item(i: int, annotators: list[int]) -> Item:
    row = {"idx": i, "instruction": "q", "input": "", "response1": "a", "response2": "b"}
    row |= {name: label for name, label in zip(pandalm.ANNOTATORS, annotators, strict=True)}
    return pandalm.row_to_item(row, index=i + 1, path="x.json")


def test_details_by_hand() -> None:
    # annotators -> majority; judge verdict (PandaLM coding)
    #  [1,1,1] -> 1; A (1)   right vs majority and all three
    #  [2,2,1] -> 2; B (2)   right vs majority, a1, a2; wrong vs a3
    #  [0,0,2] -> 0; T (0)   right vs majority, a1, a2; wrong vs a3
    #  [1,2,2] -> 2; A (1)   wrong vs majority; right vs a1
    #  [2,2,2] -> 2; NONE    wrong everywhere (missing), left out of kappa
    cases = [([1, 1, 1], A), ([2, 2, 1], B), ([0, 0, 2], T), ([1, 2, 2], A), ([2, 2, 2], N)]
    results = [ItemResult(_item(i, ann), "j", "m", (Judgment(d, game=1, view=(0, 1)),)) for i, (ann, d) in enumerate(cases)]
    pred = [1, 2, 0, 1, None]
    assert [pandalm.judge_label(r, "vote") for r in results] == pred
    d = pandalm.details(results, None, "vote")
    assert d["headline"]["value"] == pytest.approx(60.0)
    rows = {r["name"]: (r["value"], r["n"]) for r in d["rows"]}
    assert rows["vs annotator1: accuracy"][0] == pytest.approx(80.0)
    assert rows["vs annotator3: accuracy"][0] == pytest.approx(20.0)  # right on the first only
    assert rows["judge: missing verdicts"] == (1, 5)
    majority = [1, 2, 0, 2, 2]
    p, r, f, _ = precision_recall_fscore_support(majority, [1, 2, 0, 1, -1], labels=[1, 2, 0], average="macro", zero_division=0)
    assert rows["vs majority: macro precision"][0] == pytest.approx(100 * p)
    assert rows["vs majority: macro recall"][0] == pytest.approx(100 * r)
    assert rows["vs majority: macro F1"][0] == pytest.approx(100 * f)
    kappa, n = rows["vs majority: Cohen's kappa"]
    assert n == 4 and kappa == pytest.approx(cohen_kappa_score(majority[:4], pred[:4]))


def test_two_orders_use_the_rule_verdict() -> None:
    item = _item(0, [1, 1, 1])
    both = ItemResult(item, "j", "m", (Judgment(A, game=1, view=(0, 1)), Judgment(A, game=2, view=(1, 0))))  # inconsistent
    assert pandalm.judge_label(both, "strict") == 0 and pandalm.judge_label(both, "first") == 1


def test_gpt35_replay_agreement_vs_the_raw_files() -> None:
    rows, gpt = _raw(), _raw(pandalm.GPT35_FILE)
    items = pandalm.load("test", shared("pandalm"))
    results = pandalm.gpt35_results(items, shared("pandalm", pandalm.GPT35_FILE))
    assert all(len(r.judgments) == 1 and r.judgments[0].view == (0, 1) and r.judgments[0].game == 1 for r in results)
    assert Counter(g["gpt_result"] for g in gpt) == {"2": 476, "1": 460, "Tie": 38, "garbage": 25}
    by_idx = {g["idx"]: g["gpt_result"] for g in gpt}
    code = {"1": 1, "2": 2, "Tie": 0}
    correct = 0
    for r in rows:
        majority = Counter(int(r[a]) for a in pandalm.ANNOTATORS).most_common(1)[0][0]
        correct += code.get(by_idx[r["idx"]]) == majority
    expected = 100 * correct / len(rows)
    metrics = score_results(results, benchmark=get_benchmark("pandalm"), n_resamples=100)
    assert metrics.n_no_decision == 25
    assert metrics.accuracy == pytest.approx(expected)
    head = metrics.extra["benchmark"]["headline"]
    assert head["value"] == pytest.approx(expected)
    assert round(expected, 2) == 69.77
    # its 95% CI (bootstrap over items) has the normal approximation's width, 2 x 1.96 x sqrt(p (1 - p) / n), within 15%
    p, n = expected / 100, len(rows)
    assert head["ci_low"] < expected < head["ci_high"]
    assert head["ci_high"] - head["ci_low"] == pytest.approx(100 * 2 * 1.96 * (p * (1 - p) / n) ** 0.5, rel=0.15)


def test_malformed_rows_and_local_layouts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = {"idx": 0, "instruction": "q", "input": "", "response1": "a", "response2": "b", "annotator1": 1, "annotator2": "2", "annotator3": 0}
    path = tmp_path / "testset-v1.json"
    path.write_text(json.dumps([good, good | {"annotator2": 3}]), encoding="utf-8")
    with pytest.raises(InputError) as e:
        pandalm.load("test", tmp_path)
    assert e.value.line == 2 and e.value.field == "annotator2" and "label must be" in e.value.reason
    path.write_text(json.dumps([good | {"instruction": None}]), encoding="utf-8")
    with pytest.raises(InputError, match="missing required field"):
        pandalm.load("test", tmp_path)
    (tmp_path / "data").mkdir()
    path.rename(tmp_path / "data" / "testset-v1.json")
    (tmp_path / "data" / "testset-v1.json").write_text(json.dumps([good]), encoding="utf-8")
    loaded = load_items("pandalm", data_dir=tmp_path)
    assert loaded.items[0].target == Preference(None) and loaded.items[0].metadata["annotators"] == [1, 2, 0]  # three-way split
    with pytest.raises(InputError, match="no testset-v1.json"):
        pandalm.load("test", tmp_path / "nowhere")
    seen = []

    def fake_download(url: str, dest: Path, **kw: object) -> Path:
        seen.append(url)
        return tmp_path / "data" / "testset-v1.json"

    monkeypatch.setattr(_download, "cached_download", fake_download)  # where pinned_file downloads
    assert len(pandalm.load("test", None)) == 1
    assert seen == [f"https://raw.githubusercontent.com/WeOpenML/PandaLM/{pandalm.COMMIT}/data/testset-v1.json"]
