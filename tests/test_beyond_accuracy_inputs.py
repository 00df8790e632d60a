"""Bad input to the issue-18 commands gets a clear error (exit 2, no traceback), found by a new-user review:
--resamples 0, a figure path with no folder or a wrong suffix, an impossible peer-review threshold, a --by field no
item has, a folder with no certainty to report."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import run_cli


@pytest.fixture(scope="module")
def one_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from .conftest import make_pair, write_jsonl

    tmp = tmp_path_factory.mktemp("beyond")
    data = write_jsonl(tmp / "pairs.jsonl", [make_pair(i, "A>B" if i % 2 else "B>A") for i in range(30)])
    assert run_cli("bench", "--data", str(data), "--judge", "longer", "--results-dir", str(tmp / "r"), "--no-progress").returncode == 0
    return tmp / "r"


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["peer-review", "{r}", "--resamples", "0"], "--resamples"),
        (["certainty", "{r}", "--resamples", "0"], "--resamples"),
        (["kwise", "{r}", "--resamples", "-5"], "--resamples"),
        (["dimensions", "{r}", "--figure", "x.txt"], "--figure"),
        (["weakness", "{r}", "--figure", "/no/such/folder/x.png"], "does not exist"),
        (["peer-review", "{r}", "--measure", "kappa", "--threshold", "5"], "[-1, 1]"),
        (["peer-review", "{r}", "--threshold", "150"], "[0, 100]"),
        (["weakness", "{r}", "--by", "nosuchfield"], "nosuchfield"),
        (["weakness", "{r}", "--by", "category,,source"], "empty field"),
        (["certainty", "{r}"], "no judgment states a certainty"),
    ],
)
def test_bad_input_is_a_clear_error(one_run: Path, argv: list[str], words: str) -> None:
    proc = run_cli(*[a.format(r=one_run) for a in argv])
    assert proc.returncode == 2 and words in proc.stderr and "Traceback" not in proc.stderr, proc.stderr[-800:]


def test_a_run_with_failed_judgments_says_so_in_weakness_and_peer_review(tmp_path: Path) -> None:
    """A run whose calls partly failed must not read as a clean profile or a clean jury candidate."""
    from judgebench.run.runner import RunSpec, run
    from judgebench.schema import Pair
    from judgebench.testing.fake_server import FakeConfig, FakeJudgeServer

    from .conftest import make_pair, write_jsonl

    rows = [make_pair(i, "A>B" if i % 2 else "B>A", response_A=f"alpha-{i:03d} one answer", response_B=f"beta-{i:03d} another") for i in range(24)]
    data = write_jsonl(tmp_path / "pairs.jsonl", rows)
    with FakeJudgeServer(FakeConfig(failure_rate=0.3, failure_mix={"500": 1.0}, seed=4), [Pair.from_dict(r) for r in rows]) as server:
        for k in range(3):
            run(RunSpec(data=str(data), judge="vanilla", model=f"openai:m{k}", base_url=server.base_url, results_dir=str(tmp_path / "r"), max_retries=0, cache=False, progress=False))
    weak = run_cli("weakness", str(tmp_path / "r"))
    assert weak.returncode == 0 and "judgments failed" in weak.stdout, weak.stdout[-600:]
    review = run_cli("peer-review", str(tmp_path / "r"), "--exam", "0.5", "--resamples", "200")
    assert review.returncode == 0 and "judgments failed" in review.stdout, (review.stdout + review.stderr)[-600:]


def test_certainty_skips_runs_without_pairs_and_peer_review_names_same_judge_runs_apart(tmp_path: Path) -> None:
    """The README's flow leaves RM-Bench runs and one judge on two data sets under results/: `certainty` skips the
    runs that have no pairs (it crashed: "item is not a pair") and `peer-review` tells the two runs of one judge
    apart by their data set (it refused: "two runs named 'longer (none)'")."""
    from .conftest import make_pair, shared, write_jsonl

    data = shared("rm-bench").parent
    env = {"JUDGEBENCH_DATA_DIR": str(data)}
    assert run_cli("bench", "--benchmark", "rm_bench:chat", "--limit", "5", "--judge", "longer", "--results-dir", str(tmp_path / "r"), "--no-progress", env=env).returncode == 0
    proc = run_cli("certainty", str(tmp_path / "r"), env=env)
    assert proc.returncode == 2 and "no judgment states a certainty" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr[-500:]
    for name in ("a", "b"):
        pairs = write_jsonl(tmp_path / f"{name}.jsonl", [make_pair(i, "A>B" if i % 2 else "B>A") for i in range(20)])
        assert run_cli("bench", "--data", str(pairs), "--judge", "longer", "--results-dir", str(tmp_path / "two"), "--no-progress").returncode == 0
    review = run_cli("peer-review", str(tmp_path / "two"))
    assert "two runs named" not in review.stderr and "Traceback" not in review.stderr, review.stderr[-500:]
