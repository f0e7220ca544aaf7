"""What every exercise shares: its card (what to do), the result of a try (one verdict per thing
checked), and, on a page with no kernel, a plain notice that the exercise needs one.

A card and a result show as HTML from ``templates/exercise.html.j2`` and as plain text. On a
static page (:mod:`comsim.teaching.pages`) a result from the notebook's own run (blanks still
blank, sliders at their start) would mislead: the card shows its task with the notice, and a
try shows the notice alone.

An exercise needs a kernel, so the media that cannot scroll or run anything keep only its
task: a deck and a printed handout show the card's prompt and the notice, and leave out its
listing and the learner's try (code and output); the course site keeps them to read. The rule
lives in ``static/comsim.css`` (the exercises' own markup: ``comsim-exercise-work``,
``comsim-exercise-try``), so a new exercise follows it with nothing to tag.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import markup, pages
from ..answers import Verdict

NEEDS_KERNEL = (
    "This exercise needs a running kernel: open the notebook in Jupyter to try it. comsim "
    "checks your work there and answers with a hint or a pass."
)
TRY_NEEDS_KERNEL = "In Jupyter, running this cell checks your code and answers here."
"""What a try says on a page with no kernel: its card, just above, already says the rest."""
CLOSING = {
    "fill-in": ("Passed.", "Not yet: read the hint, change your answer, run the cell again."),
    "bug-hunt": ("Passed: the bug is fixed.", "Not yet: read the hint, fix the code, run again."),
    "target": ("", ""),  # the one verdict says how far, and what to do
}
"""Each kind's last line after a try: when it passed, and when not yet."""
ICONS = {"right": "✔", "wrong": "✘", "invalid": "✘", "missing": "…"}
TITLES = {
    "fill-in": "Fill in the blanks.",
    "bug-hunt": "Bug hunt.",
    "target": "Target practice.",
}


@dataclass(frozen=True)
class Card:
    """What an exercise asks: its kind (a key of :data:`TITLES`), the task in the course's
    little Markdown, an optional program listing, and how to answer in a kernel."""

    kind: str
    prompt: str
    how: str = ""
    listing: str = ""
    key: str = ""

    @property
    def title(self) -> str:
        return TITLES[self.kind]

    def html(self, notice: bool) -> str:
        """The card as HTML; ``notice`` adds the needs-a-kernel notice (and leaves out how to
        answer, which only a kernel can do)."""
        return markup.render(
            "exercise.html.j2",
            card=self,
            how="" if notice else self.how,
            notice=NEEDS_KERNEL if notice else "",
            lines=(),
            closing=(),
        )

    def text(self) -> str:
        parts = [f"{self.title} {self.prompt}", self.listing, self.how]
        return "\n\n".join(p for p in parts if p)

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        return {"text/html": self.html(pages.static_pages()), "text/plain": self.text()}


@dataclass(frozen=True, repr=False)
class Result:
    """One try at an exercise: a verdict per thing checked, in order. ``passed`` when every
    one is right; ``status`` is the first verdict that is not (or "right")."""

    card: Card
    verdicts: tuple[Verdict, ...]

    @property
    def passed(self) -> bool:
        return bool(self.verdicts) and all(v.right for v in self.verdicts)

    @property
    def status(self) -> str:
        return next((v.status for v in self.verdicts if not v.right), "right")

    @property
    def messages(self) -> tuple[str, ...]:
        return tuple(v.message for v in self.verdicts)

    @property
    def closing(self) -> str:
        """The last line: passed, or what to do next (none for a target)."""
        return CLOSING[self.card.kind][0 if self.passed else 1]

    def __str__(self) -> str:
        lines = [f"{ICONS[v.status]} {v.message}" for v in self.verdicts]
        return "\n".join([*lines, self.closing] if self.closing else lines)

    __repr__ = __str__

    def html(self) -> str:
        return markup.render(
            "exercise.html.j2",
            card=None,
            how="",
            notice="",
            lines=[(v.status, ICONS[v.status], v.message) for v in self.verdicts],
            closing=("right" if self.passed else "wrong", self.closing) if self.closing else (),
        )

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        if pages.static_pages():
            return {"text/html": self.offline_html(), "text/plain": TRY_NEEDS_KERNEL}
        return {"text/html": self.html(), "text/plain": str(self)}

    def offline_html(self) -> str:
        """A try on a page with no kernel: a short notice alone (the card just above says the
        exercise needs a kernel, and a verdict on the notebook's own run, blanks still blank,
        would mislead)."""
        return markup.render(
            "exercise.html.j2", card=None, how="", notice=TRY_NEEDS_KERNEL, lines=(), closing=()
        )


def result(card: Card, *verdicts: Verdict) -> Result:
    return Result(card, tuple(verdicts))
