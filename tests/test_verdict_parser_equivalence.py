"""The faster verdict reading (issue 17, target 1) reads exactly what the code before it read.

The reference below is a copy of ``judgebench/judges/_mentions.py`` and of the parts of ``_parsing.py`` that changed,
as they were before the change (commit d2ecca6): the labels' classification (``classify``) and the answer
(``answer_of``) of the old code and of the new one are compared on the corpus, the recorded fixtures, the fake
server's answers, a few thousand seeded random texts made of the cue words, labels and punctuation the rules read,
and long adversarial texts; so are the verdicts of every prompted judge family's parser. The changed patterns are
also compared one by one with the old ones on the same texts. The old code is quadratic on some long texts, so the
adversarial texts are a few thousand characters here (the new code's time on longer ones is bounded at the end).
"""

from __future__ import annotations

import json
import random
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from judgebench.judges import _mentions, _parsing, get_judge
from judgebench.judges._mentions import HYPOTHETICAL, IN_CODE, NEGATED, OFFERED, REPORTED
from judgebench.testing.fake_server import STYLES

from .judges.helpers import FIXTURES, ScriptedBackend
from .judges.test_corpus import CORPUS, JUDGES

# --------------------------------------------------------------------------- the reference: the old code, verbatim

# the patterns the change rewrote (the others are unchanged and read from the module)
_FILLER = _mentions._FILLER
_OPENING = _mentions._OPENING
_SELF = _mentions._SELF
OLD_REPORTED_BEFORE = re.compile(rf"{_SELF}\b(?:{_mentions._REPORT_VERB}){_FILLER}[\s:,\-\u2013\u2014{_OPENING}]*$", re.IGNORECASE)
OLD_NEGATED_BEFORE = re.compile(
    r"(?:\bnot|n['\u2019]t|\bnever|\brather\s+than|\binstead\s+of|\bother\s+than|\bno\s+longer)"
    r"(?:\s+(?:a|an|the|even|just|simply|quite|necessarily))*[\s:,\"'\u201c\u2018*]*$",
    re.IGNORECASE,
)
OLD_HYPOTHETICAL_BEFORE = re.compile(
    r"\b(?:would|could|might|should)(?:\s+not|n['\u2019]t)?\s+have\b|\b(?:would|could|might|should)['\u2019]ve\b"
    r"|(?<!\beven )(?<!\bas )\bif\b.*?\b(?:then|had|were|(?:would|could|might)\s+(?:be|have|get|deserve))\b"
    r"|\b(?:alternative(?:ly)?|otherwise|hypothetically|supposing|suppose)\b",
    re.IGNORECASE,
)
OLD_CONTRAST = re.compile(r"\b(?:but|however|yet|though|although|whereas|while)\b", re.IGNORECASE)
OLD_CORRECTION = re.compile(
    r"\b(?:but|however|though|although|yet|actually|instead|rather|really|so|therefore|thus|hence|overall|ultimately|"
    r"finally|in\s+fact|in\s+the\s+end|after\s+all|on\s+(?:second\s+thought|reflection|balance|closer\s+\w+))\b",
    re.IGNORECASE,
)
M = _mentions


def old_classify(pattern: re.Pattern[str], text: str, key: Callable[[re.Match[str]], object]) -> list[M.Label]:
    matches = list(pattern.finditer(text))
    if not matches:
        return []
    starts = [0] + [m.end() for m in M._BREAK.finditer(text)]
    code = old_code_spans(text, pattern)
    sentence_of = [M._sentence(starts, m, len(text)) for m in matches]
    mentions = [old_mention(text, m, sentence_of[i], matches, code) for i, m in enumerate(matches)]
    keys = [key(m) for m in matches]
    for i in range(len(matches)):
        same = [j for j in range(len(matches)) if sentence_of[j] == sentence_of[i]]
        if len({keys[j] for j in same if keys[j] is not None}) >= 3:  # the prompt's menu
            mentions[i] = mentions[i] or OFFERED
        if keys[i] is None:
            mentions[i] = mentions[i] or OFFERED
    for group in M._joined_groups(text, matches, sentence_of):
        if len({keys[j] for j in group}) > 1:
            for j in group:
                mentions[j] = mentions[j] or OFFERED
    labels: list[M.Label] = []
    for i, m in enumerate(matches):
        rivals: tuple[M.Label, ...] = ()
        if mentions[i] is None:
            rivals = tuple(
                labels[j]
                for j in range(i)
                if mentions[j] is None and sentence_of[j] == sentence_of[i] and keys[j] != keys[i] and not OLD_CORRECTION.search(text[matches[j].end() : m.start()])
            )
        labels.append(M.Label(m, keys[i], mentions[i], rivals))
    return labels


def old_code_spans(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for m in M._FENCE.finditer(text):
        language = m.group(2).lower()
        if language not in M._DATA_LANGUAGES or M._CODE_SYNTAX.search(pattern.sub("", m.group(3))):
            spans.append((m.start(3), m.end(3)))
    for m in M._INLINE.finditer(text):
        inside_fence = any(a <= m.start() < b for a, b in spans)
        if not inside_fence and M._CODE_SYNTAX.search(pattern.sub("", m.group(1))):
            spans.append((m.start(1), m.end(1)))
    return spans


def old_quote_start(text: str, start: int, end: int) -> int | None:
    segment = text[start:end]
    found = -1
    if segment.count('"') % 2 == 1:
        found = segment.rfind('"')
    if segment.rfind("\u201c") > segment.rfind("\u201d"):
        found = max(found, segment.rfind("\u201c"))
    singles = [q for q in M._OPEN_SINGLE.finditer(text[start : end + 1]) if q.start() < end - start]
    if singles and not M._CLOSE_SINGLE.search(segment, singles[-1].end()):
        found = max(found, singles[-1].start())
    return None if found < 0 else start + found


def old_mention(text: str, m: re.Match[str], sentence: tuple[int, int], others: list[re.Match[str]], code: list[tuple[int, int]]) -> str | None:
    if any(a <= m.start() < b for a, b in code):
        return IN_CODE
    s0, s1 = sentence
    quote = old_quote_start(text, s0, m.start())
    anchor = m.start() if quote is None else quote
    before = text[s0:anchor]
    right_before = text[s0 : m.start()]
    stop = min([n.start() for n in others if m.end() <= n.start() < s1] + [s1])
    earlier = [n.end() for n in others if n.end() <= m.start()]
    after = text[m.end() : stop]
    if any(OLD_REPORTED_BEFORE.search(b) for b in (before, right_before)) or (quote is not None and M._POSSESSIVE_BEFORE.search(before)) or M._REPORTED_AFTER.match(after):
        return REPORTED
    if any(OLD_NEGATED_BEFORE.search(b) for b in (before, right_before)) or M._NEGATED_AFTER.match(after):
        return NEGATED
    scope = max([c.end() for c in OLD_CONTRAST.finditer(before)] + [e - s0 for e in earlier if s0 <= e <= anchor] + [0])
    if OLD_HYPOTHETICAL_BEFORE.search(before[scope:]) or M._HYPOTHETICAL_AFTER.match(after):
        return HYPOTHETICAL
    return None


def old_after(echo: _parsing.Echo, text: str) -> str | None:
    ends = [m.end() for marker in echo.markers for m in re.finditer(re.escape(marker), text) if not _parsing._QUOTED.match(text, max(m.start() - 1, 0), m.start())]
    return text[max(ends) :] if ends and echo.begins(text) else None


def old_drop_reasoning(text: str) -> tuple[str, str, bool]:
    dropped: list[str] = []

    def keep(m: re.Match[str]) -> str:
        dropped.append(m.group(0))
        return "\n"

    answer = _parsing._BLOCK.sub(keep, text)
    closes = list(_parsing._CLOSE.finditer(answer))
    if closes:
        end = closes[-1].end()
        dropped.append(answer[:end])
        answer = answer[end:]
    opened = _parsing._OPEN.search(answer)
    if opened:
        dropped.append(answer[opened.start() :])
        return answer[: opened.start()], "\n".join(dropped), True
    return answer, "\n".join(dropped), False


def old_answer_of(text: str | None, echo: _parsing.Echo | None = None, instructions: Any = ()) -> _parsing.Answer:
    raw = _parsing._ESCAPED_BRACKET.sub(r"\1", _parsing._ZERO_WIDTH.sub("", unicodedata.normalize("NFKC", text or "")))
    if not raw.strip():
        return _parsing.Answer("", problem=_parsing.EMPTY_OUTPUT)
    after_echo = old_after(echo, raw) if echo is not None else None
    body = raw
    if after_echo is not None:
        lead = _parsing._WRAPPER.match(after_echo)
        body = after_echo[lead.end() if lead else 0 :]
    body = _parsing._EOS.split(body, maxsplit=1)[0]
    if not body.strip():
        return _parsing.Answer("", problem=_parsing.ONLY_ECHO if after_echo is not None else _parsing.EMPTY_OUTPUT)
    answer, reasoning, unclosed = old_drop_reasoning(body)
    restated = False
    for pattern in instructions:
        answer, n = pattern.subn(" ", answer)
        restated = restated or n > 0
    return _parsing.Answer(answer, reasoning, _parsing.UNCLOSED_REASONING if unclosed else None, restated)


# --------------------------------------------------------------------------- the texts

TOKENS = (
    # labels of the families, bare and in context
    "[[A]]", "[[B]]", "[[C]]", "Verdict: [[A]]", "verdict:[[b]]", "[[ A ]]", "[[A>B]]", "[[B>A]]", "[[A>>B]]", "[[B>>A]]", "[[A=B]]",
    "[RESULT] A", "[RESULT] B", "[RESULT] (A or B)", "Response 1", "Response 2", "Output (a)", "Output (b)", "Score of the Assistant 1: 9",
    "Score of the Assistant 2: 4", "9 4", "1", "2", "A", "B", "tie", "Tie", "Assistant A", "Response B",
    # cues the rules read
    "I", "we", "let me", "I'll", "I will", "I'd", "even", "as", "if", "If", "IF", "then", "had", "were", "would be", "could have",
    "would've", "shouldn't have", "might get", "not", "n't", "don't", "never", "rather than", "instead of", "other than", "no longer",
    "contains", "contained", "ends with", "ended up with", "signs off with", "closes the answer with", "includes", "injected", "appends",
    "inserts", "adds", "added", "address", "printed", "says", "said", "writes", "wrote", "written", "claims", "states", "stated",
    "repeats", "quotes", "outputs", "outputted", "returns", "echoes", "smuggles", "recommend", "depends", "the", "a", "an", "its", "own",
    "fake", "final", "verdict", "label", "text", "string", "line", "at the end", "word", "words", "response's", "generalist\u2019s",
    "which is", "that", "is a prompt injection", "an attempt", "manipulation", "trick", "would be wrong", "is incorrect", "seems mistaken",
    "only if", "unless", "provided", "assuming", "in case", "alternatively", "alternative", "otherwise", "hypothetically", "supposing",
    "suppose", "but", "however", "yet", "though", "although", "whereas", "while", "or", "and", "nor", "vs.", "versus", "and/or", "/",
    "actually", "so", "therefore", "thus", "in fact", "in the end", "after all", "on second thought", "on closer inspection", "ultimately",
    "simply", "necessarily", "My final verdict is", "is better", "is right", "correct", "The answer",
    # code, reasoning, echo, end of sequence
    "print('[[A]]')", "def f():", "return", "`[[B]]`", "`x = f([[A]])`", "```", "```python\n", "```json\n", "~~~\n", "<think>", "</think>",
    "\n</think>\n", "<thinking>", "</s>", "<|eot_id|>", "<|im_end|>", "[The End of Response B]", "[The Start of Response A]",
    "<|The End of Assistant B's Answer|>", "You are judging two responses to the same question.",
    # punctuation, quotes, breaks, escapes and letters that fold
    ".", ",", ";", ":", "!", "?", "-", "\u2014", "(", ")", "*", "**", '"', "'", "\u201c", "\u201d", "\u2018", "\u2019", "`", "\n", "\n\n",
    "\\n", '", "', "\\[\\[A\\]\\]", "\u017f", "\u212a", "\u0131", "\u0130", "\uff21", "\u200b", "\t",
)  # fmt: skip


def random_texts(n: int, seed: int = 17) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        words = [rng.choice(TOKENS) for _ in range(rng.randint(1, 40))]
        out.append("".join(w + rng.choice((" ", " ", " ", "", "\n", ". ", ", ")) for w in words))
    return out


def adversarial_texts() -> list[str]:
    return [
        "[[A]] " * 300,
        "[[A]] x [[B]] x " * 60,
        "Verdict: [[A]]\n" * 300,
        "the response is fine and " * 300 + "Verdict: [[B]]",
        "if " * 1500 + "[[A]]",
        "if it is " * 400 + "then [[A]]",
        "if x\n" * 400 + "if y then [[B]]",
        "contains" + " " * 3000 + "[[A]]",
        "contains " + "the " * 1000 + "[[A]]",
        "not " + "the " * 1000 + "[[B]]",
        'He said "' + "[[A]] " * 200 + '"',
        "`" * 2000 + "[[A]]",
        "'" * 1500 + " [[B]]",
        "[[A>B]] " * 300,
        "I will end with " * 200 + "[[A]]",
        "\u017f" * 500 + "ays [[A]]",
    ]


def fixture_texts() -> list[str]:
    corpus = [json.loads(line)["output"] for path in sorted(CORPUS.glob("*.jsonl")) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    fixtures = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.rglob("*.txt"))]
    server = [text for _, answers in STYLES for text in answers.values()]
    return corpus + fixtures + server


def all_texts() -> list[str]:
    return fixture_texts() + random_texts(1500) + adversarial_texts()


def parsers() -> list[tuple[str, Callable[[str], Any]]]:
    """The parser of every registered judge that reads a model's text (``parse``), and the corpus's judge options."""
    from judgebench.judges import list_judges

    out = [(f"{family}/{name}", get_judge(name, ScriptedBackend([]), **options).parse) for family, judges in JUDGES.items() for name, options in judges if options]
    for info in list_judges():
        if info.name == "jury":  # needs members; its members are the other judges
            continue
        judge = get_judge(info.name, ScriptedBackend([]))
        if hasattr(judge, "parse"):
            out.append((info.name, judge.parse))
    assert len(out) >= 15
    return out


# --------------------------------------------------------------------------- old and new, side by side


def shape(labels: list[M.Label]) -> list[tuple[Any, ...]]:
    return [(x.match.span(), x.key, x.mention, tuple(r.match.span() for r in x.rivals)) for x in labels]


@contextmanager
def old_code() -> Iterator[None]:
    """Every judge module reads with the old ``classify`` and ``answer_of`` while the block runs."""
    saved: list[tuple[Any, str, Any]] = []
    swaps = {_parsing.answer_of: old_answer_of, _mentions.classify: old_classify}
    for module in [m for name, m in sys.modules.items() if name.startswith("judgebench.judges")]:
        for attr, value in list(vars(module).items()):
            if any(value is new for new in swaps):
                saved.append((module, attr, value))
                setattr(module, attr, swaps[value])
    try:
        yield
    finally:
        for module, attr, value in saved:
            setattr(module, attr, value)


@pytest.mark.slow  # about 8 s each
def test_every_parser_reads_the_same_verdict_as_the_old_code() -> None:
    texts = all_texts()
    checked = 0
    for name, parse in parsers():
        new = [parse(t) for t in texts]
        with old_code():
            old = [parse(t) for t in texts]
        for text, a, b in zip(texts, new, old, strict=True):
            assert a == b, (name, text[:300])
        checked += sum(getattr(v, "decision", None) not in (None, "none") for v in old)
    assert checked > 2000  # the texts give verdicts, not only failures to read one


@pytest.mark.slow  # about 8 s each
def test_classify_gives_the_same_labels_as_the_old_code() -> None:
    seen: set[str | None] = set()
    rivals = 0
    patterns = {
        "vanilla": re.compile(r"(?:Verdict\s*:\s*)?\[\[\s*([AB])\s*\]\]", re.IGNORECASE),
        "arena_hard": re.compile(r"\[\[\s*(A>>B|A>B|A=B|B>A|B>>A)\s*\]\]", re.IGNORECASE),
        "result": re.compile(r"\[RESULT\]\s*\(?\s*(A or B|[AB])\b", re.IGNORECASE),
        "response": re.compile(r"Response\s+([12])"),
        "empty": re.compile(r"\b"),  # empty matches: a label that is its own next label
    }
    for text in all_texts():
        answer = _parsing.answer_of(text).text
        assert answer == old_answer_of(text).text, text[:300]
        for name, pattern in patterns.items():
            if name == "empty" and len(answer) > 600:  # a label at each word boundary: the old code is quadratic in them
                continue
            key = (lambda m: None if "or" in m.group(0) else m.group(0).upper()) if name == "result" else _parsing._default_key
            new, old = shape(M.classify(pattern, answer, key)), shape(old_classify(pattern, answer, key))
            assert new == old, (name, answer[:300])
            seen.update(x[2] for x in old)
            rivals += sum(bool(x[3]) for x in old)
    assert seen == {None, IN_CODE, NEGATED, HYPOTHETICAL, REPORTED, OFFERED}  # every kind of mention was compared
    assert rivals > 50


def befores() -> list[str]:
    """The words before a label: every random text, and each one cut at each of its label-like places."""
    out = []
    for text in random_texts(1500, seed=23) + adversarial_texts():
        out.append(text)
        out.extend(text[:i] for i in range(len(text)) if text[i] == "[" and i % 3 == 0)
    return out


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (OLD_REPORTED_BEFORE, lambda s: M._found(M._REPORTED_BEFORE, M._REPORTED_STEMS, s)),
        (M._POSSESSIVE_BEFORE, lambda s: M._found(M._POSSESSIVE_BEFORE, M._POSSESSIVE_STEMS, s)),
        (OLD_NEGATED_BEFORE, lambda s: M._found(M._NEGATED_BEFORE, M._NEGATED_STEMS, s)),
        (OLD_HYPOTHETICAL_BEFORE, M._hypothetical_before),
        (OLD_CONTRAST, lambda s: M._found(M._CONTRAST, M._CONTRAST_STEMS, s)),
        (OLD_CORRECTION, lambda s: M._CORRECTION.search(s) is not None),
    ],
    ids=["reported", "possessive", "negated", "hypothetical", "contrast", "correction"],
)
def test_each_rewritten_pattern_finds_what_the_old_one_found(old: re.Pattern[str], new: Callable[[str], bool]) -> None:
    texts = befores()
    found = 0
    for text in texts:
        expected = old.search(text) is not None
        assert new(text) == expected, text[-300:]
        found += expected
    assert 20 < found < len(texts) - 20  # both answers were compared many times


def test_contrast_and_correction_words_are_found_at_the_same_places() -> None:
    for text in befores()[:3000]:
        assert [m.span() for m in M._CONTRAST.finditer(text)] == [m.span() for m in OLD_CONTRAST.finditer(text)]
        assert [m.span() for m in M._CORRECTION.finditer(text)] == [m.span() for m in OLD_CORRECTION.finditer(text)]


def test_long_adversarial_outputs_are_read_in_bounded_time() -> None:
    # each took from 1 to 19 s with the old code (12-30 thousand characters); the bound leaves room for a loaded machine
    parse = get_judge("vanilla", ScriptedBackend([])).parse
    for text in ("[[A]] " * 2000, "Verdict: [[A]]\n" * 2000, "if " * 6000 + "[[A]]", "the response is fine and " * 800 + "Verdict: [[B]]"):
        t0 = time.process_time()
        verdict = parse(text)
        assert time.process_time() - t0 < 3.0, text[:40]
        assert verdict.decision.value in ("A>B", "B>A")


def test_the_reference_reads_the_hand_written_decisions_of_the_corpus() -> None:
    # the swap reaches the judges: the old code is what runs in the block, and it reads the corpus as written by hand
    cases = [json.loads(line) for line in (CORPUS / "vanilla.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    parse = get_judge("vanilla", ScriptedBackend([])).parse
    new_classify = M.classify
    with old_code():  # read_label imports classify from _mentions when it runs, so the swap there reaches it
        assert _parsing.answer_of is old_answer_of and M.classify is old_classify
        assert [parse(c["output"]).decision.value for c in cases] == [c["expected"] for c in cases]
    assert _parsing.answer_of is not old_answer_of and M.classify is new_classify is not old_classify


def test_no_cue_reads_anything_in_an_empty_text() -> None:
    # classify's shortcut for a label alone in its sentence (a verdict line) rests on this
    for pattern in (M._REPORTED_AFTER, M._NEGATED_AFTER, M._HYPOTHETICAL_AFTER, OLD_REPORTED_BEFORE, OLD_NEGATED_BEFORE, OLD_HYPOTHETICAL_BEFORE, M._POSSESSIVE_BEFORE):
        assert pattern.search("") is None, pattern.pattern[:60]
    labels = M.classify(re.compile(r"\[\[([AB])\]\]"), "Response A is right.\n[[A]]\n", _parsing._default_key)
    assert [(x.key, x.mention) for x in labels] == [("A", None)]
