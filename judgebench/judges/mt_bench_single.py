"""``mt_bench_single``: MT-Bench single-answer grading, 1-10 (Zheng et al. 2023, arXiv 2306.05685).

Source: github.com/lm-sys/FastChat, commit 0e6d3e4beaab66f4d3f93db72541a4abab8af28d:
``fastchat/llm_judge/data/judge_prompts.jsonl`` (the prompts, verbatim in ``templates/mt_bench_single*.jinja``;
the same file as ``/work/shared/data/mt-bench/judge_prompts.jsonl``) and ``fastchat/llm_judge/common.py``
(``run_judge_single``: system message + user message, temperature 0, 2,048 new tokens; ``one_score_pattern`` and
``one_score_pattern_backup``).

Which prompt (FastChat's judge names):

- ``single-v1``: one user turn, no reference;
- ``single-math-v1``: one user turn and the item's reference answer (``JudgeContext.reference``) as
  ``ref_answer_1``. FastChat uses it for the categories that have references (math, reasoning, coding); here any
  item with a reference gets it (``reference=never`` turns that off);
- ``single-v1-multi-turn``: a conversation of two user turns with the first answer between them
  (``JudgeContext.conversation`` = user, assistant, user; the response shown answers the second turn);
- ``single-math-v1-multi-turn``: the same with reference answers for both turns, read from
  ``metadata["reference_turns"]`` (FastChat's reference ``choices[0].turns``: two texts); one reference
  (``JudgeContext.reference``) cannot fill both, so a two-turn item without ``reference_turns`` gets
  ``single-v1-multi-turn`` (no reference). The template used is recorded in ``extra["template"]``.

Any other conversation (more turns, or a system turn) gets ``single-v1`` with the whole transcript as the question.

Rating: ``parse_rating``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..backends import Messages
from . import JudgeContext, register_judge
from ._options import chat_params, choice_option
from ._prompted import render_messages
from ._rating import RatingJudge, RatingRead

SCALE = (1.0, 10.0)
# fastchat/llm_judge/common.py (commit 0e6d3e4), verbatim.
ONE_SCORE_PATTERN = re.compile(r"\[\[(\d+\.?\d*)\]\]")
ONE_SCORE_PATTERN_BACKUP = re.compile(r"\[(\d+\.?\d*)\]")

TEMPLATES = {
    "single-v1": ("mt_bench_single", "mt_bench_single_system"),
    "single-math-v1": ("mt_bench_single_math", "mt_bench_single_system"),
    "single-v1-multi-turn": ("mt_bench_single_multi_turn", "mt_bench_single_multi_turn_system"),
    "single-math-v1-multi-turn": ("mt_bench_single_math_multi_turn", "mt_bench_single_math_multi_turn_system"),
}


def parse_rating(text: str) -> RatingRead:
    """The rating of an MT-Bench single-answer judgment, ``Rating: [[5]]``, as FastChat reads it.

    Upstream (``run_judge_single``): the *first* ``[[N]]`` (``one_score_pattern``, ``N`` an integer or a decimal such
    as ``7.5``), else the first ``[N]`` (``one_score_pattern_backup``), read with ``ast.literal_eval``; none gives -1.
    Here the same patterns and the same first match; the differences: no rating is ``None`` with the reason (not -1),
    and the judge refuses a number outside 1-10 (FastChat keeps it: ``[[0]]`` or ``[[11]]`` would be a score).
    """
    m = ONE_SCORE_PATTERN.search(text) or ONE_SCORE_PATTERN_BACKUP.search(text)
    if m is None:
        return RatingRead(None, reason="no [[rating]] (or [rating]) in the output" if text.strip() else "empty output")
    return RatingRead(float(m.group(1)), m.span(1))


def _turns(context: JudgeContext) -> tuple[str, str, str] | None:
    """(question 1, answer 1, question 2) when the conversation is exactly user, assistant, user."""
    roles = [t.role for t in context.conversation]
    if roles == ["user", "assistant", "user"]:
        q1, a1, q2 = (t.content for t in context.conversation)
        return q1, a1, q2
    return None


def _reference_turns(context: JudgeContext) -> Sequence[Any] | None:
    refs = context.metadata.get("reference_turns") if context.metadata else None
    return refs if isinstance(refs, (list, tuple)) and len(refs) >= 2 and all(isinstance(r, str) for r in refs[:2]) else None


def choose(context: JudgeContext, response: str, *, use_reference: bool = True) -> tuple[str, dict[str, Any]]:
    """(FastChat's judge name, the template variables) for ``response`` in ``context``."""
    reference = context.reference if use_reference else None
    turns = _turns(context)
    if turns is not None:
        q1, a1, q2 = turns
        variables = {"question_1": q1, "answer_1": a1, "question_2": q2, "answer_2": response}
        refs = _reference_turns(context) if use_reference else None
        if refs is not None:
            return "single-math-v1-multi-turn", variables | {"ref_answer_1": refs[0], "ref_answer_2": refs[1]}
        return "single-v1-multi-turn", variables
    question = context.question
    if reference is not None:
        return "single-math-v1", {"question": question, "answer": response, "ref_answer_1": reference}
    return "single-v1", {"question": question, "answer": response}


def render(context: JudgeContext, response: str, *, use_reference: bool = True) -> tuple[str, Messages]:
    """(template name, system + user messages) for ``response``."""
    name, variables = choose(context, response, use_reference=use_reference)
    user, system = TEMPLATES[name]
    return name, render_messages(user, system_template=system, **variables)


@register_judge(
    "mt_bench_single",
    "MT-Bench single-answer grading 1-10 (FastChat's single-v1 / single-math-v1 and their multi-turn prompts, "
    "verbatim; Rating: [[N]]); an item's reference selects the math prompt (option reference=item|never). "
    "Zheng et al. 2023, arXiv 2306.05685; github.com/lm-sys/FastChat.",
    kind="pointwise",
)
def mt_bench_single(backend: object, *, reference: str = "item", temperature: float = 0.0, max_tokens: int = 2048) -> RatingJudge:
    """MT-Bench single-answer grader; temperature 0 and 2,048 new tokens as FastChat's OpenAI judge.

    Args:
        backend: the chat backend (FastChat used GPT-4).
        reference: ``item`` (an item's reference selects the math prompt) or ``never``.
        temperature: sampling temperature.
        max_tokens: new-token limit.
    """
    use = choice_option("reference", reference, ("item", "never")) == "item"
    return RatingJudge(
        name="mt_bench_single",
        backend=backend,
        scale=SCALE,
        render=lambda context, response: render(context, response, use_reference=use),
        parse=parse_rating,
        params=chat_params(temperature, max_tokens),
    )
