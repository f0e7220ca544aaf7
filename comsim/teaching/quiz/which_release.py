"""Kind 2, which Release returns 0: a client holds several pointers to one remote object and
releases them in some order. Which Release returns 0, what does an earlier one return, and how
many interface proxies are still alive at that point (before the final release, so rarely 0)?"""

from __future__ import annotations

import numpy as np

from ...model.text import count
from .problem import Problem, Question, draw_policy, other_policy, question
from .program import Comment, CopyProxy, Create, Labelled, Program, QueryInterface, Release
from .prose import say
from .run import Run, run_program

KIND = "which-release"


def _acquire(name: str) -> QueryInterface | CopyProxy:
    """How the program gets each pointer besides pItf."""
    return {
        "pCS": QueryInterface("pCS"),
        "pCopy": CopyProxy("pCopy"),
        "pCopy2": CopyProxy("pCopy2", note=say("code", "second_setting")),
        "pUnk": QueryInterface("pUnk", iid="IUnknown"),
    }[name]


def program(names: list[str], order: list[str]) -> Program:
    """Get the pointers ``names`` (pItf first), then release each once in ``order`` (R1 ...)."""
    steps = [Create()]
    steps += [_acquire(name) for name in names[1:]]
    steps.append(Comment(say("code", "calls_through_the_pointers")))
    steps += [Labelled(f"R{k}", Release(name)) for k, name in enumerate(order, start=1)]
    return Program(tuple(steps))


def make(seed: int, rng: np.random.Generator) -> Problem:
    """A which-release problem drawn with ``rng``."""
    policy = draw_policy(rng)
    names = ["pItf", "pCS", "pCopy"]
    if rng.random() < 0.5:
        names.append("pCopy2")
    if rng.random() < 0.5:
        names.append("pUnk")
    order = [names[int(i)] for i in rng.permutation(len(names))]
    j = int(rng.integers(1, len(order)))  # an earlier Release, never the last
    code = program(names, order)
    run, other = run_program(code, policy), run_program(code, other_policy(policy))
    calls = tuple(step.call() for step in code.steps_of(Release))
    pointers = count(len(names), "pointer")
    return Problem(
        seed,
        KIND,
        (("policy", policy), ("pointers", len(names))),
        say(KIND, "intro", pointers=pointers),
        code,
        (
            _returns_zero(calls, pointers),
            _returned(run, calls, j),
            _proxies(run, other, code, calls, j, policy),
        ),
    )


def _returns_zero(calls: tuple[str, ...], pointers: str) -> Question:
    section = f"{KIND}.returns_zero"
    return question(
        "returns_zero",
        say(section, "prompt"),
        calls[-1],
        choices=calls,
        hints=tuple(
            (
                call,
                say(section, "pitf_is_not_special")
                if call.startswith("pItf")
                else say(section, "no_count_of_its_own"),
            )
            for call in calls[:-1]
        ),
        explanation=say(
            section,
            "explanation",
            pointers=pointers,
            last=calls[-1],
            caveat=say("common", "one_count_caveat"),
        ),
    )


def _returned(run: Run, calls: tuple[str, ...], j: int) -> Question:
    section = f"{KIND}.returned"
    label = f"R{j}"
    returned = run.states[label].returned
    references = count(len(calls), "reference")
    return question(
        "returned",
        say(section, "prompt", label=label, call=calls[j - 1]),
        returned,
        hints=(
            (0, say(section, "zero")),
            (returned + 1, say(section, "not_yet_given_back", label=label)),
            (returned - 1, say(section, "one_short")),
        ),
        retry=say(section, "retry", references=references),
        explanation=say(
            section,
            "explanation",
            references=references,
            released=j,
            labels="R1" if j == 1 else f"R1..{label}",
            returned=returned,
            caveat=say("common", "returned_for_tests"),
        ),
    )


def _proxies(
    run: Run, other: Run, code: Program, calls: tuple[str, ...], j: int, policy: str
) -> Question:
    section = f"{KIND}.proxies"
    label, last = f"R{j}", f"R{len(calls)}"
    alive = run.states[label].proxies
    copies = len(code.steps_of(CopyProxy))
    local = (
        "local_two"
        if any(s.iid == "IUnknown" for s in code.steps_of(QueryInterface))
        else "local_one"
    )
    explanation = say(
        section,
        f"explanation_{policy}",
        copies=count(copies, "copy", "copies") if policy == "by-design" else alive - 1,
        last=last,
        local=say(section, local),
    )
    return question(
        "proxies",
        say(section, "prompt", label=label),
        alive,
        hints=(
            (0, say(section, "zero", last=last)),
            (other.states[label].proxies, say(section, f"other_policy_{policy}")),
            (alive - 1, say("common", "count_the_original")),
            (alive + 1, say(section, "local_counted")),
        ),
        retry=say(section, "retry"),
        explanation=explanation,
    )
