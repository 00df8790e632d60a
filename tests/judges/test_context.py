"""The judge interface: every judge declares its kind and judges a ``JudgeContext``; templates see the item's
reference and rubric; judgments carry a confidence only when it is a probability and scores only with their kind."""

from __future__ import annotations

import argparse
import inspect
import json
from typing import Any, ClassVar

import pytest

from judgebench import judges as registry
from judgebench.backends import ChatParams, Completion
from judgebench.commands import judges as judges_command
from judgebench.errors import JudgebenchError
from judgebench.judges import Judge, JudgeContext, JudgeInfo, get_judge, list_judges, register_judge
from judgebench.judges._prompted import PromptedJudge
from judgebench.judges.vanilla import parse_verdict as vanilla_verdict
from judgebench.schema import SCORE_KINDS, Decision, Item, Judgment, Preference, Response, Turn

from .helpers import ScriptedBackend, fixture, fixture_names, run

Q, A, B = "What is 2 + 2?", "4", "five"
CONTEXT = JudgeContext.of(Item("q1", Q, (Response(A, "m"), Response(B, "m")), Preference(0), reference="REF-4", rubric="RUBRIC-exact"))


class RewardBackend:
    """A reward backend that scores a response by its length (``score(question, response) -> float``)."""

    name = "reward"

    def __init__(self) -> None:
        self.questions: list[str] = []

    async def score(self, question: str, response: str) -> float:
        self.questions.append(question)
        return float(len(response))


class LogprobBackend(ScriptedBackend):
    """A scripted backend whose completions carry the verdict token's log-probabilities (p(B) = 0.9)."""

    async def chat(self, messages: list[dict[str, str]], params: ChatParams | None = None, *, sample_index: int = 0) -> Completion:
        c = await super().chat(messages, params, sample_index=sample_index)
        top = {"A": -2.302585, "B": -0.105361}
        return Completion(texts=c.texts, usage=c.usage, logprobs=({"token": "Verdict"}, {"token": ": [["}, {"token": "B", "logprob": top["B"], "top": top}))


class SiblingBackend(ScriptedBackend):
    def sibling(self, model: str) -> SiblingBackend:
        return self


def _build(info: JudgeInfo) -> Any:
    if info.backend == "none":
        return get_judge(info.name)
    if info.backend == "reward":
        return get_judge(info.name, RewardBackend())
    if info.name == "jury":
        return get_judge(info.name, SiblingBackend(["Verdict: [[A]]"]), members=["vanilla", "prometheus2"])
    return get_judge(info.name, ScriptedBackend([""]))


SIGNATURES = {"pairwise": ["context", "response_a", "response_b"], "pointwise": ["context", "response"], "listwise": ["context", "responses"]}
"""What each kind of judge is shown besides its context: two responses, one, or K (``*responses``)."""


def test_every_registered_judge_declares_its_kind_and_judges_a_context() -> None:
    kinds = set()
    for info in list_judges():
        judge = _build(info)
        kinds.add(info.kind)
        assert type(judge).kind == info.kind, info.name  # a class attribute, the registered kind
        assert list(inspect.signature(judge.judge).parameters) == SIGNATURES[info.kind], info.name
        if info.kind == "pairwise":
            assert isinstance(judge, Judge), info.name
    assert kinds == set(SIGNATURES)  # judges of every kind are registered


def test_get_judge_refuses_a_judge_whose_kind_is_not_its_registered_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    class Pointwise:
        kind: ClassVar[str] = "pointwise"
        name = "test_pointwise"
        order_invariant = False

        async def judge(self, context: JudgeContext, response_a: str, response_b: str) -> Judgment:
            return Judgment(Decision.A_BETTER)

    def factory(backend: object = None) -> Pointwise:
        return Pointwise()

    list_judges()  # discovery first, so the patched entry is not overwritten
    monkeypatch.setitem(registry._REGISTRY, "test_pointwise", JudgeInfo("test_pointwise", "test only", factory, False, "none"))
    with pytest.raises(JudgebenchError, match="registered as pairwise but its judge declares kind 'pointwise'"):
        get_judge("test_pointwise")
    monkeypatch.setitem(registry._REGISTRY, "test_pointwise", JudgeInfo("test_pointwise", "test only", factory, False, "none", "pointwise"))
    assert get_judge("test_pointwise").kind == "pointwise"
    with pytest.raises(JudgebenchError, match="member 'test_pointwise' is a pointwise judge"):
        get_judge("jury", SiblingBackend([""]), members=["vanilla", "test_pointwise"])


def test_register_judge_refuses_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown kind 'ranking'"):
        register_judge("test_bad_kind", "test only", kind="ranking")  # type: ignore[arg-type]
    assert "test_bad_kind" not in {j.name for j in list_judges()}


def test_judge_context_of_item_and_of_question() -> None:
    item = Item("c1", (Turn("system", "Be brief."), Turn("user", Q)), (Response(A), Response(B)), reference="4", rubric="exact", category="math", metadata={"k": 1})
    context = JudgeContext.of(item)
    # a chat prompt reaches a judge that reads one question as a transcript of every turn (the earlier turns kept)
    assert (context.question, context.reference, context.rubric, context.category, context.item_id) == (f"System: Be brief.\n\nUser: {Q}", "4", "exact", "math", "c1")
    assert context.conversation == item.conversation and dict(context.metadata) == {"k": 1}
    bare = JudgeContext.of_question(Q)
    assert (bare.question, bare.conversation, bare.reference, bare.rubric) == (Q, (Turn("user", Q),), None, None)


def test_prompted_judge_templates_see_the_context_question_reference_and_rubric() -> None:
    judge = get_judge("vanilla", ScriptedBackend([""]))
    variables = judge.template_variables(CONTEXT, "FIRST", "SECOND")
    assert variables == {"question": Q, "reference": "REF-4", "rubric": "RUBRIC-exact", "response_a": "FIRST", "response_b": "SECOND"}
    bare = judge.template_variables(JudgeContext.of_question(Q), "FIRST", "SECOND")
    assert bare["reference"] is None and bare["rubric"] is None


def test_prompted_judge_refuses_an_own_variable_the_context_fills() -> None:
    with pytest.raises(ValueError, match="template variable 'rubric' is filled from the item's context"):
        PromptedJudge(name="x", backend=None, template="vanilla", parse=vanilla_verdict, variables={"rubric": "mine"})


def test_jury_passes_the_context_to_its_members() -> None:
    # prometheus2 and judgelm render the item's reference: each member's prompt shows it.
    backend = SiblingBackend(lambda messages, params, i: "[RESULT] A" if "[INST]" in messages[-1]["content"] else "8 2")
    j = run(get_judge("jury", backend, members=["prometheus2", "judgelm"]).judge(CONTEXT, A, B))
    assert len(backend.calls) == 2 and all("REF-4" in messages[-1]["content"] for messages, _, _ in backend.calls)
    assert j.decision is Decision.A_BETTER


def test_reward_model_and_baselines_read_the_question_from_the_context() -> None:
    backend = RewardBackend()
    j = run(get_judge("reward_model", backend).judge(CONTEXT, "longer one", "short"))
    assert backend.questions == [Q, Q] and j.decision is Decision.A_BETTER
    random_judge = get_judge("random", seed=3)
    picks = {run(random_judge.judge(JudgeContext.of_question(Q), A, B)).decision, run(random_judge.judge(CONTEXT, A, B)).decision}
    assert len(picks) == 1  # the same question and responses: the same pick, whatever else the context holds


def _cases() -> list[tuple[str, dict[str, Any], Any, list[str]]]:
    """(judge, options, backend factory, outputs): every judge with outputs that decide, tie and fail to parse."""
    chat = [
        (name, options, fixture_names(name))
        for name, options in [
            ("arena_hard", {}),
            ("auto_j", {}),
            ("compass_judger", {}),
            ("judgelm", {}),
            ("judgelm", {"bpc": True, "mec_k": 2}),
            ("pairwise_score", {}),
            ("pairwise_score", {"bpc": True}),
            ("pandalm", {}),
            ("prometheus2", {}),
            ("skywork_critic", {}),
            ("skywork_critic", {"logprobs": True}),
        ]
    ]
    cases: list[tuple[str, dict[str, Any], Any, list[str]]] = [
        (name, options, ScriptedBackend, [fixture(name, stem) for stem in stems]) for name, options, stems in chat
    ]
    cases.append(("vanilla", {"logprobs": True}, LogprobBackend, ["Verdict: [[B]]", "Verdict: [[A]]", "no idea"]))
    cases.append(("chateval", {}, ScriptedBackend, ["Verdict: [[B]]", "no idea"]))
    return cases


def _check(j: Judgment, where: str) -> None:
    if j.scores is not None:
        assert j.score_kind in SCORE_KINDS, f"{where}: scores {j.scores} without a score kind"
    else:
        assert j.score_kind is None, where
    if j.confidence is not None:
        assert 0.0 <= j.confidence <= 1.0, where


@pytest.mark.parametrize(("name", "options", "backend", "outputs"), _cases(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_judge_tags_its_scores_and_gives_only_probabilities(name: str, options: dict[str, Any], backend: Any, outputs: list[str]) -> None:
    seen_scores = seen_confidence = False
    for output in outputs:
        judge = get_judge(name, backend([output]), **options)
        j = run(judge.judge(CONTEXT, A, B))
        _check(j, f"{name} {output[:40]!r}")
        if hasattr(judge, "reparse"):
            _check(judge.reparse(j), f"{name} reparse {output[:40]!r}")
        seen_scores |= j.scores is not None
        seen_confidence |= j.confidence is not None
    if name in ("judgelm", "pairwise_score"):
        assert seen_scores, name  # the score judges do record scores, tagged as ratings
    if name == "vanilla":
        assert seen_confidence, name  # the verdict token's probability


def test_judges_without_a_model_tag_their_scores() -> None:
    longer = run(get_judge("longer").judge(CONTEXT, "longer one", "short"))
    assert longer.scores == (10.0, 5.0) and longer.score_kind == "chars" and longer.confidence is None
    reward = run(get_judge("reward_model", RewardBackend()).judge(CONTEXT, "longer one", "short"))
    assert reward.scores == (10.0, 5.0) and reward.score_kind == "reward" and reward.confidence is None
    assert run(get_judge("random").judge(CONTEXT, A, B)).scores is None


def test_judges_listing_shows_each_judges_kind(capsys: pytest.CaptureFixture[str]) -> None:
    assert judges_command.run(argparse.Namespace(json=False)) == 0
    lines = capsys.readouterr().out.splitlines()
    vanilla = next(line for line in lines if line.startswith("vanilla "))
    assert vanilla.split()[:3] == ["vanilla", "pairwise", "[chat]"]
    assert all(line.split()[1] in SIGNATURES for line in lines)
    assert judges_command.run(argparse.Namespace(json=True)) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {j["name"]: j["kind"] for j in listed} == {j.name: j.kind for j in list_judges()}
    assert {j["name"]: j["kind"] for j in listed}["mt_bench_single"] == "pointwise" and {j["name"]: j["kind"] for j in listed}["rewardbench2_fourway"] == "listwise"

