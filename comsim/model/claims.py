"""Every tagged statement the course makes, written once in ``data/claims.csv``.

A claim has an id, a provenance tag (the four of :data:`comsim.model.params.TAGS`), a scope
(which systems it speaks of), a source key (a key of :data:`comsim.model.sources.SOURCES`), its
text and, rarely, further sources that support a part of it (``see_also``, keys separated by
spaces; the tag and the scope rest on ``source_key`` alone). Notebooks, slides and the
glossary show claims by id (``comsim.claim("kb-cause")``), so one statement carries one tag
everywhere.

The rules, checked when the table loads (a :class:`~comsim.model.tables.TableError` names the
row and the rule):

- a ``documented`` claim names the page that says it, and speaks of the systems that page is
  written for (its source's scope); a Microsoft page written for a later Windows and applied
  to NT4 makes the claim ``inferred``, with that page as its source;
- a ``hypothesis`` has no source (its box says so);
- every source key is a key of SOURCES (and so a section of docs/sources.md), and so is every
  key in ``see_also``, which adds to a claim's own source (never repeats it) and is empty for
  a claim with no source;
- no two claims say the same thing.

A claim's text may name parameters in braces (``{page_bytes}``): they are filled in with the
parameter's value from ``data/parameters.csv`` when the claim is shown, so no number is copied.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path

from .params import DATA_DIR, TAGS
from .sources import ANY, NT4, SOURCES, W2K, WINE, XP
from .tables import read_rows, row_error

CLAIMS_CSV = DATA_DIR / "claims.csv"
COLUMNS = ("id", "tag", "scope", "source_key", "title", "text", "see_also")
SCOPES = (NT4, W2K, XP, WINE, ANY)
"""The systems a claim (or a source) speaks of. ``any``: no one system -- COM's own rules and
definitions, the x86 page, the course's own definitions and its model."""

_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


@dataclass(frozen=True)
class Claim:
    """One row of ``data/claims.csv``."""

    id: str
    tag: str
    scope: str
    source_key: str
    title: str
    text: str
    see_also: tuple[str, ...] = ()

    @property
    def placeholders(self) -> tuple[str, ...]:
        """The names in braces in the text, in order."""
        return tuple(f for _, f, _, _ in string.Formatter().parse(self.text) if f)


def load_claims(path: Path = CLAIMS_CSV) -> dict[str, Claim]:
    """The claims by id, in file order, each checked against the rules above."""
    claims: dict[str, Claim] = {}
    said: dict[str, int] = {}
    for line, row in read_rows(path, COLUMNS, key="id"):
        fields = {c: row[c].strip() for c in COLUMNS}
        claim = Claim(**fields | {"see_also": tuple(fields["see_also"].split())})

        def broken(rule: str, line=line, claim=claim) -> Exception:
            return row_error(path, line, claim.id, rule)

        if not _ID.fullmatch(claim.id):
            raise broken("id must be lower-case words joined by hyphens")
        if claim.tag not in TAGS:
            raise broken(f"tag must be one of {', '.join(TAGS)}; got {claim.tag!r}")
        if claim.scope not in SCOPES:
            raise broken(f"scope must be one of {', '.join(SCOPES)}; got {claim.scope!r}")
        if claim.source_key and claim.source_key not in SOURCES:
            raise broken(f"source_key {claim.source_key!r} is not a key of SOURCES")
        if claim.tag == "documented" and not claim.source_key:
            raise broken("a documented claim names the source that says it (source_key)")
        if claim.tag == "documented" and SOURCES[claim.source_key].scope not in (ANY, claim.scope):
            page = SOURCES[claim.source_key].scope
            raise broken(
                f"{claim.source_key} is written for {page}: a documented claim from it speaks of "
                f"{page} (applied to {claim.scope}, it is inferred)"
            )
        if claim.tag == "hypothesis" and claim.source_key:
            raise broken("a hypothesis has no source; put what a source says in its own claim")
        _check_see_also(claim, broken)
        if not claim.text:
            raise broken("the text is empty")
        gist = _gist(claim.text)
        if gist in said:
            raise broken(f"says what row {said[gist]} says; keep one claim and show it by id")
        said[gist] = line
        claims[claim.id] = claim
    return claims


def _check_see_also(claim: Claim, broken) -> None:
    """The ``see_also`` rules: known keys, each once, beside a source of the claim's own."""
    if claim.see_also and not claim.source_key:
        raise broken("see_also adds to a claim's source; a claim with no source has none")
    for key in claim.see_also:
        if key not in SOURCES:
            raise broken(f"see_also {key!r} is not a key of SOURCES")
        if key == claim.source_key:
            raise broken(f"see_also repeats the claim's own source {key!r}")
    if len(set(claim.see_also)) != len(claim.see_also):
        raise broken("see_also names a source twice")


def _gist(text: str) -> str:
    """The words of a text, lower case, without markup or punctuation: two claims with the
    same gist say the same thing."""
    words = re.sub(r"[^\w{}]+", " ", re.sub(r"<[^>]+>", " ", text.lower()))
    return " ".join(words.split())


CLAIMS: dict[str, Claim] = load_claims()


def claims_citing(key: str) -> list[Claim]:
    """The claims whose source is ``key``, in file order."""
    return [c for c in CLAIMS.values() if c.source_key == key]


def claims_seeing(key: str) -> list[Claim]:
    """The claims that name ``key`` in ``see_also``, in file order."""
    return [c for c in CLAIMS.values() if key in c.see_also]
