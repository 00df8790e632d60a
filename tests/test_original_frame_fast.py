"""``analysis.scoring.original_frame`` reads a two-response item's verdicts without building the protocol's
prediction; it must equal the pairwise protocol's ``combine`` (``protocols.Pairwise``) read for the pair (0, 1) on
every mix of views."""

from __future__ import annotations

import itertools
import random

from judgebench.analysis.scoring import original_frame
from judgebench.protocols import Pairwise
from judgebench.schema import Decision, Item, ItemResult, Judgment, Preference, Response

VIEWS = [(0, 1), (1, 0), (0,), (1,), (0, 0), None]  # pairwise both ways, pointwise, a degenerate view, a legacy one
DECISIONS = list(Decision)


def _result(judgments: list[Judgment]) -> ItemResult:
    item = Item(id="x", prompt="q?", responses=(Response("a"), Response("b")), target=Preference.from_decision(Decision.A_BETTER))
    return ItemResult(item, "j", "m", tuple(judgments))


def test_equal_to_the_protocols_combine_on_every_mix_of_views() -> None:
    rng = random.Random(0)
    cases = 0
    for n in range(0, 4):
        for views in itertools.product(VIEWS, repeat=n):
            for _ in range(4):
                js = [Judgment(rng.choice(DECISIONS), game=g, view=v, error="x" if rng.random() < 0.2 else None) for g, v in enumerate(views, start=1)]
                r = _result(js)
                assert original_frame(r) == Pairwise().combine(r.item, r.judgments).of(0, 1), views
                cases += 1
    assert cases > 1000


def test_a_swapped_view_reads_flipped() -> None:
    r = _result([Judgment(Decision.A_BETTER, game=1, view=(0, 1)), Judgment(Decision.A_BETTER, game=2, view=(1, 0))])
    assert original_frame(r) == (Decision.A_BETTER, Decision.B_BETTER)
