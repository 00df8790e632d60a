"""``judgebench score --reparse``: stored raw outputs read again by the current parser of the judge named in the file."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from judgebench.analysis.reparse import reparse_file
from judgebench.analysis.replay import read_judgment_file
from judgebench.schema import Decision, ItemResult, Judgment, Pair

from .conftest import make_pair, run_cli, shared, write_jsonl

O1_MINI = "dataset=judgebench,response_model=gpt-4o-2024-05-13,judge_name=arena_hard,judge_model=o1-mini-2024-09-12.jsonl"
GRM = "dataset=judgebench,response_model=gpt-4o-2024-05-13,judge_name=reward_model,judge_model=Ray2333_GRM-Gemma-2B-rewardmodel-ft.jsonl"


def own_line(i: int, judge: str, games: list[Judgment], label: str = "A>B") -> dict:
    """One line of judgebench's judgments.jsonl."""
    pair = Pair.from_dict(make_pair(i, label=label))
    return ItemResult.of_pair(pair, judge, "vllm:some-model", tuple(replace(g, game=n) for n, g in enumerate(games, start=1))).to_dict()  # type: ignore[arg-type]


def test_reparse_released_o1_mini_changes_nothing_and_reproduces_published_scores() -> None:
    # Published values (results/reproduction.md; JudgeBench's paper): Overall 65.7, Knowledge 58.4, Reasoning 62.2,
    # Math 82.1, Coding 78.6. All 700 outputs carry one distinct label, 9 of them quoted ("[[B>>A]]"); the parser
    # before issue 11 skipped those 9 and moved Overall to 65.4 and Math to 80.4.
    path = shared("judgebench", "outputs", O1_MINI)
    proc = run_cli("score", "--json", "--reparse", str(path))
    assert proc.returncode == 0, proc.stderr
    (entry,) = json.loads(proc.stdout)
    assert entry["reparse"]["parser"] == "arena_hard"
    assert entry["reparse"]["judgments"] == entry["reparse"]["reparsed"] == 700
    assert entry["reparse"]["changed"] == [] and entry["reparse"]["n_changed"] == 0
    assert entry["reparse"]["no_decision"] == {}
    expected = {"overall": 65.7, "knowledge": 58.4, "reasoning": 62.2, "math": 82.1, "coding": 78.6}
    assert {k: round(entry[k], 1) for k in expected} == expected


def test_reparse_released_o1_mini_human_output_says_0_of_700() -> None:
    proc = run_cli("score", "--reparse", str(shared("judgebench", "outputs", O1_MINI)))
    assert proc.returncode == 0, proc.stderr
    assert "arena_hard parser: 0 of 700 decisions changed" in proc.stdout
    assert "| 65.7 |" in proc.stdout


def test_reparse_released_reward_model_is_reported_not_reparsed_and_scored_as_stored() -> None:
    path = shared("judgebench", "outputs", GRM)
    plain = json.loads(run_cli("score", "--json", str(path)).stdout)[0]
    proc = run_cli("score", "--json", "--reparse", str(path))
    assert proc.returncode == 0, proc.stderr
    (entry,) = json.loads(proc.stdout)
    assert entry["reparse"]["parser"] is None and entry["reparse"]["changed"] == [] and entry["reparse"]["reparsed"] == 0
    assert "reward model" in entry["reparse"]["note"]
    assert entry["overall"] == plain["overall"]


def test_reparse_own_judgments_lists_changed_decisions(tmp_path: Path) -> None:
    quoted = 'Assistant A is right.\n\nMy final verdict is: "[[A>B]]"'  # stored as none by the old parser
    drafted = "<think>[[A>B]]?</think>\nAssistant B is right.\n\nMy final verdict is [[B>A]]"  # stored A>B by the old parser
    rows = [
        own_line(0, "arena_hard", [Judgment(Decision.NONE, output=quoted), Judgment(Decision.B_BETTER, output="Final: [[B>A]]")]),
        own_line(1, "arena_hard", [Judgment(Decision.A_BETTER, output=drafted), Judgment(Decision.NONE, error="HTTP 500 after 6 retries")], label="B>A"),
        own_line(2, "arena_hard", [Judgment(Decision.A_BETTER, output="[[A>B]]"), Judgment(Decision.A_BETTER, output="I think A.")]),
    ]
    path = write_jsonl(tmp_path / "judgments.jsonl", rows)
    proc = run_cli("score", "--json", "--reparse", str(path))
    # one stored judgment failed (HTTP 500): scored, but not a clean result (exit 3, as bench)
    assert proc.returncode == 3 and "1 of 6 judgments failed" in proc.stderr, proc.stderr
    (entry,) = json.loads(proc.stdout)
    rep = entry["reparse"]
    assert rep["parser"] == "arena_hard" and rep["judgments"] == 6 and rep["reparsed"] == 5
    assert rep["changed"] == [
        {"pair_id": "p0", "game": 1, "stored": "none", "reparsed": "A>B"},
        {"pair_id": "p1", "game": 1, "stored": "A>B", "reparsed": "B>A"},
        {"pair_id": "p2", "game": 2, "stored": "A>B", "reparsed": "none"},
    ]
    assert rep["no_decision"] == {"no verdict label ([[A>B]] etc.) in the answer": 1, "failed call": 1}
    # Vote rule, game 2 flipped back (it shows B first). Re-parsed: p0 A>B, B>A->A>B (+2, right); p1 B>A, failed
    # (+1, right); p2 A>B, none (+1, right): 3 of 3. As stored: p0 none, A>B (+1, right); p1 A>B, failed (-1, wrong);
    # p2 A>B, A>B->B>A (0, wrong): 1 of 3.
    assert entry["overall"] == pytest.approx(100.0)
    assert json.loads(run_cli("score", "--json", str(path)).stdout)[0]["overall"] == pytest.approx(100 / 3)


def test_reparse_human_output_lists_changes(tmp_path: Path) -> None:
    rows = [own_line(0, "skywork_critic", [Judgment(Decision.NONE, output='"[[A]]"'), Judgment(Decision.B_BETTER, output="[[B]]")])]
    proc = run_cli("score", "--reparse", str(write_jsonl(tmp_path / "judgments.jsonl", rows)))
    assert proc.returncode == 0, proc.stderr
    assert "skywork_critic parser: 1 of 2 decisions changed" in proc.stdout
    assert "p0 game 1: none -> A>B" in proc.stdout


def test_reparse_judge_options_come_from_the_label(tmp_path: Path) -> None:
    # compass_judger with prompt_style=reward answers with the letter only; the arena_hard-style parser would not read it.
    rows = [own_line(0, "compass_judger@prompt_style=reward", [Judgment(Decision.NONE, output="B"), Judgment(Decision.NONE, output="**A**")])]
    jf, report = reparse_file(read_judgment_file(write_jsonl(tmp_path / "judgments.jsonl", rows)))
    assert report.parser == "compass_judger"
    assert [g.decision for g in jf.results[0].games] == [Decision.B_BETTER, Decision.A_BETTER]


def test_reparse_judge_options_come_from_run_json_for_a_hashed_label(tmp_path: Path) -> None:
    label = "prometheus2@0123456789ab"  # a long option set is summarised by a hash in the folder/label
    rows = [own_line(0, label, [Judgment(Decision.NONE, output="Response A is right. [RESULT] A")])]
    path = write_jsonl(tmp_path / "judgments.jsonl", rows)
    _, missing = reparse_file(read_judgment_file(path))
    assert missing.parser is None and "run.json" in (missing.note or "")
    (tmp_path / "run.json").write_text(json.dumps({"judge": label, "spec": {"judge_options": {"rubric": "helpfulness"}}}))
    jf, report = reparse_file(read_judgment_file(path))
    assert report.parser == "prometheus2" and jf.results[0].games[0].decision is Decision.A_BETTER


def test_reparse_calibrated_judge_recomputes_means_from_stored_samples(tmp_path: Path) -> None:
    # pairwise_score with BPC: sample AB scores (A, B) as shown; sample BA shows B first, so its scores are swapped back.
    samples = [
        {"order": "AB", "sample_index": 0, "output": "Score of the Assistant 1: 8\nScore of the Assistant 2: 4", "scores": None, "error": None},
        {"order": "BA", "sample_index": 0, "output": '"Score of the Assistant 1: 2"\n"Score of the Assistant 2: 6"', "scores": None, "error": None},
    ]
    stored = Judgment(Decision.NONE, output="(joined)", extra={"calibration": {"mec_k": 1, "bpc": True}, "samples": samples, "valid_samples": 0})
    rows = [own_line(0, "pairwise_score@bpc=true", [stored])]
    jf, report = reparse_file(read_judgment_file(write_jsonl(tmp_path / "judgments.jsonl", rows)))
    (g,) = jf.results[0].games
    # A: mean(8, 6) = 7; B: mean(4, 2) = 3 -> A>B
    assert g.decision is Decision.A_BETTER and g.scores == (7.0, 3.0) and g.extra["valid_samples"] == 2
    assert [c.reparsed for c in report.changed] == [Decision.A_BETTER]


def test_reparse_released_format_maps_judgebench_names_and_skips_other_formats(tmp_path: Path) -> None:
    def released(i: int, judge: str, responses: list[str | None], decisions: list[str | None]) -> dict:
        judgments = [None if r is None else {"judgment": {"judge_model": "m", "prompt": "p", "response": r}, "decision": d} for r, d in zip(responses, decisions, strict=True)]
        return make_pair(i) | {"judge_name": judge, "judgments": judgments}

    # JudgeBench's ArenaHard gives no decision when two distinct labels appear; the current parser takes the last.
    arena = write_jsonl(tmp_path / "arena.jsonl", [released(0, "arena_hard", ["draft [[B>A]]\nMy final verdict is [[A>>B]]", None], [None, None])])
    jf, report = reparse_file(read_judgment_file(arena))
    assert report.parser == "arena_hard" and report.reparsed == 1
    assert [c.to_dict() for c in report.changed] == [{"pair_id": "p0", "game": 1, "stored": "none", "reparsed": "A>B"}]
    assert jf.results[0].games[1].is_failed
    # JudgeBench's prometheus_2 name maps to prometheus2; its first-match parser read the quoted "[RESULT] B".
    prom = write_jsonl(tmp_path / "prom.jsonl", [released(0, "prometheus_2", ['B writes "[RESULT] B". A is right. [RESULT] A', "[RESULT] B"], ["B>A", "B>A"])])
    assert [c.reparsed for c in reparse_file(read_judgment_file(prom))[1].changed] == [Decision.A_BETTER]
    # JudgeBench's vanilla asks for "Output (a)"; judgebench's vanilla parser must not be applied to it.
    vanilla = write_jsonl(tmp_path / "vanilla.jsonl", [released(0, "vanilla", ["Output (a)", "Output (b)"], ["A>B", "B>A"])])
    jf, report = reparse_file(read_judgment_file(vanilla))
    assert report.parser is None and "Output (a)" in (report.note or "") and jf.results[0].games[0].decision is Decision.A_BETTER


def test_reparse_baseline_judge_is_not_reparsed(tmp_path: Path) -> None:
    rows = [own_line(0, "longer", [Judgment(Decision.A_BETTER, output="len(A)=10 len(B)=5")])]
    _, report = reparse_file(read_judgment_file(write_jsonl(tmp_path / "judgments.jsonl", rows)))
    assert report.parser is None and "baseline" in (report.note or "") and report.changed == ()


def test_reparse_released_judgment_without_raw_output_keeps_its_stored_decision(tmp_path: Path) -> None:
    # A null response used to be read as the text "None" (and a missing key as ""), so the stored decision was
    # overwritten with none. No raw output -> not re-parsed, counted with the reason.
    judgments = [
        {"judgment": {"judge_model": "m", "prompt": "p", "response": None}, "decision": "A>B"},
        {"judgment": {"judge_model": "m", "prompt": "p"}, "decision": "B>A"},
    ]
    path = write_jsonl(tmp_path / "arena.jsonl", [make_pair(0) | {"judge_name": "arena_hard", "judgments": judgments}])
    jf, report = reparse_file(read_judgment_file(path))
    assert [g.decision for g in jf.results[0].games] == [Decision.A_BETTER, Decision.B_BETTER]
    assert report.reparsed == 0 and report.changed == () and report.not_reparsed == {"no raw output": 2}
    assert report.summary().endswith("arena_hard parser: not re-parsed, all 2 kept as stored (2 no raw output)")
    proc = run_cli("score", "--json", "--reparse", str(path))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)[0]["reparse"]["not_reparsed"] == {"no raw output": 2}


def test_reparse_empty_released_response_is_parsed_as_an_empty_output(tmp_path: Path) -> None:
    judgments = [{"judgment": {"judge_model": "m", "prompt": "p", "response": ""}, "decision": "A>B"}]
    path = write_jsonl(tmp_path / "arena.jsonl", [make_pair(0) | {"judge_name": "arena_hard", "judgments": judgments}])
    jf, report = reparse_file(read_judgment_file(path))
    assert report.reparsed == 1 and jf.results[0].games[0].decision is Decision.NONE
    assert report.no_decision == {"empty output": 1}


def test_reparse_calibrated_judgment_without_samples_is_reported_not_reparsed(tmp_path: Path) -> None:
    stored = [Judgment(Decision.A_BETTER, output="(joined)", extra={"valid_samples": 3}), Judgment(Decision.NONE, error="HTTP 500")]
    path = write_jsonl(tmp_path / "judgments.jsonl", [own_line(0, "judgelm@mec_k=3", stored)])
    jf, report = reparse_file(read_judgment_file(path))
    assert report.parser == "judgelm" and report.reparsed == 0 and report.changed == ()
    assert report.not_reparsed == {"no stored samples (extra.samples) to re-parse": 1, "failed call": 1}
    assert "not re-parsed, all 2 kept as stored" in report.summary()
    assert jf.results[0].games[0].decision is Decision.A_BETTER


@pytest.mark.parametrize("flags", [["--reparse"], ["--reparse", "--json"], []])
def test_score_empty_folder_is_a_clear_error(tmp_path: Path, flags: list[str]) -> None:
    proc = run_cli("score", str(tmp_path), *flags)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "no judgment files in this folder" in proc.stderr and str(tmp_path) in proc.stderr
    assert "Traceback" not in proc.stderr
