"""Explorers for readers without a kernel: precomputed frames and a slider that scrubs them.

An exported report cannot run Python, so each explorer renders its figure for a grid of slider
values ahead of time and embeds the PNGs in one self-contained HTML block with plain
``<input type=range>`` controls (``templates/scrubber.html.j2``) and the widgets' one script
(``static/comsim.js``). Nothing is loaded from the network.
"""

from __future__ import annotations

import base64
import itertools
from collections.abc import Callable, Sequence

from matplotlib.figure import Figure

from ..figures import figure_png
from ..model.text import number
from . import markup

FRAME_DPI = {"notebook": 80, "projector": 96}
"""The frames' resolution by figure style: small files for a report; on a projector, the
style's full size, so that its type keeps its height."""


def scrubber_html(
    controls: Sequence[tuple[str, Sequence, int]],
    render: Callable[..., Figure],
    caption: Callable[..., str],
    title: str,
    dpi: int | None = None,
    buttons: bool | None = None,
) -> str:
    """Render ``render(*values)`` for every combination of control values and return HTML
    whose range inputs pick the frame shown, with ``caption(*values)`` under it.

    ``controls``: (label, values, index of the value shown first) for each slider. Each
    frame's alt text is the figure's ``comsim_alt`` sentence (its numbers) as ``render`` left
    it, else ``title``; it changes with the frame. ``dpi`` is the frames' resolution (by
    default :data:`FRAME_DPI` of the figure's style). ``buttons`` adds Previous/Next buttons
    that step the last slider; by default a single slider (a step-through) gets them.

    For keyboard and screen-reader users: the sliders are labelled and say their value
    (``aria-valuetext``), the caption is a live region, so a new frame's summary is read out,
    and focus is always visible. In print, the figure is the frame on screen (the default
    one in a fresh page) and the slider values are written out in words.
    """
    names = [name for name, _, _ in controls]
    grids = [list(values) for _, values, _ in controls]
    starts = [start for _, _, start in controls]
    frames: dict[str, list] = {"frames": [], "captions": [], "alts": []}
    for combo in itertools.product(*grids):
        fig = render(*combo)
        frames["alts"].append(getattr(fig, "comsim_alt", "") or title)  # this frame's numbers
        frame_dpi = dpi or FRAME_DPI.get(getattr(fig, "comsim_style", ""), 80)
        png = base64.b64encode(figure_png(fig, frame_dpi, 9)).decode()
        frames["frames"].append("data:image/png;base64," + png)
        frames["captions"].append(caption(*combo))
    labels = [[_label(v) for v in grid] for grid in grids]
    frames.update(sizes=[len(g) for g in grids], labels=labels, names=names)
    first = 0
    for size, start in zip(frames["sizes"], starts, strict=True):
        first = first * size + start
    sliders = [
        {"name": name, "last": len(grid) - 1, "start": start, "label": labels[k][start]}
        for k, (name, grid, start) in enumerate(zip(names, grids, starts, strict=True))
    ]
    return markup.render(
        "scrubber.html.j2",
        uid=markup.new_id("scrub"),
        title=title,
        sliders=sliders,
        buttons=len(controls) == 1 if buttons is None else buttons,
        shown="; ".join(f"{s['name']} = {s['label']}" for s in sliders),
        alt=frames["alts"][first],
        caption=frames["captions"][first],
        frames=frames,
    )


def _label(value: object) -> str:
    """A slider position as a person reads it: ``20,001``, ``0.25``, or the value's own text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number(value)
    return str(value)
