"""Runs built in memory for the HTML report's tests: many judge runs over the same pairs, each judgment with the chat
prompt its judge was "shown", and a pair whose id holds characters that must be escaped in a URL and in HTML."""

from __future__ import annotations

from judgebench.schema import Decision, ItemResult, Judgment, Pair

A, B = Decision.A_BETTER, Decision.B_BETTER
ODD_ID = "odd & <id> \"quoted\" 'single' spaces"
ODD_ID_LINK = "#pair=odd%20%26%20%3Cid%3E%20%22quoted%22%20%27single%27%20spaces"  # percent-encoded by hand
SOURCES = ("mmlu-pro-law", "livebench-math", "livecodebench", "livebench-reasoning")


def chat_prompt(question: str, first: str, second: str) -> str:
    """A prompt in the record chat judges keep (``judges._prompted.prompt_text``): ``[role]`` lines, blank lines between."""
    return f"[system]\nYou are a fair judge. Answer [[A]] or [[B]].\n\n[user]\nQuestion:\n{question}\n\n[A]\n{first}\n\n[B]\n{second}"


def report_pairs(n: int = 24) -> list[Pair]:
    """``n`` pairs with texts long enough to be shared with the prompts, then the pair with :data:`ODD_ID`."""
    pairs = [
        Pair(f"p{i}", f"Question {i}: which answer is right? " + "context " * 6, f"Response A{i} " + "a" * (40 + i), f"Response B{i} " + "b" * (40 + 3 * i), A if i % 3 else B, source=SOURCES[i % 4])
        for i in range(n)
    ]
    pairs.append(Pair(ODD_ID, "The question of the odd pair, long enough to be shared.", "odd response A " * 4, "odd response B " * 4, A, source="mmlu-pro-law"))
    return pairs


def report_results(pairs: list[Pair], k: int, judge: str, model: str) -> list[ItemResult]:
    """Run ``k``'s results on ``pairs``: a deterministic mix of decisions in both orders, each with its prompt."""
    out = []
    for i, p in enumerate(pairs):
        d1 = A if (i + k) % 4 else B
        d2 = B if (i * 3 + k) % 5 else A
        games = (
            Judgment(d1, game=1, prompt=chat_prompt(p.question, p.response_A, p.response_B), output=f"run {k} game 1 [[{d1.value[0]}]]"),
            Judgment(d2, game=2, prompt=chat_prompt(p.question, p.response_B, p.response_A), output=f"run {k} game 2 [[{d2.value[0]}]]"),
        )
        out.append(ItemResult.of_pair(p, judge, model, games))  # type: ignore[arg-type]
    return out


def report_runs(n_runs: int, *, n_pairs: int = 24, model_suffix: str = ""):  # type: ignore[no-untyped-def]
    """``n_runs`` loaded runs of one judge with different models (long names) on the same pairs, as leaderboard rows."""
    from judgebench.benchmarks import get_benchmark
    from judgebench.reports.leaderboard import leaderboard, loaded_run

    pairs = report_pairs(n_pairs)
    bench = get_benchmark("judgebench")
    runs = []
    for k in range(n_runs):
        model = f"openai:a-rather-long-model-name-{k:02d}{model_suffix}"
        runs.append(
            loaded_run(
                report_results(pairs, k, "vanilla", model), rule="vote", seed=0, benchmark=bench, judge="vanilla", model=model, response_model="gpt-4o", dataset="judgebench", path=f"/runs/{k}", origin="run"
            )
        )
    return leaderboard(runs, baseline=True)
