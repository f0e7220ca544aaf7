"""Benchmark: how fast comsim answers a slider, and the budgets every allowed input keeps.

Times ``comsim.simulate`` at 1e3 ... 1e6 iterations (median of repeats), compares it with the
step engine and with a bare ``numpy.cumsum`` over the same length (the floor for anything that
touches every iteration), records peak memory, and times the explorer from a slider move to a
rendered PNG (what the notebook shows).

The bounds section runs each extreme in a fresh process and reports its peak resident memory
(the budget is 512 MiB per ``simulate`` call) and wall time (the budget is 10 s per call):
``simulate`` at 20,001, 1,000,000 and 10,000,000 iterations, the worst idle tail the parameter
table allows, the step engine at its largest run, ``perfmon_samples`` at its smallest interval,
and ``Process.idle`` at its largest. Prints Markdown tables and writes build/bench.md.

    python bench/bench.py [--quick] [--bounds-only]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

import comsim
from comsim.engines.step import STEP_MAX_ITERATIONS, run_step
from comsim.model.params import Params


def median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def peak_mib(fn) -> float:
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {np.__version__}, {platform.system()} {platform.release()}"
    )


def explorer_redraw_ms(repeats: int, **kwargs) -> tuple[float, float, float]:
    """Median, 90th percentile and worst time from a slider move to a rendered PNG, at the
    KB's 20,001 iterations (after one warm-up move)."""
    e = comsim.explorer(**kwargs)  # redraw() renders the PNG that the notebook displays
    values = [0.3, 0.6, 0.9, 1.0, 0.5, 0.8]
    e.tightness.value = 0.7  # warm-up: first use of fonts and caches
    times = []
    for k in range(repeats):
        t0 = time.perf_counter()
        e.tightness.value = values[k % len(values)]
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.9 * (len(times) - 1))], times[-1]


WORST_IDLE_TAIL = dict(
    iterations=10_000_000,
    transient_bytes_per_call=65_536,
    reaper_bytes_per_cpu_ms=1,
    reaper_latency_ms=600_000,
    idle_sample_ms=1,
    idle_tail_ms=3_600_000,
)
"""The longest idle tail the parameter table allows: the most buffers, the slowest reaper, the
longest latency, the finest sampling."""

_CHILD = """
import json, resource, sys, time

def hwm_kib():
    # VmHWM: this process's own peak resident set (ru_maxrss would include the parent's
    # before exec)
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

import comsim
imported = hwm_kib()
t1 = time.perf_counter()
{setup}
t2 = time.perf_counter()
{work}
t3 = time.perf_counter()
print(json.dumps(dict(seconds=t3 - t2, setup_seconds=t2 - t1,
    peak_kib=hwm_kib(), import_kib=imported, note={note})))
"""


def in_fresh_process(work: str, setup: str = "", note: str = "''") -> dict:
    """Run ``work`` (after ``setup``) in a new interpreter; its time and peak RSS (VmHWM)."""
    code = _CHILD.format(setup=setup or "pass", work=work, note=note)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=900
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def bounds() -> list[tuple[str, dict]]:
    """Each allowed extreme in a fresh process: (what, measurements)."""
    worst = ", ".join(f"{k}={v!r}" for k, v in WORST_IDLE_TAIL.items())
    cases = [
        ("simulate(iterations=20_001)", "t = comsim.simulate(iterations=20_001)", ""),
        ("simulate(iterations=1_000_000)", "t = comsim.simulate(iterations=1_000_000)", ""),
        ("simulate(iterations=10_000_000)", "t = comsim.simulate(iterations=10_000_000)", ""),
        (f"worst idle tail: simulate({worst})", f"t = comsim.simulate({worst})", ""),
        (
            "ten million buffers waiting out the longest latency: simulate(iterations="
            "10_000_000, reaper_latency_ms=600_000, iteration_cpu_us=1)",
            "t = comsim.simulate(iterations=10_000_000, reaper_latency_ms=600_000, "
            "iteration_cpu_us=1)",
            "",
        ),
        (
            "simulate(iterations=50_000, engine='step') (the step engine's largest run)",
            "t = comsim.simulate(iterations=50_000, engine='step')",
            "",
        ),
        (
            "perfmon_samples(20,001-iteration run, 1 ms) (smallest interval)",
            "s = comsim.perfmon_samples(t, 1)",
            "t = comsim.simulate(iterations=20_001)",
        ),
        (
            "perfmon_samples(10,000,000-iteration run, smallest interval it allows)",
            "s = comsim.perfmon_samples(t, iv)",
            "t = comsim.simulate(iterations=10_000_000)\n"
            "iv = t.arrays.time_us[-1] / 1000 / (1_000_000 - 1) * 1.000001",
        ),
        (
            "Process(idle_sample_ms=1).idle(largest allowed) with 2,000 copies' buffers pending",
            "proc.idle(largest)",
            "from comsim.model.process import IDLE_MAX_SECONDS\n"
            "largest = IDLE_MAX_SECONDS * (1 - 1e-9)\n"
            "proc = comsim.Process(idle_sample_ms=1, reaper_bytes_per_cpu_ms=1)\n"
            "p = proc.CoCreateInstanceEx('SimpleObject', 'IStream')\n"
            "for _ in range(2000):\n"
            "    cs = p.QueryInterface('IClientSecurity'); c = cs.CopyProxy(p); cs.Release(); "
            "c.Release()",
        ),
    ]
    results = []
    for what, work, setup in cases:
        try:
            results.append((what, in_fresh_process(work, setup)))
        except subprocess.SubprocessError as exc:  # report, do not hide, a case that fails
            results.append((what, {"error": str(exc)[:200]}))
        print(f"  measured {what}", file=sys.stderr)
    return results


def bounds_table(results: list[tuple[str, dict]]) -> list[str]:
    lines = [
        "Bounds: each call in a fresh process (budgets: 512 MiB peak resident memory per "
        "simulate call, 10 s per call):",
        "",
        "| call | time (s) | peak RSS (MiB) | of which Python + comsim import (MiB) |",
        "|---|---:|---:|---:|",
    ]
    for what, r in results:
        if "error" in r:
            lines.append(f"| {what} | failed: {r['error']} | | |")
            continue
        lines.append(
            f"| {what} | {r['seconds']:.2f} | {r['peak_kib'] / 1024:,.0f} | "
            f"{r['import_kib'] / 1024:,.0f} |"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer repeats, no step 1e6")
    parser.add_argument("--bounds-only", action="store_true", help="only the bounds table")
    args = parser.parse_args()
    if args.bounds_only:
        text = "\n".join([f"Machine: {machine()}", "", *bounds_table(bounds())])
        print(text)
        out = Path("build") / "bench-bounds.md"
        out.parent.mkdir(exist_ok=True)
        out.write_text(text + "\n")
        return 0
    sizes = [1_000, 10_000, 20_001, 100_000, 1_000_000]
    rows = []
    for n in sizes:
        repeats = 3 if n >= 1_000_000 else (5 if args.quick else 21)
        fast = median_ms(lambda n=n: comsim.simulate(iterations=n), repeats)
        floor = median_ms(lambda n=n: np.cumsum(np.ones(n)), repeats)
        params = Params.make(iterations=n)
        if n > STEP_MAX_ITERATIONS or (n >= 1_000_000 and args.quick):
            step = float("nan")  # the step engine refuses runs this long
        else:
            step = median_ms(
                lambda p=params: run_step(p, "copy-each-time", "by-design"),
                1 if n >= 100_000 else 3,
            )
        peak = peak_mib(lambda n=n: comsim.simulate(iterations=n))
        rows.append((n, fast, step, floor, peak))
        print(f"  measured {n:,}", file=sys.stderr)
    redraws = {
        "one strategy, against iterations (comsim.explorer())": explorer_redraw_ms(30),
        "four strategies, against time": explorer_redraw_ms(
            30, strategies=comsim.STRATEGIES, x="time"
        ),
    }

    lines = [
        f"Machine: {machine()}",
        "",
        "| iterations | simulate (ms, median) | step engine (ms) | step / fast | "
        "numpy.cumsum (ms) | fast / cumsum | peak memory (MiB) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, fast, step, floor, peak in rows:
        lines.append(
            f"| {n:,} | {fast:.2f} | {step:,.0f} | {step / fast:,.0f}x | "
            f"{floor:.3f} | {fast / floor:,.0f}x | {peak:.1f} |"
        )
    lines += [
        "",
        "Explorer, slider move to rendered PNG at 20,001 iterations (budget 100 ms):",
        "",
        "| explorer | median (ms) | 90th percentile (ms) | worst (ms) |",
        "|---|---:|---:|---:|",
    ]
    for name, (median, p90, worst) in redraws.items():
        lines.append(f"| {name} | {median:.0f} | {p90:.0f} | {worst:.0f} |")
    lines += ["", *bounds_table(bounds())]
    text = "\n".join(lines)
    print(text)
    out = Path("build") / "bench.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
