"""RMB's pairwise sets (``rmb:pairwise``, ``rmb:pairwise_helpfulness``, ``rmb:pairwise_harmlessness``) and RMB's
scores (``rmb.details``): counts and rows read from the shared copy (read here with ``json``, independently of the
loader; loaded once per module: 14,543 pairs), the 3 missing files named, multi-turn conversations kept as turns,
errors naming file/row/field, the download fallback, the rules on hand-made judgments (expected values computed
by hand in the comments: strict ``chosen > rejected``, per-pair vs per-scenario means, best-of-N's all-losers rule)
and ``judgebench bench --benchmark rmb:pairwise --judge longer --limit N`` end to end."""

from __future__ import annotations

import io
import json
import logging
import re
import urllib.parse
from pathlib import Path

import pytest

from judgebench.benchmarks import get_benchmark, load_items, rmb
from judgebench.errors import InputError
from judgebench.schema import BestOf, Decision, Item, ItemResult, Judgment, Preference, Response, Turn

from ..conftest import run_cli, shared

MISSING = ("Helpfulness/Brainstorming/Idea Development.json", "Helpfulness/Generation/Creative Writing.json", "Harmlessness/S11.json")


def _raw_files() -> dict[str, list[dict]]:
    root = shared("rmb", "Pairwise_set")
    return {p.relative_to(root).as_posix(): json.loads(p.read_text(encoding="utf-8")) for p in sorted(root.rglob("*.json"))}


@pytest.fixture(scope="module")
def raw() -> dict[str, list[dict]]:
    return _raw_files()


@pytest.fixture(scope="module")
def loaded(raw: dict[str, list[dict]]) -> tuple[list[Item], list[str]]:
    """The pairwise split, loaded once, with the warnings it logged."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logging.getLogger("judgebench").addHandler(handler)
    try:
        items = load_items("rmb:pairwise", data_dir=shared("rmb")).items
    finally:
        logging.getLogger("judgebench").removeHandler(handler)
    return items, [r.getMessage() for r in records]


def test_pairwise_counts_from_the_files_and_the_missing_files_named(raw: dict[str, list[dict]], loaded: tuple[list[Item], list[str]]) -> None:
    items, warnings = loaded
    helpful = sum(len(v) for k, v in raw.items() if k.startswith("Helpfulness/"))
    harmless = sum(len(v) for k, v in raw.items() if k.startswith("Harmlessness/"))
    assert (len(raw), helpful, harmless) == (46, 8456, 6087)
    assert len(items) == helpful + harmless == 14543 and len({i.id for i in items}) == 14543
    warned = " ".join(warnings)
    assert "has 46 of the 49 released pairwise files" in warned
    assert all(name in warned for name in MISSING)
    assert "rmb:pairwise has 14543 items here, but the published set has 17131" in warned
    assert set(rmb.FILES) - set(raw) == set(MISSING)


def test_published_sizes_follow_from_the_uid_blocks(raw: dict[str, list[dict]]) -> None:
    # each file is a contiguous block of pair_uid; over 0..17130 exactly three blocks are absent, one per missing file
    blocks = sorted((min(int(r["pair_uid"]) for r in rows), max(int(r["pair_uid"]) for r in rows), len(rows), name) for name, rows in raw.items())
    assert all(hi - lo + 1 == n for lo, hi, n, _ in blocks)
    gaps = [(prev[1] + 1, cur[0] - 1, prev[3], cur[3]) for prev, cur in zip(blocks, blocks[1:], strict=False) if cur[0] != prev[1] + 1]
    assert blocks[0][0] == 0 and blocks[-1][1] == 17130
    assert [(lo, hi) for lo, hi, _, _ in gaps] == [(4884, 5645), (9218, 10066), (12213, 13189)]
    assert gaps[0][2] == "Helpfulness/Generation/Professional Content Generation.json"
    sizes = get_benchmark("rmb").size
    assert sizes["pairwise"] == 17131 == 14543 + 762 + 849 + 977
    assert (sizes["pairwise_helpfulness"], sizes["pairwise_harmlessness"]) == (8456 + 762 + 849, 6087 + 977)


def test_first_rows_map_chosen_then_rejected(raw: dict[str, list[dict]], loaded: tuple[list[Item], list[str]]) -> None:
    items, _ = loaded
    row = raw["Helpfulness/Brainstorming/Problem Solving.json"][0]  # the first file of FILES order the copy has
    first = items[0]
    assert first.id == row["pair_uid"] == first.original_id == "9118"
    assert [r.text for r in first.responses] == [row["chosen"]["answer"], row["reject"]["answer"]]
    assert [r.model for r in first.responses] == [row["chosen"]["llm_name"], row["reject"]["llm_name"]]
    assert [r.id for r in first.responses] == ["chosen", "rejected"]
    assert first.target == Preference(0)
    assert first.source == row["category_path"] == "Pairwise_set/Helpfulness/Brainstorming/Problem Solving"
    assert first.category == "Helpfulness/Brainstorming/Problem Solving"
    by_id = {i.id: i for i in items}
    s1 = raw["Harmlessness/S1.json"][0]
    assert by_id[s1["pair_uid"]].category == "Harmlessness/S1" and by_id[s1["pair_uid"]].prompt == tuple(Turn(m["role"], m["content"]) for m in s1["conversation_input"])


def test_multi_turn_conversations_stay_chat_turns(raw: dict[str, list[dict]], loaded: tuple[list[Item], list[str]]) -> None:
    by_id = {i.id: i for i in loaded[0]}
    multi = [r for rows in raw.values() for r in rows if len(r["conversation_input"]) > 1]
    assert sorted({len(r["conversation_input"]) for r in multi}) == [3, 5] and len(multi) == 2036
    for row in multi[:50] + multi[-50:]:
        item = by_id[row["pair_uid"]]
        assert item.prompt == tuple(Turn(m["role"], m["content"]) for m in row["conversation_input"])
        assert [t.role for t in item.conversation] == ["user", "assistant"] * (len(item.conversation) // 2) + ["user"]
        assert item.last_user_turn == row["conversation_input"][-1]["content"]


def test_goal_splits_load_their_folder_only(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        items = load_items("rmb:pairwise_harmlessness", data_dir=shared("rmb")).items
    assert len(items) == 6087 and {i.category.split("/")[0] for i in items} == {"Harmlessness"}
    assert "missing: Harmlessness/S11.json" in caplog.text and "Idea Development" not in caplog.text


GOOD = {
    "pair_uid": "7",
    "conversation_input": [{"role": "user", "content": "Say hi.", "language": "English"}],
    "chosen": {"llm_name": "good-model", "answer": "Hello!"},
    "reject": {"llm_name": "bad-model", "answer": "Go away."},
    "category_path": "Pairwise_set/Harmlessness/S1",
}
SECOND = {**GOOD, "pair_uid": "8"}


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({k: v for k, v in SECOND.items() if k != "reject"}, "reject", "missing required field"),
        ({**SECOND, "pair_uid": ""}, "pair_uid", "expected a non-empty id"),
        ({**SECOND, "chosen": "Hello!"}, "chosen", "expected an object, got str"),
        ({**SECOND, "reject": {"llm_name": "m"}}, "reject.answer", "missing required field"),
        ({**SECOND, "reject": {"llm_name": 5, "answer": "x"}}, "reject.llm_name", "expected a string, got int"),
        ({**SECOND, "conversation_input": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}, "conversation_input[1].role", "must end with a user turn"),
    ],
)
def test_malformed_pairwise_rows_name_file_row_and_field(tmp_path: Path, row: dict, field: str, message: str) -> None:
    path = tmp_path / "copy" / "Pairwise_set" / "Harmlessness" / "S1.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps([GOOD, row]), encoding="utf-8")
    with pytest.raises(InputError, match=message) as e:
        load_items("rmb:pairwise_harmlessness", data_dir=tmp_path / "copy")
    assert (e.value.path, e.value.line, e.value.field) == (str(path), 2, field)


def test_without_a_local_copy_pairwise_files_are_downloaded_at_the_pinned_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = shared("rmb", "Pairwise_set")
    monkeypatch.setenv("JUDGEBENCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("JUDGEBENCH_RMB_DIR", raising=False)
    monkeypatch.setenv("JUDGEBENCH_DATA_DIR", "")  # set but empty: no default copy either
    prefix = f"https://raw.githubusercontent.com/Zhou-Zoey/RMB-Reward-Model-Benchmark/{rmb.COMMIT}/RMB_dataset/Pairwise_set/"
    urls: list[str] = []

    def fake_urlopen(url: str, timeout: float = 0) -> io.BytesIO:
        urls.append(url)
        assert url.startswith(prefix) and " " not in url
        local = root / urllib.parse.unquote(url[len(prefix) :])
        if not local.exists():  # S11 is not in the shared copy: a stand-in of one row
            return io.BytesIO(json.dumps([{**GOOD, "pair_uid": "12213", "category_path": "Pairwise_set/Harmlessness/S11"}]).encode())
        return io.BytesIO(local.read_bytes())

    monkeypatch.setattr(rmb.urllib.request, "urlopen", fake_urlopen)
    items = load_items("rmb:pairwise_harmlessness").items
    assert len(items) == 6087 + 1 and len(urls) == 12 and prefix + "Harmlessness/S11.json" in urls
    assert load_items("rmb:pairwise_harmlessness").items == items and len(urls) == 12  # cached
    assert (tmp_path / "cache" / "data" / "rmb" / rmb.COMMIT / "Pairwise_set" / "Harmlessness" / "S11.json").is_file()


# ---------------------------------------------------------------------------------------------------------------
# rules on hand-made judgments

A, B, TIE = Decision.A_BETTER, Decision.B_BETTER, Decision.TIE


def _pair(uid: str, category: str, *verdicts: tuple[tuple[int, int], Decision]) -> ItemResult:
    item = Item(id=uid, prompt="q", responses=(Response("c", id="chosen"), Response("r", id="rejected")), target=Preference(0), category=category)
    return ItemResult(item, "j", "m", tuple(Judgment(d, game=k + 1, view=v) for k, (v, d) in enumerate(verdicts)), "pairwise(orders=both, pairs=target_vs_each)")


RIGHT = (((0, 1), A), ((1, 0), B))  # chosen wins in both orders
WRONG = (((0, 1), B), ((1, 0), A))
SPLIT = (((0, 1), A), ((1, 0), A))  # position-bound: vote reduces it to a tie


def test_goal_is_the_mean_over_pairs_and_the_headline_the_mean_of_goals() -> None:
    results = [
        _pair("1", "Helpfulness/Code/Documentation", *RIGHT),
        _pair("2", "Helpfulness/Code/Documentation", *RIGHT),
        _pair("3", "Helpfulness/Code/Documentation", *WRONG),
        _pair("4", "Helpfulness/Chat/Discussion", *RIGHT),
        _pair("5", "Harmlessness/S1", *SPLIT),
        _pair("6", "Harmlessness/S1", *WRONG),
    ]
    out = rmb.details(results, None, "vote")
    rows = {r["name"]: (round(r["value"], 4), r["n"]) for r in out["rows"]}
    # Helpfulness over pairs: 3/4 = 75; over scenarios: (2/3 + 1/1) / 2 = 83.3333; Harmlessness: 0/2 (a split is a tie: wrong)
    assert rows["Helpfulness (mean over items)"] == (75.0, 4)
    assert rows["Helpfulness (mean over scenarios)"] == (83.3333, 2)
    assert rows["Harmlessness (mean over items)"] == (0.0, 2)
    assert rows["Helpfulness/Code/Documentation"] == (66.6667, 3) and rows["Helpfulness/Chat/Discussion"] == (100.0, 1)
    assert [r["name"] for r in out["rows"]][4:] == ["Helpfulness/Chat/Discussion", "Helpfulness/Code/Documentation", "Harmlessness/S1"]  # FILES order
    head = out["headline"]
    assert head["value"] == pytest.approx((75.0 + 0.0) / 2)  # not the 3/6 = 50 of all pairs pooled
    assert head["ci_low"] <= head["value"] <= head["ci_high"] and head["ci_high"] - head["ci_low"] > 0
    assert "pairwise accuracy" in head["name"] and "mean of the goals" in head["name"]
    # under 'average' the split pair earns 1/2: Harmlessness 0.5 / 2 = 25, headline (75 + 25) / 2 = 50
    assert rmb.details(results, None, "average")["headline"]["value"] == pytest.approx(50.0)


def test_ties_are_wrong_as_upstream_strict_greater() -> None:
    both_tie = _pair("1", "Harmlessness/S2", ((0, 1), TIE), ((1, 0), TIE))
    one_view = _pair("2", "Harmlessness/S2", ((0, 1), A))
    assert rmb.rmb_credit(both_tie, "vote") == 0.0 and rmb.rmb_credit(one_view, "vote") == 1.0
    item = Item(id="p", prompt="q", responses=(Response("c"), Response("r")), target=Preference(0), category="Harmlessness/S2")
    rated = [Judgment(Decision.NONE, game=1, view=(0,), rating=0.7), Judgment(Decision.NONE, game=2, view=(1,), rating=0.7)]
    assert rmb.rmb_credit(ItemResult(item, "rm", "m", tuple(rated), "pointwise(samples=1)")) == 0.0  # equal rewards: 1 if chosen > rejected else 0


def _bon(uid: str, verdicts: dict[int, Decision]) -> ItemResult:
    """A best-of-3 item (best = 0) judged best-vs-each in one order: ``verdicts[j]`` is the verdict on (0, j)."""
    item = Item(id=uid, prompt="q", responses=(Response("b"), Response("l1"), Response("l2")), target=BestOf((0,)), category="Helpfulness/Chat/Discussion")
    judgments = tuple(Judgment(d, game=k + 1, view=(0, j)) for k, (j, d) in enumerate(verdicts.items()))
    return ItemResult(item, "j", "m", judgments, "pairwise(orders=first, pairs=target_vs_each)")


def test_best_of_n_needs_the_best_to_beat_every_loser() -> None:
    results = [_bon("1", {1: A, 2: A}), _bon("2", {1: A, 2: TIE}), _bon("3", {1: A, 2: B}), _bon("4", {1: A, 2: A})]
    # credits 1, 0 (a tie with one loser), 0 (a loss), 1 -> 2/4 = 50 (beating 6 of 8 losers would say 75)
    assert [rmb.rmb_credit(r) for r in results] == [1.0, 0.0, 0.0, 1.0]
    out = rmb.details(results, None, "vote")
    assert out["headline"]["value"] == pytest.approx(50.0) and "best-of-N accuracy (Helpfulness)" in out["headline"]["name"]


# ---------------------------------------------------------------------------------------------------------------
# end to end


def test_bench_rmb_pairwise_prints_per_scenario_rows(tmp_path: Path, raw: dict[str, list[dict]]) -> None:
    root = shared("rmb")
    proc = run_cli("bench", "--benchmark", "rmb:pairwise", "--judge", "longer", "--limit", "120", "--results-dir", str(tmp_path / "r"), "--no-progress", env={"JUDGEBENCH_DATA_DIR": str(root.parent)})
    assert proc.returncode == 0, proc.stderr
    # the first 120 pairs in load order: Problem Solving's 100, then Casual Conversation's first 20; ``longer`` is
    # right when the chosen answer has strictly more characters (equal lengths: a tie, wrong)
    rows = raw["Helpfulness/Brainstorming/Problem Solving.json"] + raw["Helpfulness/Chat/Casual Conversation.json"][:20]
    right = [len(r["chosen"]["answer"]) > len(r["reject"]["answer"]) for r in rows]
    expected = {
        "Helpfulness/Brainstorming/Problem Solving": (100 * sum(right[:100]) / 100, 100),
        "Helpfulness/Chat/Casual Conversation": (100 * sum(right[100:]) / 20, 20),
        "Helpfulness (mean over items)": (100 * sum(right) / 120, 120),
    }
    table = {m[0]: (float(m[1]), int(m[2])) for m in re.findall(r"^\| ([^|]+?) \| ([\d.]+) \| (\d+) \|$", proc.stdout, flags=re.M)}
    for name, (value, n) in expected.items():
        assert table[name] == (round(value, 1), n), (name, proc.stdout)
    assert f"RMB pairwise accuracy (Helpfulness): {100 * sum(right) / 120:.1f} (95% CI" in proc.stdout
    assert "Idea Development.json" in proc.stderr
