"""The course site as a Jupyter Book: the notebooks that :mod:`comsim.publish.report` executed,
a course map, the glossary and the list of sources, built by Jupyter Book 1 (Sphinx, MyST-NB
and the Sphinx Book Theme) with the book's own execution off.

The book gives the sidebar, the search (Sphinx's, which works from ``file://``), the previous
and next links and checked cross-references: the build runs with ``-W -n``, so a link to a
glossary entry or a page that does not exist fails it (see :mod:`comsim.publish.anchors`).
Its configuration is ``templates/book/_config.yml``; ``_static/`` and ``_templates/`` beside
it override the theme where it fails the course's accessibility checks or prints badly. Launch
buttons (Binder, a JupyterHub through nbgitpuller) are off unless :class:`LaunchButtons` names
where to launch.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import nbformat
import yaml
from jinja2 import Environment, PackageLoader, StrictUndefined

from .course import NotebookInfo, is_course_notebook, notebook_info
from .offline import OfflineWidgetPreprocessor, check_offline
from .report import SOURCES_PAGE

BOOK_TEMPLATES = "templates/book"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_RUN_JUPYTER_BOOK = "from jupyter_book.cli.main import main; main()"


class BookBuildError(RuntimeError):
    """Jupyter Book failed, or warned (a broken link, say); the message has its warnings."""


@dataclass(frozen=True)
class LaunchButtons:
    """Where each page's launch buttons open its notebook. With no URL (the default) there
    are none; ``repository_url`` (and ``branch``) say which repository a hub or Binder pulls
    the notebooks from (``notebooks/`` in it)."""

    repository_url: str = ""
    branch: str = "main"
    binderhub_url: str = ""
    jupyterhub_url: str = ""

    def __post_init__(self):
        if (self.binderhub_url or self.jupyterhub_url) and not self.repository_url:
            raise ValueError(
                "a launch button needs the repository it launches from: give --repository-url"
            )

    def theme_options(self) -> dict:
        """The Sphinx Book Theme's options for these buttons."""
        return {
            "launch_buttons": {
                "notebook_interface": "jupyterlab",
                "binderhub_url": self.binderhub_url,
                "jupyterhub_url": self.jupyterhub_url,
            },
            "repository_url": self.repository_url,
            "repository_branch": self.branch,
            "path_to_docs": "notebooks",
        }


@dataclass(frozen=True)
class Chapter:
    """One notebook of the book: its name and the executed notebook."""

    stem: str
    nb: nbformat.NotebookNode


def _templates() -> Path:
    """The book's templates folder, as a path (Sphinx reads files, not package resources)."""
    return Path(str(resources.files(__package__).joinpath(BOOK_TEMPLATES)))


def _environment() -> Environment:
    """Jinja for the book's Markdown pages: Markdown, not HTML, so nothing is escaped."""
    return Environment(
        loader=PackageLoader(__package__, BOOK_TEMPLATES),
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def book_config(launch: LaunchButtons) -> dict:
    """``_config.yml`` with the theme's options: the launch buttons, and the folders of
    comsim's own stylesheet and theme templates."""
    config = yaml.safe_load((_templates() / "_config.yml").read_text(encoding="utf-8"))
    sphinx = config["sphinx"]["config"]
    sphinx["html_theme_options"] = {**sphinx["html_theme_options"], **launch.theme_options()}
    sphinx["html_static_path"] = [str(_templates() / "_static")]
    sphinx["templates_path"] = [str(_templates() / "_templates")]
    return config


def table_of_contents(course: Sequence[str], reference: Sequence[str]) -> dict:
    """``_toc.yml``: the course map, the course in order, then the reference pages."""
    parts = [{"caption": "The course", "chapters": [{"file": stem} for stem in course]}]
    if reference:
        parts.append({"caption": "Reference", "chapters": [{"file": s} for s in reference]})
    return {"format": "jb-book", "root": "index", "parts": parts}


def course_map(course: Sequence[NotebookInfo], reference: Sequence[NotebookInfo], sources: bool):
    """The course map (``index.md``): every notebook with its time and objectives."""
    return (
        _environment()
        .get_template("index.md.j2")
        .render(
            course=course,
            reference=reference,
            sources=sources,
            total_minutes=sum(info.minutes or 0 for info in course),
        )
    )


def write_sources(chapters: Sequence[Chapter], source_dir: Path, sources_md: Path | None):
    """Write the book's sources into ``source_dir``: each executed notebook (live widgets
    replaced by what a static page can show), ``docs/sources.md`` when the course has one,
    the course map and the configuration files but ``_config.yml``. Returns the order of the
    pages."""
    source_dir.mkdir(parents=True, exist_ok=True)
    infos = {c.stem: notebook_info(c.nb, c.stem) for c in chapters}
    course = [stem for stem in infos if is_course_notebook(stem)] or list(infos)
    reference = [stem for stem in infos if stem not in course]
    for chapter in chapters:
        nb, _ = OfflineWidgetPreprocessor().preprocess(nbformat.from_dict(chapter.nb), {})
        nbformat.write(nb, source_dir / f"{chapter.stem}.ipynb")
    if sources_md is not None:
        shutil.copyfile(sources_md, source_dir / f"{SOURCES_PAGE}.md")
        reference.append(SOURCES_PAGE)
    page = course_map(
        [infos[s] for s in course],
        [infos[s] for s in reference if s in infos],
        sources_md is not None,
    )
    (source_dir / "index.md").write_text(page, encoding="utf-8")
    toc = table_of_contents(course, reference)
    (source_dir / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False), encoding="utf-8")
    return ["index", *course, *reference]


def build(source_dir: Path, build_dir: Path, launch: LaunchButtons = LaunchButtons()) -> Path:
    """Build the book in ``source_dir`` with Jupyter Book into ``build_dir``; every warning
    fails it (BookBuildError). Returns the folder of the HTML site, checked to load nothing
    from the network (OfflineReportError otherwise)."""
    config = source_dir / "_config.yml"
    config.write_text(yaml.safe_dump(book_config(launch), sort_keys=False), encoding="utf-8")
    command = [sys.executable, "-c", _RUN_JUPYTER_BOOK, "build", str(source_dir)]
    command += ["--path-output", str(build_dir), "--all", "-W", "-n", "--keep-going", "-q"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = _ANSI.sub("", done.stderr + done.stdout).splitlines()
        warnings = [ln for ln in lines if "WARNING" in ln or "ERROR" in ln] or lines[-20:]
        raise BookBuildError("Jupyter Book could not build the site:\n" + "\n".join(warnings))
    site = build_dir / "_build" / "html"
    for page in sorted(site.glob("*.html")):
        check_offline(page.read_text(encoding="utf-8"), page.name)
    return site
