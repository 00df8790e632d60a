"""`judgebench agree` with a pointwise run as the judge: per-response ratings (``<item_id>/<response index>``, the
mean of the samples), against a rating label file or the items' own ``Ratings`` targets (``--reference target``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as sps

from judgebench.cli import main
from judgebench.schema import Decision, Item, ItemResult, Judgment, Ratings, Response

SYSTEMS = ("sys-a", "sys-b", "sys-c", "sys-d")


def _run(root: Path, judge: dict[str, list[list[float | None]]], humans: dict[str, list[list[float | None]]] | None = None) -> Path:
    """A pointwise results folder: item -> per response, the judge's samples (``None``: a failed sample); the
    items' ``Ratings`` target (per response, per rater) from ``humans``. Response ``i`` is written by ``SYSTEMS[i]``."""
    run = root / "results" / "bench" / "pointwise-judge" / "m"
    run.mkdir(parents=True)
    lines = []
    for iid, per_response in judge.items():
        responses = tuple(Response(f"answer {k}", SYSTEMS[k], f"r{k}") for k in range(len(per_response)))
        target = Ratings({"overall": tuple(tuple(r) for r in humans[iid])}, (1.0, 5.0), ("h1", "h2", "h3")) if humans else None
        item = Item(iid, "question", responses, target)
        judgments = []
        for k, samples in enumerate(per_response):
            for s in samples:
                game = len(judgments) + 1
                judgments.append(Judgment(Decision.NONE, game=game, view=(k,), rating=s) if s is not None else Judgment(Decision.NONE, game=game, view=(k,), error="timeout"))
        lines.append(json.dumps(ItemResult(item, "pointwise-judge", "m", tuple(judgments), "pointwise(samples=3)").to_dict()))
    (run / "judgments.jsonl").write_text("\n".join(lines) + "\n")
    return root / "results"


def _agree(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["agree", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _measures(out: str) -> dict[str, dict]:
    return {f"{m['section']}|{m['name']}": m for m in json.loads(out)["measures"]}


def _data(n_items: int = 12, seed: int = 3) -> tuple[dict[str, list[list[float | None]]], dict[str, list[list[float | None]]]]:
    rng = np.random.default_rng(seed)
    judge: dict[str, list[list[float | None]]] = {}
    humans: dict[str, list[list[float | None]]] = {}
    for i in range(n_items):
        quality = rng.integers(1, 6, len(SYSTEMS))
        judge[f"q{i}"] = [[float(np.clip(q + rng.integers(-1, 2), 1, 5)) for _ in range(3)] for q in quality]
        humans[f"q{i}"] = [[float(np.clip(q + rng.integers(-1, 2), 1, 5)) for _ in range(3)] for q in quality]
    judge["q0"][0] = [4.0, None, 5.0]  # a failed sample: the mean of the other two
    return judge, humans


def test_pointwise_run_against_its_ratings_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    judge, humans = _data()
    res = _run(tmp_path, judge, humans)
    code, out, err = _agree(capsys, "--judge", str(res), "--reference", "target", "--resamples", "200", "--json")
    # one of the 144 samples failed (q0's second, below): the measures use the others, and the run is not clean (exit 3)
    assert code == 3 and "1 of the judge's 144 judgments failed" in err, err
    report = json.loads(out)
    assert report["judge"]["failed"] == 1
    assert report["n_overlap"] == 12 * 4 and report["reference"] == "human mean" and report["human"]["raters"] == 3
    # expected values, computed here from the same numbers: the judge's mean of samples vs the raters' mean
    units = [(iid, k) for iid in judge for k in range(len(SYSTEMS))]
    j = np.array([np.mean([s for s in judge[iid][k] if s is not None]) for iid, k in units])
    r = np.array([np.mean(humans[iid][k]) for iid, k in units])
    assert j[0] == 4.5
    m = _measures(out)
    sec = "judge vs human mean"
    assert m[f"{sec}|Pearson's r"]["value"] == pytest.approx(sps.pearsonr(j, r).statistic)
    assert m[f"{sec}|Spearman's rho"]["value"] == pytest.approx(sps.spearmanr(j, r).statistic)
    assert m[f"{sec}|Kendall's tau-b"]["value"] == pytest.approx(sps.kendalltau(j, r).statistic)
    assert m[f"{sec}|mean absolute error"]["value"] == pytest.approx(np.abs(j - r).mean())
    for name in ("quadratic-weighted kappa", "Krippendorff's alpha (ordinal)", "Krippendorff's alpha (interval)", "ICC(A,1) absolute agreement, single"):
        assert m[f"{sec}|{name}"]["defined"], name  # the scale 1-5 comes from the items' target
    system = [k for k in m if k.startswith("system level (mean rating per system, 4 systems)|")]
    assert len(system) == 4 and all(m[k]["n"] == 4 and m[k]["n_left_out"] is None for k in system)
    js = np.array([j[k :: len(SYSTEMS)].mean() for k in range(len(SYSTEMS))])
    rs = np.array([r[k :: len(SYSTEMS)].mean() for k in range(len(SYSTEMS))])
    assert m["system level (mean rating per system, 4 systems)|Pearson's r of system means"]["value"] == pytest.approx(sps.pearsonr(js, rs).statistic)
    code, text, _ = _agree(capsys, "--judge", str(res), "--reference", "target", "--resamples", "200")
    assert code == 3 and "not a clean result: 1 of the judge's 144 judgments failed" in text and "pointwise results folder" in text and "ICC(A,1)" in text and "nan" not in text.lower()


def test_pointwise_run_against_a_human_rating_file_and_prometheus_protocol(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    judge, humans = _data(seed=5)
    res = _run(tmp_path, judge)
    rows = ["item,rater,rating"] + [f"{iid}/{k},{who},{int(v)}" for iid, per in humans.items() for k, raters in enumerate(per) for who, v in zip(("x", "y", "z"), raters, strict=True)]
    (tmp_path / "h.csv").write_text("\n".join(rows) + "\n")
    code, out, err = _agree(capsys, "--human", str(tmp_path / "h.csv"), "--judge", str(res), "--rating-protocol", "prometheus", "--resamples", "200", "--json")
    assert code == 3 and "1 of the judge's 144 judgments failed" in err, err  # the failed sample, as above
    m = _measures(out)
    units = [(iid, k) for iid in judge for k in range(len(SYSTEMS))]
    j = np.array([np.mean([s for s in judge[iid][k] if s is not None]) for iid, k in units])
    r = np.array([np.mean(humans[iid][k]) for iid, k in units])
    sec = "judge mean vs human mean (Prometheus 2)"
    assert sorted(k.split("|")[1] for k in m if k.startswith(sec)) == ["Kendall's tau-b", "Pearson's r", "Spearman's rho"]
    assert m[f"{sec}|Pearson's r"]["value"] == pytest.approx(sps.pearsonr(j, r).statistic)
    assert m[f"{sec}|Kendall's tau-b"]["value"] == pytest.approx(sps.kendalltau(j, r).statistic)
    code, out, _ = _agree(capsys, "--human", str(tmp_path / "h.csv"), "--judge", str(res), "--resamples", "200", "--json")
    m = _measures(out)
    assert not m["judge vs human mean|quadratic-weighted kappa"]["defined"] and "scale" in m["judge vs human mean|quadratic-weighted kappa"]["reason"]
    code, out, _ = _agree(capsys, "--human", str(tmp_path / "h.csv"), "--judge", str(res), "--resamples", "200", "--json", "--scale", "1-5")
    assert _measures(out)["judge vs human mean|quadratic-weighted kappa"]["defined"]


def test_single_response_items_use_index_zero_and_bad_reference_options_are_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    res = _run(tmp_path, {f"q{i}": [[float(1 + i % 5)]] for i in range(6)})
    (tmp_path / "h.csv").write_text("item,rating\n" + "".join(f"q{i}/0,{1 + (i + 1) % 5}\n" for i in range(6)))
    code, out, err = _agree(capsys, "--human", str(tmp_path / "h.csv"), "--judge", str(res), "--resamples", "100", "--json")
    assert code == 0, err
    assert json.loads(out)["n_overlap"] == 6
    code, _, err = _agree(capsys, "--judge", str(res), "--reference", "target")
    assert code == 2 and "no item in this run carries a ratings target" in err
    code, _, err = _agree(capsys, "--judge", str(res))
    assert code == 2 and "--reference target" in err
    code, _, err = _agree(capsys, "--human", str(tmp_path / "h.csv"), "--judge", str(res), "--reference", "target")
    assert code == 2 and "give one of them" in err
