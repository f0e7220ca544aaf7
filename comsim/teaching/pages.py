"""Where this kernel's outputs will be read: live in Jupyter (the default), or on a static
page that has no kernel (a report, the course site, a deck, a handout).

The publish layer runs :func:`for_static_pages` in the kernel before a notebook's first cell
(a cell it adds for the run and removes after). From then on, explorers, the step-through
and predictions also carry HTML that works without a kernel. Nothing else changes.
"""

from __future__ import annotations

from ..model import checks

_static = False

STATIC_PAGES_CODE = "from comsim.teaching import pages\npages.for_static_pages()"
"""The code the publish layer runs in a kernel whose outputs go to static pages."""


def for_static_pages(on: bool = True) -> None:
    """Say that this kernel's outputs will be read on static pages (``on=False`` undoes it)."""
    global _static
    _static = checks.flag("on", on)


def static_pages() -> bool:
    """True when outputs are made for static pages (see :func:`for_static_pages`)."""
    return _static
