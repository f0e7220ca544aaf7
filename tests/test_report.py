"""The offline report: what a reader without Jupyter or a network sees."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from comsim.publish import report

# Every test here runs Jupyter kernels (conftest.py gives them one xdist worker).
pytestmark = pytest.mark.kernel

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


def test_report_shows_the_explorers_html_and_no_widget(tmp_path: Path):
    _write_notebook(tmp_path)
    [page] = report.export_reports(tmp_path, tmp_path / "reports")
    html = page.read_text(encoding="utf-8")

    assert page == tmp_path / "reports" / "tiny.html"
    assert "<p>precomputed-explorer-figure</p>" in html
    assert report.OFFLINE_NOTE in html  # the widget with no fallback
    assert '<script type="application/vnd.jupyter.widget' not in html
    assert "widget-state+json" not in html
    assert report.find_remote_references(html) == []
    assert not re.search(r"<(script|link)\b[^>]*\b(src|href)=[\"']?(https?:)?//", html)
    assert '<a href="https://example.com">' in html  # ordinary links stay


def test_a_cdn_script_or_stylesheet_is_caught_but_a_link_is_not():
    page = """<html><head>
    <script src="https://cdn.example/require.js"></script>
    <link rel="stylesheet" href="//fonts.example/css">
    <style>@import url("https://fonts.example/font.css");</style>
    </head><body><a href="https://example.com">read the KB</a>
    <img src="data:image/png;base64,AAAA"></body></html>"""

    found = report.find_remote_references(page)

    assert len(found) == 3
    assert not any("example.com" in item for item in found)
