"""The fast engine: the same runs as the step engine, computed with whole-array numpy.

It does not call the object model. It uses what the model implies for these four loops:

- the proxy manager's count and the number of interface proxies follow from the strategy;
- under the documented policy the heap only carves copies one above the other until the
  final release (a closed form in :func:`comsim.model.heap.bump_committed_bytes`), and the final
  release frees them oldest first (:func:`comsim.model.heap.bump_release_committed`); the few heap
  operations of the other cases run on a real :class:`comsim.model.heap.Heap`;
- the reaper of H2 is a queue: freed_i = min(eligible_i, freed_(i-1) + budget_i), which
  unrolls to a running minimum (``np.minimum.accumulate``).

The loop is computed in chunks of :data:`CHUNK` iterations with its state carried from chunk
to chunk, so memory stays bounded at the largest allowed iteration count; only the kept rows
(see :mod:`comsim.engines.runs`) and the exact peak leave the engine.
"""

from __future__ import annotations

import numpy as np

from ..model.bump import bump_committed_bytes, bump_release_committed
from ..model.heap import Heap
from ..model.params import Params
from ..model.timing import idle_chunk_budget, loop_timing_chunks
from ..model.transient import idle_tail, pool_committed_bytes
from .runs import (
    RunArrays,
    copies_made,
    kept_iterations,
    loop_stride,
    transient_total_bytes,
)

COLUMNS = (
    "iteration",
    "time_us",
    "private_bytes",
    "heap_committed_bytes",
    "transient_pending_bytes",
    "transient_committed_bytes",
    "interface_proxies",
    "pm_refcount",
)
"""The loop's columns, gathered chunk by chunk (``phase`` is added at the end)."""

CHUNK = 1 << 20
"""Iterations computed at once (about 1 M: a few tens of MB of temporary arrays)."""


def _reaped(eligible: np.ndarray, budget_cum: np.ndarray, freed_before: int) -> np.ndarray:
    """freed_i = min(eligible_i, freed_(i-1) + budget_i), all i at once."""
    if eligible.size == 0:
        return eligible
    running = np.minimum.accumulate(eligible - budget_cum)
    return budget_cum + np.minimum(freed_before, running)


def _heap_model(params: Params, strategy: str, policy: str) -> tuple[int, int | None, int]:
    """(heap bytes after CoCreateInstanceEx, heap bytes after every loop iteration when that is
    one constant -- else None, heap bytes after the final release)."""
    pm, ifp = params.proxy_manager_bytes, params.interface_proxy_bytes
    pm_block, block = params.block_bytes(pm), params.block_bytes(ifp)
    first_top = params.heap_segment_header_bytes + pm_block + block
    start = int(bump_committed_bytes(params, first_top, block, np.int64(0)))
    made = copies_made(params, strategy)
    if policy == "by-design" or made == 0:
        return start, None, bump_release_committed(params, pm_block, block, made)
    # free-on-release: replay the few heap operations on a real heap, in the object model's order.
    heap = Heap(params)
    heap.alloc(pm, "proxy manager")
    original = heap.alloc(ifp, "original")
    if strategy == "cache-copy":  # copies live until finish(), then go oldest first
        copies = [heap.alloc(ifp, "copy") for _ in range(made)]
        for address in copies:
            heap.free(address)
        per_iteration = None
    else:  # each copy is freed at its own Release; every iteration leaves the same heap
        heap.free(heap.alloc(ifp, "copy"))
        per_iteration = heap.committed_bytes
    heap.free(original)
    heap.free(heap.segments[0].base + params.heap_segment_header_bytes)  # the proxy manager
    return start, per_iteration, heap.committed_bytes


def run_fast(params: Params, strategy: str, policy: str) -> RunArrays:
    """Compute the kept rows of the run with array operations (see the module docstring)."""
    n = params.iterations
    t = params.transient_bytes_per_call
    page = params.page_bytes
    block = params.block_bytes(params.interface_proxy_bytes)
    first_top = (
        params.heap_segment_header_bytes + params.block_bytes(params.proxy_manager_bytes) + block
    )  # after CoCreateInstanceEx: the proxy manager and the original proxy
    made = copies_made(params, strategy)
    cached = strategy == "cache-copy"
    heap_start, heap_per_iteration, heap_final = _heap_model(params, strategy, policy)
    latency_us = params.reaper_latency_ms * 1000.0

    kept: dict[str, list[np.ndarray]] = {k: [] for k in COLUMNS}
    peak = params.base_private_bytes + heap_start
    clock = 0.0
    freed_before = 0
    ready_from = 0  # iterations before this one have their buffers eligible already
    window = np.zeros(0, dtype=np.float64)  # when buffers ready_from .. i0-1 become eligible
    i0 = 0
    for timing in loop_timing_chunks(params, transient_total_bytes(params, strategy), CHUNK):
        i = np.arange(i0, i0 + timing.cpu_us.size, dtype=np.int64)
        ends = np.cumsum(np.concatenate(([clock], timing.wall_us)))[1:]  # sequential sums
        starts = np.concatenate(([clock], ends[:-1]))
        ready = np.concatenate((window, starts + latency_us))
        n_ready = np.minimum(ready_from + np.searchsorted(ready, ends, side="right"), i + 1)
        eligible = t * np.minimum(n_ready, made)
        freed = _reaped(eligible, np.cumsum(timing.reaper_budget_bytes), freed_before)
        allocated = t * np.minimum(i + 1, made)
        copies = np.minimum(i + 1, made)
        alive = np.zeros_like(i) if policy == "free-on-release" and not cached else copies
        if heap_per_iteration is None:
            heap = bump_committed_bytes(params, first_top, block, alive)
        else:
            heap = np.full(i.size, heap_per_iteration, dtype=np.int64)
        transient = pool_committed_bytes(page, allocated, freed)
        private = params.base_private_bytes + heap + transient
        peak = max(peak, int(private.max()))
        rows = kept_iterations(i0, i0 + i.size, n) - 1 - i0  # indexes into this chunk
        for name, column in (
            ("iteration", i + 1),
            ("time_us", ends),
            ("private_bytes", private),
            ("heap_committed_bytes", heap),
            ("transient_pending_bytes", allocated - freed),
            ("transient_committed_bytes", transient),
            ("interface_proxies", 1 + alive),
            ("pm_refcount", 1 + (copies if cached else 0 * i)),
        ):
            kept[name].append(column[rows])
        # carry the state to the next chunk
        clock, freed_before = float(ends[-1]), int(freed[-1])
        new_from = int(n_ready[-1])
        window = ready[new_from - ready_from :].copy()  # a copy: let the chunk's arrays go
        ready_from = new_from
        i0 += i.size
        del i, ends, starts, ready, n_ready, eligible, freed, allocated, copies, alive
        del heap, transient, private, rows, timing

    # -- final release and idle tail -----------------------------------------------------------
    total = t * made
    waiting = np.arange(ready_from, made, dtype=np.int64)  # buffers still in their latency
    tail = idle_tail(
        -(-params.idle_tail_ms // params.idle_sample_ms),
        params.idle_sample_ms * 1000.0,
        idle_chunk_budget(params),
        clock,
        total,
        freed_before,
        t * min(ready_from, made),
        window[: waiting.size],
        t * (waiting + 1),
    )
    m = tail.steps.size
    loop = {k: np.concatenate(v) if v else np.zeros(0, np.int64) for k, v in kept.items()}
    final_transient = int(pool_committed_bytes(page, total, freed_before))
    idle_transient = pool_committed_bytes(page, total, tail.freed_bytes)

    def col(name, start, final, idle, dtype):
        return np.concatenate(([start], loop[name], [final], idle)).astype(dtype)

    heap_idle = np.full(m, heap_final)
    after = params.base_private_bytes + heap_final + np.append(idle_transient, final_transient)
    peak = max(peak, int(after.max()))
    return RunArrays(
        iteration=col("iteration", 0, n, np.full(m, n), np.int32),
        time_us=col("time_us", 0.0, clock, tail.time_us, np.float64),
        phase=np.concatenate(([0], np.full(loop["iteration"].size, 1), [2], np.full(m, 3))).astype(
            np.int8
        ),
        private_bytes=col(
            "private_bytes",
            params.base_private_bytes + heap_start,
            params.base_private_bytes + heap_final + final_transient,
            params.base_private_bytes + heap_idle + idle_transient,
            np.int64,
        ),
        heap_committed_bytes=col(
            "heap_committed_bytes", heap_start, heap_final, heap_idle, np.int64
        ),
        transient_pending_bytes=col(
            "transient_pending_bytes", 0, total - freed_before, total - tail.freed_bytes, np.int64
        ),
        transient_committed_bytes=col(
            "transient_committed_bytes", 0, final_transient, idle_transient, np.int64
        ),
        interface_proxies=col("interface_proxies", 1, 0, np.zeros(m), np.int32),
        pm_refcount=col("pm_refcount", 1, 0, np.zeros(m), np.int32),
        engine="fast",
        peak_private_bytes=peak,
        loop_stride=loop_stride(n),
        idle_stride=tail.stride,
        idle_steps=tail.steps_total,
    )
