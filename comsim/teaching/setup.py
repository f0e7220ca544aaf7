"""The first call of every course notebook: ``comsim.setup()``.

Importing comsim changes nothing global. ``setup`` does, once and on purpose: it applies the
figure style, shows comsim's figures as PNG with their alt text when they end a cell, and
returns the widgets' one stylesheet (``static/comsim.css``) and script (``static/comsim.js``) as
the cell's output: the stylesheet for the live widgets' feedback and slider questions, the
script so that in a RISE slideshow the arrow keys on a focused slider move the slider, not
the slide. (A widget's static-page HTML carries the stylesheet and
the script it needs, so it works on a page, such as a slide, that shows no setup cell.)
"""

from __future__ import annotations

from ..figures import register_ipython_display, use_style
from . import markup


class Setup:
    """What ``setup`` leaves in the notebook: nothing visible, the widgets' stylesheet and
    script in its HTML."""

    def __init__(self, style: str):
        self.style = style

    def _repr_html_(self) -> str:
        return markup.part("style") + markup.part("script_tag")

    def __repr__(self) -> str:
        return f"comsim is set up (figure style {self.style!r})"


def setup(style: str = "notebook") -> Setup:
    """Apply the figure ``style`` ("notebook", or "projector" for a room), show comsim's
    figures with their alt text, and give the notebook the course's stylesheet."""
    use_style(style)
    register_ipython_display()
    return Setup(style)
