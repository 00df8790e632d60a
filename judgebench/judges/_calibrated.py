"""FairEval's calibrations for score-based pairwise judges (Wang et al. 2023, "Large Language Models are not Fair
Evaluators", arXiv 2305.17926; github.com/i-Eval/FairEval, FairEval.py).

A score-based judge gives each response of a pair a score (e.g. 1-10) and prefers the higher one. Two calibrations
from the paper are options on such judges:

* **Multiple-evidence calibration (MEC)**, ``mec_k=k``: sample k evaluations at temperature ``mec_temperature``
  (FairEval: k=3, temperature 1) and average the scores. Each sample is a separate call with ``sample_index=i``,
  so the call cache keeps k distinct samples and a rerun reuses the same ones.
* **Balanced position calibration (BPC)**, ``bpc=true``: also score the swapped order (B shown first), map those
  scores back to the original responses, and average over both orders. The judge then looks at both orders itself,
  so it is ``order_invariant`` and the runner plays one game per pair.

Averaging follows FairEval.py (commit aa71378): every valid sample of both orders is pooled and averaged per
response; a sample whose scores cannot be parsed is skipped. The decision is A>B if mean(A) > mean(B), B>A if lower,
a tie if equal; no valid sample at all is ``Decision.NONE`` (FairEval would divide by zero). With ``mec_k=1`` the
single sample keeps the judge's own temperature (0 by default), so BPC alone stays deterministic.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar

from ..backends import BackendError
from ..schema import Decision, Judgment, Usage
from ._options import bool_option, float_option, int_option
from ._prompted import PromptedJudge, Verdict, prompt_text

if TYPE_CHECKING:
    from . import JudgeContext, JudgeKind

logger = logging.getLogger(__name__)

ScoreParser = Callable[[str], tuple[float, float] | None]
"""Judge output -> (score of the response shown first, score of the response shown second), or None if unreadable."""

NO_VALID_SAMPLE = "no sample had readable scores"


def decide(score_a: float, score_b: float) -> Decision:
    """The decision a pair of scores implies: the higher score wins, equal scores are a tie."""
    if score_a > score_b:
        return Decision.A_BETTER
    if score_a < score_b:
        return Decision.B_BETTER
    return Decision.TIE


ScoreReader = Callable[[str], tuple[tuple[float, float] | None, str | None]]
"""Judge output -> (the two scores, None), or (None, the reason they could not be read)."""


def verdict_parser(read_scores: ScoreReader) -> Callable[[str], Verdict]:
    """A ``Verdict`` parser for an uncalibrated judge: decision from the two scores, which are recorded; no
    scores is ``Decision.NONE`` with the reader's reason."""

    def parse(text: str) -> Verdict:
        scores, reason = read_scores(text)
        if scores is None:
            return Verdict(Decision.NONE, reason=reason)
        return Verdict(decide(*scores), scores=scores)

    return parse


@dataclass(frozen=True)
class Calibration:
    """Validated calibration options. ``mec_k`` samples per order; ``bpc`` adds the swapped order."""

    mec_k: int = 1
    bpc: bool = False
    mec_temperature: float = 1.0

    @classmethod
    def from_options(cls, mec_k: Any = 1, bpc: Any = False, mec_temperature: Any = 1.0) -> Calibration:
        """Check option values from the command line; raises ``InputError`` naming the option."""
        return cls(
            mec_k=int_option("mec_k", mec_k, low=1, high=32),
            bpc=bool_option("bpc", bpc),
            mec_temperature=float_option("mec_temperature", mec_temperature, low=0.0, high=2.0),
        )

    @property
    def is_active(self) -> bool:
        return self.mec_k > 1 or self.bpc

    def to_dict(self) -> dict[str, Any]:
        return {"mec_k": self.mec_k, "bpc": self.bpc, "mec_temperature": self.mec_temperature if self.mec_k > 1 else None}


@dataclass(frozen=True)
class _Sample:
    order: str  # "AB" (as given) or "BA" (swapped, BPC)
    index: int
    output: str = ""
    scores: tuple[float, float] | None = None  # in the original frame: (score of A, score of B)
    error: str | None = None
    usage: Usage = field(default_factory=Usage)
    cached: bool = False


@dataclass
class CalibratedJudge:
    """A score-based PromptedJudge run with MEC and/or BPC.

    Attributes:
        base: the uncalibrated judge; its template, messages and generation parameters are reused.
        parse_scores: output text -> (first-shown score, second-shown score) or None.
        calibration: the options.
    """

    kind: ClassVar[JudgeKind] = "pairwise"
    base: PromptedJudge
    parse_scores: ScoreParser
    calibration: Calibration
    name: str = field(init=False)
    order_invariant: bool = field(init=False)

    def __post_init__(self) -> None:
        self.name = self.base.name
        # With BPC both orders are already inside each judgment, so the runner plays one game per pair.
        self.order_invariant = self.calibration.bpc

    async def _sample(self, order: str, context: JudgeContext, first: str, second: str, index: int) -> _Sample:
        params = self.base.params
        if self.calibration.mec_k > 1:
            params = replace(params, temperature=self.calibration.mec_temperature)
        messages = self.base.messages(context, first, second)
        try:
            completion = await self.base.backend.chat(messages, params, sample_index=index)
        except BackendError as e:
            return _Sample(order, index, error=str(e), usage=Usage(calls=1))
        shown = self.parse_scores(completion.text)
        scores = None if shown is None else (shown if order == "AB" else (shown[1], shown[0]))
        return _Sample(order, index, output=completion.text, scores=scores, usage=completion.usage, cached=completion.cached)

    async def judge(self, context: JudgeContext, response_a: str, response_b: str) -> Judgment:
        """Run every sample (k per order) concurrently and average the valid ones; see the module docstring."""
        orders = [("AB", response_a, response_b)] + ([("BA", response_b, response_a)] if self.calibration.bpc else [])
        samples: list[_Sample] = await asyncio.gather(
            *(self._sample(order, context, x, y, i) for order, x, y in orders for i in range(self.calibration.mec_k))
        )
        prompts = [prompt_text(self.base.messages(context, x, y)) for _, x, y in orders]
        usage = sum((s.usage for s in samples), Usage())
        valid = [s.scores for s in samples if s.scores is not None]
        errors = [f"{s.order}#{s.index}: {s.error}" for s in samples if s.error is not None]
        extra: dict[str, Any] = {
            "calibration": self.calibration.to_dict(),
            "valid_samples": len(valid),
            "samples": [
                {"order": s.order, "sample_index": s.index, "output": s.output, "scores": list(s.scores) if s.scores else None, "error": s.error}
                for s in samples
            ],
        }
        if all(s.cached for s in samples):
            extra["cached"] = True
        output = "\n\n".join(f"=== order {s.order}, sample {s.index} ===\n{s.output if s.error is None else '[call failed] ' + s.error}" for s in samples)
        prompt = "\n\n".join(f"=== order {o} ===\n{p}" for (o, _, _), p in zip(orders, prompts, strict=True)) if len(prompts) > 1 else prompts[0]
        if not valid:
            failed_all = len(errors) == len(samples)
            if not failed_all:
                extra["no_decision_reason"] = NO_VALID_SAMPLE
            return Judgment(Decision.NONE, prompt=prompt, output=output, error="; ".join(errors) if failed_all else None, usage=usage, extra=extra)
        if errors:
            logger.debug("%d of %d calibration samples failed: %s", len(errors), len(samples), errors)
        mean_a = sum(s[0] for s in valid) / len(valid)
        mean_b = sum(s[1] for s in valid) / len(valid)
        return Judgment(decide(mean_a, mean_b), prompt=prompt, output=output, scores=(mean_a, mean_b), score_kind="rating", usage=usage, extra=extra)

    def reparse(self, judgment: Judgment) -> Judgment:
        """``judgment`` with every stored sample's scores read again by ``parse_scores`` and the means recomputed.

        The samples are those recorded in ``extra["samples"]`` (order, output, error); a failed call, or a judgment
        without samples, is returned unchanged.
        """
        stored = judgment.extra.get("samples")
        if judgment.is_failed or not isinstance(stored, list):
            return judgment
        samples = []
        valid: list[tuple[float, float]] = []
        for s in stored:
            shown = self.parse_scores(str(s.get("output") or "")) if s.get("error") is None else None
            scores = None if shown is None else (shown if s.get("order") == "AB" else (shown[1], shown[0]))
            if scores is not None:
                valid.append(scores)
            samples.append({**s, "scores": list(scores) if scores else None})
        extra = {k: v for k, v in judgment.extra.items() if k != "no_decision_reason"} | {"samples": samples, "valid_samples": len(valid)}
        if not valid:
            return replace(judgment, decision=Decision.NONE, scores=None, score_kind=None, extra=extra | {"no_decision_reason": NO_VALID_SAMPLE})
        mean_a = sum(v[0] for v in valid) / len(valid)
        mean_b = sum(v[1] for v in valid) / len(valid)
        return replace(judgment, decision=decide(mean_a, mean_b), scores=(mean_a, mean_b), score_kind="rating", extra=extra)


def score_judge(base: PromptedJudge, parse_scores: ScoreParser, calibration: Calibration) -> PromptedJudge | CalibratedJudge:
    """``base`` itself when no calibration is asked for, else the calibrated wrapper around it."""
    return CalibratedJudge(base, parse_scores, calibration) if calibration.is_active else base
