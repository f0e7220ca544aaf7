"""Offline HTML reports: every notebook, executed afresh, as one self-contained page each.

A report is what a learner without Jupyter (or without a network) reads: the prose, the code,
and the figures and tables that the code produced a moment ago. Each notebook runs in a new
kernel started from this interpreter, with ``COMSIM_REPORT=1`` in the kernel's environment so
that comsim can choose outputs that need no live kernel.

Interactive explorers cannot work in a static page. An explorer that wants to be seen in a
report gives its display a ``text/html`` rendering next to the widget view (in
``_repr_mimebundle_``); the report keeps that and drops the widget. A widget with no such
fallback becomes a one-line note telling the reader to open the notebook in Jupyter.

The page loads nothing from the network: no require.js, MathJax, mermaid or widget renderer
from a CDN, no remote stylesheet or font. ``export_reports`` checks the written file and raises
``OfflineReportError`` if anything remote is still referenced.

Run it as ``python -m comsim.report [NOTEBOOK ...] [--notebooks-dir DIR] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from traitlets.config import Config

TEMPLATES_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "offline"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
OFFLINE_NOTE = "(interactive control: open the notebook in Jupyter to use it)"
CELL_TIMEOUT_S = 600  # one cell; sweeps in the later notebooks can take minutes on 2 cores
REPORT_ENV = {"COMSIM_REPORT": "1"}
# Encrypt the kernel's local TCP channels (CurveZMQ) where the kernel supports it; it also
# keeps ipykernel from warning about plain-text transport on every run.
KERNEL_CONFIG = Config({"KernelManager": {"transport_encryption": "auto"}})

# Tags whose src/href/data the browser fetches by itself when the page opens.
_FETCHING_TAGS = {"script", "link", "img", "iframe", "source", "embed", "object", "video", "audio"}
_FETCHING_ATTRS = {"src", "href", "data", "srcset"}
_REMOTE = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
_REMOTE_IN_CSS = re.compile(r"(@import|url\()\s*['\"]?\s*(https?:)?//", re.IGNORECASE)
_REMOTE_IN_SCRIPT = re.compile(r"https?://", re.IGNORECASE)
# Script types a browser runs; others (application/json, ...) are inert data.
_JS_TYPES = {"", "text/javascript", "application/javascript", "module"}


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


def notebook_client(
    nb: nbformat.NotebookNode, cwd: Path, timeout_s: int = CELL_TIMEOUT_S
) -> NotebookClient:
    """An nbclient runner for ``nb`` whose kernel starts in ``cwd``.

    The kernel is ``python3`` as this interpreter provides it, so running from the project's
    venv runs the notebooks in the venv. Cells tagged ``raises-exception`` may raise. Start it
    with ``env=kernel_env()`` so the kernel knows it is making a report. Widget state is still
    recorded (nbclient's Output-widget capture needs it); the exporter drops it.
    """
    return NotebookClient(
        nb,
        timeout=timeout_s,
        kernel_name="python3",
        config=KERNEL_CONFIG,
        resources={"metadata": {"path": str(cwd)}},
    )


def kernel_env() -> dict[str, str]:
    """This process's environment plus ``COMSIM_REPORT=1``, for the kernels we start."""
    return {**os.environ, **REPORT_ENV}


def execute_notebook(path: Path, timeout_s: int = CELL_TIMEOUT_S) -> nbformat.NotebookNode:
    """Run every cell of the notebook at ``path`` in a new kernel whose cwd is its folder."""
    nb = nbformat.read(path, as_version=4)
    notebook_client(nb, path.parent, timeout_s).execute(env=kernel_env())
    return nb


def _exporter() -> HTMLExporter:
    exporter = HTMLExporter(
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        template_name=TEMPLATE_NAME,
        embed_images=True,
    )
    exporter.register_preprocessor(OfflineWidgetPreprocessor(), enabled=True)
    return exporter


def export_notebook(nb: nbformat.NotebookNode, out_path: Path, source_dir: Path) -> Path:
    """Write an executed notebook as one offline HTML page and check that it is offline.

    Images that markdown cells link by a path inside ``source_dir`` are embedded in the page.
    """
    resources = {"metadata": {"name": out_path.stem, "path": str(source_dir)}}
    html, _ = _exporter().from_notebook_node(nb, resources=resources)
    remote = find_remote_references(html)
    if remote:
        raise OfflineReportError(
            f"{out_path.name} would load from the network: " + "; ".join(remote[:5])
        )
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(html, encoding="utf-8")
    return out_path


def export_reports(
    notebooks_dir: Path | str = "notebooks",
    out_dir: Path | str = "build/reports",
    notebooks: Iterable[Path | str] | None = None,
    timeout_s: int = CELL_TIMEOUT_S,
) -> list[Path]:
    """Execute each notebook in a fresh kernel and write ``out_dir/<stem>.html`` for it.

    ``notebooks`` defaults to ``notebooks_dir/*.ipynb`` in sorted order. Returns the written
    paths. Raises ``FileNotFoundError`` when there is nothing to export, nbclient's
    ``CellExecutionError`` when a cell fails, and ``OfflineReportError`` when a page would
    still load something from the network.
    """
    out_dir = Path(out_dir).resolve()
    if notebooks is None:
        paths = sorted(Path(notebooks_dir).glob("*.ipynb"))
        if not paths:
            raise FileNotFoundError(f"no notebooks (*.ipynb) in {Path(notebooks_dir).resolve()}")
    else:
        paths = [Path(p) for p in notebooks]
    written = []
    for path in paths:
        path = path.resolve()
        nb = execute_notebook(path, timeout_s)
        written.append(export_notebook(nb, out_dir / f"{path.stem}.html", path.parent))
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: export reports and print where they are, their sizes and the time taken."""
    parser = argparse.ArgumentParser(
        prog="python -m comsim.report", description=__doc__.splitlines()[0]
    )
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks (default: all)")
    parser.add_argument("--notebooks-dir", type=Path, default=Path("notebooks"))
    parser.add_argument("--out", type=Path, default=Path("build/reports"))
    parser.add_argument("--timeout", type=int, default=CELL_TIMEOUT_S, help="seconds per cell")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    try:
        written = export_reports(args.notebooks_dir, args.out, args.notebooks or None, args.timeout)
    except (FileNotFoundError, OfflineReportError) as error:
        print(f"comsim.report: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"{path.stat().st_size / 1024:8.0f} KiB  {path}")
    elapsed_s = time.perf_counter() - started
    print(f"{len(written)} report(s) in {args.out.resolve()} ({elapsed_s:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
