"""Labelled notes for notebooks: what Microsoft documents versus what the model assumes.

Each tag has its own colour, icon and label, so a learner (or a reader of a printed report)
can tell a documented fact from a hypothesis at a glance. Numbers come from
``data/parameters.csv`` with their source.

A note may name its source: a key of ``comsim.model.sources.SOURCES``. Its heading then links to
the source's page (Microsoft's documentation, Wine's code, ...) and a second link goes to that
source's section of the course's list of sources (``docs/sources.md``; ``sources.html`` in
the offline reports, whose export rewrites the link).

Colours: the box's left border carries the tag's Okabe-Ito colour; its text uses a darker
shade of the same hue, so that text on the note's light grey passes WCAG AA contrast (4.5:1).
"""

from __future__ import annotations

import html
import re

from ..model.params import PARAMETERS, TAGS
from ..model.sources import SOURCES

# tag: (border colour (Okabe-Ito), icon, label)
TAG_STYLE = {
    "documented": ("#0072B2", "✔", "Documented by Microsoft"),
    "wine-reactos": ("#009E73", "◆", "Seen in Wine / ReactOS (not Windows)"),
    "inferred": ("#E69F00", "≈", "Inferred (our reasoning or a modelling choice)"),
    "hypothesis": ("#D55E00", "?", "Hypothesis (no source: a free parameter)"),
}
# tag: text colour, the same hue darkened to at least 5:1 on NOTE_BACKGROUND and on white.
TAG_TEXT_COLOR = {
    "documented": "#005A8C",
    "wine-reactos": "#00735A",
    "inferred": "#7A5200",
    "hypothesis": "#A04700",
}
NOTE_BACKGROUND = "#f7f7f7"
# Where the course lists its sources, relative to notebooks/ (the reports rewrite it).
SOURCES_DOC = "../docs/sources.md"


def _check_source(source: str | None) -> None:
    if source is None:
        return
    if not isinstance(source, str):
        raise TypeError(
            f"source must be a key of comsim.model.sources.SOURCES or None; got {source!r}"
        )
    if source not in SOURCES:
        raise ValueError(
            f"source must be one of {', '.join(sorted(SOURCES))} "
            "(keys of comsim.model.sources.SOURCES); "
            f"got {source!r}"
        )


class Note:
    """An HTML note box; displays itself in Jupyter and prints as plain text elsewhere."""

    def __init__(self, tag: str, text: str, title: str | None = None, source: str | None = None):
        if tag not in TAGS:
            raise ValueError(f"tag must be one of {TAGS}; got {tag!r}")
        _check_source(source)
        self.tag, self.text, self.title, self.source = tag, text, title, source

    def _source_entry(self):
        return SOURCES.get(self.source) if self.source else None

    def _repr_html_(self) -> str:
        border, icon, label = TAG_STYLE[self.tag]
        color = TAG_TEXT_COLOR[self.tag]
        head = f"{icon} {label}" + (f": {html.escape(self.title)}" if self.title else "")
        entry = self._source_entry()
        link_style = f"color:{color};text-decoration:underline"
        if entry is not None:
            head = f'<a href="{html.escape(entry.url)}" style="{link_style}">{head}</a>'
        extra = ""
        if self.source:
            name = html.escape(entry.title) if entry is not None else self.source
            extra = (
                f' <small>(<a href="{SOURCES_DOC}#{self.source}" style="{link_style}">'
                f"source: {name}</a>)</small>"
            )
        elif self.tag == "documented":
            extra = (
                f' <small>(<a href="{SOURCES_DOC}" style="{link_style}">'
                "the course's sources</a>)</small>"
            )
        return (
            f'<div class="comsim-note comsim-note-{self.tag}" style="border-left:6px solid '
            f"{border};padding:6px 10px;margin:6px 0;background:{NOTE_BACKGROUND};"
            f'color:#222">'
            f'<strong style="color:{color}">{head}</strong>{extra}<br>{self.text}</div>'
        )

    def __repr__(self) -> str:
        label = TAG_STYLE[self.tag][2]
        plain = html.unescape(re.sub(r"<[^>]+>", "", self.text))
        text = f"[{label}] " + (f"{self.title}: " if self.title else "") + plain
        entry = self._source_entry()
        if entry is not None:
            text += f" (source: {entry.title}, {entry.url})"
        elif self.source:
            text += f" (source: {self.source})"
        return text


def note(tag: str, text: str, title: str | None = None, source: str | None = None) -> Note:
    """A labelled note: ``tag`` is documented, wine-reactos, inferred or hypothesis. ``text`` may
    hold simple HTML. ``source`` is a key of ``comsim.model.sources.SOURCES`` (say where a
    documented fact is documented); the note's heading then links to that source."""
    return Note(tag, text, title, source)


def value_text(name: str) -> str:
    """A parameter's value with its unit, e.g. ``'1,792 bytes'``."""
    p = PARAMETERS[name]
    value = f"{p.value:,}" if isinstance(p.value, int) else f"{p.value:g}"
    return f"{value} {p.unit}".strip()


class ParameterNotes:
    """Several parameters as a table, each row coloured by its provenance tag."""

    def __init__(self, names):
        for name in names:
            if name not in PARAMETERS:
                raise ValueError(f"unknown parameter {name!r}; choose from {', '.join(PARAMETERS)}")
        self.names = list(names)

    def _repr_html_(self) -> str:
        rows = []
        for name in self.names:
            p = PARAMETERS[name]
            color = TAG_TEXT_COLOR[p.tag]
            icon = TAG_STYLE[p.tag][1]
            rows.append(
                f'<tr><td><code>{name}</code></td><td style="text-align:right">'
                f"{html.escape(value_text(name))}</td>"
                f'<td style="color:{color};white-space:nowrap">{icon} {p.tag}</td>'
                f'<td style="text-align:left">{html.escape(p.meaning)}<br>'
                f"<small>{html.escape(p.source)}</small></td></tr>"
            )
        return (
            '<table class="comsim-params"><thead><tr><th>parameter</th><th>value</th>'
            '<th>provenance</th><th style="text-align:left">meaning and source</th></tr></thead>'
            "<tbody>" + "".join(rows) + "</tbody></table>"
        )

    def __repr__(self) -> str:
        return "\n".join(
            f"{n} = {value_text(n)} [{PARAMETERS[n].tag}] {PARAMETERS[n].source}"
            for n in self.names
        )


def parameter_notes(*names: str) -> ParameterNotes:
    """A table of the named parameters with value, unit, provenance tag and source."""
    return ParameterNotes(names)
