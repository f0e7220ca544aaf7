"""Notebook 03's look under the proxies: the heap map of a live process with a one-line
summary, and where the committed bytes left after the final release sit."""

from __future__ import annotations

from ..figures import heap_map_figure
from ..model.heap import HeapSnapshot
from ..model.params import Params
from ..model.process import Process
from ..model.text import count, number

KIB = 1024


def heap_line(proc: Process, title: str) -> str:
    """One line with the heap's numbers now."""
    heap = proc.snapshot().heap
    blocks = sum(1 for seg in heap.segments for block in seg.blocks if block.owner)
    proxies = count(proc.interface_proxy_count, "interface proxy", "interface proxies")
    managers = count(len(proc.proxy_managers), "proxy manager")
    return (
        f"{title}: {count(len(heap.segments), 'segment')}; committed "
        f"{number(heap.committed_bytes / KIB, 'KiB', 0)}; {count(blocks, 'block')} in use "
        f"({number(heap.used_bytes / KIB, 'KiB', 1)}): {managers} and {proxies}"
    )


class HeapMap:
    """The heap map of ``proc`` now and its one-line summary: shows both in a notebook."""

    def __init__(self, proc: Process, title: str):
        if not isinstance(proc, Process):
            raise TypeError(f"proc must be a comsim.Process; got {proc!r} ({type(proc).__name__})")
        self.figure = heap_map_figure(proc.snapshot(), title=title)
        self.line = heap_line(proc, title)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.figure)
        print(self.line)

    def __repr__(self) -> str:
        return self.line


def heap_map(proc: Process, title: str) -> HeapMap:
    """The heap map of ``proc`` now, with a one-line summary under it."""
    return HeapMap(proc, title)


def _first_pages(n: int) -> str:
    """'its first page' or 'its first 3 pages'."""
    return "its first page" if n == 1 else f"its first {number(n)} pages"


def heap_leftover(heap: HeapSnapshot, start_bytes: int, params: Params) -> str:
    """Where the committed bytes after the final release are, segment by segment, and why
    the heap kept them."""
    page = params.page_bytes
    lines = [
        f"committed before the loop: {number(start_bytes / KIB, 'KiB', 0)} in 1 segment "
        f"({_first_pages(params.heap_initial_commit_bytes // page)}, the initial commit); "
        f"after the final release: {number(heap.committed_bytes / KIB, 'KiB', 0)} in "
        f"{count(len(heap.segments), 'segment')}"
    ]
    for segment in heap.segments:
        header_pages = -(-segment.header_bytes // page)
        pages = sum(segment.committed_pages)
        lines.append(
            f"  segment {segment.index}: {count(pages, 'page')} committed = {header_pages} with "
            f"its header + {count(pages - header_pages, 'free page')} kept"
        )
    lines.append(
        f"free bytes on committed pages now: {number(heap.free_bytes, 'B')}, below the "
        f"{number(params.decommit_total_free_bytes, 'B')} total-free threshold. Each decommit "
        "takes its pages out of that count, so the free bytes fell as the heap gave pages "
        "back; once they were below it, the frees that followed kept their pages committed"
    )
    return "\n".join(lines)
