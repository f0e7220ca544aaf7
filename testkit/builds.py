"""Builds that several test files need, made once per test session whichever xdist worker
asks first (the others wait for it): the reports with the notebooks they executed, the decks,
the class kit."""

from __future__ import annotations

import os
import time
import traceback
from pathlib import Path

import pytest

BUILD_WAIT_S = 30 * 60  # a worker waits this long for another worker's build


def shared_dir(tmp_path_factory) -> Path:
    """A folder that every xdist worker of this session sees (its own basetemp otherwise)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def build_once(tmp_path_factory, name: str, build) -> Path:
    """Run ``build(folder)`` once per session, whichever xdist worker asks first; the others
    wait for it. A failed build fails every test that needs it, with the builder's traceback."""
    root = shared_dir(tmp_path_factory) / "browser-build"
    root.mkdir(exist_ok=True)
    folder, done = root / name, root / f"{name}.done"
    try:
        (root / f"{name}.lock").mkdir()  # atomic: exactly one process gets to build
    except FileExistsError:
        deadline = time.monotonic() + BUILD_WAIT_S
        while not done.exists():
            if time.monotonic() > deadline:
                pytest.fail(f"gave up after {BUILD_WAIT_S} s waiting for another worker's {name}")
            time.sleep(0.5)
    else:
        try:
            build(folder)
            error = ""
        except BaseException:
            error = traceback.format_exc()
        partial = root / f"{name}.done.tmp"
        partial.write_text(error, encoding="utf-8")
        partial.replace(done)  # waiting workers never read half a message
    error = done.read_text(encoding="utf-8")
    if error:
        pytest.fail(f"building the {name} failed:\n{error}", pytrace=False)
    return folder
