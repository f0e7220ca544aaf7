"""The command line an instructor uses to prepare material without a notebook."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from comsim.cli import main


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
        (["simulate", "--tightness", "1.5"], "tightness must be in [1e-06, 1]; got 1.5"),
        (["simulate", "--iterations", "-5"], "iterations must be in [0, 10000000]; got -5"),
        (["simulate", "--set", "nonsense=1"], "unknown parameter 'nonsense'"),
        (["simulate", "--set", "seed=abc"], "--set seed must be a int"),
        (["simulate", "--set", "seed"], "--set expects name=value"),
        (["simulate", "--strategy", "leak-less"], "invalid choice: 'leak-less'"),
        (["quiz", "--seed", "-1"], "seed"),
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
