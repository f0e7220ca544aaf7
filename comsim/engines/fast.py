"""The fast engine: the same runs as the step engine, computed with whole-array numpy.

It does not call the object model. It uses what the model implies for these four loops:

- the proxy manager's count and the number of interface proxies follow from the strategy;
- under the documented policy the heap only carves copies one above the other until the
  final release (a closed form in :func:`comsim.model.bump.bump_committed_bytes`), and the final
  release frees them oldest first (:func:`comsim.model.bump.bump_release_committed`); the few heap
  operations of the other cases run on a real :class:`comsim.model.heap.Heap`;
- the reaper of H2 is a queue: freed_i = min(eligible_i, freed_(i-1) + budget_i), which
  unrolls to a running minimum (``np.minimum.accumulate``).

The loop is computed in chunks of :data:`CHUNK` iterations with its state carried from chunk
to chunk, so memory stays bounded at the largest allowed iteration count; only the kept rows
(see :mod:`comsim.engines.runs`) and the exact peak leave the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..model.bump import bump_committed_bytes, bump_release_committed
from ..model.heap import Heap
from ..model.params import Params
from ..model.timing import idle_chunk_budget, loop_timing_chunks
from ..model.transient import EqualBuffers, idle_tail, pool_committed_bytes
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

CHUNK = 1 << 18
"""Iterations computed at once (262,144: about 50 MB of temporary arrays at most; larger
chunks cost memory a learner's kernel cannot spare and are no faster)."""


def _reaped(eligible: np.ndarray, budget_cum: np.ndarray, freed_before: int) -> np.ndarray:
    """freed_i = min(eligible_i, freed_(i-1) + budget_i), all i at once."""
    if eligible.size == 0:
        return eligible
    running = np.minimum.accumulate(eligible - budget_cum)
    return budget_cum + np.minimum(freed_before, running)


@dataclass(frozen=True)
class _HeapModel:
    """The heap's committed bytes through a run: after CoCreateInstanceEx (``start``); after
    each loop iteration -- the bump closed form of the copies alive when ``replayed`` is None,
    else ``replayed[i]`` for the first iterations and the last entry from there on (the heap
    has reached a steady state); and after the final release (``final``)."""

    start: int
    replayed: np.ndarray | None
    final: int

    def after(self, params: Params, first_top: int, block: int, alive: np.ndarray, i: np.ndarray):
        if self.replayed is None:
            return bump_committed_bytes(params, first_top, block, alive)
        return self.replayed[np.minimum(i, self.replayed.size - 1)]


def _heap_model(params: Params, strategy: str, policy: str) -> _HeapModel:
    """Where the heap stands through the run (see :class:`_HeapModel`)."""
    pm, ifp = params.proxy_manager_bytes, params.interface_proxy_bytes
    pm_block, block = params.block_bytes(pm), params.block_bytes(ifp)
    first_top = params.heap_segment_header_bytes + pm_block + block
    start = int(bump_committed_bytes(params, first_top, block, np.int64(0)))
    made = copies_made(params, strategy)
    if policy == "by-design" or made == 0:
        return _HeapModel(start, None, bump_release_committed(params, pm_block, block, made))
    # free-on-release: replay the few heap operations on a real heap, in the object model's order.
    heap = Heap(params)
    heap.alloc(pm, "proxy manager")
    original = heap.alloc(ifp, "original")
    replayed = None
    if strategy == "cache-copy":  # copies live until finish(), then go oldest first
        copies = [heap.alloc(ifp, "copy") for _ in range(made)]
        for address in copies:
            heap.free(address)
    else:  # each copy is freed at its own Release
        replayed = _replay_until_steady(heap, ifp, made)
    heap.free(original)
    heap.free(heap.segments[0].base + params.heap_segment_header_bytes)  # the proxy manager
    return _HeapModel(start, replayed, heap.committed_bytes)


def _replay_until_steady(heap: Heap, size: int, iterations: int) -> np.ndarray:
    """Committed bytes after each alloc-and-free of ``size``, until an iteration leaves the heap
    exactly as the one before did (from then on every iteration does), or ``iterations``.

    The first iterations can differ: the first free may decommit the segment's initial commit,
    which later frees no longer find committed (issue 18, item 1)."""
    after: list[int] = []
    before = heap.snapshot()
    while len(after) < iterations:
        heap.free(heap.alloc(size, "copy"))
        after.append(heap.committed_bytes)
        now = heap.snapshot()
        if now == before:
            break
        before = now
    return np.array(after, dtype=np.int64)


@dataclass
class _Carry:
    """What one chunk of the loop hands to the next: the clock, the bytes the reaper has freed,
    the buffers already eligible, when the ones still in their latency become eligible, and
    the peak so far."""

    clock: float
    peak: int
    freed_before: int = 0
    ready_from: int = 0  # iterations before this one have their buffers eligible already
    # When the buffers still in their latency become eligible, in order: one array per chunk
    # (pieces, never joined during the loop, so millions of waiting buffers cost one copy).
    window: list[np.ndarray] = field(default_factory=list)


def _chunk(params, strategy, policy, heap_model, carry, timing, i0) -> dict[str, np.ndarray]:
    """The loop's columns for one chunk of iterations starting at ``i0``; updates ``carry``."""
    t = params.transient_bytes_per_call
    block = params.block_bytes(params.interface_proxy_bytes)
    first_top = (
        params.heap_segment_header_bytes + params.block_bytes(params.proxy_manager_bytes) + block
    )  # after CoCreateInstanceEx: the proxy manager and the original proxy
    made, cached = copies_made(params, strategy), strategy == "cache-copy"
    i = np.arange(i0, i0 + timing.cpu_us.size, dtype=np.int64)
    ends = np.cumsum(np.concatenate(([carry.clock], timing.wall_us)))[1:]  # sequential sums
    starts = np.concatenate(([carry.clock], ends[:-1]))
    pieces = [*carry.window, starts + params.reaper_latency_ms * 1000.0]
    n_ready = carry.ready_from + sum(np.searchsorted(p, ends, side="right") for p in pieces)
    n_ready = np.minimum(n_ready, i + 1)
    eligible = t * np.minimum(n_ready, made)
    freed = _reaped(eligible, np.cumsum(timing.reaper_budget_bytes), carry.freed_before)
    allocated = t * np.minimum(i + 1, made)
    copies = np.minimum(i + 1, made)
    alive = np.zeros_like(i) if policy == "free-on-release" and not cached else copies
    heap = heap_model.after(params, first_top, block, alive, i)
    transient = pool_committed_bytes(params.page_bytes, allocated, freed)
    private = params.base_private_bytes + heap + transient
    carry.peak = max(carry.peak, int(private.max()))
    carry.clock, carry.freed_before = float(ends[-1]), int(freed[-1])
    new_from = int(n_ready[-1])
    carry.window = _drop_front(pieces, new_from - carry.ready_from)
    carry.ready_from = new_from
    return {
        "iteration": i + 1,
        "time_us": ends,
        "private_bytes": private,
        "heap_committed_bytes": heap,
        "transient_pending_bytes": allocated - freed,
        "transient_committed_bytes": transient,
        "interface_proxies": 1 + alive,
        "pm_refcount": 1 + (copies if cached else 0 * i),
    }


def _drop_front(pieces: list[np.ndarray], count: int) -> list[np.ndarray]:
    """``pieces`` without their first ``count`` elements (views: nothing is copied)."""
    kept = []
    for piece in pieces:
        if count >= piece.size:
            count -= piece.size
            continue
        kept.append(piece[count:])
        count = 0
    return kept


def run_fast(params: Params, strategy: str, policy: str) -> RunArrays:
    """Compute the kept rows of the run with array operations (see the module docstring)."""
    n = params.iterations
    heap_model = _heap_model(params, strategy, policy)
    carry = _Carry(clock=0.0, peak=params.base_private_bytes + heap_model.start)
    kept: dict[str, list[np.ndarray]] = {k: [] for k in COLUMNS}
    i0 = 0
    for timing in loop_timing_chunks(params, transient_total_bytes(params, strategy), CHUNK):
        columns = _chunk(params, strategy, policy, heap_model, carry, timing, i0)
        rows = kept_iterations(i0, i0 + timing.cpu_us.size, n) - 1 - i0  # indexes in the chunk
        for name, column in columns.items():
            kept[name].append(column[rows])
        i0 += timing.cpu_us.size
        del columns, rows, timing
    loop = {k: np.concatenate(v) if v else np.zeros(0, np.int64) for k, v in kept.items()}
    return _with_release_and_tail(params, strategy, heap_model, carry, loop)


def _with_release_and_tail(params, strategy, heap_model, carry, loop) -> RunArrays:
    """The run's rows: creation, the kept loop rows, the final release and the idle tail."""
    n, t, page = params.iterations, params.transient_bytes_per_call, params.page_bytes
    made = copies_made(params, strategy)
    total = t * made
    waiting = max(0, made - carry.ready_from)  # buffers still in their latency
    ready = np.concatenate(carry.window)[:waiting] if carry.window else np.zeros(0)
    carry.window = []
    tail = idle_tail(
        -(-params.idle_tail_ms // params.idle_sample_ms),
        params.idle_sample_ms * 1000.0,
        idle_chunk_budget(params),
        carry.clock,
        total,
        carry.freed_before,
        t * min(carry.ready_from, made),
        ready,
        EqualBuffers(t * (carry.ready_from + 1), t, waiting),
    )
    del ready
    m = tail.steps.size
    final_transient = int(pool_committed_bytes(page, total, carry.freed_before))
    idle_transient = pool_committed_bytes(page, total, tail.freed_bytes)
    base, heap_final = params.base_private_bytes, heap_model.final
    heap_idle = np.full(m, heap_final)

    def col(name, start, final, idle, dtype):
        return np.concatenate(([start], loop[name], [final], idle)).astype(dtype)

    after = base + heap_final + np.append(idle_transient, final_transient)
    phases = ([0], np.full(loop["iteration"].size, 1), [2], np.full(m, 3))
    pending = total - carry.freed_before, total - tail.freed_bytes
    return RunArrays(
        iteration=col("iteration", 0, n, np.full(m, n), np.int32),
        time_us=col("time_us", 0.0, carry.clock, tail.time_us, np.float64),
        phase=np.concatenate(phases).astype(np.int8),
        private_bytes=col(
            "private_bytes",
            base + heap_model.start,
            base + heap_final + final_transient,
            base + heap_idle + idle_transient,
            np.int64,
        ),
        heap_committed_bytes=col(
            "heap_committed_bytes", heap_model.start, heap_final, heap_idle, np.int64
        ),
        transient_pending_bytes=col("transient_pending_bytes", 0, *pending, np.int64),
        transient_committed_bytes=col(
            "transient_committed_bytes", 0, final_transient, idle_transient, np.int64
        ),
        interface_proxies=col("interface_proxies", 1, 0, np.zeros(m), np.int32),
        pm_refcount=col("pm_refcount", 1, 0, np.zeros(m), np.int32),
        engine="fast",
        peak_private_bytes=max(carry.peak, int(after.max())),
        loop_stride=loop_stride(n),
        idle_stride=tail.stride,
        idle_steps=tail.steps_total,
    )
