"""The KB's shape in today's libraries: a whole keeps the parts a caller released.

In KB terms: the part is a copy of a proxy, the caller's release is ``pCopy->Release()``, the
whole is the proxy manager and its going is the final release. Each experiment measures the
case as it is and, with ``fixed=True``, with the library's fix.
"""

from __future__ import annotations

import functools
import logging
import warnings
import weakref
from dataclasses import dataclass

import numpy as np

from ...model import checks
from ...model.text import count as counted
from ...model.text import number
from .meter import MIB, Meter, Reading, Readings, check_held


# -- the KB's shape: a whole keeps the parts a caller released -------------------------------------
@dataclass(frozen=True)
class WholeKeepsParts(Readings):
    """One library case of the KB's shape, measured: a caller makes ``parts_made`` parts and
    releases each one; the whole still holds ``parts_held`` of them until the whole goes.

    In KB terms: the part is a copy of a proxy, the caller's release is ``pCopy->Release()``,
    the whole is the proxy manager and its going is the final release."""

    case: str  # e.g. "pyplot figures"
    fixed: bool  # True: the case's fix was applied
    how: str  # what the loop did, e.g. "fig, ax = plt.subplots(); ...; del fig"
    whole: str  # what holds the parts, e.g. "pyplot's figure manager"
    whole_goes: str  # what releases the whole, e.g. "plt.close(fig) for each figure"
    parts_made: int
    parts_held: int  # parts the whole still held after the caller released them all
    after_parts_released: Reading  # the caller holds no part
    after_whole_released: Reading  # the whole released too

    def describe(self) -> str:
        """One line with the measured numbers."""
        held = _both(self.after_parts_released, 1)
        after = _both(self.after_whole_released, 2)
        kept = (
            f"kept {counted(self.parts_held, 'part', 'parts')} afterwards"
            if self.fixed
            else f"still held {number(self.parts_held)} of them"
        )
        return (
            f"{self.case}{' (fixed)' if self.fixed else ''}: {number(self.parts_made)} made "
            f"with `{self.how}`; {self.whole} {kept}, {held}; after `{self.whole_goes}`: "
            f"{after}."
        )


def _both(reading: Reading, digits: int) -> str:
    """A reading's traced MiB, and its resident MiB where the platform gives them."""
    traced = f"{number(reading.traced_bytes / MIB, 'MiB', digits)} traced"
    if reading.resident_bytes is None:
        return traced
    return f"{traced} (resident {number(reading.resident_bytes / MIB, 'MiB', 1)})"


def pyplot_keeps_figures(
    figures: int = 30, points: int = 10_000, fixed: bool = False
) -> WholeKeepsParts:
    """Make ``figures`` pyplot figures of ``points`` points each, dropping each with ``del fig``;
    then ``plt.close`` them. ``fixed=True`` closes each figure as soon as it is done.

    pyplot's figure manager (``matplotlib._pylab_helpers.Gcf``) keeps every figure
    ``plt.subplots`` made until ``plt.close``: ``del fig`` drops only the caller's name.
    Figures are made with interactive mode off and closed before returning, so a Jupyter
    kernel displays none of them; figures the caller had open are left alone."""
    figures = checks.number("figures", figures, "int", 1, 60)
    points = checks.number("points", points, "int", 1, 20_000)
    fixed = checks.flag("fixed", fixed)
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    with plt.ioff():  # one figure before measuring: pyplot's one-time caches are not the point
        fig, ax = plt.subplots()
        ax.plot(rng.normal(size=points))
        plt.close(fig)
    ours: list[int] = []
    with Meter() as meter, plt.ioff(), warnings.catch_warnings():
        # pyplot warns past 20 open figures; the count is what we measure, not a mistake here.
        warnings.filterwarnings("ignore", "More than .* figures have been opened")
        try:
            for _ in range(figures):
                fig, ax = plt.subplots()
                ours.append(fig.number)
                ax.plot(rng.normal(size=points))
                if fixed:
                    plt.close(fig)  # the fix: close it when done
                del fig, ax  # the caller drops its names, as Release drops a pointer
            held = sum(plt.fignum_exists(n) for n in ours)
            after_parts = meter.read("after `del fig` for each")
        finally:
            for n in ours:
                plt.close(n)
        after_whole = meter.read("after plt.close")
    return WholeKeepsParts(
        "pyplot figures",
        fixed,
        "fig, ax = plt.subplots(); ax.plot(...); "
        + ("plt.close(fig); " if fixed else "")
        + "del fig",
        "pyplot's figure manager",
        "plt.close for each figure",
        figures,
        held,
        after_parts,
        after_whole,
    )


def loggers_in(manager: logging.Manager) -> int:
    """The loggers ``manager`` keeps: its placeholders (a dotted name's parents that were never
    asked for) and its root aside."""
    return sum(isinstance(v, logging.Logger) for v in manager.loggerDict.values())


def logging_keeps_loggers(requests: int = 20_001, fixed: bool = False) -> WholeKeepsParts:
    """Handle ``requests`` requests, each asking logging for a logger of its own,
    ``getLogger(f"request.{i}")``, and dropping it; ``fixed=True`` uses one logger and a
    :class:`logging.LoggerAdapter` per request that carries the request's id instead.

    logging's manager keeps every logger it ever made, by name, and offers no way to remove
    one: the process's manager lives as long as the process. So that this experiment can show
    the whole going, it uses a manager of its own (``logging.Manager``), which works the same
    way as the one behind ``logging.getLogger``, and leaves the process's loggers alone."""
    requests = checks.number("requests", requests, "int", 1, 40_000)
    fixed = checks.flag("fixed", fixed)
    with Meter() as meter:
        manager = logging.Manager(logging.RootLogger(logging.WARNING))  # a manager of our own
        for i in range(requests):
            if fixed:
                log = logging.LoggerAdapter(manager.getLogger("request"), {"request_id": i})
            else:
                log = manager.getLogger(f"request.{i}")
            log.debug("handled")  # below WARNING: nothing is printed
            del log  # the request is over; the caller drops its logger
        held = loggers_in(manager)  # the Logger objects in manager.loggerDict
        after_parts = meter.read("after each request dropped its logger")
        del manager
        after_whole = meter.read("after the manager went")
    return WholeKeepsParts(
        "logging loggers",
        fixed,
        "LoggerAdapter(getLogger('request'), {'request_id': i})"
        if fixed
        else "getLogger(f'request.{i}')",
        "logging's manager",
        "del manager",
        requests,
        held,
        after_parts,
        after_whole,
    )


def method_cache_keeps_instances(
    instances: int = 200,
    instance_bytes: int = 64 * 1024,
    fixed: bool = False,
    maxsize: int | None = 128,
) -> WholeKeepsParts:
    """Make ``instances`` objects of ``instance_bytes`` each, call a cached method once on each,
    and drop each. An ``functools.lru_cache`` on the method keys on ``self`` and keeps up to
    ``maxsize`` instances (128, its default; ``None``: all) until ``cache_clear()``, as Python's
    FAQ ("How do I cache method calls?") says; ``fixed=True`` uses ``cached_property``."""
    instances = checks.number("instances", instances, "int", 1, 1_000)
    instance_bytes = checks.number("instance_bytes", instance_bytes, "int", 1, 256 * 1024)
    check_held("instances × instance_bytes", instances * instance_bytes)
    fixed = checks.flag("fixed", fixed)
    if maxsize is not None:
        maxsize = checks.number("maxsize", maxsize, "int", 1, 1_000)
    with Meter() as meter:

        class Report:
            """An object with a buffer and one expensive, cached answer."""

            def __init__(self) -> None:
                self.data = bytearray(b"\x01") * instance_bytes  # touched: really resident

            if fixed:
                # The answer is kept on the report itself, and goes with it.
                @functools.cached_property
                def size(self) -> int:
                    return len(self.data)

            else:
                # Linters flag lru_cache on a method (flake8-bugbear's B019): we measure why.
                @functools.lru_cache(maxsize=maxsize)  # noqa: B019
                def size(self) -> int:
                    return len(self.data)

        alive = weakref.WeakSet()  # counts the reports still alive, without keeping one
        for _ in range(instances):
            report = Report()
            _ = report.size if fixed else report.size()
            alive.add(report)
            del report  # the caller is done with it
        after_parts = meter.read("after each object was dropped")
        held = len(alive)
        if not fixed:
            Report.size.cache_clear()  # the cache, the whole, lets go of every report
        del Report
        after_whole = meter.read("after the class went")
    return WholeKeepsParts(
        "lru_cache on a method",
        fixed,
        *_cache_labels(fixed, maxsize),
        instances,
        held,
        after_parts,
        after_whole,
    )


def _cache_labels(fixed: bool, maxsize: int | None) -> tuple[str, str, str]:
    """What the method-cache loop did, what holds the parts, and what releases the whole."""
    if fixed:
        return "report.size (cached_property)", "the class, which has no cache,", "del Report"
    how = f"report.size() (lru_cache, maxsize={maxsize})"
    return how, "the method's cache", "Report.size.cache_clear(); del Report"


class Parent:
    """A toy proxy manager: hands out children and keeps every one it made.

    ``make_child`` is the KB's CopyProxy: a new child each call, kept in ``children`` until the
    parent itself goes. ``child_for`` is the KB's workaround: one child per setting, made once
    and reused."""

    def __init__(self, child_bytes: int):
        self.child_bytes = child_bytes
        self.children: list[bytearray] = []
        self._cache: dict[object, bytearray] = {}

    def make_child(self) -> bytearray:
        child = bytearray(self.child_bytes)
        self.children.append(child)  # like the proxy manager: the parent keeps what it made
        return child

    def child_for(self, setting: object) -> bytearray:
        if setting not in self._cache:
            self._cache[setting] = self.make_child()
        return self._cache[setting]


def parent_keeps_children(
    calls: int = 20_001, child_bytes: int = 2048, settings: int = 1, fixed: bool = False
) -> WholeKeepsParts:
    """The KB's loop in Python: ``calls`` times, get a child from one parent and drop it.

    ``fixed=False`` asks for a new child each time (CopyProxy every time); ``fixed=True``
    asks for the child of setting ``i % settings`` (the workaround). Defaults echo the KB:
    20,001 calls of 2 KiB."""
    calls = checks.number("calls", calls, "int", 1, 40_000)
    child_bytes = checks.number("child_bytes", child_bytes, "int", 1, 4096)
    check_held("calls × child_bytes", calls * child_bytes)
    settings = checks.number("settings", settings, "int", 1, 1000)
    fixed = checks.flag("fixed", fixed)
    with Meter() as meter:
        parent = Parent(child_bytes)
        for i in range(calls):
            child = parent.child_for(i % settings) if fixed else parent.make_child()
            del child  # the caller "releases" its child: only its own reference goes
        held = len(parent.children)
        after_parts = meter.read("after the loop (caller holds no child)")
        del parent
        after_whole = meter.read("after del parent")
    return WholeKeepsParts(
        "a parent object",
        fixed,
        "parent.child_for(i % settings)" if fixed else "parent.make_child()",
        "the parent",
        "del parent",
        calls,
        held,
        after_parts,
        after_whole,
    )
