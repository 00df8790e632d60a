"""A simulated judge behind a real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions API
(and vLLM's ``/pooling`` reward endpoint), for tests, benchmarks and trying judgebench without an API key.

The simulator knows the truth when given the pairs (it finds both responses in the prompt): with probability
``accuracy`` it picks the correct response; otherwise it is "unsure" and picks the first position shown with
probability ``position_bias``. Each verdict is a deterministic function of (seed, request body), so re-sent
requests get the same answer. Failures are injected at ``failure_rate`` from ``failure_mix``: 429 with
Retry-After, 500, 503, connection reset, a read timeout (the server hangs), truncated JSON, empty choices,
empty content; opt-in: a 401 quoting the key, a reply that never ends, a gzip bomb. ``echo_auth`` quotes the
Authorization header in every answer. The server records every call: peak in-flight requests, outcomes,
per-request counts, and each answer's outcome per client (per Authorization header).

Besides the pairwise verdict styles (``STYLES``) it speaks, recognised from the prompt (``rating_format``,
``listwise_format``): single ratings (MT-Bench ``Rating: [[N]]``, 1-10; Prometheus 2 absolute ``[RESULT] N``,
1-5; RewardBench 2's final number, 1-10), RewardBench 2's four-way ``[[A]]``-``[[D]]`` and the K-wise
``Ranking: [[C > A > D > B]]`` line, with the rating or letter token's log-probabilities when asked. Given items
(``items=``), it knows their truth: a response found in a rating prompt gets its ``Ratings`` mean (mapped linearly
onto the prompt's scale when the item's scale differs) plus Gaussian noise of sd ``rating_noise``, rounded and
clipped; a four-way or ranking prompt whose item has a ``BestOf`` target gets a correct response with probability
``accuracy``, else the first shown position with probability ``position_bias`` and otherwise one of the others,
uniformly. Given only the pairs, a ranking prompt that shows a known pair's two responses (a K-wise judge run on
pairs) and a ``multi_dimension`` prompt (``responder_multi_dimension``) follow the pairwise rule above. Unknown
responses get a seeded uniform rating or position.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
import math
import os
import random
import re
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..schema import BestOf, Decision, Item, Pair, Ratings

logger = logging.getLogger(__name__)

FAILURE_KINDS = ("429", "500", "503", "reset", "timeout", "truncated", "empty_choices", "empty_content")
# Opt-in kinds: a 401 whose message quotes the bearer token, as some servers do; a 200 body that never ends
# ("endless", up to ``hostile_bytes``); a gzip bomb (a small body that decodes to ``hostile_bytes``).
EXTRA_FAILURE_KINDS = ("401_echo", "endless", "gzip_bomb")


@dataclass
class FakeConfig:
    """What the simulated judge does. ``failure_mix`` weights the kinds in ``FAILURE_KINDS``."""

    accuracy: float = 0.8
    position_bias: float = 0.5
    latency: float = 0.0
    failure_rate: float = 0.0
    failure_mix: dict[str, float] = field(default_factory=lambda: {k: 1.0 for k in FAILURE_KINDS})
    retry_after_ms: int = 20
    hang_seconds: float = 30.0
    seed: int = 0
    logprobs: bool = True
    """Return token log-probabilities when a request asks for them; False plays a server that ignores the option."""
    echo_auth: bool = False
    """Quote the request's ``Authorization`` header in every successful answer (a server that leaks the key)."""
    hostile_bytes: int = 2**30
    """How much an ``endless`` or ``gzip_bomb`` reply sends (decoded) at most, if the client keeps reading."""
    rating_noise: float = 1.0
    """Standard deviation of the Gaussian noise added to a known response's mean rating (before rounding and
    clipping to the prompt's scale)."""
    greedy_at_zero: bool = False
    """Play a greedy server: a chat request at ``temperature`` 0 is answered as if it had no ``seed``, so k samples of
    one prompt come back identical; at a higher temperature (or none) answers vary with the seed, as they always do."""


# How each judge format writes a verdict, found by a marker in the prompt. First match wins; the fallback is
# the [[A]]/[[B]] style. Keys: marker regex -> {"A": text, "B": text} (A = first position shown).
STYLES: tuple[tuple[str, dict[str, str]], ...] = (
    (r"Score of the Assistant 1: <score>", {"A": "Evaluation evidence: Assistant 1 is correct.\nScore of the Assistant 1: 9\nScore of the Assistant 2: 4", "B": "Evaluation evidence: Assistant 2 is correct.\nScore of the Assistant 1: 4\nScore of the Assistant 2: 9"}),
    (r"please output A directly", {"A": "A", "B": "B"}),
    (r"\[\[A>>B\]\]|\[\[A>B\]\]", {"A": "After comparing both answers with my own.\nMy final verdict is: [[A>B]]", "B": "After comparing both answers with my own.\nMy final verdict is: [[B>A]]"}),
    (r"So, the final decision is", {"A": "Response 1 is correct while Response 2 is not.\n\nSo, the final decision is Response 1.", "B": "Response 2 gets it right.\n\nSo, the final decision is Response 2."}),
    (r"\[RESULT\]", {"A": "Response A follows the rubric more closely. [RESULT] A", "B": "Response B follows the rubric more closely. [RESULT] B"}),
    (r"### Evaluation:", {"A": "1\n\n### Reason: Response 1 is correct.\n\n### Reference: ...", "B": "2\n\n### Reason: Response 2 is correct.\n\n### Reference: ..."}),
    (r"two values indicating the scores|two scores", {"A": "9 4\nAssistant 1 is correct; Assistant 2 makes an error.", "B": "4 9\nAssistant 2 is correct; Assistant 1 makes an error."}),
    (r"Verdict: \[\[A\]\]", {"A": "Response A is right.\nVerdict: [[A]]", "B": "Response B is right.\nVerdict: [[B]]"}),
)
_FALLBACK = {"A": "[[A]]", "B": "[[B]]"}
_COMPILED = tuple((re.compile(p), s) for p, s in STYLES)


Responder = Callable[["FakeJudgeServer", str, str], "str | None"]
"""A simulated judge for a prompt format of its own: ``responder(server, prompt, key)`` returns the answer text, or
``None`` when the prompt is not its format. ``key`` is deterministic per request (use ``_unit(server.config.seed,
..., key)`` for seeded draws); ``server.truth`` / ``server.item_truth`` find the pairs' and items' responses."""

RESPONDERS: list[Responder] = []
"""Responders consulted, in order, before the built-in formats (ratings, listwise, pairwise styles)."""


def load_responders() -> None:
    """Import every ``judgebench/testing/responder_*.py`` module (each registers its responders at import), so a
    server started from the command line knows them too."""
    import importlib
    import pkgutil

    from . import __path__ as here

    for mod in pkgutil.iter_modules(here):
        if mod.name.startswith("responder_"):
            importlib.import_module(f"{__package__}.{mod.name}")


def register_responder(responder: Responder) -> Responder:
    """Add ``responder`` (for a feature's own prompt format, e.g. multi-dimension ratings or a stated certainty) to
    :data:`RESPONDERS`; returns it, so it can decorate. Registering the same function twice is a no-op."""
    if responder not in RESPONDERS:
        RESPONDERS.append(responder)
    return responder


def style_for(prompt: str) -> dict[str, str]:
    for pattern, style in _COMPILED:
        if pattern.search(prompt):
            return style
    return _FALLBACK


@functools.cache
def _gzip_bomb_parts() -> tuple[bytes, bytes, int]:
    """(gzip header and first block, a block to repeat, decoded bytes per block): 1 MiB of spaces per block of
    about 1 KB. After a full flush the compressor starts afresh, so each further block compresses to the same bytes
    and ``head + unit * n`` is a valid gzip stream (without its trailer) of ``n + 1`` MiB."""
    block = b" " * 2**20
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    head = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    unit = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    return head, unit, len(block)


def _unit(seed: int, *parts: str) -> float:
    """A deterministic number in [0, 1) from the seed and the request."""
    h = hashlib.sha256("\0".join([str(seed), *parts]).encode()).digest()
    return int.from_bytes(h[:8], "big") / 2**64


class Truth:
    """Finds which shown position holds the correct response, from the pairs.

    Each response is recognised by a 120-character snippet taken just after the prefix it shares with the other
    response (many pairs open with the same restatement of the problem), so the two snippets always differ.
    """

    KEY = 120

    def __init__(self, pairs: Sequence[Pair] = ()):
        self.entries: list[tuple[str, str, Decision]] = []
        for p in pairs:
            a, b = p.response_A, p.response_B
            common = len(os.path.commonprefix([a, b]))
            start = max(0, common - 20)
            ka, kb = a[start : common + self.KEY], b[start : common + self.KEY]
            if ka != kb and ka and kb:
                self.entries.append((ka, kb, p.label))
        self._last = 0  # the index of the pair found last (correct_position starts near it)

    def correct_position(self, prompt: str) -> str | None:
        """``"A"`` if the correct response is shown first, ``"B"`` if second, None if unknown or a tie label.

        The pairs are searched from just before the last one found, wrapping around: a client judges pairs roughly
        in file order, so the next prompt's pair is usually near (the first match in that order is the answer; the
        snippets of different pairs differ, so which one is found does not depend on where the search starts).
        """
        n = len(self.entries)
        start = max(0, self._last - 256)
        for k in range(n):
            index = (start + k) % n
            ka, kb, label = self.entries[index]
            ia = prompt.find(ka)
            if ia < 0:
                continue
            ib = prompt.find(kb)
            if ib < 0:
                continue
            self._last = index
            if label == Decision.TIE:
                return None
            a_first = ia < ib
            a_correct = label == Decision.A_BETTER
            return "A" if a_first == a_correct else "B"
        return None

    def is_correct_response(self, text: str) -> bool | None:
        for ka, kb, label in self.entries:
            if ka in text and kb not in text:
                return label == Decision.A_BETTER
            if kb in text and ka not in text:
                return label == Decision.B_BETTER
        return None


# Rating formats: marker regex -> (name, scale). First match wins; checked before the listwise and pairwise styles.
RATING_FORMATS: tuple[tuple[str, str, tuple[int, int]], ...] = (
    (r'for example: "Rating: \[\[5\]\]"', "mt_bench", (1, 10)),
    (r"\[RESULT\] \(an integer number between 1 and 5\)", "prometheus", (1, 5)),
    (r"\[Your judgement\]", "rewardbench2", (1, 10)),
)
_RATING_COMPILED = tuple((re.compile(p), n, sc) for p, n, sc in RATING_FORMATS)
_SHOWN = re.compile(r"\[The Start of Assistant ([A-Z])'s Answer\]")


def rating_format(prompt: str) -> tuple[str, tuple[int, int]] | None:
    """(format name, scale) of a single-rating prompt, or None."""
    for pattern, name, scale in _RATING_COMPILED:
        if pattern.search(prompt):
            return name, scale
    return None


def listwise_format(prompt: str) -> tuple[str, int] | None:
    """(``ranking`` or ``fourway``, K responses shown) of a listwise prompt, or None."""
    k = len(set(_SHOWN.findall(prompt)))
    if "Ranking: [[" in prompt and k >= 2:
        return "ranking", k
    if '"[[D]]" if assistant D is best' in prompt:
        return "fourway", 4
    return None


def rating_text(fmt: str, rating: int) -> str:
    if fmt == "mt_bench":
        return f"The response is of fair quality.\n\nRating: [[{rating}]]"
    if fmt == "prometheus":
        return f"The response meets the rubric partly. [RESULT] {rating}"
    return f"The response is of fair quality.\n\n{rating}"


def _gauss(seed: int, *parts: str) -> float:
    """A deterministic standard normal draw from the seed and the request (Box-Muller)."""
    u1 = max(_unit(seed, "g1", *parts), 1e-300)
    u2 = _unit(seed, "g2", *parts)
    return math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)


class ItemTruth:
    """Finds items' responses in a prompt: each by a 120-character snippet taken after the prefix all the item's
    responses share (as ``Truth`` does for pairs)."""

    KEY = 120

    def __init__(self, items: Sequence[Item] = ()):
        self.entries: list[tuple[str, Item, int]] = []
        for item in items:
            texts = [r.text for r in item.responses]
            common = len(os.path.commonprefix(texts)) if len(texts) > 1 else 0
            start = max(0, common - 20)
            for i, t in enumerate(texts):
                key = t[start : common + self.KEY]
                if key and texts.count(t) == 1:
                    self.entries.append((key, item, i))

    def find(self, prompt: str) -> list[tuple[int, Item, int]]:
        """(offset in the prompt, item, response index) of every known response found, in prompt order."""
        return sorted(((prompt.find(k), item, i) for k, item, i in self.entries if k in prompt), key=lambda x: x[0])


_NOT_JSON = object()
"""A request body that did not parse as JSON."""


class FakeJudgeServer:
    """``with FakeJudgeServer(config, pairs, items=items) as server:`` serves on ``server.base_url`` in a background
    thread; ``pairs`` give the truth of pairwise prompts, ``items`` that of rating, four-way and ranking prompts."""

    def __init__(self, config: FakeConfig | None = None, pairs: Sequence[Pair] = (), *, items: Sequence[Item] = (), host: str = "127.0.0.1", port: int = 0):
        self.config = config or FakeConfig()
        self.truth = Truth(pairs)
        self.item_truth = ItemTruth(items)
        load_responders()  # the prompt formats of features that bring their own simulated judge
        self.host = host
        self.port = port
        self._rng = random.Random(self.config.seed)
        self._lock = threading.Lock()
        self.reset_stats()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: Any = None
        self._started = threading.Event()

    # ---- statistics -------------------------------------------------------------------------------------
    def reset_stats(self) -> None:
        with self._lock:
            self.in_flight = 0
            self.peak_in_flight = 0
            self.outcomes: Counter[str] = Counter()
            self.requests: Counter[str] = Counter()  # request hash -> times received
            self.succeeded: Counter[str] = Counter()  # request hash -> times answered successfully
            self.repeated_after_success = 0
            self.log: list[tuple[str, str, float]] = []  # (request hash, outcome, arrival time.monotonic())
            # (client, request hash, outcome), where the client is the request's Authorization header: a test that
            # gives each process its own key learns which process each answer went to (the key is never part of a
            # call's cache key, so processes with different keys share one cache)
            self.answers: list[tuple[str, str, str]] = []
            self.authorizations: Counter[str] = Counter()  # Authorization header values received
            # each JSON request's parameters (the body without messages, input or system), in arrival order
            self.params: list[dict[str, Any]] = []

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "calls": sum(self.requests.values()),
                "outcomes": dict(self.outcomes),
                "peak_in_flight": self.peak_in_flight,
                "distinct_requests": len(self.requests),
                "repeated_after_success": self.repeated_after_success,
                "first_arrival": min((t for _, _, t in self.log), default=None),
                "last_arrival": max((t for _, _, t in self.log), default=None),
            }

    # ---- simulation -------------------------------------------------------------------------------------
    def _failure(self) -> str | None:
        cfg = self.config
        with self._lock:
            if cfg.failure_rate <= 0 or self._rng.random() >= cfg.failure_rate:
                return None
            kinds = [k for k in (*FAILURE_KINDS, *EXTRA_FAILURE_KINDS) if cfg.failure_mix.get(k, 0) > 0]
            return self._rng.choices(kinds, weights=[cfg.failure_mix[k] for k in kinds])[0] if kinds else None

    def verdict(self, prompt: str, key: str) -> tuple[str, bool]:
        """(``"A"`` or ``"B"``, knew): the position the simulated judge picks, and whether it knew the answer."""
        cfg = self.config
        correct = self.truth.correct_position(prompt)
        if correct is not None and _unit(cfg.seed, "know", key) < cfg.accuracy:
            return correct, True
        return ("A" if _unit(cfg.seed, "bias", key) < cfg.position_bias else "B"), False

    def rating(self, prompt: str, scale: tuple[int, int], key: str) -> tuple[int, bool]:
        """(the rating the simulated judge gives, whether it knew the response): a known response's mean rating on
        ``scale`` plus Gaussian noise (sd ``rating_noise``), rounded and clipped; else a seeded uniform rating."""
        cfg = self.config
        lo, hi = scale
        for _, item, i in self.item_truth.find(prompt):
            target = item.target
            if isinstance(target, Ratings) and target.values:
                dim = "overall" if "overall" in target.values else next(iter(target.values))
                mean = target.mean(i, dim)
                if mean is None:
                    continue
                tlo, thi = target.scale
                on_scale = lo + (mean - tlo) * (hi - lo) / (thi - tlo) if (tlo, thi) != (lo, hi) and thi > tlo else mean
                value = on_scale + cfg.rating_noise * _gauss(cfg.seed, "rating", key)
                return int(min(hi, max(lo, math.floor(value + 0.5)))), True
        return lo + int(_unit(cfg.seed, "rating-unknown", key) * (hi - lo + 1)), False

    def listwise_position(self, prompt: str, k: int, key: str) -> tuple[int, bool]:
        """(the position, from 0, the simulated judge picks as best among ``k`` shown, whether it knew): the correct
        one from the items' ``BestOf`` targets, or for two responses of a known pair from the pairs, with probability
        ``accuracy``; otherwise the first position with probability ``position_bias`` and one of the others, uniformly;
        a position drawn uniformly when no response is known."""
        cfg = self.config
        found = self.item_truth.find(prompt)
        correct: int | None = None
        if found:
            item = found[0][1]
            shown = [i for _, it, i in found if it is item]
            if isinstance(item.target, BestOf) and len(shown) == k:
                correct = next((pos for pos, i in enumerate(shown) if i in item.target.correct), None)
        elif k == 2 and (pair_pos := self.truth.correct_position(prompt)) is not None:
            correct = 0 if pair_pos == "A" else 1  # a ranking of a known pair's two responses (a K-wise judge on pairs)
        if correct is not None and _unit(cfg.seed, "know", key) < cfg.accuracy:
            return correct, True
        if correct is None and not found:
            return int(_unit(cfg.seed, "pos-unknown", key) * k), False
        if _unit(cfg.seed, "bias", key) < cfg.position_bias:
            return 0, False
        return 1 + int(_unit(cfg.seed, "other", key) * (k - 1)), False

    def _special(self, prompt: str, key: str) -> tuple[str, list[str], float] | None:
        """(text, the verdict token and its alternatives, the verdict token's probability) for a rating or listwise
        prompt; None for a pairwise one. The probability is high (0.9-1.0) when the judge knew, else 0.5-0.7."""
        u = _unit(self.config.seed, "conf", key)
        fmt = rating_format(prompt)
        if fmt is not None:
            name, scale = fmt
            value, knew = self.rating(prompt, scale, key)
            alts = [str(v) for v in (value - 1, value + 1) if scale[0] <= v <= scale[1]]
            return rating_text(name, value), [str(value), *alts], (0.9 + 0.1 * u if knew else 0.5 + 0.2 * u)
        lw = listwise_format(prompt)
        if lw is not None:
            kind, k = lw
            letters = [chr(ord("A") + j) for j in range(k)]
            pos, knew = self.listwise_position(prompt, k, key)
            best = letters[pos]
            others = [x for x in letters if x != best]
            if kind == "fourway":
                text = f"Assistant {best} answers the question best.\n\n[[{best}]]"
            else:
                text = f"Assistant {best} answers the question best.\nRanking: [[{' > '.join([best, *others])}]]"
            return text, [best, *others], (0.9 + 0.1 * u if knew else 0.5 + 0.2 * u)
        return None

    def completion_text(self, body: dict[str, Any], key: str, index: int) -> str:
        return self.completion(body, key, index)[0]

    def completion(self, body: dict[str, Any], key: str, index: int) -> tuple[str, list[dict[str, Any]]]:
        """The verdict text and, token by token, log-probabilities: the verdict token is confident (p = 0.9-1.0)
        when the simulated judge knew the answer and unsure (p = 0.5-0.7) when it guessed. A registered responder
        (:func:`register_responder`) that recognises the prompt answers first."""
        prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
        for responder in RESPONDERS:
            answered = responder(self, prompt, f"{key}:{index}")
            if answered is not None:
                return answered, [{"token": t, "logprob": 0.0, "top_logprobs": [{"token": t, "logprob": 0.0}]} for t in re.findall(r"\w+|\s+|[^\w\s]", answered)]
        special = self._special(prompt, f"{key}:{index}")
        if special is not None:
            return self._special_completion(*special)
        position, knew = self.verdict(prompt, f"{key}:{index}")
        text = style_for(prompt)[position]
        tokens = re.findall(r"\w+|\s+|[^\w\s]", text)
        other = "B" if position == "A" else "A"
        u = _unit(self.config.seed, "conf", key, str(index))
        p = 0.9 + 0.1 * u if knew else 0.5 + 0.2 * u
        last = max((i for i, t in enumerate(tokens) if t in ("A", "B")), default=None)
        content = []
        for i, t in enumerate(tokens):
            if i == last:
                content.append({"token": t, "logprob": math.log(p), "top_logprobs": [{"token": t, "logprob": math.log(p)}, {"token": other, "logprob": math.log(1 - p + 1e-12)}]})
            else:
                content.append({"token": t, "logprob": 0.0, "top_logprobs": [{"token": t, "logprob": 0.0}]})
        return text, content

    @staticmethod
    def _special_completion(text: str, alternatives: list[str], p: float) -> tuple[str, list[dict[str, Any]]]:
        """Tokens of ``text`` with log-probabilities: the verdict token (the last one equal to ``alternatives[0]``)
        has probability ``p``, the rest spread evenly over the other alternatives."""
        tokens = re.findall(r"\w+|\s+|[^\w\s]", text)
        chosen = alternatives[0]
        last = max((i for i, t in enumerate(tokens) if t == chosen), default=None)
        rest = alternatives[1:]
        content = []
        for i, t in enumerate(tokens):
            if i == last:
                top = [{"token": t, "logprob": math.log(p)}] + [{"token": a, "logprob": math.log((1 - p) / len(rest) + 1e-12)} for a in rest]
                content.append({"token": t, "logprob": math.log(p), "top_logprobs": top})
            else:
                content.append({"token": t, "logprob": 0.0, "top_logprobs": [{"token": t, "logprob": 0.0}]})
        return text, content

    def reward(self, text: str, key: str) -> float:
        correct = self.truth.is_correct_response(text)
        noise = _unit(self.config.seed, "rm", key)
        if correct is None:
            return noise
        return (1.0 if correct else 0.0) * (1 if noise < self.config.accuracy else -1) + noise * 0.5

    # ---- HTTP -------------------------------------------------------------------------------------------
    def _record(self, key: str, outcome: str, arrived: float, client: str = "") -> None:
        with self._lock:
            self.outcomes[outcome] += 1
            self.log.append((key, outcome, arrived))
            self.answers.append((client, key, outcome))
            if outcome == "ok":
                self.succeeded[key] += 1

    async def _handle(self, request: Any, kind: str) -> Any:
        from aiohttp import web

        arrived = time.monotonic()
        raw = await request.read()
        key = hashlib.sha256(raw).hexdigest()
        client = request.headers.get("Authorization", "")
        with self._lock:
            self.authorizations[client] += 1
            if self.succeeded[key]:
                self.repeated_after_success += 1
            self.requests[key] += 1
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            try:
                body: Any = json.loads(raw)
            except json.JSONDecodeError:
                body = _NOT_JSON
            # the answer is worked out on arrival, while the latency runs: the latency is the time from a request's
            # arrival to its answer, as a real server's is, and 64 requests arriving together are not answered one
            # simulation's CPU time after another beyond it (which bounded every client, a bare one too)
            try:
                prepared: Any = self._answer(kind, body, key) if isinstance(body, dict) else None
            except Exception as e:  # raised after the latency, as before: a malformed body is a server error
                prepared = e
            if self.config.latency:
                remaining = self.config.latency - (time.monotonic() - arrived)
                if remaining > 0:
                    await asyncio.sleep(remaining)
            if body is _NOT_JSON:
                self._record(key, "bad_request", arrived, client)
                return web.json_response({"error": {"message": "request body is not JSON"}}, status=400)
            if isinstance(body, dict):
                with self._lock:
                    self.params.append({k: v for k, v in body.items() if k not in ("messages", "input", "system")})
            failure = self._failure()
            if failure is not None:
                return await self._fail(request, failure, key, arrived, client)
            if request.transport is None or request.transport.is_closing():
                self._record(key, "client_gone", arrived, client)  # the client died while we waited: not a delivered answer
                return web.Response(status=499)
            self._record(key, "ok", arrived, client)
            if isinstance(prepared, Exception):
                raise prepared
            echo = f"Authorization: {request.headers.get('Authorization', '')}\n" if self.config.echo_auth else ""
            if prepared is None:  # a JSON body that is not an object: answered as before (and failing as before)
                prepared = self._answer(kind, body, key)
            if kind == "pooling":
                return web.json_response({**prepared, **({"echo": echo} if echo else {})})
            if kind == "messages":
                answer = prepared
                answer["content"][0]["text"] = echo + answer["content"][0]["text"]
                return web.json_response(answer)
            answer = prepared
            for choice in answer["choices"]:
                choice["message"]["content"] = echo + choice["message"]["content"]
            return web.json_response(answer)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _answer(self, kind: str, body: Any, key: str) -> dict[str, Any]:
        """The answer's body for a request of ``kind`` (``chat``, ``messages`` or ``pooling``), before any echo."""
        if kind == "pooling":
            return self._pooling_body(body, key)
        if kind == "messages":
            return self._messages_body(body, key)
        return self._chat_body(body, key, None)

    def _sampling_key(self, body: dict[str, Any], key: str) -> str:
        """The key answers are drawn from: the request's, or with ``greedy_at_zero`` at temperature 0 that of the
        request without its seed."""
        if self.config.greedy_at_zero and body.get("temperature") == 0:
            return hashlib.sha256(json.dumps({k: v for k, v in body.items() if k != "seed"}, sort_keys=True).encode()).hexdigest()
        return key

    def _chat_body(self, body: dict[str, Any], key: str, failure: str | None) -> dict[str, Any]:
        n = int(body.get("n") or 1)
        sample_key = self._sampling_key(body, key)
        made = [self.completion(body, sample_key, i) for i in range(n)]
        texts = [t for t, _ in made]
        want_lp = bool(body.get("logprobs")) and self.config.logprobs
        prompt_chars = sum(len(str(m.get("content", ""))) for m in body.get("messages", []))
        return {
            "id": f"chatcmpl-{key[:12]}",
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model", "fake"),
            "choices": [{"index": i, "message": {"role": "assistant", "content": t}, "finish_reason": "stop", "logprobs": {"content": lp} if want_lp else None} for i, (t, lp) in enumerate(made)],
            "usage": {"prompt_tokens": prompt_chars // 4, "completion_tokens": sum(len(t) for t in texts) // 4, "total_tokens": prompt_chars // 4 + sum(len(t) for t in texts) // 4},
        }

    def _messages_body(self, body: dict[str, Any], key: str) -> dict[str, Any]:
        """Anthropic messages API shape; the system prompt is a top-level field there."""
        text = self.completion_text({"messages": [{"content": body.get("system", "")}, *body.get("messages", [])]}, key, 0)
        return {"id": f"msg_{key[:12]}", "type": "message", "role": "assistant", "model": body.get("model", "fake"), "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": None, "usage": {"input_tokens": 10, "output_tokens": len(text) // 4}}

    def _pooling_body(self, body: dict[str, Any], key: str) -> dict[str, Any]:
        messages = body.get("messages")
        text = messages[-1]["content"] if messages else str(body.get("input", ""))
        return {"object": "list", "model": body.get("model", "fake"), "data": [{"index": 0, "object": "pooling", "data": [self.reward(text, key)]}], "usage": {"prompt_tokens": len(text) // 4, "total_tokens": len(text) // 4}}

    async def _fail(self, request: Any, failure: str, key: str, arrived: float, client: str = "") -> Any:
        from aiohttp import web

        self._record(key, failure, arrived, client)
        ms = str(self.config.retry_after_ms)
        if failure == "429":
            return web.json_response({"error": {"message": "Rate limit reached (simulated)", "type": "rate_limit"}}, status=429, headers={"retry-after-ms": ms, "retry-after": "0"})
        if failure == "401_echo":
            token = request.headers.get("Authorization", "").removeprefix("Bearer ")
            return web.json_response({"error": {"message": f"Incorrect API key provided: {token}.", "type": "invalid_request_error"}}, status=401)
        if failure == "500":
            return web.json_response({"error": {"message": "Internal server error (simulated)"}}, status=500)
        if failure == "503":
            return web.json_response({"error": {"message": "Overloaded (simulated)"}}, status=503, headers={"retry-after-ms": ms})
        if failure == "reset":
            request.transport.abort()
            return web.Response(status=500)
        if failure == "timeout":
            await asyncio.sleep(self.config.hang_seconds)
            return web.json_response({"error": {"message": "too late"}}, status=504)
        if failure in ("endless", "gzip_bomb"):
            return await self._hostile_body(request, gzip=failure == "gzip_bomb")
        if failure == "truncated":
            return web.Response(text='{"id": "chatcmpl-x", "object": "chat.completion", "choices": [{"index": 0, "mess', content_type="application/json")
        if failure == "empty_choices":
            return web.json_response({"id": "chatcmpl-x", "object": "chat.completion", "created": 0, "model": "fake", "choices": []})
        return web.json_response({"id": "chatcmpl-x", "object": "chat.completion", "created": 0, "model": "fake", "choices": [{"index": 0, "message": {"role": "assistant", "content": ""}, "finish_reason": "stop"}]})

    async def _hostile_body(self, request: Any, *, gzip: bool) -> Any:
        """A 200 reply that does not end (up to ``hostile_bytes`` decoded), plain or as a gzip bomb; it stops when
        the client hangs up."""
        from aiohttp import web

        if gzip:
            head, unit, decoded = _gzip_bomb_parts()
        else:
            head, unit, decoded = b'{"id": "chatcmpl-x", "object": "chat.completion", "choices": [{"message": {"content": "', b"a" * 2**16, 2**16
        resp = web.StreamResponse(status=200, headers={"Content-Type": "application/json", **({"Content-Encoding": "gzip"} if gzip else {})})
        await resp.prepare(request)
        try:
            await resp.write(head)
            for _ in range(self.config.hostile_bytes // decoded):
                await resp.write(unit)
        except (ConnectionError, RuntimeError):  # the client hung up, as it should
            pass
        return resp

    def _app(self) -> Any:
        from aiohttp import web

        app = web.Application(client_max_size=256 * 1024**2)
        app.router.add_post("/v1/chat/completions", lambda r: self._handle(r, "chat"))
        app.router.add_post("/v1/messages", lambda r: self._handle(r, "messages"))
        app.router.add_post("/pooling", lambda r: self._handle(r, "pooling"))
        app.router.add_post("/v1/pooling", lambda r: self._handle(r, "pooling"))

        async def models(request: Any) -> Any:
            return web.json_response({"object": "list", "data": [{"id": "fake", "object": "model"}]})

        async def stats(request: Any) -> Any:
            return web.json_response(self.stats())

        async def reset(request: Any) -> Any:
            self.reset_stats()
            return web.json_response({"reset": True})

        app.router.add_get("/v1/models", models)
        app.router.add_get("/stats", stats)
        app.router.add_post("/reset", reset)
        return app

    async def _serve(self) -> None:
        from aiohttp import web

        self._runner = web.AppRunner(self._app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, backlog=1024, reuse_address=True)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def start(self) -> FakeJudgeServer:
        def main() -> None:
            loop = self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._serve())
                self._started.set()
                loop.run_forever()
            finally:  # stop() ends run_forever; an unclosed loop leaks its self-pipe sockets (a ResourceWarning later)
                loop.close()

        self._thread = threading.Thread(target=main, name="fake-judge-server", daemon=True)
        self._thread.start()
        if not self._started.wait(10):
            raise RuntimeError("fake server did not start within 10 s")
        return self

    def stop(self) -> None:
        if self._loop is None:
            return
        fut = asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop)
        try:
            fut.result(timeout=10)
        except Exception:  # cleanup of hung handlers may raise on cancel; the thread is a daemon anyway
            logger.debug("fake server cleanup", exc_info=True)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._loop = None

    def __enter__(self) -> FakeJudgeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        """Run in the foreground (the ``fake-server`` command) until interrupted."""
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())
        try:
            self._loop.run_forever()
        finally:
            self._loop.run_until_complete(self._runner.cleanup())
