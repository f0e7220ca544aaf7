"""Kind 1, the count after step k: one pass of the KB's loop, statement by statement, after some
earlier passes. What is the proxy manager's reference count right after step k, and how many
interface proxies are alive?"""

from __future__ import annotations

import numpy as np

from ...model.text import count
from .problem import Problem, Question, draw_policy, other_policy, question
from .program import Comment, Create, Labelled, Loop, Program, kb_body
from .prose import say
from .run import State, run_program

KIND = "count-after-step"
EARLIER_PASSES = (0, 1, 2, 3, 5, 9)
STEPS = 4  # statements in one pass of the KB's loop


def program(passes: int, stop: int, copy_first: bool) -> Program:
    """pItf, ``passes`` earlier passes of the KB's loop, then one pass numbered 1-4 (the copy
    released before pCS if ``copy_first``), marked after step ``stop``."""
    this_pass = list(kb_body())
    if copy_first:
        this_pass[2], this_pass[3] = this_pass[3], this_pass[2]
    steps = [Create(note=say("code", "one_interface_proxy"))]
    if passes:
        steps.append(Loop(passes, kb_body(), note=say("code", "earlier_passes")))
    steps.append(Comment(say("code", "one_more_pass")))
    for k, step in enumerate(this_pass, start=1):
        note = say("code", "stop_here") if k == stop else ""
        steps.append(Labelled(str(k), step, note=note))
    return Program(tuple(steps))


def make(seed: int, rng: np.random.Generator) -> Problem:
    """A count-after-step problem drawn with ``rng``."""
    policy = draw_policy(rng)
    passes = int(rng.choice(EARLIER_PASSES))
    stop = int(rng.integers(1, STEPS + 1))
    copy_first = bool(rng.random() < 0.5)
    code = program(passes, stop, copy_first)
    after = run_program(code, policy).states[str(stop)]
    other = run_program(code, other_policy(policy)).states[str(stop)]
    ran = say(KIND, "ran", times=count(passes, "time")) if passes else say(KIND, "ran_none")
    return Problem(
        seed,
        KIND,
        (("policy", policy), ("earlier_passes", passes), ("step", stop)),
        say(KIND, "intro", ran=ran, step=stop),
        code,
        (_refcount(after, passes, stop), _proxies(after, other, policy, stop)),
    )


def _refcount(after: State, passes: int, stop: int) -> Question:
    section = f"{KIND}.refcount"
    refcount = after.refcount
    explanation = say(
        section,
        "explanation",
        holders=", ".join(after.holding),
        refcount=refcount,
        caveat=say("common", "one_count_caveat"),
    ) + (say(section, "earlier_copies") if passes else "")
    return question(
        "refcount",
        say(section, "prompt", step=stop),
        refcount,
        hints=(
            (refcount + after.copies_released, say(section, "kept_per_copy")),
            (0, say(section, "zero")),
            (refcount + 1, say(section, "released_still_counted")),
            (refcount - 1, say(section, "one_short")),
        ),
        retry=say(section, "retry"),
        explanation=explanation,
    )


def _proxies(after: State, other: State, policy: str, stop: int) -> Question:
    section = f"{KIND}.proxies"
    proxies = after.proxies
    return question(
        "proxies",
        say(section, "prompt", step=stop),
        proxies,
        hints=(
            (proxies - 1, say(section, "forgot_original")),
            (other.proxies, say(section, f"other_policy_{policy}")),
            (proxies + 1, say(section, "client_security_counted")),
        ),
        retry=say(section, "retry"),
        explanation=say(
            section, f"explanation_{policy}", copies=count(proxies - 1, "copy", "copies")
        ),
    )
