"""The class plan: the slides in order, their minutes and the instructor's notes, from
``plan.toml`` beside this module, checked against the notebooks' slide metadata.

A notebook cell joins a class slide through its metadata, ``{"comsim": {"class_slide": KEY}}``
(set in JupyterLab's property inspector); the plan gives each KEY its place, its minutes in
the 50-minute class (``minutes``) and in the 20-minute one (``minutes_20``, absent when the
slide is left out), a title that states the point, and notes for the instructor.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import nbformat

from ...model.text import number

METADATA_KEY = "class_slide"
CLASS = "class"
SHORT = "short"
DECKS = {CLASS: "deck.html", SHORT: "deck-20min.html"}
"""The two decks and the files they are written to."""


@dataclass(frozen=True)
class Wrong:
    """A usual wrong answer to a question, and what to reply."""

    answer: str
    reply: str


@dataclass(frozen=True)
class Slide:
    """One slide of the class: its place, its time, its notes."""

    key: str
    title: str
    minutes: float
    minutes_20: float | None
    body: str = ""  # the deck's own slides: their text (Markdown)
    question: str = ""  # Q1..Q7, the guide's numbering
    say: str = ""
    ask: str = ""
    expect: str = ""
    wrong: tuple[Wrong, ...] = ()
    late: str = ""
    say_20: str = ""  # the 20-minute deck's own notes, when its neighbours or minutes differ
    late_20: str = ""
    gives_away: tuple[str, ...] = ()  # the answer's key numbers and phrases (questions only)

    def notes(self, which: str) -> tuple[str, str]:
        """What to say and what to skip when late, in deck ``which``."""
        if which == SHORT:
            return self.say_20 or self.say, self.late_20 or self.late
        return self.say, self.late


@dataclass(frozen=True)
class Timed:
    """A slide as it stands in one deck: its number and its minute marks."""

    slide: Slide
    number: int
    start: float
    end: float

    @property
    def marks(self) -> str:
        """The minute marks, for the notes and the guide: ``12–14.5``."""
        return f"{number(self.start)}–{number(self.end)}"


@dataclass(frozen=True)
class Plan:
    title: str
    subtitle: str
    class_minutes: int
    short_minutes: int
    slides: tuple[Slide, ...]

    def deck(self, which: str) -> tuple[Timed, ...]:
        """The slides of deck ``which`` (``"class"`` or ``"short"``), numbered from 1 and timed
        from minute 0."""
        timed, clock = [], 0.0
        for slide in self.slides:
            minutes = slide.minutes if which == CLASS else slide.minutes_20
            if minutes is None:
                continue
            timed.append(Timed(slide, len(timed) + 1, clock, clock + minutes))
            clock += minutes
        return tuple(timed)

    def minutes(self, which: str) -> float:
        """What the deck's plan adds up to, question time included."""
        slides = self.deck(which)
        return slides[-1].end if slides else 0.0


@cache
def plan() -> Plan:
    """The plan in ``plan.toml``."""
    data = tomllib.loads(resources.files(__package__).joinpath("plan.toml").read_text("utf-8"))
    slides = []
    for entry in data["slide"]:
        wrong = tuple(Wrong(a, r) for a, r in entry.pop("wrong", ()))
        gives_away = tuple(entry.pop("gives_away", ()))
        slides.append(Slide(**{"minutes_20": None, **entry}, wrong=wrong, gives_away=gives_away))
    deck = data["deck"]
    return Plan(
        deck["title"],
        deck["subtitle"],
        deck["class_minutes"],
        deck["short_minutes"],
        tuple(slides),
    )


def slide_cells(notebooks_dir: Path | str) -> dict[str, list[tuple[Path, str]]]:
    """Every class slide's cells, by key: (notebook, cell id) in notebook order."""
    found: dict[str, list[tuple[Path, str]]] = {}
    for path in sorted(Path(notebooks_dir).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            key = cell.metadata.get("comsim", {}).get(METADATA_KEY)
            if key:
                found.setdefault(key, []).append((path, cell.id))
    return found


def problems(notebooks_dir: Path | str) -> list[str]:
    """What does not fit between the plan and the notebooks' metadata (empty when all is
    well): a slide with neither cells nor a body, cells of a slide the plan does not know."""
    cells = slide_cells(notebooks_dir)
    keys = {s.key for s in plan().slides}
    found = [
        f"cells tagged for {k!r}, which plan.toml does not list" for k in cells if k not in keys
    ]
    for slide in plan().slides:
        if not slide.body and slide.key not in cells:
            found.append(f"slide {slide.key!r} has no body and no notebook cell")
        if slide.body and slide.key in cells:
            found.append(f"slide {slide.key!r} has a body and notebook cells: choose one")
    return found
