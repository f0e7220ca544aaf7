"""Apply each library's fix yourself: fill-in exercises on today's wholes, checked by what the
learner's code leaves behind (figures pyplot still holds, loggers logging still keeps), never
by how it is written.

In a notebook, a hidden cell makes the exercise and the learner's cell fills its blank::

    close_figures = today.close_each_figure()

    def save_chart(values, file):
        fig, ax = plt.subplots()
        ax.plot(values)
        fig.savefig(file)
        ___  # give the figure back to pyplot

    close_figures.check(save_chart)

The learner's code runs in this process, with its errors reported as a verdict, and whatever
it leaves behind is cleaned up after the check: figures it left open are closed, and the
loggers it made live in a private manager that goes with the check.
"""

from __future__ import annotations

import gc
import io
import logging
import warnings
import weakref
from collections.abc import Callable

from ..answers import Answer
from ..exercises.fill_in import FillIn, fill_in
from .wholes import loggers_in

CHARTS = 25  # calls of the learner's save_chart: past pyplot's warning at 20 open figures
REQUESTS = 1_000  # requests the learner's handler serves
REPORTS = 200  # reports the learner's class makes: past lru_cache's default maxsize of 128


def figures_left_open(save_chart: Callable, calls: int = CHARTS) -> dict[str, object]:
    """Call ``save_chart(values, file)`` ``calls`` times, each into an in-memory file; how many
    of the figures it made pyplot still holds. The caller's own figures are left alone."""
    import matplotlib.pyplot as plt

    before = set(plt.get_fignums())
    stopped = ""
    with plt.ioff(), warnings.catch_warnings():
        # The learner's unclosed figures pass pyplot's warning: that count is what we measure.
        warnings.filterwarnings("ignore", "More than .* figures have been opened")
        try:
            for k in range(calls):
                save_chart([0, k, 2 * k], io.BytesIO())
        except Exception as error:  # the learner's code: a verdict, not a crash
            stopped = f"your function raised {type(error).__name__}: {error}"
        finally:
            left = [n for n in plt.get_fignums() if n not in before]
            for n in left:
                plt.close(n)
    if stopped:
        return {"stopped": stopped}
    return {"figures_left_open": len(left)}


class LoggingStandIn:
    """What a handler calls ``logging``: ``getLogger`` and ``LoggerAdapter`` as the logging
    module has them, backed by a private manager (so a check leaves the process's loggers
    alone). ``kept()`` counts the loggers the manager keeps, the root aside; ``ids`` holds the
    ``request_id`` of every record that carried one (``extra=`` or a ``LoggerAdapter``)."""

    LoggerAdapter = logging.LoggerAdapter

    def __init__(self) -> None:
        self.manager = logging.Manager(logging.RootLogger(logging.DEBUG))
        self.ids: set[object] = set()
        catcher = logging.Handler()
        catcher.emit = lambda record: self.ids.add(getattr(record, "request_id", None))
        self.manager.root.addHandler(catcher)

    def getLogger(self, name: str | None = None) -> logging.Logger:  # logging's own spelling
        return self.manager.getLogger(name) if name else self.manager.root

    def kept(self) -> int:
        return loggers_in(self.manager)


def loggers_kept(handle: Callable, requests: int = REQUESTS) -> dict[str, object]:
    """Serve ``requests`` requests with ``handle(logging, request_id)``, ``logging`` being a
    :class:`LoggingStandIn`: how many loggers its manager keeps afterwards, and how many of the
    requests' ids reached a record."""
    stand_in = LoggingStandIn()
    try:
        for request_id in range(requests):
            handle(stand_in, request_id)
    except Exception as error:  # the learner's code: a verdict, not a crash
        return {"stopped": f"your function raised {type(error).__name__}: {error}"}
    return {"loggers_kept": stand_in.kept(), "ids_logged": len(stand_in.ids & set(range(requests)))}


def reports_kept(report_class: Callable, reports: int = REPORTS) -> dict[str, object]:
    """Make ``reports`` objects of the learner's class, ask each for its ``size`` (an attribute
    or a method) and drop each: how many are still alive, and whether ``size`` is still cached
    (asked again after the report's ``data`` changed, it gives the first answer)."""
    alive: weakref.WeakSet = weakref.WeakSet()
    cached = 1
    try:
        for _ in range(reports):
            report = report_class()

            def size(report=report):
                value = report.size
                return value() if callable(value) else value

            first = size()
            report.data = bytearray(1)  # a cached size still gives the first answer
            cached = min(cached, int(size() == first))
            alive.add(report)
            del report, size
    except Exception as error:  # the learner's code: a verdict, not a crash
        return {"stopped": f"your class raised {type(error).__name__}: {error}"}
    gc.collect()
    kept = len(alive)
    for cache in {getattr(type(r), "size", None) for r in alive}:
        getattr(cache, "cache_clear", lambda: None)()  # let go of what the check made
    return {"reports_kept": kept, "size_cached": cached}


def report_cache_hunt(reports: int = REPORTS) -> FillIn:
    """The bug hunt for the method cache: a ``Report`` whose ``lru_cache`` on a method keeps
    reports alive; the fix keeps the cached size on each report (``cached_property``)."""
    return fill_in(
        f"This `Report` caches its size, but reports stay alive after their caller drops "
        f"them. Fix it so that none stays and the size is still worked out only once per "
        f"report: comsim makes {reports} reports, asks each for its size and drops each. "
        "`size` may stay a method or become an attribute: comsim reads `report.size()` or "
        "`report.size`, whichever your class has.",
        run=lambda report_class: reports_kept(report_class, reports),
        key="06-cache-on-the-instance",
        bug_hunt=True,
        reports_kept=Answer(
            0,
            whole=True,
            hints=[
                (
                    min(reports, 128),
                    "The cache keys each answer on its arguments, `self` among them, and lives "
                    "on the class. Where else could a cached value live, and go when its "
                    "report goes?",
                ),
                (reports, "An unbounded cache keeps every report. Store the value on the report."),
                (
                    1,
                    "A smaller cache still keeps the reports it holds: any lru_cache on the "
                    "method holds `self`. Store the value on the report instead.",
                ),
            ],
        ),
        size_cached=Answer(
            1,
            whole=True,
            hints=[(0, "Nothing is cached now: the size is worked out at every call. Keep it.")],
        ),
    )


def close_each_figure(calls: int = CHARTS) -> FillIn:
    """The fill-in for pyplot's fix: complete ``save_chart(values, file)`` so that it leaves no
    figure open; comsim calls it ``calls`` times."""
    return fill_in(
        f"Complete `save_chart(values, file)` so that pyplot keeps none of its figures: comsim "
        f"calls it {calls} times and counts the figures still open.",
        run=lambda save_chart: figures_left_open(save_chart, calls),
        key="06-close-each-figure",
        figures_left_open=Answer(
            0,
            whole=True,
            hints=[
                (
                    calls,
                    "pyplot still holds every figure: `del fig`, or nothing, drops only your "
                    "name for it. Give the figure back to pyplot.",
                )
            ],
        ),
    )


def one_logger_per_module(requests: int = REQUESTS) -> FillIn:
    """The fill-in for logging's fix: complete ``handle(logging, request_id)`` so that serving
    ``requests`` requests keeps no logger per request, and every record still says which
    request it served."""
    return fill_in(
        f"Complete `handle(logging, request_id)` so that {requests:,} requests keep no logger "
        "each and every record still says which request it served: comsim serves them, counts "
        "the loggers logging keeps and reads each record's `request_id`.",
        run=lambda handle: loggers_kept(handle, requests),
        key="06-one-logger",
        loggers_kept=Answer(
            1,
            whole=True,
            tolerance=1,
            hints=[
                (
                    requests,
                    "A logger per request, and logging keeps every logger it ever made. Give "
                    "the logger a name that every request shares.",
                )
            ],
        ),
        ids_logged=Answer(
            requests,
            whole=True,
            hints=[
                (
                    0,
                    "No record has a `request_id` field (the message text does not count: a "
                    "handler or a log search reads fields). A logging call can add fields of "
                    "your own to its record: look up the keyword `extra` in logging's "
                    "documentation.",
                )
            ],
        ),
    )
