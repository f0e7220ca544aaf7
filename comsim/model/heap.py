"""An NT-heap-like allocator: where "private bytes" come from.

Private bytes count *committed* pages, not live objects. The heap carves blocks out of
segments; it commits pages as blocks need them and, on a free, first coalesces the freed block
with its free neighbours and then decides whether to decommit the whole pages inside it.

**The decommit rule** (tag ``inferred``; source ``reactos-heap``, see docs/sources.md): the
coalesced block is decommitted only when it is at least DeCommitFreeBlockThreshold **and** the
heap's total free bytes, counting it, are at least DeCommitTotalFreeThreshold. "Total free"
means free bytes on committed pages (ReactOS's ``TotalFreeSize``): pages already decommitted
leave it. Microsoft documents the two thresholds and their defaults (``rtl-heap-parameters``)
but not how they combine; ReactOS's RtlFreeHeap keeps a block on a free list when it is below
either threshold. So after a big release the heap decommits in steps of about 64 KB and keeps
up to about 64 KB of free pages committed: memory "eventually subsides", as the KB says, but
not to the last page.

**Segments** (tag ``wine-reactos``; source ``reactos-heap``): the first segment reserves
SegmentReserve (1 MB by default) and commits what the heap's creator asked for -- for the
process heap the image header's /HEAP commit, one page by default (``heap_initial_commit_bytes``,
tag ``inferred``, source ``link-heap``). When no segment has room, a new
segment reserves the heap's running segment reserve (at least the request plus a page) and that
running reserve then grows by the new segment's size, so segments are 1, 1, 2, 4, 8 ... MB. A
new segment commits SegmentCommit, or the request plus a page if that is more. A heap has at
most :data:`MAX_SEGMENTS` segments.

Simplifications (each ``inferred``):

- one block per allocation, header included in its size, sizes rounded to 8 bytes;
- first fit by address over all segments;
- a free block may span pages that are already decommitted (ReactOS splits it there), so the
  block-size test sees the whole free run;
- no look-aside lists or low-fragmentation front end.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from .params import Params

MAX_SEGMENTS = 64
"""Most segments one heap can have (ReactOS ``HEAP_SEGMENTS``; tag ``wine-reactos``)."""

SEGMENT_RULE = (
    "segments are sized as ReactOS's heap sizes them (undocumented for Windows; the rule is "
    "under 'The rules behind the map')"
)
"""One line a figure can show under a heap map: where the segment sizes come from. It names
the source, not the rule, so that a map shown before the rules does not answer for them."""

DECOMMIT_RULE = (
    "a freed, coalesced block is decommitted only when it reaches decommit_free_block_bytes "
    "and the heap's committed free bytes reach decommit_total_free_bytes (ReactOS RtlFreeHeap) "
    "[inferred]"
)
"""One line a figure or note can show: when freed pages are given back."""


def gives_pages_back(params: Params, block_bytes: int, heap_free_bytes: int) -> bool:
    """The decommit rule (tag ``inferred``, see the module docstring): whether a freed block,
    ``block_bytes`` long once coalesced with its free neighbours, has its whole pages given back
    when the heap's total free bytes, counting it, are ``heap_free_bytes``. Both thresholds must
    hold: decommit_free_block_bytes for the block, decommit_total_free_bytes for the heap."""
    return (
        block_bytes >= params.decommit_free_block_bytes
        and heap_free_bytes >= params.decommit_total_free_bytes
    )


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
    """The whole heap at one moment. ``free_bytes`` is the heap's total free in the NT sense:
    free bytes on committed pages. ``segment_rule`` and ``decommit_rule`` say, in one line each,
    how the model sizes segments and gives pages back (with their provenance tags), for a
    figure's caption."""

    committed_bytes: int
    used_bytes: int
    free_bytes: int
    segments: tuple[SegmentSnapshot, ...]
    segment_rule: str = SEGMENT_RULE
    decommit_rule: str = DECOMMIT_RULE


def _round_up(n: int, unit: int) -> int:
    return -(-n // unit) * unit


def next_segment_reserve(params: Params, running_reserve: int, block: int) -> int:
    """Bytes a new (not the first) segment reserves for a request of ``block`` bytes: the heap's
    running segment reserve, or the request plus a page when that is bigger (ReactOS)."""
    return max(running_reserve, _round_up(block + params.page_bytes, params.page_bytes))


def new_segment_commit(params: Params, block: int) -> int:
    """Bytes a new (not the first) segment commits: SegmentCommit, or the request plus a page
    when that is bigger (ReactOS RtlpExtendHeap)."""
    page = params.page_bytes
    return max(_round_up(params.heap_segment_commit_bytes, page), _round_up(block + page, page))


class _Segment:
    """Reserved address space carved into blocks; pages inside it committed or not."""

    def __init__(self, index: int, base: int, reserve: int, commit: int, params: Params):
        self.index = index
        self.reserve = reserve
        self.header = params.heap_segment_header_bytes
        self.base = base
        pages = self.reserve // params.page_bytes
        self.committed = np.zeros(pages, dtype=bool)
        self.committed[: -(-commit // params.page_bytes)] = True
        # Free blocks: sorted starts, start -> end and end -> start, for first fit and coalescing.
        self.free_starts: list[int] = [self.header]
        self.free_end_of: dict[int, int] = {self.header: self.reserve}
        self.free_start_of: dict[int, int] = {self.reserve: self.header}
        self.used: dict[int, tuple[int, str]] = {}  # start -> (size, owner)
        self.used_bytes = 0

    def max_free(self) -> int:
        return max((self.free_end_of[s] - s for s in self.free_starts), default=0)


class Heap:
    """The client process's heap: blocks in growing segments, committed pages, and the NT
    decommit thresholds (see the module docstring for the rule and its sources).

    ``committed_bytes`` is this heap's share of the process's private bytes.
    """

    def __init__(self, params: Params):
        self.params = params
        self.page = params.page_bytes
        self.segments: list[_Segment] = []
        self._bases: list[int] = []
        self.committed_bytes = 0
        self.used_bytes = 0
        self._header_bytes = 0
        # ReactOS: Heap->SegmentReserve, the size the next segment reserves; it grows by each
        # new segment's size.
        self.running_reserve = params.heap_segment_reserve_bytes
        self._largest_free = np.zeros(MAX_SEGMENTS, np.int64)  # per segment, for first fit
        self._add_segment(params.heap_segment_reserve_bytes, params.heap_initial_commit_bytes)

    @property
    def free_bytes(self) -> int:
        """The heap's total free bytes in the NT sense: free bytes on committed pages."""
        return self.committed_bytes - self.used_bytes - self._header_bytes

    # -- allocation -------------------------------------------------------------------------
    def alloc(self, request_bytes: int, owner: str) -> int:
        """Carve a block for ``request_bytes`` (first fit by address); return its address."""
        size = self.params.block_bytes(request_bytes)
        # The first segment whose largest free block fits: one vectorised scan.
        fits = self._largest_free[: len(self.segments)] >= size
        k = int(np.argmax(fits))
        if fits[k]:
            seg = self.segments[k]
            start = self._first_fit(seg, size)
        else:
            seg = self._grow(size)
            start = self._first_fit(seg, size)
            if start is None:
                raise MemoryError(f"a block of {size} bytes does not fit in a heap segment")
        self._carve(seg, start, size, owner)
        return seg.base + start

    def free(self, address: int) -> None:
        """Free a block, coalesce it with its free neighbours, and decommit the whole pages
        inside the coalesced block when it reaches DeCommitFreeBlockThreshold and the heap's
        total free bytes reach DeCommitTotalFreeThreshold (both; see the module docstring)."""
        seg = self.segments[bisect.bisect_right(self._bases, address) - 1]
        start = address - seg.base
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
        if gives_pages_back(self.params, hi - lo, self.free_bytes):
            self._set_pages(seg, -(-lo // self.page), hi // self.page, False)
        self._largest_free[seg.index] = max(self._largest_free[seg.index], hi - lo)

    # -- bookkeeping --------------------------------------------------------------------------
    def _grow(self, block: int) -> _Segment:
        """A new segment for a request of ``block`` bytes (ReactOS RtlpExtendHeap)."""
        if len(self.segments) >= MAX_SEGMENTS:
            raise MemoryError(
                f"the heap already has {MAX_SEGMENTS} segments, the most an NT heap has "
                "(ReactOS HEAP_SEGMENTS); the allocation fails"
            )
        reserve = next_segment_reserve(self.params, self.running_reserve, block)
        self.running_reserve += reserve
        return self._add_segment(reserve, new_segment_commit(self.params, block))

    def _add_segment(self, reserve: int, commit: int) -> _Segment:
        base = self._bases[-1] + self.segments[-1].reserve if self.segments else 0
        seg = _Segment(len(self.segments), base, reserve, commit, self.params)
        self.segments.append(seg)
        self._bases.append(base)
        self._largest_free[seg.index] = seg.max_free()
        self.committed_bytes += int(seg.committed.sum()) * self.page
        self._header_bytes += seg.header
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
        if start + size < end:
            seg.free_starts[i] = start + size
            seg.free_end_of[start + size] = end
            seg.free_start_of[end] = start + size
        else:
            seg.free_starts.pop(i)
        seg.used[start] = (size, owner)
        seg.used_bytes += size
        self.used_bytes += size
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
