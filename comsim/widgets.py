"""Explorers: ipywidgets controls around comsim figures.

Each explorer owns one matplotlib Figure and redraws it in place when a slider moves; its
sliders are public attributes so notebooks and tests can drive them. In an exported report
(environment variable ``COMSIM_REPORT`` set) an explorer also carries precomputed frames
that a plain HTML slider scrubs without a kernel.
"""

from __future__ import annotations

import os
import time

import ipywidgets as widgets
import numpy as np
from IPython.display import Image, clear_output, display

from . import offline
from .com import POLICIES
from .plots import MemoryPlot, ObjectGraphPlot
from .scenarios import simulate
from .strategies import STRATEGIES, kb_iteration_snapshots
from .trace import Trace

ITERATIONS_RANGE = (1, 200_001, 1_000)  # min, max, step: 20,001 (the KB) is on the grid
TIGHTNESS_RANGE = (0.05, 1.0, 0.05)
BLANKETS_RANGE = (1, 8, 1)
OFFLINE_ITERATIONS = (1_001, 5_001, 20_001, 100_001, 200_001)
OFFLINE_TIGHTNESS = (0.25, 0.5, 0.75, 1.0)
OFFLINE_BLANKETS = (1, 2, 4, 8)
# With a third slider the grid multiplies: fewer values per axis keep a report light.
OFFLINE_GRID_WITH_BLANKETS = ((1_001, 20_001, 200_001), (0.5, 1.0), OFFLINE_BLANKETS)


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
        layout=widgets.Layout(width="70%"),
        **kw,
    )


def _in_report() -> bool:
    return bool(os.environ.get("COMSIM_REPORT"))


class _FigureWidget(widgets.VBox):
    """A VBox that shows one Figure in an Output widget and a caption under it."""

    figure = None

    def _show(self) -> None:
        # Our own PNG (one render, light compression) rather than the inline backend's
        # tight-bbox render, which draws twice: keeps a slider move under 100 ms.
        png = offline.figure_png(self.figure)
        with self.output:
            clear_output(wait=True)
            display(Image(data=png, format="png"))

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        if _in_report():
            bundle = dict(bundle or {})
            bundle["text/html"] = self.offline_html()
        return bundle

    def offline_html(self) -> str:  # pragma: no cover - defined by subclasses
        raise NotImplementedError


class Explorer(_FigureWidget):
    """Private bytes against iterations (or time) for one or more strategies, with sliders for
    the iteration count and the loop's tightness (and, optionally, the number of blankets).

    Public: ``iterations``, ``tightness``, ``blankets`` (or None), ``figure``, ``caption``,
    ``traces`` (the runs on show), ``last_redraw_ms``.
    """

    def __init__(
        self,
        strategies=("copy-each-time",),
        policy="by-design",
        x="iteration",
        show_blankets=False,
        title=None,
        **overrides,
    ):
        for s in strategies:
            if s not in STRATEGIES:
                raise ValueError(f"strategies must be chosen from {STRATEGIES}; got {s!r}")
        if policy not in POLICIES:
            raise ValueError(f"policy must be one of {POLICIES}; got {policy!r}")
        simulate(iterations=1, **overrides)  # validate overrides before building anything
        self.strategies = tuple(strategies)
        self.policy = policy
        self.overrides = overrides
        self.iterations = _slider(widgets.IntSlider, "iterations", 20_001, ITERATIONS_RANGE)
        self.tightness = _slider(
            widgets.FloatSlider, "tightness", 1.0, TIGHTNESS_RANGE, readout_format=".2f"
        )
        controls = [self.iterations, self.tightness]
        self.blankets = None
        if show_blankets:
            self.blankets = _slider(widgets.IntSlider, "blankets", 1, BLANKETS_RANGE)
            controls.append(self.blankets)
        names = (
            ", ".join(self.strategies)
            if len(self.strategies) <= 2
            else (f"{len(self.strategies)} strategies")
        )
        self.title = title or f"Private bytes: {names} ({policy})"
        self.plot = MemoryPlot(x=x, title=self.title, labels=self.strategies)
        self.figure = self.plot.figure
        self.caption = widgets.HTML()
        self.output = widgets.Output()
        self.traces: dict[str, Trace] = {}
        self.last_redraw_ms = float("nan")
        super().__init__(controls + [self.output, self.caption])
        for control in controls:
            control.observe(self._on_change, names="value")
        self.redraw()

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
            ("iterations", iterations, iterations.index(20_001)),
            ("tightness", tightness, len(tightness) - 1),
        ]
        if blankets is not None:
            controls.append(("blankets", blankets, 0))

        runs: dict[tuple, dict[str, Trace]] = {}  # each frame's runs, shared by figure and caption

        def traces(*values) -> dict[str, Trace]:
            if values not in runs:
                s = dict(self.overrides, iterations=values[0], tightness=values[1])
                if len(values) > 2:
                    s["blankets"] = values[2]
                runs[values] = self.compute(**s)
            return runs[values]

        def render(*values):
            self.plot.update(traces(*values))
            return self.figure

        def caption(*values):
            return " ".join(t.summary.describe() for t in traces(*values).values())

        html = offline.scrubber_html(controls, render, caption, self.title)
        self.plot.update(self.traces)  # back to the live sliders' state
        return html


def explorer(
    strategies=("copy-each-time",),
    policy="by-design",
    x="iteration",
    show_blankets=False,
    **overrides,
) -> Explorer:
    """Private bytes of the KB loop (or other strategies) with sliders for iterations and
    tightness. ``strategies`` may be one name or several to compare side by side."""
    if isinstance(strategies, str):
        strategies = (strategies,)
    return Explorer(strategies, policy, x, show_blankets, **overrides)


class StepThrough(_FigureWidget):
    """One pass of the KB loop, call by call, with Previous/Next buttons and a step slider:
    the object graph, the proxy manager's refcount and a memory bar at each call.

    Public: ``step`` (IntSlider), ``next``, ``previous`` (Buttons), ``snapshots``, ``figure``.
    """

    def __init__(self, policy="by-design", earlier_iterations=2, **overrides):
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

    def caption_text(self, k: int) -> str:
        s = self.snapshots[k]
        refs = s.proxy_managers[0].refcount if s.proxy_managers else 0
        proxies = sum(len(pm.interface_proxies) for pm in s.proxy_managers)
        return (
            f"Step {k} of {len(self.snapshots) - 1}: {s.note}. Proxy manager refcount "
            f"{refs}; {proxies} interface proxies alive; private bytes "
            f"{s.private_bytes:,}."
        )

    def redraw(self) -> None:
        k = int(self.step.value)
        self.plot.update(self.snapshots[k], self.bar_max)
        self.caption.value = self.caption_text(k)
        self.previous.disabled = k == 0
        self.next.disabled = k == self.step.max
        self._show()

    def offline_html(self) -> str:
        steps = list(range(len(self.snapshots)))

        def render(k):
            self.plot.update(self.snapshots[k], self.bar_max)
            return self.figure

        html = offline.scrubber_html(
            [("call", steps, 0)], render, self.caption_text, "One pass of the KB loop, call by call"
        )
        self.plot.update(self.snapshots[int(self.step.value)], self.bar_max)
        return html


def step_through(policy="by-design", earlier_iterations=2, **overrides) -> StepThrough:
    """The KB loop's calls one at a time, with Next/Previous buttons."""
    return StepThrough(policy, earlier_iterations, **overrides)
