"""Recipe grading throughput: MCQ and numeric responses per second, math-verify responses per second, and
sandboxed programs per second on 2 workers, each next to a baseline measured in the same run.

Baselines: one plain regex per response (MMLU-Pro's own ``answer is \\(?([A-J])\\)?``; GSM8K's ``A: N``) for the
text graders; math-verify in this process, single-threaded, without deadlines, for the math grader; the same
programs run as a plain ``python -I`` subprocess (no namespaces, limits or uid drop) for the sandbox: solution, tests
and ``check(entry)`` in one script, as openai/human-eval runs them, against our harness importing the solution as a
module and running the tests itself (see ``judgebench.sandbox._sandbox_check``).
Inputs are real where ../shared/data has them (MMLU-Pro outputs, GSM8K solutions, HumanEval canonicals).
"""

from __future__ import annotations

import glob
import gzip
import json
import re
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from judgebench.sandbox import FunctionTests

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}/s" if seconds > 0 else "inf"


def timed(fn):  # noqa: ANN001, ANN201
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def mcq_texts() -> list[str]:
    texts: list[str] = []
    for z in sorted(glob.glob(str(SHARED / "mmlu-pro" / "*.zip"))):
        with zipfile.ZipFile(z) as zf:
            texts += [r["generated_text"] for r in json.loads(zf.read(zf.namelist()[0]))]
    return texts or [f"Reasoning {i}... so the answer is ({'ABCDEFGHIJ'[i % 10]})." * 20 for i in range(20_000)]


def bench_mcq(rows: list[tuple[str, str, str, str]]) -> None:
    from judgebench.grading import grade_mcq

    texts = mcq_texts()
    _, ours = timed(lambda: [grade_mcq(t, "C") for t in texts])
    rx = re.compile(r"answer is \(?([A-J])\)?")
    _, base = timed(lambda: [(m.group(1) if (m := rx.search(t)) else None) == "C" for t in texts])
    rows.append(("MCQ grade (all extraction rules)", f"{len(texts):,} MMLU-Pro outputs", rate(len(texts), ours), f"one regex: {rate(len(texts), base)}", f"{base / ours:.2f}"))


def bench_numeric(rows: list[tuple[str, str, str, str]]) -> None:
    from judgebench.grading import grade_numeric

    path = SHARED / "gsm8k" / "example_model_solutions.jsonl"
    if path.exists():
        data = [json.loads(line) for line in path.open(encoding="utf-8")]
        items = [(r[m]["solution"], r["ground_truth"]) for r in data for m in ("6b_finetuning", "6b_verification", "175b_finetuning", "175b_verification")]
    else:
        items = [(f"so {i} + 1 = {i + 1}\nA: {i + 1}", f"#### {i + 1}") for i in range(5000)]
    _, ours = timed(lambda: [grade_numeric(t, g) for t, g in items])
    rx = re.compile(r"A:\s*(-?[\d,.]+)")
    _, base = timed(lambda: [(m.group(1) if (m := rx.search(t)) else None) for t, _ in items])
    rows.append(("numeric grade", f"{len(items):,} GSM8K solutions", rate(len(items), ours), f"one regex: {rate(len(items), base)}", f"{base / ours:.2f}"))


def bench_math(rows: list[tuple[str, str, str, str]]) -> None:
    from judgebench.grading.mathverify import MathVerifier, verify_in_process

    n = 300
    items = [(f"Step by step... so the answer is $\\boxed{{{k}/{k + 2}}}$.", f"\\frac{{{k}}}{{{k + 2}}}") for k in range(1, n + 1)]
    _, base = timed(lambda: [verify_in_process(t, g) for t, g in items])
    with MathVerifier(workers=2, timeout_s=30) as v:
        _, start = timed(lambda: v.grade_many(items[:2]))
        grades, ours = timed(lambda: v.grade_many(items))
    assert all(g.correct for g in grades)
    rows.append(("math-verify, 2 worker processes", f"{n} \\boxed fractions", rate(n, ours), f"in-process, 1 thread: {rate(n, base)}", f"{base / ours:.2f}"))
    rows.append(("math-verify worker start (2, sympy import)", "", f"{start:.2f} s", "", ""))


def humaneval_programs() -> list[tuple[str, str, FunctionTests]]:
    """``(module, plain script, tests)`` per HumanEval canonical solution: the module and tests go to the sandbox's
    harness; the plain script (solution + tests + ``check(entry)``, as openai/human-eval builds it) is the baseline."""
    from judgebench.grading import CodeTests, build_program, sandbox_tests

    path = SHARED / "humaneval" / "HumanEval.jsonl.gz"
    if path.exists():
        with gzip.open(path, "rt", encoding="utf-8") as f:
            problems = [json.loads(line) for line in f]
    else:
        problems = [{"prompt": "", "canonical_solution": f"def f(x):\n    return x + {i}\n", "test": f"def check(c):\n    assert c(1) == {i + 1}\n", "entry_point": "f"} for i in range(164)]
    out: list[tuple[str, str, FunctionTests]] = []
    for p in problems:
        tests = CodeTests(test=p["test"], entry_point=p["entry_point"], prompt=p["prompt"])
        solution = p["prompt"] + p["canonical_solution"]
        out.append((build_program(solution, tests), f"{solution}\n\n{p['test']}\n\ncheck({p['entry_point']})\n", sandbox_tests(tests)))
    return out


def plain_run(code: str) -> bool:
    proc = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, timeout=30)
    return proc.returncode == 0


def bench_sandbox(rows: list[tuple[str, str, str, str]]) -> None:
    from judgebench.sandbox import Limits, isolation, run_many

    iso = isolation()
    programs = humaneval_programs()
    with ThreadPoolExecutor(max_workers=2) as pool:
        plain, base = timed(lambda: list(pool.map(plain_run, [script for _, script, _ in programs])))
    results, ours = timed(lambda: run_many([(module, "", tests) for module, _, tests in programs], workers=2, limits=Limits(wall_s=20)))
    ok = sum(r.passed for r in results)
    rows.append((f"sandboxed programs, 2 workers ({iso.mode})", f"{len(programs)} HumanEval canonicals, {ok} passed", rate(len(programs), ours), f"plain subprocess: {rate(len(programs), base)} ({sum(plain)} passed)", f"{base / ours:.2f}"))


def main() -> int:
    rows: list[tuple[str, str, str, str]] = []
    for bench in (bench_mcq, bench_numeric, bench_math, bench_sandbox):
        bench(rows)  # type: ignore[arg-type]
    print("| what | input | ours | baseline (same run) | ours / baseline time |")
    print("|---|---|---:|---|---:|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print("\nThe last column is baseline time / our time (1.00 = as fast as the baseline; 0.50 = twice as slow).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
