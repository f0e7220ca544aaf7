"""Pages that open with no kernel and no network: what a static page keeps of a notebook's
outputs, and the check that nothing on a written page would be fetched from the network.

Interactive explorers cannot work in a static page. An explorer that wants to be seen there
gives its display a ``text/html`` rendering next to the widget view (in
``_repr_mimebundle_``); the page keeps that and drops the widget. A widget with no such
fallback becomes a one-line note telling the reader to open the notebook in Jupyter.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
OFFLINE_NOTE = "(interactive control: open the notebook in Jupyter to use it)"
# Cell tags that Jupyter tools (nbconvert, Jupyter Book) share: a cell that only shows a
# labelled note or a table is tagged remove-input, and its output is shown without its code.
REMOVE_INPUT_TAGS = frozenset({"remove-input", "remove_input", "hide-input"})
REMOVE_CELL_TAGS = frozenset({"remove-cell", "remove_cell"})
REMOVE_OUTPUT_TAGS = frozenset({"remove-output", "remove_output"})

# Tags whose src/href/data the browser fetches by itself when the page opens.
_FETCHING_TAGS = {"script", "link", "img", "iframe", "source", "embed", "object", "video", "audio"}
_FETCHING_ATTRS = {"src", "href", "data", "srcset"}
_REMOTE = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
_REMOTE_IN_CSS = re.compile(r"(@import|url\()\s*['\"]?\s*(https?:)?//", re.IGNORECASE)
_REMOTE_IN_SCRIPT = re.compile(r"https?://", re.IGNORECASE)
# Script types a browser runs; others (application/json, ...) are inert data.
_JS_TYPES = {"", "text/javascript", "application/javascript", "module"}


class OfflineReportError(RuntimeError):
    """A written page still points at something on the network; the message says what."""


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
                output["data"] = {"text/markdown": f"*{OFFLINE_NOTE}*", "text/plain": OFFLINE_NOTE}
        return cell, resources


def remove_tagged() -> TagRemovePreprocessor:
    """nbconvert's TagRemovePreprocessor, set up for the tags the notebooks use: the code of
    a ``remove-input`` cell goes, its output stays (likewise ``remove-cell``/``-output``)."""
    return TagRemovePreprocessor(
        remove_input_tags=set(REMOVE_INPUT_TAGS),
        remove_cell_tags=set(REMOVE_CELL_TAGS),
        remove_all_outputs_tags=set(REMOVE_OUTPUT_TAGS),
        enabled=True,
    )


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
            self.found.append(f"a style element: {_REMOTE_IN_CSS.search(data).group(0)!r}")
        elif self._inside == "script" and _REMOTE_IN_SCRIPT.search(data):
            self.found.append(f"a script element: {data.strip()[:120]!r}")


def find_remote_references(html: str) -> list[str]:
    """Everything in ``html`` that a browser would fetch from the network; ``<a href>`` is fine."""
    finder = _RemoteReferenceFinder()
    finder.feed(html)
    finder.close()
    return finder.found


def check_offline(html: str, name: str) -> None:
    """Raise :class:`OfflineReportError` if the page ``name`` would load from the network."""
    remote = find_remote_references(html)
    if remote:
        raise OfflineReportError(f"{name} would load from the network: " + "; ".join(remote[:5]))


def write_offline(html: str, out_path: Path) -> Path:
    """Check that ``html`` loads nothing from the network, then write it."""
    check_offline(html, out_path.name)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(html, encoding="utf-8")
    return out_path


def readable_css() -> str:
    """``static/readable.css``: code colours with at least 4.5:1 contrast on the cells' grey,
    links told apart by an underline as well as by colour, and a visible outline wherever the
    keyboard focus is (pages built from JupyterLab's stylesheet: the slides)."""
    return resources.files(__package__).joinpath("static", "readable.css").read_text("utf-8")
