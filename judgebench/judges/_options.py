"""Validation of judge options (``--option KEY=VALUE``): a wrong value is an ``InputError`` naming the option."""

from __future__ import annotations

from typing import Any

from ..errors import InputError


def int_option(name: str, value: Any, *, low: int, high: int) -> int:
    """``value`` as an int in ``[low, high]``; booleans and floats are refused."""
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InputError(f"{name} must be an integer from {low} to {high}, got {value!r}", field=f"--option {name}")
    return value


def float_option(name: str, value: Any, *, low: float, high: float) -> float:
    """``value`` as a float in ``[low, high]`` (ints accepted)."""
    if not isinstance(value, int | float) or isinstance(value, bool) or not low <= float(value) <= high:
        raise InputError(f"{name} must be a number from {low} to {high}, got {value!r}", field=f"--option {name}")
    return float(value)


def bool_option(name: str, value: Any) -> bool:
    """``value`` as a bool: JSON ``true``/``false`` (or the strings ``"true"``/``"false"``)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise InputError(f"{name} must be true or false, got {value!r}", field=f"--option {name}")


def choice_option(name: str, value: Any, choices: tuple[str, ...]) -> str:
    """``value`` as one of ``choices``."""
    if value not in choices:
        raise InputError(f"{name} must be one of {', '.join(choices)}, got {value!r}", field=f"--option {name}")
    return str(value)


def text_option(name: str, value: Any, *, allow_none: bool = True) -> str | None:
    """``value`` as a non-empty string (or None when allowed)."""
    if value is None and allow_none:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{name} must be non-empty text, got {value!r}", field=f"--option {name}")
    return value


def chat_params(temperature: Any, max_tokens: Any, *, stop: tuple[str, ...] | None = None, top_p: float | None = None) -> Any:
    """Validated ``ChatParams`` from the common ``temperature`` and ``max_tokens`` options."""
    from ..backends import ChatParams

    return ChatParams(
        temperature=float_option("temperature", temperature, low=0.0, high=2.0),
        max_tokens=int_option("max_tokens", max_tokens, low=1, high=200_000),
        stop=stop,
        top_p=top_p,
    )
