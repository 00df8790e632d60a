"""The fake server speaks the pointwise and listwise formats (recognised from the real judges' prompts), and its
planted rating noise and four-way position bias are recovered from its answers within 4 SD."""

from __future__ import annotations

import json
import math
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from judgebench.judges import JudgeContext, get_judge
from judgebench.schema import BestOf, Item, Ratings, Response
from judgebench.testing.fake_server import FakeConfig, FakeJudgeServer

from .judges.helpers import ScriptedBackend


def ask(server: FakeJudgeServer, messages: list[dict[str, str]], *, logprobs: bool = False) -> dict[str, Any]:
    body = json.dumps({"model": "fake", "messages": messages, **({"logprobs": True, "top_logprobs": 5} if logprobs else {})}).encode()
    req = urllib.request.Request(f"{server.base_url}/chat/completions", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())["choices"][0]


def rated_item(n: int, mean: float, scale: tuple[float, float] = (1.0, 10.0)) -> Item:
    return Item(f"r{n}", f"Question number {n}?", (Response(f"Answer {n}: a distinct response text about topic {n * 7919}."),), target=Ratings({"overall": ((mean,),)}, scale))


def fourway_item(n: int, correct: int) -> Item:
    return Item(f"f{n}", f"Pick the best, case {n}.", tuple(Response(f"Candidate {j} for case {n}, with its own wording {n}-{j}.") for j in range(4)), target=BestOf((correct,)))


@pytest.mark.parametrize(
    ("judge", "options", "scale"),
    [("mt_bench_single", {}, (1, 10)), ("prometheus2_absolute", {}, (1, 5)), ("rewardbench2_rating", {}, (1, 10))],
)
def test_each_rating_format_is_answered_in_its_own_format(judge: str, options: dict[str, Any], scale: tuple[int, int]) -> None:
    items = [rated_item(i, 4.0, (1.0, 5.0)) for i in range(5)]
    parser = get_judge(judge, ScriptedBackend([""]), **options)
    with FakeJudgeServer(FakeConfig(rating_noise=0.0), items=items) as server:
        for item in items:
            messages = parser.messages(JudgeContext.of(item), item.responses[0].text)
            choice = ask(server, messages, logprobs=True)
            read = parser.parse(choice["message"]["content"])
            expected = 4 if scale == (1, 5) else round(1 + 3 * 9 / 4)  # 4 on 1-5 maps linearly onto 1-10
            assert read.value == expected, choice["message"]["content"]
            tokens = choice["logprobs"]["content"]
            rating_token = [t for t in tokens if len(t["top_logprobs"]) > 1]
            assert [t["token"] for t in rating_token] == [str(expected)]


def test_geval_reads_the_servers_rating_token_distribution() -> None:
    from judgebench.backends import ChatParams
    from judgebench.backends.openai_compat import parse_chat_response
    from judgebench.judges.geval import expected_rating

    item = rated_item(1, 6.0)
    judge = get_judge("mt_bench_single", ScriptedBackend([""]))
    with FakeJudgeServer(FakeConfig(rating_noise=0.0), items=[item]) as server:
        choice = ask(server, judge.messages(JudgeContext.of(item), item.responses[0].text), logprobs=True)
    completion = parse_chat_response({"choices": [choice]}, logprobs=ChatParams(logprobs=True).logprobs)
    text = completion.text
    rating, extra = expected_rating(completion.logprobs or (), text, judge.parse(text), (1.0, 10.0))
    probs = {float(k): v for k, v in extra["rating_probabilities"].items()}
    assert set(probs) == {5.0, 6.0, 7.0} and probs[6.0] >= 0.9 and rating == pytest.approx(sum(k * v for k, v in probs.items()))


def test_listwise_formats_fourway_and_ranking() -> None:
    items = [fourway_item(0, 2)]
    shown = [r.text for r in items[0].responses]
    with FakeJudgeServer(FakeConfig(accuracy=1.0), items=items) as server:
        fourway = "".join(f"\n[The Start of Assistant {x}'s Answer]\n{t}\n[The End of Assistant {x}'s Answer]" for x, t in zip("ABCD", shown, strict=True))
        out = ask(server, [{"role": "system", "content": '"[[A]]" if assistant A is best, ... "[[D]]" if assistant D is best.'}, {"role": "user", "content": fourway}])
        assert out["message"]["content"].rstrip().endswith("[[C]]")
        ranking = ask(server, [{"role": "system", "content": "End with a line Ranking: [[...]]"}, {"role": "user", "content": fourway}])
        assert ranking["message"]["content"].splitlines()[-1].startswith("Ranking: [[C > ")


def test_planted_rating_noise_is_recovered_within_4_sd() -> None:
    sd, n, mean = 1.5, 400, 5.5
    items = [rated_item(i, mean) for i in range(n)]
    judge = get_judge("rewardbench2_rating", ScriptedBackend([""]))
    with FakeJudgeServer(FakeConfig(rating_noise=sd, seed=3), items=items) as server:
        values = [judge.parse(ask(server, judge.messages(JudgeContext.of(it), it.responses[0].text))["message"]["content"]).value for it in items]
    devs = [float(v) - mean for v in values if v is not None]
    assert len(devs) == n
    # rounding to whole ratings adds a uniform error (variance 1/12); clipping at 1 and 10 (3 sd away) is negligible
    expected_sd = math.sqrt(sd**2 + 1 / 12)
    got_sd = math.sqrt(sum(d * d for d in devs) / n)
    assert abs(got_sd - expected_sd) < 4 * expected_sd / math.sqrt(2 * n), (got_sd, expected_sd)
    assert abs(sum(devs) / n) < 4 * expected_sd / math.sqrt(n)


def test_planted_fourway_position_bias_is_recovered_within_4_sd() -> None:
    bias, accuracy, n = 0.6, 0.5, 400
    items = [fourway_item(i, 3) for i in range(n)]  # the correct response is always shown last
    with FakeJudgeServer(FakeConfig(accuracy=accuracy, position_bias=bias, seed=5), items=items) as server:
        firsts = 0
        for it in items:
            user = "".join(f"\n[The Start of Assistant {x}'s Answer]\n{r.text}\n[The End of Assistant {x}'s Answer]" for x, r in zip("ABCD", it.responses, strict=True))
            text = ask(server, [{"role": "system", "content": '"[[D]]" if assistant D is best.'}, {"role": "user", "content": f"{it.prompt}{user}"}])["message"]["content"]
            firsts += text.rstrip().endswith("[[A]]")
    p_first = (1 - accuracy) * bias  # the first position is picked only when unsure, with the planted bias
    assert abs(firsts / n - p_first) < 4 * math.sqrt(p_first * (1 - p_first) / n)
    estimated_bias = firsts / n / (1 - accuracy)
    assert abs(estimated_bias - bias) < 4 * math.sqrt(p_first * (1 - p_first) / n) / (1 - accuracy)


def test_unknown_responses_get_a_seeded_rating_the_same_on_a_resend() -> None:
    judge = get_judge("mt_bench_single", ScriptedBackend([""]))
    with FakeJudgeServer(FakeConfig(seed=1)) as server:
        a = ask(server, judge.messages(JudgeContext.of_question("Q?"), "unknown response"))["message"]["content"]
        b = ask(server, judge.messages(JudgeContext.of_question("Q?"), "unknown response"))["message"]["content"]
    assert a == b and judge.parse(a).value is not None


@pytest.mark.parametrize("judge", ["multi_dimension", "kwise_ranking"])
def test_judges_beyond_the_verdict_styles_on_known_pairs_follow_the_pairs_truth(judge: str, tmp_path: Path) -> None:
    # `judgebench fake-server --pairs` knows which response of each pair is correct; a multi-dimension prompt and a
    # two-response ranking prompt of those pairs were answered by coin flips (about 28% and 49% on JudgeBench's pairs)
    from judgebench.benchmarks import load_pairs

    from .conftest import make_pair, run_cli, write_jsonl

    rows = [
        make_pair(i, "A>B" if i % 2 else "B>A", response_A=f"Response one of pair {i}: the answer is {i * 7919}.", response_B=f"Response two of pair {i}: it comes to {i * 104729 + 1}.")
        for i in range(12)
    ]
    data = write_jsonl(tmp_path / "pairs.jsonl", rows)
    pairs = load_pairs(str(data))
    env = {"OPENAI_API_KEY": "sk-test-not-a-real-key"}
    for name, config in (("knows", FakeConfig(accuracy=1.0)), ("first", FakeConfig(accuracy=0.0, position_bias=1.0))):
        with FakeJudgeServer(config, pairs) as server:
            out = tmp_path / name
            proc = run_cli("bench", "--judge", judge, "--model", "openai:fake", "--base-url", server.base_url, "--data", str(data), "--no-progress", "--results-dir", str(out), env=env)
            assert proc.returncode == 0, proc.stderr
        [metrics] = list(out.rglob("metrics.json"))
        m = json.loads(metrics.read_text(encoding="utf-8"))
        assert m["n_pairs"] == 12 and m["n_failed"] == 0
        if name == "knows":  # every answer names the correct response
            assert m["accuracy"] == 100.0
        elif judge == "multi_dimension":  # every answer names the first response shown, in both orders
            assert m["position_consistency"] == 0.0
