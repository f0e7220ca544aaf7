"""Predict before you see (issue 16): every prompt to predict is a commitment, and nothing a
learner sees before a commitment -- an earlier notebook, a heading, the prose above, visible
code, an output, a figure's alt text -- states its answer.

The two course-wide tests read the notebooks the session's reports executed (the
``reports_dir`` fixture, built once and shared with the browser tests). The reading itself
(:mod:`testkit.predictions`) is tested on small notebooks first, without a kernel.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from comsim.teaching.predict import METADATA_KEY
from testkit.predictions import prompts_without_commitment, read_course, spoilers

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))


# -- the reading, on small notebooks -------------------------------------------------------------
def _checkpoint(key: str, answer, unit="", tolerance=0.0, said_as=(), given="") -> dict:
    meta = {
        "key": key,
        "kind": "predict",
        "prompt": f"Question {key}?",
        "task": "",
        "answer": answer,
        "answer_text": f"{answer} {unit}".strip(),
        "unit": unit,
        "tolerance": tolerance,
        "choices": None,
        "said_as": list(said_as),
        "given": given,
        "explanation": "",
    }
    output = nbformat.v4.new_output(
        "display_data",
        data={"text/plain": meta["prompt"]},
        metadata={METADATA_KEY: {"predictions": [meta]}},
    )
    return output


def _code(source: str, *outputs):
    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = list(outputs)
    return cell


def _printed(text: str):
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def _notebook(*cells):
    return nbformat.v4.new_notebook(cells=list(cells))


def _spoilers(*notebooks) -> list[str]:
    return spoilers(*read_course(notebooks, [f"nb{k}" for k in range(len(notebooks))]))


def test_a_number_in_the_answers_unit_within_its_tolerance_is_a_spoiler():
    nb = _notebook(
        nbformat.v4.new_markdown_cell("## Where did 39 MiB go?"),
        _code("comsim.predict(...)", _checkpoint("growth", 39.1, "MiB", tolerance=3.9)),
    )
    [problem] = _spoilers(nb)
    assert "39 MiB" in problem and "nb0, cell 0" in problem


def test_another_unit_or_a_number_outside_the_tolerance_is_no_spoiler():
    nb = _notebook(
        nbformat.v4.new_markdown_cell("About 2 KB per call; 20,001 calls; 30 MiB; 39 KiB."),
        _code("comsim.predict(...)", _checkpoint("growth", 39.1, "MiB", tolerance=3.9)),
    )
    assert _spoilers(nb) == []


def test_an_earlier_notebook_and_an_earlier_output_count():
    first = _notebook(_code("print(growth)", _printed("grew by 39.1 MiB\n")))
    second = _notebook(_code("comsim.predict(...)", _checkpoint("g", 39.1, "MiB", tolerance=1)))
    [problem] = _spoilers(first, second)
    assert "nb0, cell 0, output 0" in problem


def test_code_hidden_from_the_learner_is_no_spoiler_but_visible_code_is():
    hidden = nbformat.v4.new_code_cell(
        "note = '39.1 MiB'", metadata={"tags": ["remove-input"], "jupyter": {"source_hidden": True}}
    )
    visible = nbformat.v4.new_code_cell("note = '39.1 MiB'")
    checkpoint = _code("comsim.predict(...)", _checkpoint("g", 39.1, "MiB", tolerance=1))
    assert _spoilers(_notebook(hidden, checkpoint)) == []
    assert len(_spoilers(_notebook(visible, checkpoint))) == 1


def test_a_count_is_found_by_the_words_pages_use_for_it():
    nb = _notebook(
        _code("stream_copy.Release()", _printed("stream_copy.Release() returns 1\n")),
        nbformat.v4.new_markdown_cell("The refcount = 1 here, and 1 interface proxy."),
        _code("comsim.predict(...)", _checkpoint("c", 1, said_as=("returns", "refcount"))),
    )
    assert len(_spoilers(nb)) == 2


def test_a_count_with_neither_unit_nor_words_is_reported_as_unreadable():
    nb = _notebook(_code("comsim.predict(...)", _checkpoint("c", 1)))
    [problem] = _spoilers(nb)
    assert "no unit and no said_as" in problem


def test_an_earlier_checkpoints_answer_counts_once_it_is_answered():
    nb = _notebook(
        _code("comsim.predict(...)", _checkpoint("first", 4, "KiB")),
        _code("comsim.predict(...)", _checkpoint("second", 4, "KiB")),
    )
    [problem] = _spoilers(nb)
    assert problem.startswith("nb0, cell 1, second") and "first once answered" in problem


def test_a_seeded_problem_is_read_against_its_own_text_only():
    nb = _notebook(
        nbformat.v4.new_markdown_cell("The refcount is 1 after the loop."),
        _code(
            "quiz.predictions(problem)",
            _checkpoint("q", 1, said_as=("refcount",), given="refcount = ?"),
        ),
    )
    assert _spoilers(nb) == []


def test_a_prompt_must_be_followed_by_a_commitment_before_anything_is_shown():
    kept = _notebook(
        nbformat.v4.new_markdown_cell("## Predict: the count"),
        nbformat.v4.new_code_cell("setup = 1"),
        _code("comsim.predict(...)", _checkpoint("c", 1, said_as=("refcount",))),
    )
    assert prompts_without_commitment(kept, "kept") == []
    broken = _notebook(
        nbformat.v4.new_markdown_cell("**Predict:** how many loggers are left?"),
        _code("run()", _printed("20,001 loggers\n")),
    )
    [problem] = prompts_without_commitment(broken, "broken")
    assert "cell 1 shows an output before any commitment" in problem
    unanswered = _notebook(
        nbformat.v4.new_markdown_cell("Predict the order of the curves."),
        nbformat.v4.new_markdown_cell("## Next section"),
    )
    assert "new section" in prompts_without_commitment(unanswered, "x")[0]


def test_prose_that_only_mentions_predicting_is_no_prompt():
    nb = _notebook(nbformat.v4.new_markdown_cell("- predict before you reveal\n- Predictions"))
    assert prompts_without_commitment(nb, "nb") == []


# -- the course ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def executed(reports_dir):
    """Each notebook as the reports executed it, read on first use."""
    done: dict[Path, nbformat.NotebookNode] = {}

    def get(path: Path) -> nbformat.NotebookNode:
        if path not in done:
            done[path] = nbformat.read(reports_dir.parent / "executed" / path.name, as_version=4)
        return done[path]

    return get


COURSE = [pytest.param(path, id=path.stem) for path in NOTEBOOKS]


@pytest.mark.kernel
@pytest.mark.parametrize("notebook", COURSE)
def test_every_prompt_to_predict_is_followed_by_a_commitment(executed, notebook):
    problems = prompts_without_commitment(executed(notebook), notebook.stem)
    assert not problems, "\n".join(problems)


@pytest.mark.kernel
@pytest.mark.parametrize("notebook", COURSE)
def test_nothing_shown_before_a_commitment_gives_its_answer_away(executed, notebook):
    upto = NOTEBOOKS[: NOTEBOOKS.index(notebook) + 1]
    shown, committed = read_course([executed(p) for p in upto], [p.stem for p in upto])
    here = [c for c in committed if c.notebook == len(upto) - 1]
    problems = spoilers(shown, committed, here)
    assert not problems, "\n".join(problems)
