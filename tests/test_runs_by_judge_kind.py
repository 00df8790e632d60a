"""The runner picks the protocol from the benchmark and the judge's kind, refuses what it cannot score before any
call, and scores each kind (``run(RunSpec(...))`` with test judges of each kind on a test benchmark)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from judgebench.benchmarks import _REGISTRY as BENCHMARKS
from judgebench.benchmarks import Benchmark, register_benchmark
from judgebench.errors import InputError
from judgebench.judges import _REGISTRY as JUDGES
from judgebench.judges import JudgeContext, list_judges, register_judge
from judgebench.run.runner import RunSpec, run
from judgebench.schema import BestOf, Decision, Item, Judgment, Preference, Ratings, Response


class LengthRater:
    """Pointwise: rates a response by its length in characters."""

    kind: ClassVar[str] = "pointwise"
    order_invariant = True
    name = "test_rater"

    async def judge(self, context: JudgeContext, response: str) -> Judgment:
        return Judgment(Decision.NONE, rating=float(len(response)))


class Picker:
    """Listwise: picks the longest response (``pick="longest"``) or always the first shown (``pick="first"``)."""

    kind: ClassVar[str] = "listwise"
    order_invariant = False
    name = "test_picker"

    def __init__(self, pick: str) -> None:
        self.pick = pick

    async def judge(self, context: JudgeContext, *responses: str) -> Judgment:
        pos = 0 if self.pick == "first" else max(range(len(responses)), key=lambda p: len(responses[p]))
        return Judgment(Decision.NONE, choice=pos)


@pytest.fixture(scope="module")
def kinds() -> Iterator[None]:
    """Registers the test judges ``test_rater`` (pointwise) and ``test_picker`` (listwise), and ``kindbench``:

    * ``pair``: 4 pairs, label 0 on p0-p2 and 1 on p3; response 0 is always the longer;
    * ``best``: three responses each: b0 (a, bb, ccc) correct 2; b1 (ccc, bb, a) correct 1; b2 (aa, bb, c) correct 0;
    * ``two``: b0 with two correct responses (1, 2);
    * ``rated``: one item of two responses, target ratings 1 and 4.
    """
    list_judges()  # discovery first, so the registrations here are not overwritten
    register_judge("test_rater", "test only", needs_model=False, backend="none", kind="pointwise")(lambda backend=None: LengthRater())
    register_judge("test_picker", "test only", needs_model=False, backend="none", kind="listwise")(lambda backend=None, pick="longest": Picker(pick))

    def load(split: str, data_dir: Path | None) -> list[Item]:
        if split == "pair":
            return [Item(f"p{i}", "q?", (Response("x" * (i + 2)), Response("y")), Preference(0 if i < 3 else 1), category="pairs") for i in range(4)]
        if split == "best":
            texts = [("a", "bb", "ccc"), ("ccc", "bb", "a"), ("aa", "bb", "c")]
            return [Item(f"b{i}", "q?", tuple(Response(t) for t in ts), BestOf((c,)), category="best") for i, (ts, c) in enumerate(zip(texts, (2, 1, 0), strict=True))]
        if split == "two":
            return [Item("b0", "q?", (Response("a"), Response("bb"), Response("ccc")), BestOf((1, 2)), category="best")]
        return [Item("r0", "q?", (Response("a"), Response("bbbb")), Ratings({"overall": ((1.0,), (4.0,))}, (1.0, 5.0)), category="rated")]

    register_benchmark(Benchmark("kindbench", "test only", "nowhere", "none", load, splits=("pair", "best", "two", "rated"), default_split="pair"))
    yield
    BENCHMARKS.pop("kindbench", None)
    for name in ("test_rater", "test_picker"):
        JUDGES.pop(name, None)


def _spec(data: str, results: Path, judge: str, **kw: object) -> RunSpec:
    return RunSpec(data=data, judge=judge, results_dir=str(results), progress=False, **kw)  # type: ignore[arg-type]


def _views(out_dir: Path) -> list[list[tuple[int, ...]]]:
    return [[tuple(j["view"]) for j in json.loads(line)["judgments"]] for line in (out_dir / "judgments.jsonl").read_text().splitlines()]


def test_pointwise_judge_on_a_pairwise_benchmark_is_lifted(tmp_path: Path, kinds: None) -> None:
    out = run(_spec("kindbench:pair", tmp_path, "test_rater"))
    # one view per response; the longer response 0 rates higher on every pair: right on p0-p2, wrong on p3: 75%
    assert out.run_info["protocol"] == "pointwise(samples=1)" and _views(out.out_dir)[0] == [(0,), (1,)]
    assert out.metrics.accuracy == 75.0 and out.metrics.position_consistency is None and out.metrics.n_no_decision == 0
    assert "margin 0" in out.metrics.extra["scoring"]["preference+pointwise"]
    assert out.out_dir.parent.name == "test_rater"  # its default protocol: no tag
    with pytest.raises(InputError, match="--orders does not apply to judge 'test_rater', a pointwise judge"):
        run(_spec("kindbench:pair", tmp_path, "test_rater", orders="first"))


def test_pairwise_judge_on_best_of_k_plays_target_vs_each_or_a_round_robin(tmp_path: Path, kinds: None) -> None:
    rmb = run(_spec("kindbench:best", tmp_path, "longer"))
    assert rmb.run_info["protocol"] == "pairwise(orders=both, pairs=target_vs_each)"
    assert _views(rmb.out_dir)[0] == [(2, 0), (0, 2), (2, 1), (1, 2)]
    # RMB: b0: ccc beats a and bb: 1; b1: bb loses to ccc: 0; b2: aa ties bb (equal lengths): 0. 1 of 3
    assert rmb.metrics.accuracy == pytest.approx(100 / 3) and "intransitivity" not in rmb.metrics.extra
    rr = run(_spec("kindbench:best", tmp_path, "longer", pairs="all"))
    assert rr.out_dir.parent.name == "longer@pairs=all" and rr.run_info["protocol"] == "pairwise(orders=both, pairs=all)"
    # round robin by length: b0 wins (0, 1, 2): best 2, credit 1; b1 wins (2, 1, 0): best 0, credit 0;
    # b2: aa = bb (1/2 each), both beat c: wins (1.5, 1.5, 0), best {0, 1}, credit 1/2. (1 + 0 + 1/2) / 3 = 50%.
    # Triples fully decided without a tie: b0 and b1, both transitive: 0 of 2; no item with a cycle
    assert rr.metrics.accuracy == pytest.approx(50.0)
    intr = rr.metrics.extra["intransitivity"]
    assert (intr["items"], intr["triples"], intr["intransitive_triples"], intr["items_with_cycle"]) == (3, 2, 0, 0)
    # an order-invariant pairwise judge runs one order, as today (the reward model's rule)
    assert run(_spec("kindbench:best", tmp_path, "longer", games=1)).run_info["protocol"] == "pairwise(orders=first, pairs=target_vs_each)"


def test_pointwise_judge_on_best_of_k_uses_rewardbench2_ties(tmp_path: Path, kinds: None) -> None:
    out = run(_spec("kindbench:best", tmp_path, "test_rater"))
    # ratings = lengths: b0 (1, 2, 3) best 2: 1; b1 (3, 2, 1) best 0: 0; b2 (2, 2, 1) aa and bb tied at the top,
    # the correct aa among them: 1/2. (1 + 0 + 1/2) / 3 = 50%
    assert out.metrics.accuracy == pytest.approx(50.0) and out.metrics.categories == {"best": pytest.approx(50.0)}


def test_listwise_judge_accuracy_and_position_bias(tmp_path: Path, kinds: None) -> None:
    longest = run(_spec("kindbench:best", tmp_path, "test_picker"))
    assert longest.run_info["protocol"] == "listwise(rotations=all)"
    assert _views(longest.out_dir)[0] == [(0, 1, 2), (1, 2, 0), (2, 0, 1)]
    # the longest is picked wherever shown: b0 (ccc, correct) 3 of 3; b1 (ccc, wrong) 0 of 3; b2 (aa and bb are
    # equally long: max takes the first shown: view (0, 1, 2) picks aa (right), (1, 2, 0) bb, (2, 0, 1) aa (right))
    # 2 of 3. Accuracy (1 + 0 + 2/3) / 3 = 55.56%
    assert longest.metrics.accuracy == pytest.approx(100 * 5 / 9)
    # positions picked: b0 ccc at 2, 1, 0; b1 ccc at 0, 2, 1; b2 aa at 0, bb at 0, aa at 1: counts (4, 3, 2) of 9
    pb = longest.metrics.extra["position_bias"]
    assert pb["counts"] == [4, 3, 2] and pb["shares"] == pytest.approx([4 / 9, 3 / 9, 2 / 9])
    first = run(_spec("kindbench:best", tmp_path, "test_picker", judge_options={"pick": "first"}))
    # always position 0: each item's three rotations put each response first once: 1/3 each; all 9 choices at 0:
    # chi2 = (9-3)^2/3 + 2 * (0-3)^2/3 = 12 + 6 = 18, p = exp(-9)
    assert first.metrics.accuracy == pytest.approx(100 / 3)
    assert first.metrics.extra["position_bias"]["chi2"] == pytest.approx(18.0)
    assert first.metrics.extra["position_bias"]["p_value"] == pytest.approx(math.exp(-9))
    two = run(_spec("kindbench:best", tmp_path, "test_picker", rotations=2))
    assert two.out_dir.parent.name == "test_picker@rotations=2,seed=0" and all(len(v) == 2 for v in _views(two.out_dir))


def test_what_cannot_be_scored_is_refused_before_any_call(tmp_path: Path, kinds: None) -> None:
    with pytest.raises(InputError, match="item 'r0' has 2 responses and ratings: .*not a pairwise judge.*nothing was judged"):
        run(_spec("kindbench:rated", tmp_path, "longer"))
    with pytest.raises(InputError, match="--rotations does not apply"):
        run(_spec("kindbench:best", tmp_path, "longer", rotations=2))
    assert not any(tmp_path.rglob("judgments.jsonl*"))
    # two correct responses (bb, ccc) against the incorrect one (a): each correct one is judged against it, and the
    # credit is the share of those pairs won: both longer than "a", 2 of 2 = 100%
    two = run(_spec("kindbench:two", tmp_path / "two", "longer"))
    assert two.metrics.accuracy == 100.0 and sorted(tuple(sorted(v)) for v in _views(two.out_dir)[0]) == [(0, 1), (0, 1), (0, 2), (0, 2)]
    # with --pairs all, two correct responses are scored: b0's round robin best is ccc (2), which is correct: 100%
    assert run(_spec("kindbench:two", tmp_path, "longer", pairs="all")).metrics.accuracy == 100.0


def test_ratings_with_a_pointwise_judge_have_no_accuracy(tmp_path: Path, kinds: None) -> None:
    out = run(_spec("kindbench:rated", tmp_path, "test_rater"))
    assert math.isnan(out.metrics.accuracy)
    assert out.metrics.extra["ratings"]["items"][0]["judge"] == [1.0, 4.0] and out.metrics.extra["ratings"]["items"][0]["target"] == [1.0, 4.0]
    json.loads((out.out_dir / "metrics.json").read_text())  # written and readable


def test_bench_flags_reach_the_run(tmp_path: Path, kinds: None, capsys: pytest.CaptureFixture[str]) -> None:
    from judgebench.cli import main

    assert main(["bench", "--benchmark", "kindbench:best", "--judge", "longer", "--pairs", "all", "--results-dir", str(tmp_path), "--no-progress", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["accuracy"] == pytest.approx(50.0)
    assert main(["bench", "--benchmark", "kindbench:best", "--judge", "test_picker", "--rotations", "1", "--results-dir", str(tmp_path), "--no-progress"]) == 0
    assert (tmp_path / "kindbench-best" / "test_picker@rotations=1,seed=0").is_dir()
    with pytest.raises(SystemExit):
        main(["bench", "--benchmark", "kindbench:best", "--judge", "test_picker", "--rotations", "0"])


def test_score_and_leaderboard_read_every_kind_of_run(tmp_path: Path, kinds: None, capsys: pytest.CaptureFixture[str]) -> None:
    """Runs of best-of-K items (listwise, pointwise, pairwise target_vs_each) and of a lifted pointwise judge read
    back in ``score`` and ``leaderboard`` with the accuracy ``bench`` computed (rescored from judgments.jsonl)."""
    import json

    from judgebench.cli import main

    runs = [
        run(_spec("kindbench:best", tmp_path, "test_picker")),
        run(_spec("kindbench:best", tmp_path, "test_rater")),
        run(_spec("kindbench:best", tmp_path, "longer")),
        run(_spec("kindbench:pair", tmp_path, "test_rater")),
    ]
    for out in runs:
        capsys.readouterr()
        assert main(["score", str(out.out_dir), "--json"]) == 0
        (row,) = json.loads(capsys.readouterr().out)
        assert row["overall"] == pytest.approx(out.metrics.accuracy), out.out_dir
    capsys.readouterr()
    assert main(["leaderboard", str(tmp_path), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert sorted(round(r["overall"], 6) for r in rows if r.get("judge") != "random choice (expected)") == sorted(round(o.metrics.accuracy, 6) for o in runs)


def test_bias_probes_report_and_figures_read_every_kind_of_run(tmp_path: Path, kinds: None, capsys: pytest.CaptureFixture[str]) -> None:
    """``score --bias``, ``report`` and ``plot all`` on pointwise, listwise and best-of runs (alone and mixed with a
    pairwise run) finish: the pairwise probes and the pair browser read only pairs judged pairwise, and a run with
    none says so instead of crashing (issue 14 review)."""
    from judgebench.cli import main

    runs = [
        run(_spec("kindbench:best", tmp_path / "r", "test_picker")),
        run(_spec("kindbench:pair", tmp_path / "r", "test_rater")),
        run(_spec("kindbench:rated", tmp_path / "r", "test_rater")),
        run(_spec("kindbench:pair", tmp_path / "r", "longer")),
    ]
    for out in runs[:3]:
        capsys.readouterr()
        assert main(["score", str(out.out_dir), "--bias"]) == 0
        assert "none; they read pairs judged pairwise" in capsys.readouterr().out
        assert main(["report", str(out.out_dir), "-o", str(tmp_path / "one.html")]) == 0
    assert main(["score", str(runs[3].out_dir), "--bias"]) == 0 and "position" in capsys.readouterr().out.lower()
    assert main(["report", str(tmp_path / "r"), "-o", str(tmp_path / "all.html")]) == 0
    assert main(["plot", "all", str(tmp_path / "r"), "-o", str(tmp_path / "plots")]) == 0
    capsys.readouterr()
    # the listwise run's score shows its position bias; the ratings run its correlations (valid JSON, no NaN)
    assert main(["score", str(runs[0].out_dir)]) == 0 and "Position bias" in capsys.readouterr().out
    assert main(["score", str(runs[2].out_dir), "--json"]) == 0
    import json

    (row,) = json.loads(capsys.readouterr().out)  # strict JSON: NaN would not parse back as a number
    assert row["overall"] is None


def test_scale_measures_of_reward_scores_are_undefined() -> None:
    """A reward model's scores are not on the reference's scale: only the correlations compare them."""
    from judgebench.analysis.best_of import ratings_agreement
    from judgebench.schema import ItemResult

    items = [Item(f"r{i}", "q?", (Response("a", "m1"), Response("b", "m2")), Ratings({"overall": ((1.0 + i,), (5.0 - i,))}, (1.0, 5.0))) for i in range(4)]
    results = [ItemResult(it, "rm", "m", (Judgment(Decision.NONE, rating=10.0 * i, score_kind="reward", view=(0,)), Judgment(Decision.NONE, rating=-3.0 * i, score_kind="reward", view=(1,))), "pointwise(samples=1)") for i, it in enumerate(items)]
    ratings = [((10.0 * i, -3.0 * i), (1.0 + i, 5.0 - i)) for i in range(4)]
    out = ratings_agreement(results, ratings, n_resamples=200, seed=0)
    assert out is not None and out["item/pearson"]["defined"] and not out["item/mae"]["defined"] and not out["item/icc"]["defined"]
    assert "not on the reference's scale" in out["item/qwk"]["reason"]
