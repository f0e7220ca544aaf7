"""Figures drawn with matplotlib from traces and snapshots: the figure style (:mod:`.style`), the
axes and units (:mod:`.scales`), memory plots (:mod:`.memory`), the explorer's plot
(:mod:`.explorer_plot`), the object graph (:mod:`.graph`), the heap map (:mod:`.heapmap`), alt
text that states each figure's numbers (:mod:`.alt`) and PNG output (:mod:`.png`).

May import comsim.model and comsim.engines; no widgets. Importing it changes no global state:
the style is applied by ``comsim.setup()`` or a ``with styled(...)`` block, and every figure
function draws in the course's style either way.

The names below are what notebooks and the layers above use: ``from comsim import figures``,
then ``figures.memory_figure(trace)``.
"""

from .alt import alt_text
from .explorer_plot import ExplorerPlot, ModelCounts, ModelPanel
from .graph import ObjectGraphPlot
from .heapmap import heap_map_figure
from .memory import (
    MemoryPlot,
    breakdown_figure,
    memory_figure,
    page_steps_figure,
    perfmon_figure,
    sweep_figure,
)
from .png import figure_png, png_with_alt, register_ipython_display
from .scales import MemoryLimits, check_x, mib
from .style import (
    OKABE_ITO,
    SERIES_COLORS,
    STRATEGY_STYLE,
    STYLES,
    ComsimFigure,
    current_style,
    new_figure,
    series_style,
    styled,
    use_style,
)

__all__ = [
    "OKABE_ITO",
    "SERIES_COLORS",
    "STRATEGY_STYLE",
    "STYLES",
    "ComsimFigure",
    "ExplorerPlot",
    "MemoryLimits",
    "MemoryPlot",
    "ModelCounts",
    "ModelPanel",
    "ObjectGraphPlot",
    "alt_text",
    "breakdown_figure",
    "check_x",
    "current_style",
    "figure_png",
    "heap_map_figure",
    "memory_figure",
    "mib",
    "new_figure",
    "page_steps_figure",
    "perfmon_figure",
    "png_with_alt",
    "register_ipython_display",
    "series_style",
    "styled",
    "sweep_figure",
    "use_style",
]
