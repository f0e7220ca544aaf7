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

import numpy as np


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
    def waiting_until_us(self) -> float | None:
        """When the newest buffer becomes eligible for the reaper (None if all are)."""
        return self._waiting[-1][0] + self.latency_us if self._waiting else None

    @property
    def committed_bytes(self) -> int:
        return int(pool_committed_bytes(self.page_bytes, self.allocated_bytes, self.freed_bytes))


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
