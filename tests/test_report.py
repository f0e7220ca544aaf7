"""The course site: what a reader without Jupyter or a network sees, built by Jupyter Book from
the notebooks comsim executed; and the builders' command lines, which refuse a bad argument at
once."""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from comsim.publish import arguments, book, handouts, report
from comsim.publish.interrupt import terminate_as_interrupt
from comsim.publish.offline import OFFLINE_NOTE, find_remote_references

REPO_ROOT = Path(__file__).resolve().parents[1]

_EXPLORER_CELL = '''\
class Explorer:
    """Stands in for a comsim explorer: a live widget, plus a picture for static pages."""

    def _repr_mimebundle_(self, **kwargs):
        return {
            "application/vnd.jupyter.widget-view+json": {
                "version_major": 2, "version_minor": 0, "model_id": "feedface"
            },
            "text/html": "<p>" + "precomputed" + "-explorer-figure</p>",
            "text/plain": "Explorer()",
        }

Explorer()
'''

_BARE_WIDGET_CELL = """\
from IPython.display import display

display({"application/vnd.jupyter.widget-view+json": {
    "version_major": 2, "version_minor": 0, "model_id": "deadbeef"}}, raw=True)
"""


def _write_notebook(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# A tiny report\n\nSee [the KB](https://example.com)."),
            nbformat.v4.new_code_cell(_EXPLORER_CELL),
            nbformat.v4.new_code_cell(_BARE_WIDGET_CELL),
        ]
    )
    path = folder / "tiny.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.kernel
def test_report_shows_the_explorers_html_and_no_widget(tmp_path: Path):
    (tmp_path / "notebooks").mkdir()
    _write_notebook(tmp_path / "notebooks")
    [page] = report.export_reports(tmp_path / "notebooks", tmp_path / "reports")
    html = page.read_text(encoding="utf-8")

    assert page == tmp_path / "reports" / "tiny.html"
    assert "<p>precomputed-explorer-figure</p>" in html
    assert OFFLINE_NOTE in html  # the widget with no fallback
    assert '<script type="application/vnd.jupyter.widget' not in html
    assert "widget-state+json" not in html
    assert find_remote_references(html) == []
    assert not re.search(r"<(script|link)\b[^>]*\b(src|href)=[\"']?(https?:)?//", html)
    assert re.search(r'<a [^>]*href="https://example.com"', html)  # ordinary links stay
    assert (tmp_path / "reports" / "index.html").is_file()


def test_a_cdn_script_or_stylesheet_is_caught_but_a_link_is_not():
    page = """<html><head>
    <script src="https://cdn.example/require.js"></script>
    <link rel="stylesheet" href="//fonts.example/css">
    <style>@import url("https://fonts.example/font.css");</style>
    </head><body><a href="https://example.com">read the KB</a>
    <img src="data:image/png;base64,AAAA"></body></html>"""

    found = find_remote_references(page)

    assert len(found) == 3
    assert not any("example.com" in item for item in found)


# --- the book, built from notebooks that are already executed (no kernel) ---------------------

_COURSE = {
    "01_first": [
        "# 01 · First\n\n**In this notebook you will**\n- meet the [proxy manager]"
        "(glossary.ipynb#proxy-manager);\n- read a note.\n\n**Time:** about 7 minutes.",
        "A [proxy](glossary.ipynb#proxy), then [the second notebook](02_second.ipynb).",
    ],
    "02_second": ["# 02 · Second\n\n**In this notebook you will**\n- go on.\n\n**Time:** 3 min"],
    "glossary": [
        "# Glossary\n\n**On this page you will**\n- find the words.\n\n## Proxies",
        '<a id="proxy"></a>\n\n### Proxy\n\nA stand-in; see [proxy manager](#proxy-manager).',
        '<a id="proxy-manager"></a>\n\n### Proxy manager\n\nThe whole that keeps the parts.',
    ],
}


# A one-pixel PNG, as a figure's output carries it (base64).
_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwAD"
    "hgGAWjR9awAAAABJRU5ErkJggg=="
)


def _executed(markdown: dict[str, list[str]]) -> list[tuple[Path, nbformat.NotebookNode]]:
    """Notebooks as comsim's execution leaves them: the 01 one with a note made by a cell
    tagged remove-input."""
    executed = []
    for stem, cells in markdown.items():
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(c) for c in cells])
        if stem == "01_first":
            code = nbformat.v4.new_code_cell(
                "comsim.note('documented', 'x')", metadata={"tags": ["remove-input"]}
            )
            code.outputs = [
                nbformat.v4.new_output("display_data", {"text/html": "<p>the note</p>"}),
                nbformat.v4.new_output(
                    "display_data",
                    {"image/png": _PNG, "text/plain": "<Figure>"},
                    metadata={"image/png": {"alt": "Private bytes: 3 steps of 4,096 B"}},
                ),
            ]
            nb.cells.append(code)
        executed.append((Path(f"/course/notebooks/{stem}.ipynb"), nb))
    return executed


@pytest.fixture(scope="module")
def small_site(tmp_path_factory) -> Path:
    """A three-notebook course built into a site, as ``make reports`` would."""
    out = tmp_path_factory.mktemp("site") / "reports"
    report.write_reports(_executed(_COURSE), out)
    return out


@pytest.mark.slow
def test_the_book_has_the_same_page_names_as_the_notebooks_and_a_course_map(small_site):
    names = {p.name for p in small_site.glob("*.html")}

    assert {"index.html", "01_first.html", "02_second.html", "glossary.html"} <= names
    assert "search.html" in names  # the book's offline search
    assert handouts.handout_sources(small_site) == [
        small_site / "01_first.html",
        small_site / "02_second.html",
        small_site / "glossary.html",
    ]


@pytest.mark.slow
def test_the_course_map_renders_each_objectives_links_instead_of_showing_their_markdown(
    small_site,
):
    """Issue 14: the hand-built map showed raw ``[proxy manager](glossary.ipynb#…)`` text."""
    html = (small_site / "index.html").read_text(encoding="utf-8")

    assert "](glossary.ipynb" not in html
    assert re.search(r'<a [^>]*href="glossary.html#proxy-manager"', html)
    assert "About 7 minutes" in html and "About 3 minutes" in html


@pytest.mark.slow
def test_a_link_to_a_glossary_anchor_leads_to_that_entry(small_site):
    first = (small_site / "01_first.html").read_text(encoding="utf-8")
    glossary = (small_site / "glossary.html").read_text(encoding="utf-8")

    assert re.search(r'<a [^>]*href="glossary.html#proxy"', first)
    assert re.search(r'<a [^>]*href="#proxy-manager"', glossary)
    for anchor in ("proxy", "proxy-manager"):
        assert len(re.findall(rf'\bid="{anchor}"', glossary)) == 1


@pytest.mark.slow
def test_a_cell_tagged_remove_input_shows_its_output_without_its_code(small_site):
    html = (small_site / "01_first.html").read_text(encoding="utf-8")

    assert "<p>the note</p>" in html
    assert "comsim.note" not in html


@pytest.mark.slow
def test_a_figure_keeps_the_alt_text_its_output_carries(small_site):
    html = (small_site / "01_first.html").read_text(encoding="utf-8")

    assert re.search(r'<img [^>]*alt="Private bytes: 3 steps of 4,096 B"', html)


@pytest.mark.slow
def test_launch_buttons_are_off_by_default(small_site):
    html = (small_site / "01_first.html").read_text(encoding="utf-8")

    assert "mybinder" not in html and "git-pull" not in html


@pytest.mark.slow
def test_launch_buttons_open_the_notebook_on_binder_or_a_jupyterhub_when_configured(tmp_path):
    launch = book.LaunchButtons(
        repository_url="https://github.com/example/course",
        binderhub_url="https://mybinder.org",
        jupyterhub_url="https://hub.example.org",
    )
    report.write_reports(_executed(_COURSE), tmp_path / "site", launch=launch)
    html = (tmp_path / "site" / "01_first.html").read_text(encoding="utf-8")

    assert "https://mybinder.org/v2/gh/example/course/main?urlpath=" in html
    assert "https://hub.example.org/hub/user-redirect/git-pull?repo=" in html
    assert "notebooks%2F01_first.ipynb" in html or "notebooks/01_first.ipynb" in html


def test_a_launch_button_without_a_repository_is_refused():
    with pytest.raises(ValueError, match="--repository-url"):
        book.LaunchButtons(binderhub_url="https://mybinder.org")


@pytest.mark.slow
def test_a_link_to_a_glossary_entry_that_does_not_exist_fails_the_build(tmp_path):
    broken = {**_COURSE, "02_second": ["# 02 · Second\n\nA [typo](glossary.ipynb#proxy-managr)."]}

    with pytest.raises(book.BookBuildError, match="proxy-managr"):
        report.write_reports(_executed(broken), tmp_path / "site")
    assert not (tmp_path / "site").exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # the book's work folder is gone


# --- the command lines: bad arguments refused at once (issue 18, items 10-13) ------------------


def _run(*args: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_the_report_refuses_to_keep_executed_notebooks_inside_notebooks(tmp_path):
    """Issue 18, item 10: ``--executed notebooks`` would overwrite the sources."""
    done = _run("-m", "comsim.publish.report", "--executed", "notebooks", "--out", str(tmp_path))

    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and "notebooks" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("out", "executed"),
    [("nb/site", None), ("out", "nb"), ("out", "nb/kept")],
    ids=["site-in-notebooks", "executed-is-notebooks", "executed-in-notebooks"],
)
def test_no_output_of_the_report_may_go_inside_the_notebooks_folder(tmp_path, out, executed):
    """Issue 18, item 10: any output inside notebooks/ is refused before anything runs."""
    (tmp_path / "nb").mkdir()
    _write_notebook(tmp_path / "nb")

    with pytest.raises(arguments.UsageError, match="would write over the notebooks"):
        report.check_arguments(
            tmp_path / "nb", tmp_path / out, (), executed and tmp_path / executed
        )


@pytest.mark.parametrize(
    "args",
    [
        ["-m", "comsim.publish.report", "--out", "README.md"],
        ["-m", "comsim.publish.report", "README.md"],
        ["-m", "comsim.publish.report", "pyproject.toml.ipynb"],
        ["-m", "comsim.publish.handouts", "--out", "README.md"],
        ["-m", "comsim.publish.slides", "--out", "README.md"],
    ],
    ids=[
        "report-out-file",
        "report-not-a-notebook",
        "report-no-such-notebook",
        "handouts",
        "slides",
    ],
)
def test_a_builder_refuses_a_bad_argument_in_one_line_before_running_anything(args):
    """Issue 18, item 11: an existing file as ``--out``, or an argument that is not a
    notebook, is refused before any notebook is executed: one line, exit 2, no traceback."""
    done = _run(*args)

    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "error:" in done.stderr


def test_a_file_that_is_not_a_notebooks_json_is_refused_by_name(tmp_path):
    """Issue 18, item 11: a non-notebook argument gave nbformat's NotJSONError traceback."""
    fake = tmp_path / "notes.ipynb"
    fake.write_text("these are not JSON", encoding="utf-8")

    with pytest.raises(arguments.UsageError, match="notes.ipynb.*is not a notebook"):
        report.check_arguments(REPO_ROOT / "notebooks", tmp_path / "out", [fake])


_HEAVY = ["nbformat", "nbconvert", "nbclient", "jupyter_book", "sphinx", "pandas", "matplotlib"]


def _cpu_seconds(*args: str) -> float:
    """The processor time (user and system) a child Python spends on ``args``: what an
    answer costs, which a busy machine does not inflate as it does the wall-clock time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    _run(*args)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


@pytest.mark.parametrize("builder", ["report", "slides", "handouts"])
@pytest.mark.parametrize("argv", [["--help"], ["--no-such-option"]], ids=["help", "bad-option"])
def test_a_builder_answers_help_and_a_bad_option_at_once(builder, argv):
    """Issue 18, item 12: ``--help`` and a bad argument answer within 0.3 s, because the
    builders import the notebook and book machinery only when they run."""
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['x', *{argv!r}]\n"
        "try:\n"
        f"    runpy.run_module('comsim.publish.{builder}', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in {_HEAVY!r} if m in sys.modules))\n"
    )
    loaded = _run("-c", code).stdout.strip().splitlines()[-1]
    # The best of three: another process's burst can still slow one run.
    cpu_s = min(_cpu_seconds("-m", f"comsim.publish.{builder}", *argv) for _ in range(3))

    assert loaded == "[]"
    assert cpu_s < 0.3, cpu_s


def test_sigterm_inside_a_builder_unwinds_like_ctrl_c_and_the_handler_comes_back():
    """Issue 18, item 13: SIGTERM ran no cleanup; inside the builders it raises
    KeyboardInterrupt, so every ``finally`` removes its temporary files as Ctrl-C does."""
    before = signal.getsignal(signal.SIGTERM)
    cleaned = []
    with pytest.raises(KeyboardInterrupt):
        with terminate_as_interrupt():
            try:
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(5)
            finally:
                cleaned.append(True)

    assert cleaned == [True]
    assert signal.getsignal(signal.SIGTERM) is before


_BUILD_AND_WAIT = """
import sys
from pathlib import Path
import nbformat
from comsim.publish import report
from comsim.publish.interrupt import terminate_as_interrupt
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 01 · A page")])
with terminate_as_interrupt():
    report.write_reports([(Path("01_a.ipynb"), nb)], Path(sys.argv[1]))
"""


@pytest.mark.slow
def test_sigterm_while_the_site_is_written_leaves_no_hidden_files_behind(tmp_path):
    """Issue 18, item 13: SIGTERM during the write phase left hidden .tmp files behind."""
    out = tmp_path / "reports"
    builder = subprocess.Popen([sys.executable, "-c", _BUILD_AND_WAIT, str(out)], cwd=REPO_ROOT)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".reports.*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    hidden_while_building = list(tmp_path.glob(".reports.*"))
    time.sleep(0.5)  # well into the book's build
    builder.send_signal(signal.SIGTERM)
    builder.wait(timeout=60)

    assert hidden_while_building, "the builder never started writing"
    assert list(tmp_path.glob(".*")) == []
