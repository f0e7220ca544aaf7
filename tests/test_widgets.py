"""A learner drags every slider of every explorer and clicks through the step-through: the one
figure updates in place, its lines and caption follow the sliders, and nothing piles up."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import comsim  # noqa: E402
from comsim import widgets  # noqa: E402

EXPLORERS = {
    "kb-loop": lambda: comsim.explorer(),
    "all-strategies": lambda: comsim.explorer(strategies=comsim.STRATEGIES),
    "time-axis": lambda: comsim.explorer(x="time"),
    "cache-copy-blankets": lambda: comsim.explorer(strategies="cache-copy", show_blankets=True),
}


@pytest.fixture(autouse=True)
def _not_in_a_report(monkeypatch):
    monkeypatch.delenv("COMSIM_REPORT", raising=False)


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


def test_loosening_the_loop_stretches_the_time_axis():
    e = comsim.explorer(x="time")
    e.tightness.value = 1.0
    tight = _line_data(e)["copy-each-time"][0].max()
    e.tightness.value = 0.25
    loose = _line_data(e)["copy-each-time"][0].max()
    assert loose > 2 * tight
    assert "tightness 0.25" in e.caption.value


def test_more_blankets_keep_more_cached_copies():
    e = comsim.explorer(strategies="cache-copy", show_blankets=True)
    assert e.blankets is not None
    e.blankets.value = 1
    one = (
        e.traces["cache-copy"].summary.interface_proxies_at_end_of_loop,
        _line_data(e)["cache-copy"][1].max(),
    )
    e.blankets.value = e.blankets.max
    many = (
        e.traces["cache-copy"].summary.interface_proxies_at_end_of_loop,
        _line_data(e)["cache-copy"][1].max(),
    )
    assert many[0] == 1 + e.blankets.max and one[0] == 2
    assert many[1] > one[1]


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


# -- step-through ----------------------------------------------------------------------------------
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
        assert f"Step {k} of {last}" in s.caption.value
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


def test_the_step_through_of_the_counterfactual_frees_the_copy_at_its_release():
    s = comsim.step_through(policy="free-on-release")
    s.step.value = 4
    assert "1 interface proxies alive" in s.caption.value


# -- offline reports -------------------------------------------------------------------------------
def _assert_offline_html(html: str) -> None:
    assert "<img" in html
    assert '<input type="range"' in html
    assert not re.search(r"<script[^>]*\bsrc\s*=", html, re.I), "a script loaded from elsewhere"
    assert not re.search(r"""src\s*=\s*["']?https?:""", html, re.I)


def test_in_a_report_the_explorer_carries_precomputed_frames(monkeypatch):
    fignums = plt.get_fignums()
    e = comsim.explorer()
    figure, live = e.figure, _line_data(e)
    monkeypatch.setenv("COMSIM_REPORT", "1")
    bundle = e._repr_mimebundle_()
    assert "text/html" in bundle
    _assert_offline_html(bundle["text/html"])
    assert e.figure is figure and plt.get_fignums() == fignums
    after = _line_data(e)
    assert all(np.array_equal(live[k][1], after[k][1]) for k in live)  # back to the sliders


def test_in_a_report_the_step_through_carries_precomputed_frames(monkeypatch):
    s = comsim.step_through()
    monkeypatch.setenv("COMSIM_REPORT", "1")
    bundle = s._repr_mimebundle_()
    _assert_offline_html(bundle["text/html"])
    assert bundle["text/html"].count("data:image/png;base64,") == len(s.snapshots)


def test_outside_a_report_an_explorer_has_no_html_picture():
    for w in (comsim.explorer(), comsim.step_through()):
        bundle = w._repr_mimebundle_() or {}
        assert "text/html" not in bundle
