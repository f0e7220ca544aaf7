"""A headless Chromium that reads the exported reports and slides as a learner would.

Pages are opened from ``file://`` URLs with every request recorded and anything that would
leave the machine blocked, so a test can say afterwards what the page tried to fetch and what
it wrote to the console. The checks below return lists of readable problems (empty when all is
well) rather than asserting, so that one failure names every broken figure or slider at once.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from comsim.publish import chromium
from comsim.publish.chromium import CHROMIUM, LAUNCH_ARGS  # noqa: F401 (for the tests)

_NOT_LOCAL = re.compile(r"^(?!(?:file|data|blob):)")  # any URL that is not local
WAIT_MS = 5_000  # for one element to show up or one image to decode; pages are local files
FIGURE_AS_TEXT = re.compile(r"<Figure size [\d.]+x[\d.]+ with \d+ Axes?>")


def on_ci() -> bool:
    """True under a CI runner (``CI=true``), where a missing browser is a failure."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def launch_chromium(playwright):
    """Chromium for the tests, or a skip (a failure under ``CI=true``) if it is not installed."""
    try:
        return chromium.launch(playwright)
    except chromium.ChromiumMissing as missing:
        reason = f"{missing}: the browser tests need it"
        if on_ci():
            pytest.fail(reason)
        pytest.skip(reason)


def file_path(url: str) -> Path:
    """The local path a ``file://`` URL names, without its query or fragment."""
    return Path(unquote(urlsplit(url).path))


@dataclass
class OpenedPage:
    """A page opened from disk, and what it did: requests that would have left the machine
    (blocked), files it read from outside its own folder, and console errors."""

    page: object
    off_machine: list[str] = field(default_factory=list)
    outside_folder: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def problems(self) -> dict[str, list[str]]:
        return {
            "requests that would leave the machine": self.off_machine,
            "files read from outside the page's folder": self.outside_folder,
            "console errors": self.console_errors,
        }


def open_offline(context, path: Path) -> OpenedPage:
    """Open ``path`` in a new page of ``context``; block and record every request that is not
    to a local file (or data:/blob:), and every WebSocket."""
    folder = path.resolve().parent
    page = context.new_page()
    opened = OpenedPage(page)

    def off_machine(route):
        opened.off_machine.append(route.request.url)
        route.abort()

    def on_request(request):
        url = request.url
        if url.startswith("file:") and not file_path(url).resolve().is_relative_to(folder):
            opened.outside_folder.append(url)  # works here, but not on the reader's machine

    # The handler never connects the socket to a server: recorded, and nothing is sent.
    context.route_web_socket("**/*", lambda ws: opened.off_machine.append(ws.url))
    # Only requests that would leave the machine stop in Python (Chromium matches the pattern);
    # local files load without waiting on it, and are recorded as they go.
    context.route(_NOT_LOCAL, off_machine)
    page.on("request", on_request)

    def on_console(message):
        if message.type == "error":
            where = message.location or {}
            opened.console_errors.append(
                f"{message.text} (at {where.get('url', '?')}:{where.get('lineNumber', '?')})"
            )

    page.on("console", on_console)
    page.on("pageerror", lambda error: opened.console_errors.append(f"uncaught: {error}"))
    page.goto(path.resolve().as_uri(), wait_until="load")
    return opened


def unfold_everything(page) -> None:
    """Open every ``<details>`` (folded solutions), as a reader who clicks them all would."""
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")


_DECODE = """async img => {
  try { await img.decode(); } catch (e) { /* a broken image: naturalWidth stays 0 */ }
  return img.naturalWidth;
}"""


def _describe_img(img) -> str:
    alt, src = img.evaluate("i => [i.alt, i.getAttribute('src') || '']")
    return f"<img alt={alt!r} src={src[:60]!r}>"


def invisible_figures(page) -> list[str]:
    """Every ``<img>`` that did not load or has no area on screen once scrolled into view, and
    every matplotlib figure that reached the page as text instead of a picture."""
    unfold_everything(page)
    problems = []
    images = page.locator("img")
    for k in range(images.count()):
        img = images.nth(k)
        if img.evaluate(_DECODE) == 0:
            problems.append(f"image {k} did not load: {_describe_img(img)}")
            continue
        try:
            img.scroll_into_view_if_needed(timeout=WAIT_MS)
        except Exception:  # playwright's TimeoutError: never became visible
            problems.append(f"image {k} never becomes visible: {_describe_img(img)}")
            continue
        box = img.bounding_box()
        if not box or box["width"] < 1 or box["height"] < 1:
            problems.append(f"image {k} has no area on the page ({box}): {_describe_img(img)}")
    text = page.locator("body").inner_text()
    problems += [f"a figure shown as text: {m}" for m in FIGURE_AS_TEXT.findall(text)]
    return problems


def broken_images(page) -> list[str]:
    """Every ``<img>`` that did not load (visible or not: for slides, where most are hidden)."""
    images = page.locator("img")
    return [
        f"image {k} did not load: {_describe_img(images.nth(k))}"
        for k in range(images.count())
        if images.nth(k).evaluate(_DECODE) == 0
    ]


def scrub_every_slider(page) -> tuple[int, list[str]]:
    """Move every range input of every offline explorer with the keyboard (End, or Home if it
    is already at the end) and check that the explorer's picture and caption both change and
    the new picture loads. Returns how many sliders there are, and the problems found."""
    found, problems = 0, []
    explorers = page.locator(".comsim-offline-explorer")
    for e in range(explorers.count()):
        explorer = explorers.nth(e)
        name = explorer.locator("strong").first.inner_text() or f"explorer {e}"
        img = explorer.locator("img").first
        caption = explorer.locator("[role=status]").first
        sliders = explorer.locator("input[type=range]")
        if sliders.count() == 0:
            problems.append(f"{name!r} has no slider")
        for k in range(sliders.count()):
            found += 1
            slider = sliders.nth(k)
            label = slider.get_attribute("aria-label") or f"slider {k}"
            slider.scroll_into_view_if_needed(timeout=WAIT_MS)
            value, low, high = slider.evaluate("s => [s.value, s.min, s.max]")
            if low == high:
                problems.append(f"{name!r}, {label}: only one position ({low})")
                continue
            src_before, caption_before = img.evaluate("i => i.src"), caption.inner_text()
            slider.press("Home" if value == high else "End")
            where = f"{name!r}, {label} moved from {value} to {slider.input_value()}"
            if slider.input_value() == value:
                problems.append(f"{where}: the slider did not move")
            elif img.evaluate("i => i.src") == src_before:
                problems.append(f"{where}: the picture did not change")
            elif img.evaluate(_DECODE) == 0:
                problems.append(f"{where}: the new picture did not load")
            if caption.inner_text() == caption_before:
                problems.append(f"{where}: the caption stayed {caption_before!r}")
    return found, problems


def local_links(page) -> list[tuple[str, str]]:
    """(text, absolute URL) of every ``<a href>`` that stays on this machine."""
    links = page.evaluate(
        """() => [...document.querySelectorAll('a[href]')].map(a => [a.textContent.trim(),
                  a.href])"""
    )
    return [(text, url) for text, url in links if url.startswith("file:")]


# As the HTML standard finds a fragment's target: the id (or <a name>) as written, then decoded.
_FINDS_ANCHOR = """fragment => {
  const byName = f => document.getElementById(f) || document.getElementsByName(f)[0];
  let decoded = fragment;
  try { decoded = decodeURIComponent(fragment); } catch (e) {}
  return !!(byName(fragment) || byName(decoded));
}"""


def broken_local_links(page) -> list[str]:
    """Links to a file that does not exist, or to an anchor (#id) that is not on its page."""
    here = page.url.split("#")[0]
    problems = []
    for text, url in local_links(page):
        target, _, anchor = url.partition("#")
        if not file_path(target).is_file():
            problems.append(f"{text!r} -> {url}: no such file")
        elif anchor and target == here and not page.evaluate(_FINDS_ANCHOR, anchor):
            problems.append(f"{text!r} -> #{anchor}: no such anchor on the page")
        elif anchor and target != here and not _has_anchor(file_path(target), anchor):
            problems.append(f"{text!r} -> {url}: no such anchor on that page")
    return problems


def _has_anchor(path: Path, anchor: str) -> bool:
    """Whether the page at ``path`` has an element with ``id`` (or ``<a name>``) ``anchor``."""
    text = path.read_text(encoding="utf-8", errors="replace")
    names = {unquote(anchor), anchor}
    return any(re.search(rf"""\b(id|name)=["']?{re.escape(n)}["'\s>]""", text) for n in names)


# --- accessibility -----------------------------------------------------------------------------


_STATE = """root => {
  const img = root.querySelector('img'), cap = root.querySelector('[role=status]');
  return {src: img.src, alt: img.alt, caption: cap.textContent,
          values: [...root.querySelectorAll('input[type=range]')].map(s => s.value),
          valuetexts: [...root.querySelectorAll('input[type=range]')]
                        .map(s => s.getAttribute('aria-valuetext'))};
}"""
_FOCUS_SHOWS = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
}"""


def keyboard_problems(page) -> tuple[int, list[str]]:
    """A keyboard user's walk through every offline explorer: Tab to each slider, press an
    arrow key, and check that the picture, its alt text, the caption (a live region) and the
    slider's spoken value all change and that focus is visible; where the explorer has
    Previous/Next buttons, Tab on to Next and press Enter, then Previous and Space."""
    explorers = page.locator(".comsim-offline-explorer")
    problems: list[str] = []
    for e in range(explorers.count()):
        root = explorers.nth(e)
        name = root.locator("strong").first.inner_text()
        if root.locator("[role=status][aria-live]").count() == 0:
            problems.append(f"{name!r}: the caption is not a live region")
        sliders = root.locator("input[type=range]")
        for k in range(sliders.count()):
            slider = sliders.nth(k)
            slider.focus()
            if not page.evaluate(_FOCUS_SHOWS):
                problems.append(f"{name!r}, slider {k}: no visible focus outline")
            before = root.evaluate(_STATE)
            at_end = slider.evaluate("s => Number(s.value) >= Number(s.max)")
            page.keyboard.press("ArrowLeft" if at_end else "ArrowRight")
            after = root.evaluate(_STATE)
            problems += _changes(f"{name!r}, slider {k}", before, after)
        nexts = root.locator("button", has_text="Next")
        if nexts.count():
            problems += _press_buttons(page, root, name, sliders.last, nexts.first)
    return explorers.count(), problems


def _changes(where: str, before: dict, after: dict) -> list[str]:
    problems = []
    for key, what in [
        ("values", "the slider did not move"),
        ("src", "the picture did not change"),
        ("alt", "the alt text did not change"),
        ("caption", "the caption did not change"),
        ("valuetexts", "the slider's spoken value (aria-valuetext) did not change"),
    ]:
        if before[key] == after[key]:
            problems.append(f"{where}: {what}")
    return problems


def _press_buttons(page, root, name: str, slider, next_button) -> list[str]:
    problems = []
    slider.focus()
    slider.press("Home")
    for _ in range(4):  # from the slider, Tab reaches Previous, then Next
        page.keyboard.press("Tab")
        if next_button.evaluate("b => b === document.activeElement"):
            break
    else:
        return [f"{name!r}: Tab from the slider never reaches the Next button"]
    if not page.evaluate(_FOCUS_SHOWS):
        problems.append(f"{name!r}: the Next button shows no focus outline")
    before = root.evaluate(_STATE)
    page.keyboard.press("Enter")
    after = root.evaluate(_STATE)
    problems += _changes(f"{name!r}, Next + Enter", before, after)
    page.keyboard.press("Shift+Tab")  # back to Previous
    page.keyboard.press(" ")
    back = root.evaluate(_STATE)
    if back["src"] != before["src"] or back["caption"] != before["caption"]:
        problems.append(f"{name!r}: Previous + Space did not go back to the first frame")
    return problems
