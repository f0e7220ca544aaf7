"""Today's cases for people: tables of the readings and a bar chart with its alt text."""

from __future__ import annotations

import textwrap

import numpy as np

from ...model.text import number
from .meter import MIB, Readings
from .wholes import WholeKeepsParts


def _mib_text(n_bytes: int | None) -> str:
    if n_bytes is None:
        return "—"
    if abs(n_bytes) >= MIB // 10:
        return number(n_bytes / MIB, "MiB", 1)
    return number(n_bytes / 1024, "KiB", 0)


def cases_frame(results: list[WholeKeepsParts]):
    """Several :class:`~.wholes.WholeKeepsParts` as a table for people: parts held and MiB
    traced after the caller released every part, and after the whole went."""
    import pandas as pd

    return pd.DataFrame(
        {
            "case": [r.case + (" — fixed" if r.fixed else "") for r in results],
            "the loop": [r.how for r in results],
            "parts made": [number(r.parts_made) for r in results],
            "parts still held": [number(r.parts_held) for r in results],
            "traced after the caller released them": [
                _mib_text(r.after_parts_released.traced_bytes) for r in results
            ],
            "then what gives the parts back": [r.whole_goes for r in results],
            "traced after": [_mib_text(r.after_whole_released.traced_bytes) for r in results],
        }
    )


def readings_frame(result: Readings):
    """The readings of one experiment as a pandas DataFrame, in MiB above the start."""
    import pandas as pd

    return pd.DataFrame(
        {
            "step": [r.label for r in result.readings()],
            "traced (MiB)": [r.traced_bytes / MIB for r in result.readings()],
            "resident (MiB)": [
                None if r.resident_bytes is None else r.resident_bytes / MIB
                for r in result.readings()
            ],
        }
    ).round(2)


def readings_alt_text(results: dict[str, Readings], title: str) -> str:
    """What :func:`readings_figure` shows, with its numbers, for screen readers."""
    panels = "; ".join(
        f"{name}: "
        + ", ".join(
            f"{r.label} {number(r.traced_bytes / MIB, 'MiB', 1)}" for r in result.readings()
        )
        for name, result in results.items()
    )
    return f"{title}. Traced memory above the start, {panels}."


def readings_figure(results: dict[str, Readings], title: str):
    """Bar chart of the measured memory at each step, one panel per experiment: traced bytes
    (tracemalloc) and, where the platform gives it, the change in resident memory (RSS).
    The figure's alt text (``fig.comsim_alt``) states the traced numbers."""
    from ...figures import OKABE_ITO, new_figure  # matplotlib only when a chart is drawn

    fig = new_figure(4.2 * len(results) + 0.8, 4.0)
    axes = np.atleast_1d(fig.subplots(1, len(results), sharey=True))
    width = 0.4
    for ax, (name, result) in zip(axes, results.items(), strict=True):
        readings = result.readings()
        x = np.arange(len(readings))
        traced = [r.traced_bytes / MIB for r in readings]
        bars = ax.bar(x - width / 2, traced, width, color=OKABE_ITO["blue"], label="traced")
        ax.bar_label(bars, fmt="%.1f", fontsize="small")
        if all(r.resident_bytes is not None for r in readings):
            resident = [r.resident_bytes / MIB for r in readings]
            bars = ax.bar(
                x + width / 2,
                resident,
                width,
                color=OKABE_ITO["orange"],
                hatch="//",
                label="resident (RSS, the working set) change",
            )
            ax.bar_label(bars, fmt="%.1f", fontsize="small")
        ax.set_xticks(x, [textwrap.fill(r.label, 16) for r in readings], fontsize="small")
        ax.set_title(name)
        ax.axhline(0, color=OKABE_ITO["black"], linewidth=0.8)
        ax.grid(True, axis="y", alpha=0.3)
    axes[0].set_ylabel("memory above the start (MiB)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize="small")
    fig.suptitle(title)
    fig.comsim_alt = readings_alt_text(results, title)
    return fig
