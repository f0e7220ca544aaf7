"""Seeded exercises in the spirit of the OSTEP homework simulators.

A seed gives a fresh problem: a client program (strategy, policy, iterations, tightness, number
of cached blankets) and four questions about the proxy manager at the end of the loop and after
its final release. The answers are computed by running the program with
:func:`comsim.simulate`, never written down by hand. In a notebook::

    problem = quiz.make_problem(7)
    print(quiz.problem_text(problem))           # the questions, with ? where answers go
    quiz.check(problem, proxies=..., refcount=..., private_mib=..., proxies_after_release=...)
    quiz.reveal(problem)                        # the answers and why, folded until clicked

From a shell: ``python -m comsim quiz --seed 7`` prints the problem, ``--answers`` fills it in.
"""

from __future__ import annotations

import html
import math
import numbers
from dataclasses import dataclass, fields

import numpy as np

from .params import PARAMETERS
from .runs import PHASES
from .scenarios import simulate
from .trace import MIB

ANSWER_NAMES = ("proxies", "refcount", "private_mib", "proxies_after_release")
"""What :func:`check` accepts, in the order the problem asks."""

ITERATION_CHOICES = (2_000, 5_000, 10_000, 20_001, 40_000)
TIGHTNESS_CHOICES = (0.25, 0.5, 0.75, 1.0)
STRATEGY_WEIGHTS = {
    "copy-each-time": 0.35,
    "co-copy-proxy": 0.2,
    "cache-copy": 0.3,
    "no-copy": 0.15,
}
FREE_ON_RELEASE_CHANCE = 0.15  # now and then: the counterfactual the KB's reader expected
MAX_BLANKETS = 5
RELATIVE_TOLERANCE = 0.05  # private_mib: within 5 % ...
ABSOLUTE_TOLERANCE_MIB = 0.0625  # ... or 64 KiB, whichever is larger (small answers)

LOOP_BODIES = {
    "copy-each-time": (
        "pItf->QueryInterface(IID_IClientSecurity, &pCS);",
        "pCS->CopyProxy(pItf, &pCopy);",
        "pCS->Release();",
        "pCopy->Release();",
    ),
    "co-copy-proxy": ("CoCopyProxy(pItf, &pCopy);", "pCopy->Release();"),
    "cache-copy": (
        "// the first time setting i % {k} is needed: QI(IClientSecurity),",
        "// CopyProxy, SetBlanket, pCS->Release(); the cache keeps that copy",
        "// (and its one reference) until after the loop",
        "pCopy = cache[i % {k}];",
    ),
    "no-copy": ("pItf->QueryInterface(IID_IClientSecurity, &pCS);", "pCS->Release();"),
}
POLICY_TEXT = {
    "by-design": "by-design (what Windows does, as the KB describes it)",
    "free-on-release": (
        "free-on-release: a counterfactual COM that frees each copy\n"
        "             at its own last Release (not what Windows does)"
    ),
}


@dataclass(frozen=True)
class Answers:
    """The exact answers of one problem, read from a simulated run."""

    proxies: int  # interface proxies alive at the end of the loop, the original included
    refcount: int  # the proxy manager's reference count at the end of the loop
    private_mib: float  # growth of private bytes during the loop, in MiB
    proxies_after_release: int  # interface proxies alive after the proxy manager's final release


@dataclass(frozen=True)
class Problem:
    """One seeded exercise: the program, the questions (``text``, with ``?`` where answers go)
    and the exact answers."""

    seed: int
    strategy: str
    policy: str
    iterations: int
    tightness: float
    blankets: int  # distinct security settings; only cache-copy uses more than one
    tolerance_mib: float  # how far private_mib may be off and still count as right
    text: str
    answers: Answers


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
        raise KeyError(f"no answer named {name!r}; the answers are {', '.join(ANSWER_NAMES)}")

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
    reasons: tuple[str, ...]  # one per answer, in ANSWER_NAMES order

    def __str__(self) -> str:
        return (
            problem_text(self.problem, answers=True)
            + "\n\nWhy:\n"
            + "\n".join(f"  - {reason}" for reason in self.reasons)
        )

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


# -- making a problem ------------------------------------------------------------------------------
def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int >= 0; got {seed!r} ({type(seed).__name__})")
    if seed < 0:
        raise ValueError(f"seed must be an int >= 0; got {seed!r}")
    return int(seed)


def make_problem(seed: int) -> Problem:
    """A fresh problem for ``seed`` (an int >= 0); the same seed always gives the same one."""
    seed = _check_seed(seed)
    rng = np.random.default_rng(seed)
    names = list(STRATEGY_WEIGHTS)
    strategy = names[rng.choice(len(names), p=list(STRATEGY_WEIGHTS.values()))]
    policy = "free-on-release" if rng.random() < FREE_ON_RELEASE_CHANCE else "by-design"
    iterations = int(rng.choice(ITERATION_CHOICES))
    tightness = float(rng.choice(TIGHTNESS_CHOICES))
    blankets = int(rng.integers(1, MAX_BLANKETS + 1)) if strategy == "cache-copy" else 1
    answers = _simulated_answers(strategy, policy, iterations, tightness, blankets)
    tolerance = max(RELATIVE_TOLERANCE * abs(answers.private_mib), ABSOLUTE_TOLERANCE_MIB)
    settings = dict(
        seed=seed,
        strategy=strategy,
        policy=policy,
        iterations=iterations,
        tightness=tightness,
        blankets=blankets,
        tolerance_mib=tolerance,
    )
    return Problem(**settings, text=_render(settings, None), answers=answers)


def _simulated_answers(
    strategy: str,
    policy: str,
    iterations: int,
    tightness: float,
    blankets: int,
    **overrides: object,
) -> Answers:
    """Run the program and read the answers off its trace."""
    trace = simulate(iterations, tightness, strategy, policy, blankets=blankets, **overrides)
    a = trace.arrays
    released = int(np.flatnonzero(a.phase == PHASES.index("final-release"))[0])
    loop_end = released - 1
    return Answers(
        proxies=int(a.interface_proxies[loop_end]),
        refcount=int(a.pm_refcount[loop_end]),
        private_mib=trace.summary.growth_bytes / MIB,
        proxies_after_release=int(a.interface_proxies[released]),
    )


def _value(name: str):
    return PARAMETERS[name].value


def _render(settings: dict, answers: Answers | None) -> str:
    s = settings
    n, k, tightness = s["iterations"], s["blankets"], s["tightness"]
    body = "\n".join("        " + line.format(k=k) for line in LOOP_BODIES[s["strategy"]])
    cpu_us = _value("iteration_cpu_us")
    idle = (
        "never waits: no idle CPU"
        if tightness == 1
        else f"is busy {tightness:.0%} of the wall time, the rest is idle CPU"
    )

    def slot(name: str) -> str:
        if answers is None:
            return "?"
        value = getattr(answers, name)
        return f"{value:.3f}" if isinstance(value, float) else f"{value:,}"

    return f"""\
comsim quiz, problem {s["seed"]}

A client creates one remote object (CoCreateInstanceEx gives pItf, an IStream
proxy), runs this loop ({s["strategy"]}) and finally calls pItf->Release():

    for (i = 0; i < {n:,}; i++) {{
{body}
    }}

  policy     {POLICY_TEXT[s["policy"]]}
  tightness  {tightness:g} (the loop thread {idle})
  blankets   {k} security setting{"s" if k > 1 else ""}

Model numbers (data/parameters.csv):
  one interface proxy (original or copy)   {_value("interface_proxy_bytes"):>6,} B on the heap
  transient buffers per CopyProxy          {_value("transient_bytes_per_call"):>6,} B
  the reaper frees transient buffers       {_value("reaper_bytes_per_cpu_ms"):>6,} B per ms of \
idle CPU,
                                           once they are {_value("reaper_latency_ms")} ms old
  one loop iteration                       {cpu_us:>6,} µs of CPU (± \
{_value("iteration_cpu_jitter"):.0%}),
                                           {cpu_us} / tightness µs of wall time

At the end of the loop, before pItf->Release():
  interface proxies alive (count the original)   proxies = {slot("proxies")}
  the proxy manager's reference count            refcount = {slot("refcount")}
  growth of private bytes during the loop (MiB)  private_mib = {slot("private_mib")}
      (right if within {RELATIVE_TOLERANCE:.0%}, or within \
{ABSOLUTE_TOLERANCE_MIB * 1024:.0f} KiB for small answers)
After pItf->Release(), the proxy manager's final release:
  interface proxies alive                        proxies_after_release = \
{slot("proxies_after_release")}"""


def problem_text(problem: Problem, answers: bool = False) -> str:
    """The problem as printed text; with ``answers=True`` every ``?`` is filled in."""
    _check_problem(problem)
    if not answers:
        return problem.text
    settings = {
        f.name: getattr(problem, f.name)
        for f in fields(problem)
        if f.name not in ("text", "answers")
    }
    return _render(settings, problem.answers)


def _check_problem(problem: object) -> None:
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a Problem from make_problem(seed); got {problem!r}")


# -- the reasoning a learner can do by hand --------------------------------------------------------
def _copies(problem: Problem) -> tuple[int, int]:
    """(copies made, copies alive at the end of the loop) by the rules in the problem text."""
    n = problem.iterations
    made = {"no-copy": 0, "cache-copy": min(problem.blankets, n)}.get(problem.strategy, n)
    freed_each_time = problem.policy == "free-on-release" and problem.strategy != "cache-copy"
    return made, 0 if freed_each_time else made


def reaped_per_iteration_bytes(tightness: float) -> float:
    """What the reaper can free during one iteration's idle time (rule of thumb, H2)."""
    idle_ms = _value("iteration_cpu_us") / 1000 * (1 / tightness - 1)
    return _value("reaper_bytes_per_cpu_ms") * idle_ms


def estimated_growth_bytes(problem: Problem) -> float:
    """The growth a learner can work out by hand: copies alive times the interface proxy's
    bytes, plus the transient bytes the reaper cannot keep up with. Page rounding, the reaper's
    latency and the CPU jitter are left out; the tolerance allows for them."""
    made, alive = _copies(problem)
    backlog = max(
        0.0, _value("transient_bytes_per_call") - reaped_per_iteration_bytes(problem.tightness)
    )
    return alive * _value("interface_proxy_bytes") + made * backlog


def _reasons(problem: Problem) -> tuple[str, ...]:
    a = problem.answers
    made, alive = _copies(problem)
    k = problem.blankets
    if problem.strategy == "no-copy":
        why_proxies = (
            "no-copy makes no copies, and QueryInterface for IClientSecurity is "
            "answered by the proxy manager itself: only the original"
        )
    elif alive == 0:
        why_proxies = (
            "under free-on-release each copy goes at its own last Release: only "
            "the original is left"
        )
    elif problem.strategy == "cache-copy":
        why_proxies = f"the original + {k} cached copies, one per security setting"
    else:
        why_proxies = (
            f"the original + all {made:,} copies: Release on a copy lands on the "
            "proxy manager, which frees interface proxies only at its own final "
            "release (KB)"
        )
    held = k if problem.strategy == "cache-copy" else 0
    why_refs = "pItf's one reference" + (
        f" + one for each of the {held} cached copies (the cache still holds them)"
        if held
        else "; every pCS and pCopy was released inside its iteration"
    )
    reaped = reaped_per_iteration_bytes(problem.tightness)
    t = _value("transient_bytes_per_call")
    backlog = max(0.0, t - reaped)
    estimate = estimated_growth_bytes(problem) / MIB
    why_growth = (
        f"{alive:,} copies alive × {_value('interface_proxy_bytes'):,} B, plus transient "
        f"buffers: {made:,} CopyProxy calls × {t} B, of which the reaper frees about "
        f"{min(reaped, t):,.0f} B per iteration at tightness {problem.tightness:g}, so "
        f"{backlog:,.0f} B per call stay pending. By hand ≈ {estimate:.3f} MiB; the simulation "
        f"(with page rounding, the reaper's latency and CPU jitter) gives {a.private_mib:.3f}."
    )
    why_after = (
        "the final release frees every interface proxy the proxy manager holds, the "
        "original and every copy, then the proxy manager itself"
    )
    return (
        f"proxies = {a.proxies:,}: {why_proxies}.",
        f"refcount = {a.refcount:,}: {why_refs}.",
        f"private_mib = {a.private_mib:.3f}: {why_growth}",
        f"proxies_after_release = {a.proxies_after_release}: {why_after}.",
    )


def reveal(problem: Problem) -> Solution:
    """The answers and the reasoning behind them (folded in a notebook until clicked)."""
    _check_problem(problem)
    return Solution(problem, _reasons(problem))


# -- checking --------------------------------------------------------------------------------------
def check(problem: Problem, **answers: object) -> Feedback:
    """Right or wrong for each of ``proxies``, ``refcount``, ``private_mib`` and
    ``proxies_after_release``; an answer left out or set to None gets a "fill in" note, a wrong
    one a hint about the rule it missed."""
    _check_problem(problem)
    unknown = [name for name in answers if name not in ANSWER_NAMES]
    if unknown:
        raise TypeError(
            f"check() got an unknown answer name {unknown[0]!r}; the answers are "
            f"{', '.join(ANSWER_NAMES)}"
        )
    return Feedback(
        problem.seed, tuple(_check_one(problem, name, answers.get(name)) for name in ANSWER_NAMES)
    )


def _check_one(problem: Problem, name: str, given: object) -> AnswerFeedback:
    is_mib = name == "private_mib"
    kind = "a number of MiB, e.g. 12.5" if is_mib else "a whole number"
    if given is None:
        return AnswerFeedback(
            name, given, "missing", f"{name}: fill in {name} = ... ({kind}), then check again."
        )
    number = _as_number(given, whole=not is_mib)
    if number is None:
        return AnswerFeedback(name, given, "invalid", f"{name} = {given!r}: that is not {kind}.")
    expected = getattr(problem.answers, name)
    if is_mib:
        right = abs(number - expected) <= problem.tolerance_mib
    else:
        right = number == expected
    if right:
        return AnswerFeedback(name, given, "right", f"{name} = {given!r}: right.")
    hint = _HINTS[name](problem, number)
    return AnswerFeedback(name, given, "wrong", f"{name} = {given!r}: not yet. Hint: {hint}")


def _as_number(value: object, whole: bool) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    value = float(value)
    if not math.isfinite(value):
        return None
    if whole:
        return int(value) if value.is_integer() else None
    return value


def _format_number(value: float) -> str:
    if isinstance(value, numbers.Integral) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3g}"


def _copying(problem: Problem) -> bool:
    return problem.strategy in ("copy-each-time", "co-copy-proxy")


def _hint_proxies(problem: Problem, given: int) -> str:
    expected = problem.answers.proxies
    n, k = problem.iterations, problem.blankets
    if given == expected - 1:
        return (
            "count the original interface proxy too: CoCreateInstanceEx made it, and pItf "
            "keeps it until after the loop."
        )
    if problem.policy == "free-on-release" and _copying(problem) and given in (n, n + 1):
        return (
            "this problem uses the counterfactual policy free-on-release: each copy is "
            "freed at its own last Release, so none of them is left at the end of the loop."
        )
    if problem.policy == "by-design" and _copying(problem) and given in (0, 1, 2):
        return (
            "pCopy->Release() does not free the copy. The proxy manager aggregates every "
            "interface proxy, the Release lands on the proxy manager, and it frees them only "
            "at its own final release (KB). Every copy made so far is still alive."
        )
    if problem.strategy == "cache-copy" and given in (n, n + 1):
        return (
            f"cache-copy makes a copy only the first time a security setting is needed and "
            f"then reuses it: {k} setting(s), so {k} copies in all."
        )
    if problem.strategy == "no-copy" and given != expected:
        return (
            "no-copy never calls CopyProxy, and QueryInterface for IClientSecurity is "
            "answered by the proxy manager itself (a local interface): no new interface "
            "proxy."
        )
    if given > expected:
        return (
            "IClientSecurity is not an interface proxy: the proxy manager answers it "
            "itself, with no allocation. Count the original plus the copies still held."
        )
    return (
        "count the original, plus every copy the proxy manager still holds: by design a "
        "copy stays until the final release; only the free-on-release counterfactual "
        "frees it earlier."
    )


def _hint_refcount(problem: Problem, given: int) -> str:
    expected = problem.answers.refcount
    n, k = problem.iterations, problem.blankets
    if given == 0:
        return (
            "pItf still holds its reference: the loop never released it. The count reaches "
            "0 only at pItf->Release() after the loop, the final release."
        )
    if _copying(problem) and given in (n, n + 1):
        return (
            "each copy started with one reference, and pCopy->Release() gave it back in "
            "the same iteration: the count fell back even though the copy stayed. Memory "
            "and the reference count part ways here."
        )
    if problem.strategy == "cache-copy" and given == 1:
        return (
            f"each of the {k} cached copies still holds the one reference CopyProxy gave "
            "it; the cache releases them only after the loop."
        )
    if problem.strategy == "cache-copy" and given == k:
        return "add pItf's own reference: it is held until after the loop."
    if given == expected + 1:
        return "pCS was released inside the iteration (pCS->Release()): it holds nothing now."
    return (
        "one proxy manager, one count: pItf's reference plus one for each pointer the "
        "program still holds at the end of the loop (pCS and released copies hold none)."
    )


def _close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance


def _hint_private_mib(problem: Problem, given: float) -> str:
    expected, tol = problem.answers.private_mib, problem.tolerance_mib

    def growth_if(**changes: object) -> float:
        settings = dict(
            strategy=problem.strategy,
            policy=problem.policy,
            iterations=problem.iterations,
            tightness=problem.tightness,
            blankets=problem.blankets,
        )
        settings.update(changes)
        return _simulated_answers(**settings).private_mib

    for scale, unit in ((1024, "KiB"), (MIB, "bytes"), (1 / 1024, "GiB")):
        if expected > tol and _close(given, expected * scale, tol * scale):
            return (
                f"that looks like {unit}; the answer is in MiB (1 MiB = 1,048,576 bytes = "
                "1,024 KiB)."
            )
    alive = _copies(problem)[1]
    if alive > MAX_BLANKETS and _close(given, 0.0, tol):
        return (
            "the copies' memory does not come back at pCopy->Release(): each copy stays on "
            f"the heap ({_value('interface_proxy_bytes'):,} B) until the proxy manager's "
            "final release, after the loop."
        )
    other = "by-design" if problem.policy == "free-on-release" else "free-on-release"
    mistakes = (
        (
            dict(policy=other),
            f"check the policy: this program runs under {problem.policy}."
            + (
                " Each copy is freed at its own last Release; only transient buffers pile up."
                if problem.policy == "free-on-release"
                else " No copy is freed before the proxy manager's final release."
            ),
        ),
        (
            dict(tightness=1.0),
            f"at tightness {problem.tightness:g} the loop leaves idle CPU every iteration, and the "
            f"reaper frees up to about {reaped_per_iteration_bytes(problem.tightness):,.0f} B of "
            f"transient buffers in it (of {_value('transient_bytes_per_call')} B per call).",
        ),
        (
            dict(transient_bytes_per_call=0),
            f"you counted only the interface proxies. Each CopyProxy also makes "
            f"{_value('transient_bytes_per_call')} B of transient buffers; at tightness "
            f"{problem.tightness:g} the reaper cannot free all of them during the loop.",
        ),
    )
    for changes, hint in mistakes:
        alternative = growth_if(**changes)
        if not _close(alternative, expected, tol) and _close(given, alternative, tol):
            return hint
    return (
        "growth ≈ copies still alive × interface proxy bytes + copies made × (transient "
        "bytes per call − what the reaper frees per iteration, never below 0); divide by "
        "1,048,576 for MiB."
    )


def _hint_after_release(problem: Problem, given: int) -> str:
    return (
        "the final release frees every interface proxy the proxy manager holds, the "
        "original and every copy, and then the proxy manager itself (KB: memory subsides "
        "when the proxy manager gets its final Release)."
    )


def check_prediction(
    what: str, predicted: object, actual: float, tolerance: float = 0.0
) -> AnswerFeedback:
    """Compare a learner's prediction with what the model computed (``actual``), within
    ``tolerance``. While the prediction is None the model's value stays hidden."""
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


_HINTS = {
    "proxies": _hint_proxies,
    "refcount": _hint_refcount,
    "private_mib": _hint_private_mib,
    "proxies_after_release": _hint_after_release,
}
