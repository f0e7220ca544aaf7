"""The object model: one reference count, QueryInterface routing, CopyProxy and its copies.

Each test is a small COM client program, written the way the KB's loop is written.
"""

from __future__ import annotations

import pytest

import comsim
from comsim import Blanket, CoCopyProxy, COMError, CoSetProxyBlanket, Process
from comsim.model.errors import HRESULTS

REMOTE = "IPersistStream"  # implemented by SimpleObject, not created by CoCreateInstanceEx


def _process(policy: str = "by-design", **overrides) -> Process:
    return Process(policy=policy, **overrides)


def _created(policy: str = "by-design", **overrides):
    proc = _process(policy, **overrides)
    pItf = proc.CoCreateInstanceEx("SimpleObject", "IStream")
    return proc, pItf


def _memory(proc: Process) -> tuple:
    """Everything a learner could measure about memory, without ids that differ per process."""
    heap = proc.heap.snapshot()
    blocks = tuple((b.address, b.size, b.owner is None) for s in heap.segments for b in s.blocks)
    pages = tuple(s.committed_pages for s in heap.segments)
    return (
        proc.private_bytes,
        heap.committed_bytes,
        heap.used_bytes,
        heap.free_bytes,
        blocks,
        pages,
        proc.transient.pending_bytes,
        proc.transient.committed_bytes,
        proc.interface_proxy_count,
    )


def _kb_iteration(pItf) -> None:
    """The KB sample's loop body, in the order of its code: pCS is released before the copy."""
    pCS = pItf.QueryInterface("IClientSecurity")
    pCopy = pCS.CopyProxy(pItf)
    pCS.Release()
    pCopy.Release()


def _kb_list_iteration(pItf) -> None:
    """The KB's numbered list order: the copy is released first, then pCS."""
    pCS = pItf.QueryInterface("IClientSecurity")
    pCopy = pCS.CopyProxy(pItf)
    pCopy.Release()
    pCS.Release()


# -- one reference count ---------------------------------------------------------------------------
def test_a_new_proxy_manager_holds_one_reference_and_one_interface_proxy():
    proc, pItf = _created()
    (pm,) = proc.proxy_managers
    assert pm.refcount == 1
    assert pItf.refs == 1
    assert proc.interface_proxy_count == 1
    assert pItf.proxy_manager is pm


def test_every_addref_and_release_through_any_interface_lands_on_the_proxy_managers_count():
    proc, pItf = _created()
    pm = pItf.proxy_manager
    pCS = pItf.QueryInterface("IClientSecurity")  # a local interface
    assert pm.refcount == 2
    pPS = pItf.QueryInterface(REMOTE)  # a remote interface: its own interface proxy
    assert pm.refcount == 3
    pCopy = pCS.CopyProxy(pItf)  # a copy: one more reference, on the same count
    assert pm.refcount == 4
    counts = [pItf.AddRef(), pCS.AddRef(), pPS.AddRef(), pCopy.AddRef()]
    assert counts == [5, 6, 7, 8]
    assert pm.refcount == 8
    counts = [pCopy.Release(), pPS.Release(), pCS.Release(), pItf.Release()]
    assert counts == [7, 6, 5, 4]
    assert pm.refcount == 4
    # Each pointer still owns the reference it got when it was handed out.
    assert [p.refs for p in (pItf, pCS, pPS, pCopy)] == [1, 1, 1, 1]
    assert pCopy.Release() == 3
    assert pPS.Release() == 2
    assert pCS.Release() == 1
    assert pItf.Release() == 0
    assert proc.proxy_managers == []


@pytest.mark.parametrize("iid", ["IUnknown", "IClientSecurity", "IMarshal", "IMultiQI"])
def test_querying_a_local_interface_allocates_nothing(iid):
    proc, pItf = _created()
    before = _memory(proc)
    pLocal = pItf.QueryInterface(iid)
    assert pLocal.iid == iid
    assert _memory(proc) == before
    assert proc.heap.used_bytes == before[2]
    assert proc.private_bytes == before[0]
    # Asking again, or asking the local interface for itself, allocates nothing either.
    pAgain = pLocal.QueryInterface(iid)
    assert _memory(proc) == before
    assert pAgain.same_interface(pLocal)


def test_querying_a_new_remote_interface_makes_one_interface_proxy_and_a_second_query_reuses_it():
    proc, pItf = _created()
    used = proc.heap.used_bytes
    block = proc.params.block_bytes(proc.params.interface_proxy_bytes)
    pPS = pItf.QueryInterface(REMOTE)
    assert proc.interface_proxy_count == 2
    assert proc.heap.used_bytes == used + block
    assert not pPS.is_copy
    pPS2 = pItf.QueryInterface(REMOTE)
    assert proc.interface_proxy_count == 2
    assert proc.heap.used_bytes == used + block
    assert pPS2.same_interface(pPS)
    assert not pPS2.same_interface(pItf)
    # Asking for the interface we already hold reuses the original proxy too.
    assert pPS.QueryInterface("IStream").same_interface(pItf)
    assert proc.interface_proxy_count == 2


def test_querying_a_copy_for_the_copied_interface_returns_the_originals_interface():
    proc, pItf = _created()
    pCS = pItf.QueryInterface("IClientSecurity")
    pCopy = pCS.CopyProxy(pItf)
    proxies = proc.interface_proxy_count
    pBack = pCopy.QueryInterface("IStream")
    assert pBack.same_interface(pItf)
    assert not pBack.same_interface(pCopy)
    assert not pBack.is_copy
    assert proc.interface_proxy_count == proxies  # nothing new was made


def test_a_copy_is_a_new_interface_proxy_of_the_same_proxy_manager():
    proc, pItf = _created()
    pCS = pItf.QueryInterface("IClientSecurity")
    used = proc.heap.used_bytes
    pCopy = pCS.CopyProxy(pItf)
    assert pCopy.is_copy
    assert pCopy.iid == "IStream"
    assert pCopy.proxy_manager is pItf.proxy_manager
    assert not pCopy.same_interface(pItf)
    assert len(proc.proxy_managers) == 1  # "you cannot duplicate a proxy manager"
    assert proc.interface_proxy_count == 2
    assert proc.heap.used_bytes == used + proc.params.block_bytes(proc.params.interface_proxy_bytes)


@pytest.mark.parametrize("iid", ["IUnknown", "IClientSecurity", "IMarshal"])
def test_copying_a_local_interface_fails_with_e_invalidarg(iid):
    proc, pItf = _created()
    pCS = pItf.QueryInterface("IClientSecurity")
    pLocal = pItf.QueryInterface(iid)
    before = _memory(proc)
    with pytest.raises(COMError) as info:
        pCS.CopyProxy(pLocal)
    assert info.value.hresult_name == "E_INVALIDARG"
    assert info.value.hresult == 0x80070057
    assert iid in info.value.message
    assert _memory(proc) == before


def test_a_copy_starts_with_the_default_blanket_and_one_reference():
    proc, pItf = _created()
    pCS = pItf.QueryInterface("IClientSecurity")
    pCS.SetBlanket(pItf, authn_level="pkt-privacy", imp_level="impersonate", principal="me")
    refs_before = pItf.proxy_manager.refcount
    pCopy = pCS.CopyProxy(pItf)
    assert pCopy.refs == 1
    assert pItf.proxy_manager.refcount == refs_before + 1
    assert pCS.QueryBlanket(pCopy) == Blanket()
    assert pCS.QueryBlanket(pItf) == Blanket("pkt-privacy", "impersonate", "me")


def test_setting_the_blanket_on_a_copy_leaves_the_original_unchanged():
    proc, pItf = _created()
    pCS = pItf.QueryInterface("IClientSecurity")
    pCopy = pCS.CopyProxy(pItf)
    original = pCS.QueryBlanket(pItf)
    pCS.SetBlanket(pCopy, authn_level="pkt-privacy", imp_level="impersonate", principal="x")
    assert pCS.QueryBlanket(pCopy) == Blanket("pkt-privacy", "impersonate", "x")
    assert pCS.QueryBlanket(pItf) == original == Blanket()
    assert proc.CoQueryProxyBlanket(pItf) == Blanket()
    # Another copy of the same original is its own private proxy too.
    pCopy2 = pCS.CopyProxy(pItf)
    assert pCS.QueryBlanket(pCopy2) == Blanket()


def test_setting_the_blanket_on_the_original_affects_every_pointer_to_it():
    proc, pItf = _created()
    pOther = pItf.QueryInterface("IStream")  # another user of the same interface proxy
    pFromPS = pItf.QueryInterface(REMOTE).QueryInterface("IStream")
    pCS = pItf.QueryInterface("IClientSecurity")
    pCopy = pCS.CopyProxy(pItf)
    pCS.SetBlanket(pItf, authn_level="call", imp_level="impersonate")
    want = Blanket("call", "impersonate")
    assert pCS.QueryBlanket(pOther) == want
    assert pCS.QueryBlanket(pFromPS) == want
    assert pCS.QueryBlanket(pCopy) == Blanket()  # the copy is private
    # CoSetProxyBlanket is QueryInterface + SetBlanket + Release: the same effect.
    CoSetProxyBlanket(pOther, authn_level="pkt-integrity", imp_level="identify", principal="p")
    want = Blanket("pkt-integrity", "identify", "p")
    assert proc.CoQueryProxyBlanket(pItf) == want
    assert proc.CoQueryProxyBlanket(pFromPS) == want
    assert proc.CoQueryProxyBlanket(pCopy) == Blanket()
    proc.CoSetProxyBlanket(pItf, authn_level="none", imp_level="identify")
    assert proc.CoQueryProxyBlanket(pOther) == Blanket("none", "identify", "p")


def test_cosetproxyblanket_leaves_the_reference_count_as_it_found_it():
    proc, pItf = _created()
    refs = pItf.proxy_manager.refcount
    CoSetProxyBlanket(pItf, authn_level="pkt-privacy")
    assert pItf.proxy_manager.refcount == refs
    assert proc.CoQueryProxyBlanket(pItf).authn_level == "pkt-privacy"
    assert pItf.proxy_manager.refcount == refs


def test_a_bad_blanket_value_is_refused():
    proc, pItf = _created()
    pCS = pItf.QueryInterface("IClientSecurity")
    with pytest.raises(ValueError, match="authn_level"):
        pCS.SetBlanket(pItf, authn_level="loud")
    with pytest.raises(ValueError, match="imp_level"):
        pCS.SetBlanket(pItf, imp_level="everyone")
    assert pCS.QueryBlanket(pItf) == Blanket()


# -- by design: the copy is held until the final release -------------------------------------------
def test_copy_is_held_until_the_proxy_managers_final_release():
    proc, pItf = _created()
    block = proc.params.block_bytes(proc.params.interface_proxy_bytes)
    used_at_start = proc.heap.used_bytes
    for i in range(1, 26):
        pCS = pItf.QueryInterface("IClientSecurity")
        pCopy = pCS.CopyProxy(pItf)
        pCS.Release()
        after_copy = proc.heap.used_bytes
        assert pCopy.Release() == 1  # only the original's reference is left ...
        assert proc.heap.used_bytes == after_copy  # ... and nothing was freed
        assert proc.interface_proxy_count == 1 + i
        assert proc.heap.used_bytes == used_at_start + i * block
    assert pItf.Release() == 0  # the proxy manager's final release
    assert proc.interface_proxy_count == 0
    assert proc.heap.used_bytes == 0
    assert proc.proxy_managers == []


def test_private_bytes_grow_with_the_copies_and_fall_at_the_final_release():
    proc, pItf = _created()
    start = proc.private_bytes
    for _ in range(200):
        _kb_iteration(pItf)
    grown = proc.private_bytes
    assert grown - start >= 199 * proc.params.interface_proxy_bytes  # the copies are all there
    pItf.Release()
    proc.idle(2.0)
    assert proc.private_bytes < start + (grown - start) * 0.1


def test_every_call_after_the_final_release_fails_with_co_e_objnotconnected():
    proc, pItf = _created()
    pCS = pItf.QueryInterface("IClientSecurity")
    pCopy = pCS.CopyProxy(pItf)
    pPS = pItf.QueryInterface(REMOTE)
    for p in (pCS, pCopy, pPS):
        p.Release()
    assert pItf.Release() == 0
    calls = [
        lambda: pItf.QueryInterface("IStream"),
        lambda: pItf.QueryInterface("IClientSecurity"),
        lambda: pItf.AddRef(),
        lambda: pItf.Release(),
        lambda: pCopy.Release(),
        lambda: pCopy.AddRef(),
        lambda: pCopy.QueryInterface("IStream"),
        lambda: pPS.Release(),
        lambda: pCS.CopyProxy(pItf),
        lambda: pCS.SetBlanket(pItf),
        lambda: pCS.QueryBlanket(pItf),
        lambda: pCS.Release(),
        lambda: CoCopyProxy(pItf),
        lambda: CoSetProxyBlanket(pItf, authn_level="call"),
    ]
    for call in calls:
        with pytest.raises(COMError) as info:
            call()
        assert info.value.hresult_name == "CO_E_OBJNOTCONNECTED"
        assert "final release" in info.value.message
    assert proc.heap.used_bytes == 0


def test_a_copy_still_held_keeps_the_proxy_manager_alive():
    proc, pItf = _created()
    pCopy = CoCopyProxy(pItf)
    assert pItf.Release() == 1  # the original pointer is gone, but the copy holds a reference
    assert len(proc.proxy_managers) == 1
    assert proc.interface_proxy_count == 2
    with pytest.raises(COMError) as info:
        pItf.QueryInterface("IStream")  # pItf's own references were all released
    assert info.value.hresult_name == "CO_E_OBJNOTCONNECTED"
    assert pCopy.QueryInterface("IStream").Release() == 1
    assert pCopy.Release() == 0
    assert proc.interface_proxy_count == 0
    assert proc.heap.used_bytes == 0


# -- the counterfactual: free on release -----------------------------------------------------------
def test_free_on_release_frees_the_copy_at_its_own_release():
    proc, pItf = _created("free-on-release")
    used = proc.heap.used_bytes
    for _ in range(10):
        pCS = pItf.QueryInterface("IClientSecurity")
        pCopy = pCS.CopyProxy(pItf)
        assert proc.interface_proxy_count == 2
        pCS.Release()
        assert pCopy.Release() == 1
        assert proc.interface_proxy_count == 1
        assert proc.heap.used_bytes == used
    assert pItf.Release() == 0
    assert proc.heap.used_bytes == 0


def test_free_on_release_waits_for_the_last_reference_handed_out_through_the_copy():
    proc, pItf = _created("free-on-release")
    pCopy = CoCopyProxy(pItf)
    assert pCopy.AddRef() == 3
    assert pCopy.Release() == 2
    assert proc.interface_proxy_count == 2  # one reference through the copy is still out
    assert pCopy.Release() == 1
    assert proc.interface_proxy_count == 1


def test_free_on_release_never_frees_the_original_interface_proxy():
    proc, pItf = _created("free-on-release")
    pOther = pItf.QueryInterface("IStream")
    pOther.Release()
    assert proc.interface_proxy_count == 1
    pPS = pItf.QueryInterface(REMOTE)
    pPS.Release()
    assert proc.interface_proxy_count == 2  # only copies go early


# -- misuse and failures ---------------------------------------------------------------------------
def test_an_extra_release_fails_with_e_unexpected_and_says_what_real_com_would_do():
    proc, pItf = _created()
    pCS = pItf.QueryInterface("IClientSecurity")
    pCopy = pCS.CopyProxy(pItf)
    pCopy.Release()
    refs = pItf.proxy_manager.refcount
    with pytest.raises(COMError) as info:
        pCopy.Release()
    assert info.value.hresult_name == "E_UNEXPECTED"
    assert info.value.hresult == 0x8000FFFF
    assert "real com" in info.value.message.lower()
    assert "reference" in info.value.message
    assert pItf.proxy_manager.refcount == refs  # the failed call dropped nothing
    assert len(proc.proxy_managers) == 1


def test_querying_an_interface_the_object_does_not_implement_fails_with_e_nointerface():
    proc, pItf = _created()
    before = _memory(proc)
    with pytest.raises(COMError) as info:
        pItf.QueryInterface("IDispatch")
    assert info.value.hresult_name == "E_NOINTERFACE"
    assert info.value.hresult == 0x80004002
    assert "IDispatch" in info.value.message
    assert _memory(proc) == before
    assert pItf.proxy_manager.refcount == 1
    with pytest.raises(COMError) as info:
        proc.CoCreateInstanceEx("SimpleObject", "IDispatch")
    assert info.value.hresult_name == "E_NOINTERFACE"
    assert len(proc.proxy_managers) == 1


def test_creating_an_unregistered_class_fails_with_regdb_e_classnotreg():
    proc = _process()
    with pytest.raises(COMError) as info:
        proc.CoCreateInstanceEx("NoSuchObject", "IStream")
    assert info.value.hresult_name == "REGDB_E_CLASSNOTREG"
    assert info.value.hresult == 0x80040154
    assert "NoSuchObject" in info.value.message
    assert proc.proxy_managers == []
    assert proc.heap.used_bytes == 0


def test_copying_a_proxy_of_another_object_fails_with_e_invalidarg():
    proc, pItf = _created()
    pOtherObject = proc.CoCreateInstanceEx("SimpleObject", "IStream")
    pCS = pItf.QueryInterface("IClientSecurity")
    before = _memory(proc)
    with pytest.raises(COMError) as info:
        pCS.CopyProxy(pOtherObject)
    assert info.value.hresult_name == "E_INVALIDARG"
    assert _memory(proc) == before
    assert pOtherObject.proxy_manager.refcount == 1


def test_calling_copyproxy_on_a_pointer_that_is_not_iclientsecurity_fails_with_e_nointerface():
    proc, pItf = _created()
    pUnk = pItf.QueryInterface("IUnknown")
    for p in (pItf, pUnk):
        with pytest.raises(COMError) as info:
            p.CopyProxy(pItf)
        assert info.value.hresult_name == "E_NOINTERFACE"
        assert "IClientSecurity" in info.value.message
    assert proc.interface_proxy_count == 1


def test_calling_through_a_pointer_whose_references_were_released_fails():
    proc, pItf = _created()
    pCS = pItf.QueryInterface("IClientSecurity")
    pCS.Release()
    with pytest.raises(COMError) as info:
        pCS.CopyProxy(pItf)
    assert info.value.hresult_name == "CO_E_OBJNOTCONNECTED"
    assert proc.interface_proxy_count == 1


def test_a_comerror_carries_the_hresult_name_its_value_and_a_message():
    proc, pItf = _created()
    with pytest.raises(COMError) as info:
        pItf.QueryInterface("IDispatch")
    err = info.value
    assert isinstance(err, Exception)
    assert isinstance(err.hresult_name, str) and err.hresult_name == "E_NOINTERFACE"
    assert isinstance(err.hresult, int) and err.hresult == HRESULTS["E_NOINTERFACE"]
    assert isinstance(err.message, str) and err.message
    assert "E_NOINTERFACE" in str(err) and "0x80004002" in str(err) and err.message in str(err)
    assert comsim.COMError is COMError


# -- the same memory, whichever way it is written --------------------------------------------------
def test_cocopyproxy_leaves_the_same_heap_as_the_three_calls():
    three, pA = _created()
    one, pB = _created()
    for _ in range(40):
        pCS = pA.QueryInterface("IClientSecurity")
        pCopyA = pCS.CopyProxy(pA)
        pCS.Release()
        pCopyB = CoCopyProxy(pB)
        assert pCopyA.proxy_manager.refcount == pCopyB.proxy_manager.refcount
        assert _memory(three) == _memory(one)
        pCopyA.Release()
        pCopyB.Release()
        assert _memory(three) == _memory(one)
    pA.Release()
    pB.Release()
    assert _memory(three) == _memory(one)


def test_the_kb_code_order_and_the_list_order_use_the_same_memory():
    code, pA = _created()
    listed, pB = _created()
    for _ in range(60):
        _kb_iteration(pA)
        _kb_list_iteration(pB)
        assert _memory(code) == _memory(listed)
        assert pA.proxy_manager.refcount == pB.proxy_manager.refcount == 1
    pA.Release()
    pB.Release()
    assert _memory(code) == _memory(listed)
    assert code.heap.used_bytes == listed.heap.used_bytes == 0


def test_a_snapshot_shows_the_single_count_and_every_copy():
    proc, pItf = _created()
    for _ in range(3):
        _kb_iteration(pItf)
    snap = proc.snapshot("after three passes")
    (pm,) = snap.proxy_managers
    assert pm.refcount == 1
    assert [p.is_copy for p in pm.interface_proxies] == [False, True, True, True]
    original = pm.interface_proxies[0].id
    assert all(p.copied_from == original for p in pm.interface_proxies[1:])
    assert snap.private_bytes == proc.private_bytes
    assert snap.note == "after three passes"
    assert snap.heap.used_bytes == proc.heap.used_bytes


@pytest.mark.parametrize("earlier", [0, 2, 8])
def test_one_pass_call_by_call_the_copy_outlives_both_releases_until_the_final_release(earlier):
    """Notebook 02's step-through and its table: CopyProxy adds an interface proxy that both
    Release calls leave alive (they only move the count back down), and the final release
    frees every one (kb-q216248: freed only at the proxy manager's final release)."""
    from comsim.model.strategies import kb_iteration_snapshots

    shots = kb_iteration_snapshots(earlier_iterations=earlier)
    refcounts = [sum(pm.refcount for pm in s.proxy_managers) for s in shots]
    alive = [sum(len(pm.interface_proxies) for pm in s.proxy_managers) for s in shots]
    assert refcounts == [1, 2, 3, 2, 1, 0]
    assert alive == [earlier + 1, earlier + 1] + [earlier + 2] * 3 + [0]
