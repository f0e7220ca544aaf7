"""The data tables in ``data/`` (parameters, scenarios, claims, sources), read once and checked
at load.

Each table is a UTF-8 CSV file with a header. :func:`read_rows` returns its rows as dicts and
refuses, with a :class:`TableError` that names the file, the row and the rule, a file that
cannot be read, a missing column, an empty table or a duplicate key. The caller checks each
row's own rules through :func:`row_error`, which words its errors the same way.

Nothing here imports the rest of comsim, so the command line can catch a :class:`TableError`
before anything else loads.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path


class TableError(ValueError):
    """A data table that the course cannot use as it stands: the message names the file, the
    row (as a spreadsheet numbers it, the header being row 1) and the rule it breaks."""


def row_error(path: Path, line: int, key: str, rule: str) -> TableError:
    """The error for row ``line`` of ``path`` (whose first column is ``key``)."""
    return TableError(f"{_shown(path)}, row {line} ({key!r}): {rule}")


def read_rows(path: Path, columns: Iterable[str], key: str = "name") -> list[tuple[int, dict]]:
    """``(row number, row)`` for each row of ``path``; every column in ``columns`` present and
    the ``key`` column filled in and unique."""
    columns = tuple(columns)
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames or []
            rows = [(number, row) for number, row in enumerate(reader, start=2)]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise TableError(f"{_shown(path)} cannot be read: {error}") from None
    missing = [c for c in columns if c not in header]
    if missing:
        raise TableError(
            f"{_shown(path)}: the header lacks the column(s) {', '.join(missing)} "
            f"(it has: {', '.join(header) or 'nothing'})"
        )
    if not rows:
        raise TableError(f"{_shown(path)} has a header but no rows")
    first_seen: dict[str, int] = {}
    for number, row in rows:
        if None in row or any(row.get(c) is None for c in columns):
            raise row_error(path, number, row.get(key) or "", "has a different number of fields")
        name = row[key].strip()
        if not name:
            raise row_error(path, number, name, f"the {key} column is empty")
        if name in first_seen:
            raise row_error(path, number, name, f"repeats row {first_seen[name]}; keep one")
        first_seen[name] = number
    return rows


def _shown(path: Path) -> str:
    """``data/name.csv``, as the reader finds it in the checkout, whatever the install."""
    return f"data/{Path(path).name}" if Path(path).parent.name in {"data"} else str(path)
