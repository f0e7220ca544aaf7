"""Offline HTML reports: every notebook, executed afresh, as one self-contained page each.

A report is what a learner without Jupyter (or without a network) reads: the prose, the code,
and the figures and tables that the code produced a moment ago. Each notebook runs in a new
kernel started from this interpreter; a first cell, added for the run and removed after it,
tells comsim that the outputs go to a static page (:mod:`comsim.teaching.pages`), so that it
adds outputs that need no live kernel.

Interactive explorers cannot work in a static page. An explorer that wants to be seen in a
report gives its display a ``text/html`` rendering next to the widget view (in
``_repr_mimebundle_``); the report keeps that and drops the widget. A widget with no such
fallback becomes a one-line note telling the reader to open the notebook in Jupyter.

The page loads nothing from the network: no require.js, MathJax, mermaid or widget renderer
from a CDN, no remote stylesheet or font. ``export_reports`` checks the written file and raises
``OfflineReportError`` if anything remote is still referenced.

Run it as ``python -m comsim.publish.report [NOTEBOOK ...] [--notebooks-dir DIR] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import html as html_lib
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from queue import Empty

import nbformat
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor
from traitlets.config import Config

from ..teaching.pages import STATIC_PAGES_CODE
from . import freshness

TEMPLATES_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "offline"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
OFFLINE_NOTE = "(interactive control: open the notebook in Jupyter to use it)"
# Cell tags that Jupyter tools (nbconvert, Jupyter Book) share: a cell that only shows a
# labelled note or a table is tagged remove-input, and its output is shown without its code.
REMOVE_INPUT_TAGS = frozenset({"remove-input", "remove_input", "hide-input"})
REMOVE_CELL_TAGS = frozenset({"remove-cell", "remove_cell"})
REMOVE_OUTPUT_TAGS = frozenset({"remove-output", "remove_output"})
# The course's list of sources (written by hand, in docs/) becomes sources.html.
SOURCES_MD = Path("docs") / "sources.md"
SOURCES_PAGE = "sources.html"
# A course notebook's name starts with its number (00_start_here); others (the glossary) are
# reference pages.
_COURSE_STEM = re.compile(r"^\d\d_")
CELL_TIMEOUT_S = 600  # one cell; sweeps in the later notebooks can take minutes on 2 cores
# Kernels talk to us over local TCP as Jupyter's defaults have it. (jupyter_client 8.10's new
# CurveZMQ transport encryption was tried and dropped: runs with it stalled now and then.)
KERNEL_CONFIG = Config({})

# Tags whose src/href/data the browser fetches by itself when the page opens.
_FETCHING_TAGS = {"script", "link", "img", "iframe", "source", "embed", "object", "video", "audio"}
_FETCHING_ATTRS = {"src", "href", "data", "srcset"}
_REMOTE = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
_REMOTE_IN_CSS = re.compile(r"(@import|url\()\s*['\"]?\s*(https?:)?//", re.IGNORECASE)
_REMOTE_IN_SCRIPT = re.compile(r"https?://", re.IGNORECASE)
# Script types a browser runs; others (application/json, ...) are inert data.
_JS_TYPES = {"", "text/javascript", "application/javascript", "module"}


# Shared by the reports and the slides (both use JupyterLab's stylesheet): code colours with
# at least 4.5:1 contrast on the cells' grey, links told apart by an underline as well as by
# colour, and a visible outline wherever the keyboard focus is.
READABLE_CSS = """
:root {
  --jp-mirror-editor-atom-color: #4040c0;
  --jp-mirror-editor-bracket-color: #5a5a3f;
  --jp-mirror-editor-builtin-color: #007000;
  --jp-mirror-editor-comment-color: #3d6b6b;
  --jp-mirror-editor-error-color: #c00000;
  --jp-mirror-editor-hr-color: #666666;
  --jp-mirror-editor-keyword-color: #007000;
  --jp-mirror-editor-meta-color: #7a1fc2;
  --jp-mirror-editor-number-color: #006b00;
  --jp-mirror-editor-operator-color: #7a1fc2;
  --jp-mirror-editor-quote-color: #006b00;
  --jp-content-link-color: #005a8c;
}
a:link, a:visited, .jp-RenderedHTMLCommon a:link, .jp-RenderedHTMLCommon a:visited {
  text-decoration: underline;
  color: #005a8c;
}
a:focus-visible, button:focus-visible, input:focus-visible, summary:focus-visible,
select:focus-visible, [tabindex]:focus-visible {
  outline: 3px solid #0072b2;
  outline-offset: 2px;
}
"""


class OfflineReportError(RuntimeError):
    """A written report still points at something on the network; the message says what."""


class OfflineWidgetPreprocessor(Preprocessor):
    """Replaces live widgets with what a static page can show.

    An output that offers both a widget view and ``text/html`` keeps only the HTML (the
    explorer's precomputed fallback); a widget view alone becomes a short note. The notebook's
    saved widget state is removed, so no widget manager is embedded.
    """

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW not in data:
                continue
            if "text/html" in data:
                del data[WIDGET_VIEW]
            else:
                output["data"] = {
                    "text/html": f"<p><em>{OFFLINE_NOTE}</em></p>",
                    "text/plain": OFFLINE_NOTE,
                }
        return cell, resources


class _RemoteReferenceFinder(HTMLParser):
    """Collects every place where the page would fetch from the network on opening."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._inside: str | None = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if tag in _FETCHING_TAGS and name in _FETCHING_ATTRS and _REMOTE.match(value):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name == "style" and _REMOTE_IN_CSS.search(value):
                self.found.append(f"<{tag} style={value!r}>")
        if tag == "style" or (
            tag == "script" and (dict(attrs).get("type") or "").strip().lower() in _JS_TYPES
        ):
            self._inside = tag

    def handle_endtag(self, tag):
        if tag == self._inside:
            self._inside = None

    def handle_data(self, data):
        if self._inside == "style" and _REMOTE_IN_CSS.search(data):
            self.found.append(f"<style> {_REMOTE_IN_CSS.search(data).group(0)!r}")
        elif self._inside == "script" and _REMOTE_IN_SCRIPT.search(data):
            self.found.append(f"<script> {data.strip()[:120]!r}")


def find_remote_references(html: str) -> list[str]:
    """Everything in ``html`` that a browser would fetch from the network; ``<a href>`` is fine."""
    finder = _RemoteReferenceFinder()
    finder.feed(html)
    finder.close()
    return finder.found


POLL_SLICE_S = 1.0


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


class _Client(NotebookClient):
    """nbclient's runner, with its shell and IOPub channels polled in short slices."""

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
    with :func:`execute_notebook` for a static page. Widget state is still
    recorded (nbclient's Output-widget capture needs it); the exporter drops it.
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
    nb = nbformat.read(path, as_version=4)
    return execute_for_static_pages(nb, path.parent, timeout_s)


def execute_for_static_pages(
    nb: nbformat.NotebookNode, cwd: Path, timeout_s: int = CELL_TIMEOUT_S
) -> nbformat.NotebookNode:
    """Run ``nb`` in a new kernel after a first cell that switches comsim to static pages;
    that cell is removed again, so the notebook comes back with its own cells only."""
    nb.cells.insert(0, nbformat.v4.new_code_cell(STATIC_PAGES_CODE))
    try:
        notebook_client(nb, cwd, timeout_s).execute()
    finally:
        nb.cells.pop(0)
    return nb


@dataclass(frozen=True)
class NotebookInfo:
    """What the course map says about one notebook, read from its first markdown cell."""

    stem: str
    title: str
    objectives: tuple[str, ...]
    minutes: int | None


_TIME = re.compile(r"\*\*Time:?\*\*:?\s*(?:about\s+)?(\d+)\s*min", re.IGNORECASE)
_OBJECTIVES_HEAD = re.compile(r"objective|you will", re.IGNORECASE)


def _introduction(nb: nbformat.NotebookNode) -> str:
    """The notebook's opening Markdown: its first Markdown cell and those right after it, up
    to the first code cell or the next ``##`` section (a title slide, then its notes)."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            if cells:
                break
            continue
        if cells and cell.source.lstrip().startswith("## "):
            break
        cells.append(cell.source)
    return "\n\n".join(cells)


def notebook_info(nb: nbformat.NotebookNode, stem: str) -> NotebookInfo:
    """Title (first ``#`` heading), learning objectives (the bullets after a line about
    objectives or "you will") and time ("**Time:** about N minutes") of a notebook."""
    first = _introduction(nb)
    lines = first.splitlines()
    title = next((ln.lstrip("# ").strip() for ln in lines if ln.startswith("# ")), stem)
    objectives: list[str] = []
    in_list = False
    for line in lines:
        if _OBJECTIVES_HEAD.search(line) and not line.lstrip().startswith("-"):
            in_list = True
        elif in_list and line.lstrip().startswith(("-", "*", "1", "2", "3", "4", "5")):
            objectives.append(re.sub(r"^\s*(?:[-*]|\d+\.)\s*", "", line).strip())
        elif in_list and objectives and not line.strip():
            break
        elif in_list and objectives and line.startswith("  "):
            objectives[-1] += " " + line.strip()
    time_match = _TIME.search(first)
    minutes = int(time_match.group(1)) if time_match else None
    return NotebookInfo(stem, title, tuple(objectives), minutes)


def _markdown_inline(text: str) -> str:
    """Enough Markdown for one objective line: escape, then `code`, **bold** and *italic*."""
    out = html_lib.escape(text)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", out)
    out = re.sub(r"\[([^\]]+)\]\(([^)]+)\.ipynb\)", r'<a href="\2.html">\1</a>', out)
    return re.sub(r"\*([^*]+)\*", r"<em>\1</em>", out)


def is_course_notebook(stem: str) -> bool:
    """True for the numbered notebooks of the course; False for reference pages (glossary)."""
    return bool(_COURSE_STEM.match(stem))


def nav_html(
    infos: list[NotebookInfo],
    index: int | None,
    references: Iterable[tuple[str, str]] = (),
) -> str:
    """Previous / course map / next links for the report of ``infos[index]`` (``index`` None
    on a reference page), with links to the reference pages: (href, title) pairs."""
    parts = []
    if index is not None and index > 0:
        prev = infos[index - 1]
        parts.append(f'<a rel="prev" href="{prev.stem}.html">← {_markdown_inline(prev.title)}</a>')
    parts.append('<a href="index.html">Course map</a>')
    parts += [f'<a href="{href}">{_markdown_inline(title)}</a>' for href, title in references]
    if index is not None and index + 1 < len(infos):
        nxt = infos[index + 1]
        parts.append(f'<a rel="next" href="{nxt.stem}.html">{_markdown_inline(nxt.title)} →</a>')
    return (
        '<nav class="comsim-nav" style="display:flex;flex-wrap:wrap;gap:0.5em 2em;'
        "justify-content:space-between;padding:8px 16px;border-bottom:1px solid #ccc;"
        'font-family:sans-serif">' + "".join(parts) + "</nav>"
    )


# Shared by the course map and the sources page: readable, AA contrast, links underlined.
PAGE_CSS = """
body { font-family: system-ui, sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em;
       line-height: 1.5; color: #222; background: #fff; }
ol.course > li { border-left: 6px solid #0072B2; padding-left: 1em; margin: 1.2em 0; }
h2 { margin: 0.6em 0 0.2em; font-size: 1.25em; }
a { color: #005A8C; text-decoration: underline; }
a:visited { color: #5b2e86; }
a:focus-visible { outline: 3px solid #0072B2; outline-offset: 2px; }
code { background: #f2f2f2; padding: 0 0.2em; }
@media print { a { color: #000; } }
"""


def _page(title: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html_lib.escape(title)}</title>
<style>{PAGE_CSS}</style></head>
<body>{body}</body></html>
"""


def index_html(infos: list[NotebookInfo], references: Iterable[tuple[str, str]] = ()) -> str:
    """The course map: every notebook with its objectives and time, linking to its report,
    then the reference pages (glossary, sources) as (href, title) pairs."""
    total = sum(i.minutes or 0 for i in infos)
    items = []
    for info in infos:
        objectives = "".join(f"<li>{_markdown_inline(o)}</li>" for o in info.objectives)
        time_text = f"about {info.minutes} minutes" if info.minutes else "time not stated"
        items.append(
            f'<li><h2><a href="{info.stem}.html">{_markdown_inline(info.title)}</a></h2>'
            f"<p><em>{time_text}</em></p><ul>{objectives}</ul></li>"
        )
    refs = "".join(
        f'<li><a href="{href}">{_markdown_inline(title)}</a></li>' for href, title in references
    )
    reference_block = f'<h2 id="reference">Reference</h2><ul class="reference">{refs}</ul>'
    return _page(
        "KB Q216248, step by step: course map",
        f"""<main>
<h1>Why "released" memory is not freed: KB Q216248, step by step</h1>
<p>The notebooks of the course as offline reports: every page opens without a network and
without Jupyter; sliders in them scrub precomputed frames. About {total} minutes in all. Run
the notebooks themselves with <code>make lab</code> for live explorers.</p>
<ol class="course">{"".join(items)}</ol>
{reference_block if refs else ""}
</main>""",
    )


def sources_html(markdown_text: str, nav: str = "") -> str:
    """The course's list of sources (``docs/sources.md``) as an offline page. Its HTML anchors
    (``<a id="KEY"></a>``) stay, so notes can link to ``sources.html#KEY``."""
    import mistune  # nbconvert's Markdown renderer

    body = mistune.html(markdown_text)
    body = link_exports(body)
    first = re.search(r"^#\s+(.+)$", markdown_text, re.MULTILINE)
    title = first.group(1).strip() if first else "Sources"
    return _page(f"{title}: KB Q216248, step by step", f"{nav}<main>{body}</main>")


def _exporter() -> HTMLExporter:
    exporter = HTMLExporter(
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        template_name=TEMPLATE_NAME,
        embed_images=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.register_preprocessor(OfflineWidgetPreprocessor(), enabled=True)
    exporter.register_preprocessor(remove_tagged(), enabled=True)
    return exporter


def remove_tagged() -> TagRemovePreprocessor:
    """nbconvert's TagRemovePreprocessor, set up for the tags the notebooks use: the code of
    a ``remove-input`` cell goes, its output stays (likewise ``remove-cell``/``-output``)."""
    return TagRemovePreprocessor(
        remove_input_tags=set(REMOVE_INPUT_TAGS),
        remove_cell_tags=set(REMOVE_CELL_TAGS),
        remove_all_outputs_tags=set(REMOVE_OUTPUT_TAGS),
        enabled=True,
    )


_NOTEBOOK_LINK = re.compile(r'href="(?:\.\./notebooks/|\./)?([\w-]+)\.ipynb(#[^"]*)?"')
_SOURCES_LINK = re.compile(r'href="(?:\.\./)?docs/sources\.md(#[^"]*)?"')


def link_exports(html: str, suffix: str = ".html") -> str:
    """Links between notebooks (``NN_name.ipynb``, ``glossary.ipynb#term``) become links
    between their exports, and links to ``docs/sources.md#key`` go to ``sources.html#key``."""
    html = _NOTEBOOK_LINK.sub(lambda m: f'href="{m.group(1)}{suffix}{m.group(2) or ""}"', html)
    return _SOURCES_LINK.sub(lambda m: f'href="{SOURCES_PAGE}{m.group(1) or ""}"', html)


def write_offline(html: str, out_path: Path) -> Path:
    """Check that ``html`` loads nothing from the network, then write it."""
    remote = find_remote_references(html)
    if remote:
        raise OfflineReportError(
            f"{out_path.name} would load from the network: " + "; ".join(remote[:5])
        )
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(html, encoding="utf-8")
    return out_path


def plain_title(title: str) -> str:
    """A Markdown title as text for ``<title>``: links, code and emphasis marks dropped."""
    title = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", title)
    return re.sub(r"`|\*\*?", "", title).strip()


def export_notebook(
    nb: nbformat.NotebookNode,
    out_path: Path,
    source_dir: Path,
    nav: str = "",
    title: str | None = None,
) -> Path:
    """Write an executed notebook as one offline HTML page and check that it is offline.

    Images that markdown cells link by a path inside ``source_dir`` are embedded in the page;
    ``nav`` (previous / next links) goes at the top and the bottom; ``title`` (the notebook's
    heading) names the page.
    """
    nb = nbformat.from_dict(nb)  # a copy: the title and the removed code stay out of ``nb``
    if title:
        nb.metadata["title"] = plain_title(title)
    resources = {
        "metadata": {"name": out_path.stem, "path": str(source_dir)},
        "comsim_css": READABLE_CSS,
    }
    html, _ = _exporter().from_notebook_node(nb, resources=resources)
    html = link_exports(html)
    if nav:  # two navigation landmarks, each with its own name
        top = nav.replace("<nav ", '<nav aria-label="Course pages" ', 1)
        end = nav.replace("<nav ", '<nav aria-label="Course pages, end of page" ', 1)
        html = html.replace("<main>", "<main>" + top, 1)
        html = html.replace("</main>", end + "</main>", 1)
    return write_offline(html, out_path)


def write_sources_page(
    out_dir: Path, notebooks_dir: Path, references: Iterable[tuple[str, str]] = ()
) -> Path | None:
    """Write ``out_dir/sources.html`` from ``docs/sources.md`` beside ``notebooks_dir``
    (None when the course has no such file)."""
    markdown = Path(notebooks_dir).resolve().parent / SOURCES_MD
    if not markdown.is_file():
        return None
    nav = nav_html([], None, [r for r in references if r[0] != SOURCES_PAGE])
    return write_offline(
        sources_html(markdown.read_text(encoding="utf-8"), nav), Path(out_dir) / SOURCES_PAGE
    )


def export_reports(
    notebooks_dir: Path | str = "notebooks",
    out_dir: Path | str = "build/reports",
    notebooks: Iterable[Path | str] | None = None,
    timeout_s: int = CELL_TIMEOUT_S,
    executed_dir: Path | str | None = None,
) -> list[Path]:
    """Execute each notebook in a fresh kernel and write ``out_dir/<stem>.html`` for it, with
    previous/next links, plus ``out_dir/index.html``, the course map, and
    ``out_dir/sources.html`` (from ``docs/sources.md``, when the course has it).

    ``notebooks`` defaults to ``notebooks_dir/*.ipynb`` in sorted order: the numbered ones
    are the course, in order; the others (the glossary) are reference pages, linked from the
    map and from every page. ``executed_dir``, if given, keeps the executed notebooks (the
    slides reuse them). Returns the notebook reports' paths. Raises ``FileNotFoundError`` when
    there is nothing to export, nbclient's ``CellExecutionError`` when a cell fails, and
    ``OfflineReportError`` when a page would still load something from the network.
    """
    out_dir = Path(out_dir).resolve()
    if notebooks is None:
        paths = sorted(Path(notebooks_dir).glob("*.ipynb"))
        if not paths:
            raise FileNotFoundError(f"no notebooks (*.ipynb) in {Path(notebooks_dir).resolve()}")
    else:
        paths = [Path(p) for p in notebooks]
    executed = []
    for path in paths:
        path = path.resolve()
        started = time.perf_counter()
        nb = execute_notebook(path, timeout_s)
        print(f"executed {path.name} in {time.perf_counter() - started:.1f} s", flush=True)
        if executed_dir is not None:
            Path(executed_dir).mkdir(parents=True, exist_ok=True)
            nbformat.write(freshness.mark(nb, path), Path(executed_dir) / path.name)
        executed.append((path, nb))
    return write_reports(executed, out_dir, Path(notebooks_dir), course_map=notebooks is None)


def write_reports(
    executed: list[tuple[Path, nbformat.NotebookNode]],
    out_dir: Path,
    notebooks_dir: Path,
    course_map: bool = True,
) -> list[Path]:
    """Write the reports of notebooks already executed: (source path, executed notebook)
    pairs. ``course_map`` adds index.html and sources.html."""
    out_dir = Path(out_dir).resolve()
    infos = {path: notebook_info(nb, path.stem) for path, nb in executed}
    course = [infos[p] for p, _ in executed if is_course_notebook(p.stem)]
    if not course:  # a folder of unnumbered notebooks: all of them are the course
        course = list(infos.values())
    references = [(f"{i.stem}.html", i.title) for i in infos.values() if i not in course]
    if course_map and (Path(notebooks_dir).resolve().parent / SOURCES_MD).is_file():
        references.append((SOURCES_PAGE, "Sources"))
    written = []
    for path, nb in executed:
        info = infos[path]
        index = course.index(info) if info in course else None
        nav = nav_html(course, index, references)
        written.append(
            export_notebook(nb, out_dir / f"{path.stem}.html", path.parent, nav, info.title)
        )
    if course_map:
        write_offline(index_html(course, references), out_dir / "index.html")
        write_sources_page(out_dir, Path(notebooks_dir), references)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: export reports and print where they are, their sizes and the time taken."""
    parser = argparse.ArgumentParser(
        prog="python -m comsim.publish.report", description=__doc__.splitlines()[0]
    )
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks (default: all)")
    parser.add_argument("--notebooks-dir", type=Path, default=Path("notebooks"))
    parser.add_argument("--out", type=Path, default=Path("build/reports"))
    parser.add_argument("--timeout", type=int, default=CELL_TIMEOUT_S, help="seconds per cell")
    parser.add_argument(
        "--executed", type=Path, default=Path("build/executed"), help="keep executed notebooks"
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    try:
        written = export_reports(
            args.notebooks_dir, args.out, args.notebooks or None, args.timeout, args.executed
        )
    except (FileNotFoundError, OfflineReportError) as error:
        print(f"comsim.publish.report: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"{path.stat().st_size / 1024:8.0f} KiB  {path}")
    elapsed_s = time.perf_counter() - started
    index = args.out.resolve() / "index.html"
    print(f"{len(written)} report(s) in {args.out.resolve()} ({elapsed_s:.1f} s)")
    if index.exists():
        print(f"start at {index.as_uri()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
