"""Which results folder a run writes, and what it refuses before judging (issue 13 review).

* one benchmark set is one folder however it is named (``judgebench`` = ``judgebench:gpt``);
* a run under another protocol than its default gets its own folder, and never replaces the default run;
* a finished run written before ``run.json`` recorded its pairs is protected by the items it holds;
* best-of-K items are judged target against each other response (refusals: test_runs_by_judge_kind.py);
* chat prompts are judged as transcripts and their results read back everywhere.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from judgebench.benchmarks import _REGISTRY as BENCHMARKS
from judgebench.benchmarks import Benchmark, register_benchmark
from judgebench.errors import InputError
from judgebench.run.runner import RunSpec, run
from judgebench.schema import BestOf, Item, Preference, Response, Turn

from .conftest import ROOT, run_cli, shared, write_jsonl


def _spec(data: str, results: Path, **kw: object) -> RunSpec:
    return RunSpec(data=data, judge=str(kw.pop("judge", "random")), results_dir=str(results), progress=False, **kw)  # type: ignore[arg-type]


def test_a_benchmark_named_with_or_without_its_default_split_is_one_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUDGEBENCH_PAIRS_DIR", str(shared("judgebench", "pairs")))
    first = run(_spec("judgebench:gpt", tmp_path))
    again = run(_spec("judgebench", tmp_path))
    assert again.out_dir == first.out_dir == tmp_path / "judgebench-gpt" / "random" / "none"
    assert again.run_info["counts"]["reused"] == 700 and again.run_info["counts"]["new"] == 0


def test_another_protocol_gets_its_own_folder_and_keeps_the_default_run(tmp_path: Path, pairs_file: Path) -> None:
    both = run(_spec(str(pairs_file), tmp_path))
    before = (both.out_dir / "judgments.jsonl").read_bytes()
    first = run(_spec(str(pairs_file), tmp_path, orders="first"))
    games1 = run(_spec(str(pairs_file), tmp_path, games=1))
    rnd = run(_spec(str(pairs_file), tmp_path, orders="random", seed=3))
    assert (both.out_dir / "judgments.jsonl").read_bytes() == before  # untouched
    assert first.out_dir.parent.name == "random@orders=first" and games1.out_dir == first.out_dir
    assert rnd.out_dir.parent.name == "random@orders=random,seed=3"
    assert json.loads((rnd.out_dir / "run.json").read_text())["protocol"] == "pairwise(orders=random, seed=3, pairs=all)"
    # the random orders are seeded: a rerun shows every pair in the same order and reuses every judgment
    again = run(_spec(str(pairs_file), tmp_path, orders="random", seed=3))
    views = [[j["view"] for j in json.loads(line)["judgments"]] for line in (rnd.out_dir / "judgments.jsonl").read_text().splitlines()]
    assert again.run_info["counts"]["reused"] == 20 and {tuple(map(tuple, v)) for v in views} == {((0, 1),), ((1, 0),)}


def test_a_finished_run_of_the_previous_format_on_other_pairs_is_not_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``tests/fixtures/results_v1`` holds a 6-pair run written before run.json recorded its pairs, in the folder
    a judgebench:gpt run of the same judge and model would use."""
    results = tmp_path / "results"
    shutil.copytree(ROOT / "tests" / "fixtures" / "results_v1", results)
    folder = results / "judgebench-gpt" / "vanilla" / "openai_test"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    monkeypatch.setenv("JUDGEBENCH_PAIRS_DIR", str(shared("judgebench", "pairs")))
    with pytest.raises(InputError, match="holds a finished run on other pairs") as e:
        run(_spec("judgebench:gpt", results, judge="vanilla", model="openai:test", base_url="http://127.0.0.1:9/v1"))
    assert e.value.field == "pairs.judged_sha256"
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.name != ".lock"} == before  # only the (empty) lock file is new


def test_a_previous_format_run_on_the_same_pairs_is_resumed(tmp_path: Path, fake_server: object) -> None:
    """The fixture's own six pairs, as a pair file, with the old run in the folder that file's run uses: the same
    set, so every judgment that did not fail is reused (p0-p4: 10, p4's no-decision included) and only p5's two
    failed ones are judged again."""
    from judgebench.benchmarks import load_items
    from judgebench.run.identity import item_set_sha256
    from judgebench.testing.fake_server import FakeConfig

    old = ROOT / "tests" / "fixtures" / "results_v1" / "judgebench-gpt" / "vanilla" / "openai_test"
    pairs = write_jsonl(tmp_path / "six.jsonl", [json.loads(line)["pair"] for line in (old / "judgments.jsonl").read_text().splitlines()])
    folder = tmp_path / "results" / f"six-{item_set_sha256(load_items(pairs).items)[:8]}" / "vanilla" / "openai_test"
    shutil.copytree(old, folder)
    server = fake_server(FakeConfig(), [])  # type: ignore[operator]
    info = json.loads((folder / "run.json").read_text())
    info["server"] = server.base_url  # the old run's server is this one (another would be refused: test_results_identity)
    (folder / "run.json").write_text(json.dumps(info))
    out = run(_spec(str(pairs), tmp_path / "results", judge="vanilla", model="openai:test", base_url=server.base_url))
    assert out.out_dir == folder
    assert (out.run_info["counts"]["reused"], out.run_info["counts"]["new"]) == (10, 2)


@pytest.fixture
def test_benchmark() -> object:
    """Registers ``testbench`` (splits: three responses with a best-of target, a chat prompt with a preference)."""

    def load(split: str, data_dir: Path | None) -> list[Item]:
        if split == "three":
            return [Item(f"t{i}", "q?", (Response("a"), Response("bb"), Response("ccc")), BestOf((2,))) for i in range(3)]
        chat = (Turn("user", "What is 0+0?"), Turn("assistant", "0"), Turn("user", "Answer please."))
        return [Item(f"c{i}", chat, (Response("zero" * (i + 1)), Response("0")), Preference(0), category="chat") for i in range(4)]

    bench = Benchmark("testbench", "test only", "nowhere", "none", load, splits=("three", "chat"), default_split="chat", categories=("chat",))
    register_benchmark(bench)
    yield bench
    BENCHMARKS.pop("testbench", None)


def test_best_of_items_are_judged_target_vs_each_by_a_pairwise_judge(tmp_path: Path, test_benchmark: object) -> None:
    """Best-of-K items were refused before issue 14; a pairwise judge now sees the target against each other response
    (RMB's rule). What cannot be scored is still refused before any call: tests/test_runs_by_judge_kind.py."""
    out = run(_spec("testbench:three", tmp_path, judge="longer"))
    # ccc (the target, 2) is longer than a and bb in both orders on every item: 3 of 3
    assert out.run_info["protocol"] == "pairwise(orders=both, pairs=target_vs_each)" and out.metrics.accuracy == 100.0


def test_chat_prompts_are_judged_as_transcripts_and_read_back(tmp_path: Path, test_benchmark: object) -> None:
    out = run(_spec("testbench:chat", tmp_path, judge="longer"))
    # longer prefers response 0 ("zero" * (i + 1), longer than "0") on every item: 4 of 4 correct
    assert out.metrics.accuracy == 100.0 and out.metrics.categories == {"chat": 100.0}
    line = json.loads((out.out_dir / "judgments.jsonl").read_text().splitlines()[0])
    assert line["item"]["prompt"][0] == {"role": "user", "content": "What is 0+0?"}
    proc = run_cli("score", str(out.out_dir), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)[0]["overall"] == 100.0


def test_field_map_flags_read_other_column_names(tmp_path: Path) -> None:
    rows = [{"id": i, "input": f"q{i}?", "output_1": "a" * (3 + i), "output_2": "b", "label": 1 if i % 2 else 2} for i in range(4)]
    data = write_jsonl(tmp_path / "other.jsonl", rows)
    args = ["bench", "--data", str(data), "--judge", "longer", "--results-dir", str(tmp_path / "r"), "--no-progress", "--json"]
    proc = run_cli(*args, "--fields", "pair_id=id,question=input,response_A=output_1,response_B=output_2", "--labels", "1=A>B,2=B>A")
    assert proc.returncode == 0, proc.stderr
    # output_1 is always the longer: longer says A>B in the pair's frame; rows 1 and 3 are labelled 1 (A>B): 2 of 4
    assert json.loads(proc.stdout)["accuracy"] == 50.0
    bad = run_cli(*args, "--fields", "question=inputs,response_A=output_1,response_B=output_2,pair_id=id", "--labels", "1=A>B,2=B>A")
    assert bad.returncode == 2 and f"{data}:1: field 'inputs'" in bad.stderr


def test_an_empty_llmbar_set_is_an_error_not_fewer_items(tmp_path: Path) -> None:
    copy = tmp_path / "llmbar"
    shutil.copytree(shared("llmbar"), copy)
    (copy / "LLMBar" / "Natural" / "dataset.json").write_text("[]")
    proc = run_cli("bench", "--benchmark", "llmbar", "--judge", "longer", "--data-dir", str(copy), "--results-dir", str(tmp_path / "r"), "--no-progress")
    assert proc.returncode == 2 and "Natural set is empty here (the released set has 100 rows)" in proc.stderr
    assert not (tmp_path / "r").exists()


