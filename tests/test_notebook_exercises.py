"""Every exercise a notebook sets (fill in the blanks, bug hunt, target practice, now you try)
answers a learner's wrong try with the hint written for it and a right try with a pass, in the
notebook's own kernel after Run All, exactly as a learner would type them (issue 16).

Each case is a learner's try, typed into a new cell below the notebook, and what comsim must
answer: its status ("right" or "wrong") and, for a wrong try, words of the hint."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from comsim.publish import execute

pytestmark = pytest.mark.kernel

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
KB_BODY = "[QueryInterface('pCS'), CopyProxy(), Release('pCS'), Release('pCopy')]"

# notebook: [(a learner's try, an expression whose value is comsim's answer), status, hint]
TRIES: dict[str, list[tuple[str, str, str]]] = {
    "01_the_symptom": [
        (
            "hunt.check([QueryInterface('pCS'), CopyProxy(), Release('pCS'), Release('pCS')])",
            "wrong",
            "Every pointer gets exactly one Release",
        ),
        (f"hunt.check({KB_BODY})", "right", ""),
        ("double_growth.check()", "wrong", "below the target"),
        ("ex.iterations.value = 40_001\ndouble_growth.check()", "right", ""),
    ],
    "02_aggregation": [
        (
            "releases.check(security_release=0, copy_release=0, proxies=1)",
            "wrong",
            "Releasing the copy does not free it",
        ),
        ("releases.check(security_release=2, copy_release=1, proxies=2)", "right", ""),
        (
            "skipped.check([QueryInterface('pCS'), CopyProxy(), Release('pCS')])",
            "wrong",
            "One reference is never given back",
        ),
        (f"skipped.check({KB_BODY})", "right", ""),
    ],
    "03_deferred_deallocation": [
        (
            "decommit_rule.check(small_block='yes', big_block='yes', big_block_little_free='yes')",
            "wrong",
            "below decommit_free_block_bytes",
        ),
        (
            "decommit_rule.check(small_block='no', big_block='yes', big_block_little_free='no')",
            "right",
            "",
        ),
        ("segments_task.check(30)", "wrong", "Segments do not come in one size"),
        ("segments_task.check(6)", "right", ""),
    ],
}

# Printed by the kernel for each try: comsim's answer as JSON (a Result, or a checkpoint's text).
_REPORT = """
import json as _json
_answer = {expression}
if isinstance(_answer, str):  # a checkpoint (now you try) answers with its feedback text
    _status = "right" if _answer.startswith("Right") else "wrong"
    print(_json.dumps({{"status": _status, "text": _answer}}))
else:
    print(_json.dumps({{"status": _answer.status, "text": str(_answer)}}))
"""


def _cell(attempt: str) -> str:
    """The learner's try as a cell: any statements, then the check whose answer is reported."""
    *before, last = attempt.split("\n")
    return "\n".join([*before, _REPORT.format(expression=last)])


@pytest.mark.parametrize("name", sorted(TRIES))
def test_each_exercise_gives_a_wrong_try_its_hint_and_a_right_try_a_pass(name, tmp_path):
    path = NOTEBOOKS_DIR / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    tries = TRIES[name]
    nb.cells += [nbformat.v4.new_code_cell(_cell(attempt)) for attempt, _, _ in tries]
    execute.notebook_client(nb, path.parent).execute()
    problems = []
    for cell, (attempt, status, hint) in zip(nb.cells[-len(tries) :], tries, strict=True):
        printed = [o.text for o in cell.outputs if o.get("name") == "stdout"]
        answer = json.loads(printed[-1]) if printed else {"status": "none", "text": cell.outputs}
        if answer["status"] != status or hint not in answer["text"]:
            problems.append(f"{attempt!r}: wanted {status} {hint!r}, got {answer}")
    assert not problems, "\n".join(problems)
