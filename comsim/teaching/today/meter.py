"""How today's cases measure memory: readings relative to just before an experiment.

Two measures:

- ``traced_bytes``: Python allocations traced by :mod:`tracemalloc` (NumPy reports its data
  buffers to it too);
- ``resident_bytes``: the change in resident memory (Linux RSS, what Windows calls the
  *working set*: pages in RAM now), from ``/proc/self/statm``, or None where the platform has
  no such file. It is not the KB's "private bytes", which count private *commit* whether or not
  it is in RAM; both can stay high after a free when the C allocator keeps the pages.

Sizes are bounded so an experiment stays well under 100 MiB and a second, and everything it
made is gone before it returns.
"""

from __future__ import annotations

import gc
import os
import tracemalloc
from dataclasses import dataclass

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


class Meter:
    """Takes :class:`Reading` values relative to the moment it was entered.

    Starts tracemalloc if nobody else has, and stops it again on exit (leaving a caller's own
    tracing alone). Automatic garbage collection pauses inside (each reading collects first),
    so that a loop's many allocations do not trigger repeated scans of everything else the
    process holds, such as a Jupyter kernel's objects."""

    def __enter__(self) -> Meter:
        self._gc_was_enabled = gc.isenabled()
        gc.disable()
        self._started_here = not tracemalloc.is_tracing()
        if self._started_here:
            tracemalloc.start()
        self._traced0 = tracemalloc.get_traced_memory()[0]
        self._resident0 = resident_memory_bytes()
        return self

    def read(self, label: str) -> Reading:
        """Memory now, relative to the start, as the step ``label``."""
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


class Readings:
    """Shared by the result classes: their readings in order, for tables and bar charts."""

    def readings(self) -> tuple[Reading, ...]:
        return tuple(v for v in vars(self).values() if isinstance(v, Reading))
