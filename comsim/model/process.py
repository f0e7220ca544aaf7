"""The client process: its clock, heap and pending transient buffers, the proxy managers it
holds, what a monitor would show of it (private bytes, snapshots), and the Co* helpers that
wrap IClientSecurity (CoCopyProxy, CoSetProxyBlanket, CoQueryProxyBlanket)."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, replace

from . import checks
from .blanket import DEFAULT_BLANKET, Blanket
from .com import CLASSES, LOCAL_INTERFACES, POLICIES, InterfacePointer, ProxyManager
from .errors import COMError
from .heap import Heap, HeapSnapshot
from .params import Params
from .transient import TransientPool

IDLE_MAX_SECONDS = 1e7
"""Process.idle accepts [0, 1e7) seconds (about 116 days of simulated time)."""
MAX_STEP_US = IDLE_MAX_SECONDS * 1e6
"""The longest single step of time Process.work and Process.idle_step take, in microseconds."""
MAX_REAPER_BUDGET_BYTES = 1 << 50
"""More than any pool of pending buffers can hold: a budget beyond it frees nothing more."""


@dataclass(frozen=True)
class ProxySnapshot:
    """One interface proxy at one moment. ``copied_from`` is the proxy CopyProxy was given;
    ``original`` the root of the chain, the one QueryInterface on the copy returns."""

    id: int
    iid: str
    is_copy: bool
    copied_from: int | None
    blanket: Blanket
    handed_refs: int
    address: int
    original: int | None = None


@dataclass(frozen=True)
class ProxyManagerSnapshot:
    """One proxy manager at one moment: its single count, the proxies it aggregates, and
    IUnknown's blanket (used by QueryInterface, AddRef and Release)."""

    id: int
    clsid: str
    refcount: int
    address: int
    local_interfaces: tuple[str, ...]
    interface_proxies: tuple[ProxySnapshot, ...]
    iunknown_blanket: Blanket = DEFAULT_BLANKET


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

    _process_ids = itertools.count(1)

    def __init__(self, policy: str = "by-design", **overrides: object):
        checks.choice("policy", policy, POLICIES)
        self.params = Params.make(**overrides)
        self.policy = policy
        self.id = next(Process._process_ids)  # tells processes apart in messages
        self.heap = Heap(self.params)
        self.transient = TransientPool(
            self.params.page_bytes, self.params.reaper_latency_ms * 1000.0
        )
        self.clock_us = 0.0
        self.proxy_managers: list[ProxyManager] = []
        self._ids = itertools.count(1)  # numbers for this process's objects, as in diagrams

    # -- COM API -------------------------------------------------------------------------------
    def CoCreateInstanceEx(self, clsid: str, iid: str) -> InterfacePointer:
        """Create ``clsid`` on the (simulated) remote server; return a proxy for ``iid``
        (one MULTI_QI entry). The client gets a new proxy manager holding one interface proxy
        (none when ``iid`` is IUnknown)."""
        checks.text("clsid", clsid, empty_ok=True)
        checks.text("iid", iid, empty_ok=True)
        if clsid not in CLASSES:
            raise COMError(
                "REGDB_E_CLASSNOTREG",
                f"class {clsid!r} is not registered; real COM fails the activation. "
                f"Registered: {', '.join(CLASSES)}.",
            )
        served = ("IUnknown",) + CLASSES[clsid]  # what the server's object implements
        if iid not in served:
            # MULTI_QI: the server's object is asked for iid; the proxy manager's own local
            # interfaces (IClientSecurity, ...) do not exist on the server.
            where = (
                f"{iid} is implemented by the client's proxy manager, not by the server's "
                f"object: get it afterwards by QueryInterface on the proxy"
                if iid in LOCAL_INTERFACES
                else f"{clsid} does not implement {iid!r}"
            )
            raise COMError(
                "E_NOINTERFACE",
                f"CoCreateInstanceEx({clsid!r}, {iid!r}): {where}. Real DCOM puts "
                "E_NOINTERFACE in the MULTI_QI entry's hr, and returns E_NOINTERFACE when no "
                "entry succeeded (CO_S_NOTALLINTERFACES when only some did). The server's "
                f"object implements: {', '.join(served)}. Nothing was created.",
            )
        pm = ProxyManager(self, clsid)
        self.proxy_managers.append(pm)
        target = iid if iid in LOCAL_INTERFACES else pm.find_or_make_proxy(iid)
        return InterfacePointer(pm, target)

    def CoSetProxyBlanket(self, proxy: InterfacePointer, **blanket: str | None) -> None:
        """QueryInterface(IClientSecurity) + SetBlanket + Release: a blanket for every user of
        this proxy (documented). On the IUnknown pointer: the blanket of QueryInterface,
        AddRef and Release (IUnknown security)."""
        _check_pointer(proxy, "CoSetProxyBlanket")
        pcs = proxy.QueryInterface("IClientSecurity")
        try:
            pcs.SetBlanket(proxy, **blanket)
        finally:
            pcs.Release()  # a failed SetBlanket must not leak the reference taken above

    def CoQueryProxyBlanket(self, proxy: InterfacePointer) -> Blanket:
        """QueryInterface(IClientSecurity) + QueryBlanket + Release: the blanket calls through
        ``proxy`` use."""
        _check_pointer(proxy, "CoQueryProxyBlanket")
        pcs = proxy.QueryInterface("IClientSecurity")
        try:
            return pcs.QueryBlanket(proxy)
        finally:
            pcs.Release()

    # -- time ----------------------------------------------------------------------------------
    def work(self, cpu_us: float, reaper_budget_bytes: int | None = None) -> None:
        """The loop thread computes for ``cpu_us`` of CPU. At this process's tightness that
        takes ``cpu_us / tightness`` of wall time; the reaper gets the idle rest (H2), or
        ``reaper_budget_bytes`` when given. Time never runs backwards: both are checked."""
        cpu_us = checks.number("cpu_us", cpu_us, "float", 0, MAX_STEP_US)
        if reaper_budget_bytes is not None:
            reaper_budget_bytes = checks.number(
                "reaper_budget_bytes", reaper_budget_bytes, "int", 0, MAX_REAPER_BUDGET_BYTES
            )
        wall_us = cpu_us / self.params.tightness
        if reaper_budget_bytes is None:
            reaper_budget_bytes = int(
                self.params.reaper_bytes_per_cpu_ms * (wall_us - cpu_us) // 1000
            )
        self.clock_us = self.clock_us + wall_us
        self.transient.reap(reaper_budget_bytes, self.clock_us)

    def idle(self, seconds: float) -> None:
        """Let ``seconds`` pass with the loop thread asleep: the reaper gets the whole CPU.

        The result is that of steps of ``idle_sample_ms``, each giving the reaper one step's
        budget; but runs of steps in which nothing new becomes due are taken in one stride,
        and once no buffer is pending the clock jumps to the end. So any allowed ``seconds``
        answers at once."""
        seconds = checks.number("seconds", seconds, "float", 0, IDLE_MAX_SECONDS, high_open=True)
        step_us = self.params.idle_sample_ms * 1000.0
        step_budget = int(self.params.reaper_bytes_per_cpu_ms * step_us // 1000)
        remaining_us = seconds * 1e6
        pool = self.transient
        while remaining_us >= step_us:
            if pool.pending_bytes == 0 and pool.waiting_until_us is None:
                break  # nothing for the reaper to do: the rest is just time passing
            steps = int(remaining_us // step_us)
            due_us = pool.next_due_us
            if due_us is not None:  # steps until the next buffer's latency has passed
                steps = min(steps, max(1, math.ceil((due_us - self.clock_us) / step_us)))
            eligible_left = pool.eligible_bytes - pool.freed_bytes
            if eligible_left > 0 and step_budget > 0:  # steps until the due buffers are freed
                steps = min(steps, max(1, -(-eligible_left // step_budget)))
            if steps > 1:  # no buffer becomes due in these steps: one stride, one budget
                self.clock_us += (steps - 1) * step_us
                pool.reap((steps - 1) * step_budget, self.clock_us)
            self.idle_step(step_us)  # the step in which something changes
            remaining_us -= steps * step_us
        if remaining_us > 0:
            if pool.pending_bytes == 0 and pool.waiting_until_us is None:
                self.clock_us += remaining_us
            else:
                self.idle_step(remaining_us)

    def idle_step(self, dt_us: float) -> None:
        """One step of idle time: the clock advances ``dt_us``, the reaper frees what that CPU
        time allows."""
        dt_us = checks.number("dt_us", dt_us, "float", 0, MAX_STEP_US)
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
        return sum(pm.interface_proxy_count for pm in self.proxy_managers)

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
                        p.original.id if p.copied_from else None,
                    )
                    for p in pm.interface_proxies
                ),
                iunknown_blanket=pm.blanket,
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


def _check_pointer(proxy: object, function: str) -> None:
    if not isinstance(proxy, InterfacePointer):
        raise TypeError(
            f"proxy must be an InterfacePointer (from QueryInterface, CopyProxy or "
            f"CoCreateInstanceEx); {function} got {proxy!r} ({type(proxy).__name__})"
        )


def CoCopyProxy(proxy: InterfacePointer) -> InterfacePointer:
    """QueryInterface(IClientSecurity) + CopyProxy + Release, in one call (documented: the same
    behaviour as the three calls)."""
    _check_pointer(proxy, "CoCopyProxy")
    pcs = proxy.QueryInterface("IClientSecurity")
    try:
        return pcs.CopyProxy(proxy)
    finally:
        pcs.Release()  # also when CopyProxy fails: the helper itself must not leak


def CoSetProxyBlanket(proxy: InterfacePointer, **blanket: str | None) -> None:
    """Module-level form of :meth:`Process.CoSetProxyBlanket`."""
    _check_pointer(proxy, "CoSetProxyBlanket")
    proxy.proxy_manager.process.CoSetProxyBlanket(proxy, **blanket)


def CoQueryProxyBlanket(proxy: InterfacePointer) -> Blanket:
    """Module-level form of :meth:`Process.CoQueryProxyBlanket`."""
    _check_pointer(proxy, "CoQueryProxyBlanket")
    return proxy.proxy_manager.process.CoQueryProxyBlanket(proxy)
