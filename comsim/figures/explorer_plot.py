"""An explorer's one figure: private bytes on fixed axes beside a panel that shows what a slider
changed inside the model (:class:`ExplorerPlot`, :class:`ModelPanel`). Updated in place and
rendered fast, for a redraw on every slider move.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image as PILImage

from ..engines.trace import Trace
from ..model.text import number
from . import alt
from .memory import MemoryPlot
from .scales import MemoryLimits, count_axis, loop_end
from .style import drawing, in_style, new_figure, series_style


@dataclass(frozen=True)
class ModelCounts:
    """What one run leaves inside the model: at the end of the loop and right after the proxy
    manager's final release, how many interface proxies are alive and its reference count."""

    proxies_at_end_of_loop: int
    refcount_at_end_of_loop: int
    proxies_after_release: int
    refcount_after_release: int

    @classmethod
    def of(cls, trace: Trace) -> ModelCounts:
        """The counts read from ``trace``'s last loop row and the row after it."""
        a = trace.arrays
        end = loop_end(a)
        return cls(
            int(a.interface_proxies[end]),
            int(a.pm_refcount[end]),
            int(a.interface_proxies[end + 1]),
            int(a.pm_refcount[end + 1]),
        )


class ModelPanel:
    """Beside the memory plot: what the sliders change inside the model. One bar per run for
    the interface proxies the proxy manager keeps alive at the end of the loop, one for its
    single reference count, and a line for both after the final release. The KB's lesson in
    two numbers: 20,002 proxies alive while the refcount says 1."""

    def __init__(self, ax_proxies: Axes, ax_refcount: Axes, labels: Sequence[str], count_max: int):
        self.labels = list(labels)
        self.bars, self.numbers = {}, {}
        for key, ax, title in (
            ("proxies", ax_proxies, "at the end of the loop:\ninterface proxies alive"),
            ("refcount", ax_refcount, "proxy manager refcount"),
        ):
            self._add_bars(key, ax, title)
            count_axis(ax, count_max)
        self.after = ax_refcount.text(
            0, -0.62, "", transform=ax_refcount.transAxes, va="top", size="small"
        )
        self.counts: dict[str, ModelCounts] = {}

    def _add_bars(self, key: str, ax: Axes, title: str) -> None:
        """One horizontal bar per run on ``ax``, each with its number at its end."""
        rows = np.arange(len(self.labels))
        colors = [series_style(label, k)["color"] for k, label in enumerate(self.labels)]
        self.bars[key] = ax.barh(rows, np.zeros(rows.size), color=colors, height=0.6)
        self.numbers[key] = [
            ax.annotate(
                "",
                (0, row),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                size="small",
                annotation_clip=False,
            )
            for row in rows
        ]
        ax.set_yticks(rows, self.labels, size="small")
        ax.set_ylim(rows.size - 0.5, -0.5)
        ax.set_title(title, size="medium", loc="left")
        ax.grid(True, axis="x", alpha=0.3)

    def update(self, traces: Mapping[str, Trace]) -> None:
        """Show the counts of these runs (one per label)."""
        self.counts = {label: ModelCounts.of(traces[label]) for label in self.labels}
        for k, label in enumerate(self.labels):
            c = self.counts[label]
            for key, value in (
                ("proxies", c.proxies_at_end_of_loop),
                ("refcount", c.refcount_at_end_of_loop),
            ):
                self.bars[key][k].set_width(value)
                self.numbers[key][k].xy = (value, k)
                self.numbers[key][k].set_text(number(value))
        after = sorted(
            {(c.proxies_after_release, c.refcount_after_release) for c in self.counts.values()}
        )
        self.after.set_text(
            "after the final release:\n"
            + "; ".join(f"{number(p)} proxies alive, refcount {number(r)}" for p, r in after)
        )

    def alt(self) -> str:
        """Alt text of the panel as it stands."""
        return alt.model_panel_alt(self.counts)


class ExplorerPlot:
    """An explorer's one figure: private bytes on fixed axes (with a grey reference run) and,
    with ``counts``, the :class:`ModelPanel` beside them. The axes are linear from 0 unless
    ``log``; :meth:`set_log` switches. Updated in place; its alt text follows the runs."""

    @in_style
    def __init__(
        self,
        x: str,
        title: str,
        labels: Sequence[str],
        limits: MemoryLimits,
        count_max: int,
        reference: Trace | None = None,
        reference_label: str = "reference",
        *,
        counts: bool = True,
        log: bool = True,
    ):
        self.figure = new_figure(9.6 if counts else 7.6, 4.3, fixed_margins=True)
        grid = self.figure.add_gridspec(
            2,
            2 if counts else 1,
            width_ratios=[2.9, 1] if counts else None,
            left=0.075 if counts else 0.095,
            right=0.92 if counts else 0.97,
            top=0.88,
            bottom=0.27,
            wspace=0.42,
            hspace=1.0,
        )
        ax = self.figure.add_subplot(grid[:, 0])
        self.memory = MemoryPlot(x, title, labels, fig=self.figure, ax=ax, limits=limits, log=log)
        if reference is not None:
            self.memory.add_reference(reference, reference_label)
        self.reference = reference
        self.reference_label = reference_label
        self.panel = None
        if counts:
            self.panel = ModelPanel(
                self.figure.add_subplot(grid[0, 1]),
                self.figure.add_subplot(grid[1, 1]),
                labels,
                count_max,
            )
        self._canvas = FigureCanvasAgg(self.figure)
        self._background = None  # (size key, pixels of everything that never moves)
        self._traces: Mapping[str, Trace] = {}

    @property
    def log(self) -> bool:
        """Whether the memory axes are logarithmic (else linear from 0)."""
        return self.memory.log

    def set_log(self, log: bool) -> None:
        """Switch the memory axes between log and linear, and draw the runs on show again."""
        self.memory.set_log(log)
        self._background = None  # the axes changed: draw them again
        if self._traces:
            self.update(self._traces)

    def _moving_artists(self) -> list:
        """What an update changes; everything else (axes, ticks, titles, legend, the grey
        reference) stays the same on fixed axes."""
        m, p = self.memory, self.panel
        moving = [*m.release_lines.values(), *m.lines.values()]
        if p is not None:
            moving += [bar for key in p.bars for bar in p.bars[key]]
            moving += [number for key in p.numbers for number in p.numbers[key]]
            moving.append(p.after)
        return moving

    def _draw_background(self, canvas: FigureCanvasAgg) -> None:
        """Draw everything that never moves, once, and keep it as pixels."""
        fig = self.figure
        moving = self._moving_artists()
        for artist in moving:
            artist.set_visible(False)
        with drawing(fig):
            canvas.draw()
        self._background = ((fig.dpi, *fig.get_size_inches()), canvas.copy_from_bbox(fig.bbox))
        for artist in moving:
            artist.set_visible(True)

    def png(self, compress_level: int = 1) -> bytes:
        """The figure as PNG, fast: the axes are fixed, so everything that never moves is drawn
        once and kept as pixels; each call draws only the moving artists over it (blitting).
        Text is most of a full draw's cost."""
        fig, canvas = self.figure, self._canvas
        if fig.canvas is not canvas:  # savefig may have swapped canvases
            fig.set_canvas(canvas)
        if self._background is None or self._background[0] != (fig.dpi, *fig.get_size_inches()):
            self._draw_background(canvas)
        canvas.restore_region(self._background[1])
        renderer = canvas.get_renderer()
        for artist in self._moving_artists():
            artist.draw(renderer)
        width, height = canvas.get_width_height(physical=True)
        image = PILImage.frombuffer(
            "RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1
        )
        buf = io.BytesIO()
        image.save(buf, format="png", compress_level=compress_level)
        return buf.getvalue()

    @property
    def x(self) -> str:
        """The x axis: ``"iteration"`` or ``"time"``."""
        return self.memory.x

    @property
    def lines(self) -> dict:
        """The memory plot's lines, one per label."""
        return self.memory.lines

    def update(self, traces: Mapping[str, Trace]) -> None:
        """Show these runs (one per label) in the memory plot and the panel."""
        self._traces = dict(traces)
        self.memory.update(dict(traces))
        counts = None
        if self.panel is not None:
            self.panel.update(traces)
            counts = self.panel.counts
        reference = None if self.reference is None else (self.reference_label, self.reference)
        log_y = self.log and self.memory.limits.log_y
        self.figure.comsim_alt = alt.explorer_alt(
            self.memory.figure.comsim_alt,
            counts,
            reference,
            proxies=alt.proxies_alt(traces),
            log_x=self.log,
            log_y=log_y,
        )
