"""The seeded exercises: the seed draws the kind of question as well as the program, answers
come from the simulator, right answers pass, the wrong answers a learner typically gives fail
with a hint that names the rule they missed, and the cache exercise's checker tells a working
cache from a leaking one."""

from __future__ import annotations

import linecache
import re
import subprocess
import sys
import threading
import time
from collections import Counter

import nbformat
import numpy as np
import pytest

import comsim
from comsim.model.strategies import kb_iteration_snapshots
from comsim.teaching import quiz
from comsim.teaching.predict import Prediction
from comsim.teaching.quiz.program import CopyProxy, Release
from comsim.teaching.quiz.reference_cache import ReferenceBlanketCache

SWEEP = range(120)  # seeds every sweep below tries
NOTEBOOK_07 = "07_check_yourself.ipynb"


def _first(kind: str, wanted=lambda p: True) -> quiz.Problem:
    """The first problem of ``kind`` (seed 0, 1, ...) that has what a test needs."""
    for seed in range(400):
        problem = quiz.make_problem(seed, kind=kind)
        if wanted(problem):
            return problem
    raise AssertionError(f"no seed below 400 gives such a {kind} problem")


@pytest.fixture(scope="module")
def problems() -> list[quiz.Problem]:
    return [quiz.make_problem(seed) for seed in SWEEP]


def _numeric(problem):
    return [q for q in problem.questions if q.answer.choices is None]


# -- the seed draws the kind ---------------------------------------------------------------------
def test_the_seed_draws_every_kind_of_question(problems):
    kinds = Counter(p.kind for p in problems)
    assert set(kinds) == set(quiz.KINDS)
    assert min(kinds.values()) >= len(problems) // 8


def test_a_kind_can_be_asked_for_and_the_rest_still_comes_from_the_seed():
    for kind in quiz.KINDS:
        assert quiz.make_problem(11, kind=kind).kind == kind
    assert quiz.make_problem(11, kind="growth") == quiz.make_problem(11, kind="growth")


def test_the_same_seed_gives_the_same_problem():
    assert quiz.make_problem(7) == quiz.make_problem(7)
    assert quiz.make_problem(np.int64(7)) == quiz.make_problem(7)


def test_different_seeds_give_different_problems(problems):
    assert len({p.text for p in problems[:20]}) >= 18


@pytest.mark.parametrize(
    ("seed", "error"),
    [(-1, ValueError), (1.5, TypeError), ("7", TypeError), (True, TypeError), (None, TypeError)],
)
def test_a_bad_seed_raises_naming_the_parameter_the_range_and_the_value(seed, error):
    with pytest.raises(error) as raised:
        quiz.make_problem(seed)
    message = str(raised.value)
    assert "seed" in message and ">= 0" in message and repr(seed) in message


def test_an_unknown_kind_is_refused_with_the_kinds_listed():
    with pytest.raises(ValueError, match="kind must be one of") as raised:
        quiz.make_problem(1, kind="trivia")
    assert "'trivia'" in str(raised.value) and "count-after-step" in str(raised.value)


# -- the answers come from the simulator ---------------------------------------------------------
def test_the_count_after_step_matches_the_step_through_of_the_kbs_loop():
    """Steps in the KB's order (pCS released before pCopy) are the 02 step-through's steps."""
    checked = 0
    for seed in range(200):
        problem = quiz.make_problem(seed, kind="count-after-step")
        releases = [step.pointer for step in problem.program.steps_of(Release)]
        if releases != ["pCS", "pCopy"]:
            continue  # pCopy released first: not the step-through's order
        policy = problem.setting("policy")
        shots = kb_iteration_snapshots(policy, earlier_iterations=problem.setting("earlier_passes"))
        pm = shots[problem.setting("step")].proxy_managers[0]
        assert problem.answers["refcount"] == pm.refcount
        assert problem.answers["proxies"] == len(pm.interface_proxies)
        checked += 1
    assert checked >= 20


def test_growth_answers_are_the_copies_a_fresh_simulation_holds_times_the_given_size():
    for seed in range(40):
        problem = quiz.make_problem(seed, kind="growth")
        size = problem.setting("bytes_per_copy")
        strategy = problem.setting("strategy")
        trace = comsim.simulate(
            problem.setting("iterations"),
            1.0,
            strategy,
            problem.setting("policy"),
            blankets=dict(problem.settings).get("blankets", 1),
            interface_proxy_bytes=size,
            transient_bytes_per_call=0,
        )
        frame = trace.frame
        copies = int(frame[frame.phase == "loop"].iloc[-1].interface_proxies) - 1
        assert problem.answers["copies"] == copies
        assert problem.answers["held_kib"] == copies * size / 1024


def test_the_kb_loops_growth_keeps_every_copy():
    problem = _first(
        "growth",
        lambda p: p.setting("strategy") == "copy-each-time" and p.setting("policy") == "by-design",
    )
    assert problem.answers["copies"] == problem.setting("iterations")


def test_a_growth_problem_never_uses_hypothesis_h2s_constants_and_says_so():
    for seed in range(30):
        problem = quiz.make_problem(seed, kind="growth")
        assert problem.setting("bytes_per_copy") in quiz.BYTES_PER_COPY_CHOICES
        assert problem.setting("bytes_per_copy") != 2_048
        assert "hypothesis H2" in problem.intro and "switched off" in problem.intro


def test_which_release_returns_zero_is_always_the_last_one_whatever_the_pointer():
    last_pointers = set()
    for seed in range(60):
        problem = quiz.make_problem(seed, kind="which-release")
        choices = problem.question("returns_zero").answer.choices
        assert problem.answers["returns_zero"] == choices[-1]
        last_pointers.add(choices[-1].split("->")[0])
    assert {"pItf", "pCS", "pCopy"} <= last_pointers


def test_interface_proxies_before_the_final_release_are_not_zero_and_vary(problems):
    alive = [p.answers["proxies"] for p in problems if p.kind == "which-release"] + [
        p.answers["proxies"] for p in problems if p.kind == "count-after-step"
    ]
    assert 0 not in alive
    assert len(set(alive)) >= 3


def test_the_fix_for_several_settings_caches_one_copy_per_setting():
    problem = _first("fix-the-loop", lambda p: p.answers["fix"] == quiz.FIXES["cache"])
    assert problem.answers["proxies"] == 1 + problem.setting("settings_used")
    shared = _first("fix-the-loop", lambda p: p.answers["fix"] == quiz.FIXES["set-on-original"])
    assert shared.answers["proxies"] == 1


# -- right answers pass, typical wrong ones fail ---------------------------------------------------
def test_the_exact_answers_are_all_right_for_every_seed(problems):
    for problem in problems:
        feedback = quiz.check(problem, **problem.answers)
        assert feedback.all_right, (problem.seed, str(feedback))


def test_zero_passes_only_where_zero_is_the_answer(problems):
    for problem in problems:
        for q in _numeric(problem):
            if q.value != 0:
                assert not quiz.check(problem, **{q.name: 0})[q.name].right, (problem.seed, q.name)


def test_seed_7_refuses_zero_memory_and_zero_proxies():
    problem = quiz.make_problem(7)
    zeros = {q.name: 0 for q in _numeric(problem) if q.value != 0}
    assert zeros, "seed 7 should ask at least one question whose answer is not 0"
    assert not any(item.right for item in quiz.check(problem, **zeros).items)


def test_an_off_by_one_count_is_wrong_for_every_seed(problems):
    for problem in problems:
        for q in _numeric(problem):
            if q.answer.whole:
                for given in (q.value - 1, q.value + 1):
                    item = quiz.check(problem, **{q.name: given})[q.name]
                    assert item.status == "wrong" and "Not yet" in item.message


def test_two_kilobytes_per_call_fails_every_growth_problem_whose_answer_differs():
    for seed in range(80):
        problem = quiz.make_problem(seed, kind="growth")
        calls = problem.setting("iterations")
        kb_rule_kib = 2 * calls  # 2,048 B × every call, in KiB
        item = quiz.check(problem, held_kib=kb_rule_kib)["held_kib"]
        assert not item.right, seed


def test_every_other_choice_is_wrong_with_a_diagnosis(problems):
    for problem in problems:
        for q in problem.questions:
            if q.answer.choices is None:
                continue
            for choice in q.answer.choices:
                if choice != q.value:
                    item = quiz.check(problem, **{q.name: choice})[q.name]
                    assert item.status == "wrong" and "Not yet" in item.message


def test_held_memory_within_the_tolerance_is_right_and_just_outside_is_wrong():
    problem = _first("growth", lambda p: p.answers["held_kib"] > 100)
    q = problem.question("held_kib")
    assert q.answer.relative
    tolerance = q.answer.tolerance * q.value
    assert quiz.check(problem, held_kib=q.value + 0.9 * tolerance)["held_kib"].right
    assert not quiz.check(problem, held_kib=q.value + 1.5 * tolerance)["held_kib"].right


def test_the_held_memory_tolerance_is_stated_as_a_share_not_in_kib():
    """A tolerance in KiB gave the answer's size away (37.5 KiB is 0.5% of 7,500 KiB)."""
    problem = _first("growth", lambda p: p.answers["held_kib"] > 100)
    text = quiz.problem_text(problem)
    assert "(right if within 0.5%)" in text
    assert not re.search(r"within [0-9.,]+ KiB", text)


# -- hints that teach ----------------------------------------------------------------------------
def test_forgetting_the_original_proxy_gets_the_hint_about_the_original():
    problem = _first("count-after-step")
    hint = quiz.check(problem, proxies=problem.answers["proxies"] - 1)["proxies"].message
    assert "original" in hint and "CoCreateInstanceEx" in hint


def test_believing_each_copy_keeps_its_reference_gets_the_hint_that_release_gave_it_back():
    problem = _first(
        "count-after-step",
        lambda p: p.setting("earlier_passes") >= 2 and p.setting("policy") == "by-design",
    )
    wrong = problem.answers["refcount"] + problem.setting("earlier_passes")
    hint = quiz.check(problem, refcount=wrong)["refcount"].message
    assert "part ways" in hint


def test_believing_release_frees_the_copy_gets_the_kbs_rule():
    problem = _first(
        "growth",
        lambda p: p.setting("strategy") == "copy-each-time" and p.setting("policy") == "by-design",
    )
    feedback = quiz.check(problem, copies=0, held_kib=0)
    assert "final release" in feedback["copies"].message
    assert "does not come back" in feedback["held_kib"].message


def test_using_the_kbs_two_kilobytes_instead_of_the_given_size_is_pointed_out():
    problem = _first(
        "growth",
        lambda p: p.setting("strategy") == "copy-each-time" and p.setting("policy") == "by-design",
    )
    hint = quiz.check(problem, held_kib=2 * problem.setting("iterations"))["held_kib"].message
    assert "its own size per copy" in hint


def test_dividing_by_a_thousand_gets_the_kibibyte_hint():
    problem = _first("growth", lambda p: p.answers["held_kib"] > 100)
    thousand = problem.answers["copies"] * problem.setting("bytes_per_copy") / 1000
    assert "1,024" in quiz.check(problem, held_kib=thousand)["held_kib"].message


def test_picking_pitf_as_the_release_that_returns_zero_gets_the_one_count_hint():
    problem = _first("which-release", lambda p: not p.answers["returns_zero"].startswith("pItf"))
    hint = quiz.check(problem, returns_zero="pItf->Release()")["returns_zero"].message
    assert "pItf is not special" in hint and "one count" in hint


def test_the_counterfactual_policy_is_pointed_out_when_the_learner_answers_as_for_windows():
    problem = _first(
        "which-release",
        lambda p: (
            p.setting("policy") == "free-on-release"
            and p.answers["proxies"] != p.setting("pointers") - 1 - ("pUnk" in p.listing)
        ),
    )
    copies = len(problem.program.steps_of(CopyProxy))
    hint = quiz.check(problem, proxies=1 + copies)["proxies"].message
    assert "free-on-release" in hint


def test_keeping_the_kbs_loop_as_the_fix_is_diagnosed():
    problem = _first("fix-the-loop")
    hint = quiz.check(problem, fix=quiz.FIXES["copy-each-time"])["fix"].message
    assert "KB's loop itself" in hint


def test_a_wrong_number_no_hint_foresaw_hears_the_direction_and_the_rule():
    problem = _first("growth", lambda p: p.answers["held_kib"] > 100)
    hint = quiz.check(problem, held_kib=problem.answers["held_kib"] * 1.37)["held_kib"].message
    assert "too high" in hint and "bytes per copy" in hint


# -- the printed problem -------------------------------------------------------------------------
def test_the_problem_text_has_a_question_mark_for_each_answer(problems):
    for problem in problems[:12]:
        text = quiz.problem_text(problem)
        assert text == problem.text
        for name in problem.names:
            assert re.search(rf"{name} = \?", text)


def test_numbers_inside_c_code_have_no_thousands_commas(problems):
    """In C, ``i < 20,001`` is the comma operator, not twenty thousand and one."""
    for problem in problems:
        assert not re.search(r"\d,\d{3}", problem.listing), problem.listing


def test_with_answers_every_question_mark_is_filled_in_and_the_reasoning_follows():
    for seed in (7, 8, 9, 10):
        problem = quiz.make_problem(seed)
        text = quiz.problem_text(problem, answers=True)
        assert "= ?" not in text and "Why:" in text
        for q in problem.questions:
            assert f"{q.name} = {q.answer.text()}" in text
            assert q.explanation.split()[0] in text


def test_problem_text_refuses_something_that_is_not_a_problem():
    with pytest.raises(TypeError, match="make_problem"):
        quiz.problem_text("seed 7")


def test_reveal_gives_every_answer_with_a_reason_and_folds_in_a_notebook():
    problem = quiz.make_problem(7)
    solution = quiz.reveal(problem)
    assert str(solution) == quiz.problem_text(problem, answers=True)
    assert len(solution.reasons) == len(problem.questions) and all(solution.reasons)
    html = solution._repr_html_()
    assert html.startswith("<details") and "<summary>" in html


# -- the checker widgets -------------------------------------------------------------------------
def test_each_question_gets_a_checker_that_agrees_with_check(problems):
    for problem in problems[:16]:
        checkers = quiz.predictions(problem)
        assert [type(c) for c in checkers] == [Prediction] * len(problem.questions)
        for q, checker in zip(problem.questions, checkers, strict=True):
            assert checker.check(q.value).startswith("Right")
            a = q.answer
            if a.choices is None and a.tolerance:  # a number inside the stated tolerance
                near = q.value + 0.8 * (a.tolerance * abs(q.value) if a.relative else a.tolerance)
                assert checker.check(near).startswith("Right"), (q.name, near)
                assert quiz.check(problem, **{q.name: near})[q.name].status == "right"
            for wrong, diagnosis in q.answer.hints:
                assert diagnosis[1:] in checker.check(wrong)
                assert not re.search(r"\bP(Itf|CS|Copy)", checker.check(wrong))  # code keeps case
                assert diagnosis in quiz.check(problem, **{q.name: wrong})[q.name].message


# -- checking ------------------------------------------------------------------------------------
def test_none_asks_the_learner_to_fill_in_instead_of_crashing():
    problem = quiz.make_problem(7)
    feedback = quiz.check(problem, **{name: None for name in problem.names})
    for name in problem.names:
        assert feedback[name].status == "missing"
        assert f"fill in {name} = ..." in feedback[name].message
    assert f"0 of {len(problem.names)} right" in str(feedback)


def test_an_answer_left_out_is_treated_like_none():
    problem = _first("count-after-step")
    feedback = quiz.check(problem, proxies=problem.answers["proxies"])
    assert feedback["proxies"].right
    assert feedback["refcount"].status == "missing"


@pytest.mark.parametrize("given", ["many", float("nan"), True, 2.5])
def test_a_count_that_is_not_a_whole_number_is_invalid_not_a_crash(given):
    feedback = quiz.check(_first("count-after-step"), proxies=given)
    assert feedback["proxies"].status == "invalid"
    assert "whole number" in feedback["proxies"].message


def test_a_choice_that_is_not_offered_is_invalid_and_lists_the_choices():
    feedback = quiz.check(_first("fix-the-loop"), fix="reboot")
    assert feedback["fix"].status == "invalid"
    assert quiz.FIXES["cache"] in feedback["fix"].message


def test_an_unknown_answer_name_is_a_type_error_listing_the_names():
    problem = quiz.make_problem(7)
    with pytest.raises(TypeError) as raised:
        quiz.check(problem, proxy_count=3)
    assert "'proxy_count'" in str(raised.value)
    for name in problem.names:
        assert name in str(raised.value)


def test_a_prediction_stays_hidden_until_the_learner_writes_one():
    pending = quiz.check_prediction("interface proxies", None, 1_234)
    assert pending.status == "missing" and "1,234" not in pending.message
    assert quiz.check_prediction("interface proxies", 1_234, 1_234).right
    wrong = quiz.check_prediction("interface proxies", 2, 1_234)
    assert wrong.status == "wrong" and "1,234" in wrong.message


def test_folded_text_shows_as_a_details_block():
    block = quiz.folded("Answer", "forty-two")
    assert "<details" in block._repr_html_() and "forty-two" in block._repr_html_()


# -- the coding exercise: a per-blanket cache ----------------------------------------------------
def _notebook_class(repo_root, tag: str):
    """Run the notebook 07 cell tagged ``tag`` and return the class it defines."""
    nb = nbformat.read(repo_root / "notebooks" / NOTEBOOK_07, as_version=4)
    cells = [c for c in nb.cells if tag in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"notebook 07 should have one cell tagged {tag!r}"
    namespace: dict = {"comsim": comsim, "quiz": quiz}
    # As IPython runs a cell: its source in linecache, so inspect finds the class's code.
    filename = f"<notebook 07 cell {tag}>"
    linecache.cache[filename] = (
        len(cells[0].source),
        None,
        cells[0].source.splitlines(True),
        filename,
    )
    exec(compile(cells[0].source, filename, "exec"), namespace)
    return namespace["BlanketCache"]


def test_the_reference_cache_passes_every_check():
    report = quiz.check_cache(ReferenceBlanketCache)
    assert report.passed, str(report)
    assert "one per blanket" in str(report) and "memory stays flat" in str(report)


def test_the_notebooks_skeleton_fails_with_a_message_about_copies_piling_up(repo_root):
    report = quiz.check_cache(_notebook_class(repo_root, "cache-skeleton"))
    assert not report.passed
    assert "new copy for a setting that was already cached" in str(report)


def _notebook_cell(repo_root, tag: str) -> str:
    nb = nbformat.read(repo_root / "notebooks" / NOTEBOOK_07, as_version=4)
    [cell] = [c for c in nb.cells if tag in c.metadata.get("tags", [])]
    return cell.source


def test_the_notebooks_skeleton_is_the_one_comsim_knows_as_given(repo_root):
    from comsim.teaching.quiz.cache_skeleton import is_skeleton

    assert is_skeleton(_notebook_class(repo_root, "cache-skeleton"))
    assert not is_skeleton(ReferenceBlanketCache)


def test_run_all_leaves_the_learners_cache_in_place(repo_root):
    """Issue 16: the reference solution's cell shows code; it never replaces BlanketCache."""
    mine = type("BlanketCache", (), {})
    namespace: dict = {"comsim": comsim, "quiz": quiz, "BlanketCache": mine}
    exec(_notebook_cell(repo_root, "cache-solution"), namespace)
    assert namespace["BlanketCache"] is mine


def test_the_reference_solution_opens_only_after_a_check_of_the_learners_own_cache(
    repo_root, monkeypatch
):
    from comsim.teaching.quiz import cache_check

    monkeypatch.setattr(cache_check, "_own_tries", [])
    solution = quiz.reference_solution()
    solution.widget.children[0].click()  # pressed before any try of their own
    assert not solution.opened and "Check your own BlanketCache first" in solution.feedback.value
    assert "AddRef" not in str(solution._repr_mimebundle_())  # nothing of it in the output
    assert solution.text == ""  # nor in the object the notebook holds
    quiz.check_cache(_notebook_class(repo_root, "cache-skeleton"))  # Run All checks the skeleton
    quiz.check_cache(ReferenceBlanketCache)
    quiz.check_cache(type("BlanketCache", (), {}))  # an empty class: no try at the exercise
    quiz.check_cache(lambda pItf: None)  # nor a function
    solution.widget.children[0].click()
    assert not solution.opened and solution.text == ""
    quiz.check_cache(_NoAddRef)  # a class of the learner's own that builds, even a wrong one
    assert cache_check.tried_own_cache()
    solution.widget.children[0].click()
    assert solution.opened and "pCopy.AddRef()" in solution.answer.value


def test_notebook_07s_quiz_namespace_holds_no_reference_solution():
    """07 imports quiz: the model answer the autograder and the folded solution share is not
    one attribute away from the learner (only reference_solution(), which stays locked)."""
    assert not [name for name in dir(quiz) if "Reference" in name or "source" in name]


def test_the_worked_answer_opens_only_once_every_question_is_committed():
    problem = quiz.make_problem(7)
    answers = quiz.predictions(problem)
    worked = answers.worked_answer()
    assert not worked.open() and not answers.committed and worked.text == ""
    for checker in answers.items[:-1]:
        checker.check(checker.expected.value)
    assert not worked.open()
    last = answers.items[-1]
    last.check(last.expected.choices[0] if last.expected.choices else -1)  # wrong still commits
    assert worked.open()
    assert worked.text == quiz.problem_text(problem, answers=True)


def test_a_worked_answer_on_a_static_page_is_a_note_without_the_answer(monkeypatch):
    from comsim.teaching import pages
    from comsim.teaching.unlock import STATIC_NOTE

    monkeypatch.setattr(pages, "_static", True)
    problem = quiz.make_problem(7)
    bundle = quiz.predictions(problem).worked_answer()._repr_mimebundle_()
    assert STATIC_NOTE in bundle["text/html"]
    assert "Why:" not in bundle["text/html"] and "Why:" not in bundle["text/plain"]


def test_the_reference_solution_on_a_static_page_says_what_opens_it(monkeypatch):
    """Offline, the locked reference solution names its own condition (a checked cache), not
    the worked answer's "each question above", and shows no code."""
    from comsim.teaching import pages
    from comsim.teaching.unlock import STATIC_NOTE

    monkeypatch.setattr(pages, "_static", True)
    bundle = quiz.reference_solution()._repr_mimebundle_()
    assert "quiz.check_cache" in bundle["text/plain"] and STATIC_NOTE not in bundle["text/html"]
    assert "class BlanketCache" not in bundle["text/html"]


class _NoAddRef(ReferenceBlanketCache):
    """Hands out the cached copy without AddRef: the caller's Release takes the cache's."""

    def get(self, authn_level, imp_level, principal=None):
        setting = (authn_level, imp_level, principal)
        if setting not in self.copies:
            self.copies[setting] = comsim.CoCopyProxy(self.pItf)
            comsim.CoSetProxyBlanket(
                self.copies[setting], **dict(zip(_LEVELS, setting, strict=True))
            )
        return self.copies[setting]


_LEVELS = ("authn_level", "imp_level", "principal")


class _ClearKeepsReferences(ReferenceBlanketCache):
    def clear(self):
        self.copies.clear()


class _KeyedByLevelOnly(ReferenceBlanketCache):
    def get(self, authn_level, imp_level, principal=None):
        return super().get(authn_level, imp_level, None)


class _HandsOutTheOriginal(ReferenceBlanketCache):
    def get(self, authn_level, imp_level, principal=None):
        self.pItf.AddRef()
        return self.pItf


@pytest.mark.parametrize(
    ("cache_class", "words"),
    [
        (_NoAddRef, "AddRef"),
        (_ClearKeepsReferences, "clear() must Release"),
        (_KeyedByLevelOnly, "key the cache by the whole setting"),
        (_HandsOutTheOriginal, "returned the original pointer"),
        (lambda pItf: object(), "needs a method get()"),
    ],
)
def test_a_cache_that_breaks_a_com_rule_fails_with_a_message_naming_the_rule(cache_class, words):
    report = quiz.check_cache(cache_class)
    assert not report.passed
    assert words in str(report)


def test_check_cache_refuses_something_that_is_not_a_class():
    with pytest.raises(TypeError, match="cache_class"):
        quiz.check_cache("BlanketCache")
    with pytest.raises(ValueError, match="blankets"):
        quiz.check_cache(ReferenceBlanketCache, blankets=0)


# -- the checker never crashes or hangs (issue 18) -----------------------------------------------
class _CopiesAnotherProcessesObject(ReferenceBlanketCache):
    def get(self, authn_level, imp_level, principal=None):
        elsewhere = comsim.Process().CoCreateInstanceEx("SimpleObject", "IStream")
        return comsim.CoCopyProxy(elsewhere)


class _CopiesAnotherObject(ReferenceBlanketCache):
    def __init__(self, pItf):
        super().__init__(pItf)
        self.other = pItf.proxy_manager.process.CoCreateInstanceEx("SimpleObject", "IStream")

    def get(self, authn_level, imp_level, principal=None):
        return comsim.CoCopyProxy(self.other)


class _ReleasesPitfInGet(ReferenceBlanketCache):
    def get(self, authn_level, imp_level, principal=None):
        pCopy = super().get(authn_level, imp_level, principal)
        self.pItf.Release()
        return pCopy


class _ReleasesPitfInClear(ReferenceBlanketCache):
    def clear(self):
        self.pItf.Release()
        self.copies.clear()


@pytest.mark.parametrize(
    ("cache_class", "blankets", "words"),
    [
        (_CopiesAnotherProcessesObject, 3, "another remote object (in another process)"),
        (_CopiesAnotherObject, 3, "another remote object (with a proxy manager of its own)"),
        (_ReleasesPitfInGet, 3, "the cache released pItf, which belongs to the caller"),
        (_ReleasesPitfInClear, 1, "clear() released pItf, which belongs to the caller"),
    ],
)
def test_a_cache_that_misuses_pointers_fails_the_check_instead_of_raising(
    cache_class, blankets, words
):
    """Issue 18 item 5: a copy of another object or from another process, pItf released in
    get(), or released in clear() with blankets=1 gave a raw COMError traceback."""
    report = quiz.check_cache(cache_class, blankets=blankets, calls=2 * blankets)
    assert not report.passed
    assert words in report.lines[-1]


@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [
        ("blankets", 10**100, "blankets must be an int in [1, 64]; got 1000"),
        ("calls", 10**100, "calls must be an int in [2, 10000]; got 1000"),
        ("blankets", 65, "blankets must be an int in [1, 64]; got 65"),
        ("calls", 10_001, "calls must be an int in [2, 10000]; got 10001"),
        ("seconds", 3600, "seconds must be a finite number in (0, 60]; got 3600"),
    ],
)
def test_the_cache_checks_size_is_bounded_and_refused_before_any_work(name, value, allowed):
    """Issue 18 item 6: blankets and calls had no upper bound (10**100 ran until the machine
    killed it); the one validator now refuses them at once, naming the range."""

    class Unbuilt(ReferenceBlanketCache):
        def __init__(self, pItf):
            raise AssertionError("the check started work before refusing its arguments")

    with pytest.raises(ValueError) as raised:
        quiz.check_cache(Unbuilt, **{name: value})
    assert str(raised.value).startswith(allowed)


class _LoopsForEver(ReferenceBlanketCache):
    def get(self, authn_level, imp_level, principal=None):
        while True:
            try:
                pass
            except Exception:  # a learner's catch-all does not swallow the stop
                pass


class _LoopsForEverInClear(ReferenceBlanketCache):
    def clear(self):
        while True:
            pass  # noqa: E701 -- one line: no new line event, the stop must still come


def _tracer(frame, event, arg):
    return None


@pytest.mark.parametrize(
    ("cache_class", "where"), [(_LoopsForEver, "call 1"), (_LoopsForEverInClear, "clear()")]
)
def test_an_endless_loop_in_the_cache_is_stopped_with_a_clear_message(cache_class, where):
    """Issue 18 item 6: a learner's infinite loop hung the cell. It is stopped after the time
    budget with a message, and whatever traced this thread before is put back."""
    previous = sys.gettrace()
    sys.settrace(_tracer)
    try:
        started = time.monotonic()
        report = quiz.check_cache(cache_class, seconds=0.3)
        assert sys.gettrace() is _tracer
    finally:
        sys.settrace(previous)
    assert time.monotonic() - started < 5
    assert not report.passed
    assert report.lines[-1].startswith(f"✘ {where}: stopped after 0.3 s")
    assert "endless loop" in report.lines[-1]


def test_an_endless_loop_is_stopped_in_a_thread_other_than_the_main_one():
    """Issue 18 item 6: the budget holds in whatever thread runs the check (SIGALRM would
    work only in the main thread)."""
    reports = []
    worker = threading.Thread(
        target=lambda: reports.append(quiz.check_cache(_LoopsForEver, seconds=0.3))
    )
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert "stopped after 0.3 s" in str(reports[0])


# A learner's loop whose parts die at once: WeakSet's callback (standard library code, which
# Python runs with exceptions ignored) runs on every pass.
_SPIN_WITH_WEAKREF_CALLBACKS = """
import weakref
from comsim.teaching.quiz.budget import OutOfTime, TimeBudget

class Part:
    pass

def spin(parts):
    while True:
        parts.add(Part())

stopped = 0
for _ in range(20):
    try:
        with TimeBudget(0.02).running():
            spin(weakref.WeakSet())
    except OutOfTime:
        stopped += 1
print(stopped)
"""


def test_a_stop_due_inside_a_weakref_callback_is_not_lost():
    """The budget's stop once fell inside WeakSet's callback, where Python ignores exceptions
    and switches the trace function off: the learner's loop then ran on, unwatched (seen as
    "Exception ignored in WeakSet._remove ... OutOfTime" in make test). Only the learner's
    code is watched now, so every one of 20 tries stops."""
    done = subprocess.run(
        [sys.executable, "-c", _SPIN_WITH_WEAKREF_CALLBACKS],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == "20", done.stderr[-2000:]


def test_a_working_cache_still_passes_with_the_largest_allowed_check():
    """Issue 18 item 6: the bounds leave room for a real check."""
    assert quiz.check_cache(ReferenceBlanketCache, blankets=64, calls=10_000).passed


@pytest.mark.parametrize("huge", [2**1024, -(2**1024), 10**400])
def test_a_number_too_large_for_a_float_is_an_invalid_answer_not_an_overflow(huge):
    """Issue 18 item 8: integers of 2**1024 or more raised OverflowError in the quiz's check."""
    growth = _first("growth")
    count = _first("count-after-step")
    assert quiz.check(growth, held_kib=huge)["held_kib"].status == "invalid"
    assert quiz.check(count, proxies=huge)["proxies"].status == "invalid"
    assert quiz.check_prediction("interface proxies", huge, 3).status == "invalid"
    with pytest.raises(ValueError, match="actual must be a finite number"):
        quiz.check_prediction("interface proxies", 3, huge)
    with pytest.raises(ValueError, match="tolerance must be"):
        quiz.check_prediction("interface proxies", 3, 3, tolerance=huge)
