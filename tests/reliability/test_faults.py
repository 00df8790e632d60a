"""Faults: 350 pairs x 2 games against the simulator with 30% injected failures of every kind."""

from __future__ import annotations

from pathlib import Path

from judgebench.run.runner import RunSpec, run
from judgebench.testing.fake_server import FAILURE_KINDS, FakeConfig

from ..conftest import shared


def test_faulty_server_every_judgment_succeeds_or_records_its_cause(fake_server, jb_pairs, tmp_path: Path) -> None:
    server = fake_server(FakeConfig(failure_rate=0.3, hang_seconds=3, seed=7), jb_pairs)
    spec = RunSpec(data="judgebench:gpt", data_dir=str(shared("judgebench", "pairs")), judge="arena_hard", model="openai:test", base_url=server.base_url, results_dir=str(tmp_path / "r"), cache_dir=str(tmp_path / "c"), progress=False, concurrency=64, timeout=0.5, max_retries=1)
    first = run(spec)
    games = [g for r in first.results for g in r.games]
    assert len(games) == 700
    failed = [g for g in games if g.is_failed]
    # every judgment is a verdict or a recorded failure with its cause; none silently missing
    assert all(g.decision != "none" or g.error or g.output for g in games)
    assert failed and all(g.error and g.decision == "none" for g in failed)
    causes = {g.error.split(" chat: ", 1)[1].split(":")[0].split(" (")[0] for g in failed}  # "openai:test chat: HTTP 500: ..."
    assert len(causes) >= 3, causes  # several distinct causes recorded (HTTP status, timeout, connection, ...)
    st1 = server.stats()
    assert set(FAILURE_KINDS) <= set(st1["outcomes"]), st1["outcomes"]
    ok_before = st1["outcomes"]["ok"]

    second = run(spec)
    st2 = server.stats()
    # the second invocation asks only for the failed judgments: its successful calls cannot exceed their number
    new_ok = st2["outcomes"]["ok"] - ok_before
    assert new_ok <= len(failed)
    assert second.run_info["counts"]["new"] == len(failed)
    assert second.run_info["counts"]["reused"] == 700 - len(failed)
    assert st2["repeated_after_success"] == 0
    still = sum(g.is_failed for r in second.results for g in r.games)
    assert still < len(failed)
