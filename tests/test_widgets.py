"""A learner drags every slider of every explorer and clicks through the step-through: the one
figure updates in place, its lines and caption follow the sliders, and nothing piles up."""

from __future__ import annotations

import itertools
import re

import ipywidgets
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import comsim  # noqa: E402
from comsim.teaching import explorer as widgets  # noqa: E402
from comsim.teaching import pages, stepthrough  # noqa: E402

EXPLORERS = {
    "kb-loop": lambda: comsim.explorer(),
    "kb-loop-log-axes": lambda: comsim.explorer(log=True),
    "all-strategies": lambda: comsim.explorer(strategies=comsim.STRATEGIES, show_counts=True),
    "time-axis": lambda: comsim.explorer(x="time"),
    "cache-copy-blankets": lambda: comsim.explorer(
        strategies="cache-copy", show_blankets=True, show_counts=True
    ),
}


@pytest.fixture(autouse=True)
def _not_in_a_report(monkeypatch):
    monkeypatch.setattr(pages, "_static", False)


def _grid(slider) -> list:
    """min, max, the middle, a few steps in from each end, and back to the start value."""
    lo, hi, step = slider.min, slider.max, slider.step
    steps = round((hi - lo) / step)
    on_grid = [lo + k * step for k in (0, steps, steps // 2, 1, steps - 1, 2, steps // 3)]
    if isinstance(slider.value, float):
        on_grid = [round(v, 10) for v in on_grid]
    return on_grid + [slider.value]


def _line_data(explorer) -> dict:
    return {
        label: (
            np.asarray(line.get_xdata(), dtype=float).copy(),
            np.asarray(line.get_ydata(), dtype=float).copy(),
        )
        for label, line in explorer.plot.lines.items()
    }


def _sliders(explorer) -> list:
    return [
        s for s in (explorer.iterations, explorer.tightness, explorer.blankets) if s is not None
    ]


def _axes_state(explorer) -> list:
    """What a learner would see of the axes: scales, limits and tick labels of every axes."""
    return [
        (
            ax.get_xscale(),
            ax.get_yscale(),
            ax.get_xlim(),
            ax.get_ylim(),
            [t.get_text() for t in ax.get_xticklabels()],
        )
        for ax in explorer.figure.axes
    ]


def _pixels(explorer, label: str) -> np.ndarray:
    line = explorer.plot.lines[label]
    return line.axes.transData.transform(line.get_xydata())


def _release_in_pixels(explorer, label: str) -> float:
    """Where the loop ends on screen: the x of the run's final-release marker."""
    ax = explorer.plot.memory.ax
    x = explorer.plot.memory.release_lines[label].get_xdata()[0]
    return float(ax.transData.transform((x, ax.get_ylim()[1]))[0])


def _peak_in_pixels(explorer, label: str) -> float:
    return float(_pixels(explorer, label)[:, 1].max())


def _panel_counts(explorer) -> dict:
    """(interface proxies alive, proxy manager refcount) at the end of the loop, as the side
    panel draws them: bar widths and the numbers written beside them."""
    panel = explorer.plot.panel
    counts = {}
    for k, label in enumerate(panel.labels):
        widths = [panel.bars[key][k].get_width() for key in ("proxies", "refcount")]
        texts = [panel.numbers[key][k].get_text() for key in ("proxies", "refcount")]
        assert texts == [f"{w:,.0f}" for w in widths]
        counts[label] = tuple(int(w) for w in widths)
    return counts


@pytest.mark.parametrize("kind", list(EXPLORERS))
def test_dragging_every_slider_across_its_range_redraws_the_same_figure(kind):
    fignums = plt.get_fignums()
    e = EXPLORERS[kind]()
    figure = e.figure
    assert e.plot.figure is figure
    n_axes = len(figure.axes)
    for slider in _sliders(e):
        for value in _grid(slider):
            before_value, before_caption = slider.value, e.caption.value
            slider.value = value
            assert slider.value == value
            assert e.figure is figure
            assert len(figure.axes) == n_axes
            assert plt.get_fignums() == fignums
            if value != before_value:
                assert e.caption.value != before_caption, f"{slider.description}={value}"
            # The lines show the runs now on show: one per strategy, ending where they end.
            assert set(e.traces) == set(e.strategies)
            for label, (xs, ys) in _line_data(e).items():
                trace = e.traces[label]
                assert xs.size == ys.size > 0
                if e.plot.x == "iteration":
                    assert xs.max() == e.iterations.value == trace.summary.iterations
                else:
                    assert xs.max() == pytest.approx(trace.summary.total_seconds)
                assert ys.max() * 2**20 <= trace.summary.peak_private_bytes
                assert ys.max() * 2**20 >= trace.summary.start_private_bytes
            assert np.isfinite(e.last_redraw_ms)
    assert plt.get_fignums() == fignums


@pytest.mark.parametrize("kind", ["kb-loop", "all-strategies", "time-axis"])
def test_more_iterations_raise_the_kb_loops_line(kind):
    e = EXPLORERS[kind]()
    e.iterations.value = e.iterations.min
    low = _line_data(e)["copy-each-time"][1].max()
    caption = e.caption.value
    e.iterations.value = e.iterations.max
    high = _line_data(e)["copy-each-time"][1].max()
    assert high > low + 100  # MiB: 200,001 copies of about 2 KB
    assert e.caption.value != caption
    assert "200,001 iterations" in e.caption.value


def test_loosening_the_loop_stretches_the_curve_not_the_time_axis():
    e = comsim.explorer(x="time")
    e.tightness.value = 1.0
    axes = _axes_state(e)
    tight = _line_data(e)["copy-each-time"][0].max()
    tight_px = _release_in_pixels(e, "copy-each-time")
    e.tightness.value = 0.25
    loose = _line_data(e)["copy-each-time"][0].max()
    assert loose > 2 * tight
    assert _release_in_pixels(e, "copy-each-time") > tight_px + 30  # visibly later
    assert _axes_state(e) == axes
    assert "tightness 0.25" in e.caption.value


def test_more_blankets_keep_more_cached_copies_in_the_panel_and_in_memory():
    e = comsim.explorer(strategies="cache-copy", show_blankets=True, show_counts=True)
    assert e.blankets is not None
    axes = _axes_state(e)
    e.blankets.value = 1
    one = (_panel_counts(e)["cache-copy"], _peak_in_pixels(e, "cache-copy"))
    e.blankets.value = e.blankets.max
    many = (_panel_counts(e)["cache-copy"], _peak_in_pixels(e, "cache-copy"))
    # the original and one cached copy per blanket, each holding a reference
    assert one[0] == (2, 2) and many[0] == (1 + e.blankets.max, 1 + e.blankets.max)
    assert many[1] > one[1] + 30  # the copies' memory, visibly higher on the same axes
    assert _axes_state(e) == axes


def test_an_explorer_without_the_blankets_option_has_no_blankets_slider():
    assert comsim.explorer().blankets is None
    assert comsim.explorer().iterations.value == 20_001  # the KB's loop on the grid


def _count_redraws(e) -> list:
    calls = []
    original = e.redraw

    def counting():
        calls.append(1)
        original()

    e.redraw = counting  # the sliders' observer calls self.redraw()
    return calls


def test_moving_tightness_redraws_once():
    e = comsim.explorer()
    calls = _count_redraws(e)
    e.tightness.value = 0.5
    assert len(calls) == 1
    e.tightness.value = 0.5  # the same value again: nothing to do
    assert len(calls) == 1
    e.iterations.value = 5_001
    assert len(calls) == 2


def test_moving_a_slider_simulates_each_strategy_once(monkeypatch):
    runs = []
    real = widgets.simulate

    def counting(**kw):
        runs.append(kw["strategy"])
        return real(**kw)

    e = comsim.explorer(strategies=comsim.STRATEGIES)
    monkeypatch.setattr(widgets, "simulate", counting)
    e.tightness.value = 0.5
    assert sorted(runs) == sorted(comsim.STRATEGIES)


def test_the_sliders_do_not_redraw_while_being_dragged():
    e = comsim.explorer(show_blankets=True)
    assert not e.iterations.continuous_update
    assert not e.tightness.continuous_update
    assert not e.blankets.continuous_update


# -- fixed axes, the KB's reference and the model panel ---------------------------------------
@pytest.mark.parametrize("kind", list(EXPLORERS))
def test_moving_iterations_keeps_the_axes(kind):
    e = EXPLORERS[kind]()
    axes = _axes_state(e)
    ends = []
    for n in (1_001, 20_001, 200_001):
        e.iterations.value = n
        assert _axes_state(e) == axes, f"the axes moved at {n:,} iterations"
        ends.append(_release_in_pixels(e, e.strategies[0]))
    # Each length looks different: the loop ends visibly further right each time.
    assert ends[0] + 30 < ends[1] and ends[1] + 30 < ends[2]


def test_on_log_axes_more_iterations_climb_visibly_higher_on_the_same_axes():
    e = comsim.explorer(log=True)
    heights = []
    for n in (1_001, 20_001, 200_001):
        e.iterations.value = n
        heights.append(_peak_in_pixels(e, "copy-each-time"))
    assert heights[0] + 30 < heights[1] and heights[1] + 30 < heights[2]


@pytest.mark.parametrize("kind", list(EXPLORERS))
def test_every_setting_the_sliders_reach_fits_inside_the_fixed_axes(kind):
    e = EXPLORERS[kind]()
    ax = e.plot.memory.ax
    settings = [(e.iterations.min, e.tightness.max), (e.iterations.max, e.tightness.min)]
    settings += [(e.iterations.max, e.tightness.max), (e.iterations.min, e.tightness.min)]
    for iterations, tightness in settings:
        e.iterations.value, e.tightness.value = iterations, tightness
        if e.blankets is not None:
            e.blankets.value = e.blankets.max
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        for label, (xs, ys) in _line_data(e).items():
            assert x0 <= xs.min() and xs.max() < x1, (label, iterations, tightness)
            assert y0 < ys.min() and ys.max() < y1, (label, iterations, tightness)


def _rise_in_pixels(explorer, label: str) -> float:
    """How far the run climbs on screen, from its first sample to its peak."""
    ys = _pixels(explorer, label)[:, 1]
    return float(ys.max() - ys[0])


def test_the_explorer_opens_on_linear_axes_where_twice_the_loop_climbs_twice_as_high():
    e = comsim.explorer()
    ax = e.plot.memory.ax
    assert (ax.get_xscale(), ax.get_yscale()) == ("linear", "linear")
    assert ax.get_xlim()[0] == 0 and ax.get_ylim()[0] == 0
    axes = _axes_state(e)
    e.iterations.value = 20_001
    once = _rise_in_pixels(e, "copy-each-time")
    e.iterations.value = 40_001
    twice = _rise_in_pixels(e, "copy-each-time")
    assert twice == pytest.approx(2 * once, rel=0.05)
    assert _axes_state(e) == axes
    assert "x linear, y linear" in e.figure.comsim_alt


def test_the_log_toggle_switches_both_axes_and_back_without_simulating_again(monkeypatch):
    e = comsim.explorer()
    linear, runs = _axes_state(e), _line_data(e)
    reference = e.plot.memory.reference_line
    monkeypatch.setattr(widgets, "simulate", lambda **kw: pytest.fail("simulated again"))
    e.log_axes.value = True
    ax = e.plot.memory.ax
    assert (ax.get_xscale(), ax.get_yscale()) == ("symlog", "log")
    assert reference.get_visible() and reference in ax.lines  # the KB's run stays
    assert "x logarithmic, y logarithmic" in e.figure.comsim_alt
    assert "log scale" in ax.get_xlabel()
    e.log_axes.value = False
    assert _axes_state(e) == linear
    after = _line_data(e)
    assert all(np.array_equal(runs[k][1], after[k][1]) for k in runs)


def test_against_time_the_explorer_opens_on_log_axes():
    assert comsim.explorer(x="time").plot.memory.ax.get_xscale() == "symlog"
    assert comsim.explorer(x="time", log=False).plot.memory.ax.get_xscale() == "linear"


def test_the_refcount_panel_appears_only_when_asked_for():
    plain = comsim.explorer()
    assert plain.plot.panel is None and len(plain.figure.axes) == 1
    assert "refcount" not in plain.figure.comsim_alt
    counted = comsim.explorer(show_counts=True)
    assert len(counted.figure.axes) == 3
    assert "proxy manager refcount 1" in counted.figure.comsim_alt


def test_the_final_release_is_drawn_clear_of_the_right_edge():
    e = comsim.explorer()
    e.iterations.value = e.iterations.max
    ax = e.plot.memory.ax
    release = e.plot.memory.release_lines["copy-each-time"]
    x_px = ax.transData.transform((release.get_xdata()[0], 1.0))[0]
    box = ax.get_window_extent()
    assert box.x1 - x_px > 0.05 * box.width


@pytest.mark.parametrize("kind", list(EXPLORERS))
def test_kb_reference_line_is_drawn(kind):
    e = EXPLORERS[kind]()
    kb = comsim.simulate()  # the model's defaults: the KB's loop
    line = e.plot.memory.reference_line
    assert line is not None and line.get_visible()
    r, g, b, _ = matplotlib.colors.to_rgba(line.get_color())
    assert r == g == b  # grey: no strategy's colour
    assert "KB" in line.get_label() and f"{kb.summary.iterations:,}" in line.get_label()
    legend = e.plot.memory.ax.get_legend()
    assert line.get_label() in [t.get_text() for t in legend.get_texts()]
    peak = np.asarray(line.get_ydata(), dtype=float).max()
    assert peak * 2**20 == pytest.approx(kb.summary.peak_private_bytes, rel=1e-9)
    before = np.asarray(line.get_ydata(), dtype=float).copy()
    e.iterations.value = 1_001
    e.tightness.value = 0.5
    assert np.array_equal(np.asarray(line.get_ydata(), dtype=float), before)  # it stays put
    assert "reference" in e.figure.comsim_alt


def test_side_panel_shows_live_interface_proxies():
    e = comsim.explorer(show_counts=True)
    assert _panel_counts(e) == {"copy-each-time": (20_002, 1)}  # the original + 20,001 copies
    e.iterations.value = 1_001
    assert _panel_counts(e) == {"copy-each-time": (1_002, 1)}
    e.iterations.value = 200_001
    assert _panel_counts(e) == {"copy-each-time": (200_002, 1)}
    after = e.plot.panel.after.get_text()
    assert "after the final release" in after and "0 proxies alive, refcount 0" in after
    assert "200,002 interface proxies alive with proxy manager refcount 1" in e.figure.comsim_alt


def test_side_panel_tells_the_strategies_apart():
    e = comsim.explorer(strategies=comsim.STRATEGIES, show_counts=True)
    counts = _panel_counts(e)
    n = e.iterations.value
    assert counts["copy-each-time"] == counts["co-copy-proxy"] == (n + 1, 1)
    assert counts["cache-copy"] == (2, 2)  # the original and the one cached copy, both held
    assert counts["no-copy"] == (1, 1)


def test_under_free_on_release_the_panel_shows_the_copies_freed():
    e = comsim.explorer(policy="free-on-release", show_counts=True)
    assert _panel_counts(e) == {"copy-each-time": (1, 1)}


def test_each_slider_names_the_question_it_answers():
    e = comsim.explorer(show_blankets=True)
    rows = [child for child in e.children if isinstance(child, ipywidgets.HBox)]
    for slider in _sliders(e):
        [row] = [r for r in rows if slider in r.children]
        question = [c for c in row.children if isinstance(c, ipywidgets.HTML)][0].value
        assert widgets.QUESTIONS[slider.description] in question
        assert re.sub(r"<[^>]+>", "", question).strip().endswith("?")


# -- where the sliders start -------------------------------------------------------------------
def test_explorer_starts_at_given_tightness():
    e = comsim.explorer(tightness=0.5)
    assert e.tightness.value == 0.5
    assert e.traces["copy-each-time"].summary.tightness == 0.5
    assert "tightness 0.5" in e.caption.value
    e.tightness.value = 1.0  # the slider still moves from there
    assert e.traces["copy-each-time"].summary.tightness == 1.0


def test_explorer_starts_at_given_iterations_and_blankets():
    e = comsim.explorer(
        strategies="cache-copy",
        blankets=3,
        show_blankets=True,
        iterations=np.int64(5_001),
        show_counts=True,
    )
    assert e.blankets.value == 3 and e.iterations.value == 5_001
    assert _panel_counts(e) == {"cache-copy": (4, 4)}
    assert "5,001 iterations" in e.caption.value


def test_blankets_without_their_slider_is_a_fixed_setting():
    e = comsim.explorer(strategies="cache-copy", blankets=3, show_counts=True)
    assert e.blankets is None
    e.tightness.value = 0.5
    assert _panel_counts(e) == {"cache-copy": (4, 4)}


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        (dict(tightness=0.0), ValueError, ["tightness", "[0.05, 1]", "0.0"]),
        (dict(tightness="0.5"), TypeError, ["tightness", "'0.5'"]),
        (dict(iterations=300_001), ValueError, ["iterations", "[1, 200001]", "300001"]),
        (dict(blankets=9, show_blankets=True), ValueError, ["blankets", "[1, 8]", "9"]),
        (dict(strategies=None), TypeError, ["strategies", "'copy-each-time'", "None"]),
        (dict(strategies=[]), ValueError, ["strategies", "'cache-copy'", "[]"]),
        (dict(strategies=["cache-copy", "cache-copy"]), ValueError, ["strategies", "repeat"]),
        (dict(strategies=("cache-copy", 3)), ValueError, ["strategies", "3"]),
        (dict(policy=None), ValueError, ["policy", "'by-design'", "None"]),
        (dict(x="iterations"), ValueError, ["x", "'iteration'", "'time'", "'iterations'"]),
        (dict(show_blankets="yes"), TypeError, ["show_blankets", "'yes'"]),
        (dict(show_counts=1), TypeError, ["show_counts", "1"]),
        (dict(log="no"), TypeError, ["log", "'no'"]),
    ],
)
def test_an_explorer_refuses_a_bad_start_naming_what_is_allowed(kwargs, error, words, monkeypatch):
    def no_simulation(**_kw):
        raise AssertionError("simulated before the arguments were checked")

    monkeypatch.setattr(widgets, "simulate", no_simulation)
    with pytest.raises(error) as info:
        comsim.explorer(**kwargs)
    for word in words:
        assert word in str(info.value), (word, str(info.value))


# -- alt text ----------------------------------------------------------------------------------
def test_the_explorers_alt_text_follows_the_frame():
    e = comsim.explorer()
    e.iterations.value = 1_001
    small = e.figure.comsim_alt
    e.iterations.value = 200_001
    large = e.figure.comsim_alt
    assert "1,001 iterations" in small and "1,002 interface proxies" in small
    assert "200,001 iterations" in large and "200,002 interface proxies" in large
    peak = e.traces["copy-each-time"].summary.peak_private_bytes / 2**20
    assert f"{peak:.1f} MiB" in large
    assert comsim.figures.alt_text(e.figure) == large


def test_in_a_report_each_frame_carries_its_own_alt_text(monkeypatch):
    frames = []

    def spy(controls, render, caption, title, **kw):
        grids = [values for _, values, _ in controls]
        for combo in itertools.product(*grids):
            fig = render(*combo)
            frames.append((combo, comsim.figures.alt_text(fig), caption(*combo)))
        return "<div></div>"

    e = comsim.explorer(strategies="cache-copy", show_blankets=True)
    live = e.figure.comsim_alt
    monkeypatch.setattr(widgets.offline, "scrubber_html", spy)
    e.offline_html()
    assert len(frames) == len(set(alt for _, alt, _ in frames)) > 1  # every frame its own text
    for (iterations, tightness, blankets), alt, _caption in frames:
        assert f"{iterations:,} iterations at tightness {tightness:g}" in alt
        assert f"{1 + blankets} interface proxies alive" in alt
    assert e.figure.comsim_alt == live  # back to the sliders' frame


# -- step-through ----------------------------------------------------------------------------------
@pytest.mark.slow
def test_clicking_through_one_pass_of_the_kb_loop_and_back():
    fignums = plt.get_fignums()
    s = comsim.step_through()
    figure, n_axes = s.figure, len(s.figure.axes)
    last = len(s.snapshots) - 1
    assert last >= 5
    assert s.step.value == 0 and s.previous.disabled and not s.next.disabled

    def state():
        return s.caption.value, s.plot.ax.get_title(loc="left")

    seen = [state()]
    for k in range(1, last + 1):
        s.next.click()
        assert s.step.value == k
        assert state() != seen[-1]
        assert f"Call {k} of {last}" in s.caption.value
        seen.append(state())
        assert s.figure is figure and len(figure.axes) == n_axes
    assert s.next.disabled and not s.previous.disabled
    s.next.click()  # already at the end: stays there
    assert s.step.value == last
    for k in range(last - 1, -1, -1):
        s.previous.click()
        assert s.step.value == k
        assert state() == seen[k]
    assert s.previous.disabled
    s.previous.click()
    assert s.step.value == 0
    s.step.value = 3
    assert state() == seen[3]
    assert s.figure is figure and len(figure.axes) == n_axes
    assert plt.get_fignums() == fignums


def test_the_step_throughs_memory_bar_keeps_its_scale_at_every_call():
    s = comsim.step_through()
    scales = set()
    for k in range(len(s.snapshots)):
        s.step.value = k
        scales.add(s.plot.mem_ax.get_ylim())
    assert len(scales) == 1  # a call changes the bar, never its axis


def test_the_step_through_captions_tell_the_refcount_at_each_call():
    s = comsim.step_through()
    captions = []
    for k in range(len(s.snapshots)):
        s.step.value = k
        captions.append(s.caption.value)
    assert "refcount 1" in captions[0]  # only pItf
    assert "refcount 2" in captions[1]  # + pCS
    assert "refcount 3" in captions[2]  # + the copy
    assert "refcount 1" in captions[4]  # both released: the copy stays anyway
    assert "4 interface proxies alive" in captions[4]  # the original and three copies
    assert "refcount 0" in captions[-1] and "0 interface proxies alive" in captions[-1]


def test_step_through_refuses_ten_million_earlier_passes(monkeypatch):
    def no_passes(*_a, **_kw):
        raise AssertionError("ran the passes before checking earlier_iterations")

    monkeypatch.setattr(stepthrough, "kb_iteration_snapshots", no_passes)
    with pytest.raises(ValueError) as info:
        comsim.step_through(earlier_iterations=10**7)
    message = str(info.value)
    assert "earlier_iterations" in message and "[0, 10000]" in message and "10000000" in message


@pytest.mark.parametrize(
    "value, error",
    [("3", TypeError), (-5, ValueError), (2.5, TypeError), (True, TypeError), (None, TypeError)],
)
def test_step_through_checks_earlier_iterations_like_every_parameter(value, error):
    with pytest.raises(error) as info:
        comsim.step_through(earlier_iterations=value)
    message = str(info.value)
    assert "earlier_iterations" in message and "[0, 10000]" in message and repr(value) in message


def test_step_through_accepts_a_numpy_count_of_earlier_passes():
    s = comsim.step_through(earlier_iterations=np.int64(3))
    assert "(3 earlier passes)" in s.caption.value
    s.step.value = 4  # both released: the original and four copies stay
    assert "5 interface proxies alive" in s.caption.value


def test_the_step_throughs_alt_text_follows_the_call():
    s = comsim.step_through()
    texts = []
    for k in range(len(s.snapshots)):
        s.step.value = k
        texts.append(s.figure.comsim_alt)
    last = len(s.snapshots) - 1
    assert texts[0].startswith("Start")
    assert all(f"Call {k} of {last}" in t for k, t in enumerate(texts) if k)
    assert "refcount 3" in texts[2] and "4 interface proxies alive" in texts[2]
    assert "private bytes" in texts[2] and "MiB" in texts[2]
    assert "No proxy manager" in texts[-1]
    assert len(set(texts)) == len(texts)


def test_the_step_through_of_the_counterfactual_frees_the_copy_at_its_release():
    s = comsim.step_through(policy="free-on-release")
    s.step.value = 4
    assert "1 interface proxy alive" in s.caption.value


# -- offline reports -------------------------------------------------------------------------------
def _assert_offline_html(html: str) -> None:
    assert "<img" in html
    assert '<input type="range"' in html
    assert not re.search(r"<script[^>]*\bsrc\s*=", html, re.I), "a script loaded from elsewhere"
    assert not re.search(r"""src\s*=\s*["']?https?:""", html, re.I)


@pytest.mark.slow
def test_in_a_report_the_explorer_carries_precomputed_frames(monkeypatch):
    fignums = plt.get_fignums()
    e = comsim.explorer()
    figure, live = e.figure, _line_data(e)
    monkeypatch.setattr(pages, "_static", True)
    bundle = e._repr_mimebundle_()
    assert "text/html" in bundle
    _assert_offline_html(bundle["text/html"])
    assert e.figure is figure and plt.get_fignums() == fignums
    after = _line_data(e)
    assert all(np.array_equal(live[k][1], after[k][1]) for k in live)  # back to the sliders


@pytest.mark.slow
def test_in_a_report_the_step_through_carries_precomputed_frames(monkeypatch):
    s = comsim.step_through()
    monkeypatch.setattr(pages, "_static", True)
    bundle = s._repr_mimebundle_()
    _assert_offline_html(bundle["text/html"])
    assert bundle["text/html"].count("data:image/png;base64,") == len(s.snapshots)


def test_outside_a_report_an_explorer_has_no_html_picture():
    for w in (comsim.explorer(), comsim.step_through()):
        bundle = w._repr_mimebundle_() or {}
        assert "text/html" not in bundle


def test_a_slider_set_to_nan_from_code_is_refused_and_later_redraws_still_work():
    """Issue 18, item 19: setting an explorer's slider to NaN from code broke every later
    redraw. The value is refused with the parameter's name, the slider goes back, and the
    next move redraws as usual."""
    ex = comsim.explorer()
    before = ex.tightness.value
    with pytest.raises(ValueError, match="tightness must be a finite number"):
        ex.tightness.value = float("nan")  # (infinity is clipped to the range by the slider)
    assert ex.tightness.value == before
    ex.tightness.value = 0.5
    assert ex.traces["copy-each-time"].summary.tightness == 0.5
