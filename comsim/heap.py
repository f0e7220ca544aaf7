"""An NT-heap-like allocator: where "private bytes" come from.

Private bytes count *committed* pages, not live objects. The heap carves blocks out of
segments (1 MiB of reserved address space each by default); it commits pages as blocks need
them and decommits whole pages only when a freed, coalesced block is big enough
(DeCommitFreeBlockThreshold) or the heap already holds enough free bytes
(DeCommitTotalFreeThreshold). So private bytes rise in page steps while blocks pile up, and
fall back only when the blocks around a page are all free -- which, for the KB's copies, is
the proxy manager's final release.

Simplifications (each is ``inferred`` in the model's provenance):

- one block per allocation, header included in its size, sizes rounded to 8 bytes;
- first fit by address over all segments; a new segment when no free block fits;
- a free block that reaches the end of its segment counts the uncommitted pages too, and the
  heap's total free bytes count only free blocks below the highest used block of a segment.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from .params import Params


@dataclass(frozen=True)
class BlockSnapshot:
    """One heap block: its address, size in bytes, and who owns it (None when free)."""

    address: int
    size: int
    owner: str | None


@dataclass(frozen=True)
class SegmentSnapshot:
    """One segment: reserved address range, committed pages, and its blocks in address order."""

    index: int
    base: int
    reserve_bytes: int
    header_bytes: int
    committed_bytes: int
    committed_pages: tuple[bool, ...]
    blocks: tuple[BlockSnapshot, ...]


@dataclass(frozen=True)
class HeapSnapshot:
    """The whole heap at one moment."""

    committed_bytes: int
    used_bytes: int
    free_bytes: int
    segments: tuple[SegmentSnapshot, ...]


class _Segment:
    """Reserved address space carved into blocks; pages inside it committed or not."""

    def __init__(self, index: int, params: Params):
        self.index = index
        self.reserve = params.heap_segment_reserve_bytes
        self.header = params.heap_segment_header_bytes
        self.base = index * self.reserve
        pages = self.reserve // params.page_bytes
        self.committed = np.zeros(pages, dtype=bool)
        self.committed[: -(-params.heap_segment_commit_bytes // params.page_bytes)] = True
        # Free blocks: sorted starts, start -> end and end -> start, for first fit and coalescing.
        self.free_starts: list[int] = [self.header]
        self.free_end_of: dict[int, int] = {self.header: self.reserve}
        self.free_start_of: dict[int, int] = {self.reserve: self.header}
        self.used: dict[int, tuple[int, str]] = {}  # start -> (size, owner)
        self.used_bytes = 0
        self.top = self.header  # end of the highest used block

    def max_free(self) -> int:
        return max((self.free_end_of[s] - s for s in self.free_starts), default=0)

    def below_top_free(self) -> int:
        """Free bytes below the highest used block: what the heap counts as 'total free'."""
        return self.top - self.header - self.used_bytes


class Heap:
    """The client process's heap: blocks in segments, committed pages, NT decommit thresholds.

    ``committed_bytes`` is this heap's share of the process's private bytes.
    """

    def __init__(self, params: Params):
        self.params = params
        self.page = params.page_bytes
        self.segments: list[_Segment] = []
        self.committed_bytes = 0
        self.used_bytes = 0
        self.free_bytes = 0  # total free in the NT sense (see _Segment.below_top_free)
        self._largest_free = np.zeros(16, np.int64)  # per segment, for first fit
        self._new_segment()

    # -- allocation -------------------------------------------------------------------------
    def alloc(self, request_bytes: int, owner: str) -> int:
        """Carve a block for ``request_bytes`` (first fit by address); return its address."""
        size = self.params.block_bytes(request_bytes)
        # The first segment whose largest free block fits: one vectorised scan, not a Python
        # loop over thousands of segments.
        fits = self._largest_free[: len(self.segments)] >= size
        k = int(np.argmax(fits))
        if fits.size and fits[k]:
            seg = self.segments[k]
            start = self._first_fit(seg, size)
        else:
            seg = self._new_segment()
            start = self._first_fit(seg, size)
            if start is None:
                raise MemoryError(f"a block of {size} bytes does not fit in a heap segment")
        self._carve(seg, start, size, owner)
        return seg.base + start

    def free(self, address: int) -> None:
        """Free a block, coalesce it with free neighbours, and decommit whole pages if the
        coalesced block or the heap's total free bytes reach the NT thresholds."""
        seg = self.segments[address // self.params.heap_segment_reserve_bytes]
        start = address - seg.base
        old_below = seg.below_top_free()
        size, _owner = seg.used.pop(start)
        seg.used_bytes -= size
        self.used_bytes -= size
        lo, hi = start, start + size
        if lo in seg.free_start_of:  # a free block ends where this one starts
            lo = seg.free_start_of.pop(lo)
            del seg.free_end_of[lo]
            seg.free_starts.pop(bisect.bisect_left(seg.free_starts, lo))
        if hi in seg.free_end_of:  # a free block starts where this one ends
            new_hi = seg.free_end_of.pop(hi)
            del seg.free_start_of[new_hi]
            seg.free_starts.pop(bisect.bisect_left(seg.free_starts, hi))
            hi = new_hi
        bisect.insort(seg.free_starts, lo)
        seg.free_end_of[lo] = hi
        seg.free_start_of[hi] = lo
        if hi == seg.reserve:
            seg.top = lo  # the highest used block is gone: the tail free block starts at lo
        self.free_bytes += seg.below_top_free() - old_below
        p = self.params
        if hi - lo >= p.decommit_free_block_bytes or self.free_bytes >= p.decommit_total_free_bytes:
            self._set_pages(seg, -(-lo // self.page), hi // self.page, False)
        self._largest_free[seg.index] = max(self._largest_free[seg.index], hi - lo)

    # -- bookkeeping --------------------------------------------------------------------------
    def _new_segment(self) -> _Segment:
        seg = _Segment(len(self.segments), self.params)
        self.segments.append(seg)
        if seg.index >= self._largest_free.size:
            self._largest_free = np.concatenate(
                (self._largest_free, np.zeros(max(16, self._largest_free.size), np.int64))
            )
        self._largest_free[seg.index] = seg.max_free()
        self.committed_bytes += int(seg.committed.sum()) * self.page
        return seg

    @staticmethod
    def _first_fit(seg: _Segment, size: int) -> int | None:
        for s in seg.free_starts:
            if seg.free_end_of[s] - s >= size:
                return s
        return None

    def _carve(self, seg: _Segment, start: int, size: int, owner: str) -> None:
        end = seg.free_end_of.pop(start)
        del seg.free_start_of[end]
        i = bisect.bisect_left(seg.free_starts, start)
        old_below = seg.below_top_free()
        if start + size < end:
            seg.free_starts[i] = start + size
            seg.free_end_of[start + size] = end
            seg.free_start_of[end] = start + size
        else:
            seg.free_starts.pop(i)
        seg.used[start] = (size, owner)
        seg.used_bytes += size
        seg.top = max(seg.top, start + size)
        self.used_bytes += size
        self.free_bytes += seg.below_top_free() - old_below
        self._set_pages(seg, start // self.page, -(-(start + size) // self.page), True)
        if end - start == self._largest_free[seg.index]:  # we split the largest: look again
            self._largest_free[seg.index] = seg.max_free()

    def _set_pages(self, seg: _Segment, first: int, stop: int, committed: bool) -> None:
        if stop <= first:
            return
        view = seg.committed[first:stop]
        changed = int((view != committed).sum())
        view[:] = committed
        self.committed_bytes += changed * self.page if committed else -changed * self.page

    # -- inspection -------------------------------------------------------------------------
    def snapshot(self) -> HeapSnapshot:
        """Every segment's pages and blocks, for diagrams and tests."""
        segments = []
        for seg in self.segments:
            blocks = [
                BlockSnapshot(seg.base + s, size, owner) for s, (size, owner) in seg.used.items()
            ]
            blocks += [
                BlockSnapshot(seg.base + s, seg.free_end_of[s] - s, None) for s in seg.free_starts
            ]
            blocks.sort(key=lambda b: b.address)
            segments.append(
                SegmentSnapshot(
                    index=seg.index,
                    base=seg.base,
                    reserve_bytes=seg.reserve,
                    header_bytes=seg.header,
                    committed_bytes=int(seg.committed.sum()) * self.page,
                    committed_pages=tuple(bool(c) for c in seg.committed),
                    blocks=tuple(blocks),
                )
            )
        return HeapSnapshot(self.committed_bytes, self.used_bytes, self.free_bytes, tuple(segments))


# -- closed forms for the fast engine ------------------------------------------------------------
def bump_committed_bytes(
    params: Params, first_top: int, block: int, n_blocks: np.ndarray
) -> np.ndarray:
    """Committed heap bytes after ``n_blocks`` equal blocks are carved one after another,
    never freed, starting at offset ``first_top`` of the first segment (vectorised).

    This is what the heap does during the KB loop under the documented policy: each copy's
    block lands above the previous one; a new segment starts when one is full.
    """
    page = params.page_bytes
    reserve = params.heap_segment_reserve_bytes
    header = params.heap_segment_header_bytes
    seg_commit = -(-params.heap_segment_commit_bytes // page) * page
    n = np.asarray(n_blocks, dtype=np.int64)
    cap0 = (reserve - first_top) // block  # copies that fit in the first segment
    cap = (reserve - header) // block  # ... and in each later segment

    def committed(top):
        return np.maximum(seg_commit, -(-top // page) * page)

    in_first = np.minimum(n, cap0)
    total = committed(first_top + in_first * block)
    rest = np.maximum(n - cap0, 0)
    full = np.where(rest > 0, (rest - 1) // cap, 0)  # later segments that are full
    last = np.where(rest > 0, rest - full * cap, 0)  # blocks in the last segment
    full_commit = int(committed(np.int64(header + cap * block)))
    total = total + full * full_commit + np.where(rest > 0, committed(header + last * block), 0)
    return total


def empty_heap_committed_bytes(params: Params, segments: int) -> int:
    """Committed bytes once every block is freed and the last free of each segment decommits
    its pages: only the pages holding a segment header stay."""
    page = params.page_bytes
    return segments * -(-params.heap_segment_header_bytes // page) * page


def segments_after_bump(params: Params, first_top: int, block: int, n: int) -> int:
    """How many segments the heap has after ``n`` bump allocations (see bump_committed_bytes)."""
    reserve = params.heap_segment_reserve_bytes
    cap0 = (reserve - first_top) // block
    cap = (reserve - params.heap_segment_header_bytes) // block
    rest = max(n - cap0, 0)
    return 1 + -(-rest // cap)
