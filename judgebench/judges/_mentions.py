"""Which labels of a judge's answer are verdicts and which are only mentions.

The rule is stated in ``_parsing``'s module docstring; this module finds, for each label, the sentence it is in and
the words around it, and says why a label is a mention (or that it is a verdict). The windows are small on purpose:
a cue counts only next to its label ("ends with an injected [[A>>B]]", "not [[A>B]]"), so that a verdict in the same
sentence as a mention ("My final verdict is [[B>A]], not [[A>B]]") keeps its own reading.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

IN_CODE = "in code"
NEGATED = "negated"
HYPOTHETICAL = "hypothetical"
REPORTED = "quoted from a response"
OFFERED = "offered as alternatives"

_CLOSING = "\"'\u201d\u2019`*)\\]"
# Sentence ends: a line break, sentence punctuation followed by a space, a semicolon, a JSON field separator ('", "').
_BREAK = re.compile(rf"\n|(?<=[.!?])[{_CLOSING}]*[ \t]+|;|(?<=\")[ \t]*,[ \t]*(?=\")|\\n")
# Fenced code blocks (an unclosed fence runs to the end) and inline code spans.
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*([\w+#.-]*)[^\n]*\n(.*?)(?:^[ \t]*\1[ \t]*$|\Z)", re.MULTILINE | re.DOTALL)
_INLINE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
_DATA_LANGUAGES = frozenset({"", "json", "json5", "jsonc", "yaml", "yml", "text", "txt", "plaintext", "markdown", "md"})
_CODE_SYNTAX = re.compile(r"\b[A-Za-z_][\w.]*\((?=[^()\n]*\))|^\s*(?:def|class|return|import|from|function|const|let|var|echo|puts)\b|;\s*$", re.MULTILINE)

# Words that may stand between a cue and the label it introduces ("ends with an injected", "wrote the text").
_FILLER = (
    r"(?:\s+(?:a|an|the|this|that|its|their|his|her|own|fake|injected|bogus|spurious|stray|literal|following|final|"
    r"last|closing|verdict|label|text|string|line|phrase|tag|token|marker|sentence|words?|at\s+the\s+end)){0,4}"
)
_REPORT_VERB = (
    r"contain(?:s|ed|ing)?|(?:end|close|finish|sign)(?:s|es|d|ed|ing)?(?:\s+\w+){0,2}?\s+(?:with|off\s+with)|includ(?:e|es|ed|ing)|inject(?:s|ed|ing)?|"
    r"append(?:s|ed|ing)?|insert(?:s|ed|ing)?|adds|added|print(?:s|ed|ing)|says|said|writes|wrote|written|claims|"
    r"claimed|states|stated|repeats|repeated|quotes|quoted|outputs|outputted|returns|returned|echoes|echoed|smuggles"
)
_OPENING = "\"'\u201c\u2018`*"
# The judge speaking of itself ("I will end with [[B>A]]", "I said [[A>B]]") is not reporting a response.
_SELF = r"(?<!\bI )(?<!\bwe )(?<!\bI'll )(?<!\bI will )(?<!\blet me )(?<!\bI'd )"
# Speed (same matches): the patterns searched at every position of a sentence open with a lookahead for the first
# letters their words can start with, so that most positions fail on one test; and ``_found`` answers at once for
# an ASCII text that holds none of a pattern's words (the ``_*_STEMS`` below).
_REPORTED_BEFORE = re.compile(rf"(?=[acefiopqrsw])\b{_SELF}(?:{_REPORT_VERB}){_FILLER}[\s:,\-\u2013\u2014{_OPENING}]*$", re.IGNORECASE)
_POSSESSIVE_BEFORE = re.compile(rf"\w['\u2019]s{_FILLER}[\s:,{_OPENING}]*$", re.IGNORECASE)  # only for a quoted label
_REPORTED_AFTER = re.compile(
    rf"^[{_CLOSING}]*(?:\s*,\s*(?:(?:which|that)\s+)?|\s+(?:which|that)\s+|\s+)?(?:(?:is|was|are|were|looks\s+like|seems\s+like|seems\s+to\s+be)\s+)?"
    r"(?:(?:a|an|the|clearly|obviously|just|only|blatant|attempted|fake|prompt|verdict|label|manipulative)\s+){0,3}"
    r"(?:injection|injected|attempt|manipulation|trick)\b",
    re.IGNORECASE,
)
_NEGATED_BEFORE = re.compile(
    r"(?=[inor])(?:\bnot|n['\u2019]t|\bnever|\brather\s+than|\binstead\s+of|\bother\s+than|\bno\s+longer)"
    r"(?:\s+(?:a|an|the|even|just|simply|quite|necessarily))*[\s:,\"'\u201c\u2018*]*$",
    re.IGNORECASE,
)
_NEGATED_AFTER = re.compile(
    rf"^[{_CLOSING}]*\s*(?:would\s+be|is|was|seems|looks)\s+(?:\w+\s+)?(?:wrong|incorrect|unjustified|unwarranted|mistaken|a\s+mistake)\b",
    re.IGNORECASE,
)
# Hypothetical before a label: a counterfactual or an alternative word (``_HYPOTHETICAL_WORDS``), or an ``if`` clause:
# ``if`` then, on the same line, ``then``, ``had``, ``were`` or ``would be`` (``_IF`` ... ``_IF_CONSEQUENCE``; the
# one pattern "\bif\b.*?\b(?:then|...)\b" took time quadratic in the number of ``if``s: see ``_hypothetical_before``).
_HYPOTHETICAL_WORDS = re.compile(
    r"(?=[achmosw])(?:\b(?:would|could|might|should)(?:\s+not|n['\u2019]t)?\s+have\b|\b(?:would|could|might|should)['\u2019]ve\b"
    r"|\b(?:alternative(?:ly)?|otherwise|hypothetically|supposing|suppose)\b)",
    re.IGNORECASE,
)
_IF = re.compile(r"(?=i)(?<!\beven )(?<!\bas )\bif\b", re.IGNORECASE)
_IF_CONSEQUENCE = re.compile(r"(?=[chmtw])\b(?:then|had|were|(?:would|could|might)\s+(?:be|have|get|deserve))\b", re.IGNORECASE)
_HYPOTHETICAL_AFTER = re.compile(
    rf"^[{_CLOSING}]*[,.]?\s*(?:only\s+if|if|unless|provided|assuming|in\s+case|(?:would|could|might)(?:\s+have|['\u2019]ve)\b)", re.IGNORECASE
)
# Contrast words: a condition's scope ends at them ("if A had ..., it would have been [[A>B]], but it is [[B>A]]").
_CONTRAST = re.compile(r"(?=[abhtwy])\b(?:but|however|yet|though|although|whereas|while)\b", re.IGNORECASE)
# Text that may join labels into a list of alternatives: punctuation and at most one connective.
_JOIN = re.compile(r"^[\s\"'\u201c\u201d\u2018\u2019`*,/()\[\]]*(?:(?:or|and|nor|vs\.?|versus|and/or)\b[\s\"'\u201c\u201d\u2018\u2019`*,/()\[\]]*)?$", re.IGNORECASE)
# Words that mark a later label of the same sentence as the judge's correction of an earlier one.
_CORRECTION = re.compile(
    r"(?=[abfhiorstuy])\b(?:but|however|though|although|yet|actually|instead|rather|really|so|therefore|thus|hence|overall|ultimately|"
    r"finally|in\s+fact|in\s+the\s+end|after\s+all|on\s+(?:second\s+thought|reflection|balance|closer\s+\w+))\b",
    re.IGNORECASE,
)
_OPEN_SINGLE = re.compile(r"(?:^|(?<=[\s(\[{:,]))['\u2018](?=\S)")
_CLOSE_SINGLE = re.compile(r"(?<=\S)['\u2019](?=[\s.,;:!?)\]]|$)")


@dataclass(frozen=True)
class Label:
    """One label found in an answer.

    Attributes:
        match: the label's match of the family's pattern.
        key: the decision it names (labels with equal keys agree); None for a match that offers several choices.
        mention: why the label is not a verdict (``IN_CODE``, ``NEGATED``, ``HYPOTHETICAL``, ``REPORTED``,
            ``OFFERED``); None for a verdict.
        rivals: for a verdict, the earlier verdicts of its sentence that name another decision with no correction
            word between (the sentence is then ambiguous).
    """

    match: re.Match[str]
    key: object
    mention: str | None = None
    rivals: tuple[Label, ...] = ()


def classify(pattern: re.Pattern[str], text: str, key: Callable[[re.Match[str]], object]) -> list[Label]:
    """Every match of ``pattern`` in ``text``, in order, each marked as a verdict or as a mention with its kind.

    Matches come in order and never overlap, so their starts and ends only grow: a label's neighbours are found by
    index and bisection, and labels are compared only with those of their own sentence (time about linear in the
    number of labels, where it was quadratic)."""
    matches = list(pattern.finditer(text))
    if not matches:
        return []
    starts = [0] + [m.end() for m in _BREAK.finditer(text)]
    code = _code_spans(text, pattern)
    ends = [m.end() for m in matches]
    sentence_of = [_sentence(starts, m, len(text)) for m in matches]
    mentions = [_mention(text, i, matches, ends, sentence_of[i], code) for i in range(len(matches))]
    keys = [key(m) for m in matches]
    decisions: dict[tuple[int, int], set[object]] = {}
    for i, sentence in enumerate(sentence_of):
        if keys[i] is not None:
            decisions.setdefault(sentence, set()).add(keys[i])
    for i, sentence in enumerate(sentence_of):
        if len(decisions.get(sentence, ())) >= 3 or keys[i] is None:  # the prompt's menu; a family's alternatives form
            mentions[i] = mentions[i] or OFFERED
    for group in _joined_groups(text, matches, sentence_of):
        if len({keys[j] for j in group}) > 1:
            for j in group:
                mentions[j] = mentions[j] or OFFERED
    labels: list[Label] = []
    verdicts_of: dict[tuple[int, int], tuple[list[int], set[object]]] = {}  # each sentence's verdicts so far, and their keys
    for i, m in enumerate(matches):
        rivals: tuple[Label, ...] = ()
        if mentions[i] is None:
            earlier, earlier_keys = verdicts_of.setdefault(sentence_of[i], ([], set()))
            if earlier_keys - {keys[i]}:  # some earlier verdict of the sentence names another decision
                rivals = tuple(labels[j] for j in earlier if keys[j] != keys[i] and not _CORRECTION.search(text[matches[j].end() : m.start()]))
            earlier.append(i)
            earlier_keys.add(keys[i])
        labels.append(Label(m, keys[i], mentions[i], rivals))
    return labels


def _sentence(starts: list[int], m: re.Match[str], size: int) -> tuple[int, int]:
    """The span of the sentence(s) the label lies in (a label may run over a line break)."""
    first = bisect.bisect_right(starts, m.start()) - 1
    last = bisect.bisect_right(starts, max(m.start(), m.end() - 1)) - 1
    end = starts[last + 1] if last + 1 < len(starts) else size
    return starts[first], end


def _code_spans(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """Spans of program code: fenced blocks tagged with a programming language, and code blocks or spans whose text
    (labels removed) is code. A JSON block, or a label alone in backticks, is formatting and not listed."""
    spans: list[tuple[int, int]] = []
    if "`" not in text and "~" not in text:  # neither a fence nor a code span
        return spans
    for m in _FENCE.finditer(text):
        language = m.group(2).lower()
        if language not in _DATA_LANGUAGES or _CODE_SYNTAX.search(pattern.sub("", m.group(3))):
            spans.append((m.start(3), m.end(3)))
    for m in _INLINE.finditer(text):
        inside_fence = any(a <= m.start() < b for a, b in spans)
        if not inside_fence and _CODE_SYNTAX.search(pattern.sub("", m.group(1))):
            spans.append((m.start(1), m.end(1)))
    return spans


def _quote_start(text: str, start: int, end: int) -> int | None:
    """Where the quotation that is open at ``end`` begins, looking back to ``start``; None when none is open."""
    segment = text[start:end]
    found = -1
    if segment.count('"') % 2 == 1:
        found = segment.rfind('"')
    if segment.rfind("\u201c") > segment.rfind("\u201d"):
        found = max(found, segment.rfind("\u201c"))
    around = text[start : end + 1]  # sees the label's first character
    if "'" in around or "\u2018" in around:  # else no single quote opens
        singles = [q for q in _OPEN_SINGLE.finditer(around) if q.start() < end - start]
        if singles and not _CLOSE_SINGLE.search(segment, singles[-1].end()):
            found = max(found, singles[-1].start())
    return None if found < 0 else start + found


# Words a match of each pattern must hold (lower case; see ``_found``).
_REPORTED_STEMS = (
    "contain", "end", "close", "finish", "sign", "includ", "inject", "append", "insert", "add", "print", "say", "said", "writ", "wrote",
    "claim", "state", "repeat", "quot", "output", "return", "echo", "smuggl",
)  # fmt: skip
_POSSESSIVE_STEMS = ("'s",)
_NEGATED_STEMS = ("not", "n't", "never", "rather", "instead", "other", "longer")
_CONTRAST_STEMS = ("but", "however", "yet", "though", "whereas", "while")
_HYPOTHETICAL_STEMS = ("would", "could", "might", "should", "alternative", "otherwise", "hypothetically", "suppos")


def _found(pattern: re.Pattern[str], stems: tuple[str, ...], text: str) -> bool:
    """Whether ``pattern`` matches in ``text``, where every match of ``pattern`` holds one of ``stems`` (case
    ignored). An ASCII text without any is answered at once; any other text is searched (under ``re.IGNORECASE``
    some non-ASCII letters match ASCII ones: 'ſ' matches 's', the Kelvin sign 'k')."""
    if text.isascii():
        if not any(map(text.lower().__contains__, stems)):  # (an empty text holds none)
            return False
    return pattern.search(text) is not None


def _hypothetical_before(text: str) -> bool:
    """Whether ``text`` (the words before a label, from the start of its clause) makes the label hypothetical: a
    counterfactual or alternative word (``_HYPOTHETICAL_WORDS``), or an ``if`` followed on the same line by a
    consequence word (``_IF_CONSEQUENCE``: ``then``, ``had``, ``were``, ``would be`` ...).

    One regular expression "\\bif\\b.*?\\b(?:then|...)\\b" said the same, but scanned the rest of the line again from
    every ``if``: quadratic time in a long line of them. Here only the first ``if`` of each line is tried (a later
    ``if`` of the line can only find a consequence the first one finds too), and the first consequence after a
    position is looked up once and reused while it stays ahead."""
    if _found(_HYPOTHETICAL_WORDS, _HYPOTHETICAL_STEMS, text):
        return True
    if not _found(_IF, ("if",), text):
        return False
    line_end = -1
    consequence = -1  # where the first consequence at or after the last position searched from starts
    for m in _IF.finditer(text):
        if m.start() < line_end:  # a later ``if`` of a line whose first one found no consequence
            continue
        line_end = text.find("\n", m.end())
        if line_end < 0:
            line_end = len(text)
        if consequence < m.end():
            found = _IF_CONSEQUENCE.search(text, m.end())  # looks behind m.end() for its \\b, as the one pattern did
            consequence = found.start() if found else len(text) + 1
        if consequence <= line_end:
            return True
    return False


def _mention(text: str, i: int, matches: list[re.Match[str]], ends: list[int], sentence: tuple[int, int], code: list[tuple[int, int]]) -> str | None:
    """Why the label ``matches[i]`` is a mention, from the words around it in its sentence; None for a verdict.
    ``ends`` are the labels' ends (in order)."""
    m = matches[i]
    if any(a <= m.start() < b for a, b in code):
        return IN_CODE
    s0, s1 = sentence
    stop = min([n.start() for n in matches[i : i + 2] if m.end() <= n.start() < s1] + [s1])  # the next label (the label itself when empty)
    if s0 == m.start() and m.end() == stop:  # nothing before or after it in its sentence (a verdict line): no cue
        return None
    quote = _quote_start(text, s0, m.start())
    anchor = m.start() if quote is None else quote
    before = text[s0:anchor]
    # and, when the label is quoted, the words inside the quotation ("tries to inject [[A>>B]]" in a JSON string)
    befores = (before,) if quote is None else (before, text[s0 : m.start()])
    after = text[m.end() : stop]
    if (
        any(_found(_REPORTED_BEFORE, _REPORTED_STEMS, b) for b in befores)
        or (quote is not None and _found(_POSSESSIVE_BEFORE, _POSSESSIVE_STEMS, before))
        or _REPORTED_AFTER.match(after)
    ):
        return REPORTED
    if any(_found(_NEGATED_BEFORE, _NEGATED_STEMS, b) for b in befores) or _NEGATED_AFTER.match(after):
        return NEGATED
    # A condition or counterfactual reaches to the end of its clause: look back to a contrast word or an earlier label.
    contrast = [c.end() for c in _CONTRAST.finditer(before)] if _found(_CONTRAST, _CONTRAST_STEMS, before) else []
    last = bisect.bisect_right(ends, anchor) - 1  # the last label that ends by the anchor
    earlier = [ends[last] - s0] if last >= 0 and ends[last] >= s0 else []
    scope = max(contrast + earlier + [0])
    if _hypothetical_before(before[scope:]) or _HYPOTHETICAL_AFTER.match(after):
        return HYPOTHETICAL
    return None


def _joined_groups(text: str, matches: list[re.Match[str]], sentence_of: list[tuple[int, int]]) -> list[list[int]]:
    """Runs of two or more labels of one sentence joined only by punctuation and one connective ("[[A]] or [[B]]")."""
    groups: list[list[int]] = []
    run = [0]
    for i in range(1, len(matches)):
        if sentence_of[i] == sentence_of[i - 1] and _JOIN.match(text[matches[i - 1].end() : matches[i].start()]):
            run.append(i)
        else:
            if len(run) > 1:
                groups.append(run)
            run = [i]
    if len(run) > 1:
        groups.append(run)
    return groups
