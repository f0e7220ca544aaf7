"""Bug hunt: a broken variant of the KB's loop, printed as its C++ listing, for the learner to
find and fix. The fix is checked by running it on the model (:mod:`.passes`), never by
comparing its text: any loop that does what the goal does passes.

The variants (:data:`BUGS`) are quiz programs (:mod:`comsim.teaching.quiz.program`), so the
listing a learner reads and the run that shows the symptom cannot disagree. A notebook may also
bring its own broken body and goal. In a notebook::

    hunt = comsim.bug_hunt("extra-release")       # the listing and what goes wrong
    hunt.check([QueryInterface("pCS"), CopyProxy(), Release("pCS"), Release("pCopy")])

or ``hunt.check(one_pass)`` with a Python function ``one_pass(pItf)`` that makes the calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields

from ...model import checks
from ...model.text import number
from ..answers import Answer, Verdict
from ..quiz.program import CopyProxy, Create, Loop, Program, QueryInterface, Release, Step, kb_body
from .passes import Body, LoopRun, check_body, run_loop
from .result import Card, Result

PASSES = 3
COUNT_AGAIN = "Count the references each pass takes (QueryInterface, CopyProxy) and gives back."
ONE_COPY_PER_PASS = "The goal makes one copy per pass, and a copy's Release never frees it."
LEFT_OVER = "Something still holds a reference at the end."

BUGS: dict[str, tuple[tuple[Step, ...], str]] = {
    "extra-release": (
        (QueryInterface("pCS"), CopyProxy(), Release("pCS"), Release("pCS")),
        "Someone tidied up the releases of the KB's loop, and the simulator now refuses it.",
    ),
    "missing-release": (
        (QueryInterface("pCS"), CopyProxy(), Release("pCS")),
        "This loop runs without a complaint, yet the proxy manager's count keeps climbing.",
    ),
    "release-the-original": (
        (QueryInterface("pCS"), CopyProxy(), Release("pCS"), Release("pItf")),
        "This loop gets through one pass and then fails.",
    ),
    "release-before-copy": (
        (QueryInterface("pCS"), Release("pCS"), CopyProxy()),
        "This loop gives a pointer back too early.",
    ),
}
"""The broken variants of the KB's loop body, by name: the steps and what a learner is told."""

HOW = (
    "Write the loop body without the bug, as a list of steps (`QueryInterface('pCS')`, "
    "`CopyProxy()`, `Release('pCopy')`, from `comsim.teaching.quiz`) or as a function of "
    "`pItf` that makes the calls, and pass it to `.check(...)`. comsim runs it "
    f"{PASSES} times and compares it with the goal."
)


class BugHunt:
    """A broken loop body, the goal it should behave like (the KB's loop unless given), and the
    check of a learner's fix. Public: ``broken``, ``goal`` (bodies), ``passes``, ``card``,
    ``symptom`` (what the broken loop does), :meth:`check`."""

    def __init__(
        self,
        broken: Sequence[Step],
        prompt: str,
        goal: Sequence[Step] | None = None,
        *,
        passes: int = PASSES,
        key: str = "",
    ):
        self.broken = check_body(list(broken))
        self.goal = check_body(list(goal) if goal is not None else list(kb_body()))
        if callable(self.broken) or callable(self.goal):
            raise checks.refuse("broken and goal", "lists of steps", broken, TypeError)
        self.passes = checks.number("passes", passes, "int", 1, 50)
        self.expected = run_loop(self.goal, self.passes)
        if self.expected.stopped:
            raise ValueError(f"the goal itself stops: {self.expected.stopped}")
        self.shown = run_loop(self.broken, self.passes)
        listing = Program((Create(), Loop(self.passes, self.broken), Release("pItf"))).listing()
        self.card = Card(
            "bug-hunt",
            f"{checks.text('prompt', prompt)} {self.symptom}",
            how=HOW,
            listing=listing,
            key=key,
        )

    @property
    def symptom(self) -> str:
        """What the broken loop does when it runs, in one sentence; for a loop that stops,
        only that it does (the learner's first run of it shows where and why)."""
        run = self.shown
        if run.stopped:  # where and why it stops is the hunt: running it shows that
            return "Run it in the cell below to see where the simulator stops it."
        return (
            f"After passes 1 to {number(len(run.refcounts))}, the proxy manager's count is "
            f"{_listed(run.refcounts)}; interface proxies alive: {_listed(run.proxies)}."
        )

    def body_code(self) -> str:
        """The broken body as the Python list a learner edits."""
        return "[" + ", ".join(_step_code(step) for step in self.broken) + "]"

    def check(self, body: Body) -> Result:
        """Run the learner's loop body and compare it with the goal: every call goes through,
        the count after each pass, the interface proxies alive, and nothing left after the
        final release. The first difference gets a hint and ends the check; all alike
        passes."""
        got = run_loop(body, self.passes)
        verdicts = [_went_through(got)]
        if not got.stopped:
            for verdict in _compare(got, self.expected):
                verdicts.append(verdict)
                if not verdict.right:
                    break
        return Result(self.card, tuple(verdicts))

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        return self.card._repr_mimebundle_(include, exclude, **kwargs)

    def __repr__(self) -> str:
        return self.card.text()


def _went_through(got: LoopRun) -> Verdict:
    if got.refused:
        return Verdict(
            "wrong",
            f"Not yet: COM refused a call, {got.stopped.rstrip('.')}. Every pointer gets "
            "exactly one Release, after its last use; pItf's comes after the loop.",
        )
    if got.stopped:
        return Verdict("wrong", f"Not yet: your loop did not finish, {got.stopped}")
    return Verdict("right", "Every call went through.")


def _compare(got: LoopRun, expected: LoopRun):
    """One verdict for the counts, one for the interface proxies alive, one for what is left
    after the final release: right when they match the goal pass for pass, else the first
    pass that differs, with a hint."""
    for what, mine, goal, answer in (
        ("the proxy manager's count", got.refcounts, expected.refcounts, _refcount_answer),
        ("interface proxies alive", got.proxies, expected.proxies, _proxies_answer),
    ):
        verdict = next(
            (
                Verdict(v.status, f"{what} after pass {number(k + 1)}: {v.message}")
                for k, (m, g) in enumerate(zip(mine, goal, strict=True))
                if not (v := answer(g).verdict(m)).right
            ),
            Verdict("right", f"{what} after each pass: {_listed(mine)}, as in the goal."),
        )
        yield verdict
    left = got.after_final_release.proxies if got.after_final_release else None
    verdict = Answer(0, whole=True, retry=LEFT_OVER).verdict(left)
    if verdict.right:
        yield Verdict("right", "Nothing is left after the final release.")
    else:
        yield Verdict(verdict.status, f"after the final release: {verdict.message}")


def _refcount_answer(goal: int) -> Answer:
    hints = [(goal + 1, "One reference is never given back: which pointer's Release is missing?")]
    if goal >= 1:
        hints.append((goal - 1, "One Release too many, or one on the wrong pointer."))
    return Answer(goal, whole=True, hints=tuple(hints), retry=COUNT_AGAIN)


def _proxies_answer(goal: int) -> Answer:
    return Answer(goal, whole=True, retry=ONE_COPY_PER_PASS)


def _listed(values: tuple[int, ...]) -> str:
    return ", ".join(number(v) for v in values)


def _step_code(step: Step) -> str:
    """A step as the Python that builds it: ``Release('pCS')``, ``CopyProxy()``."""
    args = [
        repr(getattr(step, f.name))
        for f in fields(step)
        if f.name != "note" and getattr(step, f.name) != f.default
    ]
    return f"{type(step).__name__}({', '.join(args)})"


def bug_hunt(
    bug: str | Sequence[Step],
    prompt: str = "",
    goal: Sequence[Step] | None = None,
    *,
    passes: int = PASSES,
    key: str = "",
) -> BugHunt:
    """A bug hunt: ``bug`` names a broken variant of the KB's loop (one of :data:`BUGS`) or
    is a broken body of your own (a list of quiz steps, with ``prompt`` and, if it is not
    the KB's loop, the ``goal`` it should behave like). Display it for the listing and the
    symptom; ``.check(body)`` runs a learner's fix on the model."""
    if isinstance(bug, str):
        checks.choice("bug", bug, BUGS)
        broken, told = BUGS[bug]
        return BugHunt(broken, prompt or told, goal, passes=passes, key=key or bug)
    return BugHunt(bug, prompt, goal, passes=passes, key=key)
