"""The KB's shape in today's Python, measured in this process rather than simulated.

KB Q216248 in one line: releasing a *part* (an interface proxy) frees nothing, because the
*whole* (the proxy manager) keeps every part it made until the whole itself goes. The general
idea is *region* (or *arena*) ownership: memory belongs to a region and comes back when the
region goes, not when one object in it is dropped. Real Python libraries have exactly that
shape (:mod:`.wholes`):

- **pyplot** keeps every figure it made in its figure manager until ``plt.close``; ``del fig``
  drops only the caller's name (:func:`pyplot_keeps_figures`);
- **logging** keeps every logger ``getLogger`` ever made in its manager, for the life of the
  process (:func:`logging_keeps_loggers`);
- **functools.lru_cache** on a method keeps every instance it was called on in the cache,
  until ``cache_clear`` (:func:`method_cache_keeps_instances`);
- :class:`Parent` is the KB's loop itself with a toy whole (:func:`parent_keeps_children`).

Each experiment can run with its fix (``fixed=True``), and returns a frozen
:class:`WholeKeepsParts` with a :class:`Reading` after the caller released every part and
another after the whole went.

A sidebar runs the *reverse* direction (:mod:`.views`): a NumPy view (a part you keep) holds
its whole base array (:func:`view_keeps_base`), and ``.copy()`` is NumPy's cure
(:func:`copy_frees_base`), where CopyProxy was the KB's cause.

How memory is measured is in :mod:`.meter`; the code an experiment runs (:func:`listing`),
tables and the bar chart of the readings in :mod:`.show`. :mod:`.fixes` lets a learner apply
a fix and checks it by what the code leaves behind (:func:`close_each_figure`,
:func:`one_logger_per_module`, :func:`report_cache_hunt`). The numbers vary by platform
and library version; what the tests rely on is the shape (held, then freed), never exact
values.
"""

from .fixes import close_each_figure, one_logger_per_module, report_cache_hunt
from .meter import MIB, ROW_BYTES, Meter, Reading, resident_memory_bytes
from .show import Listing, listing, readings_alt_text, readings_figure, readings_frame
from .views import CopyResult, ViewResult, copy_frees_base, view_keeps_base
from .wholes import (
    Parent,
    WholeKeepsParts,
    logging_keeps_loggers,
    method_cache_keeps_instances,
    parent_keeps_children,
    pyplot_keeps_figures,
)

__all__ = [
    "CopyResult",
    "Listing",
    "MIB",
    "Meter",
    "Parent",
    "ROW_BYTES",
    "Reading",
    "ViewResult",
    "WholeKeepsParts",
    "close_each_figure",
    "copy_frees_base",
    "listing",
    "logging_keeps_loggers",
    "method_cache_keeps_instances",
    "one_logger_per_module",
    "parent_keeps_children",
    "pyplot_keeps_figures",
    "readings_alt_text",
    "readings_figure",
    "readings_frame",
    "report_cache_hunt",
    "resident_memory_bytes",
    "view_keeps_base",
]
