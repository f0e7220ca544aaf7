"""Running a notebook afresh, in a new kernel, for a page that has no kernel.

Each notebook runs in a new kernel started from this interpreter (so from the project's venv
when run from it), with its own folder as the working directory. A first cell, added for the
run and removed after it, tells comsim that the outputs go to a static page
(:mod:`comsim.teaching.pages`), so that explorers, the step-through and predictions also carry
HTML that works without a kernel. Several notebooks run two kernels at a time
(:func:`execute_all`). The course site (:mod:`comsim.publish.report`) and the
slides (:mod:`comsim.publish.slides`) and the class kit's decks all start here.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from queue import Empty

import nbformat
from jupyter_core.paths import jupyter_runtime_dir
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from traitlets.config import Config

from ..teaching.pages import STATIC_PAGES_CODE

CELL_TIMEOUT_S = 600  # one cell; sweeps in the later notebooks can take minutes on 2 cores
# (jupyter_client 8.10's new CurveZMQ transport encryption was tried and dropped: runs with it
# stalled now and then.)
KERNEL_CONFIG = Config({})
# Where the system has Unix sockets, kernels talk to us over them, one set of files per kernel
# under a name no other kernel has. Over TCP (Jupyter's default, kept elsewhere) the client picks
# free ports and the kernel binds them later: a kernel started at the same moment by another
# process (the other test worker, JupyterLab) can take one in between, and the kernel dies with
# "Address already in use" (jupyter/jupyter_client#154).
UNIX_SOCKETS = os.name == "posix"
SOCKET_PATH_MAX = 100  # a Unix socket's path has room for 107 bytes on Linux, 103 on macOS
POLL_SLICE_S = 1.0
# Kernels run at once by execute_all: most of a notebook's run is its kernel starting and
# importing, so two at a time on this machine's two cores take half the time of one by one.
KERNELS_AT_ONCE = 2


def _poll_in_slices(channel) -> None:
    """Make ``channel.get_msg`` wait in short slices instead of one long poll.

    Now and then the asyncio poll of a kernel's socket missed the wake-up for a message that
    had arrived, and slept until its timeout (ten minutes for a cell) before finding it. Each
    slice polls afresh, so a missed wake-up costs at most ``POLL_SLICE_S``.
    """
    wait = channel.get_msg

    async def get_msg(timeout: float | None = None, **kwargs):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            slice_s = POLL_SLICE_S if left is None else max(0.001, min(POLL_SLICE_S, left))
            try:
                return await wait(timeout=slice_s, **kwargs)
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    channel.get_msg = get_msg


def _socket_prefix() -> str:
    """An absolute path no other kernel uses, for the socket files of one kernel ("-1",
    "-2", ... are added to it); a relative one would name different files for us and for the
    kernel, which runs in the notebook's folder."""
    name = f"comsim-{uuid.uuid4().hex[:16]}"
    folder = Path(jupyter_runtime_dir())  # private to the user (mode 0700)
    if len(str(folder / name)) > SOCKET_PATH_MAX - 3:  # room for "-1" to "-5"
        folder = Path(tempfile.gettempdir())
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return str(folder / name)


class _Client(NotebookClient):
    """nbclient's runner: its kernel on Unix sockets where there are any, its shell and IOPub
    channels polled in short slices."""

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        if UNIX_SOCKETS:
            km.transport = "ipc"
            km.ip = _socket_prefix()
        return km

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        _poll_in_slices(kc.shell_channel)
        _poll_in_slices(kc.iopub_channel)
        return kc

    start_new_kernel_client = run_sync(async_start_new_kernel_client)


def notebook_client(
    nb: nbformat.NotebookNode, cwd: Path, timeout_s: int = CELL_TIMEOUT_S
) -> NotebookClient:
    """An nbclient runner for ``nb`` whose kernel starts in ``cwd``.

    The kernel is ``python3`` as this interpreter provides it, so running from the project's
    venv runs the notebooks in the venv. Cells tagged ``raises-exception`` may raise. Start it
    with :func:`execute_for_static_pages` for a static page. Widget state is still recorded
    (nbclient's Output-widget capture needs it); the pages drop it
    (:class:`comsim.publish.offline.OfflineWidgetPreprocessor`).
    """
    return _Client(
        nb,
        timeout=timeout_s,
        kernel_name="python3",
        config=KERNEL_CONFIG,
        resources={"metadata": {"path": str(cwd)}},
    )


def execute_notebook(path: Path, timeout_s: int = CELL_TIMEOUT_S) -> nbformat.NotebookNode:
    """Run every cell of the notebook at ``path`` in a new kernel whose cwd is its folder,
    its outputs made for a static page."""
    return execute_all([path], timeout_s)[0]


def execute_for_static_pages(
    nb: nbformat.NotebookNode, cwd: Path, timeout_s: int = CELL_TIMEOUT_S
) -> nbformat.NotebookNode:
    """Run ``nb`` in a new kernel after a first cell that switches comsim to static pages;
    that cell is removed again, so the notebook comes back with its own cells only."""
    return execute_all([(nb, cwd)], timeout_s)[0]


def execute_all(
    jobs: Sequence[Path | tuple[nbformat.NotebookNode, Path]],
    timeout_s: int = CELL_TIMEOUT_S,
    report=None,
) -> list[nbformat.NotebookNode]:
    """Run each job -- a notebook's path (its folder is the cwd), or a notebook and its cwd --
    for a static page, :data:`KERNELS_AT_ONCE` kernels at a time, and return the executed
    notebooks in the order given. ``report(index, seconds)`` is called as each one finishes.
    The first cell that fails stops the other runs (their kernels shut down) and raises."""
    pairs = [
        (nbformat.read(job, as_version=4), Path(job).parent)
        if isinstance(job, (str, Path))
        else job
        for job in jobs
    ]
    for nb, _ in pairs:
        nb.cells.insert(0, nbformat.v4.new_code_cell(STATIC_PAGES_CODE))
    try:
        clients = [notebook_client(nb, cwd, timeout_s) for nb, cwd in pairs]
        run_sync(_run_all)(clients, report)
    finally:
        for nb, _ in pairs:
            nb.cells.pop(0)
    return [nb for nb, _ in pairs]


async def _run_all(clients: list[NotebookClient], report) -> None:
    gate = asyncio.Semaphore(KERNELS_AT_ONCE)

    async def run(index: int, client: NotebookClient) -> None:
        async with gate:
            started = time.perf_counter()
            await client.async_execute()
            if report is not None:
                report(index, time.perf_counter() - started)

    tasks = [asyncio.ensure_future(run(k, c)) for k, c in enumerate(clients)]
    try:
        await asyncio.gather(*tasks)
    finally:  # after a failure, the other runs stop and shut their kernels down
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
