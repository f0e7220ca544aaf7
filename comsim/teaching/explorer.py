"""Explorers: ipywidgets controls around comsim figures.

Each explorer owns one matplotlib Figure and redraws it in place when a slider moves; its
sliders are public attributes so notebooks and tests can drive them. The explorers' axes are
fixed at what the sliders can reach, so a slider move changes the curve and never the axes; a
grey line shows the KB's run, and a panel beside memory shows what the slider changed inside
the model (interface proxies alive, the proxy manager's refcount). Each slider names the
question it answers (:data:`QUESTIONS`). Every frame's figure carries its alt text.

On a static page (:mod:`comsim.teaching.pages`) an explorer also carries
precomputed frames that a plain HTML slider scrubs without a kernel.
"""

from __future__ import annotations

import time

import ipywidgets as widgets
import numpy as np
from IPython.display import Image, clear_output, display

from ..engines.scenarios import simulate
from ..engines.trace import Trace
from ..figures import ExplorerPlot, MemoryLimits, ObjectGraphPlot, alt_text, check_x, figure_png
from ..model import checks
from ..model.com import POLICIES
from ..model.params import PARAMETERS
from ..model.strategies import STRATEGIES, kb_iteration_snapshots
from . import offline, pages

ITERATIONS_RANGE = (1, 200_001, 1_000)  # min, max, step: 20,001 (the KB) is on the grid
TIGHTNESS_RANGE = (0.05, 1.0, 0.05)
BLANKETS_RANGE = (1, 8, 1)
EARLIER_ITERATIONS_RANGE = (0, 10_000)  # the step-through's earlier passes: under a second
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
    question = QUESTIONS[slider.description]
    return widgets.HBox([slider, widgets.HTML(f"<small><i>{question}</i></small>")])


def _strategy_names(strategies: object) -> tuple[str, ...]:
    """Validate ``strategies``: one name or a non-empty sequence of distinct names."""
    choices = ", ".join(map(repr, STRATEGIES))
    if isinstance(strategies, str):
        strategies = (strategies,)
    if strategies is None or not isinstance(strategies, (tuple, list)):
        raise TypeError(
            f"strategies must be a strategy name or a list of names chosen from {choices}; "
            f"got {strategies!r} ({type(strategies).__name__})"
        )
    if not strategies:
        raise ValueError(f"strategies must name at least one of {choices}; got {strategies!r}")
    for s in strategies:
        if not isinstance(s, str) or s not in STRATEGIES:
            raise ValueError(f"strategies must be chosen from {choices}; got {s!r}")
    if len(set(strategies)) != len(strategies):
        raise ValueError(f"strategies must not repeat a name; got {list(strategies)!r}")
    return tuple(strategies)


def _nearest_index(grid, value) -> int:
    return int(np.argmin([abs(g - value) for g in grid]))


class _FigureWidget(widgets.VBox):
    """A VBox that shows one Figure in an Output widget and a caption under it."""

    figure = None

    def _show(self) -> None:
        # Our own PNG (one render, light compression) rather than the inline backend's
        # tight-bbox render, which draws twice: keeps a slider move under 100 ms. The alt text
        # follows the frame.
        png = self._png()
        with self.output:
            clear_output(wait=True)
            display(Image(data=png, format="png", alt=alt_text(self.figure)))

    def _png(self) -> bytes:
        return figure_png(self.figure)

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        if pages.static_pages():
            bundle = dict(bundle or {})
            bundle["text/html"] = self.offline_html()
        return bundle

    def offline_html(self) -> str:  # pragma: no cover - defined by subclasses
        raise NotImplementedError


class Explorer(_FigureWidget):
    """Private bytes against iterations (or time) for one or more strategies, with sliders for
    the iteration count and the loop's tightness (and, optionally, the number of blankets),
    and beside it what the sliders change inside the model: interface proxies alive and the
    proxy manager's refcount.

    The axes are fixed at what the sliders' range can produce (the extreme settings are
    simulated once, here), so a slider move changes the curve, never the axes; a grey line
    shows the KB's run (the model's defaults) for comparison. See
    :class:`comsim.figures.MemoryLimits` for why the axes are logarithmic.

    ``iterations``, ``tightness`` and ``blankets`` set where the sliders start (``blankets``
    without ``show_blankets`` is a fixed setting instead).

    Public: ``iterations``, ``tightness``, ``blankets`` (or None) sliders, ``figure``,
    ``plot`` (an :class:`~comsim.figures.ExplorerPlot`), ``caption``, ``traces`` (the runs on
    show), ``limits``, ``reference`` (the KB's run), ``last_redraw_ms``.
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
        **overrides,
    ):
        self.strategies = _strategy_names(strategies)
        if not isinstance(policy, str) or policy not in POLICIES:
            raise ValueError(
                f"policy must be one of {', '.join(map(repr, POLICIES))}; got {policy!r}"
            )
        check_x(x)
        if not isinstance(show_blankets, (bool, np.bool_)):
            raise TypeError(f"show_blankets must be True or False; got {show_blankets!r}")
        start = {  # the model's defaults (data/parameters.csv): the KB's loop
            "iterations": _start("iterations", iterations, "int", ITERATIONS_RANGE),
            "tightness": _start("tightness", tightness, "float", TIGHTNESS_RANGE),
        }
        if show_blankets:
            start["blankets"] = _start("blankets", blankets, "int", BLANKETS_RANGE)
        elif blankets is not None:
            overrides["blankets"] = blankets  # a fixed setting, no slider
        simulate(iterations=1, **overrides)  # validate overrides before building anything
        self.policy = policy
        self.overrides = overrides
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
        controls = [self.iterations, self.tightness]
        self.blankets = None
        if show_blankets:
            self.blankets = _slider(
                widgets.IntSlider, "blankets", start["blankets"], BLANKETS_RANGE
            )
            controls.append(self.blankets)
        names = (
            ", ".join(self.strategies)
            if len(self.strategies) <= 2
            else (f"{len(self.strategies)} strategies")
        )
        self.title = title or f"Private bytes: {names} ({policy})"
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
        )
        self.figure = self.plot.figure
        self.caption = widgets.HTML()
        self.output = widgets.Output()
        self.traces: dict[str, Trace] = {}
        self.last_redraw_ms = float("nan")
        super().__init__([_with_question(c) for c in controls] + [self.output, self.caption])
        for control in controls:
            control.observe(self._on_change, names="value")
        self.redraw()

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
        return {s: simulate(strategy=s, policy=self.policy, **settings) for s in self.strategies}

    def _on_change(self, _change) -> None:
        self.redraw()

    def caption_text(self, traces: dict[str, Trace]) -> str:
        """The one-line summary of each run on show."""
        return " ".join(t.summary.describe() for t in traces.values())

    def redraw(self) -> None:
        """Simulate with the current slider values, update the figure in place and show it."""
        t0 = time.perf_counter()
        self.traces = self.compute(**self._settings())
        self.plot.update(self.traces)
        self.caption.value = "<br>".join(t.summary.describe() for t in self.traces.values())
        self._show()
        self.last_redraw_ms = (time.perf_counter() - t0) * 1000

    def offline_html(self) -> str:
        if self.blankets is None:
            iterations, tightness, blankets = OFFLINE_ITERATIONS, OFFLINE_TIGHTNESS, None
        else:
            iterations, tightness, blankets = OFFLINE_GRID_WITH_BLANKETS
        controls = [
            (
                f"iterations ({QUESTIONS['iterations']})",
                iterations,
                _nearest_index(iterations, self.iterations.value),
            ),
            (
                f"tightness ({QUESTIONS['tightness']})",
                tightness,
                _nearest_index(tightness, self.tightness.value),
            ),
        ]
        if blankets is not None:
            controls.append(
                (
                    f"blankets ({QUESTIONS['blankets']})",
                    blankets,
                    _nearest_index(blankets, self.blankets.value),
                )
            )

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

        html = offline.scrubber_html(controls, render, caption, self.title)
        self.plot.update(self.traces)  # back to the live sliders' state
        return html


def _start(name: str, value, kind: str, bounds: tuple):
    """Where a slider starts: ``value`` checked against the slider's range, or the model's
    default for that parameter (clipped to the slider's range)."""
    if value is None:
        default = PARAMETERS[name].value
        return min(max(default, bounds[0]), bounds[1])
    return checks.number(name, value, kind, bounds[0], bounds[1])


def explorer(
    strategies=("copy-each-time",),
    policy="by-design",
    x="iteration",
    show_blankets=False,
    *,
    iterations=None,
    tightness=None,
    blankets=None,
    **overrides,
) -> Explorer:
    """Private bytes of the KB loop (or other strategies) with sliders for iterations and
    tightness (and blankets, with ``show_blankets=True``), on fixed axes with the KB's run as
    a grey reference. ``strategies`` may be one name or several to compare side by side;
    ``iterations``, ``tightness``, ``blankets`` set where the sliders start."""
    return Explorer(
        strategies,
        policy,
        x,
        show_blankets,
        iterations=iterations,
        tightness=tightness,
        blankets=blankets,
        **overrides,
    )


class StepThrough(_FigureWidget):
    """One pass of the KB loop, call by call, with Previous/Next buttons and a step slider:
    the object graph, the proxy manager's refcount and a memory bar at each call.

    ``earlier_iterations``: passes run before the one shown, an int in
    :data:`EARLIER_ITERATIONS_RANGE` (each pass leaves one more copy behind).

    Public: ``step`` (IntSlider), ``next``, ``previous`` (Buttons), ``snapshots``, ``figure``.
    """

    def __init__(self, policy="by-design", earlier_iterations=2, **overrides):
        earlier_iterations = checks.number(
            "earlier_iterations", earlier_iterations, "int", *EARLIER_ITERATIONS_RANGE
        )
        self.snapshots = kb_iteration_snapshots(policy, earlier_iterations, **overrides)
        self.bar_max = max(s.heap.used_bytes + s.transient_pending_bytes for s in self.snapshots)
        self.plot = ObjectGraphPlot(f"One pass of the KB loop ({policy})")
        self.figure = self.plot.figure
        self.step = widgets.IntSlider(
            value=0, min=0, max=len(self.snapshots) - 1, description="call", continuous_update=True
        )
        self.previous = widgets.Button(description="◀ Previous", tooltip="previous call")
        self.next = widgets.Button(description="Next ▶", tooltip="next call")
        self.previous.on_click(lambda _b: self._move(-1))
        self.next.on_click(lambda _b: self._move(+1))
        self.caption = widgets.HTML()
        self.output = widgets.Output()
        super().__init__(
            [widgets.HBox([self.previous, self.next, self.step]), self.output, self.caption]
        )
        self.step.observe(lambda _c: self.redraw(), names="value")
        self.redraw()

    def _move(self, delta: int) -> None:
        self.step.value = int(np.clip(self.step.value + delta, 0, self.step.max))

    def _step_label(self, k: int) -> str:
        return f"Step {k} of {len(self.snapshots) - 1}"

    def caption_text(self, k: int) -> str:
        s = self.snapshots[k]
        refs = s.proxy_managers[0].refcount if s.proxy_managers else 0
        proxies = sum(len(pm.interface_proxies) for pm in s.proxy_managers)
        alive = f"{proxies} interface prox{'y' if proxies == 1 else 'ies'} alive"
        return (
            f"{self._step_label(k)}: {s.note}. Proxy manager refcount {refs}; {alive}; "
            f"private bytes {s.private_bytes:,}."
        )

    def _draw(self, k: int) -> None:
        self.plot.update(self.snapshots[k], self.bar_max, step=self._step_label(k))

    def redraw(self) -> None:
        k = int(self.step.value)
        self._draw(k)
        self.caption.value = self.caption_text(k)
        self.previous.disabled = k == 0
        self.next.disabled = k == self.step.max
        self._show()

    def offline_html(self) -> str:
        steps = list(range(len(self.snapshots)))

        def render(k):
            self._draw(k)  # sets the frame's alt text on the figure
            return self.figure

        html = offline.scrubber_html(
            [("call", steps, 0)], render, self.caption_text, "One pass of the KB loop, call by call"
        )
        self._draw(int(self.step.value))
        return html


def step_through(policy="by-design", earlier_iterations=2, **overrides) -> StepThrough:
    """The KB loop's calls one at a time, with Next/Previous buttons. ``earlier_iterations``
    (an int in [0, 10000]) passes run first."""
    return StepThrough(policy, earlier_iterations, **overrides)
