"""Issue 12 item 5: small numbers that were wrong.

* A judgebench result line with ``"games": []`` is an input error (file, line, field), as in the released format.
* ``human_baseline`` compares each human with the *plurality* of the others (their unique most frequent label; a
  tie drops the item), and says so.
* A reward that is not a finite number (NaN, Infinity) is a failed call, never a ``B>A`` verdict, never cached.
* Negative, fractional or non-numeric ``usage`` counts as 0 tokens: never a negative cost, never a lost answer.
* A server's own message in an HTTP 200 error body reaches the recorded failure.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from judgebench.analysis.replay import read_judgment_file
from judgebench.cli import main
from judgebench.errors import InputError
from judgebench.metrics import reliability as rl
from judgebench.run.runner import RunSpec, run
from judgebench.schema import Decision

from ..conftest import make_pair, write_jsonl
from .canned_server import CannedServer, chat_reply

FAST = {"n_resamples": 200, "seed": 0}


def pairs_file(tmp_path: Path, n: int = 6) -> str:
    rows = [make_pair(i, "A>B", response_A=f"answer alpha {i}", response_B=f"answer beta {i}") for i in range(n)]
    return str(write_jsonl(tmp_path / "pairs.jsonl", rows))


def spec(data: str, base_url: str, tmp_path: Path, **kw: Any) -> RunSpec:
    base: dict[str, Any] = dict(data=data, judge="vanilla", model="openai:test", base_url=base_url, results_dir=str(tmp_path / "results"), cache_dir=str(tmp_path / "cache"), progress=False, concurrency=4, timeout=10, max_retries=1)
    base.update(kw)
    return RunSpec(**base)


# ---- "games": [] ---------------------------------------------------------------------------------------------


def result_line(games: list[dict[str, Any]], i: int = 0) -> dict[str, Any]:
    pair = make_pair(i)
    return {"pair_id": pair["pair_id"], "judge": "vanilla", "model": "openai:test", "pair": pair, "games": games}


GAME = {"decision": "A>B", "game": 1, "prompt": "", "output": "[[A]]", "scores": None, "error": None, "confidence": None, "usage": {}}


@pytest.mark.parametrize("games", [[], [GAME, GAME], [GAME, dict(GAME, game=2), dict(GAME, game=2)]], ids=["empty", "game 1 twice", "three games"])
def test_result_line_without_one_or_two_distinct_games_is_an_input_error(games: list[dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_jsonl(tmp_path / "judgments.jsonl", [result_line([GAME, dict(GAME, game=2)], 0), result_line(games, 1)])
    with pytest.raises(InputError) as e:
        read_judgment_file(path)
    assert e.value.line == 2 and e.value.field == "games", str(e.value)
    assert main(["score", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:2" in err and "'games'" in err, err


# ---- human_baseline: the plurality of the other humans -----------------------------------------------------


def test_human_baseline_reference_is_the_plurality_of_the_others() -> None:
    # 5 humans, 2 items, labels 0 / 1 / 2 (A, B, tie). Item 0: humans 0, 0, 1, 2, 1; item 1: all 1. Judge: 0, 1.
    # Item 0, leaving out each human in turn, the others' labels and their plurality:
    #   h0: 0,1,2,1 -> 1 (2 of 4: a plurality, not a strict majority); h0 says 0: no;  judge 0: no
    #   h1: 0,1,2,1 -> 1;                                                h1 says 0: no;  judge: no
    #   h2: 0,0,2,1 -> 0;                                                h2 says 1: no;  judge: yes
    #   h3: 0,0,1,1 -> tie for the top: item dropped for h3
    #   h4: 0,0,1,2 -> 0;                                                h4 says 1: no;  judge: yes
    # Item 1: every reference is 1 and every human and the judge say 1.
    # Per human (matches / usable items): human  h0 1/2, h1 1/2, h2 1/2, h3 1/1, h4 1/2 -> mean 3/5
    #                                     judge  h0 1/2, h1 1/2, h2 2/2, h3 1/1, h4 2/2 -> mean 4/5
    # (A strict-majority rule would drop item 0 for everyone and give 1 and 1.)
    h = np.array([[0, 1], [0, 1], [1, 1], [2, 1], [1, 1]], dtype=float)
    j = np.array([0, 1], dtype=float)
    human, judge = rl.human_baseline(h, j, **FAST)
    assert human.value == pytest.approx(3 / 5) and judge.value == pytest.approx(4 / 5)
    assert human.n == 2


def test_human_baseline_names_the_plurality_rule_when_nothing_is_usable() -> None:
    # three humans giving three different labels on both items: leaving any one out, the other two tie for the
    # top on every item, so no item has a reference and both values are undefined, with the reason
    human, judge = rl.human_baseline([[0, 1], [1, 2], [2, 0]], [0, 1], **FAST)
    assert human.value is None and judge.value is None
    assert "most frequent label" in (human.reason or "") and "strict majority" not in (human.reason or ""), human.reason


# ---- rewards that are not numbers --------------------------------------------------------------------------


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_reward_is_a_failed_call_not_a_verdict(literal: str, tmp_path: Path) -> None:
    def reply(path: str, body: dict[str, Any]) -> tuple[int, str]:
        text = body["messages"][-1]["content"]
        reward = literal if "alpha" in text else "0.5"  # response A gets the non-finite reward
        return 200, '{"object": "list", "data": [{"index": 0, "object": "pooling", "data": [' + reward + "]}]}"

    data = pairs_file(tmp_path)
    with CannedServer(reply) as server:
        out = run(spec(data, server.base_url, tmp_path, judge="reward_model", model="vllm-reward:test"))
        games = [g for r in out.results for g in r.games]
        assert len(games) == 6 and all(g.decision == Decision.NONE for g in games)  # never B>A
        assert all(g.error and "not a finite number" in g.error for g in games), [g.error for g in games]
        assert out.metrics.n_failed == 6
        calls = server.calls
        run(spec(data, server.base_url, tmp_path, judge="reward_model", model="vllm-reward:test", results_dir=str(tmp_path / "again")))
        assert server.calls > calls  # the non-finite reward was not cached: asked again
    assert literal.encode() not in b"".join(p.read_bytes() for p in (tmp_path / "cache").rglob("*") if p.is_file())


# ---- usage that is not a count -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        ({"prompt_tokens": -50, "completion_tokens": -7}, (0, 0)),  # negative: 0, so the cost cannot go negative
        ({"prompt_tokens": "12x", "completion_tokens": None}, (0, 0)),  # not a number: 0, the answer is kept
        ({"prompt_tokens": 12.5, "completion_tokens": float("nan")}, (0, 0)),  # fractional, NaN: 0
        ({"prompt_tokens": 100.0, "completion_tokens": "3"}, (100, 3)),  # whole numbers written as float or text
        ("lots", (0, 0)),  # usage that is not an object
    ],
    ids=["negative", "text", "fractional-nan", "whole-float-and-text", "not-an-object"],
)
def test_odd_usage_counts_as_zero_and_keeps_the_answer(usage: Any, expected: tuple[int, int], tmp_path: Path) -> None:
    body = json.dumps(chat_reply("[[A]]", usage=usage))  # json.dumps writes a float NaN as the literal NaN
    data = pairs_file(tmp_path, 3)
    with CannedServer(lambda path, _: (200, body)) as server:
        # gpt-4o-mini is in the price table, so a negative token count would have made a negative cost
        out = run(spec(data, server.base_url, tmp_path, model="openai:gpt-4o-mini"))
    games = [g for r in out.results for g in r.games]
    assert len(games) == 6 and not any(g.is_failed for g in games), [g.error for g in games]
    assert all(g.decision in (Decision.A_BETTER,) for g in games)
    assert all((g.usage.prompt_tokens, g.usage.completion_tokens) == expected for g in games)
    # cost = (prompt * 0.15 + completion * 0.60) / 1e6 per call, at gpt-4o-mini's listed prices
    per_call = (expected[0] * 0.15 + expected[1] * 0.60) / 1e6
    assert out.run_info["usage"]["cost_usd"] == pytest.approx(6 * per_call) and out.run_info["usage"]["cost_usd"] >= 0


# ---- the server's message in an HTTP 200 error body ---------------------------------------------------------


def test_error_in_a_200_body_is_recorded_with_the_servers_message(tmp_path: Path) -> None:
    data = pairs_file(tmp_path, 2)
    with CannedServer(lambda path, _: (200, {"error": {"message": "upstream model overloaded (canned)", "type": "server_error"}})) as server:
        out = run(spec(data, server.base_url, tmp_path, max_retries=1))
        assert server.calls == 2 * 2 * 2  # 2 pairs x 2 games, each tried twice: it is retried like a 5xx
    games = [g for r in out.results for g in r.games]
    assert all(g.is_failed and "upstream model overloaded (canned)" in (g.error or "") for g in games), [g.error for g in games]


# ---- text that is not well-formed Unicode --------------------------------------------------------------------


def test_lone_surrogate_in_a_reply_is_replaced_and_the_run_writes_and_reads_back(tmp_path: Path) -> None:
    # "\ud800" is valid JSON but no UTF-8 text: before, the judgment could not be written (the run crashed after
    # the call succeeded, on every retry). The verdict after it is still read.
    body = '{"choices": [{"index": 0, "message": {"role": "assistant", "content": "odd \\ud800 text. [[A]]"}, "finish_reason": "stop"}]}'
    data = pairs_file(tmp_path, 3)
    with CannedServer(lambda path, _: (200, body)) as server:
        out = run(spec(data, server.base_url, tmp_path, judge="skywork_critic"))
        calls = server.calls
        again = run(spec(data, server.base_url, tmp_path, judge="skywork_critic", results_dir=str(tmp_path / "again")))
        assert server.calls == calls  # the cached answer is well-formed too and is served from the cache
    games = [g for r in out.results for g in r.games]
    assert games and all(g.decision == Decision.A_BETTER and g.output == "odd \ufffd text. [[A]]" for g in games)
    reread = read_judgment_file(out.out_dir / "judgments.jsonl")
    assert [g.output for r in reread.results for g in r.games] == [g.output for g in games]
    assert [g.decision for r in again.results for g in r.games] == [g.decision for g in games]
