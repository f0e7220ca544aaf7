"""The one way comsim starts a browser: Debian's headless Chromium, driven by playwright, with
nothing that reaches out to the network on its own. The handouts print with it; the tests and
the benchmark (through ``testkit``) open the exported pages with it.
"""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
"""Debian's Chromium: playwright cannot download its own build on this machine."""

LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


class ChromiumMissing(FileNotFoundError):
    """There is no Chromium at :data:`CHROMIUM`."""


def launch(playwright, **options):
    """A headless Chromium from an open ``sync_playwright()``; ChromiumMissing if absent."""
    if not CHROMIUM.exists():
        raise ChromiumMissing(f"{CHROMIUM} is missing: install Debian's chromium (apt-get)")
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=list(LAUNCH_ARGS), **options
    )
