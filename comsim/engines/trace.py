"""Results of one run: a pandas DataFrame of the kept samples and an exact summary.

pandas is imported where a DataFrame is built, so ``import comsim.engines.trace`` stays light.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..model import checks, text
from ..model.params import Params
from .runs import PHASES, RunArrays

MIB = 1024 * 1024


@dataclass(frozen=True)
class Summary:
    """The numbers a learner reads off one run (exact: computed from every sample)."""

    strategy: str
    policy: str
    iterations: int
    tightness: float
    engine: str
    start_private_bytes: int  # after CoCreateInstanceEx, before the loop
    end_of_loop_private_bytes: int
    growth_bytes: int  # end of loop minus start
    bytes_per_iteration: float  # growth_bytes / iterations
    peak_private_bytes: int
    after_release_private_bytes: int  # right after the proxy manager's final release
    end_private_bytes: int  # after the idle tail
    returned_fraction: float  # share of the rise above start given back by the end
    interface_proxies_at_end_of_loop: int
    transient_pending_at_end_of_loop: int
    loop_seconds: float
    total_seconds: float

    @property
    def end_minus_start_bytes(self) -> int:
        """Private bytes after the idle tail minus before the loop: what the heap kept (or
        gave back beyond its start) once everything was released."""
        return self.end_private_bytes - self.start_private_bytes

    def describe(self) -> str:
        """One line with the key numbers, for under a figure and for screen readers."""
        proxies = text.count(
            self.interface_proxies_at_end_of_loop, "interface proxy", "interface proxies"
        )
        per_iteration = text.number(
            self.bytes_per_iteration, "B", digits=1 if 0 < self.bytes_per_iteration < 10 else 0
        )
        return (
            f"{self.strategy}{self._policy_note()}, {self.iterations:,} iterations at tightness "
            f"{self.tightness:g}: private bytes grew {text.size(self.growth_bytes)} "
            f"({per_iteration} per iteration) in {self.loop_seconds:.1f} s; "
            f"{proxies} alive at the end of the loop; {self._returned()}"
            f"{self._baseline_note()}."
        )

    def _returned(self) -> str:
        """How much of the rise above the start came back, in bytes as well as a share (a
        share of a few KiB alone reads like a failed fix)."""
        idle = f"{self.total_seconds - self.loop_seconds:.1f} s"
        rise = self.peak_private_bytes - self.start_private_bytes
        if rise <= 0:
            return f"they never rose above the start, so nothing had to come back in {idle} idle"
        back = self.peak_private_bytes - self.end_private_bytes
        return (
            f"after the final release and {idle} idle, all but {text.size(rise - back)} of the "
            f"{text.size(rise)} they rose came back"
        )

    def _policy_note(self) -> str:
        """Nothing for COM as designed; the counterfactual policy named as such."""
        return "" if self.policy == "by-design" else f" ({self.policy}, not real COM)"

    def _baseline_note(self) -> str:
        """Why the end need not equal the start exactly (empty when it does)."""
        diff = self.end_minus_start_bytes
        if diff == 0:
            return "; private bytes ended exactly where they started"
        if diff > 0:
            return (
                f"; the heap still holds {diff / 1024:,.0f} KiB more committed than at the "
                "start: free pages it keeps, and the header pages of any segments it added "
                "(notebook 03 shows why)"
            )
        return (
            f"; private bytes ended {-diff / 1024:,.0f} KiB below the start: the heap "
            "decommitted pages it had committed when it was created (heap_initial_commit_bytes)"
        )


class Trace:
    """One simulated run of the whole program: create, loop, final release, idle tail."""

    def __init__(self, arrays: RunArrays, params: Params, strategy: str, policy: str):
        self.arrays = arrays
        self.params = params
        self.strategy = strategy
        self.policy = policy

    @property
    def rows(self) -> str:
        """Which rows ``frame`` holds, in words: every iteration for runs up to 200,000
        iterations, else every k-th iteration and the last (see :mod:`comsim.engines.runs`)."""
        return self.arrays.rows_description

    @cached_property
    def frame(self):
        """One row per kept sample (``frame.attrs["rows"]`` says which): iteration, time_ms,
        phase, private_bytes, interface_proxies, pm_refcount, heap and transient columns."""
        import pandas as pd

        cols = self.arrays.columns()
        time_us = cols.pop("time_us")
        phase = cols.pop("phase")
        frame = pd.DataFrame(cols)
        frame.insert(1, "time_ms", time_us / 1000.0)
        frame.insert(2, "phase", pd.Categorical.from_codes(phase, PHASES))
        frame.attrs["rows"] = self.rows
        return frame

    @cached_property
    def summary(self) -> Summary:
        a = self.arrays
        private = a.private_bytes
        loop_end = int(np.flatnonzero(a.phase == PHASES.index("final-release"))[0]) - 1
        start, end, peak = int(private[0]), int(private[-1]), a.peak
        growth = int(private[loop_end]) - start
        n = self.params.iterations
        return Summary(
            strategy=self.strategy,
            policy=self.policy,
            iterations=n,
            tightness=self.params.tightness,
            engine=a.engine,
            start_private_bytes=start,
            end_of_loop_private_bytes=int(private[loop_end]),
            growth_bytes=growth,
            bytes_per_iteration=growth / n if n else 0.0,
            peak_private_bytes=peak,
            after_release_private_bytes=int(private[loop_end + 1]),
            end_private_bytes=end,
            # 1.0 when everything came back (describe() says when the end is off the start).
            returned_fraction=min(1.0, (peak - end) / (peak - start)) if peak > start else 1.0,
            interface_proxies_at_end_of_loop=int(a.interface_proxies[loop_end]),
            transient_pending_at_end_of_loop=int(a.transient_pending_bytes[loop_end]),
            loop_seconds=float(a.time_us[loop_end]) / 1e6,
            total_seconds=float(a.time_us[-1]) / 1e6,
        )

    def sampled(self, max_points: int = 2000) -> RunArrays:
        """At most about ``max_points`` rows for drawing: every k-th loop row, always keeping
        the first and last of each phase. The summary stays exact."""
        max_points = checks.number("max_points", max_points, "int", 2, 10_000_000)
        a = self.arrays
        n = a.phase.size
        if n <= max_points:
            return a
        step = -(-n // max_points)
        keep = np.zeros(n, dtype=bool)
        keep[::step] = True
        edges = np.flatnonzero(np.diff(a.phase))
        keep[edges] = keep[edges + 1] = True
        keep[-1] = True
        cols = {k: v[keep] for k, v in a.columns().items()}
        return RunArrays(
            **cols,
            engine=a.engine,
            peak_private_bytes=a.peak,
            loop_stride=a.loop_stride,
            idle_stride=a.idle_stride,
            idle_steps=a.idle_steps,
        )

    def __repr__(self) -> str:
        return f"<Trace {self.summary.describe()}>"


PERFMON_MAX_SAMPLES = 1_000_000
"""perfmon_samples returns at most this many samples (a ~30 MB table)."""

PERFMON_INTERVAL_RANGE = (1.0, 3_600_000.0)
"""Allowed sample intervals in milliseconds: 1 ms to one hour (perfmon's default is 1 s)."""


def perfmon_samples(trace: Trace, interval_ms: float = 1000.0):
    """What perfmon would log: private bytes read once every ``interval_ms`` of wall time
    (the last kept row at or before each tick), like Process\\Private Bytes at its default
    one-second interval.

    ``interval_ms`` must be in [1, 3600000] and leave at most 1,000,000 samples for this run;
    the error names the smallest interval the run allows. For runs whose rows were thinned
    (see ``trace.rows``), a tick reads the last kept row before it.
    """
    if not isinstance(trace, Trace):
        raise checks.refuse("trace", "a Trace (from comsim.simulate)", trace, TypeError)
    low, high = PERFMON_INTERVAL_RANGE
    interval_ms = checks.number("interval_ms", interval_ms, "float", low, high)
    a = trace.arrays
    total_ms = float(a.time_us[-1]) / 1000.0
    samples = int(total_ms // interval_ms) + 1
    if samples > PERFMON_MAX_SAMPLES:
        smallest = total_ms / (PERFMON_MAX_SAMPLES - 1)
        if smallest > high:  # a run so slow that no interval the range allows fits
            raise ValueError(
                f"this run lasts {text.number(total_ms / 1000, 's')}: even interval_ms={high:g}, "
                f"the largest allowed, gives {samples:,} samples, more than the "
                f"{PERFMON_MAX_SAMPLES:,} allowed. Plot trace.frame instead, or shorten the run"
            )
        raise ValueError(
            f"interval_ms={interval_ms:g} would give {samples:,} samples over this run's "
            f"{total_ms / 1000:,.1f} s; at most {PERFMON_MAX_SAMPLES:,} are allowed, so use "
            f"interval_ms in {text.interval(math.ceil(smallest * 1000) / 1000, high)}"
        )
    import pandas as pd

    ticks = np.arange(samples, dtype=np.float64) * interval_ms
    idx = np.searchsorted(a.time_us / 1000.0, ticks, side="right") - 1
    idx = np.clip(idx, 0, a.time_us.size - 1)
    return pd.DataFrame(
        {
            "time_s": ticks / 1000.0,
            "private_bytes": a.private_bytes[idx],
            "iteration": a.iteration[idx],
            "phase": pd.Categorical.from_codes(a.phase[idx], PHASES),
        }
    )
