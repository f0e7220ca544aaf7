"""Notebook 03's heap views, from the library (issue 16: its main path runs without a 70-line
helper cell)."""

from __future__ import annotations

import pytest

import comsim


def _process(passes: int):
    proc = comsim.Process(heap_segment_reserve_bytes=65_536)
    stream = proc.CoCreateInstanceEx("SimpleObject", "IStream")
    for _ in range(passes):
        security = stream.QueryInterface("IClientSecurity")
        copy = security.CopyProxy(stream)
        security.Release()
        copy.Release()
    return proc, stream


def test_the_heap_map_shows_the_figure_and_a_line_with_right_plurals():
    proc, _ = _process(0)
    view = comsim.heap_map(proc, "Before the loop")
    assert "1 segment;" in view.line and "1 interface proxy" in view.line
    assert view.figure.comsim_alt
    proc2, _ = _process(100)
    line = comsim.heap_map(proc2, "After 100 passes").line
    assert "101 interface proxies" in line and "segments" in line


def test_the_leftover_says_where_the_committed_bytes_sit_after_the_final_release():
    proc, stream = _process(100)
    start = comsim.Process(heap_segment_reserve_bytes=65_536)
    start.CoCreateInstanceEx("SimpleObject", "IStream")
    at_start = start.snapshot().heap.committed_bytes
    stream.Release()
    text = comsim.heap_leftover(proc.snapshot().heap, at_start, proc.params)
    assert "after the final release" in text and "segment 0:" in text
    assert "total-free threshold" in text


def test_a_heap_map_of_something_that_is_no_process_is_a_type_error():
    with pytest.raises(TypeError, match="proc must be a comsim.Process"):
        comsim.heap_map("heap", "title")
