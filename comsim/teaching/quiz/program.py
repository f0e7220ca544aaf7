"""A quiz problem's client program, as typed steps: the one structure that is both printed and run.

A :class:`Program` is a list of steps -- :class:`Create`, :class:`QueryInterface`,
:class:`CopyProxy`, :class:`SetBlanket`, :class:`Release`, a :class:`Loop` of them, ... Each
step prints its own C++ line (:meth:`Step.lines`) and makes its own calls on comsim's object
model (:meth:`Step.run`, driven by :mod:`.run`). The listing a learner reads and the run that
computes the answers therefore cannot disagree, and rewording a comment changes no answer:
notes and comments take no part in comparing steps.

:func:`strategy_body` writes the engines' four strategies as steps, so a loop whose body is one
of them can also run in the fast engine (:func:`.run.run_in_engine`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...model import checks
from ...model.process import CoCopyProxy as co_copy_proxy
from ...model.strategies import STRATEGIES, blanket_for
from ...model.text import number
from .prose import say

if TYPE_CHECKING:
    from .run import Run

INDENT = "    "


@dataclass(frozen=True)
class Step:
    """One statement of the client program. ``note`` is printed as a trailing ``//`` comment
    and is not part of what the step *is* (it takes no part in ``==``)."""

    note: str = field(default="", compare=False, kw_only=True)

    def code(self) -> str:
        """The statement in C++."""
        raise NotImplementedError

    def lines(self) -> tuple[str, ...]:
        """The listing's lines for this step, without indentation."""
        return (f"{self.code()}   // {self.note}" if self.note else self.code(),)

    def run(self, run: Run, i: int) -> int | None:
        """Make this step's calls on the object model (``i``: the loop's counter, 0 outside a
        loop); a Release returns what COM's Release returns."""
        return None


@dataclass(frozen=True)
class Create(Step):
    """``pItf = CoCreateInstanceEx(...)``: a proxy manager and its first interface proxy."""

    out: str = "pItf"
    clsid: str = "SimpleObject"
    iid: str = "IStream"

    def code(self) -> str:
        return f'{self.out} = CoCreateInstanceEx("{self.clsid}", IID_{self.iid});'

    def run(self, run: Run, i: int) -> None:
        run.bind(self.out, run.process.CoCreateInstanceEx(self.clsid, self.iid))


@dataclass(frozen=True)
class QueryInterface(Step):
    """``source->QueryInterface(IID_iid, &out)``: another interface of the same object."""

    out: str
    source: str = "pItf"
    iid: str = "IClientSecurity"

    def code(self) -> str:
        return f"{self.source}->QueryInterface(IID_{self.iid}, (void**)&{self.out});"

    def run(self, run: Run, i: int) -> None:
        run.bind(self.out, run.held[self.source].QueryInterface(self.iid))


@dataclass(frozen=True)
class CopyProxy(Step):
    """``via->CopyProxy(source, &out)``: IClientSecurity makes a new interface proxy."""

    out: str = "pCopy"
    via: str = "pCS"
    source: str = "pItf"

    def code(self) -> str:
        return f"{self.via}->CopyProxy({self.source}, (IUnknown**)&{self.out});"

    def run(self, run: Run, i: int) -> None:
        run.bind(self.out, run.held[self.via].CopyProxy(run.held[self.source]), copy=True)


@dataclass(frozen=True)
class CoCopyProxy(Step):
    """``CoCopyProxy(source, &out)``: QueryInterface + CopyProxy + Release in one call."""

    out: str = "pCopy"
    source: str = "pItf"

    def code(self) -> str:
        return f"CoCopyProxy({self.source}, (IUnknown**)&{self.out});"

    def run(self, run: Run, i: int) -> None:
        run.bind(self.out, co_copy_proxy(run.held[self.source]), copy=True)


@dataclass(frozen=True)
class SetBlanket(Step):
    """``via->SetBlanket(target, ...)``: pass ``i`` of a loop uses setting ``i % settings``."""

    via: str = "pCS"
    target: str = "pCopy"
    settings: int = 1

    def code(self) -> str:
        return f"{self.via}->SetBlanket({self.target}, ...);"

    def run(self, run: Run, i: int) -> None:
        run.held[self.via].SetBlanket(run.held[self.target], **blanket_for(i % self.settings))


@dataclass(frozen=True)
class CoSetProxyBlanket(Step):
    """``CoSetProxyBlanket(target, ...)``: a blanket for every user of that proxy."""

    target: str = "pItf"

    def code(self) -> str:
        return f"CoSetProxyBlanket({self.target}, ...);"

    def run(self, run: Run, i: int) -> None:
        run.process.CoSetProxyBlanket(run.held[self.target], **blanket_for(0))


@dataclass(frozen=True)
class CoInitializeSecurity(Step):
    """``CoInitializeSecurity(...)`` at startup: the process's default blanket. It makes no
    interface proxy and allocates nothing the model tracks, so running it changes nothing."""

    def code(self) -> str:
        return "CoInitializeSecurity(..., RPC_C_AUTHN_LEVEL_PKT_PRIVACY, ...);"


@dataclass(frozen=True)
class Call(Step):
    """``pointer->Read(...)``: a call through a proxy. It goes to the server and back; the
    proxy manager's objects and count stay as they are, so running it changes nothing."""

    pointer: str = "pItf"

    def code(self) -> str:
        return f"{self.pointer}->Read(...);"


@dataclass(frozen=True)
class Release(Step):
    """``pointer->Release()``: gives one reference back to the proxy manager's one count."""

    pointer: str

    def call(self) -> str:
        """The call without its semicolon, as a choice of answer spells it."""
        return f"{self.pointer}->Release()"

    def code(self) -> str:
        return self.call() + ";"

    def run(self, run: Run, i: int) -> int:
        return run.held[self.pointer].Release()


@dataclass(frozen=True)
class CachedCopy(Step):
    """``out = cache[i % settings]``: the KB's fix. The first time setting s is needed, copy
    ``source`` (QueryInterface for IClientSecurity, CopyProxy, SetBlanket(s), Release) and
    keep the copy, with its one reference, in the cache."""

    out: str = "pCopy"
    source: str = "pItf"
    settings: int = 1

    def code(self) -> str:
        return f"{self.out} = cache[i % {number(self.settings, grouping=False)}];"

    def run(self, run: Run, i: int) -> None:
        slot = i % self.settings
        if slot not in run.cache:
            pItf = run.held[self.source]
            pCS = pItf.QueryInterface("IClientSecurity")
            pCopy = pCS.CopyProxy(pItf)
            pCS.SetBlanket(pCopy, **blanket_for(slot))
            pCS.Release()
            run.cache[slot] = pCopy
            run.copies.append(pCopy)
        run.held[self.out] = run.cache[slot]


@dataclass(frozen=True)
class Comment(Step):
    """A comment of one or more lines; it runs nothing."""

    text: str = field(default="", compare=False)

    def lines(self) -> tuple[str, ...]:
        return tuple(f"// {line}" for line in self.text.splitlines())


@dataclass(frozen=True)
class Mark(Step):
    """A named point of the program where the run records the state (a :class:`.run.State`).
    It prints only its note, as a comment."""

    name: str = "end"

    def lines(self) -> tuple[str, ...]:
        return (f"// {self.note}",) if self.note else ()

    def run(self, run: Run, i: int) -> None:
        run.record(self.name)


@dataclass(frozen=True)
class Labelled(Step):
    """``/* label */ step``: a numbered statement; the run records the state right after it
    under ``label`` (with what the statement returned)."""

    label: str
    step: Step

    def lines(self) -> tuple[str, ...]:
        first, *rest = self.step.lines()
        first = f"/* {self.label} */ {first}"
        return (f"{first}   // {self.note}" if self.note else first, *rest)

    def run(self, run: Run, i: int) -> None:
        run.record(self.label, returned=self.step.run(run, i))


@dataclass(frozen=True)
class Loop(Step):
    """``for (i = 0; i < count; i++) { body }``."""

    count: int
    body: tuple[Step, ...]

    def lines(self) -> tuple[str, ...]:
        head = f"for (i = 0; i < {number(self.count, grouping=False)}; i++) {{"
        head = f"{head}   // {self.note}" if self.note else head
        inner = tuple(INDENT + line for step in self.body for line in step.lines())
        return (head, *inner, "}")

    def run(self, run: Run, i: int) -> None:
        for j in range(self.count):
            for step in self.body:
                step.run(run, j)


@dataclass(frozen=True)
class Program:
    """A client program: its steps, in order."""

    steps: tuple[Step, ...]

    def listing(self) -> str:
        """The program in C++, indented as the printed problem shows it."""
        return "\n".join(INDENT + line for step in self.steps for line in step.lines())

    def steps_of(self, kind: type[Step]) -> list[Step]:
        """The top-level steps of one kind, in order (inside labels, not inside loops)."""
        found = [s.step if isinstance(s, Labelled) else s for s in self.steps]
        return [s for s in found if isinstance(s, kind)]


def kb_body() -> tuple[Step, ...]:
    """The KB's loop body, in the order of its sample code (pCS released before the copy)."""
    return (QueryInterface("pCS"), CopyProxy(), Release("pCS"), Release("pCopy"))


def strategy_body(strategy: str, settings: int = 1) -> tuple[Step, ...]:
    """The loop body of one of the engines' strategies (:data:`comsim.STRATEGIES`), as steps;
    ``settings`` is the number of blankets a cache cycles through."""
    checks.choice("strategy", strategy, STRATEGIES)
    if strategy == "copy-each-time":
        return kb_body()
    if strategy == "co-copy-proxy":
        return (CoCopyProxy(), Release("pCopy"))
    if strategy == "cache-copy":
        return (Comment(say("code", "cache", k=settings)), CachedCopy(settings=settings))
    return (QueryInterface("pCS"), Release("pCS"))  # no-copy


def engine_strategy(body: tuple[Step, ...]) -> tuple[str, int]:
    """The engines' strategy (and number of blankets) whose loop body is ``body``, step for
    step; ValueError if it is none of them."""
    settings = next((s.settings for s in body if isinstance(s, CachedCopy)), 1)
    for strategy in STRATEGIES:
        if strategy_body(strategy, settings) == tuple(body):
            return strategy, settings
    raise checks.refuse(
        "body", f"the loop body of one of the engines' strategies ({', '.join(STRATEGIES)})", body
    )
