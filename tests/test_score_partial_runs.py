"""``score`` marks a partial (``--limit``) run with ‡ and tells runs on different pair sets apart (a Pair set
column), as ``bench`` and ``leaderboard`` do for the same runs (a user review found ``score`` showing neither)."""

from __future__ import annotations

from pathlib import Path

from .conftest import make_pair, run_cli, write_jsonl


def _row(table: str, n: int) -> list[str]:
    """The cells of the table's row whose n column is ``n``."""
    lines = [line for line in table.splitlines() if line.startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[header.index("n")] == str(n):
            return cells
    raise AssertionError(f"no row with n = {n} in\n{table}")


def test_score_marks_partial_runs_and_names_pair_sets(tmp_path: Path) -> None:
    one = write_jsonl(tmp_path / "one.jsonl", [make_pair(i, response_A=f"first text {i} " * (i + 1), response_B=f"second text {i}") for i in range(12)])
    other = write_jsonl(tmp_path / "other.jsonl", [make_pair(i, response_A=f"other text {i}", response_B=f"another {i} " * 3) for i in range(7)])
    results = tmp_path / "results"
    for args in ([str(one)], [str(one), "--limit", "5"], [str(other)]):
        proc = run_cli("bench", "--judge", "longer", "--data", *args, "--results-dir", str(results), "--no-progress")
        assert proc.returncode == 0, proc.stderr
    proc = run_cli("score", str(results))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "| Pair set |" in out
    full, partial, third = _row(out, 12), _row(out, 5), _row(out, 7)
    assert partial[0] == "longer ‡" and full[0] == "longer" and third[0] == "longer"
    header = [c.strip() for c in next(line for line in out.splitlines() if line.startswith("| Judge")).strip("|").split("|")]
    at = header.index("Pair set")
    assert full[at] == partial[at] != third[at]  # the limited run is on the full run's set, the other file on its own
    assert "‡ Partial run: judged fewer pairs than its pair set has" in out


def test_an_unfinished_run_is_named_not_left_out_silently(tmp_path: Path) -> None:
    # a review: a run folder holding only its partial log (a run stopped before it finished) vanished from the
    # leaderboard without a word
    one = write_jsonl(tmp_path / "one.jsonl", [make_pair(i, response_A=f"first text {i}", response_B=f"second {i} " * 2) for i in range(4)])
    results = tmp_path / "results"
    assert run_cli("bench", "--judge", "longer", "--data", str(one), "--results-dir", str(results), "--no-progress").returncode == 0
    stopped = results / "pairs-x" / "vanilla" / "openai_test"
    stopped.mkdir(parents=True)
    (stopped / "judgments.jsonl.partial").write_text("")
    proc = run_cli("leaderboard", str(results))
    assert proc.returncode == 0 and "| longer |" in proc.stdout
    assert f"1 unfinished run(s) left out (a partial log, no results yet): {stopped}" in proc.stderr


def test_peer_review_on_runs_of_different_pairs_says_what_each_judged(tmp_path: Path) -> None:
    # a review: `peer-review results/` after a suite said only that the candidates share no pair, naming "<input>"
    one = write_jsonl(tmp_path / "one.jsonl", [make_pair(i, response_A=f"first text {i}", response_B=f"second {i} " * 2) for i in range(4)])
    two = write_jsonl(tmp_path / "two.jsonl", [make_pair(i, pair_id=f"q{i}", response_A=f"other {i}", response_B=f"more {i} " * 2) for i in range(3)])
    results = tmp_path / "results"
    for data, judge in ((one, "longer"), (two, "shorter")):
        assert run_cli("bench", "--judge", judge, "--data", str(data), "--results-dir", str(results), "--no-progress").returncode == 0
    proc = run_cli("peer-review", str(results))
    assert proc.returncode == 2 and "<input>" not in proc.stderr
    assert "the 2 candidates share no labelled pair judged pairwise (pairs each judged: longer: 4, shorter: 3)" in proc.stderr, proc.stderr


def test_score_of_a_run_with_failed_judgments_exits_3(tmp_path: Path) -> None:
    # a review: bench and agree exit 3 on a run with failed judgments, score exited 0
    import json

    one = write_jsonl(tmp_path / "one.jsonl", [make_pair(i, response_A=f"first text {i}", response_B=f"second {i} " * 2) for i in range(4)])
    results = tmp_path / "results"
    assert run_cli("bench", "--judge", "longer", "--data", str(one), "--results-dir", str(results), "--no-progress").returncode == 0
    (judgments,) = results.rglob("judgments.jsonl")
    assert run_cli("score", str(judgments)).returncode == 0  # clean
    rows = [json.loads(line) for line in judgments.read_text().splitlines()]
    rows[1]["judgments"][0].update(decision="none", error="HTTP 500")
    bad = tmp_path / "failed.jsonl"
    bad.write_text("".join(json.dumps(r) + "\n" for r in rows))
    proc = run_cli("score", str(bad))
    assert proc.returncode == 3 and f"{bad}: 1 of 8 judgments failed" in proc.stderr and "| 7/8 |" in proc.stdout, (proc.stdout, proc.stderr)
