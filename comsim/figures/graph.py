"""The object graph: the client-side aggregate of one snapshot, drawn as boxes. The proxy manager
(its local interfaces and its single reference count), the interface proxies it keeps (copies
hatched), and a bar of the bytes they hold.
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, Rectangle

from ..engines.trace import MIB
from ..model.process import ProxyManagerSnapshot, ProxySnapshot, Snapshot
from ..model.text import count
from . import alt
from .style import OKABE_ITO, drawing, in_style, new_figure

SHOWN_PROXIES = 6  # the latest interface proxies drawn; the others are counted


class ObjectGraphPlot:
    """The client-side aggregate of one snapshot: the proxy manager with its local interfaces and
    single reference count, its interface proxies (copies marked), and a memory bar. Redrawn in
    place by :meth:`update`."""

    @in_style
    def __init__(self, title: str = "Inside the client process"):
        self.figure = new_figure(9.0, 4.2)
        # The bar's side is wide enough for its legend in the projector's large type.
        grid = self.figure.add_gridspec(1, 2, width_ratios=[4.4, 1.4])
        self.ax = self.figure.add_subplot(grid[0, 0])
        self.mem_ax = self.figure.add_subplot(grid[0, 1])
        self.title = title

    def update(
        self, snap: Snapshot, bar_max_bytes: int | None = None, step: str | None = None
    ) -> None:
        """Draw ``snap``; ``step`` (e.g. "Call 2 of 5") starts the alt text. ``bar_max_bytes``
        fixes the memory bar's scale across steps."""
        self.figure.comsim_alt = alt.object_graph_alt(snap, self.title, step)
        with drawing(self.figure):
            self.ax.clear()
            self.mem_ax.clear()
            self.ax.set_xlim(0, 10)
            self.ax.set_ylim(0, 6)
            self.ax.axis("off")
            self.figure.suptitle(
                f"{self.title}\n{snap.note}" if snap.note else self.title,
                x=0.01,
                ha="left",
                fontsize="large",
            )
            if not snap.proxy_managers:
                self.ax.text(
                    5,
                    3,
                    "no proxy manager:\neverything it held has been freed",
                    ha="center",
                    va="center",
                    size="large",
                )
            for pm in snap.proxy_managers[:1]:
                _draw_proxy_manager(self.ax, pm)
                _draw_interface_proxies(self.ax, pm.interface_proxies)
            _draw_memory_bar(self.mem_ax, snap, bar_max_bytes)


def _draw_proxy_manager(ax: Axes, pm: ProxyManagerSnapshot) -> None:
    """The proxy manager's box: its id, its one reference count and the interfaces it answers
    itself."""
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
    ax.text(1.6, 3.6, "answers itself,\nno allocation:", ha="center", va="top", size="small")
    for k, name in enumerate(pm.local_interfaces[:3]):
        ax.text(1.6, 2.3 - 0.5 * k, name, ha="center", size="small", family="monospace")


def _draw_interface_proxies(ax: Axes, proxies: tuple[ProxySnapshot, ...]) -> None:
    """The latest interface proxies, one box each (copies orange and hatched), each with an
    arrow from the proxy manager; a line counts the earlier ones."""
    shown = proxies[-SHOWN_PROXIES:]
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
            FancyArrowPatch((3.1, 3.0), (4.0, y), arrowstyle="-|>", mutation_scale=12, color="0.3")
        )
    hidden = len(proxies) - len(shown)
    if hidden:
        text = f"... and {count(hidden, 'earlier interface proxy', 'earlier interface proxies')}"
        ax.text(7.0, 0.2, text, ha="center", size="small")


def _draw_memory_bar(ax: Axes, snap: Snapshot, bar_max_bytes: int | None) -> None:
    """One stacked bar: heap blocks in use, then transient buffers (H2), in KiB."""
    used = snap.heap.used_bytes
    pending = snap.transient_pending_bytes
    top = bar_max_bytes or max(used + pending, 1)
    ax.bar([0], [used / 1024], color=OKABE_ITO["vermillion"], label="heap blocks")
    ax.bar(
        [0],
        [pending / 1024],
        bottom=[used / 1024],
        color=OKABE_ITO["yellow"],
        label="transient (H2)",
    )
    ax.set_ylim(0, top / 1024 * 1.35)
    ax.set_xticks([])
    ax.set_ylabel("bytes in use (KiB)")
    ax.set_title(f"private bytes:\n{snap.private_bytes / MIB:.3f} MiB", size="medium")
    ax.legend(loc="upper center", fontsize="small")
