"""At its defaults the model tells the KB's story: about 2 KB per call in a tight loop, less when
the loop loosens, nothing kept by the workaround, and memory back after the final release."""

from __future__ import annotations

import numpy as np
import pytest

import comsim
from comsim.engines.runs import PHASES

KB_ITERATIONS = 20_001
KB_BYTES_PER_CALL = 2048  # KB: "as much as 2 KB per call"
LOOP = PHASES.index("loop")


@pytest.fixture(scope="module")
def kb_tight_loop() -> comsim.Trace:
    return comsim.simulate(iterations=KB_ITERATIONS, tightness=1.0, strategy="copy-each-time")


def test_the_defaults_are_the_kbs_loop():
    p = comsim.Params()
    assert p.iterations == KB_ITERATIONS
    assert p.tightness == 1.0
    assert p.interface_proxy_bytes + p.transient_bytes_per_call == KB_BYTES_PER_CALL


def test_a_tight_loop_grows_about_two_kilobytes_per_iteration(kb_tight_loop):
    s = kb_tight_loop.summary
    assert s.iterations == KB_ITERATIONS
    assert s.tightness == 1.0
    assert s.bytes_per_iteration == pytest.approx(KB_BYTES_PER_CALL, rel=0.10)
    assert s.growth_bytes == pytest.approx(KB_ITERATIONS * KB_BYTES_PER_CALL, rel=0.10)
    assert s.interface_proxies_at_end_of_loop == KB_ITERATIONS + 1  # every copy, and the original


def test_growth_per_iteration_never_rises_as_the_loop_loosens():
    tightness = np.round(np.linspace(1.0, 0.05, 20), 4)
    per_iteration = [
        comsim.simulate(iterations=KB_ITERATIONS, tightness=float(t)).summary.bytes_per_iteration
        for t in tightness
    ]
    rises = [
        (float(tightness[k]), float(tightness[k + 1]), per_iteration[k], per_iteration[k + 1])
        for k in range(len(tightness) - 1)
        if per_iteration[k + 1] > per_iteration[k]
    ]
    assert rises == []
    # The loop does loosen something: the transient backlog drains when the loop pauses.
    assert per_iteration[-1] < per_iteration[0]
    # ... but the copies stay: never below the interface proxies alone.
    proxy_bytes = comsim.Params().block_bytes(comsim.Params().interface_proxy_bytes)
    assert min(per_iteration) >= proxy_bytes * 0.95


def test_cocopyproxy_gives_exactly_the_same_private_bytes_as_copying_each_time(kb_tight_loop):
    co = comsim.simulate(iterations=KB_ITERATIONS, tightness=1.0, strategy="co-copy-proxy")
    assert np.array_equal(co.arrays.private_bytes, kb_tight_loop.arrays.private_bytes)
    assert co.summary.growth_bytes == kb_tight_loop.summary.growth_bytes


def test_cocopyproxy_and_the_three_calls_match_call_by_call_on_the_object_model():
    kw = dict(iterations=3_001, tightness=0.7, engine="step")
    co = comsim.simulate(strategy="co-copy-proxy", **kw)
    three = comsim.simulate(strategy="copy-each-time", **kw)
    assert co.arrays.engine == three.arrays.engine == "step"
    assert np.array_equal(co.arrays.private_bytes, three.arrays.private_bytes)
    assert co.arrays.equal(three.arrays)


@pytest.mark.parametrize("blankets", [1, 3, 8])
def test_the_workaround_grows_less_than_64_kib_over_the_kbs_loop(blankets):
    s = comsim.simulate(iterations=KB_ITERATIONS, strategy="cache-copy", blankets=blankets).summary
    assert s.growth_bytes < 64 * 1024
    assert s.peak_private_bytes - s.start_private_bytes < 64 * 1024
    assert s.interface_proxies_at_end_of_loop == 1 + blankets


@pytest.mark.parametrize("tightness", [1.0, 0.25])
def test_memory_comes_back_after_the_final_release_and_the_idle_tail(tightness):
    s = comsim.simulate(iterations=KB_ITERATIONS, tightness=tightness).summary
    assert s.growth_bytes > 30 * 1024 * 1024  # there was something to give back
    assert s.returned_fraction >= 0.9
    assert s.end_private_bytes - s.start_private_bytes <= 0.01 * s.growth_bytes
    assert s.after_release_private_bytes < s.end_of_loop_private_bytes
    assert s.total_seconds > s.loop_seconds


def test_the_final_release_returns_the_copies_at_once_and_the_idle_tail_the_rest(kb_tight_loop):
    s = kb_tight_loop.summary
    # The copies go at the final release; what is left then is the transient backlog (H2).
    left_after_release = s.after_release_private_bytes - s.start_private_bytes
    assert left_after_release <= s.transient_pending_at_end_of_loop + 64 * 4096 * 2
    assert s.end_private_bytes <= s.after_release_private_bytes


def test_no_copy_grows_nothing():
    t = comsim.simulate(iterations=KB_ITERATIONS, strategy="no-copy")
    s = t.summary
    assert s.growth_bytes == 0
    assert s.bytes_per_iteration == 0
    assert s.peak_private_bytes == s.start_private_bytes
    assert (t.arrays.interface_proxies[t.arrays.phase == LOOP] == 1).all()


def test_if_copies_were_freed_at_their_release_only_the_transient_buffers_would_show(kb_tight_loop):
    s = comsim.simulate(iterations=KB_ITERATIONS, policy="free-on-release").summary
    t = comsim.Params().transient_bytes_per_call
    assert s.interface_proxies_at_end_of_loop == 1
    assert s.bytes_per_iteration <= t * 1.1
    assert s.growth_bytes < kb_tight_loop.summary.growth_bytes / 4


def test_a_loose_loop_climbs_less_steeply_yet_keeps_every_copy():
    """Notebook 01's tight and loose loops: under hypothesis H2 the loose one climbs less
    steeply, but both keep one interface proxy per pass until the final release."""
    tight, loose = (comsim.simulate(iterations=KB_ITERATIONS, tightness=t) for t in (1.0, 0.25))
    assert loose.summary.bytes_per_iteration < tight.summary.bytes_per_iteration
    for run in (tight, loose):
        assert run.summary.interface_proxies_at_end_of_loop == KB_ITERATIONS + 1


def test_with_h2_off_a_tight_and_a_loose_loop_hold_the_same_private_bytes_at_every_sample():
    """Notebook 04's "switch H2 off": in the model tightness acts only through H2's buffers."""
    runs = [comsim.simulate(tightness=t, transient_bytes_per_call=0) for t in (1.0, 0.25)]
    loop = [run.arrays.private_bytes[run.arrays.phase == LOOP] for run in runs]
    assert np.array_equal(*loop)
    assert runs[0].summary.bytes_per_iteration == runs[1].summary.bytes_per_iteration


def test_h2s_rule_of_thumb_a_copy_plus_what_the_reaper_misses_matches_a_sweep_of_paces():
    """Notebook 04's fill-in checks a learner's rule against the simulator within 1 %: the
    rule must hold that well at every pace, with the knee where the reaper stops keeping up."""
    p = comsim.Params()
    reaper_per_us = p.reaper_bytes_per_cpu_ms / 1000
    for tightness in np.linspace(0.1, 1.0, 15):
        idle_us = p.iteration_cpu_us * (1 / tightness - 1)
        freed = min(p.transient_bytes_per_call, reaper_per_us * idle_us)
        rule = p.interface_proxy_bytes + p.transient_bytes_per_call - freed
        simulated = comsim.simulate(tightness=float(tightness)).summary.bytes_per_iteration
        assert rule == pytest.approx(simulated, rel=0.01), tightness
    knee = 1 / (1 + p.transient_bytes_per_call / (reaper_per_us * p.iteration_cpu_us))
    below, above = (comsim.simulate(tightness=t).summary for t in (knee - 0.05, knee + 0.05))
    assert below.bytes_per_iteration == pytest.approx(p.interface_proxy_bytes, rel=0.01)
    assert above.bytes_per_iteration > below.bytes_per_iteration + 0.05 * p.transient_bytes_per_call
