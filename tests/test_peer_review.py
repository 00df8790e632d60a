"""Peer-review juries (``judgebench.analysis.peer_review``; PRE, arXiv 2401.15641): a planted reliable member is
admitted by the exam and the unreliable ones are not, the jury then matches the reliable member and beats the
unweighted majority, and no exam item is scored on the evaluation slice.

Planted effect (three independent members, one verdict per item, labels A>B or B>A): a reliable member right with
probability r = 0.85, two unreliable ones right with u = 0.55 (wrong otherwise: the other response).

* Exam (100 of 400 items): the unreliable members' exam accuracy has mean 55% and sd sqrt(.55*.45/100) = 5 points,
  so its bootstrap lower bound (~ accuracy - 9.8) passes 60% only for an exam score near 70%, three sd above: not
  admitted. The reliable one's lower bound is about 85 - 7 = 78 > 60: admitted, the only voter, so the jury's verdict
  *is* its verdict and the two accuracies are equal on the evaluation slice.
* The unweighted majority of three is right when the reliable member is right and at least one unreliable one is,
  or when it is wrong and both unreliable ones are right: r (1 - (1-u)^2) + (1-r) u^2 = 0.85 * 0.7975 + 0.15 * 0.3025
  = 0.7233. On 300 evaluation items the jury's 85% vs 72.3% differ by ~12.7 points, with sd of the majority's
  accuracy sqrt(.7233*.2767/300) = 2.6 points: McNemar's test finds the difference.

The end-to-end test plants the same accuracies in three fake servers (``FakeConfig(accuracy=a)`` with one view per
item: right with probability a + (1 - a)/2, so a = 0.7 gives 0.85 and a = 0.1 gives 0.55) and runs ``bench`` three
times, then ``peer-review`` on the results folder.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from judgebench.analysis.peer_review import exam_split, log_odds_weight, peer_review, render_markdown
from judgebench.schema import ItemResult, Judgment, Pair

from .conftest import make_pair, write_jsonl

R, U = 0.85, 0.55
N = 400
MAJORITY = R * (1 - (1 - U) ** 2) + (1 - R) * U**2  # 0.7233, derived in the module docstring
SOURCES = ("mmlu-pro-law", "livebench-reasoning", "livebench-math", "livecodebench")


def _members(seed: int = 1) -> dict[str, list[ItemResult]]:
    rng = np.random.default_rng(seed)
    pairs = [Pair.from_dict(make_pair(i, "A>B" if i % 2 else "B>A", SOURCES[i % 4])) for i in range(N)]
    out: dict[str, list[ItemResult]] = {}
    for name, p in (("reliable", R), ("shaky-1", U), ("shaky-2", U)):
        right = rng.random(N) < p
        out[name] = [
            ItemResult.of_pair(pr, name, "m", [Judgment(pr.label if ok else pr.label.flipped(), view=(0, 1))])
            for pr, ok in zip(pairs, right, strict=True)
        ]
    return out


def test_peer_review_planted_reliable_member_admitted_and_jury_beats_majority() -> None:
    members = _members()
    report = peer_review(members, exam=0.25, threshold=60, seed=0, n_resamples=2000)
    admitted = {a.member: a for a in report.admissions}
    assert report.admitted == ["reliable"]
    assert admitted["reliable"].weight > 0 and admitted["shaky-1"].weight == admitted["shaky-2"].weight == 0
    assert "lower bound" in admitted["shaky-1"].reason and "<=" in admitted["shaky-1"].reason
    rows = {c.name: c for c in report.comparisons}
    n_eval = len(report.eval_ids)
    assert n_eval == 300 and len(report.exam_ids) == 100
    sd = lambda p: 100 * math.sqrt(p * (1 - p) / n_eval)  # noqa: E731
    assert rows["reliable"].accuracy == pytest.approx(100 * R, abs=3 * sd(R))
    assert rows["jury"].accuracy == rows["reliable"].accuracy  # the only voter
    assert rows["unweighted majority (all)"].accuracy == pytest.approx(100 * MAJORITY, abs=3 * sd(MAJORITY))
    assert rows["jury"].accuracy > rows["unweighted majority (all)"].accuracy
    assert rows["unweighted majority (all)"].p_value is not None and rows["unweighted majority (all)"].p_value < 0.01
    assert rows["reliable"].b == rows["reliable"].c == 0
    # no leakage: the slices are disjoint, cover every item, and each accuracy is recomputed from the evaluation ids alone
    assert not set(report.exam_ids) & set(report.eval_ids) and len(report.exam_ids) + n_eval == N
    for name, rs in members.items():
        by_id = {r.item_id: r for r in rs}
        on_eval = [by_id[i].judgments[0].decision == by_id[i].pair.label for i in report.eval_ids]
        assert rows[name].accuracy == pytest.approx(100 * sum(on_eval) / n_eval)
    md = render_markdown(report)
    assert "| reliable |" in md and "Qualification exam" in md


def test_peer_review_exam_items_never_change_evaluation() -> None:
    # flipping every member's verdicts on exam items changes the admission evidence, never the evaluation numbers
    members = _members()
    base = peer_review(members, exam=0.25, threshold=0, basis="point", seed=0, n_resamples=200)
    exam = set(base.exam_ids)
    flipped = {
        m: [
            r
            if r.item_id not in exam
            else ItemResult.of_pair(r.pair, m, "m", [Judgment(r.judgments[0].decision.flipped(), view=(0, 1))])
            for r in rs
        ]
        for m, rs in members.items()
    }
    other = peer_review(flipped, exam=0.25, threshold=-100, basis="point", seed=0, n_resamples=200)
    assert other.exam_ids == base.exam_ids
    member_rows = lambda rep: [(c.name, c.accuracy) for c in rep.comparisons if c.kind == "member"]  # noqa: E731
    assert member_rows(other) == member_rows(base)
    assert [a.accuracy for a in other.admissions] == pytest.approx([100 - a.accuracy for a in base.admissions])


def test_exam_split_is_seeded_and_stratified() -> None:
    cats = {f"i{k}": "x" if k < 80 else "y" for k in range(100)}
    exam, rest = exam_split(cats, 0.2, seed=3)
    assert exam_split(cats, 0.2, seed=3) == (exam, rest)
    assert sum(cats[i] == "x" for i in exam) == 16 and sum(cats[i] == "y" for i in exam) == 4
    assert len(exam_split(cats, 30, seed=3)[0]) == 30


def test_log_odds_weight_laplace_and_floor() -> None:
    assert log_odds_weight(9, 10) == pytest.approx(math.log(10 / 2))  # p = 10/12
    assert log_odds_weight(5, 10) == 0.0 and log_odds_weight(2, 10) == 0.0


def test_peer_review_command_end_to_end_with_fake_servers(tmp_path: Path) -> None:
    from judgebench.cli import main
    from judgebench.reports.leaderboard import load_runs
    from judgebench.reports.section_peer_review import peer_review_section
    from judgebench.testing.fake_server import FakeConfig, FakeJudgeServer

    rows = [
        make_pair(
            i,
            "A>B" if i % 2 else "B>A",
            SOURCES[i % 4],
            response_A=f"alpha-{i:03d} first answer",
            response_B=f"beta-{i:03d} other answer",
        )
        for i in range(240)
    ]
    data = write_jsonl(tmp_path / "pairs.jsonl", rows)
    pairs = [Pair.from_dict(r) for r in rows]
    for model, acc, seed in (("reliable", 0.7, 1), ("shaky-a", 0.1, 2), ("shaky-b", 0.1, 3)):
        with FakeJudgeServer(FakeConfig(accuracy=acc, position_bias=0.5, seed=seed), pairs) as server:
            rc = main(["bench", "--data", str(data), "--judge", "vanilla", "--orders", "first", "--model", f"vllm:{model}", "--base-url", server.base_url,
                       "--results-dir", str(tmp_path / "res"), "--no-progress", "--no-cache", "--json"])  # fmt: skip
        assert rc == 0
    out = tmp_path / "out.json"
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert (
            main(
                [
                    "peer-review",
                    str(tmp_path / "res"),
                    "--exam",
                    "0.25",
                    "--json",
                    "--resamples",
                    "2000",
                    "--figure",
                    str(tmp_path / "pr.png"),
                ]
            )
            == 0
        )
    out.write_text(buf.getvalue())
    report = json.loads(buf.getvalue())
    admitted = [a["member"] for a in report["admissions"] if a["admitted"]]
    assert len(admitted) == 1 and "reliable" in admitted[0]
    ev = {e["name"]: e for e in report["evaluation"]}
    (reliable,) = [v for k, v in ev.items() if "reliable" in k]
    assert ev["jury"]["accuracy"] == reliable["accuracy"]
    assert ev["jury"]["accuracy"] > ev["unweighted majority (all)"]["accuracy"]
    assert report["n_eval"] == 180 and report["n_exam"] == len(set(report["exam_ids"])) == 60
    assert (tmp_path / "pr.png").read_bytes()[:4] == b"\x89PNG"
    section = peer_review_section(load_runs(tmp_path / "res"))
    assert section is not None and section.figures and section.tables[0].rows
    assert any(r[6] == "yes" and "reliable" in r[0] for r in section.tables[0].rows)


def test_jury_members_split_a_jury_run_into_its_members() -> None:
    from judgebench.analysis.peer_review import jury_members

    pr = Pair.from_dict(make_pair(0, "A>B"))
    m1 = {"member": "x", "weight": 1.0, **Judgment(pr.label).to_dict()}
    m2 = {"member": "y", "weight": 1.0, **Judgment(pr.label.flipped()).to_dict()}
    games = [
        Judgment(pr.label, game=1, view=(0, 1), extra={"members": [m1, m2]}),
        Judgment(pr.label.flipped(), game=2, view=(1, 0), extra={"members": [m1, m2]}),
    ]
    members = jury_members([ItemResult.of_pair(pr, "jury", "m", games)])
    assert sorted(members) == ["x", "y"]
    (x,) = members["x"]
    assert [j.view for j in x.judgments] == [(0, 1), (1, 0)] and x.judge == "x"
