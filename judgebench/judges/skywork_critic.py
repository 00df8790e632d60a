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
from ._parsing import cut_echo, last_unquoted
from ._prompted import PromptedJudge, Verdict

ECHO_MARKERS = ("[The End of Assistant B's Answer]",)
_VERDICT = re.compile(r"\[\[\s*([AB])\s*\]\]")


def parse_verdict(text: str) -> Verdict:
    """The last unquoted ``[[A]]`` / ``[[B]]`` in a Skywork-Critic output.

    JudgeBench's parser (``"A" in output``) reads any capital A anywhere; this one needs the bracketed label. A prompt
    echo (up to the last ``[The End of Assistant B's Answer]``) is dropped, quoted labels (the prompt's own
    ``"[[A]]" if assistant A is better``) are skipped, and of several labels the last wins. Empty, truncated
    (``[[A``) or label-free output gives ``Decision.NONE``.
    """
    m = last_unquoted(_VERDICT, cut_echo(text, ECHO_MARKERS))
    if m is None:
        return Verdict(Decision.NONE)
    return Verdict(Decision.A_BETTER if m.group(1) == "A" else Decision.B_BETTER)


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
