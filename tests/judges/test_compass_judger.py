"""compass_judger: Arena-Hard-style prompt in one message (JudgeBench) or the README's Reward Judge format."""

from __future__ import annotations

import jinja2
import pytest

from judgebench.errors import InputError
from judgebench.judges import JudgeContext, get_judge
from judgebench.judges._prompted import render_template
from judgebench.judges.compass_judger import parse_reward_verdict
from judgebench.schema import Decision

from .helpers import ScriptedBackend, fixture, run, user_text
from .test_arena_hard import UPSTREAM_PROMPT, UPSTREAM_SYSTEM

# github.com/open-compass/CompassJudger README.md (commit 068f4bf), "Reward Judge" input, one dialogue turn.
REWARD = (
    "Please read the dialogue between the two assistants and the user to determine which assistant performed better during the conversation."
    "Here is the dialogue content:\n[Dialogue Begin]\nUser: {q}\nAssistant A: {a}\nAssistant B: {b}\n[Dialogue End]\n"
    "If you believe Assistant A performed better, please output A directly.\nIf you believe Assistant B performed better, please output B directly.\n"
    "Do not output any other content, just the option. Please output:"
)
Q, A, B = "Name a 5-letter word starting with A.", "Aardvark.", "Adore."


def test_compass_judger_arena_hard_style_is_system_and_prompt_in_one_message() -> None:
    # ScalerLab/JudgeBench utils/templates/compass_judger_prompt.jinja2: system text, newline, user prompt, newline.
    expected = UPSTREAM_SYSTEM + "\n" + UPSTREAM_PROMPT.format(question_1=Q, answer_1=A, answer_2=B) + "\n"
    assert get_judge("compass_judger", ScriptedBackend([""])).messages(JudgeContext.of_question(Q), A, B) == [{"role": "user", "content": expected}]


def test_compass_judger_reward_style_matches_readme_format() -> None:
    messages = get_judge("compass_judger", ScriptedBackend([""]), prompt_style="reward").messages(JudgeContext.of_question(Q), A, B)
    assert messages == [{"role": "user", "content": REWARD.format(q=Q, a=A, b=B)}]


def test_compass_judger_render_response_a_first() -> None:
    for style in ("arena_hard", "reward"):
        user = user_text(get_judge("compass_judger", ScriptedBackend([""]), prompt_style=style).messages(JudgeContext.of_question(Q), "FIRST", "SECOND"))
        assert user.index("FIRST") < user.index("SECOND") and "{#" not in user


def test_compass_judger_template_missing_variable_raises() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render_template("compass_judger_reward", question=Q, response_a=A)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("reward_a", Decision.A_BETTER),
        ("reward_b_bold", Decision.B_BETTER),
        ("reward_assistant_b", Decision.B_BETTER),
        ("reward_sentence", Decision.NONE),  # the format asks for the option only
        ("reward_empty", Decision.NONE),
    ],
)
def test_compass_judger_reward_parse_recorded_output(name: str, expected: Decision) -> None:
    assert parse_reward_verdict(fixture("compass_judger", name)).decision is expected


@pytest.mark.parametrize(("name", "expected"), [("arena_a", Decision.A_BETTER), ("arena_b", Decision.B_BETTER)])
def test_compass_judger_arena_hard_style_parses_arena_labels(name: str, expected: Decision) -> None:
    j = run(get_judge("compass_judger", ScriptedBackend([fixture("compass_judger", name)])).judge(JudgeContext.of_question(Q), A, B))
    assert j.decision is expected


def test_compass_judger_reward_judge_end_to_end_and_echo() -> None:
    backend = ScriptedBackend([REWARD.format(q=Q, a="A", b="B") + " B"])  # an echo whose answers are the letters themselves
    j = run(get_judge("compass_judger", backend, prompt_style="reward").judge(JudgeContext.of_question(Q), "A", "B"))
    assert j.decision is Decision.B_BETTER
    assert backend.calls[0][1].max_tokens == 2048 and backend.calls[0][1].temperature == 0.0


def test_compass_judger_bad_style_raises_input_error() -> None:
    with pytest.raises(InputError, match="prompt_style"):
        get_judge("compass_judger", ScriptedBackend([""]), prompt_style="pairwise")
