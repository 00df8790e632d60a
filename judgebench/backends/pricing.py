"""Cost per call from a small price table (USD per million tokens). Users extend it with a JSON file in
``$JUDGEBENCH_PRICES`` mapping model name -> {"input": X, "output": Y}. Unknown models cost 0 and are reported so.
"""

from __future__ import annotations

import json
import os
from functools import cache

# USD per 1M tokens (input, output), list prices as published by the providers.
PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-2024-05-13": (5.00, 15.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "o1-mini": (1.10, 4.40),
    "o3-mini": (1.10, 4.40),
    "claude-3-5-sonnet-20240620": (3.00, 15.00),
    "claude-3-5-haiku-20241022": (0.80, 4.00),
}


@cache
def price_table() -> dict[str, tuple[float, float]]:
    table = dict(PRICES)
    path = os.environ.get("JUDGEBENCH_PRICES")
    if path:
        with open(path, encoding="utf-8") as f:
            for model, p in json.load(f).items():
                table[model] = (float(p["input"]), float(p["output"]))
    return table


def price_of(model: str) -> tuple[float, float] | None:
    return price_table().get(model)


def cost_usd(model: str, prompt_tokens: int, completion_tokens: int) -> float:
    p = price_of(model)
    if p is None:
        return 0.0
    return (prompt_tokens * p[0] + completion_tokens * p[1]) / 1_000_000
