"""One call per experiment: :func:`simulate` runs the whole program and returns a Trace."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import checks
from ..model.params import SCENARIOS_CSV, Params
from ..model.tables import read_rows, row_error

if TYPE_CHECKING:
    from .trace import Trace

ENGINES = ("auto", "fast", "step")


def simulate(
    iterations: int | None = None,
    tightness: float | None = None,
    strategy: str = "copy-each-time",
    policy: str = "by-design",
    *,
    engine: str = "auto",
    progress: bool = False,
    **overrides: object,
) -> Trace:
    """Run one client program: CoCreateInstanceEx, ``iterations`` passes of ``strategy``, the
    original pointer's final Release, then an idle tail long enough for memory to settle.

    Defaults come from ``data/parameters.csv`` (20,001 iterations, tightness 1.0: the KB's
    tight loop). Any other parameter may be overridden by name. Bad input raises
    TypeError/ValueError at once, naming the parameter, what is allowed and what was given.

    ``engine``: ``"fast"`` (numpy, any allowed input), ``"step"`` (the object model, call by
    call; at most 50,000 iterations) or ``"auto"`` (the fast engine: it computes every allowed
    input exactly as the step engine would). ``progress`` (True/False) shows a bar on
    step-engine runs.

    Long runs keep every k-th iteration in ``trace.frame`` (``trace.rows`` says which); the
    summary is exact either way.
    """
    from ..model.com import POLICIES
    from ..model.strategies import STRATEGIES
    from .step import check_step_budget

    checks.choice("strategy", strategy, STRATEGIES)
    checks.choice("policy", policy, POLICIES)
    checks.choice("engine", engine, ENGINES)
    if not _is_bool(progress):
        raise TypeError(
            f"progress must be True or False (show a progress bar on step-engine runs); got "
            f"{progress!r} ({type(progress).__name__})"
        )
    if iterations is not None:
        overrides["iterations"] = iterations
    if tightness is not None:
        overrides["tightness"] = tightness
    params = Params.make(**overrides)
    if engine == "step":
        check_step_budget(params)
    from .trace import Trace

    if engine == "step":
        arrays = _run_step_with_progress(params, strategy, policy, bool(progress))
    else:
        from .fast import run_fast

        arrays = run_fast(params, strategy, policy)
    return Trace(arrays, params, strategy, policy)


def _is_bool(value: object) -> bool:
    """True for Python's and numpy's booleans (without importing numpy here)."""
    kind = type(value)
    return kind is bool or (kind.__module__ == "numpy" and kind.__name__ in ("bool", "bool_"))


def _run_step_with_progress(params: Params, strategy: str, policy: str, progress: bool):
    from .step import run_step

    if not progress:
        return run_step(params, strategy, policy)
    from tqdm.auto import tqdm

    with tqdm(total=params.iterations, unit="it", desc=f"step engine: {strategy}") as bar:

        def advance(done: int) -> None:
            bar.update(done - bar.n)

        arrays = run_step(params, strategy, policy, progress=advance)
        bar.update(params.iterations - bar.n)
    return arrays


def scenario_names() -> tuple[str, ...]:
    return tuple(_load_scenarios())


def scenario(name: str) -> dict:
    """The ``simulate`` keyword arguments of a named scenario in ``data/scenarios.csv``."""
    table = _load_scenarios()
    checks.choice("scenario", name, tuple(table))
    return _arguments(table[name])


def _arguments(row: dict) -> dict:
    return dict(
        strategy=row["strategy"],
        policy=row["policy"],
        iterations=int(row["iterations"]),
        tightness=float(row["tightness"]),
        blankets=int(row["blankets"]),
    )


def scenario_info(name: str) -> dict:
    """Title and one-line explanation of a named scenario."""
    table = _load_scenarios()
    checks.choice("scenario", name, tuple(table))
    return {"title": table[name]["title"], "what_it_shows": table[name]["what_it_shows"]}


def run_scenario(name: str, **overrides: object) -> Trace:
    """``simulate`` with a named scenario's settings, then ``overrides``."""
    return simulate(**{**scenario(name), **overrides})


def _load_scenarios() -> dict[str, dict]:
    """data/scenarios.csv by name; a file that cannot be used raises TableError naming it."""
    from ..model.com import POLICIES
    from ..model.strategies import STRATEGIES

    columns = ("name", "strategy", "policy", "iterations", "tightness", "blankets", "title")
    table = {}
    for line, row in read_rows(SCENARIOS_CSV, columns + ("what_it_shows",)):
        name = row["name"].strip()
        try:
            arguments = _arguments(row)
            checks.choice("strategy", arguments["strategy"], STRATEGIES)
            checks.choice("policy", arguments["policy"], POLICIES)
            Params.make(**{k: arguments[k] for k in ("iterations", "tightness", "blankets")})
        except (TypeError, ValueError) as error:
            raise row_error(SCENARIOS_CSV, line, name, str(error)) from None
        table[name] = row
    return table
