"""The active patterns of notebooks 04-06, tried as a learner tries them in Jupyter (issue 16):
each notebook runs top to bottom in a live kernel, then a test types a wrong answer and reads
the hint, and a right one and reads the pass. Predictions are tried too: a typical wrong
answer gets the diagnosis written for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.live import LiveNotebook

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"

pytestmark = pytest.mark.kernel


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


def test_04_the_h2_off_prediction_explains_why_the_difference_does_not_shrink(nb04):
    reply = nb04.run("print(h2_off_prediction.check(h2_off_choices[0]))")
    assert "That was H2's doing" in reply
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
