"""Explorers: sliders around one comsim figure of private bytes.

Each explorer owns one matplotlib Figure and redraws it in place when a slider moves; its
sliders are public attributes so notebooks and tests can drive them. The explorers' axes are
fixed at what the sliders can reach, so a slider move changes the curve and never the axes; a
grey line shows the KB's run. The axes are linear by default, so "does twice the loop grow
twice as much?" can be read off the plot; a toggle switches both to log scales, where every
loop length from 1 to 200,001 gets room. Asked for (``show_counts=True``, from notebook 02
on, where they are explained), a panel beside memory shows what the slider changed inside the
model: interface proxies alive and the proxy manager's refcount. Each slider names the
question it answers (:data:`QUESTIONS`). Every frame's figure carries its alt text.

On a static page (:mod:`comsim.teaching.pages`) an explorer also carries
precomputed frames that a plain HTML slider scrubs without a kernel, on the scale the live
explorer shows.
"""

from __future__ import annotations

import html
import time

import ipywidgets as widgets
import numpy as np

from ..engines.scenarios import simulate
from ..engines.trace import Trace
from ..figures import ExplorerPlot, MemoryLimits, check_x
from ..model import checks
from ..model.com import POLICIES
from ..model.params import PARAMETERS
from ..model.strategies import STRATEGIES
from . import markup, offline
from .figure_widget import FigureWidget

ITERATIONS_RANGE = (1, 200_001, 1_000)  # min, max, step: 20,001 (the KB) is on the grid
TIGHTNESS_RANGE = (0.05, 1.0, 0.05)
BLANKETS_RANGE = (1, 8, 1)
OFFLINE_ITERATIONS = (1_001, 5_001, 20_001, 100_001, 200_001)
OFFLINE_TIGHTNESS = (0.25, 0.5, 0.75, 1.0)
OFFLINE_BLANKETS = (1, 2, 4, 8)
# With a third slider the grid multiplies: fewer values per axis keep a report light.
OFFLINE_GRID_WITH_BLANKETS = ((1_001, 20_001, 200_001), (0.5, 1.0), OFFLINE_BLANKETS)

QUESTIONS = {
    "iterations": "does the growth per call change with the loop's length?",
    "tightness": "does the loop's pace change what each call leaves behind, "
    "or only how long the loop takes?",
    "blankets": "how many copies does the cache keep, and what do they cost?",
}
"""The question each slider answers (shown beside it, live and in the offline report)."""


def _slider(kind, description: str, value, bounds: tuple, **kw):
    """A slider that redraws when released (``continuous_update=False``): each redraw runs a
    simulation and renders a figure."""
    lo, hi, step = bounds
    return kind(
        value=value,
        min=lo,
        max=hi,
        step=step,
        description=description,
        continuous_update=False,
        layout=widgets.Layout(width="45%", min_width="320px"),
        **kw,
    )


def _with_question(slider) -> widgets.HBox:
    question = widgets.HTML(html.escape(QUESTIONS[slider.description], quote=False))
    question.add_class("comsim-slider-question")
    return widgets.HBox([slider, question])


def _strategy_names(strategies: object) -> tuple[str, ...]:
    """Validate ``strategies``: one name or a non-empty sequence of distinct names."""
    each = "each one of " + ", ".join(map(repr, STRATEGIES))
    names = (strategies,) if isinstance(strategies, str) else strategies
    if not isinstance(names, tuple | list):
        allowed = f"a strategy name or a list of names, {each}"
        raise checks.refuse("strategies", allowed, strategies, TypeError)
    if not names:
        raise checks.refuse("strategies", f"at least one name, {each}", list(names))
    for name in names:
        if not isinstance(name, str) or name not in STRATEGIES:
            raise checks.refuse("strategies", f"names, {each}", name)
    if len(set(names)) != len(names):
        raise checks.refuse("strategies", "names that do not repeat", list(names))
    return tuple(names)


def _start(name: str, value, kind: str, bounds: tuple):
    """Where a slider starts: ``value`` checked against the slider's range, or the model's
    default for that parameter (clipped to the slider's range)."""
    if value is None:
        default = PARAMETERS[name].value
        return min(max(default, bounds[0]), bounds[1])
    return checks.number(name, value, kind, bounds[0], bounds[1])


def _nearest_index(grid, value) -> int:
    return int(np.argmin([abs(g - value) for g in grid]))


class Explorer(FigureWidget):
    """Private bytes against iterations (or time) for one or more strategies, with sliders for
    the iteration count and the loop's tightness (and, optionally, the number of blankets),
    and, with ``show_counts``, beside it what the sliders change inside the model: interface
    proxies alive and the proxy manager's refcount.

    The axes are fixed at what the sliders' range can produce (the extreme settings are
    simulated once, here), so a slider move changes the curve, never the axes; a grey line
    shows the KB's run (the model's defaults) for comparison. Against iterations they are
    linear from 0 unless ``log``; against time, where the loosest run takes about 200 times
    the KB's, log unless ``log=False``. The ``log_axes`` toggle switches (see
    :class:`comsim.figures.MemoryLimits` for what each scale shows).

    ``iterations``, ``tightness`` and ``blankets`` set where the sliders start (``blankets``
    without ``show_blankets`` is a fixed setting instead).

    Public: ``iterations``, ``tightness``, ``blankets`` (or None) sliders, ``log_axes`` (a
    ToggleButton), ``figure``, ``plot`` (an :class:`~comsim.figures.ExplorerPlot`),
    ``caption``, ``traces`` (the runs on show), ``limits``, ``reference`` (the KB's run),
    ``last_redraw_ms``.
    """

    def __init__(
        self,
        strategies=("copy-each-time",),
        policy="by-design",
        x="iteration",
        show_blankets=False,
        title=None,
        *,
        iterations=None,
        tightness=None,
        blankets=None,
        show_counts=False,
        log=None,
        **overrides,
    ):
        self.strategies = _strategy_names(strategies)
        self.show_counts = checks.flag("show_counts", show_counts)
        check_x(x)
        # Time spans the loosest, longest run (about 200 times the KB's): log unless asked.
        log = x == "time" if log is None else checks.flag("log", log)
        if not isinstance(policy, str) or policy not in POLICIES:
            raise checks.refuse("policy", "one of " + ", ".join(map(repr, POLICIES)), policy)
        if isinstance(show_blankets, np.bool_):
            show_blankets = bool(show_blankets)
        checks.flag("show_blankets", show_blankets)
        start = {  # the model's defaults (data/parameters.csv): the KB's loop
            "iterations": _start("iterations", iterations, "int", ITERATIONS_RANGE),
            "tightness": _start("tightness", tightness, "float", TIGHTNESS_RANGE),
        }
        if show_blankets:
            start["blankets"] = _start("blankets", blankets, "int", BLANKETS_RANGE)
        elif blankets is not None:
            overrides["blankets"] = blankets  # a fixed setting, no slider
        simulate(iterations=1, **overrides)  # validate overrides before building anything
        self.policy, self.overrides = policy, overrides
        controls = self._make_sliders(start)
        self.title = title or f"Private bytes: {self._names()} ({policy})"
        self._make_plot(x, log)
        self.log_axes = widgets.ToggleButton(
            value=log,
            description="log axes",
            tooltip="Switch both axes between linear (from 0) and logarithmic scales",
        )
        self.caption = widgets.HTML()
        self.output = widgets.Output()
        self.traces: dict[str, Trace] = {}
        self.last_redraw_ms = float("nan")
        rows = [_with_question(c) for c in controls] + [self.log_axes]
        super().__init__([*rows, self.output, self.caption])
        for control in controls:
            control.observe(self._on_change, names="value")
        self.log_axes.observe(self._on_scale, names="value")
        self.redraw()

    def _make_sliders(self, start: dict) -> list:
        """The sliders, at ``start``: iterations, tightness and (if asked for) blankets."""
        self.iterations = _slider(
            widgets.IntSlider, "iterations", start["iterations"], ITERATIONS_RANGE
        )
        self.tightness = _slider(
            widgets.FloatSlider,
            "tightness",
            start["tightness"],
            TIGHTNESS_RANGE,
            readout_format=".2f",
        )
        self.blankets = None
        if "blankets" in start:
            self.blankets = _slider(
                widgets.IntSlider, "blankets", start["blankets"], BLANKETS_RANGE
            )
        return [s for s in (self.iterations, self.tightness, self.blankets) if s is not None]

    def _names(self) -> str:
        if len(self.strategies) <= 2:
            return ", ".join(self.strategies)
        return f"{len(self.strategies)} strategies"

    def _on_scale(self, change) -> None:
        """The log toggle: the same runs, on the other scale (nothing is simulated again)."""
        self.plot.set_log(bool(change["new"]))
        self._show()

    def _make_plot(self, x: str, log: bool) -> None:
        """The figure, on axes that hold every setting the sliders reach, with the KB's run."""
        self.limits, count_max = self._fixed_axes(x)
        self.reference = simulate(strategy="copy-each-time", policy="by-design")
        s = self.reference.summary
        self.reference_label = (
            f"the KB's run ({s.iterations:,} iterations, tightness {s.tightness:g})"
        )
        self.plot = ExplorerPlot(
            x,
            self.title,
            self.strategies,
            self.limits,
            count_max,
            reference=self.reference,
            reference_label=self.reference_label,
            counts=self.show_counts,
            log=log,
        )
        self.figure = self.plot.figure

    def _png(self) -> bytes:
        return self.plot.png()  # fixed axes: only the moving parts are drawn again

    def _fixed_axes(self, x: str) -> tuple[MemoryLimits, int]:
        """Simulate the sliders' extreme settings once: the axes and the panel's count axis
        hold every setting the sliders can reach."""
        (i_lo, i_hi, _), (t_lo, t_hi, _) = ITERATIONS_RANGE, TIGHTNESS_RANGE
        corners = [(i_lo, t_hi), (i_lo, t_lo), (i_hi, t_hi)]
        if x == "time":
            corners.append((i_hi, t_lo))  # the slowest run sets the time axis
        blanket_values = [None] if self.blankets is None else list(BLANKETS_RANGE[:2])
        count_max = [0]

        def corner_runs():  # one setting's runs at a time: 200,001-iteration runs are big
            for iterations, tightness in corners:
                for b in blanket_values:
                    settings = dict(self.overrides, iterations=iterations, tightness=tightness)
                    if b is not None:
                        settings["blankets"] = b
                    for t in self.compute(**settings).values():
                        a = t.arrays
                        count_max[0] = max(
                            count_max[0], int(a.interface_proxies.max()), int(a.pm_refcount.max())
                        )
                        yield t

        limits = MemoryLimits.covering(corner_runs(), x)
        return limits, count_max[0]

    def _settings(self) -> dict:
        settings = dict(
            self.overrides,
            iterations=int(self.iterations.value),
            tightness=float(self.tightness.value),
        )
        if self.blankets is not None:
            settings["blankets"] = int(self.blankets.value)
        return settings

    def compute(self, **settings) -> dict[str, Trace]:
        """One run per strategy on show, at ``settings``."""
        return {s: simulate(strategy=s, policy=self.policy, **settings) for s in self.strategies}

    def _on_change(self, change) -> None:
        """Redraw for the new value; a value the model refuses (NaN set from code, say) puts
        the slider back where it was, so the figure and every later redraw stay valid."""
        try:
            self.redraw()
        except (TypeError, ValueError):
            change["owner"].value = change["old"]
            raise

    def caption_text(self, traces: dict[str, Trace]) -> str:
        """The one-line summary of each run on show."""
        return " ".join(t.summary.describe() for t in traces.values())

    def redraw(self) -> None:
        """Simulate with the current slider values, update the figure in place and show it."""
        t0 = time.perf_counter()
        self.traces = self.compute(**self._settings())
        self.plot.update(self.traces)
        lines = [t.summary.describe() for t in self.traces.values()]
        self.caption.value = markup.part("lines", lines)
        self._show()
        self.last_redraw_ms = (time.perf_counter() - t0) * 1000

    def _offline_controls(self) -> list[tuple[str, tuple, int]]:
        """The static page's sliders: a coarser grid, starting nearest the live sliders."""
        if self.blankets is None:
            grids = [OFFLINE_ITERATIONS, OFFLINE_TIGHTNESS]
        else:
            grids = list(OFFLINE_GRID_WITH_BLANKETS)
        sliders = [s for s in (self.iterations, self.tightness, self.blankets) if s is not None]
        return [
            (
                f"{slider.description} ({QUESTIONS[slider.description]})",
                grid,
                _nearest_index(grid, slider.value),
            )
            for slider, grid in zip(sliders, grids, strict=True)
        ]

    def offline_html(self) -> str:
        # The frame's runs, shared by its figure and its caption. Only the latest frame's are
        # kept: a grid of 200,001-iteration runs would hold hundreds of MiB.
        runs: dict[tuple, dict[str, Trace]] = {}

        def traces(*values) -> dict[str, Trace]:
            if values not in runs:
                s = dict(self.overrides, iterations=values[0], tightness=values[1])
                if len(values) > 2:
                    s["blankets"] = values[2]
                runs.clear()
                runs[values] = self.compute(**s)
            return runs[values]

        def render(*values):
            self.plot.update(traces(*values))  # sets the frame's alt text on the figure
            return self.figure

        def caption(*values):
            return self.caption_text(traces(*values))

        page = offline.scrubber_html(self._offline_controls(), render, caption, self.title)
        self.plot.update(self.traces)  # back to the live sliders' state
        return page


def explorer(
    strategies=("copy-each-time",),
    policy="by-design",
    x="iteration",
    show_blankets=False,
    *,
    iterations=None,
    tightness=None,
    blankets=None,
    show_counts=False,
    log=None,
    **overrides,
) -> Explorer:
    """Private bytes of the KB loop (or other strategies) with sliders for iterations and
    tightness (and blankets, with ``show_blankets=True``), on fixed axes with the KB's run as
    a grey reference. ``strategies`` may be one name or several to compare side by side;
    ``iterations``, ``tightness``, ``blankets`` set where the sliders start. Against
    iterations the axes are linear from 0 (``log=True`` starts on log scales; against time
    log is the default); a toggle switches. ``show_counts`` adds the panel of interface
    proxies alive and the proxy manager's refcount."""
    return Explorer(
        strategies,
        policy,
        x,
        show_blankets,
        iterations=iterations,
        tightness=tightness,
        blankets=blankets,
        show_counts=show_counts,
        log=log,
        **overrides,
    )
