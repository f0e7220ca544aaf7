"""The course's one argument validator: every refusal names the parameter, what is allowed and
what was given, and comes before any heavy work.

``number`` checks ints and floats against a range, ``choice`` a str against its options,
``text`` a str, ``flag`` a bool. Each returns the value in its checked form, so a caller writes
``iterations = checks.number("iterations", iterations, "int", 0, 10_000_000)``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

from .text import interval

INT, FLOAT = "int", "float"


def refuse(name: str, allowed: str, value: object, error: type[Exception] = ValueError):
    """The error for ``name``: ``"{name} must be {allowed}; got {value!r}"`` (with the type's
    name when the type is what is wrong). Raise what it returns."""
    got = f"{value!r} ({type(value).__name__})" if error is TypeError else repr(value)
    return error(f"{name} must be {allowed}; got {got}")


def number(
    name: str,
    value: object,
    kind: str = FLOAT,
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
) -> int | float:
    """``value`` as an int (``kind="int"``) or a finite float inside the range; bools, NaN,
    infinities and numbers too large for a float are refused, whatever the range."""
    bounded = math.isfinite(low) or math.isfinite(high)
    where = f" in {interval(low, high, low_open, high_open)}" if bounded else ""
    allowed = f"{'an int' if kind == INT else 'a finite number'}{where}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise refuse(name, allowed, value, TypeError)
    if kind == INT:
        if not isinstance(value, numbers.Integral):
            raise refuse(name, allowed, value, TypeError)
        checked: int | float = int(value)
    else:
        try:
            checked = float(value)
        except OverflowError:  # an int beyond 2**1024
            raise refuse(name, allowed, value) from None
        if not math.isfinite(checked):
            raise refuse(name, allowed, value)
    too_low = checked <= low if low_open else checked < low
    too_high = checked >= high if high_open else checked > high
    if too_low or too_high:
        raise refuse(name, allowed, value)
    return checked


def choice(name: str, value: object, choices: Iterable[str]) -> str:
    """``value`` if it is one of ``choices`` (exactly as spelled)."""
    choices = tuple(choices)
    allowed = "one of " + ", ".join(repr(c) for c in choices)
    if not isinstance(value, str):
        raise refuse(name, allowed, value, TypeError)
    if value not in choices:
        raise refuse(name, allowed, value)
    return value


def text(name: str, value: object, *, empty_ok: bool = False) -> str:
    """``value`` if it is a str (and, unless ``empty_ok``, not blank)."""
    allowed = "a str" if empty_ok else "a non-empty str"
    if not isinstance(value, str):
        raise refuse(name, allowed, value, TypeError)
    if not empty_ok and not value.strip():
        raise refuse(name, allowed, value)
    return value


def flag(name: str, value: object) -> bool:
    """``value`` if it is True or False."""
    if not isinstance(value, bool):
        raise refuse(name, "True or False", value, TypeError)
    return value
