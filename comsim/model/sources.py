"""Where the model's facts come from: one entry per public source the course cites.

Every ``documented`` parameter, note and test names one of these keys. ``docs/sources.md`` has
a section per key (anchor ``#key``) saying, in our own words, what the course takes from the
source and where the course is unsure or departs from it.

Nothing here imports the rest of comsim, so any module (and the command line) can use it
cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass

SOURCES_DOC = "docs/sources.md"
"""The page, relative to the repository's top folder, that explains every source."""


@dataclass(frozen=True)
class Source:
    """One public source: a short key, its title, a URL a reader can open, and what the
    course takes from it (one sentence, our words)."""

    key: str
    title: str
    url: str
    supports: str

    @property
    def doc_anchor(self) -> str:
        """Link to this source's section in docs/sources.md (relative to the repository)."""
        return f"{SOURCES_DOC}#{self.key}"


_LEARN = "https://learn.microsoft.com/en-us"

SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        Source(
            "kb-q216248",
            "Microsoft KB Q216248, PRB: IClientSecurity::CopyProxy() Leaks Memory "
            "(public archive copy)",
            "https://jeffpar.github.io/kbarchive/kb/216/Q216248/",
            "The symptom (up to about 2 KB of private bytes per call in a tight loop), its cause "
            "(the proxy manager frees interface proxies only at its final release), the sample "
            "loop of 20,001 passes and the workaround (cache one copy per security setting).",
        ),
        Source(
            "copyproxy",
            "IClientSecurity::CopyProxy method (objidl.h)",
            f"{_LEARN}/windows/win32/api/objidl/nf-objidl-iclientsecurity-copyproxy",
            "A copy starts with default security and one reference the caller must release; "
            "local interfaces such as IUnknown and IClientSecurity cannot be copied; "
            "QueryInterface on a copy for the copied IID returns the original proxy's interface.",
        ),
        Source(
            "iclientsecurity",
            "IClientSecurity interface (objidl.h)",
            f"{_LEARN}/windows/win32/api/objidl/nn-objidl-iclientsecurity",
            "Every proxy manager exposes IClientSecurity; interfaces the proxy manager implements "
            "locally cannot be passed to its methods, IUnknown being the one exception.",
        ),
        Source(
            "cosetproxyblanket",
            "CoSetProxyBlanket function (combaseapi.h)",
            f"{_LEARN}/windows/win32/api/combaseapi/nf-combaseapi-cosetproxyblanket",
            "The helper that sets a proxy's security blanket; a blanket set on a proxy affects "
            "every user of that proxy.",
        ),
        Source(
            "coqueryproxyblanket",
            "CoQueryProxyBlanket function (combaseapi.h)",
            f"{_LEARN}/windows/win32/api/combaseapi/nf-combaseapi-coqueryproxyblanket",
            "The helper that reads the blanket a proxy uses, wrapping QueryInterface for "
            "IClientSecurity, QueryBlanket and Release.",
        ),
        Source(
            "cocopyproxy",
            "CoCopyProxy function (combaseapi.h)",
            f"{_LEARN}/windows/win32/api/combaseapi/nf-combaseapi-cocopyproxy",
            "CoCopyProxy is QueryInterface for IClientSecurity, CopyProxy and Release in one "
            "call, so it behaves like the KB's loop.",
        ),
        Source(
            "iunknown-security",
            "Factors that Determine IUnknown Security",
            f"{_LEARN}/windows/win32/com/factors-that-determine-iunknown-security",
            "QueryInterface, AddRef and Release on a proxy use IUnknown's blanket; a client sets "
            "it with CoSetProxyBlanket on the IUnknown pointer it got from QueryInterface.",
        ),
        Source(
            "refcounting",
            "Implementing Reference Counting",
            f"{_LEARN}/windows/win32/com/implementing-reference-counting",
            "For a client, reference counting is per interface pointer: one Release for every "
            "pointer it was given, whatever the object counts inside.",
        ),
        Source(
            "coinitializesecurity",
            "CoInitializeSecurity function (combaseapi.h)",
            f"{_LEARN}/windows/win32/api/combaseapi/nf-combaseapi-coinitializesecurity",
            "Process-wide default security, the choice that needs no per-proxy blankets at all.",
        ),
        Source(
            "multi-qi",
            "MULTI_QI structure (objidl.h)",
            f"{_LEARN}/windows/win32/api/objidl/ns-objidl-multi_qi",
            "Activation asks for interfaces in MULTI_QI entries; each entry gets its own result, "
            "E_NOINTERFACE for an interface the object does not have.",
        ),
        Source(
            "link-heap",
            "/HEAP (Set heap size) linker option",
            f"{_LEARN}/cpp/build/reference/heap-set-heap-size",
            "The process heap's reserve and initial commit come from the image header, whose "
            "defaults are 1 MB reserve and 4 KB commit (documented for current Visual C++; "
            "that NT4's loader used them the same way is our inference).",
        ),
        Source(
            "system-info",
            "SYSTEM_INFO structure (sysinfoapi.h)",
            f"{_LEARN}/windows/win32/api/sysinfoapi/ns-sysinfoapi-system_info",
            "dwPageSize, the page size and so the granularity of commit and decommit: "
            "4,096 bytes on x86.",
        ),
        Source(
            "rtl-heap-parameters",
            "RTL_HEAP_PARAMETERS structure (ntifs.h)",
            f"{_LEARN}/windows-hardware/drivers/ddi/ntifs/ns-ntifs-rtl_heap_parameters",
            "The heap defaults: SegmentReserve 1 MB, SegmentCommit two pages, "
            "DeCommitFreeBlockThreshold one page, DeCommitTotalFreeThreshold 65,536 bytes "
            "(documented for Windows XP and later; applying them to NT4 is our inference).",
        ),
        Source(
            "heap-internals",
            "Microsoft KB 315407, How to use the HeapDeCommitFreeBlockThreshold registry key "
            "(public archive copy)",
            "https://mskb.pkisolutions.com/kb/315407",
            "Microsoft's own description of the heap's free path: on a free the heap measures "
            "the contiguous free bytes around the address and then either keeps them committed "
            "or decommits them. It says nothing about default values or about how the two "
            "decommit thresholds combine.",
        ),
        Source(
            "reactos-heap",
            "ReactOS sdk/lib/rtl/heap.c (a clean-room reimplementation of the NT heap)",
            "https://github.com/reactos/reactos/blob/master/sdk/lib/rtl/heap.c",
            "RtlFreeHeap decommits a coalesced block only when the block reaches "
            "DeCommitFreeBlockThreshold and the heap's total free bytes (with it) reach "
            "DeCommitTotalFreeThreshold; RtlpExtendHeap reserves each new segment at the heap's "
            "current segment reserve and then adds that size to it, so segments double.",
        ),
        Source(
            "wine-ole32",
            "Wine dlls/combase/marshal.c (dlls/ole32/marshal.c in older Wine): a "
            "reimplementation of COM standard marshaling",
            "https://gitlab.winehq.org/wine/wine/-/blob/master/dlls/combase/marshal.c",
            "A proxy manager holds a list of interface proxies and one reference count; it frees "
            "them all at its final release, and QueryInterface returns the first interface "
            "proxy with the requested IID.",
        ),
        Source(
            "ms-dcom",
            "[MS-DCOM]: Distributed Component Object Model (DCOM) Remote Protocol, 3.2.6.1 Pinging",
            f"{_LEARN}/openspecs/windows_protocols/ms-dcom/8abedee5-e226-43e7-bb7c-34d0ac6a3c38",
            "The client's OXID resolver pings the server for the objects it holds; the server "
            "runs an object down when pings stop; RemRelease of remote references is batched.",
        ),
        Source(
            "kb-q167133",
            "Microsoft KB Q167133, DCOM pinging timeout (public archive copy)",
            "https://helparchive.huntertur.net/document/24110",
            "Pings go out every two minutes and three missed pings (six minutes) let the server "
            "release a dead client's references.",
        ),
        Source(
            "private-bytes",
            "Rico Mariani, 'Private Bytes Performance Counter -- Beware!' (Microsoft blog archive)",
            f"{_LEARN}/archive/blogs/ricom/private-bytes-performance-counter-beware",
            "Process\\Private Bytes is the process's private commit charge, which need not be "
            "resident in RAM; resident memory is the working set.",
        ),
        Source(
            "proxy-manager",
            "Proxy (COM)",
            f"{_LEARN}/windows/win32/com/proxy",
            "The client-side proxy is an aggregate: a proxy manager that is the controlling "
            "IUnknown, plus one interface proxy per remoted interface.",
        ),
    )
}
"""Every source the course cites, by key (the keys docs/sources.md uses as anchors)."""


def source(key: str) -> Source:
    """The source with this key; ValueError naming the known keys otherwise."""
    try:
        return SOURCES[key]
    except (KeyError, TypeError):
        raise ValueError(
            f"source must be one of {', '.join(map(repr, SOURCES))}; got {key!r}"
        ) from None
