"""A notebook run top to bottom in a live kernel, as a learner runs it in Jupyter (not for a
static page), and kept open: a test then does what the learner does next -- types an answer
into a new cell, moves a slider, runs a check -- and reads what comsim answers.

    with LiveNotebook(path) as live:
        reply = live.run("print(rule.check(my_function))")

Each :meth:`LiveNotebook.run` is one new cell at the end of the notebook, in the same kernel;
an error in it fails the test with the traceback (nbclient's ``CellExecutionError``).
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import nbformat

from comsim.publish import execute


class LiveNotebook:
    """``path`` executed in a fresh kernel (cwd: its folder), left running for :meth:`run`."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.nb = nbformat.read(self.path, as_version=4)
        self.client = execute.notebook_client(self.nb, self.path.parent)
        self._stack = ExitStack()

    def __enter__(self) -> LiveNotebook:
        self._stack.enter_context(self.client.setup_kernel())
        try:
            for index, cell in enumerate(self.nb.cells):
                self.client.execute_cell(cell, index)
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()

    def run(self, source: str) -> str:
        """Run ``source`` as a new cell; what it printed and displayed, as plain text."""
        cell = nbformat.v4.new_code_cell(source)
        self.nb.cells.append(cell)
        self.client.execute_cell(cell, len(self.nb.cells) - 1)
        return "\n".join(_text(output) for output in cell.outputs)


def _text(output) -> str:
    if output.output_type == "stream":
        return output.text
    return output.get("data", {}).get("text/plain", "")
