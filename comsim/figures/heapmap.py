"""The heap map: one row per heap segment, one cell per page. It shows why private bytes move in
page steps: committed pages are shaded, the blocks in use are drawn on top of them, and each row
says how much of its segment is committed.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..model import heap as heap_model
from ..model.process import Snapshot
from . import alt
from .style import OKABE_ITO, in_style, new_figure

MAX_PAGE_LINES = 64  # page boundaries are drawn only where there are few enough to see


@in_style
def heap_map_figure(snap: Snapshot, title: str = "Heap pages", max_segments: int = 8) -> Figure:
    """One row per heap segment (the first ``max_segments``), one cell per page: committed
    pages shaded, blocks in use drawn on top (narrower, so they differ by shape as well as
    colour). Every label sits inside the figure: the committed sizes in a column right of the
    axes, which constrained layout makes room for."""
    segments = snap.heap.segments[:max_segments]
    fig = new_figure(9.0, max(2.6, 1.3 + 0.55 * len(segments)))
    ax = fig.add_subplot()
    for row, seg in enumerate(segments):
        _draw_segment(ax, row, seg)
    _label_axes(ax, segments, title)
    rule = snap.heap.segment_rule  # how the model sizes segments, with its provenance tag
    fig.supxlabel(textwrap.fill(f"Model: {rule}", 90), fontsize="small", color="0.3")
    fig.comsim_alt = f"{alt.heap_map_alt(snap, title, max_segments)} Model: {rule}."
    return fig


def _draw_segment(ax: Axes, row: int, seg: heap_model.SegmentSnapshot) -> None:
    """Row ``row``: the segment's reserved range, its committed pages, its blocks in use, and
    how many KiB it has committed (right of the axes)."""
    page = seg.reserve_bytes / len(seg.committed_pages)
    ax.add_patch(  # the reserved address range (segments may differ in size)
        Rectangle(
            (0, row - 0.4),
            seg.reserve_bytes / 1024,
            0.8,
            facecolor="none",
            edgecolor="0.4",
            linewidth=0.8,
        )
    )
    # One collection per layer, not one patch per page run or block: a segment can hold
    # thousands of blocks, and a collection draws them in one pass.
    committed = [
        (start * page / 1024, (stop - start) * page / 1024)
        for start, stop in _runs(np.array(seg.committed_pages))
    ]
    ax.broken_barh(committed, (row - 0.4, 0.8), facecolors=OKABE_ITO["sky"], alpha=0.5)
    in_use = [
        ((b.address - seg.base) / 1024, b.size / 1024) for b in seg.blocks if b.owner is not None
    ]
    ax.broken_barh(
        in_use,
        (row - 0.25, 0.5),
        facecolors=OKABE_ITO["vermillion"],
        edgecolors="white",
        linewidths=0.4,
    )
    ax.annotate(
        f"{seg.committed_bytes / 1024:,.0f} KiB committed",
        (1.0, row),
        xycoords=("axes fraction", "data"),
        xytext=(6, 0),
        textcoords="offset points",
        va="center",
        size="small",
    )


def _label_axes(ax: Axes, segments: Sequence[heap_model.SegmentSnapshot], title: str) -> None:
    """Limits, page boundaries, one tick per segment, and labels with units."""
    if segments:
        reserve_kib = max(s.reserve_bytes for s in segments) / 1024
        page_kib = segments[0].reserve_bytes / 1024 / len(segments[0].committed_pages)
        if reserve_kib / page_kib <= MAX_PAGE_LINES:
            for edge in np.arange(0, reserve_kib + page_kib / 2, page_kib):
                ax.axvline(edge, color="0.6", linewidth=0.5, zorder=0)
        ax.set_xlim(0, reserve_kib * 1.02)
    ax.set_ylim(len(segments) - 0.5, -0.5)
    ax.set_yticks(range(len(segments)), [f"segment {s.index}" for s in segments])
    ax.set_xlabel("offset in the segment (KiB); blue = committed pages, red = blocks in use")
    if segments:
        ax.set_ylabel(f"segment\n({alt.segment_sizes(segments)})")
    ax.set_title(title)


def _runs(mask: np.ndarray) -> Iterable[tuple[int, int]]:
    """(start, stop) of each run of True in ``mask``."""
    padded = np.concatenate(([0], mask.astype(np.int8), [0]))
    edges = np.flatnonzero(np.diff(padded))
    return zip(edges[::2], edges[1::2], strict=True)
