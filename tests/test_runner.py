"""The runner: results layout, both games, atomic files, resume after a crash, failures recorded."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest

from judgebench.judges import JudgeContext, register_judge
from judgebench.run.runner import RunSpec, run
from judgebench.schema import Decision, Judgment

from .conftest import run_cli, shared

CALLS: list[tuple[str, str]] = []
BEHAVIOUR: dict[str, int | None] = {"crash_after": None, "fail_every": None}  # not judge options: those change the run folder


class CountingJudge:
    """Prefers A when shown first; records calls; raises a crash (BaseException) after ``crash_after`` calls."""

    kind = "pairwise"
    order_invariant = False

    def __init__(self) -> None:
        self.name = "counting"
        self.crash_after = BEHAVIOUR["crash_after"]
        self.fail_every = BEHAVIOUR["fail_every"]

    async def judge(self, context: JudgeContext, response_a: str, response_b: str) -> Judgment:
        CALLS.append((context.question, response_a))
        n = len(CALLS)
        await asyncio.sleep(0.002)  # a model call takes time; the runner logs finished pairs meanwhile
        if self.crash_after is not None and n > self.crash_after:
            raise KeyboardInterrupt("simulated crash")
        if self.fail_every and n % self.fail_every == 0:
            raise ConnectionError("server went away")
        return Judgment(Decision.A_BETTER, output="A wins")


@register_judge("test_counting", "test only", needs_model=False, backend="none")
def _counting(backend: object = None) -> CountingJudge:
    return CountingJudge()


def spec(pairs_file: Path, tmp_path: Path, **kw: object) -> RunSpec:
    base = dict(data=str(pairs_file), judge="test_counting", results_dir=str(tmp_path / "results"), progress=False, concurrency=4)
    base.update(kw)
    return RunSpec(**base)  # type: ignore[arg-type]


def test_run_writes_layout_with_both_games(pairs_file: Path, tmp_path: Path) -> None:
    CALLS.clear()
    out = run(spec(pairs_file, tmp_path))
    data_folder = out.out_dir.parent.parent  # results/<file name>-<first 8 hex of the pairs' content hash>/
    assert out.out_dir == tmp_path / "results" / data_folder.name / "test_counting" / "none"
    assert re.fullmatch(r"pairs-[0-9a-f]{8}", data_folder.name)
    lines = [json.loads(x) for x in (out.out_dir / "judgments.jsonl").read_text().splitlines()]
    assert len(lines) == 20 and [len(x["judgments"]) for x in lines] == [2] * 20
    assert lines[0]["judgments"][1]["game"] == 2 and lines[0]["judgments"][1]["output"] == "A wins"
    # always-A judge: game 1 says A, game 2 says A (= original B): inconsistent, every pair a tie -> 0%
    metrics = json.loads((out.out_dir / "metrics.json").read_text())
    assert metrics["accuracy"] == 0.0 and metrics["position_consistency"] == 0.0
    info = json.loads((out.out_dir / "run.json").read_text())
    assert {"command", "spec", "versions", "git_revision", "started", "finished", "counts"} <= set(info)
    assert info["counts"]["new"] == 40 and len(CALLS) == 40
    assert not (out.out_dir / "judgments.jsonl.partial").exists()


def test_single_game_mode_judges_original_order_only(pairs_file: Path, tmp_path: Path) -> None:
    CALLS.clear()
    out = run(spec(pairs_file, tmp_path, games=1))
    assert len(CALLS) == 20
    labels_a = sum(r.pair.label == Decision.A_BETTER for r in out.results)
    assert out.metrics.accuracy == pytest.approx(100 * labels_a / 20)
    assert out.metrics.position_consistency is None


def test_crash_leaves_no_complete_file_and_resume_does_only_the_rest(pairs_file: Path, tmp_path: Path) -> None:
    CALLS.clear()
    BEHAVIOUR["crash_after"] = 13
    try:
        with pytest.raises(KeyboardInterrupt):
            run(spec(pairs_file, tmp_path, concurrency=1))
    finally:
        BEHAVIOUR["crash_after"] = None
    (out_dir,) = (tmp_path / "results").glob("pairs-*/test_counting/none")
    assert not (out_dir / "judgments.jsonl").exists() and not (out_dir / "metrics.json").exists()
    partial = out_dir / "judgments.jsonl.partial"
    done = len(partial.read_text().splitlines())
    assert 1 <= done <= 6  # 13 calls at concurrency 1 finish at most 6 whole pairs
    with partial.open("a") as f:
        f.write('{"pair_id": "torn')  # a writer killed mid-line
    CALLS.clear()
    out = run(spec(pairs_file, tmp_path))
    assert len(CALLS) == 40 - 2 * done
    assert out.run_info["counts"]["reused"] == 2 * done
    assert len((out_dir / "judgments.jsonl").read_text().splitlines()) == 20


def test_failed_calls_are_recorded_and_retried_on_next_run(pairs_file: Path, tmp_path: Path) -> None:
    CALLS.clear()
    BEHAVIOUR["fail_every"] = 4
    try:
        out = run(spec(pairs_file, tmp_path))
    finally:
        BEHAVIOUR["fail_every"] = None
    failed = [g for r in out.results for g in r.games if g.is_failed]
    assert len(failed) == 10 and all("ConnectionError: server went away" == g.error for g in failed)
    assert all(g.decision == Decision.NONE for g in failed)
    assert out.metrics.n_failed == 10
    CALLS.clear()
    again = run(spec(pairs_file, tmp_path))
    assert len(CALLS) == 10 and again.metrics.n_failed == 0


def test_bench_cli_on_judgebench_pairs_prints_table(tmp_path: Path) -> None:
    folder = shared("judgebench", "pairs")
    proc = run_cli("bench", "--judge", "random", "--data", "judgebench:gpt", "--data-dir", str(folder), "--results-dir", str(tmp_path / "r"), "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert "| random | none | gpt-4o-2024-05-13 | 350 |" in proc.stdout
    lb = run_cli("leaderboard", str(tmp_path / "r"), "--write")
    assert lb.returncode == 0, lb.stderr
    for ext in ("md", "tex", "csv"):
        assert (tmp_path / "r" / f"leaderboard.{ext}").exists()
    tex = (tmp_path / "r" / "leaderboard.tex").read_text()
    assert "\\toprule" in tex and "\\bottomrule" in tex


def test_unknown_judge_is_a_clear_error(pairs_file: Path, tmp_path: Path) -> None:
    proc = run_cli("bench", "--judge", "nope", "--data", str(pairs_file), "--results-dir", str(tmp_path / "r"))
    # bad input, like a bad file or flag: exit 2 (it was 1 until a review found --judge the one flag that exited 1)
    assert proc.returncode == 2 and "unknown judge 'nope'" in proc.stderr and "--judge" in proc.stderr


def test_judge_options_get_their_own_results_folder(pairs_file: Path, tmp_path: Path) -> None:
    plain = run(spec(pairs_file, tmp_path, judge="random"))
    seeded = run(spec(pairs_file, tmp_path, judge="random", judge_options={"seed": 5}))
    assert plain.out_dir != seeded.out_dir and seeded.out_dir.parent.name == "random@seed=5"
    assert seeded.run_info["counts"]["reused"] == 0


def test_unknown_judge_option_names_the_accepted_ones(pairs_file: Path, tmp_path: Path) -> None:
    proc = run_cli("bench", "--judge", "random", "--option", "sead=3", "--data", str(pairs_file), "--results-dir", str(tmp_path / "r"))
    assert proc.returncode == 2
    assert "has no option 'sead'; its options: seed" in proc.stderr


def test_a_reader_that_goes_away_ends_the_command_quietly() -> None:
    """`judgebench ... | head -1`: when the reader closes the pipe, the command stops with 141 (128 + SIGPIPE), as
    a command killed by SIGPIPE would, and prints no traceback."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "judgebench", "benchmarks"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the command has written anything: its first write finds no reader
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141 and "Traceback" not in err, err
