"""Every published number stays identical (issue 13 pins these before the core is reshaped).

The expected values are the committed files themselves, which were generated before the refactoring and are
what the README and papers quote: ``results/reproduction.md`` (JudgeBench's four released judgment files, whose
numbers match JudgeBench's paper, see ``test_reparse.py``) and ``results/leaderboard.{md,csv,tex}`` (the released
files plus the ``longer`` / ``shorter`` / ``random`` baselines on both JudgeBench splits). A change of the core
that moves a single digit, a row's order or a column fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import ROOT, run_cli, shared

FIXTURE_V1 = ROOT / "tests" / "fixtures" / "results_v1"


def test_released_judgebench_runs_score_as_published(tmp_path: Path) -> None:
    outputs = sorted(shared("judgebench", "outputs").glob("*.jsonl"))
    assert len(outputs) == 4
    out = tmp_path / "reproduction.md"
    proc = run_cli("score", *map(str, outputs), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8") == (ROOT / "results" / "reproduction.md").read_text(encoding="utf-8")


def test_baseline_runs_and_leaderboard_are_unchanged(tmp_path: Path) -> None:
    pairs_dir = shared("judgebench", "pairs")
    outputs = shared("judgebench", "outputs")
    results = tmp_path / "results"
    env = {"JUDGEBENCH_PAIRS_DIR": str(pairs_dir)}
    for judge in ("longer", "shorter", "random"):
        for split in ("gpt", "claude"):
            proc = run_cli("bench", "--judge", judge, "--data", f"judgebench:{split}", "--results-dir", str(results), "--no-progress", env=env)
            assert proc.returncode == 0, proc.stderr
    out = tmp_path / "out"
    proc = run_cli("leaderboard", str(results), "--write", "--group-by", "response_model", "--baseline", "--include", str(outputs), "--out-dir", str(out))
    assert proc.returncode == 0, proc.stderr
    for suffix in ("md", "csv", "tex"):
        assert (out / f"leaderboard.{suffix}").read_text(encoding="utf-8") == (ROOT / "results" / f"leaderboard.{suffix}").read_text(encoding="utf-8"), suffix


def test_results_folder_written_before_schema_version_still_scores(tmp_path: Path) -> None:
    """A results folder in the format of judgebench 0.x before ``schema_version`` (committed as written then).

    Its six pairs (labels and game decisions in ``judgments.jsonl``), scored by hand with the vote rule (game 2
    flipped back; +1 agree, -1 the opposite, 0 tie or none; correct when the sum > 0):
    p0 A>B: A>B, B>A->A>B: +2 correct; p1 B>A: A>B, A>B->B>A: 0 wrong; p2 A>B: A>B, A>B->B>A: 0 wrong;
    p3 B>A: B>A, A>B->B>A: +2 correct; p4 A>B: A>B, none: +1 correct; p5 A>B: failed, failed: 0 wrong.
    Vote accuracy 3/6 = 50.0%; by category (JudgeBench's source prefixes): Knowledge p0, p4 -> 100.0,
    Reasoning p1 -> 0.0, Math p2, p5 -> 0.0, Coding p3 -> 100.0. Consistency (both decisions equal in the original
    frame, two answered no-decisions agree; a pair with a failed call is left out, as it says nothing about position):
    p0 yes, p1 no, p2 no, p3 yes, p4 no, p5 left out -> 2/5 = 40.0%.
    """
    proc = run_cli("score", str(FIXTURE_V1), "--json")
    assert proc.returncode in (0, 3), proc.stderr  # 3: the run holds failed judgments, and says so
    (row,) = json.loads(proc.stdout)
    assert (row["overall"], row["position_consistency"], row["n_pairs"], row["failed"]) == (50.0, 40.0, 6, 2)
    assert (row["knowledge"], row["reasoning"], row["math"], row["coding"]) == (100.0, 0.0, 0.0, 100.0)
