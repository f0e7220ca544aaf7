"""Each notebook's kernel peak after its heaviest allowed call (issue 18, item 4).

For each notebook: Run All in a fresh kernel (as a learner would, widgets live), then the
heaviest call a learner may make in that kernel -- ``comsim.simulate(iterations=10_000_000)``
-- and read the kernel's own peak resident memory (VmHWM). The budget is 300 MiB.

    python -m bench.kernels [NOTEBOOK ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO_ROOT = Path(__file__).resolve().parents[1]
BUDGET_MIB = 300
HEAVIEST = "import comsim\n_ = comsim.simulate(iterations=10_000_000).frame"
PEAK = (
    "print(next(int(line.split()[1]) for line in open('/proc/self/status') "
    "if line.startswith('VmHWM:')))"
)


def kernel_peak_mib(path: Path) -> float:
    """The kernel's peak resident memory after Run All and the heaviest call, in MiB."""
    nb = nbformat.read(path, as_version=4)
    nb.cells += [nbformat.v4.new_code_cell(HEAVIEST), nbformat.v4.new_code_cell(PEAK)]
    client = NotebookClient(nb, timeout=600, allow_errors=True, resources={
        "metadata": {"path": str(path.parent)}
    })  # fmt: skip
    client.execute()
    return int(nb.cells[-1].outputs[0]["text"]) / 1024


def main(argv: list[str]) -> int:
    names = set(argv)
    paths = [
        p for p in sorted((REPO_ROOT / "notebooks").glob("*.ipynb")) if not names or p.name in names
    ]
    rows = ["| notebook | kernel peak after Run All + simulate(10,000,000) (MiB) |", "|---|---:|"]
    worst = 0.0
    for path in paths:
        peak = kernel_peak_mib(path)
        worst = max(worst, peak)
        rows.append(f"| {path.stem} | {peak:,.0f} |")
        print(rows[-1], flush=True)
    print("\n".join(rows))
    print(f"worst {worst:,.0f} MiB (budget {BUDGET_MIB} MiB)")
    return 0 if worst < BUDGET_MIB else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
