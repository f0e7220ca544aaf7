"""The reverse of the KB's shape: a part that keeps its whole alive, and its cure.

A NumPy view of a few rows of a big array keeps the whole base array alive after ``del big``
(the part you keep holds the whole); ``big[:k].copy()`` is NumPy's cure, where CopyProxy was
the KB's cause.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...model import checks
from ...model.text import number
from .meter import MAX_HELD_BYTES, MIB, ROW_BYTES, Meter, Reading, Readings


@dataclass(frozen=True)
class ViewResult(Readings):
    """A few rows kept as a *view* of a big array: the view keeps the whole base alive."""

    base_bytes: int  # the big array's data
    view_bytes: int  # the rows the caller wanted to keep
    with_base: Reading  # big array and view both referenced
    after_del_base: Reading  # `del big`; the view still referenced
    after_del_view: Reading  # `del view` too: the base's last reference is gone

    @property
    def held_fraction(self) -> float:
        """Share of the base array still held after `del big` (1.0 = all of it)."""
        return self.after_del_base.traced_bytes / self.base_bytes

    def describe(self) -> str:
        """One line with the measured numbers."""
        gone = self.after_del_view
        resident = (
            ""
            if gone.resident_bytes is None
            else f", resident {number(gone.resident_bytes / MIB, 'MiB', 1)}"
        )
        return (
            f"A view of {number(self.view_bytes // ROW_BYTES)} rows ({number(self.view_bytes)} "
            f"bytes of data) kept {number(self.after_del_base.traced_bytes / MIB, 'MiB', 1)} "
            f"alive after `del big` ({self.held_fraction:.0%} of the "
            f"{number(self.base_bytes / MIB, 'MiB', 0)} base); after `del view`: traced "
            f"{number(gone.traced_bytes / MIB, 'MiB', 2)}{resident} above the start."
        )


@dataclass(frozen=True)
class CopyResult(Readings):
    """NumPy's cure: copy out the rows you keep, then release the big array."""

    base_bytes: int
    copy_bytes: int  # the copied rows: a new, small array with no base
    with_base: Reading  # big array and the copy both referenced
    after_del_base: Reading  # `del big`; the copy still referenced
    after_del_copy: Reading

    def describe(self) -> str:
        """One line with the measured numbers."""
        return (
            f"After `kept = big[:k].copy()` and `del big`, "
            f"{number(self.after_del_base.traced_bytes / MIB, 'MiB', 2)} stayed "
            f"(the {number(self.copy_bytes)}-byte copy) of the "
            f"{number(self.base_bytes / MIB, 'MiB', 0)} base."
        )


def _base_rows(base_mib: object, rows_kept: object) -> tuple[int, int]:
    base_mib = checks.number("base_mib", base_mib, "int", 1, MAX_HELD_BYTES // MIB)
    rows = base_mib * MIB // ROW_BYTES
    rows_kept = checks.number("rows_kept", rows_kept, "int", 1, rows // 10)
    return rows, rows_kept


def view_keeps_base(base_mib: int = 64, rows_kept: int = 3) -> ViewResult:
    """Make a ``base_mib`` MiB array, keep ``rows_kept`` rows as a view, `del` the array, then
    the view; measure after each step."""
    rows, rows_kept = _base_rows(base_mib, rows_kept)
    with Meter() as meter:
        big = np.ones((rows, ROW_BYTES // 8))  # ones, not empty: its pages are really touched
        view = big[:rows_kept]  # a view: view.base is big
        base_bytes, view_bytes = big.nbytes, view.nbytes
        with_base = meter.read("big array and its view")
        del big  # our name goes; the view's reference to its base remains
        after_del_base = meter.read("after del big (view kept)")
        del view
        after_del_view = meter.read("after del view")
    return ViewResult(base_bytes, view_bytes, with_base, after_del_base, after_del_view)


def copy_frees_base(base_mib: int = 64, rows_kept: int = 3) -> CopyResult:
    """NumPy's cure: ``kept = big[:rows_kept].copy()``, then `del big` frees the base at once."""
    rows, rows_kept = _base_rows(base_mib, rows_kept)
    with Meter() as meter:
        big = np.ones((rows, ROW_BYTES // 8))
        kept = big[:rows_kept].copy()  # its own small buffer: kept.base is None
        base_bytes, copy_bytes = big.nbytes, kept.nbytes
        with_base = meter.read("big array and the copy")
        del big
        after_del_base = meter.read("after del big (copy kept)")
        del kept
        after_del_copy = meter.read("after del copy")
    return CopyResult(base_bytes, copy_bytes, with_base, after_del_base, after_del_copy)
