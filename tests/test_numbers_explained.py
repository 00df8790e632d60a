"""Small paths to a wrong or unexplained number (issue 19): the coding `agree` reads, items it leaves out, the
"Pairs from" of a mixed run, an option the server ignores, baselines in bias probes and "best" marks, CLI help.

Expected values are derived by hand in the comments, never read back from the code under test.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
from pathlib import Path

import pytest

from judgebench.benchmarks import load_pairs
from judgebench.run.runner import RunSpec, run
from judgebench.testing.fake_server import FakeConfig

from .conftest import make_pair, run_cli, write_jsonl

# ---------------------------------------------------------------------------------------------------------------
# 1. agree: a 1/2/0 file fits two codings


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_agree_numeric_120_labels_without_kind_stop_and_name_both_codings(tmp_path: Path) -> None:
    human = _write_csv(tmp_path / "human.csv", ["item", "label"], [[f"q{i}", [1, 2, 0][i % 3]] for i in range(12)])
    judge = _write_csv(tmp_path / "judge.csv", ["item", "label"], [[f"q{i}", [1, 2, 0][i % 3]] for i in range(12)])
    r = run_cli("agree", "--human", str(human), "--judge", str(judge))
    assert r.returncode == 2, r.stdout + r.stderr
    assert "--kind pairwise" in r.stderr and "--kind rating" in r.stderr
    assert "human.csv:2: field 'label'" in r.stderr
    assert "Pearson" not in r.stdout  # nothing computed on a guessed coding


def test_agree_numeric_labels_with_kind_pairwise_say_which_coding_was_used(tmp_path: Path) -> None:
    human = _write_csv(tmp_path / "human.csv", ["item", "label"], [[f"q{i}", [1, 2, 0][i % 3]] for i in range(12)])
    judge = _write_csv(tmp_path / "judge.csv", ["item", "label"], [[f"q{i}", [1, 2, 0][i % 3]] for i in range(12)])
    r = run_cli("agree", "--human", str(human), "--judge", str(judge), "--kind", "pairwise")
    assert r.returncode == 0, r.stderr
    assert "1 = A better, 2 = B better, 0 = tie" in r.stdout and "--kind pairwise" in r.stdout
    assert "human mean" not in r.stdout and "Pearson" not in r.stdout  # majority of pairwise codes, no correlation of codes
    j = json.loads(run_cli("agree", "--human", str(human), "--judge", str(judge), "--kind", "rating", "--json").stdout)
    assert j["human"]["coding_description"] == "ratings (numbers)" and j["human"]["kind_from"] == "--kind rating"
    assert j["judge"]["kind_from"] == "read with the human file's kind (rating)"  # and the judge side says why too


def test_agree_ratings_outside_0_1_2_are_read_as_ratings_without_asking(tmp_path: Path) -> None:
    human = _write_csv(tmp_path / "human.csv", ["item", "label"], [[f"q{i}", 1 + i % 5] for i in range(10)])
    judge = _write_csv(tmp_path / "judge.csv", ["item", "label"], [[f"q{i}", 1 + (i + 1) % 5] for i in range(10)])
    r = run_cli("agree", "--human", str(human), "--judge", str(judge), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["human"]["kind"] == "rating"


# ---------------------------------------------------------------------------------------------------------------
# 2. agree: every statistic says how many items it used and why others were left out


def _three_annotators(tmp_path: Path) -> tuple[Path, Path]:
    """40 items, 3 annotators. Items 0-38: all three give the same label (cycling A>B, B>A, A=B); the judge gives
    that label on items 0-29 and a different one on 30-38. Item 39: the annotators give A>B, B>A, A=B (no majority),
    the judge A>B. So the judge-vs-majority accuracy is on 39 items: 30/39."""
    labels = ["A>B", "B>A", "A=B"]
    rows, judge_rows = [], []
    for i in range(39):
        lab = labels[i % 3]
        rows.append([f"q{i}", lab, lab, lab])
        judge_rows.append([f"q{i}", lab if i < 30 else labels[(i + 1) % 3]])
    rows.append(["q39", "A>B", "B>A", "A=B"])
    judge_rows.append(["q39", "A>B"])
    return (_write_csv(tmp_path / "human.csv", ["item", "ann1", "ann2", "ann3"], rows), _write_csv(tmp_path / "judge.csv", ["item", "label"], judge_rows))


def test_agree_item_without_majority_is_counted_and_explained(tmp_path: Path) -> None:
    human, judge = _three_annotators(tmp_path)
    r = run_cli("agree", "--human", str(human), "--judge", str(judge), "--resamples", "200")
    assert r.returncode == 0, r.stderr
    assert "items in both: 40" in r.stdout
    assert "left out: 1 item in both but no human majority" in r.stdout
    acc_line = next(line for line in r.stdout.splitlines() if "| accuracy |" in line)
    assert "| 0.769 |" in acc_line  # 30 / 39
    assert "| 39 |" in acc_line and "39 of 40 items; 1 left out: no human majority" in acc_line


def test_agree_json_gives_items_used_and_left_out_per_measure(tmp_path: Path) -> None:
    human, judge = _three_annotators(tmp_path)
    out = json.loads(run_cli("agree", "--human", str(human), "--judge", str(judge), "--resamples", "200", "--json").stdout)
    assert out["n_overlap"] == 40
    assert list(out["left_out"].values()) == [1]
    acc = next(m for m in out["measures"] if m["name"] == "accuracy")
    assert acc["n"] == 39 and acc["n_items"] == 40 and acc["n_left_out"] == 1
    assert abs(acc["value"] - 30 / 39) < 1e-12
    alpha_humans = next(m for m in out["measures"] if m["section"] == "humans (3 raters)" and m["name"].startswith("Krippendorff"))
    assert alpha_humans["n_left_out"] == 0  # alpha uses the no-majority item too


# ---------------------------------------------------------------------------------------------------------------
# 3. "Pairs from" describes the whole run, never one row's value


def _mixed_pairs(tmp_path: Path) -> Path:
    # 12 pairs by 3 response models (4 each); the first pair's model is "m1"
    return write_jsonl(tmp_path / "pairs.jsonl", [make_pair(i, "A>B" if i % 2 else "B>A", response_model=f"m{1 + i % 3}") for i in range(12)])


def test_run_on_pairs_from_several_models_says_mixed(tmp_path: Path) -> None:
    out = run(RunSpec(data=str(_mixed_pairs(tmp_path)), judge="longer", results_dir=str(tmp_path / "r"), progress=False))
    info = json.loads((out.out_dir / "run.json").read_text())
    assert info["response_model"] == "mixed (3 models)"
    table = run_cli("leaderboard", str(tmp_path / "r")).stdout
    assert "mixed (3 models)" in table and "| m1 |" not in table


def test_leaderboard_recomputes_pairs_from_for_an_old_run_json(tmp_path: Path) -> None:
    out = run(RunSpec(data=str(_mixed_pairs(tmp_path)), judge="longer", results_dir=str(tmp_path / "r"), progress=False))
    info = json.loads((out.out_dir / "run.json").read_text())
    info["response_model"] = "m1"  # what older versions wrote: the first pair's value
    (out.out_dir / "run.json").write_text(json.dumps(info))
    from judgebench.reports.leaderboard import load_runs

    assert [r.row["response_model"] for r in load_runs(tmp_path / "r")] == ["mixed (3 models)"]


def test_run_on_pairs_from_one_model_names_it(tmp_path: Path, pairs_file: Path) -> None:
    out = run(RunSpec(data=str(pairs_file), judge="longer", results_dir=str(tmp_path / "r"), progress=False))
    assert out.run_info["response_model"] == "test-model"


# ---------------------------------------------------------------------------------------------------------------
# 4. an option the server ignores is reported


def test_logprobs_option_ignored_by_server_warns_once_and_run_json_counts_zero(tmp_path: Path, pairs_file: Path, fake_server, caplog: pytest.LogCaptureFixture) -> None:
    server = fake_server(FakeConfig(logprobs=False), load_pairs(str(pairs_file)))
    with caplog.at_level(logging.WARNING, logger="judgebench.judges._prompted"):
        out = run(RunSpec(data=str(pairs_file), judge="vanilla", model="openai:test", base_url=server.base_url, judge_options={"logprobs": True}, results_dir=str(tmp_path / "r"), cache_dir=str(tmp_path / "c"), progress=False))
    warnings = [r for r in caplog.records if "log-probabilities" in r.getMessage()]
    assert len(warnings) == 1
    info = json.loads((out.out_dir / "run.json").read_text())
    assert info["counts"]["judgments"] == 40  # 20 pairs x 2 games
    assert info["confidence"] == {"judgments_with_confidence": 0}


def test_logprobs_option_honoured_counts_every_decided_judgment(tmp_path: Path, pairs_file: Path, fake_server, caplog: pytest.LogCaptureFixture) -> None:
    server = fake_server(FakeConfig(), load_pairs(str(pairs_file)))
    with caplog.at_level(logging.WARNING, logger="judgebench.judges._prompted"):
        out = run(RunSpec(data=str(pairs_file), judge="vanilla", model="openai:test", base_url=server.base_url, judge_options={"logprobs": True}, results_dir=str(tmp_path / "r"), cache_dir=str(tmp_path / "c"), progress=False))
    assert not [r for r in caplog.records if "log-probabilities" in r.getMessage()]
    decided = sum(g.decision.value in ("A>B", "B>A") for r in out.results for g in r.games)
    assert decided == 40
    assert out.run_info["confidence"] == {"judgments_with_confidence": 40}


# ---------------------------------------------------------------------------------------------------------------
# 5. baselines are not systems and never "best"


def test_self_preference_of_a_judge_without_model_is_undefined(tmp_path: Path) -> None:
    from judgebench.analysis.bias import self_preference

    # pairs whose metadata names a side "none": before, a baseline judge (model "none") was credited with "own" responses
    rows = [make_pair(i, "A>B" if i % 2 else "B>A", metadata={"model_A": "none", "model_B": "gpt-4o"}) for i in range(12)]
    out = run(RunSpec(data=str(write_jsonl(tmp_path / "p.jsonl", rows)), judge="longer", results_dir=str(tmp_path / "r"), progress=False))
    first, second = self_preference(out.results, n_resamples=100)
    assert first.value is None and second.value is None
    assert "no model" in (first.reason or "") and "baseline" in (first.reason or "")


def test_latex_leaderboard_never_marks_a_baseline_best_and_marks_lower_is_better(tmp_path: Path, pairs_file: Path, fake_server) -> None:
    pairs = load_pairs(str(pairs_file))
    for name, acc in (("good", 0.9), ("weak", 0.6)):
        server = fake_server(FakeConfig(accuracy=acc, position_bias=0.9, seed=3), pairs)
        run(RunSpec(data=str(pairs_file), judge="vanilla", model=f"openai:{name}", base_url=server.base_url, results_dir=str(tmp_path / "r"), cache_dir=str(tmp_path / "c"), progress=False))
    run(RunSpec(data=str(pairs_file), judge="longer", results_dir=str(tmp_path / "r"), progress=False))
    r = run_cli("leaderboard", str(tmp_path / "r"), "--format", "latex", "--columns", "judge,model,overall,consistency,no_decision")
    assert r.returncode == 0, r.stderr
    longer = next(line for line in r.stdout.splitlines() if line.startswith("longer"))
    assert "100.0" in longer and r"\textbf" not in longer  # order-blind: 100.0 consistency is not an achievement
    assert r"No-decision \% $\downarrow$" in r.stdout
    md = run_cli("leaderboard", str(tmp_path / "r"), "--columns", "judge,model,overall,no_decision").stdout
    assert "**0.0**" not in md  # every run has 0.0 no-decision: nothing to mark
    runs = json.loads(run_cli("leaderboard", str(tmp_path / "r"), "--format", "json").stdout)
    assert [x["judge"] for x in runs if x.get("best")] == ["vanilla"]


# ---------------------------------------------------------------------------------------------------------------
# 6. CLI gaps


def _options_without_help(p: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> list[str]:
    missing = []
    for a in p._actions:
        if isinstance(a, argparse._SubParsersAction):
            for name, sub in a.choices.items():
                missing += _options_without_help(sub, (*path, name))
        elif not isinstance(a, argparse._HelpAction) and not a.help:
            missing.append(" ".join((*path, *(a.option_strings or [a.dest]))))
    return missing


def test_every_cli_option_has_help_text() -> None:
    from judgebench.cli import build_parser

    assert _options_without_help(build_parser()) == []


def test_every_help_page_renders() -> None:
    """`judgebench --help` and every command's `--help` print (a bare % in a help text once crashed them all)."""
    import contextlib
    import io

    from judgebench.cli import COMMANDS, build_parser

    parser = build_parser()
    for argv in ([], *([c] for c in COMMANDS)):
        out = io.StringIO()
        with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as done:
            parser.parse_args([*argv, "--help"])
        assert done.value.code == 0 and "usage: judgebench" in out.getvalue(), argv


def test_leaderboard_help_lists_column_names() -> None:
    out = run_cli("leaderboard", "--help").stdout
    for name in ("consistency", "no_decision", "ci_low", "p_vs_best", "knowledge"):
        assert name in out


def test_report_defaults_to_the_results_folder_not_the_current_one(tmp_path: Path, pairs_file: Path) -> None:
    run(RunSpec(data=str(pairs_file), judge="longer", results_dir=str(tmp_path / "r"), progress=False))
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    r = run_cli("report", str(tmp_path / "r"), "--no-figures", cwd=cwd)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "r" / "report.html").exists() and not (cwd / "report.html").exists()


def test_pairs_from_two_generators_count_each_model_once() -> None:
    # a review: GSM8K recipe pairs from 4 generators, written as 6 "a,b" combinations, showed "mixed (6 models)"
    from judgebench.schema import response_models_label

    combos = ["175b_verification,6b_finetuning", "175b_verification,6b_verification", "175b_finetuning,6b_finetuning", "6b_finetuning,6b_verification", "175b_finetuning,175b_verification", "175b_finetuning,6b_verification"]
    assert response_models_label(combos) == "mixed (4 models)"
    assert response_models_label(["a,b", "a,b"]) == "a,b" and response_models_label(["m1", "m2", ""]) == "mixed (2 models)"
