"""Kind 3, growth for a given loop: a loop and a size per copy *given in the problem*. How many
copies are alive at the end of the loop, and how much heap memory do they hold? The documented
mechanism only: copies held until the final release, times a size per copy; hypothesis H2's
transient buffers are switched off."""

from __future__ import annotations

import numpy as np

from ...model.params import PARAMETERS
from ...model.text import count, number
from .problem import Problem, Question, draw_policy, question
from .program import Create, Loop, Mark, Program, Release, strategy_body
from .prose import say
from .run import State, run_in_engine

KIND = "growth"
ITERATIONS = (1_000, 5_000, 20_001, 40_000)
# Sizes per copy given in growth problems. 2,048 B is left out on purpose: "2 KB × calls"
# (the KB's upper bound) must not pass by chance.
BYTES_PER_COPY_CHOICES = (1_024, 1_280, 1_536, 2_560, 3_072)
STRATEGY_CHANCES = {
    "copy-each-time": 0.35,
    "co-copy-proxy": 0.2,
    "cache-copy": 0.3,
    "no-copy": 0.15,
}
MAX_BLANKETS = 5
KIB = 1024
KIB_RELATIVE_TOLERANCE = 0.005
"""Held memory is right within 0.5% (rounding): a relative tolerance, so the problem's text
says "0.5%" and gives no hint of the answer's size."""


def program(strategy: str, iterations: int, blankets: int = 1) -> Program:
    """pItf, ``iterations`` passes of ``strategy``'s loop body, the end of the loop marked, and
    the final release."""
    return Program(
        (
            Create(),
            Mark("start"),
            Loop(iterations, strategy_body(strategy, blankets)),
            Mark("loop-end", note=say("code", "end_of_the_loop")),
            Release("pItf"),
        )
    )


def make(seed: int, rng: np.random.Generator) -> Problem:
    """A growth problem drawn with ``rng``."""
    names = list(STRATEGY_CHANCES)
    strategy = names[int(rng.choice(len(names), p=list(STRATEGY_CHANCES.values())))]
    policy = draw_policy(rng)
    if strategy in ("cache-copy", "no-copy"):
        policy = "by-design"  # the policy changes nothing there: keep the problem about one thing
    n = int(rng.choice(ITERATIONS))
    size = int(rng.choice(BYTES_PER_COPY_CHOICES))
    k = int(rng.integers(2, MAX_BLANKETS + 1)) if strategy == "cache-copy" else 1
    code = program(strategy, n, k)
    states = run_in_engine(code, policy, interface_proxy_bytes=size, transient_bytes_per_call=0)
    start, end = states["start"], states["loop-end"]
    copies = end.proxies - 1
    settings = (
        ("strategy", strategy),
        ("policy", policy),
        ("iterations", n),
        ("bytes_per_copy", size),
    ) + ((("blankets", k),) if strategy == "cache-copy" else ())
    made = {"no-copy": 0, "cache-copy": k}.get(strategy, n)
    return Problem(
        seed,
        KIND,
        settings,
        say(KIND, "intro", strategy=strategy, size=number(size, "bytes")),
        code,
        (
            _copies(copies, strategy, policy, n),
            _held(copies, size, made, policy, start, end),
        ),
    )


def _copies(copies: int, strategy: str, policy: str, n: int) -> Question:
    section = f"{KIND}.copies"
    if strategy in ("no-copy", "cache-copy"):
        why = say(section, f"explanation_{strategy}", copies=copies)
    else:
        why = say(section, f"explanation_{policy}", copies=number(copies))
    return question(
        "copies",
        say(section, "prompt"),
        copies,
        hints=(
            (copies + 1, say(section, "counted_original")),
            (0, say(section, "zero")),
            (n if policy == "free-on-release" else 0, say(section, f"other_policy_{policy}")),
            (
                n,
                say(section, "every_call_cache-copy")
                if strategy == "cache-copy"
                else say(section, "every_call"),
            ),
        ),
        retry=say(section, "retry"),
        explanation=why,
    )


def _held(copies: int, size: int, made: int, policy: str, start: State, end: State) -> Question:
    section = f"{KIND}.held_kib"
    held_kib = copies * size / KIB
    private_kib = (end.private_bytes - start.private_bytes) / KIB
    made_not_alive = "free-on-release" if policy == "free-on-release" else "cache"
    return question(
        "held_kib",
        say(section, "prompt"),
        held_kib,
        unit="KiB",
        tolerance=KIB_RELATIVE_TOLERANCE,
        relative=True,
        hints=(
            (0.0, say(section, "zero")),
            (2 * made, say(section, "kb_two_kilobytes", size=number(size, "B"))),
            (made * size / KIB, say(section, f"made_not_alive_{made_not_alive}")),
            ((copies + 1) * size / KIB, say(section, "counted_original")),
            (copies * size / 1000, say(section, "thousand")),
            (held_kib * KIB, say(section, "bytes")),
            (held_kib / KIB, say(section, "mebibytes")),
        ),
        retry=say(section, "retry"),
        explanation=say(
            section,
            "explanation",
            copies=count(copies, "copy", "copies"),
            size=number(size, "B"),
            bytes=number(copies * size, "B"),
            kib=number(held_kib, "KiB", digits=2),
            pages=_pages(private_kib, held_kib),
            private=number(round(private_kib), "KiB"),
        ),
    )


def _pages(private_kib: float, held_kib: float) -> str:
    """Why private bytes grew by more, less or the same as the copies hold."""
    section = f"{KIND}.held_kib"
    page = number(PARAMETERS["page_bytes"].value // KIB, "KiB")
    if private_kib > held_kib:
        return say(section, "pages_more", page=page)
    if private_kib < held_kib:
        return say(section, "pages_less", page=page)
    return say(section, "pages_same")
