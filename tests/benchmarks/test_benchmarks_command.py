"""``judgebench benchmarks`` lists every registered benchmark with its splits and sizes."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from judgebench import cli
from judgebench.commands import benchmarks as command

from ..conftest import run_cli, shared


def _llmbar_sizes() -> dict[str, int]:
    """Each LLMBar set's size, counted from the released files."""
    root = shared("llmbar")
    folders = {
        "natural": "LLMBar/Natural",
        "neighbor": "LLMBar/Adversarial/Neighbor",
        "gptinst": "LLMBar/Adversarial/GPTInst",
        "gptout": "LLMBar/Adversarial/GPTOut",
        "manual": "LLMBar/Adversarial/Manual",
        "faireval": "Processed/FairEval",
        "llmeval2": "Processed/LLMEval^2",
        "mtbench": "Processed/MT-Bench",
    }
    sizes = {s: len(json.loads((root / f / "dataset.json").read_text(encoding="utf-8"))) for s, f in folders.items()}
    sizes["adversarial"] = sum(sizes[s] for s in ("neighbor", "gptinst", "gptout", "manual"))
    sizes["all"] = sum(sizes[s] for s in folders)
    return sizes


def _judgebench_sizes() -> dict[str, int]:
    folder = shared("judgebench", "pairs")
    files = sorted(folder.glob("*.jsonl"))
    count = {key: sum(len(p.read_text(encoding="utf-8").splitlines()) for p in files if model in p.name) for key, model in (("gpt", "gpt-4o"), ("claude", "claude-3-5-sonnet"))}
    return count


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    p = argparse.ArgumentParser()
    command.add_arguments(p)
    assert command.run(p.parse_args(list(argv))) == 0
    return capsys.readouterr().out


def test_json_lists_judgebench_and_llmbar_with_real_sizes(capsys: pytest.CaptureFixture[str]) -> None:
    rows = {b["name"]: b for b in json.loads(_run(capsys, "--json"))}
    assert {"judgebench", "llmbar"} <= set(rows)
    llmbar = rows["llmbar"]
    assert {s["name"]: s["size"] for s in llmbar["splits"]} == _llmbar_sizes()
    assert [s["name"] for s in llmbar["splits"] if s["default"]] == ["all"]
    assert llmbar["protocol"] == {"name": "pairwise", "options": {"orders": "both"}}
    assert llmbar["rule"] == "average" and llmbar["metrics"] == ["accuracy", "position_consistency"]
    assert "2310.07641" in llmbar["citation"] and "princeton-nlp/LLMBar" in llmbar["source"]
    jb = rows["judgebench"]
    assert {s["name"]: s["size"] for s in jb["splits"]} == _judgebench_sizes() == {"gpt": 350, "claude": 270}
    assert jb["rule"] == "vote" and "2410.12784" in jb["citation"]


def test_text_lists_each_benchmark_and_split(capsys: pytest.CaptureFixture[str]) -> None:
    out = _run(capsys)
    sizes = _llmbar_sizes()
    for split, n in sizes.items():
        assert f"llmbar:{split} ({n})" in out
    assert "judgebench:gpt (350)" in out and "judgebench:claude (270)" in out
    assert "rule average" in out and "rule vote" in out
    assert "pairwise(orders=both)" in out
    assert "$JUDGEBENCH_LLMBAR_DIR" in out and "citation:" in out


def test_cli_runs_it() -> None:
    if "benchmarks" not in cli.COMMANDS:
        pytest.skip("judgebench/cli.py does not list 'benchmarks' in COMMANDS yet (its owner adds it)")
    proc = run_cli("benchmarks", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = {b["name"]: b for b in json.loads(proc.stdout)}
    assert {s["name"]: s["size"] for s in rows["llmbar"]["splits"]} == _llmbar_sizes()
    assert {s["name"]: s["size"] for s in rows["judgebench"]["splits"]} == {"gpt": 350, "claude": 270}
    text = run_cli("benchmarks")
    assert text.returncode == 0 and "llmbar:natural (100)" in text.stdout and "judgebench:gpt (350)" in text.stdout


def test_listing_says_whether_a_local_copy_is_found(tmp_path: Path) -> None:
    (tmp_path / "llmbar").mkdir()
    found = json.loads(run_cli("benchmarks", "--json", env={"JUDGEBENCH_DATA_DIR": str(tmp_path)}).stdout)
    assert {b["name"]: b["local_copy"] for b in found}["llmbar"] == str(tmp_path / "llmbar")
    assert {b["name"]: b["local_copy"] for b in found}["prometheus"] is None  # no prometheus/ folder there


def test_listing_names_every_folder_a_copy_is_looked_for_in(tmp_path: Path) -> None:
    # auto_j's copy is found as auto-j/ (the shared data's spelling): the listing names both folders, and one named
    # with the dash is the copy found
    (tmp_path / "auto-j").mkdir()
    proc = run_cli("benchmarks", env={"JUDGEBENCH_DATA_DIR": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    block = proc.stdout.split("\n\n")
    [auto_j] = [b for b in block if b.startswith("auto_j ")]
    assert "$JUDGEBENCH_DATA_DIR/auto_j or $JUDGEBENCH_DATA_DIR/auto-j" in auto_j
    assert f"local copy: {tmp_path / 'auto-j'}" in auto_j
    [llmbar] = [b for b in block if b.startswith("llmbar ")]
    assert "$JUDGEBENCH_DATA_DIR/llmbar)" in llmbar and "llmbar or" not in llmbar
