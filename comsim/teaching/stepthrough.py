"""The step-through: one pass of the KB loop, call by call, with Previous/Next buttons.

At each call it shows the object graph, the proxy manager's refcount and a memory bar, so a
learner watches ``pCopy->Release()`` land on the one count and leave the copy in place. On a
static page (:mod:`comsim.teaching.pages`) every call is a precomputed frame.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..figures import ObjectGraphPlot
from ..model import checks
from ..model.strategies import EARLIER_ITERATIONS_RANGE, kb_iteration_snapshots
from ..model.text import count, number
from . import markup, offline
from .figure_widget import FigureWidget

# The figure's title by release policy (comsim.model.com), in words rather than the policy's
# name: the default is what the article describes; the other is the course's what-if.
TITLES = {
    "by-design": "One pass of the KB loop",
    "free-on-release": "One pass, if copies were freed on Release (what-if)",
}


class StepThrough(FigureWidget):
    """One pass of the KB loop, call by call, with Previous/Next buttons and a step slider:
    the object graph, the proxy manager's refcount and a memory bar at each call.

    ``earlier_iterations``: passes run before the one shown, an int in
    :data:`~comsim.model.strategies.EARLIER_ITERATIONS_RANGE` (each pass leaves one more copy
    behind).

    Public: ``step`` (IntSlider), ``next``, ``previous`` (Buttons), ``snapshots``, ``figure``.
    """

    def __init__(self, policy="by-design", earlier_iterations=2, **overrides):
        earlier_iterations = checks.number(
            "earlier_iterations", earlier_iterations, "int", *EARLIER_ITERATIONS_RANGE
        )
        self.snapshots = kb_iteration_snapshots(policy, earlier_iterations, **overrides)
        self.bar_max = max(s.heap.used_bytes + s.transient_pending_bytes for s in self.snapshots)
        self.plot = ObjectGraphPlot(TITLES.get(policy, "One pass of the KB loop"))
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
        """``Call k of n``, and ``Start`` for the state before the first call."""
        return f"Call {k} of {len(self.snapshots) - 1}" if k else "Start"

    def caption_text(self, k: int) -> str:
        """What call ``k`` did and what it left: the refcount, the interface proxies alive and
        private bytes."""
        s = self.snapshots[k]
        refs = s.proxy_managers[0].refcount if s.proxy_managers else 0
        proxies = sum(len(pm.interface_proxies) for pm in s.proxy_managers)
        alive = count(proxies, "interface proxy", "interface proxies") + " alive"
        return (
            f"{self._step_label(k)}: {s.note}. Proxy manager refcount {refs}; {alive}; "
            f"private bytes {number(s.private_bytes)}."
        )

    def _draw(self, k: int) -> None:
        self.plot.update(self.snapshots[k], self.bar_max, step=self._step_label(k))

    def redraw(self) -> None:
        """Draw the call the slider is on, with its caption, and enable the buttons that
        lead somewhere."""
        k = int(self.step.value)
        self._draw(k)
        self.caption.value = markup.part("lines", [self.caption_text(k)])
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
