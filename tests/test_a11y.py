"""Notes, reports and slides that everyone can read: contrast, links that say where a fact is
documented, notes shown without their code, and links that survive the export. (The browser
checks, axe-core on every page, are in test_browser.py.)"""

from __future__ import annotations

import json
import re

import nbformat
import pytest

import comsim
from comsim.model.params import TAGS
from comsim.model.sources import SOURCES
from comsim.publish import slides
from comsim.publish.offline import find_remote_references
from comsim.teaching import notes, offline

NOTE_BACKGROUND = notes.NOTE_BACKGROUND


def _luminance(color: str) -> float:
    channels = [int(color.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2.1's contrast ratio of two colours."""
    light, dark = sorted([_luminance(a), _luminance(b)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("tag", TAGS)
def test_a_notes_heading_is_readable_on_its_grey_at_wcag_aa(tag):
    html = comsim.note(tag, "text", title="A title")._repr_html_()
    colors = set(re.findall(r"(?<!border-left:6px solid )color:(#[0-9A-Fa-f]{6})", html))

    assert colors, html
    assert all(contrast(c, NOTE_BACKGROUND) >= 4.5 for c in colors), colors


def test_a_documented_note_links_to_microsofts_page_and_to_the_course_sources():
    source = SOURCES["copyproxy"]

    note = comsim.note("documented", "A copy starts with one reference.", source="copyproxy")
    html = note._repr_html_()

    assert f'href="{source.url}"' in html
    assert 'href="../docs/sources.md#copyproxy"' in html
    assert source.url in repr(note)


def test_a_documented_note_without_a_source_still_points_to_the_course_sources():
    html = comsim.note("documented", "Text.")._repr_html_()

    assert 'href="../docs/sources.md"' in html


def test_a_note_with_an_unknown_source_names_the_parameter_and_the_keys():
    with pytest.raises(ValueError, match=r"source must be one of .*copyproxy.*got 'copyproxi'"):
        comsim.note("documented", "Text.", source="copyproxi")
    with pytest.raises(TypeError, match="source"):
        comsim.note("documented", "Text.", source=3)


def test_links_to_notebooks_the_glossary_and_the_sources_follow_the_decks():
    html = (
        '<a href="02_aggregation.ipynb">next</a> <a href="glossary.ipynb#interface-proxy">x</a> '
        '<a href="../docs/sources.md#copyproxy">s</a> <a href="../docs/sources.md">all</a> '
        '<a href="https://example.com/a.ipynb">remote</a>'
    )

    assert slides.link_exports(html) == (
        '<a href="02_aggregation.slides.html">next</a> '
        '<a href="glossary.slides.html#interface-proxy">x</a> '
        '<a href="sources.html#copyproxy">s</a> <a href="sources.html">all</a> '
        '<a href="https://example.com/a.ipynb">remote</a>'
    )


def test_on_a_static_page_a_notes_source_links_to_the_sources_page_beside_it():
    from comsim.teaching import pages

    pages.for_static_pages()
    try:
        html = comsim.note("documented", "Text.", source="copyproxy")._repr_html_()
    finally:
        pages.for_static_pages(False)

    assert 'href="sources.html#copyproxy"' in html
    assert "docs/sources.md" not in html


def test_the_decks_sources_page_keeps_every_keys_anchor_and_loads_nothing(repo_root):
    page = slides.sources_html((repo_root / "docs" / "sources.md").read_text(encoding="utf-8"))

    missing = [key for key in SOURCES if f'id="{key}"' not in page]
    assert missing == []
    assert find_remote_references(page) == []
    assert '<html lang="en">' in page and "<title>" in page


def test_on_a_slide_code_shows_only_when_the_cell_asks_for_it():
    hidden = nbformat.v4.new_code_cell("hidden_helper_call()")
    shown = nbformat.v4.new_code_cell(
        "kb_loop_in_python()", metadata={"tags": ["slides-show-code"]}
    )
    nb = nbformat.v4.new_notebook(cells=[hidden, shown])

    out, _ = slides.SlideCodePreprocessor().preprocess(nb, {})

    assert out.cells[0].metadata.get("transient") == {"remove_source": True}
    assert "transient" not in out.cells[1].metadata


def _scrubber(controls, **kwargs) -> str:
    from matplotlib.figure import Figure

    def render(*values):
        fig = Figure(figsize=(1, 1))
        fig.comsim_alt = "frame " + ", ".join(str(v) for v in values)
        return fig

    return offline.scrubber_html(
        controls, render, lambda *v: f"caption {v}", "A title", dpi=20, **kwargs
    )


def test_a_step_through_gets_previous_and_next_buttons_and_each_frame_its_own_alt_text():
    html = _scrubber([("call", [0, 1, 2], 0)])
    alts = json.loads(re.search(r'class="scrub-\w+-data">(.*?)</script>', html, re.S).group(1))

    assert re.search(r"<button type=\"button\"[^>]*>← Previous</button>", html)
    assert re.search(r"<button type=\"button\"[^>]*>Next →</button>", html)
    assert alts["alts"] == ["frame 0", "frame 1", "frame 2"]
    assert 'alt="frame 0"' in html  # the first frame's, before any script runs
    assert 'aria-live="polite"' in html and 'aria-valuetext="0"' in html


def test_an_explorer_with_two_sliders_has_no_buttons_unless_asked():
    two = [("iterations", [1, 2], 1), ("tightness", [0.5, 1.0], 0)]

    assert "<button" not in _scrubber(two)
    assert "<button" in _scrubber(two, buttons=True)
    assert "Shown: iterations = 2; tightness = 0.5." in _scrubber(two)  # what a print shows
