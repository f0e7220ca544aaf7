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
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

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


def course_notebooks(notebooks_dir: Path, notebooks: Iterable[Path] = ()) -> list[Path]:
    """Every notebook of the course, in order: ``notebooks_dir/*.ipynb`` sorted (the numbered
    ones in order, then the reference pages, such as the glossary), then any of ``notebooks``
    from elsewhere. Raises ``FileNotFoundError`` when there is none."""
    course = sorted(Path(notebooks_dir).resolve().glob("*.ipynb"))
    course += [p for p in (Path(n).resolve() for n in notebooks) if p not in course]
    if not course:
        raise FileNotFoundError(f"no notebooks (*.ipynb) in {Path(notebooks_dir).resolve()}")
    return course


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
    from .execute import CELL_TIMEOUT_S, execute_notebook

    fresh = {Path(p).resolve() for p in fresh} or set(course)
    executed = []
    for path in course:
        kept = Path(executed_dir) / path.name if executed_dir is not None else None
        if path not in fresh and kept is not None and freshness.is_current(kept, path):
            executed.append((path, nbformat.read(kept, as_version=4)))
            print(f"reused {kept}", flush=True)
            continue
        started = time.perf_counter()
        nb = execute_notebook(path, timeout_s or CELL_TIMEOUT_S)
        print(f"executed {path.name} in {time.perf_counter() - started:.1f} s", flush=True)
        if kept is not None:
            kept.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(freshness.mark(nbformat.from_dict(nb), path), kept)
        executed.append((path, nb))
    return executed


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
    pages. Raises ``FileNotFoundError`` when there is nothing to export, nbclient's
    ``CellExecutionError`` when a cell fails, ``BookBuildError`` when the book does not build
    cleanly (a broken link, say) and ``OfflineReportError`` when a page would load something
    from the network.
    """
    given = [Path(p) for p in notebooks or ()]
    executed = None if executed_dir is None else Path(executed_dir)
    course = course_notebooks(Path(notebooks_dir), given)
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
    from .book import BookBuildError, LaunchButtons
    from .offline import OfflineReportError

    parser = build_parser()
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        launch = LaunchButtons(
            args.repository_url, args.branch, args.binder_url, args.jupyterhub_url
        )
    except ValueError as error:
        parser.error(str(error))
    try:
        course = course_notebooks(args.notebooks_dir, args.notebooks)
        done = execute_course(course, args.notebooks, args.timeout, args.executed)
        sources = sources_markdown(args.notebooks_dir)
        written = write_reports(done, args.out, sources, launch)
    except (FileNotFoundError, BookBuildError, OfflineReportError) as error:
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
