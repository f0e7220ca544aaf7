"""Measured in this process: a part that keeps its whole alive, and the fix that lets the whole
go. Only the shape is asserted (held, then freed); exact numbers vary by platform."""

from __future__ import annotations

import tracemalloc

import pytest

from comsim import today


@pytest.fixture(scope="module")
def view_run() -> today.ViewResult:
    return today.view_keeps_base()


def test_a_view_keeps_its_whole_base_array_alive(view_run):
    assert view_run.with_base.traced_bytes >= 0.9 * view_run.base_bytes
    assert view_run.after_del_base.traced_bytes >= 0.9 * view_run.base_bytes
    assert view_run.held_fraction >= 0.9
    assert view_run.view_bytes < 0.01 * view_run.base_bytes  # a few rows held it all


def test_deleting_the_view_as_well_frees_the_base(view_run):
    assert view_run.after_del_view.traced_bytes < 0.1 * view_run.base_bytes


def test_a_copy_of_the_rows_lets_the_base_go_at_once():
    run = today.copy_frees_base()
    assert run.with_base.traced_bytes >= 0.9 * run.base_bytes
    assert run.copy_bytes <= run.after_del_base.traced_bytes < 0.1 * run.base_bytes
    assert run.after_del_copy.traced_bytes < run.copy_bytes


def test_a_parent_keeps_every_child_the_caller_released():
    run = today.parent_keeps_children(calls=5_000, child_bytes=2048)
    assert run.children_held == 5_000
    assert run.after_calls.traced_bytes >= 0.9 * 5_000 * 2048
    assert run.after_del_parent.traced_bytes < 0.1 * 5_000 * 2048


def test_a_parent_that_caches_one_child_per_setting_holds_only_those():
    run = today.parent_keeps_children(calls=5_000, child_bytes=2048, settings=3, cached=True)
    assert run.children_held == 3
    assert run.after_calls.traced_bytes < 0.1 * 5_000 * 2048


def test_readings_come_in_the_order_the_steps_happened(view_run):
    labels = [r.label for r in view_run.readings()]
    assert labels == ["big array and its view", "after del big (view kept)", "after del view"]
    assert list(today.readings_frame(view_run)["step"]) == labels


def test_resident_memory_is_a_number_where_the_platform_gives_it_else_none():
    resident = today.resident_memory_bytes()
    assert resident is None or resident > 0


def test_a_callers_own_tracemalloc_session_is_left_running():
    tracemalloc.start()
    try:
        today.copy_frees_base(base_mib=8)
        assert tracemalloc.is_tracing()
    finally:
        tracemalloc.stop()


def test_an_experiment_started_without_tracing_leaves_tracing_off():
    assert not tracemalloc.is_tracing()
    today.copy_frees_base(base_mib=8)
    assert not tracemalloc.is_tracing()


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: today.view_keeps_base(base_mib=0), ValueError, "base_mib must be in [1, 100]"),
        (lambda: today.view_keeps_base(base_mib=500), ValueError, "got 500"),
        (lambda: today.view_keeps_base(rows_kept="3"), TypeError, "rows_kept must be an int"),
        (lambda: today.parent_keeps_children(calls=0), ValueError, "calls must be in"),
        (lambda: today.parent_keeps_children(cached="yes"), TypeError, "cached must be"),
    ],
)
def test_bad_sizes_raise_naming_the_parameter_and_range(call, error, words):
    with pytest.raises(error) as raised:
        call()
    assert words in str(raised.value)


def test_the_bar_chart_has_a_title_axes_with_units_and_one_panel_per_experiment(view_run):
    fig = today.readings_figure({"view": view_run, "again": view_run}, "What a view keeps")
    assert fig._suptitle.get_text() == "What a view keeps"
    assert len(fig.axes) == 2
    assert "MiB" in fig.axes[0].get_ylabel()
