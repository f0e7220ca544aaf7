"""The reference solution of notebook 07's coding exercise: the KB's fix as a Python class, and
the autograder's model answer.

Learners see its source (:func:`reference_solution`) once they have checked a cache of their
own; the notebook never puts it in place of theirs. Neither the class nor its source is in the
namespace of :mod:`comsim.teaching.quiz`, which notebook 07 imports: the source is read only
when the folded answer opens."""

from __future__ import annotations

import inspect

from ..unlock import Locked
from .prose import say


class ReferenceBlanketCache:
    """One copy of pItf per security setting, made the first time the setting is asked for
    and reused after (the KB's fix).

    ``get(**setting)`` follows COM's out-parameter rule: it AddRefs the copy it hands out, and
    the caller Releases it when done. ``clear()`` Releases the cache's own reference on every
    copy; the copies then go at the proxy manager's final release (pItf->Release()).
    """

    def __init__(self, pItf):
        self.pItf = pItf
        self.copies = {}  # (authn_level, imp_level, principal) -> the cached copy

    def get(self, authn_level, imp_level, principal=None):
        setting = (authn_level, imp_level, principal)
        if setting not in self.copies:
            pCS = self.pItf.QueryInterface("IClientSecurity")
            pCopy = pCS.CopyProxy(self.pItf)  # one reference: the cache's
            pCS.SetBlanket(pCopy, authn_level, imp_level, principal)
            pCS.Release()
            self.copies[setting] = pCopy
        pCopy = self.copies[setting]
        pCopy.AddRef()  # out-parameter rule: the caller gets a reference of its own
        return pCopy

    def clear(self):
        for pCopy in self.copies.values():
            pCopy.Release()
        self.copies.clear()


def reference_cache_source() -> str:
    """The reference solution's source code, for a folded answer."""
    return inspect.getsource(ReferenceBlanketCache)


def reference_solution() -> Locked:
    """The reference solution's source behind a button that opens once the learner has
    checked a cache of their own that builds (:func:`~.cache_check.tried_own_cache`). It shows
    the code, read only then; it defines nothing in the notebook, so the learner's
    ``BlanketCache`` stays theirs."""
    from .cache_check import tried_own_cache  # cache_check imports this module

    return Locked(
        say("cache", "reference_summary"),
        reference_cache_source,
        tried_own_cache,
        say("cache", "reference_first"),
        say("cache", "reference_offline"),
    )
