"""A MyST-NB output renderer for the course site: a figure's alt text comes from its output.

comsim puts each figure's alt text, a sentence that states its numbers, in the output's
metadata (``{"image/png": {"alt": ...}}``), as JupyterLab and nbconvert read it. MyST-NB takes
an image's width and height from there but its alt text only from the cell's metadata, and
otherwise writes the file's name. This plugin (registered for MyST-NB's
``myst_nb.mime_renderers`` entry point in pyproject.toml) renders the image as MyST-NB does,
then gives it the output's alt text.
"""

from __future__ import annotations

from typing import ClassVar

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/svg+xml"})


class AltTextImages:
    """MyST-NB's image rendering, with the alt text the output carries."""

    mime_priority_overrides: ClassVar[tuple] = ()

    @staticmethod
    def handle_mime(renderer, data, inline: bool):
        """The image's nodes with the output's alt text; None (MyST-NB's own rendering) for
        anything else, or an image whose output has no alt text."""
        if data.mime_type not in IMAGE_TYPES:
            return None
        alt = data.output_metadata.get(data.mime_type, {}).get("alt")
        if not alt:
            return None
        nodes = renderer.render_image(data)
        for node in nodes:
            node["alt"] = str(alt)
        return nodes
