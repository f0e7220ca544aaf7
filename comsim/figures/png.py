"""Figures as PNG: bytes for a page or a file (:func:`figure_png`), and with their alt text for a
notebook's display (:func:`png_with_alt`, :func:`register_ipython_display`).
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure

from .alt import alt_text
from .style import ComsimFigure, drawing


def figure_png(fig: Figure, dpi: float | None = None, compress_level: int = 1) -> bytes:
    """The figure as PNG bytes, rendered in the style it was made in. Light compression by
    default: live redraws need speed; the precomputed frames of a report use more, for size."""
    buf = io.BytesIO()
    with drawing(fig):
        fig.savefig(buf, format="png", dpi=dpi, pil_kwargs={"compress_level": compress_level})
    return buf.getvalue()


def png_with_alt(fig: Figure) -> tuple[bytes, dict[str, str]]:
    """The figure as PNG with its alt text as display metadata: IPython formatters may return
    ``(data, metadata)``, and the kernel sends ``{"image/png": {"alt": ...}}`` with the output,
    where notebook front ends and nbconvert's HTML export read it."""
    return figure_png(fig, compress_level=6), {"alt": alt_text(fig)}


def register_ipython_display() -> bool:
    """Show Figures (comsim's are made without pyplot) as PNG with alt text when they end a
    notebook cell; ``comsim.setup()`` calls this, importing comsim never does. Registered for
    :class:`~comsim.figures.style.ComsimFigure` too: IPython looks a type up before its base
    classes, so a later ``%matplotlib inline`` (which re-registers plain ``Figure``) cannot
    take comsim's figures' alt text away. Returns False outside IPython, where there is
    nothing to register."""
    from IPython import get_ipython  # only when asked: a script need not load IPython

    ip = get_ipython()
    if ip is None:
        return False
    png = ip.display_formatter.formatters["image/png"]
    png.for_type(Figure, png_with_alt)
    png.for_type(ComsimFigure, png_with_alt)
    return True
