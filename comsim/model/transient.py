"""Hypothesis H2: short-lived per-call buffers and the background reaper that frees them.

The KB says the symptom depends on "the tightness of the loop". It does not say why. This
module is the model's *guess* (tag: hypothesis): every CopyProxy also allocates a few hundred
bytes of short-lived buffers (RPC, security context, cleanup items); another thread frees them
after a latency, but only on CPU time the loop leaves idle. A tight loop leaves none, so the
backlog -- and private bytes -- grows faster than the copies alone would explain.

The pending buffers sit in their own arena, oldest first; its committed bytes are the pages
spanned by the bytes not yet freed.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

IDLE_ROW_LIMIT = 5_000
"""The idle tail keeps at most about this many rows; a longer tail keeps every j-th step."""


class TransientPool:
    """Transient buffers waiting for the reaper, oldest first.

    ``allocated_bytes`` and ``freed_bytes`` only grow; the pending bytes are the difference.
    """

    def __init__(self, page_bytes: int, latency_us: float):
        self.page_bytes = page_bytes
        self.latency_us = latency_us
        self.allocated_bytes = 0
        self.freed_bytes = 0
        self._eligible_bytes = 0  # bytes whose latency has passed
        self._waiting: deque[tuple[float, int]] = deque()  # (time allocated, allocated_bytes after)

    def allocate(self, nbytes: int, now_us: float) -> None:
        """A call made ``nbytes`` of short-lived buffers at time ``now_us``."""
        if nbytes:
            self.allocated_bytes += nbytes
            self._waiting.append((now_us, self.allocated_bytes))

    def reap(self, budget_bytes: int, now_us: float) -> None:
        """The reaper frees up to ``budget_bytes`` of buffers older than its latency."""
        while self._waiting and self._waiting[0][0] + self.latency_us <= now_us:
            self._eligible_bytes = self._waiting.popleft()[1]
        self.freed_bytes = min(self._eligible_bytes, self.freed_bytes + budget_bytes)

    @property
    def pending_bytes(self) -> int:
        return self.allocated_bytes - self.freed_bytes

    @property
    def next_due_us(self) -> float | None:
        """When the oldest buffer still inside its latency becomes free-able (None if none)."""
        return self._waiting[0][0] + self.latency_us if self._waiting else None

    @property
    def waiting_until_us(self) -> float | None:
        """When the newest buffer becomes eligible for the reaper (None if all are)."""
        return self._waiting[-1][0] + self.latency_us if self._waiting else None

    @property
    def committed_bytes(self) -> int:
        """Pages spanned by the pending bytes (the scalar form of pool_committed_bytes)."""
        a, f, page = self.allocated_bytes, self.freed_bytes, self.page_bytes
        return ((a - 1) // page - f // page + 1) * page if a > f else 0

    @property
    def eligible_bytes(self) -> int:
        """Bytes (counted from the first buffer) the reaper may free already."""
        return self._eligible_bytes

    def waiting(self) -> tuple[np.ndarray, np.ndarray]:
        """Buffers still inside their latency: when each becomes eligible (microseconds) and
        the allocated-bytes count just after it, oldest first."""
        ready = np.array([t + self.latency_us for t, _ in self._waiting], dtype=np.float64)
        cum = np.array([c for _, c in self._waiting], dtype=np.int64)
        return ready, cum


def pool_committed_bytes(page_bytes: int, allocated, freed):
    """Pages spanned by the pending range [freed, allocated) of the arena (vectorised)."""
    allocated = np.asarray(allocated, dtype=np.int64)
    freed = np.asarray(freed, dtype=np.int64)
    pages = (allocated - 1) // page_bytes - freed // page_bytes + 1
    return np.where(allocated > freed, pages * page_bytes, 0)


def idle_chunks_to_drain(
    min_chunks: int,
    chunk_us: float,
    chunk_budget: int,
    now_us: float,
    pending_bytes: int,
    waiting_until_us: float | None,
) -> int:
    """How many idle chunks the run's tail needs so every pending buffer can be freed."""
    wait = 0 if waiting_until_us is None else int(np.ceil((waiting_until_us - now_us) / chunk_us))
    drain = -(-pending_bytes // chunk_budget) if chunk_budget else 0
    return max(min_chunks, wait + drain + 1 if pending_bytes else 0)


@dataclass(frozen=True)
class IdleTail:
    """The samples of the idle tail after the final release: which idle steps were kept
    (1-based), their times, and the bytes the reaper had freed by then. ``steps_total`` is how
    many steps the tail lasts; ``stride`` j means every j-th step was kept (and the last)."""

    steps: np.ndarray
    time_us: np.ndarray
    freed_bytes: np.ndarray
    steps_total: int
    stride: int


@dataclass(frozen=True)
class EqualBuffers:
    """The cumulative allocated bytes after each of ``size`` equal buffers -- ``first``,
    ``first + each``, ... -- indexed like an array but never stored (a run can leave millions
    of buffers waiting out a long latency)."""

    first: int
    each: int
    size: int

    def __getitem__(self, index):
        return self.first + self.each * np.asarray(index, dtype=np.int64)


STEP_UP_CHUNK = 1 << 20
"""Waiting buffers examined at once when finding the steps at which buffers become eligible."""


def _first_eligible_steps(ready: np.ndarray, now_us: float, step_us: float) -> np.ndarray:
    """The distinct steps k >= 1 at whose end (``now_us + k*step_us``) buffers first become
    eligible, with the same float test as the rows; computed in chunks, so memory follows
    the number of distinct steps, not of buffers."""
    found = []
    for lo in range(0, ready.size, STEP_UP_CHUNK):
        r = ready[lo : lo + STEP_UP_CHUNK]
        k = np.maximum(np.ceil((r - now_us) / step_us), 1).astype(np.int64)
        k += r > now_us + k * step_us
        k -= (k > 1) & (r <= now_us + (k - 1) * step_us)
        found.append(np.unique(k))
    return np.unique(np.concatenate(found)) if found else np.zeros(0, np.int64)


def idle_tail(
    min_steps: int,
    step_us: float,
    step_budget: int,
    now_us: float,
    allocated: int,
    freed: int,
    eligible: int,
    waiting_ready: np.ndarray,
    waiting_cum,
) -> IdleTail:
    """The idle tail in closed form: the loop thread sleeps, the reaper gets ``step_budget``
    bytes per step of ``step_us``; step k ends at ``now_us + k*step_us``. ``waiting_ready``
    says when each waiting buffer becomes eligible (sorted) and ``waiting_cum`` (an array or
    :class:`EqualBuffers`) the allocated bytes just after it.

    The reaper's rule, freed_k = min(eligible_k, freed_(k-1) + budget), unrolls to
    freed_k = k*budget + min(freed_0, min over j <= k of (eligible_j - j*budget)); eligible only
    steps up when a waiting buffer's latency passes, so the inner minimum needs only those
    steps and the kept ones. Work and memory grow with the kept rows and the distinct steps at
    which buffers become eligible, not with the length of the tail or the number of buffers.
    """
    waiting_until = float(waiting_ready[-1]) if waiting_ready.size else None
    total = idle_chunks_to_drain(
        min_steps, step_us, step_budget, now_us, allocated - freed, waiting_until
    )
    stride = max(1, -(-total // IDLE_ROW_LIMIT))
    steps = np.arange(stride, total + 1, stride, dtype=np.int64)
    if total and (steps.size == 0 or steps[-1] != total):
        steps = np.append(steps, np.int64(total))
    times = now_us + steps * step_us
    # Where eligible_j - j*budget can be smallest: just before a step-up, and at kept steps.
    before = _first_eligible_steps(waiting_ready, now_us, step_us) - 1
    q = np.sort(np.concatenate((steps, before[(before >= 1) & (before <= total)])), kind="stable")
    # Buffers eligible by the end of step q (q >= 1): those ready by then.
    n_eligible = np.searchsorted(waiting_ready, now_us + q * step_us, side="right")
    if waiting_ready.size:
        elig = np.where(n_eligible > 0, waiting_cum[np.maximum(n_eligible - 1, 0)], eligible)
    else:
        elig = np.full(q.size, eligible, dtype=np.int64)
    elig = np.maximum(elig, eligible)
    lowest = np.minimum.accumulate(elig - q * step_budget) if q.size else q
    at = np.searchsorted(q, steps)
    freed_at = steps * step_budget + np.minimum(freed, lowest[at] if q.size else freed)
    return IdleTail(steps, times, freed_at, total, stride)
