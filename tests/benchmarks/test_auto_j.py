"""Auto-J's pairwise test set: the size and labels counted from the raw file, the row mapping and scenario groups,
errors naming file/row/field, and Auto-J's two agreement numbers (both orders / original order) and consistency,
on hand-made results and on Auto-J's released example outputs (its README's numbers)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from judgebench.analysis.scoring import score_results
from judgebench.benchmarks import _download, auto_j, get_benchmark, load_items
from judgebench.errors import InputError
from judgebench.schema import Decision, Item, ItemResult, Judgment, Preference, Response

from ..conftest import shared

A, B, T, N = Decision.A_BETTER, Decision.B_BETTER, Decision.TIE, Decision.NONE


def _raw() -> list[dict]:
    path = shared("auto-j", "testdata_pairwise.jsonl")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_size_labels_and_scenarios_counted_from_the_raw_file() -> None:
    rows = _raw()
    items = auto_j.load("test", shared("auto-j"))
    assert len(items) == len(rows) == 1392 == get_benchmark("auto_j").size["test"]
    assert Counter(r["label"] for r in rows) == {0: 520, 1: 499, 2: 373}
    assert Counter(i.target for i in items) == {Preference(0): 520, Preference(1): 499, Preference(None): 373}
    assert len({r["scenario"] for r in rows}) == 58
    assert {i.category for i in items} == set(auto_j.CATEGORIES)
    first = items[0]
    assert first.id == "0" and first.source == rows[0]["scenario"] and first.prompt == rows[0]["prompt"]
    assert first.responses == (Response(rows[0]["response 1"], id="1"), Response(rows[0]["response 2"], id="2"))


def _result(label: int | None, first: Decision, exchanged: Decision | None, category: str = "Code") -> ItemResult:
    """A pair judged in the original order (game 1) and, unless None, the exchanged order (game 2). ``exchanged`` is
    given in the item's frame here and written in the order shown (flipped), as a judge would return it."""
    item = Item(id=f"x{id(first)}", prompt="q", responses=(Response("r1", id="1"), Response("r2", id="2")), target=Preference(label), category=category, source="code_generation")
    games = [Judgment(first, game=1, view=(0, 1))]
    if exchanged is not None:
        games.append(Judgment(exchanged.flipped(), game=2, view=(1, 0)))
    return ItemResult(item, "j", "m", tuple(games))


def test_two_agreement_numbers_by_hand() -> None:
    # label, original-order verdict, exchanged verdict (item's frame):
    #  1. A>B label, A, A   -> original correct; both correct; agree
    #  2. A>B label, A, B   -> original correct; not both; disagree
    #  3. B>A label, A, B   -> original wrong;   not both; disagree
    #  4. tie label, T, T   -> original correct; both correct; agree (a tie label is matched by a tie verdict)
    #  5. tie label, A, A   -> original wrong;   not both; agree
    #  6. tie label, A, B   -> original wrong;   not both (an inconsistent pair is no tie); disagree
    #  7. B>A label, NONE, NONE -> original wrong; not both; disagree (a missing verdict matches nothing)
    #  8. B>A label, B, NONE    -> original correct; not both; disagree
    # total 8: original order 4/8 = 50.0 (Auto-J --type single); both orders 2/8 = 25.0 (--type pairwise);
    # consistency 1 - 5/8 = 37.5.
    results = [
        _result(0, A, A),
        _result(0, A, B),
        _result(1, A, B),
        _result(None, T, T, category="Rewriting"),
        _result(None, A, A, category="Rewriting"),
        _result(None, A, B, category="Rewriting"),
        _result(1, N, N),
        _result(1, B, N),
    ]
    got = auto_j.agreement(results)
    assert (got["total"], got["correct"], got["correct_both"], got["disagree"]) == (8, 4, 2, 5)
    assert (got["single"], got["pairwise"], got["consistency"]) == (50.0, 25.0, 37.5)
    d = auto_j.details(results, None, "strict")
    assert d["headline"]["value"] == 25.0 and "both orders" in d["headline"]["name"]
    rows = {r["name"]: (r["value"], r["n"]) for r in d["rows"]}
    # Code: rows 1, 2, 3, 7, 8 -> original 3/5, both 1/5, disagree 4/5; Rewriting: rows 4-6 -> 1/3, 1/3, 1/3
    assert rows["Code: agreement, original order only"] == (60.0, 5)
    assert rows["Code: agreement, both orders"] == (20.0, 5)
    assert rows["Code: consistency"][0] == pytest.approx(20.0)
    assert rows["Rewriting: agreement, both orders"][0] == pytest.approx(100 / 3)
    assert [r["name"].split(":")[0] for r in d["rows"][2:]][::3] == ["Code", "Rewriting"]  # Auto-J's group order


def test_one_order_only_gives_the_single_number() -> None:
    d = auto_j.details([_result(0, A, None), _result(1, A, None)], None, "first")
    assert d["headline"]["value"] == 50.0 and "original order only" in d["headline"]["name"]


def test_released_example_outputs_give_the_readme_numbers() -> None:
    # codes/leaderboard/README.md @ 2ae17a3: pairwise Overall 54.96 / 83.41, single Overall 59.99
    folder = shared("auto-j")
    items = auto_j.load("test", folder)
    read = lambda name: [json.loads(x)["output"] for x in (folder / name).read_text().splitlines() if x.strip()]  # noqa: E731
    shown = {0: A, 1: B, 2: T}  # the exchanged file is in the order shown (not mapped back)
    results = [
        ItemResult(it, "auto-j", "m", (Judgment(shown[p], game=1, view=(0, 1)), Judgment(shown[e], game=2, view=(1, 0))))
        for it, p, e in zip(items, read("pairwise_example_output.jsonl"), read("pairwise_exchange_example_output.jsonl"), strict=True)
    ]
    got = auto_j.agreement(results)
    assert (round(got["pairwise"], 2), round(got["single"], 2), round(got["consistency"], 2)) == (54.96, 59.99, 83.41)
    rows = {r["name"]: r["value"] for r in auto_j.details(results, None, "strict")["rows"]}
    assert round(rows["Summarization: agreement, both orders"], 2) == 45.83
    assert round(rows["NLP Tasks: consistency"], 2) == 86.36
    assert round(rows["Functional Writing: agreement, original order only"], 2) == 68.33
    metrics = score_results(results, rule="strict", benchmark=get_benchmark("auto_j"), n_resamples=100)
    head = metrics.extra["benchmark"]["headline"]
    assert round(head["value"], 2) == 54.96
    # its 95% CI (bootstrap over items) has the normal approximation's width, 2 x 1.96 x sqrt(p (1 - p) / n), within 15%
    p, n = head["value"] / 100, len(results)
    assert head["ci_low"] < head["value"] < head["ci_high"]
    assert head["ci_high"] - head["ci_low"] == pytest.approx(100 * 2 * 1.96 * (p * (1 - p) / n) ** 0.5, rel=0.15)


GOOD = {"scenario": "code_generation", "label": 2, "prompt": "p", "response 1": "a", "response 2": "b"}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"prompt": None}, "prompt", "missing required field"),
        ({"response 2": 5}, "response 2", "expected a string"),
        ({"label": 3}, "label", "label must be 0"),
        ({"label": True}, "label", "label must be 0"),
        ({"scenario": "juggling"}, "scenario", "unknown scenario"),
    ],
)
def test_malformed_rows_name_file_row_and_field(tmp_path: Path, change: dict, field: str, message: str) -> None:
    path = tmp_path / "testdata_pairwise.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps(GOOD | change) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        auto_j.load("test", tmp_path)
    assert e.value.line == 2 and e.value.field == field and message in e.value.reason and e.value.path == str(path)


def test_local_layouts_registry_and_download_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "data" / "test").mkdir(parents=True)
    (tmp_path / "data" / "test" / "testdata_pairwise.jsonl").write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    loaded = load_items("auto_j", data_dir=tmp_path)
    assert loaded.benchmark is get_benchmark("auto_j") and loaded.items[0].target == Preference(None)
    with pytest.raises(InputError, match="no testdata_pairwise.jsonl"):
        auto_j.load("test", tmp_path / "nowhere")
    seen = []

    def fake_download(url: str, dest: Path, **kw: object) -> Path:
        seen.append(url)
        return tmp_path / "data" / "test" / "testdata_pairwise.jsonl"

    monkeypatch.setattr(_download, "cached_download", fake_download)  # where pinned_file downloads
    assert len(auto_j.load("test", None)) == 1
    assert seen == [f"https://raw.githubusercontent.com/GAIR-NLP/auto-j/{auto_j.COMMIT}/data/test/testdata_pairwise.jsonl"]
