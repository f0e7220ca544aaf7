"""The step engine: runs a scenario call by call on the object model.

Slow (Python objects per call) but literal: every QueryInterface, CopyProxy and Release goes
through :mod:`comsim.com` and every block through :mod:`comsim.heap`. It is the reference the
fast engine is tested against, and what diagrams step through.
"""

from __future__ import annotations

import numpy as np

from .com import Process
from .params import Params
from .runs import PHASES, RunArrays
from .strategies import LoopBody
from .timing import idle_chunk_budget, loop_timing
from .transient import idle_chunks_to_drain


def transient_total_bytes(params: Params, strategy: str) -> int:
    """All transient bytes a run allocates: one CopyProxy's worth per copy made."""
    return copies_made(params, strategy) * params.transient_bytes_per_call


def copies_made(params: Params, strategy: str) -> int:
    if strategy == "no-copy":
        return 0
    if strategy == "cache-copy":
        return min(params.iterations, params.blankets)
    return params.iterations


def run_step(params: Params, strategy: str, policy: str, progress=None) -> RunArrays:
    """Run the whole program -- create, loop, final release, idle tail -- one call at a time.

    ``progress``, if given, is called with the number of iterations done (for progress bars).
    """
    proc = Process(policy=policy, **_overrides(params))
    timing = loop_timing(params, transient_total_bytes(params, strategy))
    rows: list[tuple] = []

    def sample(i: int, phase: str) -> None:
        pm_refs = sum(pm.refcount for pm in proc.proxy_managers)
        rows.append(
            (
                i,
                proc.clock_us,
                PHASES.index(phase),
                proc.private_bytes,
                proc.heap.committed_bytes,
                proc.transient.pending_bytes,
                proc.transient.committed_bytes,
                proc.interface_proxy_count,
                pm_refs,
            )
        )

    pItf = proc.CoCreateInstanceEx("SimpleObject", "IStream")
    sample(0, "start")
    body = LoopBody(strategy, params.blankets)
    cpu, budget = timing.cpu_us.tolist(), timing.reaper_budget_bytes.tolist()
    for i in range(params.iterations):
        body.iteration(i, pItf)
        proc.work(cpu[i], budget[i])
        sample(i + 1, "loop")
        if progress is not None and (i + 1) % 4096 == 0:
            progress(i + 1)
    body.finish()
    pItf.Release()  # the proxy manager's final release
    sample(params.iterations, "final-release")
    chunk_us = params.idle_sample_ms * 1000.0
    chunks = idle_chunks_to_drain(
        -(-params.idle_tail_ms // params.idle_sample_ms),
        chunk_us,
        idle_chunk_budget(params),
        proc.clock_us,
        proc.transient.pending_bytes,
        proc.transient.waiting_until_us,
    )
    for _ in range(chunks):
        proc.idle_step(chunk_us)
        sample(params.iterations, "idle")
    cols = list(zip(*rows, strict=True))
    return RunArrays(
        iteration=np.array(cols[0], dtype=np.int64),
        time_us=np.array(cols[1], dtype=np.float64),
        phase=np.array(cols[2], dtype=np.int8),
        private_bytes=np.array(cols[3], dtype=np.int64),
        heap_committed_bytes=np.array(cols[4], dtype=np.int64),
        transient_pending_bytes=np.array(cols[5], dtype=np.int64),
        transient_committed_bytes=np.array(cols[6], dtype=np.int64),
        interface_proxies=np.array(cols[7], dtype=np.int64),
        pm_refcount=np.array(cols[8], dtype=np.int64),
        engine="step",
    )


def _overrides(params: Params) -> dict:
    from dataclasses import asdict

    return asdict(params)
