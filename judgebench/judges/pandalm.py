"""``pandalm``: PandaLM-7B (Wang et al. 2023, "PandaLM", arXiv 2306.05087; github.com/WeOpenML/PandaLM).

Input: PandaLM's raw completion prompt, exactly as ``build_pandalm_prompt`` makes it (``templates/pandalm.jinja``),
with each response stripped and cleared of special-token strings as upstream does. PandaLM has no chat format:
serve it with a pass-through chat template so the server sends BOS + this text (see the template header).

Output format PandaLM was trained on: ``"{1|2|Tie}\\n\\n### Reason: ...\\n\\n### Reference: ...\\n"``. The verdict is
the first non-empty line and nothing else; the reason and reference answer that follow may mention either response
and are never read as the verdict. Upstream maps anything unreadable to a tie; here it is ``Decision.NONE``.

Differences from upstream, on purpose: greedy decoding (upstream uses beam search, 4 beams, repetition penalty 1.2,
which a chat API does not offer); no token-level truncation to PandaLM's 2,048-token context (JudgeBench truncates
with the tokenizer) -- ``max_response_chars`` gives a character-level approximation, and a prompt the server rejects
as too long is recorded as a failed judgment.
"""

from __future__ import annotations

import re

from ..schema import Decision
from . import register_judge
from ._inputs import PreparedJudge
from ._options import chat_params
from ._parsing import Echo, answer_of
from ._prompted import Verdict

# pandalm/utils/pandalm_inference.py (commit 6823887): special-token strings removed from responses and output.
SPECIAL_TOKENS = re.compile(
    r"<unk>|<pad>|<s>|</s>|\[PAD\]|<\|endoftext\|>|\[UNK\]|\[CLS\]|\[MASK\]|<\|startofpiece\|>|<\|endofpiece\|>|\[gMASK\]|\[sMASK\]"
)
ECHO = Echo(("pandalm",), ("### Evaluation:",))
# Quotes, bold and code marks around the verdict are tolerated, as in every family ("quoted or not").
_MARKUP = "\"'*`\u201c\u201d"
_VERDICT_LINE = re.compile(r"^\s*(?:1|2|tie)\s*$", re.IGNORECASE | re.MULTILINE)
_VERDICTS = {"1": Decision.A_BETTER, "2": Decision.B_BETTER, "tie": Decision.TIE}


def clean_response(text: str) -> str:
    """A response as PandaLM sees it: stripped, special-token strings removed, stripped again (upstream order)."""
    return SPECIAL_TOKENS.sub("", text.strip()).strip()


def parse_verdict(text: str) -> Verdict:
    """PandaLM's verdict: the first non-empty line of its answer must be ``1``, ``2`` or ``Tie`` (any case).

    Special-token strings are removed first; when the output echoes the prompt (it begins with the prompt's
    opening sentence, or another line of the prompt) only the text after the last ``### Evaluation:`` is read, and
    ``<think>`` blocks are dropped (the shared reduction, ``_parsing``). Unlike the label formats, the verdict is the
    *first* line: the reason and reference answer that follow may name either response. Quotes, bold or code marks
    around it are tolerated (``"1"``, ``**Tie**``); anything else on the first line (``Response 1``, ``1.``, a
    sentence), an empty or whitespace-only output gives ``Decision.NONE`` with the reason.

    Upstream: ``parse_pandalm_response`` (PandaLM ``pandalm/utils/pandalm_inference.py``, commit 6823887; copied
    by JudgeBench ``utils/judges.py::PandaLM``, commit e2c52c2) also reads the first line, but maps anything
    unreadable to a tie; here that is no decision.
    """
    body = SPECIAL_TOKENS.sub("", text or "")
    answer = answer_of(body, ECHO)
    for line in answer.text.splitlines():
        if line.strip():
            decision = _VERDICTS.get(line.strip().strip(_MARKUP).strip().lower(), Decision.NONE)
            reason = None if decision is not Decision.NONE else f"the first line of the answer is not 1, 2 or Tie: {line.strip()[:80]!r}"
            return Verdict(decision, reason=reason)
    return Verdict(Decision.NONE, reason=answer.missing("verdict line (1, 2 or Tie)", _VERDICT_LINE))


class PandaLMJudge(PreparedJudge):
    """PromptedJudge that prepares the responses the way PandaLM's own prompt builder does."""

    def prepare(self, response: str) -> str:
        return clean_response(response)


@register_judge(
    "pandalm",
    "PandaLM-7B fine-tuned judge, its exact raw prompt; verdict = first output line 1 / 2 / Tie. Wang et al. 2023, "
    "arXiv 2306.05087; github.com/WeOpenML/PandaLM. Serve WeOpenML/PandaLM-7B-v1 with a pass-through chat template.",
)
def pandalm(
    backend: object,
    *,
    temperature: float = 0.0,
    max_tokens: int = 512,
    max_response_chars: int | None = None,
    truncation_side: str = "left",
) -> PandaLMJudge:
    """PandaLM judge; ``max_tokens`` 512 is upstream's ``max_new_tokens`` (the verdict is on the first line)."""
    return PandaLMJudge(
        name="pandalm",
        backend=backend,
        template="pandalm",
        parse=parse_verdict,
        params=chat_params(temperature, max_tokens),
        max_response_chars=max_response_chars,
        truncation_side=truncation_side,
    )
