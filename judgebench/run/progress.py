"""Progress displays of runs: one bar per run (``bench``), or one bar for a whole suite that each benchmark's run
advances in turn (``suite``: one display, ``[3/9] rm_bench`` as its label).

A display is handed to ``runner.run(spec, progress=...)``; the runner calls ``start`` with the number of judgments
it plans, ``advance`` as results arrive and ``finish`` when its executor returns (also on an abort). Bars go to
stderr (tqdm, imported only when a bar is shown).
"""

from __future__ import annotations

import sys
from typing import Any, Protocol


class Progress(Protocol):
    """What the runner needs of a progress display."""

    def start(self, total: int, label: str) -> None: ...

    def advance(self, n: int, **postfix: int) -> None: ...

    def finish(self) -> None: ...


class RunBar:
    """One tqdm bar for one run: created by ``start``, closed by ``finish``."""

    def __init__(self) -> None:
        self._bar: Any = None

    def start(self, total: int, label: str) -> None:
        from tqdm import tqdm

        self._bar = tqdm(total=total, desc=label, unit="judgment", file=sys.stderr, dynamic_ncols=True)

    def advance(self, n: int, **postfix: int) -> None:
        if self._bar is not None:
            self._bar.update(n)
            self._bar.set_postfix(refresh=False, **postfix)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class SuiteBar(RunBar):
    """One tqdm bar for a suite of runs: ``next_benchmark`` names the benchmark about to run (``[i/n] name``), each
    run's ``start`` resets the bar to its own total, ``finish`` keeps it, and ``close`` ends the display after the
    last one."""

    def __init__(self, n_benchmarks: int) -> None:
        super().__init__()
        self.n = n_benchmarks
        self.i = 0
        self.name = ""

    def next_benchmark(self, name: str) -> None:
        self.i += 1
        self.name = name

    def start(self, total: int, label: str) -> None:
        desc = f"[{self.i}/{self.n}] {self.name}"
        if self._bar is None:
            super().start(total, desc)
        else:
            self._bar.reset(total=total)
            self._bar.set_description(desc, refresh=False)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.refresh()

    def close(self) -> None:
        super().finish()
