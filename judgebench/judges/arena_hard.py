"""``arena_hard`` and ``arena_hard_notie``: the Arena-Hard-Auto pairwise judge (Li et al. 2024, arXiv 2406.11939).

Prompt: the arena-hard-auto v0.1 judge config, verbatim (``templates/arena_hard*.jinja`` cite the commit). The
judge writes its own answer, compares, and ends with a label: ``[[A>>B]]``, ``[[A>B]]``, ``[[A=B]]``, ``[[B>A]]``,
``[[B>>A]]``. As in JudgeBench (``utils/judges.py::ArenaHard``), strong and slight preferences collapse to one
decision: ``A>>B`` and ``A>B`` -> ``A>B``; ``B>A`` and ``B>>A`` -> ``B>A``; ``A=B`` -> tie. The ``notie`` variant's
prompt offers only ``[[A>B]]`` / ``[[B>A]]`` (JudgeBench's variant); a tie the model writes anyway is recorded as a
tie, not dropped.

Like arena-hard-auto v0.1 (and JudgeBench), a judgment with no label at all gets one follow-up turn asking the
model to finish with a verdict (``continue_attempts``, default 1); each turn is read on its own and the outputs
are joined with a newline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..backends import BackendError
from ..schema import Decision, Judgment, Usage
from . import register_judge
from ._options import chat_params, int_option
from ._parsing import Echo, answer_of, phrase, read_label
from ._prompted import PromptedJudge, Verdict, prompt_text, render_template, verdict_extra

if TYPE_CHECKING:
    from . import JudgeContext

LABELS: dict[str, Decision] = {
    "A>>B": Decision.A_BETTER,
    "A>B": Decision.A_BETTER,
    "A=B": Decision.TIE,
    "B>A": Decision.B_BETTER,
    "B>>A": Decision.B_BETTER,
}
# The five labels; case and spaces inside the brackets are free (arena-hard-auto upper-cases the judgment first).
LABEL = re.compile(r"\[\[\s*(A\s*>\s*>?\s*B|A\s*=\s*B|B\s*>\s*>?\s*A)\s*\]\]", re.IGNORECASE)
# The prompt's closing marker, and the templates an echoed prompt begins with (compass_judger sends the same text).
ECHO = Echo(("arena_hard_system", "arena_hard_notie_system", "arena_hard"), ("<|The End of Assistant B's Answer|>",))
_MENU_LINE = r"[ \t]*(?:\d\.|[-*])?[ \t]*(?:Assistant [AB] is (?:significantly |slightly )?better|Tie, relatively the same):[ \t]*\[\[[AB<>=]+\]\][ \t]*"
# The system prompt's choices restated: two or more of its numbered menu lines in a row, and its example line.
# One numbered line alone ("5. Assistant B is significantly better: [[B>>A]]") is a choice, not a restatement.
INSTRUCTIONS = (
    re.compile(rf"(?:^{_MENU_LINE}(?:\n|$)){{2,}}", re.MULTILINE | re.IGNORECASE),
    phrase('Example output: "My final verdict is tie: [[A=B]]"'),
    phrase('Example output: "My final verdict is Assistant A is better: [[A>B]]"'),
)
WHAT = "verdict label ([[A>B]] etc.)"


def label_decision(m: re.Match[str]) -> Decision:
    """The decision a label match names: ``A>>B`` and ``A>B`` -> A>B, ``A=B`` -> tie, ``B>A`` and ``B>>A`` -> B>A."""
    return LABELS[re.sub(r"\s+", "", m.group(1)).upper()]


def parse_verdict(text: str) -> Verdict:
    """Read the judge's final verdict label from an Arena-Hard judgment.

    The shared rule (``_parsing``): the answer is the output without a prompt echo (an output that begins with the
    prompt, up to its last ``<|The End of Assistant B's Answer|>``), text after end-of-sequence, ``<think>`` blocks
    and the restated menu; of its labels, those that are only mentioned (quoted from a response, negated,
    hypothetical, in code, offered as alternatives) are set aside and the last of the others wins, quoted or not
    (``My final verdict is: "[[A>B]]"``, ``{"verdict": "[[A>B]]"}``). No verdict gives ``Decision.NONE`` with the
    reason. Case and spaces inside the brackets are free (``[[a>b]]``, ``[[A > B]]``).

    Upstream: arena-hard-auto's current ``gen_judgment.py::get_score`` (commit 196f6b8, last changed in 005ac12)
    upper-cases the judgment and takes the last match (``matches[-1]``) of a looser pattern (``[[`` then any of
    ``AB<>=`` then ``]]``, no spaces), in the answer only (a reasoning model's thought is kept apart,
    ``utils/completion.py``). arena-hard-auto v0.1 (``gen_judgment.py`` at 4ce0f00) and JudgeBench
    (``utils/judges.py::ArenaHard.get_score``, commit e2c52c2) take the *only* distinct label and give no decision
    when two distinct labels appear. Here a label mentioned after the verdict (an injected label, ``not [[A>B]]``,
    ``it would have been [[A>B]]``) does not count, as v0.1 would not be misled by it either, while a verdict that
    revises an earlier draft is read (v0.1 gives none). Labels outside the five (``[[A<B]]``) are never read.
    """
    answer = answer_of(text, ECHO, INSTRUCTIONS)
    m, reason = read_label(answer, LABEL, WHAT, label_decision)
    if m is None:
        return Verdict(Decision.NONE, reason=reason)
    return Verdict(label_decision(m))


@dataclass
class ArenaHardJudge(PromptedJudge):
    """A PromptedJudge that, like arena-hard-auto v0.1, asks once more when the judgment has no verdict label.

    Each turn's output is read on its own (its own reasoning dropped, so a first turn cut off inside ``<think>`` does
    not swallow the follow-up's verdict); the first turn with a verdict decides. The outputs are joined with a
    newline in ``Judgment.output``, as arena-hard-auto does, and kept one by one in ``extra["outputs"]``.
    """

    continue_attempts: int = 1

    def read_turns(self, outputs: list[str]) -> Verdict:
        """The verdict of the first turn that has one; else the last turn's no-decision (with its reason)."""
        verdict = Verdict(Decision.NONE)
        for output in outputs:
            verdict = self.parse(output)
            if verdict.decision is not Decision.NONE:
                break
        return verdict

    async def judge(self, context: JudgeContext, response_a: str, response_b: str) -> Judgment:
        messages = self.messages(context, response_a, response_b)
        first_prompt = prompt_text(messages)
        outputs: list[str] = []
        usage = Usage()
        cached = True
        verdict = Verdict(Decision.NONE)
        finish_reason: str | None = None
        error: str | None = None
        for attempt in range(1 + self.continue_attempts):
            try:
                completion = await self.backend.chat(messages, self.params)
            except BackendError as e:
                error = str(e)
                break
            outputs.append(completion.text)
            usage = usage + completion.usage
            cached = cached and completion.cached
            finish_reason = completion.finish_reason
            verdict = self.parse(completion.text)
            if verdict.decision is not Decision.NONE or attempt == self.continue_attempts:
                break
            messages = [*messages, {"role": "assistant", "content": completion.text}, {"role": "user", "content": render_template("arena_hard_continue")}]
        if not outputs:
            return Judgment(Decision.NONE, prompt=first_prompt, error=error, usage=usage + Usage(calls=1))
        extra: dict[str, object] = {"attempts": len(outputs)}
        if len(outputs) > 1:
            extra["outputs"] = list(outputs)
        if cached:
            extra["cached"] = True
        if error is not None:
            extra["continuation_error"] = error
        extra |= verdict_extra(verdict, finish_reason)
        return Judgment(
            decision=verdict.decision,
            prompt=prompt_text(messages) if len(outputs) > 1 else first_prompt,
            output="\n".join(outputs),
            usage=usage,
            extra=extra,
        )

    def reparse(self, judgment: Judgment) -> Judgment:
        """As ``PromptedJudge.reparse``, reading each stored turn (``extra["outputs"]``) on its own; a judgment
        stored before turns were kept is read from its joined output."""
        turns = judgment.extra.get("outputs")
        if judgment.is_failed or not isinstance(turns, list) or len(turns) < 2:
            return super().reparse(judgment)
        verdict = self.read_turns([str(t) for t in turns])
        return PromptedJudge.reparse(replace(self, parse=lambda _joined: verdict), judgment)


def _make(name: str, system_template: str, backend: object, temperature: float, max_tokens: int, continue_attempts: int) -> ArenaHardJudge:
    return ArenaHardJudge(
        name=name,
        backend=backend,
        template="arena_hard",
        system_template=system_template,
        parse=parse_verdict,
        params=chat_params(temperature, max_tokens),
        continue_attempts=int_option("continue_attempts", continue_attempts, low=0, high=5),
    )


@register_judge(
    "arena_hard",
    "Arena-Hard-Auto judge prompt (v0.1 judge_config.yaml, verbatim): own answer first, then a 5-way verdict "
    "[[A>>B]]..[[B>>A]] incl. tie; strong/slight collapse to A>B / B>A. Li et al. 2024, arXiv 2406.11939; "
    "github.com/lmarena/arena-hard-auto. Any chat model.",
)
def arena_hard(backend: object, *, temperature: float = 0.0, max_tokens: int = 4096, continue_attempts: int = 1) -> ArenaHardJudge:
    """Arena-Hard judge with the tie option; arena-hard-auto's settings: temperature 0, max_tokens 4096."""
    return _make("arena_hard", "arena_hard_system", backend, temperature, max_tokens, continue_attempts)


@register_judge(
    "arena_hard_notie",
    "Arena-Hard-Auto judge prompt without the tie option ([[A>B]] / [[B>A]] only), JudgeBench's variant "
    "(github.com/ScalerLab/JudgeBench utils/templates/arena_hard_judge_system_notie.jinja2). Any chat model.",
)
def arena_hard_notie(backend: object, *, temperature: float = 0.0, max_tokens: int = 4096, continue_attempts: int = 1) -> ArenaHardJudge:
    """Arena-Hard judge whose prompt offers no tie."""
    return _make("arena_hard_notie", "arena_hard_notie_system", backend, temperature, max_tokens, continue_attempts)
