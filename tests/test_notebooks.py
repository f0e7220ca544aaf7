"""The kernels that execute the notebooks for the reports. (That every notebook runs top to
bottom in a fresh kernel, and all again in the same one, is checked where a learner does it,
in JupyterLab: test_lab.py.)"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest

from comsim.publish import execute

# Every test here runs Jupyter kernels (conftest.py gives them one xdist worker).
pytestmark = pytest.mark.kernel


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
