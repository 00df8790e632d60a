"""The slim install (issue 16): the core runs without the optional extras, and a feature that needs one says the
command that installs it (judgebench is not on a package index: the command names this checkout)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from .conftest import ROOT

EXTRA_MODULES = {"hf": ["torch", "transformers"], "ray": ["ray"], "anthropic": ["anthropic"], "browser": ["selenium"]}


def _without(modules: list[str], tmp_path: Path) -> dict[str, str]:
    """An environment in which importing each of ``modules`` fails as it does when the package is absent."""
    for m in modules:
        (tmp_path / m).mkdir(parents=True, exist_ok=True)
        (tmp_path / m / "__init__.py").write_text(f'raise ImportError("No module named {m} (blocked by the test)")\n', encoding="utf-8")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}


def test_the_extras_are_declared_and_make_bench_installs_the_core_only() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    assert {"hf", "ray", "anthropic", "browser", "dev"} <= set(extras)
    core = " ".join(project["dependencies"])
    assert not any(heavy in core for heavy in ("torch", "ray", "selenium", "anthropic", "transformers"))
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    # bench's prerequisite is the core stamp, whose recipe installs '-e .' with no extra
    assert "bench: $(CORE_STAMP)" in makefile and "-e ." in makefile.split("$(CORE_STAMP):", 1)[1].split("\n\n", 1)[0]


def test_a_baseline_bench_runs_without_any_extra(tmp_path: Path, pairs_file: Path) -> None:
    env = _without([m for ms in EXTRA_MODULES.values() for m in ms], tmp_path / "blocked")
    proc = subprocess.run([sys.executable, "-m", "judgebench", "bench", "--data", str(pairs_file), "--judge", "longer", "--results-dir", str(tmp_path / "r"), "--no-progress"], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "20 pairs" in proc.stdout


@pytest.mark.parametrize(("extra", "argv"), [
    ("hf", ["bench", "--judge", "reward_model_pointwise", "--model", "hf:some/reward-model"]),
    ("ray", ["bench", "--judge", "longer", "--executor", "ray"]),
    ("anthropic", ["bench", "--judge", "vanilla", "--model", "anthropic:claude-x"]),
])
def test_a_missing_extra_names_the_command_that_installs_it(tmp_path: Path, pairs_file: Path, extra: str, argv: list[str]) -> None:
    env = {**_without(EXTRA_MODULES[extra], tmp_path / "blocked"), "ANTHROPIC_API_KEY": "sk-test-not-used"}
    proc = subprocess.run([sys.executable, "-m", "judgebench", *argv, "--data", str(pairs_file), "--results-dir", str(tmp_path / "r"), "--no-progress"], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr
    assert f"pip install -e '{ROOT}[{extra}]'" in proc.stderr, proc.stderr
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").rglob("judgments.jsonl")), "stopped before any item was judged"


def test_make_leaderboard_writes_no_tracked_file() -> None:
    """A user's first `make leaderboard` must not overwrite the tables and figures the README shows: it writes to
    an untracked folder; `make readme-assets` is the deliberate way to regenerate the tracked ones."""
    import re
    import shutil

    if shutil.which("make") is None or shutil.which("git") is None:
        pytest.skip("make or git not installed")
    dry = subprocess.run(["make", "-n", "leaderboard"], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout
    outputs = re.findall(r"(?:--out-dir|-o)\s+(\S+)", dry)
    assert outputs, dry
    for out in outputs:
        tracked = subprocess.run(["git", "ls-files", "--", out], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout
        assert tracked == "", f"make leaderboard writes into {out}, which holds tracked files: {tracked.split()[:3]}"
    assert "results/figures" in subprocess.run(["make", "-n", "readme-assets"], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout
