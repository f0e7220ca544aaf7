"""SIGTERM handled as Ctrl-C: a builder stopped by ``kill`` (or a CI runner's timeout) cleans up
its temporary files on the way out, exactly as it does when a person presses Ctrl-C.

Python's default for SIGTERM ends the process at once, so no ``finally`` block runs and a file
written under a temporary name stays behind. Inside :func:`terminate_as_interrupt`, SIGTERM
raises ``KeyboardInterrupt`` instead, and every ``finally`` and ``with`` on the way out runs.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

_stopped: list[int] = []  # the signals _interrupt has raised for, inside the current block


def _interrupt(signum, frame):
    _stopped.append(signum)
    raise KeyboardInterrupt(f"stopped by signal {signum}")


def raise_if_stopped() -> None:
    """Raise KeyboardInterrupt again if a signal stopped this block and its first one was
    lost. Python ignores an exception raised where it runs a weakref callback (an import can
    run one), so a handler that fires there stops nothing: a builder calls this before it puts
    its work in place, and :func:`terminate_as_interrupt` calls it as its block ends."""
    if _stopped:
        raise KeyboardInterrupt(f"stopped by signal {_stopped[0]}")


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While inside, SIGTERM raises KeyboardInterrupt, as Ctrl-C does (main thread only;
    elsewhere, or for a signal that is ignored or has a handler of someone else's, nothing
    changes). Both go through one handler, so :func:`raise_if_stopped` knows of either."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    taken = [
        signum
        for signum, handler in before.items()
        if handler is signal.SIG_DFL or handler is signal.default_int_handler
    ]
    _stopped.clear()
    for signum in taken:
        signal.signal(signum, _interrupt)
    try:
        yield
        raise_if_stopped()
    finally:
        for signum in taken:
            signal.signal(signum, before[signum])
        _stopped.clear()


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back until the block ends, so that a step which must happen as a
    whole (create a temporary file and note its name for the cleanup) is not cut in two.

    Python runs its signal handlers in the main thread, whichever thread the system delivered
    the signal to, so inside the block a handler only notes the signal; as the block ends, the
    handlers in force before come back and the first signal noted goes to its own. (Masking
    the signal would not do: the system hands a signal one thread blocks to another thread.)
    Outside the main thread nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    noted: list[int] = []
    before = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    held = [s for s, h in before.items() if callable(h) or h is signal.SIG_DFL]
    for signum in held:
        signal.signal(signum, lambda signum, frame: noted.append(signum))
    try:
        yield
    finally:
        for signum in held:
            signal.signal(signum, before[signum])
        if noted:
            handler = before[noted[0]]
            if callable(handler):
                handler(noted[0], None)
            else:  # SIG_DFL: what the signal would have done, now
                signal.raise_signal(noted[0])
