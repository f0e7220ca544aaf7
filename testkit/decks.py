"""Decks and accessibility in headless Chromium: axe-core's WCAG 2.1 A/AA rules on any page,
and a reveal.js deck stepped slide by slide (does each fit the projector's frame; does each
pass axe as projected and as printed). Each check returns readable problems, like
:mod:`testkit.browser`'s.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.browser import on_ci

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


# Ready, and in the print view (``?print-pdf``) laid out: reveal.js moves every slide into its
# page over several animation frames after 'ready', and takes 'loading-scroll-mode' off the
# viewport when it is done (its 'pdf-ready' event). Until then a hidden stack still holds slides
# with buttons, which axe-core rightly reports (aria-hidden-focus): waiting on 'ready' alone
# failed that way under load.
_DECK_SETTLED = """() => window.Reveal && Reveal.isReady() && !(Reveal.isPrintView()
  && Reveal.getViewportElement().classList.contains('loading-scroll-mode'))"""


def open_deck(page, wait_ms: int) -> None:
    """Wait until reveal.js is ready (in the print view, until every slide is on its page), then
    turn transitions off so a slide is measured where it ends up."""
    page.wait_for_function(_DECK_SETTLED, timeout=wait_ms)
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
