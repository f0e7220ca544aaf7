"""A learner's typo fails at once, with a message naming the parameter, what is allowed and what
was given -- before any memory is spent on the run."""

from __future__ import annotations

import math
import time
import tracemalloc

import numpy as np
import pytest

import comsim
from comsim import Params, Process


def _message(info) -> str:
    return str(info.value)


# -- iterations ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, error",
    [
        (20_001.0, TypeError),
        (True, TypeError),
        ("20001", TypeError),
        (-1, ValueError),
        (10_000_001, ValueError),
    ],
)
def test_iterations_must_be_a_whole_number_of_passes_in_range(value, error):
    with pytest.raises(error) as info:
        comsim.simulate(iterations=value)
    msg = _message(info)
    assert "iterations" in msg
    assert "[0, 10000000]" in msg
    assert repr(value) in msg


@pytest.mark.parametrize("value", [0, 10_000_000])
def test_iterations_at_the_ends_of_the_range_are_accepted(value):
    assert Params.make(iterations=value).iterations == value


# -- tightness -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, error",
    [
        (0, ValueError),
        (0.0, ValueError),
        (-0.1, ValueError),
        (1.5, ValueError),
        (float("nan"), ValueError),
        (float("inf"), ValueError),
        (float("-inf"), ValueError),
        ("1", TypeError),
        (True, TypeError),
    ],
)
def test_tightness_must_be_a_finite_share_of_wall_time_in_zero_to_one(value, error):
    with pytest.raises(error) as info:
        comsim.simulate(iterations=10, tightness=value)
    msg = _message(info)
    assert "tightness" in msg
    assert "[1e-06, 1]" in msg
    shown = repr(value)
    if not isinstance(value, (str, bool)):
        assert shown in msg or repr(float(value)) in msg
    else:
        assert shown in msg


def test_an_integer_tightness_of_one_is_a_tight_loop():
    assert comsim.simulate(iterations=10, tightness=1).params.tightness == 1.0


@pytest.mark.parametrize("tightness", [5e-324, 1e-9, 9.9e-7])
def test_a_tightness_below_one_in_a_million_is_refused_before_time_overflows(tightness):
    # cpu_us / tightness must stay finite: the floor of the range is 1e-06.
    with pytest.raises(ValueError, match=r"tightness must be a finite number in \[1e-06, 1\]"):
        comsim.simulate(iterations=10, tightness=tightness)


def test_the_smallest_allowed_tightness_keeps_time_finite():
    trace = comsim.simulate(iterations=10, tightness=1e-6)
    assert math.isfinite(trace.summary.loop_seconds)
    assert math.isfinite(trace.summary.total_seconds)


# -- choices ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, value, choices",
    [
        ("strategy", "copy-every-time", comsim.STRATEGIES),
        ("strategy", None, comsim.STRATEGIES),
        ("policy", "leaky", comsim.POLICIES),
        ("engine", "turbo", comsim.ENGINES),
    ],
)
def test_an_unknown_choice_lists_the_choices_and_the_value(name, value, choices):
    # a value that is no str at all is a TypeError (the one validator's rule), else ValueError
    with pytest.raises(ValueError if isinstance(value, str) else TypeError) as info:
        comsim.simulate(iterations=10, **{name: value})
    msg = _message(info)
    assert name in msg
    assert repr(value) in msg
    for choice in choices:
        assert choice in msg


@pytest.mark.parametrize("name", ["iteration", "tightnes", "bytes_per_copy", "policyy"])
def test_an_unknown_parameter_name_is_a_typeerror_naming_it(name):
    with pytest.raises(TypeError) as info:
        comsim.simulate(iterations=10, **{name: 1})
    assert repr(name) in _message(info)
    assert "iterations" in _message(info)  # and the names that do exist


@pytest.mark.parametrize(
    "name, value",
    [
        ("blankets", 0),
        ("seed", -1),
        ("interface_proxy_bytes", 8),
        ("iteration_cpu_jitter", 0.95),
        ("reaper_latency_ms", 1.5),
        ("page_bytes", 8192),
        ("idle_sample_ms", 0),
    ],
)
def test_every_other_parameter_is_checked_against_its_range(name, value):
    with pytest.raises((TypeError, ValueError)) as info:
        comsim.simulate(iterations=10, **{name: value})
    msg = _message(info)
    assert name in msg
    assert comsim.PARAMETERS[name].range_text in msg
    assert repr(value) in msg


# -- at once, before any work ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "bad",
    [
        dict(tightness=float("nan")),
        dict(tightness=2.0),
        dict(strategy="bogus"),
        dict(policy="bogus"),
        dict(engine="bogus"),
        dict(no_such_parameter=1),
        dict(heap_segment_commit_bytes=1_048_576, heap_segment_reserve_bytes=65_536),
    ],
)
def test_a_bad_value_fails_at_once_without_running_ten_million_iterations(bad):
    comsim.simulate(iterations=1)  # load the engines first: this checks the run, not the imports
    tracemalloc.start()
    try:
        t0 = time.perf_counter()
        with pytest.raises((TypeError, ValueError)):
            comsim.simulate(iterations=10_000_000, **bad)
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 0.1
    assert peak < 1_000_000  # a 10M-iteration run would need hundreds of MB of arrays


def test_a_process_refuses_an_unknown_parameter():
    with pytest.raises(TypeError, match="bad_param"):
        Process(bad_param=1)
    with pytest.raises(ValueError, match="policy"):
        Process(policy="sometimes")
    with pytest.raises(ValueError, match="interface_proxy_bytes"):
        Process(interface_proxy_bytes=0)


def test_idling_a_negative_time_is_refused():
    proc = Process()
    with pytest.raises(ValueError, match="seconds"):
        proc.idle(-1)
    with pytest.raises(ValueError, match="seconds"):
        proc.idle(float("nan"))
    assert proc.time_ms == 0


def test_an_explorer_refuses_bad_settings_before_drawing():
    with pytest.raises(ValueError) as info:
        comsim.explorer(strategies="bogus")
    assert "bogus" in str(info.value) and "copy-each-time" in str(info.value)
    with pytest.raises(ValueError, match="policy"):
        comsim.explorer(policy="bogus")
    with pytest.raises(TypeError, match="bad_param"):
        comsim.explorer(bad_param=1)
    with pytest.raises(ValueError, match="'time'"):
        comsim.explorer(x="bogus")
    with pytest.raises(TypeError, match="bad_param"):
        comsim.step_through(bad_param=1)
    with pytest.raises(ValueError, match="policy"):
        comsim.step_through(policy="bogus")


def test_an_unknown_scenario_lists_the_scenarios():
    with pytest.raises(ValueError) as info:
        comsim.run_scenario("kb-tighter-loop")
    assert "kb-tight-loop" in str(info.value) and "kb-tighter-loop" in str(info.value)


def test_perfmon_refuses_a_sampling_interval_of_zero():
    trace = comsim.simulate(iterations=10)
    with pytest.raises(ValueError, match="interval_ms"):
        comsim.perfmon_samples(trace, 0)


# -- relations between parameters ------------------------------------------------------------------
def test_a_segment_cannot_commit_more_than_it_reserves():
    with pytest.raises(ValueError) as info:
        Params.make(heap_segment_commit_bytes=1_048_576, heap_segment_reserve_bytes=65_536)
    msg = str(info.value)
    assert "heap_segment_commit_bytes" in msg and "heap_segment_reserve_bytes" in msg
    assert "1048576" in msg and "65536" in msg


def test_a_segment_header_must_fit_in_its_first_commit():
    with pytest.raises(ValueError, match="heap_segment_header_bytes"):
        Params.make(heap_segment_header_bytes=8192, heap_initial_commit_bytes=8192)


def test_the_proxy_manager_and_two_interface_proxies_must_fit_in_one_segment():
    with pytest.raises(ValueError, match="interface_proxy_bytes"):
        Params.make(interface_proxy_bytes=40_000, heap_segment_reserve_bytes=65_536)


def test_replace_checks_like_make():
    p = Params.make()
    with pytest.raises(ValueError, match="tightness"):
        p.replace(tightness=0)
    with pytest.raises(TypeError, match="nonsense"):
        p.replace(nonsense=1)
    assert p.replace(tightness=0.5).tightness == 0.5


# -- the object model's arguments ------------------------------------------------------------------
def test_a_principal_that_is_not_a_name_is_a_typeerror_naming_principal():
    proc = Process()
    pItf = proc.CoCreateInstanceEx("SimpleObject", "IStream")
    pCS = pItf.QueryInterface("IClientSecurity")
    with pytest.raises(TypeError) as info:
        pCS.SetBlanket(pItf, principal=12345)
    assert "principal" in _message(info) and "12345" in _message(info)
    assert pCS.QueryBlanket(pItf) == comsim.Blanket()  # nothing was changed


@pytest.mark.parametrize(
    "clsid, iid, named",
    [(["x"], "IStream", "clsid"), ("SimpleObject", ["IStream"], "iid"), (None, "IStream", "clsid")],
)
def test_activation_with_a_clsid_or_iid_that_is_not_a_name_is_a_typeerror_naming_it(
    clsid, iid, named
):
    proc = Process()
    with pytest.raises(TypeError) as info:
        proc.CoCreateInstanceEx(clsid, iid)
    assert named in _message(info) and repr(clsid if named == "clsid" else iid) in _message(info)
    assert proc.proxy_managers == [] and proc.heap.used_bytes == 0


def test_copying_across_processes_names_both_proxy_managers_apart():
    first, second = Process(), Process()
    pA = first.CoCreateInstanceEx("SimpleObject", "IStream")
    pB = second.CoCreateInstanceEx("SimpleObject", "IStream")
    pCS = pA.QueryInterface("IClientSecurity")
    with pytest.raises(comsim.COMError) as info:
        pCS.CopyProxy(pB)
    msg = info.value.message
    # both are proxy manager #1 of their own process: the message must tell them apart
    assert f"process #{first.id}" in msg and f"#{second.id}" in msg and "another process" in msg


def test_no_message_says_a_int():
    with pytest.raises(TypeError) as info:
        Params.make(seed=1.5)
    assert "must be an int" in _message(info)
    with pytest.raises(comsim.COMError) as com_info:
        proc = Process()
        pItf = proc.CoCreateInstanceEx("SimpleObject", "IStream")
        pItf.AddRef()
        pItf.Release()
        pItf.Release()
        pItf.QueryInterface("IStream")
    assert " a int" not in com_info.value.message.lower()


# -- idle time: any allowed length answers at once ----------------------------------------------
@pytest.mark.parametrize("seconds", [np.int64(1), np.float64(0.5), np.float32(0.25), 1, 0.0])
def test_idle_accepts_numpy_numbers_and_plain_numbers(seconds):
    proc = Process()
    proc.idle(seconds)
    assert proc.time_ms == pytest.approx(float(seconds) * 1000)


@pytest.mark.parametrize(
    "seconds, error",
    [
        (float("inf"), ValueError),
        (float("nan"), ValueError),
        (-0.001, ValueError),
        (1e7, ValueError),
        ("1", TypeError),
        (True, TypeError),
        (None, TypeError),
    ],
)
def test_idle_refuses_what_is_not_a_time_in_range(seconds, error):
    proc = Process()
    with pytest.raises(error) as info:
        proc.idle(seconds)
    assert "seconds" in _message(info) and "[0, 10000000)" in _message(info)
    assert proc.time_ms == 0


def test_idling_months_with_a_one_millisecond_step_finishes():
    # 9.9e6 s in 1 ms steps would be ten billion steps one by one; nothing is pending, so the
    # clock moves to the end at once.
    proc = Process(idle_sample_ms=1)
    proc.idle(9.9e6)
    assert proc.time_ms == pytest.approx(9.9e9)


def test_idling_drains_a_huge_backlog_with_a_slow_reaper_exactly_as_step_by_step():
    def backlog():
        proc = Process(idle_sample_ms=1, reaper_bytes_per_cpu_ms=1, transient_bytes_per_call=65536)
        pItf = proc.CoCreateInstanceEx("SimpleObject", "IStream")
        for _ in range(50):
            comsim.CoCopyProxy(pItf).Release()
        return proc

    strided, stepped = backlog(), backlog()
    strided.idle(2.5)
    for _ in range(2500):  # the same 2.5 s, one idle_sample_ms at a time
        stepped.idle_step(1000.0)
    assert strided.transient.freed_bytes == stepped.transient.freed_bytes
    assert strided.private_bytes == stepped.private_bytes
    strided.idle(9.9e6)  # 3.3 MB at 1 byte per ms: about an hour, done in a few strides
    assert strided.transient.pending_bytes == 0


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda proc: proc.work(-5e6), "cpu_us"),
        (lambda proc: proc.work(float("nan")), "cpu_us"),
        (lambda proc: proc.work(10.0, reaper_budget_bytes=-1), "reaper_budget_bytes"),
        (lambda proc: proc.work(10.0, reaper_budget_bytes=1.5), "reaper_budget_bytes"),
        (lambda proc: proc.idle_step(float("nan")), "dt_us"),
        (lambda proc: proc.idle_step(-1.0), "dt_us"),
        (lambda proc: proc.idle_step("1"), "dt_us"),
    ],
)
def test_work_and_idle_step_refuse_time_that_runs_backwards_or_is_not_a_number(call, name):
    """Issue 18, item 9: work(-5e6) moved the clock backwards, a negative reaper budget made
    private bytes jump by about 1 GB, idle_step(nan) left the clock NaN for good."""
    proc = Process()
    p = proc.CoCreateInstanceEx("SimpleObject", "IStream")
    cs = p.QueryInterface("IClientSecurity")
    cs.CopyProxy(p).Release()
    before = (proc.clock_us, proc.private_bytes)
    with pytest.raises((ValueError, TypeError)) as info:
        call(proc)
    assert name in _message(info) and "got" in _message(info)
    assert (proc.clock_us, proc.private_bytes) == before
    proc.idle_step(1000.0)
    assert proc.clock_us == before[0] + 1000.0
