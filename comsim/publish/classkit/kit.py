"""Writing the whole class kit at once: the two decks, the three printables and a README that
says what each file is for.

    python -m comsim.publish.classkit [--out build/class] [--students 30] [--seed 100]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import jinja2

from .. import chromium
from ..vendor import fetch_reveal
from .deck import CLASS_TEMPLATES, write_decks
from .plan import CLASS, SHORT, plan, problems
from .printables import CLASS_SIZE, TICKET_SEED, TICKETS_PER_PAGE, tickets, write_printables

MAX_STUDENTS = 200


def write_readme(out_dir: Path, students: int, first_seed: int, last_seed: int) -> Path:
    """``out_dir/README.md``: the kit's files and how to use them."""
    the_plan = plan()
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(CLASS_TEMPLATES), autoescape=False)
    text = env.get_template("README.md.j2").render(
        title=the_plan.title,
        class_minutes=the_plan.class_minutes,
        short_minutes=the_plan.short_minutes,
        class_slides=len(the_plan.deck(CLASS)),
        short_slides=len(the_plan.deck(SHORT)),
        class_plan=f"{the_plan.minutes(CLASS):g}",
        short_plan=f"{the_plan.minutes(SHORT):g}",
        short_questions=", ".join(
            t.slide.question for t in the_plan.deck(SHORT) if t.slide.question
        ),
        students=students,
        per_page=TICKETS_PER_PAGE,
        first_seed=first_seed,
        last_seed=last_seed,
    )
    path = out_dir / "README.md"
    partial = path.with_name(f".{path.name}.tmp")  # a reader never sees half a README
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def write_kit(
    notebooks_dir: Path | str = "notebooks",
    out_dir: Path | str = "build/class",
    students: int = CLASS_SIZE,
    first_seed: int = TICKET_SEED,
) -> list[Path]:
    """Every file of the kit; ValueError when the plan and the notebooks disagree."""
    found = problems(notebooks_dir)
    if found:
        raise ValueError("the class plan and the notebooks disagree: " + "; ".join(found))
    out_dir = Path(out_dir)
    written = write_decks(notebooks_dir, out_dir)
    made = tickets(students, first_seed)  # once, for the printables and the README
    written += write_printables(out_dir, students, first_seed, made)
    written.append(write_readme(out_dir, students, first_seed, made[-1].seed))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m comsim.publish.classkit", description="Write the class kit."
    )
    parser.add_argument("--notebooks-dir", type=Path, default=Path("notebooks"))
    parser.add_argument("--out", type=Path, default=Path("build/class"))
    parser.add_argument(
        "--students", type=int, default=CLASS_SIZE, help="exit tickets: one per student"
    )
    parser.add_argument("--seed", type=int, default=TICKET_SEED, help="the first ticket's seed")
    args = parser.parse_args(argv)
    if not 1 <= args.students <= MAX_STUDENTS or args.seed < 0:
        parser.error(f"--students must be in [1, {MAX_STUDENTS}] and --seed a whole number >= 0")
    started = time.perf_counter()
    try:
        fetch_reveal()
        written = write_kit(args.notebooks_dir, args.out, args.students, args.seed)
    except (FileNotFoundError, RuntimeError, ValueError, chromium.ChromiumMissing) as error:
        print(f"comsim.publish.classkit: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"{path.stat().st_size / 1024:8.0f} KiB  {path}")
    print(f"the class kit in {args.out.resolve()} ({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
