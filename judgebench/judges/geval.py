"""``geval``: a G-Eval-style probability-weighted rating (Liu et al. 2023, "G-Eval: NLG Evaluation using GPT-4 with
Better Human Alignment", arXiv 2303.16634, section 2.3 "Scoring Function").

G-Eval's score is the expected rating ``sum_i p(s_i) * s_i`` over the rating values ``s_i``, with ``p(s_i)`` the
model's probability of each rating token. Here it is read from the log-probabilities of the output token at the
position of the parsed rating: the rating token and its ``top_logprobs`` alternatives (the OpenAI-compatible backend
asks for 5) that are whole numbers on the scale, renormalised over those values. (The paper, with no log-probabilities
from GPT-4, estimated ``p`` by sampling 20 outputs; reading the token distribution is the paper's definition when the
server gives it.)

The prompt and the rating parser are those of an existing pointwise judge (option ``template``):
``mt_bench_single`` (the default; ``Rating: [[N]]``, 1-10), ``rewardbench2_rating`` (the final number, 1-10) or
``prometheus2_absolute`` (``[RESULT] N``, 1-5). The judge always asks for log-probabilities.

What a judgment records (``extra``): ``parsed_rating`` (what the text says), ``rating_probabilities`` (value ->
renormalised probability) and ``probability_mass`` (the share of the position's probability the rating values hold
among the alternatives returned). When no probability-weighted score can be read (the server returned no
log-probabilities, the rating token is not found, or the rating is split over several tokens, e.g. ``1`` ``0``),
the rating is the parsed one and ``extra["no_probabilities"]`` says why: never a parsed rating presented as G-Eval.
A missing or out-of-scale rating is no decision, as for the judge it wraps.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ..backends import BackendError, ChatParams
from ..schema import Decision, Judgment, Usage
from . import JudgeContext, JudgeKind, get_judge, register_judge
from ._options import choice_option
from ._prompted import prompt_text
from ._rating import RatingJudge, RatingRead, rating_extra

logger = logging.getLogger(__name__)

TEMPLATES = ("mt_bench_single", "rewardbench2_rating", "prometheus2_absolute")
_TRIM = " \t\n[](){}*\"'.:`"
NO_LOGPROBS = "the server returned no log-probabilities: the rating is the parsed one, not a probability-weighted score"


def _token_at(logprobs: Sequence[Any], text: str, span: tuple[int, int]) -> dict[str, Any] | None:
    """The log-probability entry of the output token that holds the rating at ``span`` (character offsets in
    ``text``): by offsets when the tokens spell the text, else the last token whose text is the rating."""
    tokens = [str(t.get("token", "")) for t in logprobs]
    if "".join(tokens) == text:
        start = 0
        for entry, tok in zip(logprobs, tokens, strict=True):
            end = start + len(tok)
            if start <= span[0] < end:
                return dict(entry)
            start = end
        return None
    wanted = text[span[0] : span[1]]
    return next((dict(t) for t in reversed(list(logprobs)) if str(t.get("token", "")).strip(_TRIM) == wanted), None)


def expected_rating(logprobs: Sequence[Any], text: str, read: RatingRead, scale: tuple[float, float]) -> tuple[float | None, dict[str, Any]]:
    """(the probability-weighted rating, what to record) from the rating token's distribution; (None, reason in
    ``no_probabilities``) when it cannot be read."""
    if read.span is None or read.value is None:
        return None, {"no_probabilities": "no rating position in the output"}
    entry = _token_at(logprobs, text, read.span)
    if entry is None:
        return None, {"no_probabilities": "the rating's token is not among the returned log-probabilities"}
    written = text[read.span[0] : read.span[1]]
    token = str(entry.get("token", "")).strip(_TRIM)
    if token != written:
        return None, {"no_probabilities": f"the rating {written!r} is split over several tokens (token {token!r}), so no one position holds its distribution"}
    probs: dict[float, float] = {}
    alternatives = dict(entry.get("top") or {})
    if entry.get("logprob") is not None:
        alternatives.setdefault(entry.get("token", ""), entry["logprob"])
    seen: set[str] = set()
    for alt, lp in alternatives.items():
        key = str(alt).strip(_TRIM)
        if lp is None or key in seen or not key.isdigit() or not scale[0] <= int(key) <= scale[1]:
            continue
        seen.add(key)  # " 7" and "7" are one value; the first (the chosen token or its top entry) is kept
        probs[float(int(key))] = probs.get(float(int(key)), 0.0) + math.exp(lp)
    mass = sum(probs.values())
    if mass <= 0:
        return None, {"no_probabilities": "no rating value among the token's alternatives"}
    rating = sum(v * p for v, p in probs.items()) / mass
    return rating, {"rating_probabilities": {f"{v:g}": p / mass for v, p in sorted(probs.items())}, "probability_mass": mass}


@dataclass
class GEvalJudge:
    """A pointwise judge whose rating is the expectation of the wrapped judge's rating token."""

    kind: ClassVar[JudgeKind] = "pointwise"
    name: str
    inner: RatingJudge
    order_invariant: bool = True
    _warned: bool = False

    @property
    def scale(self) -> tuple[float, float]:
        return self.inner.scale

    def messages(self, context: JudgeContext, response: str) -> Any:
        return self.inner.messages(context, response)

    async def judge(self, context: JudgeContext, response: str) -> Judgment:
        template, messages = self.inner.render(context, response)
        prompt = prompt_text(messages)
        base = {"template": template, "wraps": self.inner.name}
        try:
            completion = await self.inner.backend.chat(messages, self.inner.params)
        except BackendError as e:
            return Judgment(Decision.NONE, prompt=prompt, error=str(e), usage=Usage(calls=1), extra=base)
        text = completion.text
        read = self.inner.parse(text)
        rating, extra = rating_extra(read, self.scale, completion.finish_reason)
        extra = base | ({"cached": True} if completion.cached else {}) | extra
        if rating is not None:
            extra["parsed_rating"] = rating
            if not completion.logprobs:
                extra["no_probabilities"] = NO_LOGPROBS
                if not self._warned:
                    self._warned = True
                    logger.warning("judge geval: %s (serve the model with log-probabilities enabled)", NO_LOGPROBS)
            else:
                weighted, more = expected_rating(completion.logprobs, text, read, self.scale)
                extra |= more
                if weighted is not None:
                    rating = weighted
        return Judgment(Decision.NONE, prompt=prompt, output=text, rating=rating, score_kind="rating", usage=completion.usage, extra=extra)


@register_judge(
    "geval",
    "G-Eval-style probability-weighted rating: sum of p(rating token) * rating at the rating position, from the "
    "server's log-probabilities (option template=mt_bench_single|rewardbench2_rating|prometheus2_absolute for the "
    "prompt and parser; without log-probabilities the parsed rating, marked no_probabilities). Liu et al. 2023, "
    "arXiv 2303.16634.",
    kind="pointwise",
)
def geval(backend: Any, *, template: str = "mt_bench_single", temperature: float = 0.0, max_tokens: int = 1024) -> GEvalJudge:
    """G-Eval-style judge over one of the pointwise prompted judges.

    Args:
        backend: the chat backend (it must return log-probabilities for a probability-weighted score).
        template: the judge whose prompt and parser are used.
        temperature: sampling temperature.
        max_tokens: new-token limit.
    """
    name = choice_option("template", template, TEMPLATES)
    inner = get_judge(name, backend, temperature=temperature, max_tokens=max_tokens)
    assert isinstance(inner, RatingJudge)
    p = inner.params
    inner.params = ChatParams(temperature=p.temperature, max_tokens=p.max_tokens, seed=p.seed, n=p.n, stop=p.stop, top_p=p.top_p, logprobs=True)
    return GEvalJudge(name="geval", inner=inner)
