"""The time model: how long each loop iteration takes, and the CPU it leaves to the reaper.

``tightness`` is the share of wall time the loop thread spends in its calls (KB: "how much
time and processor usage elapses between the calls"). An iteration that needs ``cpu_us`` of
CPU takes ``cpu_us / tightness`` of wall time; the rest is idle CPU the background reaper of
hypothesis H2 may use. Both engines take their numbers from here, so they see the same clock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .params import Params


@dataclass(frozen=True)
class LoopTiming:
    """Per-iteration CPU time, wall time and reaper budget of one run (arrays of equal length)."""

    cpu_us: np.ndarray
    wall_us: np.ndarray
    reaper_budget_bytes: np.ndarray


def loop_timing(params: Params, transient_total_bytes: int) -> LoopTiming:
    """CPU time per iteration (mean ``iteration_cpu_us``, uniform +-``iteration_cpu_jitter``,
    seeded), its wall time at ``tightness``, and the bytes the reaper may free meanwhile.

    Budgets are capped at ``transient_total_bytes``: the reaper can never free more than was
    allocated, and the cap keeps running sums inside 64-bit integers.
    """
    rng = np.random.default_rng(params.seed)
    return _timing(params, transient_total_bytes, rng.uniform(-1.0, 1.0, params.iterations))


def loop_timing_chunks(params: Params, transient_total_bytes: int, chunk: int):
    """:func:`loop_timing` in pieces of at most ``chunk`` iterations, from one random stream:
    concatenated, the pieces equal ``loop_timing`` exactly (so long runs need not hold every
    iteration's numbers at once)."""
    rng = np.random.default_rng(params.seed)
    done = 0
    while done < params.iterations:
        n = min(chunk, params.iterations - done)
        yield _timing(params, transient_total_bytes, rng.uniform(-1.0, 1.0, n))
        done += n


def _timing(params: Params, transient_total_bytes: int, spread: np.ndarray) -> LoopTiming:
    cpu_us = params.iteration_cpu_us * (1.0 + spread * params.iteration_cpu_jitter)
    wall_us = cpu_us / params.tightness
    idle_us = wall_us - cpu_us
    budget = np.floor(params.reaper_bytes_per_cpu_ms * idle_us / 1000.0)
    budget = np.minimum(budget, float(transient_total_bytes)).astype(np.int64)
    return LoopTiming(cpu_us, wall_us, budget)


def idle_chunk_budget(params: Params) -> int:
    """Bytes the reaper frees in one idle step after the loop, with the whole CPU."""
    return int(params.reaper_bytes_per_cpu_ms * (params.idle_sample_ms * 1000.0) // 1000)
