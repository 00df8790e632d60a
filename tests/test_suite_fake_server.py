"""Issue 15's "done when" for the suite: a prompted judge and a reward model, each served by the fake
OpenAI-compatible server on 127.0.0.1 (a real HTTP server), run through ``judgebench suite`` on three benchmarks with
a local copy; the accuracy planted in the simulated judge is recovered in every benchmark's headline interval, and
``leaderboard`` and ``report`` over the results put both judges in one suite table.

The planted accuracy (``judgebench.testing.fake_server``): on a pairwise prompt the simulated judge knows the answer
with probability ``accuracy`` per view and otherwise picks a position by a fair coin (``position_bias`` 0.5), so each
view is right with probability p = ``accuracy + (1 - accuracy) / 2`` = 0.9, independently. Under the vote rule
(JudgeBench, HH-RLHF here) two views that disagree make a tie, which earns nothing against a winner label, so the
expected credit is p^2 = 0.81; under LLMBar's average rule it is p = 0.9. A reward-model request for the chosen
response gets a reward above every rejected one's with probability ``accuracy`` (the sign of its reward is flipped
otherwise; ``FakeJudgeServer.reward``), and both orders see the same rewards, so the reward model's expected
accuracy is 0.8 under every rule.
Needs ``../shared/data`` (skips, saying so, without
it).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from .conftest import run_cli, shared

BENCHMARKS = ("judgebench:gpt", "llmbar:natural", "hh_rlhf")
PLANTED = 0.8
P_VIEW = PLANTED + (1 - PLANTED) / 2
EXPECTED = {
    "vanilla": {"judgebench:gpt": 100 * P_VIEW**2, "hh_rlhf": 100 * P_VIEW**2, "llmbar:natural": 100 * P_VIEW},
    "reward_model": dict.fromkeys(BENCHMARKS, 100 * PLANTED),
}
LIMIT = 80


@pytest.fixture(scope="module")
def suite_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    from judgebench.benchmarks import load_items
    from judgebench.testing.fake_server import FakeConfig, FakeJudgeServer

    data = shared("judgebench").parent
    tmp = tmp_path_factory.mktemp("suite")
    env = {"JUDGEBENCH_DATA_DIR": str(data), "JUDGEBENCH_CACHE_DIR": str(tmp / "cache")}
    # the simulated judge must know which response is right: the same items the suite will load
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUDGEBENCH_DATA_DIR", str(data))
        items = [i for b in BENCHMARKS for i in load_items(b, limit=LIMIT).items]
    # the server finds a pair's responses by their text; a chat prompt (HH-RLHF) plays no part in that
    pairs = [replace(i, prompt="(see the conversation)").to_pair() for i in items]
    out: dict[str, object] = {"dir": tmp / "results", "env": env}
    with FakeJudgeServer(FakeConfig(accuracy=PLANTED, seed=15), pairs) as server:
        for judge, model in (("vanilla", "openai:fake-judge"), ("reward_model", "vllm-reward:fake-rm")):
            proc = run_cli(
                "suite", "--judge", judge, "--model", model, "--base-url", server.base_url, "--benchmarks", ",".join(BENCHMARKS),
                "--limit", str(LIMIT), "--results-dir", str(tmp / "results"), "--format", "json", "--concurrency", "16", env=env,
            )
            out[judge] = proc
    return out


@pytest.mark.parametrize("judge", ["vanilla", "reward_model"])
def test_a_served_judge_runs_through_the_suite_and_the_planted_accuracy_is_recovered(suite_results: dict, judge: str) -> None:
    proc = suite_results[judge]
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = {r["benchmark"]: r for r in json.loads(proc.stdout)}
    assert set(rows) == set(BENCHMARKS)
    for name, r in rows.items():
        assert r["n"] == LIMIT and r["failed"] == 0 and r["note"] is None, (name, r)
        # the headline is the benchmark's own, with its 95% interval, and the planted accuracy lies in it
        assert r["ci_low"] is not None and r["ci_low"] <= EXPECTED[judge][name] <= r["ci_high"], (judge, name, r["value"], r["ci_low"], r["ci_high"])
    # one progress display for the whole suite: its label counts the benchmarks
    assert "[1/3] judgebench:gpt" in proc.stderr and "[3/3] hh_rlhf" in proc.stderr


def test_leaderboard_and_report_put_both_judges_in_one_suite_table(suite_results: dict, tmp_path: Path) -> None:
    results = suite_results["dir"]
    proc = run_cli("leaderboard", str(results), "--write", "--out-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    suite_part = text.split("## Suite: each benchmark's headline score", 1)[1]
    header = next(line for line in suite_part.splitlines() if line.startswith("| Judge"))
    assert header == "| Judge | hh_rlhf:test | judgebench:gpt | llmbar:natural |", header
    body = [line for line in suite_part.splitlines() if line.startswith("| ") and not line.startswith("| Judge")]
    assert any(line.startswith("| vanilla: openai:fake-judge") for line in body) and any(line.startswith("| reward_model: vllm-reward:fake-rm") for line in body), body
    records = (tmp_path / "suite.csv").read_text(encoding="utf-8").splitlines()
    assert records[0].startswith("judge,benchmark,headline,value,ci_low,ci_high") and len(records) == 1 + 2 * len(BENCHMARKS)
    assert (tmp_path / "suite.tex").read_text(encoding="utf-8").count(r"\\") >= 3  # header and two judges
    html_path = tmp_path / "report.html"
    proc = run_cli("report", str(results), "--out", str(html_path), "--no-figures")
    assert proc.returncode == 0, proc.stderr
    html = html_path.read_text(encoding="utf-8")
    suite_html = html.split('<section id="suite">', 1)[1].split("</section>", 1)[0]
    assert "vanilla: openai:fake-judge" in suite_html and "reward_model: vllm-reward:fake-rm" in suite_html
