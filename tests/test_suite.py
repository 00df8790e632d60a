"""``judgebench suite``: one judge over several benchmarks, each scored by its own rule, in one table (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import run_cli, shared


def _longer_right(pairs: list[tuple[str, str, int]]) -> float:
    """The ``longer`` baseline by hand: right when the labelled response (0 or 1) is strictly longer; the same in
    both orders, so vote, average and strict agree."""
    return 100 * sum((len(a) > len(b)) if label == 0 else (len(b) > len(a)) for a, b, label in pairs) / len(pairs)


def test_suite_prints_each_benchmarks_headline_and_says_why_one_did_not_run(tmp_path: Path) -> None:
    data = shared("judgebench").parent
    jb = next(p for p in (data / "judgebench" / "pairs").glob("*.jsonl") if "gpt-4o" in p.name)
    jb_pairs = [(r["response_A"], r["response_B"], 0 if r["label"] == "A>B" else 1) for r in map(json.loads, jb.read_text(encoding="utf-8").splitlines())]
    nat = json.loads((data / "llmbar" / "LLMBar" / "Natural" / "dataset.json").read_text(encoding="utf-8"))
    nat_pairs = [(r["output_1"], r["output_2"], r["label"] - 1) for r in nat]
    proc = run_cli("suite", "--judge", "longer", "--benchmarks", "judgebench:gpt,llmbar:natural,prometheus:vicuna", "--results-dir", str(tmp_path), "--no-progress", "--format", "json", env={"JUDGEBENCH_DATA_DIR": str(data)})
    assert proc.returncode == 0, proc.stderr
    rows = {r["benchmark"]: r for r in json.loads(proc.stdout)}
    assert abs(rows["judgebench:gpt"]["value"] - _longer_right(jb_pairs)) < 1e-9 and rows["judgebench:gpt"]["n"] == 350
    assert abs(rows["llmbar:natural"]["value"] - _longer_right(nat_pairs)) < 1e-9 and rows["llmbar:natural"]["n"] == 100
    # a pairwise judge cannot be scored on rated items: the suite says so and runs the others
    assert rows["prometheus:vicuna"]["value"] is None and "pointwise judge's ratings" in rows["prometheus:vicuna"]["note"]


def test_suite_refuses_an_unknown_benchmark_before_running_anything(tmp_path: Path) -> None:
    proc = run_cli("suite", "--judge", "longer", "--benchmarks", "judgebench:gpt,nosuchbench", "--results-dir", str(tmp_path), "--no-progress")
    assert proc.returncode == 2 and "unknown benchmark 'nosuchbench'" in proc.stderr and not any(tmp_path.iterdir())


def test_suite_markdown_is_one_row_per_judge_with_a_column_per_benchmark_then_each_benchmarks_sections(tmp_path: Path) -> None:
    data = shared("judgebench").parent
    jb = next(p for p in (data / "judgebench" / "pairs").glob("*.jsonl") if "gpt-4o" in p.name)
    jb_pairs = [(r["response_A"], r["response_B"], 0 if r["label"] == "A>B" else 1) for r in map(json.loads, jb.read_text(encoding="utf-8").splitlines())]
    proc = run_cli("suite", "--judge", "longer", "--benchmarks", "judgebench:gpt,llmbar", "--results-dir", str(tmp_path), "--no-progress", env={"JUDGEBENCH_DATA_DIR": str(data)})
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "| Judge | judgebench:gpt | llmbar |"
    cell = lines[2].split("|")[2].strip()  # "46.0 (40.9–51.1)": the score and its 95% CI
    assert cell.split(" ")[0] == f"{_longer_right(jb_pairs):.1f}" and "(" in cell
    # each benchmark's sections follow: JudgeBench's macro average, LLMBar's subsets
    assert "### judgebench:gpt" in proc.stdout and "macro average of the categories" in proc.stdout
    assert "### llmbar" in proc.stdout and "| Natural | 100 |" in proc.stdout


def test_a_bare_benchmark_name_runs_the_splits_its_benchmark_names_for_the_judges_kind() -> None:
    from judgebench.run.suite import suite_targets

    # Prometheus' rated sets need a pointwise judge; its hhh_alignment pairs are what a pairwise judge can run
    assert suite_targets(["prometheus", "llmbar", "rmb:bo4"], "pairwise") == ["prometheus:hhh_alignment", "llmbar", "rmb:bo4"]
    assert suite_targets(["prometheus", "prometheus:vicuna"], "pointwise") == ["prometheus:vicuna", "prometheus:mt_bench"]
    assert suite_targets(["prometheus:vicuna"], "pairwise") == ["prometheus:vicuna"]  # a named split is run as named


def test_the_default_suite_runs_every_benchmark_with_a_local_copy(tmp_path: Path) -> None:
    """`judgebench suite --judge random` with no --benchmarks: every registered benchmark with a local copy runs
    (Prometheus as its pairs, hhh_alignment, for this pairwise judge) and has a headline with a 95% CI."""
    data = shared("judgebench").parent
    proc = run_cli("suite", "--judge", "random", "--results-dir", str(tmp_path), "--no-progress", "--format", "json", env={"JUDGEBENCH_DATA_DIR": str(data)})
    assert proc.returncode == 0, proc.stderr
    rows = {r["benchmark"]: r for r in json.loads(proc.stdout)}
    expected = {"auto_j", "hh_rlhf", "judgebench", "llmbar", "pandalm", "prometheus:hhh_alignment", "rm_bench", "rmb"}
    assert expected <= set(rows), sorted(rows)
    for name in expected:
        r = rows[name]
        assert r["note"] is None and r["n"] > 0 and r["ci_low"] is not None and r["ci_low"] <= r["value"] <= r["ci_high"], (name, r)


def test_a_cell_whose_headline_is_another_measure_than_its_columns_is_marked() -> None:
    """Auto-J's headline needs both orders; a run judged in one order gets the one-order agreement instead. In one
    column the two must not pass for the same measure: the odd cell is marked § and the note names its measure."""
    from judgebench.analysis.scoring import RunMetrics
    from judgebench.reports.suite_table import render_suite_table, suite_table
    from judgebench.run.suite import SuiteRun

    def run(label: str, name: str, value: float) -> SuiteRun:
        head = {"name": name, "value": value, "ci_low": value - 2, "ci_high": value + 2}
        metrics = RunMetrics("strict", 10, 20, 0, 0, value, value - 2, value + 2, extra={"benchmark": {"headline": head}})
        return SuiteRun({"label": label, "dataset": "auto_j-test", "benchmark": "auto_j", "n": 10}, metrics)

    table = suite_table([run("longer", "Agreement, both orders", 52.9), run("reward_model: rm", "Agreement, original order only", 45.0)])
    md = render_suite_table(table, "md")
    assert "| longer | 52.9 (50.9–54.9) |" in md and "| reward_model: rm | 45.0 (43.0–47.0)§ |" in md
    assert "- auto_j:test: Agreement, both orders" in md and "- § reward_model: rm on auto_j:test: Agreement, original order only" in md


def test_released_judgebench_files_share_the_column_of_runs_on_the_same_pairs(tmp_path: Path) -> None:
    """JudgeBench's released judgments name only their benchmark; their pairs are judgebench:gpt's, so in the suite
    table they sit in that column (they had one of their own, leaving most cells empty), scored by its rule."""
    data = shared("judgebench").parent
    proc = run_cli("suite", "--judge", "longer", "--benchmarks", "judgebench:gpt,llmbar:natural", "--results-dir", str(tmp_path), "--no-progress", env={"JUDGEBENCH_DATA_DIR": str(data)})
    assert proc.returncode == 0, proc.stderr
    board = run_cli("leaderboard", str(tmp_path), "--include", str(data / "judgebench" / "outputs"))
    assert board.returncode == 0, board.stderr
    suite = board.stdout.split("## Suite: each benchmark's headline score", 1)[1]
    assert "| Judge | judgebench:gpt | llmbar:natural |" in suite
    arena = next(line for line in suite.splitlines() if line.startswith("| arena_hard"))
    assert arena.split("|")[2].strip().startswith("65.7") and "§" not in suite  # one measure per column
