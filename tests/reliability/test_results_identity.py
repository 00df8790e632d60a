"""Issue 12 item 3: a results folder identifies its data, a smaller run never loses a finished one, the
leaderboard compares only runs on the same pairs and keeps partial runs out of "best", and --refresh re-judges.

Every run here is a real run through the runner (judges registered below need no model server, or a real HTTP
server on 127.0.0.1); the leaderboard is read back through the CLI, as a user would.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from scipy.stats import binomtest

from judgebench.benchmarks import load_pairs
from judgebench.errors import InputError
from judgebench.judges import JudgeContext, register_judge
from judgebench.run.runner import RunSpec, run
from judgebench.schema import Decision, Judgment
from judgebench.testing.fake_server import FakeConfig

from ..conftest import make_pair, run_cli, write_jsonl


class MarkerJudge:
    """Right exactly on the pairs whose question carries its marker, wrong on the others (picks the response that
    starts with ``right`` or ``wrong``): its accuracy on any subset is known by construction."""

    kind = "pairwise"
    order_invariant = False

    def __init__(self, marker: str) -> None:
        self.name = f"test_marker_{marker}"
        self.marker = marker

    async def judge(self, context: JudgeContext, response_a: str, response_b: str) -> Judgment:
        want = "right" if self.marker in context.question.split() else "wrong"
        return Judgment(Decision.A_BETTER if response_a.startswith(want) else Decision.B_BETTER, output=f"picked {want}")


@register_judge("test_marker_x", "test only: right on questions marked x", needs_model=False, backend="none")
def _marker_x(backend: object = None) -> MarkerJudge:
    return MarkerJudge("x")


@register_judge("test_marker_y", "test only: right on questions marked y", needs_model=False, backend="none")
def _marker_y(backend: object = None) -> MarkerJudge:
    return MarkerJudge("y")


def marked_pairs(path: Path, n: int, x: set[int], y: set[int], salt: str = "") -> Path:
    """``n`` pairs; the correct response starts with "right" (at A on even i); questions carry the markers."""
    rows = []
    for i in range(n):
        marks = " ".join(m for m, s in (("x", x), ("y", y)) if i in s)
        right, wrong = f"right answer {i}{salt}", f"wrong answer {i}{salt}"
        a, b, label = (right, wrong, "A>B") if i % 2 == 0 else (wrong, right, "B>A")
        rows.append(make_pair(i, label, question=f"question {i} {marks}".strip(), response_A=a, response_B=b))
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_jsonl(path, rows)


def spec(data: Path | str, results: Path, judge: str, **kw: object) -> RunSpec:
    base: dict = dict(data=str(data), judge=judge, model=f"model-{judge[-1]}", results_dir=str(results), progress=False, concurrency=4)
    base.update(kw)
    return RunSpec(**base)


def jsonl_rows(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()]


def leaderboard_rows(results: Path, *extra: str) -> dict[str, dict]:
    proc = run_cli("leaderboard", str(results), "--format", "json", *extra)
    assert proc.returncode == 0, proc.stderr
    return {r["path"]: r for r in json.loads(proc.stdout)}


def test_limit_run_never_replaces_a_finished_run(tmp_path: Path) -> None:
    data = marked_pairs(tmp_path / "data" / "pairs.jsonl", 30, x=set(range(0, 30, 2)), y=set())
    results = tmp_path / "results"
    full = run(spec(data, results, "test_marker_x"))
    before = {name: (full.out_dir / name).read_bytes() for name in ("judgments.jsonl", "metrics.json", "run.json")}
    smoke = run(spec(data, results, "test_marker_x", limit=10))
    # the finished 30-pair run is untouched, byte for byte; the 10-pair run has its own folder
    assert {name: (full.out_dir / name).read_bytes() for name in before} == before
    assert len(jsonl_rows(full.out_dir / "judgments.jsonl")) == 30
    assert smoke.out_dir != full.out_dir and smoke.out_dir.parent.parent.name == full.out_dir.parent.parent.name + "@limit=10"
    assert [r["item_id"] for r in jsonl_rows(smoke.out_dir / "judgments.jsonl")] == [f"p{i}" for i in range(10)]
    # run.json says what was judged out of what: the whole set's size and hash, the judged subset
    info = json.loads((smoke.out_dir / "run.json").read_text())["pairs"]
    full_info = json.loads((full.out_dir / "run.json").read_text())["pairs"]
    assert (info["set_size"], info["judged"], info["limit"]) == (30, 10, 10)
    assert info["set_sha256"] == full_info["set_sha256"] == full_info["judged_sha256"] != info["judged_sha256"]
    # a --limit at least the set's size is the whole set: same folder, every judgment reused
    again = run(spec(data, results, "test_marker_x", limit=30))
    assert again.out_dir == full.out_dir and again.run_info["counts"]["reused"] == 60 and again.run_info["counts"]["new"] == 0


def test_two_files_with_the_same_name_get_separate_folders_named_by_content(tmp_path: Path) -> None:
    one = marked_pairs(tmp_path / "one" / "pairs.jsonl", 12, x=set(range(12)), y=set())
    two = marked_pairs(tmp_path / "two" / "pairs.jsonl", 12, x=set(range(12)), y=set(), salt=" (second set)")  # same ids, other text
    results = tmp_path / "results"
    first = run(spec(one, results, "test_marker_x"))
    second = run(spec(two, results, "test_marker_x"))
    assert first.out_dir != second.out_dir
    assert "(second set)" not in (first.out_dir / "judgments.jsonl").read_text()  # the first run's results survive
    assert "(second set)" in (second.out_dir / "judgments.jsonl").read_text()

    def content_hash(path: Path) -> str:
        # the documented identity (pairs.pair_set_sha256), computed here from the raw file, not by the code under test
        rows = sorted((json.loads(x) for x in path.read_text().splitlines()), key=lambda r: r["pair_id"])
        lines = [json.dumps([r["pair_id"], r["question"], r["response_A"], r["response_B"], r["label"]], ensure_ascii=False) + "\n" for r in rows]
        return hashlib.sha256("".join(lines).encode()).hexdigest()

    for out, path in ((first, one), (second, two)):
        assert out.out_dir.parent.parent.name == f"pairs-{content_hash(path)[:8]}"
        assert out.run_info["pairs"]["set_sha256"] == content_hash(path)
    # the same pairs in another order and format are the same data: the same folder, nothing judged again
    rows = [json.loads(x) for x in one.read_text().splitlines()][::-1]
    (tmp_path / "three").mkdir()
    (tmp_path / "three" / "pairs.json").write_text(json.dumps(rows))
    third = run(spec(tmp_path / "three" / "pairs.json", results, "test_marker_x"))
    assert third.out_dir == first.out_dir and third.run_info["counts"]["new"] == 0


def test_named_set_keeps_its_folder_records_its_hash_and_refuses_other_content(tmp_path: Path) -> None:
    copy1, copy2 = tmp_path / "copy1", tmp_path / "copy2"
    marked_pairs(copy1 / "x_gpt-4o-2024-05-13.jsonl", 8, x=set(range(8)), y=set())
    marked_pairs(copy2 / "x_gpt-4o-2024-05-13.jsonl", 8, x=set(range(8)), y=set(), salt=" edited")
    results = tmp_path / "results"
    out = run(spec("judgebench:gpt", results, "test_marker_x", data_dir=str(copy1)))
    assert out.out_dir == results / "judgebench-gpt" / "test_marker_x" / "model-x"
    before = {p.name: p.read_bytes() for p in out.out_dir.iterdir() if p.is_file() and p.name != ".lock"}
    # another copy of "judgebench:gpt" with other content must not replace the finished run: exit 2, nothing written
    proc = run_cli("bench", "--judge", "longer", "--data", "judgebench:gpt", "--data-dir", str(copy2), "--results-dir", str(results), "--no-progress")
    other = results / "judgebench-gpt" / "longer" / "none"
    assert proc.returncode == 0 and (other / "judgments.jsonl").exists()  # another judge: another folder, no conflict
    with pytest.raises(InputError) as e:
        run(spec("judgebench:gpt", results, "test_marker_x", data_dir=str(copy2)))
    assert e.value.path == str(out.out_dir / "run.json") and e.value.field == "pairs.set_sha256"
    proc = run_cli("bench", "--judge", "longer", "--data", "judgebench:gpt", "--data-dir", str(copy1), "--results-dir", str(results), "--no-progress")
    assert proc.returncode == 2 and "pairs.set_sha256" in proc.stderr and "Move the folder" in proc.stderr
    assert {p.name: p.read_bytes() for p in out.out_dir.iterdir() if p.is_file() and p.name != ".lock"} == before
    assert out.run_info["dataset"] == "judgebench-gpt" and re.fullmatch(r"[0-9a-f]{64}", out.run_info["pairs"]["set_sha256"])


def test_refresh_rejudges_although_the_results_folder_exists(fake_server, tmp_path: Path) -> None:
    data = marked_pairs(tmp_path / "pairs.jsonl", 6, x=set(), y=set())
    server = fake_server(FakeConfig(), load_pairs(str(data)))
    base = dict(data=str(data), judge="vanilla", model="openai:test", base_url=server.base_url, results_dir=str(tmp_path / "r"), cache_dir=str(tmp_path / "c"), progress=False, games=2)
    first = run(RunSpec(**base))  # type: ignore[arg-type]
    assert first.run_info["counts"]["new"] == 12 and server.stats()["calls"] == 12
    again = run(RunSpec(**base))  # type: ignore[arg-type]
    assert again.run_info["counts"]["reused"] == 12 and server.stats()["calls"] == 12  # resume: nothing asked again
    refreshed = run(RunSpec(**base, refresh=True))  # type: ignore[arg-type]
    # --refresh: every judgment is asked again (past the results folder and the cache) and rewritten
    counts = refreshed.run_info["counts"]
    assert (counts["new"], counts["reused"], counts["cached"]) == (12, 0, 0)
    assert server.stats()["calls"] == 24
    assert len(jsonl_rows(refreshed.out_dir / "judgments.jsonl")) == 6


def test_leaderboard_keeps_a_partial_smoke_run_out_of_best_and_daggers(tmp_path: Path) -> None:
    # 40 pairs. Judge x is right on 9 of the first 10 and on 14 of all 40 (35%); judge y on the 26 of 40 that are
    # not multiples of 3 (65%). They disagree on 20 pairs: x alone right on 0, 3, 6, 15; y alone on 16 others.
    x = set(range(9)) | {11, 13, 15, 17, 19}
    y = set(range(40)) - set(range(0, 40, 3))
    data = marked_pairs(tmp_path / "pairs.jsonl", 40, x=x, y=y)
    results = tmp_path / "results"
    full_x = run(spec(data, results, "test_marker_x"))
    full_y = run(spec(data, results, "test_marker_y"))
    smoke_x = run(spec(data, results, "test_marker_x", limit=10))
    assert (full_x.metrics.accuracy, full_y.metrics.accuracy, smoke_x.metrics.accuracy) == pytest.approx((35.0, 65.0, 90.0))

    rows = leaderboard_rows(results)
    fx, fy, sx = rows[str(full_x.out_dir)], rows[str(full_y.out_dir)], rows[str(smoke_x.out_dir)]
    assert fy["best"] and not sx["best"]  # the 10-pair smoke run at 90% is not the best of the 40-pair runs
    assert sx["p_vs_best"] is None and sx["sig_test"] is None and not sx["tied_with_best"]
    assert sx["partial"] and not fx["partial"] and not fy["partial"] and not sx["compared"]
    assert (sx["n"], sx["set_size"]) == (10, 40)
    assert fx["sig_test"] == "McNemar exact" and fx["n_paired"] == 40  # tested against the full best, on 40 pairs
    assert fx["p_vs_best"] == pytest.approx(binomtest(4, 20, 0.5).pvalue) and not fx["tied_with_best"]
    assert fx["pair_set"] == fy["pair_set"] == sx["pair_set"]  # one pair set: the smoke run is a part of it
    proc = run_cli("leaderboard", str(results))
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("| test_marker")]
    assert [ln.split("|")[1].strip() for ln in lines] == ["test_marker_y", "test_marker_x", "test_marker_x ‡"]  # partial last
    assert "**90.0**" not in proc.stdout and "**65.0**" in proc.stdout  # bold Overall goes to the complete best
    assert "‡ Partial run: judged fewer pairs than its pair set has" in proc.stdout
    tex = run_cli("leaderboard", str(results), "--format", "latex").stdout
    assert r"test\_marker\_x$^\ddagger$" in tex and "$^\\ddagger$ Partial run" in tex

    # asked for, the partial run is compared: it becomes the best (90%) and the full runs are tested against it
    rows = leaderboard_rows(results, "--include-partial")
    sx, fy = rows[str(smoke_x.out_dir)], rows[str(full_y.out_dir)]
    assert sx["best"] and sx["compared"] and fy["sig_test"] == "McNemar exact" and fy["n_paired"] == 10


def test_leaderboard_compares_only_runs_on_the_same_pair_set(tmp_path: Path) -> None:
    # Two files named pairs.jsonl with the same pair ids and different pairs: a run on one is never tested
    # against the best run on the other, although their pair ids "match".
    one = marked_pairs(tmp_path / "one" / "pairs.jsonl", 30, x=set(range(24)), y=set(range(12)))
    two = marked_pairs(tmp_path / "two" / "pairs.jsonl", 30, x=set(range(6)), y=set(range(27)), salt=" v2")
    results = tmp_path / "results"
    on_one = [run(spec(one, results, j)) for j in ("test_marker_x", "test_marker_y")]  # 80% and 40%
    on_two = [run(spec(two, results, j)) for j in ("test_marker_x", "test_marker_y")]  # 20% and 90%
    rows = leaderboard_rows(results)
    r1x, r1y = (rows[str(o.out_dir)] for o in on_one)
    r2x, r2y = (rows[str(o.out_dir)] for o in on_two)
    assert r1x["best"] and r2y["best"]  # each pair set has its own best
    assert r1x["pair_set"] == r1y["pair_set"] != r2x["pair_set"] == r2y["pair_set"]
    assert r1y["n_paired"] == 30 and r2x["n_paired"] == 30  # each tested against the best of its own set
    md = run_cli("leaderboard", str(results)).stdout
    assert "| Pair set |" in md and "2 different pair sets" in md


def test_older_results_folders_still_load(tmp_path: Path) -> None:
    # run.json written before `pairs` was recorded: still a leaderboard row; a --limit run of that time is partial
    data = marked_pairs(tmp_path / "pairs.jsonl", 20, x=set(range(20)), y=set(range(10)))
    results = tmp_path / "results"
    full = run(spec(data, results, "test_marker_y"))
    smoke = run(spec(data, results, "test_marker_x", limit=5))
    for out in (full, smoke):
        info = json.loads((out.out_dir / "run.json").read_text())
        info.pop("pairs", None)
        (out.out_dir / "run.json").write_text(json.dumps(info))
    rows = leaderboard_rows(results)
    f, s = rows[str(full.out_dir)], rows[str(smoke.out_dir)]
    assert f["best"] and not s["best"]
    assert not f["partial"] and s["partial"] and s["set_size"] is None
