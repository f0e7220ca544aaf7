"""Printed handouts: one PDF per notebook, printed from its page of the course site by headless
Chromium.

Instructors hand these out, and learners without a machine read them. The site carries a
print stylesheet (``templates/book/_static/comsim-book.css``): figures and code never run
past the page edge (images scale to the page width, code wraps), and an offline explorer
prints the frame it shows when the page opens (its default) with the slider values written
out and the caption (the figure's text summary) under it; sliders, buttons and the page
navigation are left out.
Folded sections (``<details>``: deeper material) are printed unfolded, because a reader of
paper cannot click them open -- except answers: a handout asks, it does not answer. A prediction
prints as its question and a blank, with neither the code that checks it nor its folded answer
(``templates/print/handout.css``); the answers are in the class kit's answer key and in the
notebooks. An exercise (fill in, bug hunt, target practice) needs a kernel: it prints as its
task and a notice that says so, without its listing or the learner's cell (the exercises' own
rule, ``comsim/teaching/static/comsim.css``, which the decks follow too). Every page carries its
number.

A notebook's optional part (from the cell whose metadata says ``{"comsim": {"print":
"appendix"}}`` to its end: 00's table of every parameter, 04's deeper arithmetic) is left out of
its handout and printed on its own, ``NN_name.appendix.pdf``, for whoever wants it.

The browser is Debian's Chromium (``/usr/bin/chromium``), driven by playwright, with every
request that would leave the machine refused: a report needs nothing from the network.

Run it as ``python -m comsim.publish.handouts [--reports DIR] [--out DIR]`` (``make handouts``,
after ``make reports``).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from . import arguments, chromium
from .interrupt import terminate_as_interrupt
from .report import SITE_PAGES

PAGE_FORMAT = "A4"
MARGIN = {"top": "10mm", "bottom": "14mm", "left": "11mm", "right": "11mm"}
LOAD_TIMEOUT_MS = 60_000
_LOCAL = ("file:", "data:", "blob:", "about:")

PRINT_DIR = Path(__file__).parent / "templates" / "print"
APPENDIX = "appendix"
# Before printing: folded sections opened, pictures decoded, the part not printed hidden.
_PREPARE = PRINT_DIR / "prepare.js"


def appendix_start(notebook: Path) -> str | None:
    """The id of the site's section where ``notebook``'s optional part starts (the heading of
    the cell marked ``{"comsim": {"print": "appendix"}}``), if it has one."""
    if not notebook.is_file():
        return None
    import nbformat  # here, so that --help answers without loading it
    from docutils.nodes import make_id

    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.metadata.get("comsim", {}).get("print") == APPENDIX:
            heading = re.search(r"^#+\s+(.+)$", cell.source, re.MULTILINE)
            return make_id(heading.group(1)) if heading else None
    return None


def handout_sources(reports_dir: Path | str) -> list[Path]:
    """The notebooks' pages in ``reports_dir`` (not the course map, the search or the sources)."""
    pages = sorted(Path(reports_dir).glob("*.html"))
    return [p for p in pages if p.stem not in SITE_PAGES]


def print_pdf(
    browser, report: Path, pdf: Path, appendix: str | None = None, part: str = "main"
) -> Path:
    """Print the offline report ``report`` to ``pdf`` with an open playwright ``browser``, with
    page numbers. With ``appendix`` (the id of the cell where the optional part starts), print
    only the part before it (``part="main"``) or only the part from it on (``"appendix"``)."""
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
        page.add_style_tag(content=(PRINT_DIR / "handout.css").read_text(encoding="utf-8"))
        page.evaluate(_PREPARE.read_text(encoding="utf-8"), [appendix, part])
        page.emulate_media(media="print")
        pdf.parent.mkdir(parents=True, exist_ok=True)
        page.pdf(
            path=str(pdf),
            format=PAGE_FORMAT,
            margin=MARGIN,
            print_background=True,
            display_header_footer=True,
            header_template="<span></span>",
            footer_template=(PRINT_DIR / "footer.html").read_text(encoding="utf-8"),
        )
    finally:
        context.close()
    return pdf


def write_handouts(
    reports_dir: Path | str = "build/reports",
    out_dir: Path | str = "build/handouts",
    notebooks_dir: Path | str = "notebooks",
) -> list[Path]:
    """Write ``out_dir/<notebook>.pdf`` for every notebook report in ``reports_dir``, and
    ``<notebook>.appendix.pdf`` for a notebook in ``notebooks_dir`` with an optional part.

    Raises ``FileNotFoundError`` when there are no reports (run ``make reports``) or no
    Chromium at ``/usr/bin/chromium``."""
    reports = handout_sources(reports_dir)
    if not reports:
        raise FileNotFoundError(
            f"no reports in {Path(reports_dir).resolve()}: run `make reports` first"
        )

    def print_all(browser) -> list[Path]:
        written = []
        for report in reports:
            start = appendix_start(Path(notebooks_dir) / f"{report.stem}.ipynb")
            out = Path(out_dir) / f"{report.stem}.pdf"
            written.append(print_pdf(browser, report, out, start))
            if start:
                out = out.with_suffix(".appendix.pdf")
                written.append(print_pdf(browser, report, out, start, APPENDIX))
        return written

    return chromium.with_browser(print_all)


def main(argv: list[str] | None = None) -> int:
    """Command line: print every report and say where the PDFs are."""
    prog = "python -m comsim.publish.handouts"
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=Path, default=Path("build/reports"))
    parser.add_argument("--out", type=Path, default=Path("build/handouts"))
    parser.add_argument("--notebooks-dir", type=Path, default=Path("notebooks"))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        arguments.output_folder(args.out, "--out")
    except arguments.UsageError as error:
        return arguments.refuse(prog, error)
    try:
        with terminate_as_interrupt():
            written = write_handouts(args.reports, args.out, args.notebooks_dir)
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
