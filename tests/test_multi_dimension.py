"""Multi-dimension ratings (Style over Substance, arXiv 2307.03025): the judge's per-dimension parse, and a planted
per-dimension bias recovered end to end (``judgebench bench --judge multi_dimension`` against the simulated judge of
``testing/responder_multi_dimension.py``, then ``judgebench dimensions``)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from judgebench.analysis.multi_dimension import analyse, elo_rows, error_index, markdown
from judgebench.cli import main
from judgebench.errors import InputError
from judgebench.judges import JudgeContext, get_judge
from judgebench.judges.multi_dimension import MultiDimensionJudge, multi_dimension, parse_dimensions
from judgebench.reports.section_multi_dimension import multi_dimension_section
from judgebench.schema import Decision, Item, ItemResult, Judgment, Pair
from judgebench.testing import responder_multi_dimension as planted
from judgebench.testing.fake_server import FakeConfig, FakeJudgeServer

from .judges.helpers import ScriptedBackend, run

# Three systems. "flashy" writes long answers and always makes a factual error; "solid" writes medium-length correct
# answers; "terse" writes short answers, wrong on odd-numbered questions.
LENGTH = {"flashy": 260, "solid": 130, "terse": 50}


def _answer(system: str, q: int) -> tuple[str, bool]:
    wrong = system == "flashy" or (system == "terse" and q % 2 == 1)
    core = f"{system} answers question {q}: the value is {'wrong-' if wrong else ''}{q * 7}."
    pad = f" Further {system} elaboration on case {q}." * 20
    return (core + pad)[: LENGTH[system]], wrong


def _pairs(n_per_matchup: int = 40) -> list[Pair]:
    pairs = []
    for a, b in (("flashy", "solid"), ("solid", "terse"), ("terse", "flashy")):
        for q in range(n_per_matchup):
            (ta, wa), (tb, wb) = _answer(a, q), _answer(b, q)
            err = "A" if wa and not wb else "B" if wb and not wa else None
            accuracy = "A=B" if err is None else ("B>A" if err == "A" else "A>B")
            language = "A>B" if len(ta) > len(tb) else "B>A"
            meta: dict[str, Any] = {"model_A": a, "model_B": b, "factual_error": err, "dimension_labels": {"accuracy": accuracy, "language": language}}
            pairs.append(Pair(f"{a}-{b}-{q}", f"Question {q} for {a} and {b}: what is {q} times 7?", ta, tb, Decision(accuracy), metadata=meta))
    return pairs


def test_parse_dimensions_reads_each_line_and_names_what_is_missing() -> None:
    text = "Reasoning.\n**accuracy**: [[B]]\nlanguage: [[tie]]\n- overall: [[A]]"
    verdicts, reasons = parse_dimensions(text, ("accuracy", "helpfulness", "language", "overall"))
    assert verdicts == {"accuracy": "B>A", "helpfulness": None, "language": "A=B", "overall": "A>B"}
    assert "helpfulness" in reasons["helpfulness"]


def test_judge_records_dimensions_and_overall_decision() -> None:
    judge = multi_dimension(ScriptedBackend(["ok\naccuracy: [[A]]\nhelpfulness: [[B]]\nlanguage: [[B]]\noverall: [[B]]"]))
    assert isinstance(judge, MultiDimensionJudge)
    j = run(judge.judge(JudgeContext.of_question("q?"), "x", "y"))
    assert j.decision is Decision.B_BETTER and j.extra["dimensions"] == {"accuracy": "A>B", "helpfulness": "B>A", "language": "B>A"}
    assert "[Dimensions]\n- accuracy:" in j.prompt
    custom = multi_dimension(ScriptedBackend(["safety: [[A]]"]), dimensions='["safety"]')
    assert isinstance(custom, MultiDimensionJudge)
    j = run(custom.judge(JudgeContext.of_question("q?"), "x", "y"))
    assert j.decision is Decision.NONE and j.extra["dimensions"] == {"safety": "A>B"} and j.extra["no_decision_reason"]
    with pytest.raises(InputError):
        get_judge("multi_dimension", ScriptedBackend([""]), dimensions=["overall"])


def test_analysis_refuses_results_without_dimensions() -> None:
    pair = _pairs(1)[0]
    with pytest.raises(InputError, match="multi_dimension"):
        analyse([ItemResult.of_pair(pair, "vanilla", "m", (Judgment(Decision.A_BETTER),))])


def test_planted_per_dimension_bias_is_recovered(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pairs = _pairs()
    data = tmp_path / "pairs.jsonl"
    data.write_text("".join(json.dumps(p.to_dict()) + "\n" for p in pairs))
    items = [Item.from_pair(p) for p in pairs]
    with FakeJudgeServer(FakeConfig(seed=1), items=items) as server:
        rc = main(["bench", "--data", str(data), "--judge", "multi_dimension", "--model", "openai:fake", "--base-url", server.base_url, "--results-dir", str(tmp_path / "results"), "--no-cache", "--no-progress"])
    assert rc == 0
    capsys.readouterr()
    run_dir = next((tmp_path / "results").rglob("judgments.jsonl")).parent
    figure = tmp_path / "dims.png"
    assert main(["dimensions", str(run_dir), "--json", "--figure", str(figure)]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    assert figure.read_bytes()[:4] == b"\x89PNG"

    def ranking(dim: str) -> dict[str, dict[str, Any]]:
        return {r["system"]: r for r in report["rankings"][dim]["systems"]}

    # language prefers the longer response (p = 0.9 per judgment): flashy > solid > terse, flashy's CI above the others'
    language = ranking("language")
    assert [r["system"] for r in report["rankings"]["language"]["systems"]] == ["flashy", "solid", "terse"]
    assert language["flashy"]["low"] > max(language["solid"]["high"], language["terse"]["high"])
    # accuracy prefers the correct response (p = 0.9): solid, never wrong, first; flashy, always wrong, last
    accuracy = ranking("accuracy")
    assert [r["system"] for r in report["rankings"]["accuracy"]["systems"]] == ["solid", "terse", "flashy"]
    assert accuracy["solid"]["low"] > accuracy["flashy"]["high"]

    # Expected share of overall verdicts preferring the erring response, from the planted parameters: the overall
    # verdict copies language (w = 0.7), which prefers the longer response with q = 0.9, else accuracy, which prefers
    # the erring response with 1 - p = 0.1. Per item with exactly one error: w * P(language picks the erring
    # response) + (1 - w) * (1 - p), where the language pick is q if the erring response is the longer one, else 1 - q.
    w, q, p = planted.OVERALL_STYLE_WEIGHT, planted.LANGUAGE_PREFERS_LONGER, planted.ACCURACY_RIGHT
    expected = []
    for item in items:
        err = error_index(item)
        if err is None:
            continue
        erring_longer = len(item.responses[err].text) > len(item.responses[1 - err].text)
        expected.append(w * (q if erring_longer else 1 - q) + (1 - w) * (1 - p))
    want = sum(expected) / len(expected)  # 40 flashy/solid (0.66) + 20 solid/terse (0.10) + 20 terse/flashy (0.66): 0.52
    overall = report["overall_prefers_error"]
    assert overall["n"] == len(expected) == 80  # flashy vs solid 40; terse wrong (odd questions) vs solid 20; terse right vs flashy 20
    ci = overall["intervals"][0]
    assert ci["low"] <= want <= ci["high"], (overall["value"], want)
    assert abs(overall["value"] - want) < 0.1
    # the accuracy dimension prefers the error only at 1 - p = 0.1: the contrast the paper measures
    acc_share = report["accuracy_prefers_error"]
    assert acc_share["intervals"][0]["low"] <= 1 - p <= acc_share["intervals"][0]["high"]
    assert acc_share["intervals"][0]["high"] < ci["low"]
    # agreement with the human labels: language labels say "longer is better" (judge agrees ~q), accuracy labels
    # the correct response (judge agrees ~p on items with an error; ties where there is none are never voted A=B
    # unless both games disagree)
    assert report["agreement"]["language"]["kappa"]["value"] > 0.6
    assert report["agreement"]["accuracy"]["accuracy"]["value"] > 0.6


def test_markdown_and_elo_rows_of_a_small_report() -> None:
    pairs = _pairs(3)
    results = []
    for pair in pairs:
        a_long = len(pair.response_A) > len(pair.response_B)
        lang = "A>B" if a_long else "B>A"
        games = (
            Judgment(Decision(lang), game=1, extra={"dimensions": {"accuracy": pair.metadata["dimension_labels"]["accuracy"], "language": lang}}),
            Judgment(Decision(lang).flipped(), game=2, extra={"dimensions": {"accuracy": Decision(pair.metadata["dimension_labels"]["accuracy"]).flipped().value, "language": Decision(lang).flipped().value}}),
        )
        results.append(ItemResult.of_pair(pair, "multi_dimension", "m", games))
    report = analyse(results, label="t", n_resamples=200)
    # the overall verdict here always follows language: it prefers the erring response exactly when it is the longer
    # flashy (longer, wrong) vs solid: 3 items, 1 each; terse wrong (q = 1, shorter) vs solid: 1 item, 0; terse right vs
    # flashy (longer, wrong): q = 0, 2, 1 each. 5 of 6
    assert report.overall_prefers_error.value == pytest.approx(5 / 6)
    assert report.accuracy_prefers_error.value == 0.0
    assert report.agreement["accuracy"][0].value == 1.0
    section = multi_dimension_section([SimpleNamespace(row={"name": "md run"}, results=tuple(results)), SimpleNamespace(row={}, results=())])
    assert section is not None and section.figures[0][0][:4] == b"\x89PNG"
    assert [t.header[0] for t in section.tables] == ["system", "dimension", "verdict"]
    assert multi_dimension_section([SimpleNamespace(row={}, results=())]) is None
    text = markdown([report])
    assert "| system |" in text and "Share of verdicts preferring" in text
    assert all(r["elo"] is None or r["low"] is None or r["low"] <= r["elo"] <= r["high"] for r in elo_rows(report.rankings["accuracy"]))
