"""A client program written by chance: random sequences of COM calls, sensible and not.

Hypothesis plays a careless programmer: QueryInterface for any IID (remote, local, unknown),
AddRef, Release (also one too many), CopyProxy and SetBlanket through any pointer (IClientSecurity
or not, local interfaces, released pointers, another object's proxy), and the helpers
CoCopyProxy and CoSetProxyBlanket, under both policies. Whatever it does, the simulator must
behave like a model of COM:

- misuse fails with a COMError (an HRESULT and what real COM would have done), never another
  exception;
- no count goes below zero, and each proxy manager's count is the sum of the references its
  pointers hold;
- ``interface_proxy_count`` is the number of interface proxies whose blocks are on the heap;
- once every pointer is released and the process idles, the heap holds no block at all.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from comsim import CoCopyProxy, COMError, CoSetProxyBlanket, Process
from comsim.model.blanket import AUTHN_LEVELS, IMP_LEVELS
from comsim.model.com import POLICIES

IIDS = (
    "IStream",  # what the program was activated for
    "IPersistStream",  # another remote interface: a new interface proxy
    "ISequentialStream",
    "IUnknown",  # local interfaces, answered by the proxy manager
    "IClientSecurity",
    "IMarshal",
    "IMultiQI",
    "IDispatch",  # not implemented by SimpleObject: E_NOINTERFACE
)

blankets = st.fixed_dictionaries(
    {
        "authn_level": st.sampled_from(AUTHN_LEVELS),
        "imp_level": st.sampled_from(IMP_LEVELS),
        "principal": st.none() | st.sampled_from(["server", "setting-1"]),
    }
)


class CarelessClient(RuleBasedStateMachine):
    """One client process; every pointer it ever got stays in ``self.pointers``, released or
    not, so later calls may go through dangling ones."""

    @initialize(policy=st.sampled_from(POLICIES), iid=st.sampled_from(("IStream", "IUnknown")))
    def create(self, policy, iid):
        self.proc = Process(policy=policy, idle_sample_ms=5)
        self.pointers = [self.proc.CoCreateInstanceEx("SimpleObject", iid)]

    def _call(self, call):
        """Run one COM call; misuse may fail, but only as a COMError. Keep what it returns."""
        try:
            result = call()
        except COMError as e:
            assert e.hresult_name and e.message  # an HRESULT and a sentence about real COM
            return None
        if result is not None and hasattr(result, "Release"):
            self.pointers.append(result)
        return result

    # -- the calls -------------------------------------------------------------------------------
    @rule(data=st.data(), iid=st.sampled_from(IIDS))
    def query_interface(self, data, iid):
        p = data.draw(st.sampled_from(self.pointers))
        self._call(lambda: p.QueryInterface(iid))

    @rule(data=st.data())
    def add_ref(self, data):
        p = data.draw(st.sampled_from(self.pointers))
        self._call(p.AddRef)

    @rule(data=st.data())
    def release(self, data):
        p = data.draw(st.sampled_from(self.pointers))  # may be one Release too many
        self._call(p.Release)

    @rule(data=st.data())
    def copy_proxy(self, data):
        pCS = data.draw(st.sampled_from(self.pointers))  # not always an IClientSecurity
        p = data.draw(st.sampled_from(self.pointers))  # may be local, a copy, or released
        self._call(lambda: pCS.CopyProxy(p))

    @rule(data=st.data(), blanket=blankets)
    def set_blanket(self, data, blanket):
        pCS = data.draw(st.sampled_from(self.pointers))
        p = data.draw(st.sampled_from(self.pointers))
        self._call(lambda: pCS.SetBlanket(p, **blanket))

    @rule(data=st.data())
    def query_blanket(self, data):
        pCS = data.draw(st.sampled_from(self.pointers))
        p = data.draw(st.sampled_from(self.pointers))
        self._call(lambda: pCS.QueryBlanket(p))

    @rule(data=st.data())
    def co_copy_proxy(self, data):
        p = data.draw(st.sampled_from(self.pointers))
        self._call(lambda: CoCopyProxy(p))

    @rule(data=st.data(), blanket=blankets)
    def co_set_proxy_blanket(self, data, blanket):
        p = data.draw(st.sampled_from(self.pointers))
        self._call(lambda: CoSetProxyBlanket(p, **blanket))

    @rule(iid=st.sampled_from(IIDS))
    def create_another_object(self, iid):
        self._call(lambda: self.proc.CoCreateInstanceEx("SimpleObject", iid))

    @rule()
    def release_everything_and_idle(self):
        """The program's end: every reference it holds released, then time for the reaper."""
        for p in self.pointers:
            while p.proxy_manager.alive and p.refs:
                p.Release()
        self.proc.idle(5.0)
        heap = self.proc.heap.snapshot()
        used = [b for s in heap.segments for b in s.blocks if b.owner is not None]
        assert used == []
        assert heap.used_bytes == 0
        assert self.proc.proxy_managers == []
        assert self.proc.interface_proxy_count == 0
        assert self.proc.transient.pending_bytes == 0

    # -- what must always hold ------------------------------------------------------------------
    @invariant()
    def no_count_is_negative(self):
        for p in self.pointers:
            assert p.refs >= 0
        for pm in self.proc.proxy_managers:
            assert pm.refcount > 0  # a proxy manager at zero is gone
            assert all(proxy.handed_refs >= 0 for proxy in pm.interface_proxies)

    @invariant()
    def each_proxy_managers_count_is_the_references_its_pointers_hold(self):
        for pm in self.proc.proxy_managers:
            held = sum(p.refs for p in self.pointers if p.proxy_manager is pm)
            assert pm.refcount == held

    @invariant()
    def interface_proxy_count_is_the_interface_proxies_on_the_heap(self):
        owners = [
            b.owner
            for s in self.proc.heap.snapshot().segments
            for b in s.blocks
            if b.owner is not None
        ]
        managers = [o for o in owners if o.startswith("proxy manager")]
        assert len(managers) == len(self.proc.proxy_managers)
        assert self.proc.interface_proxy_count == len(owners) - len(managers)


CarelessClient.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestCarelessClient = CarelessClient.TestCase
