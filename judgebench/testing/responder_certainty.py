"""The simulated judge of ``vanilla_certainty`` (``judgebench.judges.certainty``): a verdict and a stated certainty
planted to be *overconfident*, and a server that also plants the verdict token's probability.

The verdict is the fake server's (``FakeJudgeServer.verdict``): the judge "knows" with probability ``accuracy`` and
then picks the correct response; otherwise it guesses (first position with probability ``position_bias``). The
stated certainty is a seeded uniform whole number on :data:`KNEW_RANGE` when it knew and on :data:`GUESS_RANGE`
when it guessed, whatever the verdict: with ``accuracy`` 0.6 and an unbiased guess the judge is right 80% of the
time but states 91 on average, overstating its accuracy by 11 points.

A registered responder's tokens all have probability 1 (``FakeJudgeServer.completion``), so with the plain server
the verdict token's probability says nothing. :class:`CertaintyFakeServer` also plants it as the built-in formats
do: 0.9-1.0 when the judge knew, 0.5-0.7 when it guessed (well ordered, so its AUROC is high), and records the
prompts it answered (to check that a persona reaches the request).
"""

from __future__ import annotations

import math
from typing import Any

from .fake_server import FakeJudgeServer, _unit, register_responder

MARKER = '"Certainty: [[N]]"'
KNEW_RANGE = (90, 100)
GUESS_RANGE = (70, 100)


def planted_certainty(seed: int, key: str, knew: bool) -> int:
    """The certainty the simulated judge states: uniform on ``KNEW_RANGE`` if it knew, else on ``GUESS_RANGE``."""
    lo, hi = KNEW_RANGE if knew else GUESS_RANGE
    return lo + int(_unit(seed, "certainty", key) * (hi - lo + 1))


def respond(server: FakeJudgeServer, prompt: str, key: str) -> str | None:
    """The answer to a ``vanilla_certainty`` prompt: reasoning, ``Verdict: [[X]]`` and ``Certainty: [[N]]``."""
    if MARKER not in prompt:
        return None
    position, knew = server.verdict(prompt, key)
    certainty = planted_certainty(server.config.seed, key, knew)
    return f"Response {position} is right.\nVerdict: [[{position}]]\nCertainty: [[{certainty}]]"


register_responder(respond)


class CertaintyFakeServer(FakeJudgeServer):
    """A :class:`FakeJudgeServer` whose ``vanilla_certainty`` answers carry a planted verdict-token probability
    (0.9-1.0 when the judge knew, 0.5-0.7 when it guessed, as the built-in formats) and which keeps the prompts of
    those answers in ``certainty_prompts``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.certainty_prompts: list[str] = []

    def completion(self, body: dict[str, Any], key: str, index: int) -> tuple[str, list[dict[str, Any]]]:
        text, content = super().completion(body, key, index)
        prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
        if MARKER not in prompt:
            return text, content
        self.certainty_prompts.append(prompt)
        position, knew = self.verdict(prompt, f"{key}:{index}")
        u = _unit(self.config.seed, "conf", key, str(index))
        p = 0.9 + 0.1 * u if knew else 0.5 + 0.2 * u
        other = "B" if position == "A" else "A"
        last = max((i for i, t in enumerate(content) if t["token"] in ("A", "B")), default=None)
        if last is not None:
            t = content[last]["token"]
            content[last] = {"token": t, "logprob": math.log(p), "top_logprobs": [{"token": t, "logprob": math.log(p)}, {"token": other, "logprob": math.log(1 - p + 1e-12)}]}
        return text, content
