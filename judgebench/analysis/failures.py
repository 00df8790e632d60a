"""Failed judgments of a run: how many, their causes, and whether the run passes as a result.

A *failed* judgment is one whose model call failed for good (``Judgment.error`` set, after retries): it is
recorded, never dropped, never a verdict, and it scores as "no decision" under the run's rule. A run with failed
judgments is not a clean result: ``judgebench bench`` exits with ``errors.EXIT_FAILED_JUDGMENTS`` (3) unless their
share is at most ``--max-failure-rate``, and tables show how many judgments ran (``judged/total``).
"""

from __future__ import annotations

import re
import shlex
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..schema import ItemResult
from ..secrets import redact

_CALL_PREFIX = re.compile(r"^\S+ (?:chat|score): ")  # "openai:gpt-4o chat: " (see ManagedBackend._with_retries)
_RETRIES_SUFFIX = re.compile(r" \(after \d+ retries\)$")


def failure_cause(error: str, limit: int = 120) -> str:
    """The cause of a failed judgment, for grouping: its error without the ``MODEL chat:`` prefix and the
    ``(after N retries)`` suffix, on one line, cut to ``limit`` characters."""
    text = _RETRIES_SUFFIX.sub("", _CALL_PREFIX.sub("", " ".join(error.split()), count=1))
    return text if len(text) <= limit else text[:limit] + "..."


@dataclass(frozen=True)
class FailureSummary:
    """``failed`` of ``total`` judgments failed; ``causes`` are (cause, count), most frequent first (ties by text)."""

    failed: int
    total: int
    causes: tuple[tuple[str, int], ...] = ()

    @property
    def rate(self) -> float:
        """Share of judgments that failed, in [0, 1]; 0 for a run with no judgments."""
        return self.failed / self.total if self.total else 0.0

    def describe(self, top: int = 3) -> str:
        """``"12 of 700 judgments failed (1.7%); top causes: HTTP 500: ... (8), ... (4)"``."""
        head = f"{self.failed} of {self.total} judgments failed ({100 * self.rate:.1f}%)"
        if not self.causes:
            return head
        shown = ", ".join(f"{cause} ({n})" for cause, n in self.causes[:top])
        more = f", and {len(self.causes) - top} other causes" if len(self.causes) > top else ""
        return f"{head}; top causes: {shown}{more}"


def summarize_failures(results: Iterable[ItemResult]) -> FailureSummary:
    """Count the failed judgments of ``results`` and group them by ``failure_cause``."""
    total = 0
    causes: Counter[str] = Counter()
    for r in results:
        for g in r.games:
            total += 1
            if g.is_failed:
                causes[failure_cause(redact(g.error or ""))] += 1
    ordered = tuple(sorted(causes.items(), key=lambda kv: (-kv[1], kv[0])))
    return FailureSummary(failed=sum(causes.values()), total=total, causes=ordered)


def run_failures(results: Iterable[ItemResult], counts: Mapping[str, Any]) -> FailureSummary:
    """``summarize_failures`` of a finished run, read from its ``run.json`` ``counts`` when they say no judgment
    failed (``failed`` is 0: the failures among the judgments made anew, and a judgment kept from an earlier attempt
    is never a failed one), so a clean run of a million items is not read back from ``judgments.jsonl`` (about
    30 s); otherwise from ``results``, for the causes. ``counts["judgments"]`` is the run's number of judgments."""
    if counts.get("failed") == 0 and isinstance(counts.get("judgments"), int):
        return FailureSummary(failed=0, total=counts["judgments"])
    return summarize_failures(results)


def resume_command(argv: Sequence[str], program: str = "judgebench") -> str:
    """The command that resumes a run: ``argv`` again (secrets redacted, shell-quoted), without ``--refresh``
    (which would re-judge what already succeeded)."""
    kept = [a for a in argv if a != "--refresh"]
    return shlex.join([program, *(redact(a) for a in kept)])
