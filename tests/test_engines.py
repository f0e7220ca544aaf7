"""The fast engine computes exactly what the step engine does call by call, and every trace
obeys the rules of the simulated world."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import comsim
from comsim import Params
from comsim.engines.fast import run_fast
from comsim.engines.runs import PHASES, RunArrays, copies_made
from comsim.engines.step import STEP_MAX_ITERATIONS, run_step

PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

LOOP, FINAL, IDLE = (PHASES.index(p) for p in ("loop", "final-release", "idle"))


def _commits(reserve: int):
    """Whole-page commits from one page up to ``reserve``, the interesting ones often."""
    pages = st.integers(1, reserve // 4096).map(lambda n: n * 4096)
    return st.sampled_from([4096, 8192, 65536, 69632, reserve]) | pages


@st.composite
def runs(draw):
    """A random scenario: parameters, strategy and policy."""
    reserve = draw(st.integers(16, 64)) * 4096  # 65,536 .. 262,144 in whole pages
    header = draw(st.integers(64, 4000))
    usable = reserve - header
    free_block = draw(
        st.integers(0, 300_000) | st.sampled_from([0, 4096, usable, usable + 1, 16_777_216])
    )
    overrides = dict(
        iterations=draw(st.integers(1, 400)),  # 0 has its own test below
        # 0.9-0.99: the reaper runs during the loop but leaves a backlog for the idle tail.
        tightness=draw(st.floats(1e-3, 1.0) | st.sampled_from([1.0, 0.99, 0.95, 0.9, 0.5, 0.05])),
        blankets=draw(st.integers(1, 5)),
        seed=draw(st.integers(0, 2**32 - 1)),
        iteration_cpu_jitter=draw(st.sampled_from([0.0, 0.2, 0.9]) | st.floats(0.0, 0.9)),
        iteration_cpu_us=draw(st.integers(1, 5000)),
        transient_bytes_per_call=draw(st.integers(0, 2048)),
        interface_proxy_bytes=draw(st.integers(16, 8192)),
        proxy_manager_bytes=draw(st.integers(16, 1024)),
        reaper_bytes_per_cpu_ms=draw(st.integers(64, 100_000)),
        reaper_latency_ms=draw(st.integers(0, 2000)),
        heap_segment_reserve_bytes=reserve,
        # Any whole-page commits up to the reserve, drawn with the policy below: a first commit
        # of 17 pages or more is given back by the first free (issue 18, item 1).
        heap_segment_commit_bytes=draw(_commits(reserve)),
        heap_initial_commit_bytes=draw(_commits(reserve)),
        heap_segment_header_bytes=header,
        decommit_free_block_bytes=free_block,
        decommit_total_free_bytes=draw(
            st.integers(0, 300_000) | st.sampled_from([0, 4096, 65_536, 1 << 30])
        ),
        idle_tail_ms=draw(st.integers(0, 1500)),
        idle_sample_ms=draw(st.integers(5, 50)),
    )
    try:
        params = Params.make(**overrides)
    except ValueError:  # e.g. a header bigger than the segment's first commit
        assume(False)
    return params, draw(st.sampled_from(comsim.STRATEGIES)), draw(st.sampled_from(comsim.POLICIES))


def _differences(a: RunArrays, b: RunArrays) -> list[str]:
    out = []
    for name, col in a.columns().items():
        other = b.columns()[name]
        if col.shape != other.shape:
            out.append(f"{name}: {col.shape} rows vs {other.shape}")
        elif not np.array_equal(col, other):
            k = int(np.flatnonzero(col != other)[0])
            out.append(f"{name}: row {k} {col[k]!r} vs {other[k]!r}")
    return out


# -- the two engines agree -------------------------------------------------------------------------
@PROPERTY
@given(runs())
def test_the_fast_engine_gives_exactly_the_step_engines_run(run):
    params, strategy, policy = run
    fast = run_fast(params, strategy, policy)
    step = run_step(params, strategy, policy)
    assert fast.engine == "fast" and step.engine == "step"
    assert _differences(fast, step) == []
    assert fast.equal(step)
    for name, col in fast.columns().items():
        assert col.dtype == step.columns()[name].dtype, name


@pytest.mark.parametrize("tightness", [1.0, 0.9])  # 0.9: a backlog the idle tail drains
@pytest.mark.parametrize("strategy", comsim.STRATEGIES)
@pytest.mark.parametrize("policy", comsim.POLICIES)
def test_the_engines_agree_on_the_kb_loop_at_the_defaults(strategy, policy, tightness):
    params = Params.make(iterations=1500, tightness=tightness)
    assert (
        _differences(run_fast(params, strategy, policy), run_step(params, strategy, policy)) == []
    )


@pytest.mark.parametrize("strategy", ["copy-each-time", "co-copy-proxy"])
@pytest.mark.parametrize("commit", [69_632, 131_072, 1_048_576])
def test_the_engines_agree_when_the_first_free_gives_back_a_large_first_commit(strategy, commit):
    """Issue 18, item 1: under free-on-release the first free decommits the segment's initial
    commit and later frees find nothing to give back, so iterations do not all leave the heap
    alike; the fast engine once assumed they did."""
    params = Params.make(iterations=5, heap_initial_commit_bytes=commit)
    fast = run_fast(params, strategy, "free-on-release")
    assert _differences(fast, run_step(params, strategy, "free-on-release")) == []
    assert len(set(fast.heap_committed_bytes[1:6].tolist())) > 1  # the case the bug hid


def test_the_engines_agree_for_a_small_segment_reserve_of_whole_pages():
    # 17 pages: the first segments fill up after a few dozen copies, so many segments exist.
    params = Params.make(
        iterations=300, heap_segment_reserve_bytes=17 * 4096, interface_proxy_bytes=1000
    )
    fast = run_fast(params, "copy-each-time", "by-design")
    step = run_step(params, "copy-each-time", "by-design")
    assert _differences(fast, step) == []


def test_a_program_that_never_enters_the_loop_runs_on_both_engines():
    # iterations=0 is inside the documented range [0, 10000000]; the defaults otherwise.
    params = Params.make(iterations=0)
    problems = []
    for strategy in comsim.STRATEGIES:
        for policy in comsim.POLICIES:
            step = run_step(params, strategy, policy)
            _check_trace(step, params, strategy)
            try:
                fast = run_fast(params, strategy, policy)
            except Exception as exc:  # report every combination, not just the first
                problems.append(f"{strategy}/{policy}: run_fast raised {exc!r}")
                continue
            problems += [f"{strategy}/{policy}: {d}" for d in _differences(fast, step)]
    assert problems == []
    assert comsim.simulate(iterations=0).summary.growth_bytes == 0


def test_runarrays_equal_notices_a_single_changed_sample():
    params = Params.make(iterations=50)
    a = run_fast(params, "copy-each-time", "by-design")
    for name in a.columns():
        cols = {k: v.copy() for k, v in a.columns().items()}
        cols[name][-1] += 1
        assert not a.equal(RunArrays(**cols, engine="fast")), name


def test_the_step_engine_refuses_a_run_longer_than_its_budget_and_names_the_way_out():
    # One Python object per call: a million iterations would take minutes and over 512 MiB.
    too_many = STEP_MAX_ITERATIONS + 1
    with pytest.raises(ValueError) as err:
        comsim.simulate(iterations=too_many, engine="step")
    message = str(err.value)
    assert f"{STEP_MAX_ITERATIONS:,}" in message and f"{too_many:,}" in message
    assert "engine='fast'" in message and "engine='auto'" in message
    with pytest.raises(ValueError, match="at most"):
        run_step(Params.make(iterations=too_many), "copy-each-time", "by-design")


def test_auto_never_picks_the_step_engine_even_for_the_longest_run_it_refuses():
    # auto computes with arrays, so the step engine's budget never stops an allowed run
    params = Params.make(iterations=STEP_MAX_ITERATIONS + 1, decommit_free_block_bytes=16_777_216)
    trace = comsim.simulate(**vars(params), engine="auto")
    assert trace.arrays.engine == "fast"


def test_auto_uses_the_fast_engine_at_the_defaults():
    trace = comsim.simulate(iterations=100)
    assert trace.arrays.engine == "fast"
    assert comsim.simulate(iterations=100, engine="step").arrays.equal(trace.arrays)


# -- rules every trace obeys -----------------------------------------------------------------------
def _check_trace(arrays: RunArrays, params: Params, strategy: str) -> None:
    cols = arrays.columns()
    for name, col in cols.items():
        if name != "time_us":
            assert (col >= 0).all(), f"{name} went negative"
    assert np.isfinite(arrays.time_us).all()
    assert (np.diff(arrays.time_us) >= 0).all(), "time ran backwards"
    assert (np.diff(arrays.phase) >= 0).all(), "phases out of order"
    assert arrays.phase[0] == PHASES.index("start")
    assert (arrays.phase == FINAL).sum() == 1
    assert (arrays.phase == LOOP).sum() == params.iterations
    # Pending transient bytes never exceed what the copies so far allocated.
    made = copies_made(params, strategy)
    allocated = np.minimum(arrays.iteration, made) * params.transient_bytes_per_call
    assert (arrays.transient_pending_bytes <= allocated).all()
    # Private bytes are the rest of the process, the heap and the transient pages, on every row.
    assert np.array_equal(
        arrays.private_bytes,
        params.base_private_bytes + arrays.heap_committed_bytes + arrays.transient_committed_bytes,
    )
    assert (arrays.heap_committed_bytes % params.page_bytes == 0).all()
    assert (arrays.transient_committed_bytes % params.page_bytes == 0).all()
    assert (arrays.transient_committed_bytes >= arrays.transient_pending_bytes).all()
    # While the loop runs the original pointer holds the object: a count and a proxy at least.
    before_release = arrays.phase < FINAL
    assert (arrays.pm_refcount[before_release] >= 1).all()
    assert (arrays.interface_proxies[before_release] >= 1).all()
    # After the final release nothing is left of the proxy manager.
    after = arrays.phase >= FINAL
    assert (arrays.pm_refcount[after] == 0).all()
    assert (arrays.interface_proxies[after] == 0).all()
    # And after the idle tail the reaper has freed every transient buffer.
    assert arrays.transient_pending_bytes[-1] == 0
    assert arrays.transient_committed_bytes[-1] == 0


@PROPERTY
@given(runs())
def test_no_trace_has_negative_counts_or_bytes_and_all_is_released_at_the_end(run):
    params, strategy, policy = run
    _check_trace(run_fast(params, strategy, policy), params, strategy)


@pytest.mark.parametrize("strategy", comsim.STRATEGIES)
def test_a_long_step_run_obeys_the_same_rules(strategy):
    params = Params.make(iterations=3000, tightness=0.6)
    _check_trace(run_step(params, strategy, "by-design"), params, strategy)


def test_the_kb_loop_keeps_one_more_interface_proxy_each_iteration():
    trace = comsim.simulate(iterations=500)
    loop = trace.arrays.phase == LOOP
    assert np.array_equal(trace.arrays.interface_proxies[loop], 1 + np.arange(1, 501))
    assert (trace.arrays.pm_refcount[loop] == 1).all()


# -- seeds -----------------------------------------------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    jitter=st.floats(0.01, 0.9),
    iterations=st.integers(1, 300),
    engine=st.sampled_from(["fast", "step"]),
)
def test_the_same_seed_gives_the_same_trace(seed, jitter, iterations, engine):
    kw = dict(iterations=iterations, seed=seed, iteration_cpu_jitter=jitter, engine=engine)
    assert comsim.simulate(**kw).arrays.equal(comsim.simulate(**kw).arrays)


@settings(max_examples=25, deadline=None)
@given(
    seeds=st.lists(st.integers(0, 2**32 - 1), min_size=2, max_size=2, unique=True),
    jitter=st.floats(0.01, 0.9),
    iterations=st.integers(1, 300),
)
def test_a_different_seed_gives_different_times_when_iterations_jitter(seeds, jitter, iterations):
    a, b = (
        comsim.simulate(iterations=iterations, seed=s, iteration_cpu_jitter=jitter) for s in seeds
    )
    assert not np.array_equal(a.arrays.time_us, b.arrays.time_us)


def test_without_jitter_the_seed_does_not_matter():
    a = comsim.simulate(iterations=200, seed=1, iteration_cpu_jitter=0.0)
    b = comsim.simulate(iterations=200, seed=2, iteration_cpu_jitter=0.0)
    assert a.arrays.equal(b.arrays)
