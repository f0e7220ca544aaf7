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

LOCAL_SCHEMES = ("file:", "data:", "blob:")
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

    def on_request(route):
        url = route.request.url
        if not url.startswith(LOCAL_SCHEMES):
            opened.off_machine.append(url)
            route.abort()
            return
        if url.startswith("file:") and not file_path(url).resolve().is_relative_to(folder):
            opened.outside_folder.append(url)  # works here, but not on the reader's machine
        route.continue_()

    # The handler never connects the socket to a server: recorded, and nothing is sent.
    context.route_web_socket("**/*", lambda ws: opened.off_machine.append(ws.url))
    context.route("**/*", on_request)

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

# WCAG 2.1, levels A and AA: the rules axe-core checks for them.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_RUN_AXE = """async ([tags, context, extra]) => {
  const rules = Object.fromEntries(extra.map(rule => [rule, {enabled: true}]));
  const result = await axe.run(context || document, {runOnly: {type: 'tag', values: tags},
                                                     rules, resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => [n.target.join(' '), n.failureSummary.split('\\n').slice(1, 2)
                                                                   .join(' ').trim()])
  }));
}"""


def axe_source(vendor_dir: Path) -> str:
    """axe-core's script, vendored by ``python -m testkit.vendor`` (``make test``);
    a skip (a failure under ``CI=true``) when it has not been fetched."""
    from testkit.vendor import axe_dir

    script = axe_dir(vendor_dir) / "axe.min.js"
    if not script.is_file():
        reason = f"axe-core is not vendored ({script}): run `python -m testkit.vendor`"
        if on_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    return script.read_text(encoding="utf-8")


def axe_violations(
    page, axe_js: str, context: str | None = None, limit: int = 5, extra_rules: tuple = ()
) -> list[str]:
    """Every WCAG 2.1 A/AA violation axe-core finds in the page (or in the elements that the
    CSS selector ``context`` picks), one line per rule with the first few places it fails.
    ``extra_rules`` adds rules that axe-core leaves out of its tags (its experimental ones)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_js)
    found = page.evaluate(_RUN_AXE, [WCAG_TAGS, context, list(extra_rules)])
    lines = []
    for v in found:
        where = "; ".join(
            f"{target} ({why})" if why else target for target, why in v["nodes"][:limit]
        )
        more = f" and {len(v['nodes']) - limit} more" if len(v["nodes"]) > limit else ""
        lines.append(f"{v['id']} [{v['impact']}] x{len(v['nodes'])}: {v['help']} at {where}{more}")
    return lines


# --- slides -----------------------------------------------------------------------------------

# Every slide of a deck, each with all its fragments shown: (h, v, title) and the checks' text.
_SLIDES = """() => Reveal.getHorizontalSlides().flatMap((h, i) => {
  const stack = h.querySelectorAll(':scope > section');
  return stack.length ? [...stack].map((_, j) => [i, j]) : [[i, 0]];
})"""
_SHOW_ALL_FRAGMENTS = "() => { while (Reveal.nextFragment()) {} }"
_MEASURE = """([width, height]) => {
  const slide = Reveal.getCurrentSlide();
  const heading = slide.querySelector('h1, h2, h3, h4');
  const title = (heading ? heading.textContent : slide.textContent).replace('¶', '').trim();
  const tall = slide.scrollHeight, wide = slide.scrollWidth;
  const outside = [...slide.querySelectorAll('img')].filter(img => {
    const box = img.getBoundingClientRect();
    return box.width > 0 && (box.top < -1 || box.left < -1 || box.bottom > height + 1
                             || box.right > width + 1);
  }).length;
  const scrolls = [...slide.querySelectorAll('*')].filter(el => {
    const style = getComputedStyle(el);
    const y = /(auto|scroll)/.test(style.overflowY) && el.scrollHeight > el.clientHeight + 1;
    const x = /(auto|scroll)/.test(style.overflowX) && el.scrollWidth > el.clientWidth + 1;
    return (x || y) && el.getBoundingClientRect().height > 0;
  }).map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className)
                                                               .split(' ')[0] : ''));
  return {title: title.slice(0, 60), tall, wide, outside, scrolls};
}"""


def open_deck(page, wait_ms: int) -> None:
    """Wait until reveal.js is ready, then turn transitions off so a slide is measured where it
    ends up."""
    page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=wait_ms)
    page.evaluate("() => Reveal.configure({transition: 'none', backgroundTransition: 'none'})")


def each_slide(page):
    """Go to every slide in turn with all its fragments shown; yields (h, v)."""
    for h, v in page.evaluate(_SLIDES):
        page.evaluate(f"() => Reveal.slide({h}, {v})")
        page.evaluate(_SHOW_ALL_FRAGMENTS)
        yield h, v


def slides_that_do_not_fit(page, width: int, height: int) -> tuple[int, list[str]]:
    """Step through the deck; every slide whose content (all fragments shown) is taller or
    wider than the ``width`` x ``height`` viewport, or has a figure outside it."""
    count, problems = 0, []
    for h, v in each_slide(page):
        count += 1
        m = page.evaluate(_MEASURE, [width, height])
        where = f"slide {h}.{v} {m['title']!r}"
        if m["tall"] > height:
            problems.append(f"{where}: content {m['tall']} px tall, the viewport {height} px")
        if m["wide"] > width:
            problems.append(f"{where}: content {m['wide']} px wide, the viewport {width} px")
        if m["outside"]:
            problems.append(f"{where}: {m['outside']} figure(s) reach outside the viewport")
        if m["scrolls"]:
            problems.append(f"{where}: these parts scroll: {', '.join(m['scrolls'][:3])}")
    return count, problems


def deck_axe_violations(page, axe_js: str, url: str, wait_ms: int) -> list[str]:
    """axe-core on a deck twice: as projected (the first slide, reveal.js's controls) and in
    reveal.js's print view (``?print-pdf``), which lays out every slide, fragments shown, so
    that one run sees them all."""
    problems = [f"as projected: {line}" for line in axe_violations(page, axe_js)]
    page.goto(url.split("?")[0].split("#")[0] + "?print-pdf")
    open_deck(page, wait_ms)
    problems += [f"print view: {line}" for line in axe_violations(page, axe_js)]
    return problems


# --- keyboard ---------------------------------------------------------------------------------

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
