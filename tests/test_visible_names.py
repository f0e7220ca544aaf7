"""A learner reads the visible code (issue 16, a fresh reader's finding): every name a visible
cell reads is defined in visible code, or the cell says in a comment what it is. Hidden cells
(``remove-input``) may make an exercise with its answers; the cell that uses it names it."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def _defined(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def _unexplained(path: Path) -> list[str]:
    """Names a visible cell reads that only a hidden cell defines and its comments never name."""
    visible, hidden, found = set(), set(), []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        tree = ast.parse("\n".join(line for line in source.splitlines() if line[:1] != "%"))
        defined = _defined(tree)
        if "remove-input" in cell["metadata"].get("tags", []):
            hidden |= defined
            continue
        comments = " ".join(line.split("#", 1)[1] for line in source.splitlines() if "#" in line)
        read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        for name in sorted((read & hidden) - visible - defined):
            if f"{name}:" not in comments and f"{name} " not in comments:
                found.append(f"{path.stem}: {name} in {cell['id']}")
        visible |= defined
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_visible_code_reads_only_names_the_learner_can_see_explained(path):
    assert _unexplained(path) == []


def test_a_name_only_a_hidden_cell_defines_is_reported(tmp_path):
    def cell(source, hidden=False):
        tags = ["remove-input"] if hidden else []
        return {"cell_type": "code", "id": source[:5], "metadata": {"tags": tags}, "source": source}

    notebook = tmp_path / "nb.ipynb"
    cells = [cell("quiz = make()", hidden=True), cell("quiz.check(1)"), cell("# quiz: above\nquiz")]
    notebook.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    assert _unexplained(notebook) == ["nb: quiz in quiz."]
