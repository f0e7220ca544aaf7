"""Where the model's facts come from: one row of ``data/sources.csv`` per public source the
course cites, by a key that every ``documented`` parameter, claim, note and test names.
``docs/sources.md`` has a section per key (anchor ``#key``): what the course takes from it, in
our words, and where it departs. Nothing here imports the rest of comsim beyond its table
reader, so any module can use it cheaply."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .tables import read_rows, row_error

SOURCES_DOC = "docs/sources.md"  # relative to the repository: the page on every source

NT4 = "NT4"
W2K = "Windows 2000 and later"
XP = "Windows XP and later"
WINE = "Wine/ReactOS"
ANY = "any"
SOURCES_CSV = Path(str(resources.files("comsim.data"))) / "sources.csv"
COLUMNS = ("key", "title", "url", "supports", "scope", "maker")
_KEY = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_SCOPES = (NT4, W2K, XP, WINE, ANY)


@dataclass(frozen=True)
class Source:
    """One public source: key, title, URL, what the course takes from it (one sentence, our
    words) and the systems it is written for (``scope``, from :data:`comsim.model.claims.SCOPES`),
    the page's own: Microsoft's current pages start at Windows 2000 (or XP), so applying them to
    NT4 is ``inferred`` (issue 15); the 1998 Platform SDK pages (MSDN Library) are for NT 4.0."""

    key: str
    title: str
    url: str
    supports: str
    scope: str = ANY
    maker: str = "Microsoft"  # who documents it: a documented claim's label names them

    @property
    def doc_anchor(self) -> str:
        """Link to this source's section in docs/sources.md (relative to the repository)."""
        return f"{SOURCES_DOC}#{self.key}"


def load_sources(path: Path = SOURCES_CSV) -> dict[str, Source]:
    """The sources by key, in file order: each key lower-case words joined by hyphens, each URL
    an https address, each scope one of the systems a claim may speak of."""
    sources: dict[str, Source] = {}
    for line, row in read_rows(path, COLUMNS, key="key"):
        source = Source(**{c: row[c].strip() for c in COLUMNS})
        if not _KEY.fullmatch(source.key):
            raise row_error(
                path, line, source.key, "key must be lower-case words joined by hyphens"
            )
        if not source.url.startswith("https://"):
            raise row_error(path, line, source.key, f"url must start https://; got {source.url!r}")
        if source.scope not in _SCOPES:
            raise row_error(
                path,
                line,
                source.key,
                f"scope must be one of {', '.join(_SCOPES)}; got {source.scope!r}",
            )
        if not (source.title and source.supports and source.maker):
            raise row_error(path, line, source.key, "title, supports and maker must be filled in")
        sources[source.key] = source
    return sources


SOURCES: dict[str, Source] = load_sources()
"""Every source the course cites, by key (the keys docs/sources.md uses as anchors)."""


def source(key: str) -> Source:
    """The source with this key; ValueError naming the known keys otherwise."""
    try:
        return SOURCES[key]
    except (KeyError, TypeError):
        raise ValueError(
            f"source must be one of {', '.join(map(repr, SOURCES))}; got {key!r}"
        ) from None
