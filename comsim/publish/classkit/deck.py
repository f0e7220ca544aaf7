"""The class decks: one reveal.js page for the 50-minute class and one for 20 minutes, built
from the notebooks' slide metadata and :mod:`.plan`, for a 1280×720 projector, offline.

The notebooks that give a deck its figures are executed afresh in the projector style (large
type, thick lines; ``comsim.setup("projector")``), once: the executed copies are kept in
``build/class/executed`` and reused while the notebook, the data and the package are unchanged
(:mod:`comsim.publish.freshness`). A slide shows its title (the plan's, which states the point),
the rest of its notebook cells' text, and what its code cells drew: figures, tables, labelled
notes, predictions and offline sliders -- never printed output or a Python repr. Its speaker
notes (press ``S``) are the plan's notes for the instructor, with the slide's minute marks.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import jinja2
import nbformat
from nbconvert import SlidesExporter

from .. import freshness
from ..execute import execute_all
from ..offline import OfflineWidgetPreprocessor, readable_css, remove_tagged, write_offline
from ..slides import (
    SLIDE_HEIGHT,
    SLIDE_WIDTH,
    TEMPLATES_DIR,
    SlideCodePreprocessor,
    link_exports,
    reveal_assets,
)
from ..vendor import VENDOR_DIR
from .plan import CLASS, DECKS, METADATA_KEY, Timed, plan

HERE = Path(__file__).parent
CLASS_TEMPLATES = HERE / "templates"
PROJECTOR_SETUP = 'comsim.setup("projector")'
# What a slide may show of a code cell's output: no printed text, no repr.
_SHOWN = ("image/png", "text/html", "text/markdown", "application/vnd.jupyter.widget-view+json")
_HEADING = re.compile(r"^#{1,6}\s+.*$", re.MULTILINE)
_REPORT_LINK = re.compile(r'href="([\w-]+\.html(?:#[^"]*)?)"')


def _jinja() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(CLASS_TEMPLATES),
        autoescape=False,
        keep_trailing_newline=True,
    )


def executed_notebooks(paths: list[Path], executed_dir: Path) -> list[nbformat.NotebookNode]:
    """Each of ``paths`` executed in the projector style, from ``executed_dir`` when still
    current; only as far as its last class slide, since no cell after it can change what a
    slide shows. Those not current run together (:func:`comsim.publish.execute.execute_all`)."""
    kept = {path: executed_dir / path.name for path in paths}
    done = {
        p: nbformat.read(kept[p], as_version=4) for p in paths if freshness.is_current(kept[p], p)
    }
    to_run = [path for path in paths if path not in done]
    jobs = [(_projector_copy(path), path.parent.resolve()) for path in to_run]
    for path, nb in zip(to_run, execute_all(jobs), strict=True):
        executed_dir.mkdir(parents=True, exist_ok=True)
        nbformat.write(freshness.mark(nb, path), kept[path])
        done[path] = nb
    return [done[path] for path in paths]


def _projector_copy(path: Path) -> nbformat.NotebookNode:
    """The notebook up to its last class slide, set up in the projector style."""
    nb = nbformat.read(path, as_version=4)
    last = max(k for k, c in enumerate(nb.cells) if c.metadata.get("comsim", {}).get(METADATA_KEY))
    nb.cells = nb.cells[: last + 1]
    for cell in nb.cells:
        if cell.cell_type == "code" and "comsim.setup()" in cell.source:
            cell.source = cell.source.replace("comsim.setup()", PROJECTOR_SETUP)
    return nb


def _needs_kernel(cells: list[nbformat.NotebookNode]) -> bool:
    return any(c.cell_type == "code" for c in cells)


def _tagged(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.metadata.get("comsim", {}).get(METADATA_KEY)]


def class_cells(notebooks_dir: Path, executed_dir: Path) -> dict[str, list]:
    """Every class slide's cells by key, code cells with their projector-style outputs."""
    tagged = {
        path: _tagged(nbformat.read(path, as_version=4))
        for path in sorted(Path(notebooks_dir).glob("*.ipynb"))
    }
    to_run = [path for path, cells in tagged.items() if _needs_kernel(cells)]
    for path, nb in zip(to_run, executed_notebooks(to_run, executed_dir), strict=True):
        by_id = {c.id: c for c in nb.cells}
        tagged[path] = [by_id[c.id] for c in tagged[path]]
    found: dict[str, list] = {}
    for cells in tagged.values():
        for cell in cells:
            found.setdefault(cell.metadata["comsim"][METADATA_KEY], []).append(cell)
    return found


def notes_markdown(timed: Timed, deck: str, total: int) -> str:
    """The instructor's notes of one slide in deck ``deck`` (of ``total`` slides): its number,
    its minute marks in that deck's clock, what to say, ask and expect, what to skip when late."""
    the_plan = plan()
    say, late = timed.slide.notes(deck)
    minutes = the_plan.class_minutes if deck == CLASS else the_plan.short_minutes
    return (
        _jinja()
        .get_template("notes.md.j2")
        .render(timed=timed, total=total, minutes=minutes, say=say, late=late)
    )


def _slide_cells(timed: Timed, cells: list, deck: str, total: int) -> list:
    """The notebook cells of one slide: its title and text, its outputs, its notes."""
    slide = timed.slide
    body = slide.body
    content = []
    for cell in cells:
        cell = copy.deepcopy(cell)
        if (
            cell.cell_type == "markdown"
            and not content
            and not body
            and _HEADING.search(cell.source)
        ):
            body = _HEADING.sub("", cell.source, count=1).strip()
            continue
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if set(o.get("data", {})) & set(_SHOWN)]
            for output in cell.outputs:
                output["data"] = {k: v for k, v in output["data"].items() if k in _SHOWN}
        cell.metadata["slideshow"] = {"slide_type": "-"}
        content.append(cell)
    head = nbformat.v4.new_markdown_cell(f"## {slide.title}\n\n{body}".strip())
    head.metadata["slideshow"] = {"slide_type": "slide"}
    notes = nbformat.v4.new_markdown_cell(notes_markdown(timed, deck, total))
    notes.metadata["slideshow"] = {"slide_type": "notes"}
    return [head, *content, notes]


def deck_notebook(which: str, cells: dict[str, list]) -> nbformat.NotebookNode:
    """The deck ``which`` as one notebook whose cells are its slides, in order."""
    the_plan = plan()
    timed = the_plan.deck(which)
    nb = nbformat.v4.new_notebook()
    minutes = the_plan.class_minutes if which == CLASS else the_plan.short_minutes
    nb.metadata["title"] = f"{the_plan.title}: the {minutes}-minute class"
    for slide in timed:
        nb.cells.extend(_slide_cells(slide, cells.get(slide.slide.key, []), which, len(timed)))
    return nb


def _exporter() -> SlidesExporter:
    exporter = SlidesExporter(
        extra_template_basedirs=[str(CLASS_TEMPLATES), str(TEMPLATES_DIR)],
        extra_template_paths=[str(TEMPLATES_DIR)],  # so that class_slides extends offline_slides
        template_name="class_slides",
        embed_images=True,
        reveal_url_prefix="comsim-inline",
        reveal_theme="white",
        reveal_scroll=False,
        reveal_number="c/t",
        reveal_width=str(SLIDE_WIDTH),
        reveal_height=str(SLIDE_HEIGHT),
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.register_preprocessor(OfflineWidgetPreprocessor(), enabled=True)
    exporter.register_preprocessor(remove_tagged(), enabled=True)
    exporter.register_preprocessor(SlideCodePreprocessor(), enabled=True)
    return exporter


def write_decks(
    notebooks_dir: Path | str = "notebooks",
    out_dir: Path | str = "build/class",
    vendor_dir: Path | str = VENDOR_DIR,
) -> list[Path]:
    """Write both decks to ``out_dir`` (see :data:`.plan.DECKS`); their paths."""
    out_dir = Path(out_dir)
    cells = class_cells(Path(notebooks_dir), out_dir / "executed")
    resources = {
        "metadata": {"name": "deck", "path": str(Path(notebooks_dir).resolve())},
        "comsim_reveal": reveal_assets(Path(vendor_dir)),
        "comsim_css": readable_css(),
    }
    written = []
    for which, name in DECKS.items():
        html, _ = _exporter().from_notebook_node(deck_notebook(which, cells), resources=resources)
        html = re.sub(r'<link[^>]*href="comsim-inline/[^"]*"[^>]*>', "", html)
        # The decks sit beside no notebooks: links to them go to the reports.
        html = _REPORT_LINK.sub(r'href="../reports/\1"', link_exports(html, ".html"))
        written.append(write_offline(html, out_dir / name))
    return written
