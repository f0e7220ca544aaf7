"""Labelled notes for notebooks: what Microsoft documents versus what the model assumes.

Each tag has its own colour, icon and label, so a learner (or a reader of a printed report)
can tell a documented fact from a hypothesis at a glance. Numbers come from
``data/parameters.csv`` with their source. The HTML is ``templates/note.html.j2`` and
``templates/parameters.html.j2``.

A note may name its source: a key of ``comsim.model.sources.SOURCES``. Its heading then links to
the source's page (Microsoft's documentation, Wine's code, ...) and a second link goes to that
source's section of the course's list of sources: ``docs/sources.md`` in a notebook,
``sources.html`` on a static page (the course site, a deck), which has it beside it.

Colours: the box's left border carries the tag's Okabe-Ito colour; its text uses a darker
shade of the same hue, so that text on the note's light grey passes WCAG AA contrast (4.5:1).
"""

from __future__ import annotations

import html
import re
from collections import Counter

from markupsafe import Markup

from ..model import checks
from ..model.claims import CLAIMS
from ..model.params import PARAMETERS, TAGS
from ..model.sources import SOURCES
from ..model.text import number
from . import markup, pages

# tag: (border colour (Okabe-Ito), icon, label)
TAG_STYLE = {
    "documented": ("#0072B2", "✔", "Documented by Microsoft"),
    "wine-reactos": ("#009E73", "◆", "Seen in Wine / ReactOS (not Windows)"),
    "inferred": ("#E69F00", "≈", "Inferred (our reasoning or a modelling choice)"),
    "hypothesis": ("#D55E00", "?", "Hypothesis (no source: our guess)"),
}
# tag: text colour, the same hue darkened to at least 5:1 on NOTE_BACKGROUND and on white.
TAG_TEXT_COLOR = {
    "documented": "#005A8C",
    "wine-reactos": "#00735A",
    "inferred": "#7A5200",
    "hypothesis": "#A04700",
}
NOTE_BACKGROUND = "#f7f7f7"
# Where the course lists its sources: relative to notebooks/, and beside a static page.
SOURCES_DOC = "../docs/sources.md"
SOURCES_PAGE = "sources.html"


class Note:
    """An HTML note box; displays itself in Jupyter and prints as plain text elsewhere.
    ``text`` may hold simple HTML, which the note keeps as written."""

    def __init__(
        self,
        tag: str,
        text: str,
        title: str | None = None,
        source: str | None = None,
        scope: str | None = None,
        also: tuple[str, ...] = (),
        folded: bool = False,
    ):
        checks.choice("tag", tag, TAGS)
        checks.text("text", text)
        if title is not None:
            checks.text("title", title)
        if source is not None:
            checks.choice("source", source, sorted(SOURCES))
        for key in also:
            checks.choice("also", key, sorted(SOURCES))
        self.tag, self.text, self.title, self.source = tag, text, title, source
        self.scope, self.also, self.folded = scope, tuple(also), bool(folded)

    def _source_entry(self):
        return SOURCES.get(self.source) if self.source else None

    def _label(self) -> str:
        """The tag's label; a documented note names who documents it (Microsoft by default)."""
        entry = self._source_entry()
        if self.tag == "documented" and entry is not None and entry.maker != "Microsoft":
            return f"Documented by {entry.maker}"
        return TAG_STYLE[self.tag][2]

    def _repr_html_(self) -> str:
        border, icon, _ = TAG_STYLE[self.tag]
        label = self._label()
        entry = self._source_entry()
        return markup.render(
            "note.html.j2",
            tag=self.tag,
            border=border,
            background=NOTE_BACKGROUND,
            color=TAG_TEXT_COLOR[self.tag],
            icon=icon,
            label=label,
            title=self.title,
            scope=self.scope,
            source=self.source,
            source_url=entry.url if entry is not None else None,
            source_title=entry.title if entry is not None else self.source,
            sources_doc=SOURCES_PAGE if pages.static_pages() else SOURCES_DOC,
            also=[(key, SOURCES[key].title) for key in self.also],
            text=Markup(self.text),  # the author's own HTML
            folded=self.folded,
        )

    def __repr__(self) -> str:
        label = self._label()
        plain = html.unescape(re.sub(r"<[^>]+>", "", self.text))
        scope = f" ({self.scope})" if self.scope else ""
        text = f"[{label}{scope}] " + (f"{self.title}: " if self.title else "") + plain
        entry = self._source_entry()
        if entry is not None:
            text += f" (source: {entry.title}, {entry.url})"
        elif self.source:
            text += f" (source: {self.source})"
        if self.also:
            text += " (see also: " + "; ".join(SOURCES[k].title for k in self.also) + ")"
        return text


def note(tag: str, text: str, title: str | None = None, source: str | None = None) -> Note:
    """A labelled note: ``tag`` is documented, wine-reactos, inferred or hypothesis. ``text`` may
    hold simple HTML. ``source`` is a key of ``comsim.model.sources.SOURCES`` (say where a
    documented fact is documented); the note's heading then links to that source."""
    return Note(tag, text, title, source)


def claim(claim_id: str, *, folded: bool = False, **values: float) -> Note:
    """The claim ``claim_id`` of ``data/claims.csv`` as a labelled note: its one tag, its scope
    and its source. Names in braces in its text are filled in with the parameters' values
    (``{page_bytes}`` -> ``4,096``) or with ``values`` given here for numbers the notebook
    computes. ``folded=True`` shows only the label until the reader opens the note (for a page,
    such as the glossary, whose every entry has one)."""
    checks.choice("claim_id", claim_id, CLAIMS)
    checks.flag("folded", folded)
    found = CLAIMS[claim_id]
    filled = {name: number(p.value) for name, p in PARAMETERS.items()}
    filled.update({name: number(value) for name, value in values.items()})
    missing = [name for name in found.placeholders if name not in filled]
    if missing:
        raise ValueError(
            f"claim {claim_id!r} needs a value for {', '.join(missing)}: a parameter's name or "
            f"a keyword argument, e.g. comsim.claim({claim_id!r}, {missing[0]}=...)"
        )
    scope = None if found.scope == "any" else found.scope
    text = found.text.format_map(filled)
    source = found.source_key or None
    return Note(
        found.tag,
        text,
        found.title or None,
        source,
        scope=scope,
        also=found.see_also,
        folded=folded,
    )


class NoteGroup:
    """Several claims behind one fold: the summary counts the notes of each tag, with its icon
    and label, and names their titles, so the labels show before the fold is opened; opened,
    every note shows in full."""

    def __init__(self, notes: list[Note], heading: str):
        self.notes, self.heading = notes, heading

    def _repr_html_(self) -> str:
        counts = Counter(n.tag for n in self.notes)
        tags = [
            {
                "icon": TAG_STYLE[tag][1],
                "label": TAG_STYLE[tag][2],
                "color": TAG_TEXT_COLOR[tag],
                "count": count,
            }
            for tag, count in counts.items()
        ]
        return markup.render(
            "notes.html.j2",
            heading=self.heading,
            background=NOTE_BACKGROUND,
            tags=tags,
            titles=[n.title or n._label() for n in self.notes],
            notes=[Markup(n._repr_html_()) for n in self.notes],
        )

    def __repr__(self) -> str:
        return "\n".join(repr(n) for n in self.notes)


def claims(*claim_ids: str, heading: str = "Sources") -> NoteGroup:
    """Several claims of ``data/claims.csv`` behind one fold, for a passage that rests on more
    than one source: ``comsim.claims("proxy-aggregate", "wine-one-count")``. Each note keeps
    its own tag, scope and source; the fold's summary counts them by tag."""
    if len(claim_ids) < 2:
        raise ValueError(
            f"claim_ids must name at least 2 claims (one claim is comsim.claim); got {claim_ids!r}"
        )
    checks.text("heading", heading)
    return NoteGroup([claim(claim_id) for claim_id in claim_ids], heading)


def value_text(name: str) -> str:
    """A parameter's value with its unit, e.g. ``'1,792 bytes'``."""
    p = PARAMETERS[name]
    return number(p.value, p.unit)


class ParameterNotes:
    """Several parameters as a table, each row coloured by its provenance tag."""

    def __init__(self, names):
        for name in names:
            checks.choice("parameter name", name, PARAMETERS)
        self.names = list(names)

    def _repr_html_(self) -> str:
        rows = [
            {
                "name": name,
                "value": value_text(name),
                "color": TAG_TEXT_COLOR[PARAMETERS[name].tag],
                "icon": TAG_STYLE[PARAMETERS[name].tag][1],
                "tag": PARAMETERS[name].tag,
                "meaning": PARAMETERS[name].meaning,
                "source": PARAMETERS[name].source,
            }
            for name in self.names
        ]
        return markup.render("parameters.html.j2", rows=rows)

    def __repr__(self) -> str:
        return "\n".join(
            f"{n} = {value_text(n)} [{PARAMETERS[n].tag}] {PARAMETERS[n].source}"
            for n in self.names
        )


def parameter_notes(*names: str) -> ParameterNotes:
    """A table of the named parameters with value, unit, provenance tag and source."""
    return ParameterNotes(names)
