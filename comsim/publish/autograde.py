"""Grade notebook 07's take-home (the per-blanket cache) for a folder of submissions.

    python -m comsim.publish.autograde FOLDER [--out build/grades] [--seconds 5] [--memory-mib 256]

FOLDER holds one ``NAME.py`` per student, each defining ``BlanketCache``. Every file runs in a
process of its own, in a fresh temporary directory, under time and memory limits, as the user
``nobody`` when this runs as root, and cannot read the other files, the answer key or comsim
(see :mod:`comsim.publish.assignment`). The course's checker drives each cache from this side
of a pipe and the rubric scores it per criterion. Writes ``grades.csv`` (a row per student, a
column per criterion) and ``NAME.txt`` (the feedback a student reads) to ``--out``.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

from .assignment.grade import Grade, grade_folder, rubric
from .assignment.sandbox import Limits


def write_grades(grades: list[Grade], out_dir: Path | str) -> Path:
    """``grades.csv`` and one feedback file per student in ``out_dir``; the CSV's path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    criteria = rubric().criteria
    table = out_dir / "grades.csv"
    with table.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["student", *(f"{c.key} (/{c.points})" for c in criteria), "total"])
        for grade in grades:
            writer.writerow([grade.student, *(s.points for s in grade.scores), grade.points])
    for grade in grades:
        (out_dir / f"{grade.student}.txt").write_text(grade.text() + "\n", encoding="utf-8")
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m comsim.publish.autograde", description=__doc__.splitlines()[0]
    )
    parser.add_argument("folder", type=Path, help="one NAME.py per student")
    parser.add_argument("--out", type=Path, default=Path("build/grades"))
    parser.add_argument("--seconds", type=float, default=5.0, help="wall time per submission")
    parser.add_argument("--memory-mib", type=int, default=256, help="address space per submission")
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 60 or not 64 <= args.memory_mib <= 4096:
        parser.error("--seconds must be in (0, 60] and --memory-mib in [64, 4096]")
    started = time.perf_counter()
    try:
        grades = grade_folder(args.folder, Limits(args.seconds, args.memory_mib))
    except FileNotFoundError as error:
        print(f"comsim.publish.autograde: {error}", file=sys.stderr)
        return 1
    total = rubric().points
    for grade in grades:
        print(f"{grade.points:3d}/{total}  {grade.student}")
    table = write_grades(grades, args.out)
    print(f"{len(grades)} submission(s) graded in {time.perf_counter() - started:.1f} s: {table}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
