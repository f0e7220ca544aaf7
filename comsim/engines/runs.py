"""What one run of a scenario produces, before it becomes a DataFrame: one array per column.

Both engines return a :class:`RunArrays`; tests compare them column by column.

**Which rows a run keeps.** A run of up to :data:`LOOP_ROW_LIMIT` iterations keeps a row for
every iteration. A longer run keeps every k-th iteration (k = ``ceil(iterations /
LOOP_ROW_TARGET)``) and always the last one, so the rows stay about :data:`LOOP_ROW_TARGET` and
one run's memory stays bounded; a figure cannot show more points than that anyway. The idle tail
keeps every idle step up to :data:`comsim.model.transient.IDLE_ROW_LIMIT` steps, else every
j-th step and always the last. What a learner reads off the run (``Trace.summary``) stays
exact: the peak is taken over every iteration, not only the rows kept.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from ..model.params import Params

PHASES = ("start", "loop", "final-release", "idle")
"""Row phases: after CoCreateInstanceEx; after each loop iteration; after the original
pointer's Release (the proxy manager's final release); samples of the idle tail."""

LOOP_ROW_LIMIT = 200_000
"""Runs of up to this many iterations keep one row per iteration."""

LOOP_ROW_TARGET = 100_000
"""Longer runs keep about this many loop rows (every k-th iteration)."""


def loop_stride(iterations: int) -> int:
    """k: a run keeps the rows of iterations k, 2k, 3k ... and always the last one."""
    return 1 if iterations <= LOOP_ROW_LIMIT else -(-iterations // LOOP_ROW_TARGET)


def kept_iterations(start: int, stop: int, iterations: int) -> np.ndarray:
    """Which of the iterations ``start+1 .. stop`` (1-based counts) a run keeps a row for."""
    done = np.arange(start + 1, stop + 1, dtype=np.int64)
    k = loop_stride(iterations)
    if k == 1:
        return done
    return done[(done % k == 0) | (done == iterations)]


@dataclass(frozen=True)
class RunArrays:
    """The kept rows of one run (see the module docstring). ``phase`` holds indexes into
    :data:`PHASES`. Narrow dtypes keep long runs small: counts and bytes that fit stay int64
    only where they can exceed 2**31."""

    iteration: np.ndarray  # loop iterations completed
    time_us: np.ndarray  # wall time since the object was created
    phase: np.ndarray
    private_bytes: np.ndarray  # what perfmon's Process\Private Bytes would show
    heap_committed_bytes: np.ndarray  # the heap's share of private bytes
    transient_pending_bytes: np.ndarray  # H2 buffers not yet freed by the reaper
    transient_committed_bytes: np.ndarray  # pages those pending buffers keep committed
    interface_proxies: np.ndarray  # interface proxies alive (original + copies)
    pm_refcount: np.ndarray  # the proxy manager's single reference count
    engine: str = ""
    peak_private_bytes: int = -1  # over every iteration, kept or not (-1: the rows' maximum)
    loop_stride: int = 1  # every k-th iteration kept (1: all)
    idle_stride: int = 1  # every j-th idle step kept (1: all)
    idle_steps: int = -1  # idle steps simulated (-1: as many as idle rows)

    def columns(self) -> dict[str, np.ndarray]:
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if isinstance(getattr(self, f.name), np.ndarray)
        }

    @property
    def peak(self) -> int:
        """The highest private bytes of the whole run (exact even when rows were thinned)."""
        if self.peak_private_bytes >= 0:
            return self.peak_private_bytes
        return int(self.private_bytes.max())

    @property
    def rows_description(self) -> str:
        """In words, which rows these arrays hold."""
        loop = (
            "every iteration"
            if self.loop_stride == 1
            else f"one row every {self.loop_stride:,} iterations and the last"
        )
        idle_rows = int((self.phase == PHASES.index("idle")).sum())
        steps = self.idle_steps if self.idle_steps >= 0 else idle_rows
        idle = (
            f"all {steps:,} idle steps"
            if self.idle_stride == 1
            else f"one row every {self.idle_stride:,} of {steps:,} idle steps and the last"
        )
        return f"the start, {loop}, the final release, and {idle}"

    def equal(self, other: RunArrays) -> bool:
        """Same rows, column for column, and the same exact peak (the engines must agree)."""
        a, b = self.columns(), other.columns()
        same_rows = all(np.array_equal(a[k], b[k]) for k in a)
        return same_rows and (self.peak, self.loop_stride, self.idle_stride) == (
            other.peak,
            other.loop_stride,
            other.idle_stride,
        )


def transient_total_bytes(params: Params, strategy: str) -> int:
    """All transient bytes a run allocates: one CopyProxy's worth per copy made."""
    return copies_made(params, strategy) * params.transient_bytes_per_call


def copies_made(params: Params, strategy: str) -> int:
    if strategy == "no-copy":
        return 0
    if strategy == "cache-copy":
        return min(params.iterations, params.blankets)
    return params.iterations
