"""A run killed while writing ``judgments.jsonl`` leaves ``.judgments.jsonl.<random>.tmp`` (a kill skips the
clean-up); the next run in that folder removes it under the folder's lock, and nothing else."""

from __future__ import annotations

import json
from pathlib import Path

from judgebench.files import remove_stale_temporaries
from judgebench.run.runner import RunSpec, run


def _pairs(path: Path, n: int = 6) -> Path:
    rows = [{"pair_id": f"p{i}", "question": "q?", "response_A": "a" * (i + 1), "response_B": "bb", "label": "A>B"} for i in range(n)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_the_next_run_removes_a_killed_runs_temporary_file_and_keeps_the_rest(tmp_path: Path) -> None:
    spec = RunSpec(data=str(_pairs(tmp_path / "pairs.jsonl")), judge="longer", results_dir=str(tmp_path / "r"), progress=False)
    out = run(spec).out_dir
    stale = out / ".judgments.jsonl.k1ll3d.tmp"
    stale.write_text('{"torn": ', encoding="utf-8")
    other = out / ".metrics.json.k1ll3d.tmp"  # not the runner's big file: left alone
    other.write_text("{}", encoding="utf-8")
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep", encoding="utf-8")
    link = out / ".judgments.jsonl.l1nk.tmp"
    link.symlink_to(target)  # never followed or removed
    before = (out / "judgments.jsonl").read_bytes()
    again = run(spec)
    assert not stale.exists()
    assert other.exists() and link.is_symlink() and target.read_text(encoding="utf-8") == "keep"
    assert (again.out_dir / "judgments.jsonl").read_bytes() == before


def test_remove_stale_temporaries_names_what_it_removed(tmp_path: Path) -> None:
    (tmp_path / ".judgments.jsonl.a.tmp").write_text("x", encoding="utf-8")
    (tmp_path / "judgments.jsonl").write_text("y", encoding="utf-8")
    assert remove_stale_temporaries(tmp_path / "judgments.jsonl") == [tmp_path / ".judgments.jsonl.a.tmp"]
    assert (tmp_path / "judgments.jsonl").read_text(encoding="utf-8") == "y"
