"""Active exercises beside predictions: a learner fills in blanks, hunts a bug in the KB's
loop, moves sliders to a target and tries a variation. Each one answers a wrong try with a
hint and a right one with a pass, works in a kernel, and on a page with no kernel says
plainly that it needs one."""

from __future__ import annotations

import pytest

import comsim
from comsim.teaching import pages
from comsim.teaching.exercises import (
    BUGS,
    NEEDS_KERNEL,
    TRY_NEEDS_KERNEL,
    ___,
    bug_hunt,
    fill_in,
    passes,
    target,
)
from comsim.teaching.predict import METADATA_KEY, TASK_NEEDS_KERNEL
from comsim.teaching.quiz import CopyProxy, QueryInterface, Release


@pytest.fixture(autouse=True)
def _in_a_kernel(monkeypatch):
    monkeypatch.setattr(pages, "_static", False)


def _on_a_static_page(monkeypatch) -> None:
    monkeypatch.setattr(pages, "_static", True)


# -- fill in the blanks: values ------------------------------------------------------------------
@pytest.fixture
def after_two_passes():
    """Values to fill in after two passes of the KB's loop, computed on the model."""
    run = comsim.teaching.exercises.run_loop(list(comsim.teaching.quiz.program.kb_body()), 2)
    return fill_in(
        "After two passes of the KB's loop, what is the proxy manager's count, and how many "
        "interface proxies are alive?",
        refcount=comsim.Answer(
            run.refcounts[-1],
            whole=True,
            hints=[(0, "pItf still holds its reference: the count cannot be 0.")],
        ),
        proxies=run.proxies[-1],
    )


def test_a_blank_left_as_it_is_asks_to_be_filled_in(after_two_passes):
    result = after_two_passes.check(refcount=___, proxies=___)
    assert not result.passed and result.status == "missing"
    assert all("fill in the blank ___" in m for m in result.messages)


def test_a_wrong_value_gets_the_hint_written_for_it(after_two_passes):
    result = after_two_passes.check(refcount=0, proxies=3)
    assert not result.passed
    assert "pItf still holds its reference" in result.messages[0]
    assert result.messages[1].startswith("proxies: Right")


def test_the_right_values_pass(after_two_passes):
    result = after_two_passes.check(refcount=1, proxies="3")
    assert result.passed and str(result).endswith("Passed.")


def test_a_name_the_exercise_does_not_ask_for_is_refused(after_two_passes):
    with pytest.raises(TypeError, match="refcount"):
        after_two_passes.check(refcounts=1)


# -- fill in the blanks: code ----------------------------------------------------------------
@pytest.fixture
def one_pass_blanks():
    return fill_in(
        "Give back both references the pass takes.",
        passes=3,
        refcount=1,
        proxies=4,
        proxies_after_final_release=0,
    )


def test_code_with_blanks_left_is_not_run(one_pass_blanks):
    def one_pass(pItf):
        pCS = pItf.QueryInterface("IClientSecurity")
        pCopy = pCS.CopyProxy(pItf)
        pCS.___()
        pCopy.___()

    result = one_pass_blanks.check(one_pass)
    assert result.status == "missing" and "2 blanks ___" in result.messages[0]


def test_code_filled_in_wrongly_gets_a_hint(one_pass_blanks):
    def one_pass(pItf):
        pCS = pItf.QueryInterface("IClientSecurity")
        pCS.CopyProxy(pItf)
        pCS.Release()

    result = one_pass_blanks.check(one_pass)
    assert not result.passed
    assert result.messages[0].startswith("refcount: Not yet: 4 is too high")


def test_code_that_com_refuses_says_where(one_pass_blanks):
    def one_pass(pItf):
        pCS = pItf.QueryInterface("IClientSecurity")
        pCS.CopyProxy(pItf)
        pCS.Release()
        pCS.Release()

    result = one_pass_blanks.check(one_pass)
    assert not result.passed and "pass 1" in result.messages[0]
    assert "extra Release" in result.messages[0]


def test_code_filled_in_right_passes(one_pass_blanks):
    def one_pass(pItf):
        pCS = pItf.QueryInterface("IClientSecurity")
        pCopy = pCS.CopyProxy(pItf)
        pCS.Release()
        pCopy.Release()

    assert one_pass_blanks.check(one_pass).passed


# -- bug hunt --------------------------------------------------------------------------------
KB_BODY = [QueryInterface("pCS"), CopyProxy(), Release("pCS"), Release("pCopy")]


@pytest.mark.parametrize("bug", list(BUGS))
def test_the_broken_loop_itself_does_not_pass_and_the_kb_loop_does(bug):
    hunt = bug_hunt(bug)
    broken = hunt.check(list(BUGS[bug][0]))
    assert not broken.passed and broken.status == "wrong"
    assert "Not yet" in str(broken)
    assert hunt.check(KB_BODY).passed


def test_a_bug_hunt_shows_the_broken_listing_and_what_goes_wrong():
    hunt = bug_hunt("missing-release")
    text = repr(hunt)
    assert "pCS->CopyProxy(pItf, (IUnknown**)&pCopy);" in text
    assert "pCopy->Release();" not in text  # the bug: the copy's reference is never given back
    assert "count is 2, 3, 4" in hunt.symptom
    assert hunt.body_code() == "[QueryInterface('pCS'), CopyProxy(), Release('pCS')]"


def test_a_hunt_whose_loop_stops_keeps_where_and_why_for_the_learners_own_run():
    hunt = bug_hunt("extra-release")
    assert "E_UNEXPECTED" not in repr(hunt) and "pCS->Release()" in repr(hunt)  # the listing
    first_run = hunt.check(list(BUGS["extra-release"][0]))
    assert "E_UNEXPECTED" in str(first_run) and "pass 1" in str(first_run)


def test_a_missing_release_is_found_by_the_count_that_climbs():
    result = bug_hunt("missing-release").check(list(BUGS["missing-release"][0]))
    assert "count after pass 1" in result.messages[-1]
    assert "never given back" in result.messages[-1]


def test_a_fix_as_a_python_function_is_run_on_the_model_too():
    def one_pass(pItf):
        pCS = pItf.QueryInterface("IClientSecurity")
        pCopy = pCS.CopyProxy(pItf)
        pCS.Release()
        pCopy.Release()

    assert bug_hunt("extra-release").check(one_pass).passed


def test_a_fix_that_makes_no_copy_is_not_the_kb_loop():
    result = bug_hunt("extra-release").check([QueryInterface("pCS"), Release("pCS")])
    assert not result.passed and "interface proxies alive after pass 1" in result.messages[-1]


@pytest.mark.slow
def test_a_fix_that_never_ends_is_stopped_with_a_message(monkeypatch):
    monkeypatch.setattr(passes, "SECONDS", 0.5)  # an endless loop is stopped alike at any limit

    def one_pass(pItf):
        while True:
            pass

    hunt = bug_hunt("extra-release")
    result = hunt.check(one_pass)
    assert not result.passed and "endless loop" in result.messages[0]


def test_an_unknown_bug_is_refused_naming_the_known_ones():
    with pytest.raises(ValueError, match="extra-release"):
        bug_hunt("no-such-bug")


# -- target practice -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def explorer():
    return comsim.explorer()


def test_off_target_the_check_says_how_far_and_which_way(explorer):
    explorer.iterations.value = 20_001
    goal = explorer.traces["copy-each-time"].summary.growth_bytes / 2**20 / 2
    aim = target(explorer, "growth", goal, tolerance=1)
    result = aim.check()
    assert not result.passed and result.status == "wrong"
    assert "above the target" in result.messages[0] and "iterations = 20,001" in result.messages[0]


def test_on_target_the_check_passes(explorer):
    explorer.iterations.value = 20_001
    goal = explorer.traces["copy-each-time"].summary.growth_bytes / 2**20 / 2
    aim = target(explorer, "growth", goal, tolerance=1)
    explorer.iterations.value = 10_001  # half the loop, half the growth
    assert aim.check().passed
    assert aim.widget is not None
    aim.button.click()
    assert "On target" in aim.feedback.value


def test_a_target_on_an_unknown_measure_is_refused(explorer):
    with pytest.raises(ValueError, match="growth"):
        target(explorer, "speed", 1, tolerance=1)


# -- now you try -----------------------------------------------------------------------------
def test_now_you_try_is_checked_like_a_prediction():
    growth = comsim.simulate(iterations=5_001).summary.growth_bytes / 2**20
    task = comsim.now_you_try(
        "Run the KB's loop with 5,001 iterations in a cell of your own.",
        "By how many MiB do private bytes grow?",
        growth,
        unit="MiB",
        tolerance=0.1,
        relative=True,
        hints=[(4 * growth, "That is the 20,001-iteration loop: change the iterations.")],
        key="try-5001",
    )
    assert task.check(4 * growth).startswith("Not yet") and "change the iterations" in (
        task.last_feedback
    )
    assert task.check(growth).startswith("Right")
    _data, metadata = task._repr_mimebundle_()
    assert metadata[METADATA_KEY]["predictions"][0]["kind"] == "now-you-try"
    assert "Now you try" in task.text()


# -- worked answers -------------------------------------------------------------------------
def test_a_worked_answer_opens_only_after_its_checkpoint_is_committed():
    question = comsim.predict("How many copies?", 20_001, unit="copies", key="copies")
    worked = comsim.worked_answer(question, "20,001 copies: one per pass.")
    worked.widget.children[0].click()
    assert not worked.opened and "Commit an answer" in worked.feedback.value
    assert "one per pass" not in str(worked._repr_mimebundle_())
    question.check("nonsense")  # unreadable: not a commitment
    assert not worked.open()
    question.check(3)
    worked.widget.children[0].click()
    assert worked.opened and "one per pass" in worked.answer.value


def test_a_worked_answer_needs_something_to_wait_for():
    with pytest.raises(TypeError, match="after"):
        comsim.worked_answer("a question", "text")


# -- on a page with no kernel ----------------------------------------------------------------
def test_on_a_static_page_each_exercise_says_it_needs_a_kernel(monkeypatch, after_two_passes):
    exercises = [
        after_two_passes,
        bug_hunt("extra-release"),
        target(comsim.explorer(), "growth", 20, tolerance=1),
    ]
    results = [after_two_passes.check(refcount=___, proxies=___)]
    _on_a_static_page(monkeypatch)
    for shown in exercises:
        bundle = shown._repr_mimebundle_()
        assert NEEDS_KERNEL in bundle["text/html"]
        assert "application/vnd.jupyter.widget-view+json" not in bundle
    for shown in results:  # the card above says it in full; the try says it once, briefly
        bundle = shown._repr_mimebundle_()
        assert TRY_NEEDS_KERNEL in bundle["text/html"] and NEEDS_KERNEL not in bundle["text/html"]
        assert "application/vnd.jupyter.widget-view+json" not in bundle


def test_in_a_kernel_an_exercise_shows_how_to_answer_and_no_notice(after_two_passes):
    html = after_two_passes._repr_mimebundle_()["text/html"]
    assert NEEDS_KERNEL not in html and "Replace each" in html


def test_now_you_try_keeps_its_check_on_a_static_page_and_says_the_task_needs_a_kernel():
    task = comsim.now_you_try("Run it with 5,001 iterations.", "How many copies?", 5_001)
    page = task.offline_html()
    assert TASK_NEEDS_KERNEL in page and "Run it with 5,001 iterations." in page
    assert "<form" in page  # the check still works without a kernel


def test_the_exercises_are_part_of_the_public_api():
    assert comsim.fill_in is fill_in and comsim.bug_hunt is bug_hunt
    assert comsim.target is target and comsim.___ is ___
    assert callable(comsim.now_you_try)


# -- in a real kernel --------------------------------------------------------------------------
_KERNEL_CELLS = [
    "import comsim\nfrom comsim import ___\n"
    "blanks = comsim.fill_in('How many?', copies=3)\n"
    "one_pass = comsim.fill_in('Give both back.', passes=2, refcount=1)",
    "40 + 2  # an output: IPython's own ___ would now be an old output",
    "print(blanks.check(copies=___).status)",
    "def kb_pass(pItf):\n"
    "    pCS = pItf.QueryInterface('IClientSecurity')\n"
    "    pCopy = pCS.CopyProxy(pItf)\n"
    "    pCS.___()\n"
    "    pCopy.Release()\n\n"
    "print(one_pass.check(kb_pass).status)",
    "def kb_pass(pItf):\n"
    "    pCS = pItf.QueryInterface('IClientSecurity')\n"
    "    pCopy = pCS.CopyProxy(pItf)\n"
    "    pCS.Release()\n"
    "    pCopy.Release()\n\n"
    "print(one_pass.check(kb_pass).status)",
]


@pytest.mark.kernel
def test_in_a_kernel_blanks_in_values_and_in_code_are_told_apart_from_answers(tmp_path):
    import nbformat

    from comsim.publish import execute

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in _KERNEL_CELLS])
    execute.notebook_client(nb, tmp_path).execute()
    printed = [o.text.strip() for cell in nb.cells[2:] for o in cell.outputs if "text" in o]
    assert printed == ["missing", "missing", "right"]
