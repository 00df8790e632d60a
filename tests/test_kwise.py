"""``judgebench kwise``: K-wise Plackett-Luce rankings of systems vs pairwise Bradley-Terry at the same budget.

The planted effect: four systems s0 > s1 > s2 > s3 with Plackett-Luce log-strengths THETA (mean 0), written into
their responses' text (``responder_kwise.tag``). The simulated judge (``testing/responder_kwise.py``) answers the
``kwise_ranking`` prompt with a Plackett-Luce ranking and the ``vanilla`` pairwise prompt with a Bradley-Terry
verdict drawn from those strengths. Both runs go through the runner and the fake server: N prompts, one K-wise call
per prompt (one rotation of the four responses) and one pairwise call per prompt (the prompt's one pair, the six
pairs of systems in turn, one order), so both make N calls.

Expected values are derived from the planted model alone (``fisher_se``): the expected Fisher information per call
of a full Plackett-Luce ranking of the four (summed over its 3 choice stages, averaged over the 24 orders with
their probabilities) and of one Bradley-Terry comparison of a pair drawn evenly from the six; the standard errors
of the mean-0 skills are sqrt(diag(C pinv(N I) C)), C the centring matrix. For THETA they are about 1.12/sqrt(N)
(K-wise) and 2.26/sqrt(N) (pairwise): at the same budget a K-wise call is worth about four pairwise ones here, so
the K-wise ranking is the more stable. The expected Kendall tau of a resample against the full fit follows from
the normal approximation: each pair of systems swaps with probability Phi(-gap / se(gap)), and tau = 1 - 2 x the
share of swapped pairs.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from judgebench.analysis.kwise import (
    BT_METHOD,
    PL_METHOD,
    compare_kwise_pairwise,
    fit_kwise,
    kendall_tau_b,
    plackett_luce,
)
from judgebench.benchmarks import _REGISTRY as BENCHMARKS
from judgebench.benchmarks import Benchmark, register_benchmark
from judgebench.run.runner import RunSpec, run
from judgebench.schema import BestOf, Item, Preference, Response
from judgebench.testing.fake_server import FakeConfig, FakeJudgeServer
from judgebench.testing.responder_kwise import plackett_luce_draw, tag

SYSTEMS = ("s0", "s1", "s2", "s3")
THETA = np.array([0.75, 0.25, -0.25, -0.75])  # planted log-strengths, mean 0: s0 > s1 > s2 > s3
N = 300  # prompts; judge calls per method
PAIRS = list(itertools.combinations(range(4), 2))
RESAMPLES = 2000


def fisher_se(theta: np.ndarray, design: str) -> np.ndarray:
    """Covariance per call of the mean-0 MLE under ``design`` (``kwise``: a full Plackett-Luce ranking of all;
    ``pairwise``: one Bradley-Terry comparison of a pair drawn evenly from all pairs), from the planted model."""
    m = len(theta)
    w = np.exp(theta)
    info = np.zeros((m, m))
    if design == "kwise":
        for perm in itertools.permutations(range(m)):
            p, left, j = 1.0, list(range(m)), np.zeros((m, m))
            for c in perm[:-1]:
                q = np.zeros(m)
                q[left] = w[left] / w[left].sum()
                p *= q[c]
                j += np.diag(q) - np.outer(q, q)  # multinomial-logit information of one choice among those left
                left.remove(c)
            info += p * j
    else:
        for i, k in itertools.combinations(range(m), 2):
            p = 1 / (1 + math.exp(theta[k] - theta[i]))
            e = np.zeros(m)
            e[i], e[k] = 1, -1
            info += p * (1 - p) * np.outer(e, e) / (m * (m - 1) / 2)
    centre = np.eye(m) - 1 / m
    return centre @ np.linalg.pinv(info) @ centre


def expected_tau(fitted: np.ndarray, cov: np.ndarray) -> float:
    """E[Kendall tau] between a resample and the fit, each pair of systems swapping with Phi(-gap / se(gap))."""
    swaps = []
    for i, k in itertools.combinations(range(len(fitted)), 2):
        se = math.sqrt(cov[i, i] + cov[k, k] - 2 * cov[i, k])
        swaps.append(0.5 * math.erfc(abs(fitted[i] - fitted[k]) / se / math.sqrt(2)))
    return 1 - 2 * float(np.mean(swaps))


def _kwise_items() -> list[Item]:
    rng = np.random.default_rng(7)
    items = []
    for p in range(N):
        shown = rng.permutation(4)
        responses = tuple(Response(f"Answer {p} from {SYSTEMS[s]}. {tag(SYSTEMS[s], THETA[s])}", SYSTEMS[s], SYSTEMS[s]) for s in shown)
        items.append(Item(f"k{p:04d}", f"Question {p}: explain sorting.", responses, BestOf((int(np.argmax(shown == 0)),)), category="kwise"))
    return items


def _pair_items() -> list[Item]:
    items = []
    for p in range(N):
        i, k = PAIRS[p % len(PAIRS)]
        if (p // len(PAIRS)) % 2:
            i, k = k, i  # alternate which system is shown first
        responses = tuple(Response(f"Answer {p} from {SYSTEMS[s]}. {tag(SYSTEMS[s], THETA[s])}", SYSTEMS[s], SYSTEMS[s]) for s in (i, k))
        items.append(Item(f"p{p:04d}", f"Question {p}: explain sorting.", responses, Preference(0 if i < k else 1), category="pairs"))
    return items


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """The K-wise run (kwise_ranking, one rotation) and the pairwise run (vanilla, one order) on the fake server."""
    register_benchmark(
        Benchmark("kwisesim", "test only", "nowhere", "none", lambda split, _dir: _kwise_items() if split == "kwise" else _pair_items(), splits=("kwise", "pairs"), default_split="kwise")
    )
    tmp = tmp_path_factory.mktemp("kwise")
    try:
        with FakeJudgeServer(FakeConfig(seed=3)) as server:
            common = {"model": "openai:fake", "base_url": server.base_url, "results_dir": str(tmp), "progress": False, "cache": False, "concurrency": 16}
            kw = run(RunSpec(data="kwisesim:kwise", judge="kwise_ranking", rotations=1, **common))  # type: ignore[arg-type]
            pw = run(RunSpec(data="kwisesim:pairs", judge="vanilla", orders="first", **common))  # type: ignore[arg-type]
        yield kw.out_dir, pw.out_dir
    finally:
        BENCHMARKS.pop("kwisesim", None)


def _results(out_dir: Path) -> list:
    from judgebench.analysis.replay import read_judgment_file

    return list(read_judgment_file(out_dir / "judgments.jsonl").results)


def test_plackett_luce_mm_recovers_strengths_of_simulated_rankings() -> None:
    """The MM fit alone, on 4000 rankings drawn by the responder's sampler: within 4 standard errors of THETA."""
    rng = np.random.default_rng(0)
    items = [(f"i{n}", 1, [tuple(SYSTEMS[i] for i in plackett_luce_draw(list(THETA), list(rng.random(4))))]) for n in range(4000)]
    fit = fit_kwise(items, n_resamples=200)
    se = np.sqrt(np.diag(fisher_se(THETA, "kwise")) / 4000)
    assert fit.order() == SYSTEMS
    assert np.all(np.abs(fit.skills - THETA) < 4 * se)


def test_plackett_luce_undefined_without_strong_connection() -> None:
    """s0 always first: no finite MLE (its strength grows without bound), so the fit is NaN with a reason."""
    items: list[tuple[str, int, list[tuple[str, ...]]]] = [("a", 1, [("s0", "s1", "s2")]), ("b", 1, [("s0", "s2", "s1")])]
    fit = fit_kwise(items, n_resamples=50)
    assert fit.reason is not None and "no finite" in fit.reason and np.isnan(fit.skills).all()


def test_plackett_luce_with_two_is_bradley_terry() -> None:
    """K = 2: s0 beats s1 3 times of 4, so w0 / w1 = 3 and the mean-0 skills are +-ln(3)/2."""
    members = np.array([[1.0, 1.0]])
    counts = np.array([[3.0, 1.0]])  # stage types: s0 chosen from {s0, s1}, s1 chosen from {s0, s1}
    theta = plackett_luce(counts, np.vstack([members, members]), np.array([0, 1]), np.array([[[0, 3], [1, 0]]], dtype=float))
    assert theta[0] == pytest.approx([math.log(3) / 2, -math.log(3) / 2], abs=1e-6)


def test_kendall_tau_b() -> None:
    assert kendall_tau_b(np.array([[1, 2, 3], [3, 2, 1], [1, 3, 2]]), np.array([1, 2, 3])) == pytest.approx([1, -1, 1 / 3])


def test_kwise_recovers_planted_ranking_and_is_more_stable_than_pairwise_at_same_budget(runs: tuple[Path, Path]) -> None:
    kw_dir, pw_dir = runs
    report = compare_kwise_pairwise(_results(kw_dir), _results(pw_dir), n_resamples=RESAMPLES, seed=0)
    kw, pw = report.kwise, report.pairwise
    assert pw is not None
    assert (kw.method, pw.method) == (PL_METHOD, BT_METHOD)
    assert kw.calls == pw.calls == N and kw.comparisons == N and pw.comparisons == N  # same budget, nothing cut
    assert report.notes == (f"same budget: both runs made {N} judge calls",)
    cov_kw, cov_pw = fisher_se(THETA, "kwise") / N, fisher_se(THETA, "pairwise") / N
    se_kw, se_pw = np.sqrt(np.diag(cov_kw)), np.sqrt(np.diag(cov_pw))
    # the planted order is recovered, and the skills lie within 3 predicted standard errors of the planted ones
    assert kw.order() == SYSTEMS
    assert np.all(np.abs(kw.skills - THETA) < 3 * se_kw)
    assert np.all(np.abs(pw.skills - THETA) < 3 * se_pw)
    # the bootstrap intervals have the width the planted model predicts (2 x 1.96 se), within 25%
    for fit, se in ((kw, se_kw), (pw, se_pw)):
        widths = np.array([ci.high - ci.low for ci in fit.intervals if ci is not None])
        assert widths.shape == (4,)
        np.testing.assert_allclose(widths / (2 * 1.96 * se), 1.0, atol=0.25)
    # stability: the expected tau from the normal approximation, and K-wise above pairwise as derived
    tau_kw, tau_pw = kw.tau_mean, pw.tau_mean
    assert tau_kw is not None and tau_pw is not None
    assert tau_kw == pytest.approx(expected_tau(kw.skills, cov_kw), abs=0.05)
    assert tau_pw == pytest.approx(expected_tau(pw.skills, cov_pw), abs=0.05)
    assert tau_kw > tau_pw


def test_budget_is_matched_by_cutting_the_larger_run(runs: tuple[Path, Path]) -> None:
    kw_dir, pw_dir = runs
    pairwise = _results(pw_dir)[: N // 2]
    report = compare_kwise_pairwise(_results(kw_dir), pairwise, n_resamples=100)
    assert report.kwise.calls == report.pairwise.calls == N // 2 if report.pairwise else False
    assert report.kwise.calls_available == N and "K-wise run was cut to its first 150 of 300 items" in report.notes[0]


def test_kwise_command_table_json_and_figure(runs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from judgebench.cli import main

    kw_dir, pw_dir = runs
    fig = tmp_path / "kwise.png"
    assert main(["kwise", str(kw_dir), "--pairwise", str(pw_dir), "--resamples", "300", "--figure", str(fig)]) == 0
    out = capsys.readouterr().out
    assert "| method | rank | system | skill | 95% CI |" in out and "Kendall tau" in out and fig.stat().st_size > 1000
    assert main(["kwise", str(kw_dir), "--pairwise", str(pw_dir), "--resamples", "300", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [f["method"] for f in data["fits"]] == [PL_METHOD, BT_METHOD]
    assert [r["system"] for r in data["fits"][0]["systems"]] == list(SYSTEMS)


def test_kwise_html_section(runs: tuple[Path, Path]) -> None:
    from judgebench.reports.leaderboard import LoadedRun
    from judgebench.reports.section_kwise import kwise_section

    kw_dir, pw_dir = runs
    loaded = [LoadedRun({"judge": "kwise_ranking", "model": "fake"}, tuple(_results(kw_dir))), LoadedRun({"judge": "vanilla", "model": "fake"}, tuple(_results(pw_dir)))]
    section = kwise_section(loaded)
    assert section is not None and section.id == "kwise"
    assert section.tables[0].header[:3] == ("method", "rank", "system") and section.figures and section.figures[0][0][:4] == b"\x89PNG"
    assert kwise_section(loaded[1:]) is None
