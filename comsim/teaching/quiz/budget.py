"""A time budget for a learner's code: an endless loop in a submission stops with a clear
message instead of hanging the notebook, and the kernel goes on.

The budget is enforced in the calling thread by a trace function (:func:`sys.settrace`), not
by a signal: SIGALRM works only in the main thread and would replace a handler the kernel may
rely on. The trace function watches only the learner's code: not comsim's, and not the
standard library's or installed packages', where a stop could land in a weakref callback or a
``__del__`` that Python runs with exceptions ignored (the stop would be lost, and tracing with
it, since Python switches off a trace function that raised). It checks the clock at each of
the learner's instructions (not only its lines: ``while True: pass`` on one line runs no new
line), and once the budget is spent raises :class:`OutOfTime` there -- a BaseException, so
that an ``except Exception`` in the learner's code does not swallow it. The previous trace
function (a debugger's, say) is put back afterwards.

What it cannot stop: a call blocked inside C (``time.sleep``, ``input``), or a bare
``except:`` around the loop that swallows the stop (Python then switches the trace off).
"""

from __future__ import annotations

import os
import sys
import sysconfig
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ...model import checks

_COMSIM = str(Path(__file__).resolve().parents[2]) + os.sep  # comsim's own code: not watched
# Nor the standard library's or installed packages' code (site-packages included).
_NOT_WATCHED = tuple(
    {_COMSIM, "<frozen "}
    | {
        str(Path(path).resolve()) + os.sep
        for key in ("stdlib", "platstdlib", "purelib", "platlib")
        if (path := sysconfig.get_paths().get(key))
    }
)


class OutOfTime(BaseException):
    """The learner's code was still running when its time budget ran out."""


class TimeBudget:
    """``seconds`` (a number in (0, 600]) of running time for a learner's code, spent over
    any number of calls: each :meth:`running` block spends what its code takes."""

    def __init__(self, seconds: float):
        self.seconds = checks.number("seconds", seconds, "float", 0, 600, low_open=True)
        self.left = self.seconds

    @contextmanager
    def running(self) -> Iterator[None]:
        """Within the ``with`` block, code outside comsim run by this thread raises
        :class:`OutOfTime` once the budget is spent."""
        started = time.monotonic()
        deadline = started + self.left

        def on_event(frame, event, arg):
            if time.monotonic() > deadline:
                raise OutOfTime
            return on_event

        def on_call(frame, event, arg):
            if frame.f_code.co_filename.startswith(_NOT_WATCHED):
                return None
            frame.f_trace_opcodes = True
            return on_event(frame, event, arg)

        previous = sys.gettrace()
        sys.settrace(on_call)
        try:
            yield
        finally:
            sys.settrace(previous)
            self.left = max(0.0, self.left - (time.monotonic() - started))
