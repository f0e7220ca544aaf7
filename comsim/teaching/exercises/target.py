"""Target practice: move an explorer's sliders until a measure of its run hits a stated target.

A check reads the explorer's current run (the one its figure shows), measures it, and says how
far it is from the target and in which direction; the verdict comes from
:class:`~comsim.teaching.answers.Answer`, the course's one checker. In a notebook::

    ex = comsim.explorer()
    ex
    comsim.target(ex, "growth", 20, unit="MiB", tolerance=1)     # a Check button under it

On a page with no kernel the sliders scrub precomputed frames, so there is nothing to check:
the target shows with the notice that it needs a kernel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ipywidgets as widgets

from ...engines.trace import MIB, Trace
from ...model import checks
from ...model.text import number
from .. import markup, pages
from ..answers import Answer, Verdict
from .result import Card, Result


@dataclass(frozen=True)
class Measure:
    """Something a run can be measured by: what it is called, its unit, and how to read it."""

    what: str
    unit: str
    read: Callable[[Trace], float]


MEASURES = {
    "growth": Measure(
        "the growth of private bytes during the loop", "MiB", lambda t: t.summary.growth_bytes / MIB
    ),
    "peak": Measure("peak private bytes", "MiB", lambda t: t.summary.peak_private_bytes / MIB),
    "per-iteration": Measure(
        "the growth per iteration", "B", lambda t: t.summary.bytes_per_iteration
    ),
    "loop-seconds": Measure("the time the loop takes", "s", lambda t: t.summary.loop_seconds),
    "proxies": Measure(
        "the interface proxies alive at the end of the loop",
        "",
        lambda t: t.summary.interface_proxies_at_end_of_loop,
    ),
}
"""What a target can be set on, by name."""


class Target:
    """A target for an explorer: ``measure`` (a name in :data:`MEASURES`) of the run of
    ``strategy`` (the explorer's first by default) should be ``goal`` within ``tolerance``
    (in the measure's unit; a fraction of the goal with ``relative=True``).

    Public: ``explorer``, ``measure``, ``goal``, ``card``, :meth:`current`, :meth:`check`,
    and the live widget's ``button`` and ``feedback``."""

    def __init__(
        self,
        explorer,
        measure: str,
        goal: float,
        *,
        tolerance: float,
        relative: bool = False,
        strategy: str | None = None,
        prompt: str = "",
        key: str = "",
    ):
        if not hasattr(explorer, "traces") or not hasattr(explorer, "strategies"):
            raise checks.refuse("explorer", "an explorer (comsim.explorer())", explorer, TypeError)
        self.explorer = explorer
        self.measure = MEASURES[checks.choice("measure", measure, MEASURES)]
        self.strategy = explorer.strategies[0] if strategy is None else strategy
        checks.choice("strategy", self.strategy, explorer.strategies)
        self.answer = Answer(goal, unit=self.measure.unit, tolerance=tolerance, relative=relative)
        self.goal = self.answer.value
        told = prompt or f"Move the sliders until {self.measure.what} is {self.goal_text}."
        how = (
            f"Move the sliders above ({self._ranges()}), then press **Check** (or call `.check()`)."
        )
        self.card = Card("target", told, how=how, key=key)
        self._widget: widgets.VBox | None = None

    @property
    def goal_text(self) -> str:
        spread = self.answer.spread(self.goal)
        return f"{self.answer.text()} (give or take {number(spread, self.measure.unit)})"

    def current(self) -> float:
        """The measure of the run the explorer shows now."""
        return float(self.measure.read(self.explorer.traces[self.strategy]))

    def check(self) -> Result:
        """How far the explorer's current run is from the target, with the sliders' values."""
        value = self.current()
        status = self.answer.verdict(value).status
        unit = self.measure.unit
        shown = number(value, unit)
        where = self._sliders()
        if status == "right":
            message = f"On target: {self.measure.what} is {shown} with {where}."
        else:
            gap = number(abs(value - self.goal), unit)
            side = "above" if value > self.goal else "below"
            message = (
                f"Not yet: {self.measure.what} is {shown} with {where}: {gap} {side} the "
                f"target of {self.goal_text}. Move the sliders and check again."
            )
        return Result(self.card, (Verdict(status, message),))

    def _controls(self) -> list:
        ex = self.explorer
        return [s for s in (ex.iterations, ex.tightness, ex.blankets) if s is not None]

    def _sliders(self) -> str:
        return ", ".join(f"{s.description} = {number(s.value)}" for s in self._controls())

    def _ranges(self) -> str:
        """Each slider's range and step, so that a learner can tell a target is in reach."""
        return "; ".join(
            f"{s.description} from {number(s.min)} to {number(s.max)} in steps of {number(s.step)}"
            for s in self._controls()
        )

    # -- the live widget -----------------------------------------------------------------------
    @property
    def widget(self) -> widgets.VBox:
        """The target, a Check button and the feedback line (built on first use)."""
        if self._widget is None:
            self.button = widgets.Button(description="Check", button_style="primary")
            self.feedback = widgets.HTML(markup.part("feedback", "", "none"))
            self.button.on_click(lambda _b: self._show(self.check()))
            card = widgets.HTML(self.card.html(False))
            self._widget = widgets.VBox([card, self.button, self.feedback])
        return self._widget

    def _show(self, result: Result) -> None:
        self.feedback.value = markup.part("feedback", result.messages[0], result.status)

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        if pages.static_pages():
            return self.card._repr_mimebundle_(include, exclude, **kwargs)
        bundle = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        bundle["text/html"] = self.card.html(True)
        bundle["text/plain"] = self.card.text()
        return bundle

    def __repr__(self) -> str:
        return self.card.text()


def target(
    explorer,
    measure: str,
    goal: float,
    *,
    tolerance: float,
    relative: bool = False,
    strategy: str | None = None,
    prompt: str = "",
    key: str = "",
) -> Target:
    """Target practice on ``explorer``: move its sliders until ``measure`` (one of
    :data:`MEASURES`: "growth", "peak", "per-iteration", "loop-seconds", "proxies") of its run
    is ``goal`` within ``tolerance``. Display it for a Check button; ``.check()`` says how
    far the current sliders are."""
    return Target(
        explorer,
        measure,
        goal,
        tolerance=tolerance,
        relative=relative,
        strategy=strategy,
        prompt=prompt,
        key=key,
    )
