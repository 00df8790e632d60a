"""`judgebench agree` end to end on label files and results folders made here, on FairEval's human verdicts,
and consistency with `judgebench score` (and its --bias probes) on JudgeBench's released judgments."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from judgebench.cli import main
from judgebench.schema import Decision, ItemResult, Judgment, Pair

from .conftest import run_cli, shared

A, B, T = Decision.A_BETTER, Decision.B_BETTER, Decision.TIE


def _results_dir(root: Path, decisions: dict[str, tuple[Decision, ...]], *, lengths: dict[str, tuple[int, int]] | None = None) -> Path:
    """A judgebench results folder with one run whose games carry the given decisions *as shown*."""
    run = root / "results" / "pairs" / "sim" / "m"
    run.mkdir(parents=True)
    lines = []
    for pid, shown in decisions.items():
        la, lb = (lengths or {}).get(pid, (10, 20))
        pair = Pair(pid, "q", "a" * la, "b" * lb, A)
        lines.append(json.dumps(ItemResult.of_pair(pair, "sim", "m", tuple(Judgment(d, game=g) for g, d in enumerate(shown, start=1))).to_dict()))  # type: ignore[arg-type]
    (run / "judgments.jsonl").write_text("\n".join(lines) + "\n")
    return root / "results"


def _agree(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["agree", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _measures(out: str) -> dict[str, dict]:
    return {f"{m['section']}|{m['name']}": m for m in json.loads(out)["measures"]}


def test_agree_human_csv_and_results_folder_table_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # judge (vote over two games, game 2 flipped back): p1 A>B, p2 B>A, p3 tie (A then B: inconsistent), p4 A>B
    res = _results_dir(tmp_path, {"p1": (A, B), "p2": (B, A), "p3": (A, A), "p4": (A, T)})
    human = tmp_path / "human.csv"
    human.write_text("pair_id,label\np1,A>B\np2,A>B\np3,A=B\np4,A>B\np9,B>A\n")
    code, out, _ = _agree(capsys, "--human", str(human), "--judge", str(res), "--resamples", "500")
    assert code == 0
    assert "items in both: 4" in out and "| accuracy | 0.750 |" in out and "Cohen's kappa" in out and "Krippendorff's alpha (nominal)" in out
    code, out, _ = _agree(capsys, "--human", str(human), "--judge", str(res), "--resamples", "500", "--json")
    m = _measures(out)
    assert code == 0 and m["judge vs the human label|accuracy"]["value"] == 0.75
    judge, ref = [1, -1, 0, 1], [1, 1, 0, 1]
    assert m["judge vs the human label|Cohen's kappa"]["value"] == pytest.approx(cohen_kappa_score(judge, ref, labels=[-1, 0, 1]))
    assert m["judge vs the human label|accuracy"]["intervals"][0]["method"].startswith("bootstrap (500 resamples")


def test_agree_strict_aggregate_turns_decision_plus_tie_into_tie(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    res = _results_dir(tmp_path, {"p1": (A, T), "p2": (B, A)})
    human = tmp_path / "h.jsonl"
    human.write_text('{"item": "p1", "label": "A>B"}\n{"item": "p2", "label": "B>A"}\n')
    _, out, _ = _agree(capsys, "--human", str(human), "--judge", str(res), "--resamples", "100", "--json")
    assert _measures(out)["judge vs the human label|accuracy"]["value"] == 1.0
    _, out, _ = _agree(capsys, "--human", str(human), "--judge", str(res), "--resamples", "100", "--json", "--aggregate", "strict")
    assert _measures(out)["judge vs the human label|accuracy"]["value"] == 0.5


def test_agree_several_humans_adds_reliability_and_human_baseline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(0)
    truth = rng.choice(["A>B", "B>A"], 60)
    flip = {"A>B": "B>A", "B>A": "A>B"}
    rows = ["item,ann1,ann2,ann3"] + [f"i{k},{','.join(t if rng.random() < 0.8 else flip[t] for _ in range(3))}" for k, t in enumerate(truth)]
    (tmp_path / "humans.csv").write_text("\n".join(rows) + "\n")
    judge_rows = ["item,label"] + [f"i{k},{t if rng.random() < 0.7 else flip[t]}" for k, t in enumerate(truth)]
    (tmp_path / "judge.csv").write_text("\n".join(judge_rows) + "\n")
    code, out, _ = _agree(capsys, "--human", str(tmp_path / "humans.csv"), "--judge", str(tmp_path / "judge.csv"), "--resamples", "300", "--json")
    m = _measures(out)
    assert code == 0 and json.loads(out)["reference"] == "human majority"
    for key in ("humans (3 raters)|Krippendorff's alpha (nominal)", "humans (3 raters)|Fleiss' kappa", "humans (3 raters) + judge|Krippendorff's alpha (nominal)", "human baseline|human vs majority of other humans", "human baseline|judge vs majority of the same humans"):
        assert m[key]["defined"], key


def test_agree_ratings_interval_level_reports_correlations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(1)
    quality = rng.integers(1, 6, 80)
    human = "\n".join(["item,rater,rating"] + [f"i{k},{r},{min(5, max(1, q + rng.integers(-1, 2)))}" for k, q in enumerate(quality) for r in ("x", "y")])
    (tmp_path / "h.csv").write_text(human + "\n")
    (tmp_path / "j.csv").write_text("\n".join(["item,score"] + [f"i{k},{q}" for k, q in enumerate(quality)]) + "\n")
    code, out, _ = _agree(capsys, "--human", str(tmp_path / "h.csv"), "--judge", str(tmp_path / "j.csv"), "--resamples", "300", "--json", "--level", "ordinal", "--scale", "1-5")
    m = _measures(out)
    assert code == 0
    sec = "judge vs human lower median"
    for name in ("Cohen's kappa (quadratic)", "Spearman's rho", "Kendall's tau-b", "Krippendorff's alpha (ordinal)"):
        assert m[f"{sec}|{name}"]["defined"] and m[f"{sec}|{name}"]["value"] > 0.5, name
    code, out, _ = _agree(capsys, "--human", str(tmp_path / "h.csv"), "--judge", str(tmp_path / "j.csv"), "--resamples", "300", "--json")
    m = _measures(out)
    assert m["judge vs human mean|Pearson's r"]["defined"]
    assert not m["judge vs human mean|Cohen's kappa"]["defined"] and "not on the label scale" in m["judge vs human mean|Cohen's kappa"]["reason"]


def test_agree_undefined_statistics_are_reported_never_nan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "h.csv").write_text("item,label\n1,A>B\n2,A>B\n3,A>B\n")
    (tmp_path / "j.csv").write_text("item,label\n1,A>B\n2,A>B\n3,A>B\n")
    code, out, _ = _agree(capsys, "--human", str(tmp_path / "h.csv"), "--judge", str(tmp_path / "j.csv"), "--resamples", "100", "--json")
    assert code == 0 and "NaN" not in out
    kappa = _measures(out)["judge vs the human label|Cohen's kappa"]
    assert kappa["value"] is None and kappa["defined"] is False and "0/0" in kappa["reason"]
    _, text, _ = _agree(capsys, "--human", str(tmp_path / "h.csv"), "--judge", str(tmp_path / "j.csv"), "--resamples", "100")
    assert "| Cohen's kappa | undefined |" in text and "nan" not in text.lower()


@pytest.mark.parametrize(
    ("human", "judge", "message"),
    [
        ("item,label\nx1,A>B\n", "item,label\ny1,A>B\n", "no item is labelled by both"),
        ("item,label\n1,A>B\n2,better\n", "item,label\n1,A>B\n", "human.csv:3: field 'label': unknown label 'better'"),
        ("item,label\n1,A>B\n", "item,label\n1,4.5\n", "unknown pairwise code '4.5'"),
        ("item,label\n1,4\n", "item,label\n1,A>B\n", "'A>B' is not a number"),
        ("item,label\n1,3\n", "item,rater,label\n1,a,3\n1,b,4\n", "--judge-rater"),
        ("item,label\n1,3\n", "item,label\n1,9\n", "outside the scale 1-5"),
    ],
)
def test_agree_bad_input_exits_2_with_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str], human: str, judge: str, message: str) -> None:
    (tmp_path / "human.csv").write_text(human)
    (tmp_path / "judge.csv").write_text(judge)
    extra = ["--scale", "1-5"] if "9" in judge else []
    code, _, err = _agree(capsys, "--human", str(tmp_path / "human.csv"), "--judge", str(tmp_path / "judge.csv"), *extra)
    assert code == 2 and message in err


def test_agree_rating_file_against_pairwise_results_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    res = _results_dir(tmp_path, {"p1": (A, B)})
    (tmp_path / "h.csv").write_text("item,label\np1,4\n")
    code, _, err = _agree(capsys, "--human", str(tmp_path / "h.csv"), "--judge", str(res))
    assert code == 2 and "unknown pairwise code '4'" in err


def _faireval_human_file(tmp_path: Path) -> tuple[Path, list[dict], list[str]]:
    """FairEval's 80 human verdicts as a label file (CHATGPT -> model_a, VICUNA13B -> model_b, TIE -> tie)."""
    folder = shared("faireval")
    questions = [json.loads(x) for x in (folder / "question.jsonl").read_text().splitlines() if x.strip()]
    verdicts = [x.strip() for x in (folder / "review_gpt35_vicuna-13b_human.txt").read_text().splitlines() if x.strip()]
    assert len(questions) == len(verdicts) == 80
    code = {"CHATGPT": "model_a", "VICUNA13B": "model_b", "TIE": "tie"}
    human = tmp_path / "faireval_human.csv"
    human.write_text("question_id,winner\n" + "".join(f"{q['question_id']},{code[v]}\n" for q, v in zip(questions, verdicts, strict=True)))
    return human, questions, verdicts


def test_agree_faireval_human_verdicts_vs_longer_response_judge(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    human, questions, verdicts = _faireval_human_file(tmp_path)
    folder = shared("faireval")
    answers = [{json.loads(x)["question_id"]: json.loads(x)["text"] for x in (folder / f).read_text().splitlines() if x.strip()} for f in ("answer_gpt35.jsonl", "answer_vicuna-13b.jsonl")]
    # the offline "longer" baseline as a judge: response A = gpt-3.5's answer, B = vicuna-13b's; both games agree
    decisions, judge, ref = {}, [], []
    for q, v in zip(questions, verdicts, strict=True):
        qid = q["question_id"]
        a_longer = len(answers[0][qid]) > len(answers[1][qid])
        decisions[str(qid)] = (A, B) if a_longer else (B, A)
        judge.append(1 if a_longer else -1)
        ref.append({"CHATGPT": 1, "VICUNA13B": -1, "TIE": 0}[v])
    lengths = {str(q["question_id"]): (len(answers[0][q["question_id"]]), len(answers[1][q["question_id"]])) for q in questions}
    res = _results_dir(tmp_path, decisions, lengths=lengths)
    code, out, _ = _agree(capsys, "--human", str(human), "--judge", str(res), "--resamples", "1000", "--json")
    m = _measures(out)
    assert code == 0 and json.loads(out)["n_overlap"] == 80
    assert m["judge vs the human label|accuracy"]["value"] == pytest.approx(np.mean(np.array(judge) == np.array(ref)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref_kappa = cohen_kappa_score(judge, ref, labels=[-1, 0, 1])
    assert m["judge vs the human label|Cohen's kappa"]["value"] == pytest.approx(ref_kappa)


def test_agree_gold_labels_vs_released_judgments_accuracy_equals_score_vote_accuracy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # With strict A>B/B>A labels the vote aggregate is right exactly when the vote rule credits the pair.
    outputs = sorted(shared("judgebench", "outputs").glob("*arena_hard*.jsonl"))
    if not outputs:
        pytest.skip("no arena_hard output in shared data")
    released = outputs[0]
    gold = [json.loads(x) for x in released.read_text().splitlines() if x.strip()]
    (tmp_path / "gold.jsonl").write_text("".join(json.dumps({"pair_id": g["pair_id"], "label": g["label"]}) + "\n" for g in gold))
    code, out, _ = _agree(capsys, "--human", str(tmp_path / "gold.jsonl"), "--judge", str(released), "--resamples", "200", "--json")
    agree_acc = _measures(out)["judge vs the human label|accuracy"]
    assert code == 0 and main(["score", str(released), "--json"]) == 0
    scored = json.loads(capsys.readouterr().out)[0]
    assert agree_acc["value"] * agree_acc["n"] == pytest.approx(scored["overall"] / 100 * scored["n_pairs"])


def test_score_bias_flag_adds_probes_matching_score_consistency(tmp_path: Path) -> None:
    res = _results_dir(tmp_path, {"p1": (A, B), "p2": (A, A), "p3": (B, A), "p4": (T, T)})
    proc = run_cli("score", str(res), "--bias", "--json")
    assert proc.returncode == 0, proc.stderr
    entry = json.loads(proc.stdout)[0]
    probes = {b["name"]: b for b in entry["bias"]}
    assert probes["position consistency"]["value"] == pytest.approx(entry["position_consistency"] / 100)
    assert probes["tie rate"]["value"] == pytest.approx(2 / 8)
    text = run_cli("score", str(res), "--bias")
    assert text.returncode == 0 and "Bias probes: sim m" in text.stdout and "first-position rate" in text.stdout


def test_agree_console_script_runs_end_to_end(tmp_path: Path) -> None:
    res = _results_dir(tmp_path, {"p1": (A, B), "p2": (B, A)})
    (tmp_path / "h.csv").write_text("pair_id,label\np1,A>B\np2,B>A\n")
    proc = run_cli("agree", "--human", str(tmp_path / "h.csv"), "--judge", str(res), "--resamples", "100")
    assert proc.returncode == 0, proc.stderr
    assert "| accuracy | 1.000 |" in proc.stdout


def test_agree_system_level_rankings_from_model_columns_and_ranking_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(7)
    strength = {"s0": 0.0, "s1": 0.7, "s2": 1.4, "s3": 2.1}
    names = list(strength)
    human_rows, judge_rows = ["item,model_a,model_b,winner"], ["item,winner"]
    for k in range(600):
        a, b = rng.choice(names, 2, replace=False)
        p = 1 / (1 + np.exp(-(strength[a] - strength[b])))
        h = "model_a" if rng.random() < p else "model_b"
        j = h if rng.random() < 0.85 else {"model_a": "model_b", "model_b": "model_a"}[h]
        human_rows.append(f"i{k},{a},{b},{h}")
        judge_rows.append(f"i{k},{j}")
    (tmp_path / "h.csv").write_text("\n".join(human_rows) + "\n")
    (tmp_path / "j.csv").write_text("\n".join(judge_rows) + "\n")
    code, out, _ = _agree(capsys, "--human", str(tmp_path / "h.csv"), "--judge", str(tmp_path / "j.csv"), "--resamples", "200", "--json")
    m = _measures(out)
    assert code == 0 and m["system level|system-level Spearman's rho"]["value"] == pytest.approx(1.0)
    assert m["system level|system-level Spearman's rho"]["n"] == 4
    (tmp_path / "rank.csv").write_text("model,rank\ns0,1\ns1,2\ns2,3\ns3,4\n")  # reversed: 1 = best
    code, out, _ = _agree(capsys, "--human", str(tmp_path / "h.csv"), "--judge", str(tmp_path / "j.csv"), "--resamples", "200", "--json", "--human-ranking", str(tmp_path / "rank.csv"))
    assert _measures(out)["system level|system-level Kendall's tau-b"]["value"] == pytest.approx(-1.0)


def test_score_bias_flag_reports_calibration_for_reward_model_scores(tmp_path: Path) -> None:
    run = tmp_path / "results" / "pairs" / "rm" / "m"
    run.mkdir(parents=True)
    rng = np.random.default_rng(8)
    lines = []
    for k in range(60):
        sa, sb = rng.normal(size=2)
        d = A if sa > sb else B
        pair = Pair(f"p{k}", "q", "a", "b", A if rng.random() < 0.6 else B)
        lines.append(json.dumps(ItemResult.of_pair(pair, "reward_model", "m", (Judgment(d, game=1, scores=(float(sa), float(sb))),)).to_dict()))
    (run / "judgments.jsonl").write_text("\n".join(lines) + "\n")
    proc = run_cli("score", str(tmp_path / "results"), "--bias", "--json")
    assert proc.returncode == 0, proc.stderr
    cal = {e["name"]: e for e in json.loads(proc.stdout)[0]["calibration (margin)"]}
    assert cal["accuracy at 100% coverage"]["value"] == pytest.approx(json.loads(proc.stdout)[0]["overall"] / 100)
    # a reward margin orders pairs but is no probability: no ECE number, the reason instead
    ece = cal["expected calibration error (10 bins)"]
    assert not ece["defined"] and ece["value"] is None and ece["reason"] == "no probabilities (reward margins are not probabilities)"


def test_agree_on_a_run_with_failed_judgments_says_so_and_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # a review: agree on a run with 44 of 80 judgments failed reported accuracy 0.967 (the clean run: 0.875), left
    # the failures out as "no decision" without a word, and exited 0; on a run whose every call failed it blamed ids
    N = Decision.NONE
    run = tmp_path / "results" / "pairs" / "sim" / "m"
    run.mkdir(parents=True)
    rows = []
    for pid, games in {"p1": ((A, None), (B, None)), "p2": ((A, None), (N, "HTTP 503")), "p3": ((N, "timeout"), (N, "timeout"))}.items():
        judgments = tuple(Judgment(d, game=g, error=e) for g, (d, e) in enumerate(games, start=1))
        rows.append(json.dumps(ItemResult.of_pair(Pair(pid, "q", "a" * 10, "b" * 20, A), "sim", "m", judgments).to_dict()))  # type: ignore[arg-type]
    (run / "judgments.jsonl").write_text("\n".join(rows) + "\n")
    human = tmp_path / "human.csv"
    human.write_text("pair_id,label\np1,A>B\np2,A>B\np3,A>B\n")
    code, out, err = _agree(capsys, "--human", str(human), "--judge", str(tmp_path / "results"), "--resamples", "200")
    assert code == 3, err
    assert "not a clean result: 3 of the judge's 6 judgments failed" in out and "3 of the judge's 6 judgments failed" in err
    code, out, err = _agree(capsys, "--human", str(human), "--judge", str(tmp_path / "results"), "--resamples", "200", "--json")
    assert code == 3 and json.loads(out)["judge"]["failed"] == 3
    # every call failed: no label at all, said as such (not "ids must match")
    rows = [json.loads(r) for r in rows]
    for r in rows:
        r["judgments"] = [dict(g, decision="none", error="HTTP 500") for g in r["judgments"]]
    (run / "judgments.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, _, err = _agree(capsys, "--human", str(human), "--judge", str(tmp_path / "results"), "--resamples", "200")
    assert code == 3 and "all 6 of its 6 judgments failed" in err and "ids must match" not in err
