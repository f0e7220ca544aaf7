"""A quiz problem's program is one structure of typed steps: the listing a learner reads is
printed from it and the answers come from running it, so rewording the listing changes no
answer and changing a statement changes the answer exactly as comsim's model says."""

from __future__ import annotations

import dataclasses

import pytest

from comsim.model.com import POLICIES
from comsim.model.strategies import STRATEGIES
from comsim.teaching import quiz
from comsim.teaching.answers import Answer
from comsim.teaching.quiz import count_after_step, growth, which_release
from comsim.teaching.quiz.program import (
    Comment,
    CopyProxy,
    Labelled,
    Loop,
    Program,
    Release,
    engine_strategy,
    strategy_body,
)
from comsim.teaching.quiz.run import run_in_engine, run_program


def _reworded(program: Program) -> Program:
    """The same program with every comment and note printed differently."""

    def reword(step):
        if isinstance(step, Loop):
            step = dataclasses.replace(step, body=tuple(reword(s) for s in step.body))
        if isinstance(step, Labelled):
            step = dataclasses.replace(step, step=reword(step.step))
        if isinstance(step, Comment):
            step = dataclasses.replace(step, text="reworded")
        return dataclasses.replace(step, note="a note nobody reads" if step.note else "")

    return Program(tuple(reword(step) for step in program.steps))


def test_every_problem_is_a_dataclass_whose_answers_are_the_one_answer_checker():
    for seed in range(12):
        problem = quiz.make_problem(seed)
        assert dataclasses.is_dataclass(problem)
        assert problem.listing == problem.program.listing()
        for q in problem.questions:
            assert isinstance(q.answer, Answer) and q.answer.verdict(q.value).right


@pytest.mark.parametrize("seed", range(0, 40, 3))
def test_rewording_the_listing_changes_no_answer(seed):
    for kind in ("count-after-step", "which-release"):
        problem = quiz.make_problem(seed, kind=kind)
        policy = problem.setting("policy")
        reworded = _reworded(problem.program)
        assert reworded.listing() != problem.listing
        assert reworded == problem.program  # notes and comments are not what a step is
        assert run_program(reworded, policy).states == run_program(problem.program, policy).states


def test_releasing_the_copy_first_changes_the_count_after_step_3_as_the_model_says():
    """Under free-on-release the copy goes at its own Release: swapping steps 3 and 4 frees
    it one step earlier. By design nothing is freed, and only who holds a reference differs."""
    kb_order = count_after_step.program(passes=2, stop=3, copy_first=False)
    copy_first = count_after_step.program(passes=2, stop=3, copy_first=True)
    assert "/* 3 */ pCopy->Release();" in copy_first.listing()
    freed = run_program(copy_first, "free-on-release").states["3"]
    kept = run_program(kb_order, "free-on-release").states["3"]
    assert (kept.proxies, freed.proxies) == (2, 1)
    by_design = run_program(copy_first, "by-design").states["3"]
    assert by_design.proxies == 4 and by_design.holding == ("pItf", "pCS")


def test_a_pointer_more_changes_what_each_release_returns():
    names = ["pItf", "pCS", "pCopy"]
    fewer = which_release.program(names, names)
    more = which_release.program([*names, "pCopy2"], [*names, "pCopy2"])
    assert len(more.steps_of(CopyProxy)) == len(fewer.steps_of(CopyProxy)) + 1
    assert "pCopy2" in more.listing() and "pCopy2" not in fewer.listing()
    returned = [run_program(p).states["R1"].returned for p in (fewer, more)]
    assert returned == [2, 3]


def test_a_growth_loop_with_another_body_holds_what_the_engine_says():
    kb = growth.program("copy-each-time", 500)
    no_copy = dataclasses.replace(
        kb, steps=(*kb.steps[:2], Loop(500, strategy_body("no-copy")), *kb.steps[3:])
    )
    assert run_in_engine(kb)["loop-end"].proxies == 501
    assert run_in_engine(no_copy)["loop-end"].proxies == 1
    assert no_copy.listing() == growth.program("no-copy", 500).listing()


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("policy", POLICIES)
def test_step_by_step_and_the_engine_agree_on_every_strategys_loop(strategy, policy):
    program = growth.program(strategy, 37, blankets=3)
    sizes = dict(interface_proxy_bytes=1_536, transient_bytes_per_call=0)
    by_step = run_program(program, policy, **sizes).states
    by_engine = run_in_engine(program, policy, **sizes)
    for mark in ("start", "loop-end"):
        step, engine = by_step[mark], by_engine[mark]
        assert (step.refcount, step.proxies, step.private_bytes) == (
            engine.refcount,
            engine.proxies,
            engine.private_bytes,
        ), mark


def test_each_strategy_body_is_recognised_and_anything_else_is_refused():
    for strategy in STRATEGIES:
        assert engine_strategy(strategy_body(strategy, 4)) == (
            strategy,
            4 if strategy == "cache-copy" else 1,
        )
    with pytest.raises(ValueError, match="body must be the loop body of one of the engines"):
        engine_strategy((Release("pItf"),))
    with pytest.raises(ValueError, match="program must be"):
        run_in_engine(Program((Release("pItf"),)))
