"""Seeded exercises in the spirit of the OSTEP homework simulators, and notebook 07's checker.

A seed gives a fresh problem: the seed draws the *kind* of question as well as the program.
The kinds (:data:`KINDS`), one module each:

``count-after-step`` (:mod:`.count_after_step`)
    One pass of the KB's loop, statement by statement, after some earlier passes: the proxy
    manager's reference count and the interface proxies alive right after step k.
``which-release`` (:mod:`.which_release`)
    A client holds several pointers to one remote object and releases them in some order:
    which Release returns 0, what an earlier Release returns, and how many interface proxies
    are still alive at that point.
``growth`` (:mod:`.growth`)
    A loop and a size per copy given in the problem: copies alive at the end of the loop and
    the heap memory they hold (hypothesis H2's transient buffers switched off).
``fix-the-loop`` (:mod:`.fix_the_loop`)
    A program's security needs: which fix to use and how many interface proxies it leaves.

Each problem's program is a list of typed steps (:mod:`.program`): the same structure is
printed as the C++ listing and run on comsim's object model or engines (:mod:`.run`), so every
answer is computed, never written down by hand. The words live in ``prose.toml``
(:mod:`.prose`); every verdict comes from :class:`comsim.teaching.answers.Answer`. In a
notebook::

    problem = quiz.make_problem(7)
    print(quiz.problem_text(problem))           # the questions, with ? where answers go
    answers = quiz.predictions(problem)         # one checker (comsim.predict) per question
    answers.worked_answer()                     # the answers and why, once each is committed
    quiz.check(problem, refcount=..., proxies=...)   # the same checks, as a function
    quiz.reveal(problem)                        # the answers and why, folded until clicked

From a shell: ``python -m comsim quiz --seed 7`` prints the problem, ``--answers`` fills it in
and adds the reasoning.

The steps a program is made of (``QueryInterface("pCS")``, ``CopyProxy()``, ``Release("pCopy")``,
...) are exported too: a bug hunt's fix (:mod:`comsim.teaching.exercises.bug_hunt`) is written
with them.

The coding exercise: :func:`check_cache` (:mod:`.cache_check`) runs a learner's per-blanket
cache through a loop with several blankets and says whether copies, reference counts and
memory behave; :func:`reference_solution` shows the reference solution (in
:mod:`.reference_cache`, kept out of this namespace) once the learner has checked a class of
their own that builds.
"""

from __future__ import annotations

from .cache_check import CACHE_CHECK_BLANKETS, CACHE_CHECK_CALLS, CacheReport, check_cache
from .feedback import AnswerFeedback, Checkers, Feedback, check, check_prediction, predictions
from .fix_the_loop import FIXES
from .fold import Folded, Solution, folded, reveal
from .growth import BYTES_PER_COPY_CHOICES
from .make import KIND_TITLES, KINDS, make_problem
from .problem import Problem, Question, problem_text
from .program import CoCopyProxy, CopyProxy, QueryInterface, Release, SetBlanket
from .reference_cache import reference_solution

__all__ = [
    "BYTES_PER_COPY_CHOICES",
    "CACHE_CHECK_BLANKETS",
    "CACHE_CHECK_CALLS",
    "FIXES",
    "KINDS",
    "KIND_TITLES",
    "AnswerFeedback",
    "CacheReport",
    "Checkers",
    "CoCopyProxy",
    "CopyProxy",
    "Feedback",
    "Folded",
    "Problem",
    "QueryInterface",
    "Question",
    "Release",
    "SetBlanket",
    "Solution",
    "check",
    "check_cache",
    "check_prediction",
    "folded",
    "make_problem",
    "predictions",
    "problem_text",
    "reference_solution",
    "reveal",
]
