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


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"stopped by signal {signum}")


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While inside, SIGTERM raises KeyboardInterrupt (main thread only; elsewhere, or when
    SIGTERM is ignored, nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)
    if previous is signal.SIG_IGN:
        yield
        return
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back until the block ends, so that a step which must happen as a
    whole (create a temporary file and note its name for the cleanup) is not cut in two: a
    signal that arrives inside is delivered as the block ends. Where the platform cannot hold
    signals (no ``pthread_sigmask``), nothing changes."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
