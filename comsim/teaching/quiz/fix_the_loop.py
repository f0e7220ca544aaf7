"""Kind 4, fix this loop: a program's security needs and the KB's leaking loop. Which fix fits
-- one cached copy per setting, a blanket on the original, or process-wide defaults -- and how
many interface proxies does the fixed program leave alive?"""

from __future__ import annotations

import numpy as np

from ...model.text import count, number
from .growth import ITERATIONS
from .problem import Problem, Question, question
from .program import (
    Call,
    CoInitializeSecurity,
    CopyProxy,
    CoSetProxyBlanket,
    Create,
    Loop,
    Mark,
    Program,
    QueryInterface,
    Release,
    SetBlanket,
    strategy_body,
)
from .prose import say, table
from .run import run_program

KIND = "fix-the-loop"
MAX_SETTINGS = 5
FIXES = table(f"{KIND}.fixes")
"""The choices of a fix-the-loop problem, by key: each fix as the learner reads it."""


def leaking_program(n: int, settings: int) -> Program:
    """What the program does today: the KB's loop, with the blanket each call needs set on
    the copy."""
    body = (
        QueryInterface("pCS"),
        CopyProxy(),
        SetBlanket(settings=settings, note=say("code", "setting_of_this_call")),
        Release("pCS"),
        Release("pCopy"),
    )
    return Program((Create(), Loop(n, body)))


def fixed_program(fix: str, n: int, settings: int) -> Program:
    """The program with ``fix`` applied, marked at the end of its loop."""
    if fix == "cache":
        steps = (Create(), Loop(n, strategy_body("cache-copy", settings)))
    elif fix == "set-on-original":
        steps = (Create(), CoSetProxyBlanket("pItf"), Loop(n, (Call("pItf"),)))
    else:  # process-wide
        steps = (CoInitializeSecurity(), Create(), Loop(n, (Call("pItf"),)))
    return Program((*steps, Mark("loop-end")))


def make(seed: int, rng: np.random.Generator) -> Problem:
    """A fix-the-loop problem drawn with ``rng``."""
    pick = float(rng.random())
    fix = "cache" if pick < 0.5 else ("set-on-original" if pick < 0.75 else "process-wide")
    m = int(rng.integers(2, MAX_SETTINGS + 1)) if fix == "cache" else 1
    n = int(rng.choice(ITERATIONS))
    proxies = run_program(fixed_program(fix, n, m)).states["loop-end"].proxies
    return Problem(
        seed,
        KIND,
        (("iterations", n), ("settings_used", m)),
        say(KIND, f"intro_{fix}", settings=m),
        leaking_program(n, m),
        (_fix(fix, n, m), _proxies(fix, proxies, n, m)),
    )


def _fix(fix: str, n: int, m: int) -> Question:
    section = f"{KIND}.fix"
    diagnoses = {
        "copy-each-time": say(section, "kb_loop", iterations=number(n)),
        **{
            other: say(section, f"{other}_for_{fix}")
            for other in ("cache", "set-on-original", "process-wide")
            if other != fix
        },
    }
    return question(
        "fix",
        say(section, "prompt"),
        FIXES[fix],
        choices=tuple(FIXES.values()),
        hints=tuple((FIXES[key], diagnoses[key]) for key in FIXES if key != fix),
        explanation=say(section, f"explanation_{fix}", settings=m),
    )


def _proxies(fix: str, proxies: int, n: int, m: int) -> Question:
    section = f"{KIND}.proxies"
    cache = fix == "cache"
    return question(
        "proxies",
        say(section, "prompt", iterations=number(n)),
        proxies,
        hints=(
            (n + 1, say(section, "kb_loop")),
            (proxies - 1, say("common", "count_the_original")),
            (2, say(section, "two_cache", settings=m) if cache else say(section, "two_no_copy")),
        ),
        retry=say(section, "retry"),
        explanation=(
            say(
                section,
                "explanation_cache",
                copies=count(proxies - 1, "cached copy", "cached copies"),
                proxies=proxies,
            )
            if cache
            else say(section, "explanation_no_copy")
        ),
    )
