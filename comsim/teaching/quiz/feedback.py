"""Checking a learner's answers: as a function (:func:`check`, :func:`check_prediction`) or as
one live checker per question (:func:`predictions`). Every verdict comes from the question's
:class:`~comsim.teaching.answers.Answer`, the course's one answer checker."""

from __future__ import annotations

from dataclasses import dataclass

from ...model import checks
from ...model.text import number
from ..answers import Answer
from .problem import Problem, Question, check_problem, problem_text
from .prose import say

_ICONS = {"right": "✔", "wrong": "✘", "missing": "…", "invalid": "✘"}


@dataclass(frozen=True, repr=False)
class AnswerFeedback:
    """What :func:`check` (or :func:`check_prediction`) says about one answer: ``status`` is
    right, wrong, missing or invalid (as :class:`~comsim.teaching.answers.Verdict`)."""

    name: str
    given: object
    status: str
    message: str

    @property
    def right(self) -> bool:
        return self.status == "right"

    def __str__(self) -> str:
        return f"{_ICONS[self.status]} {self.message}"

    __repr__ = __str__


@dataclass(frozen=True, repr=False)
class Feedback:
    """Right or wrong for each answer of problem ``seed``, with a hint for every one that is
    not right yet."""

    seed: int
    items: tuple[AnswerFeedback, ...]

    @property
    def all_right(self) -> bool:
        return all(item.right for item in self.items)

    def __getitem__(self, name: str) -> AnswerFeedback:
        for item in self.items:
            if item.name == name:
                return item
        names = ", ".join(item.name for item in self.items)
        raise KeyError(say("feedback", "no_such_answer", name=repr(name), names=names))

    def __str__(self) -> str:
        right = sum(item.right for item in self.items)
        score = say("feedback", "score", right=right, total=len(self.items))
        if self.all_right:
            score += " " + say("feedback", "well_done")
        lines = [say("feedback", "problem", seed=self.seed)]
        lines += [f"  {item}" for item in self.items]
        return "\n".join([*lines, f"  {score}"])

    __repr__ = __str__


def check(problem: Problem, **answers: object) -> Feedback:
    """Right or wrong for each of the problem's answers (``problem.names``); an answer left
    out or set to None gets a "fill in" note, a wrong one a hint about the rule it missed."""
    check_problem(problem)
    unknown = [name for name in answers if name not in problem.names]
    if unknown:
        raise TypeError(
            say(
                "feedback",
                "unknown_name",
                name=repr(unknown[0]),
                seed=problem.seed,
                names=", ".join(problem.names),
            )
        )
    items = tuple(_feedback(q, answers.get(q.name)) for q in problem.questions)
    return Feedback(problem.seed, items)


def _feedback(q: Question, given: object) -> AnswerFeedback:
    verdict = q.answer.verdict(given)
    kind = q.answer.kind_text()
    if verdict.status == "missing":
        message = say("feedback", "missing", name=q.name, kind=kind)
    elif verdict.status == "invalid":
        message = say("feedback", "invalid", name=q.name, given=repr(given), kind=kind)
    else:
        message = f"{q.name}: {verdict.message}"
    return AnswerFeedback(q.name, given, verdict.status, message)


def check_prediction(
    what: str, predicted: object, actual: float, tolerance: float = 0.0
) -> AnswerFeedback:
    """Compare a learner's prediction with what the model computed (``actual``), within
    ``tolerance``. While the prediction is None the model's value stays hidden; after it, a
    wrong prediction hears the model's value. (:func:`comsim.predict` is the widget form.)"""
    checks.text("what", what)
    actual = checks.number("actual", actual)
    answer = Answer(
        actual,
        tolerance=tolerance,
        retry=say("feedback", "prediction_wrong", actual=number(actual)),
    )
    verdict = answer.verdict(predicted)
    if verdict.status == "missing":
        message = say("feedback", "prediction_missing", what=what)
    elif verdict.status == "invalid":
        message = say("feedback", "prediction_invalid", what=what, given=repr(predicted))
    else:
        message = f"{what}: {verdict.message}"
    return AnswerFeedback(what, predicted, verdict.status, message)


class Checkers:
    """The checkers of one problem, shown together: one live form per question in a notebook,
    self-contained HTML in an exported report. Iterate or index it to get each
    :class:`comsim.Prediction`; :meth:`worked_answer` opens once each has a committed
    answer."""

    def __init__(self, items: list, problem: Problem | None = None):
        self.items = list(items)
        self.problem = problem

    def worked_answer(self):
        """The problem's worked solution (every answer and why), behind a button that opens
        only once every question here has a committed answer."""
        from ..unlock import Locked

        if self.problem is None:
            raise ValueError("these checkers were made without their problem")
        return Locked(
            say("text", "solution", seed=self.problem.seed),
            lambda: problem_text(self.problem, answers=True),
            lambda: self.committed,
            say("text", "commit_first"),
        )

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int):
        return self.items[index]

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        import ipywidgets as widgets

        from ..predict import METADATA_KEY

        box = widgets.VBox([item.widget for item in self.items])
        bundle = dict(box._repr_mimebundle_(**kwargs) or {})
        bundle["text/html"] = "".join(item.offline_html() for item in self.items)
        bundle["text/plain"] = "\n".join(item.text() for item in self.items)
        return bundle, {METADATA_KEY: {"predictions": [item.metadata() for item in self.items]}}

    @property
    def committed(self) -> bool:
        """True once every question has a committed answer (right or wrong)."""
        return all(item.committed for item in self.items)

    def __repr__(self) -> str:
        return f"<Checkers: {len(self.items)} questions>"


def predictions(problem: Problem) -> Checkers:
    """One live checker (:func:`comsim.predict`) per question of ``problem``: a learner types an
    answer, presses Check, reads the hint, and unfolds the reasoning after committing. Works in
    the exported report too (self-contained HTML). Each checker's metadata names the problem's
    text as all that is ``given``: a seeded problem is about its own program only."""
    from ..predict import Prediction  # ipywidgets: loaded when a notebook asks for checkers

    check_problem(problem)
    out = []
    for q in problem.questions:
        a = q.answer
        out.append(
            Prediction(
                say("text", "checker", seed=problem.seed, prompt=q.prompt),
                a.value,
                unit=a.unit,
                tolerance=a.tolerance,
                relative=a.relative,
                choices=a.choices,
                hints=a.hints,
                explanation=q.explanation,
                key=f"quiz-{problem.seed}-{problem.kind}-{q.name}",
                said_as=(q.name,),
                given=problem.text,
            )
        )
    return Checkers(out, problem)
