"""The code grader on its hand-labelled corpus, in both sandbox modes: no false positive, every miss listed.

``tests/grading_corpus/code.jsonl`` rows: ``id``; ``kind`` (``humaneval``, ``mbpp`` or ``stdio``); ``response``, the
model's text; the problem's tests: HumanEval's ``prompt``/``test``/``entry_point`` (copied from openai/human-eval,
task in ``source``, or a shorter check where a trick needs straight-line asserts), MBPP-style ``assert`` lines in
``test``, or stdin/stdout ``cases``; ``expected``, what a careful grader says, written by hand; ``why``.

Issue 11 found twelve ways a wrong program was graded correct (each row's program is wrong, or computes nothing):
ending the process early (``sys.exit(0)``, ``exit()``, ``raise SystemExit``, ``os._exit(0)``), exiting 0 after a
failed test (from an ``atexit`` handler, an excepthook or a thread), an object whose ``__eq__`` is always true,
``sys.settrace`` jumping over the asserts, reading the expected values from the script's own file, and a
``__main__`` block calling ``unittest.main()`` or ``sys.exit(main())``. ``TRICKS`` names the row of each, for
HumanEval and for MBPP; with the grader before issue 11 (tests appended to the program, exit code 0 = pass) every
one of them was graded correct, as were the rows faking arithmetic, shadowing ``abs``, patching ``math.isclose``,
redefining a prompt's helper or ending ``map()`` with ``StopIteration``; and correct programs whose ``__main__``
demo reads ``input()`` or ``sys.argv``, or that print ``2.5`` for ``2.5000000000``, were graded incorrect.

The review of issue 12 found that a program sharing the harness's interpreter could walk frames into it and write
its ``PASS <nonce>`` line: from ``sys._getframe``, a traceback's ``tb_frame``, a running generator's
``gi_frame.f_back``, a signal handler, a ``__del__`` the harness triggers or a ``gc`` callback; ``FORGERIES`` names a
HumanEval and an MBPP row of each (those 12 rows were graded correct in both modes on commit b246733, where the
tests ran in the program's interpreter), and of the ways that remain once the tests run in another process:
reading that process's ``/proc/<pid>`` (``environ``, ``mem``, ``fd/*``), ``ptrace``, writing guessed ``PASS``
lines to every descriptor, killing it. Each program is wrong.

Both containment modes (namespaces, the audit-hook fallback) must give the same verdicts.
"""

from __future__ import annotations

import functools
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from judgebench import sandbox
from judgebench.grading import CodeTests, Grade, grade_code

CORPUS = Path(__file__).parent / "grading_corpus" / "code.jsonl"
MODES = ("default", "audit-hook")
TRICKS = {
    # the trick -> (its HumanEval row, its MBPP row)
    "sys.exit(0) at import": ("he-sys-exit-at-import", "mbpp-sys-exit-at-import"),
    "exit() at import": ("he-builtin-exit-at-import", "mbpp-builtin-exit-at-import"),
    "raise SystemExit": ("he-raise-systemexit-at-import", "mbpp-raise-systemexit"),
    "os._exit(0) at import": ("he-os-exit-at-import", "mbpp-os-exit-at-import"),
    "os._exit(0) from atexit": ("he-atexit-os-exit", "mbpp-atexit-os-exit"),
    "os._exit(0) from an excepthook": ("he-excepthook-os-exit", "mbpp-excepthook-os-exit"),
    "os._exit(0) from a thread": ("he-thread-os-exit", "mbpp-thread-os-exit"),
    "__eq__ always true": ("he-eq-always-true", "mbpp-eq-always-true"),
    "sys.settrace over the asserts": ("he-settrace-skips-asserts", "mbpp-settrace-skips-asserts"),
    "expected values read from its own file": ("he-reads-expected-from-own-file", "mbpp-reads-expected-from-own-file"),
    "__main__: unittest.main()": ("he-main-unittest", "mbpp-main-unittest"),
    "__main__: sys.exit(main())": ("he-main-sys-exit-main", "mbpp-main-sys-exit-main"),
}
FORGERIES = {
    # a way to forge the verdict from the program -> (its HumanEval row, its MBPP row)
    "frame walk from sys._getframe": ("he-frame-walk-getframe", "mbpp-frame-walk-getframe"),
    "frame walk from a traceback's tb_frame": ("he-frame-walk-traceback", "mbpp-frame-walk-traceback"),
    "frame walk from a generator's gi_frame.f_back": ("he-frame-walk-generator", "mbpp-frame-walk-generator"),
    "frame walk from a signal handler": ("he-frame-walk-signal-handler", "mbpp-frame-walk-signal-handler"),
    "frame walk from a __del__ the harness triggers": ("he-frame-walk-del", "mbpp-frame-walk-del"),
    "gc.get_objects and gc.callbacks": ("he-gc-callback", "mbpp-gc-callback"),
    "the harness's /proc/<pid>/environ, mem, fd": ("he-reads-parent-proc", "mbpp-reads-parent-proc"),
    "ptrace of the harness": ("he-ptrace-parent", "mbpp-ptrace-parent"),
    "PASS <guess> to every descriptor 0..1023": ("he-writes-pass-to-every-fd", "mbpp-writes-pass-to-every-fd"),
    "killing the harness": ("he-kills-parent", "mbpp-kills-parent"),
}
MAIN_DEMOS = ("he-main-input-demo", "he-main-argv-demo", "mbpp-main-input-demo")  # correct, with a demo needing input
KNOWN_MISSES: dict[str, str] = {
    # row id -> why the grader disagrees with the label (none today; see KNOWN_LIMITS for misses outside the corpus)
}


def corpus_rows() -> list[dict[str, Any]]:
    """The rows graded here; rows with ``input_error`` hold tests no program can be graded against (refused, or not
    compiling), and tests/test_grade_cli.py checks them."""
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if "input_error" not in r]


def code_tests_of(row: dict[str, Any]) -> CodeTests:
    if "cases" in row:
        return CodeTests(style="stdio", cases=tuple((c["input"], c["output"]) for c in row["cases"]))
    return CodeTests(style="function", test=row["test"], entry_point=row.get("entry_point", ""), prompt=row.get("prompt", ""))


def isolation_of(mode: str) -> sandbox.Isolation:
    return sandbox.isolation() if mode == "default" else sandbox.probe_isolation("audit-hook", allow_weak=True)


def grade_in_mode(mode: str, items: list[tuple[str, CodeTests]]) -> list[Grade]:
    """Grade ``(response, tests)`` items with ``grade_code`` as the recipes do, with the sandbox in ``mode``."""
    iso = isolation_of(mode)
    default = sandbox.isolation
    setattr(sandbox, "isolation", lambda: iso)  # noqa: B010 - grade_code takes the default isolation
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            return list(pool.map(lambda it: grade_code(it[0], it[1]), items))
    finally:
        setattr(sandbox, "isolation", default)  # noqa: B010


@functools.cache
def graded(mode: str) -> dict[str, tuple[dict[str, Any], Grade]]:
    rows = corpus_rows()
    grades = grade_in_mode(mode, [(r["response"], code_tests_of(r)) for r in rows])
    return {r["id"]: (r, g) for r, g in zip(rows, grades, strict=True)}


def test_code_corpus_is_hand_labelled_and_holds_every_trick() -> None:
    rows = corpus_rows()
    by_id = {r["id"]: r for r in rows}
    assert len(rows) >= 35 and len(by_id) == len(rows)
    assert {r["kind"] for r in rows} == {"humaneval", "mbpp", "stdio"}
    for r in rows:
        assert r["expected"] in (True, False) and r["why"].strip(), r["id"]
    for trick, ids in {**TRICKS, **FORGERIES}.items():
        for row_id in ids:
            assert by_id[row_id]["expected"] is False, (trick, row_id)
    assert by_id["he-frames-and-logging-correct"]["expected"] is True  # reading its own frames is no trick
    assert all(by_id[i]["expected"] is True for i in MAIN_DEMOS)
    assert by_id["stdio-float-trailing-zeros"]["expected"] is True
    assert set(KNOWN_MISSES) <= set(by_id)


@pytest.mark.parametrize("mode", MODES)
def test_code_corpus_no_false_positives(mode: str) -> None:
    false_positives = [(i, g.reason) for i, (r, g) in graded(mode).items() if g.correct is True and r["expected"] is not True]
    assert false_positives == []


@pytest.mark.parametrize("mode", MODES)
def test_code_corpus_misses_are_exactly_the_listed_ones(mode: str) -> None:
    missed = {i: g.reason for i, (r, g) in graded(mode).items() if g.correct != r["expected"]}
    assert {i: why for i, why in missed.items() if i not in KNOWN_MISSES} == {}, "a new miss: fix the grader, or list it with its reason"
    assert sorted(set(KNOWN_MISSES) - set(missed)) == [], "listed as a miss but now graded as expected"


def test_code_corpus_same_verdicts_in_both_modes() -> None:
    verdicts = {mode: {i: g.correct for i, (_, g) in graded(mode).items()} for mode in MODES}
    assert verdicts["default"] == verdicts["audit-hook"]


def test_code_corpus_tricks_fail_for_the_stated_reason() -> None:
    grades = graded("default")
    reasons = {i: grades[i][1].reason for ids in TRICKS.values() for i in ids}
    assert "SystemExit" in reasons["he-sys-exit-at-import"] and "while importing the program" in reasons["he-sys-exit-at-import"]
    assert "without the harness's verdict" in reasons["he-os-exit-at-import"]
    assert "AssertionError" in reasons["he-atexit-os-exit"] and "AssertionError" in reasons["mbpp-thread-os-exit"]
    assert "NotPlainData" in reasons["he-eq-always-true"] and "NotPlainData" in reasons["mbpp-eq-always-true"]
    assert "sys.settrace" in reasons["he-settrace-skips-asserts"]
    assert "AssertionError" in reasons["he-main-unittest"] and "AssertionError" in reasons["mbpp-main-sys-exit-main"]
    assert "without the harness's verdict" in grades["he-forges-verdict-lines"][1].reason


@pytest.mark.parametrize("mode", MODES)
def test_code_corpus_forgeries_fail_for_the_stated_reason(mode: str) -> None:
    grades = graded(mode)
    reasons = {i: grades[i][1].reason for ids in FORGERIES.values() for i in ids}
    for way in ("getframe", "traceback", "generator", "signal-handler", "gc-callback"):
        # no frame of the program's process holds the nonce: the walk finds nothing and the wrong answer fails
        assert "AssertionError" in reasons[f"he-frame-walk-{way}" if way != "gc-callback" else "he-gc-callback"], way
    assert "NotPlainData" in reasons["he-frame-walk-del"] and "NotPlainData" in reasons["mbpp-frame-walk-del"]
    for row in ("he-reads-parent-proc", "he-ptrace-parent", "he-writes-pass-to-every-fd", "mbpp-writes-pass-to-every-fd"):
        assert "without the harness's verdict" in reasons[row], (row, reasons[row])  # it exited 0: no verdict
    assert "killed by SIGKILL" in reasons["he-kills-parent"] and "killed by SIGKILL" in reasons["mbpp-kills-parent"]


KNOWN_LIMITS = {
    # name -> (response, tests, why a careful grader says correct and ours says incorrect)
    "the tests compare the program's own objects": (
        "```python\nclass Pair:\n    def __init__(self, a, b):\n        self.a, self.b = a, b\n\n    def __eq__(self, other):\n"
        "        return (self.a, self.b) == (other.a, other.b)\n\n\ndef make_pair(a, b):\n    return Pair(a, b)\n```",
        CodeTests(test="assert make_pair(1, 2) == Pair(1, 2)"),
        "only plain data is compared: running the program's __eq__ is exactly what a fake always-equal object exploits",
    ),
    "a Fraction where a float is expected": (
        "```python\nfrom fractions import Fraction\n\n\ndef half(n):\n    return Fraction(n, 2)\n```",
        CodeTests(test="assert half(1) == 0.5"),
        "fractions.Fraction is not plain data (its __eq__ is Python code the program can rewrite)",
    ),
    "fewer decimals than a tolerance allows": (
        "```python\nprint(1 / 3)\n```",
        CodeTests(style="stdio", cases=(("", "0.333333333333\n"),)),
        "LiveCodeBench's checker compares decimals exactly; a problem that accepts an error of 1e-6 is graded strictly",
    ),
}


def test_code_known_limits_are_misses_on_the_safe_side() -> None:
    grades = grade_in_mode("default", [(response, tests) for response, tests, _ in KNOWN_LIMITS.values()])
    assert [g.correct for g in grades] == [False] * len(KNOWN_LIMITS), [g.reason for g in grades]
