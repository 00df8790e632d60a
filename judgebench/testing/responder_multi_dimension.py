"""The simulated judge for ``multi_dimension`` prompts (``[Multi-dimension judgment]``), with a planted style bias.

Given the items (``FakeJudgeServer(..., items=...)``), it finds the two responses in the prompt (``server.item_truth``)
and reads which of them has a factual error from the item's ``metadata["factual_error"]`` (``"A"``/``"B"`` or
0/1: the item's first or second response; absent or null: neither). Per dimension, in the order shown:

* ``accuracy``: with probability ``ACCURACY_RIGHT`` it prefers the response without the error, otherwise the one
  with it; ``tie`` when both or neither have one.
* ``language``: prefers the longer response with probability ``LANGUAGE_PREFERS_LONGER`` (style, whatever the
  truth), otherwise the shorter.
* ``overall``: copies the language verdict with probability ``OVERALL_STYLE_WEIGHT``, otherwise the accuracy verdict.
* any other dimension (``helpfulness``): A or B with probability 1/2 each.

So on an item where the longer response has the error, the overall verdict prefers the error with probability
``OVERALL_STYLE_WEIGHT * LANGUAGE_PREFERS_LONGER + (1 - OVERALL_STYLE_WEIGHT) * (1 - ACCURACY_RIGHT)``.

Responses of none of the items but of a known pair (the server given pairs, ``judgebench fake-server --pairs``):
every line, ``overall`` included, follows the server's pairwise rule (``FakeJudgeServer.verdict``: the correct
response with probability ``accuracy``, else the first shown with probability ``position_bias``), drawn for each
dimension on its own. Responses it cannot find get a coin flip on every line. Each draw is seeded by (server seed,
dimension, request).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .fake_server import _unit, register_responder

if TYPE_CHECKING:
    from ..schema import Item
    from .fake_server import FakeJudgeServer

MARKER = "[Multi-dimension judgment]"
ACCURACY_RIGHT = 0.9
LANGUAGE_PREFERS_LONGER = 0.9
OVERALL_STYLE_WEIGHT = 0.7
_DIMENSIONS = re.compile(r"\[Dimensions\]\n((?:- [^\n]*\n)+)")


def error_index(metadata: dict[str, Any]) -> int | None:
    """The index (0 or 1) of the item's response with a factual error, from ``metadata["factual_error"]``."""
    value = metadata.get("factual_error")
    if value in ("A", "a", 0):
        return 0
    if value in ("B", "b", 1):
        return 1
    return None


def _pick(u: float, p: float, preferred: str) -> str:
    other = "B" if preferred == "A" else "A"
    return preferred if u < p else other


def _shown(server: FakeJudgeServer, prompt: str) -> tuple[Item, tuple[int, int]] | None:
    """The item both shown responses belong to and their indices in the order shown (a response text shared by
    several items is resolved by the item whose two responses are both in the prompt); None if not found."""
    by_item: dict[int, list[tuple[int, Item, int]]] = {}
    for offset, item, index in server.item_truth.find(prompt):
        by_item.setdefault(id(item), []).append((offset, item, index))
    for hits in by_item.values():
        indices = [i for _, _, i in sorted(hits, key=lambda h: h[0])]
        if len(set(indices)) == 2:
            return hits[0][1], (indices[0], indices[1])
    return None


def answer(server: FakeJudgeServer, prompt: str, key: str) -> str | None:
    if MARKER not in prompt:
        return None
    block = _DIMENSIONS.search(prompt)
    names = [line[2:].split(":", 1)[0].strip() for line in block.group(1).splitlines()] if block else []
    seed = server.config.seed
    verdicts: dict[str, str] = {}
    located = _shown(server, prompt)
    if located is not None:
        item, shown = located
        err = error_index(item.metadata)
        texts = [item.responses[i].text for i in shown]
        longer = "A" if len(texts[0]) >= len(texts[1]) else "B"
        language = _pick(_unit(seed, "md-language", key), LANGUAGE_PREFERS_LONGER, longer)
        if err is None or err not in shown:
            accuracy = "tie"
        else:
            right = "B" if shown[0] == err else "A"
            accuracy = _pick(_unit(seed, "md-accuracy", key), ACCURACY_RIGHT, right)
        overall = language if _unit(seed, "md-overall", key) < OVERALL_STYLE_WEIGHT else accuracy
        verdicts = {"accuracy": accuracy, "language": language, "overall": overall}
    elif server.truth.correct_position(prompt) is not None:  # a known pair: each line by the pairwise rule
        verdicts = {name: server.verdict(prompt, f"{key}-md-{name}")[0] for name in [*names, "overall"]}
    for name in [*names, "overall"]:
        if name not in verdicts:
            verdicts[name] = "A" if _unit(seed, f"md-{name}", key) < 0.5 else "B"
    lines = "\n".join(f"{name}: [[{verdicts[name]}]]" for name in [*names, "overall"])
    return f"Each dimension judged on its own.\n{lines}"


register_responder(answer)
