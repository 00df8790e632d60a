"""The one rule every prompted judge reads its verdict by: the last *verdict* label of the *answer* wins.

**The answer.** A judge's output is reduced to its answer in four steps (``answer_of``); the text is first
NFKC-normalised, zero-width characters removed and Markdown-escaped brackets (``\\[\\[B>A\\]\\]``) unescaped.

1. **Prompt echo.** Some servers (or a model in completion mode) repeat the prompt before answering. An output is an
   echo only when it *begins* with the prompt: its first line (after chat-template tokens such as ``<s>[INST]`` or
   ``<|im_start|>system``) is a line of the family's prompt templates, or starts with the first 40 characters of one
   (``Echo``). Then the text up to the last closing marker that is not right after a quotation mark is dropped. A
   closing marker written anywhere else (a judge noting a response's injected ``<|The End of Assistant B's
   Answer|>``, an Auto-J answer ending in "... comparison you've provided.") is text.
2. **End of sequence.** Text after an end-of-sequence token (``</s>``, ``<|eot_id|>``, ``<|im_end|>``,
   ``<|endoftext|>``) is a server that did not stop, often a new turn (``</s>[INST] Thanks [/INST] ...``).
3. **Reasoning.** ``<think>...</think>`` and ``<thinking>...</thinking>`` blocks are dropped: a reasoning model
   served without a reasoning parser writes drafts there. A closing tag with no opening one that *starts a line*
   (as reasoning models write it, ``"...\\n</think>\\n\\n"``) ends a block the chat template opened: everything
   before it is reasoning. An opening tag at a line start that is never closed begins reasoning that was cut off:
   the rest is reasoning. A tag inside a sentence ("A's output contains a stray </think> tag") is text. A separate
   reasoning field (``reasoning_content``) is never read: the backends return only the message content.
4. **Restated instructions.** The prompt's own wording of the choices, when the model repeats it (the five-line
   Arena-Hard menu, ``"[[A]]" if assistant A is better, ...``), is blanked: it offers every label and chooses none.

**Verdicts and mentions.** In the answer, every well-formed label (quoted or not, in JSON or Markdown) is a
*verdict* unless it is a *mention* (``read_label``; the words around each label are read in ``_mentions``):

- in code: a fenced block tagged with a programming language, or a code block / code span whose text is program
  code (``print('[[A>B]]')``); a JSON object or a label alone in backticks is formatting, not code;
- negated: ``not [[A>B]]``, ``rather than``, ``instead of``, ``[[A>B]] would be wrong``;
- hypothetical: after a counterfactual (``would have been``, ``could've``), in an ``if ... then`` / ``if ... had``
  / ``if ... would be`` clause, after ``alternatively`` / ``otherwise``, or followed by ``if`` / ``only if`` /
  ``unless`` / ``would have``;
- reported: what a response (or another referee) contains, says or writes: the label follows ``contains``,
  ``ends with``, ``includes``, ``injected``, ``appends``, ``says``, ``wrote``, ... (articles and words like "the
  text", "an injected" may come between; "I will end with" is the judge itself and does not count), a quoted label
  follows a possessive (``the generalist's "[[B]]"``), or the label is followed by ``, an attempt ...`` / ``is a
  prompt injection``;
- offered, not chosen: labels joined by ``or`` / ``and`` / ``/`` / ``vs`` / commas that name different decisions
  (``between [[A>B]] and [[B>A]]``, ``[[A]] or [[B]]``), three or more different decisions in one sentence (the
  prompt's menu), or a family's own alternatives form (``[RESULT] (A or B)``, ``final decision is Response 1 or
  Response 2``).

Of the verdict labels, the **last one wins**: an earlier verdict is a draft the judge revised. When the sentence of
that last verdict also holds a verdict with a different decision and no word of correction between them (``but``,
``however``, ``actually``, ``so``, ...), the sentence is ambiguous and there is no decision. (A judge cut off right
after quoting a response's label therefore has no decision; arena-hard-auto and JudgeBench read that label.)

No verdict is ``Decision.NONE`` with the reason recorded: empty output, only an echo of the prompt, only the
prompt's restated instructions, labels only inside the reasoning, reasoning cut off before an answer, labels that
are only mentions, an ambiguous final sentence, or no label.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

TEMPLATE_DIR = Path(__file__).with_name("templates")

# A block is closed by the tag that opened it; "<think>" and "<thinking>" are the two spellings in use
# (DeepSeek-R1 / QwQ / Qwen3 write <think>; prompts in the Anthropic style ask for <thinking>).
_BLOCK = re.compile(r"<(think|thinking)>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_OPEN = re.compile(r"^[ \t]*<(?:think|thinking)>", re.IGNORECASE | re.MULTILINE)  # at a line start only
_CLOSE = re.compile(r"^[ \t]*</(?:think|thinking)\s*>", re.IGNORECASE | re.MULTILINE)  # at a line start only
_EOS = re.compile(r"</s>|<\|eot_id\|>|<\|im_end\|>|<\|endoftext\|>|<\|end_of_text\|>|<\|end\|>|<end_of_turn>", re.IGNORECASE)
# Chat-template tokens and role names in front of an echoed prompt or of the answer after it.
_WRAPPER = re.compile(
    r"(?:\s+|<s>|\[/?INST\]|<</?SYS>>|<\|[a-z_]+\|>(?:[ \t]*(?:system|user|assistant)\b)?|<start_of_turn>(?:user|model)?|<end_of_turn>)+",
    re.IGNORECASE,
)

_SPACES = re.compile(r"\s+")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_ESCAPED_BRACKET = re.compile(r"\\([\[\]])")

EMPTY_OUTPUT = "empty output"
ONLY_ECHO = "the output is only an echo of the prompt"
ONLY_RESTATED = "the answer only restates the prompt's instructions (its choices or example), no verdict of its own"
UNCLOSED_REASONING = "the output ends inside an unclosed <think> block (reasoning cut off before an answer)"
EMPTY_ANSWER = "no answer after the <think> reasoning"
ONLY_IN_REASONING = "verdict labels only inside the <think> reasoning, none in the answer"
ONLY_MENTIONS = "labels in the answer are only mentioned, none is given as the verdict"
AMBIGUOUS = "the last verdict sentence gives different labels"


@functools.cache
def template_lines(name: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The lines of ``templates/<name>.jinja`` as they appear in a prompt: (the literal text before the first
    variable, whitespace collapsed; a pattern of the whole line, ``{{ ... }}`` matching any text).

    Comments and ``{% ... %}`` statements are removed; lines with fewer than 6 letters or digits of their own
    (``***``, ``{{ question }}``) are left out: they do not identify the prompt.
    """
    source = (TEMPLATE_DIR / f"{name}.jinja").read_text(encoding="utf-8")
    source = re.sub(r"\{%.*?%\}", "", re.sub(r"\{#.*?#\}", "", source, flags=re.DOTALL), flags=re.DOTALL)
    lines = []
    for line in source.splitlines():
        parts = re.split(r"\{\{.*?\}\}", line.strip())
        if len(re.sub(r"\W", "", "".join(parts))) < 6:
            continue
        pattern = ".*?".join(r"\s+".join(re.escape(w) for w in part.split()) for part in parts)
        lines.append((" ".join(parts[0].split()), re.compile(pattern)))
    return tuple(lines)


_QUOTED = re.compile("[\"'`\u201c\u2018]")
_PREFIX = 40  # a prompt line's first 40 characters identify it (an echo may abridge or vary the rest of the line)


@functools.cache
def _literal(text: str) -> re.Pattern[str]:
    return re.compile(re.escape(text))


@dataclass(frozen=True)
class Echo:
    """How a family recognises a prompt echo and where it ends.

    Attributes:
        templates: the templates the family's prompts are made of; an output whose first line is one of their
            lines begins with the prompt.
        markers: the prompt's closing markers; for an echo, the text up to the last of them is dropped.
    """

    templates: tuple[str, ...]
    markers: tuple[str, ...]

    def begins(self, text: str) -> bool:
        """Whether ``text`` begins with the prompt: its first line (after chat-template tokens) is a line of the
        templates, or starts with the first 40 characters of one."""
        m = _WRAPPER.match(text)
        first = " ".join(text[m.end() if m else 0 :].split("\n", 1)[0].split())
        if not first:
            return False
        lines = [line for name in self.templates for line in template_lines(name)]
        return any(p.match(first) or (len(prefix) >= _PREFIX and first.startswith(prefix[:_PREFIX])) for prefix, p in lines)

    def after(self, text: str) -> str | None:
        """The text after the echoed prompt (after the last closing marker) when ``text`` begins with the prompt
        and reaches a closing marker; None when ``text`` is not an echo (a marker written elsewhere is text). A
        marker right after a quotation mark is quoted (a judge citing a response's fake marker) and does not count."""
        ends = [m.end() for marker in self.markers if marker in text for m in _literal(marker).finditer(text) if not _QUOTED.match(text, max(m.start() - 1, 0), m.start())]
        return text[max(ends) :] if ends and self.begins(text) else None


@dataclass(frozen=True)
class Answer:
    """A judge's output reduced to its answer (see the module docstring).

    Attributes:
        text: the answer: echo cut, text after end-of-sequence dropped, reasoning dropped, restated instructions blanked.
        reasoning: the dropped reasoning, joined (kept only to say why no label was found).
        problem: why there is no answer at all (empty output, echo only, unclosed reasoning), else None.
        restated: whether restated instructions were blanked.
    """

    text: str
    reasoning: str = ""
    problem: str | None = None
    restated: bool = False

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
        if self.restated and not re.search(r"\w", self.text):  # nothing but punctuation left
            return ONLY_RESTATED
        if not self.text.strip():
            return EMPTY_ANSWER if self.reasoning else EMPTY_OUTPUT
        return f"no {what} in the answer"


def drop_reasoning(text: str) -> tuple[str, str, bool]:
    """``text`` without its ``<think>``/``<thinking>`` blocks: (answer, the dropped reasoning, reasoning unclosed).

    Complete blocks are removed wherever they are. Then a closing tag left without an opening one, at the start of a
    line, ends a block the chat template opened: everything before the last such tag is reasoning. Last, an opening
    tag left unclosed at the start of a line begins reasoning that was cut off: the text from it on is reasoning
    (the third value is then True). A tag inside a sentence is a mention and stays ordinary text (a judge may write
    that a response "contains a stray </think> tag").
    """
    if "<" not in text:  # no tag at all
        return text, "", False
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
    opened = _OPEN.search(answer)
    if opened:
        dropped.append(answer[opened.start() :])
        return answer[: opened.start()], "\n".join(dropped), True
    return answer, "\n".join(dropped), False


def answer_of(text: str | None, echo: Echo | None = None, instructions: Iterable[re.Pattern[str]] = ()) -> Answer:
    """Reduce a raw judge output to its answer: cut the prompt echo and what follows end-of-sequence, drop
    reasoning, blank restated instructions.

    Args:
        text: the raw output (None is treated as empty).
        echo: the family's prompt (templates and closing markers); None: the family never sees an echo.
        instructions: patterns of the prompt's own wording of the choices; each match is blanked.

    Returns:
        The ``Answer``; ``problem`` is set when the output is empty, only an echo, or unclosed reasoning.
    """
    raw = _normalise(text or "")
    if not raw.strip():
        return Answer("", problem=EMPTY_OUTPUT)
    after_echo = echo.after(raw) if echo is not None else None
    body = raw
    if after_echo is not None:  # skip the chat-template tokens between the prompt and the answer (<|im_end|>, [/INST])
        lead = _WRAPPER.match(after_echo)
        body = after_echo[lead.end() if lead else 0 :]
    if "<" in body:  # every end-of-sequence token starts with it
        body = _EOS.split(body, maxsplit=1)[0]
    if not body.strip():
        return Answer("", problem=ONLY_ECHO if after_echo is not None else EMPTY_OUTPUT)
    answer, reasoning, unclosed = drop_reasoning(body)
    restated = False
    for pattern in instructions:
        answer, n = pattern.subn(" ", answer)
        restated = restated or n > 0
    return Answer(answer, reasoning, UNCLOSED_REASONING if unclosed else None, restated)


def _normalise(text: str) -> str:
    """Unicode compatibility forms folded (full-width ``［［Ａ＞Ｂ］］``, ``１``), zero-width characters removed, and
    Markdown-escaped brackets (``\\[\\[B>A\\]\\]``) read as brackets."""
    if text.isascii():  # NFKC leaves ASCII as it is, and zero-width characters are not ASCII
        return _ESCAPED_BRACKET.sub(r"\1", text) if "\\" in text else text
    return _ESCAPED_BRACKET.sub(r"\1", _ZERO_WIDTH.sub("", unicodedata.normalize("NFKC", text)))


Key = Callable[[re.Match[str]], object]


def read_label(answer: Answer, pattern: re.Pattern[str], what: str, key: Key | None = None) -> tuple[re.Match[str] | None, str | None]:
    """The verdict label of ``answer`` (the last label that is not a mention), or None with the reason.

    Args:
        answer: the reduced output (``answer_of``).
        pattern: the family's label pattern.
        what: the label's name for reasons ("verdict label ([[A]] or [[B]])").
        key: a match -> the decision it names (labels with equal keys agree); None for a match that offers several
            choices (a family's alternatives form). Default: group 1 (else the match), upper-cased, spaces removed.

    Returns:
        ``(match, None)``, or ``(None, reason)`` when no label, only mentions or an ambiguous last sentence.
    """
    from ._mentions import classify  # its 20 patterns compile in about 8 ms: after the first request, not before

    labels = classify(pattern, answer.text, key or _default_key)
    verdicts = [label for label in labels if label.mention is None]
    if not verdicts:
        if not labels:
            return None, answer.missing(what, pattern)
        kinds = sorted({label.mention for label in labels if label.mention})
        return None, f"{ONLY_MENTIONS} ({', '.join(kinds)})"
    final = verdicts[-1]
    if final.rivals:
        shown = ", ".join(dict.fromkeys(label_text(x.match) for x in (*final.rivals, final)))
        return None, f"{AMBIGUOUS} ({shown})"
    return final.match, None


def label_text(m: re.Match[str]) -> str:
    """A label as written, whitespace collapsed (for reasons)."""
    return _SPACES.sub(" ", m.group(0)).strip()


def _default_key(m: re.Match[str]) -> object:
    found = m.group(1) if m.re.groups and m.group(1) is not None else m.group(0)
    return _SPACES.sub("", found).upper()


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


__all__ = ["Answer", "Echo", "answer_of", "drop_reasoning", "phrase", "read_label", "template_lines"]
