"""Printed handouts: one PDF per notebook, printed from its page of the course site by headless
Chromium.

Instructors hand these out, and learners without a machine read them. The site carries a
print stylesheet (``templates/book/_static/comsim-book.css``; the widgets' own rules are in
``comsim/teaching/static/comsim.css``): figures and code never run past the page edge (images
scale to the page width, code wraps), and an offline explorer prints the frame it shows when
the page opens (its default) with the slider values written out and the caption (the figure's
text summary) under it; sliders, buttons, the sidebars and the page navigation are left out.
Folded sections (``<details>``: worked answers, deeper material) are printed unfolded, because
a reader of paper cannot click them open.

The browser is Debian's Chromium (``/usr/bin/chromium``), driven by playwright, with every
request that would leave the machine refused: a report needs nothing from the network.

Run it as ``python -m comsim.publish.handouts [--reports DIR] [--out DIR]`` (``make handouts``,
after ``make reports``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import arguments, chromium
from .interrupt import terminate_as_interrupt
from .report import SITE_PAGES

PAGE_FORMAT = "A4"
MARGIN = {"top": "14mm", "bottom": "14mm", "left": "12mm", "right": "12mm"}
LOAD_TIMEOUT_MS = 60_000
_LOCAL = ("file:", "data:", "blob:", "about:")

# Before printing: every folded section open, every picture decoded.
_PREPARE = """async () => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  await Promise.all([...document.images].map(img => img.decode().catch(() => null)));
}"""


def handout_sources(reports_dir: Path | str) -> list[Path]:
    """The notebooks' pages in ``reports_dir`` (not the course map, the search or the sources)."""
    pages = sorted(Path(reports_dir).glob("*.html"))
    return [p for p in pages if p.stem not in SITE_PAGES]


def print_pdf(browser, report: Path, pdf: Path) -> Path:
    """Print the offline report ``report`` to ``pdf`` with an open playwright ``browser``."""
    context = browser.new_context()
    try:
        context.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith(_LOCAL) else route.abort()
            ),
        )
        page = context.new_page()
        page.goto(Path(report).resolve().as_uri(), wait_until="load", timeout=LOAD_TIMEOUT_MS)
        page.evaluate(_PREPARE)
        page.emulate_media(media="print")
        pdf.parent.mkdir(parents=True, exist_ok=True)
        page.pdf(
            path=str(pdf),
            format=PAGE_FORMAT,
            margin=MARGIN,
            print_background=True,
            prefer_css_page_size=True,
        )
    finally:
        context.close()
    return pdf


def write_handouts(
    reports_dir: Path | str = "build/reports", out_dir: Path | str = "build/handouts"
) -> list[Path]:
    """Write ``out_dir/<notebook>.pdf`` for every notebook report in ``reports_dir``.

    Raises ``FileNotFoundError`` when there are no reports (run ``make reports``) or no
    Chromium at ``/usr/bin/chromium``."""
    reports = handout_sources(reports_dir)
    if not reports:
        raise FileNotFoundError(
            f"no reports in {Path(reports_dir).resolve()}: run `make reports` first"
        )
    if not chromium.CHROMIUM.exists():
        raise chromium.ChromiumMissing(f"{chromium.CHROMIUM} is missing: install Debian's chromium")
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        try:
            for report in reports:
                written.append(print_pdf(browser, report, Path(out_dir) / f"{report.stem}.pdf"))
        finally:
            browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: print every report and say where the PDFs are."""
    prog = "python -m comsim.publish.handouts"
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=Path, default=Path("build/reports"))
    parser.add_argument("--out", type=Path, default=Path("build/handouts"))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        arguments.output_folder(args.out, "--out")
    except arguments.UsageError as error:
        return arguments.refuse(prog, error)
    try:
        with terminate_as_interrupt():
            written = write_handouts(args.reports, args.out)
    except FileNotFoundError as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"{path.stat().st_size / 1024:8.0f} KiB  {path}")
    print(
        f"{len(written)} handout(s) in {args.out.resolve()} ({time.perf_counter() - started:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
