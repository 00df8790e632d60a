"""Issue 12 item 4: a judgment carries a confidence only when it is a probability. Reward margins and length
differences are typed scores that feed only rank-based measures (accuracy vs coverage, AUROC); the ECE is a
number only for probabilities and otherwise undefined with the reason.

Runs are real runs (the ``longer`` baseline, and a reward model and a logprobs judge against the simulator on
127.0.0.1); ``score --bias`` is read through the CLI, as a user would.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from judgebench.benchmarks import load_pairs
from judgebench.run.runner import RunSpec, run
from judgebench.schema import Decision, ItemResult, Judgment, Pair
from judgebench.testing.fake_server import FakeConfig

from ..conftest import make_pair, run_cli, write_jsonl

ECE = "expected calibration error (10 bins)"
AUROC = "AUROC (confidence vs correctness)"
A, B = Decision.A_BETTER, Decision.B_BETTER


def pairs_file(tmp_path: Path, n: int = 40) -> Path:
    # the correct response is longer on pairs 0-11 and 20-29 (22 of 40), so `longer` is right on 55%
    rows = []
    for i in range(n):
        right, wrong = f"right {i} " + "x" * (40 + i), f"wrong {i} " + "y" * 20
        if not (i < 12 or 20 <= i < 30):
            right, wrong = wrong.replace("wrong", "right"), right.replace("right", "wrong")
        a, b, label = (right, wrong, "A>B") if i % 2 == 0 else (wrong, right, "B>A")
        rows.append(make_pair(i, label, response_A=a, response_B=b))
    return write_jsonl(tmp_path / "pairs.jsonl", rows)


def bias_json(folder: Path) -> dict:
    proc = run_cli("score", str(folder), "--bias", "--json")
    assert proc.returncode == 0, proc.stderr
    (entry,) = json.loads(proc.stdout)
    return entry


def test_score_bias_on_longer_prints_no_ece_number(tmp_path: Path) -> None:
    out = run(RunSpec(data=str(pairs_file(tmp_path)), judge="longer", results_dir=str(tmp_path / "r"), progress=False))
    assert out.metrics.accuracy == pytest.approx(55.0)
    text = run_cli("score", str(out.out_dir), "--bias")
    assert text.returncode == 0, text.stderr
    (ece_line,) = [ln for ln in text.stdout.splitlines() if ECE in ln]
    cells = [c.strip() for c in ece_line.split("|")]
    assert cells[3] == "undefined" and "no probabilities (length differences in characters are not probabilities)" in cells
    assert all(g.confidence is None and g.score_kind == "chars" for r in out.results for g in r.games)
    cal = {e["name"]: e for e in bias_json(out.out_dir)["calibration (margin)"]}
    assert cal[ECE]["value"] is None and not cal[ECE]["defined"]
    # the rank-based measures use the length difference: at full coverage, the run's accuracy
    assert cal["accuracy at 100% coverage"]["value"] == pytest.approx(0.55) and cal[AUROC]["defined"]


def test_reward_model_run_ranks_by_margin_but_has_no_ece(fake_server, tmp_path: Path) -> None:
    data = pairs_file(tmp_path)
    server = fake_server(FakeConfig(accuracy=0.8, seed=3), load_pairs(str(data)))
    out = run(RunSpec(data=str(data), judge="reward_model", model="vllm-reward:rm", base_url=server.base_url, results_dir=str(tmp_path / "r"), cache_dir=str(tmp_path / "c"), progress=False))
    games = [g for r in out.results for g in r.games]
    assert all(g.confidence is None for g in games) and out.run_info["confidence"]["judgments_with_confidence"] == 0
    cal = {e["name"]: e for e in bias_json(out.out_dir)["calibration (margin)"]}
    assert cal[ECE]["value"] is None and cal[ECE]["reason"] == "no probabilities (reward margins are not probabilities)"
    assert all(g.score_kind == "reward" and g.scores is not None for g in games)
    stored = (out.out_dir / "judgments.jsonl").read_text().splitlines()
    assert all(g["confidence"] is None and g["score_kind"] == "reward" for line in stored for g in json.loads(line)["judgments"])
    assert cal["accuracy at 100% coverage"]["value"] == pytest.approx(out.metrics.accuracy / 100)
    assert all(cal[f"accuracy at {c}% coverage"]["defined"] for c in (10, 25, 50)) and cal[AUROC]["defined"]


def test_logprobs_run_gives_an_ece(fake_server, tmp_path: Path) -> None:
    data = pairs_file(tmp_path)
    server = fake_server(FakeConfig(accuracy=0.6, seed=4), load_pairs(str(data)))
    out = run(RunSpec(data=str(data), judge="vanilla", model="openai:test", base_url=server.base_url, judge_options={"logprobs": True}, results_dir=str(tmp_path / "r"), cache_dir=str(tmp_path / "c"), progress=False))
    assert all(g.confidence is not None and 0.0 <= g.confidence <= 1.0 for r in out.results for g in r.games if g.decision != Decision.NONE)
    cal = {e["name"]: e for e in bias_json(out.out_dir)["calibration (stated)"]}
    assert cal[ECE]["defined"] and 0.0 <= cal[ECE]["value"] <= 1.0 and cal[ECE]["n"] == 40


def test_old_reward_model_files_with_the_margin_as_confidence_load_as_margins(tmp_path: Path) -> None:
    # judgments.jsonl as reward_model wrote it before score kinds: confidence = |s_A - s_B| (here all < 1, so it
    # once passed for a probability and gave an ECE), no score_kind
    folder = tmp_path / "results" / "pairs" / "reward_model" / "hf_rm"
    folder.mkdir(parents=True)
    lines = []
    for i in range(30):
        sa, sb = (i % 7) / 8, (i % 5) / 16  # exact in binary
        pair = Pair(f"p{i}", "q", "a", "b", A if i % 3 else B)
        game = {"decision": "A>B" if sa > sb else "B>A", "game": 1, "prompt": "", "output": f"score(A)={sa} score(B)={sb}", "scores": [sa, sb], "error": None, "confidence": abs(sa - sb), "usage": {}}
        lines.append(json.dumps({"pair_id": pair.pair_id, "judge": "reward_model", "model": "hf:rm", "pair": pair.to_dict(), "games": [game]}))
    (folder / "judgments.jsonl").write_text("\n".join(lines) + "\n")
    entry = bias_json(folder)
    assert "calibration (stated)" not in entry  # the margins are not read as probabilities
    cal = {e["name"]: e for e in entry["calibration (margin)"]}
    assert cal[ECE]["value"] is None and cal[ECE]["reason"] == "no probabilities (reward margins are not probabilities)"
    result = ItemResult.from_dict(json.loads(lines[3]))
    assert result.games[0].confidence is None and result.games[0].score_kind == "reward" and result.games[0].scores == (3 / 8, 3 / 16)


def test_a_confidence_that_is_no_probability_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"confidence must be a probability in \[0, 1\], got 3.5"):
        Judgment(A, confidence=3.5)
    with pytest.raises(ValueError, match="confidence must be a probability"):
        Judgment(A, confidence=float("nan"))
    with pytest.raises(ValueError, match="unknown score_kind"):
        Judgment(A, scores=(1.0, 2.0), score_kind="probability")  # type: ignore[arg-type]
    # a file from another judge with an out-of-range confidence: exit 2 naming the file and line
    pair = Pair("p0", "q", "a", "b", A)
    row = ItemResult.of_pair(pair, "some_judge", "m", (Judgment(A),)).to_dict()
    row["judgments"][0]["confidence"] = 3.5
    path = tmp_path / "judgments.jsonl"
    path.write_text(json.dumps(row) + "\n")
    proc = run_cli("score", str(path))
    assert proc.returncode == 2 and f"{path}:1" in proc.stderr and "confidence must be a probability" in proc.stderr


def test_auroc_hand_example_and_rank_invariance() -> None:
    from judgebench.analysis.calibration import auroc
    # correct at 0.9 and 0.8, incorrect at 0.8 and 0.1. Of the 4 (correct, incorrect) pairs, 0.9 beats 0.8 and 0.1,
    # 0.8 ties 0.8 (1/2) and beats 0.1: (1 + 1 + 0.5 + 1) / 4 = 0.875.
    est = auroc([0.9, 0.8, 0.8, 0.1], [1, 1, 0, 0], n_resamples=200)
    assert est.value == pytest.approx(0.875) and est.n == 4
    # rank-based: character counts and the same counts in thousands give the same value
    chars = [1200.0, 30.0, 800.0, 5.0, 400.0]
    correct = [1, 0, 1, 1, 0]
    # correct {1200, 800, 5} vs incorrect {30, 400}: 1200 and 800 beat both, 5 beats neither -> 4 / 6
    assert auroc(chars, correct, n_resamples=200).value == pytest.approx(4 / 6)
    assert auroc([c / 1000 for c in chars], correct, n_resamples=200).value == pytest.approx(4 / 6)
    assert auroc([0.5, 0.7], [1, 1]).value is None
