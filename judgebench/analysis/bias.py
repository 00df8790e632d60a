"""Bias probes on pairwise results: position, length (verbosity), ties, no-decisions, self-preference.

Every probe reads ``ItemResult``s (game 1 shows (A, B), game 2 shows (B, A)) and returns
:class:`~judgebench.metrics.stats.Estimate`s with 95% bootstrap intervals that resample *pairs* (the two games of a pair
are not independent). A probe that has nothing to measure (no two-game pair, no length difference, no pair with
the judge's own response) is returned undefined with the reason.

Definitions (decisions "as shown" are in the order the judge saw; "original frame" flips game 2 back):

* **position consistency**: share of two-game pairs whose decisions agree in the original frame (two
  no-decisions agree, as in JudgeBench and LLMBar; same as ``scoring``).
* **first-position share, same position twice**: among two-game pairs where the judge picked the same *shown*
  position in both games (``A>B`` twice or ``B>A`` twice as shown, i.e. it followed the position, not the
  response), the share that picked the first position. 0.5 means no position preference; MT-bench (Zheng et al.
  2023, Table 2) reports the two counts as "biased toward first/second".
* **first-position rate**: share of decisive judgments (``A>B``/``B>A``) that picked the response shown first.
  Each pair is shown both ways, so a judge without position bias scores 0.5 whatever its accuracy.
* **longer-response win rate**: share of decisive judgments, on pairs whose responses differ in length (characters),
  that picked the longer one (AlpacaEval's "P(prefer longer)"); next to it the same share for the labels.
* **length slope**: logistic regression of "picked A" on ``(len(A) - len(B)) / 1000`` characters (plus the label
  direction when labels are strict, so that longer-because-correct is not counted as bias), one observation per
  decisive judgment; Wald interval with pair-clustered (sandwich) standard errors, and a bootstrap over pairs.
* **tie rate** / **no-decision rate**: shares of all judgments that are ``A=B`` / no decision.
* **self-preference**: on pairs where exactly one response comes from the judge's own model (per-response models
  in ``metadata`` ``model_A``/``model_B``), the share of decisive judgments that picked the judge's own response,
  minus the share of those pairs whose label favours it. Model names match after lower-casing and dropping a
  ``provider:`` prefix and an ``org/`` path, exactly (``gpt-4o`` is not ``gpt-4o-mini``).
* **own-model accuracy gap**: vote-rule accuracy on pairs whose ``response_model`` is the judge's model minus
  accuracy on the other pairs (JudgeBench pairs come from one model, so self-judging shows up here).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from ..metrics.stats import (
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    Estimate,
    Interval,
    bootstrap_sums,
    bootstrap_weighted,
    interval_of,
    undefined,
)
from ..schema import Decision, ItemResult, Pair, is_model_name
from .scoring import is_consistent, original_frame, pair_credit, pairwise_pairs

logger = logging.getLogger(__name__)

A, B, TIE, NONE = Decision.A_BETTER, Decision.B_BETTER, Decision.TIE, Decision.NONE
LENGTH_SCALE = 1000.0
"""Length differences enter the logistic fit in units of 1,000 characters."""
_SIDE_KEYS = (("model_A", "model_B"), ("model_a", "model_b"), ("response_model_A", "response_model_B"))


def normalize_model(name: str) -> str:
    """``"openai:OpenAI/GPT-4o"`` -> ``"gpt-4o"``: lower case, no ``provider:`` prefix, last path segment."""
    return name.strip().lower().split(":", 1)[-1].rsplit("/", 1)[-1]


def side_models(pair: Pair) -> tuple[str, str] | None:
    """The systems that wrote responses A and B, from ``metadata`` (``model_A``/``model_B`` or similar), if known."""
    for ka, kb in _SIDE_KEYS:
        a, b = pair.metadata.get(ka), pair.metadata.get(kb)
        if isinstance(a, str) and isinstance(b, str) and a and b:
            return a, b
    return None


def _ratio_estimate(name: str, num: np.ndarray, den: np.ndarray, *, n_resamples: int, seed: int, empty: str) -> Estimate:
    """``sum(num) / sum(den)`` over pairs with a bootstrap over pairs; undefined when ``sum(den) == 0``."""
    if den.sum() == 0:
        return undefined(name, 0, empty)
    keep = den > 0
    feats = np.column_stack([num[keep], den[keep]]).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        reps = bootstrap_sums(feats, lambda s: np.where(s[:, 1] > 0, s[:, 0] / np.where(s[:, 1] > 0, s[:, 1], 1), np.nan), n_resamples=n_resamples, seed=seed)
    ci = interval_of(reps, seed=seed)
    return Estimate(name, float(num.sum() / den.sum()), int(keep.sum()), intervals=(ci,) if ci else ())


def position_bias(results: Sequence[ItemResult], *, n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED) -> list[Estimate]:
    """Position consistency, first-position share when the same position is picked twice, first-position rate."""
    results = pairwise_pairs(results)  # pairs judged pairwise: other items and protocols have no A/B to probe
    two = [r for r in results if len(r.games) == 2]
    kw = {"n_resamples": n_resamples, "seed": seed}
    consistent = np.array([is_consistent(original_frame(r)) for r in two], dtype=float)
    shown = [(r.games[0].decision, r.games[1].decision) for r in two]
    same_pos = np.array([d1 == d2 and d1 in (A, B) for d1, d2 in shown], dtype=float)
    first_twice = np.array([d1 == d2 == A for d1, d2 in shown], dtype=float)
    first = np.array([sum(g.decision == A for g in r.games) for r in results], dtype=float)
    decisive = np.array([sum(g.decision in (A, B) for g in r.games) for r in results], dtype=float)
    return [
        _ratio_estimate("position consistency", consistent, np.ones_like(consistent), empty="no pair was judged in both orders", **kw),
        _ratio_estimate("first-position share when the same position is picked twice", first_twice, same_pos, empty="no pair where the judge picked the same shown position twice", **kw),
        _ratio_estimate("first-position rate (decisive judgments)", first, decisive, empty="no decisive judgment (all ties or no decision)", **kw),
    ]


def _lengths(results: Sequence[ItemResult]) -> tuple[np.ndarray, np.ndarray]:
    la = np.array([len(r.pair.response_A) for r in results], dtype=float)
    lb = np.array([len(r.pair.response_B) for r in results], dtype=float)
    return la, lb


def length_bias(results: Sequence[ItemResult], *, n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED) -> list[Estimate]:
    """Longer-response win rate (judge and labels) and the logistic length slope (see the module docstring)."""
    results = pairwise_pairs(results)  # pairs judged pairwise: other items and protocols have no A/B to probe
    kw = {"n_resamples": n_resamples, "seed": seed}
    la, lb = _lengths(results)
    longer_is_a = la > lb
    differ = la != lb
    frames = [original_frame(r) for r in results]
    picks_longer = np.array([sum((d == A) == la_gt for d in f if d in (A, B)) for f, la_gt in zip(frames, longer_is_a, strict=True)], dtype=float)
    decisive = np.array([sum(d in (A, B) for d in f) for f in frames], dtype=float)
    strict_label = np.array([r.pair.label in (A, B) for r in results])
    label_longer = np.array([(r.pair.label == A) == lg for r, lg in zip(results, longer_is_a, strict=True)], dtype=float)
    return [
        _ratio_estimate("longer-response win rate (judge)", picks_longer * differ, decisive * differ, empty="no decisive judgment on a pair whose responses differ in length", **kw),
        _ratio_estimate("longer-response win rate (labels)", label_longer * differ * strict_label, (differ & strict_label).astype(float), empty="no A>B/B>A label on a pair whose responses differ in length", **kw),
        length_slope(results, **kw),
    ]


def _logistic_fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, iters: int = 50) -> np.ndarray:
    """Weighted logistic regression by Newton's method, vectorized over weight rows ``w`` ``(r, N)``.

    Returns ``(r, p)`` coefficients; a row is NaN where Newton did not converge (e.g. perfect separation).
    """
    r, p = w.shape[0], x.shape[1]
    beta = np.zeros((r, p))
    done = np.zeros(r, dtype=bool)
    ridge = 1e-10 * np.eye(p)
    for _ in range(iters):
        mu = 1 / (1 + np.exp(-np.clip(beta @ x.T, -30, 30)))
        grad = (w * (y - mu)) @ x
        h = np.einsum("rn,np,nq->rpq", w * mu * (1 - mu), x, x) + ridge
        try:
            step = np.linalg.solve(h, grad[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            return np.full((r, p), np.nan)
        beta = np.where(done[:, None], beta, beta + step)
        done |= np.abs(step).max(axis=1) < 1e-9
        if done.all():
            break
    bad = ~done | (np.abs(beta).max(axis=1) > 25)
    beta[bad] = np.nan
    return beta


def length_slope(results: Sequence[ItemResult], *, n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED) -> Estimate:
    """Log-odds of picking A per 1,000 characters of ``len(A) - len(B)`` (see the module docstring)."""
    results = pairwise_pairs(results)  # pairs judged pairwise: other items and protocols have no A/B to probe
    from scipy.stats import norm

    name = "length slope (log-odds per 1,000 chars)"
    la, lb = _lengths(results)
    delta = (la - lb) / LENGTH_SCALE
    label_dir = np.array([1.0 if r.pair.label == A else -1.0 if r.pair.label == B else 0.0 for r in results])
    frames = [original_frame(r) for r in results]
    # one row per pair: delta, label direction, then (picked A, decisive) for up to two games
    rows = np.zeros((len(results), 6))
    rows[:, 0], rows[:, 1] = delta, label_dir
    for i, f in enumerate(frames):
        for g, d in enumerate(f[:2]):
            rows[i, 2 + 2 * g] = float(d == A)
            rows[i, 3 + 2 * g] = float(d in (A, B))
    rows = rows[rows[:, 3] + rows[:, 5] > 0]
    if len(rows) < 3:
        return undefined(name, len(rows), f"needs decisive judgments on at least 3 pairs, got {len(rows)}")
    if np.all(rows[:, 0] == rows[0, 0]):
        return undefined(name, len(rows), "every pair has the same length difference")
    with_label = bool(np.all(rows[:, 1] != 0)) and len(np.unique(rows[:, 1])) == 2

    def design(u: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        cols = [np.ones(len(u)), u[:, 0]] + ([u[:, 1]] if with_label else [])
        x1 = np.column_stack(cols)
        return np.vstack([x1, x1]), np.concatenate([u[:, 2], u[:, 4]]), np.concatenate([u[:, 3], u[:, 5]])

    x, y, valid = design(rows)
    beta = _logistic_fit(x, y, valid[None, :])[0]
    if not np.isfinite(beta).all():
        return undefined(name, len(rows), "the logistic fit does not converge (the judge's choices are perfectly separated)")
    # pair-clustered sandwich covariance: bread = H^-1, meat = sum over pairs of (score_g score_g')
    mu = 1 / (1 + np.exp(-(x @ beta)))
    h = (x * (valid * mu * (1 - mu))[:, None]).T @ x
    contrib = x * (valid * (y - mu))[:, None]
    npairs = len(rows)
    scores = contrib[:npairs] + contrib[npairs:]
    bread = np.linalg.inv(h)
    cov = bread @ (scores.T @ scores) @ bread
    se = float(np.sqrt(cov[1, 1]))
    z = float(beta[1] / se) if se > 0 else float("nan")
    q = float(norm.ppf(0.975))
    wald = Interval(float(beta[1] - q * se), float(beta[1] + q * se), "Wald (pair-clustered SE)")

    def stat(w: np.ndarray, u: np.ndarray) -> np.ndarray:
        xu, yu, vu = design(u)
        return _logistic_fit(xu, yu, np.hstack([w, w]) * vu[None, :])[:, 1]

    reps = bootstrap_weighted(rows, stat, n_resamples=n_resamples, seed=seed)
    boot = interval_of(reps, seed=seed)
    note = "controls for the label direction" if with_label else "no strict labels: length only"
    p = float(2 * norm.sf(abs(z))) if np.isfinite(z) else None
    return Estimate(name, float(beta[1]), npairs, intervals=tuple(i for i in (boot, wald) if i), p_value=p, reason=note)


def rates(results: Sequence[ItemResult], *, n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED) -> list[Estimate]:
    """Tie rate and no-decision rate over all judgments."""
    results = pairwise_pairs(results)  # pairs judged pairwise: other items and protocols have no A/B to probe
    kw = {"n_resamples": n_resamples, "seed": seed}
    games = np.array([len(r.games) for r in results], dtype=float)
    ties = np.array([sum(g.decision == TIE for g in r.games) for r in results], dtype=float)
    nones = np.array([sum(g.decision == NONE for g in r.games) for r in results], dtype=float)
    return [
        _ratio_estimate("tie rate", ties, games, empty="no judgments", **kw),
        _ratio_estimate("no-decision rate", nones, games, empty="no judgments", **kw),
    ]


def self_preference(results: Sequence[ItemResult], judge_model: str | None = None, *, n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED) -> list[Estimate]:
    """Self-preference and the own-model accuracy gap (see the module docstring).

    Args:
        judge_model: the judge's model; default: the ``model`` recorded in the results.
    """
    results = pairwise_pairs(results)  # pairs judged pairwise: other items and protocols have no A/B to probe
    model = judge_model or next((r.model for r in results if r.model), "")
    names = ("self-preference (own-response win rate minus label rate)", "own-model accuracy gap (vote rule)")
    if not model:
        reason = "the judge model is unknown (not recorded in the results)"
        return [undefined(names[0], 0, reason), undefined(names[1], 0, reason)]
    if not is_model_name(model):
        reason = f"the judge has no model ({model!r}: a baseline such as random or longer), so it has no own responses"
        return [undefined(names[0], 0, reason), undefined(names[1], 0, reason)]
    me = normalize_model(model)
    own_rows = []
    for r in results:
        sides = side_models(r.pair)
        if sides is None:
            continue
        mine = [is_model_name(s) and normalize_model(s) == me for s in sides]
        if sum(mine) != 1:
            continue
        own = A if mine[0] else B
        f = original_frame(r)
        own_rows.append([sum(d == own for d in f), sum(d in (A, B) for d in f), float(r.pair.label == own), float(r.pair.label in (A, B))])
    if own_rows and (arr := np.array(own_rows, dtype=float))[:, 1].sum() > 0 and arr[:, 3].sum() > 0:
        arr = arr[arr[:, 1] > 0]

        def gap(s: np.ndarray) -> np.ndarray:
            with np.errstate(divide="ignore", invalid="ignore"):
                return s[:, 0] / s[:, 1] - s[:, 2] / s[:, 3]

        reps = bootstrap_sums(arr, gap, n_resamples=n_resamples, seed=seed)
        value = float(gap(arr.sum(axis=0, keepdims=True))[0])
        ci = interval_of(reps, seed=seed)
        win = arr[:, 0].sum() / arr[:, 1].sum()
        first = Estimate(names[0], value, len(arr), intervals=(ci,) if ci else (), reason=f"own-response win rate {win:.3f} on pairs with one response by {model}")
    else:
        first = undefined(names[0], 0, f"no judged pair has exactly one response by {model} (record per-response models in metadata model_A/model_B)")
    own_pair = np.array([is_model_name(r.pair.response_model) and normalize_model(r.pair.response_model) == me for r in results], dtype=float)
    credit = np.array([pair_credit(r.pair.label, original_frame(r), "vote") for r in results], dtype=float)
    if own_pair.sum() == 0 or own_pair.sum() == len(results):
        which = "none" if own_pair.sum() == 0 else "all"
        second = undefined(names[1], len(results), f"{which} of the pairs were written by {model}: nothing to compare")
    else:
        feats = np.column_stack([credit * own_pair, own_pair, credit * (1 - own_pair), 1 - own_pair])

        def acc_gap(s: np.ndarray) -> np.ndarray:
            with np.errstate(divide="ignore", invalid="ignore"):
                return s[:, 0] / s[:, 1] - s[:, 2] / s[:, 3]

        reps = bootstrap_sums(feats, acc_gap, n_resamples=n_resamples, seed=seed)
        ci = interval_of(reps, seed=seed)
        second = Estimate(names[1], float(acc_gap(feats.sum(axis=0, keepdims=True))[0]), len(results), intervals=(ci,) if ci else ())
    return [first, second]


def bias_probes(results: Sequence[ItemResult], *, judge_model: str | None = None, n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED) -> list[Estimate]:
    """Every probe above, in a fixed order."""
    results = pairwise_pairs(results)  # pairs judged pairwise: other items and protocols have no A/B to probe
    kw = {"n_resamples": n_resamples, "seed": seed}
    return [*position_bias(results, **kw), *length_bias(results, **kw), *rates(results, **kw), *self_preference(results, judge_model, **kw)]
