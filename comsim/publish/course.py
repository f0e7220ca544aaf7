"""What the course map says about each notebook, read from the notebook's opening.

Every notebook opens the same way: a ``#`` title, a bold line such as "**In this notebook you
will**" followed by a bullet list of objectives, and "**Time:** about N minutes". The opening
is parsed as Markdown (markdown-it, the parser under MyST), so the objectives keep their own
Markdown -- links to the glossary included -- and the course map renders them as the
notebooks do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import nbformat
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

# A course notebook's name starts with its number (00_start_here); others (the glossary) are
# reference pages.
_COURSE_STEM = re.compile(r"^\d\d_")
_OBJECTIVES_LEAD = re.compile(r"objective|you will", re.IGNORECASE)
_TIME = re.compile(r"\bTime:?\s*(?:about\s+)?(\d+)\s*min", re.IGNORECASE)


@dataclass(frozen=True)
class NotebookInfo:
    """One notebook as the course map shows it: ``title`` and ``objectives`` in Markdown,
    ``plain_title`` as text (for a page's ``<title>``), ``minutes`` as stated (or None)."""

    stem: str
    title: str
    plain_title: str
    objectives: tuple[str, ...]
    minutes: int | None


def is_course_notebook(stem: str) -> bool:
    """True for the numbered notebooks of the course; False for reference pages (glossary)."""
    return bool(_COURSE_STEM.match(stem))


def _opening(nb: nbformat.NotebookNode) -> str:
    """The notebook's opening Markdown: its first Markdown cell and those right after it, up
    to the first code cell or the next ``##`` section (a title slide, then its notes)."""
    cells: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            if cells:
                break
            continue
        if cells and cell.source.lstrip().startswith("## "):
            break
        cells.append(cell.source)
    return "\n\n".join(cells)


def _inline(block: SyntaxTreeNode) -> SyntaxTreeNode | None:
    return next((c for c in block.children if c.type == "inline"), None)


def _text(inline: SyntaxTreeNode | None) -> str:
    """What a reader sees of an inline run: its words and code, without Markdown marks."""
    if inline is None:
        return ""
    if inline.type in ("text", "code_inline"):
        return inline.content
    if inline.type in ("softbreak", "hardbreak"):
        return " "
    return "".join(_text(child) for child in inline.children)


def _source(inline: SyntaxTreeNode | None) -> str:
    """An inline run's own Markdown, on one line."""
    return " ".join((inline.content if inline is not None else "").split())


def _objectives(blocks: list[SyntaxTreeNode]) -> tuple[str, ...]:
    """The items of the first bullet list that follows a line about objectives."""
    for before, block in zip(blocks, blocks[1:], strict=False):
        lead = _text(_inline(before)) if before.type == "paragraph" else ""
        if block.type == "bullet_list" and _OBJECTIVES_LEAD.search(lead):
            items = (
                next((c for c in li.children if c.type == "paragraph"), None)
                for li in block.children
            )
            return tuple(_source(_inline(p)) for p in items if p is not None)
    return ()


def notebook_info(nb: nbformat.NotebookNode, stem: str) -> NotebookInfo:
    """Title (the first ``#`` heading), objectives and time of the notebook ``nb``."""
    blocks = SyntaxTreeNode(MarkdownIt("commonmark").parse(_opening(nb))).children
    heading = next((b for b in blocks if b.type == "heading" and b.tag == "h1"), None)
    title = _source(_inline(heading)) if heading is not None else stem
    plain = _text(_inline(heading)).strip() if heading is not None else stem
    paragraphs = (_text(_inline(b)) for b in blocks if b.type == "paragraph")
    minutes = next((int(m.group(1)) for p in paragraphs if (m := _TIME.search(p))), None)
    return NotebookInfo(stem, title, plain, _objectives(blocks), minutes)
