"""Answers that stay folded until the learner asks: the worked solution of a problem
(:func:`reveal`) and any text under a summary (:func:`folded`). In a notebook they show as an
HTML ``<details>`` block (``templates/folded.html.j2``); as text, in full."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import jinja2

from .problem import Problem, check_problem, render
from .prose import say


@cache
def _template() -> jinja2.Template:
    loader = jinja2.PackageLoader(__package__, "templates")
    environment = jinja2.Environment(loader=loader, autoescape=True)
    return environment.get_template("folded.html.j2")


def _details_html(summary: str, text: str) -> str:
    return _template().render(summary=summary, text=text, unfold=say("text", "unfold"))


@dataclass(frozen=True, repr=False)
class Solution:
    """The answers of a problem and the reasoning behind each, folded in a notebook until the
    learner clicks it open."""

    problem: Problem

    @property
    def reasons(self) -> tuple[str, ...]:
        """Each question's explanation, in order."""
        return tuple(q.explanation for q in self.problem.questions)

    def __str__(self) -> str:
        return render(self.problem, answers=True)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return _details_html(say("text", "solution", seed=self.problem.seed), str(self))


@dataclass(frozen=True, repr=False)
class Folded:
    """Text that a notebook shows folded under ``summary`` until the learner clicks it."""

    summary: str
    text: str

    def __str__(self) -> str:
        return f"{self.summary}\n{self.text}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return _details_html(self.summary, self.text)


def folded(summary: str, text: str) -> Folded:
    """``text`` folded under ``summary``: an answer that stays hidden until asked for."""
    return Folded(str(summary), str(text))


def reveal(problem: Problem) -> Solution:
    """The answers and the reasoning behind them (folded in a notebook until clicked)."""
    return Solution(check_problem(problem))
