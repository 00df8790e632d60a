"""Verdict-token probability as a judgment's confidence: parsed from logprobs, and, end to end through the real
client, a judge's accuracy is higher on its most confident pairs when the simulator is confident exactly when it
knows the answer."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from judgebench.analysis.calibration import accuracy_at_coverage, pair_confidences
from judgebench.analysis.scoring import original_frame, pair_credit
from judgebench.judges._prompted import verdict_confidence
from judgebench.run.runner import RunSpec, run
from judgebench.schema import Decision
from judgebench.testing.fake_server import FakeConfig

from .conftest import shared


def tok(token: str, p: float, alts: dict[str, float]) -> dict:
    return {"token": token, "logprob": math.log(p), "top": {k: math.log(v) for k, v in alts.items()}}


def test_verdict_confidence_renormalises_over_the_two_letters() -> None:
    lps = [tok("Verdict", 1.0, {"Verdict": 1.0}), tok("[[", 1.0, {"[[": 1.0}), tok("B", 0.6, {"B": 0.6, "A": 0.2, "C": 0.2})]
    assert verdict_confidence(lps, Decision.B_BETTER) == 0.6 / 0.8
    assert verdict_confidence(lps, Decision.A_BETTER) is None  # the token says B: it cannot measure an A verdict
    assert verdict_confidence(lps, Decision.TIE) is None
    assert verdict_confidence([tok("hello", 1.0, {})], Decision.A_BETTER) is None
    numbered = [tok(" 1", 0.9, {" 1": 0.9, " 2": 0.1})]
    assert abs(verdict_confidence(numbered, Decision.A_BETTER, ("1", "2")) - 0.9) < 1e-12


def test_logprob_confidence_ranks_pairs_by_correctness(fake_server, jb_pairs, tmp_path: Path) -> None:
    server = fake_server(FakeConfig(accuracy=0.5, position_bias=0.8, seed=2), jb_pairs)
    out = run(RunSpec(data="judgebench:gpt", data_dir=str(shared("judgebench", "pairs")), judge="vanilla", model="openai:test", base_url=server.base_url, judge_options={"logprobs": True}, results_dir=str(tmp_path / "r"), cache_dir=str(tmp_path / "c"), progress=False, games=1))
    confs = [r.games[0].confidence for r in out.results]
    assert all(c is not None and 0.5 <= c <= 1.0 for c in confs)
    raw, prob, source = pair_confidences(out.results)
    assert source == "stated"
    correct = np.array([pair_credit(r.pair.label, original_frame(r)) for r in out.results])
    top, everything = accuracy_at_coverage(raw, correct, coverages=(0.3, 1.0), n_resamples=200)
    # The simulator is confident (p >= 0.9) exactly when it knows (half the time, always right) and unsure
    # (p <= 0.7) when it guesses (right half the time): the most confident 30% are all "knew" pairs.
    assert top.value == 1.0
    assert abs(everything.value - 0.75) < 4 * math.sqrt(0.75 * 0.25 / 350)
