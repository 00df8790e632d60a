"""Figures: one column wide, no text under 7 pt, nothing clipped; the length-bias numbers; agreement input; CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from judgebench.errors import InputError
from judgebench.reports.plots import (
    FIG_WIDTH_IN,
    MIN_FONT_PT,
    make_figure,
    read_leaderboard_csv,
    save_figure,
    unique_labels,
)
from judgebench.reports.plots_judgments import agreement_points, length_bias
from judgebench.reports.tables import render_leaderboard
from judgebench.schema import Decision

from .conftest import make_pair, run_cli, write_jsonl
from .test_plots_data import RESULTS
from .test_plots_data import estimate as _estimate

A, B, T, N = Decision.A_BETTER, Decision.B_BETTER, Decision.TIE, Decision.NONE


def _row(judge: str, model: str, overall: float, consistency: float | None, rm: str = "gpt-4o-2024-05-13", **kw: object) -> dict:
    row = {"judge": judge, "model": model, "response_model": rm, "origin": "run", "rule": "vote", "n": 350, "categories": ["Knowledge", "Reasoning", "Math", "Coding"]}
    row.update(knowledge=overall - 3, reasoning=overall + 2, math=overall + 10, coding=overall - 8, overall=overall, ci_low=overall - 5, ci_high=overall + 5, consistency=consistency, no_decision=0.0)
    row.update(kw)
    return row


ROWS = [
    _row("arena_hard", "o1-mini-2024-09-12", 65.7, 68.6),
    _row("reward_model", "Skywork/Skywork-Reward-Llama-3.1-8B-v0.2-extra-long-name", 62.3, 99.7),
    _row("longer", "none", 46.0, 100.0),
    _row("longer", "none", 43.7, 100.0, rm="claude-3-5-sonnet-20240620"),
    _row("reward_model", "rm", 55.0, None, games=1),
    {"judge": "random choice (expected)", "origin": "baseline", "overall": 50.0, "categories": ["Knowledge"], "knowledge": 50.0, "response_model": "gpt-4o-2024-05-13"},
]


def _check_readable(fig) -> None:  # type: ignore[no-untyped-def]
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()
    assert fig.get_size_inches()[0] == pytest.approx(FIG_WIDTH_IN)
    texts = [t for t in fig.findobj(lambda a: hasattr(a, "get_fontsize") and hasattr(a, "get_text")) if t.get_visible() and t.get_text().strip()]
    assert texts
    small = [(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() < MIN_FONT_PT]
    assert not small, f"text under {MIN_FONT_PT} pt: {small}"
    tight = fig.get_tightbbox(renderer)  # everything drawn, in inches
    w, h = fig.get_size_inches()
    assert tight.x0 >= -0.01 and tight.y0 >= -0.01 and tight.x1 <= w + 0.01 and tight.y1 <= h + 0.01, f"clipped: {tight.extents} vs {w}x{h}"


@pytest.mark.parametrize("kind", ["accuracy", "heatmap", "consistency", "length"])
def test_figure_one_column_min_7pt_nothing_clipped(kind: str) -> None:
    _check_readable(make_figure(kind, ROWS, [("judge one", RESULTS), ("judge two", RESULTS[:2])]))


def test_accuracy_figure_two_pair_sets_two_panels() -> None:
    # ROWS: three runs on the gpt-4o pairs, one on the claude pairs (the 1-game reward_model run is also gpt-4o)
    fig = make_figure("accuracy", ROWS)
    axes = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title().replace("\n", " ") for ax in axes] == ["judgebench, pairs: gpt-4o", "judgebench, pairs: claude-3-5-sonnet"]  # wrapped, not cut
    # top to bottom (by the ticks' y): the rows' order; names from reports.names, unwrapped here, no pair tag
    ticks = [[t.get_text().replace("\n", " ").replace("- ", "-") for _, t in sorted(zip(ax.get_yticks(), ax.get_yticklabels(), strict=True), key=lambda x: -x[0])] for ax in axes]
    assert ticks[1] == ["longer"]
    assert ticks[0] == ["arena_hard (o1-mini)", "reward_model (Skywork-Reward-Llama-3.1-8B-v0.2-extra-long-name)", "longer", "reward_model (rm)"]


def test_length_bias_shares_by_hand() -> None:
    lb = length_bias([("j", RESULTS)], bins=2)
    # distinct unequal pairs have differences 10, 10, 100, 100 -> quantile edges 10, 55, 100
    assert lb.edges == pytest.approx((10.0, 55.0, 100.0))
    share, counts = lb.runs["j"]
    # bin 0 (p1, p2): p1 two longer-choices, p2 one of two -> 3/4; bin 1 (p3 none, p4 two of two) -> 2/2
    assert counts == (4, 2) and share == pytest.approx((75.0, 100.0))
    # label curve: longer is correct in p1 (A longer, A>B), not p2 (B longer, A>B); p3 no (A longer, B>A), p4 yes
    assert lb.label[0] == pytest.approx((50.0, 50.0)) and lb.label[1] == (2, 2)


def test_length_bias_no_unequal_pairs_is_an_error() -> None:
    with pytest.raises(InputError, match="different lengths"):
        length_bias([("j", [RESULTS[-1]])])


def test_unique_labels_disambiguate_by_pair_source() -> None:
    labels = unique_labels(ROWS[:4])
    assert labels[0] == "arena_hard (o1-mini)"  # the date suffix dropped (reports.names defaults)
    assert labels[1] == "reward_model (Skywork-Reward-Llama-3.1-8B-v0.2-extra-long-name)"  # never cut
    assert labels[2] == "longer [gpt-4o]" and labels[3] == "longer [claude-3-5-sonnet]"


def test_heatmap_without_runs_is_an_error() -> None:
    with pytest.raises(InputError, match="no run"):
        make_figure("heatmap", [ROWS[-1]])


def test_consistency_plot_skips_single_game_runs() -> None:
    with pytest.raises(InputError, match="no two-game run"):
        make_figure("consistency", [ROWS[4]])


def test_read_leaderboard_csv_roundtrip(tmp_path: Path) -> None:
    path = tmp_path / "leaderboard.csv"
    path.write_text(render_leaderboard([r for r in ROWS if r["origin"] == "run"], "csv"))
    rows = read_leaderboard_csv(path)
    assert [r["overall"] for r in rows] == [r["overall"] for r in ROWS if r["origin"] == "run"]
    assert rows[0]["categories"] == ["Knowledge", "Reasoning", "Math", "Coding"] and rows[0]["math"] == pytest.approx(75.7)
    assert rows[4]["consistency"] is None
    _check_readable(make_figure("accuracy", rows))


def test_read_leaderboard_csv_wrong_file_exit_message(tmp_path: Path) -> None:
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="not a leaderboard CSV"):
        read_leaderboard_csv(bad)


def test_agreement_points_prefers_human_baseline() -> None:
    data = {
        "judge": {"path": "results/x/arena_hard/gpt", "rater": "arena_hard:gpt"},
        "measures": [
            _estimate("accuracy", 0.7),
            _estimate("human vs majority of other humans", 0.8, 0.7, 0.9),
            _estimate("judge vs majority of the same humans", 0.6, 0.5, 0.7),
        ],
    }
    ((name, judge, human),) = agreement_points(data)
    assert name == "arena_hard:gpt" and judge == (0.6, 0.5, 0.7) and human == (0.8, 0.7, 0.9)
    ((_, judge, human),) = agreement_points(data, "accuracy")
    assert judge[0] == 0.7 and human is None


def test_agreement_points_undefined_or_missing_measure_is_clear() -> None:
    data = {"judge": "j", "measures": [_estimate("Cohen's kappa", None)]}
    with pytest.raises(InputError, match="undefined value \\(one class only\\)"):
        agreement_points(data, "Cohen's kappa")
    with pytest.raises(InputError, match="no measure named 'nope'"):
        agreement_points(data, "nope")
    with pytest.raises(InputError, match="list of measure objects"):
        agreement_points({"measures": 3})


def test_agreement_figure_from_agree_cli_json(tmp_path: Path) -> None:
    pairs = [make_pair(i, "A>B" if i % 3 else "B>A") for i in range(12)]
    write_jsonl(tmp_path / "pairs.jsonl", pairs)
    # three humans: h0 and h1 agree with the label, h2 flips every fourth pair
    flip = {"A>B": "B>A", "B>A": "A>B"}
    lines = ["item,rater,label"] + [f"{p['pair_id']},h{h},{flip[p['label']] if h == 2 and i % 4 == 0 else p['label']}" for i, p in enumerate(pairs) for h in range(3)]
    (tmp_path / "human.csv").write_text("\n".join(lines) + "\n")
    assert run_cli("bench", "--judge", "longer", "--data", str(tmp_path / "pairs.jsonl"), "--results-dir", str(tmp_path / "r"), "--no-progress").returncode == 0
    judge = next((tmp_path / "r").rglob("metrics.json")).parent
    agree = run_cli("agree", "--human", str(tmp_path / "human.csv"), "--judge", str(judge), "--json", "--resamples", "200")
    assert agree.returncode == 0, agree.stderr
    (tmp_path / "agree.json").write_text(agree.stdout)
    ((_, judge_est, human_est),) = agreement_points(json.loads(agree.stdout))
    assert human_est is not None
    proc = run_cli("plot", "agreement", str(tmp_path / "agree.json"), "-o", str(tmp_path / "agree.pdf"))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "agree.pdf").read_bytes()[:5] == b"%PDF-"


def test_save_figure_png_size_and_formats(tmp_path: Path) -> None:
    from PIL import Image

    fig = make_figure("accuracy", ROWS)
    png = save_figure(fig, tmp_path / "a.png")
    with Image.open(png) as im:
        assert im.size[0] == round(FIG_WIDTH_IN * 200)
    assert save_figure(fig, tmp_path / "a.pdf").read_bytes()[:5] == b"%PDF-"
    assert (png.stat().st_mode & 0o777) != 0o600  # shareable, not owner-only
    with pytest.raises(InputError, match="unknown figure format 'jpg'"):
        save_figure(fig, tmp_path / "a.jpg")


def test_plot_cli_all_and_errors(pairs_file: Path, tmp_path: Path) -> None:
    for judge in ("longer", "random"):
        assert run_cli("bench", "--judge", judge, "--data", str(pairs_file), "--results-dir", str(tmp_path / "r"), "--no-progress").returncode == 0
    proc = run_cli("plot", "all", str(tmp_path / "r"), "--baseline", "-o", str(tmp_path / "figs"))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == sorted(f"{k}.{e}" for k in ("accuracy", "heatmap", "consistency", "length") for e in ("png", "pdf"))
    assert run_cli("leaderboard", str(tmp_path / "r"), "--write").returncode == 0
    from_csv = run_cli("plot", "heatmap", str(tmp_path / "r" / "leaderboard.csv"), "-o", str(tmp_path / "h.png"))
    assert from_csv.returncode == 0, from_csv.stderr
    no_judgments = run_cli("plot", "length", str(tmp_path / "r" / "leaderboard.csv"), "-o", str(tmp_path / "l.png"))
    assert no_judgments.returncode == 2 and "needs judgments" in no_judgments.stderr
    assert not (tmp_path / "l.png").exists()


def test_plots_module_imports_no_matplotlib() -> None:
    code = "import sys, judgebench.reports.plots, judgebench.reports.plots_judgments, judgebench.reports.html, judgebench.commands.plot, judgebench.commands.report; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_plot_keeps_one_benchmark_per_figure_when_asked(tmp_path: Path) -> None:
    """`plot --benchmark NAME`: only that benchmark's runs (one benchmark per figure, sized for a paper); a name with
    no run is an error naming it (exit 2)."""
    from .conftest import make_pair, run_cli, write_jsonl

    for bench, n in (("pairs_a", 6), ("pairs_b", 8)):
        data = write_jsonl(tmp_path / f"{bench}.jsonl", [make_pair(i, "A>B" if i % 2 else "B>A") for i in range(n)])
        assert run_cli("bench", "--data", str(data), "--judge", "longer", "--results-dir", str(tmp_path / "r"), "--no-progress").returncode == 0
    proc = run_cli("plot", "accuracy", str(tmp_path / "r"), "-o", str(tmp_path / "a.png"), "--benchmark", "judgebench")
    assert proc.returncode == 0 and (tmp_path / "a.png").is_file(), proc.stderr
    proc = run_cli("plot", "accuracy", str(tmp_path / "r"), "-o", str(tmp_path / "b.png"), "--benchmark", "nosuch")
    assert proc.returncode == 2 and "no run of nosuch" in proc.stderr and not (tmp_path / "b.png").exists()


def test_labels_mark_partial_runs_and_runs_with_failures() -> None:
    # a review: a run with 36 of 80 judgments and a --limit run were drawn as ordinary bars
    rows = [
        {"judge": "vanilla", "model": "openai:x", "response_model": "gpt-4o", "overall": 70.0, "failed": 44, "judged": "36/80"},
        {"judge": "arena_hard", "model": "openai:x", "response_model": "gpt-4o", "overall": 60.0, "partial": True, "failed": 0, "judged": "10/10"},
        {"judge": "longer", "model": "none", "response_model": "gpt-4o", "overall": 50.0, "failed": 0, "judged": "80/80"},
    ]
    assert unique_labels(rows) == ["vanilla (x) (36/80 judged)", "arena_hard (x) ‡", "longer"]
