"""The four ways a client can get a proxy with the security it wants, written with the object
model call by call. The step engine runs these; the fast engine computes their effect.
"""

from __future__ import annotations

from .com import InterfacePointer
from .process import CoCopyProxy

STRATEGIES = ("copy-each-time", "co-copy-proxy", "cache-copy", "no-copy")
"""``copy-each-time``: the KB's loop. ``co-copy-proxy``: the same through CoCopyProxy.
``cache-copy``: the KB's workaround, one copy per blanket, made once and reused.
``no-copy``: a baseline that only asks for IClientSecurity and releases it."""

# NTLM, NT4's only remote authentication service, accepts only identify and impersonate
# against a remote server (CoSetProxyBlanket, dwImpLevel), so the settings vary those two.
BLANKET_CHOICES = (
    dict(authn_level="pkt-privacy", imp_level="impersonate"),
    dict(authn_level="pkt-integrity", imp_level="identify"),
    dict(authn_level="call", imp_level="impersonate"),
    dict(authn_level="connect", imp_level="identify"),
)


def blanket_for(index: int) -> dict:
    """The security setting number ``index`` a program might use (a principal tells them apart)."""
    base = BLANKET_CHOICES[index % len(BLANKET_CHOICES)]
    return dict(base, principal=f"setting-{index}")


class LoopBody:
    """One strategy's loop body, with whatever it keeps between iterations (the cache)."""

    def __init__(self, strategy: str, blankets: int):
        self.strategy = strategy
        self.blankets = blankets
        self.cache: dict[int, InterfacePointer] = {}

    def iteration(self, i: int, pItf: InterfacePointer) -> None:
        if self.strategy == "copy-each-time":
            # Our rendering of the KB's loop body (same call order as its sample code).
            pCS = pItf.QueryInterface("IClientSecurity")
            pCopy = pCS.CopyProxy(pItf)
            pCS.Release()
            pCopy.Release()
        elif self.strategy == "co-copy-proxy":
            pCopy = CoCopyProxy(pItf)
            pCopy.Release()
        elif self.strategy == "cache-copy":
            # KB resolution: copy only when needed; reuse the copy made for this blanket.
            slot = i % self.blankets
            if slot not in self.cache:
                pCS = pItf.QueryInterface("IClientSecurity")
                pCopy = pCS.CopyProxy(pItf)
                pCS.SetBlanket(pCopy, **blanket_for(slot))
                pCS.Release()
                self.cache[slot] = pCopy
        else:  # no-copy
            pCS = pItf.QueryInterface("IClientSecurity")
            pCS.Release()

    def finish(self) -> None:
        """Release what the strategy kept (the cached copies), before the final release."""
        for pCopy in self.cache.values():
            pCopy.Release()
        self.cache.clear()


EARLIER_ITERATIONS_RANGE = (0, 10_000)
"""Passes a step-through may run before the one it shows (a diagram, not a benchmark)."""


def kb_iteration_snapshots(
    policy: str = "by-design", earlier_iterations: int = 2, **overrides: object
) -> list:
    """Snapshots of one pass through the KB's loop, call by call, after ``earlier_iterations``
    passes (an int in [0, 10000]), then the final release: what the step-through diagram
    shows."""
    from . import checks
    from .process import Process

    earlier_iterations = checks.number(
        "earlier_iterations", earlier_iterations, "int", *EARLIER_ITERATIONS_RANGE
    )
    proc = Process(policy=policy, **overrides)
    pItf = proc.CoCreateInstanceEx("SimpleObject", "IStream")
    body = LoopBody("copy-each-time", 1)
    for i in range(earlier_iterations):
        body.iteration(i, pItf)
    shots = [
        proc.snapshot(f"before pass {earlier_iterations + 1} ({earlier_iterations} earlier passes)")
    ]
    pCS = pItf.QueryInterface("IClientSecurity")
    shots.append(proc.snapshot("1. pItf->QueryInterface(IID_IClientSecurity)"))
    pCopy = pCS.CopyProxy(pItf)
    shots.append(proc.snapshot("2. pCS->CopyProxy(pItf) makes a new interface proxy"))
    pCS.Release()
    shots.append(proc.snapshot("3. pCS->Release()"))
    pCopy.Release()
    shots.append(proc.snapshot("4. pCopy->Release(): lands on the proxy manager"))
    pItf.Release()
    shots.append(proc.snapshot("5. pItf->Release() after the last pass: the final release"))
    return shots
