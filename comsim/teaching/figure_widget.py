"""What the explorer and the step-through share: one matplotlib Figure shown in an Output
widget with a caption under it, and, on a static page, precomputed frames instead."""

from __future__ import annotations

import ipywidgets as widgets
from IPython.display import Image, clear_output, display

from ..figures import alt_text, figure_png
from . import pages


class FigureWidget(widgets.VBox):
    """A VBox that shows one Figure (``figure``) in an Output widget (``output``) and a
    caption under it. Subclasses draw the figure and give :meth:`offline_html`."""

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
        """The widget for a page with no kernel: its frames, precomputed."""
        raise NotImplementedError
