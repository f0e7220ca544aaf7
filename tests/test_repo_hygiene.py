"""What gets committed: notebooks are valid nbformat v4 and carry only their source."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import nbformat
import pytest


# Cell ids are part of v4.5; without them Jupyter adds fresh ones on every save, noisy diffs.
@pytest.mark.filterwarnings("error::nbformat.warnings.MissingIDFieldWarning")
def test_notebook_is_valid_nbformat_v4(any_notebook_path: Path):
    nb = nbformat.read(any_notebook_path, as_version=nbformat.NO_CONVERT)
    assert nb.nbformat == 4, f"{any_notebook_path} is nbformat v{nb.nbformat}"
    nbformat.validate(nb)


def test_committed_notebook_has_no_outputs_or_execution_counts(any_notebook_path: Path):
    nb = nbformat.read(any_notebook_path, as_version=4)
    dirty = [
        index
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not dirty, f"{any_notebook_path.name}: clear the outputs of cells {dirty}"
    assert "widgets" not in nb.metadata, f"{any_notebook_path.name}: saved widget state"


def _pins(lines, pattern: str) -> dict[str, str]:
    """name -> version for each line matching ``pattern``; names normalized as PyPI does."""
    pins = {}
    for line in lines:
        match = re.fullmatch(pattern, line.strip())
        if match:
            pins[re.sub(r"[-_.]+", "-", match["name"]).lower()] = match["version"]
    return pins


def _pyproject_pins(repo_root: Path) -> dict[str, str]:
    project = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["test"]
    return _pins(requirements, r"(?P<name>[\w.-]+)==(?P<version>\S+)")


def test_the_lock_pins_the_same_direct_versions_as_pyproject(repo_root: Path):
    lock = (repo_root / "requirements.lock").read_text().splitlines()
    locked = _pins(lock, r"(?P<name>[\w.-]+)==(?P<version>\S+)")
    wanted = _pyproject_pins(repo_root)
    assert {name: locked.get(name) for name in wanted} == wanted, "run `make lock`"


def test_environment_yml_pins_the_same_versions_as_pyproject(repo_root: Path):
    lines = (repo_root / "environment.yml").read_text().splitlines()
    conda = _pins(lines, r"- (?P<name>[\w.-]+)=(?P<version>[^=\s]+)")
    conda.pop("python")
    wanted = _pyproject_pins(repo_root)
    assert {name: wanted.get(name) for name in conda} == conda
