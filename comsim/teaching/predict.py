"""Predict, commit, check: a question the learner answers before the notebook reveals it.

``predict`` builds one checkpoint. In a live notebook it is a small ipywidgets form: the
question, an input (or one button per choice), a "Check" button, a feedback line read out by
screen readers, and the answer with its explanation, folded until the learner has committed a
value. On a page with no kernel the same form is plain HTML (``templates/predict.html.j2``)
checked in the browser by the widgets' one script; nothing is loaded from the network. Both come
from one ``Prediction``: its ``_repr_mimebundle_`` carries the widget view and the HTML, and the
course site keeps the HTML (see ``comsim.publish.offline.OfflineWidgetPreprocessor``).

Both check with the course's one answer checker, :class:`comsim.teaching.answers.Answer`: the
kernel asks it for a verdict, and the page receives its rule and messages as data.

The answer is always computed in the notebook from comsim, never typed in as a literal::

    growth_mib = comsim.simulate().summary.growth_bytes / MIB
    comsim.predict(
        "How much do private bytes grow during the KB's loop?",
        growth_mib, unit="MiB", tolerance=0.1, relative=True,
        hints=[(0, "Release on a copy does not free it: ...")],
        explanation="Every copy stays until the proxy manager's final release ...",
        key="01-growth",
    )

``Prediction.check(value)`` returns the feedback text; the Check button calls it with the
input's value, so tests can drive a checkpoint without a browser.

Every displayed checkpoint leaves machine-readable metadata in its output
(``output.metadata["comsim"]["predictions"]``, see :meth:`Prediction.metadata`): the prompt,
the answer, its unit and tolerance, and the words a page uses for the quantity. The course's
tests read it to find every commitment and to check that nothing shown before it gives the
answer away.

``now_you_try`` is the same checkpoint for a variation the learner runs: a task ("run the loop
with 5,001 iterations"), then the number to report, checked like a prediction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import ipywidgets as widgets

from ..model import checks
from . import markup
from .answers import Answer

__all__ = ["METADATA_KEY", "Prediction", "now_you_try", "predict"]

METADATA_KEY = "comsim"
"""The output metadata field where displayed checkpoints describe themselves."""
KINDS = {"predict": "Predict.", "now-you-try": "Now you try."}
"""The kinds of checkpoint and how each one's question starts."""
TASK_NEEDS_KERNEL = (
    "This task asks you to run code: open the notebook in Jupyter to try it. You can still "
    "check an answer here."
)
ANSWER_SUMMARY = "Answer (commit a prediction first)"
SHOW_ANSWER = "Show the answer"
HIDE_ANSWER = "Hide the answer"
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_COMMITTED = ("right", "wrong")  # verdicts on a readable reply: the answer may unfold


class Prediction:
    """One predict-commit-check question.

    ``answer`` is a number (checked within ``tolerance``, absolute or, with ``relative=True``, a
    fraction of the answer) or a str (one of ``choices``, or free text compared without regard
    to case and surrounding spaces). ``hints`` pair a typical wrong answer with a diagnosis of
    the reasoning that leads to it. ``explanation`` is shown with the answer once the learner
    has committed a value. ``key`` names the checkpoint in the page (HTML ids, ``data-key``).
    ``said_as`` lists the words a page uses for the quantity beside its number (e.g.
    ``("refcount",)`` for "refcount 1"); with the unit, they tell the no-spoiler test where a
    page states this answer. ``given``, for a seeded problem, is the problem's whole text:
    nothing else in the course is about its program. ``kind`` is "predict" or "now-you-try"
    (``task``: what to run first).

    Public state: ``expected`` (the :class:`~comsim.teaching.answers.Answer` that checks every
    reply), ``committed`` (a value was checked), ``attempts``, ``status`` and ``last_feedback``
    (the latest verdict), ``answer_visible``; widgets ``input``, ``button``, ``feedback``,
    ``show_answer``, ``answer_box`` and ``widget`` (the VBox that holds them).
    """

    def __init__(
        self,
        question: str,
        answer: float | int | str,
        *,
        unit: str = "",
        tolerance: float = 0.0,
        relative: bool = False,
        choices: Sequence[str] | None = None,
        hints: Sequence[tuple[object, str]] = (),
        explanation: str = "",
        key: str | None = None,
        said_as: Sequence[str] = (),
        given: str = "",
        kind: str = "predict",
        task: str = "",
    ):
        self.question = checks.text("question", question)
        self.kind = checks.choice("kind", kind, KINDS)
        self.task = checks.text("task", task, empty_ok=kind == "predict")
        self.given = checks.text("given", given, empty_ok=True)
        if isinstance(said_as, str) or not isinstance(said_as, Sequence):
            raise checks.refuse("said_as", "a sequence of str (e.g. a tuple)", said_as, TypeError)
        self.said_as = tuple(checks.text("each of said_as", word) for word in said_as)
        self.explanation = checks.text("explanation", explanation, empty_ok=True)
        if key is not None and not _KEY.match(checks.text("key", key)):
            raise checks.refuse(
                "key", "letters, digits, '-' and '_', starting with a letter or digit", key
            )
        self.key = key
        self.expected = Answer(
            answer, unit=unit, tolerance=tolerance, relative=relative, choices=choices, hints=hints
        )
        self.attempts = 0
        self.status = "none"
        self.last_feedback = ""
        self._uid = key or markup.new_id("p")
        self._widget: widgets.VBox | None = None

    # -- checking ------------------------------------------------------------------------------
    def check(self, value: object) -> str:
        """Check the learner's ``value`` and return the feedback. A readable value commits the
        prediction (the answer can then be unfolded); unreadable input asks again."""
        verdict = self.expected.verdict(value)
        if verdict.status in _COMMITTED:
            self.attempts += 1
        self.status, self.last_feedback = verdict.status, verdict.message
        if self._widget is not None:
            self._sync_widget()
        return verdict.message

    @property
    def committed(self) -> bool:
        """True once the learner has checked a readable value, right or wrong."""
        return self.attempts > 0

    @property
    def label(self) -> str:
        """What the input is called, with the answer's unit."""
        unit = self.expected.unit
        return "Your answer" + (f" ({unit})" if unit else "")

    # -- the live widget -----------------------------------------------------------------------
    @property
    def widget(self) -> widgets.VBox:
        """The live form (built on first use, so a report build pays for it only once)."""
        if self._widget is None:
            self._build_widget()
        return self._widget

    def _build_widget(self) -> None:
        self.question_html = widgets.HTML(markup.part("question", self.lead))
        if self.expected.choices is not None:
            self.input = widgets.ToggleButtons(
                options=list(self.expected.choices),
                value=None,
                description=self.label,
                style={"description_width": "initial"},
            )
        else:
            self.input = widgets.Text(
                value="",
                placeholder="a number, e.g. 12.5" if self.expected.numeric else "your answer",
                description=self.label,
                continuous_update=False,  # the value arrives on Enter (or leaving the box)
                style={"description_width": "initial"},
            )
            self.input.observe(self._on_enter, names="value")
        self.button = widgets.Button(
            description="Check", button_style="primary", tooltip="Check your prediction"
        )
        self.button.on_click(lambda _button: self.check(self.input.value))
        self.feedback = widgets.HTML()
        self.show_answer = widgets.ToggleButton(
            value=False,
            description=SHOW_ANSWER,
            tooltip="Unfold the answer and why",
            layout=widgets.Layout(display="none"),
        )
        self.show_answer.observe(self._on_toggle, names="value")
        self.answer_box = widgets.HTML(value="", layout=widgets.Layout(display="none"))
        self._widget = widgets.VBox(
            [
                self.question_html,
                widgets.HBox([self.input, self.button]),
                self.feedback,
                self.show_answer,
                self.answer_box,
            ],
            layout=widgets.Layout(border="1px solid #4a4a4a", padding="6px", margin="6px 0"),
        )
        self._widget.add_class("comsim-predict")
        self._sync_widget()

    def _on_enter(self, change) -> None:
        if str(change["new"]).strip():
            self.check(change["new"])

    def _on_toggle(self, change) -> None:
        if change["new"] and self.committed:
            self.answer_box.value = self._answer_html()
            self.answer_box.layout.display = None
            self.show_answer.description = HIDE_ANSWER
        else:
            self.answer_box.layout.display = "none"
            self.show_answer.description = SHOW_ANSWER
            if not self.committed:
                self.show_answer.value = False

    @property
    def answer_visible(self) -> bool:
        """True while the live widget shows the answer (only ever after a commit)."""
        return (
            self._widget is not None
            and self.committed
            and self.show_answer.value
            and self.answer_box.layout.display != "none"
        )

    def _answer_html(self) -> str:
        return markup.part("answer", self.expected.text(), self.explanation)

    def _sync_widget(self) -> None:
        self.feedback.value = markup.part("feedback", self.last_feedback, self.status)
        if self.committed:
            self.show_answer.layout.display = None

    # -- display -------------------------------------------------------------------------------
    @property
    def lead(self) -> str:
        """The question as the checkpoint shows it: "**Predict.** ..." or "**Now you try.**
        task, then the question"."""
        head = f"**{KINDS[self.kind]}** "
        return head + (f"{self.task}\n\n{self.question}" if self.task else self.question)

    def metadata(self) -> dict:
        """What the course's tests read from the output: the checkpoint's key and kind, the
        prompt, the answer (value and text), its unit, its ``tolerance`` (absolute, in the
        unit), the choices, ``said_as``, ``given`` and the explanation shown after a commit."""
        a = self.expected
        return {
            "key": self.key or self._uid,
            "kind": self.kind,
            "prompt": self.question,
            "task": self.task,
            "answer": a.value,
            "answer_text": a.text(),
            "unit": a.unit,
            "tolerance": a.spread(a.value) if a.numeric else 0,
            "choices": list(a.choices) if a.choices else None,
            "said_as": list(self.said_as),
            "given": self.given,
            "explanation": self.explanation,
        }

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        bundle = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        bundle["text/html"] = self.offline_html()
        bundle["text/plain"] = self.text()
        return bundle, {METADATA_KEY: {"predictions": [self.metadata()]}}

    def text(self) -> str:
        """The question as plain text (no answer): what a terminal or a plain export shows."""
        unit, choices = self.expected.unit, self.expected.choices
        how = f" (answer in {unit})" if unit else ""
        options = f"\nChoices: {', '.join(choices)}" if choices else ""
        task = f"{self.task}\n" if self.task else ""
        return f"{KINDS[self.kind][:-1]}: {task}{self.question}{how}{options}"

    def __repr__(self) -> str:
        return f"<Prediction {self.key or self._uid}: {self.question[:60]!r}>"

    def offline_html(self) -> str:
        """The same checkpoint as self-contained HTML, for a page with no kernel: the browser
        looks each reply up in the checker's table; the answer stays hidden until the reader
        has checked a readable reply. Nothing is fetched from the network."""
        return markup.render(
            "predict.html.j2",
            uid="comsim-predict-" + self._uid,
            key=self.key or "",
            question=self.lead,
            notice=TASK_NEEDS_KERNEL if self.kind == "now-you-try" else "",
            label=self.label,
            choices=self.expected.choices,
            inputmode="decimal" if self.expected.numeric else "text",
            summary=ANSWER_SUMMARY,
            answer_text=self.expected.text(),
            explanation=self.explanation,
            table=self.expected.table(),
        )


def predict(
    question: str,
    answer: float | int | str,
    *,
    unit: str = "",
    tolerance: float = 0.0,
    relative: bool = False,
    choices: Sequence[str] | None = None,
    hints: Sequence[tuple[object, str]] = (),
    explanation: str = "",
    key: str | None = None,
    said_as: Sequence[str] = (),
) -> Prediction:
    """A predict-commit-check question: the learner commits a value before the answer unfolds.

    ``answer`` comes from comsim in the notebook (never a literal). Numbers are right within
    ``tolerance`` (in ``unit``; or a fraction of the answer with ``relative=True``); a str answer
    is one of ``choices`` (shown as buttons) or free text. ``hints`` pair a typical wrong answer
    with a diagnosis shown when the learner gives it; other wrong numbers hear "too high" or
    "too low". ``explanation`` unfolds with the answer after a commit. Display the result (last
    expression of a cell): a live form in Jupyter, self-contained HTML in an exported report.
    ``said_as``: the words a page uses for this quantity beside its number ("refcount",
    "interface proxies alive"), for the test that nothing shown earlier gives it away.
    """
    return Prediction(
        question,
        answer,
        unit=unit,
        tolerance=tolerance,
        relative=relative,
        choices=choices,
        hints=hints,
        explanation=explanation,
        key=key,
        said_as=said_as,
    )


def now_you_try(
    task: str,
    question: str,
    answer: float | int | str,
    *,
    unit: str = "",
    tolerance: float = 0.0,
    relative: bool = False,
    choices: Sequence[str] | None = None,
    hints: Sequence[tuple[object, str]] = (),
    explanation: str = "",
    key: str | None = None,
    said_as: Sequence[str] = (),
) -> Prediction:
    """A variation of what the notebook just did: ``task`` says what to change and run (in a
    cell of the learner's own), ``question`` what to report; checked like :func:`predict`
    (same arguments). On a page with no kernel it says that the task needs one, and the
    check still works."""
    return Prediction(
        question,
        answer,
        unit=unit,
        tolerance=tolerance,
        relative=relative,
        choices=choices,
        hints=hints,
        explanation=explanation,
        key=key,
        said_as=said_as,
        kind="now-you-try",
        task=task,
    )
