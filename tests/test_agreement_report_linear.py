"""``agreement_report`` reads which items the humans labelled once per report, not once per item (that made
``judgebench agree`` quadratic: 30,000 items took over a minute)."""

from __future__ import annotations

import numpy as np
import pytest

from judgebench.analysis import labels
from judgebench.analysis.agreement_report import agreement_report
from judgebench.analysis.labels import LabelTable


def _table(values: np.ndarray, items: tuple[str, ...]) -> LabelTable:
    return LabelTable(kind="rating", items=items, raters=("r",), values=values.reshape(1, -1), path="x.csv", coding="1-5")


def test_labelled_items_is_read_a_bounded_number_of_times(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    original = labels.LabelTable.labelled_items

    def counting(self: LabelTable) -> set[str]:
        nonlocal calls
        calls += 1
        return original(self)

    monkeypatch.setattr(labels.LabelTable, "labelled_items", counting)
    rng = np.random.default_rng(0)
    n = 300
    items = tuple(f"i{k}" for k in range(n))
    human = rng.integers(1, 6, n).astype(float)
    judge = np.clip(human + rng.integers(-1, 2, n), 1, 5)
    report = agreement_report(_table(human, items), _table(judge, items), level="ordinal", scale=[1, 2, 3, 4, 5], n_resamples=200)
    assert report["n_overlap"] == n
    assert calls <= 3  # a constant number of times, not once per item (300)
