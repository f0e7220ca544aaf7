"""Benchmark: how fast comsim answers a slider.

Times ``comsim.simulate`` at 1e3 ... 1e6 iterations (median of repeats), compares it with the
step engine and with a bare ``numpy.cumsum`` over the same length (the floor for anything that
touches every iteration), records peak memory, and times the explorer from a slider move to a
rendered PNG (what the notebook shows). Prints a Markdown table and writes build/bench.md.

    python bench/bench.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

import comsim
from comsim.engine_step import run_step
from comsim.params import Params


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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer repeats, no step 1e6")
    args = parser.parse_args()
    sizes = [1_000, 10_000, 20_001, 100_000, 1_000_000]
    rows = []
    for n in sizes:
        repeats = 3 if n >= 1_000_000 else (5 if args.quick else 21)
        fast = median_ms(lambda n=n: comsim.simulate(iterations=n), repeats)
        floor = median_ms(lambda n=n: np.cumsum(np.ones(n)), repeats)
        params = Params.make(iterations=n)
        if n >= 1_000_000 and args.quick:
            step = float("nan")
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
    text = "\n".join(lines)
    print(text)
    out = Path("build") / "bench.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
