"""The blank of a fill-in exercise: ``___`` in a cell, where the learner writes a value.

A cell starts ``from comsim import ___``, so the blank is comsim's own object. (IPython also
keeps its third-latest output as ``___``; once the cell has imported the blank, IPython leaves
the name alone.) A checker that receives the blank says "fill this in" instead of judging it.
"""

from __future__ import annotations


class Blank:
    """The one blank, ``___``: a value the learner has not written yet."""

    _one: Blank | None = None

    def __new__(cls) -> Blank:
        if cls._one is None:
            cls._one = super().__new__(cls)
        return cls._one

    def __repr__(self) -> str:
        return "___"

    def __reduce__(self):
        return (Blank, ())

    def _unfilled(self, *_args: object) -> object:
        raise TypeError("a ___ is still blank: write your value or expression in its place")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _unfilled
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __pow__ = __rpow__ = _unfilled
    __neg__ = __float__ = __int__ = __index__ = _unfilled
    __lt__ = __le__ = __gt__ = __ge__ = _unfilled


___ = Blank()
BLANK = ___


def is_blank(value: object) -> bool:
    """True for the blank ``___``."""
    return isinstance(value, Blank)
