"""A model the run cannot use is bad input: exit code 2, the option named, no results folder started (a user
review found exit code 1 for these, an ``hf:`` path that does not exist reported as a bad hub id after the results
folder was created, and ``<input>`` named as the place of errors that have no file)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from judgebench.errors import InputError

from .conftest import run_cli


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--judge", "vanilla"], "--model: judge 'vanilla' needs a model"),
        (["--judge", "vanilla", "--model", "foo:bar"], "--model: unknown model provider 'foo' in 'foo:bar'"),
        (["--judge", "vanilla", "--model", "gpt-4o"], "--model: model 'gpt-4o' must be PROVIDER:NAME"),
        (["--judge", "reward_model", "--model", "hf:/nonexistent/reward-model"], "--model: /nonexistent/reward-model does not exist: an hf: model is"),
        (["--judge", "jury", "--model", "openai:x", "--option", 'members=["vanilla", "arena_hard@foo:bar"]'], "--option members[1]: unknown model provider 'foo'"),
    ],
)
def test_a_model_the_run_cannot_use_exits_2_and_writes_nothing(args: list[str], said: str, tmp_path: Path, pairs_file: Path) -> None:
    out = tmp_path / "results"
    proc = run_cli("bench", *args, "--data", str(pairs_file), "--results-dir", str(out), "--no-progress", env={"OPENAI_API_KEY": "sk-test-not-a-real-key"})
    assert proc.returncode == 2, proc.stderr
    assert said in proc.stderr
    assert not out.exists() or not any(out.rglob("*"))


def test_an_hf_model_path_that_is_a_file_is_named(tmp_path: Path, pairs_file: Path) -> None:
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"not a folder")
    proc = run_cli("bench", "--judge", "reward_model", "--model", f"hf:{weights}", "--data", str(pairs_file), "--results-dir", str(tmp_path / "r"), "--no-progress")
    assert proc.returncode == 2 and f"--model: {weights} is a file, not a model folder" in proc.stderr


def test_an_input_error_without_a_file_names_no_made_up_one() -> None:
    assert str(InputError("bad value", field="labels")) == "field 'labels': bad value"
    assert str(InputError("bad value", field="--labels")) == "--labels: bad value"
    assert str(InputError("bad value")) == "bad value"
    assert str(InputError("bad value", line=3)) == "line 3: bad value"
    assert str(InputError("bad value", path="a.jsonl", line=3, field="label")) == "a.jsonl:3: field 'label': bad value"
    assert str(InputError("bad value", path="a.jsonl")) == "a.jsonl: bad value"


@pytest.mark.parametrize("command", ["bench", "leaderboard", "report", "agree", "peer-review", "weakness", "kwise", "plot"])
def test_a_negative_seed_is_refused_by_every_command_that_takes_one(command: str, tmp_path: Path, pairs_file: Path) -> None:
    # a review: `bench --seed -3` judged every pair, then crashed in numpy's bootstrap, leaving a half-written folder
    from judgebench import cli

    proc = run_cli(command, "--help")
    if "--seed" not in proc.stdout:
        pytest.skip(f"{command} takes no --seed")
    args = {"bench": ["--judge", "longer", "--data", str(pairs_file), "--results-dir", str(tmp_path / "r")], "plot": ["accuracy", str(tmp_path)]}.get(command, [str(tmp_path)])
    proc = run_cli(command, *args, "--seed", "-3")
    assert proc.returncode == 2 and "--seed: expected a seed, an integer >= 0, got '-3'" in proc.stderr, (cli.COMMANDS, proc.stderr)
    assert not (tmp_path / "r").exists()


def test_the_runner_refuses_a_negative_seed_before_judging(tmp_path: Path, pairs_file: Path) -> None:
    from judgebench.run.runner import RunSpec, run

    with pytest.raises(InputError, match="--seed must be an integer >= 0, got -1"):
        run(RunSpec(data=str(pairs_file), judge="longer", results_dir=str(tmp_path / "r"), seed=-1, progress=False))
    assert not (tmp_path / "r").exists()


def test_an_output_path_the_file_system_refuses_is_named_without_a_traceback(tmp_path: Path, pairs_file: Path) -> None:
    # a review: `score --out DIR`, `leaderboard --write --out-dir FILE`, `report -o DIR` and `bench --results-dir
    # /proc/x` ended in Python tracebacks (exit 1)
    res = tmp_path / "res"
    assert run_cli("bench", "--judge", "longer", "--data", str(pairs_file), "--results-dir", str(res), "--no-progress").returncode == 0
    folder, a_file = tmp_path / "a-folder", tmp_path / "a-file"
    folder.mkdir()
    a_file.write_text("x")
    (judgments,) = res.rglob("judgments.jsonl")
    cases = [
        (["score", str(judgments), "--out", str(folder)], f"{folder}: Is a directory"),
        (["leaderboard", str(res), "--write", "--out-dir", str(a_file)], f"{a_file}: File exists"),
        (["report", str(res), "-o", str(folder), "--no-figures"], f"{folder}: Is a directory"),
        (["bench", "--judge", "longer", "--data", str(pairs_file), "--results-dir", str(a_file / "sub"), "--no-progress"], str(a_file)),
    ]
    for args, said in cases:
        proc = run_cli(*args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert said in proc.stderr and "Traceback" not in proc.stderr, (args, proc.stderr)
        assert ".tmp" not in proc.stderr
    assert [p.name for p in folder.iterdir()] == [] and a_file.read_text() == "x"  # nothing left behind


@pytest.mark.parametrize(
    ("corrupt", "said"),
    [
        (lambda g: g.pop("decision"), "missing field 'decision'"),
        (lambda g: g.update(error="boom", decision="A>B"), "a failed judgment (error 'boom') carries no verdict, but this one records decision 'A>B'"),
        (lambda g: g.update(error=5), "field 'error' must be a message (text) or null, got 5"),
    ],
)
def test_a_corrupted_judgment_line_is_refused_naming_file_and_line(corrupt, said: str, tmp_path: Path, pairs_file: Path) -> None:  # type: ignore[no-untyped-def]
    # a review: a judgment without its decision was read as a no-decision, one with an error and a decision counted
    # its decision, and a numeric error was accepted
    import json

    res = tmp_path / "res"
    assert run_cli("bench", "--judge", "longer", "--data", str(pairs_file), "--results-dir", str(res), "--no-progress").returncode == 0
    (judgments,) = res.rglob("judgments.jsonl")
    rows = [json.loads(line) for line in judgments.read_text().splitlines()]
    corrupt(rows[2]["judgments"][0])
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(json.dumps(r) + "\n" for r in rows))
    proc = run_cli("score", str(bad))
    assert proc.returncode == 2 and f"{bad}:3:" in proc.stderr and said in proc.stderr, proc.stderr


def test_a_released_judgment_without_its_decision_is_refused(tmp_path: Path) -> None:
    import json

    from .conftest import make_pair

    row = make_pair(0) | {"judge_name": "arena_hard", "judgments": [{"judgment": {"answer": "x"}, "decision": "A>B"}, {"judgment": {"answer": "y"}}]}
    path = tmp_path / "dataset=judgebench,response_model=m,judge_name=arena_hard,judge_model=x.jsonl"
    path.write_text(json.dumps(row) + "\n")
    proc = run_cli("score", str(path))
    assert proc.returncode == 2 and f"{path}:1: field 'judgments[1].decision'" in proc.stderr, proc.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["fake-server", "--failure-rate", "1.5"], "argument --failure-rate: expected a probability in [0, 1], got '1.5'"),
        (["fake-server", "--accuracy", "-1"], "argument --accuracy: expected a probability in [0, 1], got '-1'"),
        (["fake-server", "--latency", "-1"], "argument --latency: expected a number >= 0, got '-1'"),
        (["fake-server", "--port", "99999"], "argument --port: expected a port number, 0-65535, got '99999'"),
        (["grade", "--workers", "0", "x"], "argument --workers: expected an integer >= 1, got '0'"),
    ],
)
def test_out_of_range_options_are_usage_errors(args: list[str], said: str) -> None:
    proc = run_cli(*args)
    assert proc.returncode == 2 and said in proc.stderr, proc.stderr


def test_a_taken_port_is_named_and_help_shows_one_percent_sign() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        proc = run_cli("fake-server", "--port", str(port))
    assert proc.returncode == 2 and f"--port: cannot listen on 127.0.0.1:{port}" in proc.stderr and "Traceback" not in proc.stderr
    suite = run_cli("suite", "--help").stdout
    assert "95% CI" in suite and "%%" not in suite
    assert "%%" not in run_cli("--help").stdout


def test_a_pair_file_that_is_a_pipe_is_refused_not_waited_on(tmp_path: Path) -> None:
    # a review: `bench --data pipe.jsonl` hung forever (a pair file is read twice: its identity, then to judge)
    import os

    pipe = tmp_path / "pairs.jsonl"
    os.mkfifo(pipe)
    proc = run_cli("bench", "--judge", "longer", "--data", str(pipe), "--results-dir", str(tmp_path / "r"))
    assert proc.returncode == 2 and f"{pipe}: not a regular file (a pipe, socket or device)" in proc.stderr


def test_nan_in_a_pair_file_is_refused(tmp_path: Path) -> None:
    # a review: "extra": NaN was accepted and written out as a bare NaN (not JSON) in judgments.jsonl
    import json

    from .conftest import make_pair

    rows = [make_pair(i) for i in range(3)]
    nan = tmp_path / "nan.jsonl"
    nan.write_text("".join(json.dumps(r) + "\n" for r in rows[:2]) + json.dumps(rows[2])[:-1] + ', "extra": NaN}\n')
    proc = run_cli("bench", "--judge", "longer", "--data", str(nan), "--results-dir", str(tmp_path / "r"))
    assert proc.returncode == 2 and f"{nan}:3: NaN is not a JSON value" in proc.stderr, proc.stderr
    assert not (tmp_path / "r").exists()


def test_second_review_inputs(tmp_path: Path, pairs_file: Path) -> None:
    # a second review: a pipe inside a --data folder hung; a Parquet NaN reached judgments.jsonl as a bare NaN;
    # agree --resamples 0 crashed; a pair file named after the key put the key in the folder name; a bench resume
    # from a corrupted judgments.jsonl exited 1 without the line
    import json
    import math
    import os

    import pandas as pd

    folder = tmp_path / "pairs"
    folder.mkdir()
    (folder / "a.jsonl").write_text(pairs_file.read_text())
    os.mkfifo(folder / "b.jsonl")
    proc = run_cli("bench", "--judge", "longer", "--data", str(folder), "--results-dir", str(tmp_path / "r0"))
    assert proc.returncode == 2 and f"{folder / 'b.jsonl'}: not a regular file" in proc.stderr, proc.stderr

    rows = [json.loads(line) for line in pairs_file.read_text().splitlines()][:3]
    for r, x in zip(rows, (1.0, math.nan, 2.0), strict=True):
        r["extra"] = x
    pq = tmp_path / "pq.parquet"
    pd.DataFrame(rows).to_parquet(pq)
    assert run_cli("bench", "--judge", "longer", "--data", str(pq), "--results-dir", str(tmp_path / "r1")).returncode == 0
    (written,) = (tmp_path / "r1").rglob("judgments.jsonl")
    lines = [json.loads(line, parse_constant=lambda c: (_ for _ in ()).throw(AssertionError(f"{c} written"))) for line in written.read_text().splitlines()]
    assert len(lines) == 3

    proc = run_cli("agree", "--human", "h.csv", "--judge", str(tmp_path / "r1"), "--resamples", "0")
    assert proc.returncode == 2 and "argument --resamples: expected an integer >= 1" in proc.stderr

    key = "sk-test-review-123456789abcdef"
    named = tmp_path / f"{key}.jsonl"
    named.write_text(pairs_file.read_text())
    proc = run_cli("bench", "--judge", "longer", "--data", str(named), "--results-dir", str(tmp_path / "r2"), env={"OPENAI_API_KEY": key})
    assert proc.returncode == 0, proc.stderr
    assert not any(key in str(p) for p in (tmp_path / "r2").rglob("*")) and [p.name for p in (tmp_path / "r2").iterdir()][0].startswith("data-")

    res = tmp_path / "r3"
    assert run_cli("bench", "--judge", "longer", "--data", str(pairs_file), "--results-dir", str(res)).returncode == 0
    (judgments,) = res.rglob("judgments.jsonl")
    bad = [json.loads(line) for line in judgments.read_text().splitlines()]
    bad[2]["judgments"][0].pop("decision")
    judgments.write_text("".join(json.dumps(r) + "\n" for r in bad))
    proc = run_cli("bench", "--judge", "longer", "--data", str(pairs_file), "--results-dir", str(res))
    assert proc.returncode == 2 and f"{judgments}:3: cannot resume from this file" in proc.stderr, proc.stderr


def test_third_review_refresh_interrupt_hint_and_a_key_as_the_model_name(tmp_path: Path, pairs_file: Path) -> None:
    # a third review: Ctrl-C on a --refresh run said "run the same command again" (which re-judges everything); a key
    # given as the model name became a results folder's name
    import signal
    import subprocess
    import sys
    import time

    from judgebench.testing.fake_server import FakeConfig, FakeJudgeServer

    from .conftest import make_pair, write_jsonl

    rows = [make_pair(i, response_A=f"alpha answer {i} " * 3, response_B=f"beta answer {i} " * 3) for i in range(40)]
    data = write_jsonl(tmp_path / "many.jsonl", rows)
    key = "sk-test-thirdreview-1234567890"
    env = {**os.environ, "OPENAI_API_KEY": key}
    with FakeJudgeServer(FakeConfig(latency=0.2)) as server:
        cmd = [sys.executable, "-m", "judgebench", "bench", "--judge", "vanilla", "--model", "openai:test", "--base-url", server.base_url, "--data", str(data), "--results-dir", str(tmp_path / "r"), "--concurrency", "1", "--refresh", "--no-progress"]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not server.stats()["calls"] and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130 and "run the same command without --refresh to resume" in err, err
        proc2 = run_cli("bench", "--judge", "vanilla", "--model", f"openai:{key}", "--base-url", server.base_url, "--data", str(pairs_file), "--results-dir", str(tmp_path / "k"), env={"OPENAI_API_KEY": key})
    assert proc2.returncode == 0, proc2.stderr
    assert not any(key in str(p) for p in (tmp_path / "k").rglob("*"))
    assert [p.name for p in (tmp_path / "k").glob("*/*/*")][0].startswith("model-")


def test_runs_on_the_same_pairs_in_two_files_get_distinct_names() -> None:
    from judgebench.reports.names import unique_run_names

    rows = [
        {"judge": "longer", "model": "none", "benchmark": "", "pair_set": "faccd5a4", "n": 10, "dataset": "good-faccd5a4"},
        {"judge": "longer", "model": "none", "benchmark": "", "pair_set": "faccd5a4", "n": 10, "dataset": "good2-faccd5a4"},
    ]
    assert unique_run_names(rows) == ["longer [good-faccd5a4]", "longer [good2-faccd5a4]"]
