"""Hostile files and file systems: nothing judged wrong, no finished work lost, nothing written where it should not be.

Each case once ended in a traceback, a silently smaller run, a run that could not be resumed, or a write outside the
results folder. Now each is either handled (the run completes with the right results) or stopped with exit code 2
and a message naming the file and what to do, with ``results/`` as it was and every finished judgment kept.

Full and read-only file systems are simulated with tmpfs and bind mounts, which need root; those tests skip with
the reason otherwise.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from judgebench.testing.fake_server import FakeConfig

from ..conftest import make_pair, run_cli, write_jsonl

Mount = Callable[..., None]


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


def bench(data: Path, results: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli("bench", "--judge", "longer", "--data", str(data), "--results-dir", str(results), "--no-progress", *extra, env=env)


def model_bench(server, data: Path, results: Path, cache: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:  # noqa: ANN001
    args = ["bench", "--judge", "vanilla", "--model", "openai:test", "--base-url", server.base_url, "--data", str(data)]
    return run_cli(*args, "--results-dir", str(results), "--cache-dir", str(cache), "--no-progress", "--max-retries", "0", *extra, env=env)


def judgment_rows(results: Path) -> list[dict]:
    """The final judgments of the one run under ``results``, without provenance that differs between runs."""
    (f,) = results.rglob("judgments.jsonl")
    rows = [json.loads(x) for x in f.read_text(encoding="utf-8").splitlines()]
    for r in rows:
        for g in r["judgments"]:
            g.pop("usage", None)
            extra = g.pop("extra", None) or {}
            extra.pop("cached", None)
            if extra:
                g["extra"] = extra
    return rows


@pytest.fixture
def mount() -> Iterator[Mount]:
    """``mount(*args)`` runs ``mount`` (skipping the test when that is not allowed); every mount is undone after."""
    targets: list[str] = []

    def run(*args: str) -> None:
        proc = subprocess.run(["mount", *args], capture_output=True, text=True)
        if proc.returncode != 0:
            pytest.skip(f"cannot mount ({proc.stderr.strip() or proc.returncode}); simulating a full or read-only disk needs root")
        if "remount" not in " ".join(args):
            targets.append(args[-1])

    yield run
    for t in reversed(targets):
        subprocess.run(["umount", "-l", t], capture_output=True)


# ---------------------------------------------------------------------------------------------- folder sources


def pair_folder(tmp_path: Path) -> Path:
    """Nine pairs in three files: plain JSONL, gzip JSONL and a JSON list."""
    folder = tmp_path / "pairs"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", [make_pair(i) for i in range(3)])
    (folder / "b.jsonl.gz").write_bytes(gzip.compress("".join(json.dumps(make_pair(i)) + "\n" for i in range(3, 6)).encode()))
    (folder / "c.json").write_text(json.dumps([make_pair(i) for i in range(6, 9)]))
    return folder


def _dangling(folder: Path) -> Path:
    (folder / "d.jsonl").symlink_to(folder / "gone.jsonl")
    return folder / "d.jsonl"


def _loop(folder: Path) -> Path:
    (folder / "d.jsonl").symlink_to(folder / "e.jsonl")
    (folder / "e.jsonl").symlink_to(folder / "d.jsonl")
    return folder / "d.jsonl"


def test_folder_source_reads_gzip_files_too(tmp_path: Path) -> None:
    proc = bench(pair_folder(tmp_path), tmp_path / "results")
    assert proc.returncode == 0, proc.stderr
    assert "9 pairs, 18 judgments" in proc.stdout  # all three files; the .jsonl.gz was once skipped (6 of 9)


@pytest.mark.parametrize(("make_link", "phrase"), [(_dangling, "a dangling symlink"), (_loop, "a symlink loop")], ids=["dangling symlink", "symlink loop"])
def test_folder_source_with_unreadable_link_is_an_error_naming_it(make_link: Callable[[Path], Path], phrase: str, tmp_path: Path) -> None:
    folder = pair_folder(tmp_path)
    link = make_link(folder)
    results = tmp_path / "results"
    proc = bench(folder, results)
    assert proc.returncode == 2, proc.stderr
    assert f"{link}: {phrase}" in proc.stderr and "Traceback" not in proc.stderr
    assert not results.exists()  # never the 9 readable pairs judged as if they were all


# ------------------------------------------------------------------------------------- results read back in full


def test_result_lines_of_a_large_accepted_pair_read_back(fake_server, tmp_path: Path) -> None:  # noqa: ANN001
    # Per-line limit 1 MB (scaled down from 16 MB to keep the test small). A 0.5 MB pair is accepted; its result line
    # holds it three times (the pair and one prompt per game), ~1.5 MB, and must still read back everywhere.
    env = {"JUDGEBENCH_MAX_LINE_MB": "1"}
    data = write_jsonl(tmp_path / "pairs.jsonl", [make_pair(0), make_pair(1, response_A="word " * 100_000), make_pair(2)])
    results, cache = tmp_path / "results", tmp_path / "cache"
    server = fake_server(FakeConfig(seed=3))
    first = model_bench(server, data, results, cache, env=env)
    assert first.returncode == 0, first.stderr
    (judgments,) = results.rglob("judgments.jsonl")
    assert max(len(line) for line in judgments.read_text(encoding="utf-8").splitlines()) > 2**20
    score = run_cli("score", str(judgments.parent), env=env)
    assert score.returncode == 0, score.stderr
    board = run_cli("leaderboard", str(results), env=env)
    assert board.returncode == 0, board.stderr
    again = model_bench(server, data, results, cache, env=env)
    assert again.returncode == 0, again.stderr
    assert "6 reused from an earlier run" in again.stdout


# -------------------------------------------------------------------------------- results folder not writable


def earlier_run(results: Path) -> None:
    (results / "earlier" / "run").mkdir(parents=True)
    (results / "earlier" / "run" / "metrics.json").write_text('{"accuracy": 50.0}\n')


def test_results_dir_that_is_a_file_is_an_error(tmp_path: Path, pairs_file: Path) -> None:
    results = tmp_path / "results"
    results.write_text("not a folder\n")
    proc = bench(pairs_file, results)
    assert proc.returncode == 2, proc.stderr
    assert f"{results}: field '--results-dir'" in proc.stderr and "a file stands where a folder should be" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert results.read_text() == "not a folder\n"


def test_read_only_results_dir_is_an_error_and_leaves_it_untouched(mount: Mount, tmp_path: Path, pairs_file: Path) -> None:
    # As root, permissions do not stop writes: a read-only bind mount does.
    source, results = tmp_path / "source", tmp_path / "results"
    earlier_run(source)
    results.mkdir()
    mount("--bind", str(source), str(results))
    mount("-o", "remount,bind,ro", str(results))
    before = tree_digest(results)
    proc = bench(pairs_file, results)
    assert proc.returncode == 2, proc.stderr
    assert str(results) in proc.stderr and "Read-only file system" in proc.stderr and "make it writable or pass another --results-dir" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert tree_digest(results) == before


def big_pairs(tmp_path: Path, n: int = 30) -> Path:
    """``n`` pairs of about 6 KB each (a result line of the ``longer`` judge is about the pair's size)."""
    return write_jsonl(tmp_path / "big.jsonl", [make_pair(i, response_A="a" * (3000 + 7 * i), response_B="b" * 2900) for i in range(n)])


def complete_lines(path: Path) -> list[dict]:
    rows = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            pass
    return rows


def test_full_disk_is_an_error_and_finished_judgments_are_reused(mount: Mount, tmp_path: Path) -> None:
    data, results = big_pairs(tmp_path), tmp_path / "results"
    results.mkdir()
    mount("-t", "tmpfs", "-o", "size=64k", "tmpfs", str(results))
    proc = bench(data, results)
    assert proc.returncode == 2, proc.stderr
    assert "No space left on device" in proc.stderr and "free some space" in proc.stderr and "Traceback" not in proc.stderr
    (partial,) = results.rglob("judgments.jsonl.partial")
    assert f"kept in {partial}" in proc.stderr
    assert not list(results.rglob("judgments.jsonl"))  # no complete file that is not complete
    kept = complete_lines(partial)
    assert kept
    mount("-o", "remount,size=8m", str(results))
    again = bench(data, results)
    assert again.returncode == 0, again.stderr
    assert f"{2 * len(kept)} reused from an earlier run" in again.stdout  # two games per pair
    reference = tmp_path / "reference"
    assert bench(data, reference).returncode == 0
    assert judgment_rows(results) == judgment_rows(reference)


def test_torn_line_in_the_partial_log_mid_file_still_resumes(mount: Mount, tmp_path: Path) -> None:
    # The disk fills in the middle of a line; the next attempt appends after the torn line and the disk fills again,
    # so the torn line is now mid-file. A third attempt must resume (redoing the torn pair), not refuse to.
    data, results = big_pairs(tmp_path), tmp_path / "results"
    results.mkdir()
    mount("-t", "tmpfs", "-o", "size=64k", "tmpfs", str(results))
    assert bench(data, results).returncode != 0
    (partial,) = results.rglob("judgments.jsonl.partial")
    assert not partial.read_bytes().endswith(b"\n")  # torn at the end of the disk
    mount("-o", "remount,size=128k", str(results))
    assert bench(data, results).returncode != 0  # the second interruption
    lines = partial.read_text(encoding="utf-8").split("\n")
    assert any(not _parses(line) for line in lines[:-1])  # the torn line is now mid-file
    mount("-o", "remount,size=8m", str(results))
    third = bench(data, results)
    assert third.returncode == 0, third.stderr
    assert "unreadable line(s) of the partial log" in third.stderr  # the mid-file torn line (and the last, torn again)
    reference = tmp_path / "reference"
    assert bench(data, reference).returncode == 0
    assert judgment_rows(results) == judgment_rows(reference)


def _parses(line: str) -> bool:
    try:
        json.loads(line)
    except json.JSONDecodeError:
        return False
    return True


# -------------------------------------------------------------------------------------- symlinks in a run folder


@pytest.mark.parametrize("name", [".lock", "judgments.jsonl.partial"])
def test_symlink_in_run_folder_is_never_written_through(name: str, tmp_path: Path, pairs_file: Path) -> None:
    results = tmp_path / "results"
    assert bench(pairs_file, results, "--limit", "5").returncode == 0
    (run_json,) = results.rglob("run.json")
    victim = tmp_path / "victim.log"
    victim.write_text("")  # e.g. a log of the user's; a symlink planted in the results folder points at it
    link = run_json.parent / name
    link.unlink(missing_ok=True)
    link.symlink_to(victim)
    proc = bench(pairs_file, results, "--limit", "5")
    assert proc.returncode == 2, proc.stderr
    assert f"{link}: field '--results-dir'" in proc.stderr and "never writes through one" in proc.stderr and "Traceback" not in proc.stderr
    assert victim.read_text() == ""
    precious = "precious\n"
    victim.write_text(precious)
    proc = bench(pairs_file, results, "--limit", "5")
    assert proc.returncode == 2 and victim.read_text() == precious  # not truncated either


# ------------------------------------------------------------------------------------------------- call cache


def test_corrupt_cache_file_is_an_error_naming_it(fake_server, tmp_path: Path, pairs_file: Path) -> None:  # noqa: ANN001
    cache, results = tmp_path / "cache", tmp_path / "results"
    cache.mkdir()
    db = cache / "calls.sqlite"
    db.write_bytes(b"this is not an SQLite database\n" * 200)
    server = fake_server(FakeConfig(seed=1))
    proc = model_bench(server, pairs_file, results, cache)
    assert proc.returncode == 2, proc.stderr
    assert f"{db}: field '--cache-dir'" in proc.stderr and "move it away" in proc.stderr and "--no-cache" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not results.exists() and db.read_bytes() == b"this is not an SQLite database\n" * 200
    assert model_bench(server, pairs_file, results, cache, "--no-cache").returncode == 0


def test_corrupt_cache_pages_are_misses_never_failures(fake_server, tmp_path: Path) -> None:  # noqa: ANN001
    data = write_jsonl(tmp_path / "pairs.jsonl", [make_pair(i, "A>B" if i % 2 else "B>A") for i in range(300)])
    cache = tmp_path / "cache"
    server = fake_server(FakeConfig(seed=1))
    first = model_bench(server, data, tmp_path / "first", cache)
    assert first.returncode == 0 and "600 judgments (600 judged, 0 of them from the call cache" in first.stdout
    db = cache / "calls.sqlite"
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    pages = db.stat().st_size // page
    with db.open("r+b") as f:  # scribble over the middle half of the pages, past each page's header
        for n in range(pages // 4, 3 * pages // 4):
            f.seek(n * page + 100)
            f.write(bytes(range(200)))
    results = tmp_path / "results"
    proc = model_bench(server, data, results, cache)
    assert proc.returncode == 0, proc.stderr
    # every call answered: from the cache where it could be read, else from the server again; none failed
    assert "600 judgments (600 judged," in proc.stdout and "reused from an earlier run, 0 failed)" in proc.stdout
    assert proc.stderr.count("cannot read from the call cache") == 1  # warned once
    rows = judgment_rows(results)
    assert len(rows) == 300 and all(g["error"] is None and g["decision"] != "none" for r in rows for g in r["judgments"])
    assert rows == judgment_rows(tmp_path / "first")  # and no entry read back wrong (the server answers deterministically)
