"""Executing the notebooks is part of the test: a learner runs them top to bottom, and often
runs them all again without restarting the kernel."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

from comsim.publish import execute

# Every test here runs Jupyter kernels (conftest.py gives them one xdist worker).
pytestmark = pytest.mark.kernel


def test_notebook_runs_twice_in_one_fresh_kernel(notebook_path: Path):
    nb = nbformat.read(notebook_path, as_version=4)
    client = execute.notebook_client(nb, notebook_path.parent)
    with client.setup_kernel():
        for run in ("first run, fresh kernel", "Run All again, same kernel, state kept"):
            for index, cell in enumerate(nb.cells):
                try:
                    client.execute_cell(cell, index)
                except CellExecutionError as error:
                    pytest.fail(f"{notebook_path.name}, {run}, cell {index}:\n{error}")


def test_report_kernels_run_on_this_interpreter_in_the_notebook_folder(tmp_path: Path):
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "import os, sys\nfrom comsim.teaching import pages\n"
                "print(sys.prefix, os.getcwd(), pages.static_pages())"
            )
        ]
    )
    execute.execute_for_static_pages(nb, tmp_path)
    assert len(nb.cells) == 1, "the cell that switched to static pages is gone again"
    printed = nb.cells[0].outputs[0]["text"].split()
    assert printed == [sys.prefix, os.path.realpath(tmp_path), "True"]
