"""The HTML report: self-contained, script-safe data, no secrets, outcomes by the JudgeBench vote, CLI."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from judgebench.reports.html import pair_outcome, report_data, script_json
from judgebench.reports.leaderboard import leaderboard, load_runs
from judgebench.schema import Decision, ItemResult, Judgment, Pair

from .conftest import CANARY_KEY, make_pair, run_cli, write_jsonl

A, B, T, N = Decision.A_BETTER, Decision.B_BETTER, Decision.TIE, Decision.NONE
XSS = "</script><script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\"> & <!-- --> \u2028"


def result(label: Decision, shown: list[Decision]) -> ItemResult:
    pair = Pair("p", "q", "a", "b", label)
    return ItemResult.of_pair(pair, "j", "m", tuple(Judgment(d, game=i) for i, d in enumerate(shown, start=1)))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("label", "shown", "expected"),
    [
        (A, [A, B], "correct"),  # both games pick A in the original frame: +2
        (A, [A, T], "correct"),  # +1 + 0
        (A, [A, A], "tie"),  # game 2 shown A = original B: +1 - 1
        (A, [B, A], "incorrect"),  # -2
        (A, [N, N], "tie"),
        (B, [N, B], "incorrect"),  # game 2 shown B = original A, the opposite of the label: -1
        (T, [T, T], "correct"),  # a tie label has no opposite: matches count
        (A, [B], "incorrect"),  # single game
    ],
)
def test_pair_outcome_follows_vote(label: Decision, shown: list[Decision], expected: str) -> None:
    assert pair_outcome(result(label, shown)) == expected


def test_script_json_cannot_close_script_and_roundtrips() -> None:
    text = script_json({"x": XSS})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"x": XSS}


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


@pytest.fixture
def hostile_results(tmp_path: Path) -> Path:
    """Two baseline runs over pairs whose text carries HTML/script payloads and the canary API key."""
    rows = [make_pair(i, "A>B" if i % 2 else "B>A", question=f"{XSS} question {i} key={CANARY_KEY}") for i in range(8)]
    rows[0]["response_A"] = XSS + " " + CANARY_KEY
    write_jsonl(tmp_path / "pairs.jsonl", rows)
    for judge in ("longer", "random"):
        proc = run_cli("bench", "--judge", judge, "--data", str(tmp_path / "pairs.jsonl"), "--results-dir", str(tmp_path / "r"), "--no-progress")
        assert proc.returncode == 0, proc.stderr
    return tmp_path / "r"


def test_report_cli_self_contained_safe_and_redacted(hostile_results: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    proc = run_cli("report", str(hostile_results), "--baseline", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    html = out.read_text(encoding="utf-8")
    assert CANARY_KEY not in html and "[REDACTED]" in html
    assert "<script>window.__pwned" not in html and "<img src=x" not in html
    parser = _Collect()
    parser.feed(html)
    tags = parser.tags
    assert not [t for t, a in tags if t in ("link", "iframe", "object", "embed")]
    assert all("src" not in a for t, a in tags if t == "script")  # inline scripts only
    assert all((a.get("src") or "").startswith("data:image/png;base64,") for t, a in tags if t == "img")
    figures_part = html.split('<section id="figures">', 1)[1].split("</section>", 1)[0]
    assert figures_part.count("<img ") == 4  # accuracy, heatmap, consistency, length (analysis sections add their own)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert [a.get("type") for t, a in tags if t == "script"] == ["application/json", None]  # the data blob and the code
    data = json.loads(html.split('<script type="application/json" id="jb-data">', 1)[1].split("</script>", 1)[0])
    assert len(data["runs"]) == 2 and len(data["pairs"]) == 8 and len(data["items"]) == 16  # pairs stored once
    assert data["pairs"][0]["question"].startswith(XSS)  # the text survives intact, as data
    assert all(it["outcome"] in ("correct", "incorrect", "tie") and len(it["games"]) == 2 for it in data["items"])


def test_report_data_outcomes_match_scoring(hostile_results: Path) -> None:
    runs = leaderboard(load_runs(hostile_results))
    data = report_data(runs)
    for run_idx, run in enumerate(runs):
        items = [it for it in data["items"] if it["run"] == run_idx]
        # under the vote rule, "correct" is exactly a credit of 1
        assert 100 * sum(it["outcome"] == "correct" for it in items) / len(items) == pytest.approx(run.row["overall"])
        assert sum(bool(it["consistent"]) for it in items) / len(items) * 100 == pytest.approx(run.row["consistency"])


def test_report_cli_missing_folder_exit_2(tmp_path: Path) -> None:
    proc = run_cli("report", str(tmp_path / "nope"), "-o", str(tmp_path / "x.html"))
    assert proc.returncode == 2 and "no such folder" in proc.stderr
    assert not (tmp_path / "x.html").exists()


def test_report_single_run_folder_no_figures(hostile_results: Path, tmp_path: Path) -> None:
    run_folder = next(hostile_results.rglob("metrics.json")).parent
    proc = run_cli("report", str(run_folder), "--no-figures", "-o", str(tmp_path / "one.html"))
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "one.html").read_text()
    assert "<img" not in html and "1 judge runs" in html


def test_report_data_nan_scores_become_null() -> None:
    from judgebench.reports.leaderboard import loaded_run

    pair = Pair("p", "q", "a", "b", A)
    res = ItemResult.of_pair(pair, "reward_model", "rm", (Judgment(A, game=1, scores=(float("nan"), 1.0)),))
    run = loaded_run([res], rule="vote", seed=0, judge="reward_model", model="rm", response_model="", dataset="", path="", origin="run")
    data = report_data([run])
    assert data["items"][0]["games"][0]["scores"] == [None, 1.0]
    assert json.loads(script_json(data))["items"][0]["consistent"] is None  # single game


def test_report_data_reads_views_back_in_python_and_orders_categories_by_benchmark() -> None:
    from judgebench.benchmarks import get_benchmark
    from judgebench.reports.leaderboard import loaded_run

    # one view, shown (B, A) (a random-order run): its "A>B" as shown is "B>A" in the pair's frame, which the page
    # displays as given (it recomputes nothing); label B>A, so the vote credits it -> correct
    swapped = ItemResult.of_pair(Pair("p1", "q", "a", "b", B, source="livecodebench"), "j", "m", (Judgment(A, game=1, view=(1, 0)),))
    plain = ItemResult.of_pair(Pair("p2", "q", "a", "b", A, source="mmlu-pro-law"), "j", "m", (Judgment(A, game=1), Judgment(B, game=2)))
    run = loaded_run([swapped, plain], rule="vote", seed=0, benchmark=get_benchmark("judgebench"), judge="j", model="m", response_model="", dataset="", path="", origin="run")
    data = report_data([run])
    g = data["items"][0]["games"][0]
    assert (g["shown"], g["swapped"], g["decision"], g["original"]) == ("B, A", True, "A>B", "B>A")
    assert data["items"][0]["outcome"] == "correct"
    assert [x["swapped"] for x in data["items"][1]["games"]] == [False, True]
    assert data["categories"] == ["Knowledge", "Coding"]  # JudgeBench's order, not the order first seen


# --- permalinks and the judges' prompts (issue 16) ---------------------------------------------------------------


def _blob(html: str) -> dict:
    return json.loads(html.split('<script type="application/json" id="jb-data">', 1)[1].split("</script>", 1)[0])


def _join(parts: list, pair: dict) -> str:
    """The prompt parts joined back the way the page does it (0, 1, 2: the pair's question, response A, response B)."""
    shared = [pair["question"], pair["A"], pair["B"]]
    return "".join(shared[x] if isinstance(x, int) else x for x in parts)


def test_pair_link_escapes_the_id_in_data_and_markup() -> None:
    from judgebench.reports.html import pair_link, render_report

    from .report_fixtures import ODD_ID, ODD_ID_LINK, report_runs

    assert pair_link(ODD_ID) == ODD_ID_LINK
    assert pair_link("p/1#x?y=z") == "#pair=p%2F1%23x%3Fy%3Dz"  # nothing that ends or splits the fragment stays
    runs = report_runs(2, n_pairs=3)
    html = render_report(runs, figures=False)
    data = _blob(html)
    odd = [p for p in data["pairs"] if p["id"] == ODD_ID]
    assert len(odd) == 1 and odd[0]["link"] == ODD_ID_LINK
    assert {p["link"] for p in data["pairs"] if p["id"] != ODD_ID} == {"#pair=p0", "#pair=p1", "#pair=p2"}
    assert f'"link":"{ODD_ID_LINK}"' in html  # as written in the page
    assert "<id>" not in html and '"quoted"' not in html  # the raw id only as JSON escapes (\u003c, \")
    assert 'id="focus"' in html and "#pair=ID" in html  # the banner the permalink fills, and the note explaining it


def test_prompts_stored_once_as_templates_and_rebuilt_exactly() -> None:
    from .report_fixtures import chat_prompt, report_runs

    runs = report_runs(3, n_pairs=5)  # 3 runs x 6 pairs x 2 orders = 36 prompts, all one judge's template
    data = report_data([r for r in runs if r.row.get("origin") != "baseline"])
    assert len(data["items"]) == 18
    # every prompt is the template with the pair's texts in two orders: game 1 (A, B) and game 2 (B, A); 2 entries
    assert len(data["prompts"]) == 2
    for it in data["items"]:
        pair = data["pairs"][it["pair"]]
        for g in it["games"]:
            entry = data["prompts"][g["prompt"]]
            assert [m["role"] for m in entry["messages"]] == ["system", "user"]
            first, second = (pair["A"], pair["B"]) if g["game"] == 1 else (pair["B"], pair["A"])
            expected = chat_prompt(pair["question"], first, second)
            rebuilt = "\n\n".join(f"[{m['role']}]\n{_join(m['content'], pair)}" for m in entry["messages"])
            assert rebuilt == expected
    assert report_data(runs[:1], prompts=False)["prompts"] == []
    assert all(g["prompt"] is None for it in report_data(runs[:1], prompts=False)["items"] for g in it["games"])


def test_prompt_parts_and_messages() -> None:
    from judgebench.reports.html import SHARED_MIN_CHARS, prompt_messages, prompt_parts

    q, a = "q" * SHARED_MIN_CHARS, "a" * (SHARED_MIN_CHARS + 5)
    assert prompt_parts(f"Q: {q}\nA: {a}{a}!", (q, a, "short")) == ["Q: ", 0, "\nA: ", 1, 1, "!"]
    assert prompt_parts("short is too short to share", (q, a, "short")) == ["short is too short to share"]
    assert prompt_parts("", (q, a, "b")) == []
    assert prompt_messages("[system]\nS\n\n[user]\nU\n\nmore") == [{"role": "system", "content": "S"}, {"role": "user", "content": "U\n\nmore"}]
    assert prompt_messages("plain text prompt\n\n[user]\nx") is None  # not the chat record: shown as text
    assert prompt_messages("") is None


def test_prompt_text_and_secrets_are_escaped_and_redacted() -> None:
    from judgebench.reports.html import render_report
    from judgebench.reports.leaderboard import loaded_run

    pair = Pair("p", "q", "a", "b", A)
    prompt = f"Judge this. {XSS} key={CANARY_KEY}"  # a text prompt (no [role] lines)
    res = ItemResult.of_pair(pair, "j", "m", (Judgment(A, game=1, prompt=prompt), Judgment(B, game=2, prompt="")))
    run = loaded_run([res], rule="vote", seed=0, judge="j", model="m", response_model="", dataset="", path="", origin="run")
    html = render_report([run], figures=False)
    assert CANARY_KEY not in html
    assert "<script>window.__pwned" not in html and "<img src=x" not in html
    data = _blob(html)
    assert data["prompts"] == [{"text": [f"Judge this. {XSS} key=[REDACTED]"]}]
    assert [g["prompt"] for g in data["items"][0]["games"]] == [0, None]  # an empty prompt is none


def test_report_cli_no_prompts_flag(hostile_results: Path, tmp_path: Path) -> None:
    out = tmp_path / "np.html"
    proc = run_cli("report", str(hostile_results), "--no-figures", "--no-prompts", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    data = _blob(out.read_text(encoding="utf-8"))
    assert data["prompts"] == [] and all(g["prompt"] is None for it in data["items"] for g in it["games"])


def test_leaderboard_tables_are_in_scroll_boxes_with_group_label_span() -> None:
    from judgebench.reports.html import render_report

    from .report_fixtures import report_runs

    html = render_report(report_runs(2, n_pairs=3), figures=False)
    parser = _Collect()
    parser.feed(html)
    # every table.lb directly inside a div.scroll (the box that scrolls sideways instead of the page)
    tags = parser.tags
    lb = [i for i, (t, a) in enumerate(tags) if t == "table" and "lb" in (a.get("class") or "").split()]
    assert lb and all(tags[i - 1][0] == "div" and tags[i - 1][1].get("class") == "scroll" for i in lb)


def test_report_names_runs_in_its_tables_and_figures_from_a_names_file(tmp_path: Path) -> None:
    """`report --names`: the leaderboard's judge and model cells and the figures use the display names; the pair
    browser keeps the ids (they are what a results folder says)."""
    from judgebench.reports.html import leaderboard_tables, render_report
    from judgebench.reports.names import Names

    from .report_fixtures import report_runs

    path = tmp_path / "names.yaml"
    path.write_text('judges:\n  vanilla: Vanilla\nmodels:\n  "openai:a-rather-long-model-name-00": Model Zero\n', encoding="utf-8")
    names = Names.load(path)
    runs = report_runs(2)
    tables = leaderboard_tables([r.row for r in runs], None, names)
    cells = [[c["text"] for c in row["cells"]] for row in tables[0]["rows"]]
    assert any("Vanilla" in c for row in cells for c in row) and any("Model Zero" in c for row in cells for c in row)
    assert not any("openai:a-rather-long-model-name-00" in c for row in cells for c in row)
    html = render_report(runs, names=names, figures=False)
    table_part = html.split('<section id="leaderboard">', 1)[1].split("</section>", 1)[0]
    assert "Model Zero" in table_part and "a-rather-long-model-name-01" in table_part  # the other model keeps its default name


def test_a_registered_section_appears_in_the_report_escaped() -> None:
    """reports.sections: an analysis registers a section; the report shows its tables, notes and figures, with
    every text escaped (a hostile cell stays text)."""
    from judgebench.reports import sections
    from judgebench.reports.html import render_report

    from .report_fixtures import report_runs

    @sections.register_section("test-only")
    def _maker(runs, names=None):  # type: ignore[no-untyped-def]
        table = sections.SectionTable(("Node", "Accuracy"), (("<script>x</script>", "50.0"),), title="A tree")
        return sections.ReportSection("test-only", "Test section", (table,), ("a note & more",))

    try:
        html = render_report(report_runs(1), figures=False)
    finally:
        sections._SECTIONS.pop("test-only")
    part = html.split('<section id="test-only" class="extra">', 1)[1].split("</section>", 1)[0]
    assert "<h2>Test section</h2>" in part and "&lt;script&gt;x&lt;/script&gt;" in part and "<script>x" not in part
    assert "a note &amp; more" in part


def test_the_page_explains_the_dagger_only_when_a_row_carries_it() -> None:
    from dataclasses import replace

    from judgebench.reports.html import render_report

    from .report_fixtures import report_runs

    runs = report_runs(3, n_pairs=4)
    tested = [r for r in runs if r.row.get("sig_test")]
    assert tested, "the fixture's runs were not tested against the best: this test checks nothing"
    untied = [replace(r, row=dict(r.row, tied_with_best=False)) for r in runs]
    page = render_report(untied, figures=False)
    assert "No run is marked †: every run tested differs significantly from the best Overall" in page
    assert "Not significantly different" not in page and " †</td>" not in page
    tied = [replace(r, row=dict(r.row, tied_with_best=True)) if r.row.get("sig_test") else r for r in runs]
    page = render_report(tied, figures=False)
    assert "† Not significantly different from the best Overall" in page and " †</td>" in page
