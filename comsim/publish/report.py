"""The course site: every notebook executed afresh, then built into an offline Jupyter Book.

A report is what a learner without Jupyter (or without a network) reads: the prose, the code,
and the figures and tables that the code produced a moment ago. Each notebook runs in a new
kernel with comsim's static pages switched on (:mod:`comsim.publish.execute`), so explorers
scrub precomputed frames and predictions check a reply with no kernel. Jupyter Book then
builds the site from those executed notebooks, with its own execution off
(:mod:`comsim.publish.book`): ``index.html`` (the course map), one page per notebook under the
notebook's name (``01_the_symptom.html``), ``sources.html`` and the search page.

No page loads anything from the network; the build checks every page and fails if one would.

Run it as ``python -m comsim.publish.report [NOTEBOOK ...] [--notebooks-dir DIR] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import arguments
from .interrupt import terminate_as_interrupt

if TYPE_CHECKING:
    import nbformat

    from .book import LaunchButtons

PROG = "python -m comsim.publish.report"
# The course's list of sources (written by hand, in docs/ beside notebooks/) becomes sources.html.
SOURCES_MD = Path("docs") / "sources.md"
SOURCES_PAGE = "sources"
SITE_PAGES = frozenset({"index", "search", "genindex", SOURCES_PAGE})
"""The site's pages that are not a notebook's (the course map, the search, the sources)."""


def sources_markdown(notebooks_dir: Path) -> Path | None:
    """``docs/sources.md`` beside ``notebooks_dir``, if the course has one."""
    path = Path(notebooks_dir).resolve().parent / SOURCES_MD
    return path if path.is_file() else None


def check_arguments(
    notebooks_dir: Path,
    out_dir: Path,
    notebooks: Iterable[Path] = (),
    executed_dir: Path | None = None,
) -> list[Path]:
    """Every notebook of the course, in order, once the arguments are known to be good:
    ``notebooks`` are notebooks, and neither output folder is a file or lies inside a folder
    of notebooks. Raises :class:`~comsim.publish.arguments.UsageError` otherwise."""
    given = [arguments.notebook_file(p).resolve() for p in notebooks]
    folders = {p.parent for p in given}
    if not given or Path(notebooks_dir).exists():  # notebooks given may come from elsewhere
        folders.add(arguments.input_folder(notebooks_dir, "--notebooks-dir").resolve())
    arguments.output_folder(out_dir, "--out", folders)
    if executed_dir is not None:
        arguments.output_folder(executed_dir, "--executed", folders)
    course = sorted(Path(notebooks_dir).resolve().glob("*.ipynb"))
    course += [p for p in given if p not in course]
    if not course:
        raise arguments.UsageError(f"no notebooks (*.ipynb) in {str(notebooks_dir)!r}")
    return course


def _write_atomically(nb: nbformat.NotebookNode, path: Path) -> None:
    """Write ``nb`` to ``path`` under a temporary name first, so a reader never sees half."""
    import nbformat

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.tmp")
    try:
        nbformat.write(nb, partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def execute_course(
    course: Sequence[Path],
    fresh: Iterable[Path] = (),
    timeout_s: int | None = None,
    executed_dir: Path | None = None,
) -> list[tuple[Path, nbformat.NotebookNode]]:
    """Each notebook of ``course`` executed: those in ``fresh`` (all of them when it is empty)
    run now; the others are reused from ``executed_dir`` when they were executed with today's
    notebook, data and package (:mod:`comsim.publish.freshness`), and run otherwise, each cell
    within ``timeout_s`` (default: :data:`comsim.publish.execute.CELL_TIMEOUT_S`). Executed
    notebooks are kept in ``executed_dir`` (the slides reuse them)."""
    import nbformat

    from . import freshness
    from .execute import CELL_TIMEOUT_S, execute_all

    fresh = {Path(p).resolve() for p in fresh} or set(course)
    kept = {path: Path(executed_dir) / path.name for path in course} if executed_dir else {}
    executed: dict[Path, nbformat.NotebookNode] = {}
    for path in course:
        if path not in fresh and path in kept and freshness.is_current(kept[path], path):
            executed[path] = nbformat.read(kept[path], as_version=4)
            print(f"reused {kept[path]}", flush=True)
    to_run = [path for path in course if path not in executed]

    def finished(index: int, seconds: float) -> None:
        print(f"executed {to_run[index].name} in {seconds:.1f} s", flush=True)

    for path, nb in zip(
        to_run, execute_all(to_run, timeout_s or CELL_TIMEOUT_S, finished), strict=True
    ):
        if path in kept:
            _write_atomically(freshness.mark(nbformat.from_dict(nb), path), kept[path])
        executed[path] = nb
    return [(path, executed[path]) for path in course]


def write_reports(
    executed: Sequence[tuple[Path, nbformat.NotebookNode]],
    out_dir: Path,
    sources_md: Path | None = None,
    launch: LaunchButtons | None = None,
) -> list[Path]:
    """Build the site from notebooks already executed -- (source path, executed notebook)
    pairs -- and copy it into ``out_dir``; ``sources_md`` becomes ``sources.html``. The book
    is built in a hidden folder beside ``out_dir``, removed afterwards whatever happens.
    Returns the notebooks' pages."""
    from . import book

    out_dir = Path(out_dir).resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    chapters = [book.Chapter(path.stem, nb) for path, nb in executed]
    with tempfile.TemporaryDirectory(prefix=f".{out_dir.name}.", dir=out_dir.parent) as work:
        book.write_sources(chapters, Path(work) / "book", sources_md)
        site = book.build(Path(work) / "book", Path(work) / "build", launch or book.LaunchButtons())
        shutil.copytree(site, out_dir, dirs_exist_ok=True)
    return [out_dir / f"{chapter.stem}.html" for chapter in chapters]


def export_reports(
    notebooks_dir: Path | str = "notebooks",
    out_dir: Path | str = "build/reports",
    notebooks: Iterable[Path | str] | None = None,
    timeout_s: int | None = None,
    executed_dir: Path | str | None = None,
    launch: LaunchButtons | None = None,
) -> list[Path]:
    """Execute the course's notebooks and write the site to ``out_dir``.

    The course is ``notebooks_dir/*.ipynb`` in sorted order (the numbered ones in order, then
    the reference pages, such as the glossary), plus any of ``notebooks`` from elsewhere.
    ``notebooks`` (default: all) are executed afresh; the others are reused from
    ``executed_dir`` when current. ``launch`` adds launch buttons. Returns the notebooks'
    pages. Raises ``UsageError`` for a bad argument (before anything runs), nbclient's
    ``CellExecutionError`` when a cell fails, ``BookBuildError`` when the book does not build
    cleanly (a broken link, say) and ``OfflineReportError`` when a page would load something
    from the network.
    """
    given = [Path(p) for p in notebooks or ()]
    executed = None if executed_dir is None else Path(executed_dir)
    course = check_arguments(Path(notebooks_dir), Path(out_dir), given, executed)
    done = execute_course(course, given, timeout_s, executed)
    return write_reports(done, Path(out_dir), sources_markdown(Path(notebooks_dir)), launch)


def build_parser() -> argparse.ArgumentParser:
    """The command line's options."""
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument(
        "notebooks", nargs="*", type=Path, help="notebooks to execute afresh (default: all)"
    )
    parser.add_argument("--notebooks-dir", type=Path, default=Path("notebooks"))
    parser.add_argument("--out", type=Path, default=Path("build/reports"))
    parser.add_argument("--timeout", type=int, help="seconds per cell (default: ten minutes)")
    parser.add_argument(
        "--executed", type=Path, default=Path("build/executed"), help="keep executed notebooks"
    )
    launch = parser.add_argument_group("launch buttons (off unless a URL is given)")
    launch.add_argument("--binder-url", default="", help="a BinderHub, e.g. https://mybinder.org")
    launch.add_argument("--jupyterhub-url", default="", help="a JupyterHub (nbgitpuller)")
    launch.add_argument("--repository-url", default="", help="the repository the hub pulls")
    launch.add_argument("--branch", default="main", help="the repository's branch")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Command line: build the site and print where it is, its pages' sizes and the time."""
    args = build_parser().parse_args(argv)
    started = time.perf_counter()
    try:
        course = check_arguments(args.notebooks_dir, args.out, args.notebooks, args.executed)
    except arguments.UsageError as error:
        return arguments.refuse(PROG, error)
    from .book import BookBuildError, LaunchButtons
    from .offline import OfflineReportError

    try:
        launch = LaunchButtons(
            args.repository_url, args.branch, args.binder_url, args.jupyterhub_url
        )
    except ValueError as error:
        return arguments.refuse(PROG, arguments.UsageError(str(error)))
    try:
        with terminate_as_interrupt():
            done = execute_course(course, args.notebooks, args.timeout, args.executed)
            sources = sources_markdown(args.notebooks_dir)
            written = write_reports(done, args.out, sources, launch)
    except (BookBuildError, OfflineReportError) as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"{path.stat().st_size / 1024:8.0f} KiB  {path}")
    elapsed_s = time.perf_counter() - started
    print(f"{len(written)} page(s) in {args.out.resolve()} ({elapsed_s:.1f} s)")
    print(f"start at {(args.out.resolve() / 'index.html').as_uri()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
