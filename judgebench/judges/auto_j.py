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
from ._parsing import Echo, answer_of, read_label
from ._prompted import PromptedJudge, Verdict

# The prompt's closing text and the template an echoed prompt begins with (after "[INST]"): the responses inside an
# echo may contain a "final decision" of their own.
ECHO = Echo(("auto_j",), ("[END DATA]", "comparison you've provided.", "[/INST]"))
_CHOICE = r"(?:Response\s*1|Response\s*2|Tie)(?![\w-])"
# "final decision is Response 1", "final decision is: Tie", "Final decision: Response 2", "final decision is a Tie",
# "final decision is not Response 1 but Response 2"; group 2 is the alternatives form "Response 1 or Response 2".
DECISION = re.compile(
    rf"final\s+decision\s*(?:is\b\s*:?|:)\s*(?:not\s+[\"'*\u201c]*\s*{_CHOICE}[\"'*\u201d]*\s*,?\s*(?:but\s+)?)?"
    rf"(?:(?:a|an)\s+)?[\"'*\u201c]*\s*({_CHOICE})([\"'*\u201d]*\s*(?:or|/|vs\.?|versus)\s*[\"'*\u201c]*\s*{_CHOICE})?",
    re.IGNORECASE,
)
# The instruction's own wording, "Response 1 / Response 2 / Tie", restated by the model: every choice, no decision.
INSTRUCTIONS = (re.compile(r"Response\s*1\s*/\s*Response\s*2\s*/\s*Tie", re.IGNORECASE),)
WHAT = "'final decision is Response 1 / Response 2 / Tie'"
_DECISIONS = {"response1": Decision.A_BETTER, "response2": Decision.B_BETTER, "tie": Decision.TIE}


def decision_of(m: re.Match[str]) -> Decision | None:
    """The decision a match names; None for the alternatives form (``Response 1 or Response 2``)."""
    return None if m.group(2) else _DECISIONS[re.sub(r"\s+", "", m.group(1).lower())]


def parse_verdict(text: str) -> Verdict:
    """The verdict ``final decision is Response 1 | Response 2 | Tie`` of an Auto-J judgment, quoted or not.

    The shared rule (``_parsing``): the answer is the output without a prompt echo (an output that begins with the
    prompt, up to its last ``[END DATA]``, ``comparison you've provided.`` or ``[/INST]``), text after
    end-of-sequence (``</s>``), ``<think>`` blocks and the restated instruction ``Response 1 / Response 2 / Tie``;
    decisions that are only mentioned (``Response 1 ends with 'So, the final decision is Response 1'``, ``... is
    Response 1 or Response 2?``) are set aside and the last of the others wins (``So, the final decision is
    "Response 1"``, ``**Response 2**`` count). No decision, empty or truncated output gives ``Decision.NONE`` with
    the reason.

    Upstream: Auto-J's ``extract_pariwise_result`` (github.com/GAIR-NLP/auto-j ``codes/usage/example.py``, commit
    2ae17a3; copied by JudgeBench ``utils/judges.py::AutoJ``) takes the last ``final decision is `` (``rfind``) and
    reads the choice that starts right after it (lower-cased). It differs here: when that last phrase is not
    followed by a choice (``... final decision is as follows``) upstream gives none, this parser takes the last
    well-formed one; upstream needs ``final decision is `` exactly and reads nothing in ``Final decision: Response
    2``, ``the final decision is a Tie`` or ``the final decision is not Response 1 but Response 2``, which are read
    here as their words say (B>A, tie, B>A); ``Tie-breaking ...`` is not the choice ``Tie`` (upstream reads it as
    a tie).
    """
    answer = answer_of(text, ECHO, INSTRUCTIONS)
    m, reason = read_label(answer, DECISION, WHAT, decision_of)
    decision = decision_of(m) if m is not None else None
    if decision is None:
        return Verdict(Decision.NONE, reason=reason)
    return Verdict(decision)


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
