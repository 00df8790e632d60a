"""Judges from a file (``--judge-file``), end to end against the fake server, and juries across servers.

Expected values are read from what the fake server answered (the raw outputs and its call log), never from the
parser under test.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from judgebench.cli import main
from judgebench.schema import Pair
from judgebench.testing.fake_server import FakeConfig, FakeJudgeServer

from .conftest import CANARY_KEY, make_pair, write_jsonl

# The fallback style of the fake server: a prompt with no other format's marker gets "[[A]]" or "[[B]]" alone.
PAIRWISE = """\
name: bracket-judge
kind: pairwise
system: You compare two answers to a question.
user: |
  Question: {{ question }}
  {% if reference %}Reference: {{ reference }}{% endif %}
  First answer (A): {{ response_a }}
  Second answer (B): {{ response_b }}
  Reply with the letter of the better answer in double brackets.
parse:
  pattern: '\\[\\[(A|B|C)\\]\\]'
  verdicts: {A: A>B, B: B>A, C: tie}
generation: {temperature: 0, max_tokens: 64}
"""

# "please output A directly" makes the fake server answer a bare "A" / "B", which the bracket pattern cannot read.
UNREADABLE = PAIRWISE.replace("name: bracket-judge", "name: bare-letters").replace(
    "Reply with the letter of the better answer in double brackets.", "If A is better, please output A directly; else B."
)

POINTWISE = """\
name = "rater"
kind = "pointwise"
user = '''
Rate this answer to {{ question }} from 1 to 10.
{{ response }}
Write your rating, for example: "Rating: [[5]]".
'''

[parse]
pattern = 'Rating: \\[\\[(?P<rating>\\d+)\\]\\]'
scale = [1, 10]

[generation]
temperature = 0
max_tokens = 32
"""


def _pairs(n: int) -> list[dict]:
    # distinct responses, no one a prefix of another, so the server finds each pair's truth in the prompt
    return [make_pair(i, "A>B" if i % 3 else "B>A", response_A=f"alpha-{i:03d} the first answer", response_B=f"beta-{i:03d} another answer") for i in range(n)]


def _bench(*args: str) -> int:
    return main(["bench", *args, "--no-progress", "--no-cache"])


def _run_dir(results: Path, name: str) -> Path:
    found = [p.parent for p in results.rglob("run.json") if name in str(p)]
    assert len(found) == 1, found
    return found[0]


def _results(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "judgments.jsonl").read_text().splitlines()]


def test_pairwise_file_end_to_end(tmp_path: Path) -> None:
    rows = _pairs(12)
    data = write_jsonl(tmp_path / "pairs.jsonl", rows)
    judge = tmp_path / "judge.yaml"
    judge.write_text(PAIRWISE)
    with FakeJudgeServer(FakeConfig(accuracy=0.3, position_bias=0.5, seed=7), [Pair.from_dict(r) for r in rows]) as server:
        rc = _bench("--data", str(data), "--judge-file", str(judge), "--orders", "first", "--model", "vllm:fake-judge", "--base-url", server.base_url, "--results-dir", str(tmp_path / "res"), "--json")
        calls = server.stats()["calls"]
    assert rc == 0
    assert calls == len(rows)  # one order: one call per pair
    run_dir = _run_dir(tmp_path / "res", "file_bracket-judge@")
    results = _results(run_dir)
    labels = {r["pair_id"]: r["label"] for r in rows}
    correct = 0
    for r in results:
        (j,) = r["judgments"]
        letter = re.fullmatch(r"\[\[([AB])\]\]", j["output"].strip())
        assert letter is not None, j["output"]  # the server's fallback style
        expected = "A>B" if letter.group(1) == "A" else "B>A"
        assert j["decision"] == expected
        correct += expected == labels[r["item_id"]]
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["accuracy"] == pytest.approx(100 * correct / len(rows))  # a percentage
    assert 0 < correct < len(rows)  # knows 30%, a coin for the rest: neither all right nor all wrong here
    info = json.loads((run_dir / "run.json").read_text())
    assert info["spec"]["judge_file"]["path"] == str(judge)
    assert info["spec"]["judge_options"]["definition"]["user"].startswith("Question: {{ question }}")  # the content is recorded
    assert info["judge"].startswith("file:bracket-judge@")


def test_unparseable_answer_is_no_decision_with_raw_output(tmp_path: Path) -> None:
    rows = _pairs(4)
    data = write_jsonl(tmp_path / "pairs.jsonl", rows)
    judge = tmp_path / "bare.yaml"
    judge.write_text(UNREADABLE)
    with FakeJudgeServer(FakeConfig(seed=1), [Pair.from_dict(r) for r in rows]) as server:
        rc = _bench("--data", str(data), "--judge-file", str(judge), "--model", "vllm:fake", "--base-url", server.base_url, "--results-dir", str(tmp_path / "res"), "--json")
    assert rc == 0  # a no-decision is not a failed call
    judgments = [j for r in _results(_run_dir(tmp_path / "res", "file_bare-letters@")) for j in r["judgments"]]
    assert len(judgments) == 2 * len(rows)
    for j in judgments:
        assert j["output"].strip() in ("A", "B")  # the raw answer is kept
        assert j["decision"] == "none" and j["error"] is None
        assert "no label matching" in j["extra"]["no_decision_reason"]


def test_pointwise_file_rating(tmp_path: Path) -> None:
    rows = _pairs(5)
    data = write_jsonl(tmp_path / "pairs.jsonl", rows)
    judge = tmp_path / "rater.toml"
    judge.write_text(POINTWISE)
    with FakeJudgeServer(FakeConfig(seed=3)) as server:
        rc = _bench("--data", str(data), "--judge-file", str(judge), "--model", "vllm:fake", "--base-url", server.base_url, "--results-dir", str(tmp_path / "res"), "--json")
        calls = server.stats()["calls"]
    assert rc == 0
    judgments = [j for r in _results(_run_dir(tmp_path / "res", "file_rater@")) for j in r["judgments"]]
    assert calls == len(judgments) == 2 * len(rows)  # one rating per response
    for j in judgments:
        shown = re.search(r"Rating: \[\[(\d+)\]\]", j["output"])  # the MT-Bench format the server recognised
        assert shown is not None, j["output"]
        assert j["rating"] == float(shown.group(1))
        assert 1 <= j["rating"] <= 10


@pytest.mark.parametrize(
    ("edit", "field", "words"),
    [
        (lambda t: t.replace("generation: {temperature: 0", "generation: {temprature: 0"), "generation.temprature", "unknown key"),
        (lambda t: t + "prompt: hello\n", "prompt", "unknown key"),
        (lambda t: t.replace("'\\[\\[(A|B|C)\\]\\]'", "'[[(A|B'"), "parse.pattern", "regular expression"),
        (lambda t: t.replace("{{ question }}", "{{ questoin }}"), "user", "undefined variable"),
        (lambda t: t.replace("kind: pairwise", "kind: triwise"), "kind", "must be one of"),
        (lambda t: t.replace("verdicts: {A: A>B, B: B>A, C: tie}", "verdicts: {A: A>B, B: B>A, C: maybe}"), "parse.verdicts.C", "a verdict is"),
        (lambda t: t.replace("{{ question }}", "{{ ''.__class__ }}"), "user", "sandbox"),
        (lambda t: t.replace("{{ question }}", "{{ ''.__class__.__mro__[1].__subclasses__() }}"), "user", "sandbox"),
    ],
)
def test_bad_judge_file_exits_2_naming_file_and_field(tmp_path: Path, capsys: pytest.CaptureFixture[str], edit, field: str, words: str) -> None:
    judge = tmp_path / "bad.yaml"
    judge.write_text(edit(PAIRWISE))
    data = write_jsonl(tmp_path / "pairs.jsonl", _pairs(2))
    rc = _bench("--data", str(data), "--judge-file", str(judge), "--model", "vllm:fake", "--base-url", "http://127.0.0.1:9/v1", "--results-dir", str(tmp_path / "res"))
    err = capsys.readouterr().err
    assert rc == 2, err
    assert str(judge) in err and f"field {field!r}" in err and words in err, err
    assert not (tmp_path / "res").exists()  # nothing written


def test_unknown_key_names_its_line(tmp_path: Path) -> None:
    from judgebench.errors import InputError
    from judgebench.judges.from_file import load_judge_file

    judge = tmp_path / "typo.yaml"
    judge.write_text(PAIRWISE.replace("system:", "sytem:"))
    with pytest.raises(InputError) as e:
        load_judge_file(judge)
    assert e.value.line == 3 and e.value.field == "sytem" and "did you mean 'system'" in str(e.value)


def test_sandbox_refuses_attribute_tricks_at_render() -> None:
    from jinja2.exceptions import SecurityError

    from judgebench.judges.from_file import sandbox

    with pytest.raises(SecurityError):
        sandbox().from_string("{{ response.__class__.__init__.__globals__ }}").render(response="x")
    with pytest.raises(SecurityError):  # immutable: no mutating method either
        sandbox().from_string("{{ responses.append(1) }}").render(responses=[])


def test_folder_name_follows_the_content(tmp_path: Path) -> None:
    from judgebench.judges.from_file import load_judge_file

    user = tmp_path / "user.jinja"
    user.write_text("Question: {{ question }}\nA: {{ response_a }}\nB: {{ response_b }}\nAnswer [[A]] or [[B]].")
    judge = tmp_path / "judge.yaml"
    text = PAIRWISE.split("user: |")[0] + "user_file: user.jinja\n" + "parse:" + PAIRWISE.split("parse:")[1]
    judge.write_text(text)
    first = load_judge_file(judge).label
    assert first == load_judge_file(judge).label  # stable
    assert first.startswith("file:bracket-judge@")
    user.write_text(user.read_text() + "\nBe brief.")  # editing the template file beside it
    second = load_judge_file(judge).label
    judge.write_text(text.replace("max_tokens: 64", "max_tokens: 65"))  # editing a generation parameter
    third = load_judge_file(judge).label
    assert len({first, second, third}) == 3


def test_judge_file_and_judge_are_exclusive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    judge = tmp_path / "judge.yaml"
    judge.write_text(PAIRWISE)
    with pytest.raises(SystemExit) as e:
        main(["bench", "--judge", "vanilla", "--judge-file", str(judge)])
    assert e.value.code == 2 and "not allowed with" in capsys.readouterr().err


def test_jury_members_on_two_servers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _pairs(6)
    data = write_jsonl(tmp_path / "pairs.jsonl", rows)
    (tmp_path / "judge.yaml").write_text(PAIRWISE)
    member_key = "member-two-key-0123456789"
    monkeypatch.setenv("SECOND_SERVER_CREDENTIAL", member_key)
    pairs = [Pair.from_dict(r) for r in rows]
    with FakeJudgeServer(FakeConfig(seed=1), pairs) as one, FakeJudgeServer(FakeConfig(seed=2), pairs) as two, FakeJudgeServer(FakeConfig(seed=3), pairs) as main_server:
        jury = tmp_path / "jury.yaml"
        jury.write_text(
            f"name: two-servers\nmembers:\n"
            f"  - judge: vanilla\n    model: vllm:model-one\n    base_url: {one.base_url}\n"
            f"  - judge_file: judge.yaml\n    model: vllm:model-two\n    base_url: {two.base_url}\n    api_key_env: SECOND_SERVER_CREDENTIAL\n    weight: 2\n"
        )
        rc = _bench("--data", str(data), "--judge-file", str(jury), "--model", "vllm:unused", "--base-url", main_server.base_url, "--results-dir", str(tmp_path / "res"), "--json")
        stats = one.stats(), two.stats(), main_server.stats()
        auth_one, auth_two = dict(one.authorizations), dict(two.authorizations)
    assert rc == 0
    n = 2 * len(rows)  # both orders
    assert stats[0]["calls"] == n and stats[1]["calls"] == n and stats[2]["calls"] == 0
    assert auth_one == {f"Bearer {CANARY_KEY}": n}  # the usual key from the environment
    assert auth_two == {f"Bearer {member_key}": n}  # the member's own key
    run_dir = _run_dir(tmp_path / "res", "file_two-servers@")
    for r in _results(run_dir):
        for j in r["judgments"]:
            first, second = j["extra"]["members"]
            assert first["member"].startswith("vanilla@vllm:model-one@") and "Verdict: [[" in first["output"]  # the vanilla prompt went to server one
            assert second["member"].startswith("file:bracket-judge@vllm:model-two@") and re.fullmatch(r"\[\[[AB]\]\]", second["output"].strip())
            assert second["weight"] == 2.0
    written = "".join(p.read_text() for p in run_dir.iterdir() if p.is_file())
    assert member_key not in written and "SECOND_SERVER_CREDENTIAL" in written  # the variable's name, never its value
    info = json.loads((run_dir / "run.json").read_text())
    assert sorted(m["model"] for m in info["backend"]["members"]) == ["vllm:model-one", "vllm:model-two"]


def test_jury_member_string_with_base_url(tmp_path: Path) -> None:
    from judgebench.judges.jury import parse_member

    m = parse_member("vanilla@openai:gpt-4o-mini@http://127.0.0.1:8001/v1")
    assert (m.judge, m.model, m.base_url) == ("vanilla", "openai:gpt-4o-mini", "http://127.0.0.1:8001/v1")
    assert (parse_member("vanilla@openai:gpt-4o-mini").base_url, parse_member("vanilla").model) == (None, None)
    rows = _pairs(3)
    data = write_jsonl(tmp_path / "pairs.jsonl", rows)
    pairs = [Pair.from_dict(r) for r in rows]
    with FakeJudgeServer(FakeConfig(seed=1), pairs) as one, FakeJudgeServer(FakeConfig(seed=2), pairs) as two:
        members = json.dumps(["vanilla", f"vanilla@vllm:other@{two.base_url}"])
        rc = _bench("--data", str(data), "--judge", "jury", "--option", f"members={members}", "--model", "vllm:m", "--base-url", one.base_url, "--results-dir", str(tmp_path / "res"), "--json")
        calls = one.stats()["calls"], two.stats()["calls"]
    assert rc == 0 and calls == (2 * len(rows), 2 * len(rows))


def test_bad_jury_file(tmp_path: Path) -> None:
    from judgebench.errors import InputError
    from judgebench.judges.from_file import load_judge_file

    jury = tmp_path / "jury.yaml"
    jury.write_text("members:\n  - judge: vanilla\n    api_key: sk-should-not-be-here\n")
    with pytest.raises(InputError) as e:
        load_judge_file(jury)
    assert e.value.field == "members.0.api_key" and e.value.line == 3
    jury.write_text("members:\n  - judge: mt_bench_single\n")
    with pytest.raises(InputError, match="pairwise"):
        load_judge_file(jury)


def test_judge_file_kinds_are_not_judges_by_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "pairs.jsonl", _pairs(2))
    rc = _bench("--data", str(data), "--judge", "file:pairwise", "--model", "vllm:fake", "--results-dir", str(tmp_path / "res"))
    assert rc == 2 and "--judge-file" in capsys.readouterr().err


def test_a_judge_file_run_is_reparsed_with_its_recorded_definition(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`score --reparse` rebuilds a judge file's parser from the definition its run.json recorded (the file itself
    may have changed or gone): every stored answer is parsed again, none changes."""
    rows = _pairs(6)
    data = write_jsonl(tmp_path / "pairs.jsonl", rows)
    judge = tmp_path / "judge.yaml"
    judge.write_text(PAIRWISE)
    with FakeJudgeServer(FakeConfig(accuracy=0.5, seed=3), [Pair.from_dict(r) for r in rows]) as server:
        assert _bench("--data", str(data), "--judge-file", str(judge), "--model", "vllm:fake-judge", "--base-url", server.base_url, "--results-dir", str(tmp_path / "res"), "--json") == 0
    judge.unlink()  # the run, not the file, says how it parsed
    capsys.readouterr()
    run_dir = _run_dir(tmp_path / "res", "file_bracket-judge@")
    assert main(["score", str(run_dir / "judgments.jsonl"), "--reparse", "--json"]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    report = entry["reparse"]
    assert report["reparsed"] == 2 * len(rows) and report["changed"] == [], report


@pytest.mark.parametrize("where", ["../outside.jinja", "/etc/hostname"])
def test_a_template_outside_the_judge_files_folder_is_refused(tmp_path: Path, where: str) -> None:
    from judgebench.errors import InputError

    """A judge file must not read (and send to a model, and store in run.json) a file from anywhere on the machine:
    `user_file` is a template beside the judge file or below its folder."""
    from judgebench.judges.from_file import load_judge_file

    (tmp_path / "outside.jinja").write_text("secret {{ question }} {{ response_a }} {{ response_b }}")
    folder = tmp_path / "judges"
    folder.mkdir()
    judge = folder / "judge.yaml"
    judge.write_text(PAIRWISE.split("user: |")[0] + f"user_file: {where}\n" + "parse:" + PAIRWISE.split("parse:")[1])
    with pytest.raises(InputError, match="must be in the judge file's folder") as e:
        load_judge_file(judge)
    assert e.value.field == "user_file"


def test_a_huge_judge_file_is_refused_at_once(tmp_path: Path) -> None:
    from judgebench.errors import InputError
    from judgebench.judges.from_file import MAX_FILE_BYTES, load_judge_file

    judge = tmp_path / "judge.yaml"
    judge.write_text(PAIRWISE + "\n# " + "x" * (MAX_FILE_BYTES + 1) + "\n")
    with pytest.raises(InputError, match="at most"):
        load_judge_file(judge)


def test_a_jurys_summary_counts_its_members_calls() -> None:
    """bench's summary line: a jury whose members use their own servers made its calls there; the line sums them
    (it said "model calls: 0" after 24 calls)."""
    from judgebench.reports.leaderboard import render_run_summary

    member = {"calls": 12, "cached": 2, "retries": 1, "failed": 0, "prompt_tokens": 100, "completion_tokens": 10, "cost_usd": 0.5, "priced": True}
    info = {
        "counts": {"pairs": 6, "judgments": 12, "new": 12, "reused": 0, "failed": 0, "cached": 0},
        "backend": {"model": "vllm:unused", "calls": 0, "cached": 0, "retries": 0, "failed": 0, "prompt_tokens": 0, "completion_tokens": 0, "cost_usd": 0.0, "priced": False,
                    "members": [dict(member, model="vllm:m1"), dict(member, model="vllm:m2")]},
    }
    line = render_run_summary(info, "out").splitlines()[1]
    assert "24 answered, 4 from the call cache, 0 failed (2 retries)" in line and "200 in, 20 out" in line and "$1.0000" in line
    assert "(vllm:unused and the jury members' own vllm:m1, vllm:m2)" in line


def test_a_jury_judgment_with_a_fresh_member_call_is_not_counted_from_the_cache(fake_server, tmp_path: Path) -> None:
    # a review: with two members' answers in the call cache and a third member asked afresh, bench said "20 judged,
    # 20 of them from the call cache"
    import json

    from judgebench.benchmarks import load_pairs
    from judgebench.testing.fake_server import FakeConfig

    from .conftest import make_pair, run_cli, write_jsonl

    data = write_jsonl(tmp_path / "pairs.jsonl", [make_pair(i, response_A=f"alpha {i} " * 3, response_B=f"beta {i} " * 3) for i in range(5)])
    one = fake_server(FakeConfig(), load_pairs(str(data)))
    two = fake_server(FakeConfig(), load_pairs(str(data)))
    env = {"OPENAI_API_KEY": "sk-test-jury-cache-000000"}

    def bench(members: list[str], results: str):  # type: ignore[no-untyped-def]
        return run_cli("bench", "--judge", "jury", "--option", f"members={json.dumps(members)}", "--model", "openai:fake", "--base-url", one.base_url,
                       "--data", str(data), "--results-dir", str(tmp_path / results), "--cache-dir", str(tmp_path / "cache"), "--no-progress", env=env)  # fmt: skip

    assert bench(["vanilla", "arena_hard"], "first").returncode == 0
    proc = bench(["vanilla", "arena_hard", f"vanilla@openai:fake2@{two.base_url}"], "second")
    assert proc.returncode == 0, proc.stderr
    assert "10 judgments (10 judged, 0 of them from the call cache" in proc.stdout, proc.stdout
    assert two.stats()["calls"] == 10 and "10 answered, 20 from the call cache" in proc.stdout
    again = bench(["vanilla", "arena_hard", f"vanilla@openai:fake2@{two.base_url}"], "third")
    assert "10 judgments (10 judged, 10 of them from the call cache" in again.stdout, again.stdout
