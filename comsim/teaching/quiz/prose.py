"""The quiz's words, kept as data in ``prose.toml`` beside this module.

Every sentence a learner reads (a question, a hint, an explanation, a comment in a listing, a
message of the cache checker) lives there with ``{fields}`` where numbers go. Python computes
the numbers, formats them with :mod:`comsim.model.text`, and fills the fields with
:func:`say`.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources


@cache
def _prose() -> dict:
    return tomllib.loads(resources.files(__package__).joinpath("prose.toml").read_text("utf-8"))


def say(section: str, key: str, **fields: object) -> str:
    """The text ``key`` of ``section`` (a dotted path such as ``"growth.copies"``), with its
    ``{fields}`` filled in."""
    text = _section(section)[key]
    return text.format(**fields) if fields else text


def table(section: str) -> dict[str, str]:
    """All texts of ``section`` by key (for tables such as the kinds' titles)."""
    return {key: value for key, value in _section(section).items() if isinstance(value, str)}


def _section(path: str) -> dict:
    found = _prose()
    for part in path.split("."):
        found = found[part]
    return found
