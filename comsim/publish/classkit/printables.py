"""The class's paper: the worksheet, one exit ticket per student, and the answer key, printed
to A4 PDF by headless Chromium with a page number on every page.

- ``worksheet.pdf``: the room's questions and the predictions of the 50-minute plan, each with
  a blank to write in, and a practice problem with its text in full; no answers.
- ``exit-tickets.pdf``: one ticket per student (a class of :data:`CLASS_SIZE` by default), each
  with its own seed, so neighbours solve different problems (the seed draws the kind of
  question too); :data:`TICKETS_PER_PAGE` to an A4 page, with a dashed line to cut along.
- ``answer-key.pdf``: the worksheet's answers with the usual wrong ones, and every ticket's
  answers with their reasoning, by seed.

The problems come from :mod:`comsim.teaching.quiz`, which computes every answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2

from ...teaching import quiz
from .. import chromium
from .plan import CLASS, plan

TEMPLATES = Path(__file__).parent / "templates" / "print"
FOOTER = Path(__file__).parents[1] / "templates" / "print" / "footer.html"
"""Chromium's page footer, the page number of the page count: the handouts use it too."""
PAGE = {
    "format": "A4",
    "margin": {"top": "16mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
}
WORKSHEET_SEED = 38
"""The worksheet's practice problem: notebook 07's first problem, so the room meets it again."""
TICKET_SEED = 100
CLASS_SIZE = 30
"""Students in the room, one exit ticket each: the issue's class of 30."""
TICKETS_PER_PAGE = 2
"""Tickets on one A4 page: the longest problem (29 lines) fills half a page."""


@dataclass(frozen=True)
class Ticket:
    """One student's exit ticket: its number, its seed, its problem's text with blanks, and
    with answers."""

    number: int
    seed: int
    kind: str
    text: str
    answers: str


def _taught_in_class(problem) -> bool:
    """False for a problem that runs the counterfactual free-on-release COM: notebook 03 teaches
    it, the class decks do not, and a ticket is answered with no notes."""
    try:
        return problem.setting("policy") != "free-on-release"
    except KeyError:  # a kind of problem with no policy
        return True


def tickets(students: int = CLASS_SIZE, first_seed: int = TICKET_SEED) -> list[Ticket]:
    """One ticket per student, from seed ``first_seed`` upward, passing over the seeds whose
    problem the class did not teach (see :func:`_taught_in_class`)."""
    made: list[Ticket] = []
    seed = first_seed - 1
    while len(made) < students:
        seed += 1
        problem = quiz.make_problem(seed)
        if not _taught_in_class(problem):
            continue
        number = len(made) + 1
        made.append(
            Ticket(
                number,
                seed,
                quiz.KIND_TITLES[problem.kind],
                quiz.problem_text(problem),
                quiz.problem_text(problem, answers=True),
            )
        )
    return made


def _questions() -> list:
    """The plan's questions to the room, in class order."""
    return [t.slide for t in plan().deck(CLASS) if t.slide.question]


def render(name: str, **context) -> str:
    """The page ``name`` (a template in ``templates/print``) as HTML."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=jinja2.select_autoescape()
    )
    css = (TEMPLATES / "print.css").read_text(encoding="utf-8")
    return env.get_template(f"{name}.html.j2").render(css=css, title=plan().title, **context)


def pages(
    students: int = CLASS_SIZE, first_seed: int = TICKET_SEED, made: list[Ticket] | None = None
) -> dict[str, str]:
    """The three printables as HTML, by file name (``made``: the tickets, if already made)."""
    practice = quiz.make_problem(WORKSHEET_SEED)
    made = tickets(students, first_seed) if made is None else made
    questions = _questions()
    return {
        "worksheet.pdf": render(
            "worksheet", questions=questions, practice=quiz.problem_text(practice)
        ),
        "exit-tickets.pdf": render("tickets", tickets=made, per_page=TICKETS_PER_PAGE),
        "answer-key.pdf": render(
            "key",
            questions=questions,
            practice=quiz.problem_text(practice, answers=True),
            tickets=made,
        ),
    }


def footer() -> str:
    """Chromium's footer template: the page number and the page count."""
    return FOOTER.read_text(encoding="utf-8")


def print_html(browser, html: str, pdf: Path) -> Path:
    """Print ``html`` to ``pdf`` (A4, page numbers) with an open playwright ``browser``; the
    page may fetch nothing."""
    context = browser.new_context()
    try:
        context.route("**/*", lambda route: route.abort())
        page = context.new_page()
        page.set_content(html, wait_until="load")
        pdf.parent.mkdir(parents=True, exist_ok=True)
        page.pdf(
            path=str(pdf),
            display_header_footer=True,
            header_template="<span></span>",
            footer_template=footer(),
            print_background=True,
            **PAGE,
        )
    finally:
        context.close()
    return pdf


def write_printables(
    out_dir: Path | str = "build/class",
    students: int = CLASS_SIZE,
    first_seed: int = TICKET_SEED,
    made: list[Ticket] | None = None,
) -> list[Path]:
    """Write the worksheet, the exit tickets (one per student) and the answer key to
    ``out_dir`` (``made``: the tickets, if already made)."""
    out, printed = Path(out_dir), pages(students, first_seed, made)
    return chromium.with_browser(
        lambda browser: [print_html(browser, html, out / name) for name, html in printed.items()]
    )
