"""Simulated judge for K-wise and pairwise judgments of systems with planted strengths (``judgebench kwise`` tests).

A response written for the simulation carries a tag ``[kwise-sim system=s0 strength=1.25]`` in its text: the
system that wrote it and its planted log-strength ``theta``. A prompt whose every shown response carries one is
answered from a Plackett-Luce model (Plackett 1975, Luce 1959) with weights ``exp(theta)``:

* a ``kwise_ranking`` prompt (``Ranking: [[...]]``, K responses shown): a full ranking drawn position by position,
  the next system chosen among those left with probability ``w_i / sum(w_left)``; the answer's last line is
  ``Ranking: [[C > A > D > B]]``;
* a pairwise prompt (two tagged responses): A wins with probability ``w_A / (w_A + w_B)`` (Bradley-Terry, which is
  Plackett-Luce for K = 2), answered in the judge's own verdict style (``fake_server.style_for``).

No position bias and no ties, so a fit recovers ``theta`` (up to a constant) in expectation. Draws are seeded by
the server's seed and the request key. Any prompt without the tags is left to the other formats (``None``).
"""

from __future__ import annotations

import math
import re
import string
from typing import TYPE_CHECKING

from .fake_server import _unit, listwise_format, register_responder, style_for

if TYPE_CHECKING:
    from .fake_server import FakeJudgeServer

TAG = re.compile(r"\[kwise-sim system=([A-Za-z0-9_.-]+) strength=(-?[0-9]+(?:\.[0-9]+)?)\]")


def tag(system: str, strength: float) -> str:
    """The tag a simulated response carries: the system and its planted log-strength."""
    return f"[kwise-sim system={system} strength={strength:.6f}]"


def plackett_luce_draw(strengths: list[float], units: list[float]) -> list[int]:
    """A Plackett-Luce ranking (positions, best first) of items with log-strengths ``strengths``, one uniform draw in
    [0, 1) per stage from ``units``."""
    left = list(range(len(strengths)))
    order: list[int] = []
    for u in units[: len(strengths) - 1]:
        w = [math.exp(strengths[i]) for i in left]
        x, acc = u * sum(w), 0.0
        pick = left[-1]
        for i, wi in zip(left, w, strict=True):
            acc += wi
            if x < acc:
                pick = i
                break
        order.append(pick)
        left.remove(pick)
    return order + left


def respond(server: FakeJudgeServer, prompt: str, key: str) -> str | None:
    tags = TAG.findall(prompt)
    if len(tags) < 2:
        return None
    strengths = [float(s) for _, s in tags]
    seed = server.config.seed
    lw = listwise_format(prompt)
    if lw is not None and lw[0] == "ranking":
        k = lw[1]
        if len(tags) != k:
            return None
        order = plackett_luce_draw(strengths, [_unit(seed, "kwise-pl", key, str(s)) for s in range(k)])
        return f"Compared the {k} responses.\n\nRanking: [[{' > '.join(string.ascii_uppercase[i] for i in order)}]]"
    if lw is not None or len(tags) != 2:
        return None
    p_a = 1 / (1 + math.exp(strengths[1] - strengths[0]))
    return style_for(prompt)["A" if _unit(seed, "kwise-bt", key) < p_a else "B"]


register_responder(respond)
