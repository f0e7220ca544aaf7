"""Every figure a learner sees has a title, axes that say what they measure and in what unit,
colours safe for colour-blind readers, and a projector style for the back of the room."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import comsim  # noqa: E402
from comsim import plots  # noqa: E402

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
    "memory, one run": lambda t: plots.memory_figure(t["copy-each-time"]),
    "memory, all strategies": lambda t: plots.memory_figure(t),
    "memory against time": lambda t: plots.memory_figure(t["copy-each-time"], x="time"),
    "breakdown against time": lambda t: plots.breakdown_figure(t["copy-each-time"]),
    "breakdown against iterations": lambda t: plots.breakdown_figure(
        t["copy-each-time"], x="iteration"
    ),
    "sweep": lambda t: plots.sweep_figure(
        np.array([1.0, 0.5, 0.25]),
        {
            "copy-each-time": np.array([2051.0, 1900.0, 1800.0]),
            "cache-copy": np.array([0.2, 0.2, 0.2]),
        },
    ),
    "heap map": lambda t: plots.heap_map_figure(_snapshot()),
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


def test_the_memory_figure_draws_one_line_per_strategy_in_its_own_style(traces):
    fig = plots.memory_figure(traces)
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
    plot = plots.ObjectGraphPlot("One pass")
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
    previous = plots.style("notebook")
    yield
    plots.style(previous)


def test_the_projector_style_makes_larger_type_thicker_lines_and_bigger_figures(notebook_style):
    small = (
        mpl.rcParams["font.size"],
        mpl.rcParams["axes.titlesize"],
        mpl.rcParams["axes.labelsize"],
        mpl.rcParams["lines.linewidth"],
    )
    small_size = plots.new_figure().get_size_inches()
    assert plots.style("projector") == "notebook"
    assert plots.current_style() == "projector"
    large = (
        mpl.rcParams["font.size"],
        mpl.rcParams["axes.titlesize"],
        mpl.rcParams["axes.labelsize"],
        mpl.rcParams["lines.linewidth"],
    )
    assert all(b > a for a, b in zip(small, large, strict=True))
    assert mpl.rcParams["font.size"] >= 14
    assert (plots.new_figure().get_size_inches() > small_size).all()
    assert plots.style("notebook") == "projector"
    assert mpl.rcParams["font.size"] == small[0]


def test_an_unknown_style_is_refused_and_the_current_one_kept(notebook_style):
    font = mpl.rcParams["font.size"]
    with pytest.raises(ValueError) as info:
        plots.style("bogus")
    assert "'bogus'" in str(info.value)
    assert "'notebook'" in str(info.value) and "'projector'" in str(info.value)
    assert plots.current_style() == "notebook"
    assert mpl.rcParams["font.size"] == font


# -- colours ---------------------------------------------------------------------------------------
def test_the_palette_is_okabe_and_itos():
    assert {v.upper() for v in plots.OKABE_ITO.values()} == OKABE_ITO_HEX
    assert plots.OKABE_ITO["vermillion"].upper() == "#D55E00"
    assert plots.OKABE_ITO["blue"].upper() == "#0072B2"
    assert plots.OKABE_ITO["sky"].upper() == "#56B4E9"
    assert {c.upper() for c in plots.SERIES_COLORS} <= OKABE_ITO_HEX
    assert len(set(plots.SERIES_COLORS)) == len(plots.SERIES_COLORS)
    for s in comsim.STRATEGIES:
        assert plots.STRATEGY_STYLE[s]["color"].upper() in OKABE_ITO_HEX


def test_the_default_colour_cycle_is_the_palette(notebook_style):
    cycle = [to_hex(c["color"]).upper() for c in mpl.rcParams["axes.prop_cycle"]]
    assert cycle and set(cycle) <= OKABE_ITO_HEX


def test_an_unknown_x_axis_is_refused(traces):
    with pytest.raises(ValueError, match="'iteration'"):
        plots.memory_figure(traces["copy-each-time"], x="bogus")
