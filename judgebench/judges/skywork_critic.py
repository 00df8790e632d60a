"""``skywork_critic``: Skywork-Critic-Llama-3.1 (8B / 70B), a fine-tuned pairwise judge (SkyworkAI Alignment Team,
model cards huggingface.co/Skywork/Skywork-Critic-Llama-3.1-8B and -70B).

Input: the model card's pairwise prompt as one user message (``templates/skywork_critic.jinja``); the model is a
Llama-3.1-Instruct fine-tune whose tokenizer ships the chat template the card uses, so the server's chat template is
the right wrapper. Output: ``[[A]]`` or ``[[B]]`` directly; no tie.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..schema import Decision
from . import register_judge
from ._options import bool_option, chat_params
from ._parsing import Echo, answer_of, phrase, read_label
from ._prompted import PromptedJudge, Verdict

ECHO = Echo(("skywork_critic",), ("[The End of Assistant B's Answer]",))
LABEL = re.compile(r"\[\[\s*([AB])\s*\]\]", re.IGNORECASE)
# The prompt's format sentence restated by the model offers both labels and chooses neither.
INSTRUCTIONS = (phrase('"[[A]]" if assistant A is better, "[[B]]" if assistant B is better'),)
WHAT = "verdict label ([[A]] or [[B]])"


def parse_verdict(text: str) -> Verdict:
    """The verdict label ``[[A]]`` / ``[[B]]`` (any case) of a Skywork-Critic answer, quoted or not.

    The shared rule (``_parsing``): the answer is the output without a prompt echo (an output that begins with the
    prompt, up to its last ``[The End of Assistant B's Answer]``), text after end-of-sequence, ``<think>`` blocks and
    the restated format sentence; labels that are only mentioned (``A's answer contains "[[A]]"``) are set aside and
    the last of the others wins (``"[[A]]"``, ``**[[B]]**``, ``{"verdict": "[[A]]"}`` all count). No verdict
    (empty, truncated ``[[A``, a bare ``B``) gives ``Decision.NONE`` with the reason.

    Upstream: the model card shows the answer as the bare label; JudgeBench's runner (``utils/judges.py::
    SkyworkCritic``, commit e2c52c2) tests ``"A" in output`` then ``"B" in output``, so any capital A anywhere
    (``"Assistant B is better"``) reads as A>B. Here only a bracketed label is read.
    """
    answer = answer_of(text, ECHO, INSTRUCTIONS)
    m, reason = read_label(answer, LABEL, WHAT)
    if m is None:
        return Verdict(Decision.NONE, reason=reason)
    return Verdict(Decision.A_BETTER if m.group(1).upper() == "A" else Decision.B_BETTER)


@register_judge(
    "skywork_critic",
    "Skywork-Critic-Llama-3.1 (8B/70B) fine-tuned pairwise judge, the model card's prompt via the model's chat "
    "template; verdict [[A]]/[[B]]. huggingface.co/Skywork/Skywork-Critic-Llama-3.1-8B.",
)
def skywork_critic(backend: object, *, temperature: float = 0.0, max_tokens: int = 2048, logprobs: bool = False) -> PromptedJudge:
    """Skywork-Critic judge; greedy decoding and 2,048 new tokens as JudgeBench ran it (the answer is a few tokens).
    ``logprobs=true``: the probability of the verdict token ("A"/"B") becomes the judgment's confidence."""
    params = chat_params(temperature, max_tokens)
    return PromptedJudge(
        name="skywork_critic",
        backend=backend,
        template="skywork_critic",
        parse=parse_verdict,
        params=replace(params, logprobs=bool_option("logprobs", logprobs)),
    )
