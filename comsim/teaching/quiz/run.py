"""Running a quiz program (:mod:`.program`) to compute its answers.

:func:`run_program` makes every step's calls on a fresh :class:`comsim.Process`, one call at a
time, and records the state at each :class:`~.program.Mark` and after each
:class:`~.program.Labelled` step. :func:`run_in_engine` runs a program of the engines' shape
(create, a loop whose body is a strategy, the final release) in comsim's engines instead, for
loops of thousands of passes; on such a program both give the same states (a test checks).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...engines.runs import PHASES
from ...engines.scenarios import simulate
from ...model import checks
from ...model.com import InterfacePointer, ProxyManager
from ...model.process import Process
from .program import Create, Loop, Mark, Program, Release, engine_strategy


@dataclass(frozen=True)
class State:
    """What the client and its proxy manager look like at one point of the program.

    ``refcount`` is the proxy manager's one count; ``proxies`` the interface proxies alive
    (original + copies); ``private_bytes`` the process's. A step-by-step run also knows what
    the step just before returned, which pointers still hold a reference (``holding``, by
    name) and how many of the copies made so far were released (``copies_released``)."""

    refcount: int
    proxies: int
    private_bytes: int
    returned: int | None = None
    holding: tuple[str, ...] = ()
    copies_released: int = 0


@dataclass
class Run:
    """One step-by-step run in progress: the process, the pointers the program holds by name,
    its cache of copies, every copy made, and the states recorded so far."""

    process: Process
    held: dict[str, InterfacePointer] = field(default_factory=dict)
    cache: dict[int, InterfacePointer] = field(default_factory=dict)
    copies: list[InterfacePointer] = field(default_factory=list)
    states: dict[str, State] = field(default_factory=dict)
    proxy_manager: ProxyManager | None = None  # the object the program created first

    def bind(self, name: str, pointer: InterfacePointer, copy: bool = False) -> None:
        """The program's variable ``name`` now holds ``pointer`` (a copy if ``copy``)."""
        self.held[name] = pointer
        if self.proxy_manager is None:
            self.proxy_manager = pointer.proxy_manager
        if copy:
            self.copies.append(pointer)

    def record(self, name: str, returned: int | None = None) -> None:
        """Keep the state of this moment under ``name``."""
        self.states[name] = State(
            refcount=self.proxy_manager.refcount,
            proxies=self.process.interface_proxy_count,
            private_bytes=self.process.private_bytes,
            returned=returned,
            holding=tuple(name for name, pointer in self.held.items() if pointer.refs),
            copies_released=sum(1 for pointer in self.copies if not pointer.refs),
        )


def run_program(program: Program, policy: str = "by-design", **overrides: object) -> Run:
    """Run every step of ``program`` on a fresh process (``policy`` and parameter
    ``overrides`` as for :class:`comsim.Process`)."""
    run = Run(Process(policy=policy, **overrides))
    for step in program.steps:
        step.run(run, 0)
    return run


def run_in_engine(
    program: Program, policy: str = "by-design", **overrides: object
) -> dict[str, State]:
    """The states at ``program``'s marks, computed by :func:`comsim.simulate`.

    The program must have the engines' shape: :class:`~.program.Create`, one
    :class:`~.program.Loop` whose body is a strategy's (:func:`~.program.engine_strategy`),
    and the created pointer's :class:`~.program.Release`, with marks and comments anywhere. A
    mark before the loop gets the state after CoCreateInstanceEx, one after it the state at
    the end of the loop, one after the Release the state after the final release."""
    statements = [s for s in program.steps if isinstance(s, Create | Loop | Release)]
    shape_ok = (
        len(statements) == 3
        and isinstance(statements[0], Create)
        and isinstance(statements[1], Loop)
        and statements[2] == Release(statements[0].out)
    )
    if not shape_ok:
        raise checks.refuse(
            "program", "CoCreateInstanceEx, one loop and the final Release", program
        )
    loop = statements[1]
    strategy, blankets = engine_strategy(loop.body)
    trace = simulate(loop.count, 1.0, strategy, policy, blankets=blankets, **overrides)
    a = trace.arrays
    final = int(np.flatnonzero(a.phase == PHASES.index("final-release"))[0])
    row, states = 0, {}
    for step in program.steps:
        if step is loop:
            row = final - 1
        elif isinstance(step, Release):
            row = final
        elif isinstance(step, Mark):
            states[step.name] = State(
                int(a.pm_refcount[row]), int(a.interface_proxies[row]), int(a.private_bytes[row])
            )
    return states
