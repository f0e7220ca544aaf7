"""The KB's shape in today's Python, measured in this process rather than simulated.

KB Q216248 in one line: releasing a *part* (an interface proxy) frees nothing, because the
*whole* (the proxy manager) keeps every part it made until the whole itself goes. The general
idea is *region* (or *arena*) ownership: memory belongs to a region and comes back when the
region goes, not when one object in it is dropped. Real Python libraries have exactly that
shape:

- **pyplot** keeps every figure it made in its figure manager until ``plt.close``; ``del fig``
  drops only the caller's name (:func:`pyplot_keeps_figures`);
- **logging** keeps every logger ``getLogger`` ever made in its manager, for the life of the
  process (:func:`logging_keeps_loggers`);
- **functools.lru_cache** on a method keeps every instance it was called on in the cache,
  until ``cache_clear`` (:func:`method_cache_keeps_instances`);
- :class:`Parent` is the KB's loop itself with a toy whole (:func:`parent_keeps_children`).

Each experiment can run with its fix (``fixed=True``), and returns a frozen
:class:`WholeKeepsParts` with a :class:`Reading` after the caller released every part and
another after the whole went.

A sidebar runs the *reverse* direction: a NumPy view (a part you keep) holds its whole base
array (:func:`view_keeps_base`), and ``.copy()`` is NumPy's cure (:func:`copy_frees_base`),
where CopyProxy was the KB's cause.

Two measures, both relative to just before the experiment:

- ``traced_bytes``: Python allocations traced by :mod:`tracemalloc` (NumPy reports its data
  buffers to it too);
- ``resident_bytes``: the change in resident memory (Linux RSS, what Windows calls the
  *working set*: pages in RAM now), from ``/proc/self/statm``, or None where the platform has
  no such file. It is not the KB's "private bytes", which count private *commit* whether or not
  it is in RAM; both can stay high after a free when the C allocator keeps the pages.

The numbers vary by platform and library version; what the tests rely on is the shape (held,
then freed), never exact values. Sizes are bounded so an experiment stays well under 100 MiB
and a second, and everything it made is gone before it returns.
"""

from __future__ import annotations

import functools
import gc
import logging
import os
import tracemalloc
import warnings
from dataclasses import dataclass

import numpy as np

from ..model import checks

MIB = 1024 * 1024
ROW_BYTES = 8 * 1024  # one row of the test arrays: 1,024 float64 values
_STATM = "/proc/self/statm"


@dataclass(frozen=True)
class Reading:
    """Memory of this process at one step of an experiment, relative to just before it began."""

    label: str
    traced_bytes: int  # Python allocations tracemalloc sees now, minus those at the start
    resident_bytes: int | None  # change in resident memory (RSS); None where unavailable


def resident_memory_bytes() -> int | None:
    """Resident memory of this process now (Linux ``/proc/self/statm``); None elsewhere.

    ``resource.getrusage`` only gives the *peak* resident size, which never falls, so it
    cannot show memory coming back; we report nothing rather than a misleading number."""
    try:
        with open(_STATM, encoding="ascii") as f:
            resident_pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


class _Meter:
    """Takes :class:`Reading` values relative to the moment it was entered.

    Starts tracemalloc if nobody else has, and stops it again on exit (leaving a caller's own
    tracing alone). Automatic garbage collection pauses inside (each reading collects first),
    so that a loop's many allocations do not trigger repeated scans of everything else the
    process holds, such as a Jupyter kernel's objects."""

    def __enter__(self) -> _Meter:
        self._gc_was_enabled = gc.isenabled()
        gc.disable()
        self._started_here = not tracemalloc.is_tracing()
        if self._started_here:
            tracemalloc.start()
        self._traced0 = tracemalloc.get_traced_memory()[0]
        self._resident0 = resident_memory_bytes()
        return self

    def read(self, label: str) -> Reading:
        gc.collect()  # objects in reference cycles that nothing holds count as freed
        traced = tracemalloc.get_traced_memory()[0] - self._traced0
        resident_now = resident_memory_bytes()
        resident = (
            None
            if resident_now is None or self._resident0 is None
            else resident_now - self._resident0
        )
        return Reading(label, traced, resident)

    def __exit__(self, *exc) -> None:
        if self._started_here:
            tracemalloc.stop()
        if self._gc_was_enabled:
            gc.enable()


class _Readings:
    """Shared by the result classes: their readings in order, for tables and bar charts."""

    def readings(self) -> tuple[Reading, ...]:
        return tuple(v for v in vars(self).values() if isinstance(v, Reading))


def _check_fixed(fixed: object) -> bool:
    if not isinstance(fixed, bool):
        raise TypeError(f"fixed must be True or False; got {fixed!r}")
    return fixed


# -- the KB's shape: a whole keeps the parts a caller released -------------------------------------
@dataclass(frozen=True)
class WholeKeepsParts(_Readings):
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
        return (
            f"{self.case}{' (fixed)' if self.fixed else ''}: {self.parts_made:,} made with "
            f"`{self.how}`; {self.whole} still held {self.parts_held:,}, "
            f"{self.after_parts_released.traced_bytes / MIB:.1f} MiB traced; after "
            f"`{self.whole_goes}`: {self.after_whole_released.traced_bytes / MIB:.2f} MiB."
        )


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
    fixed = _check_fixed(fixed)
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    with plt.ioff():  # one figure before measuring: pyplot's one-time caches are not the point
        fig, ax = plt.subplots()
        ax.plot(rng.normal(size=points))
        plt.close(fig)
    ours: list[int] = []
    with _Meter() as meter, plt.ioff(), warnings.catch_warnings():
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
        "plt.close(fig) for each figure",
        figures,
        held,
        after_parts,
        after_whole,
    )


def logging_keeps_loggers(requests: int = 20_001, fixed: bool = False) -> WholeKeepsParts:
    """Handle ``requests`` requests, each asking logging for a logger of its own,
    ``getLogger(f"request.{i}")``, and dropping it; ``fixed=True`` uses one logger and a
    :class:`logging.LoggerAdapter` per request that carries the request's id instead.

    logging's manager keeps every logger it ever made, by name, and offers no way to remove
    one: the process's manager lives as long as the process. So that this experiment can show
    the whole going, it uses a manager of its own (``logging.Manager``), which works the same
    way as the one behind ``logging.getLogger``, and leaves the process's loggers alone."""
    requests = checks.number("requests", requests, "int", 1, 40_000)
    fixed = _check_fixed(fixed)
    with _Meter() as meter:
        # A manager of our own, with its own root; "request" is the one logger the fix shares.
        manager = logging.Manager(logging.RootLogger(logging.WARNING))
        shared = manager.getLogger("request")
        for i in range(requests):
            if fixed:
                log = logging.LoggerAdapter(shared, {"request_id": i})
            else:
                log = manager.getLogger(f"request.{i}")
            log.debug("handled")  # below WARNING: nothing is printed
            del log  # the request is over; the caller drops its logger
        held = sum(
            isinstance(v, logging.Logger) and v is not shared for v in manager.loggerDict.values()
        )
        after_parts = meter.read("after each request dropped its logger")
        del manager, shared
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
    instances: int = 200, instance_bytes: int = 64 * 1024, fixed: bool = False
) -> WholeKeepsParts:
    """Make ``instances`` objects of ``instance_bytes`` each, call a cached method once on each,
    and drop each object. With ``functools.lru_cache(maxsize=None)`` on the method, the cache
    keys on ``self`` and keeps every instance until ``cache_clear()``; ``fixed=True`` caches
    with ``functools.cached_property`` instead, which stores the value on the instance itself.

    Python's FAQ ("How do I cache method calls?") says the lru_cache approach keeps a
    reference to the instance; with the default ``maxsize=128`` at most 128 are kept."""
    instances = checks.number("instances", instances, "int", 1, 1_000)
    instance_bytes = checks.number("instance_bytes", instance_bytes, "int", 1, 256 * 1024)
    fixed = _check_fixed(fixed)
    with _Meter() as meter:

        class Report:
            """An object with a buffer and one expensive, cached answer."""

            def __init__(self) -> None:
                self.data = bytearray(b"\x01") * instance_bytes  # touched: really resident

            # B019: an lru_cache on a method keeps self alive; here that is the lesson.
            @functools.lru_cache(maxsize=None)  # noqa: B019, UP033
            def size_cached(self) -> int:
                return len(self.data)

            @functools.cached_property
            def size_property(self) -> int:
                return len(self.data)

        for _ in range(instances):
            report = Report()
            _ = report.size_property if fixed else report.size_cached()
            del report  # the caller is done with it
        held = Report.size_cached.cache_info().currsize
        after_parts = meter.read("after each object was dropped")
        Report.size_cached.cache_clear()
        after_whole = meter.read("after cache_clear()")
        del Report
    return WholeKeepsParts(
        "lru_cache on a method",
        fixed,
        "report.size_property (cached_property)" if fixed else "report.size_cached() (lru_cache)",
        "the method's cache",
        "Report.size_cached.cache_clear()",
        instances,
        held,
        after_parts,
        after_whole,
    )


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
    settings = checks.number("settings", settings, "int", 1, 1000)
    fixed = _check_fixed(fixed)
    with _Meter() as meter:
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


def cases_frame(results):
    """Several :class:`WholeKeepsParts` as a table for people: parts held and MiB traced after
    the caller released every part, and after the whole went."""
    import pandas as pd

    return pd.DataFrame(
        {
            "case": [r.case + (" — fixed" if r.fixed else "") for r in results],
            "the loop": [r.how for r in results],
            "parts made": [f"{r.parts_made:,}" for r in results],
            "parts still held": [f"{r.parts_held:,}" for r in results],
            "traced after the caller released them": [
                _mib_text(r.after_parts_released.traced_bytes) for r in results
            ],
            "then the whole goes": [r.whole_goes for r in results],
            "traced after": [_mib_text(r.after_whole_released.traced_bytes) for r in results],
        }
    )


def _mib_text(n_bytes: int | None) -> str:
    if n_bytes is None:
        return "—"
    return (
        f"{n_bytes / MIB:,.1f} MiB" if abs(n_bytes) >= MIB // 10 else f"{n_bytes / 1024:,.0f} KiB"
    )


# -- sidebar: the reverse direction, a part that keeps its whole -----------------------------------
@dataclass(frozen=True)
class ViewResult(_Readings):
    """A few rows kept as a *view* of a big array: the view keeps the whole base alive."""

    base_bytes: int  # the big array's data
    view_bytes: int  # the rows the caller wanted to keep
    with_base: Reading  # big array and view both referenced
    after_del_base: Reading  # `del big`; the view still referenced
    after_del_view: Reading  # `del view` too: the base's last reference is gone

    @property
    def held_fraction(self) -> float:
        """Share of the base array still held after `del big` (1.0 = all of it)."""
        return self.after_del_base.traced_bytes / self.base_bytes

    def describe(self) -> str:
        return (
            f"A {self.view_bytes:,}-byte view kept "
            f"{self.after_del_base.traced_bytes / MIB:.1f} MiB alive after `del big` "
            f"({self.held_fraction:.0%} of the {self.base_bytes / MIB:.0f} MiB base); "
            f"after `del view`: {self.after_del_view.traced_bytes / MIB:.2f} MiB."
        )


@dataclass(frozen=True)
class CopyResult(_Readings):
    """NumPy's cure: copy out the rows you keep, then release the big array."""

    base_bytes: int
    copy_bytes: int  # the copied rows: a new, small array with no base
    with_base: Reading  # big array and the copy both referenced
    after_del_base: Reading  # `del big`; the copy still referenced
    after_del_copy: Reading

    def describe(self) -> str:
        return (
            f"After `kept = big[:k].copy()` and `del big`, "
            f"{self.after_del_base.traced_bytes / MIB:.2f} MiB stayed "
            f"(the {self.copy_bytes:,}-byte copy) of the {self.base_bytes / MIB:.0f} MiB "
            f"base."
        )


def _base_rows(base_mib: object, rows_kept: object) -> tuple[int, int]:
    base_mib = checks.number("base_mib", base_mib, "int", 1, 100)
    rows = base_mib * MIB // ROW_BYTES
    rows_kept = checks.number("rows_kept", rows_kept, "int", 1, rows // 10)
    return rows, rows_kept


def view_keeps_base(base_mib: int = 64, rows_kept: int = 3) -> ViewResult:
    """Make a ``base_mib`` MiB array, keep ``rows_kept`` rows as a view, `del` the array, then
    the view; measure after each step."""
    rows, rows_kept = _base_rows(base_mib, rows_kept)
    with _Meter() as meter:
        big = np.ones((rows, ROW_BYTES // 8))  # ones, not empty: its pages are really touched
        view = big[:rows_kept]  # a view: view.base is big
        base_bytes, view_bytes = big.nbytes, view.nbytes
        with_base = meter.read("big array and its view")
        del big  # our name goes; the view's reference to its base remains
        after_del_base = meter.read("after del big (view kept)")
        del view
        after_del_view = meter.read("after del view")
    return ViewResult(base_bytes, view_bytes, with_base, after_del_base, after_del_view)


def copy_frees_base(base_mib: int = 64, rows_kept: int = 3) -> CopyResult:
    """NumPy's cure: ``kept = big[:rows_kept].copy()``, then `del big` frees the base at once."""
    rows, rows_kept = _base_rows(base_mib, rows_kept)
    with _Meter() as meter:
        big = np.ones((rows, ROW_BYTES // 8))
        kept = big[:rows_kept].copy()  # its own small buffer: kept.base is None
        base_bytes, copy_bytes = big.nbytes, kept.nbytes
        with_base = meter.read("big array and the copy")
        del big
        after_del_base = meter.read("after del big (copy kept)")
        del kept
        after_del_copy = meter.read("after del copy")
    return CopyResult(base_bytes, copy_bytes, with_base, after_del_base, after_del_copy)


# -- showing the readings --------------------------------------------------------------------------
def readings_frame(result: _Readings):
    """The readings of one experiment as a pandas DataFrame, in MiB above the start."""
    import pandas as pd

    return pd.DataFrame(
        {
            "step": [r.label for r in result.readings()],
            "traced (MiB)": [r.traced_bytes / MIB for r in result.readings()],
            "resident (MiB)": [
                None if r.resident_bytes is None else r.resident_bytes / MIB
                for r in result.readings()
            ],
        }
    ).round(2)


def readings_alt_text(results: dict[str, _Readings], title: str) -> str:
    """What :func:`readings_figure` shows, with its numbers, for screen readers."""
    panels = "; ".join(
        f"{name}: "
        + ", ".join(f"{r.label} {r.traced_bytes / MIB:.1f} MiB" for r in result.readings())
        for name, result in results.items()
    )
    return f"{title}. Traced memory above the start, {panels}."


def readings_figure(results: dict[str, _Readings], title: str):
    """Bar chart of the measured memory at each step, one panel per experiment: traced bytes
    (tracemalloc) and, where the platform gives it, the change in resident memory (RSS).
    The figure's alt text (``fig.comsim_alt``) states the traced numbers."""
    import textwrap

    from ..figures import OKABE_ITO, new_figure

    fig = new_figure(4.2 * len(results) + 0.8, 4.0)
    axes = np.atleast_1d(fig.subplots(1, len(results), sharey=True))
    width = 0.4
    for ax, (name, result) in zip(axes, results.items(), strict=True):
        readings = result.readings()
        x = np.arange(len(readings))
        traced = [r.traced_bytes / MIB for r in readings]
        bars = ax.bar(x - width / 2, traced, width, color=OKABE_ITO["blue"], label="traced")
        ax.bar_label(bars, fmt="%.1f", fontsize="small")
        if all(r.resident_bytes is not None for r in readings):
            resident = [r.resident_bytes / MIB for r in readings]
            bars = ax.bar(
                x + width / 2,
                resident,
                width,
                color=OKABE_ITO["orange"],
                hatch="//",
                label="resident (RSS, the working set) change",
            )
            ax.bar_label(bars, fmt="%.1f", fontsize="small")
        ax.set_xticks(x, [textwrap.fill(r.label, 16) for r in readings], fontsize="small")
        ax.set_title(name)
        ax.axhline(0, color=OKABE_ITO["black"], linewidth=0.8)
        ax.grid(True, axis="y", alpha=0.3)
    axes[0].set_ylabel("memory above the start (MiB)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize="small")
    fig.suptitle(title)
    fig.comsim_alt = readings_alt_text(results, title)
    return fig
