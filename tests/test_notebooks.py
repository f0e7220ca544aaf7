"""The kernels that execute the notebooks for the reports, two at a time. (That every notebook
runs top to bottom in a fresh kernel, and all again in the same one, is checked where a learner
does it, in JupyterLab: test_lab.py.)"""

from __future__ import annotations

import os
import sys
import time
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


def _notebook(*sources: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


def test_several_notebooks_run_two_kernels_at_a_time_and_come_back_in_order(tmp_path: Path):
    # Each notebook prints its kernel's pid and when its sleep began and ended.
    clock = (
        "import time, os\nstart = time.time()\ntime.sleep(1)\n"
        "print(os.getpid(), start, time.time())"
    )
    jobs = [(_notebook(clock, f"print('notebook {k}')"), tmp_path) for k in range(3)]
    finished = []
    done = execute.execute_all(jobs, report=lambda k, s: finished.append(k))
    assert [nb.cells[1].outputs[0]["text"].strip() for nb in done] == [
        f"notebook {k}" for k in range(3)
    ]
    assert sorted(finished) == [0, 1, 2]
    ran = [nb.cells[0].outputs[0]["text"].split() for nb in done]
    assert len({pid for pid, _, _ in ran}) == 3, "each notebook has a kernel of its own"
    spans = sorted((float(start), float(end)) for _, start, end in ran)
    assert spans[1][0] < spans[0][1], f"the first two did not run at the same time: {spans}"
    assert execute.KERNELS_AT_ONCE == 2
    assert spans[2][0] >= min(spans[0][1], spans[1][1]), f"three ran at once: {spans}"


def test_a_failing_cell_stops_the_other_runs_and_raises(tmp_path: Path):
    from nbclient.exceptions import CellExecutionError

    slow = _notebook("import os\nprint(os.getpid())", "import time\ntime.sleep(120)")
    broken = _notebook("import time\ntime.sleep(1)", "1 / 0")
    with pytest.raises(CellExecutionError, match="ZeroDivisionError"):
        execute.execute_all([(slow, tmp_path), (broken, tmp_path)], timeout_s=300)
    pid = int(slow.cells[0].outputs[0]["text"])
    for _ in range(100):  # the slow notebook's kernel was shut down, not left to sleep
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"the other notebook's kernel (pid {pid}) still runs")
