"""comsim: a simulator of the COM client proxy manager behind KB Q216248.

The public API, in the order a learner meets it::

    proc = comsim.Process()                              # one client process (MTA)
    pItf = proc.CoCreateInstanceEx("SimpleObject", "IStream")
    pCS = pItf.QueryInterface("IClientSecurity")
    pCopy = pCS.CopyProxy(pItf)
    pCS.Release(); pCopy.Release()
    proc.private_bytes, proc.interface_proxy_count, proc.snapshot()
    pItf.Release()                                       # the proxy manager's final release

    trace = comsim.simulate(iterations=20_001, tightness=1.0, strategy="copy-each-time")
    trace.frame, trace.summary

Every name is loaded on first use (PEP 562), so ``import comsim`` -- and with it the command
line -- starts without pandas, matplotlib or ipywidgets; the notebook pays for them when it
first draws.
"""

# ruff: noqa: F401  (the TYPE_CHECKING imports at the end exist for editors only)
from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

# public name -> the module (inside comsim) that defines it
_LAZY: dict[str, str] = {
    # the object model
    "CLASSES": "com",
    "LOCAL_INTERFACES": "com",
    "POLICIES": "com",
    "Blanket": "com",
    "CoCopyProxy": "com",
    "CoQueryProxyBlanket": "com",
    "CoSetProxyBlanket": "com",
    "InterfacePointer": "com",
    "Process": "com",
    "Snapshot": "com",
    "COMError": "errors",
    # parameters and their provenance
    "PARAMETERS": "params",
    "TAGS": "params",
    "Parameter": "params",
    "Params": "params",
    "parameter_table": "params",
    "note": "notes",
    "parameter_notes": "notes",
    "SOURCES": "sources",
    # runs and their results
    "ENGINES": "scenarios",
    "run_scenario": "scenarios",
    "scenario": "scenarios",
    "scenario_info": "scenarios",
    "scenario_names": "scenarios",
    "simulate": "scenarios",
    "STRATEGIES": "strategies",
    "Summary": "trace",
    "Trace": "trace",
    "perfmon_samples": "trace",
    # in the notebook
    "Explorer": "widgets",
    "StepThrough": "widgets",
    "explorer": "widgets",
    "step_through": "widgets",
    "Prediction": "checkpoint",
    "predict": "checkpoint",
}

_HERE = Path(__file__).resolve().parent


def _available(module: str) -> bool:
    """True if ``comsim.<module>`` exists (some modules arrive later in the course's work)."""
    return (_HERE / f"{module}.py").exists()


__all__ = [name for name, module in _LAZY.items() if _available(module)]


def __getattr__(name: str):
    """Load a public name, or a submodule such as ``comsim.plots``, on first access."""
    module = _LAZY.get(name)
    if module is not None:
        if not _available(module):
            raise AttributeError(
                f"comsim.{name} needs comsim/{module}.py, which this copy of comsim lacks"
            )
        value = getattr(importlib.import_module(f".{module}", __name__), name)
        globals()[name] = value  # later lookups skip this function
        return value
    if not name.startswith("_") and _available(name):
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'comsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # for editors and type checkers: the same names, imported eagerly
    from .checkpoint import Prediction, predict
    from .com import (
        CLASSES,
        LOCAL_INTERFACES,
        POLICIES,
        Blanket,
        CoCopyProxy,
        CoQueryProxyBlanket,
        CoSetProxyBlanket,
        InterfacePointer,
        Process,
        Snapshot,
    )
    from .errors import COMError
    from .notes import note, parameter_notes
    from .params import PARAMETERS, TAGS, Parameter, Params, parameter_table
    from .scenarios import (
        ENGINES,
        run_scenario,
        scenario,
        scenario_info,
        scenario_names,
        simulate,
    )
    from .sources import SOURCES
    from .strategies import STRATEGIES
    from .trace import Summary, Trace, perfmon_samples
    from .widgets import Explorer, StepThrough, explorer, step_through
