"""The COM client side of KB Q216248: process, proxy manager, interface proxies, pointers.

Method names mirror COM, so the KB's loop reads line for line::

    pCS = pItf.QueryInterface("IClientSecurity")
    pCopy = pCS.CopyProxy(pItf)
    pCS.Release()
    pCopy.Release()

What is documented and what is modelled (see ``proxy-manager-facts.md``):

- KB: the proxy manager aggregates every interface proxy; Release on any of them lands on the
  proxy manager, which frees interface proxies only at its own final release.
- CopyProxy docs: a copy starts with the default blanket and one reference; SetBlanket on it
  leaves the original alone; local interfaces cannot be copied; QueryInterface on a copy for
  the copied IID returns the original's interface.
- Wine: QueryInterface for a local interface allocates nothing; otherwise the first interface
  proxy with that IID answers, else a new one is made.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

from .errors import COMError
from .heap import Heap, HeapSnapshot
from .params import Params
from .transient import TransientPool

POLICIES = ("by-design", "free-on-release")
"""``by-design``: copies are freed only at the proxy manager's final release (KB, documented).
``free-on-release``: the counterfactual the KB's reader expected -- each copy is freed as soon
as the last reference handed out through it is released."""

LOCAL_INTERFACES = ("IUnknown", "IClientSecurity", "IMarshal", "IMultiQI")
"""Interfaces the proxy manager answers itself: no interface proxy, no allocation."""

CLASSES: dict[str, tuple[str, ...]] = {
    "SimpleObject": ("IStream", "ISequentialStream", "IPersist", "IPersistStream"),
}
"""Remote classes the simulated server registers, and the interfaces each implements."""

AUTHN_LEVELS = ("default", "none", "connect", "call", "pkt", "pkt-integrity", "pkt-privacy")
IMP_LEVELS = ("default", "anonymous", "identify", "impersonate", "delegate")


@dataclass(frozen=True)
class Blanket:
    """A security blanket: how calls through one proxy authenticate (RPC_C_AUTHN_LEVEL_*,
    RPC_C_IMP_LEVEL_*). New proxies and copies start with the process default."""

    authn_level: str = "connect"
    imp_level: str = "identify"
    principal: str | None = None

    def __post_init__(self):
        if self.authn_level not in AUTHN_LEVELS:
            raise ValueError(f"authn_level must be one of {AUTHN_LEVELS}; got {self.authn_level!r}")
        if self.imp_level not in IMP_LEVELS:
            raise ValueError(f"imp_level must be one of {IMP_LEVELS}; got {self.imp_level!r}")


DEFAULT_BLANKET = Blanket()


class InterfaceProxy:
    """The client-side stand-in for one remote interface: marshals calls into RPC.

    It has no reference count of its own in COM: it is aggregated by its proxy manager, and
    every AddRef/Release through it lands on the proxy manager. ``handed_refs`` counts the
    references client code obtained through it; only the free-on-release counterfactual uses
    it.
    """

    def __init__(self, pm: ProxyManager, iid: str, copied_from: InterfaceProxy | None):
        self.id = next(pm.process._ids)
        self.pm = pm
        self.iid = iid
        self.copied_from = copied_from
        self.blanket = DEFAULT_BLANKET  # CopyProxy docs: a copy starts with default security
        self.handed_refs = 0
        self.label = f"{iid} copy #{self.id}" if copied_from else f"{iid} proxy #{self.id}"
        self.address = pm.process.heap.alloc(pm.process.params.interface_proxy_bytes, self.label)

    @property
    def is_copy(self) -> bool:
        return self.copied_from is not None


class ProxyManager:
    """One per remote object per client apartment: the controlling IUnknown of the client-side
    aggregate. It answers IUnknown, IClientSecurity, IMarshal and IMultiQI itself and owns every
    interface proxy.

    ``refcount`` is the aggregate's single reference count; every AddRef/Release through any
    interface proxy or local interface lands here. At zero the proxy manager releases the
    remote object and frees every interface proxy it holds, then itself (KB: the final release).
    """

    def __init__(self, process: Process, clsid: str):
        self.id = next(process._ids)
        self.process = process
        self.clsid = clsid
        self.refcount = 0
        self.alive = True
        self.address = process.heap.alloc(
            process.params.proxy_manager_bytes, f"proxy manager #{self.id}"
        )
        self.interface_proxies: list[InterfaceProxy] = []

    def find_or_make_proxy(self, iid: str) -> InterfaceProxy:
        """Wine's rule: the first interface proxy with this IID, else a new one
        (a RemQueryInterface round trip to the server)."""
        for proxy in self.interface_proxies:
            if proxy.iid == iid:
                return proxy
        if iid not in CLASSES[self.clsid]:
            raise COMError(
                "E_NOINTERFACE",
                f"{self.clsid} does not implement {iid!r}; real COM would ask the server "
                f"(RemQueryInterface) and get E_NOINTERFACE back. It implements: "
                f"{', '.join(LOCAL_INTERFACES + CLASSES[self.clsid])}.",
            )
        proxy = InterfaceProxy(self, iid, copied_from=None)
        self.interface_proxies.append(proxy)
        return proxy

    def copy_proxy(self, original: InterfaceProxy) -> InterfaceProxy:
        copy = InterfaceProxy(self, original.iid, copied_from=original)
        self.interface_proxies.append(copy)
        proc = self.process
        proc.transient.allocate(proc.params.transient_bytes_per_call, proc.clock_us)
        return copy

    def add_ref(self) -> int:
        self.refcount += 1
        return self.refcount

    def release(self) -> int:
        self.refcount -= 1
        if self.refcount == 0:
            self._final_release()
        return self.refcount

    def drop_proxy(self, proxy: InterfaceProxy) -> None:
        """free-on-release only: free one copy as soon as nothing references it."""
        self.interface_proxies.remove(proxy)
        self.process.heap.free(proxy.address)

    def _final_release(self) -> None:
        # KB: "the proxy manager doesn't actually free the interface proxy object until the
        # final release of the proxy manager": everything goes now, oldest first.
        heap = self.process.heap
        for proxy in self.interface_proxies:
            heap.free(proxy.address)
        self.interface_proxies.clear()
        heap.free(self.address)
        self.alive = False
        self.process.proxy_managers.remove(self)


class InterfacePointer:
    """What client code holds: a pointer to one interface of a proxy manager, together with
    the references that code owns through it (usually one, from QueryInterface or CopyProxy).

    Calling through a pointer whose references were all released is an error here; in real COM
    it is a call through a dangling pointer.
    """

    def __init__(self, pm: ProxyManager, target: InterfaceProxy | str):
        self._pm = pm
        self._target = target  # an InterfaceProxy, or the name of a local interface
        self._refs = 0
        self._add()

    # -- what the pointer points at ------------------------------------------------------------
    @property
    def iid(self) -> str:
        return self._target if isinstance(self._target, str) else self._target.iid

    @property
    def is_copy(self) -> bool:
        """True when this pointer is to a copied interface proxy (from CopyProxy)."""
        return isinstance(self._target, InterfaceProxy) and self._target.is_copy

    @property
    def proxy_manager(self) -> ProxyManager:
        return self._pm

    @property
    def refs(self) -> int:
        """References the holder of this pointer owns (AddRef'd and not yet Released)."""
        return self._refs

    def same_interface(self, other: InterfacePointer) -> bool:
        """True if both pointers have the same address in COM terms (same interface)."""
        if self._pm is not other._pm:
            return False
        if isinstance(self._target, str):  # a local interface: the proxy manager itself
            return self._target == other._target
        return self._target is other._target

    def __repr__(self) -> str:
        kind = "copy of " if self.is_copy else ""
        state = f"refs={self._refs}" if self._pm.alive else "released"
        return f"<{kind}{self.iid} on proxy manager #{self._pm.id}, {state}>"

    # -- IUnknown ------------------------------------------------------------------------------
    def QueryInterface(self, iid: str) -> InterfacePointer:
        """Ask the proxy manager for another interface of the same object."""
        self._check_callable("QueryInterface")
        if not isinstance(iid, str):
            raise TypeError(f"iid must be an interface name such as 'IStream'; got {iid!r}")
        if iid in LOCAL_INTERFACES:
            return InterfacePointer(self._pm, iid)  # answered by the proxy manager: no allocation
        if self.is_copy and iid == self.iid:
            # CopyProxy docs: QueryInterface on a copy for the copied IID gives the original.
            return InterfacePointer(self._pm, self._target.copied_from)
        return InterfacePointer(self._pm, self._pm.find_or_make_proxy(iid))

    def AddRef(self) -> int:
        """One more reference, owned by the holder of this pointer; lands on the proxy manager."""
        self._check_callable("AddRef")
        return self._add()

    def Release(self) -> int:
        """Give back one reference; the count that drops is the proxy manager's."""
        if not self._pm.alive:
            raise COMError(
                "CO_E_OBJNOTCONNECTED",
                f"Release on {self.iid} after the proxy manager's final release; real COM would "
                "call through a dangling pointer into freed memory (undefined behaviour, "
                "often an access violation).",
            )
        if self._refs == 0:
            raise COMError(
                "E_UNEXPECTED",
                f"extra Release on this {self.iid} pointer: its references were all released. "
                "Real COM would not notice: it would decrement the proxy manager's count and "
                "silently drop a reference that another part of the program still relies on.",
            )
        self._refs -= 1
        target = self._target
        if isinstance(target, InterfaceProxy):
            target.handed_refs -= 1
            if (
                self._pm.process.policy == "free-on-release"
                and target.is_copy
                and target.handed_refs == 0
            ):
                self._pm.drop_proxy(target)
        return self._pm.release()

    # -- IClientSecurity -----------------------------------------------------------------------
    def CopyProxy(self, proxy: InterfacePointer) -> InterfacePointer:
        """IClientSecurity::CopyProxy: a private copy of ``proxy`` whose blanket can be set
        without affecting other users of the original. The copy is a new interface proxy
        aggregated by the *same* proxy manager and starts with one reference."""
        self._check_callable("CopyProxy")
        self._require_client_security("CopyProxy")
        target = self._proxy_argument(proxy, "CopyProxy")
        return InterfacePointer(self._pm, self._pm.copy_proxy(target))

    def SetBlanket(
        self,
        proxy: InterfacePointer,
        authn_level: str = "connect",
        imp_level: str = "identify",
        principal: str | None = None,
    ) -> None:
        """IClientSecurity::SetBlanket: set the blanket of ``proxy`` -- which affects every
        user of that interface proxy; on a copy, only that copy."""
        self._check_callable("SetBlanket")
        self._require_client_security("SetBlanket")
        target = self._proxy_argument(proxy, "SetBlanket")
        target.blanket = Blanket(authn_level, imp_level, principal)

    def QueryBlanket(self, proxy: InterfacePointer) -> Blanket:
        """IClientSecurity::QueryBlanket: the blanket calls through ``proxy`` use."""
        self._check_callable("QueryBlanket")
        self._require_client_security("QueryBlanket")
        return self._proxy_argument(proxy, "QueryBlanket").blanket

    # -- checks ---------------------------------------------------------------------------------
    def _add(self) -> int:
        self._refs += 1
        if isinstance(self._target, InterfaceProxy):
            self._target.handed_refs += 1
        return self._pm.add_ref()

    def _check_callable(self, method: str) -> None:
        if not self._pm.alive:
            raise COMError(
                "CO_E_OBJNOTCONNECTED",
                f"{method} on {self.iid} after the proxy manager's final release; real COM "
                "would call through a dangling pointer into freed memory (undefined "
                "behaviour, often an access violation).",
            )
        if self._refs == 0:
            raise COMError(
                "CO_E_OBJNOTCONNECTED",
                f"{method} through a {self.iid} pointer whose references were all released; "
                "real COM would let the call through while someone else keeps the proxy "
                "manager alive, and crash once they release it.",
            )

    def _require_client_security(self, method: str) -> None:
        if self.iid != "IClientSecurity":
            raise COMError(
                "E_NOINTERFACE",
                f"{method} is a method of IClientSecurity, not of {self.iid}; QueryInterface "
                "for 'IClientSecurity' first (real COM code would not even compile).",
            )

    def _proxy_argument(self, proxy: object, method: str) -> InterfaceProxy:
        if not isinstance(proxy, InterfacePointer):
            raise TypeError(f"{method} takes an InterfacePointer; got {proxy!r}")
        proxy._check_callable(method)
        if proxy._pm is not self._pm:
            raise COMError(
                "E_INVALIDARG",
                f"{method}: this IClientSecurity belongs to proxy manager #{self._pm.id} but "
                f"the proxy belongs to #{proxy._pm.id}; real COM expects a proxy of the same "
                "object (use that object's own IClientSecurity, or CoCopyProxy).",
            )
        if isinstance(proxy._target, str):
            raise COMError(
                "E_INVALIDARG",
                f"{method} on the local interface {proxy._target}: local interfaces are the "
                "proxy manager itself, and you cannot duplicate a proxy manager. Real COM "
                "returns E_INVALIDARG too.",
            )
        return proxy._target


@dataclass(frozen=True)
class ProxySnapshot:
    """One interface proxy at one moment."""

    id: int
    iid: str
    is_copy: bool
    copied_from: int | None
    blanket: Blanket
    handed_refs: int
    address: int


@dataclass(frozen=True)
class ProxyManagerSnapshot:
    """One proxy manager at one moment: its single count and the proxies it aggregates."""

    id: int
    clsid: str
    refcount: int
    address: int
    local_interfaces: tuple[str, ...]
    interface_proxies: tuple[ProxySnapshot, ...]


@dataclass(frozen=True)
class Snapshot:
    """What exists in the client process now, for diagrams and tests."""

    time_ms: float
    private_bytes: int
    transient_pending_bytes: int
    proxy_managers: tuple[ProxyManagerSnapshot, ...]
    heap: HeapSnapshot
    note: str = field(default="")

    def with_note(self, note: str) -> Snapshot:
        return replace(self, note=note)


class Process:
    """One client process with one multithreaded apartment (the KB calls CoInitializeEx with
    COINIT_MULTITHREADED): a heap, a clock, the pending transient buffers, its proxy managers.

    Keyword arguments override any parameter in ``data/parameters.csv`` by name.
    """

    def __init__(self, policy: str = "by-design", **overrides: object):
        if policy not in POLICIES:
            raise ValueError(f"policy must be one of {POLICIES}; got {policy!r}")
        self.params = Params.make(**overrides)
        self.policy = policy
        self.heap = Heap(self.params)
        self.transient = TransientPool(
            self.params.page_bytes, self.params.reaper_latency_ms * 1000.0
        )
        self.clock_us = 0.0
        self.proxy_managers: list[ProxyManager] = []
        self._ids = itertools.count(1)  # numbers for this process's objects, as in diagrams

    # -- COM API -------------------------------------------------------------------------------
    def CoCreateInstanceEx(self, clsid: str, iid: str) -> InterfacePointer:
        """Create ``clsid`` on the (simulated) remote server; return a proxy for ``iid``.
        The client gets a new proxy manager holding one interface proxy."""
        if clsid not in CLASSES:
            raise COMError(
                "REGDB_E_CLASSNOTREG",
                f"class {clsid!r} is not registered; real COM fails the activation. "
                f"Registered: {', '.join(CLASSES)}.",
            )
        if iid not in LOCAL_INTERFACES + CLASSES[clsid]:
            raise COMError(
                "E_NOINTERFACE",
                f"{clsid} does not implement {iid!r}; real COM would return "
                f"E_NOINTERFACE in the MULTI_QI entry. It implements: "
                f"{', '.join(LOCAL_INTERFACES + CLASSES[clsid])}.",
            )
        pm = ProxyManager(self, clsid)
        self.proxy_managers.append(pm)
        target = iid if iid in LOCAL_INTERFACES else pm.find_or_make_proxy(iid)
        return InterfacePointer(pm, target)

    def CoSetProxyBlanket(self, proxy: InterfacePointer, **blanket: str | None) -> None:
        """QueryInterface(IClientSecurity) + SetBlanket + Release: a blanket for every user of
        this proxy (documented)."""
        pcs = proxy.QueryInterface("IClientSecurity")
        pcs.SetBlanket(proxy, **blanket)
        pcs.Release()

    def CoQueryProxyBlanket(self, proxy: InterfacePointer) -> Blanket:
        pcs = proxy.QueryInterface("IClientSecurity")
        blanket = pcs.QueryBlanket(proxy)
        pcs.Release()
        return blanket

    # -- time ----------------------------------------------------------------------------------
    def work(self, cpu_us: float, reaper_budget_bytes: int | None = None) -> None:
        """The loop thread computes for ``cpu_us`` of CPU. At this process's tightness that
        takes ``cpu_us / tightness`` of wall time; the reaper gets the idle rest (H2)."""
        wall_us = cpu_us / self.params.tightness
        if reaper_budget_bytes is None:
            reaper_budget_bytes = int(
                self.params.reaper_bytes_per_cpu_ms * (wall_us - cpu_us) // 1000
            )
        self.clock_us = self.clock_us + wall_us
        self.transient.reap(reaper_budget_bytes, self.clock_us)

    def idle(self, seconds: float) -> None:
        """Let ``seconds`` pass with the loop thread asleep: the reaper gets the whole CPU.
        Time advances in steps of ``idle_sample_ms``."""
        if (
            isinstance(seconds, bool)
            or not isinstance(seconds, (int, float))
            or not (0 <= seconds < 1e7)
        ):
            raise ValueError(f"seconds must be a number in [0, 1e7); got {seconds!r}")
        step_us = self.params.idle_sample_ms * 1000.0
        remaining_us = seconds * 1e6
        while remaining_us > 0:
            dt = min(step_us, remaining_us)
            self.idle_step(dt)
            remaining_us -= dt

    def idle_step(self, dt_us: float) -> None:
        self.clock_us = self.clock_us + dt_us
        self.transient.reap(int(self.params.reaper_bytes_per_cpu_ms * dt_us // 1000), self.clock_us)

    # -- what a monitor would show -------------------------------------------------------------
    @property
    def private_bytes(self) -> int:
        """Committed private bytes, like perfmon's Process\\Private Bytes."""
        return (
            self.params.base_private_bytes
            + self.heap.committed_bytes
            + self.transient.committed_bytes
        )

    @property
    def interface_proxy_count(self) -> int:
        """Interface proxies alive in all proxy managers (copies included)."""
        return sum(len(pm.interface_proxies) for pm in self.proxy_managers)

    @property
    def time_ms(self) -> float:
        return self.clock_us / 1000.0

    def snapshot(self, note: str = "") -> Snapshot:
        pms = tuple(
            ProxyManagerSnapshot(
                id=pm.id,
                clsid=pm.clsid,
                refcount=pm.refcount,
                address=pm.address,
                local_interfaces=LOCAL_INTERFACES,
                interface_proxies=tuple(
                    ProxySnapshot(
                        p.id,
                        p.iid,
                        p.is_copy,
                        p.copied_from.id if p.copied_from else None,
                        p.blanket,
                        p.handed_refs,
                        p.address,
                    )
                    for p in pm.interface_proxies
                ),
            )
            for pm in self.proxy_managers
        )
        return Snapshot(
            self.time_ms,
            self.private_bytes,
            self.transient.pending_bytes,
            pms,
            self.heap.snapshot(),
            note,
        )


def CoCopyProxy(proxy: InterfacePointer) -> InterfacePointer:
    """QueryInterface(IClientSecurity) + CopyProxy + Release, in one call (documented: the same
    behaviour as the three calls)."""
    pcs = proxy.QueryInterface("IClientSecurity")
    copy = pcs.CopyProxy(proxy)
    pcs.Release()
    return copy


def CoSetProxyBlanket(proxy: InterfacePointer, **blanket: str | None) -> None:
    """Module-level form of :meth:`Process.CoSetProxyBlanket`."""
    proxy.proxy_manager.process.CoSetProxyBlanket(proxy, **blanket)
