"""The heap behaviours the course states as sourced, each pinned to its source so it cannot
drift back. Sources are keys of comsim.model.sources.SOURCES, explained in docs/sources.md."""

from __future__ import annotations

import pytest

import comsim
from comsim import PARAMETERS
from comsim.model.sources import SOURCES

PAGE = 4096
COPIES = 200  # about 350 KB of copies: one segment, well past 64 KB


def _private_bytes_around_the_final_release(**overrides) -> tuple[int, int, int]:
    """Run the KB's loop COPIES times on the object model; return private bytes before the
    loop, at its end, and after the proxy manager's final release."""
    proc = comsim.Process(transient_bytes_per_call=0, **overrides)
    pItf = proc.CoCreateInstanceEx("SimpleObject", "IStream")
    start = proc.private_bytes
    for _ in range(COPIES):
        pCS = pItf.QueryInterface("IClientSecurity")
        pCopy = pCS.CopyProxy(pItf)
        pCS.Release()
        pCopy.Release()
    peak = proc.private_bytes
    pItf.Release()
    return start, peak, proc.private_bytes


def test_the_heap_defaults_are_the_documented_rtl_heap_parameters():
    """RTL_HEAP_PARAMETERS (ntifs.h), source key ``rtl-heap-parameters``: SegmentReserve 1 MB,
    SegmentCommit two pages, DeCommitFreeBlockThreshold one page, DeCommitTotalFreeThreshold
    65,536 bytes. Documented for Windows XP and later; the parameter table says that using
    them for NT4 is an inference."""
    assert "rtl-heap-parameters" in SOURCES
    expected = {
        "heap_segment_reserve_bytes": 1 << 20,
        "heap_segment_commit_bytes": 2 * PAGE,
        "decommit_free_block_bytes": PAGE,
        "decommit_total_free_bytes": 65_536,
    }
    for name, value in expected.items():
        p = PARAMETERS[name]
        assert p.value == value, name
        assert p.source_key == "rtl-heap-parameters", name
        assert "NT4" in p.source and "inference" in p.source, name
        assert "315407" not in p.source, f"{name}: KB 315407 gives no defaults"


def test_decommit_needs_both_the_block_and_the_total_free_threshold():
    """ReactOS sdk/lib/rtl/heap.c (source key ``reactos-heap``; Microsoft documents only the two
    thresholds, ``rtl-heap-parameters``): RtlFreeHeap keeps a freed, coalesced block committed
    when it is below DeCommitFreeBlockThreshold or when the heap's total free bytes are below
    DeCommitTotalFreeThreshold, and decommits its whole pages only when both are reached.
    Checked on the object model: the final release gives pages back only when both can be
    reached."""
    assert {"reactos-heap", "rtl-heap-parameters"} <= set(SOURCES)
    rule = PARAMETERS["decommit_total_free_bytes"]
    assert rule.source_key == "rtl-heap-parameters"

    # Both reachable (the defaults): nearly everything the copies committed comes back.
    start, peak, after = _private_bytes_around_the_final_release()
    assert peak - start > 300_000
    assert after - start < 65_536 + PAGE

    # The heap never holds 1 GiB free: the total-free test fails, nothing is decommitted.
    start, peak, after = _private_bytes_around_the_final_release(decommit_total_free_bytes=1 << 30)
    assert after == peak

    # No freed run reaches 16 MiB: the block test fails, nothing is decommitted either.
    start, peak, after = _private_bytes_around_the_final_release(decommit_free_block_bytes=16 << 20)
    assert after == peak

    # Both thresholds at zero: every page but the heap header's goes back.
    start, peak, after = _private_bytes_around_the_final_release(
        decommit_free_block_bytes=0, decommit_total_free_bytes=0
    )
    assert after == comsim.Params().base_private_bytes + PAGE


def test_the_heap_keeps_up_to_its_total_free_threshold_committed_after_the_kb_release():
    """ReactOS sdk/lib/rtl/heap.c (``reactos-heap``): decommitted pages leave the heap's total
    free count, so after a large release the heap decommits in steps and ends holding less than
    DeCommitTotalFreeThreshold of free committed pages (plus a partial page). That is the KB's
    "eventually subsides" (``kb-q216248``), not a return to the last byte."""
    s = comsim.simulate(transient_bytes_per_call=0).summary
    kept = s.end_private_bytes - s.start_private_bytes
    segments_extra_headers = 6 * PAGE  # 20,001 copies need 7 segments: 1, 1, 2, 4, 8, 16, 32 MB
    assert 0 < kept <= comsim.Params().decommit_total_free_bytes + segments_extra_headers + PAGE
    assert "free pages it keeps, and the header pages of any segments" in s.describe()


@pytest.mark.parametrize("name", ["page_bytes", "tightness"])
def test_tags_say_what_is_documented_and_what_is_the_courses_own(name):
    """SYSTEM_INFO (``system-info``) documents that memory is committed in pages of
    dwPageSize bytes but names no number: 4,096 is the x86 processor's page, which the course
    takes as a hardware fact, so ``page_bytes`` is inferred, as the ``page-size`` claim says.
    ``tightness`` is the course's own definition (the share of wall time inside the calls), so it
    is inferred, not documented."""
    expected = {"page_bytes": "inferred", "tightness": "inferred"}[name]
    assert PARAMETERS[name].tag == expected
