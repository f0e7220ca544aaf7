"""Labelled notes for notebooks: what Microsoft documents versus what the model assumes.

Each tag has its own colour, icon and label, so a learner (or a reader of a printed report)
can tell a documented fact from a hypothesis at a glance. Numbers come from
``data/parameters.csv`` with their source.
"""

from __future__ import annotations

import html
import re

from .params import PARAMETERS, TAGS

TAG_STYLE = {
    "documented": ("#0072B2", "✔", "Documented by Microsoft"),
    "wine-reactos": ("#009E73", "◆", "Seen in Wine / ReactOS (not Windows)"),
    "inferred": ("#E69F00", "≈", "Inferred (our reasoning or a modelling choice)"),
    "hypothesis": ("#D55E00", "?", "Hypothesis (no source: a free parameter)"),
}


class Note:
    """An HTML note box; displays itself in Jupyter and prints as plain text elsewhere."""

    def __init__(self, tag: str, text: str, title: str | None = None):
        if tag not in TAGS:
            raise ValueError(f"tag must be one of {TAGS}; got {tag!r}")
        self.tag, self.text, self.title = tag, text, title

    def _repr_html_(self) -> str:
        color, icon, label = TAG_STYLE[self.tag]
        head = f"{icon} {label}" + (f": {html.escape(self.title)}" if self.title else "")
        return (
            f'<div class="comsim-note comsim-note-{self.tag}" style="border-left:6px solid '
            f'{color};padding:6px 10px;margin:6px 0;background:#f7f7f7">'
            f'<strong style="color:{color}">{head}</strong><br>{self.text}</div>'
        )

    def __repr__(self) -> str:
        label = TAG_STYLE[self.tag][2]
        plain = html.unescape(re.sub(r"<[^>]+>", "", self.text))
        return f"[{label}] " + (f"{self.title}: " if self.title else "") + plain


def note(tag: str, text: str, title: str | None = None) -> Note:
    """A labelled note: ``tag`` is documented, wine-reactos, inferred or hypothesis. ``text`` may
    hold simple HTML."""
    return Note(tag, text, title)


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
            color, icon, label = TAG_STYLE[p.tag]
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
