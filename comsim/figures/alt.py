"""Alt text: for every figure, what a screen reader, a report or a slide should say about it, with
the numbers it draws (where private bytes start, peak and end; how many interface proxies are
alive; the proxy manager's reference count), not just its title.

A figure carries its sentence as ``fig.comsim_alt``; :func:`alt_text` reads it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from ..engines.runs import PHASES
from ..engines.trace import MIB, Trace
from ..model.process import Snapshot
from ..model.text import count, number
from .scales import X_AXES, mib_digits

if TYPE_CHECKING:
    from .explorer_plot import ModelCounts


def alt_text(fig: Figure) -> str:
    """What a screen reader should say for ``fig``: its ``comsim_alt`` sentence (with the
    figure's numbers), or, for a figure that has none, its title(s)."""
    text = getattr(fig, "comsim_alt", "")
    if isinstance(text, str) and text.strip():
        return text.strip()
    titles = [fig.get_suptitle()] + [ax.get_title() for ax in fig.axes]
    titles = [" ".join(t.split()) for t in titles if t and t.strip()]
    return "; ".join(dict.fromkeys(titles)) or "A figure with no title or description."


def _mib(n_bytes: float, digits: int) -> str:
    return number(n_bytes / MIB, digits=digits)


def memory_alt(traces: Mapping[str, Trace], x: str = "iteration") -> str:
    """Alt text of a memory figure: per run, where private bytes start, peak and end. It says
    only what the lines show: no count of interface proxies, which the figure does not draw
    (and which notebook 01 asks a learner to predict)."""
    sentences = [f"Line chart of private bytes (MiB) against {X_AXES[x][1]}."]
    for label, trace in traces.items():
        s = trace.summary
        d = mib_digits(s.peak_private_bytes - s.start_private_bytes)
        who = label if label == trace.strategy else f"{label} ({trace.strategy})"
        sentences.append(
            f"{who}: private bytes {_climb(trace, d)} over "
            f"{count(s.iterations, 'iteration', 'iterations')} at "
            f"tightness {number(s.tightness)} ({number(s.loop_seconds, 's', 1)}), "
            f"{_at_release(s, d)} and end at {_mib(s.end_private_bytes, d)} MiB."
        )
    return " ".join(sentences)


def proxies_alt(traces: Mapping[str, Trace]) -> str:
    """Per run, the interface proxies alive at the end of the loop: what an explorer's caption
    states beside its memory plot."""
    return " ".join(
        f"{label}: "
        + count(t.summary.interface_proxies_at_end_of_loop, "interface proxy", "interface proxies")
        + " alive at the end of the loop."
        for label, t in traces.items()
    )


def _climb(trace, digits: int) -> str:
    """ "climb from A to B MiB"; "stay at A MiB" when they never rise (as the numbers read); or
    "rise by N KiB in the first k iterations, then stay at B MiB" when the whole rise comes in
    the first hundredth of the loop (a cost paid once, as the cache's)."""
    s = trace.summary
    start, peak = _mib(s.start_private_bytes, digits), _mib(s.peak_private_bytes, digits)
    if start == peak:
        return f"stay at {start} MiB"
    a = trace.arrays
    in_loop = a.phase == PHASES.index("loop")
    reached = a.iteration[in_loop & (a.private_bytes >= s.end_of_loop_private_bytes)]
    early = len(reached) and reached[0] * 100 <= s.iterations
    if early and s.end_of_loop_private_bytes == s.peak_private_bytes:
        rise_kib = (s.peak_private_bytes - s.start_private_bytes) / 1024
        k = int(reached[0])
        first = "the first iteration" if k == 1 else f"the first {number(k)} iterations"
        return f"rise by {number(rise_kib)} KiB in {first}, then stay at {peak} MiB"
    return f"climb from {start} to {peak} MiB"


def _at_release(s, digits: int, when: str = "at the final release") -> str:
    """What the final release does to the line: a fall, or nothing it shows."""
    before = _mib(s.end_of_loop_private_bytes, digits)
    after = _mib(s.after_release_private_bytes, digits)
    if after == before:
        return f"do not move {when} ({after} MiB)"
    return f"fall to {after} MiB {when}"


def breakdown_alt(trace: Trace, x: str, released: float) -> str:
    """Alt text of the breakdown figure: the size of each stacked part, the peak, and what the
    final release (at ``released`` on the x axis) gives back."""
    s, a = trace.summary, trace.arrays
    d = mib_digits(s.peak_private_bytes - s.start_private_bytes)
    where = f"{number(round(released))} iterations" if x == "iteration" else f"{released:.1f} s"
    return (
        f"Stacked areas of private bytes (MiB) against {X_AXES[x][1]} for {trace.strategy} "
        f"({trace.policy}), {number(s.iterations)} iterations at tightness "
        f"{number(s.tightness)}: the rest of the process "
        f"{_mib(trace.params.base_private_bytes, d)} MiB, the heap up to "
        f"{_mib(a.heap_committed_bytes.max(), d)} MiB, transient buffers (H2) up to "
        f"{_mib(a.transient_committed_bytes.max(), d)} MiB; total peak "
        f"{_mib(s.peak_private_bytes, d)} MiB. Private bytes "
        f"{_at_release(s, d, f'at the final release ({where})')} and end at "
        f"{_mib(s.end_private_bytes, d)} MiB."
    )


def sweep_alt(tightness: np.ndarray, bytes_per_iteration: Mapping[str, np.ndarray]) -> str:
    """Alt text of the sweep: per setting, its lowest and highest growth per iteration and the
    tightness where each is reached."""
    described = []
    for label, values in bytes_per_iteration.items():
        values = np.asarray(values, dtype=float)
        lo, hi = int(np.argmin(values)), int(np.argmax(values))
        if f"{values[lo]:,.0f}" == f"{values[hi]:,.0f}":  # a flat line has no lowest point
            described.append(f"{label}: {values[lo]:,.0f} B at every tightness")
            continue
        described.append(
            f"{label}: from {values[lo]:,.0f} B (tightness {tightness[lo]:g}) to "
            f"{values[hi]:,.0f} B (tightness {tightness[hi]:g})"
        )
    return (
        f"Line chart of private-bytes growth per iteration (bytes) against tightness, "
        f"{tightness.size} values from {tightness.min():g} to {tightness.max():g}. "
        + "; ".join(described)
        + "."
    )


def model_panel_alt(counts: Mapping[str, ModelCounts]) -> str:
    """Alt text of the explorer's model panel: per run, the interface proxies alive and the
    proxy manager's refcount, at the end of the loop and after the final release."""
    parts = [
        f"{label}: "
        + count(c.proxies_at_end_of_loop, "interface proxy", "interface proxies")
        + f" alive with proxy manager refcount {number(c.refcount_at_end_of_loop)} at the end "
        f"of the loop, {number(c.proxies_after_release)} and "
        f"{number(c.refcount_after_release)} after the final release"
        for label, c in counts.items()
    ]
    return "Beside it, inside the model: " + "; ".join(parts) + "."


def explorer_alt(
    memory: str,
    counts: Mapping[str, ModelCounts] | None,
    reference: tuple[str, Trace] | None,
    *,
    proxies: str,
    log_x: bool,
    log_y: bool,
) -> str:
    """Alt text of an explorer's figure: its memory plot (``memory``), the model panel (if
    ``counts``; else the ``proxies`` sentence its caption states), the grey ``reference`` run
    (label, trace) if there is one, and the fixed axes' scales."""
    alt = [memory, proxies if counts is None else model_panel_alt(counts)]
    if reference is not None:
        label, trace = reference
        peak = trace.summary.peak_private_bytes
        alt.append(f"Grey reference line: {label}, peak {_mib(peak, 1)} MiB.")
    scale = {True: "logarithmic", False: "linear"}
    alt.append(f"The axes stay fixed: x {scale[log_x]}, y {scale[log_y]}.")
    return " ".join(alt)


def object_graph_alt(snap: Snapshot, title: str = "", step: str | None = None) -> str:
    """Alt text of the object graph: the step, the refcount, the interface proxies alive and
    private bytes."""
    head = ". ".join(t for t in (step, title, snap.note) if t)
    if not snap.proxy_managers:
        inside = "No proxy manager: everything it held has been freed"
    else:
        pm = snap.proxy_managers[0]
        copies = sum(p.is_copy for p in pm.interface_proxies)
        inside = (
            f"Proxy manager #{pm.id} with refcount {pm.refcount}; "
            + count(len(pm.interface_proxies), "interface proxy", "interface proxies")
            + f" alive ({number(copies)} of them copies)"
        )
    return (
        f"{head}. {inside}; heap blocks in use {number(snap.heap.used_bytes)} bytes; private "
        f"bytes {_mib(snap.private_bytes, 3)} MiB ({number(snap.private_bytes)} bytes)."
    )


def segment_sizes(segments) -> str:
    """The segments' reserved size, as the heap map's axis and its alt text both say it:
    "64 KiB", "64 KiB each", or "64 to 1,024 KiB"."""
    sizes = sorted({s.reserve_bytes // 1024 for s in segments})
    if len(sizes) > 1:
        return f"{sizes[0]:,} to {sizes[-1]:,} KiB"
    return f"{sizes[0]:,} KiB" + ("" if len(segments) == 1 else " each") if sizes else ""


def heap_map_alt(snap: Snapshot, title: str = "Heap pages", max_segments: int = 8) -> str:
    """Alt text of the heap map: segments, committed pages and blocks in use."""
    segs = snap.heap.segments
    pages = sum(len(s.committed_pages) for s in segs)
    committed = sum(sum(s.committed_pages) for s in segs)
    blocks = sum(b.owner is not None for s in segs for b in s.blocks)
    size = segment_sizes(segs)
    shown = f" (the first {max_segments} drawn)" if len(segs) > max_segments else ""
    return (
        f"Heap map, {title}: {count(len(segs), 'segment')} ({size}){shown}; "
        f"{number(committed)} of {number(pages)} pages committed "
        f"({snap.heap.committed_bytes / 1024:,.0f} KiB); {number(blocks)} blocks in use "
        f"({number(snap.heap.used_bytes)} bytes)."
    )
