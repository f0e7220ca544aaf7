"""A loop body run pass after pass on comsim's object model: how the bug hunt and code fill-ins
check a learner's loop, by what it does to the proxy manager rather than by how it is written.

The body is a quiz program's steps (:mod:`comsim.teaching.quiz.program`, which also print as the
C++ listing) or a Python function of ``pItf`` that makes the calls itself. :func:`run_loop`
creates a fresh client and its pItf, runs the body ``passes`` times, recording the proxy
manager's one count and the interface proxies alive after each pass, then makes pItf's final
release. The first call COM refuses stops the run, and the run says where and why. A
learner's function runs under a time budget, so an endless loop ends with a message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ...model import checks
from ...model.errors import COMError
from ...model.process import Process
from ...model.text import number
from ..quiz.budget import OutOfTime, TimeBudget
from ..quiz.program import Create, Release, Step
from ..quiz.run import Run

PASSES_RANGE = (1, 1_000)
SECONDS = 5.0  # a learner's function may run this long in all


@dataclass(frozen=True)
class Counts:
    """At one moment: the proxy manager's single reference count and the interface proxies
    alive (the original and every copy it keeps)."""

    refcount: int
    proxies: int


@dataclass(frozen=True)
class LoopRun:
    """A body run on a fresh pItf: the counts after each completed pass, after pItf's final
    release (None if the run never got there), and ``stopped``: empty when every call went
    through, else when and why it stopped ("pass 2, pCS->Release(): E_UNEXPECTED ...");
    ``refused`` when it was COM that refused a call (not the code failing or running on)."""

    after_pass: tuple[Counts, ...]
    after_final_release: Counts | None
    stopped: str = ""
    refused: bool = False

    @property
    def refcounts(self) -> tuple[int, ...]:
        return tuple(c.refcount for c in self.after_pass)

    @property
    def proxies(self) -> tuple[int, ...]:
        return tuple(c.proxies for c in self.after_pass)

    def observations(self) -> dict[str, object]:
        """What a fill-in can check, by name: ``refcount`` and ``proxies`` after the last pass,
        ``proxies_after_final_release``, and ``stopped``."""
        last = self.after_pass[-1] if self.after_pass else None
        after = self.after_final_release
        return {
            "refcount": None if last is None else last.refcount,
            "proxies": None if last is None else last.proxies,
            "proxies_after_final_release": None if after is None else after.proxies,
            "stopped": self.stopped,
        }


Body = Sequence[Step] | Callable[..., object]


def check_body(body: object) -> Body:
    """``body`` if it is a loop body: a function of pItf, or a non-empty sequence of a quiz
    program's steps."""
    if callable(body):
        return body
    if isinstance(body, str) or not isinstance(body, Sequence) or not body:
        raise checks.refuse(
            "body", "a function of pItf, or a list of steps such as Release('pCS')", body, TypeError
        )
    for step in body:
        if not isinstance(step, Step):
            allowed = "a step such as Release('pCS')"
            raise checks.refuse("each step of body", allowed, step, TypeError)
    return tuple(body)


def run_loop(body: Body, passes: int = 3, seconds: float | None = None) -> LoopRun:
    """Run ``body`` ``passes`` times (an int in [1, 1000]) on a fresh pItf, then its final
    release; see :class:`LoopRun`. The body's variables start with ``pItf``. A function body
    may run ``seconds`` in all (:data:`SECONDS` unless given)."""
    body = check_body(body)
    passes = checks.number("passes", passes, "int", *PASSES_RANGE)
    run = Run(Process())
    Create().run(run, 0)
    pItf = run.held["pItf"]
    budget = TimeBudget(SECONDS if seconds is None else seconds)
    after: list[Counts] = []

    def counts() -> Counts:
        return Counts(pItf.proxy_manager.refcount, run.process.interface_proxy_count)

    for k in range(passes):
        where = f"pass {number(k + 1)}"
        stopped, refused = _one_pass(run, body, k, where, budget)
        if stopped:
            return LoopRun(tuple(after), None, stopped, refused)
        after.append(counts())
    try:
        Release("pItf").run(run, 0)
    except COMError as error:
        stopped = f"at the final release, pItf->Release(): {error}"
        return LoopRun(tuple(after), None, stopped, refused=True)
    return LoopRun(tuple(after), counts())


def _one_pass(run: Run, body: Body, k: int, where: str, budget: TimeBudget) -> tuple[str, bool]:
    """Run one pass; return why it stopped ("" if every call went through) and whether COM
    refused a call."""
    if not callable(body):
        for step in body:
            try:
                step.run(run, k)
            except COMError as error:
                return f"{where}, {step.code()} {error}", True
            except KeyError as error:
                return f"{where}, {step.code()} uses {error}, which holds no pointer yet", False
        return "", False
    try:
        with budget.running():
            body(run.held["pItf"])
    except COMError as error:
        return f"{where}: {error}", True
    except OutOfTime:
        spent = number(budget.seconds, "s")
        return f"{where}: still running after {spent}; is there an endless loop?", False
    except Exception as error:
        return f"{where}: your code raised {type(error).__name__}: {error}", False
    return "", False
