"""What gets committed: notebooks are valid nbformat v4 and carry only their source."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement


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


def test_code_the_reports_leave_out_is_folded_in_the_notebook_too(any_notebook_path: Path):
    """One rule for helper code: a cell tagged remove-input (left out of reports, site and
    decks) is folded in JupyterLab and RISE as well (jupyter.source_hidden)."""
    nb = nbformat.read(any_notebook_path, as_version=4)
    unfolded = [
        cell.get("id", index)
        for index, cell in enumerate(nb.cells)
        if "remove-input" in cell.metadata.get("tags", [])
        and not cell.metadata.get("jupyter", {}).get("source_hidden", False)
    ]
    assert not unfolded, f"{any_notebook_path.name}: fold cells {unfolded} (source_hidden)"


def _pins(lines, pattern: str) -> dict[str, str]:
    """name -> version for each line matching ``pattern``; names normalized as PyPI does."""
    pins = {}
    for line in lines:
        match = re.fullmatch(pattern, line.strip())
        if match:
            pins[re.sub(r"[-_.]+", "-", match["name"]).lower()] = match["version"]
    return pins


def _requirements(repo_root: Path) -> list[Requirement]:
    project = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]
    return [
        Requirement(line)
        for line in project["dependencies"] + project["optional-dependencies"]["test"]
    ]


def _locked(repo_root: Path) -> dict[str, str]:
    lock = (repo_root / "requirements.lock").read_text().splitlines()
    return _pins(lock, r"(?P<name>[\w.-]+)==(?P<version>\S+)")


def _name(requirement: Requirement) -> str:
    return re.sub(r"[-_.]+", "-", requirement.name).lower()


def test_the_lock_satisfies_pyproject_and_tests_each_lower_bound(repo_root: Path):
    """pyproject.toml lists ranges whose lower bound is the version we test: the lock pins
    exactly that version of each direct dependency."""
    locked = _locked(repo_root)
    wrong = []
    for requirement in _requirements(repo_root):
        version = locked.get(_name(requirement))
        lower = [s.version for s in requirement.specifier if s.operator == ">="]
        if version is None or version not in requirement.specifier or lower != [version]:
            wrong.append(f"{requirement} (locked: {version})")
    assert not wrong, "run `make lock` or move the lower bound:\n" + "\n".join(wrong)


def test_the_python_requirement_is_a_range_from_3_11(repo_root: Path):
    project = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"


def test_environment_yml_pins_the_same_versions_as_the_lock(repo_root: Path):
    lines = (repo_root / "environment.yml").read_text().splitlines()
    conda = _pins(lines, r"- (?P<name>[\w.-]+)=(?P<version>[^=\s]+)")
    conda.pop("python")
    locked = _locked(repo_root)
    assert {name: locked.get(name) for name in conda} == conda
    direct = {_name(r) for r in _requirements(repo_root)} - {"playwright"}
    assert direct <= set(conda), f"environment.yml lacks {sorted(direct - set(conda))}"
