"""The course site: what a reader without Jupyter or a network sees, built by Jupyter Book from
the notebooks comsim executed."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from comsim.publish import book, handouts, report
from comsim.publish.offline import OFFLINE_NOTE, find_remote_references

_EXPLORER_CELL = '''\
class Explorer:
    """Stands in for a comsim explorer: a live widget, plus a picture for static pages."""

    def _repr_mimebundle_(self, **kwargs):
        return {
            "application/vnd.jupyter.widget-view+json": {
                "version_major": 2, "version_minor": 0, "model_id": "feedface"
            },
            "text/html": "<p>" + "precomputed" + "-explorer-figure</p>",
            "text/plain": "Explorer()",
        }

Explorer()
'''

_BARE_WIDGET_CELL = """\
from IPython.display import display

display({"application/vnd.jupyter.widget-view+json": {
    "version_major": 2, "version_minor": 0, "model_id": "deadbeef"}}, raw=True)
"""


def _write_notebook(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# A tiny report\n\nSee [the KB](https://example.com)."),
            nbformat.v4.new_code_cell(_EXPLORER_CELL),
            nbformat.v4.new_code_cell(_BARE_WIDGET_CELL),
        ]
    )
    path = folder / "tiny.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.kernel
def test_report_shows_the_explorers_html_and_no_widget(tmp_path: Path):
    (tmp_path / "notebooks").mkdir()
    _write_notebook(tmp_path / "notebooks")
    [page] = report.export_reports(tmp_path / "notebooks", tmp_path / "reports")
    html = page.read_text(encoding="utf-8")

    assert page == tmp_path / "reports" / "tiny.html"
    assert "<p>precomputed-explorer-figure</p>" in html
    assert OFFLINE_NOTE in html  # the widget with no fallback
    assert '<script type="application/vnd.jupyter.widget' not in html
    assert "widget-state+json" not in html
    assert find_remote_references(html) == []
    assert not re.search(r"<(script|link)\b[^>]*\b(src|href)=[\"']?(https?:)?//", html)
    assert re.search(r'<a [^>]*href="https://example.com"', html)  # ordinary links stay
    assert (tmp_path / "reports" / "index.html").is_file()


def test_a_cdn_script_or_stylesheet_is_caught_but_a_link_is_not():
    page = """<html><head>
    <script src="https://cdn.example/require.js"></script>
    <link rel="stylesheet" href="//fonts.example/css">
    <style>@import url("https://fonts.example/font.css");</style>
    </head><body><a href="https://example.com">read the KB</a>
    <img src="data:image/png;base64,AAAA"></body></html>"""

    found = find_remote_references(page)

    assert len(found) == 3
    assert not any("example.com" in item for item in found)


# --- the book, built from notebooks that are already executed (no kernel) ---------------------

_COURSE = {
    "01_first": [
        "# 01 · First\n\n**In this notebook you will**\n- meet the [proxy manager]"
        "(glossary.ipynb#proxy-manager);\n- read a note.\n\n**Time:** about 7 minutes.",
        "A [proxy](glossary.ipynb#proxy), then [the second notebook](02_second.ipynb).",
    ],
    "02_second": ["# 02 · Second\n\n**In this notebook you will**\n- go on.\n\n**Time:** 3 min"],
    "glossary": [
        "# Glossary\n\n**On this page you will**\n- find the words.\n\n## Proxies",
        '<a id="proxy"></a>\n\n### Proxy\n\nA stand-in; see [proxy manager](#proxy-manager).',
        '<a id="proxy-manager"></a>\n\n### Proxy manager\n\nThe whole that keeps the parts.',
    ],
}


# A one-pixel PNG, as a figure's output carries it (base64).
_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwAD"
    "hgGAWjR9awAAAABJRU5ErkJggg=="
)


def _executed(markdown: dict[str, list[str]]) -> list[tuple[Path, nbformat.NotebookNode]]:
    """Notebooks as comsim's execution leaves them: the 01 one with a note made by a cell
    tagged remove-input."""
    executed = []
    for stem, cells in markdown.items():
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(c) for c in cells])
        if stem == "01_first":
            code = nbformat.v4.new_code_cell(
                "comsim.note('documented', 'x')", metadata={"tags": ["remove-input"]}
            )
            code.outputs = [
                nbformat.v4.new_output("display_data", {"text/html": "<p>the note</p>"}),
                nbformat.v4.new_output(
                    "display_data",
                    {"image/png": _PNG, "text/plain": "<Figure>"},
                    metadata={"image/png": {"alt": "Private bytes: 3 steps of 4,096 B"}},
                ),
            ]
            nb.cells.append(code)
        executed.append((Path(f"/course/notebooks/{stem}.ipynb"), nb))
    return executed


@pytest.fixture(scope="module")
def small_site(tmp_path_factory) -> Path:
    """A three-notebook course built into a site, as ``make reports`` would."""
    out = tmp_path_factory.mktemp("site") / "reports"
    report.write_reports(_executed(_COURSE), out)
    return out


@pytest.mark.slow
def test_the_book_has_the_same_page_names_as_the_notebooks_and_a_course_map(small_site):
    names = {p.name for p in small_site.glob("*.html")}

    assert {"index.html", "01_first.html", "02_second.html", "glossary.html"} <= names
    assert "search.html" in names  # the book's offline search
    assert handouts.handout_sources(small_site) == [
        small_site / "01_first.html",
        small_site / "02_second.html",
        small_site / "glossary.html",
    ]


@pytest.mark.slow
def test_the_course_map_renders_each_objectives_links_instead_of_showing_their_markdown(
    small_site,
):
    """Issue 14: the hand-built map showed raw ``[proxy manager](glossary.ipynb#…)`` text."""
    html = (small_site / "index.html").read_text(encoding="utf-8")

    assert "](glossary.ipynb" not in html
    assert re.search(r'<a [^>]*href="glossary.html#proxy-manager"', html)
    assert "About 7 minutes" in html and "About 3 minutes" in html


@pytest.mark.slow
def test_a_link_to_a_glossary_anchor_leads_to_that_entry(small_site):
    first = (small_site / "01_first.html").read_text(encoding="utf-8")
    glossary = (small_site / "glossary.html").read_text(encoding="utf-8")

    assert re.search(r'<a [^>]*href="glossary.html#proxy"', first)
    assert re.search(r'<a [^>]*href="#proxy-manager"', glossary)
    for anchor in ("proxy", "proxy-manager"):
        assert len(re.findall(rf'\bid="{anchor}"', glossary)) == 1


@pytest.mark.slow
def test_a_cell_tagged_remove_input_shows_its_output_without_its_code(small_site):
    html = (small_site / "01_first.html").read_text(encoding="utf-8")

    assert "<p>the note</p>" in html
    assert "comsim.note" not in html


@pytest.mark.slow
def test_a_figure_keeps_the_alt_text_its_output_carries(small_site):
    html = (small_site / "01_first.html").read_text(encoding="utf-8")

    assert re.search(r'<img [^>]*alt="Private bytes: 3 steps of 4,096 B"', html)


@pytest.mark.slow
def test_launch_buttons_are_off_by_default(small_site):
    html = (small_site / "01_first.html").read_text(encoding="utf-8")

    assert "mybinder" not in html and "git-pull" not in html


@pytest.mark.slow
def test_launch_buttons_open_the_notebook_on_binder_or_a_jupyterhub_when_configured(tmp_path):
    launch = book.LaunchButtons(
        repository_url="https://github.com/example/course",
        binderhub_url="https://mybinder.org",
        jupyterhub_url="https://hub.example.org",
    )
    report.write_reports(_executed(_COURSE), tmp_path / "site", launch=launch)
    html = (tmp_path / "site" / "01_first.html").read_text(encoding="utf-8")

    assert "https://mybinder.org/v2/gh/example/course/main?urlpath=" in html
    assert "https://hub.example.org/hub/user-redirect/git-pull?repo=" in html
    assert "notebooks%2F01_first.ipynb" in html or "notebooks/01_first.ipynb" in html


def test_a_launch_button_without_a_repository_is_refused():
    with pytest.raises(ValueError, match="--repository-url"):
        book.LaunchButtons(binderhub_url="https://mybinder.org")


@pytest.mark.slow
def test_a_link_to_a_glossary_entry_that_does_not_exist_fails_the_build(tmp_path):
    broken = {**_COURSE, "02_second": ["# 02 · Second\n\nA [typo](glossary.ipynb#proxy-managr)."]}

    with pytest.raises(book.BookBuildError, match="proxy-managr"):
        report.write_reports(_executed(broken), tmp_path / "site")
    assert not (tmp_path / "site").exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # the book's work folder is gone
