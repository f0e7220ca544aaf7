"""Every figure a learner sees has a title, axes that say what they measure and in what unit,
colours safe for colour-blind readers, and a projector style for the back of the room."""

from __future__ import annotations

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import comsim  # noqa: E402
from comsim import figures  # noqa: E402

OKABE_ITO_HEX = {
    "#000000",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
}
UNIT_WORDS = ("(", "iterations", "KiB", "MiB", "bytes")


@pytest.fixture(scope="module")
def traces() -> dict[str, comsim.Trace]:
    return {s: comsim.simulate(iterations=3_000, strategy=s) for s in comsim.STRATEGIES}


def _snapshot():
    proc = comsim.Process(heap_segment_reserve_bytes=65_536)
    pItf = proc.CoCreateInstanceEx("SimpleObject", "IStream")
    for _ in range(60):
        comsim.CoCopyProxy(pItf).Release()
    return proc.snapshot("after 60 copies")


FIGURES = {
    "memory, one run": lambda t: figures.memory_figure(t["copy-each-time"]),
    "memory, all strategies": lambda t: figures.memory_figure(t),
    "memory against time": lambda t: figures.memory_figure(t["copy-each-time"], x="time"),
    "breakdown against time": lambda t: figures.breakdown_figure(t["copy-each-time"]),
    "breakdown against iterations": lambda t: figures.breakdown_figure(
        t["copy-each-time"], x="iteration"
    ),
    "sweep": lambda t: figures.sweep_figure(
        np.array([1.0, 0.5, 0.25]),
        {
            "copy-each-time": np.array([2051.0, 1900.0, 1800.0]),
            "cache-copy": np.array([0.2, 0.2, 0.2]),
        },
    ),
    "heap map": lambda t: figures.heap_map_figure(_snapshot()),
}


def _has_unit(label: str) -> bool:
    return any(word in label for word in UNIT_WORDS)


@pytest.mark.parametrize("name", list(FIGURES))
def test_every_figure_has_a_title_and_axes_labelled_with_units(name, traces):
    fignums = plt.get_fignums()
    fig = FIGURES[name](traces)
    assert isinstance(fig, Figure)
    assert plt.get_fignums() == fignums  # made outside pyplot: no figures pile up
    assert fig.axes
    ax = fig.axes[0]
    assert ax.get_title().strip(), "no title"
    xlabel, ylabel = ax.get_xlabel(), ax.get_ylabel()
    assert xlabel.strip() and _has_unit(xlabel), f"x label {xlabel!r}"
    assert ylabel.strip() and _has_unit(ylabel), f"y label {ylabel!r}"


def test_one_run_of_the_counterfactual_policy_is_named_so_in_the_legend():
    """Reader X: a free-on-release run drawn alone was labelled copy-each-time, as if it were
    the article's loop."""
    run = comsim.simulate(iterations=200, policy="free-on-release")
    labels = [line.get_label() for line in figures.memory_figure(run).axes[0].get_lines()]
    assert "copy-each-time, free-on-release" in labels
    plain = figures.memory_figure(comsim.simulate(iterations=200)).axes[0].get_lines()
    assert "copy-each-time" in [line.get_label() for line in plain]


def test_the_memory_figure_draws_one_line_per_strategy_in_its_own_style(traces):
    fig = figures.memory_figure(traces)
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    for s in comsim.STRATEGIES:
        assert lines[s].get_xydata().shape[0] > 0
        assert to_hex(lines[s].get_color()).upper() in OKABE_ITO_HEX
    styles = {
        (to_hex(lines[s].get_color()), str(lines[s].get_linestyle())) for s in comsim.STRATEGIES
    }
    assert len(styles) == len(comsim.STRATEGIES)
    assert len({str(lines[s].get_linestyle()) for s in comsim.STRATEGIES}) == 4  # not colour only
    # The highest point of the KB loop's line is its peak, in MiB.
    peak = traces["copy-each-time"].summary.peak_private_bytes / 2**20
    assert lines["copy-each-time"].get_ydata().max() == pytest.approx(peak, rel=0.01)


def test_the_object_graph_shows_the_refcount_and_a_memory_bar_with_its_unit():
    plot = figures.ObjectGraphPlot("One pass")
    proc = comsim.Process()
    pItf = proc.CoCreateInstanceEx("SimpleObject", "IStream")
    comsim.CoCopyProxy(pItf).Release()
    plot.update(proc.snapshot("after one copy"))
    texts = " ".join(t.get_text() for t in plot.ax.texts)
    assert "refcount = 1" in texts
    assert "One pass" in plot.figure.get_suptitle()
    assert "after one copy" in plot.figure.get_suptitle()
    assert _has_unit(plot.mem_ax.get_ylabel())
    assert plot.mem_ax.get_title().strip()
    n_axes = len(plot.figure.axes)
    pItf.Release()
    plot.update(proc.snapshot("after the final release"))
    assert len(plot.figure.axes) == n_axes  # redrawn in place
    assert "refcount" not in " ".join(t.get_text() for t in plot.ax.texts)


# -- style -----------------------------------------------------------------------------------------
@pytest.fixture
def notebook_style():
    """The notebook style set for the whole session, and matplotlib as it was afterwards."""
    with mpl.rc_context():
        previous = figures.use_style("notebook")
        yield
        figures.use_style(previous)


def test_the_projector_style_makes_larger_type_thicker_lines_and_bigger_figures(notebook_style):
    small = (
        mpl.rcParams["font.size"],
        mpl.rcParams["axes.titlesize"],
        mpl.rcParams["axes.labelsize"],
        mpl.rcParams["lines.linewidth"],
    )
    small_size = figures.new_figure().get_size_inches()
    assert figures.use_style("projector") == "notebook"
    assert figures.current_style() == "projector"
    large = (
        mpl.rcParams["font.size"],
        mpl.rcParams["axes.titlesize"],
        mpl.rcParams["axes.labelsize"],
        mpl.rcParams["lines.linewidth"],
    )
    assert all(b > a for a, b in zip(small, large, strict=True))
    assert mpl.rcParams["font.size"] >= 14
    assert (figures.new_figure().get_size_inches() > small_size).all()
    assert figures.use_style("notebook") == "projector"
    assert mpl.rcParams["font.size"] == small[0]


def test_an_unknown_style_is_refused_and_the_current_one_kept(notebook_style):
    font = mpl.rcParams["font.size"]
    with pytest.raises(ValueError) as info:
        figures.use_style("bogus")
    assert "'bogus'" in str(info.value)
    assert "'notebook'" in str(info.value) and "'projector'" in str(info.value)
    assert figures.current_style() == "notebook"
    assert mpl.rcParams["font.size"] == font


# -- colours ---------------------------------------------------------------------------------------
def test_the_palette_is_okabe_and_itos():
    assert {v.upper() for v in figures.OKABE_ITO.values()} == OKABE_ITO_HEX
    assert figures.OKABE_ITO["vermillion"].upper() == "#D55E00"
    assert figures.OKABE_ITO["blue"].upper() == "#0072B2"
    assert figures.OKABE_ITO["sky"].upper() == "#56B4E9"
    assert {c.upper() for c in figures.SERIES_COLORS} <= OKABE_ITO_HEX
    assert len(set(figures.SERIES_COLORS)) == len(figures.SERIES_COLORS)
    for s in comsim.STRATEGIES:
        assert figures.STRATEGY_STYLE[s]["color"].upper() in OKABE_ITO_HEX


def test_the_default_colour_cycle_is_the_palette(notebook_style):
    cycle = [to_hex(c["color"]).upper() for c in mpl.rcParams["axes.prop_cycle"]]
    assert cycle and set(cycle) <= OKABE_ITO_HEX


def _looks(fig: Figure) -> tuple[float, float, str]:
    """Title size, line width and first line colour of a figure's first axes."""
    ax = fig.axes[0]
    return ax.title.get_fontsize(), ax.get_lines()[0].get_linewidth(), ax.get_lines()[0].get_color()


def test_a_script_that_never_calls_setup_still_gets_the_course_style(traces):
    with mpl.rc_context():
        mpl.rcdefaults()  # matplotlib as a fresh script has it
        before = dict(mpl.rcParams)
        fig = figures.memory_figure(traces["copy-each-time"])
        assert dict(mpl.rcParams) == before  # drawing changed nothing global
    notebook = figures.STYLES["notebook"]
    assert _looks(fig)[:2] == (notebook["axes.titlesize"], notebook["lines.linewidth"])
    assert fig.comsim_style == "notebook"
    assert figures.figure_png(fig).startswith(b"\x89PNG")


def test_a_styled_block_draws_for_the_projector_and_then_restores_matplotlib(traces):
    before, style = dict(mpl.rcParams), figures.current_style()
    with figures.styled("projector"):
        assert mpl.rcParams["font.size"] == figures.STYLES["projector"]["font.size"]
        fig = figures.memory_figure(traces["copy-each-time"])
        inside = figures.memory_figure(traces["copy-each-time"]).get_size_inches()
    assert dict(mpl.rcParams) == before and figures.current_style() == style
    projector = figures.STYLES["projector"]
    assert _looks(fig)[:2] == (projector["axes.titlesize"], projector["lines.linewidth"])
    assert fig.comsim_style == "projector"
    assert (inside > figures.memory_figure(traces["copy-each-time"]).get_size_inches()).all()


def test_a_styled_block_refuses_an_unknown_style_before_changing_anything():
    before = dict(mpl.rcParams)
    with pytest.raises(ValueError, match="style must be one of 'notebook', 'projector'"):
        with figures.styled("poster"):
            pass  # pragma: no cover - never entered
    assert dict(mpl.rcParams) == before


def test_an_unknown_x_axis_is_refused(traces):
    with pytest.raises(ValueError, match="'iteration'"):
        figures.memory_figure(traces["copy-each-time"], x="bogus")


# -- the final release and the legend keep out of the data's way ---------------------------------
def test_the_final_release_is_drawn_clear_of_the_right_edge(traces):
    fig = figures.memory_figure(traces["copy-each-time"])
    ax = fig.axes[0]
    release = [line for line in ax.get_lines() if line.get_label() == "final release"][0]
    x_px = ax.transData.transform((release.get_xdata()[0], 0.0))[0]
    box = ax.get_window_extent()
    assert box.x1 - x_px > 0.04 * box.width


@pytest.mark.parametrize("x", ["time", "iteration"])
def test_the_breakdown_legend_does_not_cover_the_peak(traces, x):
    trace = comsim.simulate(iterations=20_001)  # the KB's loop: a tall, narrow peak
    fig = figures.breakdown_figure(trace, x=x)
    fig.canvas.draw()  # constrained layout places the legend on drawing
    ax = fig.axes[0]
    a = trace.arrays
    top = a.private_bytes.argmax()
    xs = a.iteration if x == "iteration" else a.time_us / 1e6
    peak_px = ax.transData.transform((xs[top], a.private_bytes[top] / 2**20))
    legends = [*fig.legends, *([ax.get_legend()] if ax.get_legend() else [])]
    assert legends
    for legend in legends:
        box = legend.get_window_extent()
        assert not box.contains(*peak_px)
        assert not box.overlaps(ax.get_window_extent())  # outside the plotting area


def _heap_snapshot(copies: int, segment_bytes: int):
    proc = comsim.Process(heap_segment_reserve_bytes=segment_bytes)
    pItf = proc.CoCreateInstanceEx("SimpleObject", "IStream")
    for _ in range(copies):
        comsim.CoCopyProxy(pItf).Release()
    return proc.snapshot(f"after {copies} copies")


@pytest.mark.slow
@pytest.mark.parametrize("style", ["notebook", "projector"])
@pytest.mark.parametrize(
    "copies, segment_bytes",
    [(0, 65_536), (60, 65_536), (600, 65_536), (60, 1_048_576), (3_000, 65_536)],
    ids=["one small segment", "two segments", "six segments", "one large segment", "eight drawn"],
)
def test_no_label_of_the_heap_map_is_cut_off(copies, segment_bytes, style):
    with figures.styled(style):
        fig = figures.heap_map_figure(_heap_snapshot(copies, segment_bytes))
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    drawn = fig.get_tightbbox(canvas.get_renderer())  # inches, every visible artist
    width, height = fig.get_size_inches()
    assert drawn.x0 >= 0 and drawn.y0 >= 0, drawn
    assert drawn.x1 <= width and drawn.y1 <= height, drawn
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert labels and all(label.endswith("KiB committed") for label in labels)


# -- alt text --------------------------------------------------------------------------------------
def _mib(n_bytes: float, digits: int = 1) -> str:
    return f"{n_bytes / 2**20:.{digits}f} MiB"


def test_alt_text_states_the_numbers(traces):
    fig = figures.memory_figure(traces)
    alt = figures.alt_text(fig)
    assert alt == fig.comsim_alt
    for s in comsim.STRATEGIES:
        summary = traces[s].summary
        digits = 1 if summary.peak_private_bytes - summary.start_private_bytes >= 2**20 else 3
        assert s in alt
        for value in (
            summary.start_private_bytes,
            summary.peak_private_bytes,
            summary.end_private_bytes,
        ):
            assert f"{value / 2**20:.{digits}f}" in alt
    kb = traces["copy-each-time"].summary
    sentence = (
        f"copy-each-time: private bytes climb from {_mib(kb.start_private_bytes)[:-4]} to "
        f"{_mib(kb.peak_private_bytes)} over {kb.iterations:,} iterations"
    )
    assert sentence in alt
    # the lines draw no interface proxies, so the text names none (01 asks for that count)
    assert "interface prox" not in alt and f"{kb.interface_proxies_at_end_of_loop:,}" not in alt


def test_the_breakdown_alt_text_gives_each_part_and_the_release(traces):
    trace = traces["copy-each-time"]
    alt = figures.alt_text(figures.breakdown_figure(trace))
    a = trace.arrays
    assert f"heap up to {_mib(a.heap_committed_bytes.max())}" in alt
    assert f"transient buffers (H2) up to {_mib(a.transient_committed_bytes.max())}" in alt
    assert f"total peak {_mib(trace.summary.peak_private_bytes)}" in alt
    assert f"{trace.summary.iterations:,} iterations" in alt


def test_the_sweep_alt_text_gives_each_lines_range():
    fig = FIGURES["sweep"](None)
    alt = figures.alt_text(fig)
    assert "3 values from 0.25 to 1" in alt
    assert "copy-each-time: from 1,800 B (tightness 0.25) to 2,051 B (tightness 1)" in alt


def test_the_sweep_alt_text_says_a_flat_line_is_flat_instead_of_one_tightness_twice():
    """A learner's finding: with H2 off the line is flat, and the alt text read "from 1,793 B
    (tightness 0.1) to 1,793 B (tightness 0.1)"."""
    from comsim.figures.alt import sweep_alt

    tightness = np.array([0.1, 0.5, 1.0])
    alt = sweep_alt(tightness, {"H2 off": [1793.0, 1793.2, 1792.9], "H2 on": [1800, 1900, 2051]})
    assert "H2 off: 1,793 B at every tightness" in alt
    assert "H2 on: from 1,800 B (tightness 0.1) to 2,051 B (tightness 1)" in alt


def test_the_heap_map_alt_text_counts_segments_pages_and_blocks():
    snap = _snapshot()
    alt = figures.alt_text(figures.heap_map_figure(snap))
    heap = snap.heap
    pages = sum(len(s.committed_pages) for s in heap.segments)
    committed = sum(sum(s.committed_pages) for s in heap.segments)
    blocks = sum(b.owner is not None for s in heap.segments for b in s.blocks)
    assert blocks > 60  # the proxy manager, the original and 60 copies at least
    assert f"{len(heap.segments)} segment" in alt
    assert f"{committed:,} of {pages:,} pages committed" in alt
    assert f"{blocks:,} blocks in use ({heap.used_bytes:,} bytes)" in alt


def test_the_object_graph_alt_text_tells_the_refcount_and_the_proxies():
    plot = figures.ObjectGraphPlot("One pass")
    proc = comsim.Process()
    pItf = proc.CoCreateInstanceEx("SimpleObject", "IStream")
    comsim.CoCopyProxy(pItf).Release()
    snap = proc.snapshot("after one copy")
    plot.update(snap, step="Step 1 of 2")
    alt = figures.alt_text(plot.figure)
    assert alt.startswith("Step 1 of 2. One pass. after one copy.")
    assert "refcount 1" in alt and "2 interface proxies alive (1 of them copies)" in alt
    assert f"{snap.private_bytes:,} bytes" in alt


@pytest.mark.parametrize("name", list(FIGURES))
def test_every_figure_carries_alt_text_with_numbers(name, traces):
    fig = FIGURES[name](traces)
    alt = figures.alt_text(fig)
    assert alt == fig.comsim_alt and alt != fig.axes[0].get_title()
    assert any(ch.isdigit() for ch in alt)


def test_alt_text_falls_back_to_the_title():
    fig = Figure()
    fig.add_subplot().set_title("A plain matplotlib figure")
    assert figures.alt_text(fig) == "A plain matplotlib figure"
    assert figures.alt_text(Figure()).strip()  # never empty


def test_a_figure_displays_as_png_with_its_alt_text_as_metadata(traces):
    fig = figures.memory_figure(traces["copy-each-time"])
    data, metadata = figures.png_with_alt(fig)
    assert data.startswith(b"\x89PNG")
    assert metadata == {"alt": fig.comsim_alt}


_SETUP_IN_A_SHELL = """
import matplotlib
from IPython.core.interactiveshell import InteractiveShell

import comsim
from comsim import figures

shell = InteractiveShell.instance()
fig = figures.memory_figure(comsim.simulate(iterations=100))
assert shell.display_formatter.format(fig)[1] == {}, "no alt text before setup"
try:
    comsim.setup("poster")
except ValueError as refused:
    assert "'notebook', 'projector'; got 'poster'" in str(refused)
assert matplotlib.rcParams["lines.linewidth"] == 1.5, "a refused style changes nothing"
comsim.setup("projector")
assert matplotlib.rcParams["font.size"] == figures.STYLES["projector"]["font.size"]
assert figures.current_style() == "projector"
data, metadata = shell.display_formatter.format(figures.memory_figure(comsim.simulate()))
assert data["image/png"][:4] == b"\\x89PNG"
assert "20,001 iterations" in metadata["image/png"]["alt"]
"""


def test_setup_applies_the_style_and_shows_figures_with_their_alt_text():
    """In a fresh IPython shell: nothing until ``comsim.setup``, then the style and the PNG
    display with alt text; an unknown style is refused before anything changes."""
    done = subprocess.run(
        [sys.executable, "-c", _SETUP_IN_A_SHELL], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]


_PNG_CELLS = [
    "%matplotlib inline\nimport comsim\nfrom comsim import figures\ncomsim.setup()",
    "trace = comsim.simulate(iterations=1_000)\nfigures.memory_figure(trace)",
    # pyplot loads the inline backend, which registers its own PNG formatter for Figure:
    # comsim's figures keep their alt text anyway.
    "import matplotlib.pyplot as plt\nplt.close(plt.figure())\nfigures.memory_figure(trace)",
    "trace.summary.peak_private_bytes",
]


@pytest.mark.kernel
def test_png_display_carries_alt_text(tmp_path):
    import nbformat

    from comsim.publish.execute import notebook_client

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in _PNG_CELLS])
    notebook_client(nb, tmp_path, timeout_s=120).execute()
    peak = int(nb.cells[3].outputs[0]["data"]["text/plain"])
    for cell in nb.cells[1:3]:
        [output] = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        alt = output["metadata"]["image/png"]["alt"]
        assert "1,000 iterations" in alt
        assert f"{peak / 2**20:.1f} MiB" in alt
