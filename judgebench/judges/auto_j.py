"""``auto_j``: Auto-J (Li et al. 2023, "Generative Judge for Evaluating Alignment", arXiv 2310.05470;
github.com/GAIR-NLP/auto-j), pairwise protocol with ties.

Input: Auto-J's ``pairwise_tie`` prompt, verbatim (``templates/auto_j.jinja``). By default (``prompt_format="raw"``)
it is wrapped as Auto-J's own example does, ``[INST] ... [/INST]``, and sent as one user message for a server with a
pass-through chat template; ``prompt_format="chat"`` sends the bare body and relies on a Llama-2 chat template on
the server to add the same wrapper (what JudgeBench did).

Output: a comparison ending with ``So, the final decision is Response 1`` / ``Response 2`` / ``Tie``.
"""

from __future__ import annotations

import re

from ..schema import Decision
from . import register_judge
from ._options import chat_params, choice_option
from ._parsing import answer_of, last
from ._prompted import PromptedJudge, Verdict

# The prompt's closing text: a prompt echo ends here (the responses inside it may contain a "final decision").
ECHO_MARKERS = ("[END DATA]", "comparison you've provided.", "[/INST]")
DECISION = re.compile(r"final decision is\s*:?\s*[\"'*\u201c]*\s*(Response\s*1|Response\s*2|Tie)\b", re.IGNORECASE)
# The instruction's own wording, "Response 1 / Response 2 / Tie", restated by the model: every choice, no decision.
INSTRUCTIONS = (re.compile(r"Response\s*1\s*/\s*Response\s*2\s*/\s*Tie", re.IGNORECASE),)


def parse_verdict(text: str) -> Verdict:
    """The last ``final decision is Response 1 | Response 2 | Tie`` of an Auto-J judgment, quoted or not.

    The shared rule (``_parsing``): the prompt echo (up to the last ``[END DATA]``, ``comparison you've provided.``
    or ``[/INST]``), ``<think>`` blocks and the restated instruction ``Response 1 / Response 2 / Tie`` are dropped;
    of the decisions left, the last wins (``So, the final decision is "Response 1"``, ``**Response 2**`` count). No
    decision, empty or truncated output gives ``Decision.NONE`` with the reason.

    Upstream: Auto-J's ``extract_pariwise_result`` (github.com/GAIR-NLP/auto-j ``codes/usage/example.py``, commit
    2ae17a3; copied by JudgeBench ``utils/judges.py::AutoJ``) also takes the last ``final decision is `` (``rfind``)
    and reads what starts right after it. It differs here: when that last phrase is not followed by a decision
    (``... final decision is as follows``) upstream gives none, this parser takes the last well-formed one; upstream
    is case-sensitive on the phrase and allows no colon, quote or bold mark before ``Response``.
    """
    answer = answer_of(text, ECHO_MARKERS, INSTRUCTIONS)
    m = last(DECISION, answer.text)
    if m is None:
        return Verdict(Decision.NONE, reason=answer.missing("'final decision is Response 1 / Response 2 / Tie'", DECISION))
    choice = re.sub(r"\s+", "", m.group(1).lower())
    return Verdict({"response1": Decision.A_BETTER, "response2": Decision.B_BETTER}.get(choice, Decision.TIE))


@register_judge(
    "auto_j",
    "Auto-J (autoj-13b) pairwise protocol with ties, its exact prompt and [INST] wrapper; verdict 'So, the final "
    "decision is Response 1 / Response 2 / Tie'. Li et al. 2023, arXiv 2310.05470; github.com/GAIR-NLP/auto-j. "
    "Option prompt_format=raw|chat.",
)
def auto_j(backend: object, *, prompt_format: str = "raw", temperature: float = 0.0, max_tokens: int = 1024) -> PromptedJudge:
    """Auto-J judge with upstream's sampling settings (temperature 0, top_p 1, 1,024 new tokens)."""
    fmt = choice_option("prompt_format", prompt_format, ("raw", "chat"))
    return PromptedJudge(
        name="auto_j",
        backend=backend,
        template="auto_j_raw" if fmt == "raw" else "auto_j",
        parse=parse_verdict,
        params=chat_params(temperature, max_tokens, top_p=1.0),
    )
