"""The starting point of notebook 07's coding exercise: a per-blanket cache that runs but leaks
as the KB's loop does. Notebook 07's cell tagged ``cache-skeleton`` holds this class, word for
word (a test checks), so that comsim can tell the learner's own class from the one it was given
(:func:`is_skeleton`): the reference solution opens only after a check of the learner's own."""

from __future__ import annotations

import ast
import inspect
import textwrap


class BlanketCache:
    """One copy of pItf per security setting, made once and reused (the KB's fix)."""

    def __init__(self, pItf):
        self.pItf = pItf
        self.copies = {}  # (authn_level, imp_level, principal) -> the cached copy

    def get(self, authn_level, imp_level, principal=None):
        # TODO: copy once per setting, not on every call (the rules above say what the
        # caller and the cache each own).
        pCS = self.pItf.QueryInterface("IClientSecurity")
        pCopy = pCS.CopyProxy(self.pItf)
        pCS.SetBlanket(pCopy, authn_level, imp_level, principal)
        pCS.Release()
        return pCopy

    def clear(self):
        # TODO: give back what the cache holds.
        self.copies.clear()


def skeleton_source() -> str:
    """The skeleton's source, as notebook 07 shows it."""
    return inspect.getsource(BlanketCache)


def _shape(cache_class: type) -> tuple[tuple[str, str], ...]:
    """The class's methods and their code's structure, without comments or layout. (Methods,
    not the class: Python finds the source of a class made in a notebook cell only through
    its functions.)"""
    methods = sorted(
        (name, value) for name, value in vars(cache_class).items() if inspect.isfunction(value)
    )
    return tuple(
        (name, ast.dump(ast.parse(textwrap.dedent(inspect.getsource(function)))))
        for name, function in methods
    )


def is_skeleton(cache_class: object) -> bool:
    """True when ``cache_class`` is the skeleton as given (comments and layout aside); False
    for anything the learner changed, or whose source cannot be read."""
    if not isinstance(cache_class, type):
        return False
    try:
        return _shape(cache_class) == _shape(BlanketCache)
    except (OSError, TypeError, SyntaxError):
        return False
