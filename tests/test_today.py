"""Measured in this process: library wholes that keep the parts a caller released (the KB's
shape) and the fix for each; and, the other way round, a part that keeps its whole alive.
Only the shape is asserted (held, then freed); exact numbers vary by platform."""

from __future__ import annotations

import functools
import logging
import re
import tracemalloc

import matplotlib.pyplot as plt
import pytest

from comsim.teaching import today


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


def test_pyplot_keeps_every_figure_after_del_fig_until_plt_close():
    run = today.pyplot_keeps_figures(figures=25, points=2_000)
    assert run.parts_held == 25
    held = run.after_parts_released.traced_bytes
    assert held > 25 * 2_000 * 8  # at least each figure's y data
    assert run.after_whole_released.traced_bytes < 0.1 * held


@pytest.mark.slow
def test_closing_each_figure_when_done_keeps_none():
    kept = today.pyplot_keeps_figures(figures=25, points=2_000)
    run = today.pyplot_keeps_figures(figures=25, points=2_000, fixed=True)
    assert run.parts_held == 0
    assert run.after_parts_released.traced_bytes < 0.1 * kept.after_parts_released.traced_bytes


def test_the_pyplot_experiment_closes_its_figures_and_leaves_the_callers_open():
    mine = plt.figure()
    try:
        today.pyplot_keeps_figures(figures=3, points=10)
        assert plt.get_fignums() == [mine.number]
    finally:
        plt.close(mine)


def test_a_logger_per_request_stays_in_the_logging_manager_after_the_request():
    run = today.logging_keeps_loggers(requests=5_000)
    assert run.parts_held == 5_000
    assert run.after_parts_released.traced_bytes > 5_000 * 100  # some bytes per logger
    assert run.after_whole_released.traced_bytes < 0.1 * run.after_parts_released.traced_bytes


def test_a_logger_adapter_per_request_keeps_one_shared_logger_and_nothing_per_request():
    kept = today.logging_keeps_loggers(requests=5_000)
    run = today.logging_keeps_loggers(requests=5_000, fixed=True)
    assert run.parts_held == 1 == today.logging_keeps_loggers(requests=50, fixed=True).parts_held
    assert run.after_parts_released.traced_bytes < 0.1 * kept.after_parts_released.traced_bytes


def test_the_logging_experiment_leaves_the_loggers_of_the_process_alone():
    before = set(logging.root.manager.loggerDict)
    today.logging_keeps_loggers(requests=100)
    assert set(logging.root.manager.loggerDict) == before


def test_lru_cache_on_a_method_keeps_every_instance_until_cache_clear():
    run = today.method_cache_keeps_instances(instances=50, instance_bytes=32 * 1024)
    assert run.parts_held == 50
    assert run.after_parts_released.traced_bytes >= 0.9 * 50 * 32 * 1024
    assert run.after_whole_released.traced_bytes < 0.1 * 50 * 32 * 1024


def test_a_bounded_lru_cache_keeps_at_most_maxsize_instances():
    run = today.method_cache_keeps_instances(instances=50, instance_bytes=32 * 1024, maxsize=20)
    assert run.parts_held == 20
    assert 0.9 * 20 * 32 * 1024 <= run.after_parts_released.traced_bytes < 30 * 32 * 1024
    assert "maxsize=20" in run.how


def test_cached_property_lets_each_instance_go_with_its_value():
    run = today.method_cache_keeps_instances(instances=50, instance_bytes=32 * 1024, fixed=True)
    assert run.parts_held == 0
    assert run.after_parts_released.traced_bytes < 0.1 * 50 * 32 * 1024


def test_a_parent_keeps_every_child_the_caller_released():
    run = today.parent_keeps_children(calls=5_000, child_bytes=2048)
    assert run.parts_held == 5_000
    assert run.after_parts_released.traced_bytes >= 0.9 * 5_000 * 2048
    assert run.after_whole_released.traced_bytes < 0.1 * 5_000 * 2048


def test_a_parent_that_caches_one_child_per_setting_holds_only_those():
    run = today.parent_keeps_children(calls=5_000, child_bytes=2048, settings=3, fixed=True)
    assert run.parts_held == 3
    assert run.after_parts_released.traced_bytes < 0.1 * 5_000 * 2048


def test_a_listing_shows_the_code_an_experiment_really_runs_between_its_readings():
    shown = today.listing(today.method_cache_keeps_instances)
    assert "instances=200" in shown.title and "maxsize=128" in shown.title
    assert "@functools.lru_cache(maxsize=maxsize)" in shown.code  # the line the lesson is about
    assert "noqa" not in shown.code and "checks.number" not in shown.code
    assert shown.code.rstrip().endswith('meter.read("after the class went")')  # the last reading
    folded = shown._repr_markdown_()
    assert folded.startswith("<details>") and "<summary>What <code>today." in folded
    assert f"```python\n{shown.code}\n```" in folded  # the code, whole, under the fold
    assert "def make_child" in today.listing(today.Parent).code


def test_a_listing_of_one_path_leaves_the_other_paths_fix_out():
    as_is = today.listing(today.method_cache_keeps_instances, fixed=False)
    assert "fixed=False" in as_is.title
    assert "cached_property" not in as_is.code and "if fixed" not in as_is.code
    assert "_ = report.size()" in as_is.code and "Report.size.cache_clear()" in as_is.code
    assert "\n\n\n" not in as_is.code  # the left-out branch leaves no gap behind
    with_fix = today.listing(today.method_cache_keeps_instances, fixed=True)
    assert "@functools.cached_property\n    def size(self) -> int:" in with_fix.code
    assert "lru_cache" not in with_fix.code and "cache_clear" not in with_fix.code
    assert "_ = report.size\n" in with_fix.code
    figures = today.listing(today.pyplot_keeps_figures, fixed=False).code
    assert "plt.close(fig)" not in figures and "if fixed" not in figures
    assert "        del fig, ax" in figures  # the loop's body keeps its place in the loop
    loggers = today.listing(today.logging_keeps_loggers, fixed=True).code
    assert (
        '    log = logging.LoggerAdapter(manager.getLogger("request"), {"request_id": i})'
        in loggers
    )
    assert "request.{i}" not in loggers and "else:" not in loggers
    both = today.listing(today.method_cache_keeps_instances).code
    assert "report.size if fixed else report.size()" in both and "noqa" not in both
    with pytest.raises(TypeError, match="fixed must be True, False or None.*'yes'"):
        today.listing(today.parent_keeps_children, fixed="yes")


def test_a_listing_refuses_what_is_not_one_of_todays_experiments():
    with pytest.raises(TypeError, match="experiment"):
        today.listing("today.Parent")
    with pytest.raises(ValueError, match="Meter"):
        today.listing(today.resident_memory_bytes)


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


def test_an_experiment_leaves_automatic_garbage_collection_as_it_found_it():
    import gc

    assert gc.isenabled()
    today.copy_frees_base(base_mib=8)
    assert gc.isenabled()
    gc.disable()
    try:
        today.copy_frees_base(base_mib=8)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_experiment_started_without_tracing_leaves_tracing_off():
    assert not tracemalloc.is_tracing()
    today.copy_frees_base(base_mib=8)
    assert not tracemalloc.is_tracing()


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (
            lambda: today.view_keeps_base(base_mib=0),
            ValueError,
            "base_mib must be an int in [1, 64]",
        ),
        (lambda: today.view_keeps_base(base_mib=500), ValueError, "got 500"),
        (lambda: today.view_keeps_base(rows_kept="3"), TypeError, "rows_kept must be an int"),
        (lambda: today.parent_keeps_children(calls=0), ValueError, "calls must be an int in"),
        (lambda: today.parent_keeps_children(fixed="yes"), TypeError, "fixed must be"),
        (lambda: today.pyplot_keeps_figures(figures=500), ValueError, "figures must be an int in"),
        (
            lambda: today.logging_keeps_loggers(requests=-1),
            ValueError,
            "requests must be an int in",
        ),
        (
            lambda: today.method_cache_keeps_instances(instance_bytes=2.5),
            TypeError,
            "instance_bytes must be an int",
        ),
        (
            lambda: today.method_cache_keeps_instances(maxsize=0),
            ValueError,
            "maxsize must be an int in [1, 1000]",
        ),
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
    assert f"{view_run.after_del_base.traced_bytes / today.MIB:.1f} MiB" in fig.comsim_alt


@pytest.mark.parametrize(
    "call, names",
    [
        (lambda: today.method_cache_keeps_instances(1000, 256 * 1024), "instances × instance"),
        (lambda: today.parent_keeps_children(calls=40_000, child_bytes=4096), "calls × child"),
        (lambda: today.view_keeps_base(base_mib=100), "base_mib"),
    ],
)
def test_an_experiment_that_would_hold_more_than_64_mib_is_refused_before_it_starts(call, names):
    """Issue 18, item 4: method_cache_keeps_instances(1000, 256*1024) took a kernel to 391 MiB.
    What an experiment may hold at once is bounded, and the refusal names it."""
    with pytest.raises(ValueError, match=re.escape(names)):
        call()


# -- applying each fix: fill-ins checked by what the learner's code leaves behind --------------
def _chart(close: bool):
    def save_chart(values, file):
        fig, ax = plt.subplots()
        ax.plot(values)
        fig.savefig(file)
        if close:
            plt.close(fig)

    return save_chart


@pytest.mark.slow
def test_a_save_chart_that_never_closes_its_figure_gets_the_hint_and_leaves_nothing_open():
    mine = plt.figure()
    try:
        result = today.close_each_figure().check(_chart(close=False))
        assert not result.passed and "pyplot still holds every figure" in result.messages[0]
        assert plt.get_fignums() == [mine.number]  # the check closed what the learner left
    finally:
        plt.close(mine)


@pytest.mark.slow
def test_a_save_chart_that_closes_its_figure_passes():
    assert today.close_each_figure().check(_chart(close=True)).passed


def test_a_save_chart_that_raises_is_reported_not_raised():
    def save_chart(values, file):
        raise RuntimeError("no display")

    result = today.close_each_figure().check(save_chart)
    assert not result.passed and "RuntimeError: no display" in result.messages[0]


def test_a_logger_per_request_gets_the_hint_and_one_logger_per_module_passes():
    exercise = today.one_logger_per_module()

    def per_request(logging, request_id):
        logging.getLogger(f"request.{request_id}").info("handled")

    def per_module(logging, request_id):
        logging.LoggerAdapter(logging.getLogger(__name__), {"request_id": request_id}).info("x")

    def no_id(logging, request_id):
        logging.getLogger(__name__).info("handled")

    wrong = exercise.check(per_request)
    assert not wrong.passed and "A logger per request" in wrong.messages[0]
    anonymous = exercise.check(no_id)
    assert anonymous.verdicts[0].right and not anonymous.passed
    assert "No record has a `request_id` field" in anonymous.messages[1]
    assert exercise.check(per_module).passed
    assert "request.0" not in logging.root.manager.loggerDict  # the process's loggers untouched


def _report_class(decorator):
    class Report:
        def __init__(self):
            self.data = bytearray(64 * 1024)

        @decorator
        def size(self):
            return len(self.data)

    return Report


def test_the_method_cache_bug_hunt_passes_cached_property_and_no_cache_that_keeps_reports():
    exercise = today.report_cache_hunt()
    assert exercise.card.kind == "bug-hunt" and "Find the bug" in exercise.card.how
    bounded = exercise.check(_report_class(functools.lru_cache))
    assert not bounded.passed and "`self` among them" in bounded.messages[0]
    unbounded = exercise.check(_report_class(functools.lru_cache(maxsize=None)))
    assert not unbounded.passed and "keeps every report" in unbounded.messages[0]
    assert exercise.check(_report_class(functools.cached_property)).passed


def test_the_method_cache_bug_hunt_refuses_a_fix_that_caches_nothing():
    result = today.report_cache_hunt().check(_report_class(lambda method: method))
    assert not result.passed
    assert result.verdicts[0].right and "Nothing is cached now" in result.messages[1]
