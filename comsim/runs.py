"""What one run of a scenario produces, before it becomes a DataFrame: one array per column.

Both engines return a :class:`RunArrays`; tests compare them column by column.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

PHASES = ("start", "loop", "final-release", "idle")
"""Row phases: after CoCreateInstanceEx; after each loop iteration; after the original
pointer's Release (the proxy manager's final release); samples of the idle tail."""


@dataclass(frozen=True)
class RunArrays:
    """One row per sample. ``phase`` holds indexes into :data:`PHASES`."""

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

    def columns(self) -> dict[str, np.ndarray]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "engine"}

    def equal(self, other: RunArrays) -> bool:
        """Same samples, column for column (the engines must agree exactly)."""
        a, b = self.columns(), other.columns()
        return all(np.array_equal(a[k], b[k]) for k in a)
