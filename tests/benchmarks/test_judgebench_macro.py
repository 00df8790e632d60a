"""JudgeBench prints its micro average (its own rule) and, labelled beside it, the macro average of the four
categories that some reports use instead (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

from ..conftest import run_cli, shared

PREFIXES = {"mmlu-pro": "Knowledge", "livebench-reasoning": "Reasoning", "livebench-math": "Math", "livecodebench": "Coding"}


def test_macro_average_beside_the_micro_average(tmp_path: Path) -> None:
    pairs_dir = shared("judgebench", "pairs")
    path = next(p for p in pairs_dir.glob("*.jsonl") if "gpt-4o" in p.name)
    # the `longer` baseline by hand: a pair is right when the labelled response is strictly longer (equal lengths
    # tie and are wrong in both orders); per category, then the unweighted mean of the four and the mean over pairs
    by_cat: dict[str, list[bool]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        p = json.loads(line)
        cat = next(c for prefix, c in PREFIXES.items() if p["source"].startswith(prefix))
        a, b = len(p["response_A"]), len(p["response_B"])
        by_cat.setdefault(cat, []).append(a > b if p["label"] == "A>B" else b > a)
    macro = sum(100 * sum(v) / len(v) for v in by_cat.values()) / 4
    micro = 100 * sum(sum(v) for v in by_cat.values()) / sum(len(v) for v in by_cat.values())
    proc = run_cli("bench", "--judge", "longer", "--results-dir", str(tmp_path), "--no-progress", env={"JUDGEBENCH_PAIRS_DIR": str(pairs_dir)})
    assert proc.returncode == 0, proc.stderr
    assert f"Overall (micro average over pairs, vote): {micro:.1f}" in proc.stdout
    assert f"| macro average of the categories (unweighted) | {macro:.1f} | 4 |" in proc.stdout
    details = json.loads(next(tmp_path.rglob("metrics.json")).read_text())["extra"]["benchmark"]
    assert abs(details["rows"][0]["value"] - macro) < 1e-9 and abs(details["headline"]["value"] - micro) < 1e-9
