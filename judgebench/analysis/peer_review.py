"""Peer-review juries: judges admitted by a qualification exam, their verdicts put to a reliability-weighted vote.

After PRE (Chu et al. 2024, "PRE: A Peer Review Based Large Language Model Evaluator", arXiv 2401.15641): candidate
evaluators first sit a *qualification exam* on human-labelled items; those whose exam performance passes a threshold
become reviewers, and the final verdict is a vote of the reviewers weighted by their exam performance. No official
code of PRE could be fetched for this module, so the exact rules below are ours and stated as such:

* **Exam slice.** The items every candidate judged (pairs with a preference, judged pairwise) are split, seeded and
  stratified by category, into an exam slice (``exam``: a fraction in (0, 1) or a number of items) and an evaluation
  slice. Each category gives ``round(share * n_category)`` items (at least one when the category has two or more),
  so the exam mirrors the category mix. The exam slice is *never scored again*: every number of the evaluation
  report is computed on the evaluation slice only (no leakage of the admission into the comparison).
* **Verdict per item.** A candidate's verdict on an item is its views read back into the item's frame and reduced
  with the scoring rule (``protocols.REDUCERS``; the sign of ``average``'s mean); a member is right on the item when
  that verdict equals the label (0/1, so McNemar's exact test applies; under ``average`` an inconsistent pair is a
  tie, which is wrong against a winner label).
* **Admission.** On the exam, accuracy (percentile-bootstrap 95% CI, ``metrics.stats.bootstrap_mean_ci``) or
  Cohen's kappa against the labels (``metrics.agreement.cohen_kappa``). A candidate is admitted when the *lower
  bound* of the CI of the chosen measure is above the threshold (``basis="lower"``, the default): a small exam lets a
  coin-flipping judge pass a point-estimate threshold by luck (with 40 exam items a 55% judge shows >= 60% about a
  third of the time), and the lower bound asks for evidence that it is above the bar. ``basis="point"`` is PRE's
  reading (the exam score itself against the threshold).
* **Weights.** The log-odds of the member's exam accuracy, ``w = log(p / (1 - p))`` with ``p = (k + 1) / (n + 2)``
  (Laplace's rule, so a perfect exam gets a finite weight): the weights of the optimal weighted majority of
  independent voters with accuracies ``p_i`` (Nitzan & Paroush 1982, "Optimal decision rules in uncertain
  dichotomous choice situations", International Economic Review 23(2); Grofman, Owen & Feld 1983). A member at or
  below 50% gets weight 0 (it would vote backwards), so it never counts even when a low threshold admits it.
* **Jury.** Per evaluation item, the weighted plurality of the admitted members' verdicts (``judges.jury.vote``: no
  decision abstains, a tie for first is ``A=B``). It is compared with each candidate and with the unweighted
  majority of *all* candidates, by accuracy (bootstrap CI) and McNemar's exact test on the per-item correctness
  (``metrics.stats.mcnemar_exact``).

Members come from several runs on the same items (one per candidate judge) or from one ``jury`` run, whose
judgments keep each member's judgment in ``extra.members`` (:func:`jury_members`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from ..errors import InputError
from ..protocols import VALUE, get_reducer
from ..schema import Decision, ItemResult, Judgment
from .scoring import is_pairwise_pair, original_frame, result_category

logger = logging.getLogger(__name__)

Measure = Literal["accuracy", "kappa"]
Basis = Literal["lower", "point"]
DEFAULT_EXAM = 0.2
DEFAULT_THRESHOLD = 60.0


@dataclass(frozen=True)
class Admission:
    """One candidate's exam result and the admission decision.

    Attributes:
        member: the candidate's name.
        n: exam items it was scored on.
        accuracy: exam accuracy in % with its 95% CI (``ci``, in %).
        kappa: Cohen's kappa vs the labels on the exam (None when undefined) with its CI (``kappa_ci``).
        admitted: whether it joins the jury.
        weight: its vote's weight (0 when not admitted).
        reason: why it was (not) admitted, in words.
    """

    member: str
    n: int
    accuracy: float
    ci: tuple[float, float]
    kappa: float | None
    kappa_ci: tuple[float, float] | None
    admitted: bool
    weight: float
    reason: str


@dataclass(frozen=True)
class Comparison:
    """An evaluated verdict-maker (a member, the unweighted majority, the jury) on the evaluation slice, with the
    paired McNemar test of the jury against it (``b``: items only the jury got right, ``c``: only this one)."""

    name: str
    kind: Literal["member", "majority", "jury"]
    accuracy: float
    ci: tuple[float, float]
    b: int | None = None
    c: int | None = None
    p_value: float | None = None


@dataclass(frozen=True)
class PeerReview:
    """The whole report: the settings, the split, the admission table and the evaluation comparisons."""

    measure: Measure
    threshold: float
    basis: Basis
    rule: str
    seed: int
    exam_ids: tuple[str, ...]
    eval_ids: tuple[str, ...]
    admissions: tuple[Admission, ...]
    comparisons: tuple[Comparison, ...]
    notes: tuple[str, ...] = ()
    correct: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    @property
    def admitted(self) -> list[str]:
        return [a.member for a in self.admissions if a.admitted]

    def to_dict(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "threshold": self.threshold,
            "basis": self.basis,
            "rule": self.rule,
            "seed": self.seed,
            "n_exam": len(self.exam_ids),
            "n_eval": len(self.eval_ids),
            "exam_ids": list(self.exam_ids),
            "admissions": [a.__dict__ for a in self.admissions],
            "evaluation": [c.__dict__ for c in self.comparisons],
            "notes": list(self.notes),
        }


def jury_members(results: Sequence[ItemResult]) -> dict[str, list[ItemResult]]:
    """Each member's results from a ``jury`` run: its judgment (``extra.members``) on each view, on the jury
    judgment's view. Empty when the results hold no members."""
    out: dict[str, list[ItemResult]] = {}
    for r in results:
        per: dict[str, list[Judgment]] = {}
        for j in r.judgments:
            for m in j.extra.get("members") or ():
                label = str(m.get("member", "?"))
                d = {k: v for k, v in m.items() if k not in ("member", "weight")}
                per.setdefault(label, []).append(Judgment.from_dict(d).on_view(j.game, j.shown))
        for label, js in per.items():
            out.setdefault(label, []).append(replace(r, judge=label, judgments=tuple(js)))
    return out


def _decision(value: float) -> Decision:
    if math.isnan(value):
        return Decision.NONE
    return Decision.A_BETTER if value > 0 else Decision.B_BETTER if value < 0 else Decision.TIE


def member_verdicts(results: Sequence[ItemResult], rule: str = "vote") -> dict[str, Decision]:
    """Each pairwise pair's verdict in the item's frame, reduced with ``rule``: item id -> decision."""
    reducer = get_reducer(rule)
    return {r.item_id: _decision(reducer.verdict(original_frame(r))) for r in results if is_pairwise_pair(r)}


def exam_split(categories: Mapping[str, str], exam: float, *, seed: int = 0) -> tuple[list[str], list[str]]:
    """Split item ids into (exam, evaluation), seeded and stratified by category (``categories``: id -> category).

    ``exam`` in (0, 1) is a fraction; ``exam >= 1`` a number of items, spread over the categories in proportion.

    Raises:
        InputError: for a share that leaves no exam or no evaluation item.
    """
    ids = sorted(categories)
    n = len(ids)
    share = exam if 0 < exam < 1 else exam / n if n else 0.0
    if not 0 < share < 1:
        raise InputError(
            f"--exam {exam!r} leaves no exam or no evaluation item of {n}; give a fraction in (0, 1) or a count below {n}",
            field="--exam",
        )
    rng = np.random.default_rng(seed)
    chosen: list[str] = []
    for cat in sorted(set(categories.values())):
        members = [i for i in ids if categories[i] == cat]
        k = int(round(share * len(members)))
        if k == 0 and len(members) >= 2:
            k = 1
        chosen += [members[i] for i in rng.permutation(len(members))[:k]]
    exam_set = set(chosen)
    exam_ids, eval_ids = [i for i in ids if i in exam_set], [i for i in ids if i not in exam_set]
    if not exam_ids or not eval_ids:
        raise InputError(f"--exam {exam!r} leaves no exam or no evaluation item of {n}", field="--exam")
    return exam_ids, eval_ids


def log_odds_weight(k: int, n: int) -> float:
    """``log(p / (1 - p))`` with ``p = (k + 1) / (n + 2)``, floored at 0 (a member no better than chance gets no vote)."""
    p = (k + 1) / (n + 2)
    return max(0.0, math.log(p / (1 - p)))


def _accuracy(correct: np.ndarray, seed: int, n_resamples: int) -> tuple[float, tuple[float, float]]:
    from ..metrics.stats import bootstrap_mean_ci

    if correct.size == 0:
        return math.nan, (math.nan, math.nan)
    lo, hi = bootstrap_mean_ci(correct, seed=seed, n_resamples=n_resamples)
    return 100 * float(correct.mean()), (100 * lo, 100 * hi)


def _admit(
    name: str,
    verdicts: Sequence[Decision],
    labels: Sequence[Decision],
    *,
    measure: Measure,
    threshold: float,
    basis: Basis,
    seed: int,
    n_resamples: int,
) -> Admission:
    from ..metrics.agreement import cohen_kappa

    correct = np.array([float(v == y) for v, y in zip(verdicts, labels, strict=True)])
    acc, ci = _accuracy(correct, seed, n_resamples)
    decided = [(VALUE[v], VALUE[y]) for v, y in zip(verdicts, labels, strict=True) if v is not Decision.NONE]
    kap = (
        cohen_kappa([a for a, _ in decided], [b for _, b in decided], seed=seed, n_resamples=n_resamples)
        if decided
        else None
    )
    kappa = kap.value if kap is not None and kap.is_defined else None
    iv = kap.interval() if kap is not None and kappa is not None else None
    kappa_ci = (iv.low, iv.high) if iv is not None else None
    score: float | None
    if measure == "accuracy":
        score, unit, shown = (ci[0] if basis == "lower" else acc), "%", "exam accuracy"
    else:
        score = (kappa_ci[0] if kappa_ci and basis == "lower" else kappa) if kappa is not None else None
        unit, shown = "", "exam kappa"
    what = f"{'CI lower bound of ' if basis == 'lower' else ''}{shown}"
    if score is None or math.isnan(score):
        return Admission(name, int(correct.size), acc, ci, kappa, kappa_ci, False, 0.0, f"{shown} undefined")
    admitted = score > threshold
    weight = log_odds_weight(int(correct.sum()), int(correct.size)) if admitted else 0.0
    reason = f"{what} {score:.3g}{unit} {'>' if admitted else '<='} {threshold:g}{unit}"
    if admitted and weight == 0:
        reason += "; weight 0 (exam accuracy at or below 50%)"
    return Admission(name, int(correct.size), acc, ci, kappa, kappa_ci, admitted, weight, reason)


def peer_review(
    members: Mapping[str, Sequence[ItemResult]],
    *,
    exam: float = DEFAULT_EXAM,
    threshold: float = DEFAULT_THRESHOLD,
    measure: Measure = "accuracy",
    basis: Basis = "lower",
    rule: str = "vote",
    seed: int = 0,
    n_resamples: int = 10_000,
) -> PeerReview:
    """Admit candidates by an exam on a seeded slice, then compare the weighted jury on the rest (module docstring).

    Args:
        members: candidate name -> its results (the same items, judged pairwise, with preference labels).
        exam: exam share (fraction in (0, 1)) or size (a count).
        threshold: admission bar: accuracy in %, or kappa in [-1, 1].
        measure: ``accuracy`` or ``kappa``.
        basis: ``lower`` (the CI's lower bound must pass) or ``point`` (the estimate must).
        rule: the reducer that makes one verdict per item from its views.

    Raises:
        InputError: for fewer than two candidates, no shared labelled pairs, labels that differ between runs, or
            an exam share that leaves an empty slice.
    """
    from ..judges.jury import vote
    from ..metrics.stats import mcnemar_exact

    if measure not in ("accuracy", "kappa"):
        raise InputError(f"unknown measure {measure!r}; use accuracy or kappa", field="--measure")
    if basis not in ("lower", "point"):
        raise InputError(f"unknown basis {basis!r}; use lower or point", field="--basis")
    if len(members) < 2:
        raise InputError(
            f"a jury needs at least two candidate judges, got {len(members)}: give several run folders, or one jury run",
            field="RUN_DIR",
        )
    verdicts = {name: member_verdicts(rs, rule) for name, rs in members.items()}
    by_id: dict[str, ItemResult] = {}
    for rs in members.values():
        for r in rs:
            if is_pairwise_pair(r):
                by_id.setdefault(r.item_id, r)
    shared = set.intersection(*(set(v) for v in verdicts.values()))
    notes: list[str] = []
    dropped = len(set(by_id) - shared)
    if dropped:
        notes.append(f"{dropped} item(s) not judged by every candidate are left out")
    if not shared:
        counts = sorted(((len(v), name) for name, v in verdicts.items()), reverse=True)
        listed = ", ".join(f"{name}: {n}" for n, name in counts[:6]) + (f", and {len(counts) - 6} more" if len(counts) > 6 else "")
        raise InputError(
            f"the {len(members)} candidates share no labelled pair judged pairwise (pairs each judged: {listed}); give the runs "
            "of one benchmark and pair set, e.g. one data folder under the results folder (results/judgebench-gpt)",
            field="RUN_DIR",
        )
    labels: dict[str, Decision] = {}
    for i in shared:
        labels[i] = by_id[i].item.as_pair().label
    for name, rs in members.items():
        for r in rs:
            if r.item_id in shared and is_pairwise_pair(r) and r.item.as_pair().label != labels[r.item_id]:
                raise InputError(
                    f"item {r.item_id!r} has label {r.item.as_pair().label} in {name!r} but {labels[r.item_id]} elsewhere: the runs are not on one pair set",
                    field="RUN_DIR",
                )
    exam_ids, eval_ids = exam_split({i: result_category(by_id[i]) for i in shared}, exam, seed=seed)
    names = list(members)
    admissions = tuple(
        _admit(
            m,
            [verdicts[m][i] for i in exam_ids],
            [labels[i] for i in exam_ids],
            measure=measure,
            threshold=threshold,
            basis=basis,
            seed=seed,
            n_resamples=n_resamples,
        )
        for m in names
    )
    weights = {a.member: a.weight for a in admissions}
    y = [labels[i] for i in eval_ids]
    correct: dict[str, np.ndarray] = {
        m: np.array([float(verdicts[m][i] == lab) for i, lab in zip(eval_ids, y, strict=True)]) for m in names
    }
    majority = [vote([verdicts[m][i] for m in names], [1.0] * len(names)) for i in eval_ids]
    correct["unweighted majority (all)"] = np.array([float(v == lab) for v, lab in zip(majority, y, strict=True)])
    voters = [m for m in names if weights[m] > 0]
    if voters:
        jury = [vote([verdicts[m][i] for m in voters], [weights[m] for m in voters]) for i in eval_ids]
        correct["jury"] = np.array([float(v == lab) for v, lab in zip(jury, y, strict=True)])
    else:
        notes.append(
            "no candidate was admitted with a positive weight: there is no jury; lower --threshold, use --basis point or a larger --exam"
        )
    comparisons: list[Comparison] = []
    for name, kind in [*((m, "member") for m in names), ("unweighted majority (all)", "majority"), ("jury", "jury")]:
        if name not in correct:
            continue
        acc, ci = _accuracy(correct[name], seed, n_resamples)
        b = c = None
        p = None
        if "jury" in correct and name != "jury":
            t = mcnemar_exact(correct["jury"], correct[name])
            b, c, p = t.b, t.c, t.p_value
        comparisons.append(Comparison(name, kind, acc, ci, b, c, p))  # type: ignore[arg-type]
    return PeerReview(
        measure,
        threshold,
        basis,
        rule,
        seed,
        tuple(exam_ids),
        tuple(eval_ids),
        admissions,
        tuple(comparisons),
        tuple(notes),
        correct,
    )


def _pct(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{x:.1f}"


def _ci(ci: tuple[float, float] | None, digits: int = 1) -> str:
    return "n/a" if ci is None or math.isnan(ci[0]) else f"[{ci[0]:.{digits}f}, {ci[1]:.{digits}f}]"


ADMISSION_HEADER = (
    "member",
    "exam n",
    "exam accuracy %",
    "95% CI",
    "kappa",
    "kappa 95% CI",
    "admitted",
    "weight",
    "reason",
)
EVALUATION_HEADER = (
    "verdicts of",
    "eval n",
    "accuracy %",
    "95% CI",
    "jury only right",
    "only this right",
    "McNemar p (jury vs this)",
)


def admission_rows(report: PeerReview) -> list[tuple[str, ...]]:
    """The admission table's rows (``ADMISSION_HEADER``), as text."""
    return [
        (
            a.member,
            str(a.n),
            _pct(a.accuracy),
            _ci(a.ci),
            "n/a" if a.kappa is None else f"{a.kappa:.2f}",
            _ci(a.kappa_ci, 2),
            "yes" if a.admitted else "no",
            f"{a.weight:.2f}",
            a.reason,
        )
        for a in report.admissions
    ]


def evaluation_rows(report: PeerReview) -> list[tuple[str, ...]]:
    """The evaluation table's rows (``EVALUATION_HEADER``): each member, the unweighted majority, the jury."""
    n = str(len(report.eval_ids))
    return [
        (
            c.name,
            n,
            _pct(c.accuracy),
            _ci(c.ci),
            "" if c.b is None else str(c.b),
            "" if c.c is None else str(c.c),
            "" if c.p_value is None else f"{c.p_value:.3g}",
        )
        for c in report.comparisons
    ]


def summary_lines(report: PeerReview) -> list[str]:
    """The settings and the split, in words."""
    unit = "%" if report.measure == "accuracy" else ""
    bar = "the 95% CI's lower bound" if report.basis == "lower" else "the point estimate"
    return [
        f"Exam: {len(report.exam_ids)} items (seed {report.seed}, stratified by category); evaluation: {len(report.eval_ids)} other items. "
        "The exam items are never scored again.",
        f"Admission: {bar} of exam {report.measure} above {report.threshold:g}{unit}; weight = log-odds of exam accuracy (Laplace-smoothed); "
        f"one verdict per item by the {report.rule!r} rule.",
        f"Admitted: {', '.join(report.admitted) or 'none'}.",
        *report.notes,
    ]


def _markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    return "\n".join([line(header), "|" + "|".join("---" for _ in header) + "|", *(line(r) for r in rows)]) + "\n"


def render_markdown(report: PeerReview) -> str:
    """The report as Markdown: the summary, the admission table, the evaluation table."""
    parts = ["## Peer-review jury (PRE, arXiv 2401.15641)\n", *(f"- {s}" for s in summary_lines(report)), ""]
    parts += ["### Qualification exam\n", _markdown_table(ADMISSION_HEADER, admission_rows(report))]
    parts += ["### Evaluation slice\n", _markdown_table(EVALUATION_HEADER, evaluation_rows(report))]
    return "\n".join(parts)
