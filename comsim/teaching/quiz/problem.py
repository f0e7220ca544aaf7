"""A seeded problem and its questions, and the problem as printed text.

A :class:`Problem` holds the client program (:class:`~.program.Program`, printed as its
listing and run for its answers), what the seed drew, and its :class:`Question` s. Each
question's :class:`~comsim.teaching.answers.Answer` (the course's one answer checker) knows
the exact answer, how close counts as right, the typical wrong answers with what each one
reveals, and what to say to any other reply.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

import numpy as np

from ...model import checks
from ...model.text import number
from ..answers import Answer
from .program import Program
from .prose import say

WIDTH = 88  # the printed problem's line length
FREE_ON_RELEASE_CHANCE = 0.2  # now and then: the counterfactual the KB's reader expected
POLICIES = ("by-design", "free-on-release")


@dataclass(frozen=True)
class Question:
    """One question of a problem: its name (as :func:`check` and the printed problem spell
    it), what it asks, its answer and the explanation shown with the answer."""

    name: str
    prompt: str
    answer: Answer
    explanation: str

    @property
    def value(self) -> int | float | str:
        """The exact answer."""
        return self.answer.value


@dataclass(frozen=True)
class Problem:
    """One seeded exercise: its kind, what the seed drew (``settings``, name and value pairs,
    e.g. ``("policy", "by-design")``), the program and its questions."""

    seed: int
    kind: str
    settings: tuple[tuple[str, object], ...]
    intro: str
    program: Program
    questions: tuple[Question, ...]

    @property
    def listing(self) -> str:
        """The program in C++, as the printed problem shows it."""
        return self.program.listing()

    @property
    def text(self) -> str:
        """The problem as printed, with ``?`` where the answers go."""
        return render(self, answers=False)

    @property
    def answers(self) -> dict[str, int | float | str]:
        """The exact answers, by name."""
        return {q.name: q.value for q in self.questions}

    @property
    def names(self) -> tuple[str, ...]:
        """The answers' names, in the order the problem asks them."""
        return tuple(q.name for q in self.questions)

    def setting(self, name: str) -> object:
        """The value the seed drew for ``name`` (see ``settings``)."""
        for key, value in self.settings:
            if key == name:
                return value
        raise KeyError(f"problem {self.seed} has no setting {name!r}")

    def question(self, name: str) -> Question:
        """The question whose answer is called ``name``."""
        for q in self.questions:
            if q.name == name:
                return q
        raise KeyError(f"problem {self.seed} asks no {name!r}; it asks {', '.join(self.names)}")


def draw_policy(rng: np.random.Generator) -> str:
    """Mostly Windows' own behaviour; now and then the counterfactual free-on-release."""
    return "free-on-release" if rng.random() < FREE_ON_RELEASE_CHANCE else "by-design"


def other_policy(policy: str) -> str:
    """The policy a learner who misreads the problem's policy answers for."""
    return POLICIES[1 - POLICIES.index(policy)]


def question(
    name: str,
    prompt: str,
    value: int | float | str,
    *,
    hints: tuple[tuple[object, str], ...],
    explanation: str,
    retry: str | None = None,
    **answer: object,
) -> Question:
    """A question whose answer is ``value``; a count (an int) must be answered whole.
    ``hints`` may hold wrong answers that happen to be right for this seed, repeat one another
    or make no sense (negative, infinite): those are dropped, the first of equal ones kept.
    ``answer`` holds the rest of the :class:`Answer` (unit, tolerance, choices)."""
    whole = isinstance(value, int) and answer.get("choices") is None
    draft = Answer(value, whole=whole, **answer)
    kept: list[tuple[object, str]] = []
    for wrong, diagnosis in hints:
        numeric = isinstance(wrong, int | float)
        if numeric and (not math.isfinite(wrong) or wrong < 0):
            continue
        if draft.is_right(wrong) or any(_same(draft, wrong, seen) for seen, _ in kept):
            continue
        kept.append((wrong, diagnosis))
    extra = {"retry": retry} if retry else {}
    return Question(
        name, prompt, Answer(value, whole=whole, hints=tuple(kept), **answer, **extra), explanation
    )


def _same(answer: Answer, a: object, b: object) -> bool:
    """True when a reply of ``a`` would read as ``b`` (the same choice, or within the
    answer's tolerance)."""
    if answer.numeric:
        return abs(float(a) - float(b)) <= answer.spread(float(b))
    return str(a).strip().casefold() == str(b).strip().casefold()


# -- the printed problem -----------------------------------------------------------------------
def problem_text(problem: Problem, answers: bool = False) -> str:
    """The problem as printed text; with ``answers=True`` every ``?`` is filled in and the
    reasoning behind each answer follows (what the notebook's reveal shows)."""
    check_problem(problem)
    return render(problem, answers=checks.flag("answers", answers))


def check_problem(problem: object) -> Problem:
    """``problem`` if it is a :class:`Problem`, else a TypeError that says where one comes from."""
    if not isinstance(problem, Problem):
        raise checks.refuse("problem", "a Problem from make_problem(seed)", problem, TypeError)
    return problem


def render(problem: Problem, answers: bool) -> str:
    """The printed problem (see :func:`problem_text`)."""
    title = say("titles", problem.kind)
    lines = [
        say("text", "title", seed=problem.seed, title=title),
        "",
        textwrap.fill(problem.intro, WIDTH),
        "",
        problem.listing,
        "",
        _settings_lines(problem.settings),
        "",
        say("text", "questions"),
    ]
    for q in problem.questions:
        lines += _question_lines(q, answers)
    if answers:
        lines += ["", say("text", "why")]
        for q in problem.questions:
            reason = f"{q.name} = {q.answer.text()}: {q.explanation}"
            lines.append(
                textwrap.fill(reason, WIDTH, initial_indent="  - ", subsequent_indent="    ")
            )
    return "\n".join(lines)


def _question_lines(q: Question, answers: bool) -> list[str]:
    a = q.answer
    if answers:
        lines = [f"  {q.prompt}", f"      {q.name} = {a.text()}"]
    else:
        lines = [f"  {q.prompt}", f"      {q.name} = ?" + (f" ({a.unit})" if a.unit else "")]
    if a.choices is not None:
        lines.append("      " + say("text", "choose", choices=" | ".join(a.choices)))
    elif not a.whole and not answers:
        if a.relative:
            within = number(100 * a.tolerance, "%")
        else:
            within = number(a.tolerance, a.unit, digits=2)
        lines.append("      " + say("text", "within", tolerance=within))
    return lines


def _settings_lines(settings: tuple[tuple[str, object], ...]) -> str:
    width = max(len(key) for key, _ in settings)
    lines = []
    for key, value in settings:
        if key == "policy":
            value = say("policy", value)
        elif isinstance(value, int) and not isinstance(value, bool):
            value = number(value)
        lines.append(f"  {key:<{width}}  {value}")
    return "\n".join(lines)
