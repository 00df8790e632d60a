"""Issue 12 item 1: the call cache knows which server answered.

Two OpenAI-compatible servers serving different checkpoints under one model name (``--model openai:test``, two
``--base-url``) must never share cached answers: the key holds the normalised base URL (scheme and host
lower-cased, default port and trailing slash dropped) and nothing secret (no ``user:password@``, no key-like query
parameter). Real servers on 127.0.0.1 (the simulator), the real client, one shared cache folder.
"""

from __future__ import annotations

from pathlib import Path

from judgebench.benchmarks import load_pairs
from judgebench.run.runner import RunSpec, run
from judgebench.schema import Decision
from judgebench.testing.fake_server import FakeConfig

from ..conftest import make_pair, write_jsonl

N_PAIRS = 12


def pairs_file(tmp_path: Path) -> str:
    rows = [make_pair(i, "A>B" if i % 2 else "B>A", response_A=f"answer alpha {i} " * 3, response_B=f"answer beta {i} " * 3) for i in range(N_PAIRS)]
    return str(write_jsonl(tmp_path / "pairs.jsonl", rows))


def spec(data: str, base_url: str, tmp_path: Path, results: str, **kw: object) -> RunSpec:
    base: dict[str, object] = dict(data=data, judge="vanilla", model="openai:test", base_url=base_url, results_dir=str(tmp_path / results), cache_dir=str(tmp_path / "cache"), progress=False, concurrency=8, timeout=10, max_retries=0)
    base.update(kw)
    return RunSpec(**base)  # type: ignore[arg-type]


def test_two_servers_under_one_model_name_never_share_cached_answers(fake_server, tmp_path: Path) -> None:
    data = pairs_file(tmp_path)
    pairs = load_pairs(data)
    knows = fake_server(FakeConfig(accuracy=1.0), pairs)  # always picks the correct response
    always_a = fake_server(FakeConfig(accuracy=0.0, position_bias=1.0), pairs)  # always picks the first shown

    first = run(spec(data, knows.base_url, tmp_path, "r1"))
    second = run(spec(data, always_a.base_url, tmp_path, "r2"))

    # Every judgment of the second run was asked of the second server: 12 pairs x 2 games, none from the cache.
    assert always_a.stats()["calls"] == 2 * N_PAIRS
    assert second.run_info["counts"]["cached"] == 0
    # ... and carries that server's verdict: "A" in the order shown, in both games.
    assert {g.decision for r in second.results for g in r.games} == {Decision.A_BETTER}
    # Scores follow the servers. The first always finds the correct response: 100%. The second's two games
    # (A then, on the swapped order, A again = B in the original frame) cancel under the vote rule: a tie on every
    # pair, which is not correct, so 0%; its position consistency is 0%.
    assert first.metrics.accuracy == 100.0
    assert second.metrics.accuracy == 0.0 and second.metrics.position_consistency == 0.0


def test_same_server_spelled_differently_is_one_cache_entry(fake_server, tmp_path: Path) -> None:
    data = pairs_file(tmp_path)
    server = fake_server(FakeConfig(), load_pairs(data))
    run(spec(data, server.base_url, tmp_path, "r1"))
    calls = server.stats()["calls"]
    assert calls == 2 * N_PAIRS
    # "HTTP://127.0.0.1:PORT/v1/" is the same server as "http://127.0.0.1:PORT/v1": upper-case scheme, trailing slash
    respelled = server.base_url.replace("http://", "HTTP://") + "/"
    again = run(spec(data, respelled, tmp_path, "r2"))
    assert server.stats()["calls"] == calls  # no new call: every answer came from the cache
    assert again.run_info["counts"]["cached"] == 2 * N_PAIRS


def test_credentials_in_the_base_url_are_not_part_of_the_key(fake_server, tmp_path: Path) -> None:
    data = pairs_file(tmp_path)
    server = fake_server(FakeConfig(), load_pairs(data))
    host = server.base_url.removeprefix("http://")
    run(spec(data, f"http://alice:first-password-123@{host}", tmp_path, "r1"))
    calls = server.stats()["calls"]
    # a new password (a rotated secret) is the same server: the cache answers, the server is not asked again
    run(spec(data, f"http://alice:second-password-456@{host}", tmp_path, "r2"))
    assert server.stats()["calls"] == calls
    blob = b"".join(p.read_bytes() for p in (tmp_path / "cache").rglob("*") if p.is_file())
    assert b"first-password-123" not in blob and b"second-password-456" not in blob


def test_reward_scores_are_keyed_by_server_too(fake_server, tmp_path: Path) -> None:
    data = pairs_file(tmp_path)
    pairs = load_pairs(data)
    one = fake_server(FakeConfig(accuracy=1.0, seed=1), pairs)
    two = fake_server(FakeConfig(accuracy=0.0, seed=2), pairs)
    kw = dict(judge="reward_model", model="vllm-reward:test")
    run(spec(data, one.base_url, tmp_path, "r1", **kw))
    run(spec(data, two.base_url, tmp_path, "r2", **kw))
    # reward_model scores each response once: 2 calls per pair (one game, order-invariant), all at server two
    assert two.stats()["calls"] == 2 * N_PAIRS


def test_endpoint_id_normalises_the_url_and_drops_credentials() -> None:
    from judgebench.backends.cache import cache_key, endpoint_id

    # expected values written by hand from the rule in endpoint_id's docstring
    assert endpoint_id("HTTP://Example.COM:80/v1/") == "http://example.com/v1"
    assert endpoint_id("https://api.example.com:443/v1") == "https://api.example.com/v1"
    assert endpoint_id("http://127.0.0.1:8000/v1") == "http://127.0.0.1:8000/v1"
    assert endpoint_id("http://127.0.0.1:8001/v1") == "http://127.0.0.1:8001/v1"
    assert endpoint_id("http://user:pw@host:8000/v1") == "http://host:8000/v1"
    assert endpoint_id("https://h/openai?api-version=2024-02-01&api-key=SECRET&sig=1") == "https://h/openai?api-version=2024-02-01&sig=1"
    assert endpoint_id("http://[::1]:8000/v1") == "http://[::1]:8000/v1"
    assert endpoint_id(None) == "" and endpoint_id("") == ""
    request = [{"role": "user", "content": "x"}]
    a = cache_key(provider="openai", model="test", endpoint=endpoint_id("http://127.0.0.1:8000/v1"), request=request, params={})
    b = cache_key(provider="openai", model="test", endpoint=endpoint_id("http://127.0.0.1:8001/v1"), request=request, params={})
    c = cache_key(provider="openai", model="test", endpoint=endpoint_id("http://k:SECRET@127.0.0.1:8000/v1/"), request=request, params={})
    assert a != b and a == c


def test_results_folder_of_one_server_is_never_reused_or_replaced_by_another(fake_server, tmp_path: Path) -> None:
    # review of item 1: the cache knew the server but the results folder (<dataset>/<judge>/<model>) did not, so a
    # second run against another server "reused" all 24 judgments of the first and reported its 100% as its own
    import json

    import pytest

    from judgebench.errors import InputError

    data = pairs_file(tmp_path)
    pairs = load_pairs(data)
    knows = fake_server(FakeConfig(accuracy=1.0), pairs)
    always_a = fake_server(FakeConfig(accuracy=0.0, position_bias=1.0), pairs)
    first = run(spec(data, knows.base_url, tmp_path, "r"))
    finished = (first.out_dir / "judgments.jsonl").read_bytes()
    with pytest.raises(InputError, match="another server") as err:
        run(spec(data, always_a.base_url, tmp_path, "r"))
    assert err.value.exit_code == 2 and always_a.stats()["calls"] == 0
    assert (first.out_dir / "judgments.jsonl").read_bytes() == finished  # nothing replaced
    # the same server again resumes (nothing to do); --refresh judges everything again against the new server
    assert run(spec(data, knows.base_url, tmp_path, "r")).metrics.accuracy == 100.0
    refreshed = run(spec(data, always_a.base_url, tmp_path, "r", refresh=True))
    assert always_a.stats()["calls"] == 2 * N_PAIRS and refreshed.metrics.accuracy == 0.0
    assert json.loads((first.out_dir / "run.json").read_text())["server"] == always_a.base_url.rstrip("/")


def test_a_folder_that_saved_no_judgment_is_taken_over_by_the_fixed_server(fake_server, tmp_path: Path) -> None:
    # a run against a wrong --base-url (nothing listening) saves no judgment and advises running the same command
    # again once the cause is fixed; the run with the right URL was refused as "another server"
    import json
    import socket

    import pytest

    from judgebench.errors import JudgebenchError

    data = pairs_file(tmp_path)
    knows = fake_server(FakeConfig(accuracy=1.0), load_pairs(data))
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/v1"
    with pytest.raises(JudgebenchError):
        run(spec(data, dead, tmp_path, "r"))
    folders = [p.parent for p in (tmp_path / "r").rglob(".server.json")]
    assert len(folders) == 1 and not (folders[0] / "judgments.jsonl").exists()
    partial = folders[0] / "judgments.jsonl.partial"  # at most failed calls (connection refused), no verdict
    assert all(j["error"] for line in partial.read_text(encoding="utf-8").splitlines() for j in json.loads(line)["judgments"])
    fixed = run(spec(data, knows.base_url, tmp_path, "r"))
    assert fixed.out_dir == folders[0] and fixed.metrics.accuracy == 100.0 and knows.stats()["calls"] == 2 * N_PAIRS
    # a partial log with verdicts from that server still keeps the folder: move the finished file back to a log
    other = fake_server(FakeConfig(accuracy=0.0, position_bias=1.0), load_pairs(data))
    (fixed.out_dir / "judgments.jsonl").rename(partial)
    with pytest.raises(JudgebenchError, match="another server"):
        run(spec(data, other.base_url, tmp_path, "r"))
    assert other.stats()["calls"] == 0


def test_a_damaged_cache_entry_is_asked_again_not_read_as_an_empty_answer(fake_server, tmp_path: Path) -> None:
    # a review: a cache value edited to {"text": 5} came back as a judgment with output "" and no error (a
    # no-decision), where a real empty answer is recorded as a failure
    import json
    import sqlite3

    data = pairs_file(tmp_path)
    knows = fake_server(FakeConfig(accuracy=1.0), load_pairs(data))
    assert run(spec(data, knows.base_url, tmp_path, "r1")).metrics.accuracy == 100.0
    (db,) = (tmp_path / "cache").rglob("*.sqlite")
    with sqlite3.connect(db) as con:
        (key,) = con.execute("SELECT key FROM calls LIMIT 1").fetchone()
        con.execute("UPDATE calls SET value = ? WHERE key = ?", (json.dumps({"text": 5}), key))
    calls = knows.stats()["calls"]
    again = run(spec(data, knows.base_url, tmp_path, "r2"))
    assert again.metrics.accuracy == 100.0 and again.metrics.n_no_decision == 0
    assert knows.stats()["calls"] == calls + 1  # that one call made again; the other 23 from the cache


def test_a_resumed_refresh_asks_its_calls_again_and_a_run_of_only_failures_is_taken_over(fake_server, tmp_path: Path) -> None:
    # a second review: (1) a stopped --refresh resumed without --refresh answered calls from the call cache with
    # what the run being replaced was told; (2) a finished run whose every call failed kept its folder from the
    # corrected server ("another server")
    from judgebench.run.runner import REFRESH_MARK

    data = pairs_file(tmp_path)
    pairs = load_pairs(data)
    knows = fake_server(FakeConfig(accuracy=1.0), pairs)
    first = run(spec(data, knows.base_url, tmp_path, "r"))
    assert first.metrics.accuracy == 100.0
    # a refresh that stopped before judging anything: the mark is there, the partial log empty
    (first.out_dir / REFRESH_MARK).write_text("{}")
    calls = knows.stats()["calls"]
    resumed = run(spec(data, knows.base_url, tmp_path, "r"))
    assert knows.stats()["calls"] == calls + 2 * N_PAIRS  # every call asked again, none from the cache
    assert resumed.metrics.accuracy == 100.0 and not (first.out_dir / REFRESH_MARK).exists()

    failing = fake_server(FakeConfig(failure_rate=1.0, failure_mix={"500": 1}), pairs)
    try:
        run(spec(data, failing.base_url, tmp_path, "f"))
    except Exception:  # noqa: S110 - a run of failures may end in an error or a result with failures; both are fine here
        pass
    (folder,) = [p.parent for p in (tmp_path / "f").rglob(".server.json")]
    fixed = run(spec(data, knows.base_url, tmp_path, "f"))
    assert fixed.out_dir == folder and fixed.metrics.accuracy == 100.0


def test_a_cache_entry_with_a_damaged_usage_is_asked_again(fake_server, tmp_path: Path) -> None:
    import json
    import sqlite3

    data = pairs_file(tmp_path)
    knows = fake_server(FakeConfig(accuracy=1.0), load_pairs(data))
    run(spec(data, knows.base_url, tmp_path, "r1"))
    (db,) = (tmp_path / "cache").rglob("*.sqlite")
    with sqlite3.connect(db) as con:
        keys = [k for (k,) in con.execute("SELECT key FROM calls LIMIT 2")]
        con.execute("UPDATE calls SET value = ? WHERE key = ?", (json.dumps({"texts": ["ok"], "usage": "x"}), keys[0]))
        con.execute("UPDATE calls SET value = ? WHERE key = ?", (json.dumps({"texts": ["ok"], "usage": {"prompt_tokens": "abc"}}), keys[1]))
    calls = knows.stats()["calls"]
    again = run(spec(data, knows.base_url, tmp_path, "r2"))
    assert again.metrics.n_failed == 0 and again.metrics.accuracy == 100.0
    assert knows.stats()["calls"] == calls + 2
