"""Closed forms of the heap during the KB loop, for the fast engine: where equal blocks carved
one above another land, segment by segment, what that commits, and what the final release
gives back -- the same numbers :class:`comsim.model.heap.Heap` reaches block by block (the
engines' property tests hold the two equal)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .heap import MAX_SEGMENTS, new_segment_commit, next_segment_reserve
from .params import Params


@dataclass(frozen=True)
class BumpLayout:
    """Where equal blocks carved one above another land, segment by segment: what the heap
    does during the KB loop under the documented policy (each copy's block lands above the
    previous one; a new, larger segment when one is full).

    Arrays have one entry per segment: ``reserve`` (bytes), ``start`` (offset of the first
    carved block), ``capacity`` (blocks that fit), ``commit`` (bytes committed when created).
    """

    block: int
    reserve: np.ndarray
    start: np.ndarray
    capacity: np.ndarray
    commit: np.ndarray

    @property
    def cumulative(self) -> np.ndarray:
        return np.cumsum(self.capacity)


def bump_layout(params: Params, first_top: int, block: int, n: int) -> BumpLayout:
    """The segments ``n`` bump allocations of ``block`` bytes need, the first starting at
    offset ``first_top`` of the first segment. MemoryError past :data:`MAX_SEGMENTS`."""
    reserve = [params.heap_segment_reserve_bytes]
    start = [first_top]
    capacity = [max(0, (params.heap_segment_reserve_bytes - first_top) // block)]
    commit = [params.heap_initial_commit_bytes]
    running = params.heap_segment_reserve_bytes
    header = params.heap_segment_header_bytes
    while sum(capacity) < n:
        if len(reserve) >= MAX_SEGMENTS:
            raise MemoryError(
                f"{n:,} blocks of {block} bytes need more than {MAX_SEGMENTS} heap segments, "
                "the most an NT heap has (ReactOS HEAP_SEGMENTS)"
            )
        r = next_segment_reserve(params, running, block)
        running += r
        reserve.append(r)
        start.append(header)
        capacity.append((r - header) // block)
        commit.append(new_segment_commit(params, block))
    as_array = lambda xs: np.array(xs, dtype=np.int64)  # noqa: E731
    return BumpLayout(
        block, as_array(reserve), as_array(start), as_array(capacity), as_array(commit)
    )


def bump_committed_bytes(
    params: Params, first_top: int, block: int, n_blocks: np.ndarray
) -> np.ndarray:
    """Committed heap bytes after ``n_blocks`` equal blocks are carved one after another,
    never freed, starting at offset ``first_top`` of the first segment (vectorised)."""
    page = params.page_bytes
    n = np.asarray(n_blocks, dtype=np.int64)
    layout = bump_layout(params, first_top, block, int(n.max()) if n.size else 0)

    def committed(commit, top):
        return np.maximum(-(-commit // page) * page, -(-top // page) * page)

    cum = layout.cumulative
    full = committed(layout.commit, layout.start + layout.capacity * block)
    full_before = np.concatenate(([0], np.cumsum(full)))  # full segments below segment k
    # The segment holding the n-th block (segment 0 when n == 0).
    k = np.minimum(np.searchsorted(cum, n, side="left"), cum.size - 1)
    in_k = n - np.where(k > 0, cum[k - 1], 0)
    return full_before[k] + committed(layout.commit[k], layout.start[k] + in_k * block)


def segments_after_bump(params: Params, first_top: int, block: int, n: int) -> int:
    """How many segments the heap has after ``n`` bump allocations (see bump_layout)."""
    cum = bump_layout(params, first_top, block, n).cumulative
    return int(np.searchsorted(cum, n, side="left")) + 1 if n else 1


def _last_event(lo: int, block: int, page: int, first: int, gap: int, limit: int) -> int | None:
    """The end address of the last block, at or below ``limit``, whose free decommits pages.

    Blocks end at ``lo + m*block`` (m >= 1). The first decommit happens at the first end at or
    above ``first``; after a decommit up to page ``floor(e/page)`` the next one needs an end at
    or above ``floor(e/page)*page + gap``. How far the next event is depends only on
    ``e % page``, so the chain is periodic: we follow it until a residue repeats, then jump
    whole periods (at most about page/8 steps in all, however many blocks there are).
    """
    e = lo + max(1, -(-(first - lo) // block)) * block
    if e > limit:
        return None
    seen: dict[int, int] = {}
    jumped = False
    while True:
        r = e % page
        if not jumped and r in seen:
            period = e - seen[r]
            e += (limit - e) // period * period
            jumped = True
        elif not jumped:
            seen[r] = e
        step = -(-(gap - r) // block) * block
        if e + step > limit:
            return e
        e += step


def bump_release_committed(params: Params, pm_block: int, block: int, n: int) -> int:
    """Committed heap bytes after the proxy manager's final release of a bump layout: the
    original proxy (just above the proxy manager) and ``n`` copies are freed oldest first, then
    the proxy manager itself -- what :class:`Heap` does, computed without a loop over blocks.

    Within a segment each free coalesces with the run freed so far; pages go back whenever the
    run reaches DeCommitFreeBlockThreshold and the heap's committed free bytes reach
    DeCommitTotalFreeThreshold, so about 64 KB at a time, and the last free of a segment
    (which joins the free tail) decommits the rest if the heap still holds that much free.
    """
    page = params.page_bytes
    header = params.heap_segment_header_bytes
    need_block = params.decommit_free_block_bytes
    need_total = params.decommit_total_free_bytes
    lo_first = header + pm_block
    layout = bump_layout(params, lo_first + block, block, n)
    count = np.zeros(layout.capacity.size, dtype=np.int64)
    rest = n
    for k, cap in enumerate(layout.capacity):  # copies per segment, the original in segment 0
        count[k] = min(rest, int(cap))
        rest -= count[k]
    count[0] += 1
    lo = np.where(np.arange(count.size) == 0, lo_first, header)
    top = lo + count * block
    commit_pages = np.maximum(-(-layout.commit // page), -(-top // page))
    committed = int(commit_pages.sum()) * page
    used = pm_block + (n + 1) * block
    headers = header * count.size
    decommitted = [(0, 0)] * count.size  # per segment, the decommitted page range [a, b)

    def newly(k: int, a: int, b: int) -> int:
        """Committed pages of segment k inside [a, b) (outside its decommitted range)."""
        b = min(b, int(commit_pages[k]))
        da, db = decommitted[k]
        overlap = max(0, min(b, db) - max(a, da))
        return max(0, b - a) - overlap

    for k in range(count.size):
        lo_k, cnt, reserve = int(lo[k]), int(count[k]), int(layout.reserve[k])
        p0 = -(-lo_k // page)
        decommitted[k] = (p0, p0)
        if cnt >= 2:  # every block but the last joins the run below it
            free_elsewhere = committed - used - headers
            gap = max(need_total - free_elsewhere - (p0 * page - lo_k), page)
            first = max(p0 * page + gap, lo_k + need_block)
            e = _last_event(lo_k, block, page, first, gap, lo_k + (cnt - 1) * block)
            if e is not None:
                committed -= (e // page - p0) * page
                decommitted[k] = (p0, e // page)
            used -= (cnt - 1) * block
        used -= block  # the last block joins the free tail: the run is [lo_k, reserve)
        if reserve - lo_k >= need_block and committed - used - headers >= need_total:
            committed -= newly(k, p0, reserve // page) * page
            decommitted[k] = (p0, reserve // page)
    used -= pm_block  # the proxy manager's own block joins segment 0's run
    a = -(-header // page)
    if int(layout.reserve[0]) - header >= need_block and committed - used - headers >= need_total:
        committed -= newly(0, a, int(layout.reserve[0]) // page) * page
    return committed
