"""The command line an instructor uses to prepare material without a notebook."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import comsim.engines.scenarios
import comsim.figures
import comsim.teaching.quiz
from comsim import cli
from comsim.cli import main
from comsim.model.params import PARAMETERS_CSV


def test_simulate_prints_the_summary_and_writes_csv_and_png(tmp_path, capsys):
    csv, png = tmp_path / "run.csv", tmp_path / "run.png"
    assert (
        main(
            [
                "simulate",
                "--iterations",
                "3000",
                "--tightness",
                "0.5",
                "--strategy",
                "copy-each-time",
                "--csv",
                str(csv),
                "--png",
                str(png),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "3,000 iterations at tightness 0.5" in out
    frame = pd.read_csv(csv)
    assert frame["iteration"].max() == 3000
    assert {"time_ms", "phase", "private_bytes", "interface_proxies"} <= set(frame.columns)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_set_overrides_a_parameter_by_name(capsys):
    main(
        [
            "simulate",
            "--iterations",
            "20001",
            "--set",
            "transient_bytes_per_call=0",
            "--set",
            "interface_proxy_bytes=1024",
        ]
    )
    # Each copy is now one 1,024-byte block: growth per iteration follows, to page rounding.
    assert "(1,02" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["simulate", "--tightness", "1.5"],
            "tightness must be a finite number in [1e-06, 1]; got 1.5",
        ),
        (["simulate", "--iterations", "-5"], "iterations must be an int in [0, 10000000]; got -5"),
        (["simulate", "--set", "nonsense=1"], "unknown parameter 'nonsense'"),
        (["simulate", "--set", "seed=abc"], "--set seed must be an int"),
        (["simulate", "--set", "seed"], "--set expects name=value"),
        (["simulate", "--strategy", "leak-less"], "invalid choice: 'leak-less'"),
        (["quiz", "--seed", "-1"], "seed"),
        # issue 18, item 14: a typed flag that does not parse names its range too
        (
            ["simulate", "--iterations", "1e6"],
            "iterations must be an int in [0, 10000000]; got '1e6'",
        ),
        (["simulate", "--tightness", "abc"], "tightness must be a float in [1e-06, 1]; got 'abc'"),
        (["simulate", "--blankets", "1.5"], "blankets must be an int in [1, 1000]; got '1.5'"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message(argv, expected, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert expected in capsys.readouterr().err


def test_quiz_prints_a_problem_and_with_answers_fills_them_in(capsys):
    main(["quiz", "--seed", "7"])
    problem = capsys.readouterr().out
    main(["quiz", "--seed", "7", "--answers"])
    solved = capsys.readouterr().out
    assert "?" in problem
    assert solved != problem


def test_params_lists_every_parameter_with_its_provenance(capsys):
    main(["params"])
    out = capsys.readouterr().out
    for name in ("iterations", "interface_proxy_bytes", "decommit_total_free_bytes"):
        assert name in out
    assert "hypothesis" in out and "documented" in out


def test_python_dash_m_comsim_runs_as_a_program():
    done = subprocess.run(
        [sys.executable, "-m", "comsim", "scenarios"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "kb-tight-loop" in done.stdout


def test_a_long_run_shows_a_progress_bar(capsys):
    main(["simulate", "--iterations", "1000000"])
    assert "comsim" in capsys.readouterr().err


# -- regressions: every option is honoured, every output checked before the run -----------------
SMALL = ["simulate", "--iterations", "300"]


@pytest.fixture
def no_run(monkeypatch):
    """Fail the test if the simulation starts: the command must refuse first."""

    def refuse(*args, **kwargs):
        pytest.fail("the run started although the command line should have been refused")

    monkeypatch.setattr(comsim.engines.scenarios, "simulate", refuse)


def _refused(argv, capsys) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize(
    ("setting", "shown"),
    [
        ("tightness=0.5", "300 iterations at tightness 0.5"),
        ("iterations=250", "250 iterations at tightness 1"),
    ],
)
def test_set_takes_the_parameters_that_also_have_their_own_option(setting, shown, capsys):
    others = [] if setting.startswith("iterations") else ["--iterations", "300"]
    argv = ["simulate", "--set", setting, *others]
    assert main(argv) == 0
    assert shown in capsys.readouterr().out


def test_set_blankets_gives_the_cache_one_copy_per_blanket(capsys):
    assert main(SMALL + ["--strategy", "cache-copy", "--set", "blankets=3"]) == 0
    # the original interface proxy and one cached copy for each of the three blankets
    assert "4 interface proxies alive" in capsys.readouterr().out


def test_an_option_and_a_set_of_the_same_parameter_must_agree(capsys, no_run):
    err = _refused(SMALL + ["--tightness", "0.3", "--set", "tightness=0.5"], capsys)
    assert "--tightness 0.3" in err and "tightness=0.5" in err and "disagree" in err
    err = _refused(SMALL + ["--set", "tightness=0.5", "--set", "tightness=0.6"], capsys)
    assert "twice" in err


def test_an_option_and_a_set_that_agree_run(capsys):
    assert main(SMALL + ["--tightness", "0.5", "--set", "tightness=0.5"]) == 0
    assert "at tightness 0.5" in capsys.readouterr().out


def test_two_outputs_on_one_path_are_refused_before_the_run(tmp_path, capsys, no_run):
    same = tmp_path / "r.png"
    err = _refused(SMALL + ["--csv", str(same), "--png", str(same)], capsys)
    assert "--csv and --png both name" in err
    assert not same.exists()
    # the same file under another spelling is the same file
    err = _refused(SMALL + ["--csv", str(same), "--png", str(tmp_path / "." / "r.png")], capsys)
    assert "both name" in err


def test_an_output_that_would_overwrite_the_models_input_is_refused(capsys, no_run):
    before = PARAMETERS_CSV.read_bytes()
    err = _refused(SMALL + ["--csv", str(PARAMETERS_CSV)], capsys)
    assert "parameters.csv" in err and "input" in err
    assert PARAMETERS_CSV.read_bytes() == before


@pytest.mark.parametrize("option", ["--csv", "--png"])
def test_an_output_in_a_missing_folder_is_refused_before_the_run(option, tmp_path, capsys, no_run):
    target = tmp_path / "missing" / "x.out"
    err = _refused(["simulate", "--iterations", "10000000", option, str(target)], capsys)
    assert "does not exist" in err and str(tmp_path / "missing") in err


def test_a_bad_second_output_stops_the_run_before_the_first_is_written(tmp_path, capsys, no_run):
    csv = tmp_path / "big.csv"
    err = _refused(SMALL + ["--csv", str(csv), "--png", str(tmp_path / "nope" / "x.png")], capsys)
    assert "--png" in err
    assert not csv.exists()


@pytest.mark.parametrize("spelling", ["adir", "adir/"])
def test_a_folder_given_as_the_png_is_refused_with_a_file_name_to_use(
    spelling, tmp_path, capsys, no_run, monkeypatch
):
    (tmp_path / "adir").mkdir()
    monkeypatch.chdir(tmp_path)
    err = _refused(SMALL + ["--png", spelling], capsys)
    assert "is a folder" in err and os.path.join("adir", "run.png") in err
    assert list((tmp_path / "adir").iterdir()) == []
    assert not (tmp_path / "adir.png").exists()


def test_a_png_name_without_extension_is_written_under_exactly_that_name(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    assert main(SMALL + ["--png", "figure"]) == 0
    assert "figure: figure" in capsys.readouterr().out
    assert (tmp_path / "figure").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figure"]


def test_a_failed_write_leaves_every_file_as_it_was(tmp_path, capsys, monkeypatch):
    csv, png = tmp_path / "run.csv", tmp_path / "run.png"
    csv.write_text("the instructor's earlier run\n")

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(comsim.figures, "memory_figure", disk_full)
    assert main(SMALL + ["--csv", str(csv), "--png", str(png)]) == 1
    assert "no file was changed" in capsys.readouterr().err
    assert csv.read_text() == "the instructor's earlier run\n"  # not clobbered
    assert not png.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.csv"]  # no temporary left


def test_a_rewritten_output_keeps_its_permissions(tmp_path, capsys):
    csv = tmp_path / "run.csv"
    csv.write_text("old\n")
    csv.chmod(0o640)
    assert main(SMALL + ["--csv", str(csv)]) == 0
    assert pd.read_csv(csv)["iteration"].max() == 300
    assert csv.stat().st_mode & 0o777 == 0o640


def test_csv_dash_writes_the_samples_to_standard_output(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(SMALL + ["--csv", "-"]) == 0
    captured = capsys.readouterr()
    frame = pd.read_csv(io.StringIO(captured.out))
    assert frame["iteration"].max() == 300
    assert "300 iterations" in captured.err  # the summary moves out of the way
    assert "samples: standard output" in captured.err
    assert not (tmp_path / "-").exists()


def test_a_png_cannot_go_to_standard_output(capsys, no_run):
    assert "standard output" in _refused(SMALL + ["--png", "-"], capsys)


def test_too_many_iterations_fail_before_any_progress_bar(capsys, no_run):
    err = _refused(["simulate", "--iterations", "10000001"], capsys)
    assert "iterations must be an int in [0, 10000000]; got 10000001" in err
    assert "stage" not in err and "%|" not in err


def test_a_step_run_too_long_for_the_step_engine_fails_before_any_progress_bar(capsys, no_run):
    err = _refused(["simulate", "--engine", "step", "--iterations", "10000000"], capsys)
    assert "engine 'step'" in err
    assert "stage" not in err and "%|" not in err


def test_the_clis_choices_are_the_simulators_choices():
    from comsim.model.com import POLICIES
    from comsim.model.strategies import STRATEGIES

    assert cli.ENGINES == comsim.engines.scenarios.ENGINES
    assert cli.POLICIES == POLICIES
    assert cli.STRATEGIES == STRATEGIES
    assert cli.QUIZ_KINDS == comsim.teaching.quiz.KINDS


def test_an_instructor_can_pick_the_kind_of_quiz_question(capsys):
    assert cli.main(["quiz", "--seed", "3", "--kind", "growth"]) == 0
    out = capsys.readouterr().out
    assert (
        out
        == comsim.teaching.quiz.problem_text(comsim.teaching.quiz.make_problem(3, kind="growth"))
        + "\n"
    )


# -- a quick start: no heavy imports for help and argument errors ----------------------------------
HEAVY = ("pandas", "matplotlib", "ipywidgets")


def _imported_modules(argv: list[str]) -> set[str]:
    """Top-level modules Python imported while running ``argv`` (from ``-X importtime``)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *argv],
        capture_output=True,
        text=True,
        timeout=120,
    )
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


@pytest.mark.parametrize(
    "argv",
    [
        ["-c", "import comsim"],
        ["-m", "comsim", "simulate", "--help"],
        ["-m", "comsim", "simulate", "--tightness", "2"],
        ["-m", "comsim", "simulate", "--png", "/no/such/folder/x.png"],
    ],
    ids=["import", "help", "bad-value", "bad-path"],
)
def test_help_and_argument_errors_load_no_pandas_matplotlib_or_ipywidgets(argv):
    imported = _imported_modules(argv)
    assert "comsim" in imported  # the check saw the package load at all
    assert imported.isdisjoint(HEAVY), sorted(imported & set(HEAVY))


def test_every_public_name_still_loads_on_first_use():
    import comsim

    for name in comsim.__all__:
        assert getattr(comsim, name) is not None, name
    assert set(comsim.__all__) <= set(dir(comsim))
    assert comsim.figures.memory is sys.modules["comsim.figures.memory"]  # submodules too
    with pytest.raises(AttributeError, match="no_such_name"):
        comsim.no_such_name  # noqa: B018


def test_each_layer_loads_as_an_attribute():
    """``comsim.figures`` and the other layers load on first use."""
    import comsim

    for layer in ("model", "engines", "figures", "teaching", "publish"):
        assert getattr(comsim, layer).__name__ == f"comsim.{layer}"


def test_csv_to_a_closed_standard_output_is_refused_before_the_run(tmp_path):
    """Issue 18, item 15: ``--csv -`` with stdout closed exited 0, reported success and wrote
    nothing. It is refused now, with exit status 2, before any work."""
    done = subprocess.run(
        [sys.executable, "-m", "comsim", "simulate", "--iterations", "100", "--csv", "-"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: os.close(1),
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "standard output is closed" in done.stderr


def _wait_until_stopped(pid: int) -> None:
    """Wait until the process is stopped (state T in /proc), not for a length of time."""
    import time

    stat = Path(f"/proc/{pid}/stat")
    deadline = time.monotonic() + 30
    while stat.read_text().rsplit(")", 1)[1].split()[0] not in ("T", "t"):
        assert time.monotonic() < deadline, "the process never stopped after SIGSTOP"
        time.sleep(0.001)


@pytest.mark.slow
def test_sigterm_while_writing_the_outputs_leaves_no_hidden_temporary_files(tmp_path):
    """Issue 18, item 13: SIGTERM during the write phase left hidden .tmp files (up to 9 MB)
    behind; it now cleans up as Ctrl-C does, and the files on disk stay as they were."""
    import signal
    import time

    args = ["simulate", "--iterations", "10000000", "--no-progress"]
    args += ["--csv", str(tmp_path / "run.csv"), "--png", str(tmp_path / "run.png")]
    run = subprocess.Popen(
        [sys.executable, "-m", "comsim", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".run.csv.*.tmp")) and time.monotonic() < deadline:
        time.sleep(0.01)
    # Freeze the run where it is, so a busy machine cannot let it finish before the signal
    # lands: check that it is mid-write (a temporary file, no finished one), then SIGTERM it
    # and let it go on.
    run.send_signal(signal.SIGSTOP)
    try:
        _wait_until_stopped(run.pid)  # SIGSTOP takes effect a moment after kill() returns
        on_disk = sorted(p.name for p in tmp_path.iterdir())
        assert run.poll() is None and on_disk and all(n.endswith(".tmp") for n in on_disk), on_disk
        run.send_signal(signal.SIGTERM)
    finally:
        run.send_signal(signal.SIGCONT)
    run.wait(timeout=60)

    assert run.returncode != 0, "the run ended normally after SIGTERM reached it mid-write"
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_signal_right_after_the_temporary_file_is_made_still_cleans_it_up(tmp_path):
    """CI once found a .tmp file left behind by the test above: its SIGTERM had landed between
    the temporary file's creation and the line that notes its name for the cleanup. Here the
    signal is sent at exactly that point, every time: the creation of the file sends it."""
    script = """if True:
        import os, signal, sys, tempfile
        made = tempfile.mkstemp
        def mkstemp_then_signal(*args, **kwargs):
            fd_and_name = made(*args, **kwargs)
            os.kill(os.getpid(), signal.SIGTERM)
            return fd_and_name
        tempfile.mkstemp = mkstemp_then_signal
        from comsim.cli import main
        sys.exit(main(sys.argv[1:]))
    """
    args = ["simulate", "--iterations", "1000", "--no-progress", "--csv", "run.csv"]
    done = subprocess.run(
        [sys.executable, "-c", script, *args], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode != 0, "the run ended normally after SIGTERM reached it mid-write"
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_signal_whose_exception_python_drops_still_stops_the_write(tmp_path):
    """A fresh-clone run once ended normally after SIGTERM: the handler had fired inside a
    weakref callback (a lazy import runs one), where Python prints an exception and drops it.
    Here the signal lands in such a callback on purpose, in the middle of the write: the files
    must not be put in place, and the run must not end as if nothing happened."""
    script = """if True:
        import os, signal, sys, weakref
        import comsim.cli as cli
        mode = cli._new_file_mode
        def mode_after_a_dropped_signal(path):
            class Thing:
                pass
            def callback(ref):
                os.kill(os.getpid(), signal.SIGTERM)
                for _ in range(10_000):  # the handler runs here, inside the callback
                    pass
            thing = Thing()
            ref = weakref.ref(thing, callback)
            del thing  # runs the callback: Python prints its KeyboardInterrupt and drops it
            return mode(path)
        cli._new_file_mode = mode_after_a_dropped_signal
        sys.exit(cli.main(sys.argv[1:]))
    """
    args = ["simulate", "--iterations", "1000", "--no-progress", "--csv", "run.csv"]
    done = subprocess.run(
        [sys.executable, "-c", script, *args], cwd=tmp_path, capture_output=True, text=True
    )
    assert "Exception ignored" in done.stderr, "the signal never landed where Python drops it"
    assert done.returncode != 0, "the run ended normally after SIGTERM"
    assert sorted(p.name for p in tmp_path.iterdir()) == []
