"""LLMBar as a registered benchmark: the released sets' sizes, the row mapping, errors naming file/row/field, the
download fallback, and the paper's scoring (order-averaged accuracy, positional agreement)."""

from __future__ import annotations

import io
import json
import urllib.error
from pathlib import Path

import pytest

from judgebench.analysis.scoring import score_results
from judgebench.benchmarks import get_benchmark, llmbar, load_items, load_pairs
from judgebench.errors import InputError
from judgebench.schema import Decision, Item, ItemResult, Judgment, Preference, Response

from ..conftest import shared

# Folder under Dataset/ of each split, written out here rather than read from the module under test.
FOLDERS = {
    "natural": "LLMBar/Natural",
    "neighbor": "LLMBar/Adversarial/Neighbor",
    "gptinst": "LLMBar/Adversarial/GPTInst",
    "gptout": "LLMBar/Adversarial/GPTOut",
    "manual": "LLMBar/Adversarial/Manual",
    "faireval": "Processed/FairEval",
    "llmeval2": "Processed/LLMEval^2",
    "mtbench": "Processed/MT-Bench",
}
PUBLISHED = {"natural": 100, "neighbor": 134, "gptinst": 92, "gptout": 47, "manual": 46, "faireval": 66, "llmeval2": 200, "mtbench": 200}
"""Sizes stated by the paper / upstream README (LLMBar: 419 = 100 Natural + 319 Adversarial) and the shared-data README."""


def _raw(root: Path, split: str) -> list[dict]:
    return json.loads((root / FOLDERS[split] / "dataset.json").read_text(encoding="utf-8"))


def test_sizes_of_every_set_counted_from_the_released_files() -> None:
    root = shared("llmbar")
    counted = {split: len(_raw(root, split)) for split in FOLDERS}
    assert counted == PUBLISHED
    assert sum(counted[s] for s in ("natural", "neighbor", "gptinst", "gptout", "manual")) == 419  # the paper's LLMBar
    bench = get_benchmark("llmbar")
    for split, n in counted.items():
        assert len(load_items(f"llmbar:{split}", data_dir=root).items) == n, split
        assert bench.size[split] == n
    adversarial = sum(counted[s] for s in ("neighbor", "gptinst", "gptout", "manual"))
    assert len(load_items("llmbar:adversarial", data_dir=root).items) == adversarial == bench.size["adversarial"] == 319
    everything = load_items("llmbar", data_dir=root)  # the default split is every set
    assert everything.split == "all"
    assert len(everything.items) == sum(counted.values()) == bench.size["all"] == 885


def test_rows_map_to_items_label_one_and_two() -> None:
    root = shared("llmbar")
    raw = _raw(root, "natural")
    items = load_items("llmbar:natural", data_dir=root).items
    # The released Natural set starts 1, 1, 1, 1, 2: row 1 (index 0) prefers output_1, row 5 (index 4) output_2.
    assert raw[0]["label"] == 1 and raw[4]["label"] == 2
    first, fifth = items[0], items[4]
    assert first.id == "Natural/0" and fifth.id == "Natural/4"
    assert first.prompt == raw[0]["input"]
    assert [r.text for r in first.responses] == [raw[0]["output_1"], raw[0]["output_2"]]
    assert [r.id for r in first.responses] == ["1", "2"]
    assert first.target == Preference(0) and fifth.target == Preference(1)
    assert fifth.prompt == raw[4]["input"] and fifth.responses[1].text == raw[4]["output_2"]
    assert first.category == "Natural" and first.source == "LLMBar/Natural" and first.original_id == "0"
    # as today's pair format: label 1 -> A>B, label 2 -> B>A
    assert first.to_pair().label == Decision.A_BETTER and fifth.to_pair().label == Decision.B_BETTER
    # and every row of one Processed set, through the generic pair view
    mt = _raw(root, "mtbench")
    pairs = load_pairs("llmbar:mtbench", local_dir=root)
    assert [p.label for p in pairs] == [Decision.A_BETTER if r["label"] == 1 else Decision.B_BETTER for r in mt]
    assert pairs[-1].pair_id == "MT-Bench/199" and pairs[-1].response_B == mt[-1]["output_2"]


def test_ids_unique_across_sets_and_categories_in_paper_order() -> None:
    root = shared("llmbar")
    items = load_items("llmbar:all", data_dir=root).items
    assert len({i.id for i in items}) == len(items)
    bench = get_benchmark("llmbar")
    cats = [i.category for i in items]
    assert bench.ordered(cats) == ["Natural", "Neighbor", "GPTInst", "GPTOut", "Manual", "FairEval", "LLMEval2", "MT-Bench"]
    assert list(dict.fromkeys(cats)) == list(bench.categories)  # sets are loaded in that order
    assert {bench.category_of(i.source) for i in items} == set(bench.categories)
    assert bench.category_of(items[0].source) == items[0].category


def test_benchmark_defaults_follow_the_paper() -> None:
    bench = get_benchmark("llmbar")
    assert bench.protocol == ("pairwise", {"orders": "both"})
    assert bench.rule == "average"
    assert bench.metrics == ("accuracy", "position_consistency")
    assert bench.default_split == "all"
    assert set(bench.splits) == set(FOLDERS) | {"adversarial", "all"}
    assert "2310.07641" in bench.citation and "evaluate.py" in bench.citation and "900616b" in bench.citation
    assert bench.data_env == "JUDGEBENCH_LLMBAR_DIR"
    with pytest.raises(InputError, match="unknown llmbar split 'Natural'"):
        load_items("llmbar:Natural", data_dir=shared("llmbar"))


def test_offline_copy_from_env_data_dir_or_repository_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = shared("llmbar")
    monkeypatch.setenv("JUDGEBENCH_LLMBAR_DIR", str(root))
    assert len(load_items("llmbar:gptout").items) == 47
    monkeypatch.delenv("JUDGEBENCH_LLMBAR_DIR")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "llmbar").symlink_to(root)
    monkeypatch.setenv("JUDGEBENCH_DATA_DIR", str(tmp_path / "data"))
    assert len(load_items("llmbar:manual").items) == 46
    checkout = tmp_path / "LLMBar"  # a clone of the repository: Dataset/ inside
    checkout.mkdir()
    (checkout / "Dataset").symlink_to(root)
    assert len(load_items("llmbar:faireval", data_dir=checkout).items) == 66


def _copy_with(tmp_path: Path, folder: str, content: str) -> Path:
    """A local copy holding one set (``folder``) whose dataset.json is ``content``."""
    path = tmp_path / "copy" / folder / "dataset.json"
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    return path


GOOD = {"input": "Say hi.", "output_1": "hi", "output_2": "bye", "label": 1}


@pytest.mark.parametrize(
    ("rows", "line", "field", "message"),
    [
        ([GOOD, {k: v for k, v in GOOD.items() if k != "output_2"}], 2, "output_2", "missing required field"),
        ([GOOD, GOOD, {**GOOD, "label": 3}], 3, "label", "label must be 1 or 2"),
        ([{**GOOD, "label": "2"}], 1, "label", "got '2'"),
        ([{**GOOD, "label": True}], 1, "label", "label must be 1 or 2"),
        ([GOOD, {**GOOD, "input": ["Say", "hi"]}], 2, "input", "expected a string, got list"),
        ([GOOD, "not an object"], 2, None, "expected an object"),
    ],
)
def test_malformed_rows_name_file_row_and_field(tmp_path: Path, rows: list, line: int, field: str | None, message: str) -> None:
    path = _copy_with(tmp_path, "LLMBar/Adversarial/Manual", json.dumps(rows))
    with pytest.raises(InputError, match=message) as e:
        load_items("llmbar:manual", data_dir=tmp_path / "copy")
    assert (e.value.path, e.value.line, e.value.field) == (str(path), line, field)
    assert f"{path}:{line}" in str(e.value)


def test_a_file_that_is_not_a_list_is_an_error_naming_it(tmp_path: Path) -> None:
    path = _copy_with(tmp_path, "LLMBar/Natural", json.dumps({"input": "x", "output_1": "a", "output_2": "b", "label": 1}))
    with pytest.raises(InputError, match="must hold a list of objects, got dict") as e:
        load_items("llmbar:natural", data_dir=tmp_path / "copy")
    assert e.value.path == str(path) and e.value.line is None


def test_nothing_partial_and_missing_sets_are_named(tmp_path: Path) -> None:
    # Natural is valid, Neighbor is absent: loading "all" fails naming every missing file, returning nothing.
    _copy_with(tmp_path, "LLMBar/Natural", json.dumps([GOOD]))
    with pytest.raises(InputError, match="lacks") as e:
        load_items("llmbar:all", data_dir=tmp_path / "copy")
    assert "Neighbor/dataset.json" in str(e.value) and "MT-Bench/dataset.json" in str(e.value)
    assert "Natural/dataset.json" not in str(e.value)
    assert len(load_items("llmbar:natural", data_dir=tmp_path / "copy").items) == 1


def test_without_a_local_copy_it_downloads_from_github_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = shared("llmbar")
    monkeypatch.setenv("JUDGEBENCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("JUDGEBENCH_LLMBAR_DIR", raising=False)
    monkeypatch.setenv("JUDGEBENCH_DATA_DIR", "")
    urls: list[str] = []

    def fake_urlopen(url: str, timeout: float = 0) -> io.BytesIO:
        urls.append(url)
        prefix = f"https://raw.githubusercontent.com/princeton-nlp/LLMBar/{llmbar.COMMIT}/Dataset/"
        assert url.startswith(prefix)
        rel = url[len(prefix):].replace("%5E", "^")
        return io.BytesIO((root / rel).read_bytes())

    monkeypatch.setattr(llmbar.urllib.request, "urlopen", fake_urlopen)
    items = load_items("llmbar:llmeval2").items
    assert len(items) == 200 and items[0].id == "LLMEval2/0"
    assert urls == [f"https://raw.githubusercontent.com/princeton-nlp/LLMBar/{llmbar.COMMIT}/Dataset/Processed/LLMEval%5E2/dataset.json"]
    assert load_items("llmbar:llmeval2").items == items  # from the cache: no second download
    assert len(urls) == 1


def test_offline_download_error_says_where_to_put_a_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUDGEBENCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("JUDGEBENCH_LLMBAR_DIR", raising=False)
    monkeypatch.setenv("JUDGEBENCH_DATA_DIR", "")

    def offline(url: str, timeout: float = 0) -> io.BytesIO:
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(llmbar.urllib.request, "urlopen", offline)
    with pytest.raises(InputError, match="cannot download LLMBar's Natural set") as e:
        load_items("llmbar:natural")
    assert "JUDGEBENCH_LLMBAR_DIR" in str(e.value) and "--data-dir" in str(e.value)
    assert e.value.path is not None and e.value.path.startswith("https://raw.githubusercontent.com/princeton-nlp/LLMBar/")
    assert not list((tmp_path / "cache").rglob("dataset.json"))


def _item(i: int, winner: int) -> Item:
    return Item(f"Natural/{i}", f"instruction {i}", (Response(f"out1 {i}", id="1"), Response(f"out2 {i}", id="2")), Preference(winner), category="Natural", source="LLMBar/Natural")


def _result(item: Item, first: Decision, second: Decision, *, failed: bool = False) -> ItemResult:
    """``first`` is the verdict on the original order (view (0, 1)), ``second`` on the swapped one (view (1, 0)),
    each as shown (A = the first response shown); a ``NONE`` is an answer with no verdict parsed (upstream's null
    winner), or with ``failed`` a call that failed (a timeout)."""
    return ItemResult(
        item,
        "test-judge",
        "test-model",
        (
            Judgment(first, game=1, view=(0, 1), error="timeout" if failed and first is Decision.NONE else None),
            Judgment(second, game=2, view=(1, 0), error="timeout" if failed and second is Decision.NONE else None),
        ),
    )


def test_scoring_is_order_averaged_accuracy_and_positional_agreement() -> None:
    A, B, NONE = Decision.A_BETTER, Decision.B_BETTER, Decision.NONE
    # Five items; label as LLMBar writes it (1 = output_1 better = winner 0). The swapped view shows output_2 as A,
    # so its verdict read back in the item's frame is flipped ("B>A" shown = output_1 better).
    #   item  label  swap=False   swap=True (shown -> original)   correct F/T   same verdict?
    #   0     1      A>B (1)      B>A -> 1                        1 / 1         yes
    #   1     2      B>A (2)      B>A -> 1                        1 / 0         no
    #   2     1      B>A (2)      B>A -> 1                        0 / 1         no
    #   3     2      A>B (1)      B>A -> 1                        0 / 0         yes (both 1)
    #   4     1      none         none                            0 / 0         yes (None == None upstream)
    # correct_False = 2, correct_True = 2 -> correct_average = (2 + 2) / 2 / 5 = 40 %
    # equal = 3 / 5 = 60 %   (JudgeBench's vote rule would credit only item 0: 20 %)
    results = [
        _result(_item(0, 0), A, B),
        _result(_item(1, 1), B, B),
        _result(_item(2, 0), B, B),
        _result(_item(3, 1), A, B),
        _result(_item(4, 0), NONE, NONE),
    ]
    rule = get_benchmark("llmbar").rule
    m = score_results(results, rule=rule, n_resamples=200)
    assert m.accuracy == pytest.approx(40.0)
    assert m.position_consistency == pytest.approx(60.0)
    assert m.n_pairs == 5 and m.n_judgments == 10 and m.n_failed == 0 and m.n_no_decision == 2
    assert score_results(results, rule="vote", n_resamples=200).accuracy == pytest.approx(20.0)
    # item 4's calls failed instead (timeouts): still wrong, but no evidence of position: agreement over 4 items
    results[4] = _result(_item(4, 0), NONE, NONE, failed=True)
    m = score_results(results, rule=rule, n_resamples=200)
    assert m.accuracy == pytest.approx(40.0) and m.n_failed == 2
    assert m.position_consistency == pytest.approx(50.0)  # items 0 and 3 of 0-3
