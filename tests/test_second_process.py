"""A long call-free run judges its second half in a forked process (issue 17, target 3; ``runner.SECOND_PROCESS_MIN_ITEMS``).

What must hold: the files such a run writes equal one process's byte for byte (the reference is the one-process path,
``JUDGEBENCH_ONE_PROCESS=1``, which every other test of the runner checks); a killed parent takes its second process
with it and the same command resumes to the same files; the second half's rows are still checked against the file
as first read; and scores merged from two halves equal the scores of one pass.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from judgebench.analysis.scoring import RunScorer
from judgebench.benchmarks.local import PairStream
from judgebench.errors import InputError
from judgebench.schema import Decision, Item, ItemResult, Judgment

SOURCES = ("mmlu-pro-math", "livebench-reasoning", "livecodebench", "mmlu-pro-law", "somewhere-else")


def _pairs(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            row = {"pair_id": f"p{i:06d}", "question": f"question {i} é?", "response_A": "a" * (i * 7 % 41 + 1), "response_B": "b" * (i * 11 % 37 + 1), "label": ("A>B", "B>A")[i * 13 % 2], "source": SOURCES[i * 3 % 5]}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def _bench(data: Path, results: Path, *extra: str, **env: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "judgebench", "bench", "--data", str(data), "--results-dir", str(results), "--no-progress", *extra]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, env={**os.environ, **env})


def _run_folder(results: Path) -> Path:
    (found,) = {p.parent for p in results.rglob("run.json")}
    return found


@pytest.mark.parametrize("extra", [("--judge", "longer"), ("--judge", "random", "--limit", "2999"), ("--judge", "shorter", "--games", "1")])
def test_two_processes_write_what_one_process_writes(tmp_path: Path, extra: tuple[str, ...]) -> None:
    data = _pairs(tmp_path / "pairs.jsonl", 4001)
    two = _bench(data, tmp_path / "two", *extra, JUDGEBENCH_SECOND_PROCESS_MIN_ITEMS="1000")
    one = _bench(data, tmp_path / "one", *extra, JUDGEBENCH_ONE_PROCESS="1", JUDGEBENCH_SECOND_PROCESS_MIN_ITEMS="1000")
    assert two.returncode == 0 and one.returncode == 0, two.stderr + one.stderr
    a, b = _run_folder(tmp_path / "two"), _run_folder(tmp_path / "one")
    run_a, run_b = json.loads((a / "run.json").read_text()), json.loads((b / "run.json").read_text())
    assert (run_a["processes"], run_b["processes"]) == (2, 1)
    assert (a / "judgments.jsonl").read_bytes() == (b / "judgments.jsonl").read_bytes()
    assert (a / "metrics.json").read_bytes() == (b / "metrics.json").read_bytes()
    for key in ("counts", "usage", "confidence", "games"):
        assert run_a[key] == run_b[key], key
    assert not list(a.glob(".*.tmp")) and not (a / "judgments.jsonl.partial").exists()
    assert two.stdout.replace(str(tmp_path / "two"), "R") == one.stdout.replace(str(tmp_path / "one"), "R")


def test_below_the_threshold_one_process_judges(tmp_path: Path) -> None:
    data = _pairs(tmp_path / "pairs.jsonl", 999)
    done = _bench(data, tmp_path / "r", "--judge", "longer", JUDGEBENCH_SECOND_PROCESS_MIN_ITEMS="1000")
    assert done.returncode == 0, done.stderr
    assert json.loads((_run_folder(tmp_path / "r") / "run.json").read_text())["processes"] == 1


def test_a_bad_threshold_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    data = _pairs(tmp_path / "pairs.jsonl", 10)
    done = _bench(data, tmp_path / "r", "--judge", "longer", JUDGEBENCH_SECOND_PROCESS_MIN_ITEMS="many")
    assert done.returncode == 2 and "JUDGEBENCH_SECOND_PROCESS_MIN_ITEMS" in done.stderr
    assert not (tmp_path / "r").exists()


def test_a_killed_parent_takes_its_second_process_with_it(tmp_path: Path) -> None:
    """SIGKILL to the parent alone: the partial log stops growing (no orphan writes to the folder), and the same
    command resumes to the files an uninterrupted run writes."""
    data = _pairs(tmp_path / "pairs.jsonl", 60_000)
    results = tmp_path / "results"
    def command(folder: Path) -> list[str]:
        return [sys.executable, "-m", "judgebench", "bench", "--data", str(data), "--results-dir", str(folder), "--no-progress", "--judge", "longer"]

    cmd = command(results)
    env = {**os.environ, "JUDGEBENCH_SECOND_PROCESS_MIN_ITEMS": "1000"}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 120
    partial: list[Path] = []
    while proc.poll() is None and time.monotonic() < deadline:
        partial = list(results.rglob("judgments.jsonl.partial"))
        if partial and partial[0].stat().st_size > 200_000:  # both halves are under way
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    sizes = []
    for _ in range(4):
        time.sleep(0.3)
        sizes.append(partial[0].stat().st_size)
    assert len(set(sizes)) == 1, f"the partial log still grows after the parent died: {sizes}"
    logged = [json.loads(line) for line in partial[0].read_text().splitlines()]
    assert len({r["item_id"] for r in logged}) == len(logged) > 0
    resumed = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    assert resumed.returncode == 0, resumed.stderr
    folder = _run_folder(results)
    assert json.loads((folder / "run.json").read_text())["counts"]["reused"] == 2 * len(logged)
    reference = subprocess.run(command(tmp_path / "reference"), capture_output=True, text=True, timeout=600, env={**os.environ, "JUDGEBENCH_ONE_PROCESS": "1"})
    assert reference.returncode == 0, reference.stderr
    assert (folder / "judgments.jsonl").read_bytes() == (_run_folder(tmp_path / "reference") / "judgments.jsonl").read_bytes()


def _row(i: int) -> str:
    return json.dumps({"pair_id": f"p{i}", "question": f"q{i}", "response_A": "a" * (i + 1), "response_B": "b", "label": "A>B", "source": "s"}) + "\n"


def test_items_from_passes_over_earlier_rows_and_checks_the_rest(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("".join(_row(i) for i in range(5)))
    second.write_text("\n" + "".join(_row(i) for i in range(5, 9)))  # a blank line is not a row
    stream = PairStream([first, second])
    assert stream.items_from(0) is None  # nothing fingerprinted before a complete read
    everything = list(stream())
    assert stream.fingerprinted
    for start in (0, 3, 5, 7, 9):
        assert [i.id for i in stream.items_from(start) or ()] == [i.id for i in everything[start:]]
    # a changed row before the start is another reader's to find; one from the start on is refused here
    text = first.read_text().splitlines(keepends=True)
    text[1] = text[1].replace('"q1"', '"q1!"')
    first.write_text("".join(text))
    assert [i.id for i in stream.items_from(5) or ()] == ["p5", "p6", "p7", "p8"]
    with pytest.raises(InputError, match="changed") as e:
        list(stream.items_from(1) or ())
    assert e.value.path == str(first) and e.value.line == 2
    # a row more, or a row fewer, at the end is refused by the reader of the last rows
    first.write_text("".join(_row(i) for i in range(5)))
    second.write_text("\n" + "".join(_row(i) for i in range(5, 10)))
    with pytest.raises(InputError, match="changed") as e:
        list(stream.items_from(6) or ())
    assert e.value.path == str(second) and e.value.line == 6
    second.write_text("\n" + "".join(_row(i) for i in range(5, 8)))
    first.write_text("".join(_row(i) for i in range(5)))
    with pytest.raises(InputError, match="fewer"):
        list(stream.items_from(6) or ())


def _result(i: int) -> ItemResult:
    item = Item.from_dict({"id": f"p{i}", "prompt": "q", "responses": [{"text": "a", "id": "A"}, {"text": "b", "id": "B"}], "target": {"type": "preference", "winner": i % 2}, "source": SOURCES[i % 5], "category": "" if i % 4 else f"cat{i % 3}"})
    decisions = [Decision.A_BETTER, Decision.B_BETTER, Decision.NONE, Decision.TIE]
    first, second = decisions[i % 4], decisions[(i * 7) % 4]
    judgments = (Judgment(decision=first, game=1, view=(0, 1)), Judgment(decision=second, game=2, view=(1, 0), error="boom" if i % 9 == 0 else None))
    return ItemResult(item=item, judgments=judgments, judge="x", model="m", protocol="pairwise(orders=both, pairs=all)")


def test_scores_merged_from_two_halves_equal_one_pass() -> None:
    results = [_result(i) for i in range(300)]
    whole = RunScorer(rule="vote", seed=3, n_resamples=500)
    for r in results:
        whole.add(r)
    for cut in (0, 1, 137, 300):
        head, tail = RunScorer(rule="vote", seed=3, n_resamples=500), RunScorer(rule="vote", seed=3, n_resamples=500)
        for r in results[:cut]:
            head.add(r)
        for r in results[cut:]:
            tail.add(r)
        head.merge(tail.state())
        assert head.finish().to_dict() == whole.finish().to_dict(), cut


def _start(data: Path, results: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "judgebench", "bench", "--data", str(data), "--results-dir", str(results), "--no-progress", "--judge", "longer"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "JUDGEBENCH_SECOND_PROCESS_MIN_ITEMS": "1000"})


def _wait_for_partial(proc: subprocess.Popen[bytes], results: Path, size: int = 1) -> None:
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        partial = list(results.rglob("judgments.jsonl.partial"))
        if partial and partial[0].stat().st_size >= size:
            return
        time.sleep(0.005)
    raise AssertionError("the run finished before its partial log appeared")


def test_a_row_appended_while_two_processes_judge_is_refused(tmp_path: Path) -> None:
    """As in one process: the reader of the last rows reads to the end of the file, so a row appended after the
    file was read and checked is refused (exit 2, the line named), never judged or ignored."""
    data = _pairs(tmp_path / "pairs.jsonl", 60_000)
    proc = _start(data, tmp_path / "results")
    _wait_for_partial(proc, tmp_path / "results")
    with data.open("a", encoding="utf-8") as f:
        f.write(json.dumps({"pair_id": "late", "question": "q", "response_A": "a", "response_B": "b", "label": "A>B"}) + "\n")
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 2, err.decode()
    assert f"{data}:60001" in err.decode() and "changed since the file was first read" in err.decode()
    assert not list((tmp_path / "results").rglob("judgments.jsonl")) and not list((tmp_path / "results").rglob(".*.tmp"))


def test_a_lost_second_process_stops_the_run_to_be_resumed(tmp_path: Path) -> None:
    """A second process killed on its own (the out-of-memory killer) stops the run with exit 4 and the resume
    command's advice, not a traceback; the same command then finishes with the files of an uninterrupted run."""
    data = _pairs(tmp_path / "pairs.jsonl", 60_000)
    results = tmp_path / "results"
    proc = _start(data, results)
    _wait_for_partial(proc, results)
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    if not children.exists():
        proc.kill()
        pytest.skip("this kernel does not list a process's children in /proc")
    deadline = time.monotonic() + 30
    while not children.read_text().split() and time.monotonic() < deadline:
        time.sleep(0.005)
    (child,) = children.read_text().split()
    os.kill(int(child), signal.SIGKILL)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 4, err.decode()
    assert "second judging process ended without a result (killed by signal 9)" in err.decode() and "Traceback" not in err.decode()
    assert not list(results.rglob("judgments.jsonl")) and not list(results.rglob(".*.tmp"))
    resumed = _bench(data, results, "--judge", "longer", JUDGEBENCH_SECOND_PROCESS_MIN_ITEMS="1000")
    assert resumed.returncode == 0, resumed.stderr
    reference = _bench(data, tmp_path / "reference", "--judge", "longer", JUDGEBENCH_ONE_PROCESS="1")
    assert reference.returncode == 0, reference.stderr
    assert (_run_folder(results) / "judgments.jsonl").read_bytes() == (_run_folder(tmp_path / "reference") / "judgments.jsonl").read_bytes()


@pytest.mark.parametrize("value", ["many", "1", "²", "٣٠٠٠", "-5"])
def test_every_bad_threshold_is_refused(tmp_path: Path, value: str) -> None:
    data = _pairs(tmp_path / "pairs.jsonl", 10)
    done = _bench(data, tmp_path / "r", "--judge", "longer", JUDGEBENCH_SECOND_PROCESS_MIN_ITEMS=value)
    assert done.returncode == 2 and "JUDGEBENCH_SECOND_PROCESS_MIN_ITEMS" in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert not (tmp_path / "r").exists()


def test_one_process_zero_means_the_default(tmp_path: Path) -> None:
    data = _pairs(tmp_path / "pairs.jsonl", 1500)
    done = _bench(data, tmp_path / "r", "--judge", "longer", JUDGEBENCH_SECOND_PROCESS_MIN_ITEMS="1000", JUDGEBENCH_ONE_PROCESS="0")
    assert done.returncode == 0, done.stderr
    assert json.loads((_run_folder(tmp_path / "r") / "run.json").read_text())["processes"] == 2
