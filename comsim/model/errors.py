"""COM failures as Python exceptions.

Real COM reports misuse poorly or not at all: an extra ``Release`` silently drops a reference
that belongs to someone else, and a call through a released pointer is undefined behaviour.
The simulator stops at the first such call and says what real COM would have done.
"""

from __future__ import annotations

# HRESULT values as the Windows SDK headers define them (winerror.h).
HRESULTS: dict[str, int] = {
    "S_OK": 0x00000000,
    "E_NOINTERFACE": 0x80004002,
    "E_INVALIDARG": 0x80070057,
    "E_POINTER": 0x80004003,
    "E_UNEXPECTED": 0x8000FFFF,
    "CO_E_OBJNOTCONNECTED": 0x800401FD,
    "REGDB_E_CLASSNOTREG": 0x80040154,
    # a success code: CoCreateInstanceEx got some, not all, of its MULTI_QI entries
    "CO_S_NOTALLINTERFACES": 0x00080012,
}


class COMError(Exception):
    """A COM call that failed, or that real COM would have let corrupt the process.

    ``hresult_name`` is the symbolic HRESULT (e.g. ``"E_NOINTERFACE"``), ``hresult`` its
    32-bit value, and the message says what real COM would have done in the same place.
    """

    def __init__(self, hresult_name: str, message: str):
        self.hresult_name = hresult_name
        self.hresult = HRESULTS[hresult_name]
        self.message = message
        super().__init__(f"{hresult_name} (0x{self.hresult:08X}): {message}")
