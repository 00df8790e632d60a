"""Tables: escaping, Markdown/LaTeX/CSV rendering, bold and dagger marks, and LaTeX that compiles (more on the LaTeX
that fits a two-column paper in test_latex_fit.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from judgebench.reports.tables import (
    Column,
    best_cells,
    format_cell,
    latex_escape,
    latex_table_problems,
    pick_columns,
    render_leaderboard,
    to_latex,
    to_markdown,
)

from .latex_paper import assert_fits

NASTY = "a\\b & 50% $x$ #1 under_score {brace} ~tilde ^hat <lt> |bar| – —"


def _row(judge: str, overall: float | None, **kw: object) -> dict:
    row = {"judge": judge, "model": "m", "response_model": "gpt-4o", "n": 10, "categories": ["Knowledge", "Math"], "knowledge": overall, "math": 50.0}
    row.update(overall=overall, ci="1.0–2.0", consistency=90.0, no_decision=0.0, origin="run")
    row.update(kw)
    return row


ROWS = [
    _row("best", 70.0, tied_with_best=False, best=True),
    _row(NASTY, 65.0, tied_with_best=True, sig_test="McNemar exact", p_vs_best=0.3),
    _row("worse", 40.0, no_decision=5.0, sig_test="McNemar exact", p_vs_best=0.001),
    _row("random choice (expected)", 50.0, origin="baseline", ci=None, consistency=None, no_decision=None),
]


def test_latex_escape_specials_become_commands() -> None:
    out = latex_escape(NASTY)
    for raw in ("&", "%", "$", "#", "_", "{", "}"):
        assert f"\\{raw}" in out
    assert "\\textbackslash{}" in out and "\\textasciitilde{}" in out and "\\textasciicircum{}" in out
    assert "\\textless{}" in out and "\\textgreater{}" in out and "\\textbar{}" in out
    assert "–" not in out and "—" not in out


def test_format_cell_missing_and_nan_show_dash() -> None:
    assert format_cell(None, 1) == "–" and format_cell(float("nan"), 1) == "–"
    assert format_cell(3, 0) == "3" and format_cell(2.345, 1) == "2.3" and format_cell("x", None) == "x"


def test_to_markdown_pipe_escaped_and_marks_applied() -> None:
    md = to_markdown([{"a": "x|y", "b": 1.0}, {"a": "z", "b": 2.0}], [Column("a", "A", None), Column("b", "B")], bold={"b": {1}}, dagger_rows={0}, italic_rows={1})
    assert "| x\\|y † | 1.0 |" in md
    assert "| *z* | ***2.0*** |" in md


def test_best_cells_higher_better_nodecision_lower_baseline_ignored() -> None:
    cols = pick_columns(ROWS, None)
    bold = best_cells(ROWS, cols)
    assert bold["overall"] == {0}
    # 0.0 no-decision is shared by 2 of the 3 runs: a mark that most rows share distinguishes nothing
    assert "no_decision" not in bold
    assert "n" not in bold and "ci" not in bold
    assert 3 not in set().union(*bold.values())  # the baseline row is never best
    rows = [*ROWS[:2], _row("third", 30.0, no_decision=1.0), _row("fourth", 20.0, no_decision=2.0)]
    rows[1] = dict(rows[1], no_decision=0.5)
    assert best_cells(rows, cols)["no_decision"] == {0}  # lowest wins: no-decision is lower-is-better


def test_best_cells_single_run_marks_nothing() -> None:
    assert best_cells([ROWS[0], ROWS[3]], pick_columns(ROWS, None)) == {}


def test_pick_columns_unknown_name_lists_choices() -> None:
    with pytest.raises(ValueError, match=r"unknown column\(s\) 'nope'.*overall"):
        pick_columns(ROWS, ["judge", "nope"])
    assert [c.key for c in pick_columns(ROWS, ["overall", "judge"])] == ["overall", "judge"]


def test_latex_table_problems_finds_each_kind_of_breakage() -> None:
    good = to_latex(ROWS, pick_columns(ROWS, None))
    assert latex_table_problems(good) == []
    assert any("1 unclosed" in p for p in latex_table_problems(good.replace("\\centering", "\\centering{", 1)))
    assert latex_table_problems(good.replace("\\centering", "\\centering\\{", 1)) == []  # an escaped brace is text
    assert any("missing \\bottomrule" in p for p in latex_table_problems(good.replace("\\bottomrule", "")))
    broken_row = good.replace(" \\\\\n", " & extra \\\\\n", 2)
    assert any("cells" in p for p in latex_table_problems(broken_row))
    assert any("never opened" in p for p in latex_table_problems(good.replace("\\centering", "\\centering}")))
    assert latex_table_problems("no table here") == ["no tabular environment"]


@pytest.mark.parametrize("columns", [None, ["judge", "overall", "ci"], ["overall", "judge", "p_vs_best", "sig_test", "consistency"]])
def test_render_leaderboard_latex_structure_matches_spec(columns: list[str] | None) -> None:
    tex = render_leaderboard(ROWS, "latex", columns=columns)
    assert latex_table_problems(tex) == []
    assert tex.count("\\toprule") == 1 and tex.count("\\bottomrule") == 1
    assert "\\textbf{70.0}" in tex
    assert "$^\\dagger$" in tex and "McNemar exact" in tex.split("\\caption")[1]
    assert "\\textit{random choice (expected)}" in tex


def test_render_leaderboard_groups_make_one_table_each() -> None:
    rows = [dict(r, group="gpt-4o") for r in ROWS] + [dict(_row("other", 55.0), group="claude", response_model="claude")]
    tex = render_leaderboard(rows, "latex")
    assert tex.count("\\begin{table}") == 2 and tex.count("\\end{table}") == 2 and latex_table_problems(tex) == []
    # one label per table, from its benchmark and group (not a counter)
    labels = [line for line in tex.splitlines() if line.startswith("\\label{tab:judgebench-judgebench-")]
    assert len(set(labels)) == 2
    md = render_leaderboard(rows, "md")
    assert "### Pairs from gpt-4o" in md and "### Pairs from claude" in md


def test_render_leaderboard_csv_keeps_every_plot_field() -> None:
    csv_text = render_leaderboard([dict(r, ci_low=1.0, ci_high=2.0, group=None) for r in ROWS], "csv")
    header = csv_text.splitlines()[0].split(",")
    for key in ("judge", "overall", "ci_low", "ci_high", "consistency", "knowledge", "math", "categories", "origin", "tied_with_best", "p_vs_best"):
        assert key in header
    assert "Knowledge;Math" in csv_text


def test_render_leaderboard_unknown_format_raises() -> None:
    with pytest.raises(ValueError, match="unknown format 'html'"):
        render_leaderboard(ROWS, "html")


def test_latex_with_special_characters_compiles_and_fits(tmp_path: Path) -> None:
    tex = render_leaderboard([dict(r, group="pairs_from & 100%") for r in ROWS], "latex")
    assert latex_table_problems(tex) == []
    assert_fits(tex, tmp_path)  # no error, no overfull box, no missing glyph, in a two-column paper


def test_row_categories_follow_the_named_benchmark_else_each_rows_order() -> None:
    from judgebench.reports.tables import row_categories

    # rows of a JudgeBench run and of a released file (which names no benchmark): JudgeBench's order
    rows = [{"categories": ["Math", "Coding"], "benchmark": "judgebench"}, {"categories": ["Knowledge", "gsm8k"]}]
    assert row_categories(rows) == ["Knowledge", "Math", "Coding", "gsm8k"]
    # no benchmark named: each row's own order is kept (Adversarial after Natural, Extra after Adversarial)
    assert row_categories([{"categories": ["Natural", "Adversarial"]}, {"categories": ["Adversarial", "Extra"]}]) == ["Natural", "Adversarial", "Extra"]
    assert row_categories([{"categories": ["b", "a"]}, {"categories": ["c", "a"]}]) == ["b", "c", "a"]
    # rows that list none (read back from an older CSV): the fallback benchmark's (JudgeBench's) categories
    assert row_categories([{"overall": 50.0}]) == ["Knowledge", "Reasoning", "Math", "Coding"]


# rows tested against the best with none of them tied: no † in the table, so no note explaining †
UNTIED = [
    _row("best", 70.0, tied_with_best=False, best=True),
    _row("second", 60.0, tied_with_best=False, sig_test="McNemar exact", p_vs_best=0.01),
    _row("worse", 40.0, tied_with_best=False, sig_test="McNemar exact", p_vs_best=0.001),
]


def test_the_dagger_note_explains_the_dagger_only_when_a_row_carries_it() -> None:
    md = render_leaderboard(ROWS, "md")
    assert " † |" in md and "† Not significantly different from the best Overall (two-sided McNemar exact test" in md
    md = render_leaderboard(UNTIED, "md")
    assert " † |" not in md and "Not significantly different" not in md
    assert "No run is marked †: every run tested differs significantly from the best Overall (two-sided McNemar exact test on per-pair correctness, on the pairs both runs judged, p < 0.05)." in md
    caption = render_leaderboard(UNTIED, "latex").split("\\caption")[1]
    assert "$^\\dagger$" not in caption and "No run is marked with a dagger" in caption and "$p < 0.05$" in caption
    assert "$^\\dagger$\\,not significantly different" in render_leaderboard(ROWS, "latex").split("\\caption")[1]
    # nothing tested: no note at all
    plain = render_leaderboard([dict(r, sig_test=None, tied_with_best=False) for r in ROWS], "md")
    assert "significantly" not in plain and "†" not in plain
