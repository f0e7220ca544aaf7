"""Figures drawn from traces and snapshots. Matplotlib only: no widgets here.

Every figure has a title, axes with units, colours from the Okabe-Ito palette (safe for the
common colour-vision deficiencies, and each series also differs by line style), and a one-line
text summary (see :meth:`comsim.Summary.describe`) to print under it.

Figures are made with :class:`matplotlib.figure.Figure`, not ``pyplot``, so redrawing an
explorer never piles up figures in the notebook.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Rectangle
from matplotlib.ticker import MaxNLocator

from .com import Snapshot
from .runs import PHASES, RunArrays
from .trace import MIB, Trace

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
STRATEGY_STYLE = {
    "copy-each-time": dict(color=OKABE_ITO["vermillion"], linestyle="-"),
    "co-copy-proxy": dict(color=OKABE_ITO["orange"], linestyle=(0, (6, 3))),
    "cache-copy": dict(color=OKABE_ITO["green"], linestyle="-."),
    "no-copy": dict(color=OKABE_ITO["blue"], linestyle=":"),
}
SERIES_LINESTYLES = ["-", (0, (6, 3)), "-.", ":", (0, (1, 1)), (0, (8, 2, 2, 2))]


def series_style(label: str, k: int) -> dict:
    """Colour and line style of series number ``k``: a strategy keeps its own; any other label
    gets the k-th Okabe-Ito colour and the k-th line style, so no two series differ by colour
    alone."""
    if label in STRATEGY_STYLE:
        return STRATEGY_STYLE[label]
    return dict(
        color=SERIES_COLORS[k % len(SERIES_COLORS)],
        linestyle=SERIES_LINESTYLES[k % len(SERIES_LINESTYLES)],
    )


SERIES_COLORS = [
    OKABE_ITO[k]
    for k in ("vermillion", "blue", "green", "orange", "purple", "sky", "black", "yellow")
]

STYLES = {
    "notebook": {
        "font.size": 10,
        "axes.titlesize": 11,
        "axes.labelsize": 10,
        "lines.linewidth": 1.8,
        "figure.dpi": 96,
        "legend.fontsize": 9,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
    },
    "projector": {
        "font.size": 16,
        "axes.titlesize": 18,
        "axes.labelsize": 16,
        "lines.linewidth": 3.2,
        "figure.dpi": 96,
        "legend.fontsize": 14,
        "xtick.labelsize": 14,
        "ytick.labelsize": 14,
    },
}
_current_style = "notebook"


def style(name: str = "notebook") -> str:
    """Set the look of comsim figures: ``"notebook"`` or ``"projector"`` (large type and thick
    lines, for the back of a classroom). Returns the previous style's name."""
    global _current_style
    if name not in STYLES:
        raise ValueError(f"style must be one of {', '.join(map(repr, STYLES))}; got {name!r}")
    previous, _current_style = _current_style, name
    mpl.rcParams.update(STYLES[name])
    mpl.rcParams["axes.prop_cycle"] = mpl.cycler(color=SERIES_COLORS)
    return previous


def current_style() -> str:
    return _current_style


def new_figure(width: float = 8.0, height: float = 4.2, fixed_margins: bool = False) -> Figure:
    """A figure outside pyplot's registry, sized for the current style.

    ``fixed_margins`` skips matplotlib's constrained layout (a third of the drawing time) for
    figures redrawn on every slider move."""
    scale = 1.35 if _current_style == "projector" else 1.0
    if not fixed_margins:
        return Figure(figsize=(width * scale, height * scale), layout="constrained")
    fig = Figure(figsize=(width * scale, height * scale))
    fig.subplots_adjust(left=0.1, right=0.98, top=0.91, bottom=0.14)
    return fig


def mib(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float64) / MIB


# -- memory against iterations or time ----------------------------------------------------------
X_AXES = {
    "iteration": ("iteration", "loop iterations completed"),
    "time": ("time_s", "wall time since the object was created (s)"),
}


def _x_values(a: RunArrays, x: str) -> np.ndarray:
    return a.iteration if x == "iteration" else a.time_us / 1e6


class MemoryPlot:
    """Private bytes (MiB) of one or more runs, drawn once and updated in place."""

    def __init__(
        self,
        x: str = "iteration",
        title: str = "Private bytes of the client process",
        labels: Sequence[str] = ("copy-each-time",),
        fig: Figure | None = None,
        ax: Axes | None = None,
    ):
        if x not in X_AXES:
            raise ValueError(f"x must be one of {', '.join(map(repr, X_AXES))}; got {x!r}")
        self.x = x
        self.figure = fig if fig is not None else new_figure(fixed_margins=True)
        self.ax = ax if ax is not None else self.figure.add_subplot()
        self.lines = {}
        for k, label in enumerate(labels):
            kw = series_style(label, k)
            (self.lines[label],) = self.ax.plot([], [], label=label, **kw)
        # One dashed marker per run, in the run's colour: runs may release at different times.
        self.release_lines = {
            label: self.ax.axvline(
                np.nan,
                color=line.get_color(),
                linewidth=1,
                linestyle="--",
                label="final release" if k == 0 else None,
            )
            for k, (label, line) in enumerate(self.lines.items())
        }
        self.ax.set_title(title)
        self.ax.set_xlabel(X_AXES[x][1])
        self.ax.set_ylabel("private bytes (MiB)")
        self.ax.grid(True, alpha=0.3)
        self.ax.legend(loc="upper left")
        # Text is most of a redraw's cost: a few ticks per axis keep a slider move fast.
        self.ax.xaxis.set_major_locator(MaxNLocator(6))
        self.ax.yaxis.set_major_locator(MaxNLocator(6))

    def update(self, traces: dict[str, Trace] | Trace, max_points: int = 800) -> None:
        """Show these runs (one per label); rescale the axes."""
        if isinstance(traces, Trace):
            traces = {next(iter(self.lines)): traces}
        xmax, ymax = 1.0, 0.0
        for label, trace in traces.items():
            a = trace.sampled(max_points)
            xs = _x_values(a, self.x)
            ys = mib(a.private_bytes)
            self.lines[label].set_data(xs, ys)
            xmax, ymax = max(xmax, float(xs.max())), max(ymax, float(ys.max()))
            released = float(xs[np.flatnonzero(a.phase == PHASES.index("final-release"))[0]])
            self.release_lines[label].set_xdata([released, released])
        self.ax.set_xlim(0, xmax * 1.02)
        self.ax.set_ylim(0, ymax * 1.08 + 0.1)


def memory_figure(
    traces: dict[str, Trace] | Trace,
    x: str = "iteration",
    title: str = "Private bytes of the client process",
) -> Figure:
    """A finished figure of private bytes for one run or several labelled runs."""
    labels = [traces.strategy] if isinstance(traces, Trace) else list(traces)
    if isinstance(traces, Trace):
        traces = {traces.strategy: traces}
    plot = MemoryPlot(x=x, title=title, labels=labels)
    plot.update(traces)
    return plot.figure


def breakdown_figure(
    trace: Trace, x: str = "time", title: str = "What private bytes are made of"
) -> Figure:
    """Stacked areas: the rest of the process, the heap (interface proxies), and the transient
    buffers still waiting for the reaper (hypothesis H2)."""
    a = trace.sampled(1500)
    xs = _x_values(a, x)
    fig = new_figure()
    ax = fig.add_subplot()
    base = np.full(xs.shape, mib(trace.params.base_private_bytes))
    ax.stackplot(
        xs,
        base,
        mib(a.heap_committed_bytes),
        mib(a.transient_committed_bytes),
        labels=[
            "rest of the process (flat, hypothesis)",
            "heap: proxy manager and interface proxies",
            "transient buffers waiting for the reaper (H2, hypothesis)",
        ],
        colors=[OKABE_ITO["sky"], OKABE_ITO["vermillion"], OKABE_ITO["yellow"]],
        alpha=0.85,
    )
    released = np.flatnonzero(a.phase == PHASES.index("final-release"))
    ax.axvline(
        float(xs[released[0]]),
        color=OKABE_ITO["black"],
        linewidth=1,
        linestyle="--",
        label="final release",
    )
    ax.set_title(title)
    ax.set_xlabel(X_AXES[x][1])
    ax.set_ylabel("private bytes (MiB)")
    ax.legend(loc="upper left")
    ax.grid(True, alpha=0.3)
    return fig


def sweep_figure(
    tightness: np.ndarray,
    bytes_per_iteration: dict[str, np.ndarray],
    title: str = "Growth per iteration against loop tightness",
) -> Figure:
    """Bytes per iteration (y) for several settings (one line each) across tightness (x)."""
    fig = new_figure(7.5, 4.0)
    ax = fig.add_subplot()
    for k, (label, values) in enumerate(bytes_per_iteration.items()):
        ax.plot(
            tightness,
            values,
            marker="o",
            label=label,
            **series_style(label, k),
        )
    ax.set_title(title)
    ax.set_xlabel("tightness (share of wall time spent in the calls)")
    ax.set_ylabel("private-bytes growth per iteration (bytes)")
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right")
    return fig


# -- the object graph ------------------------------------------------------------------------------
class ObjectGraphPlot:
    """The client-side aggregate of one snapshot: the proxy manager with its local interfaces and
    single reference count, its interface proxies (copies marked), and a memory bar."""

    def __init__(self, title: str = "Inside the client process"):
        self.figure = new_figure(9.0, 5.0)
        grid = self.figure.add_gridspec(1, 2, width_ratios=[5, 1])
        self.ax = self.figure.add_subplot(grid[0, 0])
        self.mem_ax = self.figure.add_subplot(grid[0, 1])
        self.title = title

    def update(self, snap: Snapshot, bar_max_bytes: int | None = None) -> None:
        ax, mem = self.ax, self.mem_ax
        ax.clear()
        mem.clear()
        ax.set_xlim(0, 10)
        ax.set_ylim(0, 6)
        ax.axis("off")
        self.figure.suptitle(
            f"{self.title}\n{snap.note}" if snap.note else self.title,
            x=0.01,
            ha="left",
            fontsize="large",
        )
        if not snap.proxy_managers:
            ax.text(
                5,
                3,
                "no proxy manager:\neverything it held has been freed",
                ha="center",
                va="center",
                size="large",
            )
        for pm in snap.proxy_managers[:1]:
            box = Rectangle(
                (0.1, 0.6),
                3.0,
                4.8,
                facecolor=OKABE_ITO["sky"],
                alpha=0.35,
                edgecolor=OKABE_ITO["blue"],
                linewidth=2,
            )
            ax.add_patch(box)
            ax.text(1.6, 4.95, f"proxy manager #{pm.id}", ha="center", weight="bold")
            ax.text(
                1.6,
                4.3,
                f"refcount = {pm.refcount}",
                ha="center",
                size="large",
                color=OKABE_ITO["vermillion"],
                weight="bold",
            )
            ax.text(
                1.6, 3.6, "answers itself,\nno allocation:", ha="center", va="top", size="small"
            )
            for k, name in enumerate(pm.local_interfaces[:3]):
                ax.text(1.6, 2.6 - 0.45 * k, name, ha="center", size="small", family="monospace")
            shown = pm.interface_proxies[-6:]
            hidden = len(pm.interface_proxies) - len(shown)
            for k, p in enumerate(shown):
                y = 4.9 - 0.8 * k
                color = OKABE_ITO["orange"] if p.is_copy else OKABE_ITO["green"]
                ax.add_patch(
                    Rectangle(
                        (4.0, y - 0.32),
                        5.9,
                        0.64,
                        facecolor=color,
                        alpha=0.45,
                        edgecolor="black",
                        hatch="//" if p.is_copy else None,
                    )
                )
                kind = f"copy of #{p.copied_from}" if p.is_copy else "original"
                ax.text(
                    4.1,
                    y,
                    f"{p.iid} #{p.id}, {kind}: client holds {p.handed_refs}",
                    va="center",
                    size="small",
                    bbox=dict(facecolor="white", alpha=0.8, edgecolor="none", pad=1),
                )
                ax.add_patch(
                    FancyArrowPatch(
                        (3.1, 3.0), (4.0, y), arrowstyle="-|>", mutation_scale=12, color="0.3"
                    )
                )
            if hidden:
                ax.text(
                    7.0,
                    0.2,
                    f"... and {hidden:,} earlier interface proxies",
                    ha="center",
                    size="small",
                )
        used = snap.heap.used_bytes
        pending = snap.transient_pending_bytes
        top = bar_max_bytes or max(used + pending, 1)
        mem.bar([0], [used / 1024], color=OKABE_ITO["vermillion"], label="heap blocks")
        mem.bar(
            [0],
            [pending / 1024],
            bottom=[used / 1024],
            color=OKABE_ITO["yellow"],
            label="transient (H2)",
        )
        mem.set_ylim(0, top / 1024 * 1.35)
        mem.set_xticks([])
        mem.set_ylabel("bytes in use (KiB)")
        mem.set_title(f"private bytes:\n{snap.private_bytes / MIB:.3f} MiB", size="medium")
        mem.legend(loc="upper center", fontsize="x-small")


def heap_map_figure(snap: Snapshot, title: str = "Heap pages", max_segments: int = 8) -> Figure:
    """One row per heap segment, one cell per page: committed pages shaded, blocks in use
    drawn on top. Shows why private bytes move in page steps."""
    segments = snap.heap.segments[:max_segments]
    fig = new_figure(9.0, max(1.8, 0.6 + 0.55 * len(segments)))
    ax = fig.add_subplot()
    for row, seg in enumerate(segments):
        page = seg.reserve_bytes / len(seg.committed_pages)
        committed = np.array(seg.committed_pages)
        for start, stop in _runs(committed):
            ax.add_patch(
                Rectangle(
                    (start * page / 1024, row - 0.4),
                    (stop - start) * page / 1024,
                    0.8,
                    facecolor=OKABE_ITO["sky"],
                    alpha=0.5,
                )
            )
        for b in seg.blocks:
            if b.owner is not None:
                ax.add_patch(
                    Rectangle(
                        ((b.address - seg.base) / 1024, row - 0.25),
                        b.size / 1024,
                        0.5,
                        facecolor=OKABE_ITO["vermillion"],
                        edgecolor="white",
                        linewidth=0.4,
                    )
                )
        ax.text(
            seg.reserve_bytes / 1024 * 1.01,
            row,
            f"{seg.committed_bytes / 1024:,.0f} KiB committed",
            va="center",
            size="small",
        )
    if segments:
        reserve_kib = segments[0].reserve_bytes / 1024
        page_kib = reserve_kib / len(segments[0].committed_pages)
        if reserve_kib / page_kib <= 64:  # page boundaries, where there are few enough to see
            for edge in np.arange(0, reserve_kib + page_kib / 2, page_kib):
                ax.axvline(edge, color="0.6", linewidth=0.5, zorder=0)
        ax.set_xlim(0, reserve_kib * 1.25)
    ax.set_ylim(len(segments) - 0.5, -0.5)
    ax.set_yticks(range(len(segments)), [f"segment {s.index}" for s in segments])
    ax.set_xlabel("offset in the segment (KiB); blue = committed pages, red = blocks in use")
    if segments:
        ax.set_ylabel(f"segment ({segments[0].reserve_bytes / 1024:,.0f} KiB each)")
    ax.set_title(title)
    return fig


def _runs(mask: np.ndarray) -> Iterable[tuple[int, int]]:
    padded = np.concatenate(([0], mask.astype(np.int8), [0]))
    edges = np.flatnonzero(np.diff(padded))
    return zip(edges[::2], edges[1::2], strict=True)


def _register_ipython_display() -> None:
    """Show comsim's Figures (made without pyplot) as PNG when they end a notebook cell."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return
    ip = get_ipython()
    if ip is None:
        return
    from .offline import figure_png

    png = ip.display_formatter.formatters["image/png"]
    png.for_type(Figure, lambda fig: figure_png(fig, compress_level=6))


style("notebook")
_register_ipython_display()
