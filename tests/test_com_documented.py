"""What Microsoft documents about the client side of DCOM, pinned to its source.

Each test names its source in its docstring ("Source: KEY — title"), KEY being a key of
``comsim.model.sources.SOURCES`` (docs/sources.md explains each), and checks the documented
behaviour through the public API only: the calls a COM client program would make.
"""

from __future__ import annotations

import re
import sys

import pytest

import comsim
from comsim import Blanket, CoCopyProxy, COMError, CoQueryProxyBlanket, CoSetProxyBlanket, Process

REMOTE = "IPersistStream"  # a second remote interface of SimpleObject
SECURE = dict(authn_level="pkt-privacy", imp_level="impersonate", principal="server")


def _created(policy: str = "by-design") -> tuple[Process, comsim.InterfacePointer]:
    proc = Process(policy=policy)
    return proc, proc.CoCreateInstanceEx("SimpleObject", "IStream")


def _refcount(pointer) -> int:
    return pointer.proxy_manager.refcount


# -- IUnknown's blanket ----------------------------------------------------------------------------
def test_setblanket_accepts_the_iunknown_pointer_and_keeps_its_blanket_apart():
    """Source: iclientsecurity — IClientSecurity interface, Microsoft Learn: interfaces the
    proxy manager implements locally cannot be passed to IClientSecurity's methods, IUnknown
    excepted. Source: iunknown-security — Factors that Determine IUnknown Security, Microsoft
    Learn: the IUnknown from QueryInterface is the proxy manager itself."""
    proc, pItf = _created()
    pUnk = pItf.QueryInterface("IUnknown")
    pCS = pItf.QueryInterface("IClientSecurity")
    pCS.SetBlanket(pUnk, **SECURE)
    assert pCS.QueryBlanket(pUnk) == Blanket(**SECURE)
    assert pCS.QueryBlanket(pItf) == Blanket()  # the IStream proxy keeps its own blanket
    (pm,) = proc.snapshot().proxy_managers
    assert pm.iunknown_blanket == Blanket(**SECURE)
    assert [p.blanket for p in pm.interface_proxies] == [Blanket()]


def test_cosetproxyblanket_on_iunknown_secures_queryinterface_addref_and_release():
    """Source: iunknown-security — Factors that Determine IUnknown Security, Microsoft Learn:
    to change IUnknown's security, QueryInterface for IUnknown and call CoSetProxyBlanket on
    that pointer; the setting holds for later IUnknown calls on any proxy of the object, and
    CoSetProxyBlanket on any other interface leaves IUnknown's setting alone."""
    proc, pItf = _created()
    pPS = pItf.QueryInterface(REMOTE)
    pUnk = pItf.QueryInterface("IUnknown")
    refs = _refcount(pItf)
    CoSetProxyBlanket(pUnk, **SECURE)
    assert _refcount(pItf) == refs  # the helper gave back what it took
    # One IUnknown per object: asked through any interface, it has the blanket just set.
    for holder in (pItf, pPS, CoCopyProxy(pItf)):
        assert CoQueryProxyBlanket(holder.QueryInterface("IUnknown")) == Blanket(**SECURE)
    # Setting another interface's blanket does not touch IUnknown's.
    proc.CoSetProxyBlanket(pItf, authn_level="call", imp_level="identify")
    assert proc.CoQueryProxyBlanket(pUnk) == Blanket(**SECURE)
    assert proc.CoQueryProxyBlanket(pItf) == Blanket("call", "identify")


@pytest.mark.parametrize("iid", ["IClientSecurity", "IMarshal", "IMultiQI"])
def test_other_local_interfaces_are_refused_by_setblanket_and_queryblanket(iid):
    """Source: iclientsecurity — IClientSecurity interface, Microsoft Learn: an interface that
    does not use a proxy (one the proxy manager implements locally) cannot be passed to
    IClientSecurity's methods; only IUnknown is an exception."""
    proc, pItf = _created()
    pCS = pItf.QueryInterface("IClientSecurity")
    pLocal = pItf.QueryInterface(iid)
    before = proc.snapshot()
    for call in (lambda: pCS.SetBlanket(pLocal, **SECURE), lambda: pCS.QueryBlanket(pLocal)):
        with pytest.raises(COMError) as info:
            call()
        assert info.value.hresult_name == "E_INVALIDARG"
        assert iid in info.value.message and "IUnknown" in info.value.message
    after = proc.snapshot()
    assert after.proxy_managers == before.proxy_managers  # no blanket moved, no count changed


def test_copyproxy_still_refuses_iunknown_because_a_proxy_manager_cannot_be_duplicated():
    """Source: copyproxy — IClientSecurity::CopyProxy, Microsoft Learn: local interfaces such
    as IUnknown cannot be copied, since a proxy manager cannot be duplicated."""
    proc, pItf = _created()
    pUnk = pItf.QueryInterface("IUnknown")
    pCS = pItf.QueryInterface("IClientSecurity")
    used, proxies = proc.heap.used_bytes, proc.interface_proxy_count
    with pytest.raises(COMError) as info:
        pCS.CopyProxy(pUnk)
    assert info.value.hresult_name == "E_INVALIDARG"
    assert "cannot duplicate a proxy manager" in info.value.message
    assert (proc.heap.used_bytes, proc.interface_proxy_count) == (used, proxies)
    assert len(proc.proxy_managers) == 1


# -- a copy of a copy ------------------------------------------------------------------------------
@pytest.mark.parametrize("policy", comsim.POLICIES)
def test_queryinterface_on_a_copy_of_a_copy_returns_the_originals_interface(policy):
    """Source: copyproxy — IClientSecurity::CopyProxy, Microsoft Learn: QueryInterface on a
    copy for the copied IID returns the original proxy's interface, so a copy of a copy leads
    back to the original too, not to the copy in between."""
    proc, pItf = _created(policy)
    pCopy = CoCopyProxy(pItf)
    pCopyOfCopy = CoCopyProxy(pCopy)
    assert pCopyOfCopy.is_copy and not pCopyOfCopy.same_interface(pCopy)
    pBack = pCopyOfCopy.QueryInterface("IStream")
    assert pBack.same_interface(pItf)
    assert not pBack.is_copy
    assert not pBack.same_interface(pCopy)
    for p in (pBack, pCopyOfCopy, pCopy):
        p.Release()
    assert pItf.Release() == 0
    assert proc.heap.used_bytes == 0


def test_under_free_on_release_a_copy_of_a_freed_copy_still_leads_to_the_original():
    """Source: copyproxy — IClientSecurity::CopyProxy, Microsoft Learn: QueryInterface on a
    copy for the copied IID returns the original's interface. In the free-on-release
    counterfactual the copy in between is already gone; the answer must still be the original,
    never freed memory."""
    proc, pItf = _created("free-on-release")
    pCopy = CoCopyProxy(pItf)
    pCopyOfCopy = CoCopyProxy(pCopy)
    assert pCopy.Release() == 2  # the copy in between is freed now
    assert proc.interface_proxy_count == 2
    pBack = pCopyOfCopy.QueryInterface("IStream")
    assert pBack.same_interface(pItf)
    assert pBack.Release() == 2
    assert pCopyOfCopy.Release() == 1
    assert proc.interface_proxy_count == 1
    assert pItf.Release() == 0
    assert proc.heap.used_bytes == 0


# -- the helpers leak nothing, even when they fail -------------------------------------------------
def test_a_failed_cocopyproxy_on_iunknown_gives_back_its_iclientsecurity_reference():
    """Source: cocopyproxy — CoCopyProxy function, Microsoft Learn: CoCopyProxy is
    QueryInterface for IClientSecurity, CopyProxy, and Release of that IClientSecurity. Source:
    copyproxy — IClientSecurity::CopyProxy, Microsoft Learn: IUnknown cannot be copied. The
    Release is owed even when CopyProxy fails."""
    proc = Process()
    pUnk = proc.CoCreateInstanceEx("SimpleObject", "IUnknown")
    with pytest.raises(COMError) as info:
        CoCopyProxy(pUnk)
    assert info.value.hresult_name == "E_INVALIDARG"
    assert _refcount(pUnk) == 1
    assert pUnk.Release() == 0  # the proxy manager's final release
    assert proc.proxy_managers == []
    assert proc.heap.used_bytes == 0


def test_a_failed_cosetproxyblanket_gives_back_its_iclientsecurity_reference():
    """Source: cosetproxyblanket — CoSetProxyBlanket function, Microsoft Learn: a helper that
    calls QueryInterface for IClientSecurity, SetBlanket and Release; the Release is owed even
    when SetBlanket fails."""
    proc, pItf = _created()
    pMarshal = pItf.QueryInterface("IMarshal")
    for pointer, blanket, error in (
        (pMarshal, SECURE, COMError),  # a local interface other than IUnknown
        (pItf, dict(authn_level="loud"), ValueError),  # no such authentication level
    ):
        with pytest.raises(error):
            CoSetProxyBlanket(pointer, **blanket)
        assert _refcount(pItf) == 2
    assert pMarshal.Release() == 1
    assert pItf.Release() == 0
    assert proc.proxy_managers == [] and proc.heap.used_bytes == 0


def test_a_failed_coqueryproxyblanket_gives_back_its_iclientsecurity_reference():
    """Source: coqueryproxyblanket — CoQueryProxyBlanket function, Microsoft Learn: a helper
    that calls QueryInterface for IClientSecurity, QueryBlanket and Release; the Release is
    owed even when QueryBlanket fails."""
    proc, pItf = _created()
    pMultiQI = pItf.QueryInterface("IMultiQI")
    with pytest.raises(COMError) as info:
        proc.CoQueryProxyBlanket(pMultiQI)
    assert info.value.hresult_name == "E_INVALIDARG"
    assert _refcount(pItf) == 2
    assert pMultiQI.Release() == 1
    assert pItf.Release() == 0
    assert proc.proxy_managers == [] and proc.heap.used_bytes == 0


# -- activation ------------------------------------------------------------------------------------
@pytest.mark.parametrize("iid", ["IClientSecurity", "IMarshal", "IMultiQI"])
def test_activation_for_a_proxy_side_interface_fails_with_e_nointerface(iid):
    """Source: multi-qi — MULTI_QI structure, Microsoft Learn: each requested interface gets
    the result of the server object's QueryInterface in its entry's hr. The server's object does
    not implement IClientSecurity (the client's proxy manager does), so the entry gets
    E_NOINTERFACE and the client asks the proxy for IClientSecurity afterwards. Source:
    iclientsecurity — IClientSecurity interface, Microsoft Learn: the proxy manager exposes
    IClientSecurity, reached by QueryInterface on any interface pointer of the object."""
    proc = Process()
    start = proc.private_bytes
    with pytest.raises(COMError) as info:
        proc.CoCreateInstanceEx("SimpleObject", iid)
    assert info.value.hresult_name == "E_NOINTERFACE"
    assert "MULTI_QI" in info.value.message and "QueryInterface" in info.value.message
    # A failed activation leaves nothing behind: no proxy manager, no heap block.
    assert proc.proxy_managers == []
    assert proc.heap.used_bytes == 0
    assert proc.private_bytes == start
    # The way that works: activate for a remote interface, then ask the proxy.
    pItf = proc.CoCreateInstanceEx("SimpleObject", "IStream")
    pCS = pItf.QueryInterface(iid)
    assert pCS.iid == iid
    assert pCS.Release() == 1 and pItf.Release() == 0
    assert proc.heap.used_bytes == 0


def test_activation_for_iunknown_succeeds_because_every_object_implements_it():
    """Source: multi-qi — MULTI_QI structure, Microsoft Learn: an entry succeeds when the
    server's object answers QueryInterface for its IID, and every COM object answers for
    IUnknown."""
    proc = Process()
    pUnk = proc.CoCreateInstanceEx("SimpleObject", "IUnknown")
    assert pUnk.iid == "IUnknown"
    assert proc.interface_proxy_count == 0  # IUnknown is the proxy manager itself
    pItf = pUnk.QueryInterface("IStream")
    assert proc.interface_proxy_count == 1
    assert pItf.Release() == 1 and pUnk.Release() == 0
    assert proc.heap.used_bytes == 0


# -- every source named here exists ----------------------------------------------------------------
def _documented_tests():
    module = sys.modules[__name__]
    return [
        (name, obj)
        for name, obj in vars(module).items()
        if name.startswith("test_") and name != "test_each_test_names_a_known_source"
    ]


def test_each_test_names_a_known_source():
    from comsim.model.sources import SOURCES

    for name, test in _documented_tests():
        doc = test.__doc__ or ""
        keys = re.findall(r"Source:\s+([a-z0-9-]+)\s+—", doc)
        assert keys, f"{name} names no source"
        assert len(keys) == doc.count("Source:"), f"{name}: write 'Source: KEY — title'"
        unknown = set(keys) - set(SOURCES)
        assert not unknown, (
            f"{name} cites {sorted(unknown)}, not keys of comsim.model.sources.SOURCES"
        )


# -- issue 15, items 1, 3 and 4 ---------------------------------------------------------------
@pytest.mark.parametrize("imp_level", ["delegate", "anonymous"])
def test_setblanket_refuses_what_ntlm_cannot_do_against_a_remote_server(imp_level):
    """NTLM, NT4's only remote authentication service, supports only identify and impersonate
    against a remote server; SetBlanket with delegate or anonymous fails with E_INVALIDARG and
    leaves the blanket unchanged (issue 15, item 1).

    Source: cosetproxyblanket — CoSetProxyBlanket function, dwImpLevel"""
    proc = comsim.Process()
    pItf = proc.CoCreateInstanceEx("SimpleObject", "IStream")
    pCS = pItf.QueryInterface("IClientSecurity")
    with pytest.raises(comsim.COMError) as info:
        pCS.SetBlanket(pItf, authn_level="call", imp_level=imp_level)
    assert info.value.hresult_name == "E_INVALIDARG"
    assert pCS.QueryBlanket(pItf) == comsim.Blanket()


def test_querying_after_setting_the_defaults_reports_the_levels_in_use():
    """QueryBlanket reports the levels in use -- COM's security defaults, connect and identify
    -- never "default" (issue 15, item 3).

    Source: coqueryproxyblanket — CoQueryProxyBlanket function
    Source: coinitializesecurity — CoInitializeSecurity function"""
    proc = comsim.Process()
    pItf = proc.CoCreateInstanceEx("SimpleObject", "IStream")
    pCS = pItf.QueryInterface("IClientSecurity")
    pCS.SetBlanket(pItf, authn_level="pkt-privacy", imp_level="impersonate")
    pCS.SetBlanket(pItf, authn_level="default", imp_level="default")
    blanket = pCS.QueryBlanket(pItf)
    assert (blanket.authn_level, blanket.imp_level) == ("connect", "identify")


def test_setblanket_without_a_principal_keeps_the_previous_one():
    """SetBlanket with no principal (pServerPrincName NULL) leaves the principal as it was
    (issue 15, item 4).

    Source: cosetproxyblanket — CoSetProxyBlanket function, pServerPrincName"""
    proc = comsim.Process()
    pItf = proc.CoCreateInstanceEx("SimpleObject", "IStream")
    pCS = pItf.QueryInterface("IClientSecurity")
    pCS.SetBlanket(pItf, authn_level="call", imp_level="identify", principal="host/server")
    pCS.SetBlanket(pItf, authn_level="pkt", imp_level="impersonate")
    assert pCS.QueryBlanket(pItf) == comsim.Blanket("pkt", "impersonate", "host/server")


def test_a_new_proxy_and_iunknown_start_with_the_process_default_blanket():
    """A proxy the process gets, and the IUnknown calls, use the process's default levels until
    a SetBlanket changes them; a blanket set on one proxy is not another proxy's start.

    Source: coinitializesecurity — CoInitializeSecurity (Platform SDK, 1998), dwAuthnLevel and
    dwImpLevel"""
    from comsim.model.blanket import PROCESS_DEFAULT

    proc = comsim.Process()
    pItf = proc.CoCreateInstanceEx("SimpleObject", "IStream")
    pCS = pItf.QueryInterface("IClientSecurity")
    assert pCS.QueryBlanket(pItf) == PROCESS_DEFAULT
    assert pCS.QueryBlanket(pItf.QueryInterface("IUnknown")) == PROCESS_DEFAULT
    pCS.SetBlanket(pItf, **SECURE)
    assert pCS.QueryBlanket(pItf.QueryInterface(REMOTE)) == PROCESS_DEFAULT


def test_setblankets_levels_left_out_are_default_and_come_back_resolved():
    """A level left out of SetBlanket is the default constant, which asks COM to pick: for a
    process that never called CoInitializeSecurity, connect and identify; QueryBlanket then
    reports those, never "default" (the expert's review of issue 15, finding 3).

    Source: setblanket-nt4 — IClientSecurity::SetBlanket (Platform SDK, 1998), dwAuthnLevel,
    dwImpLevel and remarks"""
    import inspect

    parameters = inspect.signature(comsim.InterfacePointer.SetBlanket).parameters
    assert (parameters["authn_level"].default, parameters["imp_level"].default) == (
        "default",
        "default",
    )
    proc = comsim.Process()
    pItf = proc.CoCreateInstanceEx("SimpleObject", "IStream")
    pCS = pItf.QueryInterface("IClientSecurity")
    pCS.SetBlanket(pItf, **SECURE)
    pCS.SetBlanket(pItf)
    assert pCS.QueryBlanket(pItf) == Blanket("connect", "identify", SECURE["principal"])
    CoSetProxyBlanket(pItf, authn_level="call")
    assert CoQueryProxyBlanket(pItf).imp_level == "identify"
