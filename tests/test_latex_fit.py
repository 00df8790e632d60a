"""LaTeX tables that fit a two-column paper (issue 16): every variant is compiled with pdflatex inside a
``\\documentclass[twocolumn]{article}`` with text around it, and any "Overfull \\hbox" in the log fails the test
(``tests/latex_paper.py``); labels that do not move when tables are added; display names; math in captions."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest

from judgebench.analysis.scoring import Headline
from judgebench.reports.latex import COLUMN_PT, text_width
from judgebench.reports.names import Names
from judgebench.reports.suite_table import SuiteCell, SuiteTable, render_suite_table
from judgebench.reports.tables import latex_table_problems, render_leaderboard, standalone_latex

from .conftest import run_cli
from .latex_paper import assert_fits, compile_tex, log_problems, paper

CATEGORIES = ["Knowledge", "Reasoning", "Math", "Coding"]
RUNS = [  # 12 runs with the long model ids of real papers (provider prefix, organisation, date)
    ("arena_hard", "openai:o1-mini-2024-09-12"),
    ("arena_hard", "openai:gpt-4o-2024-08-06"),
    ("arena_hard", "anthropic:claude-3-5-sonnet-20240620"),
    ("vanilla", "vllm:meta-llama/Meta-Llama-3.1-70B-Instruct"),
    ("prometheus2", "vllm:prometheus-eval/prometheus-7b-v2.0"),
    ("judgelm@bpc=true", "vllm:BAAI/JudgeLM-33B-v1.0"),
    ("reward_model", "hf:Skywork/Skywork-Reward-Llama-3.1-8B-v0.2"),
    ("reward_model", "hf:Ray2333/GRM-Gemma-2B-rewardmodel-ft"),
    ("reward_model", "hf:internlm/internlm2-7b-reward"),
    ("skywork_critic", "vllm:Skywork/Skywork-Critic-Llama-3.1-70B"),
    ("longer", "none"),
    ("random", "none"),
]


def leaderboard_rows(
    *, response_model: str = "gpt-4o-2024-05-13", group: str | None = None, pair_set: str = "a1b2c3d4", categories: list[str] | None = None, n: int = 350
) -> list[dict[str, Any]]:
    """12 runs and the random-choice reference row, as ``reports.leaderboard`` makes them, best first."""
    cats = categories or CATEGORIES
    rows = []
    for k, (judge, model) in enumerate(RUNS):
        overall = 71.43 - 2.17 * k
        row: dict[str, Any] = {
            "judge": judge, "model": model, "label": f"{judge}: {model}", "response_model": response_model, "dataset": "judgebench-gpt",
            "origin": "run", "is_baseline": model == "none", "rule": "vote", "n": n, "path": f"r/{k}", "categories": cats, "benchmark": "judgebench",
            "overall": overall, "ci_low": overall - 4.86, "ci_high": overall + 4.91, "ci": f"{overall - 4.86:.1f}–{overall + 4.91:.1f}",
            "consistency": 100.0 if model == "none" else 60.0 + 3.1 * k, "no_decision": 0.0 if model == "none" else 0.57 * k, "failed": 0,
            "judged": f"{2 * n}/{2 * n}", "pair_set": pair_set, "set_size": n, "partial": False, "compared": True, "group": group,
            "best": k == 0, "tied_with_best": 0 < k < 4, "sig_test": "McNemar exact" if k else None, "p_vs_best": 0.3 if 0 < k < 4 else (0.01 if k else None),
        }  # fmt: skip
        for j, c in enumerate(cats):
            row[re.sub(r"\W+", "_", c.lower())] = 40.0 + (7.3 * k + 11.9 * j) % 50
        rows.append(row)
    rows.append(
        {
            "judge": "random choice (expected)", "model": "not a run", "label": "random (expected)", "response_model": response_model, "origin": "baseline",
            "is_baseline": True, "rule": "vote", "n": n, "categories": cats, "benchmark": "judgebench", "overall": 50.0, "ci": None, "ci_low": None, "ci_high": None,
            "consistency": None, "no_decision": None, "pair_set": pair_set, "group": group, **{re.sub(r"\W+", "_", c.lower()): 50.0 for c in cats},
        }  # fmt: skip
    )
    return rows


def floats(tex: str) -> list[str]:
    """The table floats of ``tex``, each from ``\\begin{table...}`` to its ``\\end``."""
    return [m.group(0) for m in re.finditer(r"\\begin\{(table\*?)\}.*?\\end\{\1\}", tex, flags=re.S)]


def label_of(table: str) -> str:
    found = re.search(r"\\label\{([^}]*)\}", table)
    assert found, table
    return found.group(1)


def test_twelve_runs_with_long_model_ids_fit_one_column(tmp_path: Path) -> None:
    # the case: a one-column `table` overflowed a two-column paper by 620 pt
    tex = render_leaderboard(leaderboard_rows(), "latex")
    assert tex.startswith("\\begin{table}[") and "table*" not in tex and latex_table_problems(tex) == []
    header = next(line for line in tex.splitlines() if line.startswith("Judge &"))
    assert header.split(" & ")[1:5] == ["Know.", "Reas.", "Math", "Coding"] and "Overall" in header  # every category is there
    assert "Know.: Knowledge; Reas.: Reasoning" in tex  # abbreviations spelled out in the caption
    assert "o1-mini" in tex and "o1-mini-2024-09-12" not in tex and "Skywork-Reward-Llama-3.1-8B-v0.2" in tex  # display names
    assert "71.4$^{+4.9}_{-4.8}$" in tex  # Overall 71.43 with its CI 66.57-76.34 as offsets from the printed 66.6-76.3
    assert_fits(tex, tmp_path)


def test_text_width_variant_is_a_table_star_with_the_fuller_columns(tmp_path: Path) -> None:
    tex = render_leaderboard(leaderboard_rows(), "latex", width="text")
    assert tex.startswith("\\begin{table*}[") and latex_table_problems(tex) == []
    header = next(line for line in tex.splitlines() if line.startswith("Judge &"))
    caption = tex.split("\\caption{", 1)[1]
    for name in ("Model", "Knowledge", "Reasoning", "95\\% CI", "Consistency", "No-decision"):
        assert name in header or f": {name}" in caption, (name, header)  # in full, or abbreviated and spelled out
    assert_fits(tex, tmp_path)


@pytest.mark.parametrize("width", ["column", "text"])
def test_grouped_tables_are_separate_floats_that_fit(tmp_path: Path, width: str) -> None:
    rows = leaderboard_rows(group="gpt-4o-2024-05-13") + leaderboard_rows(response_model="claude-3-5-sonnet-20240620", group="claude-3-5-sonnet-20240620", pair_set="e5f6a7b8", n=270)
    tex = render_leaderboard(rows, "latex", width=width)  # type: ignore[arg-type]
    tables = floats(tex)
    assert len(tables) == 2 and all(t.count("\\begin{table") == 1 for t in tables)  # one float each, none nested
    assert "pairs from gpt-4o" in tables[0] and "pairs from claude-3-5-sonnet" in tables[1]
    assert "$n = 350$ pairs" in tables[0] and "$n = 270$ pairs" in tables[1]  # n is the same on every row: said once
    assert_fits(tex, tmp_path)


def test_labels_come_from_content_and_stay_when_pair_sets_are_added() -> None:
    gpt = leaderboard_rows(group="gpt-4o-2024-05-13")
    alone = label_of(floats(render_leaderboard(gpt, "latex"))[0])
    claude = leaderboard_rows(response_model="claude-3-5-sonnet-20240620", group="claude-3-5-sonnet-20240620", pair_set="e5f6a7b8", n=270)
    before = [label_of(t) for t in floats(render_leaderboard(claude + gpt, "latex"))]  # another pair set's table, first
    assert alone == before[1] and before[0] != before[1] and alone.startswith("tab:judgebench-judgebench-")
    # the same labels in the text-width variant, so switching variants keeps every \ref
    assert [label_of(t) for t in floats(render_leaderboard(claude + gpt, "latex", width="text"))] == before
    # ungrouped: a run on another pair set joins the table; its label does not move
    plain = leaderboard_rows()
    extra = dict(plain[0], judge="vanilla", model="openai:gpt-4o-mini", pair_set="99999999", n=100)
    assert label_of(render_leaderboard(plain, "latex")) == label_of(render_leaderboard([*plain, extra], "latex")) == "tab:judgebench-judgebench"


def test_captions_set_p_and_marks_as_math() -> None:
    tex = render_leaderboard(leaderboard_rows(), "latex")
    caption = tex.split("\\caption{", 1)[1]
    assert "$p \\ge 0.05$" in caption and "\\textgreater{}" not in caption and ">=" not in caption
    assert "$^\\dagger$\\,not significantly different" in caption


@pytest.mark.parametrize("judges", [1, 3, 8])
def test_suite_table_of_eight_benchmarks_fits(tmp_path: Path, judges: int) -> None:
    # found in review: the suite table overflowed by 345 pt with 8 benchmarks
    benches = ["auto_j", "hh_rlhf", "judgebench:gpt", "llmbar:natural", "pandalm", "prometheus:hhh_alignment", "rm_bench", "rmb"]
    labels = tuple(f"{j}: {m}" for j, m in RUNS[:judges])
    cells = {(label, b): SuiteCell(b, Headline("accuracy", 55.55 + k, 50.04, 61.26), 300, partial=(b == "rmb" and k == 0)) for k, label in enumerate(labels) for b in benches}
    table = SuiteTable(labels, tuple(benches), cells, {b: "accuracy" for b in benches}, {label: RUNS[k] for k, label in enumerate(labels)})
    tex = render_suite_table(table, "latex")
    assert latex_table_problems(tex) == [] and "\\label{tab:judgebench-suite}" in tex
    header = next(line for line in tex.splitlines() if line.startswith(("Benchmark &", "Judge &")))
    assert header.startswith("Benchmark &" if judges < len(benches) else "Judge &")  # more benchmarks than judges: one per row
    assert "55.5$^{+5.8}_{-5.5}$" in tex  # 55.55 in 50.04-61.26, printed 55.5 in 50.0-61.3
    assert_fits(tex, tmp_path)


def test_standalone_document_shows_every_column(tmp_path: Path) -> None:
    rows = leaderboard_rows(group="gpt-4o-2024-05-13") + leaderboard_rows(response_model="claude-3-5-sonnet-20240620", group="claude-3-5-sonnet-20240620", pair_set="e5f6a7b8")
    body = render_leaderboard(rows, "latex") + "\n" + render_leaderboard(rows, "latex", width="text")
    doc = standalone_latex(body)
    assert "landscape" not in doc and doc.startswith("\\documentclass[twocolumn]{article}")
    assert log_problems(compile_tex(doc, tmp_path)) == []  # a cut column is an overfull box


def test_standalone_with_many_tables_places_every_float(tmp_path: Path) -> None:
    rows = [r for g in range(24) for r in leaderboard_rows(group=f"model-{g}", response_model=f"model-{g}", pair_set=f"{g:08d}")[:3]]
    doc = standalone_latex(render_leaderboard(rows, "latex"))
    assert doc.count("\\begin{table}") == 24
    assert log_problems(compile_tex(doc, tmp_path)) == []  # no "Too many unprocessed floats"


def test_many_categories_are_left_out_of_a_column_table_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cats = [f"subset-{k}" for k in range(23)]  # RewardBench's 23 subsets
    rows = leaderboard_rows(categories=cats)
    with caplog.at_level(logging.WARNING):
        tex = render_leaderboard(rows, "latex")
    assert "subset" not in tex.split("\\caption")[0] and "per-category columns" in caplog.text
    assert_fits(tex, tmp_path)


def test_a_crowded_table_still_fits(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # runs under two rules (a Rule column), on two pair sets (a Pair set column), from two sources, with failed
    # judgments (a Judged column), one partial run: too much for a column, so the column variant becomes a table*
    rows = leaderboard_rows()
    for k, r in enumerate(rows[:-1]):
        r.update(rule="vote" if k % 2 else "average", pair_set="a1b2c3d4" if k % 3 else "f0e1d2c3", response_model="gpt-4o-2024-05-13" if k % 2 else "claude-3-5-sonnet-20240620")
    rows[2].update(failed=7, judged="693/700")
    rows[5].update(partial=True, compared=False, n=100)
    for width in ("column", "text"):
        with caplog.at_level(logging.WARNING):
            tex = render_leaderboard(rows, "latex", width=width)  # type: ignore[arg-type]
        header = next(line for line in tex.splitlines() if line.startswith("Judge &"))
        assert all(h in header for h in ("Rule", "Judged", "Pairs")) and ("Set" in header or "Pair set" in header), header
        assert "\\resizebox" not in tex and "claude-3-5-sonnet &" in tex  # fitted, not scaled; sources by display name
        assert_fits(tex, tmp_path, name=f"crowded-{width}")
    assert "set as table* over \\textwidth" in caplog.text


def test_columns_too_many_for_any_width_are_scaled_down_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    every = ["judge", "model", "response_model", "dataset", "n", "knowledge", "reasoning", "math", "coding", "overall", "ci", "ci_low", "ci_high", "consistency", "no_decision", "p_vs_best", "sig_test"]
    with caplog.at_level(logging.WARNING):
        tex = render_leaderboard(leaderboard_rows(), "latex", columns=every)
    assert "\\begin{table*}" in tex and "\\resizebox{\\linewidth}{!}" in tex and "scaled down" in caplog.text  # the last resort
    assert_fits(tex, tmp_path, graphicx=True)


def test_names_file_names_runs_in_latex_and_markdown_and_adds_a_name_to_csv_and_json(tmp_path: Path) -> None:
    path = tmp_path / "names.yaml"
    path.write_text(
        "judges:\n  arena_hard: Arena-Hard\n  reward_model: RM\nmodels:\n  hf:Skywork/Skywork-Reward-Llama-3.1-8B-v0.2: Skywork-RM-8B\n"
        'runs:\n  "vanilla: vllm:meta-llama/Meta-Llama-3.1-70B-Instruct": Llama-3.1-70B (vanilla)\n',
        encoding="utf-8",
    )
    names = Names.load(path)
    rows = leaderboard_rows()
    tex = render_leaderboard(rows, "latex", names=names)
    assert "Arena-Hard (o1-mini)" in tex and "RM (Skywork-RM-8B)" in tex and "Llama-3.1-70B (vanilla)" in tex and "arena\\_hard" not in tex
    md = render_leaderboard(rows, "md", names=names)
    assert "| Llama-3.1-70B (vanilla) † |" in md and "arena_hard" not in md  # a run named as a whole: one Judge column
    plain = render_leaderboard(rows, "md")
    assert "| arena_hard | openai:o1-mini-2024-09-12 |" in plain  # without a names file, Markdown shows the ids
    csv_lines = render_leaderboard(rows, "csv", names=names).splitlines()
    assert csv_lines[0].startswith("judge,model,name,") and csv_lines[1].startswith("arena_hard,openai:o1-mini-2024-09-12,Arena-Hard (o1-mini),")
    assert "name" not in render_leaderboard(rows, "csv").splitlines()[0].split(",")
    records = json.loads(render_leaderboard(rows, "json", names=names))
    assert (records[0]["judge"], records[0]["model"], records[0]["name"]) == ("arena_hard", "openai:o1-mini-2024-09-12", "Arena-Hard (o1-mini)")


def test_width_estimate_matches_pdflatex(tmp_path: Path) -> None:
    samples = [("footnotesize", "Skywork-Reward-Llama-3.1-8B", False), ("footnotesize", "82.1", True), ("small", "Overall (vote)", False), ("scriptsize", "random (expected)", False)]
    bold = {True: "\\bfseries ", False: ""}
    body = "\n".join(f"\\setbox0\\hbox{{\\{size} {bold[b]}{t}}}\\typeout{{WIDTH={{\\the\\wd0}}}}" for size, t, b in samples)
    log = compile_tex(paper(body + "\nx"), tmp_path)
    measured = [float(w) for w in re.findall(r"WIDTH=\{?([\d.]+)pt", log)]
    assert len(measured) == len(samples)
    for (size, text, bold), pt in zip(samples, measured, strict=True):
        assert text_width(text, size, bold=bold) == pytest.approx(pt, rel=0.02), text


def test_the_fit_check_catches_a_table_wider_than_the_column(tmp_path: Path) -> None:
    # the check must not pass vacuously: the one-column table of before overflowed
    wide = "\\begin{table}[t]\\centering\\begin{tabular}{lllrrrrrr}\\toprule " + " & ".join(["Judge model Skywork-Reward-Llama"] * 3 + ["99.9"] * 6) + " \\\\ \\bottomrule\\end{tabular}\\end{table}"
    problems = log_problems(compile_tex(paper(wide), tmp_path))
    assert any(p.startswith("Overfull \\hbox") for p in problems)
    assert COLUMN_PT < 229.5  # the estimate aims below an article's \columnwidth (ACL's 219 pt)


def _bench(pairs_file: Path, results: Path, judge: str) -> None:
    proc = run_cli("bench", "--judge", judge, "--data", str(pairs_file), "--results-dir", str(results), "--no-progress")
    assert proc.returncode == 0, proc.stderr


def test_leaderboard_and_score_commands_take_names_and_latex_width(pairs_file: Path, tmp_path: Path) -> None:
    for judge in ("longer", "shorter", "random"):
        _bench(pairs_file, tmp_path / "r", judge)
    names = tmp_path / "names.toml"
    names.write_text('[judges]\nlonger = "Longer wins"\nshorter = "Shorter wins"\n', encoding="utf-8")
    proc = run_cli("leaderboard", str(tmp_path / "r"), "--baseline", "--format", "latex", "--latex-width", "text", "--standalone", "--names", str(names))
    assert proc.returncode == 0, proc.stderr
    assert "\\begin{table*}" in proc.stdout and "Longer wins" in proc.stdout
    assert log_problems(compile_tex(proc.stdout, tmp_path)) == []
    md = run_cli("leaderboard", str(tmp_path / "r"), "--names", str(names))
    assert md.returncode == 0 and "| Shorter wins |" in md.stdout
    proc = run_cli("leaderboard", str(tmp_path / "r"), "--write", "--out-dir", str(tmp_path / "out"), "--names", str(names))
    assert proc.returncode == 0 and "Longer wins" in (tmp_path / "out" / "leaderboard.tex").read_text(encoding="utf-8")
    files = sorted(str(p) for p in (tmp_path / "r").rglob("judgments.jsonl"))
    scored = run_cli("score", *files, "--json", "--names", str(names))
    assert scored.returncode in (0, 3), scored.stderr
    assert {e["judge_name"]: e["name"] for e in json.loads(scored.stdout)}["longer"] == "Longer wins"
    tex = run_cli("score", *files, "--format", "latex", "--names", str(names))
    assert tex.returncode == 0 and "Shorter wins" in tex.stdout and latex_table_problems(tex.stdout) == []
    bad = run_cli("leaderboard", str(tmp_path / "r"), "--names", str(tmp_path / "missing.yaml"))
    assert bad.returncode == 2 and "no such names file" in bad.stderr
    assert run_cli("leaderboard", str(tmp_path / "r"), "--latex-width", "page").returncode == 2


def test_the_names_file_of_the_docs_loads_and_names_as_documented(tmp_path: Path) -> None:
    text = (Path(__file__).resolve().parent.parent / "docs" / "names.md").read_text(encoding="utf-8")
    yaml_block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    toml_block = text.split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "names.yaml").write_text(yaml_block, encoding="utf-8")
    (tmp_path / "names.toml").write_text(toml_block, encoding="utf-8")
    names = Names.load(tmp_path / "names.yaml")
    assert names.run("arena_hard", "openai:o1-mini-2024-09-12") == "Arena-Hard (o1-mini)"
    assert names.run("reward_model", "hf:Skywork/Skywork-Reward-Llama-3.1-8B-v0.2") == "RM (Skywork-RM-8B)"
    assert names.run("vanilla", "vllm:meta-llama/Meta-Llama-3.1-70B-Instruct") == "Llama-3.1-70B (vanilla)"
    assert names.benchmark("prometheus:hhh_alignment") == "HHH"
    assert Names.load(tmp_path / "names.toml").run("vanilla", "vllm:meta-llama/Meta-Llama-3.1-70B-Instruct") == "Llama-3.1-70B (vanilla)"
    assert Names().run("arena_hard", "openai:gpt-4o-2024-08-06") == "arena_hard (gpt-4o)"  # the documented defaults
