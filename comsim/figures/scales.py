"""What the figures' axes measure and how they are scaled: the x axes (iterations or time), private
bytes in MiB, the fixed log axes of an explorer (:class:`MemoryLimits`), the count axis of its
model panel, and the rows of a run a plot draws.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullLocator

from ..engines.runs import PHASES, RunArrays
from ..engines.trace import MIB, Trace
from ..model import checks
from ..model.text import number

# Each x axis: the run's column and the axis label.
X_AXES = {
    "iteration": ("iteration", "loop iterations completed"),
    "time": ("time_s", "wall time since the object was created (s)"),
}
# Where a symmetric-log x axis turns linear: one iteration, or ten milliseconds.
_X_LINEAR_BELOW = {"iteration": 1.0, "time": 0.01}
# Room to the right of the last sample: the final release's drop must not sit on the edge.
X_MARGIN = 0.07  # share of the x range, linear axes
X_LOG_MARGIN = 3.0  # factor beyond the largest x, log axes


def check_x(x: object) -> str:
    """Validate an x-axis name: ``"iteration"`` or ``"time"``."""
    return checks.choice("x", x, X_AXES)


def x_values(a: RunArrays, x: str) -> np.ndarray:
    """The run's x values: iterations completed, or seconds since the object was created."""
    return a.iteration if x == "iteration" else a.time_us / 1e6


def mib(values) -> np.ndarray:
    """Bytes as MiB (floats), the unit of every memory axis."""
    return np.asarray(values, dtype=np.float64) / MIB


def mib_digits(*byte_spans: float) -> int:
    """Decimals that make a change visible in MiB: one for MiB-sized changes, three for
    KiB-sized ones (the cache's few copies)."""
    return 1 if max(byte_spans, default=0) >= MIB else 3


def loop_end(a: RunArrays) -> int:
    """Row of the last loop sample: the row before the proxy manager's final release."""
    return int(np.flatnonzero(a.phase == PHASES.index("final-release"))[0]) - 1


def log_sampled(trace: Trace, max_points: int) -> RunArrays:
    """At most about ``max_points`` rows for a log x axis: rows spaced geometrically (each
    decade gets the same share, so the first few iterations keep their steps, e.g. the cache
    filling one copy per blanket) plus evenly spaced ones, the first and last of each phase
    and the last row."""
    a = trace.arrays
    n = a.phase.size
    if n <= max_points:
        return a
    keep = np.zeros(n, dtype=bool)
    keep[np.unique(np.geomspace(1, n - 1, max_points // 2).astype(np.int64))] = True
    keep[:: -(-n // (max_points // 2))] = True
    edges = np.flatnonzero(np.diff(a.phase))
    keep[edges] = keep[edges + 1] = True
    keep[0] = keep[-1] = True
    # Only the rows are thinned: the exact peak and what the rows stand for carry over.
    return replace(a, **{k: v[keep] for k, v in a.columns().items()}, peak_private_bytes=a.peak)


def plain_number(value: float, _pos=None) -> str:
    """1; 10; 1,000; 0.01: tick labels a learner reads without 10^k notation."""
    return number(value)


def compact_number(value: float, _pos=None) -> str:
    """0; 100; 10k; 1M: short tick labels for a narrow panel."""
    for scale, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= scale:
            return f"{value / scale:g}{suffix}"
    return f"{value:g}"


def _decades(low: float, high: float) -> list[float]:
    first = int(np.ceil(np.log10(low)))
    return [10.0**k for k in range(first, int(np.floor(np.log10(high))) + 1)]


@dataclass(frozen=True)
class MemoryLimits:
    """Fixed axes for a memory plot whose runs change (an explorer): the largest x (iterations
    or seconds) and the range of private bytes that any slider setting can produce.

    Why logarithmic: the iterations slider spans five decades (1 to 200,001) and private bytes
    span almost three (1 to about 400 MiB). On linear axes fixed at the largest run, the KB's
    20,001 iterations would fill a tenth of the width and 1,001 a two-hundredth: every small
    run would be a dot in the corner. On log axes each decade gets the same room, so 1,001,
    20,001 and 200,001 iterations are all visible and visibly different, and a run that grows
    in proportion to its iterations draws the same curve, only longer (a 45-degree line once
    the copies outweigh the rest of the process). Against time, a looser loop slides the
    climb to the right: the curve stretches, the axes stay. The x axis is symmetric-log, so
    the start (0) stays on it. Private bytes use a linear axis when the whole range is
    narrow (less than 4x, e.g. the cache's few copies), where log would flatten it."""

    x_max: float
    y_min_bytes: float
    y_max_bytes: float

    @property
    def log_y(self) -> bool:
        """Whether private bytes span enough (4x or more) for a log axis."""
        return self.y_max_bytes >= 4 * self.y_min_bytes

    @classmethod
    def covering(cls, traces: Iterable[Trace], x: str = "iteration") -> MemoryLimits:
        """Limits that hold every sample of ``traces`` (typically the sliders' extreme
        settings, simulated once)."""
        x_max, lo, hi = 1.0, np.inf, 0.0
        for t in traces:
            a = t.arrays
            x_max = max(x_max, float(x_values(a, x).max()))
            lo, hi = min(lo, float(a.private_bytes.min())), max(hi, float(a.private_bytes.max()))
        if not np.isfinite(lo):
            raise ValueError("MemoryLimits.covering needs at least one trace")
        return cls(x_max=x_max, y_min_bytes=lo, y_max_bytes=max(hi, lo + 4096))


def fix_memory_axes(ax: Axes, limits: MemoryLimits, x: str, log: bool = True) -> None:
    """Axes fixed at ``limits``: logarithmic (see :class:`MemoryLimits` for why) or, with
    ``log=False``, linear from 0, where a run twice as long reaches twice as far and climbs
    twice as high (the question "does the growth double?" read off the plot)."""
    if log:
        linear_below = _X_LINEAR_BELOW[x]
        ax.set_xscale("symlog", linthresh=linear_below, linscale=0.4)
        x_high = limits.x_max * X_LOG_MARGIN
        ax.set_xlim(0, x_high)
        ax.xaxis.set_major_locator(FixedLocator([0.0] + _decades(linear_below, x_high)))
        ax.set_xlabel(f"{X_AXES[x][1]}, log scale")
    else:
        ax.set_xscale("linear")
        ax.set_xlim(0, limits.x_max * (1 + X_MARGIN))
        ax.xaxis.set_major_locator(MaxNLocator(6))
        ax.set_xlabel(X_AXES[x][1])
    ax.xaxis.set_major_formatter(FuncFormatter(plain_number))
    ax.xaxis.set_minor_locator(NullLocator())
    _fix_private_bytes_axis(ax, limits, log)


def _fix_private_bytes_axis(ax: Axes, limits: MemoryLimits, log: bool) -> None:
    """Private bytes in MiB: log with 1-2-5 ticks over a wide range (linear from 0 unless
    ``log``), linear around the values over a narrow one."""
    lo, hi = limits.y_min_bytes / MIB, limits.y_max_bytes / MIB
    if limits.log_y and log:
        ax.set_yscale("log")
        y_low, y_high = lo / 1.25, hi * 1.6
        ticks = [m * d for d in _decades(y_low / 10, y_high) for m in (1, 2, 5)]
        ax.yaxis.set_major_locator(FixedLocator([t for t in ticks if y_low <= t <= y_high]))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}"))
        ax.set_ylabel("private bytes (MiB, log scale)")
    else:
        ax.set_yscale("linear")
        pad = 0.1 * (hi - lo) + 1 / 1024  # at least a KiB of room
        y_low, y_high = (0.0, hi * 1.08) if limits.log_y else (lo - pad, hi + pad)
        ax.yaxis.set_major_locator(MaxNLocator(6))
        digits = max(0, int(np.ceil(-np.log10((y_high - y_low) / 6))))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.{digits}f}"))
        ax.set_ylabel("private bytes (MiB)")
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set_ylim(y_low, y_high)


def count_axis(ax: Axes, count_max: int) -> None:
    """Linear up to a few dozen (the cache's copies stay readable); symmetric-log beyond, where
    one proxy and 200,002 must share the panel. Room on the right for the numbers."""
    if count_max <= 40:
        ax.set_xlim(0, max(count_max, 1) * 1.6)
        ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))
        ax.set_xlabel("count")
    else:
        ax.set_xscale("symlog", linthresh=1, linscale=0.4)
        high = count_max * 60.0
        ax.set_xlim(0, high)
        ticks = [1.0] + [10.0**k for k in range(2, 12, 2) if 10.0**k <= count_max * 3]
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.set_xlabel("count (log scale)")
    ax.xaxis.set_major_formatter(FuncFormatter(compact_number))
    ax.xaxis.set_minor_locator(NullLocator())
