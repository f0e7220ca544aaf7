"""Every exercise a notebook sets (fill in the blanks, bug hunt, target practice, now you try)
answers a learner's wrong try with the hint written for it and a right try with a pass, in the
notebook's own live kernel after Run All, exactly as a learner would type them (issue 16).
Predictions are tried too: a typical wrong answer gets the diagnosis written for it.

For 01-03 each case is a learner's try, typed into a new cell below the notebook, and what
comsim must answer: its status ("right" or "wrong") and, for a wrong try, words of the hint.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from testkit.live import LiveNotebook

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"

pytestmark = pytest.mark.kernel

KB_BODY = "[QueryInterface('pCS'), CopyProxy(), Release('pCS'), Release('pCopy')]"

# notebook: [(a learner's try, an expression whose value is comsim's answer), status, hint]
TRIES: dict[str, list[tuple[str, str, str]]] = {
    "01_the_symptom": [
        (
            "hunt.check([QueryInterface('pCS'), CopyProxy(), Release('pCS'), Release('pCS')])",
            "wrong",
            "Every pointer gets exactly one Release",
        ),
        (f"hunt.check({KB_BODY})", "right", ""),
        ("growth_target.check()", "wrong", "below the target"),
        ("ex.iterations.value = 26_001\ngrowth_target.check()", "right", ""),
    ],
    "02_aggregation": [
        (
            "releases.check(security_release=0, copy_release=0, proxies=1)",
            "wrong",
            "Releasing the copy does not free it",
        ),
        ("releases.check(security_release=2, copy_release=1, proxies=2)", "right", ""),
        (
            "early.check([QueryInterface('pCS'), Release('pCS'), CopyProxy()])",
            "wrong",
            "exactly one Release, after its last use",
        ),
        (
            "early.check([QueryInterface('pCS'), CopyProxy(), Release('pCS')])",
            "wrong",
            "One reference is never given back",
        ),
        (f"early.check({KB_BODY})", "right", ""),
    ],
    "03_deferred_deallocation": [
        (
            "decommit_rule.check(small_block='yes', big_block='yes', big_block_little_free='yes')",
            "wrong",
            "below decommit_free_block_bytes",
        ),
        (
            "decommit_rule.check(small_block='no', big_block='yes', big_block_little_free='no')",
            "right",
            "",
        ),
        ("segments_task.check(30)", "wrong", "Segments do not come in one size"),
        ("segments_task.check(6)", "right", ""),
    ],
}

# Printed by the kernel for each try: comsim's answer as JSON (a Result, or a checkpoint's text).
_REPORT = """
import json as _json
_answer = {expression}
if isinstance(_answer, str):  # a checkpoint (now you try) answers with its feedback text
    _status = "right" if _answer.startswith("Right") else "wrong"
    print(_json.dumps({{"status": _status, "text": _answer}}))
else:
    print(_json.dumps({{"status": _answer.status, "text": str(_answer)}}))
"""


def _cell(attempt: str) -> str:
    """The learner's try as a cell: any statements, then the check whose answer is reported."""
    *before, last = attempt.split("\n")
    return "\n".join([*before, _REPORT.format(expression=last)])


@pytest.mark.parametrize("name", sorted(TRIES))
def test_each_exercise_of_01_to_03_gives_a_wrong_try_its_hint_and_a_right_try_a_pass(name):
    problems = []
    with LiveNotebook(NOTEBOOKS_DIR / f"{name}.ipynb") as live:
        for attempt, status, hint in TRIES[name]:
            printed = live.run(_cell(attempt)).strip().splitlines()
            answer = json.loads(printed[-1]) if printed else {"status": "none", "text": ""}
            if answer["status"] != status or hint not in answer["text"]:
                problems.append(f"{attempt!r}: wanted {status} {hint!r}, got {answer}")
    assert not problems, "\n".join(problems)


def test_00_the_labels_exercise_says_why_a_wrong_tag_is_wrong_and_passes_the_right_ones():
    labels = "print(labels.check(iterations={!r}, page_bytes={!r}, base_private_bytes={!r}))"
    with LiveNotebook(NOTEBOOKS_DIR / "00_start_here.ipynb") as live:
        wrong = live.run(labels.format("documented", "documented", "wine-reactos"))
        right = live.run(labels.format("documented", "inferred", "hypothesis"))
        unknown = live.run(labels.format("documented", "a guess", "hypothesis"))
    assert "✔ iterations: Right: documented." in wrong, wrong
    assert "✘ page_bytes: Not yet: documented. Microsoft's pages say where to read" in wrong
    assert "✘ base_private_bytes: Not yet: wine-reactos. Wine and ReactOS are not NT 4.0" in wrong
    assert right.strip().endswith("Passed."), right
    assert "page_bytes: Please choose one of: documented | wine-reactos | inferred" in unknown


@pytest.fixture(scope="module")
def nb04():
    with LiveNotebook(NOTEBOOKS_DIR / "04_loop_tightness.ipynb") as live:
        yield live


# -- 04 -----------------------------------------------------------------------------------------
def test_04_the_pace_prediction_tells_the_tight_loop_from_the_looser_one(nb04):
    reply = nb04.run("print(pace_prediction.check(at_full))")
    assert "That is the tight loop" in reply
    assert nb04.run("print(pace_prediction.check(at_pace))").startswith("Right")


def test_04_the_target_says_how_far_off_the_tight_loop_is_and_passes_at_the_right_pace(nb04):
    reply = nb04.run("explorer.tightness.value = 1.0\nprint(target_practice.check())")
    assert "Not yet" in reply and "above the target" in reply
    reply = nb04.run("explorer.tightness.value = target_pace\nprint(target_practice.check())")
    assert reply.startswith("✔ On target")


_RULE = """
def bytes_per_iteration(tightness):
    idle_us = CPU_US * (1 / tightness - 1)
    freed = {freed}
    return COPY + TRANSIENT - freed

print(rule.check(bytes_per_iteration))
"""


def test_04_a_rule_of_thumb_with_blanks_left_is_not_run(nb04):
    reply = nb04.run("print(rule.check(bytes_per_iteration))")
    assert "3 blanks ___ still to fill in" in reply


def test_04_a_rule_of_thumb_whose_reaper_frees_too_much_gets_the_hint(nb04):
    reply = nb04.run(_RULE.format(freed="REAPER_PER_US * idle_us  # no limit"))
    assert "cannot free more than the transient bytes" in reply
    assert "Not yet" in reply


def test_04_the_rule_of_thumb_passes_at_every_pace(nb04):
    reply = nb04.run(_RULE.format(freed="min(TRANSIENT, REAPER_PER_US * idle_us)"))
    assert reply.rstrip().endswith("Passed.")


def test_04_the_h2_off_question_says_a_fitting_measurement_does_not_single_out_h2(nb04):
    reply = nb04.run("print(h2_off_prediction.check(h2_off_choices[0]))")
    assert "does not single it out" in reply
    assert "What rules it out is the KB's cause" in nb04.run(
        "print(h2_off_prediction.check(h2_off_choices[2]))"
    )
    assert nb04.run("print(h2_off_prediction.check(h2_off_answer))").startswith("Right")


def test_04_now_you_try_tells_the_tight_loops_slope_from_the_loose_ones(nb04):
    assert "tight loop's slope" in nb04.run("print(loose_perfmon.check(tight_rise_kib))")
    learner = "loop_rise_kib(comsim.perfmon_samples(loose, 1000))"
    assert nb04.run(f"print(loose_perfmon.check({learner}))").startswith("Right")


# -- 05 -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def nb05():
    with LiveNotebook(NOTEBOOKS_DIR / "05_the_workaround.ipynb") as live:
        yield live


def test_05_the_shared_blanket_prediction_says_a_blanket_belongs_to_the_proxy(nb05):
    reply = nb05.run("print(shared_prediction.check(shared_choices[0]))")
    assert "a blanket belongs to the proxy" in reply
    assert nb05.run("print(shared_prediction.check(shared_answer))").startswith("Right")


def test_05_counting_the_releases_a_copy_freed_at_its_release_gets_the_hint(nb05):
    reply = nb05.run(
        "print(release_counts.check(count_after_pCopy=2, proxies_before_final=1, "
        "proxies_after_final=0))"
    )
    assert "The copy's Release freed nothing" in reply and "Not yet" in reply


def test_05_counting_the_releases_right_passes(nb05):
    reply = nb05.run(
        "print(release_counts.check(count_after_pCopy=2, proxies_before_final=2, "
        "proxies_after_final=0))"
    )
    assert reply.rstrip().endswith("Passed.")


def test_05_which_strategies_climb_names_cocopyproxys_three_calls(nb05):
    reply = nb05.run("print(climb_prediction.check(climb_choices[0]))")
    assert "CoCopyProxy makes the same three calls" in reply
    assert nb05.run("print(climb_prediction.check(climb_answer))").startswith("Right")


def test_05_now_you_try_a_cost_per_iteration_gets_the_hint(nb05):
    reply = nb05.run("print(longer_prediction.check(10 * long_run.summary.growth_bytes / KIB))")
    assert "not once per iteration" in reply
    learner = (
        "comsim.simulate(strategy='cache-copy', blankets=50, iterations=200_001)"
        ".summary.growth_bytes / 1024"
    )
    assert nb05.run(f"print(longer_prediction.check({learner}))").startswith("Right")


_CLEANUP = """
def release_all(cache):
{body}

print(cleanup.check(release_all))
"""


def test_05_a_clean_up_that_forgets_the_copies_gets_the_hint(nb05):
    reply = nb05.run(_CLEANUP.format(body="    cache.clear()"))
    assert "Every copy still holds its reference" in reply and "Not yet" in reply


def test_05_a_clean_up_that_releases_twice_is_stopped_by_com(nb05):
    body = "    for pointer in cache.values():\n" + "        pointer.Release()\n" * 2
    assert "COM refused a call" in nb05.run(_CLEANUP.format(body=body))


def test_05_the_clean_up_that_releases_each_copy_and_empties_the_cache_passes(nb05):
    body = "    for pointer in cache.values():\n        pointer.Release()\n    cache.clear()"
    assert nb05.run(_CLEANUP.format(body=body)).rstrip().endswith("Passed.")


# -- 06 -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def nb06():
    with LiveNotebook(NOTEBOOKS_DIR / "06_the_same_pattern_today.ipynb") as live:
        yield live


def test_06_the_figures_prediction_asks_who_else_holds_a_figure(nb06):
    assert "Who else might still refer to it" in nb06.run(
        "print(figures_prediction.check(figures_choices[0]))"
    )
    assert nb06.run("print(figures_prediction.check(figures_answer))").startswith("Right")


def test_06_a_save_chart_that_only_drops_its_name_gets_the_hint_and_one_that_closes_passes(nb06):
    wrong = nb06.run(
        "def save_chart(values, file):\n"
        "    fig, ax = plt.subplots()\n    ax.plot(values)\n    fig.savefig(file)\n    del fig\n\n"
        "print(close_figures.check(save_chart))"
    )
    assert "pyplot still holds every figure" in wrong and "Not yet" in wrong
    right = nb06.run(
        "def save_chart(values, file):\n"
        "    fig, ax = plt.subplots()\n    ax.plot(values)\n    fig.savefig(file)\n"
        "    plt.close(fig)\n\nprint(close_figures.check(save_chart))"
    )
    assert right.rstrip().endswith("Passed.")


def test_06_the_loggers_prediction_explains_why_none_are_freed(nb06):
    assert "logging keeps every logger by name" in nb06.run("print(loggers_prediction.check(0))")
    assert nb06.run("print(loggers_prediction.check(loggers.parts_held))").startswith("Right")


def test_06_a_logger_per_request_gets_the_hint_and_one_per_module_passes(nb06):
    handler = (
        "def handle(logging, request_id):\n"
        "    log = logging.getLogger({name})\n"
        "    log.info('handled', extra={{'request_id': request_id}})\n\n"
        "print(one_logger.check(handle))"
    )
    wrong = nb06.run(handler.format(name="f'request.{request_id}'"))
    assert "A logger per request" in wrong and "Not yet" in wrong
    assert nb06.run(handler.format(name="__name__")).rstrip().endswith("Passed.")


def test_06_now_you_try_an_unbounded_answer_gets_the_hint_about_the_bound(nb06):
    unbounded = "unbounded.after_parts_released.traced_bytes / 1024"
    assert "A bound of 40" in nb06.run(f"print(bounded_prediction.check({unbounded}))")
    learner = (
        "today.method_cache_keeps_instances(maxsize=40).after_parts_released.traced_bytes / 1024"
    )
    assert nb06.run(f"print(bounded_prediction.check({learner}))").startswith("Right")


def test_06_the_cache_bug_hunt_as_given_gets_the_hint_and_cached_property_passes(nb06):
    wrong = nb06.run("print(cache_fix.check(Report))")  # the learner's cell, unchanged
    assert "`self` among them" in wrong and "Not yet" in wrong
    fixed = nb06.run(
        "class Report:\n"
        "    def __init__(self):\n        self.data = bytearray(64 * 1024)\n\n"
        "    @functools.cached_property\n"
        "    def size(self):\n        return len(self.data)\n\n"
        "print(cache_fix.check(Report))"
    )
    assert fixed.rstrip().endswith("Passed: the bug is fixed.")


def test_06_the_resident_prediction_answers_from_this_kernels_own_readings(nb06):
    if nb06.run("print('resident_answer' in globals())").strip() != "True":
        pytest.skip("this platform gives no resident-memory figure: there is no prediction")
    wrong = nb06.run(
        "print(resident_prediction.check("
        "next(c for c in resident_choices if c != resident_answer)))"
    )
    assert "Not yet" in wrong or "Freeing an object" in wrong
    assert nb06.run("print(resident_prediction.check(resident_answer))").startswith("Right")


# -- glossary -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def glossary():
    with LiveNotebook(NOTEBOOKS_DIR / "glossary.ipynb") as live:
        yield live


@pytest.mark.parametrize(
    "name, wrong, hint",
    [
        ("distinction", "LEAK", "Who still holds the copies after the loop?"),
        ("distinction", "EACH", "the memory climbs while every copy is released"),
        ("release", "held_copies + 1", "their references are not"),
        ("release", "1", "AddRef adds one reference"),
        ("local", "local_choices[0]", "whose interface is it"),
        ("local", "local_choices[2]", "what does QueryInterface for IUnknown point to"),
        ("blanket", "blanket_choices[0]", "carry a blanket of its own"),
        ("blanket", "blanket_choices[3]", "it belongs to a proxy"),
        ("owed", "owed_answer - 1", "with a reference of its own"),
        ("owed", "owed_answer + 1", "adds no reference by itself"),
        ("settle", "settle_choices[0]", "a segment, once made, stays"),
        ("settle", "settle_choices[2]", "big merged free blocks"),
        ("world", "world_choices[0]", "each copy goes at its own last Release"),
        ("world", "world_choices[2]", "still holds its original pointer"),
        ("tag", "'documented'", "Does the KB say it?"),
        ("tag", "'hypothesis'", "This claim reasons from one"),
    ],
)
def test_the_glossarys_checks_point_a_wrong_answer_to_its_entry(glossary, name, wrong, hint):
    """Each section's self-check puts its entries together: a wrong answer names the entry to
    reread, and the model's answer passes."""
    assert hint in glossary.run(f"print({name}_check.check({wrong}))")
    assert glossary.run(f"print({name}_check.check({name}_answer))").startswith("Right")
