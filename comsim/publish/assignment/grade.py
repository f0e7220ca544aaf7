"""Grading notebook 07's take-home, the per-blanket cache, by the rubric in ``rubric.json``.

:func:`grade_submission` runs one file in its own :class:`~.sandbox.Sandbox` and lets the
course's checker (:func:`comsim.teaching.quiz.check_cache`) drive it; the checker's report
says which rule broke and where, and the rubric turns that into a score per criterion.
:func:`grade_folder` does it for every ``*.py`` in a folder, one process after the other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from ...model.text import number
from ...teaching.quiz import CACHE_CHECK_BLANKETS, CACHE_CHECK_CALLS, CacheReport, check_cache
from ...teaching.quiz.budget import OutOfTime
from .sandbox import DEFAULT_LIMITS, Limits, Sandbox, SubmissionError

SOURCE_LIMIT = 256 * 1024  # bytes: longer files are not run
BLANKETS, CALLS = CACHE_CHECK_BLANKETS, CACHE_CHECK_CALLS  # the checker's loop, as in notebook 07


@dataclass(frozen=True)
class Criterion:
    """One line of the rubric: what it asks, its points, and which checker rules break it."""

    key: str
    title: str
    points: int
    done_after: str
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Rubric:
    assignment: str
    class_name: str
    how_scored: str
    stages: tuple[str, ...]
    criteria: tuple[Criterion, ...]
    by_stage: dict[str, str]

    @property
    def points(self) -> int:
        return sum(c.points for c in self.criteria)


@cache
def rubric() -> Rubric:
    """The rubric, from ``rubric.json`` beside this module."""
    data = json.loads(resources.files(__package__).joinpath("rubric.json").read_text("utf-8"))
    criteria = tuple(
        Criterion(c["key"], c["title"], c["points"], c["done_after"], tuple(c["rules"]))
        for c in data["criteria"]
    )
    return Rubric(
        data["assignment"],
        data["class_name"],
        data["how_scored"],
        tuple(data["stages"]),
        criteria,
        dict(data["by_stage"]),
    )


@dataclass(frozen=True)
class Score:
    """One criterion's score for one submission, and why."""

    criterion: Criterion
    points: int
    note: str  # "passed", "broken: <message>" or "not reached"


@dataclass(frozen=True)
class Grade:
    """One submission's grade: a score per criterion, the checker's lines, and what the
    sandbox refused it (as the sandbox reports it; the scores never depend on that)."""

    student: str
    scores: tuple[Score, ...]
    lines: tuple[str, ...]
    refused: tuple[str, ...] = ()

    @property
    def points(self) -> int:
        return sum(s.points for s in self.scores)

    def text(self) -> str:
        """The feedback a student reads: the scores, then the checker's report."""
        total = rubric().points
        rows = [f"{self.student}: {self.points}/{total}"]
        rows += [
            f"  {s.points}/{s.criterion.points}  {s.criterion.title} ({s.note})"
            for s in self.scores
        ]
        rows += ["", *self.lines]
        if self.refused:
            rows += ["", "The sandbox refused:", *(f"  {r}" for r in self.refused)]
        return "\n".join(rows)


def score(passed: bool, broken: str, stage: str, message: str) -> tuple[Score, ...]:
    """The rubric applied to a check's outcome: everything when it passed; otherwise full
    points for criteria done before ``stage``, 0 for the one ``broken`` names (or, for a rule
    of no criterion such as a time-out, the criterion of ``stage``), 0 for the rest."""
    r = rubric()
    if passed:
        return tuple(Score(c, c.points, "passed") for c in r.criteria)
    owner = next((c.key for c in r.criteria if broken in c.rules), r.by_stage.get(stage, ""))
    reached = r.stages.index(stage) if stage in r.stages else 0
    scores = []
    for c in r.criteria:
        if c.key == owner:
            scores.append(Score(c, 0, f"broken: {message}"))
        elif r.stages.index(c.done_after) < reached:
            scores.append(Score(c, c.points, "passed"))
        else:
            scores.append(Score(c, 0, "not reached"))
    return tuple(scores)


def grade_submission(path: Path | str, limits: Limits = DEFAULT_LIMITS) -> Grade:
    """Grade one file: its own process, directory and limits; a score per criterion."""
    path = Path(path)
    student = path.stem
    try:
        source = path.read_bytes()[: SOURCE_LIMIT + 1].decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return _not_loaded(student, f"the file cannot be read as UTF-8 text ({error})")
    if len(source) > SOURCE_LIMIT:
        return _not_loaded(student, f"the file is over {SOURCE_LIMIT // 1024} KiB")
    sandbox = Sandbox(source, rubric().class_name, limits)
    try:
        report = _check(sandbox, limits)
    finally:
        refused = tuple(sandbox.close())
    if isinstance(report, str):
        return _not_loaded(student, report, refused)
    message = report.lines[-1].removeprefix("✘ ") if not report.passed else ""
    scores = score(report.passed, report.broken, report.stage, message)
    return Grade(student, scores, tuple(str(report).splitlines()), refused)


def _check(sandbox: Sandbox, limits: Limits) -> CacheReport | str:
    """Load the submission in its sandbox and run the checker on it; why it did not load."""
    try:
        sandbox.load()
    except SubmissionError as error:
        return str(error)
    except OutOfTime:
        return f"the file was still running after {number(limits.seconds, 's')}"
    except Exception as error:  # what the file raised as it ran, or no class of that name
        return f"{type(error).__name__}: {error}"
    return check_cache(
        sandbox.cache_class(), blankets=BLANKETS, calls=CALLS, seconds=limits.seconds
    )


def _not_loaded(student: str, why: str, refused: tuple[str, ...] = ()) -> Grade:
    message = f"the submission did not load: {why}"
    return Grade(student, score(False, "load", "build", message), (f"✘ {message}",), refused)


def submissions(folder: Path | str) -> list[Path]:
    """The submissions in ``folder``: one ``*.py`` file per student, by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no folder of submissions at {folder.resolve()}")
    return sorted(p for p in folder.glob("*.py") if p.is_file())


def grade_folder(folder: Path | str, limits: Limits = DEFAULT_LIMITS) -> list[Grade]:
    """Grade every submission in ``folder``, each in a process of its own."""
    return [grade_submission(path, limits) for path in submissions(folder)]
