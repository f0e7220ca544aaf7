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


___ = Blank()
BLANK = ___


def is_blank(value: object) -> bool:
    """True for the blank ``___``."""
    return isinstance(value, Blank)
