"""Numbers and counts as people read them: the course's one number formatter.

Every number comsim writes for a person (a prediction's feedback, an error message, a figure's
alt text, a caption, a parameter table) goes through :func:`number`, so 20,001 is spelled the
same way everywhere; :func:`count` adds the noun with the right plural.
"""

from __future__ import annotations

import math
import numbers

_SUFFIX_UNITS = ("%", "×")  # written straight after the number, with no space


def number(value: float, unit: str = "", digits: int | None = None, grouping: bool = True) -> str:
    """``value`` with thousands separators and a sensible precision, then its unit.

    Whole numbers print whole (``20,001``); others keep three significant digits below 10, one
    decimal below 1,000 and none above (``0.25``, ``40.1``, ``1,792``). ``digits`` fixes the
    decimals instead (``number(40.06, "MiB", 2)`` is ``40.06 MiB``). The unit follows after a
    space, except ``%`` and ``×``, which follow directly. ``grouping=False`` leaves out the
    thousands separators, so the text reads back as a Python literal (``10000000``).
    """
    if isinstance(value, numbers.Integral) and digits is None:  # exact, however large
        text = f"{int(value):,}"
    elif not math.isfinite(value := float(value)):
        text = str(value)
    elif digits is not None:
        text = f"{value:,.{digits}f}"
    elif value.is_integer() and abs(value) < 1e15:
        text = f"{int(value):,}"
    elif abs(value) >= 1000:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:,.1f}"
    else:
        text = f"{value:.3g}"
    if not grouping:
        text = text.replace(",", "")
    if not unit:
        return text
    return f"{text}{unit}" if unit in _SUFFIX_UNITS else f"{text} {unit}"


def size(n_bytes: float) -> str:
    """A memory size in the unit that reads best: ``512 B``, ``8 KiB``, ``39.1 MiB`` (KiB and MiB
    are 1,024 and 1,048,576 bytes; one decimal below 100, none above)."""
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if abs(n_bytes) >= scale:
            value = n_bytes / scale
            return number(value, unit, digits=1 if abs(value) < 100 and value % 1 else 0)
    return number(int(round(n_bytes)), "B")


def count(n: int, one: str, many: str | None = None) -> str:
    """``n`` and the noun, singular for exactly one: ``1 interface proxy``, ``3 copies``."""
    many = many if many is not None else one + "s"
    return f"{number(n)} {one if n == 1 else many}"


def article(word: str) -> str:
    """The indefinite article for ``word``: ``an`` int, ``a`` float, ``an`` IStream."""
    return "an" if word[:1].lower() in "aeiou" else "a"


def interval(low: float, high: float, low_open: bool = False, high_open: bool = False) -> str:
    """An allowed range in interval notation, its ends written as Python reads them back:
    ``[0, 10000000]``, ``(0, 1]``."""
    low_text, high_text = number(low, grouping=False), number(high, grouping=False)
    return f"{'(' if low_open else '['}{low_text}, {high_text}{')' if high_open else ']'}"
