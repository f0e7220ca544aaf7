"""A fresh problem for a seed: the seed draws the kind of question, then the kind's module draws
the program and computes the answers."""

from __future__ import annotations

import numbers

import numpy as np

from ...model import checks
from . import count_after_step, fix_the_loop, growth, which_release
from .problem import Problem
from .prose import table

_MAKERS = {
    count_after_step.KIND: count_after_step.make,
    which_release.KIND: which_release.make,
    growth.KIND: growth.make,
    fix_the_loop.KIND: fix_the_loop.make,
}
KINDS = tuple(_MAKERS)
"""The kinds of question a seed can draw, each equally likely."""

KIND_TITLES = table("titles")
"""Each kind's title, as the printed problem names it."""


def make_problem(seed: int, kind: str | None = None) -> Problem:
    """A fresh problem for ``seed`` (an int >= 0); the same seed always gives the same one.
    The seed draws the kind too, unless ``kind`` (one of :data:`KINDS`) asks for one."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise checks.refuse("seed", "an int >= 0", seed, TypeError)
    if seed < 0:
        raise checks.refuse("seed", "an int >= 0", seed)
    seed = int(seed)
    rng = np.random.default_rng(seed)
    drawn = KINDS[int(rng.integers(len(KINDS)))]
    if kind is not None:
        checks.choice("kind", kind, KINDS)
    return _MAKERS[kind or drawn](seed, rng)
