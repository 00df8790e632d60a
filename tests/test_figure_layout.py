"""Figures ready for a paper (issue 16): every text inside the saved canvas (PNG, PDF, SVG; one column and one page
wide; long names, 17 runs, several pair sets), names from reports.names (never cut, distinct), one panel per pair
set, Okabe-Ito colours that do not repeat for distinct groups, ``plot --size/--names``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from judgebench.reports.plot_style import HATCHES, MARKERS, PALETTE, SIZES, group_style
from judgebench.reports.plots import DPI, make_figure, save_figure

from .conftest import run_cli
from .test_plots_data import RESULTS, estimate

SOURCES = ("gpt-4o-2024-05-13", "claude-3-5-sonnet-20240620", "gemini-1.5-pro-002")
LONG = "hf:SomeOrganisation/judge-8b-instruct-preference-tuned-v{}-with-a-very-long-name"


def _run(k: int, source: str, benchmark: str = "judgebench") -> dict:
    v = 40.0 + k
    row = {"judge": "arena_hard", "model": LONG.format(k), "response_model": source, "benchmark": benchmark, "origin": "run", "rule": "vote", "n": 100}
    row.update(categories=["Knowledge", "Reasoning"], knowledge=v, reasoning=v + 1, overall=v, ci_low=v - 4, ci_high=v + 4, consistency=60.0 + k)
    return row


# 17 runs with long names that share their first 40 characters, on three pair sets of two benchmarks, + baselines
MANY = [_run(k, SOURCES[k % 3], "llmbar" if k % 3 == 2 else "judgebench") for k in range(17)]
MANY += [{"judge": "random choice (expected)", "origin": "baseline", "overall": 50.0, "response_model": s, "benchmark": "llmbar" if i == 2 else "judgebench"} for i, s in enumerate(SOURCES)]
RUNS = [(f"run {k} " + "with a long display name " * 2, RESULTS) for k in range(17)]
RUN_FACETS = [f"pair set {k % 3}" for k in range(17)]
AGREEMENT = [
    {"judge": {"rater": "arena_hard:" + LONG.format(k)}, "measures": [estimate("human vs majority of other humans", 0.8, 0.7, 1.0), estimate("judge vs majority of the same humans", 0.6, 0.5, 1.0)]}
    for k in range(6)
]


def _figure(kind: str, size: str):  # type: ignore[no-untyped-def]
    return make_figure(kind, MANY, RUNS, agreement=AGREEMENT, size=size, run_facets=RUN_FACETS)


def _outside(fig, fmt: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Texts whose extent leaves the canvas, and y tick labels of one panel that overlap each other, in the figure
    as just saved in ``fmt``, laid out again at that format's resolution (200 dpi for a PNG, 72 for PDF and SVG):
    some positions are kept in pixels from the last drawing, so the measure must be taken at the same one."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    canvas_agg = FigureCanvasAgg(fig)
    fig.set_dpi(DPI if fmt == "png" else 72)
    canvas_agg.draw()
    renderer = canvas_agg.get_renderer()
    canvas = fig.bbox
    bad = []
    hidden = set()  # tick labels of ticks outside the view limits are not drawn
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not lo - 1e-9 <= tick.get_loc() <= hi + 1e-9:
                    hidden |= {id(tick.label1), id(tick.label2)}
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and id(t) not in hidden]
    assert len(texts) > 5
    for t in texts:
        e = t.get_window_extent(renderer)
        if e.x0 < canvas.x0 - 0.5 or e.y0 < canvas.y0 - 0.5 or e.x1 > canvas.x1 + 0.5 or e.y1 > canvas.y1 + 0.5:
            bad.append(f"{t.get_text()!r} at {e.extents} outside {canvas.extents}")
    for ax in fig.axes:
        ext = sorted((t.get_window_extent(renderer) for t in ax.get_yticklabels() if t.get_visible() and t.get_text()), key=lambda b: b.y0)
        bad += [f"overlapping y labels in {ax.get_title()!r}" for a, b in zip(ext, ext[1:], strict=False) if a.y1 > b.y0 + 0.5]
    return bad


@pytest.mark.filterwarnings("error")  # e.g. "constrained_layout not applied": a layout that did not fit fails
@pytest.mark.parametrize("size", ["column", "page"])
@pytest.mark.parametrize("kind", ["accuracy", "heatmap", "consistency", "length", "agreement"])
def test_every_text_inside_the_saved_canvas(kind: str, size: str, tmp_path: Path) -> None:
    from PIL import Image

    fig = _figure(kind, size)
    width = SIZES[size]
    for fmt in ("png", "pdf", "svg"):
        path = save_figure(fig, tmp_path / f"f.{fmt}")
        assert not (outside := _outside(fig, fmt)), (fmt, outside)
        h = fig.get_size_inches()[1]
        if fmt == "png":
            with Image.open(path) as im:
                assert im.size[0] == round(width * DPI) and abs(im.size[1] - h * DPI) <= 1  # the width exactly
        elif fmt == "pdf":
            box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)", path.read_bytes())
            assert box and float(box[1]) == pytest.approx(width * 72) and float(box[2]) == pytest.approx(h * 72)
        else:
            assert re.search(rf'width="{width * 72:g}pt"', path.read_text())
    assert "…" not in "".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))  # no name cut


def test_names_distinct_and_whole_in_the_figure() -> None:
    # three models whose names once all showed as "arena_hard: judge-8b-..."
    fig = make_figure("accuracy", MANY)
    shown = {t.get_text().replace("\n", " ").replace("- ", "-") for ax in fig.axes for t in ax.get_yticklabels()}
    assert {f"arena_hard (judge-8b-instruct-preference-tuned-v{k}-with-a-very-long-name)" for k in range(17)} == shown


def test_one_panel_per_pair_set_and_benchmark() -> None:
    for kind in ("accuracy", "heatmap", "consistency"):
        fig = make_figure(kind, MANY)
        titles = [ax.get_title().replace("\n", " ") for ax in fig.axes if ax.get_title()]
        assert titles == ["judgebench, pairs: gpt-4o", "judgebench, pairs: claude-3-5-sonnet", "llmbar, pairs: gemini-1.5-pro-002"], kind
    fig = make_figure("accuracy", MANY)
    for ax, first in zip(fig.axes, range(3), strict=True):  # runs k = first, first + 3, ... in that panel only
        shown = sorted(int(re.search(r"v(\d+)-", t.get_text().replace("\n", ""))[1]) for t in ax.get_yticklabels())  # type: ignore[index]
        assert shown == list(range(first, 17, 3))
    length = make_figure("length", [], RUNS, run_facets=RUN_FACETS)
    assert [ax.get_title() for ax in length.axes] == ["pair set 0", "pair set 1", "pair set 2"]


def test_one_pair_set_one_untitled_panel() -> None:
    fig = make_figure("accuracy", [r for r in MANY if r["response_model"] == SOURCES[0]])
    assert len(fig.axes) == 1 and fig.axes[0].get_title() == ""


def test_group_styles_okabe_ito_and_distinct() -> None:
    assert PALETTE == ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")  # Okabe & Ito 2008
    styles = [group_style(k) for k in range(20)]
    assert [s.color for s in styles[:8]] == list(PALETTE) and styles[8].color == PALETTE[0]
    assert len({(s.color, s.hatch) for s in styles}) == 20 and len({(s.color, s.marker) for s in styles}) == 20
    assert {s.hatch for s in styles[:8]} == {HATCHES[0]} and set(MARKERS) >= {s.marker for s in styles}


def test_figures_draw_distinct_groups_in_distinct_palette_styles() -> None:
    from matplotlib.colors import to_hex

    # 10 pair sets: beyond the 8 colours the bars get a hatch, so no two panels look alike
    rows = [_run(k, f"model-{k}") for k in range(10)]
    fig = make_figure("accuracy", rows)
    looks = [(to_hex(ax.patches[0].get_facecolor()).upper(), ax.patches[0].get_hatch() or "") for ax in fig.axes]
    assert len(set(looks)) == 10 and {c for c, _ in looks} <= {p.upper() for p in PALETTE}
    assert looks[8] == (PALETTE[0].upper(), HATCHES[1])
    # 17 runs in the consistency plot: each a distinct (colour, marker), colours from the palette
    fig = make_figure("consistency", MANY)
    points = [(to_hex(line.get_color()).upper(), line.get_marker()) for ax in fig.axes for line in ax.lines if line.get_marker() in MARKERS]  # not the CI caps
    assert len(points) == 17 and len(set(points)) == 17 and {c for c, _ in points} <= {p.upper() for p in PALETTE}


def test_unknown_size_is_an_input_error() -> None:
    from judgebench.errors import InputError

    with pytest.raises(InputError, match="unknown figure size 'a4'"):
        make_figure("accuracy", MANY, size="a4")


def test_plot_cli_size_and_names(tmp_path: Path) -> None:
    import csv as csv_module

    csv = tmp_path / "leaderboard.csv"
    with csv.open("w", newline="") as f:
        fields = ["judge", "model", "response_model", "benchmark", "overall", "ci_low", "ci_high", "categories", "knowledge", "reasoning"]
        w = csv_module.DictWriter(f, fields, extrasaction="ignore")
        w.writeheader()
        w.writerows({**r, "categories": ";".join(r["categories"])} for r in MANY if r["origin"] == "run")
    names = tmp_path / "names.json"
    names.write_text(json.dumps({"models": {LONG.format(3): "Judge-8B v3"}, "judges": {"arena_hard": "Arena-Hard"}}))
    proc = run_cli("plot", "accuracy", str(csv), "--size", "page", "--names", str(names), "-o", str(tmp_path / "a.svg"))
    assert proc.returncode == 0, proc.stderr
    svg = (tmp_path / "a.svg").read_text()
    assert 'width="504pt"' in svg and "Arena-Hard (Judge-8B v3)" in svg  # SVG keeps text as text (svg.fonttype none)
    bad = run_cli("plot", "accuracy", str(csv), "--names", str(tmp_path / "missing.yaml"), "-o", str(tmp_path / "b.png"))
    assert bad.returncode == 2 and "missing.yaml" in bad.stderr and not (tmp_path / "b.png").exists()
    assert run_cli("plot", "accuracy", str(csv), "--size", "a4", "-o", str(tmp_path / "c.png")).returncode == 2
