"""Structural checks of LaTeX tables (what breaks compilation most often), without compiling them."""

from __future__ import annotations

import re

_ESCAPED_BRACE = re.compile(r"\\[{}]")
_UNESCAPED_AMP = re.compile(r"(?<!\\)&")
_BEGIN = re.compile(r"\\begin\{(tabularx?)\}")


def _group(text: str, at: int) -> tuple[str, int]:
    """The balanced ``{...}`` group starting at ``text[at]`` (without its braces) and the index after it."""
    depth = 0
    for k in range(at, len(text)):
        if text[k] == "\\":
            continue
        if text[k] == "{" and (k == 0 or text[k - 1] != "\\"):
            depth += 1
        elif text[k] == "}" and text[k - 1] != "\\":
            depth -= 1
            if depth == 0:
                return text[at + 1 : k], k + 1
    return text[at + 1 :], len(text)


def _spec_columns(spec: str) -> int:
    """The number of columns of a tabular spec: ``@{}``, ``>{}``, ``<{}``, ``!{}`` groups and the widths of
    ``p{}``/``m{}``/``b{}`` do not count; ``l c r p m b X`` do."""
    n, k = 0, 0
    while k < len(spec):
        ch = spec[k]
        if ch in "@><!" and k + 1 < len(spec) and spec[k + 1] == "{":
            _, k = _group(spec, k + 1)
            continue
        if ch in "lcrX":
            n += 1
        elif ch in "pmb":
            n += 1
            if k + 1 < len(spec) and spec[k + 1] == "{":
                _, k = _group(spec, k + 1)
                continue
        k += 1
    return n


def _matching_end(tex: str, env: str, at: int) -> int:
    """Where the ``\\end{env}`` that closes the environment whose body starts at ``at`` begins (nested ones of the
    same name skipped); the end of ``tex`` when it is not closed."""
    depth = 1
    for m in re.finditer(rf"\\(begin|end)\{{{env}\}}", tex[at:]):
        depth += 1 if m.group(1) == "begin" else -1
        if depth == 0:
            return at + m.start()
    return len(tex)


def _tabulars(tex: str) -> list[tuple[str, str]]:
    """(spec, body) of every top-level ``tabular`` / ``tabularx`` (one nested in a cell is part of its body)."""
    out = []
    pos = 0
    while (m := _BEGIN.search(tex, pos)) is not None:
        env, k = m.group(1), m.end()
        if env == "tabularx":
            _, k = _group(tex, k)  # the width
        if k >= len(tex) or tex[k] != "{":
            pos = k
            continue
        spec, k = _group(tex, k)
        end = _matching_end(tex, env, k)
        out.append((spec, tex[k:end]))
        pos = end + 1
    return out


def latex_table_problems(tex: str) -> list[str]:
    """Structural problems of the booktabs tables in ``tex``; an empty list means none were found.

    Checks, for every ``tabular`` and ``tabularx``: the braces of the whole text balance (escaped ``\\{``/``\\}``
    ignored) and never close more than they opened; ``\\toprule``, ``\\midrule`` and ``\\bottomrule`` appear in that
    order; every row (a line ending in ``\\\\``) has as many cells (unescaped ``&`` + 1) as the column spec has
    columns. This does not replace compiling the document; it catches what breaks compilation most often.
    """
    problems: list[str] = []
    depth = 0
    for lineno, line in enumerate(tex.splitlines(), start=1):
        for ch in _ESCAPED_BRACE.sub("", line.replace(r"\\", "")):
            depth += ch == "{"
            depth -= ch == "}"
            if depth < 0:
                problems.append(f"line {lineno}: '}}' closes a brace that was never opened")
                depth = 0
    if depth:
        problems.append(f"{depth} unclosed '{{'")
    blocks = _tabulars(tex)
    if not blocks:
        problems.append("no tabular environment")
    for k, (spec, body) in enumerate(blocks, start=1):
        n_cols = _spec_columns(spec)
        positions = [body.find(m) for m in (r"\toprule", r"\midrule", r"\bottomrule")]
        if -1 in positions:
            missing = ", ".join("\\" + m for m, p in zip(("toprule", "midrule", "bottomrule"), positions, strict=True) if p == -1)
            problems.append(f"table {k}: missing {missing}")
        elif positions != sorted(positions):
            problems.append(f"table {k}: rules out of order (expected \\toprule, \\midrule, \\bottomrule)")
        for line in body.splitlines():
            s = line.strip()
            if not s.endswith(r"\\"):
                continue
            cells = len(_UNESCAPED_AMP.findall(s)) + 1
            if cells != n_cols:
                problems.append(f"table {k}: row has {cells} cells, the column spec {spec!r} has {n_cols}: {s[:80]}")
    return problems
