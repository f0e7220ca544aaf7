"""The one way comsim starts a browser: Debian's headless Chromium, driven by playwright, with
nothing that reaches out to the network on its own. The handouts print with it; the tests and
the benchmark (through ``testkit``) open the exported pages with it.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
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


def with_browser(work):
    """``work(browser)`` with a headless Chromium that is closed afterwards; its result.

    Playwright's sync API refuses a thread where an asyncio loop runs (a Jupyter kernel, or a
    test beside another browser), so the browser lives on a thread of its own.
    """
    if not CHROMIUM.exists():
        raise ChromiumMissing(f"{CHROMIUM} is missing: install Debian's chromium (apt-get)")

    def run():
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = launch(playwright)
            try:
                return work(browser)
            finally:
                browser.close()

    with ThreadPoolExecutor(1, thread_name_prefix="comsim-chromium") as pool:
        return pool.submit(run).result()
