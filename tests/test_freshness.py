"""The slide decks reuse the notebooks ``make reports`` executed only while those show what the
notebooks would show now (issue 18, item 3: after data/parameters.csv changed, the decks still
said "1,792 B per iteration" where simulate() said 1,280)."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from comsim.publish import freshness

REPO_ROOT = Path(__file__).resolve().parents[1]


def _executed_copy(tmp_path: Path) -> tuple[Path, Path]:
    source = tmp_path / "nb.ipynb"
    shutil.copy(REPO_ROOT / "notebooks" / "00_start_here.ipynb", source)
    executed = tmp_path / "executed.ipynb"
    nbformat.write(freshness.mark(nbformat.read(source, as_version=4), source), executed)
    return source, executed


def test_an_executed_notebook_is_current_until_the_notebook_changes(tmp_path):
    source, executed = _executed_copy(tmp_path)
    assert freshness.is_current(executed, source)
    nb = nbformat.read(source, as_version=4)
    nb.cells[0].source += "\nOne more sentence."
    nbformat.write(nb, source)
    assert not freshness.is_current(executed, source)


def test_a_change_to_the_data_or_the_package_makes_it_stale_whatever_the_file_times(
    tmp_path, monkeypatch
):
    source, executed = _executed_copy(tmp_path)
    data = tmp_path / "data"
    shutil.copytree(freshness.DATA_DIR, data, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(freshness, "DATA_DIR", data)
    nbformat.write(freshness.mark(nbformat.read(source, as_version=4), source), executed)
    assert freshness.is_current(executed, source)
    table = data / "parameters.csv"
    table.write_text(table.read_text().replace("1792", "1280"), encoding="utf-8")
    # the executed copy is newer than every input, yet stale: contents decide, not times
    executed.touch()
    assert not freshness.is_current(executed, source)


def test_a_missing_executed_copy_is_not_current(tmp_path):
    assert not freshness.is_current(tmp_path / "none.ipynb", tmp_path / "nb.ipynb")
