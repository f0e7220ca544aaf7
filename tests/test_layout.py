"""The package's layout: layers as folders, each importing only the layers below it, and no
module that changes global state when it is imported."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "comsim"
# Each layer and the layers it may import (besides itself). The command line and the package's
# __init__ sit on top and may import any layer.
LAYERS = {
    "model": set(),
    "engines": {"model"},
    "figures": {"model", "engines"},
    "teaching": {"model", "engines", "figures"},
    "publish": {"model", "engines", "figures", "teaching"},
}


def _imported_layers(path: Path) -> set[tuple[str, int]]:
    """The comsim layers that ``path`` imports (relative or absolute), with the line."""
    layer_depth = len(path.relative_to(PACKAGE).parts) - 1  # 1 inside a layer folder
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom):
            if node.level == 0 and (node.module or "").startswith("comsim"):
                names = [node.module]
            elif node.level > layer_depth:  # out of this layer: ..figures.memory, .. import x
                target = (node.module or "").split(".")[0]
                names = [f"comsim.{target}"] if target else [f"comsim.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.startswith("comsim")]
        for name in names:
            parts = name.split(".")
            if len(parts) > 1 and parts[1] in LAYERS:
                found.add((parts[1], node.lineno))
    return found


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_a_layer_imports_only_the_layers_below_it(layer):
    wrong = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for imported, line in _imported_layers(path):
            if imported != layer and imported not in LAYERS[layer]:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports comsim.{imported}")
    assert not wrong, f"comsim.{layer} may import only {sorted(LAYERS[layer])}:\n" + "\n".join(
        wrong
    )


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_each_layer_says_what_it_holds_and_what_it_may_import(layer):
    doc = ast.get_docstring(ast.parse((PACKAGE / layer / "__init__.py").read_text()))
    assert doc and "import" in doc.lower(), (
        f"comsim/{layer}/__init__.py needs a docstring saying so"
    )


@pytest.mark.slow
def test_importing_every_module_leaves_matplotlib_and_ipython_alone():
    """rcParams and IPython's display formatters are the same before and after importing every
    comsim module (in a fresh interpreter, inside an IPython shell)."""
    modules = sorted(
        ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts)
        for p in PACKAGE.rglob("*.py")
        if p.name != "__main__.py"
    )
    code = f"""
import importlib, matplotlib
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
def formatters():
    return {{k: (dict(f.type_printers), dict(f.deferred_printers))
            for k, f in shell.display_formatter.formatters.items()}}
before_rc, before_fmt = dict(matplotlib.rcParams), formatters()
for name in {modules!r}:
    importlib.import_module(name.replace("/", "."))
after_rc = dict(matplotlib.rcParams)
changed = sorted(k for k in before_rc if before_rc[k] != after_rc.get(k))
assert not changed, f"rcParams changed on import: {{changed[:8]}}"
assert formatters() == before_fmt, "IPython's display formatters changed on import"
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
