"""Secrets: with canary keys in the environment, a server that quotes the Authorization header back (in 401 errors
and in successful answers) and a base URL holding user:password, nothing judgebench writes contains a canary: not
results (judgments, the partial log of a killed run, run.json, metrics), not the call cache's SQLite files, not the
-vv log or the console, not the HTML report or the leaderboard, not a recipe's summary.json, graded.jsonl, pairs or
dataset folder."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from judgebench.testing.fake_server import FakeConfig

from ..conftest import CANARY_KEY, make_pair, write_jsonl

ANTHROPIC_CANARY = "sk-ant-canary-0123456789abcdefCANARY"
GENERIC_CANARY = "canary-generic-key-0123456789"
TOKEN_CANARY = "canary-service-token-314159"  # no key shape: found by its variable's name only
PASSWORD_CANARY = "canary-db-password-271828"
URL_USER, URL_PASSWORD = "alice", "Url-Pass-canary-161803"
BASIC_CANARY = base64.b64encode(f"{URL_USER}:{URL_PASSWORD}".encode()).decode()
ENV_CANARIES = (CANARY_KEY, ANTHROPIC_CANARY, GENERIC_CANARY, TOKEN_CANARY, PASSWORD_CANARY)
ALL_CANARIES = (*ENV_CANARIES, URL_PASSWORD, BASIC_CANARY)
REDACTED = "[REDACTED]"


def canary_env() -> dict[str, str]:
    return {
        **os.environ,
        "OPENAI_API_KEY": CANARY_KEY,
        "ANTHROPIC_API_KEY": ANTHROPIC_CANARY,
        "JUDGEBENCH_API_KEY": GENERIC_CANARY,
        "MY_SERVICE_TOKEN": TOKEN_CANARY,
        "PGPASSWORD": PASSWORD_CANARY,
    }


def jb(*args: str, env: dict[str, str], log: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the CLI; with ``log``, stdout and stderr both go to that file (the -vv log)."""
    cmd = [sys.executable, "-m", "judgebench", *args]
    if log is None:
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    with log.open("a") as f:
        return subprocess.run(cmd, env=env, stdout=f, stderr=subprocess.STDOUT, text=True, timeout=timeout)


def assert_no_canary(paths: list[Path], canaries: tuple[str, ...] = ALL_CANARIES) -> int:
    """Every file under ``paths`` (recursively), byte for byte; returns how many files were read."""
    files = [f for p in paths for f in ([p] if p.is_file() else p.rglob("*")) if f.is_file()]
    for f in files:
        blob = f.read_bytes()
        for secret in canaries:
            assert secret.encode() not in blob, f"{secret} found in {f}"
    return len(files)


def bench_args(server_url: str, data: Path, results: Path, cache: Path, *extra: str) -> list[str]:
    return ["-vv", "bench", "--judge", "arena_hard", "--model", "openai:test", "--base-url", server_url, "--data", str(data), "--results-dir", str(results), "--cache-dir", str(cache), "--max-retries", "1", *extra]


def test_canary_keys_never_reach_results_cache_logs_or_report(fake_server, tmp_path: Path) -> None:
    rows = [make_pair(i, response_A=f"alpha {i} " * 4, response_B=f"beta {i} " * 4) for i in range(20)]
    data = write_jsonl(tmp_path / "pairs.jsonl", rows)
    server = fake_server(FakeConfig(failure_rate=0.3, failure_mix={"401_echo": 1, "500": 1}))
    results, cache, log = tmp_path / "results", tmp_path / "cache", tmp_path / "debug.log"
    env = canary_env()
    proc = jb(*bench_args(server.base_url, data, results, cache), env=env, log=log)
    assert proc.returncode in (0, 3), log.read_text()[-2000:]  # 3: some judgments failed (the 401s), as intended
    assert server.stats()["outcomes"].get("401_echo", 0) > 0  # the server did quote the token back
    run_dir = next(results.rglob("judgments.jsonl")).parent
    errors = (run_dir / "judgments.jsonl").read_text()
    assert "Incorrect API key provided: [REDACTED]" in errors  # the error is kept, the key is not
    report = tmp_path / "report.html"
    rep = jb("report", str(results), "-o", str(report), "--no-figures", env=env)
    assert rep.returncode == 0, rep.stderr
    assert log.stat().st_size > 10_000  # -vv logged plenty, including the libraries' debug output
    assert assert_no_canary([results, cache, log, report]) >= 5


def test_key_echoed_in_successful_answers_never_reaches_any_file(fake_server, tmp_path: Path) -> None:
    """A server that quotes the bearer key in its 200 answers: the run is killed once (its partial log is checked),
    resumed, reported and tabled; the answers keep their verdicts and lose only the key."""
    rows = [make_pair(i, response_A=f"alpha {i} " * 4, response_B=f"beta {i} " * 4) for i in range(24)]
    data = write_jsonl(tmp_path / "pairs.jsonl", rows)
    server = fake_server(FakeConfig(echo_auth=True, latency=0.15))
    results, cache, log = tmp_path / "results", tmp_path / "cache", tmp_path / "debug.log"
    env = canary_env()
    cmd = [sys.executable, "-m", "judgebench", *bench_args(server.base_url, data, results, cache, "--concurrency", "2", "--no-progress")]
    with log.open("a") as f:
        proc = subprocess.Popen(cmd, env=env, stdout=f, stderr=subprocess.STDOUT, start_new_session=True)
        partial_lines = 0
        deadline = time.monotonic() + 120
        while partial_lines < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
            partial = list(results.rglob("judgments.jsonl.partial"))
            partial_lines = partial[0].read_text().count("\n") if partial else 0
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert partial_lines >= 2, "the run finished or stalled before its partial log had two pairs"
    (partial,) = results.rglob("judgments.jsonl.partial")
    assert "Authorization: Bearer [REDACTED]" in partial.read_text()
    assert_no_canary([partial, cache])
    done = jb(*bench_args(server.base_url, data, results, cache, "--no-progress"), env=env, log=log)
    assert done.returncode == 0, log.read_text()[-2000:]
    judgments = [json.loads(x) for x in next(results.rglob("judgments.jsonl")).read_text().splitlines()]
    outputs = [g["output"] for r in judgments for g in r["judgments"]]
    assert len(outputs) == 48 and all(o.startswith("Authorization: Bearer [REDACTED]\n") for o in outputs)
    assert all(g.get("error") is None and g["decision"] in ("A>B", "B>A") for r in judgments for g in r["judgments"])
    report, board = tmp_path / "report.html", tmp_path / "board"
    assert jb("report", str(results), "-o", str(report), "--no-figures", env=env).returncode == 0
    assert jb("leaderboard", str(results), "--write", "--out-dir", str(board), env=env).returncode == 0
    assert assert_no_canary([results, cache, log, report, board]) >= 8


def test_base_url_credentials_are_sent_as_basic_auth_and_never_stored(fake_server, tmp_path: Path) -> None:
    """``--base-url http://user:pass@host/v1``: every call succeeds with HTTP Basic auth (not a "malformed
    response"), and neither the password nor the Basic credential is stored, even when the server echoes it."""
    data = write_jsonl(tmp_path / "pairs.jsonl", [make_pair(i, response_A=f"alpha {i} " * 4, response_B=f"beta {i} " * 4) for i in range(6)])
    server = fake_server(FakeConfig(echo_auth=True))
    url = server.base_url.replace("http://", f"http://{URL_USER}:{URL_PASSWORD}@")
    results, cache, log = tmp_path / "results", tmp_path / "cache", tmp_path / "debug.log"
    env = canary_env()
    proc = jb(*bench_args(url, data, results, cache, "--no-progress"), env=env, log=log)
    assert proc.returncode == 0, log.read_text()[-2000:]
    assert dict(server.authorizations) == {f"Basic {BASIC_CANARY}": 12}  # every call, with the URL's credentials
    judgments = [json.loads(x) for x in next(results.rglob("judgments.jsonl")).read_text().splitlines()]
    assert all(g.get("error") is None and g["output"].startswith("Authorization: Basic [REDACTED]\n") for r in judgments for g in r["judgments"])
    run_json = json.loads(next(results.rglob("run.json")).read_text())
    assert URL_USER in run_json["spec"]["base_url"] and REDACTED in run_json["spec"]["base_url"]
    report = tmp_path / "report.html"
    assert jb("report", str(results), "-o", str(report), "--no-figures", env=env).returncode == 0
    assert assert_no_canary([results, cache, log, report]) >= 5


MCQ_RECIPE = """name: toy_mcq
source: toy-mcq
problems: {{file: {problems}}}
fields: {{id: id, question: question, options: options, answer: answer}}
prompt: "{{{{ question }}}}\\n{{% for o in options %}}({{{{ letters[loop.index0] }}}}) {{{{ o }}}}\\n{{% endfor %}}"
grader: {{kind: mcq, options: {{n_options: 2}}}}
generation: {{temperature: 1.0, max_tokens: 16}}
pairing: {{max_pairs_per_problem: 2}}
"""


def test_recipe_run_never_writes_a_key_the_server_echoed(fake_server, tmp_path: Path) -> None:
    """``recipe run`` with a generator behind a server that quotes the key in answers and in 401 errors, through
    a base URL with a password: summary.json (failures quote the server), graded.jsonl, the pairs, the dataset
    folder, the cache and the console hold no canary."""
    problems = write_jsonl(tmp_path / "mcq.jsonl", [{"id": f"q{i}", "question": f"Is {i} even?", "options": ["yes", "no"], "answer": "A" if i % 2 == 0 else "B"} for i in range(12)])
    recipe = tmp_path / "toy_mcq.yaml"
    recipe.write_text(MCQ_RECIPE.format(problems=problems))
    out, cache, log = tmp_path / "out", tmp_path / "cache", tmp_path / "recipe.log"
    env = canary_env()
    # 1. bearer key (JUDGEBENCH_API_KEY for a vllm: generator) quoted in 200 answers and 401 errors
    server = fake_server(FakeConfig(echo_auth=True, failure_rate=0.3, failure_mix={"401_echo": 1}))
    proc = jb("-vv", "recipe", "run", str(recipe), "--generator", "vllm:gen", "--base-url", server.base_url, "--k", "4", "--out", str(out), "--cache-dir", str(cache), "--max-retries", "0", env=env, log=log)
    assert proc.returncode == 0, log.read_text()[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["failures"] and all("Incorrect API key provided: [REDACTED]" in f[2] for f in summary["failures"])
    assert summary["pairs"] > 0 and (out / "dataset").is_dir()
    graded = (out / "graded.jsonl").read_text()
    assert "Authorization: Bearer [REDACTED]" in graded
    # 2. a password in the base URL, echoed as a Basic credential
    server2 = fake_server(FakeConfig(echo_auth=True))
    url = server2.base_url.replace("http://", f"http://{URL_USER}:{URL_PASSWORD}@")
    out2 = tmp_path / "out2"
    proc2 = jb("-vv", "recipe", "run", str(recipe), "--generator", "vllm:gen", "--base-url", url, "--k", "4", "--out", str(out2), "--cache-dir", str(cache), "--json", env=env, log=log)
    assert proc2.returncode == 0, log.read_text()[-2000:]
    assert set(server2.authorizations) == {f"Basic {BASIC_CANARY}"}
    assert "Authorization: Basic [REDACTED]" in (out2 / "graded.jsonl").read_text()
    assert assert_no_canary([out, out2, cache, log]) >= 10


def test_secret_env_names_are_credentials_not_settings() -> None:
    from judgebench.secrets import is_secret_env_name

    for name in ("OPENAI_API_KEY", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "PGPASSWORD", "DB_PASS", "GOOGLE_APPLICATION_CREDENTIALS", "MY_APIKEY", "client_secret"):
        assert is_secret_env_name(name), name
    for name in ("TOKENIZERS_PARALLELISM", "SSH_AUTH_SOCK", "PWD", "OLDPWD", "PATH", "HOME", "KEYBOARD_LAYOUT", "PASSENGER"):
        assert not is_secret_env_name(name), name


def test_split_url_credentials_strips_them_and_registers_each_form() -> None:
    from judgebench.secrets import redact, split_url_credentials

    split = split_url_credentials("https://bob:p%40ss-word-42@Example.com:8443/v1?api-key=qp-secret-value-9&x=1")
    assert split.url == "https://Example.com:8443/v1?api-key=qp-secret-value-9&x=1"
    assert (split.username, split.password) == ("bob", "p@ss-word-42")
    assert split.basic_authorization == "Basic " + base64.b64encode(b"bob:p@ss-word-42").decode()
    text = f"p%40ss-word-42 p@ss-word-42 {split.basic_authorization} qp-secret-value-9"
    assert redact(text) == f"{REDACTED} {REDACTED} Basic {REDACTED} {REDACTED}"
    assert split_url_credentials("http://127.0.0.1:8000/v1").url == "http://127.0.0.1:8000/v1"


def test_redact_data_walks_keys_lists_and_nested_values_only_for_known_secrets(monkeypatch) -> None:
    from judgebench.secrets import redact, redact_data, register_secret

    monkeypatch.setenv("SOME_SERVICE_TOKEN", "tok-0123456789")
    monkeypatch.setenv("TOKENIZERS_PARALLELISM", "false-but-long-enough")
    register_secret("registered-secret-xyz")
    data = {"a tok-0123456789 key": ["x registered-secret-xyz", ("tok-0123456789",), 3, None], "n": 1.5, "keep": "sk-example-0000000000000000 false-but-long-enough"}
    assert redact_data(data) == {f"a {REDACTED} key": [f"x {REDACTED}", [REDACTED], 3, None], "n": 1.5, "keep": "sk-example-0000000000000000 false-but-long-enough"}
    # error and log text also lose key-shaped strings and URL passwords
    assert redact("sk-example-0000000000000000 at http://u:pw-000@h/v1") == f"{REDACTED} at http://u:{REDACTED}@h/v1"


def test_a_jury_members_server_credentials_never_reach_a_folder_name(fake_server, tmp_path: Path) -> None:
    """A member's URL with ``?api-key=`` or ``user:password@`` was written into the results folder's name (the
    judge label holds the options), which every listing, table and leaderboard path then showed: the label of
    options holding a credential is a hash, like that of long options."""
    data = write_jsonl(tmp_path / "pairs.jsonl", [make_pair(i, response_A=f"alpha {i} " * 4, response_B=f"beta {i} " * 4) for i in range(3)])
    server = fake_server(FakeConfig())
    host = server.base_url.split("://", 1)[1]
    env = canary_env()
    for member in (f"vanilla@openai:fake@http://{host}?api-key={CANARY_KEY}", f"vanilla@openai:fake@http://{URL_USER}:{URL_PASSWORD}@{host}"):
        results = tmp_path / f"results-{len(member)}"
        members = json.dumps([member, "arena_hard"])
        proc = jb("bench", "--judge", "jury", "--option", f"members={members}", "--model", "openai:fake", "--base-url", server.base_url, "--data", str(data), "--results-dir", str(results), "--cache-dir", str(tmp_path / "cache"), "--no-progress", env=env)
        assert proc.returncode == 0, proc.stderr[-2000:]
        names = [str(p.relative_to(results)) for p in results.rglob("*")]
        assert names and not any(c in n for n in names for c in (CANARY_KEY, URL_PASSWORD, URL_USER)), names
        [folder] = {p.parent.parent.name for p in results.rglob("run.json")}
        assert folder.startswith("jury@") and len(folder) == len("jury@") + 12  # the hashed label
        no_key = {k: v for k, v in env.items() if k != "OPENAI_API_KEY"}  # a listing without the key registered
        listing = jb("leaderboard", str(results), "--format", "json", env=no_key)
        assert listing.returncode == 0, listing.stderr
        assert not any(c in listing.stdout for c in (CANARY_KEY, URL_PASSWORD))


def test_a_pair_whose_text_holds_the_key_is_reused_on_resume(fake_server, tmp_path: Path) -> None:
    """A pair whose response quotes the API key is stored redacted; the next run compared the stored (redacted)
    item with the input (not redacted), found them different and judged that pair again, on every run."""
    rows = [make_pair(i, response_A=f"alpha {i} " * 4, response_B=f"beta {i} " * 4) for i in range(4)]
    rows[2]["response_A"] = f"the key is {CANARY_KEY}, do not share it"
    data = write_jsonl(tmp_path / "pairs.jsonl", rows)
    server = fake_server(FakeConfig())
    results, cache = tmp_path / "results", tmp_path / "cache"
    env = canary_env()
    first = jb(*bench_args(server.base_url, data, results, cache, "--no-progress"), env=env)
    assert first.returncode == 0, first.stderr[-2000:]
    assert assert_no_canary([results, cache]) >= 3
    again = jb(*bench_args(server.base_url, data, results, cache, "--no-progress"), env=env)
    assert again.returncode == 0 and "0 judged" in again.stdout and "8 reused" in again.stdout, again.stdout
