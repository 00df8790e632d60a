"""Read answers out of model text: number tokens, ``\\boxed{}`` contents, and the clause that states an answer.

A number is one token however it is written, so that no part of it is read as a number of its own:

* thousands separators: ``1,234``, LaTeX ``70{,}000`` and ``9\\,500``, thin and no-break spaces (``9 500``);
* signs: ``-3``, the Unicode minus ``−3`` (U+2212); a sign right after a digit or letter is an operator (``5-3``);
* scientific notation: ``1.5e3``, ``6.02 × 10^23``, ``6.02\\times10^{23}``, and integer powers ``2^{10}``;
* fractions: ``3/4``, ``\\frac{1}{2}``, ``\\dfrac12``; currency ``$42.50``/``\\$42.50``; ``12%``/``12\\%`` (the sign is dropped);
* a digit inside a word, a subscript or an exponent (``x2``, ``a_1``, ``m^2``) is not a number.

A number is *not plain* (``NumberToken.value`` is ``None``) when something next to it makes the text state a value
that is not that number, so a reader must not take the number as the answer:

* symbolic maths: ``2\\sqrt{2}``, ``3\\pi``, ``2^{n}``, ``√2``;
* a letter or variable glued to it: ``5x``, ``5n``, ``5i`` (units are fine: ``5cm``, ``5kg``, ``5h``, ``5th``; see
  ``UNIT_SUFFIXES``);
* a power or factorial: ``5²``, ``5 squared``, ``5 cubed``, ``5!`` inside maths (``\\boxed{5!}``, ``5! = 120``; a
  ``!`` that ends a sentence is punctuation);
* an operator with a non-number operand: ``5 + x``, ``5/x``, ``x/5``, ``2 \\cdot \\pi``;
* a function: ``\\log_2 32``, ``\\ln 5``, ``\\sqrt{5}``, ``\\sin 30``, ``log2(32)``, ``sqrt(16)``;
* a multiplier word that is not one of the applied ones (``5 thousandths``, ``5 millions``).

Multiplier words and abbreviations written right after a number are *applied* (``MULTIPLIERS``): ``5 thousand`` and
``5k`` are 5000, ``$5M`` is 5,000,000, ``1.5 billion`` is 1,500,000,000, ``5 dozen`` is 60. Other words after a
number are units and are ignored (``5 dollars``, ``5 eggs``, ``5 hours`` are 5).

``read_clause`` turns the text of an answer clause into its candidate values (see its docstring for the rules); the
graders in ``judgebench.grading`` decide which clause to read.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass
from fractions import Fraction

_SEP = r"(?:,|\{,\}|\\,|\\;|\\!|\\\ |[\u2009\u202f\u00a0])"
_UINT = rf"(?:\d{{1,3}}(?:{_SEP}\d{{3}})+(?![\d]|{_SEP}\d)|\d+)"
_UDEC = rf"(?:{_UINT}(?:\.\d+)?|\.\d+)"
_EXPONENT = r"(?:\{\s*[-−+]?\d+\s*\}|[-−+]?\d+(?!\d|\.\d))"
_SCI = rf"(?:[eE][-−+]?\d+(?!\w|\.\d)|\s*(?:×|\\times|\\cdot|⋅|·|\*|x)\s*10\s*\^\s*{_EXPONENT})"
_POWER = rf"(?:\d+\s*\^\s*{_EXPONENT})"
_ATOM = rf"(?:{_POWER}|{_UDEC}{_SCI}?)"
_FRAC_ARG = rf"(?:\{{\s*[-−]?{_ATOM}\s*\}}|\d)"
_FRAC = rf"(?:\\[dt]?frac\s*{_FRAC_ARG}\s*{_FRAC_ARG})"
_BODY = rf"(?:{_FRAC}|{_ATOM}(?:\s?/\s?{_ATOM})?)"
_PM = r"(?P<pm>\\pm\s*|±\s*|\\mp\s*|∓\s*)?"
MULTIPLIERS: dict[str, int] = {
    "hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "trillion": 10**12, "dozen": 12, "score": 20,
    "gross": 144, "lakh": 10**5, "crore": 10**7, "k": 1000, "K": 1000, "M": 10**6, "MM": 10**6, "mn": 10**6, "B": 10**9, "bn": 10**9,
}  # fmt: skip
"""Multipliers applied to the number they follow: words (after a space or not) and abbreviations glued to it."""
_MULT_WORDS = r"(?:\$|\\\))?[\s-]?(?i:hundred|thousand|million|billion|trillion|dozen|score|gross|lakh|crore)"  # "$5$ thousand"
_MULT = r"(?P<mult>(?:" + _MULT_WORDS + r"|k|K|M|MM|mn|B|bn| ?(?:MM|mn|bn))(?![A-Za-z]))"
_MULT_RX = re.compile(_MULT_WORDS + r"(?![A-Za-z])")
NUMBER_RX = re.compile(
    r"(?<![\w.^_\\])(?<!\^\{)(?<!_\{)" + _PM + r"(?P<sign>[-−+](?=[\\$\d.]))?(?:\\?\$\s?)?(?P<sign2>[-−](?=[\\\d.]))?"
    r"(?P<body>" + _BODY + r")(?:(?P<pct>\s?\\?%)|" + _MULT + r")?"
)
"""One number token; see the module docstring for what it covers."""

UNIT_SUFFIXES = frozenset(
    "mm mms cm cms dm m km kms in ft yd yds mi mg g kg kgs lb lbs oz t ml mls mL l L cl kl s sec secs ms min mins h hr hrs d yr yrs wk wks "
    "mph kph kmh "
    "am pm AM PM st nd rd th px pt Hz kHz MHz GHz KB MB GB TB kB Gb Mb W kW kWh MW V mV mA mAh J kJ cal kcal N Pa kPa atm "
    "mol mmol rpm bpm fps USD EUR GBP".split()
)
"""Letters that may be glued to a number as a unit (``5cm``, ``10am``, ``5th``); any other letters glued to a number
(``5x``, ``5n``, ``5i``) make it not plain."""

# What next to a number makes the stated value something else (see the module docstring).
_FUNCTIONS = r"(?:log|lg|ln|sqrt|sin|cos|tan|sec|csc|cot|arcsin|arccos|arctan|sinh|cosh|tanh|exp|det|max|min|gcd|lcm|binom)"
_OPERATOR = r"(?:(?<!\*)\*(?!\*)|[-+/×÷·⋅−]|\\(?:times|cdot|div|pm)(?![A-Za-z])|(?<=\s)(?i:times|plus|minus|over|divided\s+by|multiplied\s+by)(?=\s))"
_OPERAND = r"(?:[A-Za-z](?![A-Za-z])|\\(?![$%,;!{}\s])[A-Za-z]+|\()"
_SYMBOLIC_AFTER = re.compile(
    r"(?:\s*(?:\\(?:sqrt|pi|cdot\s*[A-Za-z\\]|times\s*[A-Za-z\\]|log|ln|sin|cos|tan|exp|infty)\b|[π√∞]|\^)"
    r"|[²³¹⁰⁴-⁹ⁿ⁺⁻]"  # a superscript power
    r"|!(?:[!}$=)\]]|[ \t]*[=+*/-]|\\)"  # a factorial, not a sentence's "!"
    r"|\s+(?:squared|cubed|factorial|to\s+the\s+\w+(?:\s+power)?)\b"
    r"|[\s-]?(?i:(?:hundred|thousand|million|billion|trillion|dozen|lakh|crore)[A-Za-z]|grand\b)"  # "5 thousandths", "5 grand"
    r"|\s*\((?i:in\s+)?(?i:hundred|thousand|million|billion|trillion|dozen|lakh|crore)"  # "5 (in thousands)"
    r"|[ \t]+[KMB](?![A-Za-z&])"  # "$5 M", "5 B": a multiplier or a unit such as molar, never the bare number
    r"|[ \t]*" + _OPERATOR + r"[ \t]*" + _OPERAND + r")"
)
# before: a root or function, an operator with a non-number operand, or the second argument of a command
# (``\frac{x}{2}``: whole fractions are one token)
_SYMBOLIC_BEFORE = re.compile(
    r"(?:\\" + _FUNCTIONS + r"(?![A-Za-z])(?:\[[^\]]*\])?(?:\s*[_^]\s*(?:\{[^{}]*\}|\w))*\s*[{(]?"
    r"|(?<![A-Za-z])" + _FUNCTIONS + r"(?:_?\d+|_\{\d+\})?\s*\(|(?<![A-Za-z])(?:log|ln|sqrt|sin|cos|tan)\s"
    r"|[√∛]|\}\s*\{"
    r"|(?:(?<![A-Za-z\\])[A-Za-z]|\\[A-Za-z]+|\))[ \t]*" + _OPERATOR + r"[ \t]*)\s*$"
)
_GLUED_LETTERS = re.compile(r"[A-Za-z]+")
_ALLOWED_COMMANDS = re.compile(r"\\(?:boxed|fbox|text|textbf|mathbf|mathrm|bf|displaystyle|left|right|quad|qquad)\s*\{?\s*$")

MAX_EXPONENT = 4000
"""Larger powers of ten or of an integer are not read as numbers (``10^{10^9}`` would take minutes to expand)."""


class NumberToken:
    """A number as written in a text (read-only; its value is worked out on first use, since most numbers of a
    response are never looked at).

    Attributes:
        start: offset of the token in the text.
        end: offset just after it (a multiplier word such as "thousand" included).
        text: the token, normalized: no currency, thousands separators, percent sign or spaces; ASCII minus; the
            integer value when a multiplier was applied (``5k`` is ``"5000"``).
        value: its exact value; ``None`` when it is not plain (see the module docstring) or too large to expand.
        plus_minus: written after ``\\pm``/``±``, so it stands for two values.
    """

    __slots__ = ("_body", "_factor", "_negative", "_source", "_text", "_value", "end", "plus_minus", "start")

    def __init__(self, source: str, start: int, end: int, body: str, negative: bool, factor: int | None, plus_minus: bool):
        self.start, self.end, self.plus_minus = start, end, plus_minus
        self._source, self._body, self._negative, self._factor = source, body, negative, factor
        self._text: str | None = None
        self._value: Fraction | None = None

    def _resolve(self) -> None:
        value = _body_value(_normalize(self._body))
        shown = _normalize(self._body)
        if self._factor is not None:
            shown += " ".join(self._source[self.start : self.end].split()).partition(self._body.strip())[2].strip()
            if value is not None:
                value *= self._factor
                shown = str(value) if value.denominator == 1 else shown
        before, after = self._source[max(0, self.start - 40) : self.start], self._source[self.end : self.end + 30]
        symbolic = bool(_SYMBOLIC_AFTER.match(after) or _SYMBOLIC_BEFORE.search(before))
        symbolic = symbolic or bool(re.search(r"\\[A-Za-z]+\s*\{\s*$", before) and not _ALLOWED_COMMANDS.search(before))
        glued = _GLUED_LETTERS.match(after)
        symbolic = symbolic or (glued is not None and glued.group() not in UNIT_SUFFIXES)
        if value is not None and self._negative:
            value = -value
        self._text = ("-" if self._negative else "") + shown
        self._value = None if symbolic else value

    @property
    def text(self) -> str:
        if self._text is None:
            self._resolve()
        assert self._text is not None
        return self._text

    @property
    def value(self) -> Fraction | None:
        if self._text is None:
            self._resolve()
        return self._value

    @property
    def values(self) -> tuple[Fraction, ...]:
        """The values it states: one, two for ``±v``, none when not plain."""
        if self.value is None:
            return ()
        return (self.value, -self.value) if self.plus_minus and self.value != 0 else (self.value,)

    def __repr__(self) -> str:
        return f"NumberToken({self.start}, {self.end}, {self.text!r}, {self.value!r}, plus_minus={self.plus_minus})"


def _normalize(body: str) -> str:
    s = re.sub(_SEP, "", body) if re.search(r"\d" + _SEP + r"\d{3}", body) else body
    return re.sub(r"\s+", "", s.replace("−", "-"))


def _atom_value(s: str) -> Fraction | None:
    s = s.strip()
    if s.startswith("{") and s.endswith("}"):
        s = s[1:-1].strip()
    m = re.fullmatch(r"([-+]?)(\d+)\^\{?([-+]?\d+)\}?", s)
    if m:
        exp = int(m.group(3))
        if abs(exp) > MAX_EXPONENT:
            return None
        value = Fraction(int(m.group(2))) ** exp if int(m.group(2)) or exp >= 0 else None
        return -value if value is not None and m.group(1) == "-" else value
    m = re.fullmatch(r"([-+]?[\d.]+)(?:[eE]([-+]?\d+)|(?:×|\\times|\\cdot|⋅|·|\*|x)10\^\{?([-+]?\d+)\}?)?", s)
    if not m:
        return None
    exp = int(m.group(2) or m.group(3) or 0)
    if abs(exp) > MAX_EXPONENT:
        return None
    try:
        return Fraction(m.group(1)) * Fraction(10) ** exp
    except ValueError:
        return None


def _body_value(body: str) -> Fraction | None:
    m = re.fullmatch(r"\\[dt]?frac(\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}|\d)(\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}|\d)", body)
    parts = [m.group(1), m.group(2)] if m else body.split("/") if "/" in body else [body]
    values = [_atom_value(p) for p in parts]
    if any(v is None for v in values) or len(values) > 2:
        return None
    if len(values) == 2:
        num, den = values
        return None if den == 0 or num is None or den is None else num / den
    return values[0]


def _multiplier(written: str) -> int:
    word = written.strip(" \t\n-$\\)")
    return MULTIPLIERS[word] if word in MULTIPLIERS else MULTIPLIERS[word.lower()]


def number_tokens(text: str) -> list[NumberToken]:
    """Every number token in ``text``, in order (see the module docstring for the forms it reads)."""
    tokens = []
    for m in NUMBER_RX.finditer(text):
        end, factor = m.end(), None
        if m.group("mult") is not None:
            factor = _multiplier(m.group("mult"))
            while (more := _MULT_RX.match(text, end)) is not None:  # "5 hundred thousand"
                factor *= _multiplier(more.group())
                end = more.end()
        negative = (m.group("sign") or m.group("sign2") or "") in ("-", "−")
        tokens.append(NumberToken(text, m.start(), end, m.group("body"), negative, factor, bool(m.group("pm"))))
    return tokens


def parse_number(text: str) -> Fraction | None:
    """The value of ``text`` when it is exactly one number token (surrounding spaces and a final ``.`` allowed).

    Examples: ``$1,234.50``, ``-3``, ``−3``, ``.5``, ``3/4``, ``12%`` (the % is dropped), ``70{,}000``, ``1.5e3``,
    ``\\frac{1}{2}``. Anything else, including ``1 2`` and ``2\\sqrt{2}``, is ``None``.
    """
    s = text.strip().rstrip(".").strip()
    toks = number_tokens(s)
    if len(toks) != 1 or toks[0].start != 0 or toks[0].end != len(s) or toks[0].plus_minus:
        return None
    return toks[0].value


# --------------------------------------------------------------------------- clauses

_ALTERNATIVE = re.compile(r"[,;]|\bor\b|\band\b|\\(?:quad|qquad|lor|vee)\b|&")
_OR = re.compile(r"\bor\b|\\lor\b")
# A number right after a denial (within two words) is denied, not stated: "not 13", "rather than 13", "not equal to 13".
_DENIAL = re.compile(r"(?:\bnot|n't|\bnor|\brather\s+than|\binstead\s+of)(?:\s+[A-Za-z]+){0,2}[\s(]*$", re.I)
_EQUALS = re.compile(r"=|≈|\\approx\b|\\simeq\b|≡")
SENTENCE_END = re.compile(r"[.!?](?=\s|$|\*|\$)|\n")
"""Where a clause ends: a full stop, ``!`` or ``?`` before a space, or a line break (decimal points never match,
since clauses are cut on text whose number tokens are masked)."""


@dataclass(frozen=True)
class Reading:
    """The values a clause states.

    Attributes:
        values: the distinct candidate values, in order; one means a single answer, two or more "no single answer".
        texts: the token text of each candidate, aligned with ``values``.
        symbolic: the text of a number next to symbolic maths that the clause states, or ``None``.
        denied: the numbers the clause denies ("not 13") when it states none.
    """

    values: tuple[Fraction, ...] = ()
    texts: tuple[str, ...] = ()
    symbolic: str | None = None
    denied: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        """The clause holds no number at all (so another clause or rule decides)."""
        return not self.values and self.symbolic is None and not self.denied


def masked(text: str, tokens: list[NumberToken] | None = None) -> str:
    """``text`` with every number token replaced by ``0``s of the same length (offsets are kept)."""
    out = list(text)
    for t in tokens if tokens is not None else number_tokens(text):
        out[t.start : t.end] = "0" * (t.end - t.start)
    return "".join(out)


_LEAD = re.compile(r"(?:\s|\*\*?|\$|\\\(|\\\[|:)*")


def clause_ends(text: str, starts: list[int], *, masked_text: str | None = None) -> list[int]:
    """Where each clause that begins at one of ``starts`` ends (see ``SENTENCE_END``); leading blank space and
    Markdown/LaTeX openers (``**``, ``$``, ``\\(``, ``\\[``, ``:``) belong to the clause.

    ``masked_text``: ``masked(text)``, when the caller has it already.
    """
    hidden = masked(text) if masked_text is None else masked_text
    boundaries = [m.start() for m in SENTENCE_END.finditer(hidden)]
    ends = []
    for start in starts:
        lead = _LEAD.match(text, start)
        i = bisect.bisect_left(boundaries, lead.end() if lead else start)
        ends.append(boundaries[i] if i < len(boundaries) else len(text))
    return ends


def _negated(text: str) -> str:
    return text[1:] if text.startswith("-") else "-" + text


def _reading(tokens: list[NumberToken]) -> Reading:
    values: list[Fraction] = []
    texts: list[str] = []
    for t in tokens:
        if t.value is None:
            return Reading(symbolic=t.text)
        for v in t.values:
            if v not in values:
                values.append(v)
                texts.append(t.text if v == t.value else _negated(t.text))
    return Reading(tuple(values), tuple(texts))


def read_clause(text: str, start: int = 0, end: int | None = None, *, last_only: bool = False, tokens: list[NumberToken] | None = None) -> Reading:
    """The values stated by ``text[start:end]``, an answer clause.

    Rules:
        * The clause is cut into alternatives at separators outside numbers: ``,``, ``;``, "or", "and", ``\\quad``.
        * In each alternative, an equation chain states what follows its last ``=`` (``3 * 4 = 12`` states 12;
          ``x = 2`` states 2).
        * ``±v`` states ``v`` and ``-v``.
        * A number right after a denial is not stated (``12, not 13``; ``12 rather than 13``; ``not 12 but 13``); a
          clause that only denies numbers states no answer (``Reading.denied``).
        * A number next to symbolic maths makes the clause state a non-number (``Reading.symbolic``).
        * ``last_only`` (a clause found by position, not by a cue: the sentence of a response's last number): the
          clause states its last number, and the numbers that stand alone before it in "or" alternatives
          (``x = 2 or x = -2`` states both; ``3 or 4 apples, 12 in total`` states 12).

    The candidates are the distinct values of all alternatives stated.

    Args:
        text: the whole response.
        start: where the clause begins.
        end: where it ends (default: the end of ``text``).
        last_only: see the rules.
        tokens: ``number_tokens(text)`` when the caller has them already.
    """
    end = len(text) if end is None else end
    every = tokens if tokens is not None else number_tokens(text)
    first = bisect.bisect_left(every, start, key=lambda t: t.start)  # tokens are in text order
    inside = list(itertools.takewhile(lambda t: t.end <= end, every[first:]))
    splitter = _OR if last_only else _ALTERNATIVE
    alternatives: list[list[NumberToken]] = [[]]
    denied: list[NumberToken] = []
    previous = start
    for t in inside:
        gap = text[previous : t.start]
        previous = t.end
        if alternatives[-1] and splitter.search(gap):
            alternatives.append([])
        if _EQUALS.search(gap):
            alternatives[-1] = []
        if _DENIAL.search(gap):
            denied.append(t)
            if alternatives[-1]:
                alternatives.append([])
            continue
        alternatives[-1].append(t)
    alternatives = [alt for alt in alternatives if alt]
    if not alternatives:
        return Reading(denied=tuple(t.text for t in denied))
    if not last_only:
        return _reading([t for alt in alternatives for t in alt])
    stated = alternatives[-1][-1:]
    if len(alternatives[-1]) == 1:
        for alt in reversed(alternatives[:-1]):
            if len(alt) != 1:
                break
            stated.insert(0, alt[0])
    return _reading(stated)


# --------------------------------------------------------------------------- LaTeX boxes

_BOX_OPEN = re.compile(r"\\(?:boxed|fbox)\s*\{")
_BRACE = re.compile(r"[{}]")


def boxed_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of the contents of every ``\\boxed{...}``/``\\fbox{...}``, braces balanced, in order.

    An unclosed box runs to the end of the text. One pass over the braces, however many boxes there are.
    """
    opens = {m.end() - 1 for m in _BOX_OPEN.finditer(text)}
    if not opens:
        return []
    spans: dict[int, tuple[int, int]] = {}
    stack: list[int] = []
    for m in _BRACE.finditer(text):
        if m.group() == "{":
            stack.append(m.start())
        elif stack:
            i = stack.pop()
            if i in opens:
                spans[i] = (i + 1, m.start())
    for i in stack:
        if i in opens:
            spans[i] = (i + 1, len(text))
    return [spans[i] for i in sorted(spans)]
