"""The KB's pattern in today's Python, measured in this process rather than simulated.

KB Q216248 in one line: releasing a *part* (an interface proxy) frees nothing, because the
*whole* (the proxy manager) holds it until its own final release. The same shape appears in
everyday Python:

- a NumPy view of a few rows keeps its whole base array alive (``view.base``);
- a parent object that keeps a list of the children it handed out keeps every child a caller
  "released" by dropping its own reference.

And the same fix works: copy out the part you keep (``view.copy()``), or make the part once
and reuse it (cache one child per setting), then release the whole.

Each function runs one small experiment and returns a frozen dataclass of :class:`Reading`
values measured at each step:

- ``traced_bytes``: Python allocations traced by :mod:`tracemalloc` (NumPy reports its data
  buffers to tracemalloc too), relative to just before the experiment;
- ``resident_bytes``: the change in resident memory (RSS) from ``/proc/self/statm``, or None
  where the platform does not provide it. Resident memory is what the OS sees -- the closest
  thing to the KB's "private bytes" -- and it can stay high after a free when the C allocator
  keeps the pages for reuse.

The numbers vary by platform, Python and NumPy version; what the tests rely on is their
shape (held, then freed), never exact values. Sizes stay moderate (64 MiB by default) and
everything is freed before a function returns.
"""

from __future__ import annotations

import os
import tracemalloc
from dataclasses import dataclass

import numpy as np

from .params import check_number

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
    tracing alone)."""

    def __enter__(self) -> _Meter:
        self._started_here = not tracemalloc.is_tracing()
        if self._started_here:
            tracemalloc.start()
        self._traced0 = tracemalloc.get_traced_memory()[0]
        self._resident0 = resident_memory_bytes()
        return self

    def read(self, label: str) -> Reading:
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


class _Readings:
    """Shared by the result classes: their readings in order, for tables and bar charts."""

    def readings(self) -> tuple[Reading, ...]:
        return tuple(v for v in vars(self).values() if isinstance(v, Reading))


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
    """The fix: copy out the rows you keep, then release the big array."""

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


class Parent:
    """A stand-in for the proxy manager: hands out children and keeps every one it made.

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


@dataclass(frozen=True)
class ParentResult(_Readings):
    """A loop that asks a parent for a child and "releases" it (drops its own reference)."""

    calls: int
    child_bytes: int
    cached: bool  # True: the workaround, one cached child per setting
    children_held: int  # children the parent still held at the end of the loop
    after_calls: Reading  # after the loop; the caller holds no child
    after_del_parent: Reading  # the whole released

    def describe(self) -> str:
        how = "cached children" if self.cached else "a new child per call"
        return (
            f"{self.calls:,} calls with {how}: the parent held {self.children_held:,} "
            f"children = {self.after_calls.traced_bytes / MIB:.1f} MiB traced after the "
            f"caller released them all; after `del parent`: "
            f"{self.after_del_parent.traced_bytes / MIB:.2f} MiB."
        )


def _base_rows(base_mib: object, rows_kept: object) -> tuple[int, int]:
    base_mib = check_number("base_mib", base_mib, "int", 1, 100)
    rows = base_mib * MIB // ROW_BYTES
    rows_kept = check_number("rows_kept", rows_kept, "int", 1, rows // 10)
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
    """The fix: ``kept = big[:rows_kept].copy()``, then `del big` frees the base at once."""
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


def parent_keeps_children(
    calls: int = 20_001, child_bytes: int = 2048, settings: int = 1, cached: bool = False
) -> ParentResult:
    """The KB's loop in Python: ``calls`` times, get a child from one parent and drop it.

    ``cached=False`` asks for a new child each time (CopyProxy every time); ``cached=True``
    asks for the child of setting ``i % settings`` (the workaround). Defaults echo the KB:
    20,001 calls of 2 KiB."""
    calls = check_number("calls", calls, "int", 1, 40_000)
    child_bytes = check_number("child_bytes", child_bytes, "int", 1, 4096)
    settings = check_number("settings", settings, "int", 1, 1000)
    if not isinstance(cached, bool):
        raise TypeError(f"cached must be True or False; got {cached!r}")
    with _Meter() as meter:
        parent = Parent(child_bytes)
        for i in range(calls):
            child = parent.child_for(i % settings) if cached else parent.make_child()
            del child  # the caller "releases" its child: only its own reference goes
        children_held = len(parent.children)
        after_calls = meter.read("after the loop (caller holds no child)")
        del parent
        after_del_parent = meter.read("after del parent")
    return ParentResult(calls, child_bytes, cached, children_held, after_calls, after_del_parent)


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


def readings_figure(results: dict[str, _Readings], title: str):
    """Bar chart of the measured memory at each step, one panel per experiment: traced bytes
    (tracemalloc) and, where the platform gives it, the change in resident memory."""
    import textwrap

    from .plots import OKABE_ITO, new_figure

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
                label="resident (RSS) change",
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
    return fig
