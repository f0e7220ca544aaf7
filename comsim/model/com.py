"""The COM client side of KB Q216248: process, proxy manager, interface proxies, pointers.

Method names mirror COM, so the KB's loop reads line for line::

    pCS = pItf.QueryInterface("IClientSecurity")
    pCopy = pCS.CopyProxy(pItf)
    pCS.Release()
    pCopy.Release()

What is documented and what is modelled (keys of ``comsim.model.sources.SOURCES`` in brackets):

- KB [kb-q216248]: the proxy manager aggregates every interface proxy; Release on any of them
  lands on the proxy manager, which frees interface proxies only at its own final release.
- CopyProxy docs [copyproxy]: a copy starts with the default blanket and one reference;
  SetBlanket on it leaves the original alone; local interfaces (IUnknown included) cannot be
  copied; QueryInterface on a copy for the copied IID returns the original's interface.
- IClientSecurity docs [iclientsecurity]: the proxy passed to its methods must belong to the
  same object, and must not be an interface the proxy manager implements locally -- except
  IUnknown, whose blanket is the proxy manager's own.
- IUnknown security [iunknown-security]: CoSetProxyBlanket on the IUnknown obtained by
  QueryInterface sets the blanket QueryInterface, AddRef and Release use; setting it on any
  other interface leaves IUnknown's blanket alone.
- Activation [multi-qi]: CoCreateInstanceEx asks the *server's* object for each requested
  interface and reports E_NOINTERFACE in that MULTI_QI entry when it has none.
- Wine [wine-ole32]: QueryInterface for a local interface allocates nothing; otherwise the
  first interface proxy with that IID answers, else a new one is made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import checks
from .blanket import DEFAULT_BLANKET, REMOTE_IMP_LEVELS, Blanket, resolved
from .errors import COMError
from .text import article

if TYPE_CHECKING:
    from .process import Process

POLICIES = ("by-design", "free-on-release")
"""``by-design``: copies are freed only at the proxy manager's final release (KB, documented).
``free-on-release``: the counterfactual the KB's reader expected -- each copy is freed as soon
as the last reference handed out through it is released."""

LOCAL_INTERFACES = ("IUnknown", "IClientSecurity", "IMarshal", "IMultiQI")
"""Interfaces the proxy manager answers itself: no interface proxy, no allocation."""

CLASSES: dict[str, tuple[str, ...]] = {
    "SimpleObject": ("IStream", "ISequentialStream", "IPersist", "IPersistStream"),
}
"""Remote classes the simulated server registers, and the interfaces each implements
(every COM object also implements IUnknown)."""


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
        self.copied_from = copied_from  # the proxy CopyProxy was given (maybe itself a copy)
        self._root = copied_from._root if copied_from is not None else self
        self.blanket = DEFAULT_BLANKET  # CopyProxy docs: a copy starts with default security
        self.handed_refs = 0
        self.label = f"{iid} copy #{self.id}" if copied_from else f"{iid} proxy #{self.id}"
        self.address = pm.process.heap.alloc(pm.process.params.interface_proxy_bytes, self.label)

    @property
    def is_copy(self) -> bool:
        return self.copied_from is not None

    @property
    def original(self) -> InterfaceProxy:
        """The proxy QueryInterface made, at the root of a chain of copies (itself if it is
        no copy). Never freed before the final release, whatever the policy."""
        return self._root


class ProxyManager:
    """One per remote object per client apartment: the controlling IUnknown of the client-side
    aggregate. It answers IUnknown, IClientSecurity, IMarshal and IMultiQI itself and owns every
    interface proxy.

    ``refcount`` is the aggregate's single reference count; every AddRef/Release through any
    interface proxy or local interface lands here. At zero the proxy manager releases the
    remote object and frees every interface proxy it holds, then itself (KB: the final release).

    ``blanket`` is IUnknown's blanket: the one QueryInterface, AddRef and Release use when they
    go to the server (IUnknown security: set it with CoSetProxyBlanket on the IUnknown pointer).
    """

    def __init__(self, process: Process, clsid: str):
        self.id = next(process._ids)
        self.process = process
        self.clsid = clsid
        self.refcount = 0
        self.alive = True
        self.blanket = DEFAULT_BLANKET
        self.address = process.heap.alloc(
            process.params.proxy_manager_bytes, f"proxy manager #{self.id}"
        )
        # Every interface proxy alive, oldest first, by id (a dict: any one leaves in O(1)).
        self._proxies: dict[int, InterfaceProxy] = {}
        self._originals: dict[str, InterfaceProxy] = {}  # the one QueryInterface answers, by IID

    @property
    def interface_proxies(self) -> list[InterfaceProxy]:
        """The interface proxies it aggregates now, oldest first (copies included)."""
        return list(self._proxies.values())

    @property
    def interface_proxy_count(self) -> int:
        return len(self._proxies)

    @property
    def name(self) -> str:
        """How messages and diagrams name this proxy manager (numbered within its process)."""
        return f"proxy manager #{self.id}"

    def find_or_make_proxy(self, iid: str) -> InterfaceProxy:
        """Wine's rule: the first interface proxy with this IID, else a new one
        (a RemQueryInterface round trip to the server). Copies are private to whoever made
        them and never answer QueryInterface."""
        if iid in self._originals:
            return self._originals[iid]
        if iid not in CLASSES[self.clsid]:
            raise COMError(
                "E_NOINTERFACE",
                f"{self.clsid} does not implement {iid!r}; real COM would ask the server "
                f"(RemQueryInterface) and get E_NOINTERFACE back. It implements: "
                f"{', '.join(LOCAL_INTERFACES + CLASSES[self.clsid])}.",
            )
        proxy = InterfaceProxy(self, iid, copied_from=None)
        self._proxies[proxy.id] = self._originals[iid] = proxy
        return proxy

    def copy_proxy(self, source: InterfaceProxy) -> InterfaceProxy:
        copy = InterfaceProxy(self, source.iid, copied_from=source)
        self._proxies[copy.id] = copy
        proc = self.process
        proc.transient.allocate(proc.params.transient_bytes_per_call, proc.clock_us)  # H2
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
        if self._proxies.pop(proxy.id, None) is not None:
            self.process.heap.free(proxy.address)

    def _final_release(self) -> None:
        # KB: the proxy manager frees its interface proxies only at its own final release:
        # everything goes now, oldest first.
        heap = self.process.heap
        for proxy in self._proxies.values():
            heap.free(proxy.address)
        self._proxies.clear()
        self._originals.clear()
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
        if not isinstance(other, InterfacePointer):
            raise checks.refuse("other", "an InterfacePointer", other, TypeError)
        if self._pm is not other._pm:
            return False
        if isinstance(self._target, str):  # a local interface: the proxy manager itself
            return self._target == other._target
        return self._target is other._target

    def __repr__(self) -> str:
        kind = "copy of " if self.is_copy else ""
        state = f"refs={self._refs}" if self._pm.alive else "released"
        return f"<{kind}{self.iid} on {self._pm.name}, {state}>"

    # -- IUnknown ------------------------------------------------------------------------------
    def QueryInterface(self, iid: str) -> InterfacePointer:
        """Ask the proxy manager for another interface of the same object."""
        self._check_callable("QueryInterface")
        checks.text("iid", iid, empty_ok=True)
        if iid in LOCAL_INTERFACES:
            return InterfacePointer(self._pm, iid)  # answered by the proxy manager: no allocation
        if self.is_copy and iid == self.iid:
            # CopyProxy docs: QI on a copy for the copied IID returns the original -- the
            # root of the chain, even from a copy of a copy.
            return InterfacePointer(self._pm, self._target.original)
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
                f"extra Release on this {self.iid} pointer: its references were all released (the "
                "error is the simulator's: Release returns a count). Real COM, if it keeps one "
                "count as Wine's does, would just lower it, unnoticed unless that frees proxies.",
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
        # CopyProxy docs / IUnknown security: no local interface, IUnknown included.
        target = self._proxy_argument(proxy, "CopyProxy", allow_iunknown=False)
        return InterfacePointer(self._pm, self._pm.copy_proxy(target))

    def SetBlanket(
        self,
        proxy: InterfacePointer,
        authn_level: str = "default",
        imp_level: str = "default",
        principal: str | None = None,
    ) -> None:
        """IClientSecurity::SetBlanket: set the blanket of ``proxy`` -- which affects every
        user of that interface proxy; on a copy, only that copy; on the IUnknown pointer, the
        blanket QueryInterface, AddRef and Release use.

        A level left out is ``"default"`` (RPC_C_AUTHN_LEVEL_DEFAULT, RPC_C_IMP_LEVEL_DEFAULT):
        COM chooses it, from the process's security defaults, so QueryBlanket afterwards reports
        the level in use. ``principal=None`` passes no principal name, which keeps the one set
        before (COLE_DEFAULT_PRINCIPAL, "COM chooses", is not modelled). The 1998 SetBlanket
        page gives the default constants to NT 5 only; the model takes them on NT4 too (claim
        ``model-resolves-default-levels``)."""
        self._check_callable("SetBlanket")
        self._require_client_security("SetBlanket")
        asked = Blanket(authn_level, imp_level, principal)  # bad values fail before any change
        if asked.imp_level not in REMOTE_IMP_LEVELS + ("default",):
            raise COMError(
                "E_INVALIDARG",
                f"SetBlanket(imp_level={imp_level!r}) on a proxy to a remote object: NTLM, NT4's "
                "only remote authentication service, supports only 'identify' and "
                "'impersonate' there; the model answers the rest with E_INVALIDARG, our "
                "inference from CoSetProxyBlanket's 'one or more arguments are invalid'. The "
                "blanket is unchanged.",
            )
        # IClientSecurity docs: IUnknown is the one local interface these methods accept.
        target = self._proxy_argument(proxy, "SetBlanket", allow_iunknown=True)
        target.blanket = resolved(asked, target.blanket)

    def QueryBlanket(self, proxy: InterfacePointer) -> Blanket:
        """IClientSecurity::QueryBlanket: the blanket calls through ``proxy`` use (for the
        IUnknown pointer: the blanket of QueryInterface, AddRef and Release)."""
        self._check_callable("QueryBlanket")
        self._require_client_security("QueryBlanket")
        return self._proxy_argument(proxy, "QueryBlanket", allow_iunknown=True).blanket

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
                f"{method} through {article(self.iid)} {self.iid} pointer whose references were "
                "all released; real COM need not catch it while another holder keeps the proxy "
                "manager alive (by the KB, every Release lands there), then reads freed memory.",
            )

    def _require_client_security(self, method: str) -> None:
        if self.iid != "IClientSecurity":
            raise COMError(
                "E_NOINTERFACE",
                f"{method} is a method of IClientSecurity, not of {self.iid}; QueryInterface "
                "for 'IClientSecurity' first (real COM code would not even compile).",
            )

    def _proxy_argument(
        self, proxy: object, method: str, *, allow_iunknown: bool
    ) -> InterfaceProxy | ProxyManager:
        """The interface proxy ``proxy`` points at -- or, for IUnknown where allowed, the proxy
        manager itself, which holds IUnknown's blanket."""
        if not isinstance(proxy, InterfacePointer):
            raise TypeError(
                f"proxy must be an InterfacePointer (from QueryInterface, CopyProxy or "
                f"CoCreateInstanceEx); {method} got {proxy!r} ({type(proxy).__name__})"
            )
        proxy._check_callable(method)
        if proxy._pm is not self._pm:
            # IClientSecurity docs: the proxy must belong to the same object.
            mine, theirs = self._pm.name, proxy._pm.name
            if proxy._pm.process is not self._pm.process:  # numbers restart in each process
                mine += f" in process #{self._pm.process.id}"
                theirs += f" in another process (#{proxy._pm.process.id})"
            raise COMError(
                "E_INVALIDARG",
                f"{method}: this IClientSecurity belongs to {mine} but the proxy belongs to "
                f"{theirs}; real COM expects a proxy of the same object (use that object's "
                "own IClientSecurity, or CoCopyProxy).",
            )
        target = proxy._target
        if isinstance(target, str):
            if target == "IUnknown" and allow_iunknown:
                return self._pm  # IUnknown's blanket is kept on the proxy manager
            if target == "IUnknown":
                raise COMError(
                    "E_INVALIDARG",
                    f"{method} on IUnknown: IUnknown is the proxy manager itself, and you "
                    "cannot duplicate a proxy manager (CopyProxy docs). That real COM returns "
                    "E_INVALIDARG here is our inference (the error CopyProxy lists for invalid "
                    "arguments). To secure QueryInterface, AddRef and Release, set "
                    "IUnknown's blanket instead (SetBlanket or CoSetProxyBlanket on it).",
                )
            raise COMError(
                "E_INVALIDARG",
                f"{method} on the local interface {target}: it is implemented by the proxy "
                "manager itself, not by an interface proxy, and IClientSecurity's methods "
                "accept no local interface except IUnknown (CopyProxy not even that). That "
                "real COM returns E_INVALIDARG here is our inference: the IClientSecurity page "
                "says such a call does not work, not which error it returns.",
            )
        return target
