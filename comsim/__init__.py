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

from __future__ import annotations

import importlib

# The public API, listed once: each public name and the module (inside comsim) that defines it.
_LAZY: dict[str, str] = {
    # the object model
    "CLASSES": "model.com",
    "LOCAL_INTERFACES": "model.com",
    "POLICIES": "model.com",
    "Blanket": "model.blanket",
    "CoCopyProxy": "model.process",
    "CoQueryProxyBlanket": "model.process",
    "CoSetProxyBlanket": "model.process",
    "InterfacePointer": "model.com",
    "Process": "model.process",
    "Snapshot": "model.process",
    "COMError": "model.errors",
    # parameters and their provenance
    "PARAMETERS": "model.params",
    "TAGS": "model.params",
    "Parameter": "model.params",
    "Params": "model.params",
    "parameter_table": "model.params",
    "note": "teaching.notes",
    "claim": "teaching.notes",
    "claims": "teaching.notes",
    "CLAIMS": "model.claims",
    "parameter_notes": "teaching.notes",
    "SOURCES": "model.sources",
    # runs and their results
    "ENGINES": "engines.scenarios",
    "run_scenario": "engines.scenarios",
    "scenario": "engines.scenarios",
    "scenario_info": "engines.scenarios",
    "scenario_names": "engines.scenarios",
    "simulate": "engines.scenarios",
    "STRATEGIES": "model.strategies",
    "Summary": "engines.trace",
    "Trace": "engines.trace",
    "perfmon_samples": "engines.trace",
    # in the notebook
    "setup": "teaching.setup",
    "heap_map": "teaching.heapview",
    "heap_leftover": "teaching.heapview",
    "Explorer": "teaching.explorer",
    "StepThrough": "teaching.stepthrough",
    "explorer": "teaching.explorer",
    "step_through": "teaching.stepthrough",
    "Prediction": "teaching.predict",
    "predict": "teaching.predict",
    "now_you_try": "teaching.predict",
    # exercises, each checked by the one answer checker
    "Answer": "teaching.answers",
    "___": "teaching.exercises.blank",
    "fill_in": "teaching.exercises.fill_in",
    "bug_hunt": "teaching.exercises.bug_hunt",
    "target": "teaching.exercises.target",
    "worked_answer": "teaching.unlock",
    "folded": "teaching.quiz.fold",
}

__all__ = list(_LAZY)

_LAYERS = ("model", "engines", "figures", "teaching", "publish")


def __getattr__(name: str):
    """Load a public name, or a layer such as ``comsim.figures``, on first access."""
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(f".{module}", __name__), name)
        globals()[name] = value  # later lookups skip this function
        return value
    if name in _LAYERS:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'comsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
