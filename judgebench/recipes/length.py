"""The length hint of a pair set: how often the longer response of a pair is the correct one.

A judge that always prefers the longer response scores exactly this share on the pairs (ties aside), so a share far
from 50% means length alone gives the answer away. Length is counted in characters; a pair whose two responses have
the same length is a tie and is left out of the share (it counts in ``ties``). The 95% interval is Wilson's score
interval for a binomial proportion, which stays inside [0, 1] and behaves at 0 and n successes:

    centre = (p + z^2 / 2n) / (1 + z^2 / n),  half = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / 4n^2),  z = 1.959964

``--length-balanced`` pairing (:func:`judgebench.recipes.pairing.make_pairs`) moves this share toward 50%.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from ..schema import Decision, Pair

Z95 = 1.959963984540054


def length_sign(correct: str, incorrect: str) -> int:
    """+1 when the correct text is the longer one, -1 when the incorrect one is, 0 when they are as long."""
    return (len(correct) > len(incorrect)) - (len(correct) < len(incorrect))


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson's score interval for ``successes`` out of ``n`` (``None`` when ``n`` is 0)."""
    if n <= 0:
        return None
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class LengthHint:
    """How often the longer response of a pair is the correct one.

    Attributes:
        pairs: pairs counted (with a correct and an incorrect response; tie labels are left out).
        correct_longer: pairs whose correct response is longer (in characters).
        incorrect_longer: pairs whose incorrect response is longer.
        ties: pairs whose responses are equally long (not in the share).
        share: ``correct_longer / (correct_longer + incorrect_longer)``; ``None`` when every pair is a tie.
        ci_low, ci_high: Wilson 95% interval of ``share``.
    """

    pairs: int
    correct_longer: int
    incorrect_longer: int
    ties: int
    share: float | None
    ci_low: float | None
    ci_high: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def render(self) -> str:
        if self.share is None:
            return f"length hint: no pair has responses of different lengths ({self.ties} ties)"
        n = self.correct_longer + self.incorrect_longer
        return (
            f"length hint: the longer response is the correct one in {self.correct_longer}/{n} pairs "
            f"({100 * self.share:.1f}%, 95% CI {100 * (self.ci_low or 0):.1f}-{100 * (self.ci_high or 0):.1f}%; {self.ties} ties)"
        )


def length_hint(pairs: Iterable[Pair]) -> LengthHint:
    """The length hint of ``pairs`` (see the module docstring)."""
    plus = minus = ties = total = 0
    for p in pairs:
        if p.label not in (Decision.A_BETTER, Decision.B_BETTER):
            continue
        total += 1
        correct, incorrect = (p.response_A, p.response_B) if p.label == Decision.A_BETTER else (p.response_B, p.response_A)
        sign = length_sign(correct, incorrect)
        plus += sign > 0
        minus += sign < 0
        ties += sign == 0
    n = plus + minus
    ci = wilson_interval(plus, n)
    return LengthHint(total, plus, minus, ties, plus / n if n else None, ci[0] if ci else None, ci[1] if ci else None)
