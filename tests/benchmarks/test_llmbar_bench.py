"""``judgebench bench --benchmark llmbar --judge longer`` runs offline on the shared copy and prints, per subset,
the order-averaged accuracy and the positional agreement (issue 13's "done when")."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..conftest import run_cli, shared

SETS = {
    "Natural": "LLMBar/Natural",
    "Neighbor": "LLMBar/Adversarial/Neighbor",
    "GPTInst": "LLMBar/Adversarial/GPTInst",
    "GPTOut": "LLMBar/Adversarial/GPTOut",
    "Manual": "LLMBar/Adversarial/Manual",
    "FairEval": "Processed/FairEval",
    "LLMEval2": "Processed/LLMEval^2",
    "MT-Bench": "Processed/MT-Bench",
}


def _expected(root: Path) -> dict[str, tuple[int, float]]:
    """The ``longer`` baseline scored by hand from the released files: it prefers the longer output (a tie when the
    lengths are equal), so it says the same in both orders: its order-averaged accuracy is the share of rows whose
    labelled output (1 or 2) is strictly longer, and its positional agreement is 100%."""
    out = {}
    for name, folder in SETS.items():
        rows = json.loads((root / folder / "dataset.json").read_text(encoding="utf-8"))
        right = sum((len(r["output_1"]) > len(r["output_2"])) if r["label"] == 1 else (len(r["output_2"]) > len(r["output_1"])) for r in rows)
        out[name] = (len(rows), 100 * right / len(rows))
    return out


def test_bench_llmbar_prints_subset_accuracy_and_positional_agreement(tmp_path: Path) -> None:
    root = shared("llmbar")
    proc = run_cli("bench", "--benchmark", "llmbar", "--judge", "longer", "--results-dir", str(tmp_path / "r"), "--no-progress", env={"JUDGEBENCH_DATA_DIR": str(root.parent)})
    assert proc.returncode == 0, proc.stderr
    table = {m[0]: (int(m[1]), float(m[2]), float(m[3])) for m in re.findall(r"^\| (\S+) \| (\d+) \| ([\d.]+) \| ([\d.]+) \|$", proc.stdout, flags=re.M)}
    expected = _expected(root)
    assert set(table) == set(expected), proc.stdout
    for name, (n, acc) in expected.items():
        assert table[name] == (n, round(acc, 1), 100.0), name
    assert "Accuracy (average)" in proc.stdout and "Positional agreement" in proc.stdout
    info = json.loads(next((tmp_path / "r").rglob("run.json")).read_text())
    assert (info["benchmark"], info["rule"], info["protocol"], info["counts"]["judgments"]) == ("llmbar", "average", "pairwise(orders=both, pairs=all)", 2 * 885)
