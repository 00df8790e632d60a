"""MT-Bench human judgments as a benchmark (issue 15): items per FastChat key from hand-made rows in the hub's format,
FastChat's S1/S2 agreement of a judge with the experts (every expected number counted by hand in the comments, by
``compute_agreement.py``'s rule: lm-sys/FastChat fastchat/llm_judge/compute_agreement.py @ b2f187c), the end-to-end
``bench`` run offline on a local copy, the published-number reproduction on hand-made ``human`` / ``gpt4_pair`` rows,
and errors naming file, row and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from judgebench.benchmarks import find_benchmark, get_benchmark, load_items, mt_bench_human
from judgebench.errors import InputError
from judgebench.schema import Decision, ItemResult, Judgment, Preference, Turn

from ..conftest import run_cli

A, C, G, V = "alpaca-13b", "claude-v1", "gpt-4", "vicuna-13b"
CONV = {  # each model's whole two-turn conversation per question (the hub stores both turns in every row)
    (81, G): ["Q81 first", "G81 answer one, rather long", "Q81 second", "G2"],
    (81, A): ["Q81 first", "A1", "Q81 second", "A2 is the longer one"],
    (82, G): ["Q82 first", "gpt!", "Q82 second", "x"],
    (82, C): ["Q82 first", "clau", "Q82 second", "y"],
    (83, C): ["Q83 first", "c", "Q83 second", "c2"],
    (83, V): ["Q83 first", "v", "Q83 second", "v2"],
}


def conv(qid: int, model: str) -> list[dict[str, str]]:
    return [{"role": "user" if k % 2 == 0 else "assistant", "content": text} for k, text in enumerate(CONV[(qid, model)])]


def row(qid: int, a: str, b: str, winner: str, judge: str, turn: int = 1) -> dict:
    return {"question_id": qid, "model_a": a, "model_b": b, "winner": winner, "judge": judge, "conversation_a": conv(qid, a), "conversation_b": conv(qid, b), "turn": turn}


# key (turn, qid, model_1 < model_2): votes in that order ("model_a" = model_1)
HUMAN = [
    row(81, G, A, "model_a", "expert_0"),  # t1 (81, A, G): G wins -> model_b
    row(81, A, G, "model_b", "expert_1"),  # model_b
    row(81, A, G, "tie", "expert_2"),  # tie
    row(81, A, G, "model_a", "author_0"),  # author: kept aside, never counted
    row(81, A, G, "model_b", "expert_0", turn=2),  # t2 (81, A, G): model_b
    row(81, G, A, "tie (bothbad)", "expert_3", turn=2),  # tie (bothbad)
    row(82, C, G, "model_a", "expert_4"),  # t1 (82, C, G): model_a
    row(82, G, C, "model_a", "expert_5"),  # G wins -> model_b
    row(82, C, G, "model_a", "author_1"),  # author
    row(83, C, V, "model_b", "author_2"),  # a key with only an author vote: no item
]
GPT4 = [
    row(81, G, A, "model_a", "gpt4_pair"),  # t1 (81, A, G): model_b
    row(81, A, G, "tie (inconsistent)", "gpt4_pair", turn=2),  # a tie
    row(82, C, G, "model_a", "gpt4_pair"),  # t1 (82, C, G): model_a
    row(83, C, V, "model_b", "gpt4_pair"),  # no expert vote on this key: compared with nothing
]


def write_copy(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "human.jsonl").write_text("".join(json.dumps(r) + "\n" for r in HUMAN), encoding="utf-8")
    (folder / "gpt4_pair.json").write_text(json.dumps(GPT4), encoding="utf-8")
    return folder


def test_registered_with_splits_and_env() -> None:
    bench = get_benchmark("mt_bench_human")
    assert bench.splits == ("human", "turn1", "turn2") and bench.default_split == "human"
    assert bench.data_env == "JUDGEBENCH_MT_BENCH_HUMAN_DIR" and bench.details is not None
    assert bench.protocol == ("pairwise", {"orders": "both"}) and bench.rule == "vote"
    assert find_benchmark("mt_bench_human:turn2") == (bench, "turn2")


def test_items_one_per_key_with_conversations_and_votes(tmp_path: Path) -> None:
    items = load_items("mt_bench_human", data_dir=write_copy(tmp_path)).items
    # keys with an expert vote, in order of first row: (81, t1), (81, t2), (82, t1); (83, t1) has only an author
    assert [i.id for i in items] == [f"q81-t1-{A}-vs-{G}", f"q81-t2-{A}-vs-{G}", f"q82-t1-{C}-vs-{G}"]
    t1, t2, q82 = items
    # turn 1: the first question; responses in key order (alpaca-13b < gpt-4), whatever each row's order
    assert t1.prompt == (Turn("user", "Q81 first"),)
    assert [(r.text, r.model, r.id) for r in t1.responses] == [("A1", A, A), ("G81 answer one, rather long", G, G)]
    assert t1.metadata["human_votes"] == [{"judge": "expert_0", "winner": "model_b"}, {"judge": "expert_1", "winner": "model_b"}, {"judge": "expert_2", "winner": "tie"}]
    assert t1.metadata["author_votes"] == [{"judge": "author_0", "winner": "model_a"}]
    assert t1.target == Preference(1) and t1.category == "turn1"  # plurality: model_b 2, tie 1
    # turn 2: both user questions (each model's own first answer kept aside), the turn-2 answers
    assert t2.prompt == (Turn("user", "Q81 first"), Turn("user", "Q81 second"))
    assert [r.text for r in t2.responses] == ["A2 is the longer one", "G2"]
    assert t2.metadata["first_answers"] == ["A1", "G81 answer one, rather long"]
    assert t2.target == Preference(None)  # model_b 1, tie 1: no plurality
    assert q82.target == Preference(None) and q82.metadata["author_votes"] == [{"judge": "author_1", "winner": "model_a"}]
    assert [i.id for i in load_items("mt_bench_human:turn2", data_dir=tmp_path).items] == [f"q81-t2-{A}-vs-{G}"]
    assert len(load_items("mt_bench_human:turn1", data_dir=tmp_path).items) == 2


def _judged(item_id: str, items: list, g1: Decision, g2: Decision) -> ItemResult:
    """Two games; ``g2`` given in the item's frame, written in the order shown (flipped) as a judge returns it."""
    item = next(i for i in items if i.id == item_id)
    return ItemResult(item, "j", "m", (Judgment(g1, game=1, view=(0, 1)), Judgment(g2.flipped(), game=2, view=(1, 0))))


def test_details_by_hand(tmp_path: Path) -> None:
    items = load_items("mt_bench_human", data_dir=write_copy(tmp_path)).items
    AB, BA, NONE = Decision.A_BETTER, Decision.B_BETTER, Decision.NONE
    results = [
        _judged(f"q81-t1-{A}-vs-{G}", items, BA, BA),  # judge: model_b
        _judged(f"q81-t2-{A}-vs-{G}", items, NONE, NONE),  # no verdict
        _judged(f"q82-t1-{C}-vs-{G}", items, AB, BA),  # vote: +1 - 1 = 0 -> tie
    ]
    assert [mt_bench_human.judge_winner(r, "vote") for r in results] == ["model_b", None, "tie"]
    got = mt_bench_human.details(results, None, "vote")
    rows = {r["name"]: (r["agree"], r["n"]) for r in got["rows"] if "agree" in r}
    # judge vs human, turn 1: (81) b vs [b, b, tie] -> S1 2/3, S2 2/2; (82) tie vs [a, b] -> S1 0/2, S2 none
    assert rows["turn 1: judge vs human S1 (with ties)"] == (2, 5)
    assert rows["turn 1: judge vs human S2 (without ties)"] == (2, 2)
    # turn 2: no verdict vs [b, tie (bothbad)] -> a disagreement with each: S1 0/2; S2 with the non-tie b: 0/1
    assert rows["turn 2: judge vs human S1 (with ties)"] == (0, 2)
    assert rows["turn 2: judge vs human S2 (without ties)"] == (0, 1)
    assert rows["both turns: judge vs human S1 (with ties)"] == (2, 7)
    assert rows["both turns: judge vs human S2 (without ties)"] == (2, 3)
    # human vs human, turn 1: (81) (b,b) yes, (b,tie) no, (b,tie) no; (82) (a,b) no -> S1 1/4; S2 (b,b), (a,b) -> 1/2
    assert rows["turn 1: human vs human S1 (with ties)"] == (1, 4)
    assert rows["turn 1: human vs human S2 (without ties)"] == (1, 2)
    # turn 2: (b, tie (bothbad)) -> S1 0/1, S2 nothing
    assert rows["turn 2: human vs human S1 (with ties)"] == (0, 1)
    assert rows["turn 2: human vs human S2 (without ties)"] == (0, 0)
    assert rows["both turns: human vs human S1 (with ties)"] == (1, 5)
    head = got["headline"]
    assert head["value"] == pytest.approx(100 * 2 / 3) and head["ci_low"] <= head["value"] <= head["ci_high"]
    assert next(r for r in got["rows"] if r["name"].startswith("judge: items without"))["value"] == 1


def test_bench_end_to_end_offline(tmp_path: Path) -> None:
    copy = write_copy(tmp_path / "mt_bench_human")
    proc = run_cli("bench", "--benchmark", "mt_bench_human", "--data-dir", str(copy), "--judge", "longer", "--results-dir", str(tmp_path / "r"), "--no-progress")
    assert proc.returncode == 0, proc.stderr
    # `longer`: (81, t1) G's first answer is longer -> model_b vs [b, b, tie]: S1 2/3, S2 2/2; (81, t2) A's second
    # answer is longer -> model_a vs [b, tie (bothbad)]: S1 0/2, S2 0/1; (82, t1) equal lengths -> tie vs [a, b]:
    # S1 0/2, S2 none. Pooled: S1 2/7 = 28.6%, S2 2/3 = 66.7% (the headline)
    assert "66.7" in proc.stdout and "28.6" in proc.stdout, proc.stdout
    metrics = json.loads(next((tmp_path / "r").rglob("metrics.json")).read_text())
    info = json.loads(next((tmp_path / "r").rglob("run.json")).read_text())
    assert info["benchmark"] == "mt_bench_human" and info["counts"]["judgments"] == 2 * 3
    assert metrics["extra"]["benchmark"]["headline"]["value"] == pytest.approx(200 / 3)
    rows = {r["name"]: (r["agree"], r["n"]) for r in metrics["extra"]["benchmark"]["rows"] if "agree" in r}
    assert rows["both turns: judge vs human S1 (with ties)"] == (2, 7) and rows["turn 2: judge vs human S2 (without ties)"] == (0, 1)


def test_reproduction_on_hand_made_splits(tmp_path: Path) -> None:
    rep = mt_bench_human.reproduce_agreement(write_copy(tmp_path), n_resamples=200)
    s = {(who, t, x.setup): (x.agree, x.total) for who, by in (("gpt4", rep.gpt4), ("human", rep.human)) for t, a in by.items() for x in (a.s1, a.s2)}
    # gpt4_pair vs experts, turn 1: (81) b vs [b, b, tie] -> S1 2/3, S2 2/2; (82) a vs [a, b] -> S1 1/2, S2 1/2;
    # (83) only an author voted: nothing. S1 3/5 = 60%, S2 3/4 = 75%
    assert s[("gpt4", 1, "S1")] == (3, 5) and s[("gpt4", 1, "S2")] == (3, 4)
    # turn 2: tie (inconsistent) vs [b, tie (bothbad)]: S1 1/2 (two ties agree), S2 nothing (the judge's vote is a tie)
    assert s[("gpt4", 2, "S1")] == (1, 2) and s[("gpt4", 2, "S2")] == (0, 0)
    assert s[("gpt4", None, "S1")] == (4, 7) and s[("gpt4", None, "S2")] == (3, 4)
    assert s[("human", 1, "S1")] == (1, 4) and s[("human", 1, "S2")] == (1, 2) and s[("human", None, "S1")] == (1, 5)
    assert rep.n_votes == {"human": 10, "human (experts)": 7, "gpt4_pair": 4}
    text = mt_bench_human.render_reproduction(rep)
    assert "| gpt4_pair vs human | 1 | S1 | 60.0 [" in text and "| 3 / 5 | 66 |" in text
    assert "| human vs human | 1 | S2 | 50.0 [" in text and "| 1 / 2 | 81 |" in text


def test_reproduction_command(tmp_path: Path) -> None:
    proc = run_cli("mt-bench-agreement", "--data-dir", str(write_copy(tmp_path)), "--resamples", "200", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    first = next(a for a in out["gpt4_pair vs human"] if a["turn"] == 1)
    assert (first["s1"]["agree"], first["s1"]["total"], first["s2"]["agree"], first["s2"]["total"]) == (3, 5, 3, 4)
    assert {(v["comparison"], v["setup"]): v["value"] for v in out["published"]["values"]} == {
        ("gpt4_pair vs human", "S1"): 66.0,
        ("gpt4_pair vs human", "S2"): 85.0,
        ("human vs human", "S1"): 63.0,
        ("human vs human", "S2"): 81.0,
    }


def test_reproduction_offline_without_a_copy_fails_fast(tmp_path: Path) -> None:
    proc = run_cli("mt-bench-agreement", "--resamples", "10", env={"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "HF_HOME": str(tmp_path)})
    assert proc.returncode == 2, proc.stderr
    assert "hub only" in proc.stderr and "--data-dir" in proc.stderr and "Traceback" not in proc.stderr


def test_local_layouts(tmp_path: Path) -> None:
    # a folder per split, and FastChat's file names
    (tmp_path / "a" / "human").mkdir(parents=True)
    (tmp_path / "a" / "human" / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in HUMAN), encoding="utf-8")
    (tmp_path / "a" / "gpt4_pair_judgments.json").write_text(json.dumps(GPT4), encoding="utf-8")
    assert len(mt_bench_human.load_mt_bench_human_judgments("human", tmp_path / "a")) == 10
    assert len(mt_bench_human.load_mt_bench_human_judgments("gpt4_pair", tmp_path / "a")) == 4
    # a folder of one split's rows, named for no split
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "rows.json").write_text(json.dumps(HUMAN), encoding="utf-8")
    assert len(mt_bench_human.load(split="human", data_dir=tmp_path / "b")) == 3
    # a folder with the other split only
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "gpt4_pair.jsonl").write_text(json.dumps(GPT4[0]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="no rows of the 'human' split"):
        mt_bench_human.load("human", tmp_path / "c")


def test_parquet_copy(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    pd.DataFrame(HUMAN).to_parquet(tmp_path / "human-00000-of-00001.parquet")
    items = mt_bench_human.load("human", tmp_path)
    assert [r.text for r in items[1].responses] == ["A2 is the longer one", "G2"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"conversation_a": None}, r"human.jsonl:2: field 'conversation_a': expected a list of chat messages"),
        ({"conversation_b": [{"role": "user", "content": "q"}]}, r"human.jsonl:2: field 'conversation_b': a turn-1 vote needs 2 messages"),
        ({"conversation_a": [{"role": "assistant", "content": "q"}, {"role": "assistant", "content": "a"}]}, r"human.jsonl:2: field 'conversation_a': message 0 should be a user message"),
        ({"winner": "model_c"}, r"human.jsonl:2: unknown MT-Bench winner"),
        ({"turn": 3}, r"human.jsonl:2: MT-Bench turn must be 1 or 2"),
        ({"model_b": A}, r"human.jsonl:2: field 'model_b': a vote compares two models"),
    ],
)
def test_malformed_rows_name_file_row_field(tmp_path: Path, change: dict, message: str) -> None:
    bad = [HUMAN[0], {**HUMAN[1], **change}]
    (tmp_path / "human.jsonl").write_text("".join(json.dumps(r) + "\n" for r in bad), encoding="utf-8")
    with pytest.raises(InputError, match=message):
        mt_bench_human.load("human", tmp_path)
    with pytest.raises(InputError, match="unknown mt_bench_human split"):
        mt_bench_human.load("gpt4_single", tmp_path)
