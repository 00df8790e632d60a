"""MT-Bench human agreement (FastChat's rule) on hand-made votes, by hand and against FastChat's own functions.

The reference below re-implements ``fastchat/llm_judge/compute_agreement.py`` line for line (lm-sys/FastChat, file
last changed in b2f187c958b17aa723148b274af893d5d3feed2d, read at 0e6d3e4beaab66f4d3f93db72541a4abab8af28d): its
functions need only numpy-free Python, so they run standalone on the same votes.
"""

from __future__ import annotations

import json
import random
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from judgebench.benchmarks.mt_bench_human import load_mt_bench_human_judgments
from judgebench.errors import InputError
from judgebench.metrics.mt_bench_agreement import Vote, compared_pairs, mt_bench_agreement, mt_bench_agreement_by_turn

# ---------------------------------------------------------------------------------------------------------------
# FastChat's functions, line for line (only `raise Exception` kept; the file-reading driver left out)


def get_judge_name(judge):  # type: ignore[no-untyped-def]
    if isinstance(judge, list) and judge[0] == "gpt-4" and judge[1].startswith("pair"):
        return "gpt4-pair"
    if judge.startswith("expert"):
        return "human"
    if judge.startswith("author"):
        return "author"


def revert(vote):  # type: ignore[no-untyped-def]
    if vote == "model_a":
        return "model_b"
    elif vote == "model_b":
        return "model_a"
    return vote


def get_mt_bench_votes_data(raw_votes):  # type: ignore[no-untyped-def]
    data = [{}, {}]

    for judge_votes in raw_votes:
        for vote in judge_votes:
            turn = vote["turn"] - 1
            if vote["model_a"] < vote["model_b"]:
                key = (vote["question_id"], vote["model_a"], vote["model_b"])
                winner = vote["winner"]
            else:
                key = (vote["question_id"], vote["model_b"], vote["model_a"])
                winner = revert(vote["winner"])
            judge = get_judge_name(vote["judge"])
            if key not in data[turn]:
                data[turn][key] = {}
            if judge not in data[turn][key]:
                data[turn][key][judge] = []
            data[turn][key][judge].append(winner)

    return data


def convertvote(vote):  # type: ignore[no-untyped-def]
    if "tie" in vote:
        return "tie"
    return vote


def equalvote(vote1, vote2):  # type: ignore[no-untyped-def]
    if "tie" in vote1 and "tie" in vote2:
        return True
    return vote1 == vote2


def get_mt_bench_agreement(data, judge1, judge2, ban):  # type: ignore[no-untyped-def]
    if judge1.startswith("gpt4") and judge2 == "human":
        stats = [0, 0]
        for votes in data.values():
            if judge1 not in votes or judge2 not in votes:
                continue
            assert len(votes[judge1]) == 1
            if convertvote(votes[judge1][0]) in ban:
                continue
            for v in votes[judge2]:
                if convertvote(v) in ban:
                    continue
                stats[1] += 1
                stats[0] += equalvote(votes[judge1][0], v)
        return stats[0], stats[1]
    elif judge1 == "human" and judge2 == "human":
        stats = [0, 0]
        for votes in data.values():
            if "human" not in votes:
                continue
            for i in range(len(votes["human"]) - 1):
                for j in range(i + 1, len(votes["human"])):
                    if convertvote(votes["human"][i]) in ban or convertvote(votes["human"][j]) in ban:
                        continue
                    stats[1] += 1
                    stats[0] += equalvote(votes["human"][i], votes["human"][j])
        return stats[0], stats[1]
    else:
        raise Exception("Unsupported judges.")


def fastchat_counts(raw_votes: list[list[dict[str, Any]]], judges: tuple[str, str]) -> dict[tuple[int, str], tuple[int, int]]:
    """``{(turn, "S1"|"S2"): (agree, total)}`` as ``run_mt_bench_agreement`` prints them."""
    data = get_mt_bench_votes_data(raw_votes)
    return {(t + 1, s): get_mt_bench_agreement(data[t], judges[0], judges[1], ban=ban) for t in (0, 1) for s, ban in (("S1", []), ("S2", ["tie"]))}


# ---------------------------------------------------------------------------------------------------------------
# hand-made votes

GPT4 = ["gpt-4", "pair-v2"]
A, G, V = "alpaca-13b", "gpt-4", "vicuna-13b"  # string order: A < G < V


def vote(qid: int, ma: str, mb: str, winner: str, judge: Any, turn: int = 1) -> dict[str, Any]:
    return {"question_id": qid, "model_a": ma, "model_b": mb, "winner": winner, "judge": judge, "turn": turn}


# The judge: one vote per key. Normalized winners (key models in string order) after the '->'.
JUDGE = [
    vote(81, A, G, "model_b", GPT4),  # -> b (G wins)
    vote(82, G, V, "tie", GPT4),  # -> tie
    vote(83, V, A, "model_a", GPT4),  # key (A, V), swapped -> b (V wins)
    vote(81, A, G, "model_b", GPT4, turn=2),  # -> b, turn 2: a different key from q81 turn 1
    vote(85, A, V, "model_a", GPT4),  # no human vote on this key: not compared
]
HUMAN = [
    # q81 turn 1, key (A, G): three experts and an author
    vote(81, G, A, "model_a", "expert_0"),  # order swapped against the judge's -> b
    vote(81, A, G, "model_a", "expert_1"),  # -> a
    vote(81, G, A, "model_a", "expert_6"),  # -> b
    vote(81, A, G, "model_b", "author_0"),  # left out (would add a compared pair if counted)
    # q82 turn 1, key (G, V)
    vote(82, G, V, "model_a", "expert_0"),  # -> a
    vote(82, V, G, "tie (bothbad)", "expert_2"),  # -> tie (bothbad)
    vote(82, G, V, "tie", "expert_5"),  # -> tie
    # q83 turn 1, key (A, V)
    vote(83, A, V, "model_b", "expert_3"),  # -> b
    vote(83, V, A, "tie", "expert_4"),  # -> tie
    # q81 turn 2, key (A, G)
    vote(81, A, G, "model_b", "expert_0", turn=2),  # -> b
    # q86 turn 1, key (G, V): humans only, order swapped between the two
    vote(86, V, G, "model_b", "expert_0"),  # -> a
    vote(86, G, V, "model_a", "expert_1"),  # -> a
]

# Judge vs human, every judge vote with every human vote on the key (J = judge's normalized vote):
#   turn 1  q81 J=b vs [b, a, b]       S1: agree b-b, b-b; not b-a     -> 2/3;  S2: no tie -> 2/3
#           q82 J=tie vs [a, tbb, tie] S1: tie-a no; tie-tbb yes (both ties); tie-tie yes -> 2/3;  S2: J is a tie -> 0/0
#           q83 J=b vs [b, tie]        S1: b-b yes; b-tie no (a tie on one side) -> 1/2;  S2: b-b only -> 1/1
#           q85 (no human), q86 (no judge): nothing
#           S1 = 5/8, S2 = 3/4
#   turn 2  q81 J=b vs [b]             S1 = 1/1, S2 = 1/1
#   pooled  S1 = 6/9, S2 = 4/5
# Human vs human, every unordered pair of votes on one key:
#   turn 1  q81 [b, a, b]      pairs b-a no, b-b yes, a-b no        S1 1/3, S2 1/3
#           q82 [a, tbb, tie]  a-tbb no, a-tie no, tbb-tie yes      S1 1/3, S2 0/0 (each pair has a tie)
#           q83 [b, tie]       b-tie no                             S1 0/1, S2 0/0
#           q86 [a, a]         yes                                  S1 1/1, S2 1/1
#           S1 = 3/8, S2 = 2/4
#   turn 2  q81 [b]: one vote, no pair -> S1 0/0, S2 0/0 (value None)
JUDGE_VS_HUMAN = {(1, "S1"): (5, 8), (1, "S2"): (3, 4), (2, "S1"): (1, 1), (2, "S2"): (1, 1)}
HUMAN_VS_HUMAN = {(1, "S1"): (3, 8), (1, "S2"): (2, 4), (2, "S1"): (0, 0), (2, "S2"): (0, 0)}


def counts(votes_a: list[Any], votes_b: list[Any] | None) -> dict[tuple[int, str], tuple[int, int]]:
    out = {}
    for turn in (1, 2):
        r = mt_bench_agreement(votes_a, votes_b, turn=turn, ci=False)
        out[(turn, "S1")] = (r.s1.agree, r.s1.total)
        out[(turn, "S2")] = (r.s2.agree, r.s2.total)
    return out


def test_judge_vs_human_by_hand() -> None:
    assert counts(JUDGE, HUMAN) == JUDGE_VS_HUMAN
    pooled = mt_bench_agreement(JUDGE, HUMAN, ci=False)
    assert (pooled.s1.agree, pooled.s1.total, pooled.s2.agree, pooled.s2.total) == (6, 9, 4, 5)
    assert pooled.s1.value == pytest.approx(6 / 9) and pooled.s2.value == pytest.approx(4 / 5)


def test_human_vs_human_by_hand() -> None:
    assert counts(HUMAN, None) == HUMAN_VS_HUMAN
    t2 = mt_bench_agreement(HUMAN, turn=2)
    assert t2.s1.value is None and t2.s1.total == 0 and t2.s1.ci_low is None


def test_matches_fastchat_on_the_hand_made_votes() -> None:
    assert fastchat_counts([JUDGE, HUMAN], ("gpt4-pair", "human")) == JUDGE_VS_HUMAN
    assert fastchat_counts([HUMAN], ("human", "human")) == HUMAN_VS_HUMAN


def test_author_votes_are_left_out() -> None:
    as_expert = [dict(v, judge="expert_9") if v["judge"] == "author_0" else v for v in HUMAN]
    r = mt_bench_agreement(JUDGE, as_expert, turn=1, ci=False)
    assert (r.s1.agree, r.s1.total) == (6, 9)  # the author's b on q81 would agree with the judge's b
    assert mt_bench_agreement(JUDGE, HUMAN, turn=1, ci=False).s1.total == 8


def test_model_order_and_winner_are_normalized_together() -> None:
    key_pairs = compared_pairs([vote(1, V, A, "model_a", "expert_0")], [vote(1, A, V, "model_b", "expert_1")])
    assert key_pairs == [((1, 1, A, V), "model_b", "model_b")]
    r = mt_bench_agreement([vote(1, V, A, "model_a", "expert_0")], [vote(1, A, V, "model_b", "expert_1")], ci=False)
    assert (r.s1.agree, r.s1.total, r.s2.agree, r.s2.total) == (1, 1, 1, 1)


def test_matches_fastchat_on_random_votes() -> None:
    rng = random.Random(7)
    models = ["alpaca-13b", "claude-v1", "gpt-3.5-turbo", "gpt-4", "llama-13b", "vicuna-13b"]
    winners = ["model_a", "model_b", "tie", "tie (bothbad)"]
    judge: list[dict[str, Any]] = []
    human: list[dict[str, Any]] = []
    for qid in range(81, 111):
        for _ in range(4):
            ma, mb = rng.sample(models, 2)
            for turn in (1, 2):
                if rng.random() < 0.8 and not any(v["question_id"] == qid and {v["model_a"], v["model_b"]} == {ma, mb} and v["turn"] == turn for v in judge):
                    judge.append(vote(qid, ma, mb, rng.choice(winners[:3]), GPT4, turn))
                for _ in range(rng.randint(0, 4)):
                    a, b = (ma, mb) if rng.random() < 0.5 else (mb, ma)
                    human.append(vote(qid, a, b, rng.choice(winners), rng.choice(["expert_0", "expert_1", "expert_2", "author_0", "author_1"]), turn))
    assert counts(judge, human) == fastchat_counts([judge, human], ("gpt4-pair", "human"))
    assert counts(human, None) == fastchat_counts([human], ("human", "human"))


def test_by_turn_and_interval() -> None:
    by_turn = mt_bench_agreement_by_turn(JUDGE, HUMAN, n_resamples=2000)
    assert set(by_turn) == {1, 2, None}
    pooled = by_turn[None]
    assert pooled.s1.ci_low is not None and pooled.s1.ci_high is not None
    assert 0.0 <= pooled.s1.ci_low <= pooled.s1.value <= pooled.s1.ci_high <= 1.0  # type: ignore[operator]
    assert pooled.to_dict()["s2"]["total"] == 5


def test_bad_votes_raise() -> None:
    with pytest.raises(ValueError, match="winner"):
        mt_bench_agreement([vote(1, A, G, "model_c", "expert_0")], ci=False)
    with pytest.raises(ValueError, match="turn"):
        mt_bench_agreement([vote(1, A, G, "tie", "expert_0", turn=3)], ci=False)
    with pytest.raises(ValueError, match="question_id"):
        Vote.from_row({"model_a": A, "model_b": G, "winner": "tie", "turn": 1})
    assert Vote.from_row(JUDGE[0]).judge == "gpt-4/pair-v2"


# ---------------------------------------------------------------------------------------------------------------
# the loader


def test_loader_reads_a_local_copy(tmp_path: Path) -> None:
    (tmp_path / "human.jsonl").write_text("".join(json.dumps(v) + "\n" for v in HUMAN), encoding="utf-8")
    (tmp_path / "judge.json").write_text(json.dumps(JUDGE), encoding="utf-8")
    human = load_mt_bench_human_judgments("human", tmp_path / "human.jsonl")
    judge = load_mt_bench_human_judgments("gpt4_pair", tmp_path / "judge.json")
    assert len(human) == len(HUMAN) and all(isinstance(v, Vote) for v in human)
    assert counts(judge, human) == JUDGE_VS_HUMAN


def test_loader_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InputError, match="unknown split"):
        load_mt_bench_human_judgments("gpt4_single")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(vote(1, A, G, "model_c", "expert_0")) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.jsonl:1: unknown MT-Bench winner"):
        load_mt_bench_human_judgments("human", bad)
    with pytest.raises(InputError, match="no MT-Bench human judgments copy"):
        load_mt_bench_human_judgments("human", tmp_path / "missing")

    def offline(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("no network")

    monkeypatch.setitem(sys.modules, "datasets", types.SimpleNamespace(load_dataset=offline))
    with pytest.raises(InputError, match="hub only"):
        load_mt_bench_human_judgments("human")


def test_tie_inconsistent_is_a_tie() -> None:
    # gpt4_pair codes a verdict that changed with the order as "tie (inconsistent)"; FastChat's convertvote / equalvote
    # read any winner containing "tie" as a tie: it agrees with "tie (bothbad)" in S1 and leaves S2 (0 compared)
    judge = [vote(1, A, G, "tie (inconsistent)", "gpt4_pair")]
    human = [vote(1, A, G, "tie (bothbad)", "expert_0"), vote(1, A, G, "model_a", "expert_1")]
    got = mt_bench_agreement(judge, human, ci=False)
    assert (got.s1.agree, got.s1.total, got.s2.total) == (1, 2, 0)
