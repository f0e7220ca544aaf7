"""Fill in the blanks: a cell with ``___`` where the learner writes values or code, and comsim's
verdict on what they wrote.

The exercise is made in a cell whose code is hidden (its answers are computed there); the
learner's cell fills the blanks and asks for a check. Values::

    from comsim import ___
    after_step_2.check(refcount=___, proxies=___)      # the learner replaces each ___

Code: a function with blanks in it (``pCS.___()``), run by comsim once filled in::

    def one_pass(pItf):
        pCS = pItf.QueryInterface("IClientSecurity")
        pCopy = pCS.CopyProxy(pItf)
        pCS.___()
        pCopy.___()

    kb_pass.check(one_pass)

A blank left (the value ``___``, or ``___`` in the function's source) gets "fill this in";
every other answer gets the verdict of :class:`~comsim.teaching.answers.Answer`, the course's
one checker, with its hints.
"""

from __future__ import annotations

import inspect
import numbers
import re
from collections.abc import Callable, Mapping

from ...model import checks
from ..answers import Answer, Verdict
from .blank import is_blank
from .passes import run_loop
from .result import Card, Result

_BLANK = re.compile(r"(?<![\w])___(?![\w])")
HOW_VALUES = "Replace each `___` in the cell below with your answer, then run the cell."
HOW_CODE = "Replace each `___` in the code below, then run the cell: comsim runs your code."
HOW_BUG = "Find the bug in the code below, fix it, then run the cell: comsim runs your code."
RETRY = "Check your reasoning, change your answer and run the cell again."


class FillIn:
    """One fill-in exercise: ``prompt`` (the task), the ``answers`` by name (each a value or an
    :class:`~comsim.teaching.answers.Answer` with hints), and, for code, ``run``: what to do
    with the learner's function, returning the observed values by name (or ``passes``: run it
    as one pass of a loop body on a fresh pItf, observing ``refcount``, ``proxies`` and
    ``proxies_after_final_release``, see :meth:`.passes.LoopRun.observations`)."""

    def __init__(
        self,
        prompt: str,
        answers: Mapping[str, object],
        *,
        run: Callable[[Callable], Mapping[str, object]] | None = None,
        passes: int | None = None,
        key: str = "",
        bug_hunt: bool = False,
    ):
        if not answers:
            raise checks.refuse("answers", "at least one name=answer", dict(answers))
        self.answers = {name: _answer(name, value) for name, value in answers.items()}
        if run is not None and passes is not None:
            raise TypeError("give run or passes, not both")
        if passes is not None:
            run = _loop_observer(checks.number("passes", passes, "int", 1, 1_000))
        if run is not None and not callable(run):
            raise checks.refuse("run", "a function of the learner's function", run, TypeError)
        self.run = run
        if checks.flag("bug_hunt", bug_hunt) and run is None:
            raise TypeError("a bug hunt runs the learner's code: give run")
        how = HOW_BUG if bug_hunt else HOW_CODE if run is not None else HOW_VALUES
        kind = "bug-hunt" if bug_hunt else "fill-in"
        self.card = Card(kind, checks.text("prompt", prompt), how=how, key=key)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.answers)

    def check(self, code: Callable | None = None, /, **values: object) -> Result:
        """The verdict on the learner's values (``name=value``), or on their function
        (``check(function)``) for a code exercise."""
        if self.run is not None:
            if code is None or values:
                raise TypeError(f"pass your function: check(function); got {values or None}")
            return self._check_code(code)
        if code is not None:
            raise TypeError(f"this exercise takes values: check({', '.join(self.names)}=...)")
        unknown = [name for name in values if name not in self.answers]
        if unknown:
            raise TypeError(f"unknown name {unknown[0]!r}; this exercise asks {self.names}")
        return Result(
            self.card, tuple(self._verdict(name, values.get(name)) for name in self.names)
        )

    def _verdict(self, name: str, given: object) -> Verdict:
        if given is None or is_blank(given):
            return Verdict("missing", f"{name}: fill in the blank ___, then run the cell again.")
        verdict = self.answers[name].verdict(given)
        return Verdict(verdict.status, f"{name}: {verdict.message}")

    def _check_code(self, function: Callable) -> Result:
        if not callable(function):
            raise checks.refuse("code", "your function", function, TypeError)
        left = _blanks_in(function)
        if left:
            noun = "blank" if left == 1 else "blanks"
            message = f"{left} {noun} ___ still to fill in, then run the cell again."
            return Result(self.card, (Verdict("missing", message),))
        observed = self.run(function)
        if not isinstance(observed, Mapping):
            raise TypeError(f"run must return the observed values by name; got {observed!r}")
        stopped = observed.get("stopped")
        if stopped:
            return Result(self.card, (Verdict("wrong", f"Not yet: your code stopped, {stopped}"),))
        return Result(self.card, tuple(self._verdict(n, observed.get(n)) for n in self.names))

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        return self.card._repr_mimebundle_(include, exclude, **kwargs)

    def __repr__(self) -> str:
        return self.card.text()


def _answer(name: str, value: object) -> Answer:
    """``value`` as an Answer: a whole number is answered whole."""
    checks.text("each answer's name", name)
    if isinstance(value, Answer):
        return value
    whole = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    return Answer(value, whole=whole, retry=RETRY)


def _loop_observer(passes: int) -> Callable[[Callable], Mapping[str, object]]:
    """Run a learner's function as ``passes`` passes of a loop body; what it observed."""

    def observe(function: Callable) -> Mapping[str, object]:
        return run_loop(function, passes).observations()

    return observe


def _blanks_in(function: Callable) -> int:
    """How many ``___`` the function's source still holds (0 if its source is unknown)."""
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return 0
    return len(_BLANK.findall(source))


def fill_in(
    prompt: str,
    *,
    run: Callable[[Callable], Mapping[str, object]] | None = None,
    passes: int | None = None,
    key: str = "",
    bug_hunt: bool = False,
    **answers: object,
) -> FillIn:
    """A fill-in-the-blanks exercise. ``answers`` are the right values by name (a number, a
    str, or an :class:`~comsim.teaching.answers.Answer` with a tolerance and hints); compute
    them in a hidden cell. The learner calls ``.check(name=value, ...)``, or, for code with
    ``run`` (or ``passes`` for one pass of the KB's loop), ``.check(function)``.
    ``bug_hunt=True`` makes it a bug hunt: the learner's code has no blanks but a bug to find,
    and ``run`` observes what their fix does."""
    return FillIn(prompt, answers, run=run, passes=passes, key=key, bug_hunt=bug_hunt)
