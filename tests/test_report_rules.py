"""Each run is scored under its own rule unless one is named, and runs of different benchmarks never share a table.

Every expected number below is worked out by hand from the judgments the fixtures write (see each docstring), not
from the scoring code.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from judgebench.reports.html import pair_outcome
from judgebench.reports.plots import accuracy_figure, rules_text
from judgebench.reports.tables import Column as Col
from judgebench.reports.tables import render_leaderboard, row_categories, to_markdown
from judgebench.schema import Decision, ItemResult, Judgment, Pair

from .conftest import make_pair, run_cli, write_jsonl

A, B, T, N = Decision.A_BETTER, Decision.B_BETTER, Decision.TIE, Decision.NONE


def _pairs(n: int, sources: list[str]) -> list[dict[str, Any]]:
    """``n`` pairs labelled A>B whose response A (20 chars) is longer than B (5 chars): the ``longer`` judge picks A
    in game 1 (A>B) and, shown swapped in game 2, says B>A, which is A>B in the pair's frame: right both times."""
    return [make_pair(i, "A>B", sources[i % len(sources)], response_A="a" * 20, response_B="b" * 5) for i in range(n)]


def _run(tmp: Path, name: str, pairs: list[dict[str, Any]], *, inconsistent: tuple[str, ...], info: dict[str, Any], drop: tuple[str, ...] = ()) -> Path:
    """A run folder: ``longer`` on ``pairs``, then game 2 of each pair in ``inconsistent`` rewritten to ``A>B``
    (shown swapped, that is B>A in the pair's frame: game 1 right, game 2 wrong), and ``info`` merged into its
    run.json (keys in ``drop`` removed), as another judge or an older run would have written it."""
    data = write_jsonl(tmp / f"{name}.jsonl", pairs)
    proc = run_cli("bench", "--judge", "longer", "--data", str(data), "--results-dir", str(tmp / "results" / name), "--no-progress")
    assert proc.returncode == 0, proc.stderr
    (judgments,) = (tmp / "results" / name).rglob("judgments.jsonl")
    lines = [json.loads(x) for x in judgments.read_text(encoding="utf-8").splitlines()]
    for line in lines:
        if line["item_id"] in inconsistent:
            assert line["judgments"][1]["view"] == [1, 0] and line["judgments"][1]["decision"] == "B>A"
            line["judgments"][1]["decision"] = "A>B"
    judgments.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    run_json = judgments.with_name("run.json")
    recorded = json.loads(run_json.read_text(encoding="utf-8"))
    recorded.update(info)
    for k in drop:
        recorded.pop(k, None)
    run_json.write_text(json.dumps(recorded), encoding="utf-8")
    return judgments.parent


def _overall_cells(md: str) -> list[tuple[str, str]]:
    """(Overall header, first row's Overall cell) of every Markdown table in ``md``."""
    out = []
    for block in md.split("\n\n"):
        lines = [x for x in block.splitlines() if x.startswith("|")]
        if len(lines) < 3:
            continue
        header = [c.strip() for c in lines[0].strip("|").split("|")]
        row = [c.strip() for c in lines[2].strip("|").split("|")]
        at = next((i for i, h in enumerate(header) if h.startswith("Overall")), None)
        if at is not None:  # the suite table (runs on several benchmarks) has a column per benchmark instead
            out.append((header[at], row[at]))
    return out


# 4 pairs, p0 and p1 inconsistent (game 1 right, game 2 wrong), p2 and p3 right in both games:
#   vote: p0, p1 sum to 0 (not credited), p2, p3 +2 -> 2/4 = 50.0
#   average: p0, p1 earn 1/2, p2, p3 earn 1 -> 3/4 = 75.0
#   first: game 1 only, right everywhere -> 4/4 = 100.0
INCONSISTENT = ("p0", "p1")


@pytest.mark.parametrize(
    ("info", "drop", "expected"),
    [
        ({"rule": "average"}, (), ("Overall (average)", "75.0")),  # the rule run.json records
        ({"rule": "first"}, (), ("Overall (first)", "100.0")),
        ({"benchmark": "llmbar"}, ("rule",), ("Overall (average)", "75.0")),  # no rule recorded: LLMBar's rule, average
        ({}, ("rule", "benchmark"), ("Overall (vote)", "50.0")),  # an older run: neither recorded, vote
    ],
)
def test_leaderboard_and_score_default_to_each_runs_own_rule(tmp_path: Path, info: dict[str, Any], drop: tuple[str, ...], expected: tuple[str, str]) -> None:
    folder = _run(tmp_path, "x", _pairs(4, ["mmlu-pro-law"]), inconsistent=INCONSISTENT, info=info, drop=drop)
    lb = run_cli("leaderboard", str(tmp_path / "results"))
    assert lb.returncode == 0, lb.stderr
    assert _overall_cells(lb.stdout) == [expected]
    sc = run_cli("score", str(folder / "judgments.jsonl"))
    assert sc.returncode == 0, sc.stderr
    assert _overall_cells(sc.stdout) == [expected]
    # an explicit --rule rescores every run under it
    named = run_cli("leaderboard", str(tmp_path / "results"), "--rule", "vote")
    assert _overall_cells(named.stdout) == [("Overall (vote)", "50.0")]
    assert _overall_cells(run_cli("score", str(folder), "--rule", "average").stdout) == [("Overall (average)", "75.0")]


def test_score_out_note_and_json_name_the_rule_used(tmp_path: Path) -> None:
    folder = _run(tmp_path, "x", _pairs(4, ["mmlu-pro-law"]), inconsistent=INCONSISTENT, info={"rule": "average"})
    out = tmp_path / "repro.md"
    proc = run_cli("score", str(folder), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "(rule: average;" in out.read_text(encoding="utf-8")
    (row,) = json.loads(run_cli("score", str(folder), "--json").stdout)
    assert (row["rule"], row["overall"]) == ("average", 75.0)


def _mixed(tmp_path: Path) -> None:
    """A JudgeBench-style run (4 pairs: Math p0, p2 and Knowledge p1, p3; no benchmark, no rule recorded: vote)
    and an LLMBar run (6 pairs: Neighbor p0, p2, p4 and Natural p1, p3, p5; rule average), both with p0, p1
    inconsistent. JudgeBench, vote: 2/4 = 50.0 (Math p0 0, p2 1 -> 50.0; Knowledge p1 0, p3 1 -> 50.0).
    LLMBar, average: (1/2 + 1/2 + 4) / 6 = 5/6 = 83.3 (Neighbor p0 1/2, p2, p4 1 -> 83.3; Natural the same)."""
    _run(tmp_path, "jb", _pairs(4, ["livebench-math", "mmlu-pro-law"]), inconsistent=INCONSISTENT, info={}, drop=("rule", "benchmark"))
    _run(tmp_path, "lb", _pairs(6, ["LLMBar/Adversarial/Neighbor", "LLMBar/Natural"]), inconsistent=INCONSISTENT, info={"benchmark": "llmbar", "rule": "average"})


def _table_headers(md: str) -> list[tuple[str, list[str]]]:
    """(heading, header cells) of every table in a Markdown leaderboard."""
    out = []
    for m in re.finditer(r"^### (.*)\n\n(\|.*\|)$", md, flags=re.M):
        out.append((m.group(1), [c.strip() for c in m.group(2).strip("|").split("|")]))
    return out


def test_mixed_benchmarks_get_one_table_each_with_own_categories_rule_and_baseline(tmp_path: Path) -> None:
    _mixed(tmp_path)
    proc = run_cli("leaderboard", str(tmp_path / "results"), "--group-by", "response_model", "--baseline")
    assert proc.returncode == 0, proc.stderr
    tables = _table_headers(proc.stdout)
    assert [t[0] for t in tables] == ["Benchmark judgebench: pairs from test-model", "Benchmark llmbar: pairs from test-model"]
    assert tables[0][1][4:7] == ["Knowledge", "Math", "Overall (vote)"]
    assert tables[1][1][4:7] == ["Natural", "Neighbor", "Overall (average)"]  # LLMBar's order: Natural first
    rows = json.loads(run_cli("leaderboard", str(tmp_path / "results"), "--group-by", "response_model", "--baseline", "--format", "json").stdout)
    runs = {r["benchmark"] or "judgebench": r for r in rows if r["origin"] == "run"}
    assert (runs["judgebench"]["overall"], runs["judgebench"]["math"], runs["judgebench"]["knowledge"], runs["judgebench"]["rule"]) == (50.0, 50.0, 50.0, "vote")
    assert runs["llmbar"]["overall"] == pytest.approx(500 / 6) and runs["llmbar"]["neighbor"] == pytest.approx(500 / 6)
    assert runs["llmbar"]["rule"] == "average"
    # one random-choice row per benchmark (and pair set), over its own pairs: all labels strict -> 50.0
    baselines = sorted((r["benchmark"] or "judgebench", r["n"], r["overall"], r["response_model"]) for r in rows if r["origin"] == "baseline")
    assert baselines == [("judgebench", 4, 50.0, "test-model"), ("llmbar", 6, 50.0, "test-model")]
    # with no --group-by too: a table per benchmark
    plain = run_cli("leaderboard", str(tmp_path / "results"))
    assert [t[0] for t in _table_headers(plain.stdout)] == ["Benchmark judgebench", "Benchmark llmbar"]
    assert _overall_cells(plain.stdout) == [("Overall (vote)", "50.0"), ("Overall (average)", "83.3")]
    # runs on two benchmarks: the suite table puts each run's headline side by side (one judge here, two data sets)
    suite = plain.stdout.split("## Suite: each benchmark's headline score", 1)[1]
    assert re.search(r"^\| Judge \| \S+ \| \S+ \|$", suite, flags=re.M) and "50.0 (" in suite and "83.3 (" in suite
    csv_text = run_cli("leaderboard", str(tmp_path / "results"), "--format", "csv").stdout
    header, *lines = csv_text.splitlines()
    assert header.split(",")[-1] == "benchmark" and [x.split(",")[-1] for x in lines] == ["judgebench", "llmbar"]


def test_report_names_each_runs_rule_and_scores_outcomes_under_it(tmp_path: Path) -> None:
    _mixed(tmp_path)
    out = tmp_path / "report.html"
    proc = run_cli("report", str(tmp_path / "results"), "-o", str(out), "--no-figures")
    assert proc.returncode == 0, proc.stderr
    html = out.read_text(encoding="utf-8")
    assert "rule: <b>each run&#39;s rule (judgebench: vote; llmbar: average)</b>" in html
    assert "<h3>Benchmark judgebench</h3>" in html and "<h3>Benchmark llmbar</h3>" in html
    assert "Overall (vote)" in html and "Overall (average)" in html
    data = json.loads(html.split('<script type="application/json" id="jb-data">', 1)[1].split("</script>", 1)[0])
    assert sorted(r["rule"] for r in data["runs"]) == ["average", "vote"]
    by_rule: dict[str, list[str]] = {}
    for it in data["items"]:
        by_rule.setdefault(data["runs"][it["run"]]["rule"], []).append(it["outcome"])
    # vote: p0, p1 inconsistent -> tie; average: they earn 1/2 -> partial; the others correct
    assert sorted(by_rule["vote"]) == ["correct", "correct", "tie", "tie"]
    assert sorted(by_rule["average"]) == ["correct"] * 4 + ["partial"] * 2


def _row(judge: str, rule: str, overall: float, benchmark: str | None, cats: list[str]) -> dict[str, Any]:
    return {"judge": judge, "model": "m", "response_model": "rm", "n": 10, "origin": "run", "rule": rule, "overall": overall, "benchmark": benchmark, "categories": cats}


def test_one_table_of_runs_under_different_rules_does_not_claim_one() -> None:
    rows = [_row("a", "vote", 60.0, None, []), _row("b", "first", 70.0, None, [])]
    md = render_leaderboard(rows, "md")
    header = [c.strip() for c in md.splitlines()[0].strip("|").split("|")]
    assert "Overall (each run's rule)" in header and header[header.index("Overall (each run's rule)") + 1] == "Rule"
    assert [c.strip() for c in md.splitlines()[2].strip("|").split("|")][header.index("Rule")] == "vote"
    assert "rule: each run's rule, column Rule" in render_leaderboard(rows, "latex")
    # a named rule (everything rescored under it) heads the table as before
    assert "Overall (first)" in render_leaderboard([dict(r, rule="first") for r in rows], "md", rule="first")


def test_categories_of_several_benchmarks_follow_each_benchmarks_order() -> None:
    rows = [_row("l", "average", 1.0, "llmbar", ["Neighbor", "Natural"]), _row("j", "vote", 1.0, None, ["Math", "Knowledge"])]
    # benchmarks by name (judgebench, llmbar), each one's categories in its own order
    assert row_categories(rows) == ["Knowledge", "Math", "Natural", "Neighbor"]


def test_empty_italic_cell_stays_empty() -> None:
    md = to_markdown([{"a": "x", "b": ""}], [Col("a", "A", None), Col("b", "B", None)], italic_rows={0})
    assert md.splitlines()[2] == "| *x* |  |"


def _result(label: Decision, shown: list[Decision]) -> ItemResult:
    pair = Pair("p", "q", "a", "b", label)
    return ItemResult.of_pair(pair, "j", "m", tuple(Judgment(d, game=i) for i, d in enumerate(shown, start=1)))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("shown", "vote", "average", "first"),
    [
        ([A, A], "tie", "partial", "correct"),  # game 2 shown A = original B: one right, one wrong
        ([A, T], "correct", "partial", "correct"),  # +1 + 0 under vote; views 1 and 0 -> 1/2 under average
        ([A, B], "correct", "correct", "correct"),
        ([B, A], "incorrect", "incorrect", "incorrect"),
        ([T, T], "tie", "tie", "tie"),
    ],
)
def test_pair_outcome_under_each_rule(shown: list[Decision], vote: str, average: str, first: str) -> None:
    r = _result(A, shown)
    assert (pair_outcome(r, "vote"), pair_outcome(r, "average"), pair_outcome(r, "first")) == (vote, average, first)


def test_accuracy_figure_labels_benchmarks_and_names_their_rules() -> None:
    rows = [dict(_row("a", "vote", 60.0, "judgebench", []), ci_low=50.0, ci_high=70.0), dict(_row("b", "average", 80.0, "llmbar", []), response_model="", ci_low=70.0, ci_high=90.0)]
    assert rules_text(rows) == "rules: judgebench vote; llmbar average"
    assert rules_text(rows[:1]) == "vote rule"
    fig = accuracy_figure(rows)
    # one panel per (benchmark, pair set), titled with both; the axis label names each benchmark's rule
    assert [ax.get_title() for ax in fig.axes] == ["judgebench, pairs: rm", "llmbar"]
    assert "rules: judgebench vote; llmbar average" in " ".join(ax.get_xlabel() for ax in fig.axes).replace("\n", " ")
