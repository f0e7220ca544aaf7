"""Figures drawn from traces and snapshots. Matplotlib only: no widgets here.

Every figure has a title, axes with units, colours from the Okabe-Ito palette (safe for the
common colour-vision deficiencies, and each series also differs by line style), and a one-line
text summary (see :meth:`comsim.Summary.describe`) to print under it.

Every figure also carries its alt text, a sentence with its numbers, as ``fig.comsim_alt``
(:func:`alt_text` reads it): a screen reader, a report or a slide says what the figure shows,
not just its title. In a notebook a figure displays as PNG with that text as the output's
``{"image/png": {"alt": ...}}`` metadata.

Figures are made with :class:`matplotlib.figure.Figure` (a :class:`ComsimFigure`), not
``pyplot``, so redrawing an explorer never piles up figures in the notebook.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Rectangle
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullLocator
from PIL import Image as PILImage

from ..engines.runs import PHASES, RunArrays
from ..engines.trace import MIB, Trace
from ..model import heap as heap_model
from ..model.process import Snapshot

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


class ComsimFigure(Figure):
    """A matplotlib Figure that carries its alt text: ``comsim_alt``, one sentence that states
    what the figure shows with its numbers (set by whoever draws it; see :func:`alt_text`)."""

    comsim_alt: str = ""


def new_figure(
    width: float = 8.0, height: float = 4.2, fixed_margins: bool = False
) -> ComsimFigure:
    """A figure outside pyplot's registry, sized for the current style.

    ``fixed_margins`` skips matplotlib's constrained layout (a third of the drawing time) for
    figures redrawn on every slider move."""
    scale = 1.35 if _current_style == "projector" else 1.0
    if not fixed_margins:
        return ComsimFigure(figsize=(width * scale, height * scale), layout="constrained")
    fig = ComsimFigure(figsize=(width * scale, height * scale))
    fig.subplots_adjust(left=0.1, right=0.98, top=0.91, bottom=0.14)
    return fig


def alt_text(fig: Figure) -> str:
    """What a screen reader should say for ``fig``: its ``comsim_alt`` sentence (with the
    figure's numbers), or, for a figure that has none, its title(s)."""
    text = getattr(fig, "comsim_alt", "")
    if isinstance(text, str) and text.strip():
        return text.strip()
    titles = [fig.get_suptitle()] + [ax.get_title() for ax in fig.axes]
    titles = [" ".join(t.split()) for t in titles if t and t.strip()]
    return "; ".join(dict.fromkeys(titles)) or "A figure with no title or description."


def mib(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float64) / MIB


def _mib_digits(*byte_spans: float) -> int:
    """Decimals that make a change visible in MiB: one for MiB-sized changes, three for
    KiB-sized ones (the cache's few copies)."""
    return 1 if max(byte_spans, default=0) >= MIB else 3


def _loop_end(a: RunArrays) -> int:
    """Row of the last loop sample: the row before the proxy manager's final release."""
    return int(np.flatnonzero(a.phase == PHASES.index("final-release"))[0]) - 1


# -- memory against iterations or time ----------------------------------------------------------
X_AXES = {
    "iteration": ("iteration", "loop iterations completed"),
    "time": ("time_s", "wall time since the object was created (s)"),
}
# Where a symmetric-log x axis turns linear: one iteration, or ten milliseconds.
_X_LINEAR_BELOW = {"iteration": 1.0, "time": 0.01}
# Room to the right of the last sample: the final release's drop must not sit on the edge.
X_MARGIN = 0.07  # share of the x range, linear axes
X_LOG_MARGIN = 3.0  # factor beyond the largest x, log axes


def _x_values(a: RunArrays, x: str) -> np.ndarray:
    return a.iteration if x == "iteration" else a.time_us / 1e6


def _log_sampled(trace: Trace, max_points: int) -> RunArrays:
    """At most about ``max_points`` rows for a log x axis: rows spaced geometrically (each
    decade gets the same share, so the first few iterations keep their steps, e.g. the cache
    filling one copy per blanket) plus evenly spaced ones, the first and last of each phase
    and the last row."""
    a = trace.arrays
    n = a.phase.size
    if n <= max_points:
        return a
    keep = np.zeros(n, dtype=bool)
    keep[np.unique(np.geomspace(1, n - 1, max_points // 2).astype(np.int64))] = True
    keep[:: -(-n // (max_points // 2))] = True
    edges = np.flatnonzero(np.diff(a.phase))
    keep[edges] = keep[edges + 1] = True
    keep[0] = keep[-1] = True
    # Only the rows are thinned: the exact peak and what the rows stand for carry over.
    return replace(a, **{k: v[keep] for k, v in a.columns().items()}, peak_private_bytes=a.peak)


def _count_phrase(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def check_x(x: object) -> str:
    """Validate an x-axis name: ``"iteration"`` or ``"time"``."""
    if not isinstance(x, str) or x not in X_AXES:
        raise ValueError(f"x must be one of {', '.join(map(repr, X_AXES))}; got {x!r}")
    return x


def memory_alt(traces: Mapping[str, Trace], x: str = "iteration") -> str:
    """Alt text of a memory figure: per run, where private bytes start, peak and end."""
    sentences = [f"Line chart of private bytes (MiB) against {X_AXES[x][1]}."]
    for label, trace in traces.items():
        s = trace.summary
        d = _mib_digits(s.peak_private_bytes - s.start_private_bytes)
        who = label if label == trace.strategy else f"{label} ({trace.strategy})"
        sentences.append(
            f"{who}: private bytes climb from {s.start_private_bytes / MIB:.{d}f} to "
            f"{s.peak_private_bytes / MIB:.{d}f} MiB over {s.iterations:,} iterations at "
            f"tightness {s.tightness:g} ({s.loop_seconds:.1f} s), fall to "
            f"{s.after_release_private_bytes / MIB:.{d}f} MiB at the final release and end at "
            f"{s.end_private_bytes / MIB:.{d}f} MiB; "
            + _count_phrase(
                s.interface_proxies_at_end_of_loop, "interface proxy", "interface proxies"
            )
            + " alive at the end of the loop."
        )
    return " ".join(sentences)


@dataclass(frozen=True)
class MemoryLimits:
    """Fixed axes for a memory plot whose runs change (an explorer): the largest x (iterations
    or seconds) and the range of private bytes that any slider setting can produce.

    Why logarithmic: the iterations slider spans five decades (1 to 200,001) and private bytes
    span almost three (1 to about 400 MiB). On linear axes fixed at the largest run, the KB's
    20,001 iterations would fill a tenth of the width and 1,001 a two-hundredth: every small
    run would be a dot in the corner. On log axes each decade gets the same room, so 1,001,
    20,001 and 200,001 iterations are all visible and visibly different, and a run that grows
    in proportion to its iterations draws the same curve, only longer (a 45-degree line once
    the copies outweigh the rest of the process). Against time, a looser loop slides the
    climb to the right: the curve stretches, the axes stay. The x axis is symmetric-log, so
    the start (0) stays on it. Private bytes use a linear axis when the whole range is
    narrow (less than 4x, e.g. the cache's few copies), where log would flatten it."""

    x_max: float
    y_min_bytes: float
    y_max_bytes: float

    @property
    def log_y(self) -> bool:
        return self.y_max_bytes >= 4 * self.y_min_bytes

    @classmethod
    def covering(cls, traces: Iterable[Trace], x: str = "iteration") -> MemoryLimits:
        """Limits that hold every sample of ``traces`` (typically the sliders' extreme
        settings, simulated once)."""
        x_max, lo, hi = 1.0, np.inf, 0.0
        for t in traces:
            a = t.arrays
            x_max = max(x_max, float(_x_values(a, x).max()))
            lo, hi = min(lo, float(a.private_bytes.min())), max(hi, float(a.private_bytes.max()))
        if not np.isfinite(lo):
            raise ValueError("MemoryLimits.covering needs at least one trace")
        return cls(x_max=x_max, y_min_bytes=lo, y_max_bytes=max(hi, lo + 4096))


def _decades(low: float, high: float) -> list[float]:
    first = int(np.ceil(np.log10(low)))
    return [10.0**k for k in range(first, int(np.floor(np.log10(high))) + 1)]


def _plain_number(value: float, _pos=None) -> str:
    """1; 10; 1,000; 0.01: tick labels a learner reads without 10^k notation."""
    if value == 0:
        return "0"
    if abs(value) >= 1:
        return f"{value:,.0f}"
    return f"{value:g}"


def _compact_number(value: float, _pos=None) -> str:
    """0; 100; 10k; 1M: short tick labels for a narrow panel."""
    for scale, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= scale:
            return f"{value / scale:g}{suffix}"
    return f"{value:g}"


def _fix_memory_axes(ax: Axes, limits: MemoryLimits, x: str) -> None:
    """Log-scaled axes fixed at ``limits`` (see :class:`MemoryLimits` for why)."""
    linear_below = _X_LINEAR_BELOW[x]
    ax.set_xscale("symlog", linthresh=linear_below, linscale=0.4)
    x_high = limits.x_max * X_LOG_MARGIN
    ax.set_xlim(0, x_high)
    ax.xaxis.set_major_locator(FixedLocator([0.0] + _decades(linear_below, x_high)))
    ax.xaxis.set_major_formatter(FuncFormatter(_plain_number))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel(f"{X_AXES[x][1]}, log scale")
    lo, hi = limits.y_min_bytes / MIB, limits.y_max_bytes / MIB
    if limits.log_y:
        ax.set_yscale("log")
        y_low, y_high = lo / 1.25, hi * 1.6
        ticks = [m * d for d in _decades(y_low / 10, y_high) for m in (1, 2, 5)]
        ax.yaxis.set_major_locator(FixedLocator([t for t in ticks if y_low <= t <= y_high]))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}"))
        ax.set_ylabel("private bytes (MiB, log scale)")
    else:
        pad = 0.1 * (hi - lo) + 1 / 1024  # at least a KiB of room
        y_low, y_high = lo - pad, hi + pad
        ax.yaxis.set_major_locator(MaxNLocator(6))
        digits = max(0, int(np.ceil(-np.log10((y_high - y_low) / 6))))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.{digits}f}"))
        ax.set_ylabel("private bytes (MiB)")
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set_ylim(y_low, y_high)


class MemoryPlot:
    """Private bytes (MiB) of one or more runs, drawn once and updated in place.

    Without ``limits`` the axes fit each update (a finished figure); with ``limits`` they are
    fixed, log-scaled (see :class:`MemoryLimits`) and never move, so a change between two
    updates is a change in the runs, not in the axes."""

    def __init__(
        self,
        x: str = "iteration",
        title: str = "Private bytes of the client process",
        labels: Sequence[str] = ("copy-each-time",),
        fig: Figure | None = None,
        ax: Axes | None = None,
        limits: MemoryLimits | None = None,
        legend: bool = True,
    ):
        self.x = check_x(x)
        self.figure = fig if fig is not None else new_figure(fixed_margins=True)
        self.ax = ax if ax is not None else self.figure.add_subplot()
        self.limits = limits
        self.lines = {}
        for k, label in enumerate(labels):
            kw = series_style(label, k)
            (self.lines[label],) = self.ax.plot([], [], label=label, zorder=3, **kw)
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
        self.reference_line = None
        self.ax.set_title(title)
        self.ax.set_xlabel(X_AXES[x][1])
        self.ax.set_ylabel("private bytes (MiB)")
        self.ax.grid(True, alpha=0.3)
        # Text is most of a redraw's cost: a few ticks per axis keep a slider move fast.
        self.ax.xaxis.set_major_locator(MaxNLocator(6))
        self.ax.yaxis.set_major_locator(MaxNLocator(6))
        if x == "iteration":
            self.ax.xaxis.set_major_formatter(FuncFormatter(_plain_number))  # 20,000
        if limits is not None:
            _fix_memory_axes(self.ax, limits, x)
        self._legend = legend
        self._draw_legend()

    def _draw_legend(self) -> None:
        if not self._legend:
            return
        if self.limits is None:
            self.ax.legend(loc="upper left")
        else:  # below the axes: curves may go anywhere inside fixed axes
            self.ax.legend(
                loc="upper left",
                bbox_to_anchor=(-0.08, -0.2),
                ncols=3,
                frameon=False,
                fontsize="small",
            )

    def _sampled(self, trace: Trace, max_points: int) -> RunArrays:
        return trace.sampled(max_points) if self.limits is None else _log_sampled(trace, max_points)

    def add_reference(self, trace: Trace, label: str, max_points: int = 800) -> None:
        """A grey line under the runs: a fixed run to compare every slider setting with."""
        a = self._sampled(trace, max_points)
        (self.reference_line,) = self.ax.plot(
            _x_values(a, self.x),
            mib(a.private_bytes),
            color="0.78",
            linewidth=4.0,
            solid_capstyle="butt",
            zorder=1,
            label=label,
        )
        self._draw_legend()

    def update(self, traces: dict[str, Trace] | Trace, max_points: int = 800) -> None:
        """Show these runs (one per label). Fixed axes stay; free axes fit the runs, with room
        to the right of the final release."""
        if isinstance(traces, Trace):
            traces = {next(iter(self.lines)): traces}
        xmax, ymax = 1.0, 0.0
        for label, trace in traces.items():
            a = self._sampled(trace, max_points)
            xs = _x_values(a, self.x)
            ys = mib(a.private_bytes)
            self.lines[label].set_data(xs, ys)
            xmax, ymax = max(xmax, float(xs.max())), max(ymax, float(ys.max()))
            released = float(xs[_loop_end(a) + 1])
            self.release_lines[label].set_xdata([released, released])
        if self.limits is None:
            self.ax.set_xlim(0, xmax * (1 + X_MARGIN))
            self.ax.set_ylim(0, ymax * 1.08 + 0.1)
        self.figure.comsim_alt = memory_alt(traces, self.x)


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


# -- what the sliders change inside the model ------------------------------------------------------
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
        a = trace.arrays
        end = _loop_end(a)
        return cls(
            int(a.interface_proxies[end]),
            int(a.pm_refcount[end]),
            int(a.interface_proxies[end + 1]),
            int(a.pm_refcount[end + 1]),
        )


def _count_axis(ax: Axes, count_max: int) -> None:
    """Linear up to a few dozen (the cache's copies stay readable); symmetric-log beyond, where
    one proxy and 200,002 must share the panel. Room on the right for the numbers."""
    if count_max <= 40:
        ax.set_xlim(0, max(count_max, 1) * 1.6)
        ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))
        ax.set_xlabel("count")
    else:
        ax.set_xscale("symlog", linthresh=1, linscale=0.4)
        high = count_max * 60.0
        ax.set_xlim(0, high)
        ticks = [1.0] + [10.0**k for k in range(2, 12, 2) if 10.0**k <= count_max * 3]
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.set_xlabel("count (log scale)")
    ax.xaxis.set_major_formatter(FuncFormatter(_compact_number))
    ax.xaxis.set_minor_locator(NullLocator())


class ModelPanel:
    """Beside the memory plot: what the sliders change inside the model. One bar per run for
    the interface proxies the proxy manager keeps alive at the end of the loop, one for its
    single reference count, and a line for both after the final release. The KB's lesson in
    two numbers: 20,002 proxies alive while the refcount says 1."""

    def __init__(self, ax_proxies: Axes, ax_refcount: Axes, labels: Sequence[str], count_max: int):
        self.labels = list(labels)
        self.bars, self.numbers = {}, {}
        rows = np.arange(len(self.labels))
        colors = [series_style(label, k)["color"] for k, label in enumerate(self.labels)]
        for key, ax, title in (
            ("proxies", ax_proxies, "at the end of the loop:\ninterface proxies alive"),
            ("refcount", ax_refcount, "proxy manager refcount"),
        ):
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
            _count_axis(ax, count_max)
        self.after = ax_refcount.text(
            0, -0.62, "", transform=ax_refcount.transAxes, va="top", size="small"
        )
        self.counts: dict[str, ModelCounts] = {}

    def update(self, traces: Mapping[str, Trace]) -> None:
        self.counts = {label: ModelCounts.of(traces[label]) for label in self.labels}
        for k, label in enumerate(self.labels):
            c = self.counts[label]
            for key, value in (
                ("proxies", c.proxies_at_end_of_loop),
                ("refcount", c.refcount_at_end_of_loop),
            ):
                self.bars[key][k].set_width(value)
                self.numbers[key][k].xy = (value, k)
                self.numbers[key][k].set_text(f"{value:,}")
        after = sorted(
            {(c.proxies_after_release, c.refcount_after_release) for c in self.counts.values()}
        )
        self.after.set_text(
            "after the final release:\n"
            + "; ".join(f"{p:,} proxies alive, refcount {r:,}" for p, r in after)
        )

    def alt(self) -> str:
        parts = [
            f"{label}: "
            + _count_phrase(c.proxies_at_end_of_loop, "interface proxy", "interface proxies")
            + f" alive with proxy manager refcount {c.refcount_at_end_of_loop:,} at the end of "
            "the loop, "
            f"{c.proxies_after_release:,} and {c.refcount_after_release:,} after the final "
            "release"
            for label, c in self.counts.items()
        ]
        return "Beside it, inside the model: " + "; ".join(parts) + "."


class ExplorerPlot:
    """An explorer's one figure: private bytes on fixed axes (with a grey reference run) and,
    beside them, the :class:`ModelPanel`. Updated in place; its alt text follows the runs."""

    def __init__(
        self,
        x: str,
        title: str,
        labels: Sequence[str],
        limits: MemoryLimits,
        count_max: int,
        reference: Trace | None = None,
        reference_label: str = "reference",
    ):
        scale = 1.35 if _current_style == "projector" else 1.0
        self.figure = ComsimFigure(figsize=(9.6 * scale, 4.3 * scale))
        grid = self.figure.add_gridspec(
            2,
            2,
            width_ratios=[2.9, 1],
            left=0.075,
            right=0.92,
            top=0.88,
            bottom=0.27,
            wspace=0.42,
            hspace=1.0,
        )
        ax = self.figure.add_subplot(grid[:, 0])
        self.memory = MemoryPlot(x, title, labels, fig=self.figure, ax=ax, limits=limits)
        if reference is not None:
            self.memory.add_reference(reference, reference_label)
        self.reference = reference
        self.reference_label = reference_label
        self.panel = ModelPanel(
            self.figure.add_subplot(grid[0, 1]),
            self.figure.add_subplot(grid[1, 1]),
            labels,
            count_max,
        )
        self._canvas = FigureCanvasAgg(self.figure)
        self._background = None  # (size key, pixels of everything that never moves)

    def _moving_artists(self) -> list:
        """What an update changes; everything else (axes, ticks, titles, legend, the grey
        reference) stays the same on fixed axes."""
        m, p = self.memory, self.panel
        return [
            *m.release_lines.values(),
            *m.lines.values(),
            *(bar for key in p.bars for bar in p.bars[key]),
            *(number for key in p.numbers for number in p.numbers[key]),
            p.after,
        ]

    def png(self, compress_level: int = 1) -> bytes:
        """The figure as PNG, fast: the axes are fixed, so everything that never moves is drawn
        once and kept as pixels; each call draws only the moving artists over it (blitting).
        Text is most of a full draw's cost."""
        fig, canvas = self.figure, self._canvas
        if fig.canvas is not canvas:  # savefig may have swapped canvases
            fig.set_canvas(canvas)
        key = (fig.dpi, *fig.get_size_inches())
        if self._background is None or self._background[0] != key:
            moving = self._moving_artists()
            for artist in moving:
                artist.set_visible(False)
            canvas.draw()
            self._background = (key, canvas.copy_from_bbox(fig.bbox))
            for artist in moving:
                artist.set_visible(True)
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
        return self.memory.x

    @property
    def lines(self) -> dict:
        return self.memory.lines

    def update(self, traces: Mapping[str, Trace]) -> None:
        self.memory.update(dict(traces))
        self.panel.update(traces)
        alt = [self.memory.figure.comsim_alt, self.panel.alt()]
        if self.reference is not None:
            s = self.reference.summary
            alt.append(
                f"Grey reference line: {self.reference_label}, peak "
                f"{s.peak_private_bytes / MIB:.1f} MiB."
            )
        y_scale = "logarithmic" if self.memory.limits.log_y else "linear"
        alt.append(f"The axes stay fixed: x logarithmic, y {y_scale}.")
        self.figure.comsim_alt = " ".join(alt)


def breakdown_figure(
    trace: Trace, x: str = "time", title: str = "What private bytes are made of"
) -> Figure:
    """Stacked areas: the rest of the process, the heap (interface proxies), and the transient
    buffers still waiting for the reaper (hypothesis H2). The legend sits under the axes, so
    it never covers the peak."""
    check_x(x)
    a = trace.sampled(1500)
    xs = _x_values(a, x)
    fig = new_figure(8.0, 4.8)
    ax = fig.add_subplot()
    base_bytes = trace.params.base_private_bytes
    base = np.full(xs.shape, mib(base_bytes))
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
    released = float(xs[_loop_end(a) + 1])
    ax.axvline(
        released,
        color=OKABE_ITO["black"],
        linewidth=1,
        linestyle="--",
        label="final release",
    )
    ax.set_xlim(0, float(xs.max()) * (1 + X_MARGIN))
    ax.set_title(title)
    ax.set_xlabel(X_AXES[x][1])
    ax.set_ylabel("private bytes (MiB)")
    fig.legend(loc="outside lower center", ncols=2, fontsize="small", frameon=False)
    ax.grid(True, alpha=0.3)
    s, full = trace.summary, trace.arrays
    d = _mib_digits(s.peak_private_bytes - s.start_private_bytes)
    where = f"{released:,.0f} iterations" if x == "iteration" else f"{released:.1f} s"
    fig.comsim_alt = (
        f"Stacked areas of private bytes (MiB) against {X_AXES[x][1]} for {trace.strategy} "
        f"({trace.policy}), {s.iterations:,} iterations at tightness {s.tightness:g}: the rest "
        f"of the process {base_bytes / MIB:.{d}f} MiB, the heap up to "
        f"{full.heap_committed_bytes.max() / MIB:.{d}f} MiB, transient buffers (H2) up to "
        f"{full.transient_committed_bytes.max() / MIB:.{d}f} MiB; total peak "
        f"{s.peak_private_bytes / MIB:.{d}f} MiB. At the final release ({where}) private bytes "
        f"fall to {s.after_release_private_bytes / MIB:.{d}f} MiB and end at "
        f"{s.end_private_bytes / MIB:.{d}f} MiB."
    )
    return fig


def sweep_figure(
    tightness: np.ndarray,
    bytes_per_iteration: dict[str, np.ndarray],
    title: str = "Growth per iteration against loop tightness",
) -> Figure:
    """Bytes per iteration (y) for several settings (one line each) across tightness (x)."""
    fig = new_figure(7.5, 4.0)
    ax = fig.add_subplot()
    tightness = np.asarray(tightness, dtype=float)
    described = []
    for k, (label, values) in enumerate(bytes_per_iteration.items()):
        values = np.asarray(values, dtype=float)
        ax.plot(
            tightness,
            values,
            marker="o",
            label=label,
            **series_style(label, k),
        )
        lo, hi = int(np.argmin(values)), int(np.argmax(values))
        described.append(
            f"{label}: from {values[lo]:,.0f} B (tightness {tightness[lo]:g}) to "
            f"{values[hi]:,.0f} B (tightness {tightness[hi]:g})"
        )
    ax.set_title(title)
    ax.set_xlabel("tightness (share of wall time spent in the calls)")
    ax.set_ylabel("private-bytes growth per iteration (bytes)")
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right")
    fig.comsim_alt = (
        f"Line chart of private-bytes growth per iteration (bytes) against tightness, "
        f"{tightness.size} values from {tightness.min():g} to {tightness.max():g}. "
        + "; ".join(described)
        + "."
    )
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

    def update(
        self, snap: Snapshot, bar_max_bytes: int | None = None, step: str | None = None
    ) -> None:
        """Draw ``snap``; ``step`` (e.g. "Step 2 of 5") starts the alt text."""
        ax, mem = self.ax, self.mem_ax
        self.figure.comsim_alt = object_graph_alt(snap, self.title, step)
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
            + _count_phrase(len(pm.interface_proxies), "interface proxy", "interface proxies")
            + f" alive ({copies:,} of them copies)"
        )
    return (
        f"{head}. {inside}; heap blocks in use {snap.heap.used_bytes:,} bytes; private bytes "
        f"{snap.private_bytes / MIB:.3f} MiB ({snap.private_bytes:,} bytes)."
    )


def heap_map_alt(snap: Snapshot, title: str = "Heap pages", max_segments: int = 8) -> str:
    """Alt text of the heap map: segments, committed pages and blocks in use."""
    segs = snap.heap.segments
    pages = sum(len(s.committed_pages) for s in segs)
    committed = sum(sum(s.committed_pages) for s in segs)
    blocks = sum(b.owner is not None for s in segs for b in s.blocks)
    sizes = sorted({s.reserve_bytes // 1024 for s in segs})
    size = f"{sizes[0]:,} KiB each" if len(sizes) == 1 else f"{sizes[0]:,} to {sizes[-1]:,} KiB"
    shown = f" (the first {max_segments} drawn)" if len(segs) > max_segments else ""
    return (
        f"Heap map, {title}: {len(segs)} segment{'s' if len(segs) != 1 else ''} ({size})"
        f"{shown}; {committed:,} of {pages:,} pages committed "
        f"({snap.heap.committed_bytes / 1024:,.0f} KiB); {blocks:,} blocks in use "
        f"({snap.heap.used_bytes:,} bytes)."
    )


def heap_map_figure(snap: Snapshot, title: str = "Heap pages", max_segments: int = 8) -> Figure:
    """One row per heap segment, one cell per page: committed pages shaded, blocks in use
    drawn on top (narrower, so they differ by shape as well as colour). Shows why private
    bytes move in page steps."""
    segments = snap.heap.segments[:max_segments]
    fig = new_figure(9.0, max(1.8, 0.6 + 0.55 * len(segments)))
    ax = fig.add_subplot()
    for row, seg in enumerate(segments):
        page = seg.reserve_bytes / len(seg.committed_pages)
        committed = np.array(seg.committed_pages)
        ax.add_patch(  # the segment's reserved address range (segments may differ in size)
            Rectangle(
                (0, row - 0.4),
                seg.reserve_bytes / 1024,
                0.8,
                facecolor="none",
                edgecolor="0.4",
                linewidth=0.8,
            )
        )
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
        reserve_kib = max(s.reserve_bytes for s in segments) / 1024
        page_kib = segments[0].reserve_bytes / 1024 / len(segments[0].committed_pages)
        if reserve_kib / page_kib <= 64:  # page boundaries, where there are few enough to see
            for edge in np.arange(0, reserve_kib + page_kib / 2, page_kib):
                ax.axvline(edge, color="0.6", linewidth=0.5, zorder=0)
        ax.set_xlim(0, reserve_kib * 1.25)
    ax.set_ylim(len(segments) - 0.5, -0.5)
    ax.set_yticks(range(len(segments)), [f"segment {s.index}" for s in segments])
    ax.set_xlabel("offset in the segment (KiB); blue = committed pages, red = blocks in use")
    sizes = sorted({s.reserve_bytes for s in segments})
    if len(sizes) == 1:
        ax.set_ylabel(f"segment ({sizes[0] / 1024:,.0f} KiB each)")
    elif sizes:
        ax.set_ylabel(f"segment ({sizes[0] / 1024:,.0f} to {sizes[-1] / 1024:,.0f} KiB)")
    ax.set_title(title)
    rule = getattr(heap_model, "SEGMENT_RULE", "")  # how the model sizes segments, tagged
    if rule:
        fig.supxlabel(textwrap.fill(f"Model: {rule}", 110), fontsize="small", color="0.3")
    fig.comsim_alt = heap_map_alt(snap, title, max_segments)
    if rule:
        fig.comsim_alt += f" Model: {rule}."
    return fig


def _runs(mask: np.ndarray) -> Iterable[tuple[int, int]]:
    padded = np.concatenate(([0], mask.astype(np.int8), [0]))
    edges = np.flatnonzero(np.diff(padded))
    return zip(edges[::2], edges[1::2], strict=True)


def figure_png(fig: Figure, dpi: float | None = None, compress_level: int = 1) -> bytes:
    """The figure as PNG bytes. Light compression by default: live redraws need speed; the
    precomputed frames of a report use more, for size."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, pil_kwargs={"compress_level": compress_level})
    return buf.getvalue()


def png_with_alt(fig: Figure) -> tuple[bytes, dict[str, str]]:
    """The figure as PNG with its alt text as display metadata: IPython formatters may return
    ``(data, metadata)``, and the kernel sends ``{"image/png": {"alt": ...}}`` with the output,
    where notebook front ends and nbconvert's HTML export read it."""
    return figure_png(fig, compress_level=6), {"alt": alt_text(fig)}


def _register_ipython_display() -> None:
    """Show Figures (comsim's are made without pyplot) as PNG with alt text when they end a
    notebook cell. Registered for :class:`ComsimFigure` too: IPython looks a type up before
    its base classes, so a later ``%matplotlib inline`` (which re-registers plain ``Figure``)
    cannot take comsim's figures' alt text away."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return
    ip = get_ipython()
    if ip is None:
        return
    png = ip.display_formatter.formatters["image/png"]
    png.for_type(Figure, png_with_alt)
    png.for_type(ComsimFigure, png_with_alt)


style("notebook")
_register_ipython_display()
