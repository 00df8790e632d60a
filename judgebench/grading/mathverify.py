"""LaTeX answer checking with ``math-verify``, under a deadline that the harness enforces itself.

math-verify's own timeouts use ``signal.alarm``, which works only in the main thread, so it is always called here
with ``parsing_timeout=None`` and ``timeout_seconds=None``. ``MathVerifier`` runs the checks in worker processes
and kills a worker whose item exceeds ``timeout_s`` (sympy can hang on adversarial input); that item is graded
incorrect with a "timeout" reason and a fresh worker takes the next one.

Two rules on top of math-verify (``verify_in_process``):

* **Rational numbers are compared exactly.** math-verify compares numbers in floating point after rounding, so
  distinct tiny values such as ``1/2^{98}`` and ``1/2^{99}`` compare equal. When every value parsed on both sides
  is a rational number (integers, fractions, decimals, ``2^{-98}``), the values are compared as ``Fraction``s; a
  percentage stands for ``x`` and ``x/100``, as in math-verify. Symbolic answers (``\\sqrt{2}``, ``\\pi``,
  intervals, sets, expressions) still go to math-verify, except that a rational number never equals a number
  sympy knows to be irrational (math-verify's rounding takes ``3.14159265`` for ``\\pi``).
* **Several values are no single answer.** A numeric reference answered with a set of values (``\\boxed{2, -2}``,
  ``\\boxed{\\pm 2}``), with numbers offered as alternatives in the box or in the sentence of the last number
  (``x = 2 or x = -2``, which math-verify reads as -2), with statements that disagree (``\\boxed{5}. The answer is
  7.``), or with a number that math-verify reads differently from the text (``$5$ thousand``), gets ``correct=None``.
* **A correction replaces the answer.** When a correction follows the response's first answer and restates one
  ("The answer is \\boxed{5}. Actually I made a mistake, the answer is 6"), math-verify reads the response from
  the correction on (``judgebench.grading.numeric.correction_start``).
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import time
from collections.abc import Iterable
from fractions import Fraction
from multiprocessing.connection import Connection, wait
from typing import Any

from .answer_text import parse_number
from .grades import Extraction, Grade, no_single_answer
from .numeric import correction_start, find_number

logger = logging.getLogger(__name__)


class BadReferenceError(ValueError):
    """A reference answer that math-verify cannot parse; ``index`` is its item's position in ``grade_many``."""

    def __init__(self, message: str, index: int = 0):
        super().__init__(message)
        self.index = index


def _quiet_math_verify() -> None:
    # math-verify logs a warning on every call made without its signal-based timeout; we enforce our own.
    for name in ("math_verify", "math_verify.parser", "math_verify.grader", "math_verify.utils"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _as_fraction(expr: Any) -> Fraction | None:
    """The exact value of a sympy number that is rational (``Integer``, ``Rational``, finite ``Float``, or an
    unevaluated product or power of those); ``None`` for anything else (``sqrt(2)``, ``pi``, sets, symbols)."""
    import sympy

    if not isinstance(expr, sympy.Basic) or not expr.is_number:
        return None
    try:
        value = expr if expr.is_Rational or expr.is_Float else expr.doit()
        if value.is_Rational:
            return Fraction(int(value.p), int(value.q))
        if value.is_Float and value.is_finite:
            return Fraction(str(value))
    except (TypeError, ValueError, ArithmeticError, RecursionError):
        return None
    return None


def rational_values(parsed: list[Any]) -> list[Fraction] | None:
    """Exact values of math-verify's parse of one side when every parsed value is a rational number, else ``None``.

    A percentage (``50\\%``, parsed as ``50/100``) stands for both ``0.5`` and ``50``, as math-verify treats it.
    """
    exprs = [x for x in parsed if not isinstance(x, str)]
    percent = any("%" in x for x in parsed if isinstance(x, str))
    values: list[Fraction] = []
    for expr in exprs:
        value = _as_fraction(expr)
        if value is None:
            return None
        values.extend([value, value * 100] if percent else [value])
    return values or None


def _is_irrational(parsed: list[Any]) -> bool:
    """Every value parsed is a number that sympy knows to be irrational (``pi``, ``sqrt(2)``; not ``log(8)/log(2)``,
    whose rationality sympy leaves unknown)."""
    exprs = [x for x in parsed if not isinstance(x, str)]
    return bool(exprs) and all(getattr(x, "is_number", False) and getattr(x, "is_rational", None) is False for x in exprs)


def _is_several(expr: Any) -> bool:
    import sympy

    return isinstance(expr, sympy.FiniteSet) and len(expr) > 1


def verify_in_process(response: str, answer: str) -> Grade:
    """Parse the gold ``answer`` (as ``$answer$``) and the response, and compare them; no timeout.

    See the module docstring for the exact rational comparison and "no single answer".
    """
    from math_verify import parse, verify

    _quiet_math_verify()
    try:
        gold = parse(f"${answer}$", parsing_timeout=None)
        pred = parse(response, parsing_timeout=None)
        start = correction_start(response)
        corrected = parse(response[start:], parsing_timeout=None) if start is not None else []
    except Exception as e:  # math-verify raises on malformed LaTeX in rare cases
        return Grade("math", False, None, answer, f"math-verify could not parse: {type(e).__name__}: {e}")
    if not gold:
        raise BadReferenceError(f"reference answer {answer!r} is not parseable LaTeX")
    note = ""
    if corrected and start is not None:  # the final committed answer follows a correction
        response, pred = response[start:], corrected
        note = f" (after the correction {' '.join(response[:30].split())!r}...)"
    if not pred:
        return Grade("math", False, None, answer, "no answer found (math-verify extracted nothing)")
    extracted = str(pred[-1]) if isinstance(pred[-1], str) else str(pred[0])
    gold_values = rational_values(gold)
    several = next((x for x in pred if _is_several(x)), None)
    if gold_values is not None and several is not None:
        return no_single_answer("math", Extraction(None, "math-verify read a set of values", tuple(str(v) for v in several)), answer)
    pred_values = rational_values(pred)
    if (gold_values is None) != (pred_values is None) and _is_irrational(pred if gold_values is not None else gold):
        return Grade("math", False, extracted, answer, f"exact comparison: a rational number cannot equal an irrational one ({extracted!r} vs {answer!r})")
    if gold_values is not None and pred_values is not None:
        stated, value = find_number(response, rules=("boxed", "answer statement", "last number"), last_only=True)
        if stated.is_ambiguous:
            return no_single_answer("math", stated, answer)
        plain = parse_number(extracted)  # math-verify read one plain number, and the text states another: "$5$ thousand"
        if value is not None and plain is not None and value != plain and value not in pred_values:
            read = Extraction(None, "math-verify and the statement read different numbers", (extracted, stated.answer or str(value)))
            return no_single_answer("math", read, answer)
        ok = any(g == p for g in gold_values for p in pred_values)
        word = "equals" if ok else "does not equal"
        return Grade("math", ok, extracted, answer, f"exact rational comparison: {extracted!r} {word} {answer!r}{note}")
    try:
        ok = bool(verify(gold, pred, timeout_seconds=None))
    except Exception as e:
        return Grade("math", False, extracted, answer, f"math-verify failed: {type(e).__name__}: {e}")
    word = "equivalent to" if ok else "not equivalent to"
    return Grade("math", ok, extracted, answer, f"math-verify: {extracted!r} {word} {answer!r}{note}")


def _worker(conn: Connection) -> None:
    _quiet_math_verify()
    while True:
        try:
            item = conn.recv()
        except EOFError:
            return
        if item is None:
            return
        response, answer = item
        try:
            conn.send(verify_in_process(response, answer).to_dict())
        except ValueError as e:
            conn.send({"error": str(e)})


class MathVerifier:
    """A small process pool for math-verify with a per-item deadline.

    Use as a context manager; ``grade_many`` keeps input order. Workers start with the ``forkserver`` method, so
    the harness's threads and event loop are never forked.
    """

    def __init__(self, *, workers: int = 2, timeout_s: float = 5.0):
        self.workers = max(1, workers)
        self.timeout_s = timeout_s
        self._ctx = mp.get_context("forkserver")
        self._slots: list[tuple[Any, Connection] | None] = [None] * self.workers

    def __enter__(self) -> MathVerifier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self, i: int) -> tuple[Any, Connection]:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_worker, args=(child,), daemon=True)
        proc.start()
        child.close()
        self._slots[i] = (proc, parent)
        return proc, parent

    def _kill(self, i: int) -> None:
        slot = self._slots[i]
        if slot is not None:
            proc, conn = slot
            proc.kill()
            proc.join(5)
            conn.close()
        self._slots[i] = None

    def _conn(self, i: int) -> Connection:
        slot = self._slots[i]
        assert slot is not None
        return slot[1]

    def close(self) -> None:
        for i, slot in enumerate(self._slots):
            if slot is not None:
                try:
                    slot[1].send(None)
                except OSError:
                    pass
                slot[0].join(1)
                self._kill(i)

    def grade(self, response: str, answer: str) -> Grade:
        return self.grade_many([(response, answer)])[0]

    def grade_many(self, items: Iterable[tuple[str, str]]) -> list[Grade]:
        """Grade ``(response, answer)`` items; an item past the deadline gets a timeout grade.

        Raises:
            BadReferenceError: for an answer that is not parseable LaTeX (``index`` says which item).
        """
        todo = list(enumerate(items))
        results: list[Grade | None] = [None] * len(todo)
        busy: dict[int, tuple[int, float]] = {}  # slot -> (item index, deadline)
        queue = list(reversed(todo))
        while queue or busy:
            for i in range(self.workers):
                if i not in busy and queue:
                    idx, item = queue.pop()
                    slot = self._slots[i] or self._start(i)
                    slot[1].send(item)
                    busy[i] = (idx, time.monotonic() + self.timeout_s)
            conns: dict[Connection, int] = {self._conn(i): i for i in busy}
            next_deadline = min(d for _, d in busy.values())
            ready = wait(list(conns), timeout=max(0.0, next_deadline - time.monotonic()))
            for ready_conn in ready:
                i = conns[ready_conn]  # type: ignore[index]
                idx, _ = busy.pop(i)
                try:
                    out: dict[str, Any] = self._conn(i).recv()
                except (EOFError, OSError):  # the worker died (a reset pipe is an OSError)
                    self._kill(i)
                    results[idx] = Grade("math", False, None, todo[idx][1][1], "math-verify worker died")
                    continue
                if "error" in out:
                    raise BadReferenceError(out["error"], idx)
                results[idx] = Grade.from_dict(out)
            now = time.monotonic()
            for i, (idx, deadline) in list(busy.items()):
                if now >= deadline:
                    busy.pop(i)
                    self._kill(i)
                    answer = todo[idx][1][1]
                    results[idx] = Grade("math", False, None, answer, f"timeout: math-verify took over {self.timeout_s:g}s")
                    logger.warning("math-verify timed out on item %d; worker restarted", idx)
        return [r for r in results if r is not None]
