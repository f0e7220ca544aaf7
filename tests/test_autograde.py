"""Notebook 07's take-home graded from a folder: a right submission scores full marks, a wrong
one loses the criterion it breaks, a hanging one is stopped and the grader goes on, and a
snooping one can read neither the other submissions nor the key, cannot stop the grader and
cannot change a grade."""

from __future__ import annotations

import inspect
import os
import time
from pathlib import Path

import nbformat
import pytest

import comsim
from comsim.publish import autograde
from comsim.publish.assignment.grade import grade_folder, grade_submission, rubric
from comsim.publish.assignment.sandbox import Limits, Sandbox
from comsim.teaching.quiz import reference_cache

FAST = Limits(seconds=3.0, memory_mib=256)
HANG = Limits(seconds=1.0, memory_mib=256)  # a hang is stopped the same at any limit: wait less
RIGHT = inspect.getsource(reference_cache.ReferenceBlanketCache).replace(
    "class ReferenceBlanketCache", "class BlanketCache"
)
# The notebook's skeleton: a new copy on every call (the KB's loop), clear() releases nothing.
WRONG = """
class BlanketCache:
    def __init__(self, pItf):
        self.pItf = pItf

    def get(self, authn_level, imp_level, principal=None):
        pCS = self.pItf.QueryInterface("IClientSecurity")
        pCopy = pCS.CopyProxy(self.pItf)
        pCS.SetBlanket(pCopy, authn_level, imp_level, principal)
        pCS.Release()
        return pCopy

    def clear(self):
        pass
"""
HANGING = RIGHT.replace(
    "        if setting not in self.copies:", "        while True:\n            pass"
)
SLEEPING = "import time\n" + RIGHT.replace(
    "        self.copies = {}", "        self.copies = {}\n        time.sleep(600)"
)
HANGS_ON_LOAD = "while True:\n    pass\n"
GREEDY = "hoard = bytearray(2 << 30)\n" + RIGHT


def _snooper(secrets: list[Path], grades: Path) -> str:
    """A right cache whose builder first tries every way out of its sandbox; anything it
    manages to read goes into an exception, which would show in its feedback."""
    return f"""
import os, signal
STOLEN = []
def attempt(what, action):
    try:
        STOLEN.append((what, action()))
    except BaseException as error:
        pass
for path in {[str(p) for p in secrets]!r}:
    attempt("read " + path, lambda: open(path).read())
attempt("list", lambda: os.listdir({str(secrets[0].parent)!r}))
attempt("write", lambda: open({str(grades)!r}, "w").write("snooper,10,10,10,10,10,10,100"))
attempt("import comsim", lambda: __import__("comsim.teaching.quiz.reference_cache"))
attempt("subprocess", lambda: __import__("subprocess").run(["id"]))
attempt("system", lambda: os.system("touch /tmp/comsim-snooped"))
attempt("kill", lambda: os.kill(os.getppid(), signal.SIGKILL))
attempt("proc", lambda: open("/proc/%d/cmdline" % os.getppid()).read())
""" + RIGHT.replace(
        "        self.copies = {}",
        "        self.copies = {}\n"
        "        if STOLEN:\n"
        "            raise RuntimeError(repr(STOLEN))",
    )


# The skeleton, which first writes on every descriptor the answers a passing cache would give.
FORGER = (
    "import os\n"
    "for fd in range(3, 10):\n"
    '    for line in (b\'{"done": null}\\n\', b\'{"done": ["get", "clear"]}\\n\'):\n'
    "        try:\n"
    "            os.write(fd, line)\n"
    "        except OSError:\n"
    "            pass\n"
) + WRONG


def _grade(tmp_path: Path, name: str, source: str, limits: Limits = FAST):
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    return grade_submission(path, limits)


def _scores(grade) -> dict[str, int]:
    return {s.criterion.key: s.points for s in grade.scores}


def test_a_right_submission_scores_every_criterion(tmp_path):
    grade = _grade(tmp_path, "right", RIGHT)
    assert grade.points == rubric().points, grade.text()
    assert all(s.note == "passed" for s in grade.scores)


def test_a_wrong_submission_loses_the_criterion_it_breaks(tmp_path):
    grade = _grade(tmp_path, "wrong", WRONG)
    scores = {s.criterion.key: s for s in grade.scores}
    assert scores["builds"].points == 1
    assert scores["reuse"].points == 0 and "new copy" in scores["reuse"].note
    assert grade.points < rubric().points


# A reader's submission: the cache keyed on the levels, not the whole setting (the principal).
PARTIAL_KEY = """
class BlanketCache:
    def __init__(self, pItf):
        self.pItf, self.copies = pItf, {}

    def get(self, authn_level, imp_level, principal=None):
        key = (authn_level, imp_level)
        if key not in self.copies:
            pCS = self.pItf.QueryInterface("IClientSecurity")
            self.copies[key] = pCS.CopyProxy(self.pItf)
            pCS.SetBlanket(self.copies[key], authn_level, imp_level, principal)
            pCS.Release()
        self.copies[key].AddRef()
        return self.copies[key]

    def clear(self):
        for copy in self.copies.values():
            copy.Release()
        self.copies.clear()
"""


def test_a_cache_keyed_on_part_of_the_setting_loses_its_points(tmp_path):
    grade = _grade(tmp_path, "partial", PARTIAL_KEY)
    assert grade.points < rubric().points, grade.text()
    assert "whole setting" in grade.text(), grade.text()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("source", "criterion"),
    [(HANGING, "copies"), (SLEEPING, "builds"), (HANGS_ON_LOAD, "builds")],
    ids=["endless-loop-in-get", "sleeps-in-init", "endless-loop-on-load"],
)
def test_a_hanging_submission_is_stopped_at_its_time_limit(tmp_path, source, criterion):
    started = time.monotonic()
    grade = _grade(tmp_path, "hangs", source, HANG)
    assert time.monotonic() - started < HANG.seconds + 3
    assert _scores(grade)[criterion] == 0
    assert grade.points < rubric().points


def test_a_submission_that_takes_too_much_memory_fails_and_the_grader_goes_on(tmp_path):
    grade = _grade(tmp_path, "greedy", GREEDY)
    assert grade.points == 0
    assert "MemoryError" in grade.text()


def test_a_snooping_submission_reads_nothing_stops_nothing_and_forges_nothing(tmp_path):
    folder = tmp_path / "submissions"
    folder.mkdir()
    (folder / "alice.py").write_text(RIGHT + "\n# alice's secret: 7f3a9c\n")
    (folder / "bob.py").write_text(WRONG)
    key = Path(reference_cache.__file__)
    grades_csv = tmp_path / "grades.csv"
    (folder / "mallory.py").write_text(_snooper([folder / "alice.py", key], grades_csv))
    grades = {g.student: g for g in grade_folder(folder, FAST)}
    mallory = grades["mallory"]
    # Every attempt was refused, so the snooper's builder ran as a right cache would.
    assert mallory.points == rubric().points, mallory.text()
    assert "7f3a9c" not in mallory.text() and "ReferenceBlanketCache" not in mallory.text()
    refused = "\n".join(mallory.refused)
    for event in ("open", "os.listdir", "import", "os.kill"):
        assert event in refused
    assert not grades_csv.exists() and not Path("/tmp/comsim-snooped").exists()
    # The others' grades are their own.
    assert grades["alice"].points == rubric().points and grades["bob"].points < rubric().points


def test_a_submission_cannot_forge_its_grade_on_the_graders_pipe(tmp_path):
    wrong = _grade(tmp_path, "wrong", WRONG)
    forger = _grade(tmp_path, "forger", FORGER)
    assert forger.points <= wrong.points < rubric().points


def test_the_sandbox_runs_as_nobody_when_the_grader_is_root(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("the grader drops to nobody only when it runs as root")
    probe = "import os\nclass BlanketCache:\n    def __init__(self, pItf):\n" + (
        "        raise RuntimeError('uid=%d' % os.getuid())\n"
    )
    assert "uid=65534" in _grade(tmp_path, "probe", probe).text()


def test_the_command_grades_a_folder_into_a_table_and_feedback(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "right.py").write_text(RIGHT)
    (folder / "broken.py").write_text("class BlanketCache(:\n")
    out = tmp_path / "out"
    assert autograde.main([str(folder), "--out", str(out), "--seconds", "3"]) == 0
    rows = (out / "grades.csv").read_text().splitlines()
    assert rows[0].startswith("student,builds (/1),copies (/3)")
    assert rows[1].startswith("broken,0,") and rows[1].endswith(",0")
    assert rows[2].startswith("right,1,3,") and rows[2].endswith(f",{rubric().points}")
    assert "SyntaxError" in (out / "broken.txt").read_text()
    assert "10/10" in capsys.readouterr().out


def test_the_command_refuses_a_missing_folder(tmp_path, capsys):
    assert autograde.main([str(tmp_path / "nowhere")]) == 1
    assert "no folder of submissions" in capsys.readouterr().err


def test_notebook_07_tells_the_learner_what_to_hand_in_and_how_it_is_graded(repo_root):
    """The take-home's instructions are in 07: the file to submit, each criterion of the rubric
    with its points, partial credit, and the command to grade one's own file first."""
    nb = nbformat.read(repo_root / "notebooks" / "07_check_yourself.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    hand_in = text.split("## Hand it in", 1)[1]
    assert "YOURNAME.py" in hand_in and "partial credit" in hand_in
    for criterion in rubric().criteria:
        assert f"| {criterion.title} | {criterion.points} |" in hand_in, criterion.key
    assert f"| **total** | **{rubric().points}** |" in hand_in
    assert "python -m comsim.publish.autograde my-hand-in" in hand_in
    assert "quiz.check_cache(BlanketCache)" in hand_in


def test_closing_a_sandbox_whose_submission_waits_on_a_pointer_call_never_raises():
    """The checker's time budget can end a check while the submission's get() waits for the
    grader to answer a pointer call; close() then says bye, which the submission reads as that
    call's answer. A race that failed `make test` once (a KeyError out of close()), made
    certain here: the pointer call is left unanswered on purpose."""
    sandbox = Sandbox(HANGING, rubric().class_name, FAST)
    try:
        sandbox.load()
        pItf = comsim.Process().CoCreateInstanceEx("SimpleObject", "IStream")
        cache = sandbox.cache_class()(pItf)
        sandbox._send(
            {
                "op": "call",
                "method": "get",
                "kwargs": {"authn_level": "connect", "imp_level": "identify"},
            }
        )
        waiting = sandbox._receive(time.monotonic() + 5)
        assert waiting.get("op") == "invoke" and cache is not None
    finally:
        refused = sandbox.close()
    assert isinstance(refused, list)
    assert sandbox.process.poll() is not None
