"""Seeded exercises in the spirit of the OSTEP homework simulators.

A seed gives a fresh problem: the seed draws the *kind* of question as well as the program.
The kinds (:data:`KINDS`):

``count-after-step``
    One pass of the KB's loop, statement by statement, after some earlier passes: the proxy
    manager's reference count and the interface proxies alive right after step k.
``which-release``
    A client holds several pointers to one remote object and releases them in some order:
    which Release returns 0, what an earlier Release returns, and how many interface proxies
    are still alive at that point (before the final release, so rarely 0).
``growth``
    A loop and a size per copy *given in the problem*: copies alive at the end of the loop and
    the heap memory they hold (the documented mechanism: copies held until the final release,
    times a size per copy; hypothesis H2's transient buffers are switched off).
``fix-the-loop``
    A program's security needs: which fix to use (one cached copy per setting, a blanket on the
    original, or process-wide defaults) and how many interface proxies it leaves alive.

Every answer is computed by running the program in comsim, never written down by hand. In a
notebook::

    problem = quiz.make_problem(7)
    print(quiz.problem_text(problem))           # the questions, with ? where answers go
    quiz.predictions(problem)                   # one checker (comsim.predict) per question
    quiz.check(problem, refcount=..., proxies=...)   # the same checks, as a function
    quiz.reveal(problem)                        # the answers and why, folded until clicked

From a shell: ``python -m comsim quiz --seed 7`` prints the problem, ``--answers`` fills it in
and adds the reasoning.

The coding exercise: :func:`check_cache` runs a learner's per-blanket cache through a loop with
several blankets and says whether copies, reference counts and memory behave.
"""

from __future__ import annotations

import html
import inspect
import math
import numbers
import textwrap
from dataclasses import dataclass

import numpy as np

from ..engines.runs import PHASES
from ..engines.scenarios import simulate
from ..model.com import InterfacePointer
from ..model.errors import COMError
from ..model.params import PARAMETERS
from ..model.process import Process
from ..model.strategies import LoopBody, blanket_for

KINDS = ("count-after-step", "which-release", "growth", "fix-the-loop")
"""The kinds of question a seed can draw, each equally likely."""

KIND_TITLES = {
    "count-after-step": "the count after step k",
    "which-release": "which Release returns 0",
    "growth": "growth for a given loop",
    "fix-the-loop": "fix this loop",
}
FREE_ON_RELEASE_CHANCE = 0.2  # now and then: the counterfactual the KB's reader expected
EARLIER_PASSES = (0, 1, 2, 3, 5, 9)
GROWTH_ITERATIONS = (1_000, 5_000, 20_001, 40_000)
# Sizes per copy given in growth problems. 2,048 B is left out on purpose: "2 KB × calls"
# (the KB's upper bound) must not pass by chance.
BYTES_PER_COPY_CHOICES = (1_024, 1_280, 1_536, 2_560, 3_072)
GROWTH_STRATEGIES = {
    "copy-each-time": 0.35,
    "co-copy-proxy": 0.2,
    "cache-copy": 0.3,
    "no-copy": 0.15,
}
MAX_BLANKETS = 5
KIB_RELATIVE_TOLERANCE = 0.005  # held memory: within 0.5 % (rounding), ...
KIB_ABSOLUTE_TOLERANCE = 0.25  # ... or a quarter KiB for small answers

FIXES = {
    "cache": "cache one copy per setting",
    "set-on-original": "CoSetProxyBlanket on the original pointer",
    "process-wide": "CoInitializeSecurity once at startup",
    "copy-each-time": "CopyProxy on every call, then Release",
}
"""The choices of a fix-the-loop problem."""

ONE_COUNT_CAVEAT = (
    "(One count is how the proxy manager is built, as the KB describes it; a client still "
    "counts per interface pointer and may not rely on it.)"
)
POLICY_TEXT = {
    "by-design": "by-design (what Windows does, as the KB describes it)",
    "free-on-release": (
        "free-on-release (a counterfactual COM that frees each copy at its own last "
        "Release; not what Windows does)"
    ),
}
KB_LOOP = (
    "pItf->QueryInterface(IID_IClientSecurity, (void**)&pCS);",
    "pCS->CopyProxy(pItf, (IUnknown**)&pCopy);",
    "pCS->Release();",
    "pCopy->Release();",
)
LOOP_BODIES = {
    "copy-each-time": KB_LOOP,
    "co-copy-proxy": ("CoCopyProxy(pItf, (IUnknown**)&pCopy);", "pCopy->Release();"),
    "cache-copy": (
        "// setting s = i % {k}; the first time s is needed: QueryInterface for",
        "// IClientSecurity, CopyProxy, SetBlanket(s), pCS->Release(), and keep the",
        "// copy (with its one reference) in cache[s] until after the loop",
        "pCopy = cache[i % {k}];",
    ),
    "no-copy": (
        "pItf->QueryInterface(IID_IClientSecurity, (void**)&pCS);",
        "pCS->Release();",
    ),
}


def _value(name: str):
    return PARAMETERS[name].value


# -- problems --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Question:
    """One question of a problem: what is asked, the exact answer (computed by comsim), how
    close counts as right, typical wrong answers with what each one reveals, and the reasoning
    shown with the answer."""

    name: str  # the answer's name, as check() and the printed problem spell it
    prompt: str
    answer: int | float | str
    unit: str = ""
    tolerance: float = 0.0  # absolute, in ``unit``
    choices: tuple[str, ...] | None = None
    hints: tuple[tuple[object, str], ...] = ()  # (typical wrong answer, diagnosis)
    generic_hint: str = ""  # for a wrong answer no hint foresaw
    reason: str = ""  # why the answer is what it is

    @property
    def whole(self) -> bool:
        """True when the answer is a count (a whole number)."""
        return isinstance(self.answer, int)

    def is_right(self, value: object) -> bool:
        if self.choices is not None:
            return _same_text(value, self.answer)
        return abs(float(value) - self.answer) <= self.tolerance

    def hint_for(self, value: object) -> str | None:
        """The diagnosis of a wrong answer a hint foresaw, else None."""
        for wrong, diagnosis in self.hints:
            if self.choices is not None:
                if _same_text(value, wrong):
                    return diagnosis
            elif abs(float(value) - float(wrong)) <= self.tolerance:
                return diagnosis
        return None

    def shown(self, value: object | None = None) -> str:
        value = self.answer if value is None else value
        if self.choices is not None:
            return str(value)
        if self.whole:
            return f"{int(value):,}"
        return f"{value:,.2f}"


@dataclass(frozen=True)
class Problem:
    """One seeded exercise: its kind, the program, and its questions with their exact answers.
    ``text`` is the problem as printed, with ``?`` where answers go."""

    seed: int
    kind: str
    settings: tuple[tuple[str, object], ...]  # what the seed drew, e.g. ("policy", "by-design")
    intro: str
    program: str
    questions: tuple[Question, ...]

    @property
    def text(self) -> str:
        return _render(self, answers=False)

    @property
    def answers(self) -> dict[str, int | float | str]:
        """The exact answers, by name."""
        return {q.name: q.answer for q in self.questions}

    @property
    def names(self) -> tuple[str, ...]:
        """The answers' names, in the order the problem asks them."""
        return tuple(q.name for q in self.questions)

    def setting(self, name: str) -> object:
        for key, value in self.settings:
            if key == name:
                return value
        raise KeyError(f"problem {self.seed} has no setting {name!r}")

    def question(self, name: str) -> Question:
        for q in self.questions:
            if q.name == name:
                return q
        raise KeyError(f"problem {self.seed} asks no {name!r}; it asks {', '.join(self.names)}")


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int >= 0; got {seed!r} ({type(seed).__name__})")
    if seed < 0:
        raise ValueError(f"seed must be an int >= 0; got {seed!r}")
    return int(seed)


def make_problem(seed: int, kind: str | None = None) -> Problem:
    """A fresh problem for ``seed`` (an int >= 0); the same seed always gives the same one.
    The seed draws the kind too, unless ``kind`` (one of :data:`KINDS`) asks for one."""
    seed = _check_seed(seed)
    rng = np.random.default_rng(seed)
    drawn = KINDS[int(rng.integers(len(KINDS)))]
    if kind is None:
        kind = drawn
    elif not isinstance(kind, str) or kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS} or None; got {kind!r}")
    intro, program, settings, questions = _MAKERS[kind](rng)
    questions = tuple(_clean(q) for q in questions)
    return Problem(seed, kind, settings, intro, program, questions)


def _clean(q: Question) -> Question:
    """Drop hints that would be right (a wrong answer that coincides with the answer for this
    seed) and repeated ones: the first diagnosis of a value wins."""
    kept: list[tuple[object, str]] = []
    for wrong, diagnosis in q.hints:
        if q.is_right(wrong) or any(_same_hint(q, wrong, seen) for seen, _ in kept):
            continue
        if q.choices is None and (not math.isfinite(float(wrong)) or float(wrong) < 0):
            continue
        kept.append((wrong, diagnosis))
    return Question(**{**q.__dict__, "hints": tuple(kept)})


def _same_hint(q: Question, a: object, b: object) -> bool:
    if q.choices is not None:
        return _same_text(a, b)
    return abs(float(a) - float(b)) <= q.tolerance


def _same_text(a: object, b: object) -> bool:
    return str(a).strip().casefold() == str(b).strip().casefold()


def _settings_lines(settings: tuple[tuple[str, object], ...]) -> str:
    width = max(len(k) for k, _ in settings)
    lines = []
    for key, value in settings:
        if key == "policy":
            value = POLICY_TEXT[value]
        elif isinstance(value, int) and not isinstance(value, bool):
            value = f"{value:,}"
        lines.append(f"  {key:<{width}}  {value}")
    return "\n".join(lines)


def _render(problem: Problem, answers: bool) -> str:
    lines = [
        f"comsim quiz, problem {problem.seed} ({KIND_TITLES[problem.kind]})",
        "",
        textwrap.fill(problem.intro, 88),
        "",
        problem.program,
        "",
        _settings_lines(problem.settings),
        "",
        "Questions:",
    ]
    for q in problem.questions:
        lines.append(f"  {q.prompt}")
        if answers:
            lines.append(f"      {q.name} = {q.shown()}" + (f" {q.unit}" if q.unit else ""))
        else:
            lines.append(f"      {q.name} = ?" + (f" ({q.unit})" if q.unit else ""))
        if q.choices is not None:
            lines.append("      choose one of: " + " | ".join(q.choices))
        elif not q.whole and not answers:
            lines.append(f"      (right if within {q.tolerance:,.2f} {q.unit})")
    if answers:
        lines += ["", "Why:"]
        for q in problem.questions:
            lines.append(
                textwrap.fill(
                    f"{q.name} = {q.shown()}: {q.reason}",
                    88,
                    initial_indent="  - ",
                    subsequent_indent="    ",
                )
            )
    return "\n".join(lines)


def problem_text(problem: Problem, answers: bool = False) -> str:
    """The problem as printed text; with ``answers=True`` every ``?`` is filled in and the
    reasoning behind each answer follows (what the notebook's reveal shows)."""
    _check_problem(problem)
    return _render(problem, answers=bool(answers))


def _check_problem(problem: object) -> None:
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a Problem from make_problem(seed); got {problem!r}")


# -- kind 1: the count after step k --------------------------------------------------------------
def _count_after_step(rng) -> tuple:
    policy = "free-on-release" if rng.random() < FREE_ON_RELEASE_CHANCE else "by-design"
    passes = int(rng.choice(EARLIER_PASSES))
    step = int(rng.integers(1, 5))
    copy_first = bool(rng.random() < 0.5)
    steps = list(KB_LOOP)
    if copy_first:
        steps[2], steps[3] = steps[3], steps[2]

    def run(policy: str) -> tuple[int, int]:
        proc = Process(policy=policy)
        pItf = proc.CoCreateInstanceEx("SimpleObject", "IStream")
        body = LoopBody("copy-each-time", 1)
        for i in range(passes):
            body.iteration(i, pItf)
        held = {}
        for k in range(1, step + 1):
            line = steps[k - 1]
            if line.startswith("pItf->QueryInterface"):
                held["pCS"] = pItf.QueryInterface("IClientSecurity")
            elif "CopyProxy" in line:
                held["pCopy"] = held["pCS"].CopyProxy(pItf)
            else:
                held[line.split("->")[0]].Release()
        return pItf.proxy_manager.refcount, proc.interface_proxy_count

    refcount, proxies = run(policy)
    other_proxies = run("free-on-release" if policy == "by-design" else "by-design")[1]
    copies_released = passes + (1 if "pCopy->Release();" in steps[:step] else 0)
    loop = ""
    if passes:
        body = "\n".join("        " + line for line in KB_LOOP)
        loop = f"    for (i = 0; i < {passes}; i++) {{   // earlier passes\n{body}\n    }}\n"
    numbered = "\n".join(
        f"    /* {k} */ {line}" + ("    <-- right after this step" if k == step else "")
        for k, line in enumerate(steps, start=1)
    )
    program = (
        '    pItf = CoCreateInstanceEx("SimpleObject", IID_IStream);   // one interface proxy\n'
        f"{loop}"
        f"    // one more pass, statement by statement:\n{numbered}"
    )
    ran = (
        f"It has run the KB's loop {passes} time{'s' if passes > 1 else ''} and now runs one "
        "more pass"
        if passes
        else "It now runs the KB's loop body once"
    )
    intro = (
        f"A client holds pItf, a proxy for a remote object's IStream. {ran}, one statement "
        f"at a time. Stop right after step {step}."
    )
    settings = (("policy", policy), ("earlier_passes", passes), ("step", step))
    released = [line.split("->")[0] for line in steps[:step] if line.endswith("Release();")]
    holders = ["pItf"] + [
        name for name in ("pCS", "pCopy") if any(name in line for line in steps[:step])
    ]
    holders = [h for h in holders if h not in released]
    why_ref = (
        f"one count for the whole proxy manager; the pointers holding a reference now are "
        f"{', '.join(holders)} (QueryInterface and CopyProxy each AddRef it, every Release "
        f"gives one back at once), so {refcount}. "
        + ONE_COUNT_CAVEAT
        + (
            " Copies from earlier passes hold none: each pCopy->Release() gave its reference "
            "back in its own pass."
            if passes
            else ""
        )
    )
    if policy == "by-design":
        why_prox = (
            f"the original + every copy made so far ({proxies - 1}): Release on a copy lands "
            "on the proxy manager, which frees interface proxies only at its own final "
            "release (KB). IClientSecurity is answered by the proxy manager itself: no "
            "interface proxy."
        )
    else:
        why_prox = (
            "under the counterfactual free-on-release each copy goes at its own last Release: "
            f"the original + the copies not yet released ({proxies - 1})."
        )
    q_ref = Question(
        "refcount",
        f"the proxy manager's reference count right after step {step}",
        refcount,
        hints=(
            (
                refcount + copies_released,
                "each copy's reference was given back by its own pCopy->Release(): the count "
                "fell back although the copy stayed. Memory and the count part ways here.",
            ),
            (
                0,
                "pItf still holds its reference: the count reaches 0 only at pItf->Release() "
                "after the loop, the final release.",
            ),
            (
                refcount + 1,
                "a Release gives its reference back at once: a pointer that was released "
                "holds nothing now.",
            ),
            (
                refcount - 1,
                "count every pointer that still holds a reference: pItf's own, plus pCS and "
                "pCopy until their Release (QueryInterface and CopyProxy each AddRef the "
                "proxy manager).",
            ),
        ),
        generic_hint=(
            "one proxy manager, one count: add one for each pointer still holding a "
            "reference right after this step."
        ),
        reason=why_ref,
    )
    q_prox = Question(
        "proxies",
        f"interface proxies alive right after step {step} (count the original)",
        proxies,
        hints=(
            (
                proxies - 1,
                "count the original interface proxy too: CoCreateInstanceEx made it and pItf "
                "holds it.",
            ),
            (
                other_proxies,
                (
                    "Release on a copy does not free it: by design the proxy manager keeps "
                    "every interface proxy until its own final release (KB)."
                )
                if policy == "by-design"
                else (
                    "this problem runs the counterfactual free-on-release: each copy is freed "
                    "at its own last Release."
                ),
            ),
            (
                proxies + 1,
                "IClientSecurity (pCS) is not an interface proxy: the proxy manager answers "
                "it itself, with no allocation.",
            ),
        ),
        generic_hint="count the original, plus every copy the proxy manager still holds.",
        reason=why_prox,
    )
    return intro, program, settings, (q_ref, q_prox)


# -- kind 2: which Release returns 0 -------------------------------------------------------------
_ACQUIRE = {
    "pCS": "pItf->QueryInterface(IID_IClientSecurity, (void**)&pCS);",
    "pCopy": "pCS->CopyProxy(pItf, (IUnknown**)&pCopy);",
    "pCopy2": "pCS->CopyProxy(pItf, (IUnknown**)&pCopy2);   // a second setting",
    "pUnk": "pItf->QueryInterface(IID_IUnknown, (void**)&pUnk);",
}


def _which_release(rng) -> tuple:
    policy = "free-on-release" if rng.random() < FREE_ON_RELEASE_CHANCE else "by-design"
    names = ["pItf", "pCS", "pCopy"]
    if rng.random() < 0.5:
        names.append("pCopy2")
    if rng.random() < 0.5:
        names.append("pUnk")
    order = [names[int(i)] for i in rng.permutation(len(names))]
    j = int(rng.integers(1, len(order)))  # an earlier Release, never the last

    proc = Process(policy=policy)
    held = {"pItf": proc.CoCreateInstanceEx("SimpleObject", "IStream")}
    held["pCS"] = held["pItf"].QueryInterface("IClientSecurity")
    held["pCopy"] = held["pCS"].CopyProxy(held["pItf"])
    if "pCopy2" in names:
        held["pCopy2"] = held["pCS"].CopyProxy(held["pItf"])
    if "pUnk" in names:
        held["pUnk"] = held["pItf"].QueryInterface("IUnknown")
    returned, alive = [], []
    for name in order:
        returned.append(held[name].Release())
        alive.append(proc.interface_proxy_count)
    lines = [f"{name}->Release()" for name in order]
    acquire = "\n".join(
        f"    {_ACQUIRE[n]}" for n in ("pCS", "pCopy", "pCopy2", "pUnk") if n in names
    )
    releases = "\n".join(f"    /* R{k} */ {line};" for k, line in enumerate(lines, start=1))
    program = (
        '    pItf = CoCreateInstanceEx("SimpleObject", IID_IStream);\n'
        f"{acquire}\n    // ... calls through the pointers ...\n{releases}"
    )
    intro = (
        f"A client gets {len(names)} pointers to one remote object and later releases each "
        "once, in the order R1, R2, ... below. Every pointer holds the one reference it got."
    )
    settings = (("policy", policy), ("pointers", len(names)))
    copies = sum(1 for n in names if n.startswith("pCopy"))
    copies_released_by_j = sum(1 for n in order[:j] if n.startswith("pCopy"))
    q_zero = Question(
        "returns_zero",
        "which Release returns 0 (the proxy manager's final release)?",
        lines[-1],
        choices=tuple(lines),
        hints=tuple(
            (
                line,
                "pItf is not special: every pointer's references land on the proxy manager's "
                "one count, so the Release that returns 0 is the last one, whatever the "
                "pointer."
                if line.startswith("pItf")
                else "a copy or a local interface has no count of its own: its Release lands "
                "on the proxy manager's one count, which reaches 0 only at the last Release.",
            )
            for line in lines[:-1]
        ),
        reason=(
            f"{len(names)} pointers, one reference each, all on the proxy manager's single "
            "count: each Release returns the count left, and only the last one, "
            f"{lines[-1]}, returns 0, whichever pointer it is on. " + ONE_COUNT_CAVEAT
        ),
    )
    q_ret = Question(
        "returned",
        f"what R{j} ({lines[j - 1]}) returns",
        returned[j - 1],
        hints=(
            (
                0,
                "Release returns the proxy manager's one count, not a count per pointer: it "
                "reaches 0 only at the last Release.",
            ),
            (returned[j - 1] + 1, f"R{j} itself gave one reference back before returning."),
            (returned[j - 1] - 1, "count the pointers not yet released: each holds one reference."),
        ),
        generic_hint=f"{len(names)} references in all, one given back by each Release so far.",
        reason=(
            f"{len(names)} references, minus the {j} given back by "
            f"{'R1' if j == 1 else f'R1..R{j}'}: "
            f"{returned[j - 1]} (Release returns the proxy manager's count)."
        ),
    )
    by_design_alive = 1 + copies
    freed_alive = 1 + copies - copies_released_by_j
    if policy == "by-design":
        why_alive = (
            f"the original + {copies} cop{'ies' if copies > 1 else 'y'}: by design no interface "
            "proxy is freed before the proxy manager's final release, and that comes only at "
            f"R{len(lines)}. "
            + (
                "pCS and pUnk are the proxy manager's own interfaces, not proxies."
                if "pUnk" in names
                else "pCS is the proxy manager's own interface, not a proxy."
            )
        )
        other, diagnosis = (
            freed_alive,
            "a released copy is not freed: the proxy manager keeps it until its own final "
            "release (KB).",
        )
    else:
        why_alive = (
            "under the counterfactual free-on-release a copy goes at its own last Release: "
            f"the original + the copies not yet released ({alive[j - 1] - 1})."
        )
        other, diagnosis = (
            by_design_alive,
            "this problem runs the counterfactual free-on-release: a released copy is freed "
            "at once.",
        )
    q_alive = Question(
        "proxies",
        f"interface proxies alive right after R{j} (count the original)",
        alive[j - 1],
        hints=(
            (
                0,
                f"the final release has not happened yet (it is R{len(lines)}): the proxy "
                "manager still holds its interface proxies.",
            ),
            (other, diagnosis),
            (alive[j - 1] - 1, "count the original interface proxy too: pItf's."),
            (
                alive[j - 1] + 1,
                "IClientSecurity and IUnknown are answered by the proxy manager itself: they "
                "are no interface proxies.",
            ),
        ),
        generic_hint="count the original plus the copies the proxy manager still holds.",
        reason=why_alive,
    )
    return intro, program, settings, (q_zero, q_ret, q_alive)


# -- kind 3: growth for a given loop -------------------------------------------------------------
def _loop_end_row(trace) -> int:
    phase = trace.arrays.phase
    return int(np.flatnonzero(phase == PHASES.index("final-release"))[0]) - 1


def _growth(rng) -> tuple:
    names = list(GROWTH_STRATEGIES)
    strategy = names[int(rng.choice(len(names), p=list(GROWTH_STRATEGIES.values())))]
    policy = "free-on-release" if rng.random() < FREE_ON_RELEASE_CHANCE else "by-design"
    if strategy in ("cache-copy", "no-copy"):
        policy = "by-design"  # the policy changes nothing there: keep the problem about one thing
    n = int(rng.choice(GROWTH_ITERATIONS))
    size = int(rng.choice(BYTES_PER_COPY_CHOICES))
    k = int(rng.integers(2, MAX_BLANKETS + 1)) if strategy == "cache-copy" else 1
    # The documented mechanism only: each copy holds `size` bytes; H2's buffers off.
    trace = simulate(
        n, 1.0, strategy, policy, blankets=k, interface_proxy_bytes=size, transient_bytes_per_call=0
    )
    row = _loop_end_row(trace)
    copies = int(trace.arrays.interface_proxies[row]) - 1
    held_kib = copies * size / 1024
    private_kib = (int(trace.arrays.private_bytes[row]) - int(trace.arrays.private_bytes[0])) / 1024
    made = {"no-copy": 0, "cache-copy": k}.get(strategy, n)
    body = "\n".join("        " + line.format(k=k) for line in LOOP_BODIES[strategy])
    program = (
        '    pItf = CoCreateInstanceEx("SimpleObject", IID_IStream);\n'
        f"    for (i = 0; i < {n}; i++) {{\n{body}\n    }}\n"
        "    // <-- the end of the loop\n"
        "    pItf->Release();"
    )
    intro = (
        f"A client runs this loop ({strategy}). In this problem each interface proxy, "
        f"original or copy, holds {size:,} bytes on the heap until it is freed (a size given "
        "for the exercise, not a measured one). Hypothesis H2's transient buffers are "
        "switched off: only copies count."
    )
    settings = (
        ("strategy", strategy),
        ("policy", policy),
        ("iterations", n),
        ("bytes_per_copy", size),
    )
    if strategy == "cache-copy":
        settings += (("blankets", k),)
    tol = max(KIB_RELATIVE_TOLERANCE * held_kib, KIB_ABSOLUTE_TOLERANCE)
    if strategy == "no-copy":
        why_copies = "no CopyProxy at all, and IClientSecurity is no interface proxy: 0"
    elif strategy == "cache-copy":
        why_copies = f"one copy per security setting, made once and kept by the cache: {k}"
    elif policy == "free-on-release":
        why_copies = (
            "under the counterfactual free-on-release each copy goes at its own last Release: 0"
        )
    else:
        why_copies = (
            f"all {n:,} copies: pCopy->Release() lands on the proxy manager, which frees "
            "interface proxies only at its own final release (KB)"
        )
    page_kib = _value("page_bytes") // 1024
    if private_kib > held_kib:
        pages = (
            f"Private bytes move in whole {page_kib} KiB pages, plus a little heap "
            "bookkeeping, so they grow a little more"
        )
    elif private_kib < held_kib:
        pages = (
            f"Private bytes move in whole {page_kib} KiB pages, and the heap's pages already "
            "committed had room for these copies, so they grow less"
        )
    else:
        pages = "Private bytes grow by the same"
    why_held = (
        f"{copies:,} cop{'y' if copies == 1 else 'ies'} × {size:,} B = {copies * size:,} B "
        f"= {held_kib:,.2f} KiB (1 KiB = 1,024 B). The original is not growth: it existed "
        f"before the loop. {pages}: the simulation shows {private_kib:,.0f} KiB."
    )
    wrong_policy_copies = n if policy == "free-on-release" else 0
    q_copies = Question(
        "copies",
        "copies alive at the end of the loop (do not count the original)",
        copies,
        hints=(
            (copies + 1, "count the copies only: the original is pItf's, made before the loop."),
            (
                0,
                "pCopy->Release() does not free the copy: by design the proxy manager keeps "
                "every interface proxy until its own final release (KB).",
            ),
            (
                wrong_policy_copies,
                "this problem runs the counterfactual free-on-release: each copy goes at its "
                "own last Release."
                if policy == "free-on-release"
                else "no copy is freed before the final release in this problem.",
            ),
            (
                n,
                "the cache makes a copy only the first time a setting is needed and then reuses it."
                if strategy == "cache-copy"
                else "this loop never calls CopyProxy: QueryInterface for IClientSecurity is "
                "answered by the proxy manager itself.",
            ),
        ),
        generic_hint="how many CopyProxy calls does the loop make, and which copies are freed?",
        reason=why_copies + ".",
    )
    q_held = Question(
        "held_kib",
        "heap memory the copies hold at the end of the loop, in KiB",
        held_kib,
        unit="KiB",
        tolerance=tol,
        hints=(
            (
                0.0,
                "the copies' memory does not come back at pCopy->Release(): each copy keeps "
                "its bytes until the proxy manager's final release (KB).",
            ),
            (
                2 * made,
                f"this problem gives its own size per copy, {size:,} B; the KB's 'as much as 2 "
                "KB per call' is an upper bound for its own program, not this problem's size.",
            ),
            (
                made * size / 1024,
                "count only the copies still alive at the end of the loop: "
                + (
                    "under free-on-release each copy is freed at its own last Release."
                    if policy == "free-on-release"
                    else "the cache makes one copy per setting and reuses it."
                ),
            ),
            ((copies + 1) * size / 1024, "the original is not growth: it existed before the loop."),
            (copies * size / 1000, "1 KiB is 1,024 bytes, not 1,000."),
            (held_kib * 1024, "that looks like bytes: the answer is in KiB (1 KiB = 1,024 B)."),
            (held_kib / 1024, "that looks like MiB: the answer is in KiB (1 MiB = 1,024 KiB)."),
        ),
        generic_hint="copies alive × bytes per copy, divided by 1,024 for KiB.",
        reason=why_held,
    )
    return intro, program, settings, (q_copies, q_held)


# -- kind 4: fix this loop -----------------------------------------------------------------------
_FIX_SCENARIOS = {
    "cache": (
        "A service calls one remote object through pItf for {m} kinds of request. Each kind "
        "needs its own security setting (for example its own principal), and calls of the "
        "different kinds interleave, from several threads. Today it copies the proxy on every "
        "call (the KB's loop) and leaks."
    ),
    "set-on-original": (
        "A client calls one remote object through pItf. Every call through pItf, from every "
        "part of the program, needs the same setting (packet privacy), while the client's other "
        "remote objects must keep the process default. Today it copies the proxy on every call, "
        "sets the copy's blanket, and leaks."
    ),
    "process-wide": (
        "A small client decides at startup, before it creates any remote object, that every "
        "proxy in the process, to every object, should use packet privacy. Today it copies each "
        "proxy on every call, sets the copy's blanket, and leaks."
    ),
}


def _fix_the_loop(rng) -> tuple:
    pick = float(rng.random())
    scenario = "cache" if pick < 0.5 else ("set-on-original" if pick < 0.75 else "process-wide")
    m = int(rng.integers(2, MAX_BLANKETS + 1)) if scenario == "cache" else 1
    n = int(rng.choice(GROWTH_ITERATIONS))
    if scenario == "cache":
        trace = simulate(n, 1.0, "cache-copy", "by-design", blankets=m)
        proxies = int(trace.arrays.interface_proxies[_loop_end_row(trace)])
    else:
        proc = Process()
        pItf = proc.CoCreateInstanceEx("SimpleObject", "IStream")
        if scenario == "set-on-original":
            proc.CoSetProxyBlanket(pItf, **blanket_for(0))
        proxies = proc.interface_proxy_count  # every call then goes through pItf: no copy
    choices = tuple(FIXES.values())
    right = FIXES[scenario]
    diagnoses = {
        "copy-each-time": (
            f"that is the KB's loop itself: each of the {n:,} copies stays until the proxy "
            "manager's final release."
        ),
        "set-on-original": (
            "one blanket on the original is shared by every caller of pItf: setting it for one "
            "kind of request changes it for the others in mid-flight."
            if scenario == "cache"
            else "that sets one object's proxy; the program wants every proxy in the process "
            "set once, before any object exists."
        ),
        "process-wide": (
            "CoInitializeSecurity gives one default to the whole process: the kinds of request "
            "need different settings."
            if scenario == "cache"
            else "CoInitializeSecurity would change the default of every proxy in the process; "
            "the other remote objects must keep theirs."
        ),
        "cache": (
            "a cache works, but keeps a copy you do not need: when every caller can share one "
            "setting, set it on the original and make no copy at all."
            if scenario == "set-on-original"
            else "a cache works, but copies every proxy; one call at startup sets every "
            "proxy's default with no copy at all."
        ),
    }
    reasons = {
        "cache": (
            f"{m} settings used side by side need {m} proxies with different blankets: one "
            "copy per setting, made once and reused (the KB's fix). A blanket on the original "
            "would be shared by all callers; CoInitializeSecurity sets one default for all."
        ),
        "set-on-original": (
            "one setting shared by every caller of this object: set it on the original with "
            "CoSetProxyBlanket (the documented shortcut for QueryInterface(IClientSecurity) + "
            "SetBlanket + Release) and make no copy. CoInitializeSecurity would change the "
            "other objects too."
        ),
        "process-wide": (
            "one setting for every proxy in the process, known before any object exists: "
            "CoInitializeSecurity at startup sets the process default, so no proxy needs "
            "copying or a blanket of its own."
        ),
    }
    q_fix = Question(
        "fix",
        "which fix keeps memory flat, meets the security needs and makes the fewest copies?",
        right,
        choices=choices,
        hints=tuple((FIXES[key], diagnoses[key]) for key in FIXES if FIXES[key] != right),
        reason=reasons[scenario],
    )
    q_prox = Question(
        "proxies",
        f"interface proxies alive at the end of the {n:,}-iteration loop with that fix "
        "(count the original)",
        proxies,
        hints=(
            (n + 1, "that is what the KB's loop leaves: with the fix, no copy is made per call."),
            (proxies - 1, "count the original interface proxy too: pItf's."),
            (
                2,
                f"the cache keeps one copy per setting, and this program uses {m} settings."
                if scenario == "cache"
                else "a blanket set on the original or a process default makes no copy: only "
                "the original is alive.",
            ),
        ),
        generic_hint=(
            "the original, plus one copy per setting if the fix caches copies (none otherwise)."
        ),
        reason=(
            f"the original + {proxies - 1} cached cop{'y' if proxies == 2 else 'ies'}: {proxies}."
            if scenario == "cache"
            else "no copy at all: only the original, 1."
        ),
    )
    intro = _FIX_SCENARIOS[scenario].format(m=m)
    program = (
        '    pItf = CoCreateInstanceEx("SimpleObject", IID_IStream);\n'
        f"    for (i = 0; i < {n}; i++) {{\n"
        + "\n".join("        " + line for line in KB_LOOP[:2])
        + "\n        pCS->SetBlanket(pCopy, ...);   // the setting this call needs\n"
        + "\n".join("        " + line for line in KB_LOOP[2:])
        + "\n    }"
    )
    settings = (("iterations", n), ("settings_used", m))
    return intro, program, settings, (q_fix, q_prox)


_MAKERS = {
    "count-after-step": _count_after_step,
    "which-release": _which_release,
    "growth": _growth,
    "fix-the-loop": _fix_the_loop,
}


# -- feedback --------------------------------------------------------------------------------------
_ICONS = {"right": "✔", "wrong": "✘", "missing": "…", "invalid": "✘"}


@dataclass(frozen=True, repr=False)
class AnswerFeedback:
    """What :func:`check` (or :func:`check_prediction`) says about one answer."""

    name: str
    given: object
    status: str  # "right", "wrong", "missing" or "invalid"
    message: str

    @property
    def right(self) -> bool:
        return self.status == "right"

    def __str__(self) -> str:
        return f"{_ICONS[self.status]} {self.message}"

    __repr__ = __str__


@dataclass(frozen=True, repr=False)
class Feedback:
    """Right or wrong for each answer, with a hint for every one that is not right yet."""

    seed: int
    items: tuple[AnswerFeedback, ...]

    @property
    def all_right(self) -> bool:
        return all(item.right for item in self.items)

    def __getitem__(self, name: str) -> AnswerFeedback:
        for item in self.items:
            if item.name == name:
                return item
        names = ", ".join(item.name for item in self.items)
        raise KeyError(f"no answer named {name!r}; the answers are {names}")

    def __str__(self) -> str:
        lines = [f"Problem {self.seed}:"]
        lines += [f"  {item}" for item in self.items]
        right = sum(item.right for item in self.items)
        lines.append(
            f"  {right} of {len(self.items)} right." + (" Well done." if self.all_right else "")
        )
        return "\n".join(lines)

    __repr__ = __str__


@dataclass(frozen=True, repr=False)
class Solution:
    """The answers of a problem and the reasoning behind each. In a notebook it shows folded
    (an HTML ``<details>`` block) until the learner clicks it open."""

    problem: Problem

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(q.reason for q in self.problem.questions)

    def __str__(self) -> str:
        return problem_text(self.problem, answers=True)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return _details_html(f"Solution to problem {self.problem.seed}", str(self))


@dataclass(frozen=True, repr=False)
class Folded:
    """Text that a notebook shows folded (HTML ``<details>``) until the learner clicks it."""

    summary: str
    text: str

    def __str__(self) -> str:
        return f"{self.summary}\n{self.text}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return _details_html(self.summary, self.text)


def _details_html(summary: str, text: str) -> str:
    return (
        f"<details><summary>{html.escape(summary)} (click to unfold)</summary>"
        f'<pre style="white-space:pre-wrap">{html.escape(text)}</pre></details>'
    )


def folded(summary: str, text: str) -> Folded:
    """``text`` folded under ``summary``: an answer that stays hidden until asked for."""
    return Folded(str(summary), str(text))


def reveal(problem: Problem) -> Solution:
    """The answers and the reasoning behind them (folded in a notebook until clicked)."""
    _check_problem(problem)
    return Solution(problem)


def check(problem: Problem, **answers: object) -> Feedback:
    """Right or wrong for each of the problem's answers (``problem.names``); an answer left
    out or set to None gets a "fill in" note, a wrong one a hint about the rule it missed."""
    _check_problem(problem)
    unknown = [name for name in answers if name not in problem.names]
    if unknown:
        raise TypeError(
            f"check() got an unknown answer name {unknown[0]!r}; problem {problem.seed} asks "
            f"for {', '.join(problem.names)}"
        )
    return Feedback(
        problem.seed, tuple(_check_one(q, answers.get(q.name)) for q in problem.questions)
    )


def _check_one(q: Question, given: object) -> AnswerFeedback:
    if q.choices is not None:
        kind = "one of: " + " | ".join(q.choices)
    elif q.whole:
        kind = "a whole number"
    else:
        kind = f"a number of {q.unit}, e.g. 12.5"
    if given is None:
        return AnswerFeedback(
            q.name,
            given,
            "missing",
            f"{q.name}: fill in {q.name} = ... ({kind}), then check again.",
        )
    if q.choices is not None:
        if not isinstance(given, str) or not any(_same_text(given, c) for c in q.choices):
            return AnswerFeedback(q.name, given, "invalid", f"{q.name} = {given!r}: choose {kind}.")
        value = given
    else:
        value = _as_number(given, whole=q.whole)
        if value is None:
            return AnswerFeedback(
                q.name, given, "invalid", f"{q.name} = {given!r}: that is not {kind}."
            )
    if q.is_right(value):
        return AnswerFeedback(q.name, given, "right", f"{q.name} = {given!r}: right.")
    hint = q.hint_for(value)
    if hint is None:
        direction = ""
        if q.choices is None:
            direction = "too high; " if value > q.answer else "too low; "
        hint = direction + q.generic_hint
    return AnswerFeedback(q.name, given, "wrong", f"{q.name} = {given!r}: not yet. Hint: {hint}")


def _as_number(value: object, whole: bool) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    value = float(value)
    if not math.isfinite(value):
        return None
    if whole:
        return int(value) if value.is_integer() else None
    return value


class Checkers:
    """The checkers of one problem, shown together: one live form per question in a notebook,
    self-contained HTML in an exported report. Iterate or index it to get each
    :class:`comsim.Prediction`."""

    def __init__(self, items: list):
        self.items = list(items)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int):
        return self.items[index]

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        import ipywidgets as widgets

        box = widgets.VBox([item.widget for item in self.items])
        bundle = dict(box._repr_mimebundle_(**kwargs) or {})
        bundle["text/html"] = "".join(item.offline_html() for item in self.items)
        bundle["text/plain"] = "\n".join(item.text() for item in self.items)
        return bundle

    def __repr__(self) -> str:
        return f"<Checkers: {len(self.items)} questions>"


def predictions(problem: Problem) -> Checkers:
    """One live checker (:func:`comsim.predict`) per question of ``problem``: a learner types an
    answer, presses Check, reads the hint, and unfolds the reasoning after committing. Works in
    the exported report too (self-contained HTML)."""
    from .predict import predict

    _check_problem(problem)
    out = []
    for q in problem.questions:
        out.append(
            predict(
                f"Problem {problem.seed}: {q.prompt}",
                q.answer,
                unit=q.unit,
                tolerance=q.tolerance,
                choices=q.choices,
                hints=[(wrong, _sentence(diagnosis)) for wrong, diagnosis in q.hints],
                explanation=_sentence(q.reason),
                key=f"quiz-{problem.seed}-{problem.kind}-{q.name}",
            )
        )
    return Checkers(out)


def _sentence(text: str) -> str:
    """``text`` with a capital first letter, to stand as a sentence of its own; a first word
    that is code (``pItf``, ``pCopy->Release()``) keeps its spelling."""
    first = text.split(" ", 1)[0]
    if first.isalpha() and first.islower():
        return text[:1].upper() + text[1:]
    return text


def _format_number(value: float) -> str:
    if isinstance(value, numbers.Integral) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3g}"


def check_prediction(
    what: str, predicted: object, actual: float, tolerance: float = 0.0
) -> AnswerFeedback:
    """Compare a learner's prediction with what the model computed (``actual``), within
    ``tolerance``. While the prediction is None the model's value stays hidden.
    (:func:`comsim.predict` is the widget form of the same idea.)"""
    if predicted is None:
        return AnswerFeedback(
            what,
            predicted,
            "missing",
            f"{what}: write your prediction first (replace None), then run this cell again. "
            "The model's answer stays hidden until then.",
        )
    number = _as_number(predicted, whole=False)
    if number is None:
        return AnswerFeedback(what, predicted, "invalid", f"{what} = {predicted!r}: not a number.")
    shown = _format_number(actual)
    if abs(number - actual) <= tolerance:
        return AnswerFeedback(
            what,
            predicted,
            "right",
            f"{what}: you predicted {predicted!r}; the model says {shown}.",
        )
    return AnswerFeedback(
        what,
        predicted,
        "wrong",
        f"{what}: you predicted {predicted!r}; the model says {shown}. "
        "Unfold the answer below for why.",
    )


# -- the coding exercise: a per-blanket cache ----------------------------------------------------
CACHE_CHECK_BLANKETS = 3
CACHE_CHECK_CALLS = 120


class ReferenceBlanketCache:
    """One copy of pItf per security setting, made the first time the setting is asked for
    and reused after (the KB's fix).

    ``get(**setting)`` follows COM's out-parameter rule: it AddRefs the copy it hands out, and
    the caller Releases it when done. ``clear()`` Releases the cache's own reference on every
    copy; the copies then go at the proxy manager's final release (pItf->Release()).
    """

    def __init__(self, pItf):
        self.pItf = pItf
        self.copies = {}  # (authn_level, imp_level, principal) -> the cached copy

    def get(self, authn_level, imp_level, principal=None):
        setting = (authn_level, imp_level, principal)
        if setting not in self.copies:
            pCS = self.pItf.QueryInterface("IClientSecurity")
            pCopy = pCS.CopyProxy(self.pItf)  # one reference: the cache's
            pCS.SetBlanket(pCopy, authn_level, imp_level, principal)
            pCS.Release()
            self.copies[setting] = pCopy
        pCopy = self.copies[setting]
        pCopy.AddRef()  # out-parameter rule: the caller gets a reference of its own
        return pCopy

    def clear(self):
        for pCopy in self.copies.values():
            pCopy.Release()
        self.copies.clear()


def reference_cache_source() -> str:
    """The reference solution's source code, for a folded answer."""
    return inspect.getsource(ReferenceBlanketCache)


@dataclass(frozen=True, repr=False)
class CacheReport:
    """What :func:`check_cache` found: one line per check, and whether all passed."""

    passed: bool
    lines: tuple[str, ...]

    def __str__(self) -> str:
        verdict = (
            "All checks pass: one copy per blanket, references balanced, memory flat."
            if self.passed
            else "Not yet: fix the first ✘ and run the check again."
        )
        return "\n".join((*self.lines, verdict))

    __repr__ = __str__


def check_cache(
    cache_class, *, blankets: int = CACHE_CHECK_BLANKETS, calls: int = CACHE_CHECK_CALLS
) -> CacheReport:
    """Run a learner's per-blanket cache through a loop and report what a COM expert would check.

    ``cache_class(pItf)`` must build a cache with ``get(authn_level, imp_level, principal)``
    returning a copy of pItf with that blanket, and ``clear()`` releasing what the cache holds.
    ``get`` follows COM's out-parameter rule: it AddRefs what it hands out; the checker, as the
    caller, Releases every pointer it gets. The loop cycles through ``blankets`` settings for
    ``calls`` calls, then clears the cache and makes the final release. Checks: each get returns
    a copy (not the original) with the asked-for blanket; interface proxies stay at the
    original + one per blanket; the proxy manager's count is pItf's + one per cached copy
    between calls; private bytes stay flat once every setting is cached; after clear() and
    pItf->Release() nothing is left."""
    if not callable(cache_class):
        raise TypeError(
            f"cache_class must be a class (or a function) taking pItf; got {cache_class!r}"
        )
    for name, value, low in (("blankets", blankets, 1), ("calls", calls, 1)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
            raise ValueError(f"{name} must be an int >= {low}; got {value!r}")
    if calls < 2 * blankets:
        raise ValueError(f"calls must be at least 2 × blankets ({2 * blankets}); got {calls!r}")
    blankets, calls = int(blankets), int(calls)
    lines: list[str] = []

    def fail(message: str) -> CacheReport:
        lines.append("✘ " + message)
        return CacheReport(False, tuple(lines))

    proc = Process()
    pItf = proc.CoCreateInstanceEx("SimpleObject", "IStream")
    pm = pItf.proxy_manager
    try:
        cache = cache_class(pItf)
    except Exception as error:  # the learner's code: report, don't crash the notebook
        return fail(f"building the cache raised {type(error).__name__}: {error}")
    for method in ("get", "clear"):
        if not callable(getattr(cache, method, None)):
            return fail(f"the cache needs a method {method}(); {type(cache).__name__} has none.")
    first: dict[int, InterfacePointer] = {}
    flat_from = None
    max_proxies = 0
    for i in range(calls):
        slot = i % blankets
        setting = blanket_for(slot)
        try:
            pCopy = cache.get(**setting)
        except Exception as error:
            return fail(
                f"call {i + 1}: get({_setting_text(setting)}) raised "
                f"{type(error).__name__}: {error}"
            )
        if not isinstance(pCopy, InterfacePointer):
            return fail(
                f"call {i + 1}: get() returned {pCopy!r}; it must return the copy (an "
                "InterfacePointer from CopyProxy)."
            )
        if not pCopy.is_copy:
            return fail(
                f"call {i + 1}: get() returned the original pointer, not a copy. Setting a "
                "blanket on the original changes it for every caller; hand out a copy."
            )
        if pCopy.refs == 0:
            return fail(
                f"call {i + 1}: get() handed out a copy that holds no reference of its own. "
                "get() must AddRef the copy it hands out (COM's out-parameter rule): the "
                "caller Releases it when done, and the cache keeps its own reference."
            )
        pCS = pItf.QueryInterface("IClientSecurity")
        blanket = pCS.QueryBlanket(pCopy)
        pCS.Release()
        got = dict(
            authn_level=blanket.authn_level,
            imp_level=blanket.imp_level,
            principal=blanket.principal,
        )
        if got != setting:
            return fail(
                f"call {i + 1}: the copy for {_setting_text(setting)} has the blanket "
                f"{_setting_text(got)}. Set it with pCS.SetBlanket(pCopy, ...) when you make "
                "the copy, and key the cache by the whole setting."
            )
        if slot in first and not pCopy.same_interface(first[slot]):
            return fail(
                f"call {i + 1}: a new copy for a setting that was already cached "
                f"({_setting_text(setting)}). Look the setting up first; copy only when it is "
                "missing. By design every copy stays until the final release, so copies pile up."
            )
        first.setdefault(slot, pCopy)
        try:
            pCopy.Release()  # the caller is done with it
        except COMError as error:
            return fail(
                f"call {i + 1}: the caller's Release failed ({error}). "
                "get() must AddRef the copy it hands out (COM's out-parameter rule): otherwise "
                "the caller's Release gives back the cache's own reference."
            )
        if not pm.alive:
            return fail(
                f"after call {i + 1} the proxy manager was released: references went out of "
                "balance. get() must AddRef once what it hands out, and the cache must keep "
                "its own reference."
            )
        max_proxies = max(max_proxies, proc.interface_proxy_count)
        # Once every setting has been asked for, the cache holds one reference per copy.
        expected_refs = 1 + blankets
        if i >= blankets and pm.refcount != expected_refs:
            return fail(
                f"after call {i + 1} the proxy manager's count is {pm.refcount}; expected "
                f"{expected_refs} (pItf's reference + one per cached copy). "
                + (
                    "The cache must keep one reference per copy, and get() must AddRef the "
                    "copy it hands out, once per call."
                    if pm.refcount < expected_refs
                    else "get() AddRefs more than once per call, or the cache keeps extra "
                    "references."
                )
            )
        if i == blankets - 1:
            flat_from = proc.private_bytes
    lines.append(f"✔ every get() returned a copy with the blanket it asked for ({calls} calls).")
    if max_proxies != 1 + blankets:
        return fail(
            f"interface proxies reached {max_proxies:,}; expected {1 + blankets} (the original + "
            f"one copy per blanket, {blankets} blankets)."
        )
    lines.append(
        f"✔ copies stay at one per blanket: {max_proxies} interface proxies (the original + "
        f"{blankets})."
    )
    lines.append(
        f"✔ references balance: between calls the count is {1 + blankets} (pItf's + one per "
        "cached copy); get() AddRefs what it hands out."
    )
    growth = proc.private_bytes - flat_from
    if growth:
        return fail(
            f"private bytes grew by {growth:,} B after every setting was cached; expected 0."
        )
    lines.append(
        f"✔ memory stays flat: private bytes unchanged over the last {calls - blankets} calls."
    )
    try:
        cache.clear()
    except Exception as error:
        return fail(f"clear() raised {type(error).__name__}: {error}")
    if pm.refcount != 1:
        return fail(
            f"after clear() the proxy manager's count is {pm.refcount}; expected 1 (pItf's "
            "only). clear() must Release the cache's reference on every copy it holds."
        )
    pItf.Release()
    if proc.interface_proxy_count:
        return fail(f"{proc.interface_proxy_count} interface proxies left after the final release.")
    lines.append(
        "✔ clear() releases the cached copies; pItf->Release() is then the final release and "
        "frees every copy."
    )
    return CacheReport(True, tuple(lines))


def _setting_text(setting: dict) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in setting.items())
