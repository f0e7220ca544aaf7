"""The command line, for instructors preparing material without a notebook.

    python -m comsim simulate --iterations 20001 --tightness 1.0 --strategy copy-each-time \
        [--policy by-design] [--blankets 1] [--set name=value ...] [--csv F] [--png F]
    python -m comsim quiz --seed 7 [--answers]
    python -m comsim params
    python -m comsim scenarios
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .com import POLICIES
from .params import PARAMETERS, parameter_table
from .scenarios import ENGINES, scenario_info, scenario_names, simulate
from .strategies import STRATEGIES

LONG_RUN_ITERATIONS = 1_000_000  # above this the command shows a progress bar


def _parse_set(items: Sequence[str]) -> dict:
    overrides = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep:
            raise ValueError(f"--set expects name=value; got {item!r}")
        if name not in PARAMETERS:
            raise ValueError(
                f"--set: unknown parameter {name!r}; choose from {', '.join(PARAMETERS)}"
            )
        caster = int if PARAMETERS[name].type == "int" else float
        try:
            overrides[name] = caster(text)
        except ValueError:
            raise ValueError(
                f"--set {name} must be a {PARAMETERS[name].type} in "
                f"{PARAMETERS[name].range_text}; got {text!r}"
            ) from None
    return overrides


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m comsim",
        description="Simulate the COM proxy manager behind KB Q216248 (CopyProxy 'leak').",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    sim = sub.add_parser("simulate", help="run one scenario; print its summary")
    sim.add_argument(
        "--iterations",
        type=int,
        default=PARAMETERS["iterations"].value,
        help=f"loop iterations, an int in {PARAMETERS['iterations'].range_text} "
        "(default: the KB's 20001)",
    )
    sim.add_argument(
        "--tightness",
        type=float,
        default=PARAMETERS["tightness"].value,
        help="share of wall time spent in the calls, in "
        f"{PARAMETERS['tightness'].range_text} (default 1.0)",
    )
    sim.add_argument("--strategy", choices=STRATEGIES, default="copy-each-time")
    sim.add_argument("--policy", choices=POLICIES, default="by-design")
    sim.add_argument(
        "--blankets",
        type=int,
        default=PARAMETERS["blankets"].value,
        help="distinct security settings (cache-copy keeps one copy each)",
    )
    sim.add_argument("--engine", choices=ENGINES, default="auto")
    sim.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override any parameter of data/parameters.csv (repeatable)",
    )
    sim.add_argument(
        "--x", choices=("iteration", "time"), default="iteration", help="x axis of --png"
    )
    sim.add_argument("--csv", metavar="FILE", help="write every sample as CSV")
    sim.add_argument("--png", metavar="FILE", help="write the memory figure as PNG")
    sim.add_argument("--no-progress", action="store_true", help="never show a progress bar")

    quiz = sub.add_parser("quiz", help="a seeded exercise, OSTEP-homework style")
    quiz.add_argument("--seed", type=int, default=0, help="which problem (an int >= 0)")
    quiz.add_argument("--answers", action="store_true", help="print the answers too")

    sub.add_parser("params", help="every parameter with value, unit, provenance and source")
    sub.add_parser("scenarios", help="the named scenarios in data/scenarios.csv")
    return parser


def _simulate(args: argparse.Namespace) -> int:
    overrides = _parse_set(args.set)
    long_run = args.iterations >= LONG_RUN_ITERATIONS or (
        args.engine == "step" and args.iterations >= 20_000
    )
    show = long_run and not args.no_progress
    stages = ["simulate"] + (["csv"] if args.csv else []) + (["png"] if args.png else [])
    bar = None
    if show:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(stages), unit="stage", desc="comsim", file=sys.stderr)
    trace = simulate(
        iterations=args.iterations,
        tightness=args.tightness,
        strategy=args.strategy,
        policy=args.policy,
        blankets=args.blankets,
        engine=args.engine,
        progress=show and args.engine == "step",
        **overrides,
    )
    if bar:
        bar.update(1)
    if args.csv:
        trace.frame.to_csv(args.csv, index=False)
        if bar:
            bar.update(1)
    if args.png:
        from .plots import memory_figure

        fig = memory_figure(trace, x=args.x)
        fig.text(0.01, 0.005, trace.summary.describe(), fontsize=6, wrap=True)
        fig.savefig(args.png, dpi=110)
        if bar:
            bar.update(1)
    if bar:
        bar.close()
    print(trace.summary.describe())
    for path, kind in ((args.csv, "samples"), (args.png, "figure")):
        if path:
            print(f"{kind}: {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "simulate":
            return _simulate(args)
        if args.command == "quiz":
            from . import quiz

            problem = quiz.make_problem(args.seed)
            print(quiz.problem_text(problem, answers=args.answers))
            return 0
        if args.command == "params":
            print(
                parameter_table()[["name", "value", "unit", "range", "tag", "source"]].to_string(
                    index=False, max_colwidth=70
                )
            )
            return 0
        for name in scenario_names():
            info = scenario_info(name)
            print(f"{name:28} {info['title']}: {info['what_it_shows']}")
        return 0
    except (ValueError, TypeError, OSError) as e:
        parser.exit(2, f"error: {e}\n")
