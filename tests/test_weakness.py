"""Weakness profiles (issue 18, ``judgebench weakness``): a planted weak category is recovered, alone, from a run of
the simulated judge; the test and the Holm / Benjamini-Hochberg corrections are checked on hand-made credits.

The planted effect. Five categories of 80 pairs each are judged in both orders by the fake server. The server is
told the truth of four categories' pairs (``pairs=``) at ``accuracy`` 0.9: it knows the answer with probability 0.9
per view and otherwise picks a position by a fair coin, so each view is right with probability
p = 0.9 + 0.1 / 2 = 0.95, independently. The fifth category's pairs are withheld, so the server guesses every view
(right with probability 1/2). Under the vote rule (the run's rule for a pair file) an item earns credit 1 only when
both views pick the right response (two views that disagree make a tie, worth 0 against a winner label), so the
expected accuracy is p^2 = 0.9025 in a known category and (1/2)^2 = 0.25 in the withheld one.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from judgebench.analysis.weakness import benjamini_hochberg, holm, weakness_profile

from .conftest import run_cli, write_jsonl

CATEGORIES = ("alpha", "bravo", "charlie", "delta", "echo")
WEAK = "delta"
PER_CATEGORY = 80
P_VIEW = 0.9 + 0.1 / 2
EXPECTED = {c: 100 * (0.5**2 if c == WEAK else P_VIEW**2) for c in CATEGORIES}


def _rows() -> list[dict]:
    rows = []
    for c in CATEGORIES:
        for i in range(PER_CATEGORY):
            rows.append(
                {
                    "pair_id": f"{c}{i:03d}",
                    "source": f"{c}-set",  # category: the source's prefix (JudgeBench's rule for other sources)
                    "question": f"Question {c} {i}: which answer is better?",
                    "response_A": f"Answer one to {c}{i:03d}: the first of two candidate answers.",
                    "response_B": f"Answer two to {c}{i:03d}: the second of two candidate answers.",
                    "label": "A>B" if i % 2 else "B>A",
                    "level": "easy" if i % 3 else "hard",  # metadata unrelated to the planted effect
                }
            )
    return rows


@pytest.fixture(scope="module")
def planted_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from judgebench.benchmarks.local import load_pair_files
    from judgebench.run.runner import RunSpec, run
    from judgebench.testing.fake_server import FakeConfig, FakeJudgeServer

    tmp = tmp_path_factory.mktemp("weakness")
    data = write_jsonl(tmp / "pairs.jsonl", _rows())
    known = [p for p in load_pair_files([data]) if not p.pair_id.startswith(WEAK)]
    assert len(known) == 4 * PER_CATEGORY
    with FakeJudgeServer(FakeConfig(accuracy=0.9, seed=18), known) as server:
        spec = RunSpec(data=str(data), judge="vanilla", model="openai:fake", base_url=server.base_url, results_dir=str(tmp / "results"), progress=False, cache=False, concurrency=16)
        run(spec)
    return tmp / "results"


def test_the_planted_weak_category_is_the_only_node_marked_weak(planted_run: Path) -> None:
    from judgebench.reports.section_weakness import profile_dir

    [(_, profile)] = profile_dir(planted_run)
    nodes = {n.name: n for n in profile.nodes if n.depth == 1}
    assert set(nodes) == set(CATEGORIES) and all(n.n == PER_CATEGORY for n in nodes.values())
    assert [n.name for n in profile.weak] == [WEAK], [(n.name, n.accuracy, n.p_adjusted) for n in profile.nodes]
    assert len(profile.tested) == len(CATEGORIES) and profile.overall.p is None  # the root has no rest
    for c, node in nodes.items():
        assert node.ci_method == "Wilson"
        assert node.ci_low <= EXPECTED[c] <= node.ci_high, (c, node.accuracy, node.ci_low, node.ci_high, EXPECTED[c])
    weak = nodes[WEAK]
    assert weak.p_adjusted is not None and weak.p_adjusted < 1e-6 and weak.accuracy < weak.rest_accuracy  # type: ignore[operator]
    strong = nodes["alpha"]
    assert not strong.weak and strong.p_adjusted is not None and strong.p_adjusted > 0.05


def test_the_command_prints_the_table_json_and_a_figure_and_by_slices_by_metadata(planted_run: Path, tmp_path: Path) -> None:
    proc = run_cli("weakness", str(planted_run), "--figure", str(tmp_path / "w.png"))
    assert proc.returncode == 0, proc.stderr
    weak_lines = [line for line in proc.stdout.splitlines() if line.startswith("|") and line.rstrip().endswith("WEAK |")]
    assert len(weak_lines) == 1 and WEAK in weak_lines[0], proc.stdout
    assert (tmp_path / "w.png").stat().st_size > 5000
    # an unrelated metadata field: no node below the rest after the correction
    proc = run_cli("weakness", str(planted_run), "--by", "level", "--json")
    assert proc.returncode == 0, proc.stderr
    [report] = json.loads(proc.stdout)
    assert report["levels"] == ["level"] and report["weak"] == [] and {n["name"] for n in report["nodes"][1:]} == {"easy", "hard"}
    proc = run_cli("weakness", str(planted_run), "--by", "level,category", "--json")
    [report] = json.loads(proc.stdout)
    assert all(path.endswith(WEAK) for path in report["weak"]) and report["weak"], report["weak"]


def test_the_html_report_has_the_weakness_section(planted_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    proc = run_cli("report", str(planted_run), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    html = out.read_text(encoding="utf-8")
    section = html.split('id="weakness"', 1)[1].split("</section>", 1)[0]
    assert "Weakness profiles" in html and WEAK in section and "data:image/png;base64," in section


def test_holm_and_bh_adjusted_p_values_by_hand() -> None:
    p = [0.01, 0.04, 0.03, 0.005]
    # Holm: sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04 -> running max 0.02, 0.03, 0.06, 0.06
    assert holm(p) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    # BH: sorted times 4/1, 4/2, 4/3, 4/4 = 0.02, 0.02, 0.04, 0.04 -> running min from the top: unchanged
    assert benjamini_hochberg(p) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])


def test_hand_made_credits_node_p_values_are_fishers_exact_and_holm_adjusted() -> None:
    from scipy.stats import fisher_exact

    # three categories of 40 items: A 30/40 right, B 32/40, C 12/40
    right = {"A": 30, "B": 32, "C": 12}
    paths, credits = [], []
    for c, k in right.items():
        paths += [(c,)] * 40
        credits += [1.0] * k + [0.0] * (40 - k)
    profile = weakness_profile(paths, credits, min_n=20)
    nodes = {n.name: n for n in profile.nodes[1:]}
    raw = {}
    for c, k in right.items():
        rest_right = sum(right.values()) - k
        # one-sided Fisher's exact test: node has fewer right answers than the rest's proportion implies
        raw[c] = fisher_exact([[k, 40 - k], [rest_right, 80 - rest_right]], alternative="less").pvalue
        assert nodes[c].p == pytest.approx(raw[c], rel=1e-9)
    ordered = sorted(raw, key=raw.get)  # type: ignore[arg-type]
    by_hand, running = {}, 0.0
    for rank, c in enumerate(ordered):
        running = max(running, min(1.0, raw[c] * (3 - rank)))
        by_hand[c] = running
    for c in right:
        assert nodes[c].p_adjusted == pytest.approx(by_hand[c], rel=1e-9)
    assert [n.name for n in profile.weak] == ["C"]
    assert nodes["C"].accuracy == pytest.approx(30.0) and nodes["C"].rest_accuracy == pytest.approx(77.5)


def test_small_nodes_are_shown_not_tested_and_non_binary_credits_use_the_bootstrap() -> None:
    paths = [("X", "x1")] * 30 + [("X", "x2")] * 5 + [("Y", "y1")] * 30
    credits = list(np.r_[np.full(30, 0.5), np.zeros(5), np.ones(30)])
    profile = weakness_profile(paths, credits, min_n=10, n_resamples=2000)
    nodes = {n.path: n for n in profile.nodes}
    assert nodes[("X", "x2")].p is None and not nodes[("X", "x2")].weak  # 5 < min_n
    assert nodes[("X",)].ci_method == "bootstrap" and nodes[("Y",)].ci_method == "Wilson"
    assert nodes[("X",)].weak and nodes[("X", "x1")].weak and not nodes[("Y",)].weak
    # sampled permutation p-value: at least 1 / (R + 1)
    assert nodes[("X",)].p is not None and nodes[("X",)].p >= 1 / 20_001
