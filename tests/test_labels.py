"""Honest labels (issue 15, items 5, 6, 8 and 11-15, and "figures and the sentences about them
agree"): each test reads the claims table, the sources or the notebooks' text, and names in
its docstring the source its point rests on ("Source: KEY — title", as in
tests/test_com_documented.py).
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

import comsim
from comsim.model.claims import CLAIMS, claims_citing
from comsim.model.params import PARAMETERS_CSV
from comsim.model.sources import SOURCES
from testkit.claims import claim_ids

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO_ROOT / "notebooks"


def _cells(name: str) -> list[dict]:
    path = NOTEBOOKS / f"{name}.ipynb"
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _text(name: str, cell_type: str | None = None) -> str:
    return "\n".join(
        "".join(cell["source"])
        for cell in _cells(name)
        if cell_type is None or cell["cell_type"] == cell_type
    )


def _shown(name: str) -> list[str]:
    """The claim ids a notebook shows, in order."""
    return claim_ids(_text(name, "code"))


# -- item 5: pinging cited correctly -------------------------------------------------------------
def test_the_deferred_remote_release_is_the_dcom_drafts_and_batching_is_remreleases():
    """The "remote release deferred until all local references are gone" claim comes from the
    DCOM/1.0 Internet-Draft, section 2.5; batching from [MS-DCOM] 3.1.1.5.6.1.3, whose RemRelease
    takes an array; [MS-DCOM] 3.2.6.1 is about ping sets and is cited for nothing else.

    Source: dcom-draft — DCOM/1.0 Internet-Draft, section 2.5
    Source: ms-dcom-remrelease — [MS-DCOM] 3.1.1.5.6.1.3 IRemUnknown::RemRelease
    Source: ms-dcom-pinging — [MS-DCOM] 3.2.6.1 Pinging"""
    deferred = CLAIMS["deferred-remote-release"]
    assert deferred.source_key == "dcom-draft" and "section 2.5" in deferred.text
    assert CLAIMS["remrelease-batches"].source_key == "ms-dcom-remrelease"
    assert "array" in CLAIMS["remrelease-batches"].text
    assert "3.2.6.1" in SOURCES["ms-dcom-pinging"].title
    assert [c.id for c in claims_citing("ms-dcom-pinging")] == ["ping-sets"]
    assert "ms-dcom" not in SOURCES
    assert {"deferred-remote-release", "remrelease-batches"} <= set(
        _shown("03_deferred_deallocation")
    )


# -- item 6: the Proxy page ---------------------------------------------------------------------
def test_the_proxy_page_is_cited_for_the_aggregate_only():
    """The Proxy page describes the aggregate; it names neither IMarshal, IClientSecurity nor
    apartments. "One proxy manager per object" is the IClientSecurity page's; IMarshal on the
    proxy manager is Wine's; "per client apartment" is our inference.

    Source: proxy-manager — Proxy (COM)
    Source: iclientsecurity — IClientSecurity interface
    Source: wine-ole32 — Wine dlls/combase/marshal.c"""
    for claim in claims_citing("proxy-manager"):
        assert not re.search(r"IMarshal|IClientSecurity|apartment", claim.text), claim.id
    assert CLAIMS["one-proxy-manager-per-object"].source_key == "iclientsecurity"
    assert "one proxy manager" in CLAIMS["one-proxy-manager-per-object"].text
    for claim in CLAIMS.values():
        if "IMarshal" in claim.text and "proxy manager" in claim.text:
            assert claim.tag in ("wine-reactos", "documented"), claim.id
            assert claim.tag == "wine-reactos" or claim.source_key == "imarshal", claim.id
    assert CLAIMS["per-client-apartment"].tag == "inferred"
    shown = _shown("02_aggregation")
    assert {"proxy-aggregate", "one-proxy-manager-per-object", "per-client-apartment"} <= set(shown)
    assert "wine-local-interfaces" in shown
    assert "per client apartment" not in _text("02_aggregation", "markdown")


# -- item 8: "for every user of that proxy" -------------------------------------------------------
def test_a_blanket_for_every_user_of_a_proxy_cites_setblanket_and_cocopyproxy():
    """SetBlanket and CoCopyProxy say that a blanket set on a proxy changes it for every user
    of that proxy; the CoSetProxyBlanket page does not.

    Source: setblanket-nt4 — IClientSecurity::SetBlanket (Platform SDK, 1998)
    Source: cocopyproxy — CoCopyProxy (Platform SDK, 1998)"""
    every_user = [c for c in CLAIMS.values() if re.search(r"every (other )?user", c.text)]
    assert {c.source_key for c in every_user} == {"setblanket-nt4", "cocopyproxy"}
    # The CoSetProxyBlanket page is cited for what the function does (it wraps SetBlanket),
    # never for who sees the blanket.
    assert claims_citing("cosetproxyblanket")
    for claim in claims_citing("cosetproxyblanket"):
        assert not re.search(r"every (other )?user|other users?", claim.text), claim.id
    assert {"setblanket-every-user", "cocopyproxy-private-blanket"} <= set(
        _shown("05_the_workaround")
    )


# -- item 11: unsourced or overstated claims ------------------------------------------------------
def test_h3_says_where_idle_scans_are_described_in_a_note_of_their_own():
    """H3 is a hypothesis with no source; the idle scans it leans on are described, for
    Windows 2000 and later, in a documented note of their own that 04 shows beside it.

    Source: rpc-idle-cleanup — Idle Connection Cleanup (RPC)"""
    h3, scans = CLAIMS["h3-rpc-idle-cleanup"], CLAIMS["rpc-idle-cleanup"]
    assert h3.tag == "hypothesis" and not h3.source_key
    assert (scans.tag, scans.scope, scans.source_key) == (
        "documented",
        "Windows 2000 and later",
        "rpc-idle-cleanup",
    )
    shown = _shown("04_loop_tightness")
    assert shown.index("rpc-idle-cleanup") == shown.index("h3-rpc-idle-cleanup") + 1


def test_wines_proxy_manager_is_about_128_bytes():
    """Wine's struct proxy_manager (three interfaces, OXID_INFO, OID, two lists, a critical
    section, the count, handles) is about 128 bytes on 32-bit, not "some tens".

    Source: wine-ole32 — Wine dlls/combase/marshal.c, struct proxy_manager"""
    with PARAMETERS_CSV.open(encoding="utf-8", newline="") as table:
        (row,) = [r for r in csv.DictReader(table) if r["name"] == "proxy_manager_bytes"]
    assert "some tens" not in row["source"]
    assert "about 128 bytes on 32-bit" in row["source"]
    # the count of Wine's fields is inferred; the 256 the model takes is a round guess above it
    assert row["tag"] == "hypothesis" and row["source_key"] == "wine-ole32"
    assert int(row["value"]) >= 128


@pytest.mark.parametrize("iid", ["IClientSecurity", "IUnknown"])
def test_e_invalidarg_for_a_local_interface_is_worded_as_an_inference(iid):
    """The pages say a local interface cannot be copied or passed to IClientSecurity's
    methods; they do not say which error real COM returns, so the simulator's message words
    E_INVALIDARG as our inference.

    Source: copyproxy — IClientSecurity::CopyProxy method
    Source: iclientsecurity — IClientSecurity interface"""
    proc = comsim.Process()
    pItf = proc.CoCreateInstanceEx("SimpleObject", "IStream")
    pCS = pItf.QueryInterface("IClientSecurity")
    with pytest.raises(comsim.COMError) as info:
        pCS.CopyProxy(pItf.QueryInterface(iid))
    assert info.value.hresult_name == "E_INVALIDARG"
    assert "our inference" in str(info.value)
    assert "Real COM returns E_INVALIDARG too" not in str(info.value)


def test_a_documented_parameter_rests_on_a_page_written_for_nt4_or_for_any_system():
    """The parameters are NT4's: one tagged documented must come from a page written for NT4
    (the KB) or for no one system (the x86 page); a later page makes it inferred.

    Source: rtl-heap-parameters — RTL_HEAP_PARAMETERS, written for Windows XP and later"""
    with PARAMETERS_CSV.open(encoding="utf-8", newline="") as table:
        rows = list(csv.DictReader(table))
    documented = [r for r in rows if r["tag"] == "documented"]
    assert documented
    for row in documented:
        assert SOURCES[row["source_key"]].scope in ("NT4", "any"), row["name"]
    heap = [r for r in rows if r["source_key"] == "rtl-heap-parameters"]
    assert heap and all(r["tag"] == "inferred" for r in heap)


# -- item 12: the MTA ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["01_the_symptom", "glossary"])
def test_only_threads_that_joined_the_mta_may_call_its_objects(name):
    """In the MTA, the threads that joined it pass pointers directly (the page says so); a
    thread outside gets a proxy, which the page does not say, so that half is inferred (a COM
    expert's review).

    Source: mta — Multithreaded Apartments"""
    text = _text(name, "markdown")
    assert "any of the process's" not in text
    assert re.search(r"has\s+joined", text)
    assert CLAIMS["mta"].source_key == "mta" and "directly" in CLAIMS["mta"].text
    assert "not joined" not in CLAIMS["mta"].text
    outsiders = CLAIMS["mta-outsiders"]
    assert (outsiders.tag, outsiders.source_key) == ("inferred", "mta")


# -- item 13: the IUnknown blanket's NT4 caveats ---------------------------------------------------
def test_the_iunknown_blanket_rule_carries_its_nt4_caveats():
    """Before NT 4.0 SP4 CoSetProxyBlanket on IUnknown affected only QueryInterface; with
    secure reference counting the call fails.

    Source: iunknown-security — Factors that Determine IUnknown Security"""
    claim = CLAIMS["iunknown-blanket"]
    assert (claim.tag, claim.scope, claim.source_key) == ("documented", "NT4", "iunknown-security")
    assert "Service Pack 4" in claim.text and "QueryInterface only" in claim.text
    assert "secure reference counting" in claim.text and "fails" in claim.text
    assert "iunknown-blanket" in _shown("05_the_workaround")


# -- item 14: almost everything comes back ---------------------------------------------------------
def test_almost_everything_comes_back_and_the_text_says_so():
    """Memory subsides after the final release, but the heap keeps a few pages committed
    (its free bytes fall below the total-free threshold), so no notebook says "everything".

    Source: kb-q216248 — KB Q216248: memory use eventually subsides
    Source: reactos-heap — ReactOS heap.c: decommit only past DeCommitTotalFreeThreshold"""
    s = comsim.simulate().summary
    kept = s.end_private_bytes - s.start_private_bytes
    assert 0 < kept <= comsim.PARAMETERS["decommit_total_free_bytes"].value
    for name in ("00_start_here", "01_the_symptom"):
        text = _text(name)
        assert not re.search(r"(?<!most )[Ee]verything comes back", text), name
        assert re.search(r"[Aa]lmost everything comes back", text), name


# -- item 15: the C++ cache sketch -----------------------------------------------------------------
def _cpp(name: str) -> list[str]:
    return re.findall(r"```cpp\n(.*?)```", _text(name, "markdown"), re.S)


def test_the_cpp_sketches_declare_dcom_before_windows_h():
    """NT4-era headers declare CoCopyProxy, CoSetProxyBlanket and CoInitializeSecurity only
    when _WIN32_DCOM is defined (or _WIN32_WINNT is 0x0400 or more), so each sketch that
    includes them defines it first, as 01's does.

    Source: cocopyproxy — CoCopyProxy function"""
    for name in ("01_the_symptom", "05_the_workaround"):
        for code in _cpp(name):
            if "#include <windows.h>" in code:
                assert code.index("#define _WIN32_DCOM") < code.index("#include <windows.h>")


def test_the_cache_releases_its_copy_when_the_map_throws():
    """A copy whose reference nobody releases keeps the proxy manager's count above zero, so
    the final release never comes: a real leak. If inserting into the map throws,
    the sketch releases the copy.

    Source: kb-q216248 — KB Q216248: interface proxies are freed only at the final release
    Source: copyproxy — IClientSecurity::CopyProxy: the caller must free the copy"""
    inserts = [c for c in _cpp("05_the_workaround") if re.search(r"copies_\.(insert|emplace)\(", c)]
    assert inserts
    for code in inserts:
        guarded = re.search(
            r"try\s*\{[^{}]*copies_\.(insert|emplace)\([^{}]*\}\s*catch\s*\(\.\.\.\)\s*\{[^{}]*"
            r"copy->Release\(\);",
            code,
        )
        assert guarded, code


# -- figures and the sentences about them agree ----------------------------------------------------
def test_the_start_caption_states_the_drop_and_the_drain_from_the_run():
    """00's caption under the KB's curve computes the drop at the final release and the drain
    after it from the same trace, rather than naming the last sample as "after the release".

    Source: kb-q216248 — KB Q216248: memory use eventually subsides"""
    (caption,) = [
        "".join(c["source"]) for c in _cells("00_start_here") if "Where did" in "".join(c["source"])
    ]
    assert "after_release_private_bytes" in caption and "end_private_bytes" in caption
    assert "then fall " not in caption


def test_the_final_release_in_02_frees_every_proxy_but_moves_no_private_bytes():
    """02's small heap frees every interface proxy at the final release; the freed pages stay
    committed, so the sentence before it says private bytes do not move.

    Source: rtl-heap-parameters — RTL_HEAP_PARAMETERS, DeCommitTotalFreeThreshold"""
    text = _text("02_aggregation", "markdown")
    assert not re.search(r"Everything the proxy manager aggregated.*goes at once", text, re.S)
    assert "Private bytes do not move" in text
    proc = comsim.Process()
    stream = proc.CoCreateInstanceEx("SimpleObject", "IStream")
    pCS = stream.QueryInterface("IClientSecurity")
    copies = [pCS.CopyProxy(stream) for _ in range(2)]
    before = proc.private_bytes
    for pointer in (*copies, pCS, stream):
        pointer.Release()
    assert proc.snapshot().heap.used_bytes == 0 and proc.private_bytes == before


def test_five_hypotheses_are_five():
    """04's slides "Five hypotheses" show H1 to H5, each a hypothesis with no source, and the
    documented facts H3 and H5 lean on in notes of their own.

    Source: kb-q216248 — KB Q216248: tightness matters, no mechanism given
    Source: kb-q167133 — KB Q167133, DCOM pinging timeout"""
    cells = ["".join(c["source"]) for c in _cells("04_loop_tightness")]
    sections, inside = [], False  # every cell under a "## Five hypotheses..." heading
    for text in cells:
        if text.startswith("## "):
            inside = text.startswith("## Five hypotheses")
        if inside:
            sections.append(text)
    shown = claim_ids("".join(sections))
    hypotheses = [i for i in shown if CLAIMS[i].tag == "hypothesis"]
    assert [CLAIMS[i].title[:2] for i in hypotheses] == ["H1", "H2", "H3", "H4", "H5"]
    assert {"rpc-idle-cleanup", "ping-timing"} <= set(shown)
    assert CLAIMS["ping-timing"].source_key == "kb-q167133"


def test_no_hypothesis_names_a_source_or_calls_itself_documented():
    """A hypothesis box is headed "no source": it cites none and does not say "documented";
    what a page documents stands in a note of its own.

    Source: kb-q167133 — KB Q167133, DCOM pinging timeout"""
    for claim in CLAIMS.values():
        if claim.tag == "hypothesis":
            assert not claim.source_key, claim.id
            assert "documented" not in claim.text, claim.id


def test_the_heap_map_says_beside_it_why_its_segments_are_small():
    """03's heap maps use small segments so that pages show, while the heap's default is
    larger; the slide with the first map says so.

    Source: rtl-heap-parameters — RTL_HEAP_PARAMETERS, SegmentReserve"""
    cells = _cells("03_deferred_deallocation")
    slide = next(c for c in cells if "## A heap map" in "".join(c["source"]))
    assert "small segments, not the\ndefault" in "".join(slide["source"])


def test_06_explains_its_resident_memory_beside_the_figures():
    """06's lru_cache panel (traced memory, no resident change) and its NumPy panel (64 MiB
    back to the OS at once) each get a sentence computed from the same run.

    Source: private-bytes — Private Bytes and the working set"""
    code = _text("06_the_same_pattern_today", "code")
    assert "unbounded.after_parts_released" in code and "Markdown(why)" in code
    assert "view_run.after_del_view" in code


# -- the expert's review of issue 15: NT4-era pages, the process heap ---------------------------
def test_no_nt4_claim_rests_on_one_of_todays_learn_pages():
    """The IUnknown blanket claims cite the 1998 Platform SDK page, written for NT 4.0, not
    today's Learn page (a later page applied to NT4 would make them inferred).

    Source: iunknown-security — Factors that Determine IUnknown Security (Platform SDK, 1998)"""
    for key, source in SOURCES.items():
        if source.scope == "NT4":
            assert not source.url.startswith("https://learn.microsoft.com"), key
    assert [(c.id, c.tag, c.scope) for c in claims_citing("iunknown-security")] == [
        ("proxy-manager-is-iunknown", "documented", "NT4"),
        ("iunknown-blanket", "documented", "NT4"),
    ]


@pytest.mark.parametrize("key", ["copyproxy", "cocopyproxy"])
def test_the_copy_claims_are_documented_for_nt4_by_the_platform_sdk_pages(key):
    """The 1998 CopyProxy and CoCopyProxy pages read "Windows NT: Use version 4.0 or later".

    Source: copyproxy — IClientSecurity::CopyProxy (Platform SDK, 1998)
    Source: cocopyproxy — CoCopyProxy (Platform SDK, 1998)"""
    assert SOURCES[key].scope == "NT4" and "Platform SDK, 1998" in SOURCES[key].title
    cited = claims_citing(key)
    assert len(cited) == 2 and {(c.tag, c.scope) for c in cited} == {("documented", "NT4")}


def test_a_new_proxy_starts_with_the_process_default_blanket_and_05_says_so():
    """Source: coinitializesecurity — CoInitializeSecurity (Platform SDK, 1998): dwAuthnLevel
    and dwImpLevel are the default levels for the process's proxies and IUnknown's calls."""
    claim = CLAIMS["process-default-blanket"]
    assert (claim.tag, claim.scope, claim.source_key) == (
        "documented",
        "NT4",
        "coinitializesecurity",
    )
    # A COM expert's review: "a new proxy starts with them" read as "the client's level wins";
    # the level is negotiated with the server's (the higher of the two, on Windows 2000).
    assert "negotiated with the server" in claim.text and "starts with them" not in claim.text
    assert "process-default-blanket" in _shown("05_the_workaround")


def test_proxies_on_the_process_heap_are_an_inference_from_wines_ole32():
    """Wine's ole32 (as ReactOS imports it) allocates the proxy manager and its interface
    proxies with HeapAlloc(GetProcessHeap()); for NT4 that is our inference.

    Source: reactos-ole32 — ReactOS dll/win32/ole32/marshal.c"""
    claim = CLAIMS["proxies-on-process-heap"]
    assert (claim.tag, claim.scope, claim.source_key) == ("inferred", "NT4", "reactos-ole32")
    assert SOURCES["reactos-ole32"].scope == "Wine/ReactOS"
    assert "HeapAlloc(GetProcessHeap()" in claim.text and "our inference" in claim.text
    assert "proxies-on-process-heap" in _shown("03_deferred_deallocation")
    table = (REPO_ROOT / "data" / "parameters.csv").read_text(encoding="utf-8")
    assert "process heap" in table and "claim `proxies-on-process-heap`" in table


# -- every test here names a known source ----------------------------------------------------------
def test_each_label_test_names_a_known_source():
    tests = [(n, f) for n, f in globals().items() if n.startswith("test_") and n != _THIS]
    for name, test in tests:
        doc = test.__doc__ or ""
        keys = re.findall(r"Source:\s+([a-z0-9-]+)\s+—", doc)
        assert keys, f"{name} names no source"
        assert set(keys) <= set(SOURCES), f"{name} cites {sorted(set(keys) - set(SOURCES))}"


_THIS = "test_each_label_test_names_a_known_source"
