"""A worked answer that opens only after the learner has committed one of their own.

:func:`worked_answer` shows a button; pressed before the commitment it says what to do first,
pressed after it unfolds the answer. What counts as a commitment is asked when the button is
pressed: a checkpoint (or a quiz's checkers) with a checked reply, or any test the notebook
gives (``after=`` a function). The answer's text is never in the output until then: not in
the HTML, not in the plain text, not in the object's ``text``; an answer that the notebook
does not hold itself (the reference solution) is given as a function and fetched only then.
On a page with no kernel it stays closed, with a note that the answer opens in Jupyter (each
checkpoint on such a page still unfolds its own answer).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..model import checks
from . import markup, pages

if TYPE_CHECKING:
    import ipywidgets as widgets

STATIC_NOTE = (
    "Worked answer: in Jupyter, after you commit. Here each question above unfolds its own."
)
COMMIT_FIRST = "Commit an answer of your own first (press Check above); then this opens."


class Locked:
    """A worked answer behind a button that opens only once ``ready()`` is true.

    ``text`` is the answer as preformatted text, or a function that returns it, called only
    once the answer opens; ``offline`` is what a page with no kernel says instead. Public:
    ``summary``, ``text`` (the answer once opened, empty before), ``ready``, ``first`` (what
    the button says before then), :meth:`open` (what pressing the button does), and the live
    widget's ``button``, ``feedback`` and ``answer``."""

    def __init__(
        self,
        summary: str,
        text: str | Callable[[], str],
        ready: Callable[[], bool],
        first: str,
        offline: str = STATIC_NOTE,
    ):
        self.summary = checks.text("summary", summary)
        self.offline = checks.text("offline", offline)
        self._answer = text if callable(text) else checks.text("text", text)
        if not callable(ready):
            raise checks.refuse("ready", "a function saying whether to open", ready, TypeError)
        self.ready = ready
        self.first = checks.text("first", first)
        self.opened = False
        self._widget: widgets.VBox | None = None

    def open(self) -> bool:
        """Open the answer if the learner has committed; say what to do first otherwise.
        True when the answer is shown."""
        self.opened = self.opened or bool(self.ready())
        if self._widget is not None:
            self._sync()
        return self.opened

    @property
    def text(self) -> str:
        """The answer once it has opened; empty before."""
        if not self.opened:
            return ""
        if callable(self._answer):
            self._answer = checks.text("text", self._answer())
        return self._answer

    @property
    def widget(self) -> widgets.VBox:
        """The button, its feedback line and the answer (built on first use; ipywidgets is
        loaded only then, so the command line's quiz never pays for it)."""
        import ipywidgets as widgets

        if self._widget is None:
            self.button = widgets.Button(description=self.summary, tooltip=self.summary)
            self.button.layout.width = "auto"
            self.feedback = widgets.HTML()
            self.answer = widgets.HTML(layout=widgets.Layout(display="none"))
            self.button.on_click(lambda _b: self._pressed())
            self._widget = widgets.VBox([self.button, self.feedback, self.answer])
            self._widget.add_class("comsim-locked")
        return self._widget

    def _pressed(self) -> None:
        if not self.open():
            self.feedback.value = markup.part("feedback", self.first, "missing")

    def _sync(self) -> None:
        if self.opened:
            self.feedback.value = ""
            self.answer.value = markup.render("locked.html.j2", text=self.text, note="")
            self.answer.layout.display = None

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        note = markup.render("locked.html.j2", text="", note=self.offline)
        if pages.static_pages():
            return {"text/html": note, "text/plain": self.offline}
        bundle = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        bundle.update({"text/html": note, "text/plain": f"{self.summary} (opens after you commit)"})
        return bundle

    def __repr__(self) -> str:
        return f"<Locked {self.summary!r}>"


def _committed(after: object) -> Callable[[], bool]:
    """A test of commitment from ``after``: a function, something with ``committed`` (a
    checkpoint, a quiz's checkers), or a sequence of those (all must be committed)."""
    if callable(after) and not hasattr(after, "committed"):
        return after
    items = list(after) if isinstance(after, Sequence) else [after]
    if not items or not all(hasattr(item, "committed") for item in items):
        allowed = "a checkpoint (comsim.predict), a quiz's checkers, a list of them, or a function"
        raise checks.refuse("after", allowed, after, TypeError)
    return lambda: all(item.committed for item in items)


def worked_answer(after: object, text: str, *, summary: str = "Show the worked answer") -> Locked:
    """``text`` behind a button that opens only once the learner has committed: ``after`` is
    the checkpoint (or checkers, or a list of them) to answer first, or a function that says
    whether they have."""
    return Locked(summary, text, _committed(after), COMMIT_FIRST)
