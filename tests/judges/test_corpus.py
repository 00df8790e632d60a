"""Every prompted judge family against a corpus of realistic outputs with hand-written decisions.

``corpus/<family>.jsonl`` holds one output per line: ``output`` (the raw text), ``expected`` (``A>B``, ``B>A``, ``A=B``
or ``none``, written by hand from reading the output, never computed by the parser), ``why``, and optionally
``reason`` (a phrase the recorded no-decision reason must contain), ``scores`` (score formats) and ``style``
(``compass_judger``'s prompt style). The outputs cover the verdict written plainly, quoted, in JSON, in Markdown,
after drafts, inside and after ``<think>`` blocks, after a restated instruction, after a prompt echo, refusals,
truncations and empty output. Each output is run through the judge built from the registry (the parser a live run
uses), so the recorded ``no_decision_reason`` is checked too. ``chateval``'s agents use vanilla's format and parser:
its debate-round outputs are in ``vanilla.jsonl``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from judgebench.judges import JudgeContext, get_judge
from judgebench.schema import Decision

from .helpers import ScriptedBackend, run

CORPUS = Path(__file__).resolve().parent / "corpus"
MIN_OUTPUTS = 40

# family -> the registry judges (name, options) whose parser reads that family's format
JUDGES: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "arena_hard": [("arena_hard", {"continue_attempts": 0}), ("arena_hard_notie", {"continue_attempts": 0}), ("compass_judger", {})],
    "vanilla": [("vanilla", {})],
    "skywork_critic": [("skywork_critic", {})],
    "prometheus2": [("prometheus2", {})],
    "auto_j": [("auto_j", {})],
    "pandalm": [("pandalm", {})],
    "judgelm": [("judgelm", {})],
    "pairwise_score": [("pairwise_score", {})],
    "compass_judger": [("compass_judger", {})],  # prompt_style from each case's "style"
}


def load(family: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (CORPUS / f"{family}.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


def cases() -> list[Any]:
    out = []
    for family, judges in JUDGES.items():
        for case in load(family):
            for name, options in judges:
                opts = dict(options)
                if "style" in case:
                    opts["prompt_style"] = case["style"]
                out.append(pytest.param(name, opts, case, id=f"{name}-{case['id']}"))
    return out


def test_corpus_every_family_has_at_least_40_outputs_with_unique_ids() -> None:
    assert sorted(p.stem for p in CORPUS.glob("*.jsonl")) == sorted(JUDGES)
    for family in JUDGES:
        rows = load(family)
        assert len(rows) >= MIN_OUTPUTS, family
        assert len({r["id"] for r in rows}) == len(rows), family
        assert {r["expected"] for r in rows} <= {"A>B", "B>A", "A=B", "none"}
        assert all(r["why"] for r in rows)


def test_corpus_covers_quoted_json_think_echo_truncated_and_empty() -> None:
    for family in JUDGES:
        ids = " ".join(r["id"] for r in load(family))
        for kind in ("think", "echo", "empty", "whitespace"):
            assert kind in ids, (family, kind)


@pytest.mark.parametrize(("name", "options", "case"), cases())
def test_corpus_output_gives_hand_written_decision(name: str, options: dict[str, Any], case: dict[str, Any]) -> None:
    judge = get_judge(name, ScriptedBackend([case["output"]]), **options)
    j = run(judge.judge(JudgeContext.of_question("question"), "response A", "response B"))
    assert j.decision == Decision.parse(case["expected"]), case["why"]
    assert j.error is None and j.output == case["output"]
    reason = j.extra.get("no_decision_reason")
    if j.decision is Decision.NONE:
        assert reason, "a no-decision records its reason"
        assert case.get("reason", "") in reason
    else:
        assert reason is None
    if "scores" in case:
        assert j.scores == tuple(float(s) for s in case["scores"])
