"""Where the model's facts come from: one entry per public source the course cites, by a key
that every ``documented`` parameter, note and test names. ``docs/sources.md`` has a section per
key (anchor ``#key``): what the course takes from it, in our words, and where it departs.
Nothing here imports the rest of comsim, so any module can use it cheaply."""

from __future__ import annotations

from dataclasses import dataclass

SOURCES_DOC = "docs/sources.md"  # relative to the repository: the page on every source

NT4 = "NT4"
W2K = "Windows 2000 and later"
XP = "Windows XP and later"
WINE = "Wine/ReactOS"
ANY = "any"


@dataclass(frozen=True)
class Source:
    """One public source: key, title, URL, what the course takes from it (one sentence, our
    words) and the systems it is written for (``scope``, from :data:`comsim.model.claims.SCOPES`),
    the page's own: Microsoft's current pages start at Windows 2000 (or XP), so applying them to
    NT4 is ``inferred`` (issue 15); the 1998 Platform SDK pages (``_MSDN98``) are for NT 4.0."""

    key: str
    title: str
    url: str
    supports: str
    scope: str = ANY
    maker: str = "Microsoft"  # who documents it: a documented claim's label names them

    @property
    def doc_anchor(self) -> str:
        """Link to this source's section in docs/sources.md (relative to the repository)."""
        return f"{SOURCES_DOC}#{self.key}"


_LEARN = "https://learn.microsoft.com/en-us"
# The MSDN Library's COM reference of 1998, for NT 4.0 (QuickInfo "Windows NT: Use version 4.0").
_MSDN98 = "https://techshelps.github.io/MSDN/COM/devdoc/live/com"
_NT4_ERA = " (MSDN Library, Platform SDK, 1998; public archive copy)"

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
            NT4,
        ),
        Source(
            "com-overview",
            "The Component Object Model",
            f"{_LEARN}/windows/win32/com/the-component-object-model",
            "COM is a binary standard for components that interact, in one process, across "
            "processes or across machines, whatever language each is written in.",
        ),
        Source(
            "iunknown",
            "IUnknown interface (unknwn.h)",
            f"{_LEARN}/windows/win32/api/unknwn/nn-unknwn-iunknown",
            "Every COM interface derives from IUnknown: QueryInterface for the object's other "
            "interfaces, AddRef and Release for its lifetime.",
            W2K,
        ),
        Source(
            "mta",
            "Multithreaded Apartments",
            f"{_LEARN}/windows/win32/com/multithreaded-apartments",
            "The threads of a process that joined the multithreaded apartment share it, and may "
            "call its objects directly; other threads may not.",
        ),
        Source(
            "copyproxy",
            "IClientSecurity::CopyProxy" + _NT4_ERA,
            f"{_MSDN98}/if_a2e_90qh.htm",
            "A copy starts with default security and one reference the caller must release; "
            "local interfaces such as IUnknown and IClientSecurity cannot be copied; "
            "QueryInterface on a copy for the copied IID returns the original proxy's interface.",
            NT4,
        ),
        Source(
            "iclientsecurity",
            "IClientSecurity interface (objidl.h)",
            f"{_LEARN}/windows/win32/api/objidl/nn-objidl-iclientsecurity",
            "Every object has one proxy manager, and every proxy manager exposes IClientSecurity; "
            "interfaces the proxy manager implements locally cannot be passed to its methods, "
            "IUnknown being the one exception.",
            W2K,
        ),
        Source(
            "setblanket",
            "IClientSecurity::SetBlanket method (objidl.h)",
            f"{_LEARN}/windows/win32/api/objidl/nf-objidl-iclientsecurity-setblanket",
            "A blanket set on a proxy changes it for every other user of that proxy; with NTLM "
            "used remotely the impersonation level is identify or impersonate; a NULL principal "
            "keeps the previous one.",
            W2K,
        ),
        Source(
            "setblanket-nt4",
            "IClientSecurity::SetBlanket" + _NT4_ERA,
            f"{_MSDN98}/if_a2e_0q0k.htm",
            "A blanket set on a proxy changes it for every other user of that proxy; with NTLM "
            "used remotely the impersonation level is identify or impersonate; "
            "RPC_C_AUTHN_LEVEL_DEFAULT and RPC_C_IMP_LEVEL_DEFAULT ask COM to pick the level: "
            "CoInitializeSecurity's, or else connect and identify; the page adds that "
            "SetBlanket's default parameters are valid only in Windows NT 5.",
            NT4,
        ),
        Source(
            "cosetproxyblanket",
            "CoSetProxyBlanket function (combaseapi.h)",
            f"{_LEARN}/windows/win32/api/combaseapi/nf-combaseapi-cosetproxyblanket",
            "The helper that wraps QueryInterface for IClientSecurity, SetBlanket and Release; "
            "its dwImpLevel and pServerPrincName rules are SetBlanket's.",
            W2K,
        ),
        Source(
            "coqueryproxyblanket",
            "CoQueryProxyBlanket function (combaseapi.h)",
            f"{_LEARN}/windows/win32/api/combaseapi/nf-combaseapi-coqueryproxyblanket",
            "The helper that reads the blanket a proxy uses, wrapping QueryInterface for "
            "IClientSecurity, QueryBlanket and Release.",
            W2K,
        ),
        Source(
            "cocopyproxy",
            "CoCopyProxy" + _NT4_ERA,
            f"{_MSDN98}/api1_5e9l.htm",
            "CoCopyProxy is QueryInterface for IClientSecurity, CopyProxy and Release in one "
            "call; CoSetProxyBlanket affects every user of a proxy, which is why a client copies "
            "it first.",
            NT4,
        ),
        Source(
            "iunknown-security",
            "Factors that Determine IUnknown Security" + _NT4_ERA,
            f"{_MSDN98}/comext_943d.htm",
            "QueryInterface, AddRef and Release on a proxy use IUnknown's blanket, which a "
            "client sets with CoSetProxyBlanket on the IUnknown pointer (the proxy manager); "
            "before NT 4.0 SP4 it covered QueryInterface only; with secure references it fails.",
            NT4,
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
            "CoInitializeSecurity" + _NT4_ERA,
            f"{_MSDN98}/api1_8ayh.htm",
            "Process-wide default security, set once per process (by COM itself if the program "
            "does not call it): its levels are the default blanket of every proxy the process "
            "gets, and of IUnknown's calls.",
            NT4,
        ),
        Source(
            "multi-qi",
            "MULTI_QI structure (objidl.h)",
            f"{_LEARN}/windows/win32/api/objidl/ns-objidl-multi_qi",
            "Activation asks for interfaces in MULTI_QI entries; each entry gets its own result, "
            "E_NOINTERFACE for an interface the object does not have.",
            W2K,
        ),
        Source(
            "imarshal",
            "IMarshal interface (objidlbase.h)",
            f"{_LEARN}/windows/win32/api/objidlbase/nn-objidlbase-imarshal",
            "Marshaling packs data, interface pointers included, for another process or machine; "
            "IMarshal lets an object decide how its interface pointers are marshaled.",
            W2K,
        ),
        Source(
            "link-heap",
            "/HEAP (Set heap size) linker option",
            f"{_LEARN}/cpp/build/reference/heap",
            "The process heap's reserve and initial commit come from the image header, whose "
            "defaults are 1 MB reserve and 4 KB commit (documented for current Visual C++; "
            "that NT4's loader used them the same way is our inference).",
            XP,
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
            XP,
        ),
        Source(
            "heap-information-class",
            "HEAP_INFORMATION_CLASS enumeration (winnt.h)",
            f"{_LEARN}/windows/win32/api/winnt/ne-winnt-heap_information_class",
            "On Windows XP and Server 2003 a heap may keep look-aside lists, fast lists of "
            "fixed-size free blocks; from Windows Vista the low-fragmentation heap replaces them.",
            XP,
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
            W2K,
        ),
        Source(
            "reactos-heap",
            "ReactOS sdk/lib/rtl/heap.c (a clean-room reimplementation of the NT heap)",
            "https://github.com/reactos/reactos/blob/master/sdk/lib/rtl/heap.c",
            "RtlFreeHeap decommits a coalesced block only when the block reaches "
            "DeCommitFreeBlockThreshold and the heap's total free bytes (with it) reach "
            "DeCommitTotalFreeThreshold; RtlpExtendHeap reserves each new segment at the heap's "
            "current segment reserve and then adds that size to it, so segments double.",
            WINE,
        ),
        Source(
            "wine-ole32",
            "Wine dlls/combase/marshal.c (dlls/ole32/marshal.c in older Wine): a "
            "reimplementation of COM standard marshaling",
            "https://gitlab.winehq.org/wine/wine/-/blob/master/dlls/combase/marshal.c",
            "A proxy manager implements IMultiQI, IMarshal and IClientSecurity itself and holds a "
            "list of interface proxies and one reference count; it frees them all at its final "
            "release, and QueryInterface returns the first interface proxy with the requested IID.",
            WINE,
        ),
        Source(
            "reactos-ole32",
            "ReactOS dll/win32/ole32/marshal.c (Wine's ole32 marshaling, as ReactOS imports it)",
            "https://github.com/reactos/reactos/blob/054b5e063a1d271203ba6540cd1feb312ee8deb7/"
            "dll/win32/ole32/marshal.c",
            "proxy_manager_construct and proxy_manager_create_ifproxy allocate the proxy manager "
            "and each interface proxy's record with HeapAlloc(GetProcessHeap(), 0, ...), and "
            "free them with HeapFree on the same heap.",
            WINE,
        ),
        Source(
            "dcom-draft",
            "Distributed Component Object Model Protocol -- DCOM/1.0, Internet-Draft "
            "draft-brown-dcom-v1-spec-03 (Microsoft, 1998)",
            "https://datatracker.ietf.org/doc/html/draft-brown-dcom-v1-spec-03",
            "DCOM is COM over DCE RPC (the abstract); section 2.5: client COM typically defers "
            "the remote release of an object's interfaces until every local reference to every "
            "one of them is gone.",
            NT4,
        ),
        Source(
            "ms-dcom-pinging",
            "[MS-DCOM]: Distributed Component Object Model (DCOM) Remote Protocol, 3.2.6.1 Pinging",
            f"{_LEARN}/openspecs/windows_protocols/ms-dcom/8abedee5-e226-43e7-bb7c-34d0ac6a3c38",
            "The client's OXID resolver keeps the objects it holds alive by pinging them in ping "
            "sets (SimplePing for an unchanged set, ComplexPing to change it).",
            W2K,
        ),
        Source(
            "ms-dcom-remrelease",
            "[MS-DCOM]: 3.1.1.5.6.1.3 IRemUnknown::RemRelease (Opnum 5)",
            f"{_LEARN}/openspecs/windows_protocols/ms-dcom/4383e2aa-ae3c-4da6-a094-30233ac4b285",
            "RemRelease takes an array of interface references, so one call releases references "
            "on many interfaces at once.",
            W2K,
        ),
        Source(
            "kb-q167133",
            "Microsoft KB Q167133, DCOM pinging timeout (public archive copy)",
            "https://helparchive.huntertur.net/document/24110",
            "Pings go out every two minutes and three missed pings (six minutes) let the server "
            "release a dead client's references.",
            NT4,
        ),
        Source(
            "rpc-idle-cleanup",
            "Idle Connection Cleanup (RPC)",
            f"{_LEARN}/windows/win32/rpc/idle-connection-cleanup",
            "By default a client's RPC connections stay open until the association shuts down; "
            "RpcMgmtEnableIdleCleanup makes the client close idle ones in periodic scans "
            "(Windows 2000 and later; Windows XP turns it on by itself past a threshold).",
            W2K,
        ),
        Source(
            "nt4-perfmon",
            "Windows NT 4.0 Workstation Resource Kit, Chapter 10: About Performance Monitor",
            "https://technet.microsoft.com/en-us/library/cc749850.aspx",
            "Performance Monitor is NT 4.0's tool for watching counters in real time, logging "
            "them and charting them.",
            NT4,
        ),
        Source(
            "private-bytes",
            "Rico Mariani, 'Private Bytes Performance Counter -- Beware!' (Microsoft blog archive)",
            f"{_LEARN}/archive/blogs/ricom/private-bytes-performance-counter-beware",
            "Process\\Private Bytes is the process's private commit charge, which need not be "
            "resident in RAM; resident memory is the working set.",
            XP,
        ),
        Source(
            "com-error-handling",
            "Error Handling in COM",
            f"{_LEARN}/windows/win32/com/error-handling-in-com",
            "Almost every COM function and interface method returns an HRESULT, a value with "
            "several fields encoded in it; an error's name reads facility, E, condition.",
        ),
        Source(
            "proxy-manager",
            "Proxy (COM)",
            f"{_LEARN}/windows/win32/com/proxy",
            "The client-side proxy is an aggregate: a proxy manager plus one interface proxy for "
            "each of the object's interfaces exposed to this client.",
        ),
        # Notebook 06's libraries: their makers' own pages, for the versions the course pins.
        Source(
            "matplotlib-close",
            "matplotlib.pyplot.close (Matplotlib documentation)",
            "https://matplotlib.org/stable/api/_as_gen/matplotlib.pyplot.close.html",
            "pyplot keeps a reference to every figure it makes until the figure is closed; a "
            "figure saved and never shown must be closed with close() to free its memory.",
            maker="Matplotlib",
        ),
        Source(
            "matplotlib-web-server",
            "Embed in a web application server (Matplotlib gallery)",
            "https://matplotlib.org/stable/gallery/user_interfaces/web_application_server_sgskip.html",
            "A web server should not use pyplot, which keeps references to the figures it opens; "
            "figures made with the Figure constructor are not kept.",
            maker="Matplotlib",
        ),
        Source(
            "python-logging",
            "logging: Logger objects (Python documentation)",
            "https://docs.python.org/3/library/logging.html#logger-objects",
            "Every call to getLogger with the same name returns the same Logger object; extra= "
            "and a LoggerAdapter add fields of the caller's own to a record.",
            maker="Python",
        ),
        Source(
            "python-pymalloc",
            "Memory Management: the pymalloc allocator (Python/C API documentation)",
            "https://docs.python.org/3/c-api/memory.html#the-pymalloc-allocator",
            "pymalloc serves requests of 512 bytes or less from arenas it maps, 1 MiB each on "
            "64-bit platforms; larger requests go to the C allocator.",
            maker="Python",
        ),
        Source(
            "python-faq-method-cache",
            "Programming FAQ: How do I cache method calls? (Python documentation)",
            "https://docs.python.org/3/faq/programming.html#how-do-i-cache-method-calls",
            "lru_cache on a method keeps a reference to each instance, up to maxsize; "
            "cached_property keeps the value on the instance and goes with it.",
            maker="Python",
        ),
        Source(
            "numpy-slicing",
            "NumPy user guide: Indexing on ndarrays, slicing and striding",
            "https://numpy.org/doc/stable/user/basics.indexing.html#slicing-and-striding",
            "A small slice of a large array refers to the whole array, whose memory is not "
            "released until every array made from it is gone; copy() is the advice.",
            maker="NumPy",
        ),
        Source(
            "glibc-mallopt",
            "mallopt(3), Linux man-pages",
            "https://man7.org/linux/man-pages/man3/mallopt.3.html",
            "glibc's malloc serves blocks above its mmap threshold with pages of their own and "
            "unmaps them when they are freed; the threshold never exceeds 32 MiB on 64-bit.",
            maker="Linux's man-pages",
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
