"""Leaderboard rows: loading runs and released files, rescoring, the paired test against the best, baselines, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import binomtest

from judgebench.analysis.replay import read_judgment_file
from judgebench.analysis.scoring import score_results
from judgebench.errors import InputError
from judgebench.reports.leaderboard import (
    MCNEMAR,
    PAIRED_BOOTSTRAP,
    LoadedRun,
    baseline_run,
    compare_with_best,
    group_runs,
    leaderboard,
    load_runs,
    loaded_run,
    sort_runs,
)
from judgebench.reports.tables import latex_table_problems
from judgebench.schema import Decision, ItemResult, Judgment, Pair

from .conftest import make_pair, run_cli, shared, write_jsonl

A, B, T = Decision.A_BETTER, Decision.B_BETTER, Decision.TIE


def result(pid: str, label: Decision, shown: list[Decision], source: str = "mmlu-pro-law") -> ItemResult:
    pair = Pair(pid, f"q {pid}", "aaaa", "bb", label, source=source, response_model="rm")
    return ItemResult.of_pair(pair, "j", "m", tuple(Judgment(d, game=i) for i, d in enumerate(shown, start=1)))  # type: ignore[arg-type]


def correct(pid: str) -> ItemResult:
    return result(pid, A, [A, B])  # both games right (game 2 shown swapped)


def wrong(pid: str) -> ItemResult:
    return result(pid, A, [B, A])


def run_of(judge: str, results: list[ItemResult], rule: str = "vote") -> LoadedRun:
    return loaded_run(results, rule=rule, seed=0, judge=judge, model="m", response_model="rm", dataset="d", path=judge, origin="run")


def released_line(pair: dict, d1: str | None, d2: str | None, judge: str = "arena_hard") -> dict:
    def j(d: str | None) -> dict | None:
        return None if d is None else {"judgment": {"judge_model": "gpt-x", "prompt": "", "response": f"verdict {d}"}, "decision": d}

    return {**pair, "judge_name": judge, "judgments": [j(d1), j(d2)]}


def test_compare_with_best_mcnemar_p_equals_scipy_binomial() -> None:
    # best: 30 of 40 right; close: differs on 4 pairs (3 only best right, 1 only close right); far: wrong on 20 the best got
    n = 40
    best = [correct(f"p{i}") if i < 30 else wrong(f"p{i}") for i in range(n)]
    close = [wrong(f"p{i}") if i < 3 else correct(f"p{i}") if i in (35,) or 3 <= i < 30 else wrong(f"p{i}") for i in range(n)]
    far = [correct(f"p{i}") if i < 10 else wrong(f"p{i}") for i in range(n)]
    runs = compare_with_best([run_of("best", best), run_of("close", close), run_of("far", far)])
    rows = {r.row["judge"]: r.row for r in runs}
    assert rows["best"]["best"] and rows["best"]["p_vs_best"] is None
    # exact McNemar = two-sided binomial test of b discordant pairs out of b + c at p = 1/2 (scipy reference)
    assert rows["close"]["p_vs_best"] == pytest.approx(binomtest(3, 4, 0.5).pvalue)
    assert rows["close"]["sig_test"] == MCNEMAR and rows["close"]["n_paired"] == n and rows["close"]["tied_with_best"]
    assert rows["far"]["p_vs_best"] == pytest.approx(binomtest(20, 20, 0.5).pvalue)
    assert not rows["far"]["tied_with_best"]


def test_compare_with_best_partial_credit_uses_paired_bootstrap() -> None:
    inconsistent = [result(f"p{i}", A, [A, A]) for i in range(10)]  # average rule: 1/2 each
    runs = compare_with_best([run_of("x", [correct(f"p{i}") for i in range(10)], "average"), run_of("y", inconsistent, "average")])
    y = next(r.row for r in runs if r.row["judge"] == "y")
    assert y["sig_test"] == PAIRED_BOOTSTRAP and y["p_vs_best"] is not None and y["p_vs_best"] < 0.05


def test_compare_with_best_disjoint_pairs_not_tested() -> None:
    runs = compare_with_best([run_of("x", [correct("a")]), run_of("y", [wrong("b")])])
    y = next(r.row for r in runs if r.row["judge"] == "y")
    assert y["sig_test"] is None and not y["tied_with_best"]


def test_baseline_run_tie_labels_lower_expected_value() -> None:
    # labels A>B, B>A, A=B, A>B: a random A/B choice matches 1/2 of the 3 strict labels and never the tie:
    # expected accuracy = (0.5 + 0.5 + 0 + 0.5) / 4 = 37.5%
    res = [result("1", A, [A, B]), result("2", B, [A, B]), result("3", T, [T, T]), result("4", A, [A, B], source="livebench-math")]
    base = baseline_run([run_of("x", res)]).row
    assert base["overall"] == pytest.approx(37.5)
    assert base["knowledge"] == pytest.approx(100 * (0.5 + 0.5 + 0) / 3) and base["math"] == pytest.approx(50.0)
    assert base["origin"] == "baseline" and base["ci"] is None and base["n"] == 4


def test_sort_runs_baseline_last_and_text_ascending() -> None:
    runs = [run_of("b", [wrong("1")]), run_of("a", [correct("1")])]
    with_base = [*runs, baseline_run(runs)]
    assert [r.row["judge"] for r in sort_runs(with_base, "overall")] == ["a", "b", "random choice (expected)"]
    assert [r.row["judge"] for r in sort_runs(with_base, "judge")][:2] == ["a", "b"]
    with pytest.raises(InputError, match="unknown sort column 'nope'"):
        sort_runs(runs, "nope")


def test_group_runs_bigger_groups_first() -> None:
    one = run_of("x", [correct("1")])
    other = LoadedRun(dict(one.row, response_model="zz"))
    groups = group_runs([one, other, other], "response_model")
    assert [g for g, _ in groups] == ["zz", "rm"]
    with pytest.raises(InputError, match="cannot group by"):
        group_runs([one], "judge")


def _bench(pairs_file: Path, results: Path, judge: str) -> None:
    proc = run_cli("bench", "--judge", judge, "--data", str(pairs_file), "--results-dir", str(results), "--no-progress")
    assert proc.returncode == 0, proc.stderr


def _released_file(tmp_path: Path) -> Path:
    rows = [make_pair(i, "A>B" if i % 2 else "B>A") for i in range(12)]
    lines = [released_line(p, "A>B", "B>A" if i % 3 else "A>B") for i, p in enumerate(rows)]
    return write_jsonl(tmp_path / "dataset=judgebench,response_model=test-model,judge_name=arena_hard,judge_model=gpt-x.jsonl", lines)


def test_load_runs_rescores_from_judgments_under_rule(pairs_file: Path, tmp_path: Path) -> None:
    _bench(pairs_file, tmp_path / "r", "random")
    judgments = next((tmp_path / "r").rglob("judgments.jsonl"))
    results = read_judgment_file(judgments).results
    for rule in ("vote", "average", "first"):
        (run,) = load_runs(tmp_path / "r", rule=rule)
        assert run.row["overall"] == pytest.approx(score_results(results, rule=rule).accuracy)  # type: ignore[arg-type]
        assert run.row["rule"] == rule and run.row["origin"] == "run" and len(run.credits) == 20


def test_load_runs_metrics_only_other_rule_is_an_error(pairs_file: Path, tmp_path: Path) -> None:
    _bench(pairs_file, tmp_path / "r", "longer")
    next((tmp_path / "r").rglob("judgments.jsonl")).unlink()
    assert load_runs(tmp_path / "r", rule="vote")[0].credits == {}
    with pytest.raises(InputError, match="no judgments.jsonl to rescore under 'first'"):
        load_runs(tmp_path / "r", rule="first")


def test_load_runs_include_released_file_and_skip_duplicates(pairs_file: Path, tmp_path: Path) -> None:
    _bench(pairs_file, tmp_path / "r", "longer")
    released = _released_file(tmp_path)
    own = next((tmp_path / "r").rglob("judgments.jsonl"))
    runs = load_runs(tmp_path / "r", [released, own, tmp_path / "r"])
    assert len(runs) == 2
    rel = next(r for r in runs if r.row["origin"] == "released")
    assert rel.row["judge"] == "arena_hard" and rel.row["model"] == "gpt-x" and rel.row["dataset"] == "judgebench"


def test_leaderboard_groups_baselines_and_marks(pairs_file: Path, tmp_path: Path) -> None:
    _bench(pairs_file, tmp_path / "r", "longer")
    _bench(pairs_file, tmp_path / "r", "random")
    runs = leaderboard(load_runs(tmp_path / "r", [_released_file(tmp_path)]), group_by="response_model", baseline=True)
    groups = [r.row["group"] for r in runs]
    assert groups == sorted(groups, key=groups.index)  # contiguous groups
    # one group (test-model) holding two pair sets: the 20 pairs longer and random judged, the released file's 12
    # (other labels, so other pairs): one reference row each, after the runs, with its set's number of pairs
    baselines = [r.row for r in runs if r.row["origin"] == "baseline"]
    assert sorted(b["n"] for b in baselines) == [12, 20]
    assert [r.row["origin"] for r in runs[-2:]] == ["baseline", "baseline"]
    assert sum(r.row["best"] for r in runs) >= 1


def test_leaderboard_cli_formats(pairs_file: Path, tmp_path: Path) -> None:
    _bench(pairs_file, tmp_path / "r", "longer")
    _bench(pairs_file, tmp_path / "r", "shorter")
    released = str(_released_file(tmp_path))
    common = [str(tmp_path / "r"), "--include", released, "--baseline", "--group-by", "response_model"]
    js = run_cli("leaderboard", *common, "--format", "json")
    assert js.returncode == 0, js.stderr
    rows = json.loads(js.stdout)
    assert {r["origin"] for r in rows} == {"run", "released", "baseline"}
    tex = run_cli("leaderboard", *common, "--format", "latex")
    assert tex.returncode == 0 and latex_table_problems(tex.stdout) == []
    md = run_cli("leaderboard", *common, "--columns", "judge,overall,ci", "--sort", "judge")
    assert md.returncode == 0, md.stderr
    assert md.stdout.splitlines()[:3] == ["### Pairs from test-model", "", "| Judge | Overall (vote) | 95% CI |"]
    csv_out = run_cli("leaderboard", *common, "--format", "csv", "--rule", "average")
    assert csv_out.returncode == 0 and "average" in csv_out.stdout


def test_leaderboard_cli_bad_column_exit_2_writes_nothing(pairs_file: Path, tmp_path: Path) -> None:
    _bench(pairs_file, tmp_path / "r", "longer")
    proc = run_cli("leaderboard", str(tmp_path / "r"), "--columns", "judge,bogus", "--write")
    assert proc.returncode == 2 and "unknown column(s) 'bogus'" in proc.stderr
    assert not list((tmp_path / "r").glob("leaderboard.*"))


def test_leaderboard_cli_missing_folder_exit_2(tmp_path: Path) -> None:
    proc = run_cli("leaderboard", str(tmp_path / "nope"))
    assert proc.returncode == 2 and "no such folder" in proc.stderr


def test_leaderboard_cli_write_all_three(pairs_file: Path, tmp_path: Path) -> None:
    _bench(pairs_file, tmp_path / "r", "longer")
    proc = run_cli("leaderboard", str(tmp_path / "r"), "--write", "--out-dir", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["leaderboard.csv", "leaderboard.md", "leaderboard.tex"]


def test_leaderboard_released_outputs_match_score_and_mcnemar(tmp_path: Path) -> None:
    outputs = shared("judgebench", "outputs")
    proc = run_cli("leaderboard", str(tmp_path / "none"), "--include", str(outputs), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    scored = {r["path"]: r for r in json.loads(run_cli("score", "--json", *map(str, sorted(outputs.glob("*.jsonl")))).stdout)}
    assert len(rows) == len(scored) == 4
    for r in rows:
        s = scored[r["path"]]
        assert (r["overall"], r["knowledge"], r["coding"], r["consistency"]) == (s["overall"], s["knowledge"], s["coding"], s["position_consistency"])
    # the dagger, recomputed here from per-pair correctness with scipy's binomial test
    best = max(rows, key=lambda r: r["overall"])

    def correctness(path: str) -> dict[str, int]:
        res = read_judgment_file(path).results
        label_wins = {r.pair_id: sum((1 if d == r.pair.label else -1 if d == r.pair.label.flipped() else 0) for d in (r.games[0].decision, r.games[1].decision.flipped())) > 0 for r in res}
        return {k: int(v) for k, v in label_wins.items()}

    cb = correctness(best["path"])
    for r in rows:
        if r is best:
            continue
        co = correctness(r["path"])
        b = sum(cb[p] and not co[p] for p in cb)
        c = sum(co[p] and not cb[p] for p in cb)
        p = binomtest(b, b + c, 0.5).pvalue if b + c else 1.0
        assert r["p_vs_best"] == pytest.approx(p)
        assert r["tied_with_best"] == (p >= 0.05)


def test_leaderboard_latex_of_real_runs_compiles(tmp_path: Path, pairs_file: Path) -> None:
    import shutil
    import subprocess

    _bench(pairs_file, tmp_path / "r", "longer")
    _bench(pairs_file, tmp_path / "r", "random")
    proc = run_cli("leaderboard", str(tmp_path / "r"), "--include", str(_released_file(tmp_path)), "--baseline", "--group-by", "response_model", "--format", "latex", "--standalone")
    assert proc.returncode == 0, proc.stderr
    assert latex_table_problems(proc.stdout) == []
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex not installed; structural check passed")
    (tmp_path / "lb.tex").write_text(proc.stdout)
    tex = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "lb.tex"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert tex.returncode == 0, tex.stdout[-3000:]


def test_compare_with_best_credits_are_per_pair_not_per_position() -> None:
    # same pair ids in a different order must give the same test
    best = [correct(f"p{i}") for i in range(8)]
    other = [wrong(f"p{i}") for i in range(8)]
    a = compare_with_best([run_of("b", best), run_of("o", other)])[1].row["p_vs_best"]
    b = compare_with_best([run_of("b", best), run_of("o", other[::-1])])[1].row["p_vs_best"]
    assert a == b == pytest.approx(binomtest(8, 8, 0.5).pvalue)
    assert np.isfinite(a)
