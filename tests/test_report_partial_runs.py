"""The HTML report treats a partial (``--limit``) run as ``leaderboard`` does: marked ‡ with its note in the
leaderboard, never a peer-review candidate (unless ``--include-partial``), and a Pair set column when the runs judged
different pairs (a user review found the report's leaderboard unmarked and its peer-review exam cut down to the 22
pairs the partial run shares with the others)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .conftest import run_cli


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _pairs(path: Path, n: int, word: str) -> Path:
    rows = [
        {"pair_id": f"p{i}", "original_id": i, "source": "mmlu-pro-law", "question": f"{word} question {i}?", "response_model": "m",
         "response_A": f"{word} first answer {i} " * (1 + i % 4), "response_B": f"{word} second answer {i} " * (1 + (i * 7) % 5), "label": "A>B" if i % 2 else "B>A"}
        for i in range(n)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_report_marks_a_partial_run_and_leaves_it_out_of_the_peer_review(tmp_path: Path) -> None:
    data = _pairs(tmp_path / "pairs.jsonl", 30, "main")
    other = _pairs(tmp_path / "other.jsonl", 8, "other")
    res = tmp_path / "res"
    for extra in (["--judge", "longer"], ["--judge", "shorter"], ["--judge", "random"], ["--judge", "longer", "--limit", "22"]):
        proc = run_cli("bench", *extra, "--data", str(data), "--results-dir", str(res), "--no-progress")
        assert proc.returncode == 0, proc.stderr
    assert run_cli("bench", "--judge", "shorter", "--data", str(other), "--results-dir", str(res), "--no-progress").returncode == 0
    page = tmp_path / "page.html"
    proc = run_cli("report", str(res), "-o", str(page), "--no-figures")
    assert proc.returncode == 0, proc.stderr
    html = page.read_text(encoding="utf-8")
    start = html.index('<section id="leaderboard">')
    board = _text(html[start : html.index("</section>", start)])
    assert "Pair set" in board  # two pair sets side by side
    assert re.search(r"longer ‡ none m \S+ 22 ", board), board  # the 22-pair run, marked
    assert board.count("‡") == 2  # its mark and the note's
    assert "‡ Partial run: judged fewer pairs than its pair set has" in board
    text = _text(html)
    review = text[text.index("Peer-review jury (qualification exam)") :]
    # three candidates on all 30 pairs: a 20% exam is 6 of them, the other 24 the evaluation slice
    assert "Exam: 6 items" in review and "evaluation: 24 other items" in review


def test_the_html_table_explains_a_run_with_failed_judgments() -> None:
    # a second review: the HTML report's leaderboard showed a run with 25 of 60 judgments failed at the top without
    # the note the Markdown and LaTeX tables print
    from judgebench.reports.html import leaderboard_table

    rows = [
        {"judge": "vanilla", "model": "openai:x", "overall": 76.7, "failed": 25, "judged": "35/60", "n": 30, "categories": []},
        {"judge": "longer", "model": "none", "overall": 50.0, "failed": 0, "judged": "60/60", "n": 30, "categories": []},
    ]
    notes = " ".join(leaderboard_table(rows, "vote")["notes"])
    assert "Judged: judgments that ran of all judgments" in notes and "not a clean result" in notes


def test_the_peer_review_command_leaves_partial_runs_out_unless_asked(tmp_path: Path) -> None:
    # a second review: `peer-review results` took a --limit run as a candidate, cutting the exam to its pairs, where
    # the report's peer-review section leaves it out
    data = _pairs(tmp_path / "pairs.jsonl", 30, "main")
    res = tmp_path / "res"
    for extra in (["--judge", "longer"], ["--judge", "shorter"], ["--judge", "random"], ["--judge", "longer", "--limit", "22"]):
        assert run_cli("bench", *extra, "--data", str(data), "--results-dir", str(res), "--no-progress").returncode == 0
    proc = run_cli("peer-review", str(res))
    assert proc.returncode == 0, proc.stderr
    assert "left out 1 partial run(s)" in proc.stderr and "Exam: 6 items" in proc.stdout and "evaluation: 24 other items" in proc.stdout
    proc = run_cli("peer-review", str(res), "--include-partial")
    assert proc.returncode == 0 and "8 item(s) not judged by every candidate are left out" in proc.stdout, proc.stdout
