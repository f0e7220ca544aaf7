"""Security blankets: how calls through one proxy authenticate (the levels CoSetProxyBlanket
and IClientSecurity::SetBlanket take, and the server principal name)."""

from __future__ import annotations

from dataclasses import dataclass

from . import checks

AUTHN_LEVELS = ("default", "none", "connect", "call", "pkt", "pkt-integrity", "pkt-privacy")
IMP_LEVELS = ("default", "anonymous", "identify", "impersonate", "delegate")
"""The levels SetBlanket takes (RPC_C_AUTHN_LEVEL_*, RPC_C_IMP_LEVEL_*). ``"default"`` is not
a level: it asks COM to choose (the process's security defaults), and a blanket that COM reports
back never holds it."""


@dataclass(frozen=True)
class Blanket:
    """A security blanket: how calls through one proxy authenticate (RPC_C_AUTHN_LEVEL_*,
    RPC_C_IMP_LEVEL_*, the server principal name). New proxies and copies start with the
    process default; ``Blanket()`` is that default, with its levels resolved (connect,
    identify), never ``"default"``."""

    authn_level: str = "connect"
    imp_level: str = "identify"
    principal: str | None = None

    def __post_init__(self):
        checks.choice("authn_level", self.authn_level, AUTHN_LEVELS)
        checks.choice("imp_level", self.imp_level, IMP_LEVELS)
        if self.principal is not None and not isinstance(self.principal, str):
            raise checks.refuse(
                "principal", "a server principal name (str) or None", self.principal, TypeError
            )


DEFAULT_BLANKET = Blanket()

# setblanket-nt4: a process that never called CoInitializeSecurity authenticates at connect and
# impersonates at identify; the model's client is such a process.
PROCESS_DEFAULT = Blanket()

REMOTE_IMP_LEVELS = ("identify", "impersonate")
"""The impersonation levels NTLM -- NT4's only remote authentication service -- supports
against a remote server (CoSetProxyBlanket, dwImpLevel). That the others fail with
E_INVALIDARG there is our inference: the page lists E_INVALIDARG only as "one or more arguments
are invalid"."""


def resolved(asked: Blanket, current: Blanket) -> Blanket:
    """The blanket a proxy gets when SetBlanket asks for ``asked``: ``default`` levels resolve
    to the process's security defaults (QueryBlanket reports the levels in use, never
    "default"), and no principal keeps ``current``'s (pServerPrincName NULL does not reset
    it)."""
    return Blanket(
        PROCESS_DEFAULT.authn_level if asked.authn_level == "default" else asked.authn_level,
        PROCESS_DEFAULT.imp_level if asked.imp_level == "default" else asked.imp_level,
        current.principal if asked.principal is None else asked.principal,
    )
