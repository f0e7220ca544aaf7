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
