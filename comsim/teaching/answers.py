"""The course's one answer checker: what counts as right, and what to say to every answer.

An :class:`Answer` knows the expected value (a number within a tolerance, one of a set of
choices, or free text) and the typical wrong answers with their diagnoses. Its rule is written
once, as data: :meth:`Answer.table` lists the bands of numbers (or the texts) that earn each
verdict and the message for each. :meth:`Answer.verdict` reads that table in Python, and the
static pages' script reads the same table in the browser, so a rule or a message never exists
twice. Messages hold ``{given}``, which is replaced by what
the learner typed, trimmed.

Everything that checks an answer (a prediction, a quiz question, a fill-in-the-blank) builds an
``Answer`` and asks it for a :class:`Verdict`.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..model import checks
from ..model.text import number

STATUSES = ("right", "wrong", "invalid", "missing")
# Characters a person may type inside a number (thousands separators, spaces, underscores),
# and what must remain: the same two patterns run in Python here and in the browser.
SEPARATORS = r"[,_\s\u202f\u00a0]"
NUMBER = r"^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$"
_SEPARATORS = re.compile(SEPARATORS)
_NUMBER = re.compile(NUMBER, re.IGNORECASE)

RETRY = "Think it through again, or unfold the answer."


@dataclass(frozen=True)
class Verdict:
    """What the checker says about one answer: ``status`` is right, wrong, invalid (could not
    be read as an answer) or missing (nothing given yet), and ``message`` says why."""

    status: str
    message: str

    @property
    def right(self) -> bool:
        return self.status == "right"


@dataclass(frozen=True)
class Answer:
    """The expected answer to one question and what to tell each reply.

    ``value`` is a number (right within ``tolerance``, in ``unit``; with ``relative=True`` the
    tolerance is a fraction of the value) or a str (one of ``choices``, or free text compared
    without regard to case and surrounding spaces). ``whole=True`` accepts whole numbers only.
    ``hints`` pair a typical wrong answer with its diagnosis; a number within the same
    tolerance of a hinted one gets that diagnosis. ``retry`` follows a wrong answer no hint
    foresaw.
    """

    value: float | int | str
    unit: str = ""
    tolerance: float = 0.0
    relative: bool = False
    choices: tuple[str, ...] | None = None
    hints: tuple[tuple[float | int | str, str], ...] = ()
    whole: bool = False
    retry: str = RETRY
    _table: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "unit", checks.text("unit", self.unit, empty_ok=True).strip())
        checks.flag("relative", self.relative)
        checks.flag("whole", self.whole)
        checks.text("retry", self.retry)
        if self.numeric:
            object.__setattr__(self, "value", _number("answer", self.value, self.whole))
            checks.number(
                "tolerance",
                self.tolerance,
                "float",
                0,
                1 if self.relative else math.inf,
                high_open=self.relative,
            )
            if self.choices is not None:
                raise TypeError(
                    "answer must be one of the choices (a str) when choices are "
                    f"given; got the number {self.value!r}"
                )
        else:
            checks.text("answer", self.value)
            # What the answer may be comes before how a reply is compared with it.
            object.__setattr__(self, "choices", _choices(self.choices, self.value))
            if self.tolerance or self.relative or self.whole:
                raise ValueError(
                    "tolerance, relative and whole apply to numeric answers only; the answer "
                    f"{self.value!r} is a str (got tolerance={self.tolerance!r}, "
                    f"relative={self.relative!r}, whole={self.whole!r})"
                )
        object.__setattr__(self, "hints", self._checked_hints())
        object.__setattr__(self, "_table", self._build_table())

    # -- what the answer is ---------------------------------------------------------------------
    @property
    def numeric(self) -> bool:
        return isinstance(self.value, numbers.Real) and not isinstance(self.value, bool)

    def spread(self, around: float) -> float:
        """How far a number may be from ``around`` and still count as the same answer."""
        return self.tolerance * abs(around) if self.relative else self.tolerance

    def text(self) -> str:
        """The expected answer as a person reads it, with its unit."""
        return number(self.value, self.unit) if self.numeric else str(self.value)

    def kind_text(self) -> str:
        """What kind of reply is expected, for prompts: "a whole number", "one of: a | b"."""
        if self.choices is not None:
            return "one of: " + " | ".join(self.choices)
        if not self.numeric:
            return "a few words"
        if self.whole:
            return "a whole number" + (f" of {self.unit}" if self.unit else "")
        return "a number" + (f" of {self.unit}" if self.unit else "") + ", e.g. 12.5"

    # -- the rule, as data ---------------------------------------------------------------------
    def table(self) -> dict:
        """The whole rule as JSON-ready data: how to read a reply and the verdict for each
        reading. ``verdict`` applies it here; the static pages' script applies it offline."""
        return self._table

    def _build_table(self) -> dict:
        invalid = (
            "Please "
            + (
                "choose " + self.kind_text()
                if self.choices is not None
                else f"enter {self.kind_text()}"
                if self.numeric
                else "type an answer"
            )
            + ", then check again."
        )
        table = {
            "kind": "number" if self.numeric else "choice" if self.choices else "text",
            "unit": self.unit,
            "separators": SEPARATORS,
            "number": NUMBER,
            "whole": self.whole,
            "missing": ["missing", invalid],
            "invalid": ["invalid", invalid],
        }
        # within a tolerance, say the exact answer too; for an exact one it would only repeat
        exactly = (
            f"; the answer is {self.text()}" if self.numeric and self.spread(self.value) else ""
        )
        right = ["right", f"Right: {{given}}{exactly}."]
        if self.numeric:
            bands = [[*self._band(self.value), *right]]
            for wrong, diagnosis in self.hints:
                bands.append([*self._band(wrong), "wrong", f"Not yet: {{given}}. {diagnosis}"])
            table["bands"] = bands
            table["above"] = ["wrong", f"Not yet: {{given}} is too high. {self.retry}"]
            table["below"] = ["wrong", f"Not yet: {{given}} is too low. {self.retry}"]
        else:
            texts = {_key(self.value): right}
            for wrong, diagnosis in self.hints:
                texts.setdefault(_key(wrong), ["wrong", f"Not yet: {{given}}. {diagnosis}"])
            table["texts"] = texts
            table["choices"] = list(self.choices) if self.choices else None
            table["otherwise"] = ["wrong", f"Not yet: {{given}} is not it. {self.retry}"]
        return table

    def _band(self, around: float) -> list[float]:
        spread = self.spread(around)
        return [around - spread, around + spread]

    # -- reading a reply -----------------------------------------------------------------------
    def parse(self, given: object) -> float | str | None:
        """The reply in the answer's type, or None if it cannot be read as one. Text such as
        ``"20,001"``, ``"1.5e3"`` or ``"40 MiB"`` reads as a number."""
        if given is None or isinstance(given, bool):
            return None
        if not self.numeric:
            text = str(given).strip()
            if self.choices is not None and _key(text) not in {_key(c) for c in self.choices}:
                return None
            return text or None
        if isinstance(given, numbers.Real):
            try:
                value = float(given)
            except OverflowError:
                return None
        else:
            text = str(given).strip()
            if self.unit and text.lower().endswith(self.unit.lower()):
                text = text[: -len(self.unit)]
            text = _SEPARATORS.sub("", text)
            if not _NUMBER.match(text):
                return None
            value = float(text)
        if not math.isfinite(value) or (self.whole and not value.is_integer()):
            return None
        return value

    def verdict(self, given: object) -> Verdict:
        """The verdict on ``given`` (None means nothing was given yet), from :meth:`table`."""
        t = self._table
        shown = "" if given is None else str(given).strip()
        if given is None or shown == "":
            status, message = t["missing"]
        elif (value := self.parse(given)) is None:
            status, message = t["invalid"]
        elif self.numeric:
            status, message = next(
                (b[2:] for b in t["bands"] if b[0] <= value <= b[1]),
                t["above"] if value > self.value else t["below"],
            )
        else:
            status, message = t["texts"].get(_key(value), t["otherwise"])
        return Verdict(status, message.replace("{given}", shown))

    def is_right(self, given: object) -> bool:
        return self.verdict(given).right

    # -- argument checks -----------------------------------------------------------------------
    def _checked_hints(self) -> tuple[tuple[float | int | str, str], ...]:
        hints = self.hints
        if isinstance(hints, str) or not isinstance(hints, Sequence):
            raise checks.refuse(
                "hints", "a sequence of (wrong answer, diagnosis) pairs", hints, TypeError
            )
        out = []
        for i, pair in enumerate(hints):
            if not isinstance(pair, tuple | list) or len(pair) != 2:
                raise checks.refuse(
                    f"hints[{i}]", "a (wrong answer, diagnosis) pair", pair, TypeError
                )
            wrong, diagnosis = pair
            checks.text(f"hints[{i}] diagnosis", diagnosis)
            if self.numeric:
                wrong = _number(f"hints[{i}] wrong answer", wrong, False)
                if abs(wrong - self.value) <= self.spread(self.value):
                    raise ValueError(
                        f"hints[{i}] wrong answer {wrong!r} would be accepted as right (answer "
                        f"{self.value!r}, tolerance {self.tolerance!r}); a hint must be wrong"
                    )
            else:
                checks.text(f"hints[{i}] wrong answer", wrong)
                if self.choices is not None:
                    checks.choice(f"hints[{i}] wrong answer", wrong, self.choices)
                if _key(wrong) == _key(self.value):
                    raise ValueError(f"hints[{i}] wrong answer {wrong!r} is the answer itself")
            out.append((wrong, diagnosis))
        return tuple(out)


def _key(text: object) -> str:
    return str(text).strip().casefold()


def _number(name: str, value: object, whole: bool) -> float | int:
    """A finite number that fits a float (the browser compares floats too); an int stays one."""
    checked = checks.number(name, value, "float")
    if whole:
        checks.number(name, value, "int")
    return int(value) if isinstance(value, numbers.Integral) else checked


def _choices(choices: object, value: object) -> tuple[str, ...] | None:
    if choices is None:
        return None
    if isinstance(choices, str) or not isinstance(choices, Sequence):
        raise checks.refuse(
            "choices", "a sequence of str (e.g. a list) or None", choices, TypeError
        )
    if len(choices) < 2:
        raise checks.refuse("choices", "at least 2 options", list(choices))
    for item in choices:
        checks.text("each choice", item)
    if len(set(choices)) != len(choices):
        raise checks.refuse("choices", "options that do not repeat", list(choices))
    checks.choice("answer", value, choices)
    return tuple(choices)
