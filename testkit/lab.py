"""JupyterLab pages driven in Debian's Chromium as a learner drives them.

The helpers act through the interface: the Run menu, a slider handle focused and moved with
the keyboard, buttons found by their text. They return lists of readable problems (empty when
all is well), as :mod:`testkit.browser` does, so that one failure names every broken widget at
once. The server itself is :class:`testkit.labserver.LabServer`; bench/bench_lab.py uses both to
time a slider in the browser.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field

from testkit.labserver import (
    RUN_ALL_WAIT_MS,
    START_WAIT_S,
    VIEWPORT,
    WIDGET_AS_TEXT,
    WIDGET_FAILURES,
    WIDGET_WAIT_MS,
    LabServer,
)


@dataclass
class LabPage:
    """One browser page on the server, with the console errors it logged."""

    page: object
    server: LabServer
    console_errors: list[str] = field(default_factory=list)
    console_warnings: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


def open_context(browser, server: LabServer):
    """A browser context that reaches only the server: every other request is blocked."""
    context = browser.new_context(viewport=VIEWPORT)
    allowed = (f"http://127.0.0.1:{server.port}/", f"ws://127.0.0.1:{server.port}/")
    blocked: list[str] = []

    def on_request(route):
        url = route.request.url
        if url.startswith(allowed) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", on_request)
    context.comsim_blocked = blocked  # read by LabPage users through lab_page()
    return context


def lab_page(context, server: LabServer) -> LabPage:
    page = context.new_page()
    opened = LabPage(page, server, blocked=context.comsim_blocked)

    def on_console(message):
        if message.type == "error":
            opened.console_errors.append(message.text)
        elif message.type == "warning":
            opened.console_warnings.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: opened.console_errors.append(f"uncaught: {error}"))
    return opened


# The kernel's state as the learner sees it: the status bar's "Python 3 (ipykernel) | Idle"
# and the toolbar's execution indicator. The indicator alone says "idle" before any kernel is
# attached ("No Kernel | Initializing"), when Run All would silently run nothing.
_KERNEL_IDLE = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return 'no notebook';
  const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  const status = indicator ? (indicator.getAttribute('data-status') || 'unknown') : 'unknown';
  const bar = [...document.querySelectorAll('.jp-StatusBar-TextItem')]
    .map(e => e.textContent.trim()).find(t => / \\| [A-Z][a-z]+$/.test(t)) || 'no kernel status';
  if (bar.startsWith('No Kernel')) return bar;
  return status === 'idle' && bar.endsWith('| Idle') ? 'idle' : `${status} (${bar})`;
}"""

# The execution prompt ("[3]:") of every code cell whose input is shown; a cell whose source
# is folded (metadata jupyter.source_hidden) shows no prompt and is left out.
_PROMPTS = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  return [...panel.querySelectorAll('.jp-CodeCell')].map(cell => {
    const prompt = cell.querySelector('.jp-InputArea .jp-InputPrompt');
    return prompt ? prompt.textContent.trim() : null;
  }).filter(p => p !== null);
}"""


def notebook_panel(page):
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").first


def open_notebook(lab: LabPage, name: str) -> None:
    """Open ``name`` in a fresh workspace and wait for its kernel to be idle."""
    page = lab.page
    page.goto(lab.server.lab_url(name), wait_until="domcontentloaded")
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=START_WAIT_S * 1000)
    wait_for_kernel_idle(page, START_WAIT_S * 1000)


def wait_for_kernel_idle(page, timeout_ms: int) -> None:
    page.wait_for_function(f"() => ({_KERNEL_IDLE})() === 'idle'", timeout=timeout_ms)


def run_menu_command(page, menu: str, item: str) -> None:
    """Click ``menu`` in the menu bar and then ``item`` in it, as a learner would."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(rf"^{re.escape(menu)}$")).click()
    page.locator(
        ".lm-Menu-content .lm-Menu-itemLabel", has_text=re.compile(rf"^{re.escape(item)}$")
    ).first.click()


def _count(prompt: str) -> int:
    """The execution count a prompt gives ("[3]:" is 3); 0 for "[ ]:", "[*]:" or none."""
    m = re.fullmatch(r"\[(\d+)\]:", prompt or "")
    return int(m.group(1)) if m else 0


IDLE_POLLS = 2  # polls 100 ms apart that must all find the run over (see run_all)


def run_all(lab: LabPage, timeout_ms: int = RUN_ALL_WAIT_MS) -> list[str]:
    """Run ▸ Run All Cells, then wait until every code cell shows an execution count from this
    run (above any it showed before, so that running all again waits for the new run) and the
    kernel is idle. Returns the prompts of cells that did not run (empty when all did)."""
    page = lab.page
    before = max(map(_count, page.evaluate(_PROMPTS)), default=0)
    page.evaluate("() => { window.__comsimIdlePolls = 0; }")
    notebook_panel(page).locator(".jp-Cell").first.click()
    run_menu_command(page, "Run", "Run All Cells")
    try:
        page.wait_for_function(
            f"""() => {{
              const prompts = ({_PROMPTS})();
              const done = prompts.every(p => {{
                       const m = /^\\[(\\d+)\\]:$/.exec(p);
                       return m && Number(m[1]) > {before};
                     }})
                     && ({_KERNEL_IDLE})() === 'idle';
              // Cells whose source is folded show no prompt to wait for, and between two cells
              // the kernel is idle for a moment. The toolbar's execution indicator is the state
              // to wait for: it keeps the set of cells the run scheduled, folded ones included,
              // and says 'idle' only once every one of them has run. {IDLE_POLLS} polls in a
              // row confirm it.
              window.__comsimIdlePolls = done ? (window.__comsimIdlePolls || 0) + 1 : 0;
              return window.__comsimIdlePolls >= {IDLE_POLLS};
            }}""",
            timeout=timeout_ms,
            polling=100,
        )
    except Exception:  # playwright's TimeoutError: say which cells never ran, and why
        prompts = page.evaluate(_PROMPTS)
        not_run = [
            f"code cell {k + 1}: {p or '(no prompt)'}"
            for k, p in enumerate(prompts)
            if _count(p) <= before
        ]
        # The kernel's state is read only here, once the wait has failed: a second reading
        # after a wait that passed could land in a moment the kernel is busy for other work.
        status = page.evaluate(_KERNEL_IDLE)
        return not_run + ([f"the kernel is {status}, not idle"] if status != "idle" else [])
    return []


def output_problems(lab: LabPage) -> list[str]:
    """Tracebacks, widgets that failed to load, and widgets shown as their text repr, in the
    open notebook's outputs (each with the number of the cell it came from)."""
    page = lab.page
    found = page.evaluate(
        """() => {
          const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
          const cells = [...panel.querySelectorAll('.jp-Cell')];
          const out = [];
          cells.forEach((cell, k) => {
            cell.querySelectorAll('.jp-OutputArea-output').forEach(o => {
              out.push({cell: k + 1, mime: o.getAttribute('data-mime-type') || '',
                        error: o.classList.contains('jp-mod-error') ||
                               o.getAttribute('data-mime-type') ===
                               'application/vnd.jupyter.error',
                        text: o.innerText});
            });
          });
          return out;
        }"""
    )
    problems = []
    for o in found:
        where = f"cell {o['cell']}"
        text = o["text"]
        if o["error"]:
            problems.append(f"{where}: error output: {text[:300]!r}")
        elif o["mime"] == "application/vnd.jupyter.stderr" and "Traceback" in text:
            problems.append(f"{where}: a traceback on stderr: {text[:300]!r}")
        for failure in WIDGET_FAILURES:
            if failure in text:
                problems.append(f"{where}: {failure!r} shown: {text[:200]!r}")
        match = WIDGET_AS_TEXT.search(text)
        if match:
            problems.append(f"{where}: a widget shown as text: {text[:200]!r}")
    return problems


# A "figure widget": the outermost widget box that holds a slider and an image (an explorer
# or the step-through, whatever it is called). Marked with data-comsim-widget="K" so that
# later locators find the same one.
_MARK_FIGURE_WIDGETS = """mark => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const cells = [...panel.querySelectorAll('.jp-Cell')];
  const found = [];
  cells.forEach((cell, c) => {
    cell.querySelectorAll('.jp-OutputArea-output').forEach(out => {
      const top = [...out.querySelectorAll('.jupyter-widgets.widget-box, .widget-box')]
        .filter(box => !box.parentElement.closest('.widget-box'));
      top.forEach(box => {
        if (box.querySelector('.widget-slider') && box.querySelector('img')) {
          box.setAttribute('data-comsim-widget', `${mark}-${found.length}`);
          const buttons = [...box.querySelectorAll('button')].map(b => b.innerText.trim());
          found.push({cell: c + 1, sliders: box.querySelectorAll('.widget-slider').length,
                      buttons});
        }
      });
    });
  });
  return found;
}"""


@dataclass
class FigureWidget:
    """One explorer or step-through on the page."""

    locator: object
    cell: int
    sliders: int
    buttons: list[str]

    @property
    def name(self) -> str:
        kind = "step-through" if any("Next" in b for b in self.buttons) else "explorer"
        return f"{kind} in cell {self.cell}"

    def image_src(self) -> str:
        return self.locator.locator("img").first.get_attribute("src") or ""

    def caption(self) -> str:
        """The text under the figure: every HTML widget's text in the box."""
        return " | ".join(self.locator.locator(".widget-html").all_inner_texts()).strip()

    def state(self) -> tuple[str, str]:
        return self.image_src(), self.caption()


def figure_widgets(lab: LabPage) -> list[FigureWidget]:
    mark = os.urandom(4).hex()  # a fresh mark each time, so no stale widget is matched
    found = lab.page.evaluate(_MARK_FIGURE_WIDGETS, mark)
    return [
        FigureWidget(
            lab.page.locator(f'[data-comsim-widget="{mark}-{k}"]'),
            f["cell"],
            f["sliders"],
            f["buttons"],
        )
        for k, f in enumerate(found)
    ]


def close_current_tab(page) -> None:
    """Close the notebook's tab, discarding its outputs (they are in a throwaway copy)."""
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current").first
    if tab.count() == 0:
        return
    tab.locator(".lm-TabBar-tabCloseIcon").click()
    discard = page.locator(".jp-Dialog button", has_text=re.compile(r"^\s*(Discard|Don.t Save)"))
    try:
        discard.first.click(timeout=3000)
    except Exception:  # playwright's TimeoutError: the notebook closed without asking
        pass
    page.locator(".jp-Dialog").first.wait_for(state="detached", timeout=5000)


def slider_handle(widget: FigureWidget, k: int = 0):
    """The keyboard-focusable handle of the widget's k-th slider (noUiSlider in ipywidgets 8)."""
    return widget.locator.locator(".widget-slider").nth(k).locator(".noUi-handle").first


def slider_readout(widget: FigureWidget, k: int = 0) -> str:
    slider = widget.locator.locator(".widget-slider").nth(k)
    readout = slider.locator(".widget-readout")
    return readout.first.inner_text() if readout.count() else ""


def press_and_wait(widget: FigureWidget, target, key: str, timeout_ms: int = WIDGET_WAIT_MS):
    """Focus ``target`` (a slider handle or a button) and press ``key``; wait until the figure
    or the caption changes. Returns (before, after) states; equal if nothing changed in time."""
    before = widget.state()
    target.focus()
    target.press(key)
    return before, wait_for_change(widget, before, timeout_ms)


def wait_for_change(widget: FigureWidget, before: tuple[str, str], timeout_ms: int):
    deadline = time.monotonic() + timeout_ms / 1000
    after = widget.state()
    # Wait for both to change (the image and the caption are separate messages), but stop
    # early once both differ.
    while time.monotonic() < deadline:
        after = widget.state()
        if after[0] != before[0] and after[1] != before[1]:
            break
        time.sleep(0.05)
    return after


def move_slider_problems(widget: FigureWidget, k: int = 0) -> list[str]:
    """Move the widget's k-th slider from the keyboard (End, or Home when already at its end)
    and check that its picture and its caption both change."""
    handle = slider_handle(widget, k)
    if handle.count() == 0:
        return [f"{widget.name}: slider {k} has no keyboard handle"]
    handle.scroll_into_view_if_needed(timeout=WIDGET_WAIT_MS)
    value, high = handle.evaluate(
        "h => [h.getAttribute('aria-valuenow'), h.getAttribute('aria-valuemax')]"
    )
    key = "Home" if float(value) == float(high) else "End"
    readout_before = slider_readout(widget, k)
    before, after = press_and_wait(widget, handle, key)
    where = f"{widget.name}, slider {k} ({key}: {readout_before} -> {slider_readout(widget, k)})"
    problems = []
    if slider_readout(widget, k) == readout_before:
        problems.append(f"{where}: the slider did not move")
    if after[0] == before[0]:
        problems.append(f"{where}: the figure did not change")
    if after[1] == before[1]:
        problems.append(f"{where}: the caption stayed {before[1][:120]!r}")
    return problems


def button(widget: FigureWidget, text: str):
    return widget.locator.locator("button", has_text=text).first


def press_button_problems(widget: FigureWidget, text: str) -> list[str]:
    """Click the widget's button labelled ``text`` and check that figure and caption change."""
    target = button(widget, text)
    if target.count() == 0:
        return [f"{widget.name}: no {text!r} button"]
    if target.is_disabled():
        return [f"{widget.name}: the {text!r} button is disabled"]
    before = widget.state()
    target.click()
    after = wait_for_change(widget, before, WIDGET_WAIT_MS)
    problems = []
    if after[0] == before[0]:
        problems.append(f"{widget.name}, {text!r}: the figure did not change")
    if after[1] == before[1]:
        problems.append(f"{widget.name}, {text!r}: the caption stayed {before[1][:120]!r}")
    return problems
