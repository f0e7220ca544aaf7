"""Memory figures: private bytes of one or more runs against iterations or time
(:class:`MemoryPlot`, :func:`memory_figure`), what those bytes are made of
(:func:`breakdown_figure`), perfmon's samples over the curve (:func:`perfmon_figure`),
and growth per iteration against loop tightness
(:func:`sweep_figure`).

Every figure has a title, axes with units, a colour and a line style per run, and its alt text.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..engines.runs import RunArrays
from ..engines.trace import Trace
from . import alt
from .scales import (
    X_AXES,
    X_MARGIN,
    MemoryLimits,
    check_x,
    fix_memory_axes,
    log_sampled,
    loop_end,
    mib,
    plain_number,
    x_values,
)
from .style import OKABE_ITO, in_style, new_figure, series_style


class MemoryPlot:
    """Private bytes (MiB) of one or more runs, drawn once and updated in place.

    Without ``limits`` the axes fit each update (a finished figure); with ``limits`` they are
    fixed (see :class:`~comsim.figures.scales.MemoryLimits`), log-scaled or, with
    ``log=False``, linear from 0, and never move, so a change between two updates is a change
    in the runs, not in the axes. :meth:`set_log` switches between the two."""

    @in_style
    def __init__(
        self,
        x: str = "iteration",
        title: str = "Private bytes of the client process",
        labels: Sequence[str] = ("copy-each-time",),
        fig: Figure | None = None,
        ax: Axes | None = None,
        limits: MemoryLimits | None = None,
        legend: bool = True,
        log: bool = True,
    ):
        self.x = check_x(x)
        self.log = log
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
        self._label_axes(title)
        self._legend = legend
        self._draw_legend()

    def _label_axes(self, title: str) -> None:
        ax = self.ax
        ax.set_title(title)
        ax.set_xlabel(X_AXES[self.x][1])
        ax.set_ylabel("private bytes (MiB)")
        ax.grid(True, alpha=0.3)
        # Text is most of a redraw's cost: a few ticks per axis keep a slider move fast.
        ax.xaxis.set_major_locator(MaxNLocator(6))
        ax.yaxis.set_major_locator(MaxNLocator(6))
        if self.x == "iteration":
            ax.xaxis.set_major_formatter(FuncFormatter(plain_number))  # 20,000
        if self.limits is not None:
            fix_memory_axes(ax, self.limits, self.x, self.log)

    def set_log(self, log: bool) -> None:
        """Fixed axes: switch between log (True) and linear (False) scales. The runs on show
        keep their data; draw them again with :meth:`update` for the new scale's sampling."""
        self.log = log
        if self.limits is not None:
            fix_memory_axes(self.ax, self.limits, self.x, log)

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
        if self.limits is not None and self.log:
            return log_sampled(trace, max_points)  # each decade gets its share of the points
        return trace.sampled(max_points)

    def add_reference(self, trace: Trace, label: str, max_points: int = 800) -> None:
        """A grey line under the runs: a fixed run to compare every slider setting with. On
        fixed axes its rows suit both scales (spaced geometrically and evenly)."""
        a = trace.sampled(max_points) if self.limits is None else log_sampled(trace, max_points)
        (self.reference_line,) = self.ax.plot(
            x_values(a, self.x),
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
            xs = x_values(a, self.x)
            ys = mib(a.private_bytes)
            self.lines[label].set_data(xs, ys)
            xmax, ymax = max(xmax, float(xs.max())), max(ymax, float(ys.max()))
            released = float(xs[loop_end(a) + 1])
            self.release_lines[label].set_xdata([released, released])
        if self.limits is None:
            self.ax.set_xlim(0, xmax * (1 + X_MARGIN))
            self.ax.set_ylim(0, ymax * 1.08 + 0.1)
        self.figure.comsim_alt = alt.memory_alt(traces, self.x)


def memory_figure(
    traces: dict[str, Trace] | Trace,
    x: str = "iteration",
    title: str = "Private bytes of the client process",
) -> Figure:
    """A finished figure of private bytes for one run or several labelled runs."""
    if isinstance(traces, Trace):  # one run: its strategy, and its policy when not COM's own
        by_design = traces.policy == "by-design"
        traces = {traces.strategy if by_design else f"{traces.strategy}, {traces.policy}": traces}
    plot = MemoryPlot(x=x, title=title, labels=list(traces))
    plot.update(traces)
    return plot.figure


@in_style
def breakdown_figure(
    trace: Trace, x: str = "time", title: str = "What private bytes are made of"
) -> Figure:
    """Stacked areas: the rest of the process, the heap (interface proxies), and the transient
    buffers still waiting for the reaper (hypothesis H2). The legend sits under the axes, so
    it never covers the peak."""
    check_x(x)
    a = trace.sampled(1500)
    xs = x_values(a, x)
    fig = new_figure(8.0, 4.8)
    ax = fig.add_subplot()
    ax.stackplot(
        xs,
        np.full(xs.shape, mib(trace.params.base_private_bytes)),
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
    released = float(xs[loop_end(a) + 1])
    ax.axvline(
        released, color=OKABE_ITO["black"], linewidth=1, linestyle="--", label="final release"
    )
    ax.set_xlim(0, float(xs.max()) * (1 + X_MARGIN))
    ax.set_title(title)
    ax.set_xlabel(X_AXES[x][1])
    ax.set_ylabel("private bytes (MiB)")
    fig.legend(loc="outside lower center", ncols=2, fontsize="small", frameon=False)
    ax.grid(True, alpha=0.3)
    fig.comsim_alt = alt.breakdown_alt(trace, x, released)
    return fig


@in_style
def sweep_figure(
    tightness: np.ndarray,
    bytes_per_iteration: dict[str, np.ndarray],
    title: str = "Growth per iteration against loop tightness",
) -> Figure:
    """Bytes per iteration (y) for several settings (one line each) across tightness (x)."""
    fig = new_figure(7.5, 4.0)
    ax = fig.add_subplot()
    tightness = np.asarray(tightness, dtype=float)
    for k, (label, values) in enumerate(bytes_per_iteration.items()):
        values = np.asarray(values, dtype=float)
        ax.plot(tightness, values, marker="o", label=label, **series_style(label, k))
    ax.set_title(title)
    ax.set_xlabel("tightness (share of wall time spent in the calls)")
    ax.set_ylabel("private-bytes growth per iteration (bytes)")
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right")
    fig.comsim_alt = alt.sweep_alt(tightness, bytes_per_iteration)
    return fig


def perfmon_figure(trace: Trace, samples, title: str = "One perfmon sample a second") -> Figure:
    """The exact curve of ``trace`` against time, with ``samples`` (a frame from
    :func:`comsim.perfmon_samples`) drawn over it as markers; the alt text gives their numbers:
    how many, how often, the median rise from one to the next while the loop runs, the
    highest."""
    fig = memory_figure(trace, x="time", title=title)
    times, values = samples.time_s.to_numpy(), samples.private_bytes.to_numpy()
    every_s = float(times[1] - times[0]) if len(times) > 1 else 0.0
    ax = fig.axes[0]
    ax.plot(
        times,
        mib(values),
        "o",
        color=OKABE_ITO["blue"],
        label=f"perfmon sample (every {every_s:g} s)",
    )
    ax.legend(loc="upper right")
    inside = samples.phase.to_numpy()[1:] == "loop"
    rises = np.diff(values)[inside]
    rise = f", each rising by a median {mib(float(np.median(rises))):.1f} MiB while the loop runs"
    fig.comsim_alt += (
        f" Blue circles mark {len(values)} perfmon samples, one every {every_s:g} s"
        f"{rise if len(rises) else ''}; the highest reads {mib(float(values.max())):.1f} MiB."
    )
    return fig


@in_style
def page_steps_figure(frame, params) -> Figure:
    """Committed private bytes (steps) against the bytes the calls allocated (a line), over
    the loop rows of ``frame`` (a trace's frame, cut to the first iterations)."""
    n = frame["iteration"]
    rise_kib = (frame["private_bytes"] - frame["private_bytes"].iloc[0]) / 1024
    asked_kib = n * (params.interface_proxy_bytes + params.transient_bytes_per_call) / 1024
    fig = new_figure(8, 3.8)
    ax = fig.add_subplot()
    red, blue = OKABE_ITO["vermillion"], OKABE_ITO["blue"]
    ax.step(n, rise_kib, where="post", color=red, label="private bytes (whole pages)")
    ax.plot(n, asked_kib, linestyle="--", color=blue, label="bytes the calls allocated")
    ax.set_yticks(np.arange(0, rise_kib.max() + 1, params.page_bytes / 1024), minor=True)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="upper left")
    ax.set_title(f"The first {n.max()} iterations of the KB's loop")
    ax.set_xlabel("loop iterations completed")
    ax.set_ylabel("rise above the start (KiB)")
    fig.comsim_alt = (
        f"Private bytes rise in whole {params.page_bytes:,}-byte pages, by "
        f"{rise_kib.max():,.0f} KiB over the first {n.max()} iterations; the calls allocated "
        f"{asked_kib.max():,.1f} KiB."
    )
    return fig
