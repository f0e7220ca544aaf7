"""Whether an executed notebook kept by ``make reports`` still shows what the notebook would
show now: it is keyed on the contents of everything its outputs depend on -- the notebook,
the data tables and the comsim package -- not on file times, which a checkout, a copy or an
edit of ``data/parameters.csv`` do not keep in order.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import nbformat

from ..model.params import DATA_DIR

PACKAGE_DIR = Path(__file__).resolve().parents[1]
KEY = "comsim_inputs"
"""The notebook metadata field that holds the key of the inputs it was executed with."""
_SUFFIXES = {".py", ".csv", ".toml", ".j2", ".css", ".js", ".json"}


def inputs_key(notebook: Path) -> str:
    """A digest of the notebook's cells and of every file comsim reads or runs."""
    digest = hashlib.sha256()
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        digest.update(cell.cell_type.encode() + b"\0" + cell.source.encode() + b"\0")
    files = {p for p in PACKAGE_DIR.rglob("*") if p.suffix in _SUFFIXES and p.is_file()}
    files |= {p for p in Path(DATA_DIR).rglob("*") if p.suffix in _SUFFIXES and p.is_file()}
    for path in sorted(files):
        if "__pycache__" not in path.parts:
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def mark(executed: nbformat.NotebookNode, source: Path) -> nbformat.NotebookNode:
    """Record in ``executed`` the key of the inputs it was executed with."""
    executed.metadata[KEY] = inputs_key(source)
    return executed


def is_current(executed: Path, source: Path) -> bool:
    """True when ``executed`` exists and was executed with today's inputs."""
    if not executed.is_file():
        return False
    kept = nbformat.read(executed, as_version=4).metadata.get(KEY)
    return kept == inputs_key(source)
