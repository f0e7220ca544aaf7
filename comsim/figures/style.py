"""The look of comsim's figures: the Okabe-Ito palette, the notebook and projector styles, and
the figure every plot starts from.

Nothing here touches matplotlib's global settings when it is imported. A style is applied in
one of three ways:

- :func:`use_style` sets it for the whole session, on purpose (``comsim.setup()`` calls it);
- :func:`styled` sets it for a ``with`` block only and restores matplotlib's settings after;
- every figure function of :mod:`comsim.figures` draws inside :func:`styled` (see
  :func:`in_style`), so a script or a test that never called ``setup`` still gets the course's
  look, and a figure is rendered in the style it was made in (:func:`drawing`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

import matplotlib as mpl
from matplotlib.figure import Figure

from ..model import checks

# Okabe & Ito (2008), "Color Universal Design": distinguishable with the common colour-vision
# deficiencies.
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
SERIES_COLORS = [
    OKABE_ITO[k]
    for k in ("vermillion", "blue", "green", "orange", "purple", "sky", "black", "yellow")
]
SERIES_LINESTYLES = ["-", (0, (6, 3)), "-.", ":", (0, (1, 1)), (0, (8, 2, 2, 2))]
# Each strategy keeps one colour and one line style in every figure of the course.
STRATEGY_STYLE = {
    "copy-each-time": dict(color=OKABE_ITO["vermillion"], linestyle="-"),
    # Not orange: beside vermilion it is the same colour on a projector.
    "co-copy-proxy": dict(color=OKABE_ITO["sky"], linestyle=(0, (6, 3))),
    "cache-copy": dict(color=OKABE_ITO["green"], linestyle="-."),
    "no-copy": dict(color=OKABE_ITO["blue"], linestyle=":"),
}

# The matplotlib settings of each style: type and line sizes for a screen at arm's length, or
# for the back of a classroom.
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
    # At 96 dpi the smallest of these (ticks, legends and "small" labels, 0.83 of font.size)
    # is 21 px, so 19 px once a class deck scales a figure to 0.9 on a 1280x720 frame: the
    # step-through's labels included (tests/test_class.py checks both).
    "projector": {
        "font.size": 19,
        "axes.titlesize": 20,
        "axes.labelsize": 18,
        "lines.linewidth": 3.6,
        "figure.dpi": 96,
        "legend.fontsize": 16,
        "xtick.labelsize": 16,
        "ytick.labelsize": 16,
    },
}
# How much larger a figure is drawn in each style, so its larger type keeps its room.
FIGURE_SCALE = {"notebook": 1.0, "projector": 1.35}

_current_style = "notebook"  # comsim's own setting; matplotlib's rcParams hold no trace of it

P = ParamSpec("P")
R = TypeVar("R")


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


def rc_params(name: str) -> dict:
    """The matplotlib settings of style ``name``, the palette as the colour cycle included."""
    checks.choice("style", name, STYLES)
    return {**STYLES[name], "axes.prop_cycle": mpl.cycler(color=SERIES_COLORS)}


def current_style() -> str:
    """The style new comsim figures are made in: ``"notebook"`` unless :func:`use_style` or an
    enclosing :func:`styled` block says otherwise."""
    return _current_style


def use_style(name: str = "notebook") -> str:
    """Make ``name`` (``"notebook"``, or ``"projector"`` for large type and thick lines) the
    style of every figure from now on, matplotlib's own included: an explicit, session-wide
    change, which ``comsim.setup()`` makes. Returns the previous style's name."""
    global _current_style
    rc = rc_params(name)  # refuses an unknown name before anything changes
    previous, _current_style = _current_style, name
    mpl.rcParams.update(rc)
    return previous


@contextmanager
def styled(name: str | None = None) -> Iterator[str]:
    """Inside the ``with`` block, figures are made and drawn in style ``name`` (by default the
    current one); afterwards matplotlib's settings and the current style are as they were."""
    global _current_style
    name = _current_style if name is None else name
    rc = rc_params(name)
    previous = _current_style
    with mpl.rc_context(rc):
        _current_style = name
        try:
            yield name
        finally:
            _current_style = previous


def in_style(draw: Callable[P, R]) -> Callable[P, R]:
    """Decorate a function that makes a figure: it runs inside :func:`styled`, so the figure
    gets the current comsim style whatever matplotlib's global settings are."""

    @functools.wraps(draw)
    def draw_in_style(*args: P.args, **kwargs: P.kwargs) -> R:
        with styled():
            return draw(*args, **kwargs)

    return draw_in_style


class ComsimFigure(Figure):
    """A matplotlib Figure that carries its alt text and its style.

    ``comsim_alt`` is one sentence that states what the figure shows with its numbers (set by
    whoever draws it; see :func:`comsim.figures.alt.alt_text`). ``comsim_style`` is the style
    it was made in; :func:`drawing` renders it in that style again."""

    comsim_alt: str = ""
    comsim_style: str = "notebook"


def new_figure(
    width: float = 8.0, height: float = 4.2, fixed_margins: bool = False
) -> ComsimFigure:
    """A figure outside pyplot's registry (so redrawn figures never pile up), sized for the
    current style: ``width`` x ``height`` inches in the notebook style, larger on a projector.

    ``fixed_margins`` skips matplotlib's constrained layout (a third of the drawing time) for
    figures redrawn on every slider move."""
    name = _current_style
    scale = FIGURE_SCALE[name]
    size = (width * scale, height * scale)
    with styled(name):
        fig = ComsimFigure(figsize=size, layout=None if fixed_margins else "constrained")
    fig.comsim_style = name
    if fixed_margins:
        fig.subplots_adjust(left=0.1, right=0.98, top=0.91, bottom=0.14)
    return fig


def drawing(fig: Figure):
    """A ``with`` block in which ``fig`` is changed or rendered in the style it was made in (a
    plain matplotlib figure: in the current style)."""
    return styled(getattr(fig, "comsim_style", None))
