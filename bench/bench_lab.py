"""Benchmark in the browser: the live course as a learner meets it in JupyterLab.

Starts ``jupyter lab`` from the project's .venv on copies of the notebooks (loopback port,
token, fresh settings; see tests/lab.py) and drives it in Debian's headless Chromium:

- **Slider to figure.** In the first notebook with an explorer, press ArrowLeft/ArrowRight on
  its tightness slider (the iteration count stays at the KB's 20,001) and time, in the page,
  from the keydown event to the moment the explorer's new figure is in the page. Median and
  90th percentile over ``--presses`` presses (goal: 100 ms or less).
- **Kernel memory.** For every notebook: Run All, then move every slider of every explorer
  and step-through to both ends. The kernel's peak resident memory (VmHWM in
  /proc/PID/status; the PID comes from the sessions API's kernel id) after Run All and after
  the sliders (budget: 300 MiB per kernel).

Prints Markdown tables and writes build/bench_lab.md. Not a test: numbers depend on the machine.

    python bench/bench_lab.py [--presses N] [--notebooks 01_the_symptom.ipynb ...]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from comsim.publish import chromium
from testkit.lab import (
    close_current_tab,
    figure_widgets,
    lab_page,
    open_context,
    open_notebook,
    run_all,
    slider_handle,
    slider_readout,
    wait_for_change,
)
from testkit.labserver import (
    WIDGET_WAIT_MS,
    LabServer,
    copy_notebooks,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
GOAL_MS = 100.0
BUDGET_MIB = 300.0
KB_ITERATIONS = 20_001

# In the page: the time of the slider's keydown, and of the first mutation after it that
# puts a figure different from the one before into the explorer.
_ARM = """([box, handle]) => {
  const img = () => box.querySelector('img');
  window.__comsimBefore = img() ? img().src : '';
  window.__comsimKey = null;
  window.__comsimShown = null;
  if (!window.__comsimObserver) {
    window.__comsimObserver = new MutationObserver(() => {
      const now = performance.now();
      const shown = img();
      if (window.__comsimKey !== null && window.__comsimShown === null && shown &&
          shown.src !== window.__comsimBefore) {
        window.__comsimShown = now;
      }
    });
    window.__comsimObserver.observe(box, {subtree: true, childList: true, attributes: true,
                                          attributeFilter: ['src']});
    handle.addEventListener('keydown', () => { window.__comsimKey = performance.now(); }, true);
  }
}"""
_READ = "() => [window.__comsimKey, window.__comsimShown]"


def code_of(path: Path) -> str:
    """The notebook's code cells, joined."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def peak_rss_mib(pid: int | None) -> float:
    """The process's peak resident set (VmHWM), in MiB; NaN if it cannot be read."""
    if pid is None:
        return float("nan")
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def kernel_pid(server: LabServer, name: str) -> int | None:
    for session in server.sessions():
        if session.get("path", "").endswith(name):
            return server.kernel_pid(session["kernel"]["id"])
    return None


def shut_down(server: LabServer, name: str) -> None:
    for session in server.sessions():
        if session.get("path", "").endswith(name):
            server.api("DELETE", f"/api/sessions/{session['id']}", timeout=15)


def slider_latencies(opened, presses: int) -> tuple[list[float], str]:
    """Key-press-to-figure times (ms) on the first explorer's tightness slider."""
    explorers = [
        w for w in figure_widgets(opened) if w.sliders >= 2 and "Next" not in " ".join(w.buttons)
    ]
    if not explorers:
        raise SystemExit("no explorer with two sliders on the page")
    widget = explorers[0]
    sliders = widget.locator.locator(".widget-slider")
    labels = [sliders.nth(k).locator(".widget-label").inner_text() for k in range(sliders.count())]
    k = next((i for i, label in enumerate(labels) if "tight" in label.lower()), 1)
    iterations = next((i for i, label in enumerate(labels) if "iteration" in label.lower()), None)
    if iterations is not None:
        shown = sliders.nth(iterations).locator(".widget-readout").inner_text()
        if int(shown.replace(",", "")) != KB_ITERATIONS:
            raise SystemExit(f"the explorer starts at {shown} iterations, not {KB_ITERATIONS:,}")
    handle = slider_handle(widget, k)
    handle.scroll_into_view_if_needed(timeout=WIDGET_WAIT_MS)
    box = widget.locator.element_handle()
    times = []
    for n in range(presses):
        key = "ArrowLeft" if n % 2 == 0 else "ArrowRight"
        opened.page.evaluate(_ARM, [box, handle.element_handle()])
        before = widget.state()
        handle.focus()
        handle.press(key)
        after = wait_for_change(widget, before, WIDGET_WAIT_MS)
        key_at, shown_at = opened.page.evaluate(_READ)
        if after[0] == before[0] or key_at is None or shown_at is None:
            raise SystemExit(f"press {n + 1} ({key}) did not change the figure in time")
        times.append(shown_at - key_at)
        time.sleep(0.2)  # let the caption's own message land before the next press
    return times, labels[k]


def visit_every_end(opened) -> int:
    """Move every slider of every explorer and step-through to its far end and then to the
    other (each slider visits both ends); returns how many ends were reached."""
    moved = 0
    for widget in figure_widgets(opened):
        for k in range(widget.sliders):
            handle = slider_handle(widget, k)
            if handle.count() == 0:
                continue
            handle.scroll_into_view_if_needed(timeout=WIDGET_WAIT_MS)
            value, high = handle.evaluate(
                "h => [h.getAttribute('aria-valuenow'), h.getAttribute('aria-valuemax')]"
            )
            at_end = float(value) == float(high)
            for key in ("Home", "End") if at_end else ("End", "Home"):
                before, readout = widget.state(), slider_readout(widget, k)
                handle.focus()
                handle.press(key)
                # The figure may rightly stay the same (tightness at 1 iteration), so wait for
                # a change but count the slider's own move.
                wait_for_change(widget, before, WIDGET_WAIT_MS)
                moved += slider_readout(widget, k) != readout
    return moved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=24, help="slider presses to time (>= 20)")
    parser.add_argument("--notebooks", nargs="*", help="notebook file names (default: all)")
    args = parser.parse_args()
    if args.presses < 20:
        parser.error(f"--presses must be at least 20; got {args.presses}")
    if not chromium.CHROMIUM.exists():
        print(f"{chromium.CHROMIUM} is missing: the browser benchmark needs Debian's chromium")
        return 1
    from playwright.sync_api import sync_playwright

    notebooks = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
    if args.notebooks:
        notebooks = [p for p in notebooks if p.name in set(args.notebooks)]
    memory: list[tuple[str, float, float, int]] = []
    latencies: list[float] = []
    slider_name = latency_notebook = ""
    with tempfile.TemporaryDirectory(prefix="bench-lab-") as tmp:
        base = Path(tmp)
        copy_notebooks(notebooks, base / "root")
        server = LabServer(root=base / "root", home=base / "home")
        try:
            server.start()
            with sync_playwright() as playwright:
                browser = chromium.launch(playwright)
                context = open_context(browser, server)
                for path in notebooks:
                    opened = lab_page(context, server)
                    open_notebook(opened, path.name)
                    not_run = run_all(opened)
                    if not_run:
                        print(f"  {path.name}: did not run: {not_run[:3]}", file=sys.stderr)
                    pid = kernel_pid(server, path.name)
                    after_run = peak_rss_mib(pid)
                    if not latencies and "explorer(" in code_of(path):
                        if figure_widgets(opened):
                            latencies, slider_name = slider_latencies(opened, args.presses)
                            latency_notebook = path.name
                    moves = visit_every_end(opened)
                    after_sliders = peak_rss_mib(pid)
                    memory.append((path.name, after_run, after_sliders, moves))
                    print(f"  measured {path.name}", file=sys.stderr)
                    close_current_tab(opened.page)
                    opened.page.close()
                    shut_down(server, path.name)
                browser.close()
        finally:
            server.stop()

    lines = ["## In the browser (JupyterLab, headless Chromium)", ""]
    if latencies:
        median, p90 = statistics.median(latencies), percentile(latencies, 0.9)
        verdict = "within" if p90 <= GOAL_MS else "over"
        lines += [
            f"Slider key press to new figure, {latency_notebook}, {slider_name} slider at "
            f"{KB_ITERATIONS:,} iterations, {len(latencies)} presses:",
            "",
            "| median | 90th percentile | goal |",
            "|---:|---:|---:|",
            f"| {median:.0f} ms | {p90:.0f} ms | ≤ {GOAL_MS:.0f} ms ({verdict}) |",
            "",
        ]
    else:
        lines += ["No notebook showed an explorer: no slider latency measured.", ""]
    lines += [
        f"Kernel peak resident memory (VmHWM; budget {BUDGET_MIB:.0f} MiB):",
        "",
        "| notebook | after Run All | after every slider at both ends | slider ends visited |",
        "|---|---:|---:|---:|",
    ]
    for name, after_run, after_sliders, moves in memory:
        flag = "" if after_sliders <= BUDGET_MIB else " (over budget)"
        lines.append(f"| {name} | {after_run:.0f} MiB | {after_sliders:.0f} MiB{flag} | {moves} |")
    text = "\n".join(lines)
    print(text)
    out = REPO_ROOT / "build" / "bench_lab.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n")
    over = [m for m in memory if not m[2] <= BUDGET_MIB]
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
