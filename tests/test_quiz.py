"""The seeded exercises: answers come from the simulator, checks are right about right and
wrong answers, and hints name the rule a learner most likely forgot."""

from __future__ import annotations

import numpy as np
import pytest

import comsim
from comsim import quiz
from comsim.trace import MIB

SEEDS = range(12)


def _first_seed(wanted) -> quiz.Problem:
    """The first problem (seed 0, 1, ...) that has what a test needs."""
    for seed in range(500):
        problem = quiz.make_problem(seed)
        if wanted(problem):
            return problem
    raise AssertionError("no seed below 500 gives such a problem")


def _exact(problem: quiz.Problem) -> dict:
    a = problem.answers
    return dict(
        proxies=a.proxies,
        refcount=a.refcount,
        private_mib=a.private_mib,
        proxies_after_release=a.proxies_after_release,
    )


def _kb_loop(problem: quiz.Problem) -> bool:
    return problem.strategy == "copy-each-time" and problem.policy == "by-design"


# -- the answers ---------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_the_answers_are_what_a_fresh_simulation_of_the_problem_shows(seed):
    problem = quiz.make_problem(seed)
    trace = comsim.simulate(
        problem.iterations,
        problem.tightness,
        problem.strategy,
        problem.policy,
        blankets=problem.blankets,
    )
    frame = trace.frame
    loop = frame[frame.phase == "loop"].iloc[-1]
    released = frame[frame.phase == "final-release"].iloc[0]

    assert problem.answers.proxies == loop.interface_proxies
    assert problem.answers.refcount == loop.pm_refcount
    assert problem.answers.private_mib == trace.summary.growth_bytes / MIB
    assert problem.answers.proxies_after_release == released.interface_proxies == 0


def test_the_kb_loop_keeps_the_original_and_every_copy_with_one_reference():
    problem = _first_seed(_kb_loop)
    assert problem.answers.proxies == problem.iterations + 1
    assert problem.answers.refcount == 1


def test_the_workaround_keeps_one_copy_and_one_reference_per_blanket():
    problem = _first_seed(lambda p: p.strategy == "cache-copy" and p.blankets > 1)
    assert problem.answers.proxies == problem.answers.refcount == problem.blankets + 1


@pytest.mark.parametrize("seed", range(100))
def test_every_problem_can_be_solved_by_hand_within_its_tolerance(seed):
    problem = quiz.make_problem(seed)
    by_hand_mib = quiz.estimated_growth_bytes(problem) / MIB
    assert abs(by_hand_mib - problem.answers.private_mib) <= problem.tolerance_mib


def test_the_seeds_cover_every_strategy_both_policies_and_every_tightness():
    problems = [quiz.make_problem(seed) for seed in range(200)]
    assert {p.strategy for p in problems} == set(comsim.STRATEGIES)
    assert {p.policy for p in problems} == set(comsim.POLICIES)
    assert {p.tightness for p in problems} == set(quiz.TIGHTNESS_CHOICES)


# -- seeds -----------------------------------------------------------------------------------------
def test_the_same_seed_gives_the_same_problem():
    assert quiz.make_problem(7) == quiz.make_problem(7)
    assert quiz.make_problem(np.int64(7)) == quiz.make_problem(7)


def test_different_seeds_give_different_problems():
    texts = {quiz.make_problem(seed).text for seed in range(20)}
    assert len(texts) >= 15
    assert quiz.make_problem(1).text != quiz.make_problem(2).text


@pytest.mark.parametrize(
    ("seed", "error"),
    [(-1, ValueError), (1.5, TypeError), ("7", TypeError), (True, TypeError), (None, TypeError)],
)
def test_a_bad_seed_raises_naming_the_parameter_the_range_and_the_value(seed, error):
    with pytest.raises(error) as raised:
        quiz.make_problem(seed)
    message = str(raised.value)
    assert "seed" in message and ">= 0" in message and repr(seed) in message


# -- the printed problem ---------------------------------------------------------------------------
def test_the_problem_text_has_a_question_mark_for_each_answer():
    problem = quiz.make_problem(7)
    text = quiz.problem_text(problem)
    assert text == problem.text
    for name in quiz.ANSWER_NAMES:
        assert f"{name} = ?" in text


def test_with_answers_every_question_mark_is_filled_in():
    problem = quiz.make_problem(7)
    text = quiz.problem_text(problem, answers=True)
    a = problem.answers
    assert "= ?" not in text
    assert f"proxies = {a.proxies:,}" in text
    assert f"refcount = {a.refcount:,}" in text
    assert f"private_mib = {a.private_mib:.3f}" in text
    assert f"proxies_after_release = {a.proxies_after_release}" in text


def test_the_problem_states_the_model_numbers_from_the_parameters_file():
    text = quiz.make_problem(3).text
    for name in ("interface_proxy_bytes", "transient_bytes_per_call", "reaper_bytes_per_cpu_ms"):
        assert f"{comsim.PARAMETERS[name].value:,}" in text


def test_problem_text_refuses_something_that_is_not_a_problem():
    with pytest.raises(TypeError, match="make_problem"):
        quiz.problem_text("seed 7")


# -- checking --------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_the_exact_answers_are_all_right(seed):
    problem = quiz.make_problem(seed)
    feedback = quiz.check(problem, **_exact(problem))
    assert feedback.all_right
    assert "4 of 4 right" in str(feedback)


@pytest.mark.parametrize("seed", SEEDS)
def test_an_answer_off_by_one_or_outside_the_tolerance_is_wrong_with_a_hint(seed):
    problem = quiz.make_problem(seed)
    answers = _exact(problem)
    wrong = dict(
        proxies=answers["proxies"] + 1,
        refcount=answers["refcount"] + 3,
        private_mib=answers["private_mib"] + 2 * problem.tolerance_mib,
        proxies_after_release=answers["proxies_after_release"] + 1,
    )
    feedback = quiz.check(problem, **wrong)
    for name in quiz.ANSWER_NAMES:
        assert feedback[name].status == "wrong"
        assert "Hint:" in feedback[name].message
    assert not feedback.all_right


def test_private_mib_within_the_tolerance_is_right():
    problem = quiz.make_problem(2)
    near = problem.answers.private_mib + 0.9 * problem.tolerance_mib
    assert quiz.check(problem, private_mib=near)["private_mib"].right


def test_a_whole_number_written_as_a_float_counts():
    problem = quiz.make_problem(2)
    assert quiz.check(problem, proxies=float(problem.answers.proxies))["proxies"].right


def test_none_asks_the_learner_to_fill_in_instead_of_crashing():
    problem = quiz.make_problem(7)
    feedback = quiz.check(
        problem, proxies=None, refcount=None, private_mib=None, proxies_after_release=None
    )
    for name in quiz.ANSWER_NAMES:
        assert feedback[name].status == "missing"
        assert f"fill in {name} = ..." in feedback[name].message
    assert "0 of 4 right" in str(feedback)


def test_an_answer_left_out_is_treated_like_none():
    problem = quiz.make_problem(7)
    feedback = quiz.check(problem, proxies=problem.answers.proxies)
    assert feedback["proxies"].right
    assert feedback["refcount"].status == "missing"


@pytest.mark.parametrize("given", ["many", float("nan"), True, 2.5])
def test_an_answer_that_is_not_a_whole_number_is_invalid_not_a_crash(given):
    feedback = quiz.check(quiz.make_problem(7), proxies=given)
    assert feedback["proxies"].status == "invalid"
    assert "whole number" in feedback["proxies"].message


def test_an_unknown_answer_name_is_a_type_error_listing_the_names():
    with pytest.raises(TypeError) as raised:
        quiz.check(quiz.make_problem(7), proxy=3)
    assert "'proxy'" in str(raised.value)
    for name in quiz.ANSWER_NAMES:
        assert name in str(raised.value)


# -- hints that teach ------------------------------------------------------------------------------
def test_forgetting_the_original_proxy_gets_the_hint_about_the_original():
    problem = _first_seed(_kb_loop)
    hint = quiz.check(problem, proxies=problem.iterations)["proxies"].message
    assert "original" in hint and "CoCreateInstanceEx" in hint


def test_believing_release_frees_the_copy_gets_the_kbs_rule():
    problem = _first_seed(_kb_loop)
    hint = quiz.check(problem, proxies=1)["proxies"].message
    assert "final release" in hint and "aggregates" in hint


def test_counting_a_reference_per_copy_gets_the_hint_that_release_gave_it_back():
    problem = _first_seed(_kb_loop)
    hint = quiz.check(problem, refcount=problem.iterations + 1)["refcount"].message
    assert "pCopy->Release() gave it back" in hint


def test_forgetting_the_cached_copies_references_gets_the_cache_hint():
    problem = _first_seed(lambda p: p.strategy == "cache-copy" and p.blankets > 1)
    hint = quiz.check(problem, refcount=1)["refcount"].message
    assert "cached copies" in hint


def test_ignoring_the_reaper_in_a_loose_loop_gets_the_tightness_hint():
    problem = _first_seed(lambda p: _kb_loop(p) and p.tightness <= 0.5)
    at_full_tightness = comsim.simulate(
        problem.iterations, 1.0, problem.strategy, problem.policy
    ).summary.growth_bytes
    hint = quiz.check(problem, private_mib=at_full_tightness / MIB)["private_mib"].message
    assert "idle CPU" in hint and "reaper" in hint


def test_forgetting_the_transient_buffers_in_a_tight_loop_gets_the_transient_hint():
    problem = _first_seed(lambda p: _kb_loop(p) and p.tightness == 1.0)
    copies_only = problem.iterations * comsim.PARAMETERS["interface_proxy_bytes"].value / MIB
    hint = quiz.check(problem, private_mib=copies_only)["private_mib"].message
    assert "transient" in hint


def test_an_answer_in_bytes_gets_the_units_hint():
    problem = _first_seed(_kb_loop)
    hint = quiz.check(problem, private_mib=problem.answers.private_mib * MIB)
    assert "bytes" in hint["private_mib"].message and "MiB" in hint["private_mib"].message


def test_the_counterfactual_policy_is_pointed_out_when_the_learner_answers_as_for_windows():
    problem = _first_seed(lambda p: p.policy == "free-on-release" and p.strategy != "cache-copy")
    hint = quiz.check(problem, proxies=problem.iterations + 1)["proxies"].message
    assert "free-on-release" in hint


def test_a_proxy_left_after_the_final_release_gets_the_final_release_hint():
    hint = quiz.check(quiz.make_problem(7), proxies_after_release=1)["proxies_after_release"]
    assert "final release frees every interface proxy" in hint.message


# -- revealing -------------------------------------------------------------------------------------
def test_reveal_gives_every_answer_with_a_reason_and_folds_in_a_notebook():
    problem = quiz.make_problem(7)
    solution = quiz.reveal(problem)
    text = str(solution)
    assert quiz.problem_text(problem, answers=True) in text
    assert len(solution.reasons) == len(quiz.ANSWER_NAMES)
    html = solution._repr_html_()
    assert html.startswith("<details>") and "<summary>" in html


def test_a_prediction_stays_hidden_until_the_learner_writes_one():
    pending = quiz.check_prediction("interface proxies", None, 1_234)
    assert pending.status == "missing" and "1,234" not in pending.message
    assert quiz.check_prediction("interface proxies", 1_234, 1_234).right
    wrong = quiz.check_prediction("interface proxies", 2, 1_234)
    assert wrong.status == "wrong" and "1,234" in wrong.message


def test_folded_text_shows_as_a_details_block():
    block = quiz.folded("Answer", "forty-two")
    assert "<details>" in block._repr_html_() and "forty-two" in block._repr_html_()
