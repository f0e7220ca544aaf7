"""The checker of notebook 07's coding exercise: does a learner's per-blanket cache behave as a
COM expert would ask?

:func:`check_cache` plays the caller. It builds the cache on a fresh pItf, asks it for copies
with several blankets in turn, Releases every pointer it gets (COM's out-parameter rule), then
clears the cache and makes the final release, and reports one line per rule: the first rule
broken ends the check with a message that names it.

Whatever the submission does -- raise, hand out pointers of another object, release what it
does not own, loop for ever -- the check ends with a report, never a traceback: the learner's
code runs under a time budget (:mod:`.budget`), and every COM error the checker meets is
reported as the rule the cache broke.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...model import checks
from ...model.com import InterfacePointer, ProxyManager
from ...model.errors import COMError
from ...model.process import Process
from ...model.strategies import blanket_for
from ...model.text import count, number
from .budget import OutOfTime, TimeBudget
from .cache_skeleton import is_skeleton
from .prose import say
from .reference_cache import ReferenceBlanketCache

# Five settings: the fifth has the first one's levels and another principal, so a cache keyed
# on part of the setting fails (with three, one keyed on the level alone passed).
CACHE_CHECK_BLANKETS = 5
CACHE_CHECK_CALLS = 120
CACHE_CHECK_SECONDS = 5.0
BLANKETS_RANGE = (1, 64)
"""Settings a check may cycle through: one copy each, so the check stays small."""
CALLS_RANGE = (2, 10_000)
"""Calls a check may make: 10,000 take well under a second with a working cache."""
SECONDS_RANGE = (0, 60)
"""The learner's code may run this long (left end open) before the check stops it."""

_own_tries: list[str] = []  # the learner's own classes checked in this kernel, by name


def tried_own_cache() -> bool:
    """True once :func:`check_cache` has run on a class of the learner's own (not the skeleton
    notebook 07 gives, not the reference solution) that builds a cache with ``get`` and
    ``clear``: their commitment. A check of an empty class, or of a function, is not one."""
    return bool(_own_tries)


@dataclass(frozen=True, repr=False)
class CacheReport:
    """What :func:`check_cache` found: one line per check, and whether all passed. A failed
    check names the rule broken (``broken``, its key in prose.toml's ``[cache]`` section) and
    the part of the check it happened in (``stage``: build, calls, steady or clear), so that a
    grader can score each criterion of a rubric."""

    passed: bool
    lines: tuple[str, ...]
    broken: str = ""
    stage: str = ""

    def __str__(self) -> str:
        verdict = say("cache", "passed") if self.passed else say("cache", "not_yet")
        return "\n".join((*self.lines, verdict))

    __repr__ = __str__


class _Failed(Exception):
    """A rule the cache broke: ``rule`` is its key in prose.toml's ``[cache]`` section, and
    the message says which rule and how to mend it."""

    def __init__(self, rule: str, **fields: object):
        super().__init__(say("cache", rule, **fields))
        self.rule = rule


@dataclass
class _Bench:
    """The checker's side of the exercise: the client process and its pItf, and what the loop
    of calls has seen so far."""

    blankets: int
    calls: int
    process: Process
    pItf: InterfacePointer
    budget: TimeBudget
    lines: list[str] = field(default_factory=list)
    first: dict[int, InterfacePointer] = field(default_factory=dict)  # the copy per setting
    max_proxies: int = 0
    flat_from: int = 0  # private bytes once every setting has been cached
    where: str = ""  # what the check was doing, for a message if it must stop
    stage: str = "build"  # build, calls, steady or clear: the part of the check under way

    @classmethod
    def start(cls, blankets: int, calls: int, seconds: float) -> _Bench:
        process = Process()
        pItf = process.CoCreateInstanceEx("SimpleObject", "IStream")
        return cls(blankets, calls, process, pItf, TimeBudget(seconds))

    @property
    def pm(self) -> ProxyManager:
        return self.pItf.proxy_manager


def check_cache(
    cache_class,
    *,
    blankets: int = CACHE_CHECK_BLANKETS,
    calls: int = CACHE_CHECK_CALLS,
    seconds: float = CACHE_CHECK_SECONDS,
) -> CacheReport:
    """Run a learner's per-blanket cache through a loop and report what a COM expert would check.

    ``cache_class(pItf)`` must build a cache with ``get(authn_level, imp_level, principal)``
    returning a copy of pItf with that blanket, and ``clear()`` releasing what the cache holds.
    ``get`` follows COM's out-parameter rule: it AddRefs what it hands out; the checker, as the
    caller, Releases every pointer it gets. The loop cycles through ``blankets`` settings (an
    int in [1, 64]) for ``calls`` calls (an int in [2, 10000], at least 2 × blankets), then
    clears the cache and makes the final release. Checks: each get returns a copy of pItf (not
    the original, not another object's) with the asked-for blanket, and leaves pItf's own
    reference alone; interface proxies stay at the original + one per blanket; the proxy
    manager's count is pItf's + one per cached copy between calls; private bytes stay flat once
    every setting is cached; after clear() and pItf->Release() nothing is left. The cache's
    code may run ``seconds`` in all (in (0, 60]) before the check stops it. A check of the
    learner's own class is their commitment (:func:`tried_own_cache`): the reference solution
    opens after it (:func:`~.reference_cache.reference_solution`)."""
    blankets, calls, seconds = _check_arguments(cache_class, blankets, calls, seconds)
    bench = _Bench.start(blankets, calls, seconds)
    try:
        _exercise(bench, cache_class)
    except _Failed as failed:
        broken, message = failed.rule, str(failed)
    except OutOfTime:
        broken = "too_slow"
        message = say("cache", broken, where=bench.where, seconds=number(seconds, "s"))
    except COMError as error:  # a checker's call refused after the cache broke a rule
        broken, message = "com_refused", say("cache", "com_refused", where=bench.where, error=error)
    else:
        _note_own_try(cache_class, "")
        return CacheReport(True, tuple(bench.lines))
    _note_own_try(cache_class, bench.stage)
    return CacheReport(False, (*bench.lines, f"✘ {message}"), broken, bench.stage)


def _note_own_try(cache_class: object, stopped_at: str) -> None:
    """Count a check as the learner's commitment (:func:`tried_own_cache`): a class of their
    own that got past building (``stopped_at`` is where a failed check stopped, "" if none)."""
    if isinstance(cache_class, type) and stopped_at != "build" and not _given(cache_class):
        _own_tries.append(cache_class.__name__)


def _given(cache_class: object) -> bool:
    """The skeleton or the reference solution: a class the learner did not write."""
    return cache_class is ReferenceBlanketCache or is_skeleton(cache_class)


def _check_arguments(
    cache_class: object, blankets: object, calls: object, seconds: object
) -> tuple[int, int, float]:
    """The arguments, checked before any work."""
    if not callable(cache_class):
        raise checks.refuse("cache_class", say("cache", "not_a_class"), cache_class, TypeError)
    blankets = checks.number("blankets", blankets, "int", *BLANKETS_RANGE)
    calls = checks.number("calls", calls, "int", *CALLS_RANGE)
    if calls < 2 * blankets:
        raise checks.refuse("calls", say("cache", "calls_vs_blankets", least=2 * blankets), calls)
    seconds = checks.number("seconds", seconds, "float", *SECONDS_RANGE, low_open=True)
    return blankets, calls, seconds


def _exercise(bench: _Bench, cache_class) -> None:
    """The whole check, from building the cache to the final release."""
    cache = _build(bench, cache_class)
    for i in range(bench.calls):
        _one_call(bench, cache, i)
    _check_steady_state(bench)
    _check_clear(bench, cache)


def _learner(bench: _Bench, function, key: str, **fields: object):
    """``function()``, which runs the learner's code, within what is left of its time budget
    (:class:`OutOfTime` once it is spent); an exception it raises fails the check with the
    message ``key`` (a COM error included: COM refused something the cache did)."""
    try:
        with bench.budget.running():
            return function()
    except Exception as error:
        raise _Failed(key, error=_error(error), **fields) from None


def _error(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _setting_text(setting: dict) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in setting.items())


def _build(bench: _Bench, cache_class):
    """The learner's cache, built on pItf, with a get() and a clear()."""
    bench.where = say("cache", "where_build")
    cache = _learner(bench, lambda: cache_class(bench.pItf), "build_raised")
    for method in ("get", "clear"):
        found = _learner(bench, lambda name=method: getattr(cache, name, None), "build_raised")
        if not callable(found):
            raise _Failed("no_method", method=method, type=type(cache).__name__)
    return cache


def _one_call(bench: _Bench, cache, i: int) -> None:
    """Call ``i``: get a copy, check it, give it back, check the count."""
    call, slot = number(i + 1), i % bench.blankets
    setting = blanket_for(slot)
    bench.where, bench.stage = say("cache", "where_call", call=call), "calls"
    text = _setting_text(setting)
    pCopy = _learner(bench, lambda: cache.get(**setting), "get_raised", call=call, setting=text)
    if bench.pItf.refs == 0:
        raise _Failed("released_pitf", call=call)
    _check_copy(bench, pCopy, call, setting)
    _check_reused(bench, pCopy, call, slot, setting)
    try:
        pCopy.Release()  # the caller is done with it
    except COMError as error:
        raise _Failed("caller_release_failed", call=call, error=error) from None
    _check_count(bench, call, i)
    bench.max_proxies = max(bench.max_proxies, bench.process.interface_proxy_count)
    if i == bench.blankets - 1:
        bench.flat_from = bench.process.private_bytes


def _check_copy(bench: _Bench, pCopy: object, call: str, setting: dict) -> None:
    """What get() handed out is a copy of pItf, with a reference of its own and the blanket
    it was asked for."""
    if not isinstance(pCopy, InterfacePointer):
        got = "None" if pCopy is None else f"a {type(pCopy).__name__}"  # no learner __repr__
        raise _Failed("not_a_pointer", call=call, got=got)
    if pCopy.proxy_manager is not bench.pm:
        same_process = pCopy.proxy_manager.process is bench.process
        where = say("cache", "another_proxy_manager" if same_process else "another_process")
        raise _Failed("another_object", call=call, where=where)
    if not pCopy.is_copy:
        raise _Failed("original", call=call)
    if pCopy.refs == 0:
        raise _Failed("no_reference", call=call)
    pCS = bench.pItf.QueryInterface("IClientSecurity")
    blanket = pCS.QueryBlanket(pCopy)
    pCS.Release()
    got = dict(
        authn_level=blanket.authn_level, imp_level=blanket.imp_level, principal=blanket.principal
    )
    if got != setting:
        raise _Failed(
            "wrong_blanket", call=call, setting=_setting_text(setting), got=_setting_text(got)
        )


def _check_reused(
    bench: _Bench, pCopy: InterfacePointer, call: str, slot: int, setting: dict
) -> None:
    """A setting asked for again gets the copy made the first time."""
    if slot in bench.first and not pCopy.same_interface(bench.first[slot]):
        raise _Failed("new_copy", call=call, setting=_setting_text(setting))
    bench.first.setdefault(slot, pCopy)


def _check_count(bench: _Bench, call: str, i: int) -> None:
    """Between calls the proxy manager's count is pItf's + one per cached copy."""
    pm = bench.pm
    if not pm.alive:
        raise _Failed("final_release", call=call)
    expected = 1 + bench.blankets
    if i >= bench.blankets and pm.refcount != expected:
        key = "count_low" if pm.refcount < expected else "count_high"
        raise _Failed(key, call=call, refcount=pm.refcount, expected=expected)


def _check_steady_state(bench: _Bench) -> None:
    """After the loop: one copy per blanket, references balanced, memory flat."""
    blankets, expected = bench.blankets, 1 + bench.blankets
    bench.stage = "steady"
    bench.lines.append(say("cache", "every_get", calls=count(bench.calls, "call")))
    if bench.max_proxies != expected:
        raise _Failed(
            "too_many_proxies",
            proxies=number(bench.max_proxies),
            expected=expected,
            blankets=count(blankets, "blanket"),
        )
    proxies = count(bench.max_proxies, "interface proxy", "interface proxies")
    bench.lines.append(say("cache", "one_per_blanket", proxies=proxies, blankets=blankets))
    bench.lines.append(say("cache", "balanced", expected=expected))
    growth = bench.process.private_bytes - bench.flat_from
    if growth:
        raise _Failed("grew", growth=number(growth, "B"))
    bench.lines.append(say("cache", "flat", calls=count(bench.calls - blankets, "call")))


def _check_clear(bench: _Bench, cache) -> None:
    """clear() gives back the cache's references; pItf->Release() is then the final release."""
    bench.where, bench.stage = say("cache", "where_clear"), "clear"
    _learner(bench, cache.clear, "clear_raised")
    if bench.pItf.refs == 0:
        raise _Failed("clear_released_pitf")
    if bench.pm.refcount != 1:
        raise _Failed("count_after_clear", refcount=bench.pm.refcount)
    bench.pItf.Release()
    left = bench.process.interface_proxy_count
    if left:
        proxies = count(left, "interface proxy", "interface proxies")
        raise _Failed("left_after_final", proxies=proxies)
    bench.lines.append(say("cache", "cleared"))
