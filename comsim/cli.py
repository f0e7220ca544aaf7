"""The command line, for instructors preparing material without a notebook.

    python -m comsim simulate --iterations 20001 --tightness 1.0 --strategy copy-each-time \
        [--policy by-design] [--blankets 1] [--set name=value ...] [--csv F|-] [--png F]
    python -m comsim quiz --seed 7 [--answers] [--kind growth]
    python -m comsim params
    python -m comsim scenarios

Everything the command is given is checked before the run starts: parameters, and every
output path (its folder exists and is writable, it is no folder itself, no two outputs share
a path, none overwrites the data the model reads). Each output is written under a temporary
name in its own folder and renamed into place only once all of them are complete, so a run
that fails leaves every file as it was. ``--csv -`` writes the samples to standard output
(the summary then goes to standard error).

Heavy modules (the engines' results in pandas, matplotlib) load only when a run needs them, so
``--help`` and argument errors answer at once.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .model.params import PARAMETERS, PARAMETERS_CSV, SCENARIOS_CSV, Params
from .model.text import article
from .publish.interrupt import raise_if_stopped, signals_held, terminate_as_interrupt

# The choices of the options, written out here: importing them from the model would load numpy
# (and, through comsim.engines.scenarios, pandas) before --help could answer.
# tests/test_cli.py keeps each equal to the model's own tuple.
STRATEGIES = ("copy-each-time", "co-copy-proxy", "cache-copy", "no-copy")  # comsim.model.strategies
POLICIES = ("by-design", "free-on-release")  # comsim.model.com
ENGINES = ("auto", "fast", "step")  # comsim.engines.scenarios
QUIZ_KINDS = ("count-after-step", "which-release", "growth", "fix-the-loop")  # comsim.teaching.quiz

LONG_RUN_ITERATIONS = 1_000_000  # above this the command shows a progress bar

STDOUT = "-"  # the output name that means standard output, as in Unix tools

# Parameters with their own option; ``--set name=value`` may give them too, but not both ways.
OWN_OPTIONS = ("iterations", "tightness", "blankets")


class UsageError(ValueError):
    """A command line that cannot run as given (exit status 2, before any work)."""


@dataclass(frozen=True)
class Output:
    """One file the run will write: which option asked for it and where it goes (``None`` for
    standard output)."""

    option: str
    path: Path | None

    @property
    def shown(self) -> str:
        return "standard output" if self.path is None else str(self.path)


def parameter_value(name: str, text: str) -> int | float:
    """``text`` read as parameter ``name``'s type; a bad one is refused with the parameter's
    allowed range (argparse shows the message after the option's name)."""
    parameter = PARAMETERS[name]
    try:
        return int(text) if parameter.type == "int" else float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{name} must be {article(parameter.type)} {parameter.type} in {parameter.range_text}; "
            f"got {text!r}"
        ) from None


def _parse_set(items: Sequence[str]) -> dict:
    overrides: dict = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep:
            raise UsageError(f"--set expects name=value; got {item!r}")
        if name not in PARAMETERS:
            raise UsageError(
                f"--set: unknown parameter {name!r}; choose from {', '.join(PARAMETERS)}"
            )
        if name in overrides:
            raise UsageError(f"--set {name} is given twice; give it once")
        try:
            overrides[name] = parameter_value(name, text)
        except argparse.ArgumentTypeError as error:
            raise UsageError(f"--set {error}") from None
    return overrides


def _run_parameters(args: argparse.Namespace) -> dict:
    """The parameters of the run: ``--set`` values plus the options that have their own flag.
    A flag and a ``--set`` of the same parameter must agree."""
    overrides = _parse_set(args.set)
    for name in OWN_OPTIONS:
        value = getattr(args, name)
        if value is None:
            continue
        if name in overrides and overrides[name] != value:
            raise UsageError(
                f"--{name} {value} and --set {name}={overrides[name]} disagree; give one of them"
            )
        overrides[name] = value
    return overrides


# -- output files -----------------------------------------------------------------------------
def _output(option: str, text: str | None, allow_stdout: bool) -> Output | None:
    """Check one output path before the run; refuse it with a clear message if it cannot work."""
    if text is None:
        return None
    if text == STDOUT:
        if not allow_stdout:
            raise UsageError(f"{option} {STDOUT}: a PNG cannot go to standard output; name a file")
        if sys.stdout is None or sys.stdout.closed:
            raise UsageError(f"{option} {STDOUT}: standard output is closed; name a file")
        return Output(option, None)
    if not text.strip():
        raise UsageError(f"{option} needs a file name; got {text!r}")
    example = "run.png" if option == "--png" else "run.csv"
    if text.endswith(("/", os.sep)) or Path(text).is_dir():
        raise UsageError(
            f"{option} {text!r} is a folder; name a file in it, e.g. "
            f"{os.path.join(text, example)!r}"
        )
    path = Path(text)
    if path.exists() and not path.is_file():  # a device or pipe such as /dev/null
        if not os.access(path, os.W_OK):
            raise UsageError(f"{option} {text!r}: cannot write to it")
        return Output(option, path)  # written in place (see _write_all)
    folder = path.parent
    if not folder.exists():
        raise UsageError(f"{option} {text!r}: the folder {str(folder)!r} does not exist")
    if not folder.is_dir():
        raise UsageError(f"{option} {text!r}: {str(folder)!r} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {text!r}: cannot write in the folder {str(folder)!r}")
    if path.exists() and not os.access(path, os.W_OK):
        raise UsageError(f"{option} {text!r}: the file exists and is read-only")
    for data in (PARAMETERS_CSV, SCENARIOS_CSV):
        if _same_file(path, data):
            raise UsageError(
                f"{option} {text!r} would overwrite the model's input {data.name}; "
                "choose another name"
            )
    return Output(option, path)


def _same_file(a: Path, b: Path) -> bool:
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return os.path.realpath(a) == os.path.realpath(b)


def _plan_outputs(args: argparse.Namespace) -> list[Output]:
    outputs = [
        out
        for out in (
            _output("--csv", args.csv, allow_stdout=True),
            _output("--png", args.png, allow_stdout=False),
        )
        if out is not None
    ]
    files = [out for out in outputs if out.path is not None]
    for i, first in enumerate(files):
        for second in files[i + 1 :]:
            if _same_file(first.path, second.path):
                raise UsageError(
                    f"{first.option} and {second.option} both name {str(second.path)!r}; "
                    "the second would overwrite the first. Give each output its own file"
                )
    return outputs


def _new_file_mode(path: Path) -> int:
    """The permissions the finished file gets: those of the file it replaces, else the usual
    ones for a new file (temporary files are created private)."""
    if path.exists():
        return stat.S_IMODE(path.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _write_all(jobs: list[tuple[Path, Callable[[str], None]]]) -> None:
    """Write every file under a temporary name in its folder, then rename each into place.
    If anything fails, or Ctrl-C or SIGTERM stops the run, the temporary files go and the
    files on disk stay as they were."""
    done: list[tuple[str, Path]] = []
    try:
        for path, write in jobs:
            if path.exists() and not path.is_file():  # a device such as /dev/null: in place
                write(str(path))
                continue
            with signals_held():  # a signal between the two would leave a file not cleaned up
                fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
                done.append((tmp, path))
            os.close(fd)
            write(tmp)
            os.chmod(tmp, _new_file_mode(path))
        raise_if_stopped()  # a stop whose exception Python dropped (see interrupt.py)
        for tmp, path in done:
            os.replace(tmp, path)
    finally:
        for tmp, _ in done:
            if os.path.exists(tmp):
                os.unlink(tmp)


# -- the parser -------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m comsim",
        description="Simulate the COM proxy manager behind KB Q216248 (CopyProxy 'leak').",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    _add_simulate(sub.add_parser("simulate", help="run one scenario; print its summary"))
    quiz = sub.add_parser("quiz", help="a seeded exercise, OSTEP-homework style")
    quiz.add_argument("--seed", type=int, default=0, help="which problem (an int >= 0)")
    quiz.add_argument("--answers", action="store_true", help="print the answers too")
    quiz.add_argument(
        "--kind",
        choices=QUIZ_KINDS,
        default=None,
        help="which kind of question (default: drawn from the seed)",
    )
    sub.add_parser("params", help="every parameter with value, unit, provenance and source")
    sub.add_parser("scenarios", help="the named scenarios in data/scenarios.csv")
    return parser


_OWN_HELP = {
    "iterations": "loop iterations",
    "tightness": "share of wall time spent in the calls",
    "blankets": "distinct security settings (cache-copy keeps one copy each)",
}


def _add_simulate(sim: argparse.ArgumentParser) -> None:
    for name in OWN_OPTIONS:
        parameter = PARAMETERS[name]
        sim.add_argument(
            f"--{name}",
            type=lambda text, name=name: parameter_value(name, text),
            default=None,
            metavar=parameter.type.upper(),
            help=f"{_OWN_HELP[name]}, {article(parameter.type)} {parameter.type} in "
            f"{parameter.range_text} (default {parameter.value})",
        )
    sim.add_argument("--strategy", choices=STRATEGIES, default="copy-each-time")
    sim.add_argument("--policy", choices=POLICIES, default="by-design")
    sim.add_argument("--engine", choices=ENGINES, default="auto")
    sim.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override any parameter of data/parameters.csv, including iterations, tightness "
        "and blankets (repeatable; must agree with their own options if both are given)",
    )
    sim.add_argument(
        "--x", choices=("iteration", "time"), default="iteration", help="x axis of --png"
    )
    sim.add_argument(
        "--csv", metavar="FILE", help="write every sample as CSV to FILE ('-' for standard output)"
    )
    sim.add_argument(
        "--png",
        metavar="FILE",
        help="write the memory figure as PNG to FILE, exactly that name (not a folder)",
    )
    sim.add_argument("--no-progress", action="store_true", help="never show a progress bar")


# -- the commands -----------------------------------------------------------------------------
def _simulate(args: argparse.Namespace) -> int:
    # Everything is checked before the run: parameters first, then every output path.
    overrides = _run_parameters(args)
    params = Params.make(**overrides)  # every value checked, before any progress bar or work
    outputs = _plan_outputs(args)
    if args.engine == "step":  # the step engine's own limit, refused before any progress bar
        from .engines.step import check_step_budget

        check_step_budget(params)
    long_run = params.iterations >= LONG_RUN_ITERATIONS or (
        args.engine == "step" and params.iterations >= 20_000
    )
    show = long_run and not args.no_progress
    bar = None
    if show:
        from tqdm.auto import tqdm

        bar = tqdm(total=1 + len(outputs), unit="stage", desc="comsim", file=sys.stderr)
    from .engines.scenarios import simulate

    trace = simulate(
        strategy=args.strategy,
        policy=args.policy,
        engine=args.engine,
        progress=show and args.engine == "step",
        **overrides,
    )
    if bar:
        bar.update(1)
    try:
        _write_outputs(trace, args, outputs)
    except OSError as e:
        print(f"error: could not write the outputs ({e}); no file was changed", file=sys.stderr)
        return 1
    finally:
        if bar:
            bar.close()
    report = sys.stderr if any(out.path is None for out in outputs) else sys.stdout
    print(trace.summary.describe(), file=report)
    for out in outputs:
        kind = "samples" if out.option == "--csv" else "figure"
        print(f"{kind}: {out.shown}", file=report)
    return 0


def _write_outputs(trace, args: argparse.Namespace, outputs: list[Output]) -> None:
    """Standard output first (flushed, so a closed or broken stdout is an error), then the
    files, all or none (see :func:`_write_all`)."""

    def write_csv(target) -> None:
        trace.frame.to_csv(target, index=False)

    def write_png(target) -> None:
        from . import figures

        fig = figures.memory_figure(trace, x=args.x)
        fig.text(0.01, 0.005, trace.summary.describe(), fontsize=6, wrap=True)
        Path(target).write_bytes(figures.figure_png(fig, dpi=110, compress_level=6))

    writers = {"--csv": write_csv, "--png": write_png}
    for out in outputs:
        if out.path is None:
            writers[out.option](sys.stdout)
            sys.stdout.flush()
    with terminate_as_interrupt():
        _write_all([(out.path, writers[out.option]) for out in outputs if out.path is not None])


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "simulate":
            return _simulate(args)
        if args.command == "quiz":
            from .teaching import quiz

            problem = quiz.make_problem(args.seed, kind=args.kind)
            print(quiz.problem_text(problem, answers=args.answers))
            return 0
        if args.command == "params":
            from .model.params import parameter_table

            print(
                parameter_table()[["name", "value", "unit", "range", "tag", "source"]].to_string(
                    index=False, max_colwidth=70
                )
            )
            return 0
        from .engines.scenarios import scenario_info, scenario_names

        for name in scenario_names():
            info = scenario_info(name)
            print(f"{name:28} {info['title']}: {info['what_it_shows']}")
        return 0
    except BrokenPipeError:  # e.g. `--csv - | head`: the reader left; stop quietly, like Unix tools
        _silence_stdout()
        return 1
    except (ValueError, TypeError, OSError) as e:
        parser.exit(2, f"error: {e}\n")


def _silence_stdout() -> None:
    """Point stdout at /dev/null so Python's exit does not complain about the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
