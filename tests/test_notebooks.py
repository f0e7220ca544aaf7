"""The kernels that execute the notebooks for the reports, two at a time. (That every notebook
runs top to bottom in a fresh kernel, and all again in the same one, is checked where a learner
does it, in JupyterLab: test_lab.py.)"""

from __future__ import annotations

import json
import os
import sys
import tempfile
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


def test_kernels_talk_over_unix_sockets_of_their_own_and_leave_none_behind(
    tmp_path: Path, monkeypatch
):
    """A kernel on TCP binds ports its client picked earlier, and a kernel another process
    starts in between can take one: "Address already in use", and the build fails. On Unix
    sockets each kernel has files of its own, removed when it shuts down."""
    if not execute.UNIX_SOCKETS:
        pytest.skip("no Unix sockets on this system: kernels use TCP")
    with tempfile.TemporaryDirectory(prefix="rt-") as short:  # pytest's tmp_path is too long
        runtime = Path(short) / "runtime"
        monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(runtime))
        told = "from ipykernel import get_connection_info\nprint(get_connection_info())"
        done = execute.execute_all([(_notebook(told), tmp_path) for _ in range(2)])
        left = [p.name for p in runtime.iterdir()]
    infos = [json.loads(nb.cells[0].outputs[0]["text"]) for nb in done]
    assert [info["transport"] for info in infos] == ["ipc", "ipc"]
    prefixes = [info["ip"] for info in infos]
    assert all(Path(p).parent == runtime for p in prefixes), prefixes
    assert prefixes[0] != prefixes[1], "two kernels share their socket files"
    assert left == [], "socket files left behind"


def test_a_very_long_runtime_folder_puts_the_sockets_in_the_temporary_folder(monkeypatch):
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", "/" + "r" * execute.SOCKET_PATH_MAX)
    prefix = execute._socket_prefix()
    assert Path(prefix).parent == Path(tempfile.gettempdir())
    assert len(prefix) + len("-5") <= execute.SOCKET_PATH_MAX


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
