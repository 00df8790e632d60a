"""The one rule every prompted judge reads its verdict by: the last well-formed label of the *answer* wins.

A judge's output is reduced to its answer in three steps, then the family's label pattern is searched in it:

1. **Prompt echo.** Some servers (or a model in completion mode) repeat the prompt before answering, and a response
   under judgment may itself contain a verdict label (``[[B>>A]]``, ``So, the final decision is Response 2``). Only
   the text after the *last* occurrence of the prompt's closing marker is kept (``cut_echo``).
2. **Reasoning.** ``<think>...</think>`` and ``<thinking>...</thinking>`` blocks are dropped: a reasoning model
   served without a reasoning parser writes drafts there, and a draft is not the verdict. A closing tag with no
   opening one (the chat template opened the block inside the prompt) makes everything before it reasoning; an
   opening tag at the start of the output that is never closed makes the whole output reasoning (it was cut off
   before answering). A separate reasoning field (``reasoning_content``) is never read: the backends return only
   the message content.
3. **Restated instructions.** The prompt's own wording of the choices, when the model repeats it (``"[[A]]" if
   assistant A is better, "[[B]]" if assistant B is better``, the five-line Arena-Hard menu, ``Response 1 /
   Response 2 / Tie``), is blanked: it offers every label and chooses none. Each family lists these phrases.

In what is left, the **last well-formed label wins, quoted or not**, in JSON, Markdown bold or plain text:
``My final verdict is: "[[A>B]]"``, ``{"verdict": "[[A>B]]"}`` and ``**[[A>B]]**`` all count. An earlier label is a
draft or a quotation of a response ("B ends with "[[B>>A]]", an injection"), which the judge's own final verdict
follows and overrides. (Until this rule, a label followed by a closing quote was skipped as a quotation; that threw
away real verdicts: 9 of the 700 outputs of JudgeBench's released o1-mini run end with a quoted verdict.) The cost:
a judge cut off right after quoting a response's label, before writing its own, is read as giving that label;
arena-hard-auto's and JudgeBench's parsers read such an output the same way.

No label in the answer is ``Decision.NONE`` with the reason recorded (``Answer.missing``): empty output, an output
that is only the echoed prompt, labels only inside the reasoning, reasoning cut off before an answer, or no label.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# A block is closed by the tag that opened it; "<think>" and "<thinking>" are the two spellings in use
# (DeepSeek-R1 / QwQ / Qwen3 write <think>; prompts in the Anthropic style ask for <thinking>).
_BLOCK = re.compile(r"<(think|thinking)>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_OPEN = re.compile(r"<(?:think|thinking)>", re.IGNORECASE)
_CLOSE = re.compile(r"</(?:think|thinking)\s*>", re.IGNORECASE)

EMPTY_OUTPUT = "empty output"
ONLY_ECHO = "the output is only an echo of the prompt"
UNCLOSED_REASONING = "the output ends inside an unclosed <think> block (reasoning cut off before an answer)"
EMPTY_ANSWER = "no answer after the <think> reasoning"
ONLY_IN_REASONING = "verdict labels only inside the <think> reasoning, none in the answer"


@dataclass(frozen=True)
class Answer:
    """A judge's output reduced to its answer (see the module docstring).

    Attributes:
        text: the answer: echo cut, reasoning dropped, restated instructions blanked.
        reasoning: the dropped reasoning, joined (kept only to say why no label was found).
        problem: why there is no answer at all (empty output, echo only, unclosed reasoning), else None.
    """

    text: str
    reasoning: str = ""
    problem: str | None = None

    def missing(self, what: str, *patterns: re.Pattern[str]) -> str:
        """The reason no ``what`` (e.g. "verdict label") was read from this answer.

        ``patterns`` are the family's label patterns: when one of them matches inside the dropped reasoning, the
        reason says that the labels were only there.
        """
        in_reasoning = any(p.search(self.reasoning) for p in patterns)
        if self.problem is not None:
            return f"{self.problem}; {ONLY_IN_REASONING}" if in_reasoning else self.problem
        if in_reasoning:
            return ONLY_IN_REASONING
        if not self.text.strip():
            return EMPTY_ANSWER if self.reasoning else EMPTY_OUTPUT
        return f"no {what} in the answer"


def after_last(text: str, marker: str) -> str:
    """The part of ``text`` after the last ``marker``; all of ``text`` when the marker is absent.

    Used to drop a prompt echo: everything up to the prompt's closing marker belongs to the prompt.
    """
    pos = text.rfind(marker)
    return text if pos < 0 else text[pos + len(marker) :]


def cut_echo(text: str | None, markers: Iterable[str]) -> str:
    """``text`` (None -> ``""``) after the last occurrence of any of ``markers`` (the prompt's closing lines)."""
    out = text or ""
    for marker in markers:
        out = after_last(out, marker)
    return out


def drop_reasoning(text: str) -> tuple[str, str, bool]:
    """``text`` without its ``<think>``/``<thinking>`` blocks: (answer, the dropped reasoning, reasoning unclosed).

    Complete blocks are removed wherever they are. Then a closing tag left without an opening one ends a block the
    chat template opened: everything before it is reasoning. Last, an opening tag left unclosed *at the start* of
    the text makes all of it reasoning (the third value is then True); an unclosed tag later in the text is
    ordinary text (a judge may mention a response's ``<think>`` tag).
    """
    dropped: list[str] = []

    def keep(m: re.Match[str]) -> str:
        dropped.append(m.group(0))
        return "\n"

    answer = _BLOCK.sub(keep, text)
    closes = list(_CLOSE.finditer(answer))
    if closes:
        end = closes[-1].end()
        dropped.append(answer[:end])
        answer = answer[end:]
    opened = _OPEN.match(answer.lstrip())
    if opened:
        dropped.append(answer)
        return "", "\n".join(dropped), True
    return answer, "\n".join(dropped), False


def answer_of(text: str | None, echo_markers: Iterable[str] = (), instructions: Iterable[re.Pattern[str]] = ()) -> Answer:
    """Reduce a raw judge output to its answer: cut the prompt echo, drop reasoning, blank restated instructions.

    Args:
        text: the raw output (None is treated as empty).
        echo_markers: the prompt's closing markers; text up to the last of them is an echo.
        instructions: patterns of the prompt's own wording of the choices; each match is blanked.

    Returns:
        The ``Answer``; ``problem`` is set when the output is empty, only an echo, or unclosed reasoning.
    """
    raw = text or ""
    if not raw.strip():
        return Answer("", problem=EMPTY_OUTPUT)
    body = cut_echo(raw, echo_markers)
    if not body.strip():
        return Answer("", problem=ONLY_ECHO)
    answer, reasoning, unclosed = drop_reasoning(body)
    for pattern in instructions:
        answer = pattern.sub(" ", answer)
    return Answer(answer, reasoning, UNCLOSED_REASONING if unclosed else None)


def last(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The last match of ``pattern`` in ``text``, or None (quoted or not: see the module docstring)."""
    found = None
    for found in pattern.finditer(text):  # noqa: B007
        pass
    return found


def phrase(text: str) -> re.Pattern[str]:
    """A pattern for a prompt's literal wording: any run of whitespace matches any run, case ignored, and the
    straight quotes of the prompt also match curly ones or none."""
    parts = []
    for token in re.split(r"(\s+|\")", text):
        if not token:
            continue
        if token.isspace():
            parts.append(r"\s+")
        elif token == '"':
            parts.append("[\"\u201c\u201d]?")
        else:
            parts.append(re.escape(token))
    return re.compile("".join(parts), re.IGNORECASE)
