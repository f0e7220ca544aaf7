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
"""

from .com import (
    CLASSES,
    LOCAL_INTERFACES,
    POLICIES,
    Blanket,
    CoCopyProxy,
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
from .strategies import STRATEGIES
from .trace import Summary, Trace, perfmon_samples
from .widgets import Explorer, StepThrough, explorer, step_through

__all__ = [
    "Explorer",
    "StepThrough",
    "explorer",
    "note",
    "parameter_notes",
    "perfmon_samples",
    "step_through",
    "CLASSES",
    "COMError",
    "CoCopyProxy",
    "CoSetProxyBlanket",
    "Blanket",
    "ENGINES",
    "InterfacePointer",
    "LOCAL_INTERFACES",
    "PARAMETERS",
    "POLICIES",
    "Parameter",
    "Params",
    "Process",
    "STRATEGIES",
    "Snapshot",
    "Summary",
    "TAGS",
    "Trace",
    "parameter_table",
    "run_scenario",
    "scenario",
    "scenario_info",
    "scenario_names",
    "simulate",
]
