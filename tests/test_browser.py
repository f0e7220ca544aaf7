"""The exported course in a real browser, offline: what a learner without Jupyter (or without a
network) sees when they open build/reports/ (the course site, a Jupyter Book) and what an
instructor projects from build/slides/.

The site and slides are built once per test session from notebooks/ (under a lock, so the
pytest-xdist workers share one build) and opened from disk in headless Chromium with every
request that would leave the machine blocked and recorded. A screenshot of every report's first
screen as it loads, and of the first slide of every deck, is written to build/screenshots/ for
review (a full page of each report took 13 s of the browser's time in every run).

The build executes every notebook. While it ran in one xdist worker and tests/test_notebooks.py
in the other, test_notebooks' kernel has gone idle without ever answering an execute request
(ipykernel 7.4.0). Run this file in a pytest step of its own.
"""

from __future__ import annotations

import html as html_lib
import inspect
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from testkit.browser import (
    OpenedPage,
    broken_images,
    broken_local_links,
    file_path,
    invisible_figures,
    keyboard_problems,
    on_ci,
    open_offline,
    scrub_every_slider,
)
from testkit.builds import build_once
from testkit.decks import (
    axe_source,
    axe_violations,
    deck_axe_violations,
    open_deck,
    slides_that_do_not_fit,
)

# Every test here runs Jupyter kernels and Chromium (conftest.py gives them one xdist worker).
pytestmark = [pytest.mark.kernel, pytest.mark.browser]

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
SCREENSHOTS_DIR = REPO_ROOT / "build" / "screenshots"
VENDOR_DIR = REPO_ROOT / "build" / "vendor"  # reveal.js and axe-core, fetched once by make
SLIDE_STEPS = 5  # presses of "next" in each deck
REVEAL_WAIT_MS = 15_000
SLIDE_VIEWPORT = {"width": 1280, "height": 720}
# A notebook whose code makes an explorer must show it, as an offline explorer, in its report.
MAKES_EXPLORER = re.compile(r"\b(explorer|step_through|Explorer|StepThrough)\(")

STEMS = [path.stem for path in NOTEBOOKS]
# The numbered notebooks are the course, in order; others (the glossary) are reference pages.
COURSE = [stem for stem in STEMS if re.match(r"\d\d_", stem)]
REFERENCE = [stem for stem in STEMS if stem not in COURSE]
HAS_SOURCES = (REPO_ROOT / "docs" / "sources.md").is_file()
# Every notebook's page, the course map, the sources page (from docs/sources.md) and the search.
REPORT_PAGES = [*STEMS, "index", *(["sources"] if HAS_SOURCES else []), "search"]
# The site's pages in the book's order: the course map, the course, then the reference pages.
SITE_ORDER = ["index", *COURSE, *REFERENCE, *(["sources"] if HAS_SOURCES else [])]
# WCAG 2.5.3 (label in name): experimental in axe-core 4.10, so not in its WCAG tags; the book's
# theme failed it on three buttons until comsim's templates overrode them.
SITE_AXE_RULES = ("label-content-name-mismatch",)
# nbconvert's alt text for a figure it knows nothing about.
NO_DESCRIPTION = "No description has been provided for this image"
# What Sphinx writes as an image's alt text when it has none: the image's path.
FILE_NAME = re.compile(r"\.(png|jpe?g|gif|svg)$|^_images/", re.IGNORECASE)


def _params(names: list[str]):
    """One param per page, named after it; no notebooks is a failure, never a silent pass."""
    return [pytest.param(name, id=name) for name in names if name] or [
        pytest.param(None, id="no-notebooks")
    ]


def _require(name: str | None) -> str:
    if name is None:
        pytest.fail(f"no notebooks found in {NOTEBOOKS_DIR}: there is no course to export")
    return name


# --- building the course once -----------------------------------------------------------------


@pytest.fixture(scope="session")
def slides_dir(tmp_path_factory, reports_dir: Path) -> Path:
    """The reveal.js decks, from the notebooks the reports just executed."""

    def build(folder: Path) -> None:
        from comsim.publish.slides import export_slides

        options = {"executed_dir": reports_dir.parent / "executed", "vendor_dir": VENDOR_DIR}
        accepted = inspect.signature(export_slides).parameters
        export_slides(NOTEBOOKS_DIR, folder, **{k: v for k, v in options.items() if k in accepted})

    return build_once(tmp_path_factory, "slides", build)


# --- the browser ----------------------------------------------------------------------------


REPORT_VIEWPORT = {"width": 1280, "height": 900}


@pytest.fixture
def context(chromium):
    """A fresh browser profile for each test: no cache, cookies or routes from another."""
    context = chromium.new_context(viewport=REPORT_VIEWPORT)
    yield context
    context.close()


@pytest.fixture(scope="session")
def read_report(chromium, screenshots_dir):
    """Each report opened once per worker, in a profile of its own, for the checks that read
    it (what its load did, its figures, its links, its previous/next links): one load serves
    the four, and its first screen, as loaded, goes to build/screenshots/. A check that clicks
    or types opens a page of its own with ``context``."""
    opened: dict[Path, OpenedPage] = {}
    contexts = []

    def read(path: Path) -> OpenedPage:
        if path not in opened:
            contexts.append(chromium.new_context(viewport=REPORT_VIEWPORT))
            opened[path] = open_offline(contexts[-1], path)
            opened[path].page.screenshot(path=screenshots_dir / f"{path.stem}.png")
        return opened[path]

    yield read
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def read_deck(chromium):
    """Each deck opened once per worker, in a profile of its own, for the checks that step
    through it in place (it opens and steps, its slides fit, its speaker notes): one load, with
    reveal.js ready and transitions off, serves the three, and each goes back to the first
    slide before it starts. axe's check opens its own: it reloads the deck in print view."""
    opened: dict[Path, OpenedPage] = {}
    contexts = []

    def read(path: Path) -> OpenedPage:
        if path not in opened:
            contexts.append(chromium.new_context(viewport=SLIDE_VIEWPORT))
            opened[path] = open_offline(contexts[-1], path)
            try:
                open_deck(opened[path].page, REVEAL_WAIT_MS)
            except Exception:  # playwright's TimeoutError
                pytest.fail(
                    f"reveal.js is not ready {REVEAL_WAIT_MS} ms after {path.name} opened: "
                    f"{opened[path].problems()}"
                )
        opened[path].page.evaluate("() => Reveal.slide(0, 0)")
        return opened[path]

    yield read
    for context in contexts:
        context.close()


@pytest.fixture
def slides_context(chromium):
    """A projector-sized browser profile, fresh for each deck."""
    context = chromium.new_context(viewport=SLIDE_VIEWPORT)
    yield context
    context.close()


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS_DIR


def _report(reports_dir: Path, name: str | None) -> Path:
    path = reports_dir / f"{_require(name)}.html"
    if not path.is_file():
        pytest.fail(f"export_reports wrote no {path.name}; it wrote {_listing(reports_dir)}")
    return path


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


# --- reports --------------------------------------------------------------------------------
# Every browser test asks for ``chromium`` first, so that a machine without Chromium skips
# before the minutes-long build of the course.


@pytest.mark.parametrize("name", _params(REPORT_PAGES))
def test_every_report_opens_offline_with_no_requests_and_no_console_errors(
    chromium, reports_dir, read_report, name
):
    opened = read_report(_report(reports_dir, name))

    assert opened.problems() == {key: [] for key in opened.problems()}


@pytest.mark.parametrize("name", _params(REPORT_PAGES))
def test_every_figure_in_a_report_is_visible(chromium, reports_dir, read_report, name):
    opened = read_report(_report(reports_dir, name))

    assert invisible_figures(opened.page) == []


@pytest.mark.parametrize("name", _params(STEMS))
def test_moving_a_reports_slider_changes_its_figure_and_caption(
    chromium, reports_dir, context, name
):
    opened = open_offline(context, _report(reports_dir, name))
    source = "\n".join(
        cell.source
        for cell in nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4).cells
        if cell.cell_type == "code"
    )

    sliders, problems = scrub_every_slider(opened.page)

    if MAKES_EXPLORER.search(source):
        assert sliders > 0, f"{name} makes an explorer, but its report has no slider to move"
    assert problems == []
    assert opened.console_errors == []


@pytest.mark.parametrize("name", _params(STEMS))
def test_every_prediction_in_a_report_answers_a_reply_with_no_kernel(
    chromium, reports_dir, context, name
):
    opened = open_offline(context, _report(reports_dir, name))
    predictions = opened.page.locator(".comsim-offline-predict")
    silent = []
    for k in range(predictions.count()):
        prediction = predictions.nth(k)
        prediction.scroll_into_view_if_needed(timeout=5_000)
        typed = prediction.locator("input[type=text]")
        if typed.count():
            typed.fill("12345")
        else:
            prediction.locator("input[type=radio]").first.check()
        prediction.locator("button[type=submit]").click()
        if not prediction.locator(".cp-feedback").inner_text().strip():
            silent.append(f"prediction {k} said nothing")

    assert silent == []
    assert opened.console_errors == []


@pytest.mark.parametrize("name", _params(SITE_ORDER))
def test_previous_and_next_links_lead_to_the_neighbouring_pages(reports_dir, read_report, name):
    page = read_report(_report(reports_dir, name)).page
    k = SITE_ORDER.index(name)
    expected = {
        "prev": reports_dir / f"{SITE_ORDER[k - 1]}.html" if k > 0 else None,
        "next": reports_dir / f"{SITE_ORDER[k + 1]}.html" if k + 1 < len(SITE_ORDER) else None,
    }
    nav = page.locator("nav.prev-next-area")
    assert nav.count() == 1, f"{name}.html has no previous/next navigation"

    found = {}
    for rel in ("prev", "next"):
        hrefs = nav.locator(f"a[rel={rel}]").evaluate_all("links => links.map(a => a.href)")
        found[rel] = file_path(hrefs[0]) if hrefs else None
    every_link = page.locator("a").evaluate_all("links => links.map(a => a.href)")

    assert found == expected
    assert reports_dir / "index.html" in [file_path(url) for url in every_link]
    assert all(path is None or path.is_file() for path in found.values())


def test_a_next_link_takes_the_browser_to_the_next_page(chromium, reports_dir, context):
    """The links the test above reads really navigate: a click on the first page's *next* link
    (one page suffices: every page's link is the same element of the same theme)."""
    first, second = SITE_ORDER[0], SITE_ORDER[1]
    page = open_offline(context, _report(reports_dir, first)).page
    page.locator("nav.prev-next-area a[rel=next]").click()
    page.wait_for_load_state("load")
    assert file_path(page.url) == reports_dir / f"{second}.html"


def test_the_sidebar_lists_every_page_of_the_course_in_order(chromium, reports_dir, context):
    page = open_offline(context, _report(reports_dir, "search")).page  # lists every page
    hrefs = page.locator(".bd-sidebar-primary a[href]").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    stems = [href.split("#")[0].removesuffix(".html") for href in hrefs]

    assert list(dict.fromkeys(s for s in stems if s in SITE_ORDER)) == SITE_ORDER


def test_the_search_finds_a_glossary_term_offline(chromium, reports_dir, context):
    page = open_offline(context, reports_dir / "search.html").page
    page.goto((reports_dir / "search.html").as_uri() + "?q=proxy+manager")
    results = page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=15_000)
    found = results.evaluate_all("links => links.map(a => a.getAttribute('href'))")

    assert any(href.startswith("glossary.html") for href in found), found


@pytest.mark.parametrize("name", _params(REPORT_PAGES))
def test_every_local_link_in_a_report_leads_to_an_existing_page(
    chromium, reports_dir, read_report, name
):
    opened = read_report(_report(reports_dir, name))

    assert broken_local_links(opened.page) == []


def test_the_course_map_lists_every_notebook_with_its_objectives_and_time(
    chromium, reports_dir, context
):
    page = open_offline(context, _report(reports_dir, "index")).page
    course_map = page.locator("main article")  # not the sidebar, which lists titles only
    missing = []
    for path in NOTEBOOKS:
        if path.stem not in COURSE:  # a reference page: a link is all it needs
            if course_map.locator(f'a[href="{path.stem}.html"]').count() == 0:
                missing.append(f"{path.stem}: the reference page is not linked")
            continue
        link = course_map.locator(f'a[href="{path.stem}.html"]')
        if link.count() == 0:
            missing.append(f"{path.stem}: no link to {path.stem}.html")
            continue
        entry = link.first.locator("xpath=ancestor::*[self::li or self::section][1]")
        text = entry.inner_text()
        title = _title(path)
        if title and title not in text:
            missing.append(f"{path.stem}: title {title!r} not shown")
        if not re.search(r"\d+\s*min", text):
            missing.append(f"{path.stem}: no time in minutes in {text[:200]!r}")
        if entry.locator("ul li, ol li").count() == 0:
            missing.append(f"{path.stem}: no learning objectives listed")

    if HAS_SOURCES and course_map.locator('a[href="sources.html"]').count() == 0:
        missing.append("no link to sources.html")
    assert missing == []


def _title(notebook: Path) -> str | None:
    """The first ``# `` heading of the notebook's first markdown cell, as the reader sees it."""
    nb = nbformat.read(notebook, as_version=4)
    first = next((c.source for c in nb.cells if c.cell_type == "markdown"), "")
    heading = next((ln[2:].strip() for ln in first.splitlines() if ln.startswith("# ")), None)
    if heading is None:
        return None
    heading = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # [text](link) -> text
    return re.sub(r"`|\*\*?", "", heading)  # `code`, **bold**, *italic* -> their text


def test_the_offline_opener_records_what_would_leave_the_machine_or_its_folder(
    chromium, context, tmp_path
):
    """The checks above are only as good as open_offline: a page that asks the network for a
    script, an image and a socket, and reads a file beside its folder, is caught each time."""
    folder = tmp_path / "site"
    folder.mkdir()
    (tmp_path / "outside.js").write_text("window.outside = true;", encoding="utf-8")
    (folder / "inside.js").write_text("window.inside = true;", encoding="utf-8")
    page = folder / "page.html"
    page.write_text(
        '<!doctype html><html lang="en"><title>t</title>'
        '<script src="inside.js"></script><script src="../outside.js"></script>'
        '<script src="https://cdn.example.org/lib.js"></script>'
        '<img alt="" src="http://example.org/x.png">'
        '<script>try { new WebSocket("ws://example.org/socket"); } catch (e) {}</script>',
        encoding="utf-8",
    )
    opened = open_offline(context, page)
    opened.page.wait_for_function("() => window.inside && window.outside")
    for _ in range(100):  # the socket's route runs in Python after the page has loaded
        if len(opened.off_machine) == 3:
            break
        opened.page.wait_for_timeout(50)

    assert sorted(opened.off_machine) == [
        "http://example.org/x.png",
        "https://cdn.example.org/lib.js",
        "ws://example.org/socket",
    ]
    assert [file_path(url).name for url in opened.outside_folder] == ["outside.js"]


def test_the_reports_have_figures_and_sliders_for_these_checks_to_see(reports_dir):
    pages = [reports_dir / f"{stem}.html" for stem in STEMS]
    html = "".join(p.read_text(encoding="utf-8") for p in pages if p.is_file())

    assert re.search(r"<img\b", html), "no report shows a single figure"
    assert re.search(r"<input\b[^>]*\btype=\"range\"", html), "no report has a slider"


# --- slides ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", _params(STEMS))
def test_every_slide_deck_opens_offline_and_steps_through_its_slides(
    slides_dir, read_deck, screenshots_dir, name
):
    path = _deck(slides_dir, name)
    opened = read_deck(path)
    page = opened.page
    total = page.evaluate("() => Reveal.getTotalSlides()")
    page.screenshot(path=screenshots_dir / f"{name}.slides.png")
    positions = [page.evaluate("() => JSON.stringify(Reveal.getIndices())")]
    for _ in range(min(SLIDE_STEPS, total - 1)):
        page.keyboard.press("PageDown")  # what a presenter's clicker sends
        positions.append(page.evaluate("() => JSON.stringify(Reveal.getIndices())"))

    assert total > 1, f"{path.name} has {total} slide(s)"
    assert len(set(positions)) == len(positions), f"'next' did not move on: {positions}"
    assert broken_images(page) == []
    assert opened.problems() == {key: [] for key in opened.problems()}


# --- accessibility ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def axe_js() -> str:
    """axe-core's script, vendored at build time (never fetched by a test)."""
    return axe_source(VENDOR_DIR)


@pytest.mark.parametrize("name", _params(REPORT_PAGES))
def test_every_report_page_passes_axe_cores_wcag_2_1_aa_checks(
    chromium, reports_dir, context, axe_js, name
):
    page = open_offline(context, _report(reports_dir, name)).page
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")

    assert axe_violations(page, axe_js, extra_rules=SITE_AXE_RULES) == []


@pytest.mark.parametrize("name", _params(STEMS))
def test_every_slide_deck_passes_axe_cores_wcag_2_1_aa_checks(
    chromium, slides_dir, slides_context, axe_js, name
):
    path = _deck(slides_dir, name)
    page = open_offline(slides_context, path).page
    open_deck(page, REVEAL_WAIT_MS)

    assert deck_axe_violations(page, axe_js, page.url, REVEAL_WAIT_MS) == []


class _Images(HTMLParser):
    """Every ``<img>``'s alt text, and every offline explorer's per-frame alt texts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.alts: list[str | None] = []
        self.frame_alts: list[str] = []
        self._data = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.alts.append(attrs.get("alt"))
        self._data = tag == "script" and "-data" in (attrs.get("class") or "")

    def handle_data(self, data):
        if self._data:
            self.frame_alts += json.loads(data).get("alts", [])
            self._data = False


def _pages(reports_dir: Path, slides_dir: Path) -> list[Path]:
    return sorted(reports_dir.glob("*.html")) + sorted(slides_dir.glob("*.slides.html"))


def test_every_figure_tells_a_screen_reader_its_numbers(reports_dir, slides_dir):
    problems = []
    for page in _pages(reports_dir, slides_dir):
        images = _Images()
        images.feed(page.read_text(encoding="utf-8"))
        for k, alt in enumerate(images.alts + images.frame_alts):
            if not alt or alt == NO_DESCRIPTION or not re.search(r"\d", alt):
                problems.append(f"{page.name}, figure {k}: alt text {alt!r} states no numbers")
            elif FILE_NAME.search(alt):
                problems.append(f"{page.name}, figure {k}: alt text {alt!r} is its file's name")

    assert problems == []


def _text(html: str) -> str:
    """What a reader sees of a page: its text without tags, scripts or styles."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL | re.IGNORECASE)
    return html_lib.unescape(re.sub(r"<[^>]+>", "", html))


def test_a_note_shows_in_reports_and_slides_without_the_code_that_makes_it(reports_dir, slides_dir):
    shown = {
        page.name: sorted(set(re.findall(r"comsim\.(?:note|parameter_notes)\(", _text(text))))
        for page in _pages(reports_dir, slides_dir)
        for text in [page.read_text(encoding="utf-8")]
    }

    assert {name: calls for name, calls in shown.items() if calls} == {}


def test_every_offline_explorer_works_from_the_keyboard_and_speaks_its_changes(
    chromium, reports_dir
):
    pages = [reports_dir / f"{stem}.html" for stem in STEMS]
    with_explorers = [
        p for p in pages if 'class="comsim-offline-explorer"' in p.read_text(encoding="utf-8")
    ]
    found, problems = {}, []
    for path in with_explorers:
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        try:
            opened = open_offline(context, path)
            found[path.stem], trouble = keyboard_problems(opened.page)
            problems += [f"{path.stem}: {line}" for line in trouble + opened.console_errors]
        finally:
            context.close()

    assert with_explorers, "no report has an offline explorer to try from the keyboard"
    assert all(found.values()), found
    assert problems == []


# --- slides for a room ------------------------------------------------------------------------


def _deck(slides_dir: Path, name: str | None) -> Path:
    path = slides_dir / f"{_require(name)}.slides.html"
    if not path.is_file():
        pytest.fail(f"export_slides wrote no {path.name}; it wrote {_listing(slides_dir)}")
    return path


@pytest.mark.parametrize("name", _params(STEMS))
def test_every_slide_fits_a_1280x720_projector_without_scrolling(slides_dir, read_deck, name):
    page = read_deck(_deck(slides_dir, name)).page

    count, problems = slides_that_do_not_fit(
        page, SLIDE_VIEWPORT["width"], SLIDE_VIEWPORT["height"]
    )

    assert count > 0
    assert problems == []


def _cells(name: str, slide_type: str | None = None, tag: str | None = None) -> list:
    nb = nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
    return [
        c
        for c in nb.cells
        if (slide_type is None or c.metadata.get("slideshow", {}).get("slide_type") == slide_type)
        and (tag is None or tag in c.metadata.get("tags", []))
    ]


@pytest.mark.parametrize("name", _params(STEMS))
def test_a_deck_keeps_prose_in_speaker_notes_and_shows_code_only_where_it_is_the_point(
    slides_dir, read_deck, name
):
    page = read_deck(_deck(slides_dir, name)).page
    notes = len(_cells(name, slide_type="notes"))
    shown_code = [
        c
        for c in _cells(name, tag="slides-show-code")
        if c.cell_type == "code"
        and c.metadata.get("slideshow", {}).get("slide_type") not in ("skip", "notes")
        and "remove-input" not in c.metadata.get("tags", [])
    ]

    code_blocks = page.locator("section .jp-CodeCell .jp-InputArea").count()
    asides = page.locator("aside.notes").count()

    assert code_blocks == len(shown_code)
    assert asides >= notes  # every "notes" cell is in the speaker notes (nbconvert adds none)
    assert page.evaluate("() => Reveal.hasPlugin('notes')"), "no speaker view (S) in the deck"
    titles = page.evaluate(
        "() => [...document.querySelectorAll('.reveal h1, .reveal h2')]"
        ".map(h => getComputedStyle(h).textTransform)"
    )
    assert set(titles) <= {"none"}, "slide titles are forced into capitals"


# --- print -------------------------------------------------------------------------------------

PDF_DPI = 40  # enough to see ink on a rendered page
INK = 200  # a grey level below this is ink, not paper


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        reason = f"{tool} is missing: install poppler-utils to look at the printed handouts"
        if on_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def test_a_printed_handout_has_ink_on_its_first_page_and_nothing_cut_at_the_edges(
    chromium, reports_dir, tmp_path
):
    from PIL import Image

    from comsim.publish import handouts

    pdftoppm, pdftotext = _poppler("pdftoppm"), _poppler("pdftotext")
    pages = [reports_dir / f"{stem}.html" for stem in COURSE]
    with_slider = [p for p in pages if 'class="comsim-offline-explorer"' in p.read_text("utf-8")]
    report = (with_slider or pages)[0]

    pdf = handouts.print_pdf(chromium, report, tmp_path / f"{report.stem}.pdf")
    subprocess.run(
        [pdftoppm, "-r", str(PDF_DPI), "-f", "1", "-l", "1", "-png", str(pdf), "page"],
        cwd=tmp_path,
        check=True,
    )
    [png] = sorted(tmp_path.glob("page*.png"))
    sheet = Image.open(png).convert("L")
    width, height = sheet.size
    ink = sum(sheet.histogram()[:INK]) / (width * height)
    edge_columns = [*range(2), *range(width - 2, width)]  # the sheet's margin, never content
    edges = [sheet.getpixel((x, y)) for y in range(height) for x in edge_columns]
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout

    assert ink > 0.01, f"page 1 of {pdf.name} is blank ({ink:.2%} ink)"
    assert min(edges) >= INK, "something is printed on the sheet's edge: content was cut"
    if with_slider:
        assert re.search(r"Shown: .+ = ", text), "an explorer's slider values are not printed"
        assert "precomputed frames" not in text, "the on-screen slider hint is printed"


def _pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        [_poppler("pdftotext"), "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return text.split("\f")[:-1]


class _AnswerText(HTMLParser):
    """The text of a page's folded answers (a prediction's, or a solution's)."""

    def __init__(self):
        super().__init__()
        self.depth, self.found = 0, []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "details" and ({"cp-answer", "comsim-answer"} & set(classes) or self.depth):
            self.depth += 1

    def handle_endtag(self, tag):
        if tag == "details" and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and len(data.strip()) > 30:
            self.found.append(" ".join(data.split()))


def test_a_printed_handout_asks_without_answering_and_numbers_every_page(
    chromium, reports_dir, tmp_path
):
    from comsim.publish import handouts

    report = reports_dir / "02_aggregation.html"
    answers = _AnswerText()
    answers.feed(report.read_text(encoding="utf-8"))
    pages = _pdf_pages(handouts.print_pdf(chromium, report, tmp_path / "02.pdf"))
    text = " ".join(" ".join(pages).split())

    assert answers.found, "02's report has no folded answer to leave out"
    assert [a[:50] for a in answers.found if a[:50] in text] == []
    assert "Your answer:" in text
    assert "comsim.predict(" not in text and "hints=" not in text
    assert [n for n, page in enumerate(pages, 1) if f"Page {n} of {len(pages)}" not in page] == []


def test_the_handouts_of_00_to_05_fit_in_40_a4_pages_with_the_appendices_apart(
    chromium, reports_dir, tmp_path
):
    from comsim.publish import handouts

    core = [stem for stem in COURSE if stem < "06"]
    counted = {}
    for stem in core:
        start = handouts.appendix_start(NOTEBOOKS_DIR / f"{stem}.ipynb")
        pdf = handouts.print_pdf(chromium, reports_dir / f"{stem}.html", tmp_path / stem, start)
        counted[stem] = len(_pdf_pages(pdf))
        if start:
            out = tmp_path / f"{stem}.appendix"
            appendix = handouts.print_pdf(
                chromium, reports_dir / f"{stem}.html", out, start, "appendix"
            )
            assert 0 < len(_pdf_pages(appendix)) < counted[stem] + 10

    assert sum(counted.values()) <= 40, counted


def test_pressing_s_opens_the_speaker_view_with_the_slides_notes(chromium, slides_dir):
    with_notes = [stem for stem in STEMS if _cells(stem, slide_type="notes")]
    assert with_notes, "no notebook has speaker notes (slide_type 'notes')"
    context = chromium.new_context(viewport=SLIDE_VIEWPORT)
    try:
        page = open_offline(context, _deck(slides_dir, with_notes[0])).page
        open_deck(page, REVEAL_WAIT_MS)
        h, v = page.evaluate(
            """() => { const aside = document.querySelector('section aside.notes');
                       const slide = aside.closest('section');
                       const at = Reveal.getIndices(slide); return [at.h, at.v || 0]; }"""
        )
        page.evaluate(f"() => Reveal.slide({h}, {v})")
        first_words = " ".join(_text(page.evaluate("() => Reveal.getSlideNotes()")).split()[:6])
        with page.expect_popup(timeout=REVEAL_WAIT_MS) as popup_info:
            page.keyboard.press("s")
        speaker = popup_info.value
        try:  # the speaker view shows this slide's notes once it has synced with the deck
            speaker.wait_for_function(
                """words => {
                  const notes = document.querySelector('.speaker-controls-notes');
                  return notes && notes.innerText.split(/\\s+/).join(' ').includes(words);
                }""",
                arg=first_words,
                timeout=REVEAL_WAIT_MS,
            )
            shown = first_words
        except Exception:  # playwright's TimeoutError
            shown = speaker.evaluate("() => document.body.innerText.slice(0, 300)")
    finally:
        context.close()

    assert first_words, "the slide with notes has no text in them"
    assert shown == first_words, f"the speaker view shows {shown!r}"
