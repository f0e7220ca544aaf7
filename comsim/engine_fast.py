"""The fast engine: the same runs as the step engine, computed with whole-array numpy.

It does not call the object model. It uses what the model implies for these four loops:

- the proxy manager's count and the number of interface proxies follow from the strategy;
- under the documented policy the heap only carves copies one above the other until the
  final release (a closed form in :func:`comsim.heap.bump_committed_bytes`);
- the reaper of H2 is a queue: freed_i = min(eligible_i, freed_{i-1} + budget_i), which
  unrolls to a running minimum (``np.minimum.accumulate``).

Where those shortcuts would not hold (a heap whose segments are smaller than the decommit
threshold), :func:`supports` says no and ``simulate`` uses the step engine.
"""

from __future__ import annotations

import numpy as np

from .engine_step import copies_made, transient_total_bytes
from .heap import bump_committed_bytes, empty_heap_committed_bytes, segments_after_bump
from .params import Params
from .runs import RunArrays
from .timing import idle_chunk_budget, loop_timing
from .transient import idle_chunks_to_drain, pool_committed_bytes


def supports(params: Params) -> bool:
    """True when the closed forms are exact: the last free in each segment must decommit."""
    return (
        params.heap_segment_reserve_bytes - params.heap_segment_header_bytes
        >= params.decommit_free_block_bytes
    )


def _reaped(eligible: np.ndarray, budget_cum: np.ndarray, freed_before: int) -> np.ndarray:
    """freed_i = min(eligible_i, freed_{i-1} + budget_i), all i at once."""
    if eligible.size == 0:
        return eligible
    running = np.minimum.accumulate(eligible - budget_cum)
    return budget_cum + np.minimum(freed_before, running)


def run_fast(params: Params, strategy: str, policy: str) -> RunArrays:
    """Compute every sample of the run with array operations (see the module docstring)."""
    n = params.iterations
    t = params.transient_bytes_per_call
    page = params.page_bytes
    block = params.block_bytes(params.interface_proxy_bytes)
    first_top = (
        params.heap_segment_header_bytes + params.block_bytes(params.proxy_manager_bytes) + block
    )  # after CoCreateInstanceEx: the proxy manager and the original proxy
    timing = loop_timing(params, transient_total_bytes(params, strategy))
    i = np.arange(n, dtype=np.int64)

    # -- COM state after each iteration ---------------------------------------------------------
    made = copies_made(params, strategy)
    copies_so_far = np.minimum(i + 1, made)  # copies made by the end of iteration i
    cached = strategy == "cache-copy"
    if policy == "free-on-release" and not cached:
        alive = np.zeros(n, dtype=np.int64)
    else:
        alive = copies_so_far
    pm_refcount = 1 + (copies_so_far if cached else 0) + 0 * i

    # -- heap ----------------------------------------------------------------------------------
    start_heap = int(bump_committed_bytes(params, first_top, block, np.int64(0)))
    if policy == "free-on-release" and not cached and made:
        heap_loop = np.full(n, _alloc_free_committed(params, first_top, block, start_heap))
        max_blocks = 1
    else:
        heap_loop = bump_committed_bytes(params, first_top, block, alive)
        max_blocks = int(alive[-1]) if n else 0
    segments = segments_after_bump(params, first_top, block, max_blocks)
    heap_final = empty_heap_committed_bytes(params, segments)

    # -- time and the transient pool (H2) -------------------------------------------------------
    ends = np.cumsum(np.concatenate(([0.0], timing.wall_us)))[1:]
    starts = np.concatenate(([0.0], ends))[:-1]  # each iteration starts when the last ends
    arrivals = np.where(i < made, t, 0).astype(np.int64)
    allocated = np.cumsum(arrivals)
    latency_us = params.reaper_latency_ms * 1000.0
    ready_at = starts + latency_us
    n_ready = np.minimum(np.searchsorted(ready_at, ends, side="right"), i + 1)
    alloc0 = np.concatenate(([0], allocated))
    eligible = alloc0[n_ready]
    freed = _reaped(eligible, np.cumsum(timing.reaper_budget_bytes), 0)

    # -- idle tail -----------------------------------------------------------------------------
    t_end = float(ends[-1]) if n else 0.0
    total = int(allocated[-1]) if n else 0
    freed_end = int(freed[-1]) if n else 0
    seen = int(n_ready[-1]) if n else 0
    waiting = np.flatnonzero(arrivals[seen:])
    waiting_until = float(ready_at[seen + waiting[-1]]) if waiting.size else None
    chunk_us = params.idle_sample_ms * 1000.0
    chunk_budget = idle_chunk_budget(params)
    chunks = idle_chunks_to_drain(
        -(-params.idle_tail_ms // params.idle_sample_ms),
        chunk_us,
        chunk_budget,
        t_end,
        total - freed_end,
        waiting_until,
    )
    idle_times = np.cumsum(np.concatenate(([t_end], np.full(chunks, chunk_us))))[1:]
    idle_eligible = alloc0[np.searchsorted(ready_at, idle_times, side="right")]
    idle_freed = _reaped(
        idle_eligible, chunk_budget * np.arange(1, chunks + 1, dtype=np.int64), freed_end
    )

    # -- rows: start, loop..., final-release, idle... ------------------------------------------
    def col(start, loop, final, idle, dtype=np.int64):
        return np.concatenate(([start], loop, [final], idle)).astype(dtype)

    pending = col(0, allocated - freed, total - freed_end, total - idle_freed)
    transient_committed = col(
        0,
        pool_committed_bytes(page, allocated, freed),
        int(pool_committed_bytes(page, total, freed_end)),
        pool_committed_bytes(page, total, idle_freed),
    )
    heap = col(start_heap, heap_loop, heap_final, np.full(chunks, heap_final))
    return RunArrays(
        iteration=col(0, i + 1, n, np.full(chunks, n)),
        time_us=col(0.0, ends, t_end, idle_times, np.float64),
        phase=col(0, np.full(n, 1), 2, np.full(chunks, 3), np.int8),
        private_bytes=params.base_private_bytes + heap + transient_committed,
        heap_committed_bytes=heap,
        transient_pending_bytes=pending,
        transient_committed_bytes=transient_committed,
        interface_proxies=col(1, 1 + alive, 0, np.zeros(chunks)),
        pm_refcount=col(1, pm_refcount, 0, np.zeros(chunks)),
        engine="fast",
    )


def _alloc_free_committed(params: Params, first_top: int, block: int, before: int) -> int:
    """free-on-release, one copy at a time: the heap's committed bytes after a copy's block is
    carved at the top and freed again (the same every iteration)."""
    page = params.page_bytes
    after_alloc = max(before, -(-(first_top + block) // page) * page)
    tail = params.heap_segment_reserve_bytes - first_top  # the coalesced free block's size
    if tail >= params.decommit_free_block_bytes or params.decommit_total_free_bytes <= 0:
        return -(-first_top // page) * page
    return after_alloc
