"""Today's cases for people: the code an experiment runs, tables of the readings and a bar
chart with its alt text."""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ...model.text import number
from .. import markup
from .meter import MIB, Readings


def _mib_text(n_bytes: int | None) -> str:
    if n_bytes is None:
        return "—"
    if abs(n_bytes) >= MIB // 10:
        return number(n_bytes / MIB, "MiB", 1)
    return number(n_bytes / 1024, "KiB", 0)


@dataclass(frozen=True)
class Listing:
    """Code an experiment runs, shown as a Python listing under a one-line title."""

    title: str
    code: str

    def _repr_markdown_(self) -> str:
        """Folded under its title: the page's point is the readings, and the code is there for
        whoever wants to see how they were taken (a printed handout unfolds it)."""
        return markup.render("listing.md.j2", title=self.title, code=self.code)

    def __str__(self) -> str:
        return f"{self.title}\n\n{self.code}"


def listing(experiment: Callable, fixed: bool | None = None) -> Listing:
    """The code behind one of today's experiments, read from comsim's own source so that the
    page shows what really runs: a class whole, or a function's steps from its first reading
    to its last (the ``with Meter()`` block; argument checks and the returned record left
    out).

    ``fixed=False`` shows only what runs as is and ``fixed=True`` only what runs with the fix:
    ``if fixed:`` and ``if not fixed:`` blocks (with their ``else:``) and ``a if fixed else b``
    keep the one path. So a page can show the experiment before the learner finds its fix."""
    if not (inspect.isfunction(experiment) or inspect.isclass(experiment)):
        raise TypeError(f"experiment must be one of comsim.teaching.today's; got {experiment!r}")
    if fixed is not None and not isinstance(fixed, bool):
        raise TypeError(f"fixed must be True, False or None (both paths); got {fixed!r}")
    name = f"today.{experiment.__name__}"
    lines = inspect.getsource(experiment).splitlines()
    if inspect.isclass(experiment):
        return Listing(f"`{name}`, as comsim defines it:", _tidy(lines))
    start = next((i for i, line in enumerate(lines) if "with Meter() as meter" in line), None)
    if start is None:
        raise ValueError(f"experiment must measure with Meter(); {name} does not")
    indent = _indent(lines[start])
    end = next(i for i in range(start, len(lines)) if lines[i].startswith(indent + "return"))
    parameters = inspect.signature(experiment).parameters.values()
    defaults = ", ".join(
        f"{p.name}={fixed if p.name == 'fixed' and fixed is not None else p.default!r}"
        for p in parameters
    )
    body = lines[start + 1 : end]
    return Listing(
        f"What `{name}({defaults})` runs, from its first reading of memory to its last:",
        _tidy(body if fixed is None else _one_path(body, fixed)),
    )


_TERNARY = re.compile(r"= (?P<fixed>.+?) if fixed else (?P<as_is>.+?)(?P<comment>\s+#.*)?$")
_IF_FIXED = re.compile(r"if (?P<not>not )?fixed:(\s+#.*)?$")  # a comment may follow
_ELSE = re.compile(r"else:(\s+#.*)?$")


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _block(lines: list[str], i: int, indent: str) -> tuple[list[str], int]:
    """The lines from ``i`` indented deeper than ``indent`` (blank lines included), and the
    index after them."""
    block = []
    while i < len(lines) and (not lines[i].strip() or len(_indent(lines[i])) > len(indent)):
        block.append(lines[i])
        i += 1
    return block, i


def _one_path(lines: list[str], fixed: bool) -> list[str]:
    """``lines`` with ``fixed`` known: the other path's branches left out."""
    kept: list[str] = []
    i = 0
    while i < len(lines):
        line, indent = lines[i], _indent(lines[i])
        test = _IF_FIXED.match(line.strip())
        if test:
            body, i = _block(lines, i + 1, indent)
            other: list[str] = []
            if i < len(lines) and _ELSE.match(lines[i].strip()) and _indent(lines[i]) == indent:
                other, i = _block(lines, i + 1, indent)
            chosen = body if fixed != bool(test["not"]) else other
            kept += [s.removeprefix("    ") for s in chosen]  # one level out
            continue
        ternary = _TERNARY.search(line)
        if ternary:
            chosen = ternary["fixed"] if fixed else ternary["as_is"]
            line = line[: ternary.start()] + "= " + chosen + (ternary["comment"] or "")
        kept.append(line)
        i += 1
    return kept


def _tidy(lines: list[str]) -> str:
    """Source lines as a reader sees them: dedented, without linters' marks or doubled blank
    lines (a branch left out leaves its blank line behind)."""
    code = re.sub(r"\n{3,}", "\n\n", textwrap.dedent("\n".join(lines)).strip("\n"))
    return re.sub(r"\s+# noqa\b.*$", "", code, flags=re.M)


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
