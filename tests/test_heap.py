"""The NT-heap-like allocator: why private bytes move in pages and fall back only late."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import comsim.model.heap
from comsim import Params
from comsim.model.bump import bump_committed_bytes, bump_release_committed, segments_after_bump
from comsim.model.heap import Heap, gives_pages_back

PAGE = 4096
NEVER = 1 << 30  # a decommit_total_free_bytes no test heap reaches


def _params(**overrides) -> Params:
    return Params.make(**overrides)


def _blocks(heap: Heap, segment: int = 0):
    return heap.snapshot().segments[segment].blocks


def _free_blocks(heap: Heap, segment: int = 0):
    return [b for b in _blocks(heap, segment) if b.owner is None]


def _committed_page_count(heap: Heap) -> int:
    return sum(sum(s.committed_pages) for s in heap.snapshot().segments)


def _check_invariants(heap: Heap) -> None:
    """Bytes are conserved in every segment and committed bytes are whole committed pages."""
    snap = heap.snapshot()
    used_total = 0
    for seg in snap.segments:
        blocks = seg.blocks
        assert sum(b.size for b in blocks) == seg.reserve_bytes - seg.header_bytes
        # Blocks tile the segment after its header, in address order, without gaps or overlap.
        assert blocks[0].address == seg.base + seg.header_bytes
        for a, b in zip(blocks, blocks[1:], strict=False):
            assert a.address + a.size == b.address
            assert not (a.owner is None and b.owner is None), "two free neighbours not coalesced"
        assert blocks[-1].address + blocks[-1].size == seg.base + seg.reserve_bytes
        assert seg.committed_bytes == sum(seg.committed_pages) * PAGE
        # Every byte of a block in use sits on a committed page.
        for b in blocks:
            if b.owner is not None:
                first = (b.address - seg.base) // PAGE
                stop = -(-(b.address - seg.base + b.size) // PAGE)
                assert stop <= len(seg.committed_pages), "a used block lies beyond the pages"
                assert all(seg.committed_pages[first:stop])
        used_total += sum(b.size for b in blocks if b.owner is not None)
    assert snap.committed_bytes == sum(s.committed_bytes for s in snap.segments)
    assert snap.committed_bytes == _committed_page_count(heap) * PAGE
    assert snap.used_bytes == used_total
    assert snap.committed_bytes % PAGE == 0
    # The heap's "total free" is free bytes on committed pages: committed minus used minus the
    # segment headers, never negative.
    headers = sum(seg.header_bytes for seg in snap.segments)
    assert snap.free_bytes == snap.committed_bytes - snap.used_bytes - headers >= 0


# -- blocks and pages ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "request_bytes, block",
    [(1, 8), (7, 8), (8, 8), (9, 16), (1792, 1792), (1793, 1800), (4095, 4096)],
)
def test_every_block_is_rounded_up_to_eight_bytes(request_bytes, block):
    heap = Heap(_params())
    address = heap.alloc(request_bytes, "someone")
    assert heap.used_bytes == block
    (mine,) = [b for b in _blocks(heap) if b.address == address]
    assert mine.size == block and mine.owner == "someone"
    assert _params().block_bytes(request_bytes) == block


def test_private_bytes_move_in_whole_pages():
    heap = Heap(_params(heap_segment_reserve_bytes=65536))
    rng = random.Random(1)
    live = []
    seen = set()
    for _ in range(600):
        if live and rng.random() < 0.4:
            heap.free(live.pop(rng.randrange(len(live))))
        else:
            live.append(heap.alloc(rng.randint(1, 5000), "x"))
        assert heap.committed_bytes % PAGE == 0
        seen.add(heap.committed_bytes)
    assert len(seen) > 5  # it did move, in page steps


def test_a_new_heap_commits_its_first_segments_commit_size():
    """The first segment commits what the heap's creator asked for -- one page by default (the
    /HEAP linker default), not SegmentCommit, which sizes later segments (issue 15, item 2).

    Source: link-heap — /HEAP (Set heap size) linker option"""
    params = _params()
    heap = Heap(params)
    assert heap.committed_bytes == params.heap_initial_commit_bytes
    assert heap.used_bytes == 0
    assert len(heap.segments) == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"heap_segment_reserve_bytes": 65536},
        {"heap_segment_reserve_bytes": 65536, "interface_proxy_bytes": 3000},
        {
            "heap_segment_reserve_bytes": 98_304,
            "interface_proxy_bytes": 777,
            "proxy_manager_bytes": 100,
            "heap_segment_header_bytes": 5000,
            "heap_initial_commit_bytes": 8192,
        },
        {
            "heap_segment_reserve_bytes": 131072,
            "heap_segment_commit_bytes": 65536,
            "interface_proxy_bytes": 8192,
        },
    ],
)
def test_bump_allocation_matches_the_closed_form(overrides):
    params = _params(**overrides)
    heap = Heap(params)
    heap.alloc(params.proxy_manager_bytes, "proxy manager")
    heap.alloc(params.interface_proxy_bytes, "original")
    block = params.block_bytes(params.interface_proxy_bytes)
    first_top = (
        params.heap_segment_header_bytes + params.block_bytes(params.proxy_manager_bytes) + block
    )
    n_max = 1_500 if params.heap_segment_reserve_bytes > 200_000 else 300
    committed = [heap.committed_bytes]
    segments = [len(heap.segments)]
    for _ in range(n_max):
        heap.alloc(params.interface_proxy_bytes, "copy")
        committed.append(heap.committed_bytes)
        segments.append(len(heap.segments))
    n = np.arange(n_max + 1)
    expected = bump_committed_bytes(params, first_top, block, n)
    assert np.array_equal(expected, np.array(committed))
    assert segments == [segments_after_bump(params, first_top, block, int(k)) for k in n]
    assert segments[-1] >= 2 or params.heap_segment_reserve_bytes > 200_000


# -- coalescing and decommit -----------------------------------------------------------------------
def test_freeing_adjacent_blocks_leaves_one_free_block():
    heap = Heap(_params(decommit_total_free_bytes=NEVER))
    a = heap.alloc(1000, "a")
    b = heap.alloc(2000, "b")
    c = heap.alloc(3000, "c")
    heap.alloc(100, "d")  # keeps a, b and c away from the free tail
    heap.free(a)
    heap.free(c)
    assert len(_free_blocks(heap)) == 3  # a, c, and the tail
    heap.free(b)  # joins a and c
    free = _free_blocks(heap)
    assert len(free) == 2
    assert free[0].address == a and free[0].size == 1000 + 2000 + 3000
    _check_invariants(heap)


def test_freeing_every_block_leaves_one_free_block_per_segment():
    params = _params()
    heap = Heap(params)
    addresses = [heap.alloc(n, "x") for n in (64, 4000, 9000, 123, 40_000)]
    for address in (addresses[2], addresses[0], addresses[4], addresses[1], addresses[3]):
        heap.free(address)
    (only,) = _blocks(heap)
    assert only.owner is None
    assert only.size == params.heap_segment_reserve_bytes - params.heap_segment_header_bytes


def _heap_with_hole(free_block_threshold: int, total_threshold: int):
    """guard | X (three pages and a bit) | guard: freeing X makes a hole below the top."""
    heap = Heap(
        _params(
            decommit_free_block_bytes=free_block_threshold,
            decommit_total_free_bytes=total_threshold,
        )
    )
    heap.alloc(2000, "guard below")
    x = heap.alloc(14_000, "X")
    heap.alloc(200, "guard above")
    return heap, x


def _whole_pages_inside(lo: int, hi: int) -> range:
    return range(-(-lo // PAGE), hi // PAGE)


def test_a_freed_block_at_least_the_free_block_threshold_is_decommitted_once_free_bytes_suffice():
    heap, x = _heap_with_hole(free_block_threshold=8192, total_threshold=0)
    committed = heap.committed_bytes
    heap.free(x)  # a 14,000-byte hole >= 8,192, and any free bytes reach a threshold of 0
    pages = _whole_pages_inside(x, x + 14_000)
    assert len(pages) >= 2
    assert heap.committed_bytes == committed - len(pages) * PAGE
    seg = heap.snapshot().segments[0]
    assert not any(seg.committed_pages[p] for p in pages)
    _check_invariants(heap)


def test_a_big_freed_block_stays_committed_while_the_heap_holds_few_free_bytes():
    # The block threshold is met, the total-free threshold is not: the NT heap keeps the pages.
    heap, x = _heap_with_hole(free_block_threshold=8192, total_threshold=NEVER)
    committed = heap.committed_bytes
    heap.free(x)
    assert heap.committed_bytes == committed
    _check_invariants(heap)


def test_a_freed_block_below_both_thresholds_stays_committed():
    heap, x = _heap_with_hole(free_block_threshold=16_384, total_threshold=NEVER)
    committed = heap.committed_bytes
    free_before = heap.free_bytes
    heap.free(x)  # 14,000 < 16,384, and the heap holds far less than NEVER free bytes
    assert heap.committed_bytes == committed
    assert heap.free_bytes == free_before + 14_000  # the hole counts as free, still committed
    _check_invariants(heap)


def test_a_small_freed_block_stays_committed_however_many_free_bytes_the_heap_holds():
    # The total-free threshold is met (0), the block threshold is not: the pages stay.
    params = _params(decommit_free_block_bytes=16_777_216, decommit_total_free_bytes=0)
    heap = Heap(params)
    heap.alloc(100, "guard 0")
    x1 = heap.alloc(14_000, "X1")
    heap.alloc(100, "guard 1")
    committed = heap.committed_bytes
    heap.free(x1)
    assert heap.committed_bytes == committed
    _check_invariants(heap)


def test_free_bytes_on_decommitted_pages_no_longer_count_towards_the_total():
    heap, x = _heap_with_hole(free_block_threshold=0, total_threshold=0)
    free_before = heap.free_bytes
    heap.free(x)
    gone = len(_whole_pages_inside(x, x + 14_000)) * PAGE
    assert heap.free_bytes == free_before + 14_000 - gone


def test_only_whole_pages_inside_the_freed_block_are_decommitted():
    heap = Heap(_params(decommit_free_block_bytes=0, decommit_total_free_bytes=NEVER))
    heap.alloc(100, "guard")
    x = heap.alloc(3000, "X")  # inside the first page with the guard: no whole page
    heap.alloc(100, "guard above")
    committed = heap.committed_bytes
    heap.free(x)
    assert heap.committed_bytes == committed


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"heap_segment_reserve_bytes": 65536},
        {
            "heap_segment_reserve_bytes": 65536,
            "heap_segment_header_bytes": 6000,
            "heap_initial_commit_bytes": 8192,
        },
    ],
)
def test_with_both_thresholds_at_zero_freeing_every_block_leaves_only_header_pages(overrides):
    params = _params(decommit_free_block_bytes=0, decommit_total_free_bytes=0, **overrides)
    heap = Heap(params)
    rng = random.Random(7)
    count = 900 if params.heap_segment_reserve_bytes > 65536 else 300
    live = [heap.alloc(rng.choice([24, 256, 1792, 5000, 9000]), "x") for _ in range(count)]
    assert len(heap.segments) >= 2
    rng.shuffle(live)
    for address in live:
        heap.free(address)
    assert heap.used_bytes == 0
    header_pages = -(-params.heap_segment_header_bytes // PAGE)
    assert heap.committed_bytes == len(heap.segments) * header_pages * PAGE
    for seg in heap.snapshot().segments:
        assert sum(seg.committed_pages) == header_pages
        assert all(seg.committed_pages[:header_pages])


def test_after_the_kb_release_the_heap_keeps_less_than_its_total_free_threshold_per_segment():
    # Oldest first, as the proxy manager frees them: pages go back about 64 KB at a time.
    params = _params()
    heap = Heap(params)
    pm = heap.alloc(params.proxy_manager_bytes, "proxy manager")
    blocks = [heap.alloc(params.interface_proxy_bytes, "proxy") for _ in range(2000)]
    peak = heap.committed_bytes
    for address in blocks:
        heap.free(address)
    heap.free(pm)
    kept_free = heap.free_bytes
    assert heap.used_bytes == 0
    assert kept_free < len(heap.segments) * (params.decommit_total_free_bytes + PAGE)
    assert heap.committed_bytes < peak / 10
    _check_invariants(heap)


def test_a_new_segment_appears_when_one_is_full():
    params = _params(heap_segment_reserve_bytes=65536)
    heap = Heap(params)
    fits = (65536 - params.heap_segment_header_bytes) // 4096  # 15
    addresses = [heap.alloc(4096, "x") for _ in range(fits)]
    assert len(heap.segments) == 1
    assert all(a // 65536 == 0 for a in addresses)
    address = heap.alloc(4096, "one too many")
    assert len(heap.segments) == 2
    assert address // 65536 == 1
    assert address == 65536 + params.heap_segment_header_bytes
    # A small block still fits in the first segment's leftover: first fit by address.
    assert heap.alloc(8, "small") // 65536 == 0
    _check_invariants(heap)


def test_later_segments_double_as_the_heap_grows():
    # ReactOS RtlpExtendHeap: each new segment reserves the heap's running reserve, which then
    # grows by that much: 64, 64, 128, 256 KiB for a first reserve of 64 KiB.
    params = _params(heap_segment_reserve_bytes=65536)
    heap = Heap(params)
    while len(heap.segments) < 5:
        heap.alloc(4000, "x")
    sizes = [seg.reserve_bytes for seg in heap.snapshot().segments]
    assert sizes == [65536, 65536, 131072, 262144, 524288]
    bases = [seg.base for seg in heap.snapshot().segments]
    assert bases == [0, 65536, 131072, 262144, 524288]
    _check_invariants(heap)


def test_a_heap_refuses_to_grow_past_its_most_segments(monkeypatch):
    monkeypatch.setattr(comsim.model.heap, "MAX_SEGMENTS", 3)
    heap = Heap(_params(heap_segment_reserve_bytes=65536))
    with pytest.raises(MemoryError, match="3 segments"):
        for _ in range(1000):
            heap.alloc(30_000, "x")
    assert len(heap.segments) == 3


def test_a_segment_reserve_that_is_not_whole_pages_is_refused_with_a_clear_error():
    # A segment is reserved in whole pages; 67,584 bytes would be 16.5 pages.
    with pytest.raises(
        ValueError, match=r"heap_segment_reserve_bytes must be a whole number of pages.*67584"
    ):
        _params(heap_segment_reserve_bytes=67_584)


def test_a_freed_hole_is_reused_first_fit_by_address():
    heap = Heap(_params())
    a = heap.alloc(1000, "a")
    heap.alloc(1000, "b")
    heap.free(a)
    assert heap.alloc(500, "c") == a
    _check_invariants(heap)


# -- the fast engine's release in closed form -----------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(
    reserve=st.sampled_from([65536, 98304, 262144, 1048576]),
    block_request=st.integers(16, 9000),
    n=st.integers(0, 2500),
    free_block_threshold=st.sampled_from([0, 4096, 8192, 100_000, 16_777_216]),
    total_threshold=st.sampled_from([0, 4096, 10_000, 65536, 300_000, NEVER]),
)
def test_the_release_closed_form_matches_the_heap_freeing_oldest_first(
    reserve, block_request, n, free_block_threshold, total_threshold
):
    try:
        params = _params(
            heap_segment_reserve_bytes=reserve,
            interface_proxy_bytes=block_request,
            decommit_free_block_bytes=free_block_threshold,
            decommit_total_free_bytes=total_threshold,
        )
    except ValueError:  # two blocks and the proxy manager must fit in the first segment
        return
    heap = Heap(params)
    pm = heap.alloc(params.proxy_manager_bytes, "proxy manager")
    proxies = [heap.alloc(params.interface_proxy_bytes, "proxy") for _ in range(n + 1)]
    for address in proxies:
        heap.free(address)
    heap.free(pm)
    pm_block = params.block_bytes(params.proxy_manager_bytes)
    block = params.block_bytes(params.interface_proxy_bytes)
    assert bump_release_committed(params, pm_block, block, n) == heap.committed_bytes


# -- invariants under any sequence of allocations and frees ----------------------------------------
@settings(max_examples=60, deadline=None)
@given(
    reserve=st.sampled_from([65536, 81920, 131072, 262144]),
    header=st.integers(64, 6000),
    free_block_threshold=st.sampled_from([0, 4096, 8192, 65536, 16_777_216]),
    total_threshold=st.sampled_from([0, 4096, 65536, NEVER]),
    ops=st.lists(
        st.tuples(st.booleans(), st.integers(1, 20_000), st.integers(0, 10**6)),
        min_size=10,
        max_size=120,
    ),
)
def test_bytes_are_conserved_and_committed_bytes_are_whole_pages(
    reserve, header, free_block_threshold, total_threshold, ops
):
    params = _params(
        heap_segment_reserve_bytes=reserve,
        heap_segment_header_bytes=header,
        heap_initial_commit_bytes=-(-(header + 1) // PAGE) * PAGE,  # the header's pages
        decommit_free_block_bytes=free_block_threshold,
        decommit_total_free_bytes=total_threshold,
    )
    heap = Heap(params)
    live: list[int] = []
    for is_free, size, pick in ops:
        if is_free and live:
            heap.free(live.pop(pick % len(live)))
        else:
            live.append(heap.alloc(size, "x"))
        _check_invariants(heap)
    assert heap.used_bytes == sum(
        b.size for s in heap.snapshot().segments for b in s.blocks if b.owner is not None
    )


def test_a_freed_block_gives_its_pages_back_only_when_both_thresholds_hold():
    """The decommit rule notebook 03's exercise asks about (reactos-heap, inferred): the freed
    block must reach decommit_free_block_bytes and the heap's free bytes
    decommit_total_free_bytes."""
    p = Params()
    block, total = p.decommit_free_block_bytes, p.decommit_total_free_bytes
    assert gives_pages_back(p, block, total)
    assert not gives_pages_back(p, block - 8, 2 * total)
    assert not gives_pages_back(p, 8 * block, total - 8)
