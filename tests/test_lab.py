"""The live course in JupyterLab, where learners meet it: Run All, the widgets' JavaScript
half, keyboard use of every explorer, the checkers, and RISE's live slides.

One ``jupyter lab`` from the project's .venv serves copies of the notebooks from a throwaway
folder on a free loopback port, with a token and fresh settings, workspaces and runtime
folders; headless Debian Chromium reaches that server and nothing else. The module-scoped
fixture stops the kernels and the server's process group at the end, whatever happened.

Playwright's sync API allows one instance per thread, and tests/test_browser.py keeps one open
for the whole session in the same xdist worker, so this file drives its own browser from a
thread of its own (``BrowserThread``).
"""

from __future__ import annotations

import json
import re
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from comsim.teaching.predict import SHOW_ANSWER
from testkit.browser import CHROMIUM, launch_chromium, on_ci
from testkit.lab import (
    close_current_tab,
    figure_widgets,
    lab_page,
    move_slider_problems,
    notebook_panel,
    open_context,
    open_notebook,
    output_problems,
    press_button_problems,
    run_all,
    wait_for_change,
    wait_for_kernel_idle,
)
from testkit.labserver import (
    START_WAIT_S,
    WIDGET_AS_TEXT,
    WIDGET_WAIT_MS,
    LabServer,
    copy_notebooks,
    extension_names,
    extension_problems,
    labextension_list,
)

pytestmark = [pytest.mark.kernel, pytest.mark.browser]

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
# A notebook whose code makes an explorer or a step-through must show one in JupyterLab.
MAKES_FIGURE_WIDGET = re.compile(r"\b(explorer|step_through|Explorer|StepThrough)\(")
# jupyterlab_rise 0.43.1 requires jupyterlab-mathjax3, a JupyterLab 3 extension; the Makefile
# installs it switched off and locked (JupyterLab 4 renders math itself). Nothing else may be.
SWITCHED_OFF = {"@jupyterlab/mathjax3-extension"}
RISE_WAIT_MS = 60_000  # for RISE to save the notebook and show its first slide
RISE_STEPS = 60  # presses of ArrowRight at most, looking for a slide with an explorer


def _code(path: Path) -> str:
    """The notebook's code cells, joined (prose that merely names an explorer is left out)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


class BrowserThread:
    """A headless Chromium that lives in one worker thread; ``run(fn, ...)`` calls
    ``fn(browser, ...)`` there and returns its result (or raises its exception)."""

    def __init__(self):
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lab-browser")
        self._playwright = None
        self.browser = None
        self.state: dict = {}  # pages and contexts, used only from the thread
        self.call(self._start)

    def _start(self):
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self.browser = launch_chromium(self._playwright)

    def call(self, fn, *args):
        return self._pool.submit(fn, *args).result()

    def run(self, fn, *args):
        return self.call(fn, self, *args)

    def close(self):
        def stop():
            try:
                if self.browser is not None:
                    self.browser.close()
            finally:
                if self._playwright is not None:
                    self._playwright.stop()

        try:
            self.call(stop)
        finally:
            self._pool.shutdown(wait=True)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on copies of the notebooks, and a browser page on it; both stopped at the end
    (kernels shut down through the REST API, then the server's process group ended)."""
    try:
        import playwright  # noqa: F401
    except ImportError as error:
        if on_ci():
            pytest.fail(f"playwright is not installed: {error}")
        pytest.skip(f"playwright is not installed: {error}")
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests"
        if on_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    base = tmp_path_factory.mktemp("lab")
    copy_notebooks(NOTEBOOKS, base / "root")
    server = LabServer(root=base / "root", home=base / "home")
    browser = None
    try:
        server.start()
        browser = BrowserThread()
        browser.server = server
        yield browser
    finally:
        try:
            if browser is not None:
                browser.close()
        finally:
            server.stop()
            shutil.rmtree(base / "root", ignore_errors=True)


def _page(thread: BrowserThread):
    """The one JupyterLab page, opened on first use."""
    if "lab" not in thread.state:
        context = open_context(thread.browser, thread.server)
        thread.state["context"] = context
        thread.state["lab"] = lab_page(context, thread.server)
    return thread.state["lab"]


def _open(thread: BrowserThread, name: str) -> None:
    """Open ``name``: the first notebook from its URL in a fresh workspace, later ones from the
    file browser with a double click, as a learner would."""
    opened = _page(thread)
    if not thread.state.get("loaded"):
        open_notebook(opened, name)
        thread.state["loaded"] = True
        return
    page = opened.page
    page.locator(".jp-DirListing-item", has_text=name).first.dblclick()
    page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current").filter(
        has_text=name
    ).first.wait_for(timeout=START_WAIT_S * 1000)
    wait_for_kernel_idle(page, START_WAIT_S * 1000)


def _shut_down_kernel(server: LabServer, name: str) -> None:
    """Shut down the notebook's kernel once it is checked, so one kernel runs at a time."""
    for session in server.sessions():
        if session.get("path", "").endswith(name):
            try:
                server.api("DELETE", f"/api/sessions/{session['id']}", timeout=15)
            except OSError:
                pass


def _check_predict(opened) -> list[str]:
    """Answer the first checker wrongly, then unfold the answer and give it: the feedback must
    say "Not yet" and then "Right"."""
    panel = notebook_panel(opened.page)
    checker = panel.locator(".comsim-predict").first
    if checker.count() == 0:
        return ["07 shows no checker (.comsim-predict) to answer"]
    checker.scroll_into_view_if_needed(timeout=WIDGET_WAIT_MS)
    feedback = checker.locator("[role=status]").first
    check = checker.locator("button", has_text=re.compile(r"^\s*Check\s*$")).first
    text_input = checker.locator("input[type=text]")
    choices = checker.locator(".widget-toggle-button")
    problems: list[str] = []

    def submit(value: str | None = None, choice=None) -> str:
        before = feedback.inner_text()
        if choice is not None:
            choice.click()
        else:
            text_input.first.fill(value)
        check.click()
        deadline = time.monotonic() + WIDGET_WAIT_MS / 1000
        while time.monotonic() < deadline and feedback.inner_text() in ("", before):
            time.sleep(0.05)
        return feedback.inner_text().strip()

    if text_input.count():
        said = submit("-987654321")
    elif choices.count():
        said = ""
        for k in range(choices.count()):  # the first option the checker calls wrong
            said = submit(choice=choices.nth(k))
            if said.startswith("Not yet"):
                break
    else:
        return ["07's checker has neither a text box nor choice buttons"]
    if not said.startswith("Not yet"):
        problems.append(f"07: a wrong answer got the feedback {said!r}")
    reveal = checker.locator("button", has_text=SHOW_ANSWER).first
    try:  # the button is shown by the kernel's reply, which can come after the feedback's
        reveal.wait_for(state="visible", timeout=WIDGET_WAIT_MS)
    except Exception:  # playwright's TimeoutError: it never appeared
        return [*problems, f"07: no visible {SHOW_ANSWER!r} after a committed answer"]
    reveal.click()
    answer_box = checker.locator(".widget-html", has_text="Answer:").last
    answer_box.wait_for(timeout=WIDGET_WAIT_MS)
    answer = re.search(r"Answer:\s*(.+)", answer_box.inner_text()).group(1).splitlines()[0]
    if text_input.count():
        said = submit(answer.strip())
    else:
        said = submit(choice=choices.filter(has_text=re.compile(rf"^{re.escape(answer)}$")))
    if not said.startswith("Right"):
        problems.append(f"07: the shown answer {answer!r} got the feedback {said!r}")
    return problems


def _check_notebook(thread: BrowserThread, name: str, makes_widgets: bool) -> list[str]:
    opened = _page(thread)
    errors_before = len(opened.console_errors)
    _open(thread, name)
    problems = [f"did not run: {p}" for p in run_all(opened)]
    problems += output_problems(opened)
    widgets = figure_widgets(opened)
    if makes_widgets and not widgets:
        problems.append("its code makes an explorer, but no slider with a figure is on the page")
    for widget in widgets:
        if widget.sliders == 0:
            problems.append(f"{widget.name}: no slider")
            continue
        if any("Next" in b for b in widget.buttons):
            problems += press_button_problems(widget, "Next")
            problems += press_button_problems(widget, "Previous")
        problems += move_slider_problems(widget, 0)
    if name.startswith("07"):
        problems += _check_predict(opened)
    # A learner often runs everything again without restarting: same kernel, state kept.
    problems += [f"did not run again: {p}" for p in run_all(opened)]
    problems += [f"run again: {p}" for p in output_problems(opened)]
    problems += [f"console error: {e[:300]}" for e in opened.console_errors[errors_before:]]
    problems += [
        f"console warning from the switched-off math extension: {w[:300]}"
        for w in opened.console_warnings
        if "mathjax3" in w.lower()
    ]
    close_current_tab(opened.page)
    if opened.blocked:
        problems.append(f"requests that would leave the machine: {opened.blocked[:5]}")
    return problems


@pytest.mark.parametrize("notebook", [pytest.param(p, id=p.stem) for p in NOTEBOOKS])
def test_a_learner_runs_all_cells_drives_every_widget_and_runs_all_again_in_jupyterlab(
    lab, notebook
):
    makes_widgets = bool(MAKES_FIGURE_WIDGET.search(_code(notebook)))
    try:
        problems = lab.run(_check_notebook, notebook.name, makes_widgets)
    finally:
        _shut_down_kernel(lab.server, notebook.name)
    assert not problems, f"{notebook.name} in JupyterLab:\n" + "\n".join(problems)


def test_jupyterlab_lists_every_extension_as_enabled_and_ok():
    result = labextension_list()
    names = extension_names(result)
    assert "@jupyter-widgets/jupyterlab-manager" in names, result.stdout + result.stderr
    assert "jupyterlab-rise" in names, result.stdout + result.stderr
    problems = extension_problems(result)
    # An extension that is off is listed as "disabled X" with a warning paragraph: allowed only
    # for the ones we switch off on purpose, and only while they stay off.
    text = result.stdout + result.stderr
    problems = [
        p
        for p in problems
        if not any(off in p for off in SWITCHED_OFF)
        and not p.startswith("the command says: The following extensions may be outdated")
    ]
    for off in SWITCHED_OFF:
        line = next((ln for ln in text.splitlines() if off in ln and " v" in ln), "")
        if line and "disabled" not in line:
            problems.append(f"{off} is installed and not switched off: {line.strip()}")
    warned = re.search(r"may be outdated.*?:\n(.*?)\n\s*\n", text, re.DOTALL)
    if warned:
        for listed in warned.group(1).split():
            if listed not in SWITCHED_OFF:
                problems.append(f"labextension list warns about {listed}")
    assert not problems, "\n".join(problems)


# --- RISE -------------------------------------------------------------------------------------


# The RISE button of the notebook on show, and whether its command is enabled: RISE enables
# it only while that notebook is the shell's current widget.
_RISE_BUTTON = '.jp-NotebookPanel:not(.lm-mod-hidden) [data-command="RISE:preview"]'
_RISE_BUTTON_READY = f"""() => {{
  const b = document.querySelector('{_RISE_BUTTON}');
  return !!b && !b.disabled && b.getAttribute('aria-disabled') !== 'true'
         && !b.classList.contains('lm-mod-disabled') && !b.closest('.lm-mod-disabled');
}}"""
_RISE_FRAME = 'iframe[src*="/rise/"]'
# The position of reveal.js's present slide among all slides (stacks left out), -1 if none.
_PRESENT_INDEX = """() => {
  const all = [...document.querySelectorAll('.reveal .slides section:not(.stack)')];
  return all.findIndex(s => s.classList.contains('present'));
}"""


def _start_rise(thread: BrowserThread) -> list[str]:
    """Click the toolbar's RISE button once the kernel is idle and the button enabled, and
    wait until the slideshow's frame shows a slide; click once more if the first click opened
    no panel (it can land before the notebook is the shell's current widget)."""
    page = _page(thread).page
    for attempt in (1, 2):
        wait_for_kernel_idle(page, RISE_WAIT_MS)
        notebook_panel(page).locator(".jp-Cell").first.click()  # the show starts at the top
        page.wait_for_function(_RISE_BUTTON_READY, timeout=RISE_WAIT_MS, polling=100)
        page.locator(_RISE_BUTTON).first.click()
        try:  # RISE saves the notebook, then opens its slideshow in a panel beside it
            page.locator(_RISE_FRAME).first.wait_for(state="attached", timeout=RISE_WAIT_MS // 2)
            break
        except Exception:  # playwright's TimeoutError: no panel yet
            if attempt == 2:
                page.screenshot(path=str(thread.server.home / "rise.png"))
                return [f"the RISE button opened no slideshow (see {thread.server.home})"]
    # The frame's document arrives after its src is set: wait in the frame, not on the page.
    rise = page.frame_locator(_RISE_FRAME).first
    try:
        rise.locator(".reveal.ready .slides section.present").first.wait_for(timeout=RISE_WAIT_MS)
    except Exception:
        page.screenshot(path=str(thread.server.home / "rise.png"))
        return [f"the RISE panel opened but showed no slide (see {thread.server.home})"]
    return []


def _next_slide(page, frame) -> bool:
    """Press ArrowRight and wait until reveal.js shows another slide; False at the last one."""
    before = frame.evaluate(_PRESENT_INDEX)
    page.keyboard.press("ArrowRight")
    try:
        frame.wait_for_function(
            f"() => ({_PRESENT_INDEX})() !== {before}", timeout=WIDGET_WAIT_MS, polling=50
        )
    except Exception:  # playwright's TimeoutError: the show did not move on
        return False
    return True


def _rise_problems(thread: BrowserThread, name: str) -> list[str]:
    """Run ``name``, start its slideshow with the toolbar's RISE button, step through the
    slides with the keyboard up to one with an explorer, and move its first slider."""
    opened = _page(thread)
    page = opened.page
    _open(thread, name)
    problems = [f"did not run: {p}" for p in run_all(opened)]
    started = _start_rise(thread)
    if started:
        return problems + started
    frame = next(f for f in page.frames if "/rise/" in f.url)
    frame.locator(".reveal").first.click()
    current = ".reveal .slides section.present:not(.stack)"
    seen = []
    for _ in range(RISE_STEPS):
        slide = frame.locator(current).last
        title = slide.inner_text()[:60].splitlines()[0] if slide.count() else "?"
        if not seen or seen[-1] != title:
            seen.append(title)
        if slide.locator(".widget-slider .noUi-handle").count():
            break
        if re.search(r"comsim\.claims?\(", slide.inner_text()):
            problems.append(f"RISE shows the helper code of a labelled note on {title!r}")
        if WIDGET_AS_TEXT.search(slide.inner_text()):
            return [*problems, f"RISE shows an explorer as text on the slide {title!r}"]
        if not _next_slide(page, frame):
            return [*problems, f"no slide with a working slider among {seen} (the last one)"]
    else:
        return [*problems, f"no slide with a working slider among {seen}"]
    if len(seen) < 3:
        problems.append(f"the slideshow did not step through slides: {seen}")
    # Hold on to this slide's element: "the present slide" changes if a key turns the page.
    slide = frame.locator(current).last.element_handle()
    if slide.query_selector("img") is None:
        return [*problems, f"the explorer slide {seen[-1]!r} shows no figure"]

    class _Slide:  # the slide seen as a figure widget, for wait_for_change
        def state(self):
            return slide.evaluate("s => [(s.querySelector('img') || {}).src || '', s.innerText]")

    handle = slide.query_selector(".widget-slider .noUi-handle")
    if not handle.is_visible():
        problems.append("the explorer's slider is not visible on its slide")
    fonts = [url for url in opened.blocked if "font" in url.lower()]
    if fonts:
        problems.append(f"RISE asked the network for web fonts: {fonts[:3]}")
    # The arrow keys on a focused slider move the slider and leave the slide where it is
    # (comsim.setup()'s script keeps them from RISE's key bindings and reveal.js).
    was = handle.get_attribute("aria-valuenow")
    handle.focus()
    handle.press("ArrowLeft" if was == handle.get_attribute("aria-valuemax") else "ArrowRight")
    try:  # until the slider has moved or the page has turned, whichever the key did
        frame.wait_for_function(
            "([h, s, was]) => h.getAttribute('aria-valuenow') !== was"
            " || !s.classList.contains('present')",
            arg=[handle, slide, was],
            timeout=WIDGET_WAIT_MS,
        )
    except Exception:  # playwright's TimeoutError: neither; the checks below say which
        pass
    if not slide.evaluate("s => s.classList.contains('present')"):
        return [*problems, f"an arrow key on the focused slider turned the page from {seen[-1]!r}"]
    if handle.get_attribute("aria-valuenow") == was:
        problems.append(f"an arrow key on the focused slider on {seen[-1]!r} did not move it")
    before = _Slide().state()
    # reveal.js scales slides with CSS zoom, which throws off synthetic mouse drags; a
    # presenter can also type a value into the slider's readout, as done here.
    readout = slide.query_selector(".widget-slider .widget-readout")
    if readout is None:
        return [*problems, f"the slider on {seen[-1]!r} has no readout"]
    low, high, now = (
        float(handle.get_attribute(a)) for a in ("aria-valuemin", "aria-valuemax", "aria-valuenow")
    )
    target = (low + high) / 2 if now != (low + high) / 2 else low
    readout.fill(f"{target:g}")
    readout.press("Enter")
    after = wait_for_change(_Slide(), before, WIDGET_WAIT_MS)
    if after[0] == before[0]:
        problems.append(
            f"typing a new value into the slider on {seen[-1]!r} did not change the figure"
        )
    if not slide.evaluate("s => s.classList.contains('present')"):
        problems.append(f"typing into the slider's readout turned the page from {seen[-1]!r}")
    return problems


def _first_notebook_with_explorer() -> Path | None:
    for path in NOTEBOOKS:
        if "explorer(" in _code(path):
            return path
    return None


def test_rise_presents_an_explorer_whose_slider_moves_the_figure(lab):
    notebook = _first_notebook_with_explorer()
    assert notebook is not None, "no notebook makes an explorer to present"
    try:
        problems = lab.run(_rise_problems, notebook.name)
    finally:
        _shut_down_kernel(lab.server, notebook.name)
    assert not problems, f"RISE on {notebook.name}:\n" + "\n".join(problems)
