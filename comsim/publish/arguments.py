"""The builders' arguments, checked before anything runs: a notebook that is not one, an output
folder that is a file, or one inside the notebooks' folder (which would overwrite the course's
sources) is refused at once, in one line, with exit status 2 -- never after minutes of
execution, never with a traceback.

Only the standard library is imported here, so that ``--help`` and a bad argument answer at
once (the builders import nbconvert, nbclient and Jupyter Book only when they run).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path

USAGE_ERROR = 2
"""The exit status of a refused argument, as argparse uses it."""


class UsageError(ValueError):
    """An argument the builder refuses; the message says which and why, in one line."""


def refuse(prog: str, error: UsageError) -> int:
    """Print ``error`` as the one line a person reads, and return the exit status."""
    print(f"{prog}: error: {error}", file=sys.stderr)
    return USAGE_ERROR


def input_folder(path: Path, option: str) -> Path:
    """``path`` if it is an existing folder."""
    if not Path(path).is_dir():
        raise UsageError(f"{option} {str(path)!r} is not a folder")
    return Path(path)


def output_folder(path: Path, option: str, protected: Iterable[Path] = ()) -> Path:
    """``path`` if a builder may write into it: not an existing file, and not inside a
    ``protected`` folder (the notebooks', whose files are the course's sources)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise UsageError(f"{option} {str(path)!r} is a file, not a folder")
    where = path.resolve()
    for folder in protected:
        folder = Path(folder).resolve()
        if where.is_relative_to(folder):
            raise UsageError(
                f"{option} {str(path)!r} would write over the notebooks in {str(folder)!r}; "
                "choose a folder outside it"
            )
    return path


def notebook_file(path: Path) -> Path:
    """``path`` if it is a Jupyter notebook (an ``.ipynb`` file holding a notebook's JSON)."""
    path = Path(path)
    if path.suffix != ".ipynb":
        raise UsageError(f"{str(path)!r} is not a notebook (a .ipynb file)")
    if not path.is_file():
        raise UsageError(f"no such notebook: {str(path)!r}")
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UsageError(f"{str(path)!r} is not a notebook: {error}") from None
    if not isinstance(content, dict) or not {"cells", "nbformat"} <= content.keys():
        raise UsageError(f"{str(path)!r} is not a notebook: no cells or nbformat in its JSON")
    return path
