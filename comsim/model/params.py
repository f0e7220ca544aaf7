"""Model parameters: every default, its unit and where it comes from.

The single source is ``data/parameters.csv``. Each row carries a provenance *tag*:

- ``documented``   -- stated by Microsoft (the KB article, SDK docs, heap parameters);
- ``wine-reactos`` -- seen in the Wine or ReactOS reimplementations, not in Windows itself;
- ``inferred``     -- our reasoning from documented facts, or a choice of the model;
- ``hypothesis``   -- no source: a free parameter the learner may move.

Nothing here imports the model; the model reads its numbers from :class:`Params`.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from . import checks
from .tables import TableError, read_rows, row_error
from .text import interval

TAGS = ("documented", "wine-reactos", "inferred", "hypothesis")

# data/ of the checkout, installed as the package comsim.data (see pyproject.toml).
DATA_DIR = Path(str(resources.files("comsim.data")))
PARAMETERS_CSV = DATA_DIR / "parameters.csv"
SCENARIOS_CSV = DATA_DIR / "scenarios.csv"


@dataclass(frozen=True)
class Parameter:
    """One row of ``data/parameters.csv``: a default with its unit, allowed range and source."""

    name: str
    value: int | float
    unit: str
    type: str  # "int" or "float"
    low: float
    high: float
    low_open: bool
    high_open: bool
    tag: str
    source: str
    meaning: str
    source_key: str = ""  # a key of comsim.model.sources.SOURCES ("" when the source is ours)

    @property
    def range_text(self) -> str:
        """The allowed range in interval notation, e.g. ``(0, 1]``."""
        return interval(self.low, self.high, self.low_open, self.high_open)

    def check(self, value: object) -> int | float:
        """Return ``value`` if it is allowed here, else raise TypeError/ValueError naming it."""
        return checks.number(
            self.name, value, self.type, self.low, self.high, self.low_open, self.high_open
        )


COLUMNS = ("name", "value", "unit", "type", "range", "tag", "source", "source_key", "meaning")
_RANGE = re.compile(r"([\[(])\s*([^,\s]+)\s*,\s*([^,\s\])]+)\s*([\])])")


def load_parameters(path: Path = PARAMETERS_CSV) -> dict[str, Parameter]:
    """Read ``data/parameters.csv`` into Parameter rows, keyed by name, in file order; a row
    that breaks a rule (see :func:`_parameter`) raises :class:`TableError` naming it."""
    return {row["name"]: _parameter(path, line, row) for line, row in read_rows(path, COLUMNS)}


def _parameter(path: Path, line: int, row: dict) -> Parameter:
    """One row as a Parameter: a known type and tag, a range in interval notation, and a
    default that parses as the type and lies inside its own range."""
    name = row["name"].strip()

    def broken(rule: str) -> TableError:
        return row_error(path, line, name, rule)

    if row["type"] not in ("int", "float"):
        raise broken(f"type must be 'int' or 'float'; got {row['type']!r}")
    if row["tag"] not in TAGS:
        raise broken(f"tag must be one of {', '.join(TAGS)}; got {row['tag']!r}")
    match = _RANGE.fullmatch(row["range"].strip())
    try:
        low, high = float(match[2]), float(match[3])
        value = int(row["value"]) if row["type"] == "int" else float(row["value"])
    except (TypeError, ValueError):
        raise broken(
            f"range must read like [0, 1] or (0, 1] and value must be {row['type']}; got "
            f"range {row['range']!r}, value {row['value']!r}"
        ) from None
    parameter = Parameter(
        name=name,
        value=value,
        unit=row["unit"],
        type=row["type"],
        low=low,
        high=high,
        low_open=match[1] == "(",
        high_open=match[4] == ")",
        tag=row["tag"],
        source=row["source"],
        meaning=row["meaning"],
        source_key=row["source_key"].strip(),
    )
    try:
        parameter.check(value)
    except (TypeError, ValueError) as error:
        raise broken(f"the default is outside its own range: {error}") from None
    return parameter


PARAMETERS: dict[str, Parameter] = load_parameters()


def _default(name: str):
    if name not in PARAMETERS:
        raise TableError(f"data/parameters.csv has no row for {name!r}, which the model needs")
    return dataclasses.field(default=PARAMETERS[name].value)


@dataclass(frozen=True)
class Params:
    """All numbers of one simulated client process. Defaults come from ``data/parameters.csv``.

    Build with :meth:`Params.make` (validates) rather than the constructor.
    """

    iterations: int = _default("iterations")
    tightness: float = _default("tightness")
    blankets: int = _default("blankets")
    seed: int = _default("seed")
    interface_proxy_bytes: int = _default("interface_proxy_bytes")
    transient_bytes_per_call: int = _default("transient_bytes_per_call")
    proxy_manager_bytes: int = _default("proxy_manager_bytes")
    iteration_cpu_us: int = _default("iteration_cpu_us")
    iteration_cpu_jitter: float = _default("iteration_cpu_jitter")
    reaper_bytes_per_cpu_ms: int = _default("reaper_bytes_per_cpu_ms")
    reaper_latency_ms: int = _default("reaper_latency_ms")
    base_private_bytes: int = _default("base_private_bytes")
    page_bytes: int = _default("page_bytes")
    heap_block_granularity_bytes: int = _default("heap_block_granularity_bytes")
    heap_segment_reserve_bytes: int = _default("heap_segment_reserve_bytes")
    heap_segment_commit_bytes: int = _default("heap_segment_commit_bytes")
    heap_initial_commit_bytes: int = _default("heap_initial_commit_bytes")
    heap_segment_header_bytes: int = _default("heap_segment_header_bytes")
    decommit_free_block_bytes: int = _default("decommit_free_block_bytes")
    decommit_total_free_bytes: int = _default("decommit_total_free_bytes")
    idle_tail_ms: int = _default("idle_tail_ms")
    idle_sample_ms: int = _default("idle_sample_ms")

    @classmethod
    def make(cls, **overrides: object) -> Params:
        """Defaults with ``overrides`` applied; unknown names, wrong types or ranges raise."""
        values = {}
        for name, value in overrides.items():
            if name not in PARAMETERS:
                raise TypeError(f"unknown parameter {name!r}; choose from: {', '.join(PARAMETERS)}")
            values[name] = PARAMETERS[name].check(value)
        params = cls(**values)
        params._check_relations()
        return params

    def replace(self, **overrides: object) -> Params:
        """A copy with some values changed, validated like :meth:`make`."""
        current = dataclasses.asdict(self)
        current.update(overrides)
        return Params.make(**current)

    def _check_relations(self) -> None:
        """Checks that involve two parameters at once (a block must fit in a segment)."""
        usable = self.heap_segment_reserve_bytes - self.heap_segment_header_bytes
        first = self.block_bytes(self.proxy_manager_bytes) + 2 * self.block_bytes(
            self.interface_proxy_bytes
        )
        if first > usable:
            raise ValueError(
                "interface_proxy_bytes and proxy_manager_bytes must fit in one heap segment: "
                f"2*{self.interface_proxy_bytes} + {self.proxy_manager_bytes} > "
                f"heap_segment_reserve_bytes - heap_segment_header_bytes = {usable}"
            )
        if self.heap_segment_reserve_bytes % self.page_bytes:
            raise ValueError(
                f"heap_segment_reserve_bytes must be a whole number of pages "
                f"(a multiple of page_bytes = {self.page_bytes}); got "
                f"{self.heap_segment_reserve_bytes}"
            )
        if self.heap_segment_commit_bytes > self.heap_segment_reserve_bytes:
            raise ValueError(
                "heap_segment_commit_bytes must be <= heap_segment_reserve_bytes; got "
                f"{self.heap_segment_commit_bytes} > {self.heap_segment_reserve_bytes}"
            )
        if self.heap_initial_commit_bytes > self.heap_segment_reserve_bytes:
            raise ValueError(
                "heap_initial_commit_bytes must be <= heap_segment_reserve_bytes; got "
                f"{self.heap_initial_commit_bytes} > {self.heap_segment_reserve_bytes}"
            )
        if self.heap_segment_header_bytes >= self.heap_initial_commit_bytes:
            raise ValueError(
                "heap_segment_header_bytes must be < heap_initial_commit_bytes (the segment "
                f"header lives in the first commit); got {self.heap_segment_header_bytes} >= "
                f"{self.heap_initial_commit_bytes}"
            )

    def block_bytes(self, request: int) -> int:
        """Heap block size for a request: rounded up to the heap's granularity."""
        g = self.heap_block_granularity_bytes
        return -(-request // g) * g


def parameter_table():
    """All parameters as a pandas DataFrame (name, value, unit, range, tag, source, source_key,
    meaning). ``source_key`` names a section of docs/sources.md (empty for our own choices)."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "name": p.name,
                "value": p.value,
                "unit": p.unit,
                "range": p.range_text,
                "tag": p.tag,
                "source": p.source,
                "source_key": p.source_key,
                "meaning": p.meaning,
            }
            for p in PARAMETERS.values()
        ]
    )


def _check_defaults() -> None:
    """The defaults together must make a valid process (a block fits in a segment, ...)."""
    try:
        Params.make()
    except (TypeError, ValueError) as error:
        raise TableError(f"data/parameters.csv: the defaults break a rule: {error}") from None


_check_defaults()
