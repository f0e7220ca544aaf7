"""The step engine: runs a scenario call by call on the object model.

Slow (Python objects per call) but literal: every QueryInterface, CopyProxy and Release goes
through :mod:`comsim.model.process` and every block through :mod:`comsim.model.heap`. It is the
reference the fast engine is tested against, and what diagrams step through.
"""

from __future__ import annotations

import numpy as np

from ..model.params import Params
from ..model.process import Process
from ..model.strategies import LoopBody
from ..model.timing import idle_chunk_budget, loop_timing
from ..model.transient import idle_tail
from .runs import PHASES, RunArrays, loop_stride, transient_total_bytes

STEP_MAX_ITERATIONS = 50_000
"""The most iterations the step engine runs: a few seconds and about 150 MB on a classroom
machine. Longer runs belong to the fast engine, which computes the same numbers."""


def check_step_budget(params: Params) -> None:
    """Refuse, before any work, a run the step engine cannot finish within its budget."""
    if params.iterations > STEP_MAX_ITERATIONS:
        raise ValueError(
            f"engine 'step' runs at most {STEP_MAX_ITERATIONS:,} iterations (one Python object "
            f"per call: more would take minutes and over 512 MiB); got iterations="
            f"{params.iterations:,}. Use engine='fast' or engine='auto', which compute the same "
            "numbers with arrays."
        )


def run_step(params: Params, strategy: str, policy: str, progress=None) -> RunArrays:
    """Run the whole program -- create, loop, final release, idle tail -- one call at a time.

    ``progress``, if given, is called with the number of iterations done (for progress bars).
    The idle tail has no COM calls: it is the H2 reaper draining, computed from the transient
    pool's state in closed form (:func:`comsim.model.transient.idle_tail`), as the fast engine does.
    """
    check_step_budget(params)
    proc = Process(policy=policy, **_overrides(params))
    rows: list[tuple] = []
    pItf = proc.CoCreateInstanceEx("SimpleObject", "IStream")
    rows.append(_row(proc, 0, "start"))
    peak = _loop(params, strategy, proc, pItf, rows, progress)
    pItf.Release()  # the proxy manager's final release
    n = params.iterations
    rows.append(_row(proc, n, "final-release"))
    pool = proc.transient
    ready, cum = pool.waiting()
    tail = idle_tail(
        -(-params.idle_tail_ms // params.idle_sample_ms),
        params.idle_sample_ms * 1000.0,
        idle_chunk_budget(params),
        proc.clock_us,
        pool.allocated_bytes,
        pool.freed_bytes,
        pool.eligible_bytes,
        ready,
        cum,
    )
    for time_us, freed in zip(tail.time_us.tolist(), tail.freed_bytes.tolist(), strict=True):
        # Sleep until the kept step: the clock and the reaper's count as the closed form says.
        proc.clock_us = time_us
        pool.freed_bytes = freed
        rows.append(_row(proc, n, "idle"))
    return _arrays(rows, peak, loop_stride(n), tail)


def _loop(params: Params, strategy: str, proc: Process, pItf, rows: list, progress) -> int:
    """The loop, iteration by iteration, keeping every stride-th row; the peak private bytes
    (the loop's strategy ends with its finish(), before the final release)."""
    timing = loop_timing(params, transient_total_bytes(params, strategy))
    stride = loop_stride(params.iterations)
    peak = proc.private_bytes
    body = LoopBody(strategy, params.blankets)
    cpu, budget = timing.cpu_us.tolist(), timing.reaper_budget_bytes.tolist()
    n = params.iterations
    for i in range(n):
        body.iteration(i, pItf)
        proc.work(cpu[i], budget[i])
        private = proc.private_bytes
        if private > peak:
            peak = private
        if (i + 1) % stride == 0 or i + 1 == n:
            rows.append(_row(proc, i + 1, "loop", private))
        if progress is not None and (i + 1) % 4096 == 0:
            progress(i + 1)
    body.finish()
    return peak


def _row(proc: Process, i: int, phase: str, private: int | None = None) -> tuple:
    """One kept row: what a monitor would read now."""
    return (
        i,
        proc.clock_us,
        PHASES.index(phase),
        proc.private_bytes if private is None else private,
        proc.heap.committed_bytes,
        proc.transient.pending_bytes,
        proc.transient.committed_bytes,
        proc.interface_proxy_count,
        sum(pm.refcount for pm in proc.proxy_managers),
    )


def _arrays(rows: list[tuple], peak: int, stride: int, tail) -> RunArrays:
    cols = list(zip(*rows, strict=True))
    private = np.array(cols[3], dtype=np.int64)
    return RunArrays(
        iteration=np.array(cols[0], dtype=np.int32),
        time_us=np.array(cols[1], dtype=np.float64),
        phase=np.array(cols[2], dtype=np.int8),
        private_bytes=private,
        heap_committed_bytes=np.array(cols[4], dtype=np.int64),
        transient_pending_bytes=np.array(cols[5], dtype=np.int64),
        transient_committed_bytes=np.array(cols[6], dtype=np.int64),
        interface_proxies=np.array(cols[7], dtype=np.int32),
        pm_refcount=np.array(cols[8], dtype=np.int32),
        engine="step",
        peak_private_bytes=max(peak, int(private.max())),
        loop_stride=stride,
        idle_stride=tail.stride,
        idle_steps=tail.steps_total,
    )


def _overrides(params: Params) -> dict:
    from dataclasses import asdict

    return asdict(params)
