"""Certainty-aware judging (``vanilla_certainty``, ``analysis.certainty``; Dong et al. 2024, arXiv 2406.11657).

The planted effect: the simulated judge (``testing.responder_certainty``) knows with probability 0.6 (then right)
and otherwise guesses (right half the time), so it is right 80% of the time; it states a certainty uniform on
90..100 when it knew and on 70..100 when it guessed, whatever the verdict, so it states 91 on average and overstates
its accuracy by 11 points. Its verdict token's probability is 0.9-1.0 when it knew and 0.5-0.7 when it guessed. The
expected values below are derived from that distribution by exact enumeration (fractions), independently of the
code under test, and the analysis, run end to end through the real client and judge, must recover them.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction as F
from pathlib import Path

import pytest

from judgebench.analysis.certainty import HIGHLIGHT, certainty_report, render_markdown
from judgebench.benchmarks import load_pairs
from judgebench.cli import main
from judgebench.judges.certainty import parse_certainty, parse_verdict
from judgebench.run.runner import RunSpec, run
from judgebench.schema import Decision
from judgebench.testing.fake_server import FakeConfig
from judgebench.testing.responder_certainty import GUESS_RANGE, KNEW_RANGE, CertaintyFakeServer

from .conftest import make_pair, write_jsonl

KNOW = F(3, 5)  # FakeConfig.accuracy: the chance the judge knows
N = 400


def planted() -> dict[str, float]:
    """Population values of the planted design, by enumeration: accuracy, mean certainty, coverage and accuracy
    at >= 80 and >= 90, the ECE of certainty/100 over 10 equal-width bins, and the AUROC of the certainty."""
    cells: list[tuple[int, F, F]] = []  # (certainty, probability mass, P(correct))
    for knew, (lo, hi), weight in ((True, KNEW_RANGE, KNOW), (False, GUESS_RANGE, 1 - KNOW)):
        for c in range(lo, hi + 1):
            cells.append((c, weight / (hi - lo + 1), F(1) if knew else F(1, 2)))
    acc = sum(m * p for _, m, p in cells)
    mean = sum(m * c for c, m, _ in cells) / 100
    out: dict[str, float] = {"accuracy": float(acc), "mean": float(mean), "over": float(mean - acc)}
    for t in (80, 90):
        cov = sum(m for c, m, _ in cells if c >= t)
        out[f"cov{t}"] = float(cov)
        out[f"acc{t}"] = float(sum(m * p for c, m, p in cells if c >= t) / cov)
    ece = F(0)
    for b in range(10):
        inb = [(c, m, p) for c, m, p in cells if min(c // 10, 9) == b]
        if inb:
            ece += abs(sum(m * p for _, m, p in inb) - sum(m * c for c, m, _ in inb) / 100)
    out["ece"] = float(ece)
    pos = [(c, m * p) for c, m, p in cells]
    neg = [(c, m * (1 - p)) for c, m, p in cells]
    win = sum(a * b * (F(1) if x > y else F(1, 2) if x == y else F(0)) for x, a in pos for y, b in neg)
    out["auroc"] = float(win / (sum(a for _, a in pos) * sum(b for _, b in neg)))
    # the token probability: 0.9-1.0 (uniform) when it knew, always right; 0.5-0.6 and 0.6-0.7 when it guessed
    # (0.2 of the items each way), right half the time: bins 9, 5, 6 with gaps 0.05, 0.05, 0.15
    out["token_ece"] = float(KNOW * F(1, 20) + (1 - KNOW) / 2 * F(1, 20) + (1 - KNOW) / 2 * F(3, 20))
    # correct items: knew (0.6 of 0.8) rank above every wrong one; guessed-correct tie in law with the wrong ones
    out["token_auroc"] = float(KNOW / acc + (1 - KNOW / acc) / 2)
    return out


def test_planted_values_by_hand() -> None:
    p = planted()
    assert p["accuracy"] == pytest.approx(0.8) and p["mean"] == pytest.approx(0.91) and p["over"] == pytest.approx(0.11)
    assert p["cov80"] == pytest.approx(0.6 + 0.4 * 21 / 31)  # certainty 80..100 of the guesses' 70..100
    assert p["token_ece"] == pytest.approx(0.07) and p["token_auroc"] == pytest.approx(0.875)


def test_parse_certainty_reads_the_last_line_and_refuses_out_of_range() -> None:
    assert parse_certainty("A is right.\nVerdict: [[A]]\nCertainty: [[93]]") == (93.0, None)
    assert parse_certainty("Verdict: [[B]]\ncertainty: [[ 70.5 % ]]") == (70.5, None)
    value, reason = parse_certainty("Verdict: [[B]]\nCertainty: [[120]]")
    assert value is None and "outside 0-100" in str(reason)
    value, reason = parse_certainty("Verdict: [[B]]")
    assert value is None and "no certainty line" in str(reason)
    # the restated instruction names no certainty; a certainty line is no verdict label
    assert parse_certainty('End with "Certainty: [[N]]".')[0] is None
    assert parse_verdict("Verdict: [[B]]\nCertainty: [[80]]").decision == Decision.B_BETTER


def pairs_file(tmp_path: Path, n: int, **kw: object) -> Path:
    rows = [make_pair(i, "A>B" if i % 2 else "B>A", response_A=f"answer alpha {i} " * 3, response_B=f"answer beta {i} " * 3, **kw) for i in range(n)]
    return write_jsonl(tmp_path / "pairs.jsonl", rows)


def judge_run(tmp_path: Path, server: CertaintyFakeServer, data: Path, **options: object):  # noqa: ANN201
    spec = RunSpec(
        data=str(data), judge="vanilla_certainty", model="openai:test", base_url=server.base_url, judge_options={"logprobs": True, **options},
        results_dir=str(tmp_path / "results"), cache_dir=str(tmp_path / "cache"), progress=False, games=1, concurrency=16, timeout=10,
    )
    return run(spec)


def inside(e, value: float, slack: float = 0.0) -> bool:  # noqa: ANN001
    ci = e.interval()
    return ci.low - slack <= value <= ci.high + slack


def test_analysis_recovers_the_planted_miscalibration(tmp_path: Path) -> None:
    data = pairs_file(tmp_path, N)
    expected = planted()
    with CertaintyFakeServer(FakeConfig(accuracy=float(KNOW), position_bias=0.5, seed=3), load_pairs(str(data))) as server:
        out = judge_run(tmp_path, server, data)
    assert all(g.extra.get("certainty") is not None for r in out.results for g in r.games)
    rep = certainty_report(out.results, "planted", n_resamples=2000)
    s, t = rep.stated, rep.token
    assert s is not None and t is not None and s.n == t.n == N
    se = math.sqrt(0.8 * 0.2 / N)
    assert abs(s.accuracy.value - expected["accuracy"]) < 4 * se
    assert inside(s.overconfidence, expected["over"]) and s.overconfidence.interval().low > 0.05  # overstates accuracy
    assert inside(s.ece, expected["ece"])
    assert inside(s.auroc, expected["auroc"])
    r80 = s.at(HIGHLIGHT)
    assert inside(r80.coverage, expected["cov80"]) and inside(r80.accuracy, expected["acc80"])
    r90 = s.at(90)
    assert inside(r90.coverage, expected["cov90"]) and inside(r90.accuracy, expected["acc90"])
    # the token probability is the better signal: it orders right above wrong far better, and is better calibrated
    # (finite-sample ECE is biased upwards where a bin's gap is small; 0.03 covers it at these bin sizes)
    assert inside(t.auroc, expected["token_auroc"])
    assert inside(t.ece, expected["token_ece"], slack=0.03)
    assert t.auroc.interval().low > s.auroc.interval().high
    assert t.ece.value < s.ece.value


def test_persona_reaches_the_request_and_the_judgment(tmp_path: Path) -> None:
    rows = [make_pair(i, "A>B", response_A=f"answer alpha {i} " * 3, response_B=f"answer beta {i} " * 3) for i in range(4)]
    rows[0]["persona"] = "a retired nurse in Leeds"  # an item's own persona (a column that lands in metadata)
    data = write_jsonl(tmp_path / "pairs.jsonl", rows)
    with CertaintyFakeServer(FakeConfig(seed=1), load_pairs(str(data))) as server:
        out = judge_run(tmp_path, server, data, persona="a first-year law student")
        prompts = list(server.certainty_prompts)
    by_id = {r.item_id: r.games[0] for r in out.results}
    assert by_id["p0"].extra["persona"] == "a retired nurse in Leeds"
    assert all(by_id[f"p{i}"].extra["persona"] == "a first-year law student" for i in (1, 2, 3))
    assert sum("You are judging on behalf of: a retired nurse in Leeds" in p for p in prompts) == 1
    assert sum("You are judging on behalf of: a first-year law student" in p for p in prompts) == 3
    rep = certainty_report(out.results, "persona", n_resamples=200)
    assert rep.personas == {"a first-year law student": 3, "a retired nurse in Leeds": 1}


def test_command_tables_figure_and_html_section(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = pairs_file(tmp_path, 40)
    with CertaintyFakeServer(FakeConfig(accuracy=0.6, seed=5), load_pairs(str(data))) as server:
        out = judge_run(tmp_path, server, data)
    assert main(["certainty", str(tmp_path / "results"), "--resamples", "200", "--figure", str(tmp_path / "rel.png")]) == 0
    text = capsys.readouterr().out
    assert "| >= 80 * |" in text and "stated certainty: accuracy %" in text and "token probability: accuracy %" in text
    assert (tmp_path / "rel.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["certainty", str(tmp_path / "results"), "--resamples", "100", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc[0]["stated"]["n"] == 40 and doc[0]["token"]["ece"]["defined"]
    assert "ECE (points)" in render_markdown([certainty_report(out.results, "x", n_resamples=100)])

    from judgebench.reports.leaderboard import load_runs
    from judgebench.reports.section_certainty import certainty_section

    section = certainty_section(load_runs(tmp_path / "results"))
    assert section is not None and section.figures and section.figures[0][0][:4] == b"\x89PNG"
    assert any("accuracy against coverage" in t.title for t in section.tables)
    assert certainty_section([]) is None
