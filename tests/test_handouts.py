"""Printed handouts: what a learner without a machine reads, printed from the offline reports by
headless Chromium (comsim.publish.handouts)."""

from __future__ import annotations

import pytest

from comsim.publish import handouts

# (The printed PDF itself is checked in test_browser.py, with the browser and the reports
# built there once per session.)


def test_every_notebook_page_becomes_a_handout_but_not_the_map_the_search_or_the_sources(
    tmp_path,
):
    for name in ["00_start_here", "01_the_symptom", "glossary", "index", "search", "sources"]:
        (tmp_path / f"{name}.html").write_text("<p>page</p>", encoding="utf-8")

    picked = [p.name for p in handouts.handout_sources(tmp_path)]

    assert picked == ["00_start_here.html", "01_the_symptom.html", "glossary.html"]


def test_handouts_without_reports_say_to_make_the_reports_first(tmp_path):
    with pytest.raises(FileNotFoundError, match="make reports"):
        handouts.write_handouts(tmp_path, tmp_path / "handouts")
