"""Shared fixtures: where the repository and its notebooks are."""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.browser import launch_chromium, on_ci
from testkit.builds import build_once

# make test runs two xdist workers, each one test at a time; a build of the reports or the class
# kit runs two kernels at once (comsim.publish.execute.execute_all), so at most three kernels
# or Chromiums run together (kernels are polled in slices: under heavy load a reply was once
# lost for ten minutes, see comsim.publish.execute). Builds that
# several tests need are made once per session (testkit.builds), whichever worker asks first.
# No xdist_group: pytest 9.2 ignores the node-id suffix that --dist loadgroup relies on
# (pytest-dev/pytest-xdist#1386), so groups would only look as if they held.

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
# The teaching notebooks, in the order a learner meets them.
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
# Folders that hold generated or third-party notebooks, never ours.
_NOT_OURS = {".venv", "build", ".git", ".ipynb_checkpoints", "node_modules"}
# Every notebook in the working tree, wherever it lives (notebooks/, solutions, ...).
ALL_NOTEBOOKS = sorted(
    path
    for path in REPO_ROOT.rglob("*.ipynb")
    if not _NOT_OURS.intersection(path.relative_to(REPO_ROOT).parts)
)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository's top folder, wherever it was cloned."""
    return REPO_ROOT


def _notebook_param(notebooks: list[Path]):
    """Parametrize over notebooks; an empty list is a failure, never a silent pass."""
    if notebooks:
        return [pytest.param(p, id=str(p.relative_to(REPO_ROOT))) for p in notebooks]
    return [pytest.param(None, id="no-notebooks")]


def _require(path: Path | None) -> Path:
    if path is None:
        pytest.fail(f"no notebooks found in {NOTEBOOKS_DIR}: the course has nothing to test")
    return path


@pytest.fixture(params=_notebook_param(NOTEBOOKS))
def notebook_path(request) -> Path:
    """One teaching notebook in notebooks/."""
    return _require(request.param)


@pytest.fixture(params=_notebook_param(ALL_NOTEBOOKS))
def any_notebook_path(request) -> Path:
    """One notebook anywhere in the repository, for checks of what gets committed."""
    return _require(request.param)


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium per worker, shared by every test file (playwright's sync API
    allows one per thread); skipped (failed under CI=true) if playwright is not installed."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        if on_ci():
            pytest.fail(f"playwright is not installed: {error}")
        pytest.skip(f"playwright is not installed: {error}")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def reports_dir(tmp_path_factory) -> Path:
    """build/reports, as ``make reports`` writes it, in a folder of this test session; the
    notebooks it executed are kept beside it (``executed/``) for the slides and the
    course-wide reading tests. Built once per session, whichever worker asks first."""
    from comsim.publish.report import export_reports

    def build(folder: Path) -> None:
        export_reports(NOTEBOOKS_DIR, folder, executed_dir=folder.parent / "executed")

    return build_once(tmp_path_factory, "reports", build)


def pytest_collection_modifyitems(items):
    """The class kit's tests first: its build (about 20 s) then starts at once on one worker,
    and never ends the session with the other worker waiting for it (seen: 20 s idle)."""
    items.sort(key=lambda item: "kit" not in getattr(item, "fixturenames", ()))
