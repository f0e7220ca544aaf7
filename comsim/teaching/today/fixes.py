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

import io
import logging
import warnings
from collections.abc import Callable

from ..answers import Answer
from ..exercises.fill_in import FillIn, fill_in

CHARTS = 25  # calls of the learner's save_chart: past pyplot's warning at 20 open figures
REQUESTS = 1_000  # requests the learner's handler serves


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
    alone). ``kept()`` counts the loggers the manager keeps, the root aside."""

    LoggerAdapter = logging.LoggerAdapter

    def __init__(self) -> None:
        self.manager = logging.Manager(logging.RootLogger(logging.WARNING))

    def getLogger(self, name: str | None = None) -> logging.Logger:  # logging's own spelling
        return self.manager.getLogger(name) if name else self.manager.root

    def kept(self) -> int:
        return sum(isinstance(v, logging.Logger) for v in self.manager.loggerDict.values())


def loggers_kept(handle: Callable, requests: int = REQUESTS) -> dict[str, object]:
    """Serve ``requests`` requests with ``handle(logging, request_id)``, ``logging`` being a
    :class:`LoggingStandIn`; how many loggers its manager keeps afterwards."""
    stand_in = LoggingStandIn()
    try:
        for request_id in range(requests):
            handle(stand_in, request_id)
    except Exception as error:  # the learner's code: a verdict, not a crash
        return {"stopped": f"your function raised {type(error).__name__}: {error}"}
    return {"loggers_kept": stand_in.kept()}


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
    ``requests`` requests keeps no logger per request."""
    return fill_in(
        f"Complete `handle(logging, request_id)` so that {requests:,} requests keep no logger "
        "each: comsim serves them and counts the loggers logging keeps.",
        run=lambda handle: loggers_kept(handle, requests),
        key="06-one-logger",
        loggers_kept=Answer(
            1,
            whole=True,
            tolerance=1,
            hints=[
                (
                    requests,
                    "A logger per request, and logging keeps every logger it ever made. Name "
                    "the logger after the module, and put the request's id in the record.",
                )
            ],
        ),
    )
